"""Indexing traced arrays: ``x[idx]``, ``take``, ``take_along_axis`` and the functional
updates ``x.at[idx].set/add/multiply/divide/min/max/get``.

- Basic indices (ints, slices of any step, ``None``, ``...``) become ``slice``, ``rev`` and
  ``reshape``: linear, no gather; integer indices with positive-step slices are one
  ``static_index`` (``x[0]``, ``x[1, 2:]``).
- A traced integer index array on one axis (the others ``:``) becomes a ``gather``.
- Any other index made of constants (integer arrays, boolean masks, mixed) is resolved by
  NumPy itself on an array of flat positions, ``np.arange(x.size).reshape(x.shape)[idx]``,
  and becomes one ``gather`` of the flattened array: NumPy's semantics and errors for free.
  A boolean mask must be concrete (its count sets the output shape): under ``jit``/``vmap``
  a traced mask raises ``ConcretizationError``.
- Updates scatter into the same flat positions; duplicates accumulate for ``add``. For
  ``set``/``multiply``/``min``/``max`` duplicates are applied in rounds of distinct indices,
  so the last write wins (as in NumPy) and every round is exactly differentiable. Traced
  indices (jit, vmap) cannot be split: ``multiply``/``min``/``max`` first combine each
  update with the others aimed at its position; ``set``'s transpose finds the last write.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core import ConcretizationError, Tracer, abstract_reason, user_frame
from ..device import from_device
from ..prims import shape as sh
from ..prims import slicing as sl
from ..prims.indexing import gather, scatter, scatter_add
from ._elementwise import add, equal, less, maximum, minimum, multiply
from ._elementwise import where as _where
from ._literals import TakeMode
from ._promote import is_tracer, to_dtype

_BASIC = (int, np.integer, slice, type(None), type(Ellipsis))


def _concrete(x: Any, what: str) -> Any:
    """The concrete value behind (possibly nested) tracers, or ConcretizationError."""
    while isinstance(x, Tracer):
        if x.val is None:
            raise ConcretizationError(
                f"{what} needs a concrete value, but this is an abstract traced array "
                f"{x.aval.str_short()} ({abstract_reason(x)}) at {user_frame()}: "
                "the output shape would depend on the values. Use ftrans.numpy.where(mask, "
                "x, 0) to keep the shape, or index outside the transformation.")
        x = x.val
    return x


def _as_tuple(idx: Any) -> tuple:
    """``idx`` as a tuple, its concrete CuPy index arrays copied to the host: which elements
    an index picks is worked out with NumPy (the positions go back to the device with the
    ``gather``/``scatter`` that uses them)."""
    idx = idx if isinstance(idx, tuple) else (idx,)
    return tuple(from_device(i) for i in idx)


def _expand_ellipsis(idx: tuple, ndim: int) -> tuple:
    n_ell = sum(1 for i in idx if i is Ellipsis)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = sum(1 for i in idx if i is not None and i is not Ellipsis)
    if consumed > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, but "
                         f"{consumed} were indexed")
    if n_ell:
        k = idx.index(Ellipsis)
        return idx[:k] + (slice(None),) * (ndim - consumed) + idx[k + 1:]
    return idx + (slice(None),) * (ndim - consumed)


def _basic(x: Any, idx: tuple) -> Any:
    idx = _expand_ellipsis(idx, x.ndim)
    starts, limits, strides, flips, final = [], [], [], [], []
    dropped: list[int] = []  # the axes of integer indices
    new_axes = False
    axis = 0
    for i in idx:
        if i is None:
            final.append(1)
            new_axes = True
            continue
        n = x.shape[axis]
        if isinstance(i, slice):
            start, stop, step = i.indices(n)
            m = len(range(start, stop, step))
            if step < 0 and m:
                start, step = start + (m - 1) * step, -step
                flips.append(axis)
            starts.append(start if m else 0)
            limits.append(start + (m - 1) * step + 1 if m else 0)
            strides.append(step)
            final.append(m)
        else:
            j = int(i)
            if not -n <= j < n:
                raise IndexError(f"index {j} is out of bounds for axis {axis} with size {n}")
            j %= n
            starts.append(j)
            limits.append(j + 1)
            strides.append(1)
            dropped.append(axis)
        axis += 1
    if dropped and not flips and not new_axes:  # x[0], x[1, 2:]: one primitive
        return sl.static_index(x, tuple(starts), tuple(limits), tuple(strides),
                               tuple(dropped))
    out = sl.slice_(x, starts, limits, strides)
    out = sl.rev(out, flips)
    return sh.reshape(out, final)


def _flat_positions(shape: tuple, idx: tuple) -> np.ndarray:
    """NumPy's own answer to "which elements does ``idx`` pick?" as flat positions."""
    what = "this traced index (a boolean mask, or index arrays mixed with other indices)"
    concrete = tuple(from_device(_concrete(i, what)) if isinstance(i, Tracer) else i
                     for i in idx)
    return np.asarray(np.arange(math.prod(shape), dtype=np.intp)
                      .reshape(shape)[concrete])


def _normalized(i: Any, n: int) -> Any:
    i = to_dtype(i, np.dtype(np.intp))
    return _where(less(i, 0), add(i, n), i)


def _is_int_array(i: Any) -> bool:
    if isinstance(i, Tracer):
        return np.issubdtype(i.dtype, np.integer)
    if isinstance(i, (list, np.ndarray)):
        a = np.asarray(i)
        return np.issubdtype(a.dtype, np.integer) or (a.size == 0 and a.dtype != np.bool_)
    return False


def _single_array(x: Any, idx: tuple) -> tuple[int, Any] | None:
    """``(axis, indices in [0, n))`` when ``idx`` is one integer array (traced or not) on
    one axis and ``:`` elsewhere: then one gather/scatter along that axis does it."""
    arrays = [k for k, i in enumerate(idx) if not isinstance(i, _BASIC)]
    if len(arrays) != 1 or any(i is None for i in idx) or not _is_int_array(idx[arrays[0]]):
        return None
    full = _expand_ellipsis(idx, len(np.shape(x)))
    axis = next(j for j, i in enumerate(full) if i is idx[arrays[0]])
    if any(not (isinstance(i, slice) and i == slice(None)) for j, i in enumerate(full)
           if j != axis):
        return None
    n = np.shape(x)[axis]
    i = idx[arrays[0]]
    if isinstance(i, Tracer):
        return axis, _normalized(i, n)
    i = np.asarray(i).astype(np.intp)
    bad = (i < -n) | (i >= n)
    if bad.any():
        raise IndexError(f"index {int(i[bad].flat[0])} is out of bounds for axis {axis} with "
                         f"size {n}")
    return axis, np.where(i < 0, i + n, i)


def getitem(x: Any, idx: Any) -> Any:
    """``x[idx]`` for a traced ``x`` (``Tracer.__getitem__``), with NumPy's semantics.

    >>> import ftrans, numpy as np
    >>> ftrans.grad(lambda x: x[::-1][0] * x[1])(np.array([1.0, 2.0, 3.0]))
    array([0., 3., 2.])
    """
    if type(idx) is slice and x.ndim:  # fast path: x[a:b] (as _basic would slice it)
        start, stop, step = idx.indices(x.shape[0])
        if step == 1:
            m = max(0, stop - start)
            if m == x.shape[0]:
                return x  # x[:] (as slice_ gives it)
            rest = x.shape[1:]
            return sl.slice_p.bind(x, start_indices=(start if m else 0,) + (0,) * len(rest),
                                   limit_indices=(start + m if m else 0,) + rest,
                                   strides=(1,) * (len(rest) + 1))
    idx = _as_tuple(idx)
    if all(isinstance(i, _BASIC) for i in idx):
        return _basic(x, idx)
    single = _single_array(x, idx)
    if single is not None:
        return gather(x, single[1], single[0])
    for i in idx:
        if isinstance(i, Tracer) and not (i.dtype == np.bool_ or np.issubdtype(i.dtype,
                                                                               np.integer)):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis "
                             "(`None`) and integer or boolean arrays are valid indices")
    pos = _flat_positions(x.shape, idx)
    return gather(sh.reshape(x, (x.size,)), pos, 0)


def take(a: Any, indices: Any, axis: int | None = None, out: Any = None,
         mode: TakeMode | None = None) -> Any:
    """NumPy's ``take`` (``mode='raise'``; out-of-bounds constant indices raise IndexError).

    Parameters
    ----------
    a : array_like
        The input: an array, a nested sequence, a scalar or a traced array.
    indices : array_like of int
        The indices (negative ones count from the end).
    axis : int, optional
        The axis taken along (default: the flattened array).
    out : None
        NumPy's; only None.
    mode : {'raise'}, optional
        NumPy's; only ``'raise'``.

    Returns
    -------
    out : ndarray
        The elements taken (a gather; its derivative scatters, duplicates accumulating).

    Raises
    ------
    IndexError
        If a constant index is out of bounds.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.take(np.array([1.0, 2.0, 3.0]), [2, -1])
    array([3., 3.])
    """
    if not (is_tracer(a) or is_tracer(indices)):
        return np.take(a, indices, axis=axis, out=out, mode="raise" if mode is None else mode)
    if mode not in (None, "raise"):
        raise NotImplementedError(f"take(mode={mode!r}) on traced arrays: use mode='raise'")
    from ._shape import asarray, ravel
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    from ._promote import normalize_axes
    ax = normalize_axes(axis, a.ndim, "take")[0]
    n = a.shape[ax]
    if is_tracer(indices):
        return gather(a, _normalized(indices, n), ax)
    ind = np.asarray(from_device(indices))
    if not np.issubdtype(ind.dtype, np.integer) and ind.size:
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    ind = ind.astype(np.intp)
    bad = (ind < -n) | (ind >= n)
    if bad.any():
        raise IndexError(f"index {int(ind[bad].flat[0])} is out of bounds for axis {ax} with "
                         f"size {n}")
    return gather(a, np.where(ind < 0, ind + n, ind), ax)


def take_along_axis(arr: Any, indices: Any, axis: int | None) -> Any:
    """NumPy's ``take_along_axis``.

    Parameters
    ----------
    arr : array_like
        The input.
    indices : array_like of int
        Indices of ``arr``'s rank, broadcast against it.
    axis : int or None
        The axis taken along (None: the flattened array).

    Returns
    -------
    out : ndarray
        The elements taken.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.take_along_axis(np.array([[1.0, 2.0]]), np.array([[1, 0]]), 1)
    array([[2., 1.]])
    """
    if not (is_tracer(arr) or is_tracer(indices)):
        return np.take_along_axis(arr, indices, axis)
    from ._promote import normalize_axes, shape_of
    from ._shape import asarray, broadcast_to, ravel
    arr = asarray(arr)
    if axis is None:
        arr, axis = ravel(arr), 0
    ishape = shape_of(indices)
    if len(ishape) != arr.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    ax = normalize_axes(axis, arr.ndim, "take_along_axis")[0]
    n = arr.shape[ax]
    shape = list(np.broadcast_shapes(tuple(s for d, s in enumerate(arr.shape) if d != ax),
                                     tuple(s for d, s in enumerate(ishape) if d != ax)))
    out_shape = tuple(shape[:ax] + [ishape[ax]] + shape[ax:])
    arr_shape = tuple(shape[:ax] + [n] + shape[ax:])
    arr = broadcast_to(arr, arr_shape)
    host = None if is_tracer(indices) else np.asarray(from_device(indices))
    ind = broadcast_to(_normalized(indices, n) if host is None
                       else np.where(host < 0, host + n, host).astype(np.intp), out_shape)
    strides = np.cumprod((arr_shape[1:] + (1,))[::-1])[::-1]
    base = sum(np.arange(s).reshape([-1 if d == k else 1 for d in range(len(out_shape))])
               * int(strides[k]) for k, s in enumerate(out_shape) if k != ax)
    flat = add(multiply(ind, int(strides[ax])), np.asarray(base, np.intp))
    return gather(ravel(arr), flat, 0)


# ----------------------------------------------------------------------------- .at updates

def _rounds(pos: np.ndarray) -> list[np.ndarray]:
    """Positions (into ``pos.ravel()``) split into rounds with distinct targets, in order."""
    f = pos.ravel()
    order = np.argsort(f, kind="stable")
    sf = f[order]
    new_group = np.r_[True, sf[1:] != sf[:-1]] if f.size else np.zeros(0, bool)
    starts = np.flatnonzero(new_group)
    group = np.cumsum(new_group) - 1
    rank = np.empty_like(f)
    rank[order] = np.arange(f.size) - starts[group]
    return [np.flatnonzero(rank == r) for r in range(int(rank.max()) + 1 if f.size else 0)]


def _update(x: Any, idx: Any, values: Any, kind: str) -> Any:
    from ._shape import broadcast_to
    idx = _as_tuple(idx)
    masked = _masked_update(x, idx, values, kind)
    if masked is not None:
        return masked
    single = _single_array(x, idx)
    if single is not None:
        axis, ind = single
        target, shape_back = x, None
        upd_shape = np.shape(x)[:axis] + np.shape(ind) + np.shape(x)[axis + 1:]
        rounds = _rounds(ind) if kind != "add" and not is_tracer(ind) else None
    else:
        pos = _flat_positions(np.shape(x), idx)
        axis, ind = 0, pos
        target, shape_back = sh.reshape(x, (x.size,)) if is_tracer(x) else np.ravel(x), \
            np.shape(x)
        upd_shape = pos.shape
        rounds = _rounds(pos) if kind != "add" else None
    dtype = x.dtype
    values = broadcast_to(to_dtype(values, dtype), upd_shape)
    if kind == "add":
        out = scatter_add(target, ind, values, axis)
    else:
        if kind != "set" and is_tracer(ind):  # repeats unknown: combine them first
            parts = [_combine_repeats(ind, values, axis, kind)]
        elif rounds is None or len(rounds) <= 1:
            parts = [(ind, values)]
        else:  # the update axes of ``ind`` flattened into one, then split into rounds
            nd = np.ndim(ind)
            flat_shape = upd_shape[:axis] + (ind.size,) + upd_shape[axis + nd:]
            flat_vals = sh.reshape(values, flat_shape) if is_tracer(values) \
                else np.reshape(values, flat_shape)
            parts = [(ind.ravel()[r], gather(flat_vals, r, axis)) for r in rounds]
        out = target
        for ind_r, val_r in parts:
            if kind == "set":
                out = scatter(out, ind_r, val_r, axis)
                continue
            fill = {"multiply": 1, "min": _largest(dtype), "max": -_largest(dtype)}[kind]
            base = np.full(np.shape(target), fill, dtype)
            spread = scatter(base, ind_r, val_r, axis)
            out = {"multiply": multiply, "min": minimum, "max": maximum}[kind](out, spread)
    return sh.reshape(out, shape_back) if shape_back is not None else out


def _masked_update(x: Any, idx: tuple, values: Any, kind: str) -> Any:
    """``x.at[mask].set(v)`` (add, ...) for a traced boolean ``mask`` over the leading axes of
    ``x`` and one value ``v``: an elementwise ``where``, so the mask need not be concrete
    (``jit``, ``vmap``). None where that does not apply."""
    if len(idx) != 1 or not isinstance(idx[0], Tracer) or idx[0].dtype != np.bool_:
        return None
    mask, shape = idx[0], np.shape(x)
    if sh.shape_of(values) != () or shape[:mask.ndim] != mask.shape:
        return None
    from ._promote import broadcast_to_shape
    mask = sh.broadcast_in_dim(mask, shape, tuple(range(mask.ndim))) if mask.ndim < len(shape) \
        else mask
    v = to_dtype(values, x.dtype)
    new = {"set": lambda: v, "add": lambda: x + v, "multiply": lambda: multiply(x, v),
           "min": lambda: minimum(x, v), "max": lambda: maximum(x, v)}[kind]()
    return _where(mask, broadcast_to_shape(new, shape), x)


def _combine_repeats(ind: Any, values: Any, axis: int, kind: str) -> tuple[Any, Any]:
    """Traced indices may repeat: each update becomes the product (min, max) of every update
    aimed at its position, so whichever of equal writes lands, the result combines them all
    (an (n, n) comparison of the n indices)."""
    from ._reductions import max as _max
    from ._reductions import min as _min
    from ._stats import prod
    ishape = sh.shape_of(ind)
    nd, n = len(ishape), math.prod(ishape)
    shape = sh.shape_of(values)
    pre, post = shape[:axis], shape[axis + nd:]
    flat_ind = sh.reshape(ind, (n,))
    vals = sh.reshape(values, pre + (1, n) + post) if is_tracer(values) \
        else np.reshape(values, pre + (1, n) + post)
    same = sh.reshape(equal(sh.reshape(flat_ind, (n, 1)), sh.reshape(flat_ind, (1, n))),
                      (1,) * len(pre) + (n, n) + (1,) * len(post))
    fill = {"multiply": 1, "min": _largest(values.dtype), "max": -_largest(values.dtype)}
    picked = _where(same, vals, np.asarray(fill[kind], values.dtype))
    reduce = {"multiply": prod, "min": _min, "max": _max}[kind]
    return flat_ind, reduce(picked, axis=len(pre) + 1)


def _largest(dtype: np.dtype) -> Any:
    return np.inf if np.issubdtype(dtype, np.inexact) else np.iinfo(dtype).max


class _IndexUpdateRef:
    """``x.at[idx]``: functional updates of ``x`` at ``idx``; ``x`` itself is unchanged."""

    __slots__ = ("x", "idx")

    def __init__(self, x: Any, idx: Any):
        self.x, self.idx = x, idx

    def get(self) -> Any:
        """``x[idx]``."""
        return self.x[self.idx]

    def set(self, values: Any) -> Any:
        """A copy of ``x`` with ``x[idx] = values`` (the last of duplicate indices wins)."""
        return _update(self.x, self.idx, values, "set")

    def add(self, values: Any) -> Any:
        """A copy of ``x`` with ``values`` added at ``idx`` (duplicates accumulate)."""
        return _update(self.x, self.idx, values, "add")

    def subtract(self, values: Any) -> Any:
        """A copy of ``x`` with ``values`` subtracted at ``idx``."""
        return _update(self.x, self.idx, -values if is_tracer(values)
                       else np.negative(values), "add")

    def multiply(self, values: Any) -> Any:
        """A copy of ``x`` multiplied by ``values`` at ``idx`` (duplicates compound)."""
        return _update(self.x, self.idx, values, "multiply")

    mul = multiply

    def divide(self, values: Any) -> Any:
        """A copy of ``x`` divided by ``values`` at ``idx``."""
        return _update(self.x, self.idx, 1 / values if is_tracer(values)
                       else np.divide(1.0, values), "multiply")

    def min(self, values: Any) -> Any:
        """A copy of ``x`` with ``minimum(x[idx], values)`` at ``idx``."""
        return _update(self.x, self.idx, values, "min")

    def max(self, values: Any) -> Any:
        """A copy of ``x`` with ``maximum(x[idx], values)`` at ``idx``."""
        return _update(self.x, self.idx, values, "max")


class _IndexUpdateHelper:
    """``x.at``: index it, then call ``set``/``add``/``multiply``/``divide``/``min``/``max``/
    ``get``, as in JAX.

    >>> import ftrans, numpy as np
    >>> x = np.zeros(3)
    >>> ftrans.grad(lambda v: (at(x)[np.array([0, 0, 2])].add(v) ** 2).sum())(1.0)
    10.0
    """

    __slots__ = ("x",)

    def __init__(self, x: Any):
        self.x = x

    def __getitem__(self, idx: Any) -> _IndexUpdateRef:
        return _IndexUpdateRef(self.x, idx)


def at(x: Any) -> _IndexUpdateHelper:
    """``x.at`` for any array (traced or not): functional indexed updates.

    Parameters
    ----------
    x : array_like
        The array updated (a NumPy, CuPy or traced array).

    Returns
    -------
    helper : object
        Index it, ``at(x)[idx]``, then call ``get()``, ``set(v)``, ``add(v)``,
        ``subtract(v)``, ``multiply(v)``, ``divide(v)``, ``min(v)`` or ``max(v)``: each
        returns an updated copy, differentiable in ``x`` and ``v``, and leaves ``x`` as it
        was (JAX's ``x.at``; NumPy has no such function).

    Examples
    --------
    >>> import numpy as np
    >>> at(np.zeros(3))[1].set(5.0)
    array([0., 5., 0.])
    """
    return _IndexUpdateHelper(x)


class AtProperty:
    """The ``.at`` attribute of traced arrays (a descriptor in the method table)."""

    def __get__(self, obj: Any, objtype: Any = None) -> _IndexUpdateHelper:
        return _IndexUpdateHelper(obj)
