"""Workload W12: gradients handed to a SciPy solver, where the per-call cost of a small
function is what the user waits for.

SciPy's ``minimize(method="BFGS")`` runs on the 10-D Rosenbrock function from the same start
with each implementation's gradient as ``jac`` (about 50 calls): hand-written
(``scipy.optimize.rosen_der``, the reference), ftrans eager and jitted, autograd and JAX jit
when installed. Every run must reach the minimizer, all ones. Without SciPy the workload has
no case.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import ftrans
import ftrans.numpy as fnp

from .peers import Peers, try_import
from .workloads import Case, Config


def _rosen(m: Any) -> Callable:
    def f(x: Any) -> Any:
        return m.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    return f


def w12(cfg: Config) -> list[Case]:
    """SciPy minimize (BFGS) of the 10-D Rosenbrock with each gradient as jac (small calls)."""
    optimize = try_import("scipy.optimize")
    if optimize is None:
        return []
    x0 = np.tile([1.3, 0.7, 0.8, 1.9, 1.2], 2)  # SciPy's tutorial start, twice

    def solve(jac: Callable[[np.ndarray], Any]) -> Callable[[], np.ndarray]:
        return lambda: optimize.minimize(optimize.rosen, x0, method="BFGS",
                                         jac=lambda x: np.asarray(jac(x)), tol=1e-10).x

    g = ftrans.grad(_rosen(fnp))
    impls: dict[str, Callable[[], Any]] = {
        "numpy": solve(optimize.rosen_der), "ftrans": solve(g),
        "ftrans.jit": solve(ftrans.jit(g, backend=cfg.backend or None))}
    if cfg.cfuse and not cfg.backend:  # as _with_c: jit's NumPy code alone
        impls["jit.numpy"] = solve(ftrans.jit(g, backend="numpy"))
    p: Peers | None = cfg.peers
    if p is not None and p.jax is not None:
        jj = p.jax.jit(p.jax.grad(_rosen(p.jnp)))
        impls["jax.jit"] = solve(lambda x: p.jax.block_until_ready(jj(x)))
    if p is not None and p.autograd is not None:
        impls["autograd"] = solve(p.autograd.grad(_rosen(p.anp)))
    return [Case("W12", "SciPy BFGS, 10-D Rosenbrock", impls, rtol=1e-5, atol=1e-6)]
