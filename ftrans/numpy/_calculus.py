"""NumPy's ``trapezoid``, ``cross`` and ``gradient`` on traced arrays, as composites of slicing,
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
    from ._grids import diff
    from ._reductions import sum as _sum
    from ._shape import asarray, moveaxis
    y = moveaxis(asarray(y), axis, -1)
    if x is None:
        d = dx
    else:
        x = asarray(x)
        d = diff(x) if x.ndim == 1 else moveaxis(diff(x, axis=axis), axis, -1)
    return _sum(d * (y[..., 1:] + y[..., :-1]) / 2.0, axis=-1)


def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> Any:
    """NumPy's ``cross`` of 3-vectors (or 2-vectors, giving the z component): the vectors
    lie along ``axisa`` of ``a`` and ``axisb`` of ``b``, the result's along ``axisc``;
    ``axis`` sets all three.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    array([0., 0., 1.])
    """
    if not any_tracer((a, b)):
        return np.cross(a, b, axisa, axisb, axisc, axis)
    if axis is not None:
        axisa = axisb = axisc = axis
    from ._manip import stack
    from ._shape import asarray, moveaxis
    a, b = moveaxis(asarray(a), axisa, -1), moveaxis(asarray(b), axisb, -1)
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
    return moveaxis(out, -1, axisc)


def _spacings(varargs: tuple, f_shape: tuple, axes: tuple) -> list[Any]:
    """One spacing per axis: a scalar, or the 1-D coordinates' differences (NumPy's rules:
    no argument, one for all axes, or one per axis)."""
    from ._grids import diff
    from ._shape import asarray
    n = len(axes)
    if not varargs:
        return [1.0] * n
    if len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        return [varargs[0]] * n
    if len(varargs) != n:
        raise TypeError("invalid number of arguments")
    out = []
    for d, ax in zip(varargs, axes):
        if np.ndim(d) == 0:
            out.append(d)
            continue
        d = asarray(d)
        if d.ndim != 1:
            raise ValueError("distances must be either scalars or 1d")
        if d.shape[0] != f_shape[ax]:
            raise ValueError("when 1d, distances must match the length of the corresponding "
                             "dimension")
        if not any_tracer((d,)) and np.issubdtype(d.dtype, np.integer):
            d = d.astype(np.float64)
        dx = diff(d)
        if not any_tracer((dx,)) and dx.size and (dx == dx[0]).all():
            dx = dx[0]  # uniform coordinates: NumPy's uniform formulas
        out.append(dx)
    return out


def _gradient_axis(f: Any, dx: Any, edge_order: int) -> Any:
    """The derivative of ``f`` along its first axis (``dx``: a scalar or the spacings)."""
    from ._manip import concatenate
    uniform = np.ndim(dx) == 0
    if uniform:
        interior = (f[2:] - f[:-2]) / (2.0 * dx)
    else:
        shape = (-1,) + (1,) * (f.ndim - 1)
        d1, d2 = dx[:-1].reshape(shape), dx[1:].reshape(shape)
        a = -d2 / (d1 * (d1 + d2))
        b = (d2 - d1) / (d1 * d2)
        c = d1 / (d2 * (d1 + d2))
        interior = a * f[:-2] + b * f[1:-1] + c * f[2:]
    if edge_order == 1:
        d0, dn = (dx, dx) if uniform else (dx[0], dx[-1])
        first = (f[1:2] - f[0:1]) / d0
        last = (f[-1:] - f[-2:-1]) / dn
    else:
        if uniform:
            a0, b0, c0 = -1.5 / dx, 2.0 / dx, -0.5 / dx
            an, bn, cn = 0.5 / dx, -2.0 / dx, 1.5 / dx
        else:
            d1, d2 = dx[0], dx[1]
            a0 = -(2.0 * d1 + d2) / (d1 * (d1 + d2))
            b0 = (d1 + d2) / (d1 * d2)
            c0 = -d1 / (d2 * (d1 + d2))
            d1, d2 = dx[-2], dx[-1]
            an = d2 / (d1 * (d1 + d2))
            bn = -(d2 + d1) / (d1 * d2)
            cn = (2.0 * d2 + d1) / (d2 * (d1 + d2))
        first = a0 * f[0:1] + b0 * f[1:2] + c0 * f[2:3]
        last = an * f[-3:-2] + bn * f[-2:-1] + cn * f[-1:]
    return concatenate([first, interior, last], 0)


def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """NumPy's ``gradient``: second-order central differences inside, one-sided differences
    of order ``edge_order`` (1 or 2) at the ends; spacing ``varargs`` as NumPy takes it
    (none, one scalar for all axes, or per axis a scalar or the 1-D coordinates, uneven
    ones included); one array per axis in ``axis`` (a tuple of them for several).
    Differentiable in ``f`` and in the spacings.

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> fnp.gradient(np.array([1.0, 2.0, 4.0, 7.0]), 2.0)
    array([0.5 , 0.75, 1.25, 1.5 ])
    >>> ftrans.grad(lambda h: fnp.gradient(np.array([1.0, 2.0, 4.0]), h)[1])(0.5)
    -6.0
    """
    if not any_tracer((f, *varargs)):
        return np.gradient(f, *varargs, axis=axis,  # type: ignore[call-overload]
                           edge_order=edge_order)
    from ._promote import normalize_axes, to_dtype
    from ._shape import asarray, moveaxis
    f = asarray(f)
    if not np.issubdtype(f.dtype, np.inexact):
        f = to_dtype(f, np.dtype(np.float64))
    axes = tuple(range(f.ndim))
    if axis is not None:  # in the order given, as NumPy returns them
        given = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        normalize_axes(given, f.ndim, "gradient")  # NumPy's errors
        axes = tuple(int(a) % f.ndim for a in given)
    if edge_order not in (1, 2):
        raise ValueError("'edge_order' greater than 2 not supported")
    spacings = _spacings(varargs, f.shape, axes)
    outs = []
    for ax, dx in zip(axes, spacings):
        if f.shape[ax] < edge_order + 1:
            raise ValueError("Shape of array too small to calculate a numerical gradient, at "
                             "least (edge_order + 1) elements are required.")
        outs.append(moveaxis(_gradient_axis(moveaxis(f, ax, 0), dx, edge_order), 0, ax))
    return outs[0] if len(outs) == 1 else tuple(outs)
