"""SciPy's ``stats.t``: Student's t distribution with ``df`` degrees of freedom (the normal
distribution for ``df = inf``). cdf and sf through ``betainc`` on whichever side keeps the
digits; ppf through ``betaincinv``. Differentiable in ``df`` too (to first order in cdf, sf and
ppf).

``pdf``, ``logpdf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf``, ``isf`` with SciPy's
signatures; see ``_common.py`` for the conventions.
"""

from __future__ import annotations

import math

import numpy as np

from ... import numpy as fnp
from .. import _special_more as sp
from ._common import Continuous

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _finite(df):
    return fnp.where(df < np.inf, df, 1.0)


def _logpdf(z, df):
    d = _finite(df)
    # log Γ((d+1)/2) / Γ(d/2) = log Γ(1/2) - betaln(d/2, 1/2): no cancellation for large d
    t = (0.5 * math.log(math.pi) - sp.betaln(d / 2, 0.5) - 0.5 * fnp.log(d * math.pi)
         - (d + 1) / 2 * fnp.log1p(z * z / d))
    return fnp.where(df < np.inf, t, -0.5 * (z * z) - _LOG_SQRT_2PI)


def _tail(z, df):
    """P(T > |z|): I_(df/(df+z²))(df/2, 1/2) / 2 in the tails (beyond |z| = sqrt(df), or where
    the other form is below 0.05), 1/2 - I_(z²/(df+z²))(1/2, df/2) / 2 near the centre; the
    normal's for df = inf. (For df ~ 1e6 the tails keep about 1e-10: df/(df+z²) rounds.)"""
    d = _finite(df)
    z2 = z * z
    inner = 0.5 - 0.5 * sp.betainc(0.5, d / 2, z2 / (d + z2))
    far = (z2 > d) | (inner < 0.05)  # df / (df + z²) < 1/2, or the difference would cancel
    outer = 0.5 * sp.betainc(d / 2, 0.5, d / (d + fnp.where(far, z2, d)))
    return fnp.where(df < np.inf, fnp.where(far, outer, inner), sp.ndtr(-fnp.abs(z)))


def _cdf(z, df):
    tail = _tail(z, df)
    return fnp.where(z > 0, 1 - tail, tail)


def _sf(z, df):
    tail = _tail(z, df)
    return fnp.where(z > 0, tail, 1 - tail)


def _upper_quantile(p, df):
    """t with P(T > t) = p for 0 < p <= 1/2: through betaincinv on the side that keeps the
    digits (as _tail)."""
    d = _finite(df)
    p2 = 2 * p
    far = p2 < 0.5
    x = sp.betaincinv(d / 2, 0.5, fnp.where(far, p2, 0.25))  # df / (df + t²)
    y = sp.betaincinv(0.5, d / 2, fnp.where(far, 0.5, 1 - p2))  # t² / (df + t²)
    t2 = fnp.where(far, d * (1 - x) / x, d * y / (1 - y))
    return fnp.where(df < np.inf, fnp.sqrt(t2), -sp.ndtri(p))


def _ppf(q, df):
    low = q < 0.5
    p = fnp.where(low, q, 1 - q)
    t = _upper_quantile(p, df)
    return fnp.where(low, -t, t)


_dist = Continuous(
    "t", ("df",),
    logpdf=_logpdf, cdf=_cdf, sf=_sf, ppf=_ppf, isf=lambda q, df: -_ppf(q, df),
    support=lambda df: (-np.inf, np.inf), inside=lambda df: 0.0,
    shapes_ok=lambda df: df > 0,
    example={"pdf": ("round(float(t.pdf(0.0, 1.0)), 12)  # Cauchy's", "0.318309886184"),
             "cdf": ("float(t.cdf(0.0, 3.0))", "0.5"),
             "ppf": ("round(float(t.ppf(0.975, 10.0)), 10)", "2.228138852")})

pdf, logpdf, cdf, logcdf, sf, logsf, ppf, isf = _dist.methods()

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
