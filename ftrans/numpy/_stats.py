"""More reductions and scans: prod, var, std, ptp, average, argmax, argmin, cumsum, cumprod,
all, any, count_nonzero — NumPy's ``axis``/``keepdims``/``ddof`` and result dtypes."""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from ..prims import complex_parts as cx
from ..prims import cumulative as cu
from ..prims.shape import expand_dims as _expand_dims
from ._elementwise import maximum as _maximum
from ._elementwise import multiply, not_equal, sqrt
from ._promote import any_tracer, dtype_of, is_tracer, normalize_axes, to_dtype
from ._reductions import _given, _masked, _reduce, max, min, sum
from ._reductions import mean as _mean


def prod(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False, *,
         initial: Any = None, where: Any = None) -> Any:
    """NumPy's ``prod`` (with ``initial`` and ``where``); exact derivatives also where
    factors are zero.

    Parameters
    ----------
    a : array_like
        The input.
    axis : int or tuple of int, optional
        The axes reduced (default all).
    dtype : data-type, optional
        The dtype of the accumulation and the result.
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    initial : scalar, optional
        A starting value, included in the product.
    where : array_like of bool, optional
        Only these elements count.

    Returns
    -------
    out : ndarray
        The product; differentiable.

    Raises
    ------
    numpy.exceptions.AxisError
        If an axis is out of bounds.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.prod(np.array([1.0, 2.0, 3.0])), fnp.prod(np.array([2.0, 3.0]), initial=2.0)
    (6.0, 12.0)
    """
    if not any_tracer((a, initial, where)):
        return np.prod(a, axis=axis, dtype=dtype, keepdims=keepdims,
                       **_given(initial=initial, where=where))
    from ._shape import asarray
    a = asarray(a)
    dt = np.dtype(dtype) if dtype is not None else np.prod(np.ones(1, a.dtype)).dtype
    a = to_dtype(a, dt)
    if where is not None:
        a = _masked(a, where, 1)
    out = _reduce(cu.reduce_prod_p, a, axis, keepdims, "prod")
    return out if initial is None else out * initial


def _ddof(ddof: float, correction: Any, name: str) -> float:
    """The array API's ``correction`` is NumPy's ``ddof``; one of them may be given."""
    if correction is None:
        return ddof
    if ddof != 0:
        raise ValueError(f"{name}: ddof and correction can't be provided simultaneously")
    return correction


def var(a: Any, axis: Any = None, dtype: Any = None, ddof: float = 0,
        keepdims: bool = False, *, where: Any = None, mean: Any = None,
        correction: Any = None) -> Any:
    """NumPy's ``var``: ``mean(|a - mean(a)|**2)`` with ``n - ddof`` in the denominator
    (``correction`` is the array API's name for ``ddof``; ``where`` counts only the entries
    it selects; ``mean``, shaped as with ``keepdims=True``, saves computing it).

    Parameters
    ----------
    a : array_like
        The input.
    axis : int or tuple of int, optional
        The axes reduced (default all).
    dtype : data-type, optional
        The dtype computed in (default float64 for integers, ``a``'s for inexact ``a``).
    ddof : float, optional
        Delta degrees of freedom: the divisor is ``n - ddof`` (default 0).
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    where : array_like of bool, optional
        Only these elements count.
    mean : array_like, optional
        The mean, if already known.
    correction : float, optional
        The array API's name of ``ddof``.

    Returns
    -------
    out : ndarray
        The variance (real also for complex ``a``); differentiable in ``a``.

    Raises
    ------
    ValueError
        If both ``ddof`` and ``correction`` are given.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.var(np.array([1.0, 3.0])), fnp.var(np.array([1.0, 3.0]), correction=1)
    (1.0, 2.0)
    """
    ddof = _ddof(ddof, correction, "var")
    if not any_tracer((a, where, mean)):
        return np.var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims,
                      **_given(where=where, mean=mean))
    from ._shape import asarray, broadcast_to
    a = asarray(a)
    a = to_dtype(a, var_dtype(a.dtype, dtype))
    axes = normalize_axes(axis, a.ndim, "var")
    if where is None:
        n: Any = int(np.prod([a.shape[i] for i in axes], dtype=np.int64))
        n = n - ddof if n > ddof else 0
    else:
        count = sum(to_dtype(broadcast_to(where, a.shape), np.dtype(np.float64)), axis=axes,
                    keepdims=keepdims)
        n = _maximum(count - ddof, 0.0)
    if mean is None:
        mean = _mean(a, axis=axes, keepdims=True, where=where)
    return sum(abs2(a - mean), axis=axes, keepdims=keepdims, where=where) / n


def var_dtype(a_dtype: np.dtype, dtype: Any) -> np.dtype:
    """The dtype ``var`` computes in: ``dtype``, else NumPy's (complex stays complex; the
    result is then real, ``abs2`` of the deviations).

    >>> var_dtype(np.dtype(np.int64), None), var_dtype(np.dtype(np.complex64), None)
    (dtype('float64'), dtype('complex64'))
    """
    if dtype is not None:
        return np.dtype(dtype)
    return a_dtype if a_dtype.kind == "c" else np.var(np.ones(2, a_dtype)).dtype


def abs2(d: Any) -> Any:
    """``|d|**2``, real: ``d * d`` for real ``d``, ``real(d)**2 + imag(d)**2`` for complex.

    >>> abs2(3.0)
    9.0
    """
    if dtype_of(d).kind != "c":
        return multiply(d, d)
    re, im = cx.real(d), cx.imag(d)
    return multiply(re, re) + multiply(im, im)


def std(a: Any, axis: Any = None, dtype: Any = None, ddof: float = 0,
        keepdims: bool = False, *, where: Any = None, mean: Any = None,
        correction: Any = None) -> Any:
    """NumPy's ``std``: ``sqrt(var)`` (its derivative is infinite where ``var`` is 0);
    ``correction`` is the array API's name for ``ddof``; ``where`` and ``mean`` as ``var``'s.

    Parameters
    ----------
    a : array_like
        The input.
    axis : int or tuple of int, optional
        The axes reduced (default all).
    dtype : data-type, optional
        The dtype computed in.
    ddof : float, optional
        Delta degrees of freedom: the divisor is ``n - ddof`` (default 0).
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    where : array_like of bool, optional
        Only these elements count.
    mean : array_like, optional
        The mean, if already known.
    correction : float, optional
        The array API's name of ``ddof``.

    Returns
    -------
    out : ndarray
        The standard deviation.

    Raises
    ------
    ValueError
        If both ``ddof`` and ``correction`` are given.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.std(np.array([1.0, 3.0]))
    1.0
    """
    ddof = _ddof(ddof, correction, "std")
    if not any_tracer((a, where, mean)):
        return np.std(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims,
                      **_given(where=where, mean=mean))
    return sqrt(var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where,
                    mean=mean))


def ptp(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """NumPy's ``ptp``: ``max - min``.

    Parameters
    ----------
    a : array_like
        The input.
    axis : int or tuple of int, optional
        The axes reduced (default all).
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).

    Returns
    -------
    out : ndarray
        ``max(a) - min(a)``; the derivative goes to the extreme elements.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.ptp(np.array([1.0, 4.0, 2.0]))
    3.0
    """
    if not is_tracer(a):
        return np.ptp(a, axis=axis, keepdims=keepdims)
    return max(a, axis=axis, keepdims=keepdims) - min(a, axis=axis, keepdims=keepdims)


def average(a: Any, axis: Any = None, weights: Any = None, returned: bool = False,
            keepdims: bool = False) -> Any:
    """NumPy's ``average``: ``sum(a * w) / sum(w)``, differentiable in ``a`` and ``w``.

    Parameters
    ----------
    a : array_like
        The values.
    axis : int or tuple of int, optional
        The axes averaged over (default all).
    weights : array_like, optional
        Weights of ``a``'s shape, or 1-D along ``axis``; None weighs all equally.
    returned : bool, optional
        Also return the sum of the weights (default False).
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).

    Returns
    -------
    out : ndarray or tuple of ndarray
        The weighted mean, and with ``returned`` the sum of the weights.

    Raises
    ------
    TypeError
        If ``weights`` has another shape than ``a`` and ``axis`` is None, or is not 1-D.
    ValueError
        If 1-D ``weights`` differ in length from ``a`` along ``axis``.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.average(np.array([1.0, 3.0]), weights=np.array([3.0, 1.0]))
    1.5
    """
    if not any_tracer((a, weights)):
        # cast: NumPy's stubs have overloads for literal returned and keepdims only
        return cast(Any, np.average)(a, axis=axis, weights=weights, returned=returned,
                                     keepdims=keepdims)
    from ._shape import broadcast_to
    if weights is None:
        avg = _mean(a, axis=axis, keepdims=keepdims)
        axes = normalize_axes(axis, a.ndim, "average")
        n = float(np.prod([a.shape[i] for i in axes]))
        scl = np.full(np.shape(avg), n, np.result_type(avg.dtype, 1.0))
    else:
        ashape, wshape = np.shape(a), np.shape(weights)
        if ashape != wshape:
            if axis is None:
                raise TypeError("Axis must be specified when shapes of a and weights differ.")
            if len(wshape) != 1 or not isinstance(axis, (int, np.integer)):
                raise TypeError("1D weights expected when shapes of a and weights differ.")
            ax = normalize_axes(axis, len(ashape), "average")[0]
            if wshape[0] != ashape[ax]:
                raise ValueError("Length of weights not compatible with specified axis.")
            from ._shape import moveaxis
            weights = moveaxis(broadcast_to(weights, ashape[:ax] + ashape[ax + 1:] + wshape),
                               -1, ax)
        scl = sum(weights, axis=axis, keepdims=keepdims)
        avg = sum(multiply(a, weights), axis=axis, keepdims=keepdims) / scl
    if returned:
        return avg, broadcast_to(scl, np.shape(avg)) if np.shape(scl) != np.shape(avg) else scl
    return avg


def _arg(prim: Any, name: str):
    def fn(a: Any, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Any:
        if not is_tracer(a):
            return getattr(np, name)(a, axis=axis, out=out, keepdims=keepdims)
        if out is not None:
            from ._keywords import traced_only
            raise traced_only(name, "out")
        from ._shape import ravel
        if axis is None:
            res = prim.bind(ravel(a), axis=0)
            return _expand_dims(res, tuple(range(a.ndim))) if keepdims and a.ndim else res
        ax = normalize_axes(axis, a.ndim, name)[0]
        res = prim.bind(a, axis=ax)
        return _expand_dims(res, (ax,)) if keepdims else res
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"NumPy's ``{name}`` (an integer result: no derivative).\n\n"
                  f"Parameters\n----------\na : array_like\n    The input.\naxis : int, "
                  f"optional\n    The axis searched; None (default) searches the flattened "
                  f"array.\nout : None\n    Leave None when ``a`` is traced (NumPy "
                  f"arrays go to NumPy, which takes it).\nkeepdims : "
                  f"bool, optional\n    Keep the reduced axis, with length one.\n\n"
                  f"Returns\n-------\nindex : ndarray of intp\n    The index of the first "
                  f"{'largest' if name == 'argmax' else 'smallest'} element.\n\nRaises\n"
                  f"------\nnumpy.exceptions.AxisError\n    If ``axis`` is out of bounds.\n"
                  f"TypeError\n    ``out`` given with a traced ``a`` (an "
                  f"``UnsupportedKeywordError``)."
                  f"\n\nExamples\n--------\n"
                  f">>> import ftrans.numpy as fnp, numpy as np\n"
                  f">>> int(fnp.{name}(np.array([2.0, 5.0, 1.0])))\n"
                  f"{1 if name == 'argmax' else 2}\n")
    return fn


argmax = _arg(cu.argmax_p, "argmax")
argmin = _arg(cu.argmin_p, "argmin")


def _scan_setup(a: Any, axis: Any, dtype: Any, np_fn: Any) -> tuple[Any, int]:
    from ._shape import ravel
    dt = np.dtype(dtype) if dtype is not None else np_fn(np.ones(1, a.dtype)).dtype
    a = to_dtype(a, dt)
    if axis is None:
        return ravel(a), 0
    return a, normalize_axes(axis, a.ndim, np_fn.__name__)[0]


def cumsum(a: Any, axis: Any = None, dtype: Any = None) -> Any:
    """NumPy's ``cumsum``.

    Parameters
    ----------
    a : array_like
        The input.
    axis : int, optional
        The axis summed along; None (default) flattens ``a`` first.
    dtype : data-type, optional
        The dtype of the accumulation and the result.

    Returns
    -------
    out : ndarray
        The running sums; differentiable (its transpose is a reversed cumsum).

    Raises
    ------
    numpy.exceptions.AxisError
        If ``axis`` is out of bounds.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.cumsum(np.array([1.0, 2.0, 3.0]))
    array([1., 3., 6.])
    """
    if not is_tracer(a):
        return np.cumsum(a, axis=axis, dtype=dtype)
    a, ax = _scan_setup(a, axis, dtype, np.cumsum)
    return cu.cumsum(a, ax)


def cumprod(a: Any, axis: Any = None, dtype: Any = None) -> Any:
    """NumPy's ``cumprod`` (a log-depth product scan; exact derivatives at zeros too).

    Parameters
    ----------
    a : array_like
        The input.
    axis : int, optional
        The axis multiplied along; None (default) flattens ``a`` first.
    dtype : data-type, optional
        The dtype of the accumulation and the result.

    Returns
    -------
    out : ndarray
        The running products; differentiable.

    Raises
    ------
    numpy.exceptions.AxisError
        If ``axis`` is out of bounds.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.cumprod(np.array([1.0, 2.0, 3.0]))
    array([1., 2., 6.])
    """
    if not is_tracer(a):
        return np.cumprod(a, axis=axis, dtype=dtype)
    a, ax = _scan_setup(a, axis, dtype, np.cumprod)
    return cu.cumprod(a, ax)


def cumulative_sum(x: Any, /, *, axis: int | None = None, dtype: Any = None,
                   include_initial: bool = False) -> Any:
    """The array API's (and NumPy 2's) ``cumulative_sum``: ``cumsum`` along ``axis`` (which
    may be omitted for 1-D ``x`` only), starting with a zero when ``include_initial``.

    Parameters
    ----------
    x : array_like
        The input.
    axis : int, optional
        The axis summed along; required unless ``x`` is 1-D.
    dtype : data-type, optional
        The dtype of the accumulation and the result.
    include_initial : bool, optional
        Start with a zero, so the axis grows by one (default False).

    Returns
    -------
    out : ndarray
        The running sums; differentiable.

    Raises
    ------
    ValueError
        If ``axis`` is omitted and ``x`` is not 1-D.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.cumulative_sum(np.array([1.0, 2.0, 3.0]), include_initial=True)
    array([0., 1., 3., 6.])
    """
    if not is_tracer(x):
        return np.cumulative_sum(x, axis=axis, dtype=dtype, include_initial=include_initial)
    if axis is None:
        if x.ndim != 1:
            raise ValueError(f"cumulative_sum: axis must be given for a {x.ndim}-d array "
                             "(it may be omitted for 1-d arrays only)")
        axis = 0
    ax = normalize_axes(axis, x.ndim, "cumulative_sum")[0]
    out = cumsum(x, axis=ax, dtype=dtype)
    if not include_initial:
        return out
    from ._manip import concatenate
    zero_shape = out.shape[:ax] + (1,) + out.shape[ax + 1:]
    return concatenate([np.zeros(zero_shape, out.dtype), out], axis=ax)


def _truth(a: Any) -> Any:
    return a if a.dtype == np.bool_ else not_equal(a, 0)


def all(a: Any, axis: Any = None, keepdims: bool = False, *,  # noqa: A001
        where: Any = None) -> Any:
    """NumPy's ``all`` (with ``where``).

    Parameters
    ----------
    a : array_like
        The input; nonzero values count as true.
    axis : int or tuple of int, optional
        The axes reduced (default all).
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    where : array_like of bool, optional
        Only these elements count.

    Returns
    -------
    out : ndarray of bool
        Whether all elements are true (True over an empty axis); no derivative.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> bool(fnp.all(np.array([1.0, 0.0])))
    False
    """
    if not any_tracer((a, where)):
        return np.all(a, axis=axis, keepdims=keepdims, **_given(where=where))
    from ..prims.reduce import reduce_min_p
    from ._shape import asarray
    t = _truth(asarray(a))
    t = t if where is None else _masked(t, where, True)
    return _logical_reduce(reduce_min_p, t, axis, keepdims, "all", True)


def any(a: Any, axis: Any = None, keepdims: bool = False, *,  # noqa: A001
        where: Any = None) -> Any:
    """NumPy's ``any`` (with ``where``).

    Parameters
    ----------
    a : array_like
        The input; nonzero values count as true.
    axis : int or tuple of int, optional
        The axes reduced (default all).
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    where : array_like of bool, optional
        Only these elements count.

    Returns
    -------
    out : ndarray of bool
        Whether any element is true (False over an empty axis); no derivative.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> bool(fnp.any(np.array([1.0, 0.0])))
    True
    """
    if not any_tracer((a, where)):
        return np.any(a, axis=axis, keepdims=keepdims, **_given(where=where))
    from ..prims.reduce import reduce_max_p
    from ._shape import asarray
    t = _truth(asarray(a))
    t = t if where is None else _masked(t, where, False)
    return _logical_reduce(reduce_max_p, t, axis, keepdims, "any", False)


def _logical_reduce(prim: Any, t: Any, axis: Any, keepdims: bool, what: str,
                    empty: bool) -> Any:
    """all/any as min/max of booleans; over an empty axis, their identity ``empty``."""
    axes = normalize_axes(axis, t.ndim, what)
    if 0 not in [t.shape[i] for i in axes]:  # (``any`` is this module's own)
        return _reduce(prim, t, axes, keepdims, what)
    shape = tuple(1 if i in axes else n for i, n in enumerate(t.shape) if keepdims or
                  i not in axes)
    return np.full(shape, empty)


def count_nonzero(a: Any, axis: Any = None, *, keepdims: bool = False) -> Any:
    """NumPy's ``count_nonzero``.

    Parameters
    ----------
    a : array_like
        The input.
    axis : int or tuple of int, optional
        The axes counted over (default all).
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).

    Returns
    -------
    out : int or ndarray of intp
        The number of nonzero elements.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> int(fnp.count_nonzero(np.array([1.0, 0.0, 2.0])))
    2
    """
    if not is_tracer(a):
        return np.count_nonzero(a, axis=axis, keepdims=keepdims)
    return sum(to_dtype(_truth(a), np.dtype(np.intp)), axis=axis, keepdims=keepdims)
