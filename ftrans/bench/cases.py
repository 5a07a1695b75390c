"""What a workload returns: ``Config`` (the run's settings) and ``Case`` (one measured
computation: each implementation a zero-argument callable), shared by ``workloads.py``,
``cluster.py`` (W10) and the runner.

>>> Case("W0", "nothing", {"numpy": lambda: 0}).metric
'time'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .peers import Peers


@dataclass
class Config:
    quick: bool = False
    peers: Peers | None = None
    backend: str = ""  # ftrans.jit's backend; "" is its default (NumPy code + fused C)
    cfuse: bool = False  # fused C kernels work here: also run the NumPy-only jit ("jit.numpy")
    to_device: Callable[[Any], Any] = staticmethod(lambda x: x)  # type: ignore[assignment]


@dataclass
class Case:
    workload: str
    label: str
    impls: dict[str, Callable[[], Any]]
    metric: str = "time"
    rtol: float = 1e-6
    atol: float = 1e-9
    repeats: int | None = None
    budget_s: float | None = None  # seconds of rounds before stopping early (runner's default)
    notes: dict[str, str] = field(default_factory=dict)
    # called once the case has run, with each implementation's Result (runner.py): summary
    # lines (and the place to release what the case holds, such as a cluster)
    finish: Callable[[dict[str, Any]], list[str]] | None = None


__all__ = ["Case", "Config"]
