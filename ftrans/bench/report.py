"""The results table, JSON and a bar chart."""

from __future__ import annotations

import json
from typing import Any, Sequence

from .runner import Result


def fmt(value: float, metric: str) -> str:
    if value != value:  # nan
        return "-"
    if metric == "peak":
        return f"{value:.0f} MiB"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if value >= scale or unit == "us":
            return f"{value / scale:.3g} {unit}"
    return str(value)


def table(results: Sequence[Result]) -> str:
    """One block per case: implementation, median, min–max, ratio to hand NumPy and, when JAX
    ran, to JAX jit (<1 means faster / smaller). Without JAX there is no JAX column."""
    with_jax = any(r.impl == "jax.jit" and r.samples for r in results)
    lines = [f"{'workload':<8} {'case':<38} {'impl':<12} {'median':>10} {'min-max':>21} "
             f"{'/numpy':>7}" + (f" {'/jax.jit':>8}" if with_jax else "") + "  note"]
    cases: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        cases.setdefault((r.workload, r.label), []).append(r)
    for (w, label), rs in cases.items():
        base = {r.impl: r.median for r in rs if r.samples}
        for r in rs:
            m = r.median
            rng = f"{fmt(min(r.samples), r.metric)}-{fmt(max(r.samples), r.metric)}" \
                if r.samples else "-"
            rn = f"{m / base['numpy']:.2f}" if "numpy" in base and r.samples else "-"
            rj = f"{m / base['jax.jit']:.2f}" if "jax.jit" in base and r.samples else "-"
            lines.append(f"{w:<8} {label[:38]:<38} {r.impl:<12} {fmt(m, r.metric):>10} "
                         f"{rng:>21} {rn:>7}" + (f" {rj:>8}" if with_jax else "")
                         + f"  {r.error}")
        lines.append("")
    return "\n".join(lines)


def write_json(path: str, results: Sequence[Result], meta: dict[str, Any]) -> None:
    with open(path, "w") as f:
        json.dump({"meta": meta, "results": [r.as_dict() for r in results]}, f, indent=1)


def plot(path: str, results: Sequence[Result]) -> None:
    """Bars of each case's medians relative to hand NumPy (log scale); needs matplotlib."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    cases: dict[str, dict[str, float]] = {}
    for r in results:
        if r.samples:
            cases.setdefault(f"{r.workload} {r.label}", {})[r.impl] = r.median
    impls = sorted({i for c in cases.values() for i in c if i != "numpy"})
    fig, ax = plt.subplots(figsize=(max(8, len(cases) * 0.9), 5))
    width = 0.8 / max(len(impls), 1)
    for j, impl in enumerate(impls):
        xs, ys = [], []
        for i, c in enumerate(cases.values()):
            if impl in c and c.get("numpy"):
                xs.append(i + j * width)
                ys.append(c[impl] / c["numpy"])
        ax.bar(xs, ys, width, label=impl)
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_yscale("log")
    ax.set_ylabel("median / hand-written NumPy")
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(cases))])
    ax.set_xticklabels(list(cases), rotation=60, ha="right", fontsize=7)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
