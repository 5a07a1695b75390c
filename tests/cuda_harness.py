"""Checking generated CUDA without a GPU: compile kernels with ``nvcc``, and build the same
element functions for the host with ``g++`` to run them on NumPy-made inputs.

Builds are batched (one compiler run for a whole corpus) and cached by source hash in the
temporary folder, so repeated runs cost nothing.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

import ftrans
import ftrans.numpy as fnp
from ftrans.backends.cuda_codegen import Group, Plan, live_eqns, math_source, plan_jaxpr
from ftrans.ir import Jaxpr, Literal

CACHE = os.path.join(tempfile.gettempdir(), "ftrans-cuda-test-cache")
NVCC = shutil.which("nvcc") or ("/usr/local/cuda/bin/nvcc"
                                if os.path.exists("/usr/local/cuda/bin/nvcc") else None)
CXX = shutil.which("g++") or shutil.which("c++")


def _cached_build(source: str, suffix: str, cmd: Callable[[str, str], list[str]]) -> str:
    """Compile ``source`` once (keyed by its hash and the command); return the output path."""
    key = hashlib.sha1((source + " ".join(cmd("IN", "OUT"))).encode()).hexdigest()[:20]
    os.makedirs(CACHE, exist_ok=True)
    out = os.path.join(CACHE, key + suffix)
    if os.path.exists(out):
        return out
    src = os.path.join(CACHE, key + (".cu" if suffix == ".o" else ".cpp"))
    with open(src, "w") as f:
        f.write(source)
    tmp = out + f".tmp{os.getpid()}"
    res = subprocess.run(cmd(src, tmp), capture_output=True, text=True)
    if res.returncode:
        raise AssertionError(f"compiling {src} failed:\n{res.stderr[-4000:]}")
    os.replace(tmp, out)
    return out


def nvcc_compile(sources: Sequence[str], stage: str = "-cubin") -> str:
    """Compile all ``sources`` (each a self-contained kernel file) in one nvcc run for
    sm_90: ``-cubin`` runs the whole pipeline (ptxas too), ``-ptx`` stops at PTX."""
    assert NVCC is not None
    text = "\n".join(sources)
    return _cached_build(text, ".o", lambda s, o: [NVCC, "-arch=sm_90", "-std=c++17",
                                                     "-Werror", "all-warnings", stage, s,
                                                     "-o", o])


def find_nvrtc() -> str | None:
    """libnvrtc (what CuPy compiles with): ``FTRANS_NVRTC``, the CUDA toolkit, or the
    nvidia-cuda-nvrtc wheel on ``sys.path``."""
    import ctypes.util
    import glob
    import sys
    env = os.environ.get("FTRANS_NVRTC")
    if env:
        return env
    patterns = [os.path.join(d, "nvidia", sub, "lib", "libnvrtc.so*") for d in sys.path
                for sub in ("cu13", "cuda_nvrtc")]
    if NVCC:
        root = os.path.dirname(os.path.dirname(os.path.realpath(NVCC)))
        patterns.append(os.path.join(root, "lib64", "libnvrtc.so*"))
    for pat in patterns:
        hits = sorted(h for h in glob.glob(pat) if "builtins" not in h)
        if hits:
            return hits[0]
    return ctypes.util.find_library("nvrtc")


def nvrtc_compile(lib_path: str, source: str) -> None:
    """Compile ``source`` with NVRTC for compute_90, as CuPy's RawModule does (no headers
    on the include path); raise with the log on failure."""
    key = hashlib.sha1((lib_path + source).encode()).hexdigest()[:20]
    done = os.path.join(CACHE, key + ".nvrtc-ok")
    if os.path.exists(done):
        return
    lib = ctypes.CDLL(lib_path)
    prog = ctypes.c_void_p()
    assert lib.nvrtcCreateProgram(ctypes.byref(prog), source.encode(), b"ftrans.cu", 0,
                                  None, None) == 0
    opts = [b"-std=c++17", b"--gpu-architecture=compute_90"]
    status = lib.nvrtcCompileProgram(prog, len(opts), (ctypes.c_char_p * len(opts))(*opts))
    size = ctypes.c_size_t()
    lib.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
    log = ctypes.create_string_buffer(size.value)
    lib.nvrtcGetProgramLog(prog, log)
    lib.nvrtcDestroyProgram(ctypes.byref(prog))
    if status != 0:
        raise AssertionError(f"NVRTC failed ({status}):\n{log.value.decode()[-4000:]}")
    os.makedirs(CACHE, exist_ok=True)
    open(done, "w").close()


class HostLib:
    """One shared library holding the host version of many groups."""

    def __init__(self, groups: Sequence[Group]):
        self.names = {id(g): f"ft_host_{i}" for i, g in enumerate(groups)}
        text = math_source() + "\n" + "\n".join(
            g.host_source(self.names[id(g)]) for g in groups)
        path = _cached_build(text, ".so", lambda s, o: [CXX, "-std=c++17", "-O1", "-shared",
                                                          "-fPIC", "-Wall", "-Werror",
                                                          "-Wno-unused-variable",
                                                          "-Wno-unused-but-set-variable",
                                                          s, "-o", o])
        self.lib = ctypes.CDLL(path)

    def run(self, g: Group, inputs: Sequence[Any]) -> list[np.ndarray]:
        ins = [np.ascontiguousarray(np.asarray(x, dtype=v.aval.dtype))
               for x, v in zip(inputs, g.inputs)]
        outs = [np.empty(v.aval.shape, v.aval.dtype) for v in g.outputs]
        in_ptrs = (ctypes.c_void_p * max(len(ins), 1))(*[a.ctypes.data for a in ins])
        out_ptrs = (ctypes.c_void_p * max(len(outs), 1))(*[a.ctypes.data for a in outs])
        getattr(self.lib, self.names[id(g)])(in_ptrs, out_ptrs)
        return outs


# ----------------------------------------------------------------------------- reference

def numpy_eqn(eqn: Any, vals: list[Any]) -> list[Any]:
    """One equation on the CPU with NumPy (the impl, as the NumPy backend runs it)."""
    with np.errstate(all="ignore"):
        out = eqn.prim.impl(np, *vals, **eqn.params)
    outs = out if eqn.prim.multiple_results else [out]
    return [np.asarray(o, dtype=v.aval.dtype) for o, v in zip(outs, eqn.outputs)]


def reference_env(jaxpr: Jaxpr, consts: Sequence[Any], args: Sequence[Any]) -> dict[int, Any]:
    """Every variable's value, by NumPy, equation by equation."""
    env: dict[int, Any] = {}
    for v, x in zip(jaxpr.constvars, consts):
        env[id(v)] = np.asarray(x)
    for v, x in zip(jaxpr.invars, args):
        env[id(v)] = np.asarray(x)
    for e in live_eqns(jaxpr):
        vals = [a.val if type(a) is Literal else env[id(a)] for a in e.inputs]
        for v, o in zip(e.outputs, numpy_eqn(e, vals)):
            env[id(v)] = o
    return env


# ----------------------------------------------------------------------------- inputs

EDGES = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -1e-310, 2.2e-308, 1e-45, 1e-300,
         1e300, -1e300, 3e38, -3e38, 1e15, 710.0, -745.0, 88.8, -104.0, 0.5, -1.0, 1.0]


def make_inputs(avals: Sequence[Any], seed: int, edges: bool) -> list[np.ndarray]:
    """Random values near 1 in magnitude; with ``edges``, some positions hold edge values
    (rotated per input, so binary operations meet different pairs)."""
    rng = np.random.default_rng(seed)
    out = []
    for i, av in enumerate(avals):
        if av.dtype.kind == "b":
            out.append(rng.random(av.shape) < 0.5)
            continue
        if av.dtype.kind in "iu":
            out.append(rng.integers(0, 5, av.shape).astype(av.dtype))
            continue
        x = rng.uniform(-2.0, 2.0, av.shape)
        if av.dtype.kind == "c":  # complex: random imaginary parts (edge values are real)
            x = x + 1j * rng.uniform(-2.0, 2.0, av.shape)
        if edges and x.size:
            flat = x.reshape(-1)
            e = np.roll(np.asarray(EDGES), 3 * i + seed)
            k = min(flat.size, len(e))
            flat[:k] = e[:k]
        with np.errstate(all="ignore"):
            out.append(np.asarray(x, av.dtype))
    return out


def edges_welcome(jaxpr: Jaxpr) -> bool:
    """Whether edge values make sense as inputs of ``jaxpr``: not where it solves or
    factors matrices (singular or NaN matrices raise, or make LAPACK loop) or runs control
    flow (a loop until convergence may never end on NaN)."""
    return not any(e.prim.family in ("linalg", "control") for e in live_eqns(jaxpr))


# ----------------------------------------------------------------------------- corpus

class Program(NamedTuple):
    name: str
    jaxpr: Jaxpr
    consts: list
    plan: Plan


def _programs_of(name: str, fun: Callable, args: tuple) -> list[tuple[str, Callable]]:
    """``fun`` and its derivative programs: jvp, grad of its sum, and a second order one."""
    out: list[tuple[str, Callable]] = [(name, fun)]

    def jvp_fun(*a):
        return ftrans.jvp(fun, a, tuple(fnp.ones_like(x) * 0.5 for x in a))

    def loss(*a):  # real, also for complex outputs: the real and imaginary parts count
        total = fnp.sum(fun(*a))
        return fnp.real(total) + 0.5 * fnp.imag(total) if fnp.iscomplexobj(total) else total

    out.append((name + ":jvp", jvp_fun))
    out.append((name + ":grad", ftrans.grad(loss, argnums=tuple(range(len(args))))))
    out.append((name + ":hvp", lambda *a: ftrans.jvp(
        ftrans.grad(loss, argnums=tuple(range(len(a)))), a, tuple(fnp.ones_like(x) for x in a))
                [1]))
    return out


def build_corpus(functions: Sequence[tuple[str, Callable, tuple]],
                 dtypes: Sequence[Any] = (np.float64, np.float32)) -> list[Program]:
    """Programs (function and derivative jaxprs) of ``functions`` at each dtype; a derivative
    program that cannot be formed (integer outputs, say) is left out."""
    progs = []
    for name, fun, args in functions:
        for dt in dtypes:
            cast = tuple(np.asarray(a, dt) if np.asarray(a).dtype.kind == "f" else
                         np.asarray(a, np.result_type(dt, 1j))
                         if np.asarray(a).dtype.kind == "c" else a for a in args)
            for pname, pf in _programs_of(name, fun, cast):
                try:
                    cj = ftrans.make_jaxpr(pf)(*cast)
                except (TypeError, ValueError):
                    if pname == name:
                        raise
                    continue
                progs.append(Program(f"{pname}[{np.dtype(dt).name}]", cj.jaxpr, cj.consts,
                                     plan_jaxpr(cj.jaxpr)))
    return progs


def all_groups(progs: Sequence[Program]) -> list[Group]:
    return [g for p in progs for g in p.plan.groups]


def tolerance(dtype: Any) -> float:
    return 1e-12 if np.dtype(dtype) == np.float64 else 1e-5


def assert_close(got: np.ndarray, want: np.ndarray, rtol: float, atol, what: str) -> None:
    """Equal (NaN where NaN, same infinities) or within ``atol + rtol |want|``."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, what
    if got.dtype.kind not in "fc":
        np.testing.assert_array_equal(got, want, err_msg=what)
        return
    with np.errstate(all="ignore"):
        g64, w64 = got.astype(np.float64), want.astype(np.float64)
        ok = (g64 == w64) | (np.isnan(g64) & np.isnan(w64)) \
            | (np.abs(g64 - w64) <= atol + rtol * np.abs(w64))
    if not ok.all():
        idx = np.argwhere(~ok)[:5]
        detail = "; ".join(f"at {tuple(i)}: got {got[tuple(i)]!r}, want {want[tuple(i)]!r}"
                           for i in idx)
        raise AssertionError(f"{what}: {int((~ok).sum())} of {ok.size} differ: {detail}")
