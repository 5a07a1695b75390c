"""NumPy's fmod, remainder (mod) and floor_divide, and with them the ``%`` and ``//``
operators of traced arrays. ``fmod`` is the ``rem`` primitive; ``remainder`` and
``floor_divide`` are composites of it computed as NumPy computes them (``npy_divmod``), so
``a == floor_divide(a, b) * b + remainder(a, b)`` holds as in NumPy. ``floor_divide`` is
piecewise constant: its tangent is zero. Integer ``floor_divide`` of traced arrays divides
in float64 (exact below 2**53 in magnitude); division by zero gives 0, as NumPy does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..prims import elementwise as ew
from ._elementwise import _binary, _doc, where
from ._promote import any_tracer, promote, to_dtype

fmod = _binary(ew.rem_p, np.fmod, _doc("fmod", "fnp.fmod(-5.0, 3.0)", "-2.0"))


def remainder(x1: Any, x2: Any) -> Any:
    """NumPy's ``remainder`` (``mod``, the ``%`` operator): the sign of the divisor.

    Parameters
    ----------
    x1, x2 : array_like
        Dividend and divisor, broadcast together.

    Returns
    -------
    out : ndarray
        The remainder, with the divisor's sign; differentiable.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.remainder(-5.0, 3.0)
    1.0
    """
    if not any_tracer((x1, x2)):
        return np.remainder(x1, x2)
    a, b = promote(np.remainder, (x1, x2), "remainder")
    m = fmod(a, b)
    wrong_sign = (m != 0) & ((m < 0) != (b < 0))
    return where(wrong_sign, m + b, m)


mod = remainder


def floor_divide(x1: Any, x2: Any) -> Any:
    """NumPy's ``floor_divide`` (the ``//`` operator): the floor of the quotient.

    Parameters
    ----------
    x1, x2 : array_like
        Dividend and divisor, broadcast together.

    Returns
    -------
    out : ndarray
        The floor of the quotient (zero derivative: piecewise constant).

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.floor_divide(-5.0, 3.0)
    -2.0
    """
    if not any_tracer((x1, x2)):
        return np.floor_divide(x1, x2)
    a, b = promote(np.floor_divide, (x1, x2), "floor_divide")
    dtype = np.dtype(a.dtype)
    if dtype.kind in "iub":
        q = floor_divide(to_dtype(a, np.float64), to_dtype(b, np.float64))
        return to_dtype(where(b == 0, 0.0, q), dtype)
    m = fmod(a, b)
    div = (a - m) / b
    div = where((m != 0) & ((b < 0) != (m < 0)), div - 1, div)
    fl = ew.floor_p.bind(div)
    fl = where(div - fl > 0.5, fl + 1, fl)
    fl = where(div == 0, ew.copysign_p.bind(np.zeros((), dtype) * fl, a / b), fl)
    return where(b == 0, ew.floor_p.bind(a / b), fl)


def divmod(x1: Any, x2: Any) -> tuple[Any, Any]:  # noqa: A001 (NumPy's name)
    """NumPy's ``divmod``: ``(floor_divide(x1, x2), remainder(x1, x2))``.

    Parameters
    ----------
    x1, x2 : array_like
        Dividend and divisor, broadcast together.

    Returns
    -------
    quotient, remainder : ndarray
        ``floor_divide(x1, x2)`` and ``remainder(x1, x2)``.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.divmod(7.0, 2.0)
    (3.0, 1.0)
    """
    if not any_tracer((x1, x2)):
        return np.divmod(x1, x2)
    return floor_divide(x1, x2), remainder(x1, x2)
