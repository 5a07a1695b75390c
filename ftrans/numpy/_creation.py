"""Array creation with NumPy's names (zeros, ones, full, eye, arange, linspace, ...), and
NumPy's constants and dtype objects, so that ``import ftrans.numpy as np``-style code runs.
Shapes must be concrete; ``full``/``full_like`` with a traced fill value and ``linspace``
with traced endpoints are traced (and differentiable in them), everything else is NumPy's.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from numpy import (  # noqa: F401  (re-exported: NumPy's constants and dtypes)
    bool_,
    complex64,
    complex128,
    e,
    euler_gamma,
    finfo,
    float16,
    float32,
    float64,
    iinfo,
    inf,
    int8,
    int16,
    int32,
    int64,
    nan,
    newaxis,
    pi,
    uint8,
    uint16,
    uint32,
    uint64,
)

from ._elementwise import astype, where
from ._promote import any_tracer, is_tracer, result_dtype, shape_of
from ._shape import _check_device, asarray, broadcast_to, moveaxis, zeros_like

zeros, ones, empty, eye, identity, arange, tri = (np.zeros, np.ones, np.empty, np.eye,
                                                  np.identity, np.arange, np.tri)


def full(shape: Any, fill_value: Any, dtype: Any = None, *, device: Any = None) -> Any:
    """NumPy's ``full``; a traced ``fill_value`` gives a traced array.

    Parameters
    ----------
    shape : int or sequence of int
        The shape.
    fill_value : scalar or array_like
        The value (may be traced), broadcast to ``shape``.
    dtype : data-type, optional
        The dtype (default ``fill_value``'s).
    device : str, optional
        The array API's device: None or 'cpu'.

    Returns
    -------
    out : ndarray
        The filled array; differentiable in a traced ``fill_value``. NumPy's ``order``
        and ``like`` keywords are not supported.

    Raises
    ------
    ValueError
        If ``device`` is not 'cpu', or ``fill_value`` does not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.full(2, 1.5)
    array([1.5, 1.5])
    """
    _check_device(device, "full")
    if not is_tracer(fill_value):
        return np.full(shape, fill_value, dtype)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return broadcast_to(asarray(fill_value, dtype), shape)


def full_like(a: Any, fill_value: Any, dtype: Any = None, *, shape: Any = None,
              device: Any = None) -> Any:
    """NumPy's ``full_like``: ``a``'s shape (or ``shape``) and dtype (unless given) filled
    with ``fill_value``.

    Parameters
    ----------
    a : array_like
        The array whose shape and dtype are used.
    fill_value : scalar or array_like
        The value (may be traced).
    dtype : data-type, optional
        The dtype (default ``a``'s).
    shape : int or sequence of int, optional
        The shape (default ``a``'s).
    device : str, optional
        The array API's device: None or 'cpu'.

    Returns
    -------
    out : ndarray
        The filled array; differentiable in a traced ``fill_value``.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.full_like(np.zeros(2), 3), fnp.full_like(np.zeros(2), 3, shape=(1,))
    (array([3., 3.]), array([3.]))
    """
    _check_device(device, "full_like")
    if not any_tracer((a, fill_value)):
        return np.full_like(a, fill_value, dtype, shape=shape)
    dtype = dtype if dtype is not None else a.dtype
    return full(shape_of(a) if shape is None else shape, asarray(fill_value, dtype), dtype)


def empty_like(a: Any, dtype: Any = None, *, shape: Any = None, device: Any = None) -> Any:
    """NumPy's ``empty_like`` (zeros here, on a trace); ``shape`` replaces ``a``'s.

    Parameters
    ----------
    a : array_like
        The array whose shape and dtype are used.
    dtype : data-type, optional
        The dtype (default ``a``'s).
    shape : int or sequence of int, optional
        The shape (default ``a``'s).
    device : str, optional
        The array API's device: None or 'cpu'.

    Returns
    -------
    out : ndarray
        An uninitialized array for plain ``a`` (as NumPy), zeros for a traced one.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.empty_like(np.zeros(2)).shape, fnp.empty_like(np.zeros(2), shape=(3, 1)).shape
    ((2,), (3, 1))
    """
    _check_device(device, "empty_like")
    if not is_tracer(a):
        return np.empty_like(a, dtype, shape=shape)
    return zeros_like(a, dtype, shape=shape)


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: Any = None, axis: int = 0, *,
             device: Any = None) -> Any:
    """NumPy's ``linspace``; traced ``start``/``stop`` give a traced (differentiable) result.

    Parameters
    ----------
    start, stop : array_like
        The end points (may be traced; arrays give one sequence per element).
    num : int, optional
        The number of samples (default 50).
    endpoint : bool, optional
        Include ``stop`` (default True).
    retstep : bool, optional
        Also return the step (default False).
    dtype : data-type, optional
        The result's dtype (default float, or ``start``/``stop``'s inexact dtype).
    axis : int, optional
        The axis of the samples in the result, for array end points (default 0).
    device : str, optional
        The array API's device: None or 'cpu'.

    Returns
    -------
    samples : ndarray
        ``num`` evenly spaced samples; differentiable in ``start`` and ``stop``.
    step : ndarray
        The spacing, with ``retstep`` only.

    Raises
    ------
    ValueError
        If ``num`` is negative.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.linspace(0.0, 1.0, 3)
    array([0. , 0.5, 1. ])
    """
    _check_device(device, "linspace")
    if not any_tracer((start, stop)):
        # cast: NumPy's stubs have overloads for a literal retstep only
        return cast(Any, np.linspace)(start, stop, num, endpoint, retstep, dtype, axis)
    if num < 0:
        raise ValueError(f"linspace: num must be non-negative, got num={num}")
    dt = result_dtype(start, stop, 1.0)
    start, stop = astype(asarray(start), dt), astype(asarray(stop), dt)
    div = (num - 1) if endpoint else num
    extra = (1,) * len(np.broadcast_shapes(shape_of(start), shape_of(stop)))
    i = np.arange(num, dtype=dt).reshape((num,) + extra)
    step = (stop - start) / div if div > 0 else (stop - start) * np.nan
    y = start + i * step if div > 0 else start + i * (stop - start)
    if endpoint and num > 1:
        y = where((np.arange(num) == num - 1).reshape((num,) + extra), stop, y)
    y = moveaxis(y, 0, axis) if axis != 0 else y
    y = astype(y, dtype) if dtype is not None else y
    return (y, step) if retstep else y


def result_type(*arrays_and_dtypes: Any) -> np.dtype:
    """NumPy's ``result_type``, also of traced arrays.

    Parameters
    ----------
    *arrays_and_dtypes : array_like or data-type
        Arrays (traced or not), scalars and dtypes.

    Returns
    -------
    dtype : numpy.dtype
        The dtype NumPy 2's promotion rules give them.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.result_type(np.float32(1), 1.0)
    dtype('float32')
    """
    return np.result_type(*[a.dtype if is_tracer(a) else a for a in arrays_and_dtypes])



dtype = np.dtype  # NumPy's dtype class (defined last: the functions above take a dtype=)
