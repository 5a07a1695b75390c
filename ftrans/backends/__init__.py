"""Backends: the array module that runs primitives (NumPy, or CuPy on CUDA GPUs).

CuPy is imported only when a CuPy array is seen or the GPU backend is asked for, so
``import ftrans`` stays fast and works where CuPy is not installed.
"""

from __future__ import annotations

import os
from typing import Any

_cupy: Any = None
_gpu_checked = False  # a CUDA device was seen (ftrans.device.require_gpu)
# the default backend, 'cpu' or 'gpu' (ftrans.default_backend); from FTRANS_BACKEND at first use
_default: list[str | None] = [None]


def default_is_gpu() -> bool:
    """Whether computations on NumPy inputs run on the GPU (``ftrans.default_backend``)."""
    if _default[0] is None:
        name = os.environ.get("FTRANS_BACKEND", "cpu").strip().lower() or "cpu"
        if name not in ("cpu", "numpy", "gpu", "cuda", "cupy"):
            raise ValueError(f"FTRANS_BACKEND must be 'cpu' or 'gpu', got {name!r}")
        _default[0] = "gpu" if name in ("gpu", "cuda", "cupy") else "cpu"
    return _default[0] == "gpu"


class BackendUnavailableError(RuntimeError):
    """The requested backend cannot run here (CuPy missing, no CUDA device or driver)."""


class KernelCompileError(RuntimeError):
    """A generated CUDA kernel failed to compile; the message names its source file."""


def cupy_module() -> Any:
    """The ``cupy`` module, imported on first use; a clear error where it is missing."""
    global _cupy
    if _cupy is None:
        try:
            import cupy
        except ImportError as e:
            raise BackendUnavailableError(
                "the GPU backend needs CuPy: pip install 'ftrans[cuda12]' (or cuda13)") from e
        _cupy = cupy
    return _cupy


def compile_jaxpr(jaxpr: Any, backend: str = "numpy") -> Any:
    """An executable ``run(consts, args) -> outs`` for ``jaxpr`` on ``backend``.

    This default interprets the jaxpr by calling each primitive's impl; backends replace it
    with generated code (``backends/numpy_backend.py``, ``backends/cupy_backend.py``).
    """
    if backend == "cupy":
        from .cupy_backend import compile_cupy
        return compile_cupy(jaxpr)
    from ..core import eval_jaxpr

    def run(consts: Any, args: Any) -> list:
        return eval_jaxpr(jaxpr, consts, *args)
    return run
