"""NumPy's ``trapezoid`` and ``cross`` on traced arrays, as composites of slicing,
arithmetic and ``stack`` (so every derivative comes from theirs)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._promote import any_tracer


def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> Any:
    """NumPy's ``trapezoid``: the integral of ``y`` by the trapezoidal rule, along ``axis``,
    with sample points ``x`` or spacing ``dx``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.trapezoid(np.array([0.0, 1.0, 4.0]), dx=0.5))
    1.5
    """
    if not any_tracer((y, x, dx)):
        return np.trapezoid(y, x=x, dx=dx, axis=axis)
    from ._manip import diff
    from ._reductions import sum as _sum
    from ._shape import asarray, moveaxis
    y = moveaxis(asarray(y), axis, -1)
    if x is None:
        d = dx
    else:
        x = asarray(x)
        d = diff(x) if x.ndim == 1 else moveaxis(diff(x, axis=axis), axis, -1)
    return _sum(d * (y[..., 1:] + y[..., :-1]) / 2.0, axis=-1)


def cross(a: Any, b: Any, axis: int = -1) -> Any:
    """NumPy's ``cross`` of 3-vectors (or 2-vectors, giving the z component) along ``axis``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    array([0., 0., 1.])
    """
    if not any_tracer((a, b)):
        return np.cross(a, b, axis=axis)
    from ._manip import stack
    from ._shape import asarray, moveaxis
    a, b = moveaxis(asarray(a), axis, -1), moveaxis(asarray(b), axis, -1)
    n, m = a.shape[-1], b.shape[-1]
    if n not in (2, 3) or m not in (2, 3):
        raise ValueError(f"cross: incompatible dimensions for cross product (dimension must be "
                         f"2 or 3), got {n} and {m}")
    a0, a1 = a[..., 0], a[..., 1]
    b0, b1 = b[..., 0], b[..., 1]
    z = a0 * b1 - a1 * b0
    if n == 2 and m == 2:
        return z
    a2 = a[..., 2] if n == 3 else 0.0
    b2 = b[..., 2] if m == 3 else 0.0
    out = stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, z], axis=-1)
    return moveaxis(out, -1, axis)
