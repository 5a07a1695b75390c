"""Array manipulation: joining, splitting, broadcasting, tiling and repeating — built from
the static shape primitives (slice, concatenate, reshape, broadcast_in_dim) and gather, so
they are linear and their derivatives are the primitives'. Reordering and padding are
``_reorder.py``'s, diagonals and triangles ``_diagonals.py``'s, grids, kron and diff
``_grids.py``'s.

>>> import ftrans.numpy as fnp, numpy as np
>>> fnp.stack([np.ones(2), np.zeros(2)]).shape
(2, 2)
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..prims import shape as sh
from ..prims import slicing as sl
from ..prims.indexing import gather
from ._promote import (
    any_gpu_array,
    any_tracer,
    broadcast_shapes,
    is_tracer,
    normalize_axes,
    result_dtype,
    shape_of,
    to_dtype,
)
from ._promote import as_array as _as_array
from ._shape import copy_of, expand_dims, ravel, reshape

# ----------------------------------------------------------------------------- small helpers


def one_axis(axis: int, ndim: int, what: str) -> int:
    """``axis`` of an array of ``ndim`` dimensions, normalized (negative counts from the
    end); ``AxisError`` naming ``what`` when out of range.

    >>> one_axis(-1, 3, "stack")
    2
    """
    return normalize_axes(axis, ndim, what)[0]


def slice_axis(x: Any, axis: int, start: int, stop: int, step: int = 1) -> Any:
    """``x[start:stop:step]`` along ``axis`` (static bounds): one ``slice`` primitive.

    >>> slice_axis(np.arange(6.0).reshape(2, 3), 1, 0, 3, 2)
    array([[0., 2.],
           [3., 5.]])
    """
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
    ax = one_axis(axis, nd, "concatenate")
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
    ax = one_axis(axis, arrays[0].ndim + 1, "stack")
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
    ax = one_axis(axis, x.ndim, "unstack")
    rest = x.shape[:ax] + x.shape[ax + 1:]
    return tuple(reshape(slice_axis(x, ax, i, i + 1), rest) for i in range(x.shape[ax]))


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
    ax = one_axis(axis, ary.ndim, "array_split")
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
        out.append(slice_axis(ary, ax, lo, max(lo, hi)))
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
        n = ary.shape[one_axis(axis, ary.ndim, "split")]
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
    ax = one_axis(axis, a.ndim, "repeat")
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
