"""Poisson sampling as a primitive: ``random_poisson(k0, k1, lam, *, dtype)``, one
Poisson(lam) integer per element, each element from its own key ``(k0, k1)`` (the ``uint32``
words; equal shapes or 0-d), so it is elementwise and vmap and jit give each element the
number it would get alone.

The algorithms are JAX's: for ``lam < 10`` Knuth's product of uniforms (the uniform of step
``j`` from ``threefry2x32`` of the element's key and the counter ``(j, 0)``); for larger
``lam`` Hörmann's transformed rejection with squeeze, PTRS ("The transformed rejection
method for generating Poisson random variables", 1993), attempt ``j`` drawing its two
uniforms from the counters ``(j, 0)`` and ``(j, 1)``. ``lam = 0`` gives 0; a negative or
NaN ``lam`` gives -1. The result is an integer: its tangent is zero (no derivative in
``lam``, as in JAX). Runs as NumPy/CuPy array code.

>>> import numpy as np
>>> k = random_poisson_p.bind(np.uint32(0), np.arange(4, dtype=np.uint32),
...                           np.array([0.0, 0.5, 4.0, 300.0]), dtype=np.dtype(np.int64))
>>> int(k[0]), bool(200 < k[3] < 400)
(0, True)
"""

from __future__ import annotations

from typing import Any, Callable, cast

import numpy as np

from ..core import Primitive, register
from ..ir import ShapedArray
from .families import elementwise_batch, zero_jvp
from .random import unit_draw
from .special import lgamma_p

_U32 = np.dtype(np.uint32)
_lgamma = cast(Callable, lgamma_p.impl)
_KNUTH_BELOW = 10.0
_MAX_STEPS = 10000  # Knuth needs about lam + 1 steps (lam < 10); PTRS accepts 9 in 10


def _knuth(xp: Any, k0: Any, k1: Any, lam: Any) -> Any:
    n = lam.shape[0]
    count = xp.zeros(n, np.int64)
    log_prod = xp.zeros(n)
    live = xp.arange(n)
    for j in range(_MAX_STEPS):
        if not live.size:
            break
        u = unit_draw(xp, k0[live], k1[live], np.uint32(j), 0, np.dtype(np.float64))
        log_prod[live] += xp.log1p(-u)  # log of a uniform in (0, 1]
        going = log_prod[live] > -lam[live]
        count[live[going]] += 1
        live = live[going]
    return count


def _ptrs(xp: Any, k0: Any, k1: Any, lam: Any) -> Any:
    log_lam = xp.log(lam)
    b = 0.931 + 2.53 * xp.sqrt(lam)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)
    out = xp.zeros(lam.shape[0], np.int64)
    live = xp.arange(lam.shape[0])
    f64 = np.dtype(np.float64)
    for j in range(_MAX_STEPS):
        if not live.size:
            break
        u = unit_draw(xp, k0[live], k1[live], np.uint32(j), 0, f64) - 0.5
        v = unit_draw(xp, k0[live], k1[live], np.uint32(j), 1, f64)
        us = 0.5 - xp.abs(u)
        al, bl, lm = a[live], b[live], lam[live]
        k = xp.floor((2 * al / us + bl) * u + lm + 0.43)
        s = xp.log(v * inv_alpha[live] / (al / (us * us) + bl))
        t = -lm + k * log_lam[live] - _lgamma(xp, k + 1)
        squeeze = (us >= 0.07) & (v <= v_r[live])
        reject = (k < 0) | ((us < 0.013) & (v > us))
        accept = squeeze | (~reject & (s <= t))
        out[live[accept]] = k[accept].astype(np.int64)
        live = live[~accept]
    return out


def _poisson_impl(xp: Any, k0: Any, k1: Any, lam: Any, *, dtype: np.dtype) -> Any:
    lam = xp.asarray(lam)
    shape = tuple(np.broadcast_shapes(np.shape(k0), np.shape(k1), lam.shape))
    k0 = xp.broadcast_to(xp.asarray(k0, _U32), shape).reshape(-1)
    k1 = xp.broadcast_to(xp.asarray(k1, _U32), shape).reshape(-1)
    lam = xp.broadcast_to(lam.astype(np.float64), shape).reshape(-1)
    out = xp.full(lam.shape, -1, np.int64)
    with np.errstate(all="ignore"):
        for which, method in (((lam > 0) & (lam < _KNUTH_BELOW), _knuth),
                              (lam >= _KNUTH_BELOW, _ptrs)):
            idx = xp.nonzero(which)[0]
            if idx.size:
                out[idx] = method(xp, k0[idx], k1[idx], lam[idx])
        out = xp.where(lam == 0, 0, out)
    out = out.astype(dtype).reshape(shape)
    return out[()] if not shape else out


def _poisson_aval(k0: ShapedArray, k1: ShapedArray, lam: ShapedArray, *,
                  dtype: np.dtype) -> ShapedArray:
    if np.dtype(k0.dtype) != _U32 or np.dtype(k1.dtype) != _U32 \
            or np.dtype(lam.dtype).kind != "f":
        raise TypeError("random_poisson takes uint32 keys and a float rate, got "
                        f"{k0.dtype.name}, {k1.dtype.name}, {lam.dtype.name}")
    shapes = {s.shape for s in (k0, k1, lam) if s.ndim}
    if len(shapes) > 1:
        raise TypeError("random_poisson got operands of different shapes "
                        f"{', '.join(str(s.shape) for s in (k0, k1, lam))}")
    return ShapedArray(shapes.pop() if shapes else (), np.dtype(dtype))


random_poisson_p = register(Primitive("random_poisson"))
random_poisson_p.family = "elementwise"
random_poisson_p.impl = _poisson_impl
random_poisson_p.abstract_eval = _poisson_aval
random_poisson_p.jvp = zero_jvp
random_poisson_p.batch = elementwise_batch(random_poisson_p)

__all__ = ["random_poisson_p"]
