"""Time ``ftrans.random.normal`` on 10**6 float64 numbers beside NumPy's
``default_rng().standard_normal`` and ``jax.random.normal`` (eager and jit, float64 with
``jax_enable_x64``; skipped when JAX is not installed). Runs are interleaved; the median and
the minimum of ``--repeat`` runs are printed, in milliseconds.

    python examples/random_benchmark.py [--n 1000000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import ftrans
import ftrans.random as fr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10 ** 6)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    n = args.n
    key = fr.PRNGKey(0)
    rng = np.random.default_rng(0)
    jitted = ftrans.jit(lambda k: fr.normal(k, (n,)))
    cases = {
        "numpy default_rng().standard_normal": lambda: rng.standard_normal(n),
        "ftrans.random.normal (eager)": lambda: fr.normal(key, (n,)),
        "ftrans.random.normal (jit)": lambda: jitted(key),
    }
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        jkey = jax.random.PRNGKey(0)
        jjit = jax.jit(lambda k: jax.random.normal(k, (n,)))
        cases["jax.random.normal (eager)"] = \
            lambda: jax.random.normal(jkey, (n,)).block_until_ready()
        cases["jax.random.normal (jit)"] = lambda: jjit(jkey).block_until_ready()
        np.testing.assert_allclose(np.asarray(jjit(jkey)), jitted(key), rtol=1e-10,
                                   atol=1e-10)  # the same numbers (erfinv: 1e-11)
    except ImportError:
        print("(JAX not installed: its rows are skipped)")
    for f in cases.values():  # warm up: compile, fill caches
        f()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.repeat):
        for name, f in cases.items():
            t0 = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t0)
    print(f"{n} float64 standard normals: median / min of {args.repeat} runs")
    base = statistics.median(times["numpy default_rng().standard_normal"])
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:40s} {1e3 * med:8.2f} ms  {1e3 * min(ts):8.2f} ms  "
              f"{med / base:5.2f}x NumPy")


if __name__ == "__main__":
    main()
