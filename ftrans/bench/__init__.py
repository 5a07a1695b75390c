"""The benchmark suite: ``python -m ftrans.bench [--quick] [--only W1,W4] [--json F]
[--plot F.png] [--threads N] [--backend cupy]``.

Workloads W1–W9 and W13 (``workloads.py``), W10 (``cluster.py``), W11 (``loops.py``) and
W12 (``solvers.py``) run for ftrans (eager and jit) and, when installed, JAX (eager and jit),
torch.func and autograd, next to a hand-written NumPy derivative that every result is checked
against. Implementations are interleaved round by round so machine load hits all of them
alike; the table gives medians, min–max, and ratios to NumPy and JAX jit.
Peers are optional: ``pip install 'ftrans[bench]'``.
"""

from __future__ import annotations

from .loops import w11
from .runner import Result, run_case
from .solvers import w12
from .workloads import WORKLOADS, Case, Config

WORKLOADS["W11"] = w11
WORKLOADS.setdefault("W12", w12)  # solvers.py builds on workloads.py, so it registers here

__all__ = ["WORKLOADS", "Case", "Config", "Result", "run_case"]
