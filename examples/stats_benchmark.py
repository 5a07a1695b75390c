"""ftrans.scipy.stats.norm.logpdf on 10^6 elements beside scipy.stats.norm.logpdf, eagerly
and under jit (medians of interleaved rounds, milliseconds), and the special functions'
NumPy-only fallback beside SciPy's ufunc.

    python examples/stats_benchmark.py
"""

from __future__ import annotations

import time

import numpy as np
import scipy.special as sc
import scipy.stats as st

import ftrans
import ftrans.numpy as fnp
import ftrans.prims.special as prims_special
import ftrans.scipy.special as fsp
from ftrans.scipy import stats as fst


def bench(cases: dict, rounds: int = 15) -> dict:
    """Median wall time (ms) of each case, the cases interleaved round by round."""
    for f in cases.values():
        f()  # warm up (jit traces, fused C kernels compile)
    times: dict = {k: [] for k in cases}
    for _ in range(rounds):
        for k, f in cases.items():
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
    return {k: 1e3 * float(np.median(v)) for k, v in times.items()}


def main() -> None:
    x = np.random.default_rng(0).standard_normal(10 ** 6)
    jit_std = ftrans.jit(fst.norm.logpdf)
    jit_loc = ftrans.jit(lambda x: fst.norm.logpdf(x, 0.5, 2.0))
    jit_grad = ftrans.jit(ftrans.grad(lambda x: fnp.sum(fst.norm.logpdf(x, 0.5, 2.0))))
    np.testing.assert_allclose(jit_std(x), st.norm.logpdf(x), rtol=1e-14)
    for _ in range(3):  # let the background compilation of the fused C kernels finish
        jit_std(x), jit_loc(x), jit_grad(x)
        time.sleep(1.0)
    cases = {
        "scipy.stats.norm.logpdf(x)": lambda: st.norm.logpdf(x),
        "ftrans norm.logpdf(x), eager": lambda: fst.norm.logpdf(x),
        "ftrans norm.logpdf(x), jit": lambda: jit_std(x),
        "scipy.stats.norm.logpdf(x, 0.5, 2.0)": lambda: st.norm.logpdf(x, 0.5, 2.0),
        "ftrans norm.logpdf(x, 0.5, 2.0), eager": lambda: fst.norm.logpdf(x, 0.5, 2.0),
        "ftrans norm.logpdf(x, 0.5, 2.0), jit": lambda: jit_loc(x),
        "ftrans grad of sum(norm.logpdf(x, 0.5, 2.0)), jit": lambda: jit_grad(x),
    }
    for k, ms in bench(cases).items():
        print(f"{k:52s} {ms:8.2f} ms")
    p = np.random.default_rng(1).uniform(-0.99, 0.99, 10 ** 6)
    with_scipy = bench({"erfinv": lambda: fsp.erfinv(p), "scipy": lambda: sc.erfinv(p)})
    prims_special._scipy_special = False
    try:
        without = bench({"erfinv": lambda: fsp.erfinv(p)}, rounds=5)
    finally:
        prims_special._scipy_special = None
    print(f"{'scipy.special.erfinv':52s} {with_scipy['scipy']:8.2f} ms")
    print(f"{'ftrans erfinv with SciPy installed':52s} {with_scipy['erfinv']:8.2f} ms")
    print(f"{'ftrans erfinv, NumPy-only fallback':52s} {without['erfinv']:8.2f} ms")


if __name__ == "__main__":
    main()
