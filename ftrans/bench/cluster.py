"""W10: a dense Jacobian on one process and on two Dask workers (``ftrans.distributed``).

``f(x) = W2 tanh(W1 x)`` with 20,000 inputs (2,000 with ``--quick``), 64 hidden
units and 200 outputs, by ``jacfwd`` in chunks of 1,000 basis vectors (250 quick): in this
process (``ftrans``) and with ``executor=`` a ``LocalCluster(n_workers=2,
threads_per_worker=1)`` (``ftrans.dask2``), next to the hand-written Jacobian. The summary
gives the parallel efficiency ``T(ftrans) / (2 T(ftrans.dask2))`` (from the medians and
from the minima: the least disturbed runs on a shared machine; with the load average), the
same with a ``ProcessPoolExecutor(2)`` (``ftrans.pool2``), and that of the same chunks
computed by hand in NumPy, in this process (``numpy.chunks``) and on that pool
(``numpy.pool2``): what two processes get from the machine at that time. Then each
worker's peak resident memory (and its resident memory before W10), the pickled program's
size and the time to ship it, and the per-chunk overhead: the time per task of a Jacobian
whose chunks do almost nothing (one basis vector of a 400-input ``2 x``; 100 quick), on
the Dask workers and on a ``ProcessPoolExecutor(2)``. Without Dask (``pip install
'ftrans[distributed]'``) W10 is skipped with a note.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable

import numpy as np

import ftrans
import ftrans.numpy as fnp

from .cases import Case, Config


def _f(W1: np.ndarray, W2: np.ndarray) -> Callable:
    return lambda x: W2 @ fnp.tanh(W1 @ x)


def _jac_np(W1: np.ndarray, W2: np.ndarray, x: np.ndarray) -> np.ndarray:
    t = np.tanh(W1 @ x)
    return (W2 * (1.0 - t * t)) @ W1


_POOL: dict[str, np.ndarray] = {}  # a pool worker's W1, W2 and tanh'(W1 x) (numpy.chunks)


def _pool_init(W1: np.ndarray, W2: np.ndarray, x: np.ndarray) -> None:
    t = np.tanh(W1 @ x)
    _POOL.update(W1=W1, W2=W2, d=1.0 - t * t)


def _chunk_np(lo: int, hi: int) -> np.ndarray:
    """Columns lo..hi of the Jacobian as forward mode computes them, by hand: basis vectors
    through W1, tanh' and W2 (the arithmetic of ftrans's chunk, without ftrans), the basis
    vectors written into one zeroed buffer per process and cleared after (as ftrans does)."""
    W1 = _POOL["W1"]
    if "e" not in _POOL or _POOL["e"].shape[0] < hi - lo:
        _POOL["e"] = np.zeros((hi - lo, W1.shape[1]))
    e = _POOL["e"][:hi - lo]
    at = (np.arange(hi - lo), np.arange(lo, hi))
    e[at] = 1.0
    out = ((e @ W1.T) * _POOL["d"]) @ _POOL["W2"].T
    e[at] = 0.0
    return out


def _chunks_np(bounds: list, run: Callable) -> np.ndarray:
    return np.concatenate(list(run(_chunk_np, bounds)), axis=0).T


def _efficiency(results: dict[str, Any], one: str, two: str) -> str:
    a, b = results.get(one), results.get(two)
    if a is None or b is None:
        return "-"
    return (f"{a.median / (2 * b.median):.2f} ({a.median:.2f} s / (2 x {b.median:.2f} s); "
            f"{min(a.samples) / (2 * min(b.samples)):.2f} by minima)")


def _load() -> str:
    """The 1-minute load average (other processes slow the workers down), or '?'."""
    try:
        import os
        return f"{os.getloadavg()[0]:.1f}"
    except (OSError, AttributeError):
        return "?"


def _per_task(executor: Any, n: int) -> tuple[float, dict]:
    """Seconds per task of a Jacobian of trivial chunks (one basis vector each)."""
    from ftrans.distributed import last_run
    jac = ftrans.jacfwd(lambda x: 2.0 * x, chunk_size=1, executor=executor)
    x = np.ones(n)
    jac(x)  # warm: workers started, programs compiled
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        jac(x)
        best = min(best, time.perf_counter() - t0)
    return best / n, last_run()


def _where(client: Any, remote: Callable, x: np.ndarray, t1: float, chunks: int) -> list[str]:
    """One more call on the Dask workers, instrumented: where its time went."""
    from ftrans.distributed import last_run
    from ftrans.distributed import stats as worker_stats
    before = client.run(worker_stats)
    t0 = time.perf_counter()
    remote(x)
    wall = time.perf_counter() - t0
    after = client.run(worker_stats)
    run = last_run()
    busy = {a: after[a]["busy_s"] - before.get(a, {}).get("busy_s", 0.0) for a in after}
    done = {a: after[a]["chunks"] - before.get(a, {}).get("chunks", 0) for a in after}
    per = sum(busy.values()) / max(1, sum(done.values()))
    ms = 1e3
    return [f"W10 where a call on the 2 Dask workers spends its {wall * ms:.0f} ms: "
            f"{(wall - run['wall_s']) * ms:.0f} ms in the caller around the run (trace, "
            f"linearize, assemble), program shipped in {run['ship_s'] * ms:.0f} ms, tasks "
            f"submitted at {run['submitted_s'] * ms:.0f} ms, first result at "
            f"{run['first_result_s'] * ms:.0f} ms of the run; workers busy "
            + ", ".join(f"{b * ms:.0f} ms ({done[a]} chunks)" for a, b in busy.items())
            + f" = {sum(busy.values()) / (len(busy) * wall):.0%} of 2 x the call; "
            f"{per * ms:.1f} ms per chunk on a worker vs {t1 / chunks * ms:.1f} ms per chunk "
            "for the whole call in one process"]


def w10(cfg: Config) -> list[Case]:
    """Dense Jacobian of a function of 20,000 inputs: one process vs 2 Dask workers."""
    try:
        import distributed
    except ImportError:
        print("W10 skipped: dask.distributed is not installed (pip install "
              "'ftrans[distributed]')", file=sys.stderr)
        return []
    from ftrans.distributed import last_run
    from ftrans.distributed import stats as worker_stats
    n, chunk, trivial = (2000, 250, 100) if cfg.quick else (20_000, 1000, 400)
    rng = np.random.default_rng(10)
    W1 = rng.standard_normal((64, n)) / np.sqrt(n)
    W2 = rng.standard_normal((200, 64)) / 8.0
    x = rng.standard_normal(n)
    f = _f(W1, W2)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    client = distributed.Client(cluster)
    before = client.run(worker_stats)
    local = ftrans.jacfwd(f, chunk_size=chunk)
    remote = ftrans.jacfwd(f, chunk_size=chunk, executor=client)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    spawn = multiprocessing.get_context("spawn")  # no fork of a process with threads
    pool = ProcessPoolExecutor(2, mp_context=spawn, initializer=_pool_init,
                               initargs=(W1, W2, x))
    pooled = ftrans.jacfwd(f, chunk_size=chunk, executor=pool)
    bounds = [(lo, min(lo + chunk, n)) for lo in range(0, n, chunk)]
    _pool_init(W1, W2, x)
    figures: dict[str, Any] = {"load": _load()}

    def dask2() -> np.ndarray:
        out = remote(x)
        figures["run"] = last_run()
        return out

    def finish(results: dict[str, Any]) -> list[str]:
        try:
            stats = client.run(worker_stats)
            one = results.get("ftrans")
            where = _where(client, remote, x, one.median, len(bounds)) if one else []
            per_dask, _ = _per_task(client, trivial)
            per_pool, _ = _per_task(pool, trivial)
        finally:
            client.close()
            cluster.close()
            pool.shutdown()
        run = figures.get("run", {})
        lines = [f"W10 parallel efficiency T(1 process) / (2 T(2 workers)), by medians, load "
                 f"average {_load()} (at the start {figures['load']}), {len(bounds)} chunks "
                 f"of {chunk}, {len(results.get('ftrans.dask2', one).samples) if one else 0}"
                 " rounds:",
                 "W10   ftrans on 2 Dask workers:        "
                 + _efficiency(results, "ftrans", "ftrans.dask2"),
                 "W10   ftrans on a ProcessPoolExecutor: "
                 + _efficiency(results, "ftrans", "ftrans.pool2"),
                 "W10   hand NumPy chunks, same pool:    "
                 + _efficiency(results, "numpy.chunks", "numpy.pool2")
                 + " (what two processes get from this machine now)"]
        for addr, s in stats.items():
            start = before.get(addr, {}).get("peak_rss", 0)
            lines.append(f"W10 worker {s['id']}: peak RSS {s['peak_rss'] / 2**20:.0f} MiB "
                         f"(before W10 {start / 2**20:.0f} MiB), {s['chunks']} chunks, "
                         f"{s['compiles']} compiles, {s['loads']} programs loaded")
        if run:
            lines.append(f"W10 program: {run['payload_bytes'] / 2**20:.1f} MiB pickled, shipped "
                         f"{run['payload_sends']}x (once per worker) in "
                         f"{run['ship_s'] * 1e3:.0f} ms: {run['ship_s'] / run['tasks'] * 1e3:.1f}"
                         " ms per chunk")
        lines += where
        lines.append(f"W10 per-chunk overhead (trivial chunks): {per_dask * 1e3:.2f} ms per task "
                     f"on the 2 Dask workers, {per_pool * 1e3:.2f} ms on a "
                     "ProcessPoolExecutor(2)")
        return lines

    impls: dict[str, Callable[[], Any]] = {
        "numpy": lambda: _jac_np(W1, W2, x),
        "numpy.chunks": lambda: _chunks_np(bounds, lambda fn, b: (fn(*lh) for lh in b)),
        "numpy.pool2": lambda: _chunks_np(bounds, lambda fn, b: pool.map(fn, *zip(*b))),
        "ftrans": lambda: local(x), "ftrans.dask2": dask2, "ftrans.pool2": lambda: pooled(x)}
    # interleaved rounds (each implementation once per round, after two warm-up calls each:
    # workers started, programs compiled); medians of 11 rounds (up to 90 s), 3 quick
    return [Case("W10", f"jacfwd {n} inputs, 1 proc vs 2 workers", impls, rtol=1e-9,
                 atol=1e-12, repeats=3 if cfg.quick else 11, budget_s=None if cfg.quick
                 else 90.0, finish=finish)]


__all__ = ["w10"]
