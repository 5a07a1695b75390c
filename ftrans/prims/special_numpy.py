"""NumPy-only special functions: what the special-function primitives compute when SciPy is
not installed. ``kernels/ft_special.cuh`` follows the same algorithms step by step (its host
build is compared with these and with SciPy in ``tests/test_cuda_codegen.py``).

All take and return float64 arrays; the edge values (poles, infinities, NaN, arguments
outside the domain) are SciPy's.

- ``zeta(s, q)``, Hurwitz's: the sum of ``(q+k)^-s`` up to ``q+k >= max(12, s)`` (stopping
  early once the rest is negligible), then Euler-Maclaurin's tail with ``B_2 .. B_24``. For
  a negative non-integer ``q`` and an integer ``s`` (else nan, as SciPy), with
  ``m = -floor(q)``: the first ``m`` terms one by one when ``m <= 64``, else
  ``ζ(s, q) = ζ(s, q+m) + (-1)^s (ζ(s, 1-q-m) - ζ(s, 1-q))``: positive arguments only.
- ``zeta_ds(s, q) = ∂ζ/∂s``: the same sum and tail, differentiated term by term.
- ``polygamma(n, x) = (-1)^(n+1) n! ζ(n+1, x)``.
- ``digamma``: reflection for ``x < 1/2``, the recurrence ``ψ(x) = ψ(x+1) - 1/x`` up to
  ``x >= 10``, then the asymptotic series.
- ``gamma``: Python's ``math.gamma``, elementwise.
- ``log_ndtr``: ``log(erfc(-x/√2)/2)``, ``log1p(-erfc(x/√2)/2)`` above 0, and below -20 the
  asymptotic series ``-x²/2 - log(-x√(2π)) + log(1 - 1/x² + 3/x⁴ - ...)``.
- ``ndtri``: ``√2 erfinv(2p - 1)`` for ``1/4 <= p <= 3/4``; in the tails Hastings' rational
  approximation (A&S 26.2.23, error < 4.5e-4) polished by Newton's method on
  ``log_ndtr(x) = log p``, which stays accurate down to ``p = 5e-324``.
- ``lgamma``: Python's ``math.lgamma``; within 0.2 of 1 and 2 the series of ``lgamma(1+a)``.
- ``expi``: the power series ``γ + log x + Σ x^k/(k k!)`` up to 40, the asymptotic series
  above; for negative ``x``, ``-E1(-x)``: its series up to 1, its continued fraction above.
- ``erfinv``: Giles' approximation refined by Newton steps (see ``special.py``).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

EULER = 0.57721566490153286061
LOG_SQRT_2PI = 0.91893853320467274178
SQRT1_2 = 0.70710678118654752440

# B_2k for k = 1..12
BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
             43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730]


def _f64(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def elementwise_math(fn: Callable[[float], float]) -> Callable[[np.ndarray], np.ndarray]:
    """A function of Python floats applied to every element (float64 out)."""
    ufunc = np.frompyfunc(fn, 1, 1)
    return lambda x: np.asarray(ufunc(_f64(x)), dtype=np.float64)


def _safe_lgamma(v: float) -> float:
    try:
        return math.lgamma(v)
    except ValueError:  # a pole
        return math.inf


def _safe_gamma(v: float) -> float:
    try:
        return math.gamma(v)
    except ValueError:  # a pole (SciPy: inf at 0 with its sign, nan at negative integers)
        return math.copysign(math.inf, v) if v == 0 else math.nan
    except OverflowError:
        return math.inf


erf = elementwise_math(math.erf)
erfc = elementwise_math(math.erfc)
gamma = elementwise_math(_safe_gamma)
_math_lgamma = elementwise_math(_safe_lgamma)

# ζ(k) for k = 2..26
ZETA_INT = {k: v for k, v in enumerate([
    1.6449340668482264365, 1.2020569031595942854, 1.0823232337111381915, 1.0369277551433699263,
    1.0173430619844491397, 1.0083492773819228268, 1.0040773561979443394, 1.0020083928260822144,
    1.0009945751278180853, 1.0004941886041194646, 1.0002460865533080483, 1.0001227133475784891,
    1.0000612481350587048, 1.0000305882363070205, 1.0000152822594086519, 1.0000076371976378998,
    1.0000038172932649998, 1.0000019082127165539, 1.0000009539620338728, 1.0000004769329867878,
    1.0000002384505027277, 1.0000001192199259653, 1.0000000596081890513, 1.0000000298035035147,
    1.0000000149015548284], start=2)}


def lgamma1p_series(a: np.ndarray) -> np.ndarray:
    """``lgamma(1 + a)`` for ``|a| < 0.2``: ``-γa + Σ_(k>=2) (-a)^k ζ(k)/k`` (26 terms)."""
    acc = 0 * a
    for k in range(26, 1, -1):
        acc = (acc + (-1) ** k * ZETA_INT[k] / k) * a
    return (acc - EULER) * a


def lgamma(x: np.ndarray) -> np.ndarray:
    """log |Γ(x)|: Python's ``math.lgamma``, but near its zeros 1 and 2 (where that loses
    relative digits) the series of ``lgamma(1 + a)``."""
    x = _f64(x)
    out = _math_lgamma(x)
    with np.errstate(all="ignore"):
        near1, near2 = np.abs(x - 1) < 0.2, np.abs(x - 2) < 0.2
        if near1.any():
            out[near1] = lgamma1p_series(x[near1] - 1)
        if near2.any():
            out[near2] = np.log(x[near2] - 1) + lgamma1p_series(x[near2] - 2)
    return out


# ----------------------------------------------------------------------------- digamma

def digamma(x: np.ndarray) -> np.ndarray:
    x = _f64(x)
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
            series = (series + BERNOULLI[k - 1] / (2 * k)) * inv2
        out = acc + np.log(y) - 0.5 / y - series
        # π cot(πx), with x reduced first so that πx keeps its precision near the poles
        out = np.where(reflect, out - np.pi / np.tan(np.pi * (x - np.round(x))), out)
        pole = (x <= 0) & (x == np.floor(x))
        # SciPy: -inf at +0, +inf at -0, nan at the negative integers and -inf
        out = np.where(pole, np.where(x == 0, np.copysign(np.inf, -x), np.nan), out)
    return out


# ----------------------------------------------------------------------------- zeta

ZETA_SHIFT = 12.0  # the sum runs up to q + k >= max(ZETA_SHIFT, s), then Euler-Maclaurin


def _zeta_positive(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """ζ(s, q) for finite ``s > 1`` and finite ``q > 0`` (1-d arrays)."""
    total = np.zeros_like(q)
    y = q.copy()
    done = np.zeros(q.shape, bool)
    shift = np.maximum(ZETA_SHIFT, s)  # the tail's terms shrink like ((s + 2j) / (2πy))^2
    for _ in range(1000000):
        small = (y < shift) & ~done
        if not small.any():
            break
        term = np.where(small, y ** -s, 0.0)
        total = total + term
        y = np.where(small, y + 1, y)
        # the rest is below y^(1-s)/(s-1) + y^-s: stop once that is negligible
        rest = y ** (1 - s) / (s - 1) + y ** -s
        done |= small & (rest <= 1e-17 * total)
    # Euler-Maclaurin: y^(1-s)/(s-1) + y^-s/2 + Σ B_2j/(2j)! s(s+1)..(s+2j-2) y^(-s-2j+1)
    tail = y ** (1 - s) / (s - 1) + 0.5 * y ** -s
    factor = s * y ** (-s - 1)  # s y^(-s-1), then times (s+1)(s+2)/y^2 for each j
    fact = 2.0  # (2j)!
    inv2 = 1 / (y * y)
    for j in range(1, len(BERNOULLI) + 1):
        tail = tail + BERNOULLI[j - 1] / fact * factor
        factor = factor * (s + 2 * j - 1) * (s + 2 * j) * inv2
        fact *= (2 * j + 1) * (2 * j + 2)
    return np.where(done, total, total + tail)


def _zeta_ds_positive(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """∂ζ(s, q)/∂s = -Σ log(q+k) (q+k)^-s for finite ``s > 1``, ``q > 0``: ``_zeta_positive``
    differentiated term by term (its Euler-Maclaurin tail too)."""
    total = np.zeros_like(q)
    dtotal = np.zeros_like(q)
    y = q.copy()
    done = np.zeros(q.shape, bool)
    shift = np.maximum(ZETA_SHIFT, s)
    for _ in range(1000000):
        small = (y < shift) & ~done
        if not small.any():
            break
        term = np.where(small, y ** -s, 0.0)
        total = total + term
        dtotal = dtotal - np.where(small, np.log(y) * term, 0.0)
        y = np.where(small, y + 1, y)
        rest = (y ** (1 - s) / (s - 1) + y ** -s) * (1 + np.log(y))
        done |= small & (rest <= 1e-17 * np.abs(dtotal))
    ly = np.log(y)
    d = -y ** (1 - s) * (ly / (s - 1) + 1 / (s - 1) ** 2) - 0.5 * ly * y ** -s
    factor = s * y ** (-s - 1)
    dfactor = y ** (-s - 1) * (1 - s * ly)
    fact = 2.0
    inv2 = 1 / (y * y)
    for j in range(1, len(BERNOULLI) + 1):
        d = d + BERNOULLI[j - 1] / fact * dfactor
        a, b = s + 2 * j - 1, s + 2 * j
        dfactor = (dfactor * a * b + factor * (a + b)) * inv2
        factor = factor * a * b * inv2
        fact *= (2 * j + 1) * (2 * j + 2)
    return np.where(done, dtotal, dtotal + d)


def zeta_ds(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """∂ζ(s, q)/∂s for ``s > 1``, ``q > 0`` (nan elsewhere: for a negative ``q`` ζ is defined
    at integer ``s`` only; 0 at ``q = inf``)."""
    s, q = np.broadcast_arrays(_f64(s), _f64(q))
    shape = s.shape
    s, q = s.ravel(), q.ravel()
    out = np.full(s.shape, np.nan)
    with np.errstate(all="ignore"):
        main = (s > 1) & np.isfinite(s) & (q > 0) & np.isfinite(q)
        if main.any():
            out[main] = _zeta_ds_positive(s[main], q[main])
        out = np.where((q == np.inf) & (s > 1), 0.0, out)
        out = np.where((s == np.inf) & (q > 1), 0.0, out)
    return out.reshape(shape)


def _zeta_negative(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """ζ(s, q) for an integer ``s > 1`` and a negative non-integer ``q``: the terms up to
    ``q + m > 0`` one by one for ``m <= 64``, else ``ζ(s, q+m) + (-1)^s (ζ(s, 1-q-m) -
    ζ(s, 1-q))`` (``q + m`` is exact there)."""
    m = -np.floor(q)
    few = m <= 64
    out = np.empty_like(q)
    if few.any():
        sf, qf, mf = s[few], q[few], m[few]
        total = np.zeros_like(qf)
        for k in range(int(mf.max())):
            total = total + np.where(k < mf, (qf + k) ** -sf, 0.0)
        out[few] = total + _zeta_positive(sf, qf + mf)
    if (~few).any():
        sm, qm, mm = s[~few], q[~few], m[~few]
        f = qm + mm
        parity = np.where(np.fmod(sm, 2) == 0, 1.0, -1.0)
        out[~few] = _zeta_positive(sm, f) + parity * (_zeta_positive(sm, 1 - f)
                                                       - _zeta_positive(sm, 1 - qm))
    return out


def zeta(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hurwitz's ζ(s, q), with SciPy's values outside ``s > 1, q > 0``."""
    s, q = np.broadcast_arrays(_f64(s), _f64(q))
    shape = s.shape
    s, q = s.ravel(), q.ravel()
    out = np.full(s.shape, np.nan)
    with np.errstate(all="ignore"):
        pole_q = (q <= 0) & (q == np.floor(q))  # also -inf
        integer_s = s == np.floor(s)
        main = (s > 1) & np.isfinite(s) & (q > 0) & np.isfinite(q)
        neg = (s > 1) & np.isfinite(s) & (q < 0) & ~pole_q & integer_s
        if main.any():
            out[main] = _zeta_positive(s[main], q[main])
        if neg.any():
            out[neg] = _zeta_negative(s[neg], q[neg])
        # ζ(s, +inf) = 0; s = +inf: q^-inf (q < 1: inf, 1: 1, > 1: 0)
        out = np.where((q == np.inf) & (s > 1), 0.0, out)
        at_inf = (s == np.inf) & ~np.isnan(q)
        out = np.where(at_inf, np.where(q < 1, np.inf, np.where(q == 1, 1.0, 0.0)), out)
        out = np.where(pole_q & ~(s < 1), np.inf, out)  # the poles (nan s included)
        out = np.where(s == 1, np.inf, out)
        out = np.where(s < 1, np.nan, out)
    return out.reshape(shape)


def polygamma(n: int, x: np.ndarray) -> np.ndarray:
    """ψ⁽ⁿ⁾(x) for an integer ``n >= 1``: ``(-1)^(n+1) n! ζ(n+1, x)``."""
    try:
        fact = float(math.factorial(n))
    except OverflowError:
        fact = math.inf
    sign = 1.0 if n % 2 else -1.0
    with np.errstate(all="ignore"):
        return sign * fact * zeta(np.float64(n + 1), _f64(x))


# ----------------------------------------------------------------------------- normal

def log_ndtr(x: np.ndarray) -> np.ndarray:
    """log Φ(x): see the module's docstring."""
    x = _f64(x)
    with np.errstate(all="ignore"):
        z = x * SQRT1_2  # as SciPy's ndtr
        mid = np.log(0.5 * erfc(-z))
        upper = np.log1p(-0.5 * erfc(z))
        # below -20: log(1 - 1/x^2 + 3/x^4 - 15/x^6 + ...), 10 terms
        inv2 = 1 / (x * x)
        term = np.ones_like(x)
        series = np.zeros_like(x)
        for k in range(1, 11):
            term = term * (-(2 * k - 1) * inv2)
            series = series + term
        lower = -0.5 * x * x - np.log(-x) - LOG_SQRT_2PI + np.log1p(series)
        return np.where(x > 0, upper, np.where(x > -20, mid, lower))


def ndtri(p: np.ndarray) -> np.ndarray:
    """Φ⁻¹(p): see the module's docstring."""
    p = _f64(p)
    with np.errstate(all="ignore"):
        # the centre: √2 erfinv(2p - 1), exact argument, relative accuracy near 1/2
        centre = math.sqrt(2) * erfinv(2 * p - 1)
        q = np.where(p > 0.5, 1 - p, p)  # exact for p >= 1/2
        t = np.sqrt(-2 * np.log(q))
        x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
              / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t))
        target = np.log(q)
        for _ in range(4):
            lphi = -0.5 * x * x - LOG_SQRT_2PI
            ln = log_ndtr(x)
            step = (ln - target) / np.exp(lphi - ln)
            x = np.where(np.isfinite(step), x - step, x)
        x = np.where(p > 0.5, -x, x)
        x = np.where((p >= 0.25) & (p <= 0.75), centre, x)
        x = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, x))
        return np.where((p < 0) | (p > 1) | np.isnan(p), np.nan, x)


def erfinv(y: np.ndarray) -> np.ndarray:
    y = _f64(y)
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
            erfc_tail = erfc(ax[tail])
            f[tail] = (np.log(target[tail]) - np.log(erfc_tail)) * erfc_tail
            f[~tail] = erf(ax[~tail]) - target[~tail]
            step = f / density
            x = np.where(np.isfinite(step), x - np.sign(y) * step, x)
        x = np.where(a == 1, np.sign(y) * np.inf, x)
        x = np.where(a > 1, np.nan, x)
    return x


# ----------------------------------------------------------------------------- expi

def _e1_fraction(y: np.ndarray) -> np.ndarray:
    """E1(y) for y > 1: the continued fraction e^-y / (y+1 - 1/(y+3 - 4/(y+5 - ...)))."""
    tiny = 1e-300
    b = y + 1
    c = np.full_like(y, 1 / tiny)
    d = 1 / b
    h = d.copy()
    done = np.zeros(y.shape, bool)
    for i in range(1, 500):
        an = -float(i * i)
        b = b + 2
        d = 1 / (an * d + b)
        c = b + an / c
        delta = c * d
        h = np.where(done, h, h * delta)
        done |= np.abs(delta - 1) <= 3e-16
        if done.all():
            break
    return h * np.exp(-y)


def expi(x: np.ndarray) -> np.ndarray:
    """Ei(x): see the module's docstring."""
    x = _f64(x)
    shape = x.shape
    x = x.ravel()
    out = np.full(x.shape, np.nan)
    with np.errstate(all="ignore"):
        ax = np.abs(x)
        series = (ax <= 40) & (x != 0) & ((x > 0) | (ax <= 1))
        if series.any():  # γ + log|x| + Σ x^k/(k k!)
            xs = x[series]
            u = np.ones_like(xs)
            total = np.zeros_like(xs)
            for k in range(1, 200):
                u = u * xs / k
                term = u / k
                total = total + term
                if np.all(np.abs(term) <= 1e-17 * np.abs(total)):
                    break
            out[series] = EULER + np.log(np.abs(xs)) + total
        big = (x > 40) & np.isfinite(x)
        if big.any():  # e^x/x Σ k!/x^k, to the smallest term
            xb = x[big]
            term = np.ones_like(xb)
            total = np.ones_like(xb)
            live = np.ones(xb.shape, bool)
            for k in range(1, 100):
                nxt = term * k / xb
                live &= nxt < term
                term = np.where(live, nxt, term)
                total = total + np.where(live, nxt, 0.0)
                live &= nxt > 1e-17 * total
                if not live.any():
                    break
            out[big] = np.exp(xb) / xb * total
        neg = (x < -1) & np.isfinite(x)
        if neg.any():
            out[neg] = -_e1_fraction(-x[neg])
        out = np.where(x == 0, -np.inf, out)
        out = np.where(x == np.inf, np.inf, np.where(x == -np.inf, -0.0, out))
    return out.reshape(shape)


# ----------------------------------------------------------------------------- Bessel I

def _ive_main(v: np.ndarray, x: np.ndarray) -> np.ndarray:
    """e^-x I_v(x) for finite ``x > 0`` and finite ``v``, not a negative integer (1-d):
    Hankel's asymptotic series ``Σ (-1)^k a_k(v) / x^k / sqrt(2πx)`` (to its smallest term)
    where ``x >= max(30, v²/2)``, else the power series ``Σ (x/2)^(v+2k) / (k! Γ(v+k+1))``
    from its first term's logarithm, rescaled as it grows (for a negative ``v`` its first
    terms change sign: they make up the ``K_-v`` part of ``I_v``), at most 1e5 terms (enough
    for ``|v| <= 400``)."""
    out = np.empty_like(x)
    asym = (x >= 30) & (x >= 0.5 * v * v)
    if asym.any():
        va, xa = v[asym], x[asym]
        mu = 4 * va * va
        term = np.ones_like(xa)
        total = np.ones_like(xa)
        live = np.ones(xa.shape, bool)
        for k in range(1, 200):
            nxt = -term * (mu - (2 * k - 1) ** 2) / (8 * k * xa)
            live &= np.abs(nxt) < np.abs(term)
            term = np.where(live, nxt, term)
            total = total + np.where(live, nxt, 0.0)
            live &= np.abs(nxt) > 1e-17 * np.abs(total)
            if not live.any():
                break
        out[asym] = total / np.sqrt(2 * np.pi * xa)
    ser = ~asym
    if ser.any():
        vs, xs = v[ser], x[ser]
        # (v = 0: no v log(x/2), which is 0 * -inf where x/2 underflows)
        log0 = np.where(vs == 0, 0.0, vs * np.log(0.5 * xs)) - lgamma(vs + 1) - xs
        # the sign of Γ(v+1): negative where floor(v+1) is odd and negative
        fl = np.floor(vs + 1)
        sign0 = np.where((vs + 1 < 0) & (np.fmod(fl, 2) != 0), -1.0, 1.0)
        q = 0.25 * xs * xs
        term = sign0.copy()
        total = sign0.copy()
        scale = np.zeros_like(xs)
        # first term below e^-750 and every ratio below 1/2: the value underflows to 0
        live = ~((log0 < -750) & (vs >= 0) & (q < 0.5 * (vs + 1)))
        total = np.where(live, total, 0.0)
        k = 0
        while live.any() and k < 100000:
            k += 1
            term = np.where(live, term * q / (k * (vs + k)), term)
            total = np.where(live, total + term, total)
            big = np.maximum(np.abs(total), np.abs(term)) > 1e250
            term = np.where(big, term * 1e-250, term)
            total = np.where(big, total * 1e-250, total)
            scale = np.where(big, scale + 250 * math.log(10), scale)
            live &= ~((np.abs(term) <= 1e-17 * np.abs(total)) & (k > 0.5 * xs) & (k > -vs))
        out[ser] = np.sign(total) * np.exp(log0 + scale + np.log(np.abs(total)))
    return out


def iv(v: np.ndarray, x: np.ndarray, scaled: bool) -> np.ndarray:
    """I_v(x) (or e^-|x| I_v(x) with ``scaled``) with SciPy's edge values: nan at x = ±inf,
    for a negative ``x`` with a non-integer ``v``, and where the scaled value overflows."""
    v, x = np.broadcast_arrays(_f64(v), _f64(x))
    shape = v.shape
    v, x = v.ravel(), x.ravel()
    out = np.full(v.shape, np.nan)
    with np.errstate(all="ignore"):
        integer = v == np.floor(v)
        ax = np.abs(x)
        main = np.isfinite(v) & np.isfinite(x) & (x != 0) & ((x > 0) | integer)
        if main.any():  # I_-n = I_n
            out[main] = _ive_main(np.where(integer, np.abs(v), v)[main], ax[main])
        odd = main & (x < 0) & (np.fmod(v, 2) != 0)
        out = np.where(odd, -out, out)
        if scaled:
            out = np.where(np.isinf(out), np.nan, out)
        else:  # e^|x| in two halves: finite up to I_v's own overflow
            half = np.exp(0.5 * ax)
            out = np.where(main, out * half * half, out)
        # x = 0: 1 for v = 0, 0 for v > 0 and the negative integers; I_v(0) = inf for the
        # other negative v (nan when scaled, as SciPy's ive)
        at0 = (x == 0) & np.isfinite(v)
        out = np.where(at0, np.where(v == 0, 1.0, np.where((v > 0) | integer, 0.0,
                                                           np.nan if scaled else np.inf)),
                       out)
        if not scaled:  # SciPy's iv(±inf, finite x) = 0
            out = np.where(np.isinf(v) & np.isfinite(x), 0.0, out)
    return out.reshape(shape)


def bessel_i01(order: int, x: np.ndarray, scaled: bool) -> np.ndarray:
    """I_0, I_1 (``order``), scaled or not, with SciPy's i0/i1/i0e/i1e edges: the scaled
    ones are 0 at ±inf (with x's sign for order 1), the others nan."""
    x = _f64(x)
    out = iv(np.float64(order), x, scaled)
    if scaled:
        zero = 0.0 * np.sign(x) if order == 1 else 0.0
        out = np.where(np.isinf(x), zero, out)
    return out
