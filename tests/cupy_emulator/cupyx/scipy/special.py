"""``cupyx.scipy.special`` of the emulator: SciPy's functions when installed, otherwise
ftrans's own NumPy implementations (an emulator needs a reference, not a second one)."""

from __future__ import annotations

from typing import Any

import cupy
import numpy


def _host(name: str) -> Any:
    try:
        import scipy.special as sc
        return getattr(sc, name)
    except ImportError:
        from ftrans.prims import special as fs
        return {"erf": fs._np_erf, "erfc": fs._np_erfc, "gammaln": fs._np_lgamma,
                "digamma": fs._np_digamma, "erfinv": fs._np_erfinv,
                "polygamma": fs._np_polygamma}[name]


def _elementwise(name: str) -> Any:
    def f(*args: Any) -> Any:
        host = [cupy._unwrap(a, f"scipy.special.{name}") for a in args]
        arrays = [h for h in host if isinstance(h, numpy.ndarray)]
        dtype = numpy.result_type(*arrays) if arrays else numpy.dtype(numpy.float64)
        out = numpy.asarray(_host(name)(*host))
        return cupy._wrap(out.astype(dtype if dtype.kind == "f" else numpy.float64))
    f.__name__ = name
    return f


erf, erfc, erfinv, gammaln, digamma, polygamma = (
    _elementwise(n) for n in ("erf", "erfc", "erfinv", "gammaln", "digamma", "polygamma"))
