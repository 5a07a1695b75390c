"""Memory estimates from avals, and the chunk size that fits a budget.

The peak of a jaxpr run by the NumPy backend is estimated by walking its equations in
order: inputs are live throughout (the caller holds them), each equation's outputs become
live when it runs, and an intermediate is freed after its last use (outputs are kept to the
end), as the evaluators do. Constants are resident anyway and not counted. Every
intermediate counts in full, even where NumPy would return a view (broadcasts, transposes),
so the estimate errs high.

Jacobians batched over ``k`` basis vectors use memory affine in ``k``: estimating the batched
linear jaxpr abstractly at two trial sizes gives both coefficients, and ``auto_chunk_size``
solves for the largest ``k`` that fits, counting the full result that chunks are written into.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from .core import trace_to_jaxpr
from .ir import Jaxpr, ShapedArray, Var, last_uses

DEFAULT_FRACTION = 0.5


def available_memory() -> int:
    """Bytes of RAM available now: ``MemAvailable`` of /proc/meminfo, else free pages from
    ``os.sysconf``, else 4 GiB.

    >>> available_memory() > 0
    True
    """
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 4 << 30


def device_available_memory(cp: Any) -> int:
    """Bytes the GPU can still give: free device memory plus the blocks CuPy's memory pool
    holds but does not use."""
    free, _total = cp.cuda.runtime.memGetInfo()
    pool = cp.get_default_memory_pool()
    return int(free) + int(pool.total_bytes() - pool.used_bytes())


def default_budget(like: Sequence[Any] = (), gpu: bool = False) -> int:
    """The default ``max_memory``: a fraction (``DEFAULT_FRACTION``) of available RAM, or of
    the GPU's available memory for a computation on the GPU (``gpu``, or CuPy arrays among
    ``like``, the values the computation uses).

    >>> default_budget() > 0
    True
    """
    from .device import is_gpu_array, require_gpu
    if gpu or any(is_gpu_array(x) for x in like):
        return int(device_available_memory(require_gpu()) * DEFAULT_FRACTION)
    return int(available_memory() * DEFAULT_FRACTION)


def nbytes(aval: ShapedArray) -> int:
    return aval.size * aval.dtype.itemsize


def peak_bytes(jaxpr: Jaxpr) -> int:
    """Estimated peak bytes of live values while running ``jaxpr`` (constants excluded).

    Inputs are live throughout; each equation's outputs are added when it runs, and a value
    is freed after its last use.

    Parameters
    ----------
    jaxpr : Jaxpr
        The program (``make_jaxpr(f)(*args).jaxpr``).

    Returns
    -------
    nbytes : int
        The largest sum of the sizes of values live at once.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> peak_bytes(ftrans.make_jaxpr(lambda x: fnp.sin(fnp.cos(x)))(np.ones(100)).jaxpr)
    2400
    """
    last_use = last_uses(jaxpr.eqns, jaxpr.outvars)
    consts, inputs = set(jaxpr.constvars), set(jaxpr.invars)
    live = sum(nbytes(v.aval) for v in jaxpr.invars)
    peak = live
    for i, eqn in enumerate(jaxpr.eqns):
        live += sum(nbytes(v.aval) for v in eqn.outputs)
        peak = max(peak, live)
        for v in eqn.outputs:
            if v not in last_use:
                live -= nbytes(v.aval)
        for a in set(a for a in eqn.inputs if type(a) is Var):
            if last_use.get(a) == i and a not in consts and a not in inputs:
                live -= nbytes(a.aval)
    return peak


def batched_jaxpr(jaxpr: Jaxpr, consts: Sequence[Any], in_avals: Sequence[ShapedArray],
                  k: int) -> Jaxpr:
    """``jaxpr`` batched over ``k`` inputs (leading axis), traced abstractly: nothing runs."""
    from .prims.shape import move_batch_axis
    from .transforms.batch import batch_jaxpr_eval

    def batched(*xs: Any) -> list[Any]:
        outs, dims = batch_jaxpr_eval(jaxpr, consts, xs, [0] * len(xs))
        return [move_batch_axis(o, d, 0, k) for o, d in zip(outs, dims)]

    avals = [ShapedArray((k,) + av.shape, av.dtype) for av in in_avals]
    return trace_to_jaxpr(batched, avals, "a memory estimate of a batched program")[0]


def chunk_peak_model(jaxpr: Jaxpr, consts: Sequence[Any], in_avals: Sequence[ShapedArray]
                     ) -> tuple[int, int]:
    """``(a, b)`` with peak bytes ≈ ``a + b·k`` for ``jaxpr`` batched over ``k`` seeds."""
    p1 = peak_bytes(batched_jaxpr(jaxpr, consts, in_avals, 1))
    p2 = peak_bytes(batched_jaxpr(jaxpr, consts, in_avals, 2))
    b = max(p2 - p1, 1)
    return max(p1 - b, 0), b


def auto_chunk_size(jaxpr: Jaxpr, consts: Sequence[Any], in_avals: Sequence[ShapedArray],
                    count: int, max_memory: int | None, api: str, gpu: bool = False
                    ) -> int | None:
    """The largest chunk of the ``count`` seeds whose estimated peak, with the full result
    it is written into, fits ``max_memory`` bytes (default: ``default_budget(consts)``: RAM,
    or GPU memory for a computation on the GPU); ``None`` when all of them fit in one batch.

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> cj = ftrans.make_jaxpr(lambda x: 2.0 * x)(np.ones(100))
    >>> auto_chunk_size(cj.jaxpr, cj.consts, cj.in_avals, 100, 100_000, "jacfwd")
    12
    """
    budget = default_budget(consts, gpu) if max_memory is None \
        else _check_max_memory(max_memory, api)
    if count <= 1:
        return None
    a, b = chunk_peak_model(jaxpr, consts, in_avals)
    if a + b * count <= budget:
        return None
    result = count * sum(nbytes(v.aval) for v in jaxpr.outvars)
    k = (budget - result - a) // b
    if k < 1:
        raise ValueError(f"{api}: max_memory={budget} bytes is too small: the Jacobian alone "
                         f"takes {result} bytes and one basis vector about {a + b} more")
    return int(min(k, count))


def _check_max_memory(max_memory: Any, api: str) -> int:
    if isinstance(max_memory, bool) or not isinstance(max_memory, (int, np.integer)) \
            or max_memory <= 0:
        raise ValueError(f"{api}: max_memory must be a positive number of bytes, got "
                         f"{max_memory!r}")
    return int(max_memory)
