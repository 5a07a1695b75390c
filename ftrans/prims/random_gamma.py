"""Gamma sampling as primitives: ``random_gamma`` draws, ``random_gamma_grad`` is the
implicit reparameterisation derivative of a draw with respect to its shape parameter.

``random_gamma(k0, k1, a, *, log_space)``: one Gamma(a, 1) draw per element (its log with
``log_space``, accurate for tiny ``a``), each element from its own key ``(k0, k1)`` (the
``uint32`` words; equal shapes or 0-d), so it is elementwise: vmap and jit give each
element the numbers it would get alone. Marsaglia and Tsang's method ("A simple method for
generating gamma variables", 2000): for ``a >= 1``, with ``d = a - 1/3`` and
``c = 1 / sqrt(9 d)``, attempt ``j`` takes a normal ``x`` and a uniform ``U`` from
``threefry2x32`` of the element's key and the counters ``(j, 0)`` and ``(j, 1)``, and
accepts ``d v`` (``v = (1 + c x)^3 > 0``) when ``U < 1 - 0.0331 x^4`` or
``log U < x^2/2 + d (1 - v + log v)``; each attempt is accepted with probability above
0.95. For ``a < 1`` a draw for ``a + 1`` is multiplied by ``u^(1/a)`` (``u`` from the
counter ``(2**32 - 1, 0)``). ``a <= 0`` or NaN gives NaN. The draw's derivative is
``t * random_gamma_grad(a, x)`` (``/ x`` in log space); the keys have none.

``random_gamma_grad(a, x)``: ``dx/da`` at a fixed CDF ``P(a, x)`` (Figurnov, Mohamed, Mnih,
"Implicit reparameterization gradients", 2018), ``-(dP/da) / (dP/dx)``, with ``dP/da``
from the series of ``P`` (``x <= 1`` or ``x <= a``) or the continued fraction of
``Q = 1 - P`` (Cephes' ``igam``/``igamc``) differentiated term by term, where the
density's prefactor cancels: ``-(x/a) (S (log x - psi(a+1)) + S')`` from the series
``S``, ``x (F (log x - psi(a)) + F')`` from the fraction ``F``. Its derivative in ``x``
is ``-(log x - psi(a)) - g ((a - 1)/x - 1)``; in ``a`` it would need second derivatives of
``P``: not implemented (JAX has none either), so second derivatives of gamma draws in their
shape raise.

Both run as NumPy/CuPy array code (no CUDA expression: jit on CuPy runs them as CuPy
calls between fused kernels).

>>> import numpy as np
>>> x = random_gamma_p.bind(np.uint32(0), np.uint32(1), np.array([0.5, 2.0, 30.0]),
...                         log_space=False)
>>> bool((x > 0).all())
True
"""

from __future__ import annotations

import math
from typing import Any, Callable, cast

import numpy as np

from ..core import Primitive, Zero, aval_of, register
from ..ir import ShapedArray
from . import ops
from .families import elementwise_aval, elementwise_batch
from .random import unit_draw as _draw
from .special import digamma_p, erfinv_p

_U32 = np.dtype(np.uint32)
_erfinv = cast(Callable, erfinv_p.impl)
_digamma = cast(Callable, digamma_p.impl)
_MAX_ATTEMPTS = 1000  # each is accepted with probability > 0.95: never reached
_BOOST_COUNTER = np.uint32(0xFFFFFFFF)


def _normal(xp: Any, u: Any, dtype: np.dtype) -> Any:
    lo = np.nextafter(dtype.type(-1.0), dtype.type(0.0))
    v = xp.maximum(lo, u * dtype.type(2.0) + lo)
    return dtype.type(math.sqrt(2.0)) * _erfinv(xp, v)


def _gamma_impl(xp: Any, k0: Any, k1: Any, a: Any, *, log_space: bool) -> Any:
    a = xp.asarray(a)
    dtype = np.dtype(a.dtype)
    shape = tuple(np.broadcast_shapes(np.shape(k0), np.shape(k1), a.shape))
    k0 = xp.broadcast_to(xp.asarray(k0, _U32), shape).reshape(-1)
    k1 = xp.broadcast_to(xp.asarray(k1, _U32), shape).reshape(-1)
    a = xp.broadcast_to(a, shape).reshape(-1)
    with np.errstate(all="ignore"):
        boost = a < 1
        alpha = xp.where(boost, a + 1, a)
        d = alpha - dtype.type(1 / 3)
        c = dtype.type(1 / 3) / xp.sqrt(d)
        v_acc = xp.ones(a.shape, dtype)
        everything = bool((a > 0).all())
        pending = None if everything else xp.nonzero(a > 0)[0]  # NaN, a <= 0: no draw
        for j in range(_MAX_ATTEMPTS):
            if pending is not None and not pending.size:
                break
            if pending is None:  # the first attempt, on every element: no gathering
                pk0, pk1, pd, pc = k0, k1, d, c
            else:
                pk0, pk1, pd, pc = k0[pending], k1[pending], d[pending], c[pending]
            x = _normal(xp, _draw(xp, pk0, pk1, np.uint32(j), 0, dtype), dtype)
            u = _draw(xp, pk0, pk1, np.uint32(j), 1, dtype)
            v = 1 + pc * x
            v3 = v * v * v
            xx = x * x
            accept = (v > 0) & (u < 1 - dtype.type(0.0331) * xx * xx)  # the squeeze
            hard = xp.nonzero((v > 0) & ~accept)[0]  # the log test, on the few left
            if hard.size:
                vh = v3[hard]
                accept[hard] = xp.log(u[hard]) < xx[hard] / 2 + pd[hard] * (1 - vh
                                                                             + xp.log(vh))
            if pending is None:
                v_acc = xp.where(accept, v3, v_acc)
                pending = xp.nonzero(~accept)[0]
            else:
                v_acc[pending[accept]] = v3[accept]
                pending = pending[~accept]
        boost_at = xp.nonzero(boost)[0]
        u = xp.ones(a.shape, dtype)  # in (0, 1]: 1 - uniform, where a < 1
        if boost_at.size:
            u[boost_at] = 1 - _draw(xp, k0[boost_at], k1[boost_at], _BOOST_COUNTER, 0, dtype)
        bad = ~(a > 0)
        if log_space:
            out = xp.log(d) + xp.log(v_acc) + xp.where(boost, xp.log(u) / a, 0)
        else:
            out = d * v_acc * xp.where(boost, u ** (1 / a), 1)
        out = xp.where(bad, dtype.type(np.nan), out).astype(dtype)
    return out.reshape(shape)[()] if not shape else out.reshape(shape)


def _gamma_aval(k0: ShapedArray, k1: ShapedArray, a: ShapedArray, **_: Any) -> ShapedArray:
    if np.dtype(k0.dtype) != _U32 or np.dtype(k1.dtype) != _U32 \
            or np.dtype(a.dtype) not in (np.float32, np.float64):
        raise TypeError("random_gamma takes uint32 keys and a float32 or float64 shape "
                        f"parameter, got {k0.dtype.name}, {k1.dtype.name}, {a.dtype.name}")
    shapes = {s.shape for s in (k0, k1, a) if s.ndim}
    if len(shapes) > 1:
        raise TypeError("random_gamma got operands of different shapes "
                        f"{', '.join(str(s.shape) for s in (k0, k1, a))}")
    return ShapedArray(shapes.pop() if shapes else (), a.dtype)


def _gamma_jvp(primals: Any, out: Any, tangents: Any, *, log_space: bool) -> Any:
    _, _, a = primals
    t = tangents[2]
    if type(t) is Zero:
        return Zero(aval_of(out))
    if not log_space:
        return t * random_gamma_grad_p.bind(a, out)
    # d log x / da = (dx/da) / x, with x = exp(log x) kept above 0
    x = ops.exp(out)
    x = ops.where(x == 0, np.finfo(aval_of(out).dtype).tiny, x)
    return t * (random_gamma_grad_p.bind(a, x) / x)


random_gamma_p = register(Primitive("random_gamma"))
random_gamma_p.family = "elementwise"
random_gamma_p.impl = _gamma_impl
random_gamma_p.abstract_eval = _gamma_aval
random_gamma_p.jvp = _gamma_jvp
random_gamma_p.batch = elementwise_batch(random_gamma_p)


# ----------------------------------------------------------------------------- dx/da

_EPS = np.finfo(np.float64).eps
_BIG, _BIGINV = 4503599627370496.0, 2.22044604925031308085e-16
_MAX_TERMS = 100000


def _series(xp: Any, a: Any, x: Any, log_x: Any) -> Any:
    """-(x/a) (S (log x - psi(a+1)) + dS/da), S = sum_n x^n / ((a+1)...(a+n))."""
    n = a.shape[0]
    s, ds = xp.ones(n), xp.zeros(n)
    c, dc = xp.ones(n), xp.zeros(n)
    r = a.copy()
    live = xp.arange(n)
    for _ in range(_MAX_TERMS):
        if not live.size:
            break
        rl = r[live] + 1
        r[live] = rl
        q = x[live] / rl
        cl = c[live]
        dcl = (dc[live] - cl / rl) * q
        cl = cl * q
        c[live], dc[live] = cl, dcl
        s[live] += cl
        ds[live] += dcl
        done = (cl <= _EPS * s[live]) & (xp.abs(dcl) <= _EPS * (xp.abs(ds[live]) + s[live]))
        live = live[~done]
    psi = _digamma(xp, a + 1)
    return -(x / a) * (s * (log_x - psi) + ds)


def _fraction(xp: Any, a: Any, x: Any, log_x: Any) -> Any:
    """x (F (log x - psi(a)) + dF/da), Q = x^a e^-x / Gamma(a) F (Cephes' igamc)."""
    y = 1 - a
    z = x + y + 1
    pkm2, qkm2, pkm1, qkm1 = xp.ones_like(x), x.copy(), x + 1, z * x
    dpkm2, dqkm2, dpkm1, dqkm1 = xp.zeros_like(x), xp.zeros_like(x), xp.zeros_like(x), -x
    ans = pkm1 / qkm1
    dans = (dpkm1 - ans * dqkm1) / qkm1
    cnt = 0.0
    live = xp.arange(x.shape[0])
    for _ in range(_MAX_TERMS):
        if not live.size:
            break
        cnt += 1
        y[live] += 1
        z[live] += 2
        yl, zl = y[live], z[live]
        yc = yl * cnt
        p2, q2, p1, q1 = pkm2[live], qkm2[live], pkm1[live], qkm1[live]
        dp2, dq2, dp1, dq1 = dpkm2[live], dqkm2[live], dpkm1[live], dqkm1[live]
        pk = p1 * zl - p2 * yc
        qk = q1 * zl - q2 * yc
        dpk = dp1 * zl - p1 - dp2 * yc + p2 * cnt
        dqk = dq1 * zl - q1 - dq2 * yc + q2 * cnt
        nonzero = qk != 0
        safe = xp.where(nonzero, qk, 1)
        r = pk / safe
        dr = (dpk - r * dqk) / safe
        old, dold = ans[live], dans[live]
        new = xp.where(nonzero, r, old)
        dnew = xp.where(nonzero, dr, dold)
        ans[live], dans[live] = new, dnew
        done = nonzero & (xp.abs(old - new) <= _EPS * xp.abs(new)) \
            & (xp.abs(dold - dnew) <= _EPS * (xp.abs(dnew) + xp.abs(new)))
        big = xp.abs(pk) > _BIG
        scale = xp.where(big, _BIGINV, 1.0)
        pkm2[live], qkm2[live] = p1 * scale, q1 * scale
        pkm1[live], qkm1[live] = pk * scale, qk * scale
        dpkm2[live], dqkm2[live] = dp1 * scale, dq1 * scale
        dpkm1[live], dqkm1[live] = dpk * scale, dqk * scale
        live = live[~done]
    psi = _digamma(xp, a)
    return x * (ans * (log_x - psi) + dans)


def _gamma_grad_impl(xp: Any, a: Any, x: Any) -> Any:
    typed = [v.dtype for v in (a, x) if hasattr(v, "dtype")]  # Python numbers are weak
    dtype = np.result_type(*typed) if typed else np.dtype(np.float64)
    shape = tuple(np.broadcast_shapes(np.shape(a), np.shape(x)))
    a = xp.broadcast_to(xp.asarray(a, np.float64), shape).reshape(-1)
    x = xp.broadcast_to(xp.asarray(x, np.float64), shape).reshape(-1)
    out = xp.full(a.shape, np.nan)
    with np.errstate(all="ignore"):
        ok = (a > 0) & (x > 0) & xp.isfinite(x) & xp.isfinite(a)
        fraction = ok & (x > 1) & (x > a)
        series = ok & ~fraction
        for which, method in ((series, _series), (fraction, _fraction)):
            idx = xp.nonzero(which)[0]
            if idx.size:
                ai, xi = a[idx], x[idx]
                out[idx] = method(xp, ai, xi, xp.log(xi))
        out = xp.where((x == 0) & (a > 0), 0.0, out)  # a draw that underflowed stays 0
    out = out.astype(dtype).reshape(shape)
    return out[()] if not shape else out


def _gamma_grad_jvp(primals: Any, out: Any, tangents: Any) -> Any:
    a, x = primals
    ta, tx = tangents
    if type(ta) is not Zero:
        raise NotImplementedError(
            "second derivatives of gamma draws (gamma, loggamma, beta, dirichlet) with "
            "respect to their shape parameters are not implemented (JAX has none either)")
    if type(tx) is Zero:
        return Zero(aval_of(out))
    dx = -(ops.log(x) - digamma_p.bind(a)) - out * ((a - 1) / x - 1)
    return tx * dx


def _gamma_grad_aval(a: ShapedArray, x: ShapedArray) -> ShapedArray:
    if any(np.dtype(v.dtype) not in (np.float32, np.float64) for v in (a, x)):
        raise TypeError("random_gamma_grad takes float32 or float64 operands, got "
                        f"{a.dtype.name}, {x.dtype.name}")
    return elementwise_aval("random_gamma_grad")(a, x)


random_gamma_grad_p = register(Primitive("random_gamma_grad"))
random_gamma_grad_p.family = "elementwise"
random_gamma_grad_p.impl = _gamma_grad_impl
random_gamma_grad_p.abstract_eval = _gamma_grad_aval
random_gamma_grad_p.jvp = _gamma_grad_jvp
random_gamma_grad_p.batch = elementwise_batch(random_gamma_grad_p)

__all__ = ["random_gamma_p", "random_gamma_grad_p"]
