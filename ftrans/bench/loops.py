"""W11: a loop under ``jit`` — a recurrent net written with ``lax.scan`` (registered in
``WORKLOADS`` by ``ftrans.bench``)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import ftrans
import ftrans.lax as flax
import ftrans.numpy as fnp

from .peers import Peers
from .workloads import Case, Config, _add_peers, _ftrans_jit, _jax_timed, _with_c

HIDDEN, INPUTS, STEPS = 128, 32, 50


def _rnn(m: Any, scan: Callable) -> Callable:
    def loss(params: Any, xs: Any) -> Any:
        W, U, b, v = params

        def cell(h: Any, x: Any) -> Any:
            h = m.tanh(W @ h + U @ x + b)
            return h, m.sum(v * h)
        h, ys = scan(cell, m.zeros(HIDDEN), xs)
        return m.sum(ys) + m.sum(h * h)
    return loss


def _rnn_loop(m: Any) -> Callable:
    """The same loss as a Python loop (for autograd, which has no ``scan``)."""
    def loss(params: Any, xs: Any) -> Any:
        W, U, b, v = params
        h, total = m.zeros(HIDDEN), 0.0
        for t in range(STEPS):
            h = m.tanh(W @ h + U @ xs[t] + b)
            total = total + m.sum(v * h)
        return total + m.sum(h * h)
    return loss


def _rnn_np(params: Any, xs: np.ndarray) -> tuple:
    """Value and gradient by hand: the forward loop keeps every h, the backward loop runs
    through them in reverse (backpropagation through time)."""
    W, U, b, v = params
    hs = [np.zeros(HIDDEN)]
    for x in xs:
        hs.append(np.tanh(W @ hs[-1] + U @ x + b))
    H = np.array(hs[1:])
    value = float(np.sum(H @ v) + hs[-1] @ hs[-1])
    gW, gU, gb = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    gv = H.sum(0)
    dh = 2 * hs[-1]
    for t in reversed(range(len(xs))):
        dz = (dh + v) * (1 - hs[t + 1] ** 2)
        gW += np.outer(dz, hs[t])
        gU += np.outer(dz, xs[t])
        gb += dz
        dh = W.T @ dz
    return value, (gW, gU, gb, gv)


def w11(cfg: Config) -> list[Case]:
    """A 50-step RNN (lax.scan, hidden 128, float64): value_and_grad."""
    rng = np.random.default_rng(0)
    params = (rng.standard_normal((HIDDEN, HIDDEN)) / np.sqrt(HIDDEN),
              rng.standard_normal((HIDDEN, INPUTS)) / np.sqrt(INPUTS),
              rng.standard_normal(HIDDEN) * 0.1, rng.standard_normal(HIDDEN) / np.sqrt(HIDDEN))
    xs = rng.standard_normal((STEPS, INPUTS))
    vg = ftrans.value_and_grad(_rnn(fnp, flax.scan))
    impls: dict[str, Callable[[], Any]] = {"numpy": lambda: _rnn_np(params, xs),
                                           "ftrans": lambda: vg(params, xs),
                                           "ftrans.jit": _ftrans_jit(cfg, vg, params, xs)}
    _with_c(cfg, impls, vg, params, xs)

    def jax_fn(p: Peers, jit: bool) -> Callable:
        f = p.jax.value_and_grad(_rnn(p.jnp, p.jax.lax.scan))
        jp = tuple(p.jnp.asarray(a) for a in params)
        return _jax_timed(p.jax, p.jax.jit(f) if jit else f, jp, p.jnp.asarray(xs))

    def ag_fn(p: Peers) -> Callable:
        f = p.autograd.value_and_grad(_rnn_loop(p.anp))
        return lambda: f(params, xs)

    # JAX without jit compiles the scan at every call (over a second): jit only
    _add_peers(cfg, impls, jax_fn, None, ag_fn, jit_only=True)
    return [Case("W11", "RNN scan value_and_grad T=50 h=128", impls, rtol=1e-8, atol=1e-10)]
