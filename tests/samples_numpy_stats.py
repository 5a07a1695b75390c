"""Sample rows for the statistics functions (see ``samples.py``): order statistics, the
NaN-ignoring reductions, ``interp``, ``cov``/``corrcoef`` and ``convolve``/``correlate``. All
are composites, named by a primitive they are built on.

Points are chosen away from kinks: distinct, well separated values (the order, hence the
picked order statistics, survives the finite-difference steps and vmap's noise), quantile
positions ``(n - 1) q`` away from integers, ``interp`` points away from the sample points,
and NaN entries where they stay NaN under perturbation, never a whole NaN slice.
"""

from __future__ import annotations

import numpy as np
from samples_core import Sample, pos, r

import ftrans.numpy as fnp

nan = np.nan
_ODD = np.array([0.7, -1.9, 2.6, -0.4, 1.3])  # distinct, gaps >> vmap's 10% noise
_EVEN = np.array([[1.1, -2.3, 0.4], [-0.6, 2.9, -1.5], [3.4, 0.2, -3.1], [-2.7, 1.8, 2.2]])
_CUBE = np.array([[[0.5, -2.0], [3.1, -0.9], [1.7, 4.4]],
                  [[-3.6, 2.4], [-1.2, 5.2], [0.1, -4.8]]])
_HOLEY = np.array([[1.2, nan, -0.8, 2.5], [nan, -1.7, 0.3, 3.3], [-2.9, 0.9, nan, nan]])
_MASK = np.array([True, True, False, True])
_HOLEY1 = np.array([0.9, nan, -1.6, 2.4, nan, -0.3, 1.7])

QUANTILES = [
    Sample("argsort", fnp.median, (_ODD,)),
    Sample("argsort", lambda x: fnp.median(x, axis=0), (_EVEN,)),
    Sample("argsort", lambda x: fnp.median(x, axis=(0, 2), keepdims=True), (_CUBE,)),
    Sample("argsort", lambda x: np.median(x, axis=-1), (_EVEN,)),  # NumPy's own name
    Sample("argsort", lambda x: fnp.quantile(x, 0.3), (_ODD,)),
    Sample("argsort", lambda x: fnp.quantile(x, np.array([0.1, 0.45, 0.8]), axis=1),
           (_EVEN,)),
    Sample("argsort", lambda x: fnp.quantile(x, np.array([[0.2], [0.7]]), axis=(1, 2)),
           (_CUBE,)),
    Sample("argsort", lambda x, q: fnp.quantile(x, q), (_ODD, np.array([0.3, 0.55, 0.9]))),
    Sample("argsort", lambda x: fnp.quantile(x, 0.35, axis=0, method="hazen"), (_EVEN,)),
    Sample("argsort", lambda x: fnp.quantile(x, 0.6, method="median_unbiased"), (_ODD,)),
    Sample("argsort", lambda x: fnp.quantile(x, [0.3, 0.6], method="nearest"), (_ODD,)),
    Sample("argsort", lambda x: fnp.quantile(x, 0.6, method="midpoint", axis=1,
                                             keepdims=True), (_EVEN,)),
    Sample("argsort", lambda x: fnp.percentile(x, 40, axis=0, keepdims=True), (_EVEN,)),
    Sample("argsort", lambda x: fnp.percentile(x, np.array([15.0, 85.0])), (_CUBE,)),
    Sample("gather", lambda x: fnp.nanquantile(x, 0.4, axis=1), (_HOLEY,)),
    Sample("gather", lambda x, q: fnp.nanquantile(x, q), (_HOLEY1, np.array([0.3, 0.7]))),
    Sample("gather", lambda x: fnp.nanpercentile(x, 30, axis=0), (_HOLEY[:2],)),
    Sample("gather", fnp.nanmedian, (_HOLEY1,)),
    Sample("gather", lambda x: fnp.nanmedian(x, axis=1, keepdims=True), (_HOLEY,)),
]

NAN_REDUCTIONS = [
    Sample("select_n", fnp.nansum, (_HOLEY,)),
    Sample("select_n", lambda x: fnp.nansum(x, axis=1, keepdims=True), (_HOLEY,)),
    Sample("select_n", lambda x: fnp.nanprod(x, axis=0), (_HOLEY,)),
    Sample("select_n", fnp.nanmean, (_HOLEY1,)),
    Sample("select_n", lambda x: fnp.nanmean(x, axis=-1), (_HOLEY,)),
    Sample("select_n", lambda x: fnp.nanvar(x, axis=1), (_HOLEY,)),
    Sample("select_n", lambda x: fnp.nanvar(x, axis=1, ddof=1, keepdims=True), (_HOLEY[:2],)),
    Sample("sqrt", lambda x: fnp.nanstd(x, axis=1), (_HOLEY,)),
    Sample("reduce_max", lambda x: fnp.nanmax(x, axis=1), (_HOLEY,)),
    Sample("reduce_max", fnp.nanmax, (_HOLEY1,)),
    Sample("reduce_min", lambda x: fnp.nanmin(x, axis=0, keepdims=True), (_HOLEY,)),
    Sample("argmax", lambda x: fnp.nansum(x * fnp.nanargmax(x, axis=1, keepdims=True)),
           (_HOLEY,)),
    Sample("argmin", lambda x: fnp.nansum(x * fnp.nanargmin(x)), (_HOLEY1,)),
    Sample("reduce_sum", lambda x: fnp.nansum(x, axis=0) * fnp.nanmean(x), (r(3, 4),)),
    Sample("select_n", lambda x: fnp.nanmean(x, axis=1, where=_MASK), (_HOLEY,)),
    Sample("reduce_max", lambda x: fnp.nanmax(x, axis=1, where=_MASK, initial=-10.0),
           (_HOLEY,)),
]

_XP = np.array([-2.0, -0.5, 1.0, 2.5, 4.0])
_FP = np.array([1.5, -1.0, 0.5, 3.0, 2.0])
_X = np.array([-3.1, -1.3, 0.2, 1.6, 3.4, 4.7])  # below, inside (off the points), above

SIGNAL = [
    Sample("searchsorted", fnp.interp, (_X, _XP, _FP)),
    Sample("searchsorted", lambda x, fp: fnp.interp(x, _XP, fp, left=-5.0, right=7.0),
           (_X, _FP)),
    Sample("gather", lambda fp: fnp.interp(_X, _XP, fp), (_FP,), linear=True),
    Sample("searchsorted", lambda x, lo: fnp.interp(x, _XP, _FP, left=lo), (_X[:3], r())),
    Sample("dot_general", fnp.cov, (r(3, 5),)),
    Sample("dot_general", lambda x, y: fnp.cov(x, y), (r(5), r(2, 5))),
    Sample("dot_general", lambda x: fnp.cov(x, rowvar=False, bias=True), (r(6, 2),)),
    Sample("dot_general", lambda x: fnp.cov(x, ddof=2), (r(2, 5),)),
    Sample("dot_general", lambda x, w: fnp.cov(x, aweights=w), (r(2, 5), pos(5))),
    Sample("dot_general", lambda x, w: fnp.cov(x, fweights=np.array([1, 2, 1, 3]),
                                               aweights=w, ddof=1), (r(3, 4), pos(4))),
    Sample("dot_general", fnp.corrcoef, (r(3, 5),)),
    Sample("dot_general", lambda x, y: fnp.corrcoef(x, y, rowvar=False), (r(5, 2), r(5))),
    Sample("dot_general", fnp.convolve, (r(5), r(3))),
    Sample("dot_general", lambda a, v: fnp.convolve(a, v, mode="same"), (r(4), r(6))),
    Sample("dot_general", lambda a, v: fnp.convolve(a, v, mode="valid"), (r(6), r(4))),
    Sample("dot_general", fnp.correlate, (r(6), r(3))),
    Sample("dot_general", lambda a, v: fnp.correlate(a, v, mode="full"), (r(3), r(5))),
    Sample("dot_general", lambda a, v: fnp.correlate(a, v, mode="same"), (r(6), r(2))),
    Sample("gather", lambda a: fnp.convolve(a, np.array([0.25, 0.5, 0.25]), "same"),
           (r(7),), linear=True),
    Sample("dot_general", lambda v: fnp.correlate(np.arange(5.0), v), (r(2),), linear=True),
]

NUMPY_STATS_SAMPLES = QUANTILES + NAN_REDUCTIONS + SIGNAL
