"""Special-function primitives: erf, erfc, erfinv, lgamma, digamma, polygamma, gamma, ndtri,
log_ndtr, expi and Hurwitz's zeta; the incomplete gamma and beta functions are in
``incomplete.py``, the Bessel functions in ``bessel.py``.

Each impl uses ``scipy.special`` (``cupyx.scipy.special`` for CuPy arrays) when installed,
imported on first use; otherwise the NumPy-only versions of ``special_numpy.py`` (accurate to
about 1e-15; SciPy's edge values). ``_scipy_special = False`` forces those (the tests do).

Derivatives: ``erf' = 2/√π e^{−x²}``, ``erfc' = −erf'``, ``erfinv' = √π/2 e^{erfinv(x)²}``,
``lgamma' = digamma``, ``digamma' = polygamma(1)``, ``polygamma(n)' = polygamma(n+1)``,
``gamma' = gamma digamma``, ``ndtri' = √(2π) e^{ndtri²/2}``, ``log_ndtr' = φ/Φ``,
``expi' = e^x/x``, ``∂ζ(s, q)/∂q = −s ζ(s+1, q)``, ``∂ζ/∂s`` the primitive ``zeta_ds``
(``−Σ log(q+k) (q+k)^−s``, first order; SciPy has none, so always ``special_numpy.zeta_ds``).
The CUDA expressions use CUDA's ``erf``, ``erfc``, ``lgamma``, ``tgamma``
and the element functions of ``kernels/ft_math.cuh`` and ``ft_special.cuh`` (the algorithms
of ``special_numpy.py``, step by step; CUDA's erfinv and normcdfinv on the device).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..primitive import Primitive
from . import ops
from . import special_numpy as snp
from .families import binary, elementwise_jvp, unary

# ----------------------------------------------------------------------------- backends

_scipy_special: Any = None


def _scipy() -> Any:
    """``scipy.special``, or ``False`` when SciPy is not installed (or switched off)."""
    global _scipy_special
    if _scipy_special is None:
        try:
            import scipy.special as sc
            _scipy_special = sc
        except ImportError:
            _scipy_special = False
    return _scipy_special


def library(xp: Any) -> Any:
    """``scipy.special`` for NumPy (``False`` without SciPy), ``cupyx.scipy.special`` for
    CuPy."""
    if xp is not np:
        import cupyx.scipy.special as cs
        return cs
    return _scipy()


def like_inputs(out: Any, *args: Any) -> Any:
    """``out`` in the float dtype of ``args`` (float64 for integers), a scalar for 0-d."""
    dtypes = [a.dtype for a in args if hasattr(a, "dtype")]
    dtype = np.result_type(*dtypes) if dtypes else np.dtype(np.float64)
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    if out.dtype != dtype:
        out = out.astype(dtype)
    return out[()] if out.ndim == 0 else out


def on_host(xp: Any, fn: Callable, *args: Any) -> Any:
    """``fn`` (a NumPy function) on CuPy arrays: copied to the host and back. For the few
    functions ``cupyx.scipy.special`` lacks, alone outside a fused kernel."""
    if xp is np:
        return fn(*args)
    host = [xp.asnumpy(a) if hasattr(a, "__cuda_array_interface__") else a for a in args]
    return xp.asarray(fn(*host))


def special_impl(name: str, fallback: Callable, **fixed: Any) -> Callable:
    """The impl of the special function ``name`` of scipy.special: SciPy's (or CuPy's) ufunc
    when there is one, else ``fallback`` (a NumPy function) on the host."""
    def impl(xp: Any, *args: Any, **params: Any) -> Any:
        lib = library(xp)
        fn = getattr(lib, name, None) if lib else None
        if fn is not None:
            out = xp.asarray(fn(*args))
        else:
            out = on_host(xp, lambda *a: fallback(*[np.asarray(v) for v in a], **fixed),
                          *args)
        return like_inputs(out, *args)
    impl.__name__ = f"{name}_impl"
    return impl


# ----------------------------------------------------------------------------- primitives

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)

erf_p = unary("erf", None, lambda t, x, out: t * (_TWO_OVER_SQRT_PI * ops.exp(-(x * x))),
              "erf({0})", impl=special_impl("erf", snp.erf))
erfc_p = unary("erfc", None, lambda t, x, out: t * (-_TWO_OVER_SQRT_PI * ops.exp(-(x * x))),
               "erfc({0})", impl=special_impl("erfc", snp.erfc))
erfinv_p = unary("erfinv", None, lambda t, x, out: t * (0.5 * math.sqrt(math.pi)
                                                       * ops.exp(out * out)),
                 "ft_erfinv({0})", impl=special_impl("erfinv", snp.erfinv))
lgamma_p: Primitive = unary("lgamma", None, lambda t, x, out: t * digamma_p.bind(x), "lgamma({0})",
                 impl=special_impl("gammaln", snp.lgamma))
digamma_p: Primitive = unary("digamma", None, lambda t, x, out: t * polygamma_p.bind(x, n=1),
                  "ft_digamma({0})", impl=special_impl("digamma", snp.digamma))


def _polygamma_deriv(t: Any, x: Any, out: Any, *, n: int) -> Any:
    return t * polygamma_p.bind(x, n=n + 1)


def _polygamma_impl(xp: Any, x: Any, *, n: int) -> Any:
    lib = library(xp)
    out = xp.asarray(lib.polygamma(n, x)) if lib else snp.polygamma(n, np.asarray(x))
    return like_inputs(out, x)


polygamma_p: Primitive = unary("polygamma", None, None, "ft_polygamma({n}, {0})",
                               impl=_polygamma_impl)
polygamma_p.jvp = elementwise_jvp([_polygamma_deriv])

gamma_p = unary("gamma", None, lambda t, x, out: t * (out * digamma_p.bind(x)), "tgamma({0})",
                impl=special_impl("gamma", snp.gamma))

_SQRT_2PI = math.sqrt(2 * math.pi)
ndtri_p = unary("ndtri", None, lambda t, x, out: t * (_SQRT_2PI * ops.exp(0.5 * (out * out))),
                "ft_ndtri({0})", impl=special_impl("ndtri", snp.ndtri))
def _log_ndtr_deriv(t: Any, x: Any, out: Any) -> Any:
    """φ(x)/Φ(x) = exp(log φ(x) - log_ndtr(x)); below -20, where both logs are large, as
    ``-x / (1 + S)`` with log_ndtr's own series ``S = Σ (-1)^k (2k-1)!! / x^2k``."""
    far = x < -20
    xs = ops.where(far, x, -20.0)
    inv2 = 1 / (xs * xs)
    term, series = 1.0, 0.0
    for k in range(1, 11):
        term = term * (-(2 * k - 1) * inv2)
        series = series + term
    near = ops.exp(-0.5 * (x * x) - snp.LOG_SQRT_2PI - ops.where(far, -1.0, out))
    return t * ops.where(far, -xs / (1 + series), near)


log_ndtr_p = unary("log_ndtr", None, _log_ndtr_deriv, "ft_log_ndtr({0})",
                   impl=special_impl("log_ndtr", snp.log_ndtr))
expi_p = unary("expi", None, lambda t, x, out: t * (ops.exp(x) / x), "ft_expi({0})",
               impl=special_impl("expi", snp.expi))


zeta_p: Primitive = binary("zeta", None, [lambda t, s, q, out: t * zeta_ds_p.bind(s, q),
                               lambda t, s, q, out: t * (-s * zeta_p.bind(s + 1, q))],
                "ft_zeta({0}, {1})", impl=special_impl("zeta", snp.zeta))


def _zeta_ds_impl(xp: Any, s: Any, q: Any) -> Any:
    out = on_host(xp, lambda s, q: snp.zeta_ds(np.asarray(s), np.asarray(q)), s, q)
    return like_inputs(out, s, q)


def _zeta_ds_ds(t: Any, s: Any, q: Any, out: Any) -> Any:
    raise NotImplementedError("zeta(s, q): the second derivative in s is not implemented "
                              "(the first is)")


# ∂ζ/∂s; its derivative in q: ∂/∂s (-s ζ(s+1, q)) = -ζ(s+1, q) - s ∂ζ(s+1, q)/∂s
zeta_ds_p: Primitive = binary("zeta_ds", None,
                   [_zeta_ds_ds, lambda t, s, q, out: t * (-zeta_p.bind(s + 1, q)
                                                           - s * zeta_ds_p.bind(s + 1, q))],
                   "ft_zeta_ds({0}, {1})", impl=_zeta_ds_impl)
