"""Backends: the array module that runs primitives (NumPy, or CuPy on CUDA GPUs).

The compile interface, shared by every backend: ``compile_jaxpr(jaxpr, backend)`` returns
``run(consts, args) -> outs``, where ``consts`` are the values of ``jaxpr.constvars`` and
``args`` of ``jaxpr.invars`` (lists, in order) and ``outs`` is the list of output values.
``run`` must not mutate ``consts`` or ``args``, and the caller owns ``outs``: none is an
argument, a constant or another output, nor a view of one (``owned.plan``/``owned.apply``).
A backend module provides one function ``compile_<name>(jaxpr) -> run``
(``numpy_backend.compile_numpy``, ``cupy_backend.compile_cupy``); ``"interpret"`` evaluates
the jaxpr equation by equation.

Which array module computes (NumPy, or CuPy once a CuPy array is seen or the GPU backend is
asked for) is decided in ``ftrans.xp``, which every layer reads.
"""

from __future__ import annotations

from typing import Any

from ..xp import (  # noqa: F401  (ftrans.backends' names since before ftrans.xp)
    BackendUnavailableError,
    cupy_module,
    default_is_gpu,
)
from .errors import KernelCompileError  # noqa: F401


def compile_jaxpr(jaxpr: Any, backend: str = "numpy") -> Any:
    """An executable ``run(consts, args) -> outs`` for ``jaxpr`` on ``backend``.

    ``"numpy"`` generates straight-line Python (``backends/numpy_backend.py``); ``"numpy+c"``
    also fuses elementwise runs into C kernels (``backends/cfuse.py``), compiled now;
    ``"auto"`` (``jit``'s default on the CPU) runs the NumPy code until the kernels are
    compiled in a background thread, then the fused code; ``"cupy"``
    fused CUDA kernels (``backends/cupy_backend.py``); ``"interpret"`` binds each equation.

    >>> import ftrans, numpy as np
    >>> cj = ftrans.make_jaxpr(lambda x: x * 2.0)(np.ones(2))
    >>> compile_jaxpr(cj.jaxpr, "numpy")(cj.consts, [np.ones(2)])
    [array([2., 2.])]
    """
    if backend == "cupy":
        from .cupy_backend import compile_cupy
        return compile_cupy(jaxpr)
    from ..core import eval_jaxpr
    if backend in ("numpy", "numpy+c", "auto"):
        from .numpy_backend import compile_numpy
        return compile_numpy(jaxpr, fuse={"numpy": False, "numpy+c": True}.get(backend,
                                                                                "background"))
    if backend == "cupy":
        from .cupy_backend import compile_cupy  # type: ignore[import-not-found]
        return compile_cupy(jaxpr)
    if backend != "interpret":
        raise ValueError(f"compile_jaxpr: unknown backend {backend!r}; expected 'numpy', "
                         "'numpy+c', 'auto', 'cupy' or 'interpret'")

    from .owned import apply, plan
    steps = plan(jaxpr)

    def run(consts: Any, args: Any) -> list:
        return apply(steps, eval_jaxpr(jaxpr, consts, *args), consts, args)
    return run
