"""SciPy's ``stats.binom``: the binomial distribution of ``n`` trials with success probability
``p``. ``pmf``, ``logpmf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf`` with SciPy's
signatures (see ``_common.py``); differentiable in ``p`` (``n`` must be a non-negative
integer: nan otherwise, as SciPy).
"""

from __future__ import annotations

from ... import numpy as fnp
from .. import _special_more as sp
from .. import special
from ._common import Discrete


def _logpmf(k, n, p):
    # log C(n, k) = -log(n + 1) - betaln(n - k + 1, k + 1)
    return (-fnp.log1p(n) - sp.betaln(n - k + 1, k + 1) + special.xlogy(k, p)
            + special.xlog1py(n - k, -p))


_dist = Discrete(
    "binom", ("n", "p"),
    logpmf=_logpmf,
    cdf=lambda k, n, p: sp.betainc(n - k, k + 1, 1 - p),
    sf=lambda k, n, p: sp.betainc(k + 1, n - k, p),
    support=lambda n, p: (0.0, n),
    upper_guess=lambda n, p: n,
    shapes_ok=lambda n, p: (n >= 0) & (n == fnp.floor(n)) & (p >= 0) & (p <= 1),
    example={"pmf": ("round(float(binom.pmf(2, 5, 0.3)), 12)", "0.3087"),
             "cdf": ("round(float(binom.cdf(2, 5, 0.3)), 12)", "0.83692"),
             "ppf": ("float(binom.ppf(0.5, 5, 0.3))", "1.0")})

pmf, logpmf, cdf, logcdf, sf, logsf, ppf = _dist.methods()

__all__ = ["cdf", "logcdf", "logpmf", "logsf", "pmf", "ppf", "sf"]
