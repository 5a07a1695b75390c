"""NaN-ignoring reductions: nansum, nanprod, nanmean, nanvar, nanstd, nanmax, nanmin,
nanargmax, nanargmin.

Each replaces NaN entries by the reduction's identity with ``where`` and reduces, so NaN
entries get a zero derivative (as in JAX). Integer and boolean inputs hold no NaN: they go
straight to the plain reduction, as in NumPy. An all-NaN slice gives NaN (``nanmax``,
``nanmean``, …) as in NumPy; ``nanargmax``/``nanargmin`` raise NumPy's ValueError when the
values are known and give -1 (JAX's answer) under ``jit``/``vmap``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import known_value
from ..ir import real_dtype
from ._elementwise import maximum, minimum, sqrt, subtract
from ._elementwise import where as where_
from ._keywords import traced_only
from ._promote import any_tracer, is_tracer, to_dtype
from ._reductions import max, min, sum
from ._shape import asarray
from ._stats import abs2, all, argmax, argmin, prod, var_dtype
from ._ufuncs import isnan, logical_not, logical_or


def _inexact(a: Any) -> bool:
    return np.issubdtype(a.dtype, np.inexact)


def _no_out(out: Any, what: str) -> None:
    if out is not None:
        raise traced_only(what, "out")


def _skipped(a: Any, mask: Any) -> Any:
    """Where ``a`` is skipped: NaN entries, and those outside NumPy's ``where=`` ``mask``."""
    nan = isnan(a) if _inexact(a) else np.zeros(a.shape, bool)
    if mask is None:
        return nan
    from ._shape import broadcast_to
    return logical_or(nan, logical_not(broadcast_to(mask, a.shape)))


def _filled(a: Any, fill: float, mask: Any = None) -> Any:
    if mask is None and not _inexact(a):
        return a  # nothing to skip
    return where_(_skipped(a, mask), np.asarray(fill, a.dtype), a)


def _count(a: Any, axis: Any, keepdims: bool, dtype: np.dtype, mask: Any = None) -> Any:
    return sum(to_dtype(logical_not(_skipped(a, mask)), dtype), axis=axis,
               keepdims=keepdims)


def _given(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


def nansum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
           keepdims: bool = False, initial: Any = None, where: Any = None) -> Any:
    """NumPy's ``nansum``: ``sum`` with NaN taken as 0 (zero derivative there).

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> x = np.array([1.0, np.nan, 2.0])
    >>> float(fnp.nansum(x))
    3.0
    >>> ftrans.grad(fnp.nansum)(x)
    array([1., 0., 1.])
    """
    if not any_tracer((a, initial, where)):
        return np.nansum(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                         **_given(initial=initial, where=where))
    _no_out(out, "nansum")
    a = asarray(a)
    res = sum(_filled(a, 0, where), axis=axis, dtype=dtype, keepdims=keepdims)
    return res if initial is None else res + to_dtype(initial, res.dtype)  # NumPy casts


def nanprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: bool = False, initial: Any = None, where: Any = None) -> Any:
    """NumPy's ``nanprod``: ``prod`` with NaN taken as 1 (zero derivative there).

    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.nanprod(np.array([2.0, np.nan, 3.0])))
    6.0
    """
    if not any_tracer((a, initial, where)):
        return np.nanprod(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                          **_given(initial=initial, where=where))
    _no_out(out, "nanprod")
    a = asarray(a)
    res = prod(_filled(a, 1, where), axis=axis, dtype=dtype, keepdims=keepdims)
    return res if initial is None else res * to_dtype(initial, res.dtype)


def nanmean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: bool = False, *, where: Any = None) -> Any:
    """NumPy's ``nanmean``: the mean of the non-NaN entries (NaN for an all-NaN slice).

    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.nanmean(np.array([1.0, np.nan, 3.0])))
    2.0
    """
    if not any_tracer((a, where)):
        return np.nanmean(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                          **_given(where=where))
    _no_out(out, "nanmean")
    from ._reductions import mean
    a = asarray(a)
    if not _inexact(a):
        return mean(a, axis=axis, dtype=dtype, keepdims=keepdims, where=where)
    dt = np.dtype(dtype) if dtype is not None else a.dtype
    tot = sum(_filled(a, 0, where), axis=axis, dtype=dt, keepdims=keepdims)
    return tot / _count(a, axis, keepdims, dt, where)


def nanvar(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0,
           keepdims: bool = False, *, where: Any = None, mean: Any = None,
           correction: Any = None) -> Any:
    """NumPy's ``nanvar``: the variance of the non-NaN entries, ``n - ddof`` in the
    denominator (NaN where that is not positive).

    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.nanvar(np.array([1.0, np.nan, 3.0])))
    1.0
    """
    if not any_tracer((a, where, mean)):
        return np.nanvar(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                         **_given(where=where, mean=mean, correction=correction))
    _no_out(out, "nanvar")
    if mean is not None:
        raise NotImplementedError("nanvar(mean=...) on traced arrays: leave mean=None")
    if correction is not None:
        if ddof != 0:
            raise ValueError("nanvar: ddof and correction can't be provided simultaneously.")
        ddof = correction
    a = asarray(a)
    dt = var_dtype(a.dtype, dtype)
    rdt = real_dtype(dt)  # complex values have a real variance
    a = to_dtype(a, dt)
    skip = _skipped(a, where)
    cnt = _count(a, axis, True, rdt, where)
    avg = sum(_filled(a, 0, where), axis=axis, keepdims=True) / cnt
    d = where_(skip, np.asarray(0, dt), subtract(a, avg))
    dof = subtract(_count(a, axis, keepdims, rdt, where), ddof)
    ok = dof > 0
    res = sum(abs2(d), axis=axis, keepdims=keepdims) / where_(ok, dof, 1.0)
    return where_(ok, res, np.asarray(np.nan, rdt))


def nanstd(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0,
           keepdims: bool = False, *, where: Any = None, mean: Any = None,
           correction: Any = None) -> Any:
    """NumPy's ``nanstd``: ``sqrt(nanvar)``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.nanstd(np.array([1.0, np.nan, 3.0])))
    1.0
    """
    if not any_tracer((a, where, mean)):
        return np.nanstd(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                         **_given(where=where, mean=mean, correction=correction))
    return sqrt(nanvar(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                       where=where, mean=mean, correction=correction))


def _extremum(reduce: Any, np_fn: Any, fill: float, name: str):
    def fn(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False,
           initial: Any = None, where: Any = None) -> Any:
        if not any_tracer((a, initial, where)):
            return np_fn(a, axis=axis, out=out, keepdims=keepdims,
                         **_given(initial=initial, where=where))
        _no_out(out, name)
        a = asarray(a)
        if initial is not None:
            initial = to_dtype(initial, a.dtype)  # NumPy casts it to the array's dtype
        if not _inexact(a):
            return reduce(a, axis=axis, keepdims=keepdims, initial=initial, where=where)
        if where is not None and initial is None:
            raise ValueError(f"{name}: a where mask needs an initial value (the reduction "
                             "has no identity), as in NumPy")
        skip = _skipped(a, where)
        res = reduce(where_(skip, np.asarray(fill, a.dtype), a), axis=axis, keepdims=keepdims)
        if initial is not None:  # the initial value counts as one more entry
            return (maximum if fill < 0 else minimum)(res, initial)
        return where_(all(skip, axis=axis, keepdims=keepdims), np.asarray(np.nan, a.dtype),
                      res)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"NumPy's ``{name}``: NaN entries are skipped (zero derivative there); an "
                  f"all-NaN slice gives NaN (or ``initial``).\n\n"
                  f">>> import ftrans.numpy as fnp, numpy as np\n"
                  f">>> float(fnp.{name}(np.array([1.0, np.nan, 3.0])))\n"
                  f"{3.0 if name == 'nanmax' else 1.0}\n")
    return fn


nanmax = _extremum(max, np.nanmax, -np.inf, "nanmax")
nanmin = _extremum(min, np.nanmin, np.inf, "nanmin")


def _argextremum(arg: Any, np_fn: Any, fill: float, name: str):
    def fn(a: Any, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Any:
        if not is_tracer(a):
            return np_fn(a, axis=axis, out=out, keepdims=keepdims)
        _no_out(out, name)
        a = asarray(a)
        if not _inexact(a):
            return arg(a, axis=axis, keepdims=keepdims)
        allnan = all(isnan(a), axis=axis, keepdims=keepdims)
        known = known_value(allnan)
        if known is not None and np.any(known):
            raise ValueError(f"{name}: All-NaN slice encountered")
        res = arg(_filled(a, fill), axis=axis, keepdims=keepdims)
        return where_(allnan, np.asarray(-1, res.dtype), res)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"NumPy's ``{name}``: the index of the {name[6:]}imum, NaN skipped (an integer "
                  f"result: no derivative). An all-NaN slice raises ValueError, or gives -1 "
                  f"under jit/vmap (as JAX).\n\n"
                  f">>> import ftrans.numpy as fnp, numpy as np\n"
                  f">>> int(fnp.{name}(np.array([np.nan, 3.0, 1.0])))\n"
                  f"{1 if name == 'nanargmax' else 2}\n")
    return fn


nanargmax = _argextremum(argmax, np.nanargmax, -np.inf, "nanargmax")
nanargmin = _argextremum(argmin, np.nanargmin, np.inf, "nanargmin")
