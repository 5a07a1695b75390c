"""The caller's side of ``executor=``: chunks of a Jacobian and shards of a ``vmap``.

The derivative API traces the user's function and runs the forward pass once, in the
caller, as without an executor. What is left is embarrassingly parallel: the linear (or
transposed) program evaluated on chunks of basis vectors, each chunk an independent batched
pass. ``Remote.map_chunks`` ships that program once (``executors.Target``) and evaluates
each chunk ``lo..hi`` in a worker task (``worker.run_chunk``); the results are written into
the Jacobian as they arrive, or, with ``out="dask"``, stay on the workers as the blocks of a
lazy ``dask.array.Array`` (``dask_arrays``). ``Remote.map_shards`` does the same for
``vmap``: the function is traced once in the caller (so closures work), and each shard of
the mapped axis is one batched, compiled call on a worker.

Chunk sizes: ``chunk_size=k`` as given (results equal the single-process ones with the same
``k`` bit for bit); ``None``: ``CHUNKS_PER_WORKER`` chunks per worker; ``"auto"``: as many
seed vectors as fit the workers' memory (``max_memory`` bytes per task, by default
``memory.DEFAULT_FRACTION`` of the most constrained worker's memory, next to the program's
constants), but no more than ``None`` gives.

``vmap`` shards have at least ``MIN_SHARD`` rows. Elementwise functions and reductions give
the same bits for any number of rows; a matrix product may not (BLAS picks its kernels by
shape, and NumPy takes a matrix-vector product for one row), so a sharded ``vmap`` agrees with
a single-process one to the last bits of its matrix products, not always bit for bit.

Under another transformation (``jit``, ``grad`` of a Jacobian with an executor) the values
are traced, not concrete: chunks are then evaluated in the caller, as without an executor.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

from ..core import Tracer
from ..device import is_gpu_array, require_gpu
from ..ir import Jaxpr, ShapedArray
from . import worker
from .executors import Target, check_executor
from .pickling import jaxpr_bytes

CHUNKS_PER_WORKER = 4  # chunks per worker when chunk_size is None: some balance, little overhead
MIN_SHARD = 16  # rows per vmap shard at least: a batch of 1 row takes other NumPy/BLAS paths


def remote_for(executor: Any, out: Any, max_memory: int | None, api: str) -> Remote | None:
    """The checked ``executor=``/``out=`` of a derivative function, or ``None`` for neither.

    >>> remote_for(None, None, None, "jacfwd") is None
    True
    """
    if out is not None and out != "dask":
        raise ValueError(f"{api}: out must be None or 'dask', got {out!r}")
    if executor is None and out is None:
        return None
    if executor is not None:
        check_executor(executor, api)
    return Remote(executor, out, max_memory, api)


def _traced(values: Sequence[Any]) -> bool:
    return any(isinstance(v, Tracer) for v in values)


class Remote:
    """Where a derivative's chunks run: ``executor`` (or, for ``out="dask"`` without one,
    the current Dask client), and the form of the result, ``out``."""

    def __init__(self, executor: Any, out: str | None, max_memory: int | None, api: str):
        self.executor, self.out, self.max_memory, self.api = executor, out, max_memory, api

    def target(self) -> Target:
        executor = self.executor
        if executor is None:  # out="dask": the current client
            try:
                from distributed import default_client
                executor = default_client()
            except (ImportError, ValueError) as e:
                raise ValueError(f"{self.api}: out='dask' needs a Dask client: pass "
                                 "executor=client, or create a dask.distributed.Client first "
                                 f"({type(e).__name__}: {e})") from e
        t = Target(executor, self.api)
        if self.out == "dask" and t.client is None:
            raise TypeError(f"{self.api}: out='dask' needs executor= a dask.distributed.Client "
                            f"(or its get_executor()), got a {type(executor).__name__}")
        return t

    def applies(self, values: Sequence[Any]) -> bool:
        """Whether the program can be shipped: its values are concrete, not traced by an
        enclosing transformation."""
        if not _traced(values):
            return True
        if self.out == "dask":
            raise TypeError(f"{self.api}: out='dask' cannot be used inside another "
                            "transformation (jit, grad, vmap...): the values are traced")
        return False

    # --- Jacobian chunks
    def map_chunks(self, jaxpr: Jaxpr, consts: list, in_avals: Sequence[ShapedArray],
                   count: int, seeds: Callable[[int, int], Any], chunk_size: Any
                   ) -> list[Any]:
        """Linear ``jaxpr`` on ``count`` seed vectors, ``seeds(lo, hi)`` a chunk of them, each
        chunk in a worker task: each output with a leading axis of ``count`` (NumPy or CuPy
        arrays, or Dask arrays for ``out="dask"``)."""
        target = self.target()
        gpu = any(is_gpu_array(c) for c in consts) or is_gpu_array(seeds(0, 0))
        prog = worker.Program("seeds", *jaxpr_bytes(jaxpr, f"{self.api}: the program"),
                              worker.host_values(consts),
                              in_avals, gpu, seeds=seeds)
        k = self._chunk(target, jaxpr, consts, in_avals, count, chunk_size, gpu)
        bounds = [(i, min(i + k, count)) for i in range(0, max(count, 1), k)]
        out_avals = jaxpr.out_avals
        if self.out == "dask":
            from .dask_arrays import chunked_array
            return chunked_array(target, prog, bounds, out_avals, gpu)
        xp = require_gpu() if gpu else np
        outs = [xp.empty((count,) + av.shape, av.dtype) for av in out_avals]

        def write(i: int, result: list) -> None:
            lo, hi = bounds[i]
            for o, r in zip(outs, result):
                o[lo:hi] = r if not gpu else xp.asarray(r)

        target.run(prog, "chunk", bounds, write)["chunk_size"] = k
        return outs

    def _chunk(self, target: Target, jaxpr: Jaxpr, consts: list,
               in_avals: Sequence[ShapedArray], count: int, chunk_size: Any, gpu: bool) -> int:
        if isinstance(chunk_size, int):
            return max(1, chunk_size)
        k = max(1, math.ceil(count / (CHUNKS_PER_WORKER * target.n_workers())))
        if chunk_size == "auto":
            k = min(k, self._fits(target, jaxpr, consts, in_avals, count, gpu))
        return k

    def _fits(self, target: Target, jaxpr: Jaxpr, consts: list,
              in_avals: Sequence[ShapedArray], count: int, gpu: bool) -> int:
        """The most seed vectors one task may take within its worker's memory budget."""
        from ..memory import DEFAULT_FRACTION, _check_max_memory, chunk_peak_model
        budget = _check_max_memory(self.max_memory, self.api) if self.max_memory is not None \
            else int(target.budget(gpu) * DEFAULT_FRACTION)
        resident = sum(int(getattr(c, "nbytes", 0)) for c in consts)
        a, b = chunk_peak_model(jaxpr, consts, in_avals)
        k = (budget - resident - a) // b
        if k < 1:
            raise ValueError(f"{self.api}: a worker's memory budget of {budget} bytes is too "
                             f"small: the program's constants take {resident} bytes and one "
                             f"seed vector about {a + b} more")
        return int(min(k, count))

    # --- vmap shards
    def map_shards(self, jaxpr: Jaxpr, consts: list, values: Sequence[Any],
                   dims: Sequence[int], size: int) -> tuple[list[Any], list[int | None]]:
        """``batch_jaxpr_eval(jaxpr, consts, values, dims)``, the batch axis (of length
        ``size``) split into shards, each one compiled batched call on a worker."""
        target = self.target()
        gpu = any(is_gpu_array(v) for v in [*consts, *values])
        in_avals = [ShapedArray(v.shape[:d] + v.shape[d + 1:], v.dtype)
                    for v, d in zip(values, dims)]
        prog = worker.Program("vmap", *jaxpr_bytes(jaxpr, f"{self.api}: the program"),
                              worker.host_values(consts),
                              in_avals, gpu, in_dims=dims)
        n = max(1, min(size // MIN_SHARD, CHUNKS_PER_WORKER * target.n_workers()))
        edges = [round(i * size / n) for i in range(n + 1)]
        bounds = [(lo, hi) for lo, hi in zip(edges, edges[1:]) if hi > lo] or [(0, 0)]
        tasks = [(worker.host_values([_take(v, d, lo, hi) for v, d in zip(values, dims)]),)
                 for lo, hi in bounds]
        results: list[Any] = [None] * len(tasks)

        def keep(i: int, result: Any) -> None:
            results[i] = result

        target.run(prog, "shard", tasks, keep)
        out_dims = results[0][1]
        xp = require_gpu() if gpu else np
        outs = []
        for j, d in enumerate(out_dims):
            parts = [r[0][j] for r in results]
            if gpu:
                parts = [xp.asarray(p) for p in parts]
            outs.append(parts[0] if d is None else
                        xp.concatenate(parts, axis=d) if len(parts) > 1 else parts[0])
        return outs, out_dims


def _take(x: Any, d: int, lo: int, hi: int) -> Any:
    return x[(slice(None),) * d + (slice(lo, hi),)]


__all__ = ["Remote", "remote_for", "CHUNKS_PER_WORKER"]
