"""GPU benchmarks: ftrans's fused CuPy kernels against JAX and PyTorch on the same GPU.

Workloads (each in float32 and float64):

- ``tutorial_grad``: the gradient of sum(f(x1, x2)) for the tutorial's
  f = (sin(x1/x2) + x1/x2 - e^x2)(x1/x2 - e^x2) over n elements (10⁸ by default). ftrans
  compiles the whole derivative program into one kernel; the achieved bandwidth (inputs read
  plus gradients written, the least traffic possible) is compared with the device's peak and
  with a measured device-to-device copy. ftrans eager (one CuPy call per primitive) shows what
  fusion saves.
- ``mlp_grad``: the gradient of a two-layer tanh MLP's mean squared error with respect to its
  weights (cuBLAS matmuls, fused elementwise kernels between them).
- ``jacobian``: jacrev of x -> tanh(W x) * x, R^n -> R^n (a batched reverse pass).

``python -m ftrans.bench_gpu [--quick] [--json FILE] [--no-peers]`` prints a table and
writes JSON; ``run_gpu_benchmarks(...)`` returns the same records, for ``ftrans.bench``.
Times are medians of repeated calls after warm-up, with the device synchronized.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import time
from typing import Any, Callable

import numpy as np

# ----------------------------------------------------------------------------- timing


def _median_ms(fn: Callable[[], Any], sync: Callable[[], None], repeat: int,
               warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times))


_KNOWN_PEAK_GBS = {"H200": 4800.0, "H100 SXM": 3350.0, "H100 PCIe": 2000.0, "H100": 3350.0,
                   "A100-SXM4-80GB": 2039.0, "A100": 1555.0, "L40S": 864.0, "L4": 300.0,
                   "T4": 320.0, "V100": 900.0, "RTX 4090": 1008.0}


def device_info(cp: Any) -> dict[str, Any]:
    """The GPU's name and peak memory bandwidth (from its memory clock and bus width, or
    a table of known parts), and a measured device-to-device copy bandwidth.

    >>> import cupy  # doctest: +SKIP
    >>> device_info(cupy)["name"]  # doctest: +SKIP
    'NVIDIA H200'
    """
    rt = cp.cuda.runtime
    props = rt.getDeviceProperties(cp.cuda.Device().id)
    name = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
    peak = None
    try:
        clock_khz = props.get("memoryClockRate") or rt.deviceGetAttribute(36, 0)
        bus_bits = props.get("memoryBusWidth") or rt.deviceGetAttribute(37, 0)
        if clock_khz and bus_bits:
            peak = 2 * clock_khz * 1e3 * bus_bits / 8 / 1e9
    except Exception:
        peak = None
    if not peak:
        peak = next((v for k, v in _KNOWN_PEAK_GBS.items() if k in name), None)
    return {"name": name, "peak_gbs": peak, "copy_gbs": _copy_gbs(cp),
            "memory_gib": props["totalGlobalMem"] / 2 ** 30}


def _copy_gbs(cp: Any, nbytes: int = 1 << 30) -> float:
    """Measured device-to-device copy bandwidth (bytes read plus written per second)."""
    a = cp.ones(nbytes // 8, cp.float64)
    b = cp.empty_like(a)
    ms = _median_ms(lambda: cp.copyto(b, a), cp.cuda.Device().synchronize, 10)
    return 2 * a.nbytes / (ms * 1e-3) / 1e9


# ----------------------------------------------------------------------------- ftrans

def _tutorial(fnp: Any) -> Callable:
    def f(x1: Any, x2: Any) -> Any:
        v1 = x1 / x2
        return (fnp.sin(v1) + v1 - fnp.exp(x2)) * (v1 - fnp.exp(x2))
    return f


def _compiled(fun: Callable, args: tuple) -> tuple[Callable[[], Any], Any]:
    """ftrans's compiled program for ``fun(*args)`` on the GPU: a thunk and its plan."""
    import ftrans
    from ftrans.backends import compile_jaxpr
    cj = ftrans.make_jaxpr(fun)(*args)
    run = compile_jaxpr(cj.jaxpr, "cupy")
    run(cj.consts, list(args))
    return (lambda: run(cj.consts, list(args))), run.plan


def _peers(wanted: bool) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if not wanted:
        return found
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        # FTRANS_BENCH_CPU_PEERS=1: JAX on the CPU too (the tests' emulated-GPU smoke run)
        if os.environ.get("FTRANS_BENCH_CPU_PEERS") == "1" or jax.devices("gpu"):
            found["jax"] = jax
    except Exception:
        pass
    try:
        import torch
        if torch.cuda.is_available():
            found["torch"] = torch
    except Exception:
        pass
    return found


def _free(cp: Any, peers: dict[str, Any]) -> None:
    import gc
    gc.collect()
    cp.get_default_memory_pool().free_all_blocks()
    if "torch" in peers:
        peers["torch"].cuda.empty_cache()


# ----------------------------------------------------------------------------- workloads

def _bench_tutorial(cp: Any, n: int, dtype: Any, peers: dict[str, Any], repeat: int,
                   dev: dict[str, Any]) -> list[dict[str, Any]]:
    import ftrans
    import ftrans.numpy as fnp
    f = _tutorial(fnp)
    loss = lambda a, b: fnp.sum(f(a, b))  # noqa: E731
    rng = cp.random.default_rng(0)
    x1 = (rng.random(n, dtype=cp.float64) * 1.5 + 0.5).astype(dtype)
    x2 = (rng.random(n, dtype=cp.float64) * 1.5 + 0.5).astype(dtype)
    sync = cp.cuda.Device().synchronize
    grad = ftrans.grad(loss, argnums=(0, 1))
    thunk, plan = _compiled(grad, (x1, x2))
    moved = 4 * x1.nbytes  # read x1, x2; write both gradients
    recs = []

    def rec(impl: str, ms: float, extra: dict | None = None) -> None:
        gbs = moved / (ms * 1e-3) / 1e9
        r = {"workload": "tutorial_grad", "impl": impl, "dtype": np.dtype(dtype).name,
             "n": n, "ms": ms, "gbs": gbs,
             "pct_peak": 100 * gbs / dev["peak_gbs"] if dev.get("peak_gbs") else None,
             "pct_copy": 100 * gbs / dev["copy_gbs"]}
        r.update(extra or {})
        recs.append(r)

    ms = _median_ms(thunk, sync, repeat)
    rec("ftrans jit (fused)", ms, {"kernels": len(plan.groups),
                                   "other_steps": len(plan.steps) - len(plan.groups)})
    ref = [cp.asnumpy(g[:1000]) for g in thunk()]
    rec("ftrans eager", _median_ms(lambda: grad(x1, x2), sync, max(3, repeat // 3), 1))
    _free(cp, peers)
    if "jax" in peers:
        jax, jnp = peers["jax"], peers["jax"].numpy
        jf = jax.jit(jax.grad(lambda a, b: jnp.sum(_tutorial(jnp)(a, b)), argnums=(0, 1)))
        j1, j2 = jnp.asarray(cp.asnumpy(x1)), jnp.asarray(cp.asnumpy(x2))
        out = jf(j1, j2)
        np.testing.assert_allclose(np.asarray(out[0][:1000]), ref[0], rtol=1e-4)
        rec("jax jit", _median_ms(lambda: jax.block_until_ready(jf(j1, j2)), lambda: None,
                                  repeat))
        del j1, j2, out
    if "torch" in peers:
        torch = peers["torch"]
        t1 = torch.as_tensor(x1, device="cuda").clone().requires_grad_(True)
        t2 = torch.as_tensor(x2, device="cuda").clone().requires_grad_(True)
        tf = _tutorial(torch)

        def step() -> Any:
            t1.grad = t2.grad = None
            torch.sum(tf(t1, t2)).backward()
            return t1.grad
        step()
        np.testing.assert_allclose(t1.grad[:1000].cpu().numpy(), ref[0], rtol=1e-4)
        rec("torch eager autograd", _median_ms(step, torch.cuda.synchronize, repeat))
        del t1, t2
    _free(cp, peers)
    return recs


def _bench_mlp(cp: Any, batch: int, width: int, dtype: Any, peers: dict[str, Any],
              repeat: int) -> list[dict[str, Any]]:
    import ftrans
    import ftrans.numpy as fnp
    rng = np.random.default_rng(0)
    d_in, d_out = width, 16
    host = [rng.standard_normal(s).astype(dtype) * 0.05
            for s in [(d_in, width), (width,), (width, d_out), (d_out,)]]
    x = rng.standard_normal((batch, d_in)).astype(dtype)
    y = rng.standard_normal((batch, d_out)).astype(dtype)

    def loss(w1: Any, b1: Any, w2: Any, b2: Any, x: Any, y: Any, xp: Any = fnp) -> Any:
        h = xp.tanh(xp.matmul(x, w1) + b1)
        d = xp.matmul(h, w2) + b2 - y
        return xp.mean(d * d)

    w1, b1, w2, b2 = (cp.asarray(p) for p in host)
    xs, ys = cp.asarray(x), cp.asarray(y)
    grad = ftrans.grad(loss, argnums=(0, 1, 2, 3))
    thunk, plan = _compiled(grad, (w1, b1, w2, b2, xs, ys))
    sync = cp.cuda.Device().synchronize
    flops = 3 * 2 * batch * (d_in * width + width * d_out)
    recs = []

    def rec(impl: str, ms: float, extra: dict | None = None) -> None:
        r = {"workload": "mlp_grad", "impl": impl, "dtype": np.dtype(dtype).name,
             "n": f"{batch}x{d_in}x{width}x{d_out}", "ms": ms,
             "tflops": flops / (ms * 1e-3) / 1e12}
        r.update(extra or {})
        recs.append(r)

    rec("ftrans jit", _median_ms(thunk, sync, repeat),
        {"kernels": len(plan.groups), "other_steps": len(plan.steps) - len(plan.groups)})
    rec("ftrans eager", _median_ms(lambda: grad(w1, b1, w2, b2, xs, ys), sync, repeat))
    if "jax" in peers:
        jax, jnp = peers["jax"], peers["jax"].numpy
        jf = jax.jit(jax.grad(functools.partial(loss, xp=jnp), argnums=(0, 1, 2, 3)))
        ja = [jnp.asarray(a) for a in (*host, x, y)]
        rec("jax jit", _median_ms(lambda: jax.block_until_ready(jf(*ja)), lambda: None,
                                  repeat))
    if "torch" in peers:
        torch = peers["torch"]
        tp = [torch.as_tensor(p, device="cuda").requires_grad_(True) for p in host]
        tw1, tb1, tw2, tb2 = tp
        tx, ty = torch.as_tensor(x, device="cuda"), torch.as_tensor(y, device="cuda")

        def step() -> None:
            for p in tp:
                p.grad = None
            loss(tw1, tb1, tw2, tb2, tx, ty, xp=torch).backward()
        rec("torch eager autograd", _median_ms(step, torch.cuda.synchronize, repeat))
    _free(cp, peers)
    return recs


def _bench_jacobian(cp: Any, n: int, dtype: Any, peers: dict[str, Any], repeat: int
                   ) -> list[dict[str, Any]]:
    import ftrans
    import ftrans.numpy as fnp
    rng = np.random.default_rng(1)
    w = (rng.standard_normal((n, n)) / np.sqrt(n)).astype(dtype)
    x = rng.standard_normal(n).astype(dtype)
    wd, xd = cp.asarray(w), cp.asarray(x)

    def f(v: Any, xp: Any = fnp, w: Any = wd) -> Any:
        return xp.tanh(xp.matmul(w, v)) * v

    jac = ftrans.jacrev(f)
    thunk, plan = _compiled(jac, (xd,))
    sync = cp.cuda.Device().synchronize
    recs = []

    def rec(impl: str, ms: float, extra: dict | None = None) -> None:
        r = {"workload": "jacobian", "impl": impl, "dtype": np.dtype(dtype).name,
             "n": f"{n}x{n}", "ms": ms}
        r.update(extra or {})
        recs.append(r)

    rec("ftrans jit jacrev", _median_ms(thunk, sync, repeat),
        {"kernels": len(plan.groups), "other_steps": len(plan.steps) - len(plan.groups)})
    rec("ftrans eager jacrev", _median_ms(lambda: jac(xd), sync, repeat))
    if "jax" in peers:
        jax, jnp = peers["jax"], peers["jax"].numpy
        wj = jnp.asarray(w)
        jf = jax.jit(jax.jacrev(lambda v: f(v, jnp, wj)))
        xj = jnp.asarray(x)
        rec("jax jit jacrev", _median_ms(lambda: jax.block_until_ready(jf(xj)), lambda: None,
                                         repeat))
    if "torch" in peers:
        torch = peers["torch"]
        wt, xt = torch.as_tensor(w, device="cuda"), torch.as_tensor(x, device="cuda")
        tj = torch.func.jacrev(lambda v: f(v, torch, wt))
        rec("torch.func jacrev", _median_ms(lambda: tj(xt), torch.cuda.synchronize, repeat))
    _free(cp, peers)
    return recs


# ----------------------------------------------------------------------------- driver

def run_gpu_benchmarks(quick: bool = False, peers: bool = True,
                       dtypes: tuple[str, ...] = ("float32", "float64")) -> dict[str, Any]:
    """Run every GPU workload; return ``{"device": ..., "results": [records]}``.

    Raises ``ftrans.BackendUnavailableError`` where no CUDA GPU can be used.

    >>> report = run_gpu_benchmarks(quick=True, peers=False)  # doctest: +SKIP
    >>> sorted({r["workload"] for r in report["results"]})  # doctest: +SKIP
    ['jacobian', 'mlp_grad', 'tutorial_grad']
    """
    from .device import require_gpu
    cp = require_gpu()
    dev = device_info(cp)
    found = _peers(peers)
    n = 10 ** 6 if quick else 10 ** 8
    repeat = 5 if quick else 20
    results: list[dict[str, Any]] = []
    for dt in dtypes:
        dtype = np.dtype(dt)
        results += _bench_tutorial(cp, n, dtype, found, repeat, dev)
        results += _bench_mlp(cp, 512 if quick else 4096, 256 if quick else 1024, dtype, found,
                             repeat)
        results += _bench_jacobian(cp, 128 if quick else 1024, dtype, found, repeat)
    return {"device": dev, "peers": sorted(found), "quick": quick, "results": results}


def format_table(report: dict[str, Any]) -> str:
    """The records as a text table.

    >>> rep = {"device": {"name": "GPU", "peak_gbs": 1000.0, "copy_gbs": 900.0}, "peers": [],
    ...        "results": [{"workload": "tutorial_grad", "dtype": "float32", "n": 10,
    ...                     "impl": "ftrans jit (fused)", "ms": 1.0, "gbs": 800.0,
    ...                     "pct_peak": 80.0, "pct_copy": 88.9}]}
    >>> print(format_table(rep).splitlines()[-1].split("  ")[-1])
    800 GB/s, 80% of peak, 89% of copy
    """
    dev = report["device"]
    peak = f"{dev['peak_gbs']:.0f} GB/s" if dev.get("peak_gbs") else "unknown"
    lines = [f"device: {dev['name']}, peak memory bandwidth {peak}, measured copy "
             f"{dev['copy_gbs']:.0f} GB/s; peers: {', '.join(report['peers']) or 'none'}",
             f"{'workload':<14} {'dtype':<8} {'size':<22} {'implementation':<22} "
             f"{'ms':>9}  notes"]
    for r in report["results"]:
        notes = []
        if r.get("gbs") is not None:
            pct = f", {r['pct_peak']:.0f}% of peak" if r.get("pct_peak") else ""
            notes.append(f"{r['gbs']:.0f} GB/s{pct}, {r['pct_copy']:.0f}% of copy")
        if r.get("tflops") is not None:
            notes.append(f"{r['tflops']:.1f} TFLOP/s")
        if r.get("kernels") is not None:
            notes.append(f"{r['kernels']} fused kernel(s) + {r['other_steps']} other step(s)")
        lines.append(f"{r['workload']:<14} {r['dtype']:<8} {str(r['n']):<22} "
                     f"{r['impl']:<22} {r['ms']:>9.3f}  {'; '.join(notes)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m ftrans.bench_gpu [--quick] [--json FILE] [--no-peers]``.

    >>> main(["--quick", "--json", "gpu.json"])  # doctest: +SKIP
    0
    """
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    p.add_argument("--json", help="write the results to this JSON file")
    p.add_argument("--no-peers", action="store_true", help="skip JAX and PyTorch")
    p.add_argument("--dtype", action="append", choices=["float32", "float64"],
                   help="only these dtypes (repeatable)")
    args = p.parse_args(argv)
    report = run_gpu_benchmarks(args.quick, not args.no_peers,
                                tuple(args.dtype or ("float32", "float64")))
    print(format_table(report))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
