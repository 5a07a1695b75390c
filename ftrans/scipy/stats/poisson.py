"""SciPy's ``stats.poisson``: the Poisson distribution with mean ``mu`` on the integers
``k >= loc``. ``pmf``, ``logpmf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf`` with SciPy's
signatures (see ``_common.py``); differentiable in ``mu`` (``k`` is piecewise constant).
"""

from __future__ import annotations

import numpy as np

from ... import numpy as fnp
from .. import _special_more as sp
from .. import special
from ._common import Discrete

_dist = Discrete(
    "poisson", ("mu",),
    logpmf=lambda k, mu: special.xlogy(k, mu) - mu - special.gammaln(k + 1),
    cdf=lambda k, mu: sp.gammaincc(k + 1, mu), sf=lambda k, mu: sp.gammainc(k + 1, mu),
    support=lambda mu: (0.0, np.inf),
    upper_guess=lambda mu: fnp.ceil(mu + 10 * fnp.sqrt(mu) + 50),
    shapes_ok=lambda mu: mu >= 0,
    example={"pmf": ("round(float(poisson.pmf(2, 2.0)), 12)", "0.270670566473"),
             "cdf": ("round(float(poisson.cdf(2, 2.0)), 12)", "0.676676416183"),
             "ppf": ("float(poisson.ppf(0.5, 2.0))", "2.0")})

pmf, logpmf, cdf, logcdf, sf, logsf, ppf = _dist.methods()

__all__ = ["cdf", "logcdf", "logpmf", "logsf", "pmf", "ppf", "sf"]
