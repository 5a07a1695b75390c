"""SciPy's ``stats.logistic``: the logistic distribution, cdf ``expit((x - loc) / scale)``.

``pdf``, ``logpdf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf``, ``isf`` with SciPy's
signatures; see ``_common.py`` for the conventions.
"""

from __future__ import annotations

import numpy as np

from ... import numpy as fnp
from .. import special
from ._common import Continuous


def _log_expit(z):
    return -fnp.logaddexp(0.0, -z)


_dist = Continuous(
    "logistic", (),
    logpdf=lambda z: -fnp.abs(z) - 2 * fnp.log1p(fnp.exp(-fnp.abs(z))),
    cdf=lambda z: special.expit(z), sf=lambda z: special.expit(-z),
    logcdf=_log_expit, logsf=lambda z: _log_expit(-z),
    ppf=lambda q: special.logit(q), isf=lambda q: -special.logit(q),
    support=lambda: (-np.inf, np.inf), inside=lambda: 0.0,
    example={"pdf": ("float(logistic.pdf(0.0))", "0.25"),
             "cdf": ("float(logistic.cdf(0.0))", "0.5"),
             "ppf": ("round(float(logistic.ppf(0.75)), 12)", "1.098612288668")})

pdf, logpdf, cdf, logcdf, sf, logsf, ppf, isf = _dist.methods()

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
