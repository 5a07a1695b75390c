"""Arguments of ``ftrans.scipy``'s elementwise functions: promoted like a NumPy ufunc's."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import describe
from ..numpy._promote import as_array, dtype_key, promote


def _float_result(*xs: Any) -> Any:
    """A stand-in ufunc: the float dtype NumPy computes ``f(*xs)`` in."""
    acc = xs[0]
    for x in xs[1:]:
        acc = np.add(acc, x)
    return np.sin(acc)


def check_real(what: str, name: str, x: Any) -> None:
    """A ``TypeError`` naming ``what`` and its argument ``name`` unless ``x`` is real numbers
    (bool, integer or float; a string, None or a complex number is not: SciPy's real functions
    would fail or drop the imaginary part).

    >>> check_real("norm.pdf", "x", "a")
    Traceback (most recent call last):
      ...
    TypeError: norm.pdf: argument 'x' must be a real number or an array of real numbers \
(bool, integer or float), got a str ('a')
    """
    if isinstance(x, (bool, int, float)):
        return
    try:
        kind = np.dtype(dtype_key(x)).kind
    except (TypeError, ValueError):  # ragged nested sequences and the like
        kind = "O"
    if kind not in "biuf":
        given = describe(x) + (f" ({x!r:.40})" if isinstance(x, (str, bytes, complex)) else "")
        raise TypeError(f"{what}: argument {name!r} must be a real number or an array of real "
                        f"numbers (bool, integer or float), got {given}")


def floats(what: str, *args: Any, names: Sequence[str] = ()) -> list[Any]:
    """``args`` as arrays of their common float dtype (float64 for integers), broadcast
    together; Python numbers are weak, as in NumPy: ``gammainc(2.0, x32)`` is float32.
    ``names`` are the arguments' names for the ``TypeError`` raised when one is not real
    numbers (default ``x``, or ``x, y`` ...).

    >>> [a.dtype.name for a in floats("f", 2.0, np.ones(2, np.float32))]
    ['float32', 'float32']
    """
    names = tuple(names) or (("x",) if len(args) == 1 else ("x", "y", "z")[:len(args)])
    for name, a in zip(names, args):
        check_real(what, name, a)
    return promote(_float_result, [a if isinstance(a, (bool, int, float)) else as_array(a)
                                   for a in args], what)
