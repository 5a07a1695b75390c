"""SciPy's ``stats.chi2``: the chi-squared distribution with ``df`` degrees of freedom (a
gamma distribution with shape ``df/2`` and scale 2). Differentiable in ``df`` too (to first
order in cdf, sf and ppf).

``pdf``, ``logpdf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf``, ``isf`` with SciPy's
signatures; see ``_common.py`` for the conventions.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _special_more as sp
from .. import special
from ._common import Continuous

_LOG2 = math.log(2)

_dist = Continuous(
    "chi2", ("df",),
    logpdf=lambda z, df: (special.xlogy(df / 2 - 1, z) - z / 2 - special.gammaln(df / 2)
                          - df / 2 * _LOG2),
    cdf=lambda z, df: sp.gammainc(df / 2, z / 2), sf=lambda z, df: sp.gammaincc(df / 2, z / 2),
    ppf=lambda q, df: 2 * sp.gammaincinv(df / 2, q),
    isf=lambda q, df: 2 * sp.gammainccinv(df / 2, q),
    support=lambda df: (0.0, np.inf), inside=lambda df: df,
    shapes_ok=lambda df: df > 0,
    example={"pdf": ("round(float(chi2.pdf(2.0, 2.0)), 12)", "0.183939720586"),
             "cdf": ("round(float(chi2.cdf(2.0, 2.0)), 12)", "0.632120558829"),
             "ppf": ("round(float(chi2.ppf(0.95, 1.0)), 10)", "3.8414588207")})

pdf, logpdf, cdf, logcdf, sf, logsf, ppf, isf = _dist.methods()

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
