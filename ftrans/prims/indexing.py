"""Gather and scatter along one axis, with integer index arrays (indices in ``[0, n)``).

- ``gather(x, idx, axis)`` is ``np.take(x, idx, axis)``: the output's shape is
  ``x.shape[:axis] + idx.shape + x.shape[axis + 1:]``. Linear in ``x``; its transpose is
  ``scatter_add`` of the cotangent into zeros, so duplicate indices accumulate.
- ``scatter_add(x, idx, updates, axis)`` adds ``updates`` (shaped like the gather's output)
  at ``idx``, duplicates accumulating (``np.add.at``). Linear in ``x`` and ``updates``.
- ``scatter(x, idx, updates, axis)`` writes ``updates`` at ``idx``. Linear in ``(x, updates)``
  together. ``ftrans.numpy`` splits concrete duplicate indices into rounds of distinct ones,
  so the last write wins, as in NumPy; for traced indices (jit, vmap) the transpose gives
  the cotangent only to the update that was written (found by scattering update ids).

Batching folds the batch axis into the indexed one: with ``x`` batched as ``(B, N, ...)``,
``idx + N * b`` indexes the reshaped ``(B * N, ...)`` array, so one gather or scatter serves
the whole batch.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core import Primitive, Tracer, Zero, aval_of, register
from ..ir import ShapedArray
from .elementwise import add_p, eq_p, select_n_p
from .families import is_undef, ndim_of, shape_of
from .shape import broadcast_in_dim, moveaxis, reshape, transpose


def _declare(name: str) -> Primitive:
    p = register(Primitive(name))
    p.family = "indexing"
    return p


def _gathered_shape(x: tuple, idx: tuple, axis: int) -> tuple:
    return x[:axis] + idx + x[axis + 1:]


def _check_index(idx: ShapedArray, what: str) -> None:
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"{what}: indices must be integers, got dtype {idx.dtype}")


def _zeros(shape: tuple, dtype: Any) -> np.ndarray:
    return np.zeros(shape, dtype)


# ----------------------------------------------------------------------------- gather

gather_p = _declare("gather")


def gather(x: Any, idx: Any, axis: int) -> Any:
    """``np.take(x, idx, axis)`` for integer indices in ``[0, n)``.

    Parameters
    ----------
    x : ArrayLike
    idx : ArrayLike
        Integers in ``[0, x.shape[axis])``, any shape.
    axis : int

    Returns
    -------
    Array
        ``x``'s shape with axis ``axis`` replaced by ``idx``'s shape.

    Raises
    ------
    TypeError
        If ``idx`` is not integer.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.gather(np.array([1.0, 2.0, 3.0]), np.array([2, 0]), 0)
    array([3., 1.])
    """
    return gather_p.bind(x, idx, axis=int(axis))


def _gather_aval(x: ShapedArray, idx: ShapedArray, *, axis: int) -> ShapedArray:
    _check_index(idx, "gather")
    if not 0 <= axis < x.ndim:
        raise ValueError(f"gather: axis {axis} is out of bounds for an array of dimension "
                         f"{x.ndim}")
    return ShapedArray(_gathered_shape(x.shape, idx.shape, axis), x.dtype)


def _gather_jvp(primals: Any, out: Any, tangents: Any, *, axis: int) -> Any:
    (_, idx), (tx, _) = primals, tangents
    return Zero(aval_of(out)) if type(tx) is Zero else gather(tx, idx, axis)


def _gather_transpose(ct: Any, x: Any, idx: Any, *, axis: int) -> list[Any]:
    if is_undef(idx):
        raise TypeError("gather is not linear in its indices")
    return [scatter_add(_zeros(x.aval.shape, x.aval.dtype), idx, ct, axis), None]


def _offset_indices(idx: Any, size: int, n: int) -> Any:
    """``idx[b] + n * b`` for an index array batched at axis 0."""
    offsets = np.arange(size, dtype=aval_of(idx).dtype) * n
    return add_p.bind(idx, broadcast_in_dim(offsets, shape_of(idx), (0,)))


def _to_batch_front(x: Any, d: int | None, size: int) -> Any:
    if d is None:
        s = shape_of(x)
        return broadcast_in_dim(x, (size,) + s, tuple(range(1, len(s) + 1)))
    return moveaxis(x, d, 0)


def _fold(x: Any, axis: int, idx: Any) -> tuple[Any, Any, tuple]:
    """``x`` (B, ...) with its (unbatched) ``axis`` folded into the batch axis, and the
    indices offset to match; also ``x``'s shape with that axis moved next to the batch."""
    x = moveaxis(x, axis + 1, 1)
    moved = shape_of(x)
    b, n = moved[0], moved[1]
    return reshape(x, (b * n,) + moved[2:]), _offset_indices(idx, b, n), moved


def _gather_batch(args: Sequence[Any], dims: Sequence[Any], *, axis: int) -> tuple[Any, int]:
    (x, idx), (dx, di) = args, dims
    if di is None:
        return gather(moveaxis(x, dx, 0), idx, axis + 1), 0
    if dx is None:
        return gather(x, idx, axis), axis + di
    flat, idx, _ = _fold(moveaxis(x, dx, 0), axis, moveaxis(idx, di, 0))
    out = gather(flat, idx, 0)  # (B, I..., pre..., post...)
    ni = ndim_of(idx) - 1
    perm = [0] + list(range(1 + ni, 1 + ni + axis)) + list(range(1, 1 + ni)) \
        + list(range(1 + ni + axis, ndim_of(out)))
    return transpose(out, perm), 0


gather_p.impl = lambda xp, x, idx, *, axis: xp.take(x, idx, axis=axis)
gather_p.abstract_eval = _gather_aval
gather_p.jvp = _gather_jvp
gather_p.transpose = _gather_transpose
gather_p.batch = _gather_batch

# ----------------------------------------------------------------------------- scatters


def _scatter_aval(name: str):
    def abstract_eval(x: ShapedArray, idx: ShapedArray, upd: ShapedArray, *, axis: int
                      ) -> ShapedArray:
        _check_index(idx, name)
        want = _gathered_shape(x.shape, idx.shape, axis)
        if upd.shape != want or upd.dtype != x.dtype:
            raise TypeError(f"{name}: updates must be {ShapedArray(want, x.dtype)} for operand "
                            f"{x} and indices {idx} along axis {axis}, got {upd}")
        return ShapedArray(x.shape, x.dtype)
    return abstract_eval


def _key(axis: int, idx: Any) -> tuple:
    return (slice(None),) * axis + (idx,)


def _scatter_add_impl(xp: Any, x: Any, idx: Any, upd: Any, *, axis: int) -> Any:
    out = xp.array(x, copy=True)
    if xp is np:
        np.add.at(out, _key(axis, idx), upd)
    else:  # CuPy
        import cupyx
        cupyx.scatter_add(out, _key(axis, idx), upd)
    return out


def _scatter_impl(xp: Any, x: Any, idx: Any, upd: Any, *, axis: int) -> Any:
    out = xp.array(x, copy=True)
    out[_key(axis, idx)] = upd
    return out


def _scatter_jvp(prim: Primitive):
    def jvp(primals: Any, out: Any, tangents: Any, *, axis: int) -> Any:
        (x, idx, upd), (tx, _, tu) = primals, tangents
        if type(tx) is Zero and type(tu) is Zero:
            return Zero(aval_of(out))
        dtype = aval_of(out).dtype
        tx = _zeros(shape_of(x), dtype) if type(tx) is Zero else tx
        tu = _zeros(shape_of(upd), dtype) if type(tu) is Zero else tu
        return prim.bind(tx, idx, tu, axis=axis)
    return jvp


def _scatter_batch(prim: Primitive):
    def batch(args: Sequence[Any], dims: Sequence[Any], *, axis: int) -> tuple[Any, int]:
        (x, idx, upd), (dx, di, du) = args, dims
        size = next(shape_of(a)[d] for a, d in zip(args, dims) if d is not None)
        x, upd = _to_batch_front(x, dx, size), _to_batch_front(upd, du, size)
        if di is None:
            return prim.bind(x, idx, upd, axis=axis + 1), 0
        idx = _to_batch_front(idx, di, size)
        flat, idx, moved = _fold(x, axis, idx)
        ni = ndim_of(idx) - 1
        # updates (B, pre..., I..., post...) -> (B, I..., pre..., post...)
        perm = [0] + list(range(1 + axis, 1 + axis + ni)) + list(range(1, 1 + axis)) \
            + list(range(1 + axis + ni, ndim_of(upd)))
        out = prim.bind(flat, idx, transpose(upd, perm), axis=0)
        return moveaxis(reshape(out, moved), 1, axis + 1), 0
    return batch


scatter_add_p = _declare("scatter_add")


def scatter_add(x: Any, idx: Any, updates: Any, axis: int) -> Any:
    """``x`` with ``updates`` added at ``idx`` along ``axis``; duplicate indices accumulate.

    Parameters
    ----------
    x : ArrayLike
    idx : ArrayLike
        Integers in ``[0, x.shape[axis])``.
    updates : ArrayLike
        Of the shape ``gather(x, idx, axis)`` has.
    axis : int

    Returns
    -------
    Array
        Of ``x``'s shape and dtype (``x`` itself is unchanged).

    Raises
    ------
    TypeError
        If ``idx`` is not integer or ``updates`` has the wrong shape or dtype.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.scatter_add(np.zeros(3), np.array([0, 0, 2]), np.ones(3), 0)
    array([2., 0., 1.])
    """
    return scatter_add_p.bind(x, idx, updates, axis=int(axis))


def _scatter_add_transpose(ct: Any, x: Any, idx: Any, upd: Any, *, axis: int) -> list[Any]:
    if is_undef(idx):
        raise TypeError("scatter_add is not linear in its indices")
    return [ct if is_undef(x) else None, None,
            gather(ct, idx, axis) if is_undef(upd) else None]


scatter_add_p.impl = _scatter_add_impl
scatter_add_p.abstract_eval = _scatter_aval("scatter_add")
scatter_add_p.jvp = _scatter_jvp(scatter_add_p)
scatter_add_p.transpose = _scatter_add_transpose
scatter_add_p.batch = _scatter_batch(scatter_add_p)

scatter_p = _declare("scatter")


def scatter(x: Any, idx: Any, updates: Any, axis: int) -> Any:
    """``x`` with ``updates`` written at ``idx`` along ``axis`` (distinct indices).

    Parameters
    ----------
    x : ArrayLike
    idx : ArrayLike
        Distinct integers in ``[0, x.shape[axis])``.
    updates : ArrayLike
        Of the shape ``gather(x, idx, axis)`` has.
    axis : int

    Returns
    -------
    Array
        Of ``x``'s shape and dtype (``x`` itself is unchanged).

    Raises
    ------
    TypeError
        If ``idx`` is not integer or ``updates`` has the wrong shape or dtype.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.scatter(np.zeros(3), np.array([2, 0]), np.array([5.0, 6.0]), 0)
    array([6., 0., 5.])
    """
    return scatter_p.bind(x, idx, updates, axis=int(axis))


def _scatter_transpose(ct: Any, x: Any, idx: Any, upd: Any, *, axis: int) -> list[Any]:
    if is_undef(idx):
        raise TypeError("scatter is not linear in its indices")
    ct_x = ct_u = None
    if is_undef(x):
        hole = _zeros(_gathered_shape(shape_of(ct), shape_of(idx), axis), aval_of(ct).dtype)
        ct_x = scatter(ct, idx, hole, axis)
    if is_undef(upd):
        ct_u = gather(ct, idx, axis)
        if not _known_distinct(idx):  # only the update that was written last gets ct
            ct_u = select_n_p.bind(_written(idx, shape_of(ct), shape_of(ct_u), axis),
                            _zeros(shape_of(ct_u), aval_of(ct).dtype), ct_u)
    return [ct_x, None, ct_u]


def _known_distinct(idx: Any) -> bool:
    """``idx`` is a concrete NumPy index array without repeats (anything else: the mask)."""
    if not isinstance(idx, (np.ndarray, np.generic, int)) or isinstance(idx, Tracer):
        return False
    a = np.asarray(idx)
    return np.unique(a).size == a.size


def _written(idx: Any, x_shape: tuple, upd_shape: tuple, axis: int) -> Any:
    """Which updates of ``scatter(x, idx, updates, axis)`` survive in its output: each
    update gets an id, the ids are scattered like the updates and read back at ``idx``."""
    n_idx = ndim_of(idx)
    ids = np.arange(1, int(np.prod(shape_of(idx))) + 1).reshape(shape_of(idx))
    ids = broadcast_in_dim(ids, upd_shape, tuple(range(axis, axis + n_idx)))
    board = scatter(np.zeros(x_shape, ids.dtype), idx, ids, axis)
    return eq_p.bind(gather(board, idx, axis), ids)


scatter_p.impl = _scatter_impl
scatter_p.abstract_eval = _scatter_aval("scatter")
scatter_p.jvp = _scatter_jvp(scatter_p)
scatter_p.transpose = _scatter_transpose
scatter_p.batch = _scatter_batch(scatter_p)
