"""ftrans derivatives as ``jac=`` of ``scipy.optimize.minimize``: the 10-D Rosenbrock function
by BFGS from zeros, with SciPy's hand-written ``rosen_der``, an eager ``grad``, ``jit(grad)``,
``jit(value_and_grad)`` with ``jac=True``, and no ``jac`` (finite differences). Runs are
interleaved round by round; every run must reach the minimum.

    python examples/scipy_optimize.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import ftrans
import ftrans.numpy as fnp


def rosen(x):
    return fnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    try:
        import scipy.optimize as so
    except ImportError:
        raise SystemExit("this example needs SciPy: pip install scipy")
    x0 = np.zeros(10)
    configs = {
        "hand-written rosen_der": dict(fun=so.rosen, jac=so.rosen_der),
        "grad(f), eager": dict(fun=so.rosen, jac=ftrans.grad(rosen)),
        "jit(grad(f))": dict(fun=so.rosen, jac=ftrans.jit(ftrans.grad(rosen))),
        "jit(value_and_grad(f)), jac=True": dict(
            fun=ftrans.jit(ftrans.value_and_grad(rosen)), jac=True),
        "no jac (finite differences)": dict(fun=so.rosen),
    }
    for cfg in configs.values():  # warm-up: jit traces and compiles on its first calls
        so.minimize(x0=x0, method="BFGS", **cfg)
    times: dict[str, list[float]] = {k: [] for k in configs}
    for _ in range(args.rounds):
        for name, cfg in configs.items():
            t0 = time.perf_counter()
            res = so.minimize(x0=x0, method="BFGS", **cfg)
            times[name].append(time.perf_counter() - t0)
            assert np.allclose(res.x, 1.0, atol=1e-4), (name, res.x)
    ref = so.minimize(so.rosen, x0, jac=so.rosen_der, method="BFGS")
    print(f"10-D Rosenbrock, BFGS from zeros: {ref.nit} steps, {ref.njev} gradients; "
          f"{args.rounds} rounds")
    base = times["hand-written rosen_der"]
    print(f"{'jac':<34} {'median':>9} {'best':>9} {'/hand (median, best)':>22}")
    for name, ts in times.items():
        m, b = statistics.median(ts), min(ts)
        print(f"{name:<34} {m * 1e3:6.1f} ms {b * 1e3:6.1f} ms "
              f"{m / statistics.median(base):10.2f} {b / min(base):10.2f}")


if __name__ == "__main__":
    main()
