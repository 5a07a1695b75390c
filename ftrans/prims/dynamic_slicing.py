"""Slices at traced start indices: ``dynamic_slice`` and ``dynamic_update_slice`` (JAX's).

- ``dynamic_slice(x, *starts, slice_sizes)``: the block of shape ``slice_sizes`` starting at
  ``starts``. Each start is clamped to ``[0, n - size]`` (the block always fits, as in XLA).
  Linear in ``x``; its transpose writes the cotangent into zeros with
  ``dynamic_update_slice``.
- ``dynamic_update_slice(x, update, *starts)``: ``x`` with the block at ``starts`` replaced by
  ``update`` (starts clamped the same way). Linear in ``(x, update)`` together: the
  cotangent of ``x`` is the cotangent with a hole where ``update`` went, that of ``update``
  the cotangent's block.

The start indices are integer scalars, one per axis, and not differentiable. Under ``vmap``
unbatched starts stay a slice with the batch axis taken whole; batched starts (a different
block per batch element) become one ``gather`` (``scatter``) at flat positions.
The wrappers wrap negative starts once (``-1`` is the last element), as ``jax.lax`` does.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core import Primitive, Tracer, Zero, aval_of, register
from ..ir import ShapedArray
from . import elementwise as ew
from .families import is_undef, ndim_of, shape_of
from .indexing import gather, scatter
from .shape import broadcast_in_dim, convert_element_type, moveaxis, reshape
from .slicing import slice_


def _declare(name: str) -> Primitive:
    p = register(Primitive(name))
    p.family = "indexing"
    return p


def _clamped(xp: Any, starts: Sequence[Any], shape: Sequence[int], sizes: Sequence[int]
             ) -> tuple[slice, ...]:
    out = []
    for s, n, k in zip(starts, shape, sizes):
        s = min(max(int(s), 0), n - k)
        out.append(slice(s, s + k))
    return tuple(out)


def _check_starts(name: str, x: ShapedArray, starts: Sequence[ShapedArray]) -> None:
    if len(starts) != x.ndim:
        raise TypeError(f"{name}: needs one start index per axis of the operand "
                        f"{x.str_short()}, got {len(starts)}")
    for i, s in enumerate(starts):
        if s.shape != () or s.dtype.kind not in "iu":
            raise TypeError(f"{name}: start index {i} must be an integer scalar, got "
                            f"{s.str_short()}")


def _no_index_cotangent(name: str, starts: Sequence[Any]) -> None:
    if any(is_undef(s) for s in starts):
        raise TypeError(f"{name} is not linear in its start indices")


# ----------------------------------------------------------------------------- batched starts

def _to_front(x: Any, d: int | None, size: int) -> Any:
    if d is None:
        s = shape_of(x)
        return broadcast_in_dim(x, (size,) + s, tuple(range(1, len(s) + 1)))
    return moveaxis(x, d, 0)


def _positions(starts: Sequence[Any], dims: Sequence[int | None], shape: tuple,
               sizes: tuple, b: int) -> Any:
    """Flat positions into the ``(b, *shape)`` operand of each element of each batch
    element's block: an intp array ``(b, *sizes)``; the starts clamped as the impl does."""
    out_shape = (b,) + tuple(sizes)
    rank = len(shape)
    strides = [int(np.prod(shape[k + 1:], dtype=np.int64)) for k in range(rank)]
    total = np.arange(b, dtype=np.intp).reshape((b,) + (1,) * rank) \
        * int(np.prod(shape, dtype=np.int64))
    pos: Any = np.broadcast_to(total, out_shape)
    for k, (s, d) in enumerate(zip(starts, dims)):
        hi = np.intp(shape[k] - sizes[k])
        s = convert_element_type(s, np.intp) if isinstance(s, Tracer) or d is not None \
            else np.intp(min(max(int(s), 0), int(hi)))
        if isinstance(s, Tracer) or d is not None:
            s = ew.min_p.bind(ew.max_p.bind(s, np.intp(0)), hi)
        s_full = broadcast_in_dim(_to_front(s, d, b) if d is not None else s, out_shape,
                                  (0,) if d is not None else ())
        offs = np.arange(sizes[k], dtype=np.intp).reshape(
            [-1 if j == k + 1 else 1 for j in range(rank + 1)])
        term = ew.mul_p.bind(ew.add_p.bind(s_full, np.broadcast_to(offs, out_shape)),
                             np.broadcast_to(np.intp(strides[k]), out_shape))
        pos = ew.add_p.bind(pos, term)
    return pos


# ----------------------------------------------------------------------------- dynamic_slice

dynamic_slice_p = _declare("dynamic_slice")


def _ds_impl(xp: Any, x: Any, *starts: Any, slice_sizes: tuple) -> Any:
    return x[_clamped(xp, starts, x.shape, slice_sizes)]


def _ds_aval(x: ShapedArray, *starts: ShapedArray, slice_sizes: tuple) -> ShapedArray:
    _check_starts("dynamic_slice", x, starts)
    if len(slice_sizes) != x.ndim or any(not 0 <= k <= n for k, n in zip(slice_sizes,
                                                                        x.shape)):
        raise TypeError(f"dynamic_slice: slice_sizes {slice_sizes} must give one size per "
                        f"axis, each between 0 and the axis length of {x.str_short()}")
    return ShapedArray(slice_sizes, x.dtype)


def _ds_jvp(primals: Any, out: Any, tangents: Any, *, slice_sizes: tuple) -> Any:
    x, *starts = primals
    tx = tangents[0]
    if type(tx) is Zero:
        return Zero(aval_of(out))
    return dynamic_slice_p.bind(tx, *starts, slice_sizes=slice_sizes)


def _ds_transpose(ct: Any, x: Any, *starts: Any, slice_sizes: tuple) -> list[Any]:
    _no_index_cotangent("dynamic_slice", starts)
    if type(ct) is Zero:
        return [None] * (1 + len(starts))
    zeros = np.zeros(x.aval.shape, x.aval.dtype)
    return [dynamic_update_slice_p.bind(zeros, ct, *starts)] + [None] * len(starts)


def _ds_batch(args: Sequence[Any], dims: Sequence[Any], *, slice_sizes: tuple
              ) -> tuple[Any, int]:
    (x, *starts), (dx, *ds) = args, dims
    size = next(shape_of(a)[d] for a, d in zip(args, dims) if d is not None)
    x = _to_front(x, dx, size)
    if all(d is None for d in ds):
        return dynamic_slice_p.bind(x, np.intp(0), *starts,
                                    slice_sizes=(size,) + slice_sizes), 0
    shape = shape_of(x)[1:]
    pos = _positions(starts, ds, shape, slice_sizes, size)
    return gather(reshape(x, (int(np.prod(shape_of(x), dtype=np.int64)),)), pos, 0), 0


dynamic_slice_p.impl = _ds_impl
dynamic_slice_p.abstract_eval = _ds_aval
dynamic_slice_p.jvp = _ds_jvp
dynamic_slice_p.transpose = _ds_transpose
dynamic_slice_p.batch = _ds_batch

# ----------------------------------------------------------------------------- dynamic_update_slice

dynamic_update_slice_p = _declare("dynamic_update_slice")


def _dus_impl(xp: Any, x: Any, update: Any, *starts: Any) -> Any:
    out = xp.array(x, copy=True)
    out[_clamped(xp, starts, x.shape, update.shape)] = update
    return out


def _dus_aval(x: ShapedArray, update: ShapedArray, *starts: ShapedArray) -> ShapedArray:
    _check_starts("dynamic_update_slice", x, starts)
    if update.ndim != x.ndim or any(k > n for k, n in zip(update.shape, x.shape)):
        raise TypeError(f"dynamic_update_slice: the update {update.str_short()} must have the "
                        f"rank of the operand {x.str_short()} and fit inside it")
    if update.dtype != x.dtype:
        raise TypeError(f"dynamic_update_slice: the update's dtype {update.dtype} differs "
                        f"from the operand's {x.dtype}; convert it first")
    return ShapedArray(x.shape, x.dtype)


def _dus_jvp(primals: Any, out: Any, tangents: Any) -> Any:
    x, update, *starts = primals
    tx, tu = tangents[:2]
    if type(tx) is Zero and type(tu) is Zero:
        return Zero(aval_of(out))
    dtype = aval_of(out).dtype
    tx = np.zeros(shape_of(x), dtype) if type(tx) is Zero else tx
    tu = np.zeros(shape_of(update), dtype) if type(tu) is Zero else tu
    return dynamic_update_slice_p.bind(tx, tu, *starts)


def _dus_transpose(ct: Any, x: Any, update: Any, *starts: Any) -> list[Any]:
    _no_index_cotangent("dynamic_update_slice", starts)
    u_aval = update.aval if is_undef(update) else aval_of(update)
    if type(ct) is Zero:
        return [None] * (2 + len(starts))
    ct_x = ct_u = None
    if is_undef(x):
        hole = np.zeros(u_aval.shape, u_aval.dtype)
        ct_x = dynamic_update_slice_p.bind(ct, hole, *starts)
    if is_undef(update):
        ct_u = dynamic_slice_p.bind(ct, *starts, slice_sizes=tuple(u_aval.shape))
    return [ct_x, ct_u] + [None] * len(starts)


def _dus_batch(args: Sequence[Any], dims: Sequence[Any]) -> tuple[Any, int]:
    (x, update, *starts), (dx, du, *ds) = args, dims
    size = next(shape_of(a)[d] for a, d in zip(args, dims) if d is not None)
    x, update = _to_front(x, dx, size), _to_front(update, du, size)
    if all(d is None for d in ds):
        return dynamic_update_slice_p.bind(x, update, np.intp(0), *starts), 0
    shape, sizes = shape_of(x), shape_of(update)[1:]
    pos = _positions(starts, ds, shape[1:], sizes, size)
    flat = reshape(x, (int(np.prod(shape, dtype=np.int64)),))
    return reshape(scatter(flat, pos, update, 0), shape), 0


dynamic_update_slice_p.impl = _dus_impl
dynamic_update_slice_p.abstract_eval = _dus_aval
dynamic_update_slice_p.jvp = _dus_jvp
dynamic_update_slice_p.transpose = _dus_transpose
dynamic_update_slice_p.batch = _dus_batch


# ----------------------------------------------------------------------------- wrappers

def _start_list(x: Any, start_indices: Any, where: str) -> list[Any]:
    """The start indices as integer scalars, negative ones wrapped once (as ``jax.lax``)."""
    shape = shape_of(x)
    if isinstance(start_indices, (Tracer, np.ndarray)) or hasattr(start_indices, "__array__"):
        av = aval_of(start_indices)
        if av.ndim != 1:
            raise TypeError(f"{where}: start_indices must be a sequence of scalars or a 1-D "
                            f"array, got {av.str_short()}")
        starts = [reshape(slice_(start_indices, (k,), (k + 1,)), ())
                  for k in range(av.shape[0])]
    else:
        starts = list(start_indices)
    if len(starts) != len(shape):
        raise TypeError(f"{where}: needs {len(shape)} start indices (one per axis of the "
                        f"operand of shape {shape}), got {len(starts)}")
    out = []
    for k, (s, n) in enumerate(zip(starts, shape)):
        if isinstance(s, Tracer):
            if s.aval.shape != () or s.aval.dtype.kind not in "iu":
                raise TypeError(f"{where}: start index {k} must be an integer scalar, got "
                                f"{s.aval.str_short()}")
            if s.aval.dtype.kind == "i":
                n_s = np.asarray(n, s.aval.dtype)
                s = ew.select_n_p.bind(ew.lt_p.bind(s, np.zeros((), s.aval.dtype)), s,
                                       ew.add_p.bind(s, n_s))
            out.append(s)
            continue
        a = np.asarray(s)
        if a.shape != () or a.dtype.kind not in "iu":
            raise TypeError(f"{where}: start index {k} must be an integer scalar, got "
                            f"{s!r:.40}")
        i = int(a)
        out.append(np.intp(i + n if i < 0 else i))
    return out


def dynamic_slice(operand: Any, start_indices: Sequence[Any], slice_sizes: Sequence[int]
                  ) -> Any:
    """The block of ``operand`` of shape ``slice_sizes`` starting at ``start_indices``
    (traced or not; negative ones count from the end; clamped so the block fits).

    Parameters
    ----------
    operand : ArrayLike
    start_indices : sequence of int or integer scalars
        One per axis.
    slice_sizes : sequence of int
        Static.

    Returns
    -------
    Array
        Of shape ``slice_sizes``.

    Raises
    ------
    TypeError
        If the number of start indices differs from the operand's rank, or a block does not
        fit inside the operand.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.dynamic_slice(np.arange(10.0).reshape(2, 5), (1, np.int32(3)), (1, 2))
    array([[8., 9.]])
    >>> lax.dynamic_slice(np.arange(5.0), (4,), (3,))  # clamped: starts at 2
    array([2., 3., 4.])
    """
    starts = _start_list(operand, start_indices, "dynamic_slice")
    sizes = tuple(int(k) for k in slice_sizes)
    _ds_aval(aval_of(operand), *map(aval_of, starts), slice_sizes=sizes)  # checks, eagerly too
    return dynamic_slice_p.bind(operand, *starts, slice_sizes=sizes)


def dynamic_update_slice(operand: Any, update: Any, start_indices: Sequence[Any]) -> Any:
    """``operand`` with the block at ``start_indices`` replaced by ``update`` (starts clamped so
    it fits; ``operand`` itself is unchanged).

    Parameters
    ----------
    operand : ArrayLike
    update : ArrayLike
        Of ``operand``'s rank and dtype, fitting inside it.
    start_indices : sequence of int or integer scalars

    Returns
    -------
    Array
        Of ``operand``'s shape.

    Raises
    ------
    TypeError
        If the number of start indices differs from the operand's rank, or a block does not
        fit inside the operand.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.dynamic_update_slice(np.zeros(5), np.ones(2), (np.int64(-1),))
    array([0., 0., 0., 1., 1.])
    """
    starts = _start_list(operand, start_indices, "dynamic_update_slice")
    _dus_aval(aval_of(operand), aval_of(update), *map(aval_of, starts))  # checks, eagerly too
    return dynamic_update_slice_p.bind(operand, update, *starts)


def _in_dim(x: Any, index: Any, axis: int, where: str) -> tuple[int, list[Any]]:
    rank = ndim_of(x)
    if not -rank <= int(axis) < rank:
        raise ValueError(f"{where}: axis {axis} is out of bounds for an operand of rank "
                         f"{rank}")
    axis = int(axis) % rank
    starts: list[Any] = [np.intp(0)] * rank
    starts[axis] = index
    return axis, starts


def dynamic_slice_in_dim(operand: Any, start_index: Any, slice_size: int, axis: int = 0
                         ) -> Any:
    """``dynamic_slice`` along one axis: ``slice_size`` elements from ``start_index``.

    Parameters
    ----------
    operand : ArrayLike
    start_index : int or integer scalar
    slice_size : int
    axis : int, default 0

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If the number of start indices differs from the operand's rank, or a block does not
        fit inside the operand.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.dynamic_slice_in_dim(np.arange(6.0).reshape(2, 3), 1, 2, axis=1)
    array([[1., 2.],
           [4., 5.]])
    """
    axis, starts = _in_dim(operand, start_index, axis, "dynamic_slice_in_dim")
    sizes = list(shape_of(operand))
    sizes[axis] = int(slice_size)
    return dynamic_slice(operand, starts, sizes)


def dynamic_index_in_dim(operand: Any, index: Any, axis: int = 0, keepdims: bool = True
                         ) -> Any:
    """The slice at ``index`` along ``axis`` (kept as an axis of length 1 unless
    ``keepdims=False``).

    Parameters
    ----------
    operand : ArrayLike
    index : int or integer scalar
    axis : int, default 0
    keepdims : bool, default True

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If the number of start indices differs from the operand's rank, or a block does not
        fit inside the operand.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.dynamic_index_in_dim(np.arange(6.0).reshape(2, 3), 2, axis=1, keepdims=False)
    array([2., 5.])
    """
    out = dynamic_slice_in_dim(operand, index, 1, axis)
    if keepdims:
        return out
    axis = int(axis) % ndim_of(operand)
    return reshape(out, shape_of(out)[:axis] + shape_of(out)[axis + 1:])


def dynamic_update_slice_in_dim(operand: Any, update: Any, start_index: Any, axis: int
                                ) -> Any:
    """``dynamic_update_slice`` along one axis.

    Parameters
    ----------
    operand : ArrayLike
    update : ArrayLike
    start_index : int or integer scalar
    axis : int

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If the number of start indices differs from the operand's rank, or a block does not
        fit inside the operand.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.dynamic_update_slice_in_dim(np.zeros((2, 3)), np.ones((2, 1)), 1, axis=1)
    array([[0., 1., 0.],
           [0., 1., 0.]])
    """
    _, starts = _in_dim(operand, start_index, axis, "dynamic_update_slice_in_dim")
    return dynamic_update_slice(operand, update, starts)


def dynamic_update_index_in_dim(operand: Any, update: Any, index: Any, axis: int) -> Any:
    """``operand`` with its slice at ``index`` along ``axis`` replaced by ``update`` (which may
    lack that axis).

    Parameters
    ----------
    operand : ArrayLike
    update : ArrayLike
    index : int or integer scalar
    axis : int

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If the number of start indices differs from the operand's rank, or a block does not
        fit inside the operand.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.dynamic_update_index_in_dim(np.zeros((2, 2)), np.array([5.0, 6.0]), 1, axis=0)
    array([[0., 0.],
           [5., 6.]])
    """
    axis = int(axis) % ndim_of(operand)
    if ndim_of(update) == ndim_of(operand) - 1:
        s = shape_of(update)
        update = reshape(update, s[:axis] + (1,) + s[axis:])
    return dynamic_update_slice_in_dim(operand, update, index, axis)
