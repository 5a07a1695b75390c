"""Sorting, searching and selection: sort (a gather with argsort's indices, so its
derivative moves with the values), argsort, searchsorted, where, nonzero, select, unique."""

from __future__ import annotations

from typing import Any, Sequence, cast

import numpy as np

from ..core import array_module, same_device
from ..device import to_host
from ..prims import sorting as so
from ._elementwise import where as _where3
from ._indexing import _concrete, take, take_along_axis
from ._literals import SortKind, SortSide
from ._promote import any_tracer, is_tracer, normalize_axes, to_dtype


def argsort(a: Any, axis: int | None = -1, kind: SortKind | None = None, order: Any = None, *,
            stable: bool | None = None, descending: bool = False) -> Any:
    """NumPy's ``argsort`` (stable unless ``kind`` says otherwise: equal values keep their
    order; an integer result: no derivative), with the array API's ``descending=`` (equal
    values keep their order there too).

    Parameters
    ----------
    a : array_like
        The values.
    axis : int or None, optional
        The axis sorted along (default -1); None flattens ``a`` first.
    kind : str, optional
        NumPy's algorithm name; traced arrays always sort stably.
    order : None
        Structured-array fields: not supported on traced arrays.
    stable : bool, optional
        NumPy's flag; the sort is stable either way (also on plain arrays, unlike NumPy's
        default).
    descending : bool, optional
        Sort from largest to smallest (default False).

    Returns
    -------
    index : ndarray of intp
        The indices that sort ``a`` along ``axis``.

    Raises
    ------
    numpy.exceptions.AxisError
        If ``a`` is 0-d (with an axis) or ``axis`` is out of bounds.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.argsort(np.array([3.0, 1.0, 2.0]))
    array([1, 2, 0])
    >>> fnp.argsort(np.array([1.0, 3.0, 1.0]), descending=True)
    array([1, 0, 2])
    """
    if not is_tracer(a):
        if descending:
            return _descending(a, axis)
        if kind is None and stable is None:
            stable = True  # as on traced arrays (and the array API's default)
        return np.argsort(a, axis=axis, kind=kind, order=order, stable=stable)
    if axis is None:
        from ._shape import ravel
        a, axis = ravel(a), 0
    if a.ndim == 0:
        raise np.exceptions.AxisError("argsort: axis -1 is out of bounds for array of "
                                      "dimension 0")
    ax = normalize_axes(axis, a.ndim, "argsort")[0]
    if descending:
        from ._reorder import flip
        n = a.shape[ax]
        return (n - 1) - flip(so.argsort(flip(a, ax), ax), ax)
    return so.argsort(a, ax)


def _descending(a: Any, axis: int | None) -> Any:
    """The stable descending argsort of a plain (NumPy or CuPy) array: ascending on the
    reversed array, read backwards, so equal values keep their original order."""
    from ._promote import as_array
    a = as_array(a)
    if axis is None:
        a, axis = a.ravel(), 0
    if a.ndim == 0:
        return np.argsort(a, kind="stable")
    ax = normalize_axes(axis, a.ndim, "argsort")[0]
    idx = np.argsort(np.flip(a, ax), axis=ax, kind="stable")
    return (a.shape[ax] - 1) - np.flip(idx, ax)


def sort(a: Any, axis: int | None = -1, kind: SortKind | None = None, order: Any = None, *,
         stable: bool | None = None, descending: bool = False) -> Any:
    """NumPy's ``sort``, with the array API's ``descending=``; the derivative follows each
    value to its sorted place.

    Parameters
    ----------
    a : array_like
        The values.
    axis : int or None, optional
        The axis sorted along (default -1); None flattens ``a`` first.
    kind : str, optional
        NumPy's algorithm name; traced arrays always sort stably.
    order : None
        Structured-array fields: not supported on traced arrays.
    stable : bool, optional
        NumPy's flag.
    descending : bool, optional
        Sort from largest to smallest (default False).

    Returns
    -------
    out : ndarray
        The sorted values; differentiable.

    Raises
    ------
    numpy.exceptions.AxisError
        If ``a`` is 0-d (with an axis) or ``axis`` is out of bounds.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.sort(np.array([3.0, 1.0, 2.0]))
    array([1., 2., 3.])
    >>> fnp.sort(np.array([3.0, 1.0, 2.0]), descending=True)
    array([3., 2., 1.])
    """
    if not is_tracer(a):
        if descending:
            from ._promote import as_array
            a = as_array(a)
            if axis is None:
                a, axis = a.ravel(), 0
            if a.ndim == 0:
                return np.sort(a, axis=axis)  # NumPy's AxisError
            return np.take_along_axis(a, _descending(a, axis), axis)
        return np.sort(a, axis=axis, kind=kind, order=order, stable=stable)
    if axis is None:
        from ._shape import ravel
        a, axis = ravel(a), 0
    if a.ndim == 0:
        raise np.exceptions.AxisError("axis -1 is out of bounds for array of dimension 0")
    ax = normalize_axes(axis, a.ndim, "sort")[0]
    return take_along_axis(a, argsort(a, ax, descending=descending), ax)


def searchsorted(a: Any, v: Any, side: SortSide = "left", sorter: Any = None) -> Any:
    """NumPy's ``searchsorted`` (an integer result: no derivative with respect to either).

    Parameters
    ----------
    a : array_like
        A sorted 1-D array (or one that ``sorter`` sorts).
    v : array_like
        The values to insert.
    side : {'left', 'right'}, optional
        For a value equal to an entry of ``a``, the index before it ('left', default) or
        after it.
    sorter : array_like of int, optional
        The indices that sort ``a``.

    Returns
    -------
    index : ndarray of intp
        Where each value of ``v`` would go to keep ``a`` sorted, of ``v``'s shape.

    Raises
    ------
    ValueError
        If ``side`` is neither 'left' nor 'right'.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> int(fnp.searchsorted(np.array([1.0, 2.0, 3.0]), 2.5))
    2
    """
    if not any_tracer((a, v, sorter)):
        return np.searchsorted(a, v, side=side, sorter=sorter)
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right' (got {side!r})")
    from ._promote import result_dtype, to_dtype
    if sorter is not None:
        a = take(a, sorter)
    dt = result_dtype(a, v)
    return so.searchsorted(to_dtype(a, dt), to_dtype(v, dt), side)


def nonzero(a: Any, *, size: int | None = None, fill_value: Any = None) -> tuple[Any, ...]:
    """NumPy's ``nonzero``: the indices of the nonzero elements, one array per dimension.
    Their number depends on the values, so traced arrays need them concrete (``grad``) —
    or, as in JAX, a static ``size``: the first ``size`` indices, padded with
    ``fill_value`` (0 unless given; a tuple gives one per dimension). That works under
    ``jit`` and ``vmap`` too.

    Parameters
    ----------
    a : array_like
        The input, at least 1-D.
    size : int, optional
        A static number of indices to return (JAX's keyword; NumPy has none).
    fill_value : scalar or tuple, optional
        The padding past the last nonzero element, with ``size`` only.

    Returns
    -------
    indices : tuple of ndarray of intp
        One index array per dimension of ``a``.

    Raises
    ------
    ftrans.errors.ConcretizationError
        If ``a`` is abstract (under ``jit`` or ``vmap``) and ``size`` is not given.
    ValueError
        If ``fill_value`` is given without ``size``, ``a`` is 0-d, or a tuple
        ``fill_value`` has not ``a.ndim`` entries.
    TypeError
        If ``size`` is not a non-negative int.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> fnp.nonzero(np.array([0.0, 2.0]))
    (array([1]),)
    >>> ftrans.jit(lambda x: fnp.nonzero(x, size=3, fill_value=-1))(np.array([0.0, 2.0, 3.0, 0.0]))
    (array([ 1,  2, -1]),)
    """
    if size is None:
        if fill_value is not None:
            raise ValueError("nonzero: fill_value needs size= (the number of indices to "
                             "return)")
        return np.nonzero(_concrete(a, "nonzero (one-argument where)"))
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
        raise TypeError(f"nonzero: size must be a non-negative int, got {size!r}")
    return _nonzero_sized(a, int(size), fill_value)


def _nonzero_sized(a: Any, size: int, fill_value: Any) -> tuple[Any, ...]:
    """nonzero with a static ``size``: the flat positions of the nonzero elements come first
    in a stable argsort of ``a == 0``; positions past their count get ``fill_value``."""
    from ._division import floor_divide, remainder
    from ._elementwise import equal, less
    from ._manip import concatenate
    from ._promote import shape_of
    from ._shape import ravel
    from ._stats import count_nonzero
    shape = shape_of(a)
    if not shape:
        raise ValueError("nonzero: calling nonzero on 0d arrays is not allowed; use "
                         "atleast_1d(a).nonzero() instead")
    fills = fill_value if isinstance(fill_value, (tuple, list)) else (fill_value,) * len(shape)
    if len(fills) != len(shape):
        raise ValueError(f"nonzero: fill_value must be a scalar or a tuple of length "
                         f"{len(shape)} (a.ndim), got {fill_value!r}")
    if not is_tracer(a):  # NumPy's (or CuPy's) indices, cut or padded to ``size``
        xp = array_module([a])
        out = []
        for ind, fill in zip(xp.nonzero(a), fills):
            part = xp.full(size, 0 if fill is None else fill, dtype=np.intp)
            part[:min(size, ind.shape[0])] = ind[:size]
            out.append(part)
        return tuple(out)
    flat = ravel(a)
    n = shape_of(flat)[0]
    is_zero = equal(flat, 0) if flat.dtype != np.bool_ else equal(flat, False)
    order = to_dtype(so.argsort(to_dtype(is_zero, np.dtype(np.int8)), 0), np.dtype(np.intp))
    if size <= n:
        order = order[:size]
    else:
        order = concatenate([order, np.zeros(size - n, np.intp)])
    valid = less(np.arange(size, dtype=np.intp), count_nonzero(flat))
    strides = np.cumprod((shape[1:] + (1,))[::-1])[::-1]
    out = []
    for dim, stride, fill in zip(shape, strides, fills):
        coord = remainder(floor_divide(order, int(stride)), dim)
        fill = 0 if fill is None else fill
        out.append(to_dtype(_where3(valid, coord, fill), np.dtype(np.intp)))
    return tuple(out)


def flatnonzero(a: Any, *, size: int | None = None, fill_value: Any = None) -> Any:
    """NumPy's ``flatnonzero``: the indices of the nonzero elements of ``ravel(a)``; traced
    arrays need ``size=`` unless concrete (see ``nonzero``).

    Parameters
    ----------
    a : array_like
        The input.
    size : int, optional
        A static number of indices to return (JAX's keyword; NumPy has none).
    fill_value : scalar, optional
        The padding past the last nonzero element (default 0).

    Returns
    -------
    index : ndarray of intp
        The positions of the nonzero elements in ``ravel(a)``.

    Raises
    ------
    ftrans.errors.ConcretizationError
        If ``a`` is abstract (under ``jit`` or ``vmap``) and ``size`` is not given.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.flatnonzero(np.array([0.0, 2.0]))
    array([1])
    """
    if size is None and fill_value is None:
        return np.flatnonzero(_concrete(a, "flatnonzero"))
    from ._shape import ravel
    return nonzero(ravel(a), size=size, fill_value=fill_value)[0]


def argwhere(a: Any, *, size: int | None = None, fill_value: Any = None) -> Any:
    """NumPy's ``argwhere``: one row of indices per nonzero element; traced arrays need
    ``size=`` unless concrete (see ``nonzero``).

    Parameters
    ----------
    a : array_like
        The input.
    size : int, optional
        A static number of rows to return (JAX's keyword; NumPy has none).
    fill_value : scalar or tuple, optional
        The padding past the last nonzero element (default 0).

    Returns
    -------
    index : ndarray of intp
        Of shape ``(number of nonzero elements, a.ndim)`` (``(size, a.ndim)`` with ``size``).

    Raises
    ------
    ftrans.errors.ConcretizationError
        If ``a`` is abstract (under ``jit`` or ``vmap``) and ``size`` is not given.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.argwhere(np.array([0.0, 2.0]))
    array([[1]])
    """
    if size is None and fill_value is None:
        return np.argwhere(_concrete(a, "argwhere"))
    from ._manip import stack
    from ._promote import shape_of
    if not shape_of(a):  # no index columns: only the number of rows is asked for
        return np.zeros((size if size is not None else 0, 0), np.intp)
    return stack(nonzero(a, size=size, fill_value=fill_value), axis=-1)


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    """NumPy's ``where``: ``x`` where ``condition`` holds, else ``y``; with one argument,
    ``nonzero(condition)`` (which needs a concrete condition).

    Parameters
    ----------
    condition : array_like of bool
        Where to take ``x``.
    x, y : array_like, optional
        The values, broadcast with ``condition``; give both or neither.

    Returns
    -------
    out : ndarray or tuple of ndarray
        The selection, differentiable in ``x`` and ``y`` (each gets the cotangent where it is
        selected); with ``condition`` alone, ``nonzero(condition)``.

    Raises
    ------
    ftrans.errors.ConcretizationError
        With ``condition`` alone, if it is abstract (under ``jit`` or ``vmap``).
    ValueError
        If only one of ``x`` and ``y`` is given.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.where(True, 1.0, 2.0)
    1.0
    """
    if x is None and y is None:
        return nonzero(condition)
    return _where3(condition, x, y)


def select(condlist: Sequence[Any], choicelist: Sequence[Any], default: Any = 0) -> Any:
    """NumPy's ``select``: the first choice whose condition holds, else ``default``.

    Parameters
    ----------
    condlist : sequence of array_like of bool
        The conditions, tried in order.
    choicelist : sequence of array_like
        One choice per condition.
    default : scalar or array_like, optional
        The value where no condition holds (default 0).

    Returns
    -------
    out : ndarray
        The selection, differentiable in the choices and ``default``.

    Raises
    ------
    ValueError
        If the two lists differ in length or are empty.
    TypeError
        If a condition is not boolean.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.select([np.array([True, False])], [np.array([1.0, 2.0])], 0.0)
    array([1., 0.])
    """
    if not any_tracer(tuple(condlist) + tuple(choicelist) + (default,)):
        return np.select(condlist, choicelist, default)
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if not condlist:
        raise ValueError("select with an empty condition list is not possible")
    from ._promote import dtype_of, result_dtype, to_dtype
    dt = result_dtype(*choicelist, default)
    out = to_dtype(default, dt)
    for cond, choice in zip(reversed(condlist), reversed(choicelist)):
        if not (is_tracer(cond) and cond.dtype == np.bool_) and not (
                not is_tracer(cond) and dtype_of(cond) == np.bool_):
            raise TypeError(f"invalid entry in condlist: should be boolean ndarray, got "
                            f"{getattr(cond, 'dtype', type(cond).__name__)}")
        out = _where3(cond, to_dtype(choice, dt), out)
    return out


def unique(ar: Any, return_index: bool = False, return_inverse: bool = False,
           return_counts: bool = False, axis: int | None = None, *,
           equal_nan: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    """NumPy's ``unique`` of a concrete value; the unique values stay differentiable (each
    is the first occurrence of its value). They are always sorted, which ``sorted=False``
    (NumPy 2.3's "any order will do") allows.

    Parameters
    ----------
    ar : array_like
        The input; when traced, its value must be concrete.
    return_index, return_inverse, return_counts : bool, optional
        Also return the first indices, the inverse indices or the counts (as NumPy).
    axis : None
        Only None on traced arrays.
    equal_nan : bool, optional
        Count all NaNs as one value (default True).
    sorted : bool, optional
        Ignored: the values are always sorted.

    Returns
    -------
    out : ndarray or tuple of ndarray
        The sorted unique values, and the requested index arrays.

    Raises
    ------
    ftrans.errors.ConcretizationError
        If ``ar`` is abstract (under ``jit`` or ``vmap``).
    NotImplementedError
        If ``axis`` is given for a traced ``ar``.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.unique(np.array([2.0, 1.0, 2.0]))
    array([1., 2.])
    """
    if not is_tracer(ar):
        # cast: NumPy's stubs have overloads for literal return_* flags only
        return cast(Any, np.unique)(ar, return_index, return_inverse, return_counts, axis,
                                    equal_nan=equal_nan)
    if axis is not None:
        raise NotImplementedError("unique(axis=...) on traced arrays: use axis=None")
    val = _concrete(ar, "unique")
    res = cast(Any, np.unique)(to_host(val), return_index=True, return_inverse=return_inverse,
                               return_counts=return_counts, equal_nan=equal_nan)
    values = take(ar, res[1])
    extra = []
    if return_index:
        extra.append(res[1])
    extra.extend(res[2:])
    extra = [same_device(e, val) for e in extra]  # on the GPU for a CuPy ``ar``
    return (values, *extra) if extra else values
