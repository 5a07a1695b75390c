"""SciPy's ``stats.bernoulli``: 1 with probability ``p``, 0 otherwise. ``pmf``, ``logpmf``,
``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf`` with SciPy's signatures (see ``_common.py``);
differentiable in ``p``.
"""

from __future__ import annotations

from ... import numpy as fnp
from .. import special
from ._common import Discrete

_dist = Discrete(
    "bernoulli", ("p",),
    logpmf=lambda k, p: special.xlogy(k, p) + special.xlog1py(1 - k, -p),
    cdf=lambda k, p: 1 - p, sf=lambda k, p: p + 0 * k,
    ppf=lambda q, p: fnp.where(q <= 1 - p, 0.0, 1.0),
    support=lambda p: (0.0, 1.0),
    shapes_ok=lambda p: (p >= 0) & (p <= 1),
    example={"pmf": ("float(bernoulli.pmf(1, 0.3))", "0.3"),
             "cdf": ("float(bernoulli.cdf(0, 0.3))", "0.7"),
             "ppf": ("float(bernoulli.ppf(0.8, 0.3))", "1.0")})

pmf, logpmf, cdf, logcdf, sf, logsf, ppf = _dist.methods()

__all__ = ["cdf", "logcdf", "logpmf", "logsf", "pmf", "ppf", "sf"]
