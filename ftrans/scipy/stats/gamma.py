"""SciPy's ``stats.gamma``: the gamma distribution with shape ``a``, density
``z^(a-1) e^-z / Γ(a)`` of ``z = (x - loc) / scale``. Differentiable in ``a`` too (to first
order in cdf, sf and ppf, through ``gammainc``'s derivative in ``a``).

``pdf``, ``logpdf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf``, ``isf`` with SciPy's
signatures; see ``_common.py`` for the conventions.
"""

from __future__ import annotations

import numpy as np

from .. import _special_more as sp
from .. import special
from ._common import Continuous

_dist = Continuous(
    "gamma", ("a",),
    logpdf=lambda z, a: special.xlogy(a - 1, z) - z - special.gammaln(a),
    cdf=lambda z, a: sp.gammainc(a, z), sf=lambda z, a: sp.gammaincc(a, z),
    ppf=lambda q, a: sp.gammaincinv(a, q), isf=lambda q, a: sp.gammainccinv(a, q),
    support=lambda a: (0.0, np.inf), inside=lambda a: a,
    shapes_ok=lambda a: a > 0,
    example={"pdf": ("round(float(gamma.pdf(1.0, 1.0)), 12)", "0.367879441171"),
             "cdf": ("round(float(gamma.cdf(2.0, 1.0)), 12)", "0.864664716763"),
             "ppf": ("round(float(gamma.ppf(0.5, 1.0, scale=2.0)), 12)", "1.38629436112")})

pdf, logpdf, cdf, logcdf, sf, logsf, ppf, isf = _dist.methods()

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
