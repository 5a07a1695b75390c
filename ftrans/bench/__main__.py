"""Benchmark ftrans's derivatives against a hand-written NumPy derivative of each workload
and, when installed, against JAX (eager and jit), torch.func and autograd. Every result is
checked against the NumPy one; implementations run interleaved, round by round, so machine
load hits them alike. The table gives each one's median, min-max, and ratio to NumPy (and to
JAX jit when JAX is installed): below 1 is faster (or smaller, for memory).

ftrans runs eager ("ftrans"), under jit ("ftrans.jit": NumPy code plus fused C kernels) and,
where fused C works, under jit without them ("jit.numpy"). Peers: pip install 'ftrans[bench]'.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                "XLA_FLAGS", "TF_NUM_INTEROP_THREADS")


def _parse(argv: list[str]) -> argparse.Namespace:
    from .workloads import WORKLOADS, describe
    p = argparse.ArgumentParser(
        prog="python -m ftrans.bench", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="workloads:\n" + "\n".join(f"  {w}  {describe(w)}" for w in WORKLOADS))
    p.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats (<3 min)")
    p.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W4")
    p.add_argument("--json", default="", help="write all samples to this JSON file")
    p.add_argument("--plot", default="",
                   help="write a bar chart to this file, e.g. bench.png (needs matplotlib)")
    p.add_argument("--threads", type=int, default=1,
                   help="threads per pool (BLAS, OpenMP, XLA, torch); 0 leaves them alone")
    p.add_argument("--backend", default="", choices=("", "auto", "numpy", "numpy+c", "cupy"),
                   metavar="{auto,numpy,numpy+c,cupy}",
                   help="ftrans.jit backend (default: jit's own, NumPy code + fused C)")
    p.add_argument("--repeats", type=int, default=0, help="rounds per case (default 5/15)")
    p.add_argument("--no-peers", action="store_true", help="ftrans and NumPy only")
    p.add_argument("--no-c", action="store_true",
                   help="no fused C kernels: ftrans.jit runs its NumPy code only")
    return p.parse_args(argv)


def _pin_threads(n: int, argv: list[str]) -> None:
    """Thread pools are sized at import: re-execute with the variables set if needed."""
    if n <= 0 or os.environ.get("FTRANS_BENCH_THREADS") == str(n):
        return
    env = dict(os.environ, FTRANS_BENCH_THREADS=str(n), OPENBLAS_NUM_THREADS=str(n),
               OMP_NUM_THREADS=str(n), MKL_NUM_THREADS=str(n),
               XLA_FLAGS=(os.environ.get("XLA_FLAGS", "") +
                          " --xla_cpu_multi_thread_eigen=false"
                          f" intra_op_parallelism_threads={n}").strip())
    os.execve(sys.executable, [sys.executable, "-m", "ftrans.bench", *argv], env)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parse(argv)
    _pin_threads(args.threads, argv)

    import numpy as np

    from .peers import Peers
    from .report import plot, table, write_json
    from .runner import Progress, run_case
    from .workloads import WORKLOADS, Config

    only = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    unknown = [w for w in only if w not in WORKLOADS]
    if unknown:
        print(f"--only: unknown workload(s) {unknown}; choose from {list(WORKLOADS)}",
              file=sys.stderr)
        return 2
    if args.plot:  # fail now, not after the whole run
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print(f"--plot {args.plot}: needs matplotlib, which is not installed; "
                  "pip install matplotlib (or 'ftrans[bench]'), or leave out --plot",
                  file=sys.stderr)
            return 2
    peers = None if args.no_peers else Peers(args.threads or None)
    backend = "" if args.backend == "auto" else args.backend
    if args.no_c and backend in ("", "numpy+c"):
        backend = "numpy"
    cfg = Config(quick=args.quick, peers=peers, backend=backend)
    if not backend:
        from ..backends.cfuse import available, background_enabled
        cfg.cfuse = background_enabled() and available()
    if args.backend == "cupy":
        from ..device import device_put
        cfg.to_device = lambda x: device_put(x, "gpu")  # pytrees (W8's list of weights) too
    repeats = args.repeats or (5 if args.quick else 15)
    budget = 8.0 if args.quick else 30.0
    meta = {"python": sys.version.split()[0], "numpy": np.__version__,
            "machine": platform.machine(), "cpus": os.cpu_count(), "threads": args.threads,
            "quick": args.quick, "backend": args.backend,
            "peers": peers.versions() if peers else {},
            "env": {k: os.environ.get(k, "") for k in _THREAD_VARS}}
    print(f"ftrans bench: {meta['peers'] or 'no peers'}; threads={args.threads}; "
          f"{'quick' if args.quick else 'full'}", file=sys.stderr)
    results = []
    summary: list[str] = []
    t0 = time.perf_counter()
    names = only or list(WORKLOADS)
    progress = Progress(len(names))
    for name in names:
        progress.next_workload()
        for case in WORKLOADS[name](cfg):
            done = []
            try:
                done = run_case(case, repeats, budget, progress)
                results.extend(done)
            finally:
                if case.finish is not None:
                    summary += case.finish({r.impl: r for r in done if r.samples})
    print(table(results))
    if summary:
        print("\n".join(summary))
    meta["summary"] = summary
    print(f"total {time.perf_counter() - t0:.0f} s; command: python -m ftrans.bench "
          f"{' '.join(argv)}")
    if args.json:
        write_json(args.json, results, meta)
    if args.plot:
        plot(args.plot, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
