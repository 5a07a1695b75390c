"""What a worker process runs: programs shipped by the caller, evaluated chunk by chunk.

A ``Program`` is a jaxpr (pickled once, in the caller), its constants (the residuals of the
linearization, or the unmapped inputs of a ``vmap``) and what to evaluate it on: the seed
vectors of a Jacobian (``seeds(lo, hi)``, a picklable function of the chunk's bounds) or the
shards of a ``vmap``'s mapped inputs. A worker batches the jaxpr over the chunk's size,
compiles it once (``backends.compile_jaxpr``: NumPy code, or fused CUDA kernels on a GPU)
and keeps the compiled program for later tasks, keyed by the jaxpr's digest, the batch size
and the backend: the next Jacobian of the same function compiles nothing, whatever its point.

The NumPy code runs the same primitive impls, in the same order, as the caller's eager
evaluation (no fused C kernels, whose last bits may differ): results equal the
single-process ones bit for bit. On a GPU worker (CuPy arrays, or a program made on a GPU)
constants and seeds go to the worker's current device.

Workers keep programs by the key the caller gave them (``run_keyed``; on a plain executor
the digest of their pickled bytes). There a task carries the bytes only when the caller
believes the worker lacks them, and a worker that lacks them answers ``MISS`` so the caller
sends them.

Jacobian seeds that can write themselves into a buffer (``BasisRows``: basis vectors) are
written into one zeroed buffer per thread, reused by the chunks of a program and cleared
after each: a fresh chunk of basis vectors is mostly new zeroed pages, which the kernel
takes longer to fault in than many programs take to run on them. This module
imports no Dask: any process with ftrans (and NumPy) can be a worker.

>>> stats()["chunks"] >= 0
True
"""

from __future__ import annotations

import collections
import os
import pickle
import threading
import time
from typing import Any, Callable, Sequence

import numpy as np

from ..backends import compile_jaxpr
from ..core import trace_to_jaxpr
from ..device import is_gpu_array
from ..ir import Jaxpr, ShapedArray
from ..prims.shape import move_batch_axis
from ..transforms.batch import batch_jaxpr_eval

MAX_PROGRAMS = 4  # programs (with their constants) a worker keeps...
MAX_PROGRAM_BYTES = 1 << 30  # ...and the bytes of their constants, beyond the newest one
MAX_COMPILED = 64  # compiled batched programs a worker keeps
MISS = "ftrans-program-miss"  # run_keyed's answer when it lacks the program's bytes

_lock = threading.RLock()  # a worker may run several tasks at once (threads_per_worker > 1)
_programs: collections.OrderedDict[str, Program] = collections.OrderedDict()
_compiled: collections.OrderedDict[tuple, tuple[Callable, list, list[int | None]]] = \
    collections.OrderedDict()
_stats: collections.Counter = collections.Counter()
_thread = threading.local()  # each worker thread's seed buffer (_seed_buffer)


class OnDevice:
    """A GPU array travelling as a NumPy array: put back on the worker's device."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray):
        self.array = array

    def __reduce__(self) -> tuple:
        return OnDevice, (self.array,)


def host_values(values: Sequence[Any]) -> list[Any]:
    """``values`` with each GPU array replaced by an ``OnDevice`` host copy.

    >>> host_values([np.ones(2), 3.0])  # NumPy values stay as they are
    [array([1., 1.]), 3.0]
    """
    from ..device import to_host
    return [OnDevice(to_host(v)) if is_gpu_array(v) else v for v in values]


def _device_values(values: Sequence[Any], gpu: bool) -> list[Any]:
    """``OnDevice`` values (and, for a GPU program, NumPy arrays) on this worker's device."""
    if not gpu:
        return [v.array if type(v) is OnDevice else v for v in values]
    from ..device import require_gpu
    cp = require_gpu()
    return [cp.asarray(v.array) if type(v) is OnDevice else
            cp.asarray(v) if type(v) is np.ndarray else v for v in values]


class Program:
    """A jaxpr shipped to workers with its constants and what it runs on.

    ``kind`` is ``"seeds"`` (a linear program on chunks of seed vectors: ``seeds(lo, hi)``
    gives them as a (hi - lo, n) array), ``"vmap"`` (a function batched over shards of its
    inputs, mapped along ``in_dims``) or ``"call"`` (a batched function called on blocks as
    they are: ``map_blocks``). ``gpu``: the caller ran on a GPU, so does the worker.
    ``jaxpr_bytes`` is the pickled jaxpr and ``jaxpr_key`` its digest: a worker unpickles and
    compiles a jaxpr only the first time it sees that key for a batch size.
    """

    def __init__(self, kind: str, jaxpr_bytes: bytes, jaxpr_key: str, consts: list,
                 in_avals: Sequence[ShapedArray], gpu: bool, seeds: Callable | None = None,
                 in_dims: Sequence[int] = ()):
        self.kind, self.jaxpr_bytes, self.jaxpr_key = kind, jaxpr_bytes, jaxpr_key
        self.consts, self.in_avals, self.gpu = consts, list(in_avals), gpu
        self.seeds, self.in_dims = seeds, tuple(in_dims)
        self._device_consts: list | None = None  # on this worker, made on first use

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_device_consts"] = None
        return state

    def device_consts(self, gpu: bool) -> list:
        with _lock:
            if self._device_consts is None:
                self._device_consts = _device_values(self.consts, gpu)
            return self._device_consts


def _jaxpr(prog: Program) -> Jaxpr:
    return pickle.loads(prog.jaxpr_bytes)


def _batched(jaxpr: Jaxpr, in_avals: Sequence[ShapedArray], dims: Sequence[int], k: int,
             to_front: bool) -> tuple[Jaxpr, list, list[int | None]]:
    """``jaxpr`` batched over ``k`` along ``dims`` of its inputs, and its outputs' batch dims
    (with ``to_front``: all 0, as the Jacobian engine lays them out). Its constants become
    the first inputs, unbatched, so the compiled program serves any values of them."""
    n_consts = len(jaxpr.constvars)
    out_dims: list[int | None] = []

    def batched(*xs: Any) -> list[Any]:
        outs, ds = batch_jaxpr_eval(jaxpr, xs[:n_consts], xs[n_consts:], list(dims))
        if to_front:
            outs, ds = [move_batch_axis(o, d, 0, k) for o, d in zip(outs, ds)], [0] * len(outs)
        out_dims.extend(ds)
        return outs

    avals = [v.aval for v in jaxpr.constvars]
    for av, d in zip(in_avals, dims):
        avals.append(ShapedArray(av.shape[:d] + (k,) + av.shape[d:], av.dtype))
    bj, bconsts = trace_to_jaxpr(batched, avals)
    return bj, bconsts, out_dims


def compiled(prog: Program, k: int, gpu: bool) -> tuple[Callable, list, list[int | None]]:
    """The program batched over ``k`` and compiled for this worker's device: ``(run,
    consts, out_dims)``, ``run(consts, [*prog consts, *batched inputs])``; cached between
    tasks (and Jacobians: the key is the jaxpr's digest, not its constants' values)."""
    key = (prog.jaxpr_key, prog.kind, prog.in_dims, k, gpu)
    with _lock:
        hit = _compiled.get(key)
        if hit is not None:
            _compiled.move_to_end(key)
            return hit
    backend = "cupy" if gpu else "numpy"
    if prog.kind == "call":  # already batched (map_blocks): compiled as it is
        jaxpr = _jaxpr(prog)
        entry: tuple = (compile_jaxpr(jaxpr, backend), [], [0] * len(jaxpr.outvars))
    else:
        seeds = prog.kind == "seeds"
        dims = (0,) * len(prog.in_avals) if seeds else prog.in_dims
        bj, bconsts, out_dims = _batched(_jaxpr(prog), prog.in_avals, dims, k, seeds)
        entry = (compile_jaxpr(bj, backend), _device_values(bconsts, gpu), out_dims)
    with _lock:
        _stats["compiles"] += 1
        _compiled[key] = entry
        while len(_compiled) > MAX_COMPILED:
            _compiled.popitem(last=False)
    return entry


def _split(seeds: Any, avals: Sequence[ShapedArray]) -> list[Any]:
    """Columns of ``seeds`` (k × n) per input, shaped (k, *shape) in its dtype."""
    out, off = [], 0
    for av in avals:
        out.append(seeds[:, off:off + av.size].reshape((seeds.shape[0],) + av.shape)
                   .astype(av.dtype, copy=False))
        off += av.size
    return out


def _seed_buffer(prog: Program, k: int) -> np.ndarray | None:
    """A zeroed (k, n) buffer for the seeds of ``prog`` (host basis vectors that can
    ``write`` themselves into one: ``BasisRows``), kept by this thread for the next chunks
    of the same program; ``None`` for other seeds. Between tasks the buffer is all zeros
    (``run_chunk`` clears what it set), so chunks share it without allocating (and the
    kernel faulting in) new zeroed pages each time. One buffer per thread: a new program
    (each Jacobian ships one) frees the last one."""
    seeds = prog.seeds
    if prog.gpu or not callable(getattr(seeds, "write", None)) \
            or not callable(getattr(seeds, "buffer", None)):
        return None
    n, dtype = int(seeds.n), np.dtype(seeds.dtype)  # type: ignore[union-attr]
    held = getattr(_thread, "seeds", None)
    if held is None or held[0] != id(prog) or held[1].shape[0] < k \
            or held[1].shape[1] != n or held[1].dtype != dtype:
        _thread.seeds = held = None  # the old buffer goes before the new one is made
        held = (id(prog), seeds.buffer(k))  # type: ignore[union-attr]
        _thread.seeds = held
    return held[1][:k]


def run_chunk(prog: Program, lo: int, hi: int) -> list[Any]:
    """Outputs of the linear program on seed vectors ``lo..hi``, each with a leading axis of
    ``hi - lo`` (NumPy arrays, or CuPy arrays on this worker's GPU)."""
    t0, gpu = time.perf_counter(), prog.gpu
    run, bconsts, _ = compiled(prog, hi - lo, gpu)
    buf = _seed_buffer(prog, hi - lo)
    if buf is not None:
        prog.seeds.write(buf, lo, hi, 1)  # type: ignore[union-attr]
        try:  # compiled programs return no view of their inputs: the buffer is free after
            outs = run(bconsts, [*prog.device_consts(gpu), *_split(buf, prog.in_avals)])
        finally:
            prog.seeds.write(buf, lo, hi, 0)  # type: ignore[union-attr]
        _count("chunks", gpu, t0)
        return outs
    seeds = prog.seeds(lo, hi)  # type: ignore[misc]
    if gpu and not is_gpu_array(seeds):
        from ..device import require_gpu
        seeds = require_gpu().asarray(seeds)
    outs = run(bconsts, [*prog.device_consts(gpu), *_split(seeds, prog.in_avals)])
    _count("chunks", gpu, t0)
    return outs


def run_shard(prog: Program, shard: Sequence[Any]) -> tuple[list[Any], list[int | None]]:
    """A ``vmap`` program on one shard of its mapped inputs (batched along ``in_dims``):
    its outputs and their batch dims (``None``: not batched)."""
    t0 = time.perf_counter()
    gpu = prog.gpu or any(type(x) is OnDevice or is_gpu_array(x) for x in shard)
    shard = _device_values(list(shard), gpu)
    k = shard[0].shape[prog.in_dims[0]]
    run, bconsts, out_dims = compiled(prog, k, gpu)
    outs = run(bconsts, [*prog.device_consts(gpu), *shard])
    _count("shards", gpu, t0)
    return outs, list(out_dims)


def run_block(prog: Program, *blocks: Any) -> list[Any]:
    """A ``"call"`` program (``map_blocks``) on one block of each of its inputs."""
    t0 = time.perf_counter()
    gpu = prog.gpu or any(type(x) is OnDevice or is_gpu_array(x) for x in blocks)
    blocks_ = _device_values(list(blocks), gpu)
    run, _, _ = compiled(prog, 0, gpu)
    outs = run(prog.device_consts(gpu), blocks_)
    _count("blocks", gpu, t0)
    return outs


def _count(what: str, gpu: bool, t0: float) -> None:
    with _lock:
        _stats[what] += 1
        _stats["busy_us"] += round((time.perf_counter() - t0) * 1e6)
        _stats["on_gpu" if gpu else "on_cpu"] += 1


# ----------------------------------------------------------------------------- plain executors

def _nbytes(prog: Program) -> int:
    return sum(int(getattr(getattr(c, "array", c), "nbytes", 0)) for c in prog.consts)


def _remember(key: str, prog: Program) -> None:
    """Keep ``prog`` for later tasks; the oldest programs go beyond ``MAX_PROGRAMS`` of them
    or ``MAX_PROGRAM_BYTES`` of constants (residuals can be large)."""
    with _lock:
        _programs[key] = prog
        _programs.move_to_end(key)
        total = sum(_nbytes(p) for p in _programs.values())
        while len(_programs) > 1 and (len(_programs) > MAX_PROGRAMS
                                      or total > MAX_PROGRAM_BYTES):
            total -= _nbytes(_programs.popitem(last=False)[1])


def run_keyed(key: str, payload: bytes | Program | None, what: str, *args: Any) -> Any:
    """A task: ``what`` (``"chunk"``, ``"shard"`` or ``"call"``) of the program named
    ``key``. ``payload`` (the program's pickled bytes; on Dask, the scattered program
    itself) is sent only when the caller believes this worker lacks it; without it and
    without the program, the answer is ``(MISS, worker_id())`` and the caller sends it again
    with the bytes."""
    with _lock:
        prog = _programs.get(key)
    if prog is None:
        if payload is None:
            with _lock:
                _stats["misses"] += 1
            return MISS, worker_id()
        if isinstance(payload, Program):  # Dask delivered it unpickled
            prog = payload
        else:
            from .pickling import loads
            prog = loads(payload)
        _remember(key, prog)
        with _lock:
            _stats["loads"] += 1
    if what == "chunk":
        out: Any = run_chunk(prog, *args)
    elif what == "shard":
        out = run_shard(prog, *args)
    else:
        out = run_block(prog, *args)
    return worker_id(), out


# ----------------------------------------------------------------------------- introspection

def worker_id() -> str:
    """The name of this worker process.

    Returns
    -------
    str
        ``host:pid`` of this process (the ``id`` in ``stats()``).

    Examples
    --------
    >>> worker_id().endswith(f":{os.getpid()}")
    True
    """
    import socket
    return f"{socket.gethostname()}:{os.getpid()}"


def stats() -> dict[str, Any]:
    """This worker's counters; on a Dask cluster: ``client.run(ftrans.distributed.stats)``.

    Returns
    -------
    dict
        ``chunks``, ``shards`` and ``blocks`` evaluated, ``busy_s`` (seconds spent on
        them, compiles included), ``compiles``, ``loads`` (programs received) and ``misses``
        (plain executors), ``on_cpu``/``on_gpu`` tasks, its ``id`` and the peak resident
        memory of the process, ``peak_rss`` (bytes).

    Examples
    --------
    >>> s = stats()
    >>> s["compiles"] >= 0 and s["peak_rss"] >= 0 and s["id"] == worker_id()
    True
    """
    with _lock:
        out: dict[str, Any] = {k: 0 for k in ("chunks", "shards", "blocks", "compiles",
                                               "loads", "misses", "on_cpu", "on_gpu")}
        out.update(_stats)
        out["busy_s"] = out.pop("busy_us", 0) / 1e6
    out["id"] = worker_id()
    out["peak_rss"] = peak_rss()
    return out


def reset() -> None:
    """Forget this worker's programs, compiled programs and counters.

    >>> reset(); stats()["chunks"]
    0
    """
    with _lock:
        _programs.clear()
        _compiled.clear()
        _stats.clear()
    _thread.seeds = None


def peak_rss() -> int:
    """Peak resident memory of this process, in bytes (0 where unknown).

    >>> peak_rss() >= 0
    True
    """
    try:
        import resource
    except ImportError:  # not on Windows
        return 0
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(kib) * (1 if os.uname().sysname == "Darwin" else 1024)


def memory_budget(gpu: bool) -> int:
    """Bytes a task may use on this worker: the device's available memory for a GPU
    program; else the available RAM, capped by the Dask worker's memory limit if any.

    >>> memory_budget(gpu=False) > 0
    True
    """
    from ..memory import available_memory, device_available_memory
    if gpu:
        from ..device import require_gpu
        return device_available_memory(require_gpu())
    avail = available_memory()
    try:
        from distributed import get_worker
        limit = get_worker().memory_manager.memory_limit
    except Exception:  # noqa: BLE001 - not inside a Dask worker (or an older Dask)
        limit = None
    return min(avail, int(limit)) if limit else avail


__all__ = ["Program", "OnDevice", "host_values", "run_chunk", "run_shard", "run_block",
           "run_keyed", "compiled", "stats", "reset", "worker_id", "memory_budget", "peak_rss",
           "MISS"]
