"""NumPy-only incomplete gamma and beta functions, and their derivatives in the shape
parameters: what the ``igamma``/``betainc`` primitives compute when SciPy is not installed
(and always for the derivatives in ``a``, ``b``, which SciPy lacks). ``kernels/ft_special.cuh``
follows the same algorithms step by step.

Every algorithm is written once on numbers that may be *dual* (``Dual(v, d)``: a value and
its derivative in one parameter, ``dual.py``), so running it with ``a = Dual(a, 1)`` gives
the value and ``∂/∂a`` together — forward-mode differentiation of the series and continued
fractions, iterated until both parts have converged. The inverses (``igamma_inv``,
``betainc_inv``) are ``incomplete_inverse.py``'s.

- ``gammainc``/``gammaincc``: ``P`` by its power series for ``x < a + 1`` (with ``Q`` by the
  series of DLMF 8.7.3 when ``x <= 1.5`` and ``P > 1/2``, so small ``Q`` keeps its digits),
  else ``Q`` by Legendre's continued fraction (modified Lentz); the factor ``x^a e^-x/Γ(a)``
  from Stirling's series for ``a >= 10``, so large ``a`` keeps its digits; for ``a > 1e6``
  Temme's uniform expansion (DLMF 8.12, two terms).
- ``betainc``: the continued fraction of DLMF 8.17.22 (modified Lentz) on the side of the
  mean where it converges fast (``I_x(a, b) = 1 - I_{1-x}(b, a)``), times
  ``x^a (1-x)^b / (a B(a, b))``, ``log B`` from ``betaln``.
- ``betaln``: ``lgamma(a) + lgamma(b) - lgamma(a+b)`` for small arguments, Stirling's series
  (``lgamma_correction``) where the terms would cancel.

The iterations stop at 1e-16 relative change or after ``MAX_ITER`` steps (they need about
``9 sqrt(max(a, b))``; betainc's accuracy degrades past ``a, b ~ 1e6``, about as
``1e-16 max(a, b)``).
"""


from __future__ import annotations

from typing import Any

import numpy as np

from . import special_numpy as snp
from .dual import (
    EPS,
    Dual,
    converged,
    erfc,
    exp,
    expm1,
    lgamma,
    log,
    log1p,
    put,
    sqrt,
    val,
    where,
)

MAX_ITER = 20000
CF_EPS = 3e-16  # |delta - 1| for continued fractions: one ulp either side of 1 counts
TINY = 1e-300
LOG_2PI = 1.8378770664093454836

# B_2k / (2k (2k-1)) for k = 1..8: Stirling's series of lgamma
STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156,
             -3617 / 122400]


# ----------------------------------------------------------------------------- lgamma, betaln

def lgamma_correction(x: Any) -> Any:
    """``lgamma(x) - ((x - 1/2) log x - x + log(2π)/2)`` for ``x >= 10`` (error < 1e-17)."""
    inv = 1 / x
    inv2 = inv * inv
    acc = 0 * inv + STIRLING[-1]
    for c in reversed(STIRLING[:-1]):
        acc = acc * inv2 + c
    return acc * inv


def lgamma1p(a: Any) -> Any:
    """``lgamma(1 + a)``, accurate for small ``a`` too (``snp.lgamma1p_series`` for
    ``|a| < 0.2``)."""
    av = val(a)
    small = np.abs(av) < 0.2
    safe = where(small, a, 0.0)
    acc = 0 * safe
    for k in range(26, 1, -1):
        acc = (acc + (-1) ** k * snp.ZETA_INT[k] / k) * safe
    series = (acc - snp.EULER) * safe
    return where(small, series, lgamma(1 + where(small, 0.0, a)))


def betaln(a: Any, b: Any) -> Any:
    """``log |B(a, b)|``: see the module's docstring."""
    av, bv = np.broadcast_arrays(val(a), val(b))
    swap = av < bv
    hi, lo = where(swap, b, a), where(swap, a, b)  # hi >= lo
    hv, lv = np.maximum(av, bv), np.minimum(av, bv)
    both = lv >= 10
    one = (hv >= 10) & (lv > 0) & ~both
    plain = lgamma(a) + lgamma(b) - lgamma(a + b)
    with np.errstate(all="ignore"):
        h = where(both | one, hi, 10.0)
        low = where(both | one, lo, 1.0)
        ratio = low / h
        # both large: -(hi - 1/2) log1p(lo/hi) - lo log1p(hi/lo) - log(lo)/2 + log(2π)/2 + Δc
        corr = lgamma_correction(h) - lgamma_correction(h + low)
        big = (-(h - 0.5) * log1p(ratio) - low * log1p(1 / ratio) - 0.5 * log(low)
               + 0.5 * LOG_2PI + corr + lgamma_correction(where(both, low, 10.0)))
        # hi large only: lgamma(lo) - [(hi - 1/2) log1p(lo/hi) + lo log(hi + lo) - lo + Δc]
        mixed = lgamma(low) - ((h - 0.5) * log1p(ratio) + low * log(h + low) - low - corr)
    return where(both, big, where(one, mixed, plain))


# ----------------------------------------------------------------------------- igamma

def _log_gamma_factor(a: Any, x: np.ndarray) -> Any:
    """``log(x^a e^-x / Γ(a))``, through Stirling's series for ``a >= 10``."""
    av = val(a)
    large = av >= 10
    plain = a * np.log(x) - x - lgamma(where(large, 1.0, a))
    al = where(large, a, 10.0)
    t = (x - al) / al
    near = np.abs(val(t)) < 0.5
    lm = where(near, log1p(where(near, t, 0.0)) - t,
               np.log(x) - log(al) - t)
    stirling = al * lm + 0.5 * (log(al) - LOG_2PI) - lgamma_correction(al)
    return where(large, stirling, plain)


def _p_series(a: Any, x: np.ndarray) -> Any:
    """P(a, x) = x^a e^-x / Γ(a+1) Σ x^n / ((a+1)...(a+n))."""
    n = x.size
    out = Dual(np.empty(n)) if type(a) is Dual else np.empty(n)
    pos = np.arange(n)
    term = 1 + 0 * a
    total = 1 + 0 * a
    for k in range(1, MAX_ITER):
        term = term * x / (a + k)
        total = total + term
        done = converged(term, total)
        if k == MAX_ITER - 1:
            done[:] = True
        if done.any():
            put(out, pos[done], total[done] if type(total) is Dual else total[done])
            keep = ~done
            pos, x, a, term, total = pos[keep], x[keep], _take(a, keep), term[keep], \
                total[keep]
            if pos.size == 0:
                break
    return out


def _take(a: Any, mask: np.ndarray) -> Any:
    return a[mask] if np.ndim(val(a)) else a


def _q_fraction(a: Any, x: np.ndarray) -> Any:
    """The continued fraction of Q(a, x) e^x x^-a Γ(a): 1/(x+1-a- 1(1-a)/(x+3-a- ...))."""
    n = x.size
    out = Dual(np.empty(n)) if type(a) is Dual else np.empty(n)
    pos = np.arange(n)
    b = x + 1 - a
    c = 0 * b + 1 / TINY
    d = 1 / b
    h = d
    for i in range(1, MAX_ITER):
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = where(np.abs(val(d)) < TINY, TINY, d)
        c = b + an / c
        c = where(np.abs(val(c)) < TINY, TINY, c)
        d = 1 / d
        delta = d * c
        h = h * delta
        done = np.abs(delta - 1) <= CF_EPS if type(delta) is not Dual else \
            (np.abs(delta.v - 1) <= CF_EPS) & (np.abs(h.v * delta.d) <= EPS * np.abs(h.d) + 1e-300)
        if i == MAX_ITER - 1:
            done[:] = True
        if done.any():
            put(out, pos[done], h[done])
            keep = ~done
            pos, x, a, b, c, d, h = (pos[keep], x[keep], _take(a, keep), b[keep], c[keep],
                                     d[keep], h[keep])
            if pos.size == 0:
                break
    return out


def _q_small_x(a: Any, x: np.ndarray) -> Any:
    """Q(a, x) for x <= 1.5 (DLMF 8.7.3): 1 - x^a/Γ(a+1) - x^a/Γ(a+1) Σ_{n>=1}
    (-x)^n a / (n! (a+n)), the first part by expm1."""
    lg = a * np.log(x) - lgamma1p(a)
    u = 1 + 0 * a
    total = 0 * a
    for k in range(1, 60):
        u = u * (-x) / k
        total = total + u * a / (a + k)
    return -expm1(lg) - exp(lg) * total


# Temme's uniform expansion (DLMF 8.12): the Maclaurin coefficients of c0(η) and c1(η), from
# the series of λ - 1 in η (8.12.13)
_C0 = [-1 / 3, 1 / 12, -2 / 135, 1 / 864, 1 / 2835, -139 / 777600, 1 / 25515]
_C1 = [-1 / 540, -1 / 288, 1 / 378, -77 / 77760, 1 / 4860]
TEMME_A = 1e6  # above this a, Temme's expansion (two terms: error ~ 1e-3 / a^2)


def _poly(coefs: list, x: Any) -> Any:
    acc = 0 * x + coefs[-1]
    for c in reversed(coefs[:-1]):
        acc = acc * x + c
    return acc


def _temme(a: Any, x: np.ndarray, upper: bool) -> Any:
    """P(a, x) or Q(a, x) for large a (DLMF 8.12.3-8.12.9): Q = erfc(η sqrt(a/2))/2 + S,
    P = erfc(-η sqrt(a/2))/2 - S, S = e^(-aη²/2) / sqrt(2πa) (c0(η) + c1(η)/a), with
    ``η²/2 = μ - log(1 + μ)``, ``μ = x/a - 1``; ``1 - Q`` or ``1 - P`` on the side where that
    does not cancel."""
    mu = (x - a) / a
    mv = val(mu)
    small = np.abs(mv) < 0.1
    ms = where(small, mu, 0.0)
    # log(1+μ) - μ = μ² Σ_(k>=2) (-1)^(k+1) μ^(k-2) / k; η = μ sqrt(-2 Σ...) near 0
    acc = 0 * ms + (-1) ** 31 / 30
    for k in range(29, 1, -1):
        acc = acc * ms + (-1) ** (k + 1) / k
    mb = where(small, 0.5, mu)
    eta_big = np.sign(val(mb)) * sqrt(-2 * (log1p(mb) - mb))
    eta = where(small, ms * sqrt(-2 * acc), eta_big)
    near = np.abs(val(eta)) < 0.05
    es, en = where(near, 0.5, eta), where(near, eta, 0.0)
    ms2 = where(near, 0.5, mu)
    c0 = where(near, _poly(_C0, en), 1 / ms2 - 1 / es)
    c1 = where(near, _poly(_C1, en), 1 / (es * es * es) - 1 / (ms2 * ms2 * ms2)
               - 1 / (ms2 * ms2) - 1 / (12 * ms2))
    y = eta * sqrt(a / 2)
    s = exp(-0.5 * a * eta * eta) / sqrt(2 * np.pi * a) * (c0 + c1 / a)
    if upper:
        return where(mv >= 0, 0.5 * erfc(y) + s, 1 - (0.5 * erfc(-y) - s))
    return where(mv < 0, 0.5 * erfc(-y) - s, 1 - (0.5 * erfc(y) + s))


def igamma(a: Any, x: np.ndarray, upper: bool) -> Any:
    """P(a, x) (``upper=False``) or Q(a, x), with SciPy's edge values; ``a`` may be dual."""
    av, x = np.broadcast_arrays(val(a), np.asarray(x, dtype=np.float64))
    shape = av.shape
    if type(a) is Dual:
        a = Dual(np.broadcast_to(a.v, shape).ravel(), np.broadcast_to(a.d, shape).ravel())
    else:
        a = np.asarray(av, dtype=np.float64).ravel()
    av, x = av.ravel(), x.ravel()
    out = Dual(np.full(x.shape, np.nan)) if type(a) is Dual else np.full(x.shape, np.nan)
    with np.errstate(all="ignore"):
        main = (av > 0) & (x > 0) & np.isfinite(av) & np.isfinite(x)
        temme = main & (av > TEMME_A)
        if temme.any():
            put(out, temme, _temme(_take(a, temme), x[temme], upper))
        main &= ~temme
        series = main & (x < av + 1)
        if series.any():
            aa, xx = a[series] if type(a) is Dual else a[series], x[series]
            p = exp(_log_gamma_factor(aa, xx)) / aa * _p_series(aa, xx)
            q = 1 - p
            small = (xx <= 1.5) & (val(p) > 0.5)
            if small.any():
                q = where(small, _q_small_x(where(small, aa, 1.0), np.where(small, xx, 1.0)),
                          q)
                p = where(small, 1 - q, p)
            put(out, series, q if upper else p)
        frac = main & ~series
        if frac.any():
            aa, xx = a[frac] if type(a) is Dual else a[frac], x[frac]
            q = exp(_log_gamma_factor(aa, xx)) * _q_fraction(aa, xx)
            put(out, frac, q if upper else 1 - q)
        # SciPy's edges: P = 0 at x = 0 and for a = inf; P = 1 at x = inf and for a = 0
        zero_p = ((x == 0) & (av > 0)) | ((av == np.inf) & (x >= 0) & np.isfinite(x))
        one_p = ((x == np.inf) & (av > 0) & np.isfinite(av)) | ((av == 0) & (x > 0))
        edge = zero_p | one_p
        if edge.any():
            put(out, edge, np.where(zero_p[edge], 1.0 if upper else 0.0,
                                    0.0 if upper else 1.0))
    if isinstance(out, Dual):
        return Dual(out.v.reshape(shape), out.d.reshape(shape))
    return out.reshape(shape)


# ----------------------------------------------------------------------------- betainc

def _beta_fraction(a: Any, b: Any, x: np.ndarray) -> Any:
    """The continued fraction of I_x(a, b) a B(a, b) / (x^a (1-x)^b) (DLMF 8.17.22)."""
    n = x.size
    dual = type(a) is Dual or type(b) is Dual
    out = Dual(np.empty(n)) if dual else np.empty(n)
    pos = np.arange(n)
    qab, qap, qam = a + b, a + 1, a - 1
    c = 1 + 0 * qab
    d = 1 - qab * x / qap
    d = where(np.abs(val(d)) < TINY, TINY, d)
    d = 1 / d
    h = d
    for m in range(1, MAX_ITER):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = where(np.abs(val(d)) < TINY, TINY, d)
        c = 1 + aa / c
        c = where(np.abs(val(c)) < TINY, TINY, c)
        d = 1 / d
        h = h * d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = where(np.abs(val(d)) < TINY, TINY, d)
        c = 1 + aa / c
        c = where(np.abs(val(c)) < TINY, TINY, c)
        d = 1 / d
        delta = d * c
        h = h * delta
        done = np.abs(val(delta) - 1) <= CF_EPS
        if dual:
            done &= np.abs(h.v * delta.d) <= EPS * np.abs(h.d) + 1e-300
        if m == MAX_ITER - 1:
            done[:] = True
        if done.any():
            put(out, pos[done], h[done])
            keep = ~done
            pos, x, a, b, c, d, h = (pos[keep], x[keep], _take(a, keep), _take(b, keep),
                                     c[keep], d[keep], h[keep])
            qab, qap, qam = a + b, a + 1, a - 1
            if pos.size == 0:
                break
    return out


def _log_inv_abeta(a: Any, b: Any) -> Any:
    """``log(1 / (a B(a, b)))``; for ``a < 1`` as ``lgamma(a+b) - lgamma(b) - lgamma(1+a)``
    (no ``log a`` to cancel), the difference by Stirling's series for ``b >= 10``."""
    av, bv = val(a), val(b)
    small = av < 1
    sa = where(small, a, 0.5)
    big_b = bv >= 10
    bb = where(big_b, b, 10.0)
    corr = lgamma_correction(bb + sa) - lgamma_correction(bb)
    diff_big = (bb - 0.5) * log1p(sa / bb) + sa * log(bb + sa) - sa + corr
    diff = where(big_b, diff_big, lgamma(sa + b) - lgamma(where(big_b, 1.0, b)))
    with np.errstate(all="ignore"):
        general = -log(a) - betaln(a, b)
    return where(small, diff - lgamma1p(sa), general)


def _beta_series(a: Any, b: Any, x: np.ndarray) -> Any:
    """Σ_{n>=0} (1-b)_n x^n / (n! (a+n)) (DLMF 8.17.7 with 8.17.6): for ``b <= 1`` every term
    is positive."""
    n = x.size
    dual = type(a) is Dual or type(b) is Dual
    out = Dual(np.empty(n)) if dual else np.empty(n)
    pos = np.arange(n)
    t = 1 + 0 * (a + b)
    total = 1 / a + 0 * b
    for k in range(1, MAX_ITER):
        t = t * (k - b) * x / k
        term = t / (a + k)
        total = total + term
        done = converged(term, total)
        if k == MAX_ITER - 1:
            done[:] = True
        if done.any():
            put(out, pos[done], total[done])
            keep = ~done
            pos, x, a, b, t, total = (pos[keep], x[keep], _take(a, keep), _take(b, keep),
                                      t[keep], total[keep])
            if pos.size == 0:
                break
    return out


def _betainc_main(a: Any, b: Any, x: np.ndarray) -> Any:
    """I_x(a, b) for finite a, b > 0 and 0 < x < 1 (1-d): the continued fraction on the side
    of the mean where it converges fast, but the power series above the mean for ``b <= 1``
    and ``x <= 0.97``, where ``1 - I_{1-x}(b, a)`` would cancel."""
    av, bv = val(a), val(b)
    flip = x > (av + 1) / (av + bv + 2)
    series = flip & (bv <= 1) & (x <= 0.97)
    flip &= ~series
    a1, b1 = where(flip, b, a), where(flip, a, b)
    x1 = np.where(flip, 1 - x, x)
    y1 = np.where(flip, x, 1 - x)  # 1 - x1, exact on the flipped side
    log_y1 = np.where(flip, np.log(y1), np.log1p(-x1))
    log_x1 = np.where(flip, np.log1p(-x), np.log(x1))  # from x itself: 1 - x is rounded
    log_inv = _log_inv_abeta(a1, b1)
    lfac = a1 * log_x1 + b1 * log_y1 + log_inv
    part = exp(lfac) * _beta_fraction(a1, b1, x1)
    out = where(flip, 1 - part, part)
    if series.any():
        sa, sb, sx = _take(a, series), _take(b, series), x[series]
        put(out, series, exp(sa * np.log(sx) + _take(log_inv, series)) * sa
            * _beta_series(sa, sb, sx))
    return out


def betainc(a: Any, b: Any, x: np.ndarray) -> Any:
    """I_x(a, b) with SciPy's edge values; ``a`` or ``b`` may be dual."""
    av, bv, x = np.broadcast_arrays(val(a), val(b), np.asarray(x, dtype=np.float64))
    shape = x.shape
    dual = type(a) is Dual or type(b) is Dual

    def flat(p: Any) -> Any:
        if type(p) is Dual:
            return Dual(np.broadcast_to(p.v, shape).ravel(), np.broadcast_to(p.d, shape).ravel())
        return np.broadcast_to(np.asarray(p, dtype=np.float64), shape).ravel()
    a, b = flat(a), flat(b)
    av, bv, x = av.ravel(), bv.ravel(), x.ravel()
    out = Dual(np.full(x.shape, np.nan)) if dual else np.full(x.shape, np.nan)
    with np.errstate(all="ignore"):
        main = (av > 0) & (bv > 0) & np.isfinite(av) & np.isfinite(bv) & (x > 0) & (x < 1)
        if main.any():
            put(out, main, _betainc_main(_take(a, main), _take(b, main), x[main]))
        inside = (x >= 0) & (x <= 1) & (av >= 0) & (bv >= 0) & ~((av == 0) & (bv == 0)) \
            & ~((av == np.inf) & (bv == np.inf))
        # x = 0 and 1 give 0 and 1; in between, the mass sits at 0 (a = 0 or b = inf: 1)
        # or at 1 (b = 0 or a = inf: 0)
        at0 = (av == 0) | (bv == np.inf)
        at1 = (bv == 0) | (av == np.inf)
        ones = inside & ((x == 1) | (at0 & (x > 0)))
        zeros = inside & ((x == 0) | (at1 & (x < 1)))
        edge = ones | zeros
        if edge.any():
            put(out, edge, np.where(ones[edge], 1.0, 0.0))
    if isinstance(out, Dual):  # as ``dual``
        return Dual(out.v.reshape(shape), out.d.reshape(shape))
    return out.reshape(shape)


def betainc_grad(a: np.ndarray, b: np.ndarray, x: np.ndarray, argnum: int) -> np.ndarray:
    """∂I_x(a, b)/∂a (``argnum=0``) or ∂/∂b (``argnum=1``)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if argnum == 0:
        out = betainc(Dual(a, 1.0), b, x)
    else:
        out = betainc(a, Dual(b, 1.0), x)
    return np.where(np.isnan(out.v), np.nan, out.d)


def igamma_grad_a(a: np.ndarray, x: np.ndarray, upper: bool = False) -> np.ndarray:
    """∂P(a, x)/∂a (or ∂Q/∂a = -∂P/∂a)."""
    out = igamma(Dual(np.asarray(a, dtype=np.float64), 1.0), x, upper)
    return np.where(np.isnan(out.v), np.nan, out.d)
