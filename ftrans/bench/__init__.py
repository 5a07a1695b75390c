"""The benchmark suite: ``python -m ftrans.bench [--quick] [--only W1,W4] [--json F]
[--plot F.png] [--threads N] [--backend cupy]``.

Workloads W1–W10 and W13 (``workloads.py``) run for ftrans (eager and jit) and, when installed, JAX
(eager and jit), torch.func and autograd, next to a hand-written NumPy derivative that every
result is checked against. Implementations are interleaved round by round so machine load
hits all of them alike; the table gives medians, min–max, and ratios to NumPy and JAX jit.
Peers are optional: ``pip install 'ftrans[bench]'``.
"""

from __future__ import annotations

from .runner import Result, run_case
from .workloads import WORKLOADS, Case, Config

__all__ = ["WORKLOADS", "Case", "Config", "Result", "run_case"]
