"""Reductions over chosen axes: reduce_sum (linear), reduce_max, reduce_min."""

from __future__ import annotations

from typing import Any, Sequence

from ..core import Primitive, Zero, aval_of, register
from ..ir import ShapedArray
from . import ops
from .families import linear_jvp, ndim_of, shape_of
from .shape import _unbatched_axis, broadcast_in_dim, convert_element_type


def _reduced_aval(name: str):
    def abstract_eval(x: ShapedArray, *, axes: tuple) -> ShapedArray:
        for a in axes:
            if not 0 <= a < x.ndim:
                raise ValueError(f"{name}: axis {a} is out of bounds for an array of "
                                 f"dimension {x.ndim}")
        return ShapedArray(tuple(s for i, s in enumerate(x.shape) if i not in axes), x.dtype)
    return abstract_eval


def _reduction_batch(prim: Primitive):
    def batch(args: Sequence[Any], dims: Sequence[Any], *, axes: tuple) -> tuple[Any, int]:
        (x,), (d,) = args, dims
        new_axes = tuple(_unbatched_axis(a, d) for a in axes)
        out_dim = d - sum(1 for a in new_axes if a < d)
        return prim.bind(x, axes=new_axes), out_dim
    return batch


def _kept_dims(ndim: int, axes: tuple) -> tuple[int, ...]:
    return tuple(i for i in range(ndim) if i not in axes)


def _declare(name: str, np_name: str) -> Primitive:
    p = register(Primitive(name))
    p.family = "reduction"
    if np_name in ("sum", "prod"):  # NumPy would widen small integers (int8 -> int64)
        p.impl = lambda xp, x, *, axes, _f=np_name: getattr(xp, _f)(
            x, axis=axes, dtype=x.dtype if x.dtype.kind in "iu" else None)
    else:
        p.impl = lambda xp, x, *, axes, _f=np_name: getattr(xp, _f)(x, axis=axes)
    p.abstract_eval = _reduced_aval(name)
    p.batch = _reduction_batch(p)
    return p


reduce_sum_p = _declare("reduce_sum", "sum")
reduce_sum_p.jvp = linear_jvp(reduce_sum_p)
reduce_sum_p.transpose = lambda ct, x, *, axes: [
    broadcast_in_dim(ct, x.aval.shape, _kept_dims(x.aval.ndim, axes))]
reduce_sum_p.cuda_reduce = ("ft_add", 0.0)


@ops.export
def reduce_sum(x: Any, axes: Sequence[int]) -> Any:
    """The sum of ``x`` over ``axes``.

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
    >>> lax.reduce_sum(np.arange(6.0).reshape(2, 3), (1,))
    array([ 3., 12.])
    """
    axes = tuple(sorted(int(a) for a in axes))
    return reduce_sum_p.bind(x, axes=axes) if axes else x


def _extremum_jvp(primals: Any, out: Any, tangents: Any, *, axes: tuple) -> Any:
    """The tangent at the arg-extremum; ties share it equally (as JAX)."""
    (x,), (t,) = primals, tangents
    if type(t) is Zero:
        return Zero(aval_of(out))
    kept = _kept_dims(ndim_of(x), axes)
    at_max = convert_element_type(ops.eq(x, broadcast_in_dim(out, shape_of(x), kept)),
                                  aval_of(x).dtype)
    return reduce_sum(t * at_max, axes) / reduce_sum(at_max, axes)


reduce_max_p = _declare("reduce_max", "max")
reduce_max_p.jvp = _extremum_jvp
reduce_max_p.cuda_reduce = ("ft_max", -float("inf"))
reduce_min_p = _declare("reduce_min", "min")
reduce_min_p.jvp = _extremum_jvp
reduce_min_p.cuda_reduce = ("ft_min", float("inf"))
