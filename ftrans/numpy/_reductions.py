"""Reductions with NumPy's ``axis``, ``keepdims`` and result dtypes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core import Tracer
from ..prims import reduce as red
from ..prims.shape import expand_dims as _expand_dims
from ._promote import as_array, is_tracer, normalize_axes, to_dtype

_RESULT_DTYPES: dict[tuple[Any, np.dtype], np.dtype] = {}


def _result_dtype(np_fn: Any, dtype: np.dtype) -> np.dtype:
    """The dtype of NumPy's reduction ``np_fn`` of an array of ``dtype`` (asked once).

    >>> _result_dtype(np.sum, np.dtype(np.int8)), _result_dtype(np.mean, np.dtype(np.int8))
    (dtype('int64'), dtype('float64'))
    """
    dt = _RESULT_DTYPES.get((np_fn, dtype))
    if dt is None:
        dt = _RESULT_DTYPES[(np_fn, dtype)] = np_fn(np.ones(1, dtype)).dtype
    return dt


def _reduce(prim: Any, x: Any, axis: Any, keepdims: bool, what: str) -> Any:
    axes = normalize_axes(axis, x.ndim, what)
    out = prim.bind(x, axes=axes) if axes else x
    return _expand_dims(out, axes) if keepdims and axes else out


def _given(**kw: Any) -> dict[str, Any]:
    """The optional NumPy keywords that were given (NumPy rejects None for some)."""
    return {k: v for k, v in kw.items() if v is not None}


def _masked(a: Any, where: Any, fill: Any) -> Any:
    """``a`` where ``where`` holds, ``fill`` elsewhere (NumPy's ``where=`` of reductions)."""
    from ._elementwise import where as _where
    from ._shape import broadcast_to
    return broadcast_to(_where(where, a, np.asarray(fill, a.dtype)), a.shape)


def sum(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False, *,  # noqa: A001
        initial: Any = None, where: Any = None) -> Any:
    """NumPy's ``sum`` (with ``initial`` and ``where``).

    Parameters
    ----------
    a : array_like
        The input: an array, a nested sequence, a scalar or a traced array.
    axis : int or tuple of int, optional
        The axes reduced (default all).
    dtype : data-type, optional
        The dtype of the accumulation and the result.
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    initial : scalar, optional
        A starting value, included in the reduction.
    where : array_like of bool, optional
        Only these elements count.

    Returns
    -------
    out : ndarray
        The sum; differentiable (its derivative broadcasts the cotangent back).

    Raises
    ------
    numpy.exceptions.AxisError
        If an axis is out of bounds.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.sum(np.arange(4.0), axis=0)
    6.0
    """
    if type(a) is Tracer and axis is None and dtype is None and where is None \
            and initial is None and not keepdims and a.aval.dtype.kind in "fc" and a.ndim:
        return red.reduce_sum_p.bind(a, axes=tuple(range(a.ndim)))  # fast path: sum(x)
    if not is_tracer(a) and not is_tracer(where) and not is_tracer(initial):
        return np.sum(a, axis=axis, dtype=dtype, keepdims=keepdims,
                      **_given(initial=initial, where=where))
    from ._shape import asarray
    a = asarray(a)
    dt = np.dtype(dtype) if dtype is not None else _result_dtype(np.sum, a.dtype)
    a = to_dtype(a, dt)
    if where is not None:
        a = _masked(a, where, 0)
    out = _reduce(red.reduce_sum_p, a, axis, keepdims, "sum")
    return out if initial is None else out + initial


def mean(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False, *,
         where: Any = None) -> Any:
    """NumPy's ``mean`` (with ``where``).

    Parameters
    ----------
    a : array_like
        The input: an array, a nested sequence, a scalar or a traced array.
    axis : int or tuple of int, optional
        The axes reduced (default all).
    dtype : data-type, optional
        The dtype of the accumulation and the result.
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    where : array_like of bool, optional
        Only these elements count.

    Returns
    -------
    out : ndarray
        The mean; differentiable.

    Raises
    ------
    numpy.exceptions.AxisError
        If an axis is out of bounds.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.mean(np.arange(4.0))
    1.5
    """
    if not is_tracer(a) and not is_tracer(where):
        return np.mean(a, axis=axis, dtype=dtype, keepdims=keepdims, **_given(where=where))
    from ._shape import asarray
    a = asarray(a)
    dt = np.dtype(dtype) if dtype is not None else _result_dtype(np.mean, a.dtype)
    axes = normalize_axes(axis, a.ndim, "mean")
    if where is not None:
        from ._shape import broadcast_to
        w = as_array(where)
        count = sum(to_dtype(broadcast_to(w, a.shape), dt), axis=axes, keepdims=keepdims)
        return sum(to_dtype(a, dt), axis=axes, keepdims=keepdims, where=where) / count
    count = math.prod([a.shape[i] for i in axes])
    return sum(to_dtype(a, dt), axis=axes, keepdims=keepdims) / count


def _extremum(prim: Any, np_fn: Any, name: str):
    def fn(a: Any, axis: Any = None, keepdims: bool = False, *, initial: Any = None,
           where: Any = None) -> Any:
        if not is_tracer(a) and not is_tracer(where) and not is_tracer(initial):
            return np_fn(a, axis=axis, keepdims=keepdims,
                         **_given(initial=initial, where=where))
        from ._elementwise import maximum, minimum
        from ._shape import asarray
        a = asarray(a)
        axes = normalize_axes(axis, a.ndim, name)
        if where is not None:
            if initial is None:
                raise ValueError(f"reduction operation '{name}' does not have an identity, "
                                 "so to use a where mask one has to specify 'initial'")
            a = _masked(a, where, initial)
        if any(a.shape[i] == 0 for i in axes):
            if initial is None:
                raise ValueError(f"zero-size array to reduction operation {name} which has "
                                 "no identity")
            shape = tuple(1 if i in axes else n for i, n in enumerate(a.shape)
                          if keepdims or i not in axes)
            return np.full(shape, initial, a.dtype)  # every output reduces nothing
        out = _reduce(prim, a, axes, keepdims, name)
        if initial is None:
            return out
        return (maximum if name == "max" else minimum)(out, initial)
    fn.__name__ = fn.__qualname__ = name
    what = "maximum" if name == "max" else "minimum"
    fn.__doc__ = (f"NumPy's ``{name}``.\n\nParameters\n----------\na : array_like\n"
                  "    The input: an array, a nested sequence, a scalar or a traced array.\n"
                  "axis : int or tuple of int, optional\n    The axes reduced (default all).\n"
                  "keepdims : bool, optional\n    Keep the reduced axes, with length one.\n"
                  "initial : scalar, optional\n    A starting value, included in the "
                  "reduction.\nwhere : array_like of bool, optional\n    Only these elements "
                  "count (needs ``initial``).\n\nReturns\n-------\nout : ndarray\n"
                  f"    The {what}; its derivative goes to the {what} elements, shared equally "
                  "among ties.\n\nRaises\n------\nValueError\n    If a reduction is empty, or "
                  "``where`` is given, without ``initial``.\nnumpy.exceptions.AxisError\n"
                  "    If an axis is out of bounds.\n\nExamples\n--------\n"
                  ">>> import ftrans.numpy as fnp, numpy as np\n"
                  f">>> fnp.{name}(np.array([1.0, 3.0, 2.0]))\n"
                  f"{3.0 if name == 'max' else 1.0}\n")
    return fn


max = _extremum(red.reduce_max_p, np.max, "max")  # noqa: A001
min = _extremum(red.reduce_min_p, np.min, "min")  # noqa: A001
amax = max
amin = min
