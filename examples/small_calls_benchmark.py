"""Small calls of issue 18, beside autograd and JAX jit when installed: eager ``grad`` of a
10-element Rosenbrock, eager ``jacfwd`` of a 3x3 ODE right-hand side (Robertson's), and
``jit(grad)`` of the Rosenbrock (medians of interleaved rounds, microseconds per call).

    OPENBLAS_NUM_THREADS=1 XLA_FLAGS=--xla_cpu_multi_thread_eigen=false \\
        python examples/small_calls_benchmark.py
"""

from __future__ import annotations

import statistics
import time
from typing import Any, Callable

import numpy as np

import ftrans
import ftrans.numpy as fnp


def rosen(xp: Any) -> Callable:
    return lambda x: xp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def robertson(xp: Any) -> Callable:
    return lambda y: xp.stack([-0.04 * y[0] + 1e4 * y[1] * y[2],
                               0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] ** 2,
                               3e7 * y[1] ** 2])


def bench(cases: dict[str, Callable[[], Any]], calls: int, rounds: int = 31) -> dict[str, float]:
    """Median time per call (µs) of each case, the cases interleaved round by round."""
    for f in cases.values():
        for _ in range(calls):
            f()
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(rounds):
        for k, f in cases.items():
            t = time.perf_counter()
            for _ in range(calls):
                f()
            times[k].append((time.perf_counter() - t) / calls * 1e6)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    x, y = np.linspace(0.1, 1.9, 10), np.array([1.0, 2e-5, 1e-2])
    grad_eager = {"ftrans": lambda g=ftrans.grad(rosen(fnp)): g(x)}
    jacfwd_eager = {"ftrans": lambda j=ftrans.jacfwd(robertson(fnp)): j(y)}
    grad_jit = {"ftrans.jit": lambda g=ftrans.jit(ftrans.grad(rosen(fnp))): g(x)}
    try:
        import autograd
        import autograd.numpy as anp
        grad_eager["autograd"] = lambda g=autograd.grad(rosen(anp)): g(x)
        jacfwd_eager["autograd"] = lambda j=autograd.jacobian(robertson(anp)): j(y)
    except ImportError:
        print("autograd is not installed: ftrans alone")
    try:
        import jax
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        jg = jax.jit(jax.grad(rosen(jnp)))
        grad_jit["jax.jit"] = lambda: jg(x).block_until_ready()
    except ImportError:
        print("JAX is not installed: ftrans alone")
    for name, cases, calls in [("eager grad, Rosenbrock 10", grad_eager, 50),
                               ("eager jacfwd, Robertson 3x3", jacfwd_eager, 50),
                               ("jit(grad), Rosenbrock 10", grad_jit, 200)]:
        med = bench(cases, calls)
        first = next(iter(med.values()))
        print(f"{name:28s} " + "  ".join(f"{k} {v:7.1f} us ({v / first:.2f}x the first)"
                                         for k, v in med.items()))


if __name__ == "__main__":
    main()
