"""The workloads W1–W10 and W13: for each, a hand-written NumPy derivative (the reference
every result is checked against) and the same computation by ftrans (eager and jit) and by
each peer.

A workload function takes the run's ``Config`` and returns ``Case`` objects; each case maps an
implementation name to a zero-argument callable. ``metric`` says what is measured: ``time``
(steady state, after one warm-up call), ``first`` (a fresh function's first call: tracing and
compiling included) or ``peak`` (peak traced memory of one call, via tracemalloc; NumPy-based
implementations only).
"""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable

import numpy as np

import ftrans
import ftrans.numpy as fnp

from .cases import Case, Config
from .peers import Peers


def _jax_timed(jax: Any, f: Callable, *args: Any) -> Callable[[], Any]:
    return lambda: jax.block_until_ready(f(*args))


def _ftrans_jit(cfg: Config, f: Callable, *args: Any, backend: str = "") -> Callable[[], Any]:
    jf = ftrans.jit(f, backend=backend or cfg.backend or None)
    dev = [cfg.to_device(a) for a in args]
    return lambda: jf(*dev)


def _with_c(cfg: Config, impls: dict, f: Callable, *args: Any) -> dict:
    """Where ``ftrans.jit`` fuses C kernels, add ``jit.numpy``: its NumPy code alone."""
    if cfg.cfuse and not cfg.backend:
        impls["jit.numpy"] = _ftrans_jit(cfg, f, *args, backend="numpy")
    return impls


def _add_peers(cfg: Config, impls: dict, jax_fn: Callable | None, torch_fn: Callable | None,
               ag_fn: Callable | None, jit_only: bool = False) -> None:
    p = cfg.peers
    if p is None:
        return
    if p.jax is not None and jax_fn is not None:
        if not jit_only:
            impls["jax"] = jax_fn(p, False)
        impls["jax.jit"] = jax_fn(p, True)
    if p.torch is not None and torch_fn is not None:
        impls["torch.func"] = torch_fn(p)
    if p.autograd is not None and ag_fn is not None:
        impls["autograd"] = ag_fn(p)


# ----------------------------------------------------------------------------- W1

def _tutorial(m: Any) -> Callable:
    def f(x1: Any, x2: Any) -> Any:
        v1 = x1 / x2
        v4 = v1 - m.exp(x2)
        return (m.sin(v1) + v4) * v4
    return f


def _tutorial_grad_np(x1: float, x2: float) -> tuple:
    v1 = x1 / x2
    v3 = np.exp(x2)
    v4 = v1 - v3
    v5 = np.sin(v1) + v4
    d1 = (np.cos(v1) + 1) * v4 + v5  # d f / d v1
    d3 = -(v5 + v4)                   # d f / d v3
    return (d1 / x2, -d1 * x1 / x2 ** 2 + d3 * v3)


def w1(cfg: Config) -> list[Case]:
    """Tutorial gradient: the scalar f(x1, x2) of the tutorial (per-call overhead)."""
    x1, x2 = 1.5, 0.5
    impls: dict[str, Callable[[], Any]] = {"numpy": lambda: _tutorial_grad_np(x1, x2)}
    g = ftrans.grad(_tutorial(fnp), argnums=(0, 1))
    impls["ftrans"] = lambda: g(x1, x2)
    impls["ftrans.jit"] = _ftrans_jit(cfg, g, x1, x2)
    _with_c(cfg, impls, g, x1, x2)

    def jax_fn(p: Peers, jit: bool) -> Callable:
        jg = p.jax.grad(_tutorial(p.jnp), argnums=(0, 1))
        jg = p.jax.jit(jg) if jit else jg
        return _jax_timed(p.jax, jg, x1, x2)

    def torch_fn(p: Peers) -> Callable:
        tg = p.tfunc.grad(_tutorial(p.tns), argnums=(0, 1))
        a, b = p.torch.tensor(x1, dtype=p.torch.float64), p.torch.tensor(x2,
                                                                         dtype=p.torch.float64)
        return lambda: tg(a, b)

    def ag_fn(p: Peers) -> Callable:
        from autograd.differential_operators import grad as agrad
        ag = agrad(_tutorial(p.anp), (0, 1))
        return lambda: ag(x1, x2)

    _add_peers(cfg, impls, jax_fn, torch_fn, ag_fn)
    return [Case("W1", "tutorial grad (scalar)", impls, rtol=1e-12)]


# ----------------------------------------------------------------------------- W2

def _mlp_loss(m: Any) -> Callable:
    def loss(params: Any, x: Any, y: Any) -> Any:
        (w1, b1), (w2, b2), (w3, b3) = params
        h = m.tanh(x @ w1 + b1)
        h = m.tanh(h @ w2 + b2)
        z = h @ w3 + b3
        return m.mean(m.log(m.sum(m.exp(z), axis=1)) - m.sum(z * y, axis=1))
    return loss


def _mlp_np(params: Any, x: np.ndarray, y: np.ndarray) -> tuple:
    (w1, b1), (w2, b2), (w3, b3) = params
    h1 = np.tanh(x @ w1 + b1)
    h2 = np.tanh(h1 @ w2 + b2)
    z = h2 @ w3 + b3
    ez = np.exp(z)
    s = ez.sum(1)
    n = x.shape[0]
    value = np.mean(np.log(s) - (z * y).sum(1))
    dz = (ez / s[:, None] - y) / np.float32(n)
    dh2 = (dz @ w3.T) * (1 - h2 * h2)
    dh1 = (dh2 @ w2.T) * (1 - h1 * h1)
    grads = ((x.T @ dh1, dh1.sum(0)), (h1.T @ dh2, dh2.sum(0)), (h2.T @ dz, dz.sum(0)))
    return value, grads


def _mlp_forward_np(params: Any, x: np.ndarray, y: np.ndarray) -> Any:
    (w1, b1), (w2, b2), (w3, b3) = params
    z = np.tanh(np.tanh(x @ w1 + b1) @ w2 + b2) @ w3 + b3
    return np.mean(np.log(np.exp(z).sum(1)) - (z * y).sum(1))


def w2(cfg: Config) -> list[Case]:
    """MLP 784-256-256-10, batch 128, float32: value_and_grad, and the forward pass alone."""
    rng = np.random.default_rng(0)
    f32 = np.float32
    sizes = [784, 256, 256, 10]
    params = tuple((rng.standard_normal((a, b)).astype(f32) / np.sqrt(a).astype(f32),
                    np.zeros(b, f32)) for a, b in zip(sizes[:-1], sizes[1:]))
    x = rng.standard_normal((128, 784)).astype(f32)
    y = np.eye(10, dtype=f32)[rng.integers(0, 10, 128)]
    vg = ftrans.value_and_grad(_mlp_loss(fnp))
    impls: dict[str, Callable[[], Any]] = {"numpy": lambda: _mlp_np(params, x, y)}
    impls["ftrans"] = lambda: vg(params, x, y)
    impls["ftrans.jit"] = _ftrans_jit(cfg, vg, params, x, y)
    _with_c(cfg, impls, vg, params, x, y)

    def jax_fn(p: Peers, jit: bool) -> Callable:
        f = p.jax.value_and_grad(_mlp_loss(p.jnp))
        f = p.jax.jit(f) if jit else f
        jp = p.jax.tree_util.tree_map(p.jnp.asarray, params)
        return _jax_timed(p.jax, f, jp, p.jnp.asarray(x), p.jnp.asarray(y))

    def torch_fn(p: Peers) -> Callable:
        t = p.torch
        f = p.tfunc.grad_and_value(_mlp_loss(p.tns))
        tp = tuple((t.from_numpy(w), t.from_numpy(b)) for w, b in params)
        tx, ty = t.from_numpy(x), t.from_numpy(y)

        def run() -> Any:
            g, v = f(tp, tx, ty)
            return v, g
        return run

    def ag_fn(p: Peers) -> Callable:
        f = p.autograd.value_and_grad(_mlp_loss(p.anp))
        return lambda: f(params, x, y)

    _add_peers(cfg, impls, jax_fn, torch_fn, ag_fn)
    fwd: dict[str, Callable[[], Any]] = {"numpy": lambda: _mlp_forward_np(params, x, y)}
    loss = _mlp_loss(fnp)
    fwd["ftrans"] = lambda: loss(params, x, y)
    fwd["ftrans.jit"] = _ftrans_jit(cfg, loss, params, x, y)
    if cfg.peers is not None and cfg.peers.jax is not None:
        p = cfg.peers
        jl = p.jax.jit(_mlp_loss(p.jnp))
        fwd["jax.jit"] = _jax_timed(p.jax, jl, p.jax.tree_util.tree_map(p.jnp.asarray, params),
                                    p.jnp.asarray(x), p.jnp.asarray(y))
    return [Case("W2", "MLP value_and_grad f32", impls, rtol=2e-3, atol=1e-5),
            Case("W2", "MLP forward only f32", fwd, rtol=2e-3, atol=1e-5)]


# ----------------------------------------------------------------------------- W3

def _w3_loss(m: Any) -> Callable:
    return lambda x: m.sum(m.sin(x) * m.exp(-(x * x)) + m.log1p(x * x) * m.tanh(x))


def _w3_grad_np(x: np.ndarray) -> np.ndarray:
    x2 = x * x
    e = np.exp(-x2)
    t = np.tanh(x)
    return (np.cos(x) * e - 2 * x * np.sin(x) * e + 2 * x / (1 + x2) * t
            + np.log1p(x2) * (1 - t * t))


def w3(cfg: Config) -> list[Case]:
    """Gradient of an elementwise sum over 10^6 elements (full run: also 10^7)."""
    cases = []
    for n in ([10 ** 6] if cfg.quick else [10 ** 6, 10 ** 7]):
        x = np.random.default_rng(0).uniform(-2, 2, n)
        g = ftrans.grad(_w3_loss(fnp))
        impls: dict[str, Callable[[], Any]] = {"numpy": functools.partial(_w3_grad_np, x)}
        impls["ftrans"] = functools.partial(g, x)
        impls["ftrans.jit"] = _ftrans_jit(cfg, g, x)
        _with_c(cfg, impls, g, x)

        def jax_fn(p: Peers, jit: bool, x: np.ndarray = x) -> Callable:
            f = p.jax.grad(_w3_loss(p.jnp))
            return _jax_timed(p.jax, p.jax.jit(f) if jit else f, p.jnp.asarray(x))

        def torch_fn(p: Peers, x: np.ndarray = x) -> Callable:
            f, tx = p.tfunc.grad(_w3_loss(p.tns)), p.torch.from_numpy(x)
            return lambda: f(tx)

        def ag_fn(p: Peers, x: np.ndarray = x) -> Callable:
            f = p.autograd.grad(_w3_loss(p.anp))
            return lambda: f(x)

        _add_peers(cfg, impls, jax_fn, torch_fn, ag_fn)
        cases.append(Case("W3", f"grad elementwise n=1e{len(str(n)) - 1}", impls,
                          repeats=3 if n > 10 ** 6 else None))
    return cases


# ----------------------------------------------------------------------------- W4

def _tanh_layer(m: Any) -> Callable:
    return lambda W, x, b: m.tanh(W @ x + b)


def w4(cfg: Config) -> list[Case]:
    """512x512 Jacobian of tanh(W x + b), by jacfwd and by jacrev."""
    n = 512
    rng = np.random.default_rng(0)
    W, x, b = rng.standard_normal((n, n)) / np.sqrt(n), rng.standard_normal(n), \
        rng.standard_normal(n)
    analytic = lambda: (1 - np.tanh(W @ x + b) ** 2)[:, None] * W
    cases = []
    for mode in ("jacfwd", "jacrev"):
        jac = getattr(ftrans, mode)(_tanh_layer(fnp), argnums=1)
        impls: dict[str, Callable[[], Any]] = {"numpy": analytic}
        impls["ftrans"] = functools.partial(jac, W, x, b)
        impls["ftrans.jit"] = _ftrans_jit(cfg, jac, W, x, b)
        _with_c(cfg, impls, jac, W, x, b)

        def jax_fn(p: Peers, jit: bool, mode: str = mode) -> Callable:
            f = getattr(p.jax, mode)(_tanh_layer(p.jnp), argnums=1)
            return _jax_timed(p.jax, p.jax.jit(f) if jit else f, p.jnp.asarray(W),
                              p.jnp.asarray(x), p.jnp.asarray(b))

        def torch_fn(p: Peers, mode: str = mode) -> Callable:
            f = getattr(p.tfunc, mode)(_tanh_layer(p.tns), argnums=1)
            t = p.torch.from_numpy
            return lambda: f(t(W), t(x), t(b))

        def ag_fn(p: Peers) -> Callable:
            f = p.autograd.jacobian(_tanh_layer(p.anp), 1)
            return lambda: f(W, x, b)

        _add_peers(cfg, impls, jax_fn, torch_fn, ag_fn if mode == "jacrev" else None)
        cases.append(Case("W4", f"{mode} tanh(Wx+b) n=512", impls, rtol=1e-9, atol=1e-12))
    return cases


# ----------------------------------------------------------------------------- W5

def w5(cfg: Config) -> list[Case]:
    """300x300 Hessian of a logistic-regression loss on 2000 samples."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((2000, 300)) / np.sqrt(300)
    y = np.where(rng.uniform(size=2000) > 0.5, 1.0, -1.0)
    w = rng.standard_normal(300) * 0.1

    def loss(m: Any) -> Callable:
        return lambda w, A, y: m.mean(m.log1p(m.exp(-y * (A @ w))))

    def hess_np() -> np.ndarray:
        s = 1 / (1 + np.exp(y * (A @ w)))
        return (A.T * (s * (1 - s))) @ A / A.shape[0]

    h = ftrans.hessian(loss(fnp))
    impls: dict[str, Callable[[], Any]] = {"numpy": hess_np, "ftrans": lambda: h(w, A, y),
                                           "ftrans.jit": _ftrans_jit(cfg, h, w, A, y)}
    _with_c(cfg, impls, h, w, A, y)

    def jax_fn(p: Peers, jit: bool) -> Callable:
        f = p.jax.hessian(loss(p.jnp))
        return _jax_timed(p.jax, p.jax.jit(f) if jit else f, p.jnp.asarray(w),
                          p.jnp.asarray(A), p.jnp.asarray(y))

    def torch_fn(p: Peers) -> Callable:
        f, t = p.tfunc.hessian(loss(p.tns)), p.torch.from_numpy
        return lambda: f(t(w), t(A), t(y))

    def ag_fn(p: Peers) -> Callable:
        f = p.autograd.hessian(loss(p.anp))
        return lambda: f(w, A, y)

    _add_peers(cfg, impls, jax_fn, torch_fn, ag_fn)
    return [Case("W5", "Hessian 300x300 logistic", impls, rtol=1e-8, atol=1e-12)]


# ----------------------------------------------------------------------------- W6

def _softmax_loss(m: Any) -> Callable:
    def loss(W: Any, x: Any, y: Any) -> Any:
        z = x @ W
        return m.log(m.sum(m.exp(z))) - m.sum(z * y)
    return loss


def w6(cfg: Config) -> list[Case]:
    """Per-example gradients: vmap(grad) of a softmax loss over a batch of 256."""
    rng = np.random.default_rng(0)
    W = rng.standard_normal((784, 10)) * 0.01
    X = rng.standard_normal((256, 784))
    Y = np.eye(10)[rng.integers(0, 10, 256)]

    def per_example_np() -> np.ndarray:
        z = X @ W
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        return X[:, :, None] * (p - Y)[:, None, :]

    pe = ftrans.vmap(ftrans.grad(_softmax_loss(fnp)), in_axes=(None, 0, 0))
    impls: dict[str, Callable[[], Any]] = {"numpy": per_example_np,
                                           "ftrans": lambda: pe(W, X, Y),
                                           "ftrans.jit": _ftrans_jit(cfg, pe, W, X, Y)}
    _with_c(cfg, impls, pe, W, X, Y)

    def jax_fn(p: Peers, jit: bool) -> Callable:
        f = p.jax.vmap(p.jax.grad(_softmax_loss(p.jnp)), in_axes=(None, 0, 0))
        return _jax_timed(p.jax, p.jax.jit(f) if jit else f, p.jnp.asarray(W),
                          p.jnp.asarray(X), p.jnp.asarray(Y))

    def torch_fn(p: Peers) -> Callable:
        f = p.tfunc.vmap(p.tfunc.grad(_softmax_loss(p.tns)), in_dims=(None, 0, 0))
        t = p.torch.from_numpy
        tW, tX, tY = t(W), t(X), t(Y)
        return lambda: f(tW, tX, tY)

    _add_peers(cfg, impls, jax_fn, torch_fn, None)
    return [Case("W6", "per-example grads b=256", impls, rtol=1e-9, atol=1e-12)]


# ----------------------------------------------------------------------------- W7

def _chain(m: Any, k: int) -> Callable:
    ops = (m.sin, m.cos, m.tanh)

    def f(x: Any) -> Any:
        for i in range(k):
            x = ops[i % 3](x)
        return m.sum(x)
    return f


def _chain_grad_np(x: np.ndarray, k: int) -> np.ndarray:
    xs = []
    for i in range(k):
        xs.append(x)
        x = (np.sin, np.cos, np.tanh)[i % 3](x)
    g = np.ones_like(x)
    for i in reversed(range(k)):
        xi = xs[i]
        if i % 3 == 0:
            g *= np.cos(xi)
        elif i % 3 == 1:
            g *= -np.sin(xi)
        else:
            t = np.tanh(xi)
            g *= 1 - t * t
    return g


def w7(cfg: Config) -> list[Case]:
    """Chains of k sin/cos/tanh on 1000 elements: steady gradient, and jit's first call."""
    x = np.random.default_rng(0).uniform(-1, 1, 1000)
    cases = []
    for k in ((100, 1000) if cfg.quick else (100, 1000, 10000)):
        big = k >= 10000
        g = ftrans.grad(_chain(fnp, k))
        steady: dict[str, Callable[[], Any]] = {"numpy": functools.partial(_chain_grad_np, x, k),
                                                "ftrans": functools.partial(g, x),
                                                "ftrans.jit": _ftrans_jit(cfg, g, x)}
        _with_c(cfg, steady, g, x)

        def jit_first(k: int = k) -> Any:
            return ftrans.jit(ftrans.grad(_chain(fnp, k)),
                              backend=cfg.backend or None)(cfg.to_device(x))
        first: dict[str, Callable[[], Any]] = {"ftrans.jit": jit_first}

        def jax_fn(p: Peers, jit: bool, k: int = k) -> Callable:
            f = p.jax.grad(_chain(p.jnp, k))
            return _jax_timed(p.jax, p.jax.jit(f) if jit else f, p.jnp.asarray(x))

        def torch_fn(p: Peers, k: int = k) -> Callable:
            f, tx = p.tfunc.grad(_chain(p.tns, k)), p.torch.from_numpy(x)
            return lambda: f(tx)

        def ag_fn(p: Peers, k: int = k) -> Callable:
            f = p.autograd.grad(_chain(p.anp, k))
            return lambda: f(x)

        _add_peers(cfg, steady, None if big else jax_fn, torch_fn, ag_fn)
        p = cfg.peers
        if p is not None and p.jax is not None and not (big and cfg.quick):

            def jax_first(k: int = k, p: Peers = p) -> Any:
                return p.jax.block_until_ready(
                    p.jax.jit(p.jax.grad(_chain(p.jnp, k)))(p.jnp.asarray(x)))
            first["jax.jit"] = jax_first
            if big:
                steady["jax.jit"] = jax_fn(p, True)
        cases.append(Case("W7", f"chain k={k} steady", steady, repeats=3 if big else None))
        cases.append(Case("W7", f"chain k={k} first call", first, metric="first",
                          repeats=1 if big else (2 if cfg.quick and k >= 1000 else 3)))
    return cases


# ----------------------------------------------------------------------------- W8

def _resnet_loss(m: Any) -> Callable:
    def loss(Ws: Any, h: Any) -> Any:
        for W in Ws:
            h = h + m.tanh(h @ W)
        return m.sum(h)
    return loss


def _resnet_np(Ws: list, h: np.ndarray) -> tuple:
    hs, ts = [], []
    for W in Ws:
        t = np.tanh(h @ W)
        hs.append(h)
        ts.append(t)
        h = h + t
    value = h.sum()
    g = np.ones_like(h)
    grads: list[Any] = [None] * len(Ws)
    for i in reversed(range(len(Ws))):
        t = ts.pop()
        d = g * (1 - t * t)
        del t
        grads[i] = hs.pop().T @ d
        g = g + d @ Ws[i].T
        del d
    return value, grads


def w8(cfg: Config) -> list[Case]:
    """Peak memory of value_and_grad of a residual tanh network (10 layers; full run: 50)."""
    layers = 10 if cfg.quick else 50
    rng = np.random.default_rng(0)
    f32 = np.float32
    Ws = [(rng.standard_normal((512, 512)) * (0.5 / np.sqrt(512))).astype(f32)
          for _ in range(layers)]
    h = rng.standard_normal((4096, 512)).astype(f32)
    vg = ftrans.value_and_grad(_resnet_loss(fnp))
    impls: dict[str, Callable[[], Any]] = {"numpy": lambda: _resnet_np(Ws, h),
                                           "ftrans": lambda: vg(Ws, h),
                                           "ftrans.jit": _ftrans_jit(cfg, vg, Ws, h)}
    _with_c(cfg, impls, vg, Ws, h)
    if cfg.peers is not None and cfg.peers.autograd is not None:
        f = cfg.peers.autograd.value_and_grad(_resnet_loss(cfg.peers.anp))
        impls["autograd"] = lambda: f(Ws, h)
    return [Case("W8", f"peak memory {layers}-layer resnet f32", impls, metric="peak",
                 rtol=2e-2, atol=1e-1, repeats=1)]


# ----------------------------------------------------------------------------- W9

_W9_SNIPPETS = {
    "ftrans": "import ftrans, ftrans.numpy as m\n"
              "ftrans.grad(lambda x: m.sin(x) * x)(1.0)",
    "autograd": "import autograd, autograd.numpy as m\n"
                "autograd.grad(lambda x: m.sin(x) * x)(1.0)",
    "jax.jit": "import jax, jax.numpy as m\n"
               "jax.block_until_ready(jax.grad(lambda x: m.sin(x) * x)(1.0))",
    "torch.func": "import torch, torch.func\n"
                  "torch.func.grad(lambda x: torch.sin(x) * x)(torch.tensor(1.0))",
}


def w9(cfg: Config) -> list[Case]:
    """A fresh Python process: import, then a first gradient (start-up time)."""
    import subprocess

    def fresh(code: str) -> Callable[[], Any]:
        return lambda: subprocess.run([sys.executable, "-c", code], check=True)

    impls = {"ftrans": fresh(_W9_SNIPPETS["ftrans"])}
    for name, mod in (("autograd", "autograd"), ("jax.jit", "jax"), ("torch.func", "torch")):
        p = cfg.peers
        if p is not None and getattr(p, mod.split(".")[0]) is not None:
            impls[name] = fresh(_W9_SNIPPETS[name])
    impls["numpy"] = fresh("import numpy")
    return [Case("W9", "import + first grad (fresh process)", impls, metric="first",
                 repeats=2 if cfg.quick else 5)]


# ----------------------------------------------------------------------------- W13

def _spectral_loss(m: Any) -> Callable:
    """A windowed, frequency-weighted power of a 2-D FFT of a complex image: ``Σ |F(x w) h|²``."""
    def loss(x: Any, w: Any, h: Any) -> Any:
        return m.sum(m.abs(m.fft.fft2(x * w) * h) ** 2)
    return loss


def w13(cfg: Config) -> list[Case]:
    """Gradient of sum |fft2(x w) h|^2 for a 512x512 complex128 image (128x128 quick)."""
    n = 128 if cfg.quick else 512
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    w = np.outer(np.hanning(n), np.hanning(n)) + 0.1
    f2 = np.add.outer(np.fft.fftfreq(n) ** 2, np.fft.fftfreq(n) ** 2)
    h = 1.0 / (1.0 + n * f2)

    def grad_np() -> np.ndarray:
        # JAX's convention for a real loss of a complex input: the transpose of its jvp
        # t ↦ 2 Re Σ conj(y) h F(w t) in the pairing Re Σ u·v, F symmetric
        y = np.fft.fft2(x * w) * h
        return 2 * w * np.fft.fft2(h * np.conj(y))

    g = ftrans.grad(_spectral_loss(fnp))
    impls: dict[str, Callable[[], Any]] = {"numpy": grad_np, "ftrans": lambda: g(x, w, h),
                                           "ftrans.jit": _ftrans_jit(cfg, g, x, w, h)}
    _with_c(cfg, impls, g, x, w, h)

    def jax_fn(p: Peers, jit: bool) -> Callable:
        f = p.jax.grad(_spectral_loss(p.jnp))
        return _jax_timed(p.jax, p.jax.jit(f) if jit else f, p.jnp.asarray(x),
                          p.jnp.asarray(w), p.jnp.asarray(h))

    def ag_fn(p: Peers) -> Callable:
        f = p.autograd.grad(_spectral_loss(p.anp))
        return lambda: f(x, w, h)

    _add_peers(cfg, impls, jax_fn, None, ag_fn)  # torch's complex gradient is conjugated
    return [Case("W13", f"grad of a 2-D FFT loss {n}x{n} c128", impls, rtol=1e-9,
                 atol=1e-9)]


from .cluster import w10  # noqa: E402  (W10, the dense Jacobian on Dask workers)

WORKLOADS: dict[str, Callable[[Config], list[Case]]] = {
    "W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "W7": w7, "W8": w8, "W9": w9,
    "W10": w10, "W13": w13}


def describe(name: str) -> str:
    """The one-line description of workload ``name`` (its function's docstring).

    >>> describe("W4")
    '512x512 Jacobian of tanh(W x + b), by jacfwd and by jacrev.'
    """
    return (WORKLOADS[name].__doc__ or "").strip().splitlines()[0]
