"""Array manipulation: joining, splitting, tiling, flipping, rolling, padding, diagonals,
triangles, grids, kron — all built from the static shape primitives (slice, pad,
concatenate, rev, reshape, broadcast_in_dim) and gather, so they are linear and their
derivatives are the primitives'."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..prims import shape as sh
from ..prims import slicing as sl
from ..prims.indexing import gather
from ._elementwise import multiply
from ._elementwise import where as _where
from ._promote import (
    any_gpu_array,
    any_tracer,
    broadcast_shapes,
    broadcast_to_shape,
    is_tracer,
    normalize_axes,
    result_dtype,
    shape_of,
    to_dtype,
)
from ._promote import as_array as _as_array
from ._shape import copy_of, expand_dims, ravel, reshape

# ----------------------------------------------------------------------------- small helpers


def _axis(axis: int, ndim: int, what: str) -> int:
    return normalize_axes(axis, ndim, what)[0]


def _slice_axis(x: Any, axis: int, start: int, stop: int, step: int = 1) -> Any:
    s = shape_of(x)
    starts, limits, strides = [0] * len(s), list(s), [1] * len(s)
    starts[axis], limits[axis], strides[axis] = start, stop, step
    return sl.slice_(x, starts, limits, strides)


def flatten(a: Any, order: str = "C") -> Any:
    """``a.flatten()``: a 1-D copy.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.flatten(np.ones((2, 2))).shape
    (4,)
    """
    return ravel(a, order) if is_tracer(a) else np.asarray(a).flatten(order)


def copy(a: Any) -> Any:
    """NumPy's ``copy``; assigning to a copy of a traced array (``y[i] = v``, see
    ``ftrans.numpy._mutation``) leaves the original as it was.

    >>> import ftrans.numpy as fnp
    >>> fnp.copy(1.0)
    array(1.)
    """
    if is_tracer(a):
        return copy_of(a)
    return np.copy(a)


# ----------------------------------------------------------------------------- broadcasting


def broadcast_arrays(*args: Any) -> tuple[Any, ...]:
    """NumPy's ``broadcast_arrays``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> [a.shape for a in fnp.broadcast_arrays(np.ones(3), np.ones((2, 1)))]
    [(2, 3), (2, 3)]
    """
    if not any_tracer(args):
        return tuple(np.broadcast_arrays(*args))
    shape = broadcast_shapes(args, "broadcast_arrays")
    out = []
    for a in args:
        a = _as_array(a)
        out.append(sh.broadcast_in_dim(a, shape, tuple(range(len(shape) - a.ndim,
                                                                 len(shape))))
                   if is_tracer(a) else np.broadcast_to(a, shape))
    return tuple(out)


def _atleast(n: int, pos: tuple):
    def fn(*arys: Any) -> Any:
        res = []
        for a in arys:
            a = _as_array(a)
            if not is_tracer(a):
                res.append(getattr(np, f"atleast_{n}d")(a))
                continue
            if a.ndim < n:
                shape = list(a.shape)
                for p in pos[a.ndim]:
                    shape.insert(p if p >= 0 else len(shape) + 1 + p, 1)
                a = sh.reshape(a, shape)
            res.append(a)
        return res[0] if len(res) == 1 else tuple(res)
    fn.__name__ = fn.__qualname__ = f"atleast_{n}d"
    fn.__doc__ = (f"NumPy's ``atleast_{n}d``.\n\n>>> import ftrans.numpy as fnp\n"
                  f">>> fnp.atleast_{n}d(1.0).shape\n{(1,) * n}\n")
    return fn


atleast_1d = _atleast(1, {0: (0,)})
atleast_2d = _atleast(2, {0: (0, 0), 1: (0,)})
atleast_3d = _atleast(3, {0: (0, 0, 0), 1: (0, -1), 2: (-1,)})

# ----------------------------------------------------------------------------- joining


def concatenate(arrays: Sequence[Any], axis: int | None = 0, dtype: Any = None) -> Any:
    """NumPy's ``concatenate``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.concatenate([np.ones(2), np.zeros(1)])
    array([1., 1., 0.])
    """
    arrays = list(arrays)
    if not any_tracer(arrays):
        return np.concatenate(arrays, axis=axis, dtype=dtype)
    if not arrays:
        raise ValueError("need at least one array to concatenate")
    arrays = [_as_array(a) for a in arrays]
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    dt = np.dtype(dtype) if dtype is not None else result_dtype(*arrays)
    nd = arrays[0].ndim
    if nd == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    for i, a in enumerate(arrays):
        if a.ndim != nd:
            raise ValueError(f"all the input array dimensions except for the concatenation "
                             f"axis must match exactly, but along dimension 0, the array at "
                             f"index 0 has {nd} dimension(s) and the array at index {i} has "
                             f"{a.ndim} dimension(s)")
    ax = _axis(axis, nd, "concatenate")
    return sl.concatenate([to_dtype(a, dt) for a in arrays], ax)


def append(arr: Any, values: Any, axis: int | None = None) -> Any:
    """NumPy's ``append``: ``values`` joined after ``arr`` along ``axis`` (both flattened when
    ``axis`` is None); differentiable in both.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.append(np.ones((1, 2)), [[5.0, 6.0]], axis=0)
    array([[1., 1.],
           [5., 6.]])
    >>> fnp.append(np.ones(2), np.zeros((1, 2)))
    array([1., 1., 0., 0.])
    """
    if not any_tracer((arr, values)):
        return np.append(arr, values, axis=axis)
    arr, values = _as_array(arr), _as_array(values)
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], 0)
    return concatenate([arr, values], axis)


def stack(arrays: Sequence[Any], axis: int = 0, dtype: Any = None) -> Any:
    """NumPy's ``stack``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.stack([np.ones(2), np.zeros(2)], axis=1).shape
    (2, 2)
    """
    arrays = list(arrays)
    if not any_tracer(arrays):
        return np.stack(arrays, axis=axis, dtype=dtype)
    arrays = [_as_array(a) for a in arrays]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError("all input arrays must have the same shape")
    ax = _axis(axis, arrays[0].ndim + 1, "stack")
    return concatenate([expand_dims(a, ax) for a in arrays], ax, dtype)


def unstack(x: Any, /, *, axis: int = 0) -> tuple[Any, ...]:
    """The array API's (and NumPy 2's) ``unstack``: the slices of ``x`` along ``axis``, the
    inverse of ``stack``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.unstack(np.arange(4.0).reshape(2, 2), axis=1)
    (array([0., 2.]), array([1., 3.]))
    """
    if not is_tracer(x) and not any_gpu_array((x,)):  # (CuPy has no unstack)
        return np.unstack(x, axis=axis)
    if x.ndim == 0:
        raise ValueError("unstack: Input array must be at least 1-d.")
    ax = _axis(axis, x.ndim, "unstack")
    rest = x.shape[:ax] + x.shape[ax + 1:]
    return tuple(reshape(_slice_axis(x, ax, i, i + 1), rest) for i in range(x.shape[ax]))


def hstack(tup: Sequence[Any], dtype: Any = None) -> Any:
    """NumPy's ``hstack``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.hstack([np.ones(2), np.zeros(1)]).shape
    (3,)
    """
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, 0 if arrs and len(shape_of(arrs[0])) == 1 else 1, dtype)


def vstack(tup: Sequence[Any], dtype: Any = None) -> Any:
    """NumPy's ``vstack``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.vstack([np.ones(2), np.zeros(2)]).shape
    (2, 2)
    """
    return concatenate([atleast_2d(a) for a in tup], 0, dtype)


row_stack = vstack


def dstack(tup: Sequence[Any]) -> Any:
    """NumPy's ``dstack``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.dstack([np.ones(2), np.zeros(2)]).shape
    (1, 2, 2)
    """
    return concatenate([atleast_3d(a) for a in tup], 2)


def column_stack(tup: Sequence[Any]) -> Any:
    """NumPy's ``column_stack``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.column_stack([np.ones(2), np.zeros(2)]).shape
    (2, 2)
    """
    arrs = [_as_array(a) for a in tup]
    return concatenate([reshape(a, (-1, 1)) if len(shape_of(a)) < 2 else a for a in arrs], 1)


# ----------------------------------------------------------------------------- splitting


def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    """NumPy's ``array_split``: sections may differ in length by one.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> [p.shape for p in fnp.array_split(np.ones(5), 2)]
    [(3,), (2,)]
    """
    if not is_tracer(ary):
        return np.array_split(ary, indices_or_sections, axis)
    ax = _axis(axis, ary.ndim, "array_split")
    n = ary.shape[ax]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0:
            raise ValueError("number sections must be larger than 0.")
        each, extra = divmod(n, k)
        sizes = [0] + extra * [each + 1] + (k - extra) * [each]
        bounds = list(np.cumsum(sizes))
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    out = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        lo = min(max(lo + n if lo < 0 else lo, 0), n)
        hi = min(max(hi + n if hi < 0 else hi, 0), n)
        out.append(_slice_axis(ary, ax, lo, max(lo, hi)))
    return out


def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    """NumPy's ``split``: equal sections, or at the given indices.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> [p.shape for p in fnp.split(np.ones(4), 2)]
    [(2,), (2,)]
    """
    if not is_tracer(ary):
        return np.split(ary, indices_or_sections, axis)
    if isinstance(indices_or_sections, (int, np.integer)):
        n = ary.shape[_axis(axis, ary.ndim, "split")]
        if n % int(indices_or_sections):
            raise ValueError("array split does not result in an equal division")
    return array_split(ary, indices_or_sections, axis)


def _split_at(name: str, axis: int, min_dim: int):
    def fn(ary: Any, indices_or_sections: Any) -> list[Any]:
        if not is_tracer(ary):
            return getattr(np, name)(ary, indices_or_sections)
        if ary.ndim < min_dim:
            raise ValueError(f"{name} only works on arrays of {min_dim} or more dimensions")
        ax = 0 if (name == "hsplit" and ary.ndim == 1) else axis
        return split(ary, indices_or_sections, ax)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"NumPy's ``{name}``.\n\n>>> import ftrans.numpy as fnp, numpy as np\n"
                  f">>> len(fnp.{name}(np.ones((2, 2, 2)), 2))\n2\n")
    return fn


hsplit = _split_at("hsplit", 1, 1)
vsplit = _split_at("vsplit", 0, 2)
dsplit = _split_at("dsplit", 2, 3)

# ----------------------------------------------------------------------------- repeating


def tile(A: Any, reps: Any) -> Any:
    """NumPy's ``tile``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.tile(np.array([1.0, 2.0]), 2)
    array([1., 2., 1., 2.])
    """
    if not is_tracer(A):
        return np.tile(A, reps)
    reps = (int(reps),) if isinstance(reps, (int, np.integer)) else tuple(int(r) for r in reps)
    nd = max(len(reps), A.ndim)
    reps = (1,) * (nd - len(reps)) + reps
    a = sh.reshape(A, (1,) * (nd - A.ndim) + A.shape)
    s = a.shape
    big = tuple(x for r, n in zip(reps, s) for x in (r, n))
    b = sh.broadcast_in_dim(a, big, tuple(range(1, 2 * nd, 2)))
    return sh.reshape(b, tuple(r * n for r, n in zip(reps, s)))


def repeat(a: Any, repeats: Any, axis: int | None = None) -> Any:
    """NumPy's ``repeat`` (``repeats`` a constant).

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.repeat(np.array([1.0, 2.0]), 2)
    array([1., 1., 2., 2.])
    """
    if not is_tracer(a):
        return np.repeat(a, repeats, axis)
    if is_tracer(repeats):
        raise NotImplementedError("repeat with traced repeats: the output shape would depend "
                                  "on the values; pass repeats as a constant")
    if axis is None:
        a, axis = ravel(a), 0
    ax = _axis(axis, a.ndim, "repeat")
    n = a.shape[ax]
    reps = np.asarray(repeats)
    if reps.ndim == 0:
        r = int(reps)
        s = a.shape
        b = sh.broadcast_in_dim(a, s[:ax + 1] + (r,) + s[ax + 1:],
                                tuple(range(ax + 1)) + tuple(range(ax + 2, len(s) + 1)))
        return sh.reshape(b, s[:ax] + (n * r,) + s[ax + 1:])
    idx = np.repeat(np.arange(n), reps)  # NumPy checks the lengths
    return gather(a, idx, ax)


# ----------------------------------------------------------------------------- reordering


def flip(m: Any, axis: Any = None) -> Any:
    """NumPy's ``flip``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.flip(np.array([1.0, 2.0]))
    array([2., 1.])
    """
    if not is_tracer(m):
        return np.flip(m, axis)
    return sl.rev(m, normalize_axes(axis, m.ndim, "flip"))


def fliplr(m: Any) -> Any:
    """NumPy's ``fliplr``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fliplr(np.eye(2))[0]
    array([0., 1.])
    """
    return flip(m, 1)


def flipud(m: Any) -> Any:
    """NumPy's ``flipud``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.flipud(np.eye(2))[0]
    array([0., 1.])
    """
    return flip(m, 0)


def roll(a: Any, shift: Any, axis: Any = None) -> Any:
    """NumPy's ``roll``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.roll(np.array([1.0, 2.0, 3.0]), 1)
    array([3., 1., 2.])
    """
    if not is_tracer(a):
        return np.roll(a, shift, axis)
    if is_tracer(shift):
        raise NotImplementedError("roll with a traced shift: pass the shift as a constant")
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    if type(shift) is int and type(axis) is int:  # fast path: one axis
        return sl.roll(a, (shift,), (_axis(axis, a.ndim, "roll"),))
    shifts = np.broadcast_to(np.asarray(shift), np.broadcast_shapes(np.shape(shift),
                                                                    np.shape(axis)))
    axes = np.broadcast_to(np.asarray(axis), shifts.shape)
    total: dict[int, int] = {}
    for s, ax in zip(shifts.ravel(), axes.ravel()):
        ax = _axis(int(ax), a.ndim, "roll")
        total[ax] = total.get(ax, 0) + int(s)
    return sl.roll(a, tuple(total.values()), tuple(total))


def rot90(m: Any, k: int = 1, axes: tuple[int, int] = (0, 1)) -> Any:
    """NumPy's ``rot90``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.rot90(np.array([[1.0, 2.0], [3.0, 4.0]]))[0]
    array([2., 4.])
    """
    if not is_tracer(m):
        return np.rot90(m, k, axes)
    from ._shape import swapaxes
    k %= 4
    a0, a1 = axes
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    if k == 1:
        return swapaxes(flip(m, a1), a0, a1)
    return flip(swapaxes(m, a0, a1), a1)


# ----------------------------------------------------------------------------- pad


def _pad_widths(pad_width: Any, ndim: int) -> list[tuple[int, int]]:
    w = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (ndim, 2))
    if (w < 0).any():
        raise ValueError("index can't contain negative values")
    return [(int(lo), int(hi)) for lo, hi in w]


def pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Any:
    """NumPy's ``pad`` with ``mode`` 'constant', 'edge', 'reflect', 'symmetric' or 'wrap'.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.pad(np.array([1.0, 2.0]), 1, mode="edge")
    array([1., 1., 2., 2.])
    """
    if not any_tracer((array, kwargs.get("constant_values", 0))):
        return np.pad(array, pad_width, mode=mode, **kwargs)
    array = _as_array(array)
    widths = _pad_widths(pad_width, array.ndim)
    if mode == "constant":
        cval = kwargs.get("constant_values", 0)
        if is_tracer(cval):  # one traced scalar value
            return sl.pad(array, to_dtype(cval, array.dtype), [(lo, hi, 0) for lo, hi in widths])
        values = np.broadcast_to(np.asarray(cval, dtype=object), (array.ndim, 2))
        for ax, (lo, hi) in enumerate(widths):
            for side, w in ((0, lo), (1, hi)):
                if w:
                    cfg = [(0, 0, 0)] * array.ndim
                    cfg[ax] = (w, 0, 0) if side == 0 else (0, w, 0)
                    array = sl.pad(array, np.asarray(values[ax, side], array.dtype), cfg)
        return array
    if mode not in ("edge", "reflect", "symmetric", "wrap"):
        raise NotImplementedError(f"pad mode {mode!r} on traced arrays: use 'constant', "
                                  "'edge', 'reflect', 'symmetric' or 'wrap'")
    for ax, (lo, hi) in enumerate(widths):
        n = array.shape[ax]
        if not (lo or hi):
            continue
        if n == 0:
            raise ValueError(f"can't extend empty axis {ax} using modes other than "
                             "'constant' or 'empty'")
        idx = np.pad(np.arange(n), (lo, hi), mode=mode)  # NumPy's own index pattern
        array = gather(array, idx, ax)
    return array


# ----------------------------------------------------------------------------- diagonals


def _diagonal_indices(n: int, m: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    i = np.arange(max(0, -offset), min(n, m - offset)) if min(n, m - offset) > max(
        0, -offset) else np.zeros(0, np.intp)
    return i, i + offset


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """NumPy's ``diagonal``: the diagonal becomes the last axis.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.diagonal(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([1., 4.])
    """
    if not is_tracer(a):
        return np.diagonal(a, offset, axis1, axis2)
    if a.ndim < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    ax1, ax2 = _axis(axis1, a.ndim, "diagonal"), _axis(axis2, a.ndim, "diagonal")
    if ax1 == ax2:
        raise ValueError("axis1 and axis2 cannot be the same")
    rest = [d for d in range(a.ndim) if d not in (ax1, ax2)]
    moved = sh.transpose(a, rest + [ax1, ax2])
    n, m = a.shape[ax1], a.shape[ax2]
    rows, cols = _diagonal_indices(n, m, int(offset))
    flat = sh.reshape(moved, moved.shape[:-2] + (n * m,))
    return gather(flat, (rows * m + cols).astype(np.intp), len(rest))


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None) -> Any:
    """NumPy's ``trace``: the sum along a diagonal.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.trace(np.eye(3))
    3.0
    """
    if not is_tracer(a):
        return np.trace(a, offset, axis1, axis2, dtype)
    from ._reductions import sum
    return sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def diag(v: Any, k: int = 0) -> Any:
    """NumPy's ``diag``: a 1-D array onto a diagonal of a 2-D one, or a 2-D array's diagonal.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.diag(np.array([1.0, 2.0]))
    array([[1., 0.],
           [0., 2.]])
    """
    if not is_tracer(v):
        return np.diag(v, k)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError("Input must be 1- or 2-d.")
    from ..prims.indexing import scatter_add
    n = v.shape[0] + abs(int(k))
    rows, cols = _diagonal_indices(n, n, int(k))
    out = scatter_add(np.zeros(n * n, v.dtype), (rows * n + cols).astype(np.intp), v, 0)
    return sh.reshape(out, (n, n))


def diagflat(v: Any, k: int = 0) -> Any:
    """NumPy's ``diagflat``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.diagflat(np.ones((1, 2))).shape
    (2, 2)
    """
    return diag(ravel(v), k) if is_tracer(v) else np.diagflat(v, k)


def _triangle(name: str, keep: Any):
    def fn(m: Any, k: int = 0) -> Any:
        if not is_tracer(m):
            return getattr(np, name)(m, k)
        if m.ndim < 2:
            m = broadcast_to_shape(m, (m.shape[0], m.shape[0]) if m.ndim else (1, 1))
        n, c = m.shape[-2:]
        mask = keep(np.arange(n)[:, None], np.arange(c)[None, :], int(k))
        return _where(mask, m, np.zeros((), m.dtype))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"NumPy's ``{name}``: zero out the other triangle.\n\n"
                  f">>> import ftrans.numpy as fnp, numpy as np\n"
                  f">>> fnp.{name}(np.ones((2, 2)))[0, 1]\n"
                  f"{0.0 if name == 'tril' else 1.0}\n")
    return fn


tril = _triangle("tril", lambda i, j, k: j - i <= k)
triu = _triangle("triu", lambda i, j, k: j - i >= k)

# ----------------------------------------------------------------------------- grids, kron


def meshgrid(*xi: Any, copy: bool = True, sparse: bool = False, indexing: str = "xy"
             ) -> tuple[Any, ...]:
    """NumPy's ``meshgrid``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> [g.shape for g in fnp.meshgrid(np.ones(2), np.ones(3))]
    [(3, 2), (3, 2)]
    """
    if not any_tracer(xi):
        return tuple(np.meshgrid(*xi, copy=copy, sparse=sparse, indexing=indexing))
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    xs = [ravel(_as_array(x)) for x in xi]
    nd = len(xs)
    shape = [x.shape[0] for x in xs]
    pos = list(range(nd))
    if indexing == "xy" and nd > 1:
        shape[0], shape[1] = shape[1], shape[0]
        pos[0], pos[1] = 1, 0
    out = []
    for x, p in zip(xs, pos):
        if sparse:
            s = [1] * nd
            s[p] = x.shape[0]
            out.append(reshape(x, s))
        else:
            out.append(sh.broadcast_in_dim(x, tuple(shape), (p,)) if is_tracer(x)
                       else np.broadcast_to(np.reshape(x, [x.shape[0] if i == p else 1
                                                           for i in range(nd)]), shape))
    return tuple(out)


def kron(a: Any, b: Any) -> Any:
    """NumPy's ``kron``: the Kronecker product.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.kron(np.eye(2), np.ones((1, 2))).shape
    (2, 4)
    """
    if not any_tracer((a, b)):
        return np.kron(a, b)
    a, b = _as_array(a), _as_array(b)
    nd = max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = reshape(b, (1,) * (nd - b.ndim) + b.shape)
    sa, sb = shape_of(a), shape_of(b)
    big = tuple(x for p, q in zip(sa, sb) for x in (p, q))
    ab = _bcast_dims(a, big, tuple(range(0, 2 * nd, 2)))
    bb = _bcast_dims(b, big, tuple(range(1, 2 * nd, 2)))
    return reshape(multiply(ab, bb), tuple(p * q for p, q in zip(sa, sb)))


def _bcast_dims(x: Any, shape: tuple, dims: tuple) -> Any:
    if is_tracer(x):
        return sh.broadcast_in_dim(x, shape, dims)
    expanded = [1] * len(shape)
    for src, dst in enumerate(dims):
        expanded[dst] = np.shape(x)[src]
    return np.broadcast_to(np.reshape(x, expanded), shape)



def diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Any:
    """NumPy's ``diff``: the ``n``-th discrete difference along ``axis``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.diff(np.array([1.0, 4.0, 9.0]))
    array([3., 5.])
    """
    if not any_tracer((a, prepend, append)):
        kw = {k: v for k, v in (("prepend", prepend), ("append", append)) if v is not None}
        return np.diff(a, n, axis, **kw)
    a = _as_array(a)
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n}")
    ax = _axis(axis, a.ndim, "diff")
    parts = []
    for extra in (prepend, append):
        if extra is None:
            parts.append(None)
            continue
        e = _as_array(extra)
        if len(shape_of(e)) == 0:
            s = list(a.shape)
            s[ax] = 1
            e = broadcast_to_shape(e, tuple(s)) if is_tracer(e) else np.broadcast_to(e, s)
        parts.append(e)
    if parts[0] is not None or parts[1] is not None:
        a = concatenate([p for p in (parts[0], a, parts[1]) if p is not None], ax)
    for _ in range(n):
        m = shape_of(a)[ax]
        a = _slice_axis(a, ax, 1, max(m, 1)) - _slice_axis(a, ax, 0, max(m - 1, 0))
    return a
