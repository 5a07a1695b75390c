"""Static slicing and joining: slice, pad, concatenate, rev, roll. All linear; slice and pad
are each other's transposes, concatenate's transpose slices the cotangent apart, and roll's
rolls it back."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..core import Primitive, Zero, aval_of, register, same_device
from ..ir import ShapedArray
from . import ops
from .families import batch_at_front, is_undef, linear_jvp, ndim_of, shape_of
from .shape import _unbatched_axis, broadcast_in_dim, moveaxis


def _declare(name: str) -> Primitive:
    p = register(Primitive(name))
    p.family = "shape"
    return p


# ----------------------------------------------------------------------------- slice

slice_p = _declare("slice")
slice_p.jvp = linear_jvp(slice_p)


def slice_(x: Any, start_indices: Sequence[int], limit_indices: Sequence[int],
           strides: Sequence[int] | None = None) -> Any:
    """``x[start:limit:stride]`` along every axis (static, positive strides); also
    ``lax.slice``.

    Parameters
    ----------
    x : ArrayLike
    start_indices, limit_indices : sequence of int
        One per axis of ``x``.
    strides : sequence of int or None, default None
        One per axis (None: 1).

    Returns
    -------
    Array

    Raises
    ------
    ValueError
        If the index sequences do not have one entry per axis, or a stride is not positive.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.slice(np.arange(6.0), (1,), (5,), (2,))
    array([1., 3.])
    """
    n = ndim_of(x)
    strides = tuple(strides) if strides is not None else (1,) * n
    start, limit = tuple(int(s) for s in start_indices), tuple(int(s) for s in limit_indices)
    if not len(start) == len(limit) == len(strides) == n:
        raise ValueError(f"slice: start_indices {start}, limit_indices {limit} and strides "
                         f"{strides} need one entry per axis of an array of shape "
                         f"{shape_of(x)}")
    if start == (0,) * n and limit == shape_of(x) and strides == (1,) * n:
        return x
    return slice_p.bind(x, start_indices=start, limit_indices=limit, strides=strides)


def _slice_aval(x: ShapedArray, *, start_indices: tuple, limit_indices: tuple, strides: tuple
                ) -> ShapedArray:
    shape = []
    for d, (s, lim, st) in enumerate(zip(start_indices, limit_indices, strides)):
        if not 0 <= s <= lim <= x.shape[d] or st < 1:
            raise IndexError(f"slice {s}:{lim}:{st} is out of bounds for axis {d} of size "
                             f"{x.shape[d]}")
        shape.append(max(0, -(-(lim - s) // st)))
    return ShapedArray(tuple(shape), x.dtype)


def _slice_transpose(ct: Any, x: Any, *, start_indices: tuple, limit_indices: tuple,
                     strides: tuple) -> list[Any]:
    out_shape = shape_of(ct)
    config = []
    for d, (s, st) in enumerate(zip(start_indices, strides)):
        used = s + (out_shape[d] - 1) * st + 1 if out_shape[d] else s
        config.append((s, x.aval.shape[d] - used, st - 1))
    zero = aval_of(ct).dtype.type(0)  # a NumPy scalar: _pad_impl's one-call zeros
    return [pad(ct, zero, config)]


def _slice_batch(args: Sequence[Any], dims: Sequence[Any], *, start_indices: tuple,
                 limit_indices: tuple, strides: tuple) -> tuple[Any, int]:
    x = moveaxis(args[0], dims[0], 0)
    size = shape_of(x)[0]
    return slice_(x, (0,) + start_indices, (size,) + limit_indices, (1,) + strides), 0


slice_p.view = True  # NumPy returns a view
_INDEX: dict[tuple, Any] = {}  # params -> the index tuple that applies them (small calls)


def _slice_impl(xp: Any, x: Any, *, start_indices: tuple, limit_indices: tuple,
                strides: tuple) -> Any:
    key = (start_indices, limit_indices, strides)
    index = _INDEX.get(key)
    if index is None:
        index = tuple(slice(s, lim, st) for s, lim, st in zip(*key))
        if len(_INDEX) < 4096:
            _INDEX[key] = index
    return x[index]




def _slice_py(avals: Sequence[Any], *, start_indices: tuple, limit_indices: tuple,
              strides: tuple) -> str | None:
    """jit's NumPy code for a slice: ``x[1:10]``, written inline (no impl call)."""
    if not start_indices:
        return None  # x[()] of a 0-d array is a scalar, not an array: the impl keeps it
    parts = [f"{s}:{lim}" + (f":{st}" if st != 1 else "")
             for s, lim, st in zip(start_indices, limit_indices, strides)]
    return "{0}[" + ", ".join(parts) + "]"


slice_p.impl = _slice_impl
slice_p.py_expr = _slice_py
slice_p.abstract_eval = _slice_aval
slice_p.transpose = _slice_transpose
slice_p.batch = _slice_batch

# ----------------------------------------------------------------------------- pad

pad_p = _declare("pad")


def pad(x: Any, padding_value: Any, padding_config: Sequence[tuple[int, int, int]]) -> Any:
    """``x`` padded with ``padding_value``: per axis ``(low, high, interior)`` elements before,
    after and between its elements.

    Parameters
    ----------
    x : ArrayLike
    padding_value : scalar
        Of ``x``'s dtype.
    padding_config : sequence of (int, int, int)
        One triple per axis, all non-negative.

    Returns
    -------
    Array

    Raises
    ------
    ValueError
        If ``padding_config`` does not have one non-negative triple per axis.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.pad(np.ones(2), 0.0, [(1, 0, 1)])
    array([0., 1., 0., 1.])
    """
    config = tuple((int(lo), int(hi), int(it)) for lo, hi, it in padding_config)
    return pad_p.bind(x, padding_value, padding_config=config)


_REAL_SCALARS = (float, int, bool, np.float64, np.float32, np.float16)


def _pad_plan(shape: tuple, padding_config: tuple) -> tuple[tuple, tuple]:
    """The output's shape, and where the operand goes in it (slices)."""
    key = (shape, padding_config)
    plan = _INDEX.get(key)
    if plan is None:
        plan = (tuple(lo + hi + n + max(0, n - 1) * it
                      for n, (lo, hi, it) in zip(shape, padding_config)),
                tuple(slice(lo, lo + (n - 1) * (it + 1) + 1 if n else lo, it + 1)
                      for n, (lo, hi, it) in zip(shape, padding_config)))
        if len(_INDEX) < 4096:
            _INDEX[key] = plan
    return plan


def _pad_impl(xp: Any, x: Any, value: Any, *, padding_config: tuple) -> Any:
    plan = _pad_plan(x.shape, padding_config)
    if type(value) in _REAL_SCALARS and value == 0 and math.copysign(1.0, value) > 0:
        # zeros (not -0.0): one call, not two
        out = xp.zeros(plan[0], dtype=x.dtype)
    else:
        out = xp.empty(plan[0], dtype=x.dtype)
        out[...] = value
    out[plan[1]] = x
    return out


def _pad_aval(x: ShapedArray, value: ShapedArray, *, padding_config: tuple) -> ShapedArray:
    if value.ndim:
        raise TypeError(f"pad: padding_value must be a scalar, got shape {value.shape}")
    if len(padding_config) != x.ndim or any(c < 0 for cfg in padding_config for c in cfg):
        raise ValueError(f"pad: padding_config {padding_config} needs {x.ndim} non-negative "
                         "(low, high, interior) triples")
    return ShapedArray([lo + hi + n + max(0, n - 1) * it
                        for n, (lo, hi, it) in zip(x.shape, padding_config)], x.dtype)


def _pad_jvp(primals: Any, out: Any, tangents: Any, *, padding_config: tuple) -> Any:
    (x, _), (tx, tv) = primals, tangents
    if type(tx) is Zero and type(tv) is Zero:
        return Zero(aval_of(out))
    tx = np.zeros(shape_of(x), aval_of(out).dtype) if type(tx) is Zero else tx
    tv = np.zeros((), aval_of(out).dtype) if type(tv) is Zero else tv
    return pad(tx, tv, padding_config)


def _pad_transpose(ct: Any, x: Any, value: Any, *, padding_config: tuple) -> list[Any]:
    shape = shape_of(ct)
    start = [lo for lo, _, _ in padding_config]
    limit = [shape[d] - hi for d, (_, hi, _) in enumerate(padding_config)]
    inner = slice_(ct, start, limit, [it + 1 for _, _, it in padding_config])
    ct_x = inner if is_undef(x) else None
    ct_v = None
    if is_undef(value):
        axes = tuple(range(len(shape)))
        ct_v = ops.reduce_sum(ct, axes) - ops.reduce_sum(inner, axes)
    return [ct_x, ct_v]


def _pad_batch(args: Sequence[Any], dims: Sequence[Any], *, padding_config: tuple
               ) -> tuple[Any, int]:
    (x, v), (dx, dv) = args, dims
    config = ((0, 0, 0),) + padding_config
    if dv is None:
        return pad(moveaxis(x, dx, 0), v, config), 0
    size = shape_of(v)[dv]
    if dx is None:
        s = shape_of(x)
        x = broadcast_in_dim(x, (size,) + s, tuple(range(1, len(s) + 1)))
    else:
        x = moveaxis(x, dx, 0)
    dtype = aval_of(x).dtype
    padded = pad(x, np.zeros((), dtype), config)
    # 1 where padding goes, 0 where x goes: a constant
    mask = same_device(_pad_impl(np, np.zeros(shape_of(x)[1:], dtype), np.ones((), dtype),
                                 padding_config=padding_config), v)
    return padded + mask * broadcast_in_dim(v, shape_of(padded), (0,)), 0


pad_p.impl = _pad_impl
pad_p.new_buffer = True
pad_p.embed = lambda aval, *, padding_config: _pad_plan(aval.shape, padding_config)[1]
pad_p.abstract_eval = _pad_aval
pad_p.jvp = _pad_jvp
pad_p.transpose = _pad_transpose
pad_p.batch = _pad_batch

# ----------------------------------------------------------------------------- concatenate

concatenate_p = _declare("concatenate")


def concatenate(xs: Sequence[Any], dimension: int) -> Any:
    """Join arrays along ``dimension``; their other axes must agree.

    Parameters
    ----------
    xs : sequence of ArrayLike
        Of one dtype.
    dimension : int

    Returns
    -------
    Array

    Raises
    ------
    ValueError
        If the shapes disagree off ``dimension``.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.concatenate([np.ones(1), np.zeros(2)], 0)
    array([1., 0., 0.])
    """
    if len(xs) == 1:
        return xs[0]
    return concatenate_p.bind(*xs, dimension=int(dimension))


def _concatenate_aval(*xs: ShapedArray, dimension: int) -> ShapedArray:
    first = xs[0]
    for x in xs[1:]:
        if (x.ndim != first.ndim or x.dtype != first.dtype
                or any(a != b for i, (a, b) in enumerate(zip(x.shape, first.shape))
                       if i != dimension)):
            raise ValueError(f"concatenate: all the input array dimensions except for the "
                             f"concatenation axis must match exactly, got "
                             f"{', '.join(str(a) for a in xs)}")
    shape = list(first.shape)
    shape[dimension] = sum(x.shape[dimension] for x in xs)
    return ShapedArray(shape, first.dtype)


def _concatenate_jvp(primals: Any, out: Any, tangents: Any, *, dimension: int) -> Any:
    if all(type(t) is Zero for t in tangents):
        return Zero(aval_of(out))
    ts = [np.zeros(shape_of(x), aval_of(out).dtype) if type(t) is Zero else t
          for x, t in zip(primals, tangents)]
    return concatenate(ts, dimension)


def _concatenate_transpose(ct: Any, *xs: Any, dimension: int) -> list[Any]:
    shape = shape_of(ct)
    cts: list[Any] = []
    offset = 0
    for x in xs:
        n = aval_of(x).shape[dimension] if not is_undef(x) else x.aval.shape[dimension]
        if is_undef(x):
            start = [0] * len(shape)
            limit = list(shape)
            start[dimension], limit[dimension] = offset, offset + n
            cts.append(slice_(ct, start, limit))
        else:
            cts.append(None)
        offset += n
    return cts


def _concatenate_batch(args: Sequence[Any], dims: Sequence[Any], *, dimension: int
                       ) -> tuple[Any, int]:
    return concatenate(batch_at_front(args, dims), dimension + 1), 0


concatenate_p.impl = lambda xp, *xs, dimension: xp.concatenate(xs, axis=dimension)
concatenate_p.abstract_eval = _concatenate_aval
concatenate_p.jvp = _concatenate_jvp
concatenate_p.transpose = _concatenate_transpose
concatenate_p.batch = _concatenate_batch

# ----------------------------------------------------------------------------- rev

rev_p = _declare("rev")
rev_p.jvp = linear_jvp(rev_p)


def rev(x: Any, dimensions: Sequence[int]) -> Any:
    """``x`` reversed along ``dimensions``.

    Parameters
    ----------
    x : ArrayLike
    dimensions : sequence of int

    Returns
    -------
    Array

    Raises
    ------
    ValueError
        If an axis is out of range (NumPy's ``AxisError`` on plain arrays).

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.rev(np.arange(3.0), (0,))
    array([2., 1., 0.])
    """
    dims = tuple(sorted(int(d) for d in dimensions))
    return rev_p.bind(x, dimensions=dims) if dims else x


rev_p.view = True  # NumPy returns a view
rev_p.impl = lambda xp, x, *, dimensions: xp.flip(x, dimensions)
rev_p.abstract_eval = lambda x, *, dimensions: x
rev_p.transpose = lambda ct, x, *, dimensions: [rev(ct, dimensions)]
rev_p.batch = lambda args, dims, *, dimensions: (
    rev(args[0], tuple(_unbatched_axis(d, dims[0]) for d in dimensions)), dims[0])

# ----------------------------------------------------------------------------- roll

roll_p = _declare("roll")
roll_p.jvp = linear_jvp(roll_p)


def roll(x: Any, shifts: Sequence[int], axes: Sequence[int]) -> Any:
    """NumPy's ``roll`` of ``x`` by ``shifts[i]`` along ``axes[i]`` (static, non-negative
    axes; shifts along one axis add up), one primitive: each shift is taken modulo its
    axis's length, and axes rolled by nothing are left out.

    >>> roll(np.array([[1.0, 2.0, 3.0]]), (1, 4), (1, 1))
    array([[2., 3., 1.]])
    """
    shape = shape_of(x)
    total: dict[int, int] = {}
    for s, a in zip(shifts, axes):
        total[int(a)] = total.get(int(a), 0) + int(s)
    kept = sorted((a, s % shape[a]) for a, s in total.items() if shape[a] and s % shape[a])
    if not kept:
        return x
    return roll_p.bind(x, shifts=tuple(s for _, s in kept), axes=tuple(a for a, _ in kept))


def _roll_transpose(ct: Any, x: Any, *, shifts: tuple, axes: tuple) -> list[Any]:
    return [roll(ct, tuple(-s for s in shifts), axes)]


def _roll_batch(args: Sequence[Any], dims: Sequence[Any], *, shifts: tuple, axes: tuple
                ) -> tuple[Any, Any]:
    return roll(args[0], shifts, tuple(_unbatched_axis(a, dims[0]) for a in axes)), dims[0]


def _roll_impl(xp: Any, x: Any, *, shifts: tuple, axes: tuple) -> Any:
    key = ("roll", x.shape, shifts, axes)
    moves = _INDEX.get(key)
    if moves is None:  # (destination, source) index pairs, two per rolled axis
        every = (slice(None),) * len(x.shape)
        moves = [(every, every)]
        for s, a in zip(shifts, axes):
            n = x.shape[a]
            moves = [(d[:a] + (dst,) + d[a + 1:], f[:a] + (src,) + f[a + 1:])
                     for d, f in moves
                     for dst, src in ((slice(s, None), slice(None, n - s)),
                                      (slice(None, s), slice(n - s, None)))]
        if len(_INDEX) < 4096:
            _INDEX[key] = moves
    out = xp.empty_like(x)
    for dst, src in moves:
        out[dst] = x[src]
    return out


roll_p.impl = _roll_impl
roll_p.abstract_eval = lambda x, *, shifts, axes: x
roll_p.transpose = _roll_transpose
roll_p.batch = _roll_batch

# ----------------------------------------------------------------------------- static_index

static_index_p = _declare("static_index")
static_index_p.jvp = linear_jvp(static_index_p)


def static_index(x: Any, start_indices: tuple[int, ...], limit_indices: tuple[int, ...],
                 strides: tuple[int, ...], dropped_dims: tuple[int, ...]) -> Any:
    """``x[i, a:b:c, ...]``: a ``slice`` (valid, positive strides: callers check) that then
    drops ``dropped_dims``, each a window of one element (an integer index). One primitive
    where ``slice`` and ``reshape`` would take two: ``x[0]`` of a traced array.

    >>> static_index(np.arange(6.0).reshape(2, 3), (1, 0), (2, 3), (1, 2), (0,))
    array([3., 5.])
    """
    if not dropped_dims:
        return slice_(x, start_indices, limit_indices, strides)
    return static_index_p.bind(x, start_indices=start_indices, limit_indices=limit_indices,
                               strides=strides, dropped_dims=dropped_dims)


def _static_index_aval(x: ShapedArray, *, start_indices: tuple, limit_indices: tuple,
                       strides: tuple, dropped_dims: tuple) -> ShapedArray:
    window = _slice_aval(x, start_indices=start_indices, limit_indices=limit_indices,
                         strides=strides)
    if any(window.shape[d] != 1 for d in dropped_dims):
        raise ValueError(f"static_index: dropped_dims {dropped_dims} must be windows of one "
                         f"element, got a window of shape {window.shape}")
    return ShapedArray([n for d, n in enumerate(window.shape) if d not in dropped_dims],
                       x.dtype)


def _static_index_impl(xp: Any, x: Any, *, start_indices: tuple, limit_indices: tuple,
                       strides: tuple, dropped_dims: tuple) -> Any:
    key = ("index", start_indices, limit_indices, strides, dropped_dims)
    index = _INDEX.get(key)
    if index is None:
        index = tuple(s if d in dropped_dims else slice(s, lim, st)
                      for d, (s, lim, st) in enumerate(zip(*key[1:4])))
        if len(_INDEX) < 4096:
            _INDEX[key] = index
    return x[index]


def _static_index_py(avals: Sequence[Any], *, start_indices: tuple, limit_indices: tuple,
                     strides: tuple, dropped_dims: tuple) -> str:
    """jit's NumPy code: ``x[1, 2:5]``, written inline."""
    parts = [str(s) if d in dropped_dims else f"{s}:{lim}" + (f":{st}" if st != 1 else "")
             for d, (s, lim, st) in enumerate(zip(start_indices, limit_indices, strides))]
    return "{0}[" + ", ".join(parts) + "]"


def _static_index_transpose(ct: Any, x: Any, *, start_indices: tuple, limit_indices: tuple,
                            strides: tuple, dropped_dims: tuple) -> list[Any]:
    window = _slice_aval(x.aval, start_indices=start_indices, limit_indices=limit_indices,
                         strides=strides)
    return _slice_transpose(ops.reshape(ct, window.shape), x, start_indices=start_indices,
                            limit_indices=limit_indices, strides=strides)


def _static_index_batch(args: Sequence[Any], dims: Sequence[Any], *, start_indices: tuple,
                        limit_indices: tuple, strides: tuple, dropped_dims: tuple
                        ) -> tuple[Any, int]:
    x = moveaxis(args[0], dims[0], 0)
    return static_index(x, (0,) + start_indices, (shape_of(x)[0],) + limit_indices,
                        (1,) + strides, tuple(d + 1 for d in dropped_dims)), 0


static_index_p.view = True  # NumPy returns a view (or a scalar, of every axis dropped)
static_index_p.impl = _static_index_impl
static_index_p.py_expr = _static_index_py
static_index_p.abstract_eval = _static_index_aval
static_index_p.transpose = _static_index_transpose
static_index_p.batch = _static_index_batch
