"""``cupyx.scipy.special`` of the emulator: SciPy's functions when installed, otherwise
ftrans's own NumPy implementations (an emulator needs a reference, not a second one). Only
the functions ftrans calls, each a name CuPy's module has (it has no ``iv``/``ive``)."""

from __future__ import annotations

from typing import Any

import cupy
import numpy


def _fallback(name: str) -> Any:
    from ftrans.prims import incomplete_inverse as inc_inv
    from ftrans.prims import incomplete_numpy as inc
    from ftrans.prims import special_numpy as snp
    return {"erf": snp.erf, "erfc": snp.erfc, "gammaln": snp.lgamma, "digamma": snp.digamma,
            "erfinv": snp.erfinv, "polygamma": snp.polygamma, "gamma": snp.gamma,
            "ndtri": snp.ndtri, "log_ndtr": snp.log_ndtr, "expi": snp.expi, "zeta": snp.zeta,
            "gammainc": lambda a, x: inc.igamma(a, x, False),
            "gammaincc": lambda a, x: inc.igamma(a, x, True), "betainc": inc.betainc,
            "gammaincinv": lambda a, p: inc_inv.igamma_inv(a, p, False),
            "gammainccinv": lambda a, p: inc_inv.igamma_inv(a, p, True),
            "betaincinv": inc_inv.betainc_inv,
            "i0": lambda x: snp.bessel_i01(0, x, False),
            "i0e": lambda x: snp.bessel_i01(0, x, True),
            "i1": lambda x: snp.bessel_i01(1, x, False),
            "i1e": lambda x: snp.bessel_i01(1, x, True)}[name]


def _host(name: str) -> Any:
    try:
        import scipy.special as sc
        return getattr(sc, name)
    except ImportError:
        return _fallback(name)


def _elementwise(name: str) -> Any:
    def f(*args: Any) -> Any:
        host = [cupy._unwrap(a, f"scipy.special.{name}") for a in args]
        arrays = [h for h in host if isinstance(h, numpy.ndarray)]
        dtype = numpy.result_type(*arrays) if arrays else numpy.dtype(numpy.float64)
        out = numpy.asarray(_host(name)(*host))
        return cupy._wrap(out.astype(dtype if dtype.kind == "f" else numpy.float64))
    f.__name__ = name
    return f


_NAMES = ("erf", "erfc", "erfinv", "gammaln", "digamma", "polygamma", "gamma", "ndtri",
          "log_ndtr", "expi", "zeta", "gammainc", "gammaincc", "betainc", "i0", "i0e", "i1",
          "i1e", "gammaincinv", "gammainccinv", "betaincinv")
globals().update({n: _elementwise(n) for n in _NAMES})
