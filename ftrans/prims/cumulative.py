"""Products and scans along axes: reduce_prod, cumsum (linear), argmax and argmin (integer
results, zero tangents), and ``cumprod``, a composite (a log-depth product scan of ``mul``
on shifted copies) so its derivatives of every order come from ``mul``'s.

The tangent of a product is ``sum(t * prod_of_others)``; the product of the others is the
exclusive prefix product times the exclusive suffix product, which stays exact when some
factors are zero (no division).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core import Primitive, Zero, aval_of, register
from ..ir import ShapedArray
from .families import linear_jvp, ndim_of, shape_of, zero_jvp
from .reduce import _declare as _declare_reduction
from .reduce import reduce_sum
from .shape import _unbatched_axis, reshape, transpose
from .slicing import pad, rev, slice_

# ----------------------------------------------------------------------------- cumprod


def cumprod(x: Any, axis: int) -> Any:
    """Inclusive product scan along ``axis`` (Hillis-Steele: log2(n) multiplications).

    >>> import numpy as np
    >>> cumprod(np.array([1.0, 2.0, 3.0]), 0)
    array([1., 2., 6.])
    """
    shape = shape_of(x)
    n = shape[axis]
    one = np.ones((), aval_of(x).dtype)
    k = 1
    while k < n:
        limit = list(shape)
        limit[axis] = n - k
        config = [(0, 0, 0)] * len(shape)
        config[axis] = (k, 0, 0)
        x = x * pad(slice_(x, [0] * len(shape), limit), one, config)
        k *= 2
    return x


def _exclusive_cumprod(x: Any, axis: int, reverse: bool) -> Any:
    """Product of the elements strictly before (after, if ``reverse``) each one."""
    shape = shape_of(x)
    n = shape[axis]
    if n == 0:
        return x  # no elements: nothing before or after any of them
    if reverse:
        x = rev(x, (axis,))
    limit = list(shape)
    limit[axis] = n - 1
    config = [(0, 0, 0)] * len(shape)
    config[axis] = (1, 0, 0)
    out = cumprod(pad(slice_(x, [0] * len(shape), limit), np.ones((), aval_of(x).dtype),
                      config), axis)
    return rev(out, (axis,)) if reverse else out


def prod_of_others(x: Any, axes: tuple[int, ...]) -> Any:
    """For each element, the product of the other elements of its slice over ``axes``."""
    shape = shape_of(x)
    kept = [i for i in range(len(shape)) if i not in axes]
    perm = kept + list(axes)
    moved = transpose(x, perm)
    flat_shape = tuple(shape[i] for i in kept) + (int(np.prod([shape[a] for a in axes])),)
    flat = reshape(moved, flat_shape)
    last = len(flat_shape) - 1
    others = _exclusive_cumprod(flat, last, False) * _exclusive_cumprod(flat, last, True)
    back = reshape(others, tuple(shape[i] for i in perm))
    return transpose(back, tuple(np.argsort(perm)))


# ----------------------------------------------------------------------------- reduce_prod

reduce_prod_p = _declare_reduction("reduce_prod", "prod")
reduce_prod_p.cuda_reduce = ("ft_mul", 1.0)


def _prod_jvp(primals: Any, out: Any, tangents: Any, *, axes: tuple) -> Any:
    (x,), (t,) = primals, tangents
    if type(t) is Zero:
        return Zero(aval_of(out))
    return reduce_sum(t * prod_of_others(x, axes), axes)


reduce_prod_p.jvp = _prod_jvp


def reduce_prod(x: Any, axes: Sequence[int]) -> Any:
    """The product of ``x`` over ``axes`` (differentiable also where elements are zero).

    Parameters
    ----------
    x : ArrayLike
    axes : sequence of int

    Returns
    -------
    Array
        ``x``'s shape without ``axes``.

    Raises
    ------
    ValueError
        If an axis is out of range.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> float(lax.reduce_prod(np.array([2.0, 3.0]), (0,)))
    6.0
    """
    axes = tuple(sorted(int(a) for a in axes))
    return reduce_prod_p.bind(x, axes=axes) if axes else x


# ----------------------------------------------------------------------------- argmax/argmin

def _declare_arg(name: str, np_name: str) -> Primitive:
    p = register(Primitive(name))
    p.family = "reduction"
    p.impl = lambda xp, x, *, axis, _f=np_name: getattr(xp, _f)(x, axis=axis)

    def abstract_eval(x: ShapedArray, *, axis: int) -> ShapedArray:
        if not 0 <= axis < x.ndim:
            raise ValueError(f"{name}: axis {axis} is out of bounds for an array of "
                             f"dimension {x.ndim}")
        if x.shape[axis] == 0:
            raise ValueError(f"attempt to get {np_name} of an empty sequence")
        return ShapedArray(x.shape[:axis] + x.shape[axis + 1:], np.intp)

    def batch(args: Sequence[Any], dims: Sequence[Any], *, axis: int) -> tuple[Any, int]:
        (x,), (d,) = args, dims
        new_axis = _unbatched_axis(axis, d)
        return p.bind(x, axis=new_axis), d if d < new_axis else d - 1

    p.abstract_eval = abstract_eval
    p.jvp = zero_jvp
    p.batch = batch
    return p


argmax_p = _declare_arg("argmax", "argmax")
argmin_p = _declare_arg("argmin", "argmin")

# ----------------------------------------------------------------------------- cumsum

cumsum_p = register(Primitive("cumsum"))
cumsum_p.family = "linear"
cumsum_p.jvp = linear_jvp(cumsum_p)


def cumsum(x: Any, axis: int, reverse: bool = False) -> Any:
    """Inclusive sum scan along ``axis`` (from the end if ``reverse``)."""
    return cumsum_p.bind(x, axis=int(axis) % ndim_of(x), reverse=bool(reverse))


def _cumsum_impl(xp: Any, x: Any, *, axis: int, reverse: bool) -> Any:
    if reverse:
        return xp.flip(xp.cumsum(xp.flip(x, axis), axis=axis, dtype=x.dtype), axis)
    return xp.cumsum(x, axis=axis, dtype=x.dtype)  # NumPy widens small integers


cumsum_p.impl = _cumsum_impl
cumsum_p.abstract_eval = lambda x, *, axis, reverse: x
cumsum_p.transpose = lambda ct, x, *, axis, reverse: [cumsum(ct, axis, not reverse)]
cumsum_p.batch = lambda args, dims, *, axis, reverse: (
    cumsum(args[0], _unbatched_axis(axis, dims[0]), reverse), dims[0])
