"""SciPy's ``stats.norm``: the normal distribution, ``loc`` its mean, ``scale`` its standard
deviation. The tails go through ``log_ndtr`` and ``ndtri``, so ``logcdf`` and ``ppf`` keep their
digits far out.

``pdf``, ``logpdf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf``, ``isf`` with SciPy's
signatures; see ``_common.py`` for the conventions.
"""

from __future__ import annotations

import math

import numpy as np

from ... import numpy as fnp
from .. import _special_more as sp
from ._common import Continuous

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)

_dist = Continuous(
    "norm", (),
    logpdf=lambda z: -0.5 * (z * z) - _LOG_SQRT_2PI,
    pdf=lambda z: fnp.exp(-0.5 * (z * z)) * _INV_SQRT_2PI,
    cdf=lambda z: sp.ndtr(z), sf=lambda z: sp.ndtr(-z),
    logcdf=lambda z: sp.log_ndtr(z), logsf=lambda z: sp.log_ndtr(-z),
    ppf=lambda q: sp.ndtri(q), isf=lambda q: -sp.ndtri(q),
    support=lambda: (-np.inf, np.inf), inside=lambda: 0.0,
    example={"pdf": ("round(float(norm.pdf(0.0)), 12)", "0.398942280401"),
             "logpdf": ("round(float(norm.logpdf(1.0, loc=1.0, scale=2.0)), 12)",
                        "-1.612085713765"),
             "cdf": ("float(norm.cdf(0.0))", "0.5"),
             "logcdf": ("round(float(norm.logcdf(-40.0)), 6)", "-804.608442"),
             "sf": ("round(float(norm.sf(1.96)), 12)", "0.024997895148"),
             "logsf": ("round(float(norm.logsf(0.0)), 12)", "-0.69314718056"),
             "ppf": ("round(float(norm.ppf(0.975)), 12)", "1.95996398454"),
             "isf": ("round(float(norm.isf(0.025)), 12)", "1.95996398454")})

pdf, logpdf, cdf, logcdf, sf, logsf, ppf, isf = _dist.methods()

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
