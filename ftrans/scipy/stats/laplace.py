"""SciPy's ``stats.laplace``: the Laplace (double exponential) distribution, density
``exp(-|x - loc| / scale) / (2 scale)``.

``pdf``, ``logpdf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf``, ``isf`` with SciPy's
signatures; see ``_common.py`` for the conventions.
"""

from __future__ import annotations

import math

import numpy as np

from ... import numpy as fnp
from ._common import Continuous

_LOG2 = math.log(2)


def _neg(z):
    return fnp.where(z < 0, z, 0.0)


def _pos(z):
    return fnp.where(z > 0, z, 0.0)


_dist = Continuous(
    "laplace", (),
    logpdf=lambda z: -fnp.abs(z) - _LOG2, pdf=lambda z: 0.5 * fnp.exp(-fnp.abs(z)),
    cdf=lambda z: fnp.where(z > 0, 1 - 0.5 * fnp.exp(-_pos(z)), 0.5 * fnp.exp(_neg(z))),
    sf=lambda z: fnp.where(z > 0, 0.5 * fnp.exp(-_pos(z)), 1 - 0.5 * fnp.exp(_neg(z))),
    ppf=lambda q: fnp.where(q > 0.5, -fnp.log(2 - 2 * fnp.where(q > 0.5, q, 0.75)),
                            fnp.log(2 * fnp.where(q > 0.5, 0.25, q))),
    isf=lambda q: fnp.where(q > 0.5, fnp.log(2 - 2 * fnp.where(q > 0.5, q, 0.75)),
                            -fnp.log(2 * fnp.where(q > 0.5, 0.25, q))),
    support=lambda: (-np.inf, np.inf), inside=lambda: 0.0,
    example={"pdf": ("float(laplace.pdf(0.0))", "0.5"),
             "cdf": ("float(laplace.cdf(0.0))", "0.5"),
             "ppf": ("round(float(laplace.ppf(0.75)), 12)", "0.69314718056")})

pdf, logpdf, cdf, logcdf, sf, logsf, ppf, isf = _dist.methods()

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
