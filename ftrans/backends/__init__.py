"""Backends: the array module that runs primitives (NumPy, or CuPy on CUDA GPUs).

CuPy is imported only when a CuPy array is seen or the GPU backend is asked for, so
``import ftrans`` stays fast and works where CuPy is not installed.
"""

from __future__ import annotations

from typing import Any

_cupy: Any = None


class BackendUnavailableError(RuntimeError):
    """The requested backend cannot run here (CuPy missing, no CUDA device or driver)."""


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
    from ..core import eval_jaxpr

    def run(consts: Any, args: Any) -> list:
        return eval_jaxpr(jaxpr, consts, *args)
    return run
