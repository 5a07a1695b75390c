"""``interp``: piecewise-linear interpolation, differentiable in ``x``, ``xp`` and ``fp``.

The interval of each ``x`` is found with ``searchsorted`` (an integer, no derivative); the
two neighbouring points are gathered and joined by a line, so the derivative is the slope in
``x`` and the two hat-function weights in ``fp``. ``xp`` is taken as increasing, as NumPy does
(without checking). Unlike NumPy, infinite ``fp`` values are not special-cased: the line
through them is used as is (so the result stays linear in ``fp``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._elementwise import add, divide, equal, greater, less, multiply, subtract, where
from ._indexing import take
from ._promote import any_tracer, is_tracer, shape_of, to_dtype
from ._shape import asarray
from ._sorting import searchsorted
from ._ufuncs import clip, isnan


def interp(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None,
           period: Any = None) -> Any:
    """NumPy's ``interp``: ``fp`` linearly interpolated at ``x`` between the points ``xp``
    (increasing); ``left``/``right`` (default ``fp[0]``/``fp[-1]``) outside them.

    Parameters
    ----------
    x : array_like
        Where to interpolate.
    xp : array_like
        The increasing 1-D sample points.
    fp : array_like
        The values at ``xp``.
    left, right : scalar, optional
        The values below and above ``xp`` (default ``fp[0]`` and ``fp[-1]``).
    period : float, optional
        A period of the points (``left`` and ``right`` then unused).

    Returns
    -------
    out : ndarray
        The interpolated values; differentiable in ``x``, ``xp`` and ``fp``.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> xp, fp = np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 3.0])
    >>> float(fnp.interp(2.0, xp, fp))
    2.5
    >>> float(ftrans.grad(fnp.interp)(2.0, xp, fp))
    0.5
    """
    if not any_tracer((x, xp, fp, left, right)):
        return np.interp(x, xp, fp, left=left, right=right, period=period)
    if period is not None:
        raise NotImplementedError("interp(period=...) is not supported on traced arrays")
    for name, v in (("xp", xp), ("fp", fp)):
        if len(shape_of(v)) != 1:
            raise ValueError(f"interp: {name} must be 1-D, got shape {shape_of(v)}")
    n = shape_of(xp)[0]
    if shape_of(fp)[0] != n:
        raise ValueError(f"interp: fp and xp are not of the same length ({shape_of(fp)[0]} "
                         f"and {n})")
    if n == 0:
        raise ValueError("interp: xp (the array of sample points) is empty")
    for name, v in (("x", x), ("xp", xp)):
        dt = v.dtype if hasattr(v, "dtype") else np.asarray(v).dtype
        if dt.kind == "c":
            raise TypeError(f"interp: {name} must be real, got dtype {dt} (only fp may be "
                            "complex)")
    from ._complex import iscomplexobj
    if iscomplexobj(fp) or any(iscomplexobj(v) for v in (left, right) if v is not None):
        # complex values: the real and imaginary parts interpolated apart (NumPy's result)
        from ..prims.complex_parts import complex_p
        from ._complex import imag, real
        parts = [interp(x, xp, part(fp), None if left is None else part(left),
                        None if right is None else part(right)) for part in (real, imag)]
        return complex_p.bind(*[to_dtype(p, np.float64) for p in parts])
    dt = np.dtype(np.float64)  # NumPy computes and returns float64
    x, xp, fp = (asarray(to_dtype(v, dt)) if is_tracer(v) else to_dtype(v, dt)
                 for v in (x, xp, fp))  # constants stay on their device (NumPy or CuPy)
    f_lo_default = take(fp, 0) if is_tracer(fp) else fp[0]
    f_hi_default = take(fp, n - 1) if is_tracer(fp) else fp[-1]
    lft = f_lo_default if left is None else to_dtype(left, dt)
    rgt = f_hi_default if right is None else to_dtype(right, dt)
    if n == 1:
        inside = f_lo_default
    else:
        j = clip(searchsorted(xp, x, side="right") - 1, 0, n - 2)  # xp[j] <= x < xp[j+1]
        x0, x1 = take(xp, j), take(xp, j + 1)
        f0, f1 = take(fp, j), take(fp, j + 1)
        slope = divide(subtract(f1, f0), subtract(x1, x0))
        inside = add(multiply(slope, subtract(x, x0)), f0)  # linear in fp: no NaN repair
        last = take(xp, n - 1) if is_tracer(xp) else xp[-1]
        inside = where(equal(x, last), f_hi_default, inside)
    first = take(xp, 0) if is_tracer(xp) else xp[0]
    last = take(xp, n - 1) if is_tracer(xp) else xp[-1]
    out = where(less(x, first), lft, where(greater(x, last), rgt, inside))
    return out if n == 1 else where(isnan(x), np.asarray(np.nan, dt), out)  # as NumPy
