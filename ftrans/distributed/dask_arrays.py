"""Dask arrays in and out: ``out="dask"`` Jacobians and ``map_blocks``.

Both build lazy ``dask.array.Array`` graphs whose tasks run a shipped program on a worker
(``worker.run_keyed``): nothing is computed until the array is (``.compute()``,
``.persist()``, a reduction...), and each block is computed, reduced and freed on the
workers, so a Jacobian larger than one machine's memory never has to be gathered. Blocks
are NumPy arrays, or CuPy arrays on the worker's GPU when the inputs were CuPy arrays (the
arrays' ``meta`` says which).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import trace_to_jaxpr
from ..device import is_gpu_array
from ..ir import ShapedArray
from ..tree_util import tree_flatten, tree_unflatten
from . import worker
from .executors import Target
from .pickling import digest, dumps, jaxpr_bytes


def _meta(av: ShapedArray, gpu: bool, ndim: int) -> Any:
    if gpu:
        from ..device import require_gpu
        return require_gpu().empty((0,) * ndim, av.dtype)
    return np.empty((0,) * ndim, av.dtype)


def chunk_outputs(key: str, payload: Any, lo: int, hi: int) -> list[Any]:
    """A Jacobian chunk's outputs, for a Dask graph (``worker.run_keyed`` without the id)."""
    return worker.run_keyed(key, payload, "chunk", lo, hi)[1]


def block_outputs(key: str, payload: Any, *blocks: Any) -> list[Any]:
    """A ``map_blocks`` block's outputs, for a Dask graph."""
    return worker.run_keyed(key, payload, "call", *blocks)[1]


def chunked_array(target: Target, prog: worker.Program, bounds: Sequence[tuple[int, int]],
                  out_avals: Sequence[ShapedArray], gpu: bool) -> list[Any]:
    """One lazy Dask array per output of the linear program, of shape (count, *out shape),
    chunked by ``bounds``: block ``i`` is chunk ``bounds[i]``, computed on a worker. The
    program's pickled bytes are a node of the graph (as ``map_blocks``'s), not scattered
    data: a lazy array may be computed long after a worker holding the only copy of
    scattered data died, and Dask can send a graph's node again but not lost data."""
    import uuid

    import dask
    import dask.array as da
    payload = dumps(prog, f"{target.api}: the program")
    key, fut = digest(payload), dask.delayed(payload, pure=True)
    token = uuid.uuid4().hex[:12]
    blocks: list[list[Any]] = [[] for _ in out_avals]
    for i, (lo, hi) in enumerate(bounds):
        d = dask.delayed(chunk_outputs, pure=True)(
            key, fut, lo, hi, dask_key_name=f"ftrans-chunk-{token}-{i}")
        for j, av in enumerate(out_avals):
            blocks[j].append(da.from_delayed(d[j], (hi - lo,) + av.shape, dtype=av.dtype,
                                             meta=_meta(av, gpu, av.ndim + 1)))
    return [da.concatenate(b, axis=0) if len(b) > 1 else b[0] for b in blocks]


def is_dask_array(x: Any) -> bool:
    """Whether ``x`` is a ``dask.array.Array`` (without importing Dask)."""
    return type(x).__module__.startswith("dask.array") and hasattr(x, "chunks")


def vmap_blocks(batched: Callable, args: tuple, kwargs: dict, axes: Sequence[Any],
                out_axes: Any, owners: Sequence[str]) -> Any:
    """``vmap`` given Dask arrays: ``map_blocks(batched, *args)``, the mapped leaves split
    along axis 0 (NumPy ones too, in the Dask arrays' blocks). ``axes`` and ``owners``: each
    leaf's ``in_axes`` entry and its name, for messages."""
    import dask.array as da
    if kwargs:
        raise TypeError("vmap over Dask arrays takes positional arguments only, got keyword "
                        f"argument(s) {sorted(kwargs)}")
    if out_axes != 0:
        raise ValueError(f"vmap over Dask arrays maps outputs along axis 0 (out_axes=0), got "
                         f"out_axes={out_axes!r}")
    leaves, tree = tree_flatten(args)
    rows = next((x.chunks[0] for x, ax in zip(leaves, axes) if ax is not None
                and is_dask_array(x) and x.ndim), None)
    for i, (x, ax) in enumerate(zip(leaves, axes)):
        if ax is None:
            if is_dask_array(x):
                raise ValueError(f"vmap: input leaf {i} ({owners[i]}) is an unmapped Dask "
                                 "array (in_axes=None); compute it first (x.compute())")
        elif ax not in (0, -len(getattr(x, "shape", ()))):
            raise ValueError(f"vmap over Dask arrays maps along axis 0, but input leaf {i} "
                             f"({owners[i]}) has in_axes={ax}; move the axis first")
        elif not is_dask_array(x):
            leaves[i] = da.from_array(np.asarray(x), chunks=(rows,) + (-1,) * (np.ndim(x) - 1)) \
                if rows and np.shape(x)[:1] == (sum(rows),) else da.from_array(np.asarray(x))
    return map_blocks(batched, *tree_unflatten(tree, leaves))


def map_blocks(f: Callable, *args: Any) -> Any:
    """Apply a batched function to each block of rows of Dask arrays, lazily.

    The Dask arrays are split along their first axis, in the chunks of the first of them
    (the others are rechunked to match; other axes become whole, as a batched function needs
    whole rows); the other arguments (NumPy arrays, pytrees of them, numbers) go to every
    block. ``f`` is traced once per distinct block length, in the caller (closures and
    lambdas are fine: only the traced program travels, once per worker).

    Parameters
    ----------
    f : callable
        A batched function such as ``ftrans.vmap(ftrans.grad(loss), in_axes=(None, 0, 0))``;
        its outputs must have the block's rows as their first axis.
    *args : dask.array.Array, arrays, numbers or pytrees of them
        At least one Dask array; every Dask array has the same number of rows.

    Returns
    -------
    pytree of dask.array.Array
        ``f``'s output structure with a lazy Dask array for each leaf, whose chunks and
        ``meta`` (NumPy, or CuPy for CuPy-backed inputs) are known before anything runs.

    Raises
    ------
    TypeError
        None of ``args`` is a Dask array.
    ValueError
        A Dask array argument is 0-d, or its number of rows differs from the first one's.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np, dask.array as da
    >>> x = da.from_array(np.arange(6.0).reshape(3, 2), chunks=(2, 2))
    >>> g = map_blocks(ftrans.vmap(ftrans.grad(lambda r: fnp.sum(r ** 2))), x)
    >>> g.chunks, g.compute(scheduler="sync").tolist()
    (((2, 1), (2,)), [[0.0, 2.0], [4.0, 6.0], [8.0, 10.0]])
    """
    import uuid

    import dask
    import dask.array as da
    leaves, in_tree = tree_flatten(args)
    where = [i for i, x in enumerate(leaves) if is_dask_array(x)]
    if not where:
        raise TypeError("map_blocks: none of the arguments is a dask.array.Array; give at "
                        "least one (the arrays whose rows are split into blocks)")
    first = leaves[where[0]]
    for i in where:
        a = leaves[i]
        if a.ndim == 0:
            raise ValueError(f"map_blocks: Dask array argument leaf {i} is 0-d; its rows are "
                             "split into blocks, so it needs at least one axis")
        if a.shape[0] != first.shape[0]:
            raise ValueError(f"map_blocks: Dask array argument leaf {i} has shape {a.shape}, "
                             f"but the first one has {first.shape[0]} rows: every Dask array "
                             "is split along its first axis, which must have the same length")
    rows = first.chunks[0]
    arrays = [leaves[i].rechunk({0: rows, **{ax: -1 for ax in range(1, leaves[i].ndim)}})
              for i in where]
    gpu = any(is_gpu_array(getattr(a, "_meta", None)) for a in arrays)
    programs: dict[int, tuple[str, Any, list[ShapedArray], Any]] = {}
    for n in dict.fromkeys(rows):  # the first block's length first
        programs[n] = _block_program(f, leaves, in_tree, where, arrays, n, gpu)
    per_block = [a.to_delayed().reshape(-1) for a in arrays]
    token = uuid.uuid4().hex[:12]
    out_tree: Any = None
    blocks: list[list[Any]] = []
    for b, n in enumerate(rows):
        key, payload, out_avals, out_tree = programs[n]
        d = dask.delayed(block_outputs, pure=True)(
            key, payload, *[p[b] for p in per_block], dask_key_name=f"ftrans-block-{token}-{b}")
        if not blocks:
            blocks = [[] for _ in out_avals]
        for j, av in enumerate(out_avals):
            blocks[j].append(da.from_delayed(d[j], av.shape, dtype=av.dtype,
                                             meta=_meta(av, gpu, av.ndim)))
    outs = [da.concatenate(b, axis=0) if len(b) > 1 else b[0] for b in blocks]
    return tree_unflatten(out_tree, outs)


def _block_program(f: Callable, leaves: list, in_tree: Any, where: list[int],
                   arrays: list, n: int, gpu: bool) -> tuple[str, Any, list[ShapedArray], Any]:
    """``f`` traced for blocks of ``n`` rows, pickled and put in the graph (once: Dask
    sends it to each worker that needs it)."""
    import dask
    avals = [ShapedArray((n,) + a.shape[1:], a.dtype) for a in arrays]
    box: list[Any] = []

    def flat_fun(*xs: Any) -> list[Any]:
        full = list(leaves)
        for i, x in zip(where, xs):
            full[i] = x
        out_flat, out_tree = tree_flatten(f(*tree_unflatten(in_tree, full)))
        box.append(out_tree)
        return out_flat

    jaxpr, consts = trace_to_jaxpr(flat_fun, avals)
    name = getattr(f, "__name__", type(f).__name__)
    for j, av in enumerate(jaxpr.out_avals):
        if av.ndim == 0 or av.shape[0] != n:
            raise ValueError(f"map_blocks: output leaf {j} of {name} has shape {av.shape} for "
                             f"a block of {n} rows; each output must have the block's rows as "
                             "its first axis (map a batched function: ftrans.vmap(...))")
    what = f"map_blocks: the program of {name}"
    prog = worker.Program("call", *jaxpr_bytes(jaxpr, what), worker.host_values(consts), avals,
                          gpu)
    payload = dumps(prog, what)
    return (digest(payload), dask.delayed(payload, pure=True), list(jaxpr.out_avals),
            box[0])


__all__ = ["chunked_array", "map_blocks", "vmap_blocks", "is_dask_array", "chunk_outputs",
           "block_outputs"]
