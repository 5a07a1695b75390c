"""Jacobian benchmarks: batched vs looped, chunked memory, dense vs sparse.

    python examples/jacobians.py            # the figures of the issue
    python examples/jacobians.py --small    # the same, at sizes that run in seconds

1. jacrev of tanh(W x + b), n = 512: one batched (vmapped) vjp over all basis cotangents vs a
   Python loop calling the vjp function once per row (and vs a loop of whole ftrans.vjp calls).
2. Peak memory (tracemalloc) of a 4096 × 4096 jacrev with and without chunk_size, and with
   chunk_size="auto" under a max_memory budget, next to the estimate of jacobian_cost.
3. A banded (pentadiagonal) Jacobian with 10,000 inputs: dense jacfwd vs sparse_jacobian.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from typing import Any, Callable

import numpy as np

import ftrans
import ftrans.numpy as fnp
from ftrans import lax


def best_time(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    """The fastest of ``repeat`` runs, in seconds, and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def peak_memory(fn: Callable[[], Any]) -> tuple[int, Any]:
    """Peak bytes allocated while ``fn`` runs (tracemalloc traces NumPy's buffers)."""
    tracemalloc.start()
    out = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, out


def mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def layer(n: int, seed: int = 0) -> tuple[Callable, np.ndarray]:
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((n, n)) / np.sqrt(n)
    b = rng.standard_normal(n)
    return (lambda x: fnp.tanh(w @ x + b)), rng.standard_normal(n)


def bench_vectorized_vs_loop(n: int) -> None:
    f, x = layer(n)
    t_vec, jac = best_time(lambda: ftrans.jacrev(f)(x))

    def loop_of_vjp_fun() -> np.ndarray:
        _, pull = ftrans.vjp(f, x)
        return np.stack([pull(e)[0] for e in np.eye(n)])

    def loop_of_vjps() -> np.ndarray:
        return np.stack([ftrans.vjp(f, x)[1](e)[0] for e in np.eye(n)])

    t_loop, jac_loop = best_time(loop_of_vjp_fun)
    t_loop2, _ = best_time(loop_of_vjps, repeat=1)
    assert np.allclose(jac, jac_loop)
    print(f"[1] jacrev of tanh(W x + b), n = {n}")
    print(f"    vectorized jacrev (one batched vjp):     {t_vec * 1e3:9.1f} ms")
    print(f"    loop of {n} calls of one vjp function:   {t_loop * 1e3:9.1f} ms  "
          f"({t_loop / t_vec:.1f}x slower)")
    print(f"    loop of {n} whole ftrans.vjp calls:      {t_loop2 * 1e3:9.1f} ms  "
          f"({t_loop2 / t_vec:.1f}x slower)")


def bench_chunk_memory(n: int, chunk: int) -> None:
    f, x = layer(n)
    result = n * n * 8
    cost = ftrans.jacobian_cost(f, x)["reverse"]
    cost_chunked = ftrans.jacobian_cost(f, x, chunk_size=chunk)["reverse"]
    p_full, j_full = peak_memory(lambda: ftrans.jacrev(f)(x))
    del j_full
    p_chunk, j_chunk = peak_memory(lambda: ftrans.jacrev(f, chunk_size=chunk)(x))
    del j_chunk
    budget = result + 3 * result // 8
    p_auto, j_auto = peak_memory(lambda: ftrans.jacrev(f, chunk_size="auto",
                                                       max_memory=budget)(x))
    print(f"[2] peak memory of jacrev, {n} x {n} (the Jacobian itself: {mib(result)})")
    print(f"    unchunked:                 {mib(p_full):>12}   (estimated {mib(cost.peak_bytes)})")
    print(f"    chunk_size={chunk}:            {mib(p_chunk):>12}   (estimated "
          f"{mib(cost_chunked.peak_bytes)})")
    print(f"    chunk_size='auto', max_memory={mib(budget)}: {mib(p_auto)}")


def shift(x: Any, k: int) -> Any:
    n = x.shape[0]
    zero = np.zeros((), x.dtype)
    if k > 0:
        return lax.pad(lax.slice_(x, (0,), (n - k,)), zero, [(k, 0, 0)])
    return lax.pad(lax.slice_(x, (-k,), (n,)), zero, [(0, -k, 0)])


def banded(x: Any) -> Any:
    """A pentadiagonal Jacobian: y[i] depends on x[i-2 .. i+2]."""
    return (fnp.sin(x) * x + 0.5 * shift(x, 1) ** 2 - fnp.cos(shift(x, -1))
            + 0.25 * shift(x, 2) - shift(x, -2) * x)


def bench_sparse(n: int, dense_chunk: int) -> None:
    x = np.random.default_rng(1).standard_normal(n)
    t_pat, pattern = best_time(lambda: ftrans.jacobian_sparsity(banded, x))
    t_sparse, J = best_time(lambda: ftrans.sparse_jacobian(banded)(x))
    t_given, _ = best_time(lambda: ftrans.sparse_jacobian(banded, pattern)(x))
    p_sparse, _ = peak_memory(lambda: ftrans.sparse_jacobian(banded, pattern)(x))
    t_dense, dense = best_time(lambda: ftrans.jacfwd(banded, chunk_size=dense_chunk)(x),
                               repeat=1)
    assert np.array_equal(J.todense(), dense)
    del dense
    p_dense, _ = peak_memory(lambda: ftrans.jacfwd(banded, chunk_size=dense_chunk)(x))
    print(f"[3] banded Jacobian, {n} inputs, {len(J.values)} nonzeros")
    print(f"    dense jacfwd (chunk_size={dense_chunk}): {t_dense * 1e3:9.1f} ms, "
          f"{n} jvps, peak {mib(p_dense)}")
    print(f"    sparse_jacobian (pattern found):  {t_sparse * 1e3:9.1f} ms, "
          f"{J.num_passes} jvps ({J.mode}), of which jacobian_sparsity {t_pat * 1e3:.1f} ms")
    print(f"    sparse_jacobian (pattern given):  {t_given * 1e3:9.1f} ms, peak {mib(p_sparse)}"
          f"  ({t_dense / t_given:.0f}x faster than dense)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="small sizes, for a quick check")
    args = parser.parse_args()
    if args.small:
        bench_vectorized_vs_loop(64)
        bench_chunk_memory(256, 32)
        bench_sparse(500, 100)
    else:
        bench_vectorized_vs_loop(512)
        bench_chunk_memory(4096, 256)
        bench_sparse(10_000, 1000)


if __name__ == "__main__":
    main()
