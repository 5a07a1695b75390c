"""Arguments of ``ftrans.scipy``'s elementwise functions: promoted like a NumPy ufunc's."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..numpy._promote import as_array, promote


def _float_result(*xs: Any) -> Any:
    """A stand-in ufunc: the float dtype NumPy computes ``f(*xs)`` in."""
    acc = xs[0]
    for x in xs[1:]:
        acc = np.add(acc, x)
    return np.sin(acc)


def floats(what: str, *args: Any) -> list[Any]:
    """``args`` as arrays of their common float dtype (float64 for integers), broadcast
    together; Python numbers are weak, as in NumPy: ``gammainc(2.0, x32)`` is float32.

    >>> [a.dtype.name for a in floats("f", 2.0, np.ones(2, np.float32))]
    ['float32', 'float32']
    """
    return promote(_float_result, [a if isinstance(a, (bool, int, float)) else as_array(a)
                                   for a in args], what)
