"""Order statistics: median, quantile, percentile and their NaN-ignoring forms.

Each is a sort (a gather with argsort's indices) followed by a gather of the two order
statistics around NumPy's *virtual index* and a linear interpolation between them, so the
derivative flows to the (at most two) entries the result is made of, with weights
``1 - gamma`` and ``gamma`` — and to ``q`` through ``gamma``. The NaN-ignoring forms count the
non-NaN entries of each slice (NaN sorts last) and gather at indices computed from that count,
which stays traced under ``jit``/``vmap``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import known_value, same_device
from ..device import is_gpu_array
from ._elementwise import add, less_equal, minimum, multiply, subtract, where
from ._indexing import take_along_axis
from ._keywords import traced_only
from ._literals import QuantileMethod
from ._promote import any_gpu_array, any_tracer, is_tracer, normalize_axes, to_dtype
from ._reductions import sum
from ._shape import asarray, moveaxis, reshape
from ._ufuncs import floor, isnan, logical_not, rint

# method -> (alpha, beta) of Hyndman & Fan's continuous family; "linear" is (1, 1)
_CONTINUOUS = {"linear": (1.0, 1.0), "interpolated_inverted_cdf": (0.0, 1.0),
               "hazen": (0.5, 0.5), "weibull": (0.0, 0.0),
               "median_unbiased": (1 / 3.0, 1 / 3.0), "normal_unbiased": (3 / 8.0, 3 / 8.0)}
_DISCRETE = ("lower", "higher", "midpoint", "nearest")
_UNSUPPORTED = ("inverted_cdf", "averaged_inverted_cdf", "closest_observation")


def _check_method(method: str, what: str) -> None:
    if method in _CONTINUOUS or method in _DISCRETE:
        return
    if method in _UNSUPPORTED:
        raise NotImplementedError(
            f"{what}(method={method!r}) is not supported on traced arrays (a step function "
            f"of the data); use one of {sorted(_CONTINUOUS) + list(_DISCRETE)}")
    raise ValueError(f"{what}: {method!r} is not a valid method. Use one of: "
                     f"{list(_CONTINUOUS) + list(_DISCRETE) + list(_UNSUPPORTED)}")


def _check_q(q: Any, scale: float, what: str) -> None:
    """NumPy's range check on ``q`` where its value is known (not under jit/vmap)."""
    if is_tracer(q):
        if not np.issubdtype(q.dtype, np.floating):
            raise TypeError(f"{what}: q must be a floating array, got dtype {q.dtype}")
        q = known_value(q)
        if not isinstance(q, (np.ndarray, np.generic)):
            return  # abstract (jit/vmap), or on a device: not checked
    elif is_gpu_array(q):
        if q.dtype.kind not in "biuf":
            raise TypeError(f"{what}: q must be real numbers, got dtype {q.dtype}")
        return  # on a device: the range is not checked (no copy to the host)
    qa = np.asarray(q)
    if qa.dtype.kind not in "biuf":
        raise TypeError(f"{what}: q must be real numbers, got dtype {qa.dtype}")
    if qa.size and not (np.all(qa >= 0) and np.all(qa <= scale)):
        kind = "Percentiles" if scale == 100 else "Quantiles"
        raise ValueError(f"{what}: {kind} must be in the range [0, {int(scale)}] (q={q!r})")


def _to_last_axis(a: Any, axis: Any, what: str) -> tuple[Any, tuple[int, ...]]:
    """``a`` with the reduced axes moved last and merged into one; the reduced axes."""
    axes = normalize_axes(axis, a.ndim, what)
    kept = [d for d in range(a.ndim) if d not in axes]
    moved = moveaxis(a, axes, tuple(range(len(kept), a.ndim))) if axes else a
    n = int(np.prod([a.shape[d] for d in axes], dtype=np.int64))
    return reshape(moved, tuple(a.shape[d] for d in kept) + (n,)), axes


def _finish(res: Any, a_shape: tuple, axes: tuple, q_shape: tuple, keepdims: bool) -> Any:
    """``res`` of shape kept + (nq,) as NumPy lays it out: q's axes first."""
    res = moveaxis(res, -1, 0)
    kept = tuple(1 if d in axes else n for d, n in enumerate(a_shape)
                 if keepdims or d not in axes)
    return reshape(res, q_shape + kept)


def _result_dtype(a: Any, q: Any, method: QuantileMethod, nan: bool) -> np.dtype:
    dummy_q = q if type(q) in (int, float) else np.zeros((), q.dtype if hasattr(q, "dtype")
                                                          else np.asarray(q).dtype)
    fn = np.nanquantile if nan else np.quantile
    with np.errstate(all="ignore"):
        return np.asarray(fn(np.ones(2, a.dtype), dummy_q, method=method)).dtype


def _lerp(lo: Any, hi: Any, t: Any) -> Any:
    """NumPy's ``_lerp``: ``lo + (hi - lo) t`` below ``t = 0.5``, ``hi - (hi - lo)(1 - t)``
    from there (the same values to the last bit)."""
    d = subtract(hi, lo)
    return where(less_equal(0.5, t), subtract(hi, multiply(d, subtract(1.0, t))),
                 add(lo, multiply(d, t)))


def _quantile_impl(a: Any, q: Any, axis: Any, method: QuantileMethod, keepdims: bool,
                   nan: bool, what: str) -> Any:
    a = asarray(a)
    if np.iscomplexobj(np.ones((), a.dtype)):
        raise TypeError(f"{what}: a must be an array of real numbers, got dtype {a.dtype}")
    dt = _result_dtype(a, q, method, nan)
    s, axes = _to_last_axis(to_dtype(a, dt), axis, what)
    n = s.shape[-1]
    if n == 0 and not nan:
        raise IndexError(f"{what}: cannot take a quantile of an empty slice (a has shape "
                         f"{a.shape}, axis={axis!r})")
    from ._sorting import sort
    s = sort(s, axis=-1)
    q_shape = tuple(q.shape) if is_tracer(q) else np.shape(q)
    # positions are computed in q's floating dtype (float64 for a constant q), as NumPy does
    idt = q.dtype if is_tracer(q) else np.dtype(np.float64)
    # a constant q joins a on its device (the nan forms run this on concrete CuPy arrays)
    qf = reshape(q, (-1,)) if is_tracer(q) else same_device(to_dtype(q, idt).reshape(-1), a)
    if nan:  # per-slice counts of non-NaN entries (traced under jit/vmap)
        count = to_dtype(sum(to_dtype(logical_not(isnan(s)), np.dtype(np.intp)), axis=-1,
                             keepdims=True), idt)
    else:
        count = np.asarray(n, idt)
    vi = _virtual_index(method, count, qf)
    lo, hi, gamma = _neighbours(s, vi, count, method)
    res = to_dtype(_lerp(lo, hi, to_dtype(gamma, dt)), dt)
    if np.issubdtype(dt, np.inexact):
        if nan:
            res = where(less_equal(count, 0.0), dt.type(np.nan), res)
        else:  # any NaN in a slice makes its quantiles NaN, as in NumPy
            res = where(isnan(s[..., -1:]), dt.type(np.nan), res)
    return _finish(res, a.shape, axes, q_shape, keepdims)


def _virtual_index(method: str, count: Any, qf: Any) -> Any:
    """NumPy's (fractional) position of each quantile in a sorted slice of ``count``."""
    if method in _CONTINUOUS:
        if method == "linear":  # NumPy's own rounding-friendly form
            return multiply(subtract(count, 1.0), qf)
        alpha, beta = _CONTINUOUS[method]
        return multiply(count, qf) + (alpha + multiply(qf, 1 - alpha - beta)) - 1
    base = multiply(subtract(count, 1.0), qf)
    if method == "lower":
        return floor(base)
    if method == "higher":
        return -floor(-base)
    if method == "nearest":
        return rint(base)  # half to even, as NumPy's around
    return multiply(0.5, add(floor(base), -floor(-base)))  # midpoint


def _neighbours(s: Any, vi: Any, count: Any, method: str) -> tuple[Any, Any, Any]:
    """The order statistics below and above each position ``vi`` (clamped to the slice, as
    NumPy does) and the interpolation weight ``gamma`` of the upper one."""
    last = np.maximum(count - 1, 0) if not is_tracer(count) else where(
        less_equal(count, 0.0), 0.0, subtract(count, 1.0))
    inside = less_equal(0.0, vi)
    below = floor(vi)
    lo_f = minimum(where(inside, below, 0.0), last)
    hi_f = minimum(where(inside, add(below, 1.0), 0.0), last)
    at_end = less_equal(last, vi)
    if method == "midpoint":
        gamma = where(at_end, 0.0, where(vi == below, 0.0, 0.5))
    else:
        gamma = where(at_end, 0.0, where(inside, subtract(vi, below), 0.0))
    lo = take_along_axis(s, _index(lo_f, s), -1)
    hi = take_along_axis(s, _index(hi_f, s), -1)
    return lo, hi, gamma


def _index(f: Any, s: Any) -> Any:
    """Float positions as intp indices broadcastable against ``s`` (kept axes + (nq,))."""
    if is_tracer(f):
        idx = to_dtype(f, np.dtype(np.intp))
        if idx.ndim == 1:
            idx = reshape(idx, (1,) * (s.ndim - 1) + idx.shape)
        return idx
    idx = to_dtype(f, np.dtype(np.intp))  # a constant: NumPy, or CuPy for a CuPy q
    return idx.reshape((1,) * (s.ndim - 1) + idx.shape) if idx.ndim == 1 else idx


def quantile(a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
             method: QuantileMethod = "linear", keepdims: bool = False, *,
             weights: Any = None) -> Any:
    """NumPy's ``quantile``: differentiable in ``a`` (through the two order statistics it
    interpolates) and in ``q``. Methods: ``linear`` (default), ``hazen``, ``weibull``,
    ``median_unbiased``, ``normal_unbiased``, ``interpolated_inverted_cdf``, ``lower``,
    ``higher``, ``midpoint``, ``nearest``; the step-function methods raise
    NotImplementedError on traced arrays.

    Parameters
    ----------
    a : array_like
        Real values.
    q : array_like of float
        The quantile(s), in [0, 1].
    axis : int or tuple of int, optional
        The axes reduced (default all).
    out : None
        Not supported on traced arrays.
    overwrite_input : bool, optional
        NumPy's keyword; traced arrays are never overwritten.
    method : str, optional
        The interpolation method (default 'linear').
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    weights : None
        Not supported on traced arrays.

    Returns
    -------
    out : ndarray
        The quantiles, ``q``'s axes first; differentiable in ``a`` and ``q``.

    Raises
    ------
    NotImplementedError
        If ``method`` is a step-function method or ``weights`` is given, with traced input.
    ValueError
        If ``method`` is unknown, or ``q`` is out of range (where its value is known).
    TypeError
        If ``q`` is not real (not floating when traced), or ``a`` is complex.
    TypeError
        If ``out`` is given with traced input (``ftrans.errors.UnsupportedKeywordError``).

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> x = np.array([3.0, 1.0, 4.0, 2.0])
    >>> float(fnp.quantile(x, 0.25))
    1.75
    >>> ftrans.grad(lambda x: fnp.quantile(x, 0.25))(x)
    array([0.  , 0.25, 0.  , 0.75])
    """
    return _dispatch(np.quantile, a, q, axis, out, overwrite_input, method, keepdims, weights,
                     1.0, False, "quantile")


def percentile(a: Any, q: Any, axis: Any = None, out: Any = None,
               overwrite_input: bool = False, method: QuantileMethod = "linear",
               keepdims: bool = False, *, weights: Any = None) -> Any:
    """NumPy's ``percentile``: ``quantile(a, q / 100)``.

    Parameters
    ----------
    a : array_like
        Real values.
    q : array_like of float
        The percentile(s), in [0, 100].
    axis : int or tuple of int, optional
        The axes reduced (default all).
    out : None
        Not supported on traced arrays.
    overwrite_input : bool, optional
        NumPy's keyword; traced arrays are never overwritten.
    method : str, optional
        The interpolation method (default 'linear').
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    weights : None
        Not supported on traced arrays.

    Returns
    -------
    out : ndarray
        The percentiles, ``q``'s axes first; differentiable in ``a`` and ``q``.

    Raises
    ------
    NotImplementedError
        If ``method`` is a step-function method or ``weights`` is given, with traced input.
    ValueError
        If ``method`` is unknown, or ``q`` is out of range (where its value is known).
    TypeError
        If ``q`` is not real (not floating when traced), or ``a`` is complex.
    TypeError
        If ``out`` is given with traced input (``ftrans.errors.UnsupportedKeywordError``).

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.percentile(np.array([1.0, 2.0, 3.0]), 50))
    2.0
    """
    return _dispatch(np.percentile, a, q, axis, out, overwrite_input, method, keepdims,
                     weights, 100.0, False, "percentile")


def nanquantile(a: Any, q: Any, axis: Any = None, out: Any = None,
                overwrite_input: bool = False, method: QuantileMethod = "linear",
                keepdims: bool = False, *, weights: Any = None) -> Any:
    """NumPy's ``nanquantile``: ``quantile`` of the non-NaN entries of each slice (NaN for
    an all-NaN slice); NaN entries get a zero derivative.

    Parameters
    ----------
    a : array_like
        Real values, NaN skipped.
    q : array_like of float
        The quantile(s), in [0, 1].
    axis : int or tuple of int, optional
        The axes reduced (default all).
    out : None
        Not supported on traced arrays.
    overwrite_input : bool, optional
        NumPy's keyword; traced arrays are never overwritten.
    method : str, optional
        The interpolation method (default 'linear').
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    weights : None
        Not supported on traced arrays.

    Returns
    -------
    out : ndarray
        The quantiles, ``q``'s axes first; differentiable in ``a`` and ``q``.

    Raises
    ------
    NotImplementedError
        If ``method`` is a step-function method or ``weights`` is given, with traced input.
    ValueError
        If ``method`` is unknown, or ``q`` is out of range (where its value is known).
    TypeError
        If ``q`` is not real (not floating when traced), or ``a`` is complex.
    TypeError
        If ``out`` is given with traced input (``ftrans.errors.UnsupportedKeywordError``).

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.nanquantile(np.array([1.0, np.nan, 3.0]), 0.5))
    2.0
    """
    return _dispatch(np.nanquantile, a, q, axis, out, overwrite_input, method, keepdims,
                     weights, 1.0, True, "nanquantile")


def nanpercentile(a: Any, q: Any, axis: Any = None, out: Any = None,
                  overwrite_input: bool = False, method: QuantileMethod = "linear",
                  keepdims: bool = False, *, weights: Any = None) -> Any:
    """NumPy's ``nanpercentile``: ``nanquantile(a, q / 100)``.

    Parameters
    ----------
    a : array_like
        Real values, NaN skipped.
    q : array_like of float
        The percentile(s), in [0, 100].
    axis : int or tuple of int, optional
        The axes reduced (default all).
    out : None
        Not supported on traced arrays.
    overwrite_input : bool, optional
        NumPy's keyword; traced arrays are never overwritten.
    method : str, optional
        The interpolation method (default 'linear').
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    weights : None
        Not supported on traced arrays.

    Returns
    -------
    out : ndarray
        The percentiles, ``q``'s axes first; differentiable in ``a`` and ``q``.

    Raises
    ------
    NotImplementedError
        If ``method`` is a step-function method or ``weights`` is given, with traced input.
    ValueError
        If ``method`` is unknown, or ``q`` is out of range (where its value is known).
    TypeError
        If ``q`` is not real (not floating when traced), or ``a`` is complex.
    TypeError
        If ``out`` is given with traced input (``ftrans.errors.UnsupportedKeywordError``).

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.nanpercentile(np.array([1.0, np.nan, 3.0]), 50))
    2.0
    """
    return _dispatch(np.nanpercentile, a, q, axis, out, overwrite_input, method, keepdims,
                     weights, 100.0, True, "nanpercentile")


def _dispatch(np_fn: Any, a: Any, q: Any, axis: Any, out: Any, overwrite_input: bool,
              method: QuantileMethod, keepdims: bool, weights: Any, scale: float, nan: bool,
              what: str) -> Any:
    if not any_tracer((a, q, weights)) and not (nan and any_gpu_array((a, q))):
        # (CuPy has quantile and percentile, not their nan forms: those take the traced route)
        kw = {} if weights is None else {"weights": weights}
        return np_fn(a, q, axis=axis, out=out, overwrite_input=overwrite_input, method=method,
                     keepdims=keepdims, **kw)
    if out is not None:
        raise traced_only(what, "out")
    if weights is not None:
        raise NotImplementedError(f"{what}(weights=...) is not supported on traced arrays "
                                  "(only method='inverted_cdf' takes weights, a step function)")
    _check_method(method, what)
    _check_q(q, scale, what)
    if scale != 1.0:
        q = q / scale if is_tracer(q) else (np.true_divide(q, scale)
                                            if not isinstance(q, (int, float)) else q / scale)
    return _quantile_impl(a, q, axis, method, keepdims, nan, what)


def median(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
           keepdims: bool = False) -> Any:
    """NumPy's ``median``: the middle order statistic, or the mean of the two middle ones;
    its derivative goes to them (``1/2`` each). NaN in a slice gives NaN.

    Parameters
    ----------
    a : array_like
        The values.
    axis : int or tuple of int, optional
        The axes reduced (default all).
    out : None
        Not supported on traced arrays.
    overwrite_input : bool, optional
        NumPy's keyword; traced arrays are never overwritten.
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).

    Returns
    -------
    out : ndarray
        The medians.

    Raises
    ------
    TypeError
        If ``out`` is given with a traced ``a`` (``ftrans.errors.UnsupportedKeywordError``).

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> x = np.array([3.0, 1.0, 4.0, 2.0])
    >>> float(fnp.median(x))
    2.5
    >>> ftrans.grad(fnp.median)(x)
    array([0.5, 0. , 0. , 0.5])
    """
    return _median(np.median, a, axis, out, overwrite_input, keepdims, False, "median")


def nanmedian(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
              keepdims: bool = False) -> Any:
    """NumPy's ``nanmedian``: the median of the non-NaN entries of each slice (NaN for an
    all-NaN slice); NaN entries get a zero derivative.

    Parameters
    ----------
    a : array_like
        The values, NaN skipped.
    axis : int or tuple of int, optional
        The axes reduced (default all).
    out : None
        Not supported on traced arrays.
    overwrite_input : bool, optional
        NumPy's keyword; traced arrays are never overwritten.
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).

    Returns
    -------
    out : ndarray
        The medians.

    Raises
    ------
    TypeError
        If ``out`` is given with a traced ``a`` (``ftrans.errors.UnsupportedKeywordError``).
    TypeError
        If ``a`` is complex.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.nanmedian(np.array([3.0, np.nan, 1.0])))
    2.0
    """
    return _median(np.nanmedian, a, axis, out, overwrite_input, keepdims, True, "nanmedian")


def _median(np_fn: Any, a: Any, axis: Any, out: Any, overwrite_input: bool, keepdims: bool,
            nan: bool, what: str) -> Any:
    if not is_tracer(a):
        return np_fn(a, axis=axis, out=out, overwrite_input=overwrite_input,
                     keepdims=keepdims)
    if out is not None:
        raise traced_only(what, "out")
    if np.iscomplexobj(np.ones((), a.dtype)) and nan:
        raise TypeError(f"{what}: a must be an array of real numbers, got dtype {a.dtype}")
    with np.errstate(all="ignore"):
        dt = np.asarray(np_fn(np.ones(2, a.dtype))).dtype
    s, axes = _to_last_axis(to_dtype(a, dt), axis, what)
    n = s.shape[-1]
    from ._sorting import sort
    if n == 0:  # NumPy: NaN (with a warning) for every empty slice
        return _finish(np.full(s.shape[:-1] + (1,), np.nan, dt), a.shape, axes, (), keepdims)
    s = sort(s, axis=-1)
    if nan:
        count = sum(to_dtype(logical_not(isnan(s)), np.dtype(np.intp)), axis=-1,
                    keepdims=True)
        lo_i = (count - 1) // 2
        lo_i = where(less_equal(lo_i, -1), 0, lo_i)
        hi_i = count // 2
        hi_i = where(less_equal(count, 0), 0, hi_i)
        pair = add(take_along_axis(s, lo_i, -1), take_along_axis(s, hi_i, -1))
        res = multiply(pair, np.asarray(0.5, dt))
        res = where(less_equal(count, 0), np.asarray(np.nan, dt), res)
    else:
        mid = s[..., (n - 1) // 2:n // 2 + 1]
        res = sum(mid, axis=-1, keepdims=True) / np.asarray(mid.shape[-1], dt)
        if np.issubdtype(dt, np.inexact):
            res = where(isnan(s[..., -1:]), np.asarray(np.nan, dt), res)
    return _finish(res, a.shape, axes, (), keepdims)
