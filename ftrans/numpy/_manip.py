"""Array manipulation: joining and broadcasting — built from the static shape primitives
(slice, concatenate, reshape, broadcast_in_dim), so they are linear and their derivatives
are the primitives'. Splitting, tiling and repeating are ``_splitting.py``'s, reordering and
padding ``_reorder.py``'s, diagonals and triangles ``_diagonals.py``'s, grids, kron and diff
``_grids.py``'s.

>>> import ftrans.numpy as fnp, numpy as np
>>> fnp.stack([np.ones(2), np.zeros(2)]).shape
(2, 2)
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..prims import shape as sh
from ..prims import slicing as sl
from ._literals import OrderKACF
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


def flatten(a: Any, order: OrderKACF = "C") -> Any:
    """``a.flatten()``: a 1-D copy.

    Parameters
    ----------
    a : array_like
        The input (an array, a nested sequence or a traced array).
    order : {'C', 'F', 'A', 'K'}, optional
        The order the elements are read in (default 'C').

    Returns
    -------
    out : ndarray
        A 1-D copy of ``a``; differentiable.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.flatten(np.ones((2, 2))).shape
    (4,)
    """
    return ravel(a, order) if is_tracer(a) else np.asarray(a).flatten(order)


def copy(a: Any) -> Any:
    """NumPy's ``copy``; assigning to a copy of a traced array (``y[i] = v``, see
    ``ftrans.numpy._mutation``) leaves the original as it was.

    Parameters
    ----------
    a : array_like
        The input.

    Returns
    -------
    out : ndarray
        A copy of ``a``; NumPy's ``order`` and ``subok`` keywords are not supported.

    Examples
    --------
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

    Parameters
    ----------
    *args : array_like
        The arrays to broadcast against each other.

    Returns
    -------
    out : tuple of ndarray
        The arrays broadcast to their common shape (a tuple, as NumPy 2 returns).

    Raises
    ------
    ValueError
        If the shapes cannot be broadcast together.

    Examples
    --------
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


def _atleast(n: int, pos: dict[int, tuple[int, ...]]) -> Callable[..., Any]:
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
    fn.__doc__ = (f"NumPy's ``atleast_{n}d``: each input viewed with at least {n} "
                  f"dimension(s).\n\nParameters\n----------\n*arys : array_like\n"
                  f"    One or more arrays.\n\nReturns\n-------\nout : ndarray or tuple "
                  f"of ndarray\n    The array (or a tuple, for several inputs), with length-one "
                  f"axes added as NumPy adds them.\n\nExamples\n--------\n"
                  f">>> import ftrans.numpy as fnp\n"
                  f">>> fnp.atleast_{n}d(1.0).shape\n{(1,) * n}\n")
    return fn


atleast_1d = _atleast(1, {0: (0,)})
atleast_2d = _atleast(2, {0: (0, 0), 1: (0,)})
atleast_3d = _atleast(3, {0: (0, 0, 0), 1: (0, -1), 2: (-1,)})

# ----------------------------------------------------------------------------- joining


def concatenate(arrays: Sequence[Any], axis: int | None = 0, dtype: Any = None) -> Any:
    """NumPy's ``concatenate``.

    Parameters
    ----------
    arrays : sequence of array_like
        The arrays, with equal shapes but along ``axis``.
    axis : int or None, optional
        The axis to join along (default 0); None flattens the arrays first.
    dtype : data-type, optional
        The dtype of the result (default: the arrays' promoted dtype).

    Returns
    -------
    out : ndarray
        The joined array; differentiable in every input. NumPy's ``out`` and ``casting``
        keywords are not supported.

    Raises
    ------
    ValueError
        If ``arrays`` is empty, the arrays are 0-d, or their numbers of dimensions differ.
    numpy.exceptions.AxisError
        If ``axis`` is out of bounds.

    Examples
    --------
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

    Parameters
    ----------
    arr : array_like
        The values first.
    values : array_like
        The values appended; with ``axis`` given, of ``arr``'s shape but along ``axis``.
    axis : int or None, optional
        The axis to join along; None (default) flattens both first.

    Returns
    -------
    out : ndarray
        A new array (``arr`` is unchanged).

    Examples
    --------
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

    Parameters
    ----------
    arrays : sequence of array_like
        Arrays of one shape.
    axis : int, optional
        The position of the new axis in the result (default 0).
    dtype : data-type, optional
        The dtype of the result (default: the arrays' promoted dtype).

    Returns
    -------
    out : ndarray
        The arrays joined along a new axis; differentiable in every input.

    Raises
    ------
    ValueError
        If the arrays' shapes differ.
    numpy.exceptions.AxisError
        If ``axis`` is out of bounds.

    Examples
    --------
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

    Parameters
    ----------
    x : array_like
        An array of at least one dimension.
    axis : int, optional
        The axis to split along (default 0).

    Returns
    -------
    out : tuple of ndarray
        ``x.shape[axis]`` arrays, each of ``x``'s shape without ``axis``.

    Raises
    ------
    ValueError
        If ``x`` is 0-d.
    numpy.exceptions.AxisError
        If ``axis`` is out of bounds.

    Examples
    --------
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

    Parameters
    ----------
    tup : sequence of array_like
        The arrays; 1-D ones are joined along axis 0, others along axis 1.
    dtype : data-type, optional
        The dtype of the result.

    Returns
    -------
    out : ndarray
        The arrays joined horizontally.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.hstack([np.ones(2), np.zeros(1)]).shape
    (3,)
    """
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, 0 if arrs and len(shape_of(arrs[0])) == 1 else 1, dtype)


def vstack(tup: Sequence[Any], dtype: Any = None) -> Any:
    """NumPy's ``vstack``.

    Parameters
    ----------
    tup : sequence of array_like
        The arrays; 1-D ones of length ``n`` count as rows of shape ``(1, n)``.
    dtype : data-type, optional
        The dtype of the result.

    Returns
    -------
    out : ndarray
        The arrays joined along axis 0, at least 2-D.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.vstack([np.ones(2), np.zeros(2)]).shape
    (2, 2)
    """
    return concatenate([atleast_2d(a) for a in tup], 0, dtype)


row_stack = vstack


def dstack(tup: Sequence[Any]) -> Any:
    """NumPy's ``dstack``.

    Parameters
    ----------
    tup : sequence of array_like
        The arrays, made at least 3-D first (a 1-D ``(n,)`` becomes ``(1, n, 1)``).

    Returns
    -------
    out : ndarray
        The arrays joined along the third axis.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.dstack([np.ones(2), np.zeros(2)]).shape
    (1, 2, 2)
    """
    return concatenate([atleast_3d(a) for a in tup], 2)


def column_stack(tup: Sequence[Any]) -> Any:
    """NumPy's ``column_stack``.

    Parameters
    ----------
    tup : sequence of array_like
        1-D arrays (taken as columns) or 2-D arrays.

    Returns
    -------
    out : ndarray
        The 2-D array of the columns side by side.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.column_stack([np.ones(2), np.zeros(2)]).shape
    (2, 2)
    """
    arrs = [_as_array(a) for a in tup]
    return concatenate([reshape(a, (-1, 1)) if len(shape_of(a)) < 2 else a for a in arrs], 1)
