"""Running cases: interleaved timing, result checks against hand NumPy, summaries."""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any, Callable, TextIO

import numpy as np

from .cases import Case


def to_numpy(x: Any) -> Any:
    """Results of any library as nested tuples of NumPy arrays."""
    if isinstance(x, dict):
        return tuple(to_numpy(x[k]) for k in sorted(x))
    if isinstance(x, (tuple, list)):
        return tuple(to_numpy(v) for v in x)
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    if hasattr(x, "get") and type(x).__module__.startswith("cupy"):
        return x.get()
    return np.asarray(x)


def _leaves(x: Any) -> list[np.ndarray]:
    if isinstance(x, tuple):
        return [leaf for v in x for leaf in _leaves(v)]
    return [np.asarray(x)]


def check(got: Any, want: Any, rtol: float, atol: float) -> str:
    """'' when ``got`` matches ``want``, else a short reason."""
    g, w = _leaves(to_numpy(got)), _leaves(to_numpy(want))
    if len(g) != len(w):
        return f"{len(g)} leaves, expected {len(w)}"
    for a, b in zip(g, w):
        if a.shape != b.shape:
            return f"shape {a.shape}, expected {b.shape}"
        if not np.allclose(a, b, rtol=rtol, atol=atol):
            err = np.max(np.abs(a - b) / (atol + rtol * np.abs(b)))
            return f"mismatch ({err:.1f}x tolerance)"
    return ""


@dataclass
class Result:
    workload: str
    label: str
    impl: str
    metric: str
    samples: list[float]
    error: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    def as_dict(self) -> dict:
        return {"workload": self.workload, "case": self.label, "impl": self.impl,
                "metric": self.metric, "median": self.median,
                "min": min(self.samples) if self.samples else None,
                "max": max(self.samples) if self.samples else None,
                "samples": self.samples, "error": self.error}


def _peak(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        out = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2 ** 20, out


def run_case(case: Case, repeats: int, budget_s: float, progress: Callable[[str], None]
             ) -> list[Result]:
    """Time every implementation of ``case``: one warm-up (checked against hand NumPy), then
    rounds that call each implementation once in turn, until ``repeats`` rounds or the time
    budget is spent. ``progress`` gets a line after each round, and ``""`` at the end."""
    names = list(case.impls)
    results = {n: Result(case.workload, case.label, n, case.metric, []) for n in names}
    reps = case.repeats or repeats
    want = None
    if "numpy" in case.impls and case.metric != "first":
        want = case.impls["numpy"]()
    number = dict.fromkeys(names, 1)
    for n in names:
        if case.metric == "peak":  # steady state: compiled (and fused C swapped in)
            try:
                case.impls[n]()
                settle()
            except Exception as e:  # noqa: BLE001
                results[n].error = f"{type(e).__name__}: {e}"[:120]
        if case.metric == "time":
            try:
                out = case.impls[n]()
                settle()  # ftrans.jit's fused C kernels compile in the background
                t0 = time.perf_counter()  # a second call: the first may have compiled
                out = case.impls[n]()
                t1 = time.perf_counter() - t0
                number[n] = max(1, min(2000, int(0.01 / max(t1, 1e-7))))
            except Exception as e:  # noqa: BLE001 - report a failing peer, keep going
                results[n].error = f"{type(e).__name__}: {e}"[:120]
                continue
            if want is not None and n != "numpy":
                results[n].error = check(out, want, case.rtol, case.atol)
            del out
    start = time.perf_counter()
    for r in range(reps):
        for n in names:
            res = results[n]
            if res.error and not res.samples and case.metric == "time":
                continue
            try:
                if case.metric == "peak":
                    mib, out = _peak(case.impls[n])
                    res.samples.append(mib)
                    if want is not None and n != "numpy" and not res.error:
                        res.error = check(out, want, case.rtol, case.atol)
                    del out
                else:
                    fn, k = case.impls[n], number[n]
                    t0 = time.perf_counter()
                    for _ in range(k):  # fast calls are timed in batches of >= 10 ms
                        fn()
                    res.samples.append((time.perf_counter() - t0) / k)
                    if case.metric == "first":
                        settle()  # untimed: background compiles must not slow the next
            except Exception as e:  # noqa: BLE001
                res.error = f"{type(e).__name__}: {e}"[:120]
        progress(f"{case.workload} {case.label}: round {r + 1}/{reps}")
        if time.perf_counter() - start > (case.budget_s or budget_s) and r >= 2:
            break
    progress("")
    return [results[n] for n in names]


def settle() -> None:
    """Wait for ``ftrans.jit``'s background compiles (fused C kernels), if any started."""
    cfuse = sys.modules.get("ftrans.backends.cfuse")
    if cfuse is not None:
        cfuse.wait()


class Progress:
    """Progress on stderr, one line per case rewritten after each round: the workload's place
    in the run, the case, the round and the time since the run started.

    >>> import io
    >>> p = Progress(2, stream=io.StringIO())
    >>> p.next_workload(); p("W1 tutorial grad (scalar): round 1/5"); p("")
    >>> p.stream.getvalue()  # doctest: +ELLIPSIS
    '\\r  [workload 1/2, ... s] W1 tutorial grad (scalar): round 1/5\\n'
    """

    def __init__(self, total: int, stream: TextIO | None = None):
        self.total = total
        self.k = 0
        self.t0 = time.perf_counter()
        self.stream = sys.stderr if stream is None else stream
        self._width = 0

    def next_workload(self) -> None:
        self.k += 1

    def __call__(self, msg: str) -> None:
        if not msg:
            self.stream.write("\n")
            self._width = 0
        else:
            line = (f"  [workload {self.k}/{self.total}, {time.perf_counter() - self.t0:.0f} s] "
                    f"{msg}")
            self.stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
        self.stream.flush()
