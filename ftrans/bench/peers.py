"""The libraries compared, each imported only if installed, with the same small array API.

Every model in ``workloads.py`` is written once against a namespace ``m`` offering
``sin cos tanh exp log log1p sum mean`` (``axis=``); ``ftrans.numpy``, ``autograd.numpy`` and
``jax.numpy`` provide it directly, ``TorchNS`` adapts ``torch``.
"""

from __future__ import annotations

import importlib
from typing import Any


def try_import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - a broken optional install is just "not installed"
        return None


class TorchNS:
    """``torch`` with NumPy's reduction keywords."""

    def __init__(self, torch: Any):
        self.t = torch
        for name in ("sin", "cos", "tanh", "exp", "log", "log1p"):
            setattr(self, name, getattr(torch, name))

    def sum(self, x: Any, axis: Any = None) -> Any:
        return self.t.sum(x) if axis is None else self.t.sum(x, dim=axis)

    def mean(self, x: Any, axis: Any = None) -> Any:
        return self.t.mean(x) if axis is None else self.t.mean(x, dim=axis)


class Peers:
    """The installed peers: ``jax`` (x64 enabled), ``torch``, ``autograd``, ``cupy``."""

    def __init__(self, threads: int | None = None, want: set[str] | None = None):
        def get(name: str) -> Any:
            return try_import(name) if want is None or name in want else None
        self.jax = get("jax")
        if self.jax is not None:
            self.jax.config.update("jax_enable_x64", True)
            self.jnp = importlib.import_module("jax.numpy")
        self.torch = get("torch")
        if self.torch is not None:
            if threads:
                self.torch.set_num_threads(threads)
            self.tfunc = importlib.import_module("torch.func")
            self.tns = TorchNS(self.torch)
        self.autograd = get("autograd")
        if self.autograd is not None:
            self.anp = importlib.import_module("autograd.numpy")

    def names(self) -> list[str]:
        return [n for n in ("jax", "torch", "autograd") if getattr(self, n) is not None]

    def versions(self) -> dict[str, str]:
        return {n: getattr(getattr(self, n), "__version__", "?") for n in self.names()}
