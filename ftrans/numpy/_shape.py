"""Shape functions: reshape, transpose, moveaxis, expand_dims, squeeze, broadcast_to,
ravel; array creation: asarray, zeros_like, ones_like."""

from __future__ import annotations

import math
import operator
from typing import Any, Sequence

import numpy as np

from ..core import Tracer, array_module
from ..prims import shape as sh
from ..prims.slicing import concatenate
from ._literals import OrderACF, OrderKACF
from ._promote import (
    as_array,
    broadcast_shapes,
    dtype_of,
    is_tracer,
    normalize_axes,
    shape_of,
    to_dtype,
)


def copy_of(x: Tracer) -> Tracer:
    """A traced copy of ``x``: the same value, a new variable (so assigning to it does not
    affect ``x`` nor the views taken from ``x``: numpy/_mutation.py).

    >>> import ftrans
    >>> ftrans.grad(lambda x: copy_of(x) * 2.0)(1.0)
    2.0
    """
    return sh.convert_element_type_p.bind(x, new_dtype=x.dtype)


def asarray(a: Any, dtype: Any = None, order: str | None = None, *, device: Any = None,
            copy: bool | None = None) -> Any:
    """NumPy's ``asarray`` (with the array API's ``device=`` and ``copy=``); a traced array
    stays traced. ``copy=True`` copies a NumPy input, ``copy=False`` raises where a copy
    cannot be avoided (a dtype conversion), ``None`` copies only when needed. Traced arrays
    are immutable: they are never copied.

    Parameters
    ----------
    a : array_like
        An array, a nested sequence (which may hold traced arrays: they are stacked), a
        scalar or a traced array.
    dtype : data-type, optional
        The dtype of the result (default: ``a``'s, as NumPy infers it).
    order : {'C', 'F', 'A', 'K'}, optional
        NumPy's memory layout, for plain inputs.
    device : str, optional
        The array API's device: None or 'cpu' (``ftrans.device_put`` moves arrays to a GPU).
    copy : bool, optional
        True: always copy a plain input; False: never copy; None (default): when needed.

    Returns
    -------
    out : ndarray
        The array; under ``jit`` and ``vmap``, a NumPy input becomes a traced constant.

    Raises
    ------
    ValueError
        If ``copy=False`` and a copy is needed (a dtype conversion, or stacking traced
        arrays), nested traced arrays have different shapes, or ``device`` is not 'cpu'.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.asarray([1.0, 2.0])
    array([1., 2.])
    >>> x = np.zeros(2)
    >>> fnp.asarray(x, copy=True) is x, fnp.asarray(x, copy=None) is x
    (False, True)
    """
    _check_device(device, "asarray")
    if is_tracer(a):
        if dtype is not None and np.dtype(dtype) != a.dtype:
            if copy is False:
                raise ValueError(f"asarray: converting a traced {a.dtype} array to "
                                 f"{np.dtype(dtype)} makes a new array, which copy=False "
                                 "forbids")
            a = to_dtype(a, np.dtype(dtype))
        return copy_of(a) if copy else a  # a copy has its own variable (see _mutation)
    if isinstance(a, (list, tuple)) and any(isinstance(e, Tracer) for e in _leaves(a)):
        if copy is False:
            raise ValueError("asarray: stacking a list of traced arrays makes a new array, "
                             "which copy=False forbids")
        # as np.array([...]) does: one dtype from all the entries (Python scalars as
        # float64/int64/bool), then the nested lists stacked
        dt = np.dtype(dtype) if dtype is not None else np.result_type(
            *[dtype_of(e) for e in _leaves(a)])
        return _stack_nested(a, dt)
    xp = array_module([a])
    kwargs: dict[str, Any] = {} if order is None else {"order": order}
    if xp is not np and copy is not None:  # CuPy's asarray has no copy=
        if copy:
            return xp.array(a, dtype=dtype, copy=True, **kwargs)
        out = xp.asarray(a, dtype=dtype, **kwargs)
        if out is not a:
            raise ValueError("asarray: a copy could not be avoided, which copy=False forbids")
        return out
    if copy is not None:
        kwargs["copy"] = copy
    return xp.asarray(a, dtype=dtype, **kwargs)


def array(a: Any, dtype: Any = None, copy: bool | None = True) -> Any:
    """NumPy's ``array``: a copy of a NumPy input unless ``copy=False`` (traced arrays are
    immutable: one stays traced).

    Parameters
    ----------
    a : array_like
        An array, a nested sequence (which may hold traced arrays), a scalar or a traced
        array.
    dtype : data-type, optional
        The dtype of the result.
    copy : bool, optional
        Copy a plain input (default True).

    Returns
    -------
    out : ndarray
        The array (under ``jit`` and ``vmap``, a NumPy input becomes a traced constant).

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> x = np.zeros(2)
    >>> y = fnp.array(x); y[0] = 1.0; x
    array([0., 0.])
    """
    if is_tracer(a) or (isinstance(a, (list, tuple))
                        and any(isinstance(e, Tracer) for e in _leaves(a))):
        return asarray(a, dtype, copy=True if copy else None)  # a list of tracers: stack
    xp = array_module([a])
    return xp.array(a, dtype=dtype, copy=copy)


def _stack_nested(a: Any, dtype: np.dtype) -> Any:
    if not isinstance(a, (list, tuple)):
        return to_dtype(as_array(a), dtype)
    parts = [_stack_nested(e, dtype) for e in a]
    shapes = {shape_of(p) for p in parts}
    if len(shapes) > 1:
        raise ValueError("setting an array element with a sequence. The requested array has "
                         f"an inhomogeneous shape: entries of shapes {sorted(shapes)}")
    if not parts:
        return np.zeros((0,), dtype)
    if not any(is_tracer(p) for p in parts):
        return np.stack(parts)
    return concatenate([sh.expand_dims(p, (0,)) for p in parts], 0)


def _check_device(device: Any, where: str) -> None:
    if device is not None:
        from ._inspection import check_device
        check_device(device, where)


def _leaves(a: Any) -> list[Any]:
    if isinstance(a, (list, tuple)):
        return [leaf for e in a for leaf in _leaves(e)]
    return [a]


def _like(fill: float):
    def fn(a: Any, dtype: Any = None, shape: Any = None, *, device: Any = None) -> Any:
        _check_device(device, "zeros_like" if fill == 0 else "ones_like")
        if not is_tracer(a):
            xp = array_module([a])
            return xp.full_like(a, fill, dtype=dtype, shape=shape)
        base = a.val if a.val is not None and not is_tracer(a.val) else None
        xp = array_module([base]) if base is not None else np
        return xp.full(a.shape if shape is None else shape, fill,
                       dtype=a.dtype if dtype is None else dtype)
    return fn


zeros_like = _like(0)
zeros_like.__name__ = zeros_like.__qualname__ = "zeros_like"
zeros_like.__doc__ = """An array of zeros shaped like ``a`` (a constant: no derivative flows).

Parameters
----------
a : array_like
    The array whose shape and dtype are copied (traced or not).
dtype : data-type, optional
    The result's dtype (default ``a``'s).
shape : int or tuple of int, optional
    The result's shape (default ``a``'s).
device : str, optional
    The array API's device: None or 'cpu'.

Returns
-------
out : ndarray
    A NumPy (or, for a CuPy ``a``, CuPy) array, never traced.

Examples
--------
>>> import ftrans.numpy as fnp
>>> fnp.zeros_like(3.0)
array(0.)
"""
ones_like = _like(1)
ones_like.__name__ = ones_like.__qualname__ = "ones_like"
ones_like.__doc__ = """An array of ones shaped like ``a``.

Parameters
----------
a : array_like
    The array whose shape and dtype are copied (traced or not).
dtype : data-type, optional
    The result's dtype (default ``a``'s).
shape : int or tuple of int, optional
    The result's shape (default ``a``'s).
device : str, optional
    The array API's device: None or 'cpu'.

Returns
-------
out : ndarray
    A NumPy (or, for a CuPy ``a``, CuPy) array, never traced.

Examples
--------
>>> import ftrans.numpy as fnp
>>> fnp.ones_like(3.0)
array(1.)
"""


def reshape(a: Any, shape: Any = None, order: OrderACF = "C", *, newshape: Any = None,
            copy: bool | None = None) -> Any:
    """NumPy's ``reshape`` (C order); one dimension may be -1. ``copy`` as in NumPy (and
    the array API): ``True`` always copies, ``False`` raises where a view is impossible;
    traced arrays are immutable and never copied.

    Parameters
    ----------
    a : array_like
        The input: an array, a nested sequence, a scalar or a traced array.
    shape : int or tuple of int
        The new shape; one entry may be -1.
    order : {'C'}, optional
        Only C order.
    newshape : tuple of int, optional
        NumPy 1's name of ``shape``.
    copy : bool, optional
        As in NumPy; traced arrays are never copied.

    Returns
    -------
    out : ndarray
        The same elements in the new shape.

    Raises
    ------
    ValueError
        If the sizes differ.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.reshape(np.arange(6.0), (2, -1)).shape
    (2, 3)
    """
    shape = newshape if shape is None else shape
    if not is_tracer(a):
        if copy is None:
            return np.reshape(a, shape, order=order)
        return np.reshape(a, shape, order=order, copy=copy)
    if order != "C":
        raise NotImplementedError("ftrans.numpy.reshape supports order='C' only")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    size = a.size
    if shape.count(-1) > 1:
        raise ValueError("can only specify one unknown dimension")
    if -1 in shape:
        known = math.prod([s for s in shape if s != -1])
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape array of size {size} into shape "
                             f"{tuple(shape)}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    if math.prod(shape) != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
    return sh.reshape(a, shape)


def transpose(a: Any, axes: Sequence[int] | None = None) -> Any:
    """NumPy's ``transpose``.

    Parameters
    ----------
    a : array_like
        The input: an array, a nested sequence, a scalar or a traced array.
    axes : sequence of int, optional
        The permutation (default: reversed axes).

    Returns
    -------
    out : ndarray
        The permuted array.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.transpose(np.zeros((2, 3))).shape
    (3, 2)
    """
    if not is_tracer(a):
        return np.transpose(a, axes)
    n = a.ndim
    if axes is None:
        perm = tuple(range(n))[::-1]
    else:
        perm = tuple(int(p) % n if -n <= int(p) < n else int(p) for p in axes)
        if sorted(perm) != list(range(n)):
            raise ValueError("axes don't match array")
    return sh.transpose(a, perm)


def moveaxis(a: Any, source: Any, destination: Any) -> Any:
    """NumPy's ``moveaxis``.

    Parameters
    ----------
    a : array_like
        The input: an array, a nested sequence, a scalar or a traced array.
    source, destination : int or sequence of int
        The axes moved and where they go.

    Returns
    -------
    out : ndarray
        The array with its axes moved.

    Raises
    ------
    numpy.exceptions.AxisError
        If an axis is out of bounds.
    ValueError
        If an axis repeats, or ``source`` and ``destination`` differ in length.
    TypeError
        If an axis is not an integer.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.moveaxis(np.zeros((2, 3, 4)), 0, -1).shape
    (3, 4, 2)
    """
    if not is_tracer(a):
        return np.moveaxis(a, source, destination)
    n = a.ndim
    src, dst = _moved_axes(source, n, "source"), _moved_axes(destination, n, "destination")
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source and destination must have the same number of "
                         f"axes, got {len(src)} ({source!r}) and {len(dst)} ({destination!r})")
    if isinstance(source, int) and isinstance(destination, int):
        return sh.moveaxis(a, src[0], dst[0])
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return sh.transpose(a, order)


def _moved_axes(axes: Any, ndim: int, name: str) -> list[int]:
    """``moveaxis``'s ``source`` or ``destination`` (an int or a sequence) as non-negative
    axes, in their order; NumPy's AxisError out of bounds, ValueError for a repeated one."""
    try:
        given = [operator.index(axes)] if np.ndim(axes) == 0 else \
            [operator.index(ax) for ax in axes]
    except TypeError:
        raise TypeError(f"moveaxis: {name} must be an integer or a sequence of integers, got "
                        f"{axes!r}") from None
    out = []
    for ax in given:
        if not -ndim <= ax < ndim:
            raise np.exceptions.AxisError(f"moveaxis: {name} axis {ax} is out of bounds for "
                                          f"array of dimension {ndim}")
        out.append(ax % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"moveaxis: repeated axis in {name} {axes!r}")
    return out


def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    """NumPy's ``swapaxes``.

    Parameters
    ----------
    a : array_like
        The input: an array, a nested sequence, a scalar or a traced array.
    axis1, axis2 : int
        The two axes exchanged.

    Returns
    -------
    out : ndarray
        The array with the two axes exchanged.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.swapaxes(np.zeros((2, 3)), 0, 1).shape
    (3, 2)
    """
    if not is_tracer(a):
        return np.swapaxes(a, axis1, axis2)
    perm = list(range(a.ndim))
    i, j = normalize_axes(axis1, a.ndim, "swapaxes")[0], normalize_axes(axis2, a.ndim,
                                                                       "swapaxes")[0]
    perm[i], perm[j] = perm[j], perm[i]
    return sh.transpose(a, perm)


def expand_dims(a: Any, axis: Any) -> Any:
    """NumPy's ``expand_dims``.

    Parameters
    ----------
    a : array_like
        The input: an array, a nested sequence, a scalar or a traced array.
    axis : int or tuple of int
        Where the new length-one axes go.

    Returns
    -------
    out : ndarray
        The array with the new axes.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.expand_dims(np.zeros(3), 0).shape
    (1, 3)
    """
    if not is_tracer(a):
        return np.expand_dims(a, axis)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return sh.expand_dims(a, normalize_axes(axes, a.ndim + len(axes), "expand_dims"))


def squeeze(a: Any, axis: Any = None) -> Any:
    """NumPy's ``squeeze``.

    Parameters
    ----------
    a : array_like
        The input: an array, a nested sequence, a scalar or a traced array.
    axis : int or tuple of int, optional
        The length-one axes removed (default all).

    Returns
    -------
    out : ndarray
        The array without those axes.

    Raises
    ------
    ValueError
        If a chosen axis does not have length one.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.squeeze(np.zeros((1, 3))).shape
    (3,)
    """
    if not is_tracer(a):
        return np.squeeze(a, axis)
    if axis is None:
        axes = tuple(i for i, s in enumerate(a.shape) if s == 1)
    else:
        axes = normalize_axes(axis, a.ndim, "squeeze")
        for i in axes:
            if a.shape[i] != 1:
                raise ValueError("cannot select an axis to squeeze out which has size not "
                                 "equal to one")
    return sh.squeeze(a, axes)


def broadcast_to(a: Any, shape: Any) -> Any:
    """NumPy's ``broadcast_to``.

    Parameters
    ----------
    a : array_like
        The input: an array, a nested sequence, a scalar or a traced array.
    shape : tuple of int
        The shape broadcast to.

    Returns
    -------
    out : ndarray
        ``a`` broadcast (its derivative sums the cotangent back).

    Raises
    ------
    ValueError
        If ``a`` does not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.broadcast_to(1.0, (2,)).shape
    (2,)
    """
    if not is_tracer(a):
        return np.broadcast_to(a, shape)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if broadcast_shapes((a, np.empty(shape, dtype=np.bool_)), "broadcast_to") != shape:
        raise ValueError(f"cannot broadcast a traced array of shape {a.shape} to {shape}")
    lead = len(shape) - a.ndim
    return sh.broadcast_in_dim(a, shape, tuple(range(lead, len(shape))))


def ravel(a: Any, order: OrderKACF = "C") -> Any:
    """NumPy's ``ravel``.

    Parameters
    ----------
    a : array_like
        The input: an array, a nested sequence, a scalar or a traced array.
    order : {'C'}, optional
        Only C order.

    Returns
    -------
    out : ndarray
        The flattened array.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.ravel(np.zeros((2, 3))).shape
    (6,)
    """
    if not is_tracer(a):
        return np.ravel(a, order)
    if order != "C":
        raise NotImplementedError("ftrans.numpy.ravel supports order='C' only")
    return reshape(a, (a.size,))
