"""Sorting and searching with integer results (zero tangents): argsort and searchsorted.
``sort`` itself is a gather with argsort's indices, so its derivative is the gather's."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core import Primitive, register
from ..ir import ShapedArray
from . import elementwise as ew
from .families import shape_of, zero_jvp
from .reduce import reduce_sum
from .shape import _unbatched_axis, broadcast_in_dim, convert_element_type, moveaxis


def _declare(name: str) -> Primitive:
    p = register(Primitive(name))
    p.family = "sorting"
    p.jvp = zero_jvp
    return p


# ----------------------------------------------------------------------------- argsort

argsort_p = _declare("argsort")


def argsort(x: Any, axis: int) -> Any:
    """The indices that sort ``x`` along ``axis`` (stable, ascending).

    Parameters
    ----------
    x : ArrayLike
    axis : int

    Returns
    -------
    Array
        Integers, of ``x``'s shape.

    Raises
    ------
    ValueError
        If ``axis`` is out of range.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.argsort(np.array([3.0, 1.0, 2.0]), 0)
    array([1, 2, 0])
    """
    return argsort_p.bind(x, axis=int(axis))


def _argsort_aval(x: ShapedArray, *, axis: int) -> ShapedArray:
    if not 0 <= axis < x.ndim:
        raise ValueError(f"argsort: axis {axis} is out of bounds for an array of dimension "
                         f"{x.ndim}")
    return ShapedArray(x.shape, np.intp)


argsort_p.impl = lambda xp, x, *, axis: xp.argsort(x, axis=axis, kind="stable")
argsort_p.abstract_eval = _argsort_aval
argsort_p.batch = lambda args, dims, *, axis: (
    argsort(args[0], _unbatched_axis(axis, dims[0])), dims[0])

# ----------------------------------------------------------------------------- searchsorted

searchsorted_p = _declare("searchsorted")


def searchsorted(a: Any, v: Any, side: str = "left") -> Any:
    """Insertion points of ``v`` into the sorted 1-D ``a``.

    Parameters
    ----------
    a : ArrayLike
        Sorted, 1-D.
    v : ArrayLike
    side : {"left", "right"}, default "left"
        Where equal values go.

    Returns
    -------
    Array
        Integers, of ``v``'s shape.

    Raises
    ------
    ValueError
        If ``a`` is not 1-D or ``side`` is neither "left" nor "right".

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.searchsorted(np.array([1.0, 2.0, 3.0]), np.array([2.5, 0.0]))
    array([2, 0])
    """
    return searchsorted_p.bind(a, v, side=side)


def _searchsorted_aval(a: ShapedArray, v: ShapedArray, *, side: str) -> ShapedArray:
    if a.ndim != 1:
        raise ValueError(f"searchsorted: a must be 1-D, got shape {a.shape}")
    return ShapedArray(v.shape, np.intp)


def _searchsorted_batch(args: Sequence[Any], dims: Sequence[Any], *, side: str
                        ) -> tuple[Any, int]:
    (a, v), (da, dv) = args, dims
    if da is None:
        return searchsorted(a, v, side), dv
    # per-row sorted arrays: count the elements below each value (the same number)
    a = moveaxis(a, da, 0)
    b, n = shape_of(a)
    if dv is None:
        vs = shape_of(v)
        v = broadcast_in_dim(v, (b,) + vs, tuple(range(1, len(vs) + 1)))
    else:
        v = moveaxis(v, dv, 0)
    vs = shape_of(v)[1:]
    full = (b,) + vs + (n,)
    ab = broadcast_in_dim(a, full, (0, len(full) - 1))
    vb = broadcast_in_dim(v, full, tuple(range(len(full) - 1)))
    below = ew.lt_p.bind(ab, vb) if side == "left" else ew.le_p.bind(ab, vb)
    return reduce_sum(convert_element_type(below, np.intp), (len(full) - 1,)), 0


searchsorted_p.impl = lambda xp, a, v, *, side: xp.searchsorted(a, v, side=side)
searchsorted_p.abstract_eval = _searchsorted_aval
searchsorted_p.batch = _searchsorted_batch
