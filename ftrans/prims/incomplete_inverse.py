"""NumPy-only inverses of the incomplete gamma and beta functions: ``igamma_inv`` and
``betainc_inv`` by safeguarded Newton steps on the log of the function (bisection where a
step leaves the bracket), from ``incomplete_numpy.py``'s values and derivatives.

>>> import numpy as np
>>> x = igamma_inv(np.array([2.0]), np.array([0.5]), False)
>>> bool(np.isclose(igamma(np.array([2.0]), x, False)[0], 0.5))
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import special_numpy as snp
from .incomplete_numpy import betainc, betaln, igamma

# ----------------------------------------------------------------------------- inverses

INV_ITER = 200  # safeguarded Newton steps at most (bisection halves a 1500-wide bracket)


def _log_expit(t: np.ndarray) -> np.ndarray:
    """log(1 / (1 + e^-t)), without overflow."""
    return -np.logaddexp(0.0, -t)


def _solve(f_and_slope: Any, t: np.ndarray, lo: np.ndarray, hi: np.ndarray,
           done: np.ndarray) -> np.ndarray:
    """Newton's method on ``f(t) = 0`` safeguarded by the bracket ``[lo, hi]`` (a step that
    leaves it bisects instead); ``f_and_slope(t, idx)`` gives ``f``, ``f'`` and whether the
    root is below ``t``, for the elements ``idx``."""
    t, lo, hi = t.copy(), lo.copy(), hi.copy()
    live = np.flatnonzero(~done)
    for _ in range(INV_ITER):
        if live.size == 0:
            break
        f, slope, below = f_and_slope(t[live], live)
        hi[live] = np.where(below, t[live], hi[live])
        lo[live] = np.where(below, lo[live], t[live])
        new = t[live] - f / slope
        bad = ~np.isfinite(new) | (new < lo[live]) | (new > hi[live])
        new = np.where(bad, 0.5 * (lo[live] + hi[live]), new)
        new = np.where(f == 0, t[live], new)
        converged = (np.abs(new - t[live]) <= 1e-15 * np.maximum(1.0, np.abs(new))) \
            | (f == 0) | (hi[live] - lo[live] <= 1e-15 * np.maximum(1.0, np.abs(new)))
        t[live] = new
        live = live[~converged]
    return t


def igamma_inv(a: np.ndarray, p: np.ndarray, upper: bool) -> np.ndarray:
    """x with P(a, x) = p (or Q(a, x) = p with ``upper``): Newton on ``log P`` (or ``log Q``,
    on the smaller tail) in ``t = log x``, safeguarded by bisection, from Wilson-Hilferty's
    guess (or ``(P Γ(a+1))^(1/a)`` where that fails)."""
    a, p = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(p, np.float64))
    shape = a.shape
    a, p = a.ravel(), p.ravel()
    with np.errstate(all="ignore"):
        pp = 1 - p if upper else p  # the P target (1 - q is exact for q >= 1/2)
        qq = p if upper else 1 - p
        lower_tail = pp <= 0.5
        target = np.where(lower_tail, np.log(pp), np.log(qq))
        ok = (a > 0) & np.isfinite(a) & (p > 0) & (p < 1)
        lg = snp.lgamma(np.where(ok, a, 1.0))
        z = -snp.ndtri(np.where(ok, p, 0.5)) if upper else snp.ndtri(np.where(ok, p, 0.5))
        wh = a * (1 - 1 / (9 * a) + z / (3 * np.sqrt(a))) ** 3
        t0 = np.where(wh > 0, np.log(wh), (np.log(pp) + snp.lgamma(a + 1)) / a)
        lo, hi = np.full(a.shape, -745.0), np.full(a.shape, 710.0)
        t0 = np.clip(np.where(np.isfinite(t0), t0, 0.0), -744.0, 709.0)

        def f_and_slope(t: np.ndarray, idx: np.ndarray) -> tuple:
            x = np.exp(t)
            ai, low = a[idx], lower_tail[idx]
            fx = np.where(low, igamma(ai, x, False), igamma(ai, x, True))
            log_f = np.log(fx)
            slope = np.exp(ai * t - x - lg[idx] - log_f)  # x P'(x) / P
            f = log_f - target[idx]
            return f, np.where(low, slope, -slope), np.where(low, f > 0, f < 0)

        t = _solve(f_and_slope, t0, lo, hi, ~ok)
        x = np.exp(t)
        # the ends: P = 0 at x = 0, 1 at inf; where the root underflows x is 0
        x = np.where(ok & lower_tail & (t <= -745.0 + 1e-9), 0.0, x)
        at0, at_inf = (p == 1, p == 0) if upper else (p == 0, p == 1)
        x = np.where(at0, 0.0, np.where(at_inf, np.inf, x))
        inside = (p > 0) & (p < 1)
        bad = np.isnan(a) | np.isnan(p) | (a < 0) | (p < 0) | (p > 1) \
            | ((a == np.inf) & inside) | ((a == 0) & inside)
        x = np.where(bad, np.nan, x)
    return x.reshape(shape)


def betainc_inv(a: np.ndarray, b: np.ndarray, p: np.ndarray) -> np.ndarray:
    """x with I_x(a, b) = p: Newton on ``log I`` (``log(1 - I)`` where I > 1/2, through
    ``I_(1-x)(b, a)``) in ``t = logit x``, safeguarded by bisection, from the tail's power-law
    guess ``(p a B(a, b))^(1/a)`` (or its mirror)."""
    a, b, p = np.broadcast_arrays(*[np.asarray(v, np.float64) for v in (a, b, p)])
    shape = a.shape
    a, b, p = a.ravel(), b.ravel(), p.ravel()
    with np.errstate(all="ignore"):
        ok = (a > 0) & (b > 0) & np.isfinite(a) & np.isfinite(b) & (p > 0) & (p < 1)
        aa, bb = np.where(ok, a, 1.0), np.where(ok, b, 1.0)
        lb = betaln(aa, bb)
        lower_tail = p <= 0.5
        # power-law tails: x ~ (p a B)^(1/a), 1 - x ~ ((1-p) b B)^(1/b)
        log_x0 = (np.log(p) + np.log(aa) + lb) / aa
        log_y0 = (np.log1p(-p) + np.log(bb) + lb) / bb
        t0 = np.where(lower_tail, log_x0 - np.log1p(-np.exp(np.minimum(log_x0, -1e-3))),
                      np.log1p(-np.exp(np.minimum(log_y0, -1e-3))) - log_y0)
        t0 = np.clip(np.where(np.isfinite(t0), t0, 0.0), -744.0, 744.0)
        lo, hi = np.full(a.shape, -745.0), np.full(a.shape, 745.0)
        log_p, log_q = np.log(p), np.log1p(-p)

        def f_and_slope(t: np.ndarray, idx: np.ndarray) -> tuple:
            # log I - log p where I <= 1/2, else log(1 - I) - log(1 - p) with 1 - I as
            # I_(1-x)(b, a) (no cancellation), unless x < 1e-4: 1 - x would lose x's digits
            ai, bi = aa[idx], bb[idx]
            lx, ly = _log_expit(t), _log_expit(-t)
            i_low, i_up = betainc(ai, bi, np.exp(lx)), betainc(bi, ai, np.exp(ly))
            low = (i_low <= 0.5) | (t < -9.2)
            log_f = np.log(np.where(low, i_low, i_up))
            slope = np.exp(ai * lx + bi * ly - lb[idx] - log_f)
            f = log_f - np.where(low, log_p[idx], log_q[idx])
            return f, np.where(low, slope, -slope), np.where(low, f > 0, f < 0)

        t = _solve(f_and_slope, t0, lo, hi, ~ok)
        x = np.exp(_log_expit(t))
        x = np.where(ok & (t <= -745.0 + 1e-9), 0.0, x)
        x = np.where(p == 0, 0.0, np.where(p == 1, 1.0, x))
        bad = np.isnan(a) | np.isnan(b) | np.isnan(p) | (a <= 0) | (b <= 0) | (p < 0) | (p > 1) \
            | (((a == np.inf) | (b == np.inf)) & (p > 0) & (p < 1))
        x = np.where(bad, np.nan, x)
    return x.reshape(shape)
