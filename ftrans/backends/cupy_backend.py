"""The CuPy backend: a jaxpr compiled into fused CUDA kernels and CuPy calls.

``compile_jaxpr(jaxpr)`` plans the program (``cuda_codegen.plan_jaxpr``): each group of two
or more elementwise equations of one shape, with its trailing reduction, becomes one
generated kernel; every other equation runs its primitive's impl with CuPy as the array
module, so ``dot_general`` is CuPy's ``matmul``/``tensordot`` on cuBLAS. Kernels are
compiled once through ``cupy.RawModule`` and cached by source (CuPy also keeps the binary
in its on-disk cache). ``FTRANS_DUMP_CUDA=dir`` writes every generated source there (a
private directory: see ``files.dump_text``); the source of a kernel that fails to compile is
written there too, else into a private temporary directory, and the error names the file.

>>> import ftrans, numpy as np
>>> from ftrans.backends.cuda_codegen import plan_jaxpr
>>> cj = ftrans.make_jaxpr(lambda x: np.sin(x) * x + 1.0)(np.ones(4))
>>> plan_jaxpr(cj.jaxpr, min_group=2)
Plan(Group((4,), sin mul add))
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable, Sequence

import numpy as np

from ..device import is_out_of_memory, on_device, out_of_memory, require_gpu
from ..ir import Eqn, Jaxpr
from . import owned
from .cuda_codegen import (
    REDUCE_BLOCK,
    Group,
    elementwise_grid,
    execute,
    plan_jaxpr,
    reduction_grid,
    write_source,
)
from .errors import KernelCompileError
from .files import dump_text, private_temp_dir

BLOCK = 256
COMPILE_OPTIONS = ("-std=c++17",)

_modules: dict[str, Any] = {}  # kernel source -> cupy.RawModule


def dump_dir() -> str | None:
    """``FTRANS_DUMP_CUDA``, where generated sources are written (None when unset).

    >>> dump_dir() is None or isinstance(dump_dir(), str)
    True
    """
    return os.environ.get("FTRANS_DUMP_CUDA") or None


_failed_dir: list[str] = []  # this process's private directory for sources that failed
_failed_lock = threading.Lock()


def _write_failed(source: str, name: str) -> str:
    """Write the source of a kernel that failed to compile where its error message can
    name it: ``FTRANS_DUMP_CUDA`` if set, else a private temporary directory made once per
    process (never a fixed, shared path). Returns the path, or why it was not written."""
    directory = dump_dir()
    if directory:
        path = dump_text("FTRANS_DUMP_CUDA", directory, f"{name}.cu", source)
        return path or "(not written: see the warning)"
    try:
        with _failed_lock:
            if not _failed_dir:
                _failed_dir.append(private_temp_dir("ftrans-cuda-failed-"))
        return write_source(source, name, _failed_dir[0])
    except OSError as e:
        return f"(not written: {e})"


def _compiler_message(e: BaseException) -> str:
    log = getattr(e, "get_message", None)
    return log() if callable(log) else str(e)


def load_kernels(cp: Any, group: Group) -> tuple[Any, Any]:
    """The compiled kernel of ``group`` (and its finishing kernel, for a reduction split
    over several blocks), compiled on first use and cached by source.

    >>> import cupy, ftrans  # doctest: +SKIP
    >>> from ftrans.backends.cuda_codegen import plan_jaxpr  # doctest: +SKIP
    >>> cj = ftrans.make_jaxpr(lambda x: x * x + 1.0)(cupy.ones(3))  # doctest: +SKIP
    >>> (g,) = plan_jaxpr(cj.jaxpr).groups  # doctest: +SKIP
    >>> kernel, finish = load_kernels(cupy, g)  # doctest: +SKIP
    """
    source = group.kernel_source()
    mod = _modules.get(source)
    if mod is None:
        directory = dump_dir()
        if directory:
            dump_text("FTRANS_DUMP_CUDA", directory, f"{group.name}.cu", source)
        try:
            mod = cp.RawModule(code=source, options=COMPILE_OPTIONS)
            mod.get_function(group.name)  # compiles now, so errors surface here
        except Exception as e:
            if is_out_of_memory(e):
                raise out_of_memory(e, f"loading kernel {group.name}") from e
            path = _write_failed(source, group.name)
            raise KernelCompileError(
                f"the generated CUDA kernel {group.name} ({group!r}) failed to compile. "
                f"Source: {path}\nCompiler message:\n{_compiler_message(e)}") from None
        _modules[source] = mod
    finish = None
    if group.reduction is not None and group.reduction_info()["parts"] > 1:
        finish = mod.get_function(group.name + "_finish")
    return mod.get_function(group.name), finish


def run_group(cp: Any, group: Group, inputs: Sequence[Any]) -> list[Any]:
    """Launch ``group``'s kernel on ``inputs``; return its outputs (CuPy arrays).

    >>> run_group(cupy, g, [cupy.arange(3.0)])  # doctest: +SKIP
    [array([1., 2., 5.])]
    """
    kernel, finish = load_kernels(cp, group)
    ins = [cp.ascontiguousarray(cp.asarray(x[(0,) * x.ndim] if v in group.broadcast else x,
                                           dtype=v.aval.dtype))
           for x, v in zip(inputs, group.inputs)]
    reduced = group.reduction.outputs[0] if group.reduction is not None else None
    outs = [cp.empty(v.aval.shape, v.aval.dtype) for v in group.outputs]
    stored = [o for o, v in zip(outs, group.outputs) if v is not reduced]
    if reduced is None:
        kernel((elementwise_grid(group.size),), (BLOCK,), (*ins, *stored))
        return outs
    info = group.reduction_info()
    n_out, parts = info["n_out"], info["parts"]
    out = outs[group.outputs.index(reduced)]
    partial = out if parts == 1 else cp.empty(n_out * parts, out.dtype)
    if info["layout"] == "columns":
        kernel((elementwise_grid(n_out * parts),), (BLOCK,), (*ins, *stored, partial))
        if finish is not None:
            finish((elementwise_grid(n_out),), (BLOCK,), (partial, out))
        return outs
    kernel((reduction_grid(n_out, parts),), (REDUCE_BLOCK,), (*ins, *stored, partial))
    if finish is not None:
        finish((reduction_grid(n_out, 1),), (REDUCE_BLOCK,), (partial, out))
    return outs


def run_eqn(cp: Any, eqn: Eqn, vals: list[Any]) -> list[Any]:
    """One equation with CuPy: the primitive's impl (cuBLAS for dot_general).

    >>> import ftrans
    >>> (e,) = ftrans.make_jaxpr(lambda x: x * 2.0)(1.0).eqns
    >>> run_eqn(np, e, [np.ones(2), 2.0])  # with NumPy standing in for CuPy
    [array([2., 2.])]
    """
    out = eqn.prim.impl(cp, *on_device(cp, vals), **eqn.params)
    outs = out if eqn.prim.multiple_results else [out]
    return [o if hasattr(o, "__cuda_array_interface__") else cp.asarray(o, v.aval.dtype)
            for o, v in zip(outs, eqn.outputs)]


def _is_broadcast(x: Any) -> bool:
    """A NumPy constant holding one number broadcast (all strides 0), as transposing a
    sum gives: kernels read it as that number instead of streaming it.

    >>> _is_broadcast(np.broadcast_to(1.0, (4,))), _is_broadcast(np.ones(4))
    (True, False)
    """
    return type(x) is np.ndarray and x.size > 1 and not any(x.strides)


class _Constants:
    """The device copies of a program's constants, made once for the same objects."""

    def __init__(self) -> None:
        self.host: list[Any] = []
        self.device: list[Any] = []

    def get(self, cp: Any, consts: Sequence[Any]) -> list[Any]:
        if len(consts) != len(self.host) or any(a is not b for a, b in zip(consts, self.host)):
            self.host = list(consts)
            self.device = [cp.broadcast_to(cp.asarray(c[(0,) * c.ndim]), c.shape)
                           if _is_broadcast(c) else c for c in consts]
            self.device = on_device(cp, self.device)
        return self.device


def compile_cupy(jaxpr: Jaxpr) -> Callable[[Sequence[Any], Sequence[Any]], list[Any]]:
    """An executable ``run(consts, args) -> outs`` running ``jaxpr`` on the GPU. Kernels
    compile at the first call (when it is known which constants are broadcast numbers),
    so a compile error shows before anything runs; later calls reuse them.

    >>> import cupy, ftrans, ftrans.numpy as fnp  # doctest: +SKIP
    >>> g = ftrans.grad(lambda x: fnp.sum(fnp.sin(x)))  # doctest: +SKIP
    >>> cj = ftrans.make_jaxpr(g)(cupy.ones(4))  # doctest: +SKIP
    >>> run = compile_cupy(cj.jaxpr)  # doctest: +SKIP
    >>> run(cj.consts, [cupy.zeros(4)])  # doctest: +SKIP
    [array([1., 1., 1., 1.])]
    """
    cp = require_gpu()
    plans: dict[tuple[bool, ...], Any] = {}
    constants = _Constants()

    def plan_for(consts: Sequence[Any]) -> Any:
        key = tuple(_is_broadcast(c) for c in consts)
        if key not in plans:
            bvars = [v for v, b in zip(jaxpr.constvars, key) if b]
            plan = plan_jaxpr(jaxpr, min_group=2, broadcast=bvars)
            for g in plan.groups:
                load_kernels(cp, g)
            plans[key] = plan
            run.plan = plan  # type: ignore[attr-defined]
        return plans[key]

    steps = owned.plan(jaxpr)  # which outputs could alias an argument, constant or output

    def run(consts: Sequence[Any], args: Sequence[Any]) -> list[Any]:
        plan = plan_for(consts)
        device_consts = constants.get(cp, consts)
        try:
            outs = execute(plan, device_consts, on_device(cp, args),
                           lambda e, vals: run_eqn(cp, e, vals),
                           lambda g, ins: run_group(cp, g, ins))
        except Exception as e:
            if is_out_of_memory(e):
                raise out_of_memory(e, "a compiled program") from e
            raise
        outs = [o if hasattr(o, "__cuda_array_interface__") or not isinstance(o, np.ndarray)
                else cp.asarray(o) for o in outs]
        return owned.apply(steps, outs, device_consts, args) if steps else outs

    if not jaxpr.constvars:
        plan_for(())
    return run


compile_jaxpr = compile_cupy
