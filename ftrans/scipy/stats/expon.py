"""SciPy's ``stats.expon``: the exponential distribution on ``[loc, inf)``, ``scale`` its
mean.

``pdf``, ``logpdf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf``, ``isf`` with SciPy's
signatures; see ``_common.py`` for the conventions.
"""

from __future__ import annotations

import numpy as np

from ... import numpy as fnp
from ._common import Continuous

_dist = Continuous(
    "expon", (),
    logpdf=lambda z: -z, pdf=lambda z: fnp.exp(-z),
    cdf=lambda z: -fnp.expm1(-z), sf=lambda z: fnp.exp(-z),
    logsf=lambda z: -z,
    ppf=lambda q: -fnp.log1p(-q), isf=lambda q: -fnp.log(q),
    support=lambda: (0.0, np.inf), inside=lambda: 1.0,
    example={"pdf": ("float(expon.pdf(0.0))", "1.0"),
             "logpdf": ("float(expon.logpdf(2.0, scale=2.0))", "-1.6931471805599454"),
             "cdf": ("round(float(expon.cdf(1.0)), 12)", "0.632120558829"),
             "logcdf": ("float(expon.logcdf(-1.0))", "-inf"),
             "sf": ("round(float(expon.sf(1.0)), 12)", "0.367879441171"),
             "logsf": ("float(expon.logsf(3.0))", "-3.0"),
             "ppf": ("round(float(expon.ppf(0.5)), 12)", "0.69314718056"),
             "isf": ("round(float(expon.isf(0.5)), 12)", "0.69314718056")})

pdf, logpdf, cdf, logcdf, sf, logsf, ppf, isf = _dist.methods()

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
