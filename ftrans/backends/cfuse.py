"""Optional fused CPU kernels: runs of elementwise equations become one C loop.

A run of consecutive elementwise equations on float32/float64 arrays of one shape (at least
``MIN_SIZE`` elements) is written as a C function that reads each input element once, keeps
every intermediate in a register and writes only the values used after the run. It is
compiled once by the system C compiler (``$CC``, else ``cc``) with
``-O3 -march=native -fno-math-errno``; the transcendental functions are declared
``simd`` so GCC calls glibc's vector math library (libmvec, a few ulp from NumPy) instead
of looping over scalar libm calls. No ``-ffast-math``: operation order, NaN and infinity
handling are C's, as in NumPy. Shared objects are cached on disk, keyed by their source,
flags, compiler and CPU target, and verified before they are loaded (``kernel_cache.py``:
``$FTRANS_CACHE``, default ``~/.cache/ftrans``; the compiler is killed after
``$FTRANS_COMPILE_TIMEOUT`` seconds, default 60).

Compiling costs tens of milliseconds to seconds per kernel, so ``jit`` on the CPU (backend
``"auto"``) never waits for it: the first call runs the NumPy code, then a background thread
(one, compiling one kernel at a time, at a lower priority) compiles the kernels or finds them
on disk, and the fused code replaces the NumPy code. ``backend="numpy+c"`` compiles before
the first call. Where no compiler works, or ``FTRANS_CFUSE=0``, the NumPy code runs. A
process forked while kernels are compiled compiles them again in its own worker.

Complex values are never fused (``fusable`` takes float32/float64 only): C99's complex
functions differ from NumPy's on branch cuts, signed zeros and infinities, so equations on
complex values run NumPy's functions, and the real equations around them still fuse.

Which equations fuse is the primitives' to say: those with a C99 form (``c_expr``, the
elementwise ones whose CUDA expression is plain C too).

>>> src = kernel_source(["sin({0})", "({0} * {1})"], [[0], [1, 0]], 1, [1], "float64")
>>> "const double v1 = (v0 * x0);" in src
True
"""

from __future__ import annotations

import ctypes
import os
import queue
import re
import string
import threading
from typing import Any, Callable, Sequence

import numpy as np

from . import kernel_cache

MIN_SIZE = 256  # smaller arrays stay on NumPy: a C call costs a few microseconds
MAX_EQNS = 200  # runs over 2 * MAX_EQNS are split: compile time grows faster than linearly

# The <math.h> functions C forms may call, declared ``simd`` (libmvec has vector versions:
# "D") or plainly; ``$t`` is the C type, ``$s`` the suffix of its functions ('f' for float).
_MATH_DECLS = """\
#define D __attribute__((simd("notinbranch"), const)) extern
D $t exp$s($t);
D $t log$s($t);
D $t log1p$s($t);
D $t expm1$s($t);
D $t sin$s($t);
D $t cos$s($t);
D $t tan$s($t);
D $t sinh$s($t);
D $t cosh$s($t);
D $t tanh$s($t);
D $t asin$s($t);
D $t acos$s($t);
D $t atan$s($t);
D $t sqrt$s($t);
D $t pow$s($t, $t);
D $t atan2$s($t, $t);
extern $t fabs$s($t);
"""
_CALL = re.compile(r"\b([a-z_][a-z0-9_]*)\(")  # a function call in a C form
_CTYPE = {"float64": "double", "float32": "float"}


def c_form(eqn: Any) -> str | None:
    """The C99 template of an equation's primitive (``c_expr``, its params applied).

    >>> import ftrans, numpy as np
    >>> cj = ftrans.make_jaxpr(lambda x: x ** 3)(np.ones(3))
    >>> c_form(cj.jaxpr.eqns[0])
    'pow({0}, 3.0)'
    """
    form = eqn.prim.c_expr
    return form(**eqn.params) if callable(form) else form


def fusable(eqn: Any) -> bool:
    """An equation the kernel generator can write in C."""
    if eqn.prim.c_expr is None:
        return False
    o = eqn.outputs[0].aval
    if o.dtype.name not in _CTYPE or not o.ndim:
        return False
    for a in eqn.inputs:
        av = a.aval
        if av.dtype != o.dtype or (av.ndim and av.shape != o.shape):
            return False
        if not av.ndim and type(a).__name__ != "Literal":
            return False  # a 0-d variable: keep it simple, stay on NumPy
    return True


def _literal(val: Any, ctype: str) -> str:
    v = float(np.asarray(val))
    text = repr(v) if np.isfinite(v) else ("(1.0/0.0)" if v > 0 else "(-1.0/0.0)")
    if text in ("nan",):
        text = "(0.0/0.0)"
    return f"(({ctype}){text})"


def kernel_source(forms: Sequence[str], operands: Sequence[Sequence[Any]], n_inputs: int,
                  outputs: Sequence[int], dtype: str) -> str:
    """C source of one fused loop ``k(n, i0.., o0..)``.

    ``forms[e]`` is equation e's C99 template (``c_form``), ``operands[e]`` lists its
    operands: an int ``i < n_inputs`` is input ``i``, an int ``>= n_inputs`` is the value of
    equation ``i - n_inputs``, anything else a literal. ``outputs`` are the equations whose
    values are written out.
    """
    ct = _CTYPE[dtype]
    suffix = "f" if ct == "float" else ""
    # no ``restrict``: an output may be written into the buffer of an input that dies in
    # the kernel. Every input element is read once at the top of the body, before any
    # store, and element j depends on element j only, so ``ivdep`` (no dependence between
    # iterations) holds and the loop is vectorized.
    args = ["long n"] + [f"const {ct} *i{k}" for k in range(n_inputs)] + \
        [f"{ct} *o{k}" for k in range(len(outputs))]
    body = [f"    const {ct} x{k} = i{k}[j];" for k in range(n_inputs)]
    for e, (form, ops) in enumerate(zip(forms, operands)):
        names = []
        for op in ops:
            if isinstance(op, int) and not isinstance(op, bool):
                names.append(f"x{op}" if op < n_inputs else f"v{op - n_inputs}")
            else:
                names.append(_literal(op, ct))
        if suffix:  # float32: the float versions of the functions
            form = _CALL.sub(lambda m: f"{m.group(1)}{suffix}(", form)
        body.append(f"    const {ct} v{e} = {form.format(*names)};")
    for k, e in enumerate(outputs):
        body.append(f"    o{k}[j] = v{e};")
    # no <math.h>: its declarations would win over the simd ones
    decl = string.Template(_MATH_DECLS).substitute(t=ct, s=suffix)
    return (decl + f"void k({', '.join(args)}) {{\n#pragma GCC ivdep\n"
            "  for (long j = 0; j < n; j++) {\n" +
            "\n".join(body) + "\n  }\n}\n")


FLAGS = ["-O3", "-march=native", "-fno-math-errno", "-fno-builtin-sin", "-fno-builtin-cos",
         "-fno-builtin-sinf", "-fno-builtin-cosf", "-shared", "-fPIC"]  # no sincos merging


def _compiler() -> str:
    return kernel_cache.compiler()


def load_kernel(src: str, n_args: int, n_sizes: int = 1) -> Callable | None:
    """The compiled ``k`` of ``src`` (compiled once, cached on disk and verified before it
    is loaded: ``kernel_cache.py``); None if it cannot be had (one warning per kind of
    failure). ``k`` takes ``n_sizes`` integers, then pointers."""
    lib = kernel_cache.load(src, FLAGS, nice=threading.current_thread().name == _THREAD)
    if lib is None:
        return None
    fn = lib.k
    fn.argtypes = [ctypes.c_long] * n_sizes + [ctypes.c_void_p] * (n_args - n_sizes)
    fn.restype = None
    return fn


# --- batched outer products: a dot_general whose contraction has size 1 (per-example
# gradients of a dense layer: vmap of grad). NumPy's broadcast multiply walks the result in
# short inner loops; one C loop nest writes it at memory speed.
OUTER_MIN_SIZE = 4096


def outer_source(dtype: str) -> str:
    """C source of ``k(nb, m, n, x, y, o)``: ``o[b, i, j] = x[b, i] * y[b, j]``.

    >>> "o[(b * m + i) * n + j] = s * y[b * n + j];" in outer_source("float64")
    True
    """
    ct = _CTYPE[dtype]
    return (f"void k(long nb, long m, long n, const {ct} *restrict x, const {ct} *restrict y,"
            f" {ct} *restrict o) {{\n"
            "  for (long b = 0; b < nb; b++)\n"
            "    for (long i = 0; i < m; i++) {\n"
            f"      const {ct} s = x[b * m + i];\n"
            "      for (long j = 0; j < n; j++)\n"
            "        o[(b * m + i) * n + j] = s * y[b * n + j];\n"
            "    }\n}\n")


def outer_fits(x: Any, y: Any, out: Any, dimension_numbers: Any) -> bool:
    """Whether ``dot_general`` of avals ``x``, ``y`` -> ``out`` is an outer product (every
    contracted axis of size 1) the kernel of ``outer_source`` computes."""
    (lc, _), _ = dimension_numbers
    return (out.dtype.name in _CTYPE and x.dtype == out.dtype and y.dtype == out.dtype
            and out.size >= OUTER_MIN_SIZE and all(x.shape[d] == 1 for d in lc))


def outer_product(kernel: Callable, x: np.ndarray, y: np.ndarray, *,
                  dimension_numbers: Any) -> np.ndarray:
    """``dot_general(x, y)`` for an outer product, through ``kernel`` (see ``outer_fits``)."""
    (lc, rc), (lb, rb) = dimension_numbers
    lf = [d for d in range(x.ndim) if d not in lc and d not in lb]
    rf = [d for d in range(y.ndim) if d not in rc and d not in rb]
    batch = [x.shape[d] for d in lb]
    nb = int(np.prod(batch, dtype=np.int64))
    m = int(np.prod([x.shape[d] for d in lf], dtype=np.int64))
    n = int(np.prod([y.shape[d] for d in rf], dtype=np.int64))
    xt = np.ascontiguousarray(np.transpose(x, list(lb) + lf + list(lc)))
    yt = np.ascontiguousarray(np.transpose(y, list(rb) + list(rc) + rf))
    out = np.empty(batch + [x.shape[d] for d in lf] + [y.shape[d] for d in rf], x.dtype)
    kernel(nb, m, n, xt.ctypes.data, yt.ctypes.data, out.ctypes.data)
    return out


def available() -> bool:
    """Whether a C compiler works here (tries once)."""
    src = kernel_source(["(-{0})"], [[0]], 1, [0], "float64")
    return load_kernel(src, 3) is not None


def background_enabled() -> bool:
    """Whether ``jit``'s default CPU backend may compile fused kernels in the background:
    ``FTRANS_CFUSE`` is not ``0`` and a C compiler is on the PATH."""
    if os.environ.get("FTRANS_CFUSE", "1").strip() in ("0", "false", "no", "off"):
        return False
    return kernel_cache.which(_compiler()) is not None


_THREAD = "ftrans-cfuse"
_jobs: queue.Queue = queue.Queue()
_worker: list[threading.Thread] = []
_lock = threading.Lock()
_running: list[Callable[[], None]] = []  # the job the worker is running


def _work() -> None:
    while True:
        job = _jobs.get()
        _running[:] = [job]
        try:
            job()
        except Exception as e:  # noqa: BLE001 - the NumPy code keeps running
            kernel_cache.warn_once(f"job:{type(e).__name__}",
                                   f"background compilation failed ({type(e).__name__}: "
                                   f"{e}); the NumPy code keeps running")
        finally:
            _running.clear()
            _jobs.task_done()


def _after_fork_in_child() -> None:
    """A child forked while kernels were being compiled has no worker thread (only the
    forking thread survives a fork): it gets a new queue holding the jobs the parent had
    not finished, and a new worker for them, so it fuses too and ``wait`` returns."""
    global _jobs, _lock
    pending = list(_running) + list(_jobs.queue)
    _jobs, _lock = queue.Queue(), threading.Lock()
    _worker.clear()
    _running.clear()
    for job in pending:
        submit(job)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def submit(job: Callable[[], None]) -> None:
    """Run ``job()`` in the background thread (one job at a time: one compiler at a time)."""
    with _lock:
        if not _worker:
            t = threading.Thread(target=_work, name=_THREAD, daemon=True)
            t.start()
            _worker.append(t)
    _jobs.put(job)


def wait() -> None:
    """Block until every kernel submitted for background compilation is compiled and in
    use (benchmarks call it before timing steady state).

    >>> wait()  # nothing pending: returns at once
    """
    if _worker:
        _jobs.join()
