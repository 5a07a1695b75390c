"""Special-function primitives: erf, erfc, erfinv, lgamma, digamma, polygamma.

Each impl uses ``scipy.special`` (``cupyx.scipy.special`` for CuPy arrays) when installed,
imported on first use; otherwise a NumPy-only implementation accurate to about 1e-15:

- erf, erfc, lgamma: the C library's (Python's ``math``), elementwise;
- digamma: reflection for ``x < 1/2``, the recurrence ``ψ(x) = ψ(x+1) − 1/x`` up to
  ``x ≥ 10``, then the asymptotic series ``ln x − 1/2x − Σ B₂ₖ / (2k x²ᵏ)``;
- polygamma(n ≥ 1): the recurrence ``ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x+1) + (−1)ⁿ⁺¹ n! / xⁿ⁺¹`` up to
  ``x ≥ 20 + n``, then its asymptotic series (``nan`` for ``x < −10⁶``);
- erfinv: Giles' approximation ("Approximating the erfinv function", 2010) refined by
  four Newton steps on ``erf`` (on ``log erfc`` near ±1).

Derivatives: ``erf' = 2/√π e^{−x²}``, ``erfc' = −erf'``, ``erfinv' = √π/2 e^{erfinv(x)²}``,
``lgamma' = digamma``, ``digamma' = polygamma(1)``, ``polygamma(n)' = polygamma(n+1)``.
The CUDA expressions use CUDA's ``erf``, ``erfc`` and ``lgamma``, and ``kernels/ft_math.cuh``'s
``ft_erfinv`` (CUDA's erfinv on the device, the algorithm above on the host),
``ft_digamma(x)`` and ``ft_polygamma(n, x)`` (the algorithms above, step by step).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .._lazy import fnp
from .families import elementwise_jvp, unary

# ----------------------------------------------------------------------------- backends

_scipy_special: Any = None


def _scipy() -> Any:
    """``scipy.special``, or ``False`` when SciPy is not installed."""
    global _scipy_special
    if _scipy_special is None:
        try:
            import scipy.special as sc
            _scipy_special = sc
        except ImportError:
            _scipy_special = False
    return _scipy_special


def _library(xp: Any) -> Any:
    if xp is not np:
        import cupyx.scipy.special as cs
        return cs
    return _scipy()


def _elementwise_math(fn: Callable[[float], float]) -> Callable[[np.ndarray], np.ndarray]:
    ufunc = np.frompyfunc(fn, 1, 1)
    return lambda x: np.asarray(ufunc(x), dtype=np.float64)


def _safe_lgamma(v: float) -> float:
    try:
        return math.lgamma(v)
    except ValueError:  # a pole
        return math.inf


_np_erf = _elementwise_math(math.erf)
_np_erfc = _elementwise_math(math.erfc)
_np_lgamma = _elementwise_math(_safe_lgamma)

# B₂ₖ for k = 1..10
_BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330]


def _np_digamma(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        reflect = x < 0.5
        y = np.where(reflect, 1 - x, x)
        acc = np.zeros_like(y)
        for _ in range(10):
            small = y < 10
            acc = acc - np.where(small, 1 / y, 0)
            y = np.where(small, y + 1, y)
        inv2 = 1 / (y * y)
        series = np.zeros_like(y)
        for k in range(7, 0, -1):
            series = (series + _BERNOULLI[k - 1] / (2 * k)) * inv2
        out = acc + np.log(y) - 0.5 / y - series
        # π cot(πx), with x reduced first so that πx keeps its precision near the poles
        out = np.where(reflect, out - np.pi / np.tan(np.pi * (x - np.round(x))), out)
        pole = (x <= 0) & (x == np.floor(x))
        out = np.where(pole, np.where(x == 0, -np.inf, np.nan), out)
    return out


def _np_polygamma(n: int, x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    sign = -1.0 if n % 2 == 0 else 1.0  # (-1)^(n+1)
    threshold = 20.0 + n
    with np.errstate(all="ignore"):
        usable = np.isfinite(x) & (x > -1e6)  # the recurrence would take too long below
        y = np.where(usable, x, threshold)
        acc = np.zeros_like(y)
        while True:
            small = y < threshold
            if not small.any():
                break
            acc = acc + np.where(small, 1 / y ** (n + 1), 0)
            y = np.where(small, y + 1, y)
        fact = math.factorial
        series = fact(n - 1) / y ** n + fact(n) / (2 * y ** (n + 1))
        for k in range(1, len(_BERNOULLI) + 1):
            series = series + (_BERNOULLI[k - 1] * fact(2 * k + n - 1) / fact(2 * k)
                               / y ** (2 * k + n))
        out = sign * (fact(n) * acc + series)
        out = np.where(usable, out, np.where(x == np.inf, 0.0, np.nan))
        pole = (x <= 0) & (x == np.floor(x))
        out = np.where(pole, np.inf if n % 2 else np.nan, out)
    return out


def _np_erfinv(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        w = -np.log((1 - y) * (1 + y))
        wc = w - 2.5
        p1 = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):
            p1 = c + p1 * wc
        wt = np.sqrt(w) - 3
        p2 = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                  -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):
            p2 = c + p2 * wt
        x = np.where(w < 5, p1, p2) * y
        a = np.abs(y)
        tail = a > 0.5
        target = np.where(tail, 1 - a, a)  # erfc(|x|) = 1 - |y| in the tails
        for _ in range(4):
            ax = np.abs(x)
            density = 2 / np.sqrt(np.pi) * np.exp(-ax * ax)
            # Newton on erf(|x|) = |y|, in the tails on log erfc(|x|) = log(1 - |y|)
            f = np.empty_like(ax)
            erfc_tail = _np_erfc(ax[tail])
            f[tail] = (np.log(target[tail]) - np.log(erfc_tail)) * erfc_tail
            f[~tail] = _np_erf(ax[~tail]) - target[~tail]
            step = f / density
            x = np.where(np.isfinite(step), x - np.sign(y) * step, x)
        x = np.where(a == 1, np.sign(y) * np.inf, x)
        x = np.where(a > 1, np.nan, x)
    return x


_NUMPY_IMPLS = {"erf": _np_erf, "erfc": _np_erfc, "erfinv": _np_erfinv,
                "gammaln": _np_lgamma, "digamma": _np_digamma}


def _like_input(out: Any, x: Any) -> Any:
    """``out`` in ``x``'s float dtype (float64 for integer ``x``), a scalar for 0-d ``x``."""
    dtype = getattr(x, "dtype", np.dtype(np.float64))
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    if out.dtype != dtype:
        out = out.astype(dtype)
    return out[()] if out.ndim == 0 else out


def _impl(name: str) -> Callable:
    """The impl of the special function ``name`` (scipy.special's name)."""
    def impl(xp: Any, x: Any) -> Any:
        lib = _library(xp)
        if lib:
            return _like_input(xp.asarray(getattr(lib, name)(x)), x)
        return _like_input(_NUMPY_IMPLS[name](np.asarray(x)), x)
    return impl


def _polygamma_impl(xp: Any, x: Any, *, n: int) -> Any:
    lib = _library(xp)
    if lib:
        return _like_input(xp.asarray(lib.polygamma(n, x)), x)
    return _like_input(_np_polygamma(n, np.asarray(x)), x)


# ----------------------------------------------------------------------------- primitives

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)

erf_p = unary("erf", None, lambda t, x, out: t * (_TWO_OVER_SQRT_PI * fnp.exp(-(x * x))),
              "erf({0})", impl=_impl("erf"))
erfc_p = unary("erfc", None, lambda t, x, out: t * (-_TWO_OVER_SQRT_PI * fnp.exp(-(x * x))),
               "erfc({0})", impl=_impl("erfc"))
erfinv_p = unary("erfinv", None, lambda t, x, out: t * (0.5 * math.sqrt(math.pi)
                                                       * fnp.exp(out * out)),
                 "ft_erfinv({0})", impl=_impl("erfinv"))
lgamma_p = unary("lgamma", None, lambda t, x, out: t * digamma_p.bind(x), "lgamma({0})",
                 impl=_impl("gammaln"))
digamma_p = unary("digamma", None, lambda t, x, out: t * polygamma_p.bind(x, n=1),
                  "ft_digamma({0})", impl=_impl("digamma"))


def _polygamma_deriv(t: Any, x: Any, out: Any, *, n: int) -> Any:
    return t * polygamma_p.bind(x, n=n + 1)


polygamma_p = unary("polygamma", None, None, "ft_polygamma({n}, {0})", impl=_polygamma_impl)
polygamma_p.jvp = elementwise_jvp([_polygamma_deriv])
