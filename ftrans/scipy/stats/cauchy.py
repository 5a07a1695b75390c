"""SciPy's ``stats.cauchy``: the Cauchy distribution, density
``1 / (π scale (1 + z²))``.

``pdf``, ``logpdf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf``, ``isf`` with SciPy's
signatures; see ``_common.py`` for the conventions.
"""

from __future__ import annotations

import math

import numpy as np

from ... import numpy as fnp
from ._common import Continuous


def _ppf(q):
    """tan(π(q - 1/2)) as -cot(πq) below 1/2 and cot(π(1 - q)) above (1 - q exact): no
    rounding of q - 1/2 in the tails."""
    low = q < 0.5
    r = fnp.where(low, q, 1 - q)
    c = 1 / fnp.tan(math.pi * r)
    return fnp.where(q == 0.5, 0.0 * q, fnp.where(low, -c, c))


_dist = Continuous(
    "cauchy", (),
    logpdf=lambda z: -math.log(math.pi) - fnp.log1p(z * z),
    pdf=lambda z: 1 / (math.pi * (1 + z * z)),
    cdf=lambda z: fnp.arctan2(1.0, -z) / math.pi, sf=lambda z: fnp.arctan2(1.0, z) / math.pi,
    ppf=_ppf, isf=lambda q: -_ppf(q),
    support=lambda: (-np.inf, np.inf), inside=lambda: 0.0,
    example={"pdf": ("round(float(cauchy.pdf(0.0)), 12)", "0.318309886184"),
             "cdf": ("float(cauchy.cdf(1.0))", "0.75"),
             "ppf": ("round(float(cauchy.ppf(0.75)), 12)", "1.0")})

pdf, logpdf, cdf, logcdf, sf, logsf, ppf, isf = _dist.methods()

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
