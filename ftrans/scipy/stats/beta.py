"""SciPy's ``stats.beta``: the beta distribution with shapes ``a``, ``b`` on
``[loc, loc + scale]``. Differentiable in ``a`` and ``b`` too (to first order in cdf, sf and
ppf, through ``betainc``'s derivatives in its shapes — which JAX does not have).

``pdf``, ``logpdf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf``, ``isf`` with SciPy's
signatures; see ``_common.py`` for the conventions.
"""

from __future__ import annotations

from ... import numpy as fnp
from .. import _special_more as sp
from .. import special
from ._common import Continuous


def _sf(z, a, b):
    # 1 - cdf where that is above 1/2 (z's digits kept), else the mirrored cdf at 1 - z
    cdf = sp.betainc(a, b, z)
    return fnp.where(cdf < 0.5, 1 - cdf, sp.betainc(b, a, 1 - z))


def _isf(q, a, b):
    # the ppf of 1 - q where that is exact, else 1 - (the mirrored distribution's ppf)
    return fnp.where(q >= 0.5, sp.betaincinv(a, b, 1 - q), 1 - sp.betaincinv(b, a, q))


_dist = Continuous(
    "beta", ("a", "b"),
    logpdf=lambda z, a, b: (special.xlogy(a - 1, z) + special.xlog1py(b - 1, -z)
                            - sp.betaln(a, b)),
    cdf=lambda z, a, b: sp.betainc(a, b, z), sf=_sf, ppf=lambda q, a, b: sp.betaincinv(a, b, q),
    isf=_isf,
    support=lambda a, b: (0.0, 1.0), inside=lambda a, b: 0.5,
    shapes_ok=lambda a, b: (a > 0) & (b > 0),
    example={"pdf": ("float(beta.pdf(0.5, 2.0, 2.0))", "1.5"),
             "cdf": ("float(beta.cdf(0.5, 2.0, 2.0))", "0.5"),
             "ppf": ("round(float(beta.ppf(0.5, 2.0, 2.0)), 12)", "0.5")})

pdf, logpdf, cdf, logcdf, sf, logsf, ppf, isf = _dist.methods()

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
