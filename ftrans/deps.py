"""Dependency patterns: which function inputs each element of a value depends on.

A ``Deps`` is a boolean matrix of shape ``(size, n)``: row ``i`` marks the (flattened)
function inputs that element ``i`` of a value depends on. It is kept as sorted, duplicate-free
COO ``(rows, cols)`` arrays, or marked dense when it would grow past ``MAX_NNZ`` entries.
Propagating patterns through a jaxpr, one rule per equation, gives the structural sparsity
of the function's Jacobian: the pattern of its outputs (``jaxpr_deps``).

A primitive's rule is its ``deps`` attribute, else its family's:

- elementwise: element ``i`` of the output depends on element ``i`` of each operand (on
  the single element of a scalar operand);
- shape (broadcast, reshape, transpose, slice, pad, concatenate, rev, ...): every output
  element copies one input element or none, so running the primitive's ``impl`` on element
  ids gives the map (``copy_deps``);
- reduction: an output element depends on the input elements reduced into it;
- anything else: every output element depends on all that any input depends on (dense,
  conservative).

Each rule is ``rule(prim, ins, in_avals, out_avals, **params) -> list[Deps]``. Outputs of
non-float dtype, and of primitives whose derivative is identically zero, depend on nothing.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .ir import Jaxpr, Literal, ShapedArray, Var, is_float_dtype

MAX_NNZ = 20_000_000


class Deps:
    """A boolean ``(size, n)`` dependency matrix as sorted COO, or dense (``rows is None``).

    >>> d = identity(3, 0, 3)
    >>> d.nnz, d.rows.tolist(), d.cols.tolist()
    (3, [0, 1, 2], [0, 1, 2])
    """

    __slots__ = ("size", "n", "rows", "cols")

    def __init__(self, size: int, n: int, rows: np.ndarray | None, cols: np.ndarray | None):
        self.size, self.n, self.rows, self.cols = size, n, rows, cols

    @property
    def dense(self) -> bool:
        return self.rows is None

    def coo(self) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, cols)`` of a sparse (not dense) ``Deps``.

        >>> [a.tolist() for a in identity(2, 1, 3).coo()]
        [[0, 1], [1, 2]]
        """
        if self.rows is None or self.cols is None:
            raise ValueError("a dense Deps has no COO pattern")
        return self.rows, self.cols

    @property
    def nnz(self) -> int:
        return self.size * self.n if self.rows is None else len(self.rows)

    @property
    def empty(self) -> bool:
        return self.nnz == 0

    def __repr__(self) -> str:
        return f"Deps({self.size}x{self.n}, {'dense' if self.dense else f'nnz={self.nnz}'})"


_I = np.int64


def empty(size: int, n: int) -> Deps:
    return Deps(size, n, np.zeros(0, _I), np.zeros(0, _I))


def dense(size: int, n: int) -> Deps:
    return Deps(size, n, None, None) if size and n else empty(size, n)


def identity(size: int, offset: int, n: int) -> Deps:
    """Element i depends on input ``offset + i``."""
    r = np.arange(size, dtype=_I)
    return Deps(size, n, r, r + offset)


def _make(size: int, n: int, rows: np.ndarray, cols: np.ndarray) -> Deps:
    """Sort and deduplicate; dense when too large."""
    if len(rows) > MAX_NNZ:
        return dense(size, n)
    keys = unique_sorted(rows.astype(_I) * n + cols.astype(_I))
    return Deps(size, n, keys // n, keys % n)


def unique_sorted(keys: np.ndarray) -> np.ndarray:
    """``np.unique`` of integer keys, by one sort (faster here than NumPy's hashing)."""
    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


def union(parts: Sequence[Deps]) -> Deps:
    """Element-wise union of patterns of the same size."""
    size, n = parts[0].size, parts[0].n
    if any(p.dense for p in parts):
        return dense(size, n)
    parts = [p for p in parts if not p.empty]
    if len(parts) <= 1:
        return parts[0] if parts else empty(size, n)
    return _make(size, n, np.concatenate([p.rows for p in parts]),
                 np.concatenate([p.cols for p in parts]))


def stack(parts: Sequence[Deps]) -> Deps:
    """The patterns one after another (rows of the second follow those of the first)."""
    n = parts[0].n
    size = sum(p.size for p in parts)
    if any(p.dense and p.size for p in parts):
        return dense(size, n)
    offsets = np.cumsum([0] + [p.size for p in parts[:-1]])
    return Deps(size, n, np.concatenate([p.rows + o for p, o in zip(parts, offsets)]),
                np.concatenate([p.cols for p in parts]))


def ranges(ptr: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(ptr[i], ptr[i + 1])`` for each ``i`` in ``idx``."""
    starts, lens = ptr[idx], ptr[idx + 1] - ptr[idx]
    total = int(lens.sum())
    if not total:
        return np.zeros(0, _I)
    shift = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
    return np.arange(total, dtype=_I) + shift


def gather(d: Deps, src: np.ndarray) -> Deps:
    """Output element ``i`` depends on what element ``src[i]`` of ``d`` does (nothing where
    ``src[i] < 0``)."""
    src = np.asarray(src, _I).reshape(-1)
    if d.dense:
        return dense(len(src), d.n) if (src >= 0).any() else empty(len(src), d.n)
    d_rows, d_cols = d.coo()
    ptr = np.searchsorted(d_rows, np.arange(d.size + 1, dtype=_I))
    valid = np.nonzero(src >= 0)[0]
    picked = src[valid]
    counts = ptr[picked + 1] - ptr[picked]
    rows = np.repeat(valid, counts)
    if len(rows) > MAX_NNZ:
        return dense(len(src), d.n)
    # each output row copies one sorted, duplicate-free source row: the result stays sorted
    return Deps(len(src), d.n, rows, d_cols[ranges(ptr, picked)])


def scatter(d: Deps, dst: np.ndarray, out_size: int) -> Deps:
    """Element ``i`` of ``d`` flows into output element ``dst[i]`` (a many-to-one map)."""
    if d.dense:
        return dense(out_size, d.n)
    d_rows, d_cols = d.coo()
    return _make(out_size, d.n, np.asarray(dst, _I).reshape(-1)[d_rows], d_cols)


def project(shape: Sequence[int], keep: Sequence[int]) -> np.ndarray:
    """For each element of an array of ``shape``, its flat index in the array made of the
    axes ``keep`` (in that order) alone.

    >>> project((2, 3), (1,)).tolist()
    [0, 1, 2, 0, 1, 2]
    """
    size = int(np.prod(shape, dtype=_I))
    if not keep:
        return np.zeros(size, _I)
    coords = np.unravel_index(np.arange(size, dtype=_I), tuple(shape))
    return np.ravel_multi_index([coords[k] for k in keep], [shape[k] for k in keep]).astype(_I)


# ----------------------------------------------------------------------------- family rules

def elementwise_deps(prim: Any, ins: Sequence[Deps], in_avals: Sequence[ShapedArray],
                     out_avals: Sequence[ShapedArray], /, **params: Any) -> list[Deps]:
    size = out_avals[0].size
    parts = [d if d.size == size else gather(d, np.zeros(size, _I)) for d in ins]
    return [union(parts)]


def copy_deps(prim: Any, ins: Sequence[Deps], in_avals: Sequence[ShapedArray],
              out_avals: Sequence[ShapedArray], /, **params: Any) -> list[Deps]:
    """Run ``prim.impl`` on the ids of the input elements to see where each output element
    comes from; padding values of ``pad`` are operands too, so they get ids as well.
    Operands that are not float (indices, say) would not be copies: dense, then."""
    if not all(is_float_dtype(av.dtype) for av in in_avals):
        return dense_deps(prim, ins, in_avals, out_avals, **params)
    offsets = np.cumsum([0] + [av.size for av in in_avals])
    ids = [np.arange(o, o + av.size, dtype=_I).reshape(av.shape)
           for o, av in zip(offsets, in_avals)]
    src = np.asarray(prim.impl(np, *ids, **params), _I).reshape(-1)
    return [gather(stack(ins), src)]


def reduction_deps(prim: Any, ins: Sequence[Deps], in_avals: Sequence[ShapedArray],
                   out_avals: Sequence[ShapedArray], /, **params: Any) -> list[Deps]:
    if "axes" not in params or len(ins) != 1:  # not a plain reduction over ``axes``
        return dense_deps(prim, ins, in_avals, out_avals, **params)
    axes = params["axes"]
    (x,), (av,), (out,) = ins, in_avals, out_avals
    kept = [i for i in range(av.ndim) if i not in axes]
    return [scatter(x, project(av.shape, kept), out.size)]


def dense_deps(prim: Any, ins: Sequence[Deps], in_avals: Sequence[ShapedArray],
               out_avals: Sequence[ShapedArray], /, **params: Any) -> list[Deps]:
    """Conservative: every output element depends on every input any operand depends on."""
    n = ins[0].n
    if any(d.dense for d in ins):
        return [dense(av.size, n) for av in out_avals]
    cols = np.unique(np.concatenate([d.cols for d in ins]))
    outs = []
    for av in out_avals:
        if av.size * len(cols) > MAX_NNZ:
            outs.append(dense(av.size, n))
        else:
            outs.append(Deps(av.size, n, np.repeat(np.arange(av.size, dtype=_I), len(cols)),
                             np.tile(cols, av.size)))
    return outs


FAMILY_DEPS: dict[str, Callable] = {
    "elementwise": elementwise_deps,
    "shape": copy_deps,
    "reduction": reduction_deps,
}


def rule_for(prim: Any) -> Callable:
    """The primitive's own dependency rule, else its family's, else the dense one."""
    return prim.deps or FAMILY_DEPS.get(prim.family, dense_deps)


# ----------------------------------------------------------------------------- jaxprs

def jaxpr_deps(jaxpr: Jaxpr) -> list[Deps]:
    """The dependency pattern of each output of ``jaxpr`` on its flattened inputs (all
    invars, one after another); constants depend on nothing.

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> cj = ftrans.make_jaxpr(lambda x: fnp.sin(x) * 2.0)(np.ones(3))
    >>> jaxpr_deps(cj.jaxpr)[0].cols.tolist()
    [0, 1, 2]
    """
    from .prims.families import zero_jvp
    n = sum(v.aval.size for v in jaxpr.invars)
    env: dict[Var, Deps] = {}
    off = 0
    for v in jaxpr.invars:
        env[v] = identity(v.aval.size, off, n)
        off += v.aval.size

    def read(a: Any) -> Deps:
        if type(a) is Literal or a not in env:
            return empty(a.aval.size, n)
        return env[a]

    for eqn in jaxpr.eqns:
        ins = [read(a) for a in eqn.inputs]
        out_avals = [v.aval for v in eqn.outputs]
        constant = eqn.prim.jvp is zero_jvp or (  # sign: piecewise constant on reals only
            getattr(eqn.prim.jvp, "zero_on_reals", False)
            and not any(a.aval.dtype.kind == "c" for a in eqn.inputs))
        if all(d.empty for d in ins) or constant or not any(
                is_float_dtype(av.dtype) for av in out_avals):
            outs = [empty(av.size, n) for av in out_avals]
        else:
            outs = rule_for(eqn.prim)(eqn.prim, ins, [a.aval for a in eqn.inputs], out_avals,
                                      **eqn.params)
        for v, d in zip(eqn.outputs, outs):
            env[v] = d if is_float_dtype(v.aval.dtype) else empty(v.aval.size, n)
    return [read(a) for a in jaxpr.outvars]
