"""SciPy's ``stats.uniform``: the uniform distribution on ``[loc, loc + scale]``.

``pdf``, ``logpdf``, ``cdf``, ``logcdf``, ``sf``, ``logsf``, ``ppf``, ``isf`` with SciPy's
signatures; see ``_common.py`` for the conventions.
"""

from __future__ import annotations

from ._common import Continuous

_dist = Continuous(
    "uniform", (),
    logpdf=lambda z: 0.0 * z, pdf=lambda z: 1.0 + 0.0 * z,
    cdf=lambda z: z, sf=lambda z: 1 - z, ppf=lambda q: q, isf=lambda q: 1 - q,
    support=lambda: (0.0, 1.0), inside=lambda: 0.5,
    example={"pdf": ("float(uniform.pdf(0.5, loc=0.0, scale=2.0))", "0.5"),
             "cdf": ("float(uniform.cdf(1.5, loc=1.0, scale=2.0))", "0.25"),
             "ppf": ("float(uniform.ppf(0.25, loc=1.0, scale=2.0))", "1.5")})

pdf, logpdf, cdf, logcdf, sf, logsf, ppf, isf = _dist.methods()

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
