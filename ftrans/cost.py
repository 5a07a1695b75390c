"""Cost estimates: flops of a jaxpr, and of the forward and reverse ways to a Jacobian.

Flops come from a small model, one rule per primitive: a primitive's ``cost`` attribute
(``cost(in_avals, out_avals, **params)``), else its family's: one flop per output element
for elementwise primitives, one per input element for reductions, none for shape primitives
(they move data), the programs they run for control-flow primitives, and one per output
element for anything else. ``dot_general`` declares its own (two per multiply-add).

``jacobian_cost`` traces everything abstractly — nothing runs: the jvp (vjp) of the function
batched over ``k`` basis tangents (cotangents) at two trial ``k``, which gives the cost as
``fixed + per_vector · k`` (the primal and linearization are paid once); peak bytes come
from ``ftrans.memory``.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from .api.batching import make_jaxpr, vmap
from .api.checks import arg_name, as_value, check_chunk_size, check_diff_dtype, normalize_argnums
from .api.derivatives import jvp, vjp, wrt
from .core import aval_of, trace_to_jaxpr
from .ir import ClosedJaxpr, Jaxpr, ShapedArray
from .memory import peak_bytes
from .prims.shape import reshape
from .prims.slicing import slice_
from .tree_util import tree_flatten, tree_unflatten


def _elementwise_cost(in_avals: Sequence[ShapedArray], out_avals: Sequence[ShapedArray],
                      /, **params: Any) -> int:
    return sum(av.size for av in out_avals)


def _reduction_cost(in_avals: Sequence[ShapedArray], out_avals: Sequence[ShapedArray],
                    /, **params: Any) -> int:
    return sum(av.size for av in in_avals)


def _free_cost(in_avals: Sequence[ShapedArray], out_avals: Sequence[ShapedArray],
               /, **params: Any) -> int:
    return 0


def _control_cost(in_avals: Sequence[ShapedArray], out_avals: Sequence[ShapedArray],
                  /, **params: Any) -> int:
    """Primitives that run programs of their own (cond, scan, while, custom rules): the
    flops of those, the costliest of a tuple of branches, times ``length`` for a scan (a
    while loop counts one trip: its trip count is not known before it runs)."""
    total = 0
    for value in params.values():
        progs = value if isinstance(value, tuple) else (value,)
        flops = [jaxpr_flops(p.jaxpr if isinstance(p, ClosedJaxpr) else p) for p in progs
                 if isinstance(p, (Jaxpr, ClosedJaxpr))]
        total += max(flops, default=0)
    return total * int(params.get("length", 1))


FAMILY_COST: dict[str, Callable[..., int]] = {
    "elementwise": _elementwise_cost,
    "reduction": _reduction_cost,
    "shape": _free_cost,
    "control": _control_cost,
}


def eqn_flops(eqn: Any) -> int:
    """Estimated flops of one equation, by its primitive's rule or its family's.

    Parameters
    ----------
    eqn : Eqn
        An equation of a jaxpr (``jaxpr.eqns[i]``).

    Returns
    -------
    flops : int
        The primitive's ``cost`` rule applied to the equation's avals and parameters, else
        its family's (one per output element for elementwise primitives, one per input
        element for reductions, none for shape primitives).

    Examples
    --------
    >>> import ftrans, numpy as np
    >>> eqn = ftrans.make_jaxpr(lambda x: x * 2.0)(np.ones(3)).jaxpr.eqns[0]
    >>> eqn_flops(eqn)
    3
    """
    rule = eqn.prim.cost or FAMILY_COST.get(eqn.prim.family, _elementwise_cost)
    return int(rule([a.aval for a in eqn.inputs], [v.aval for v in eqn.outputs],
                    **eqn.params))


def jaxpr_flops(jaxpr: Jaxpr) -> int:
    """Estimated flops of running ``jaxpr`` once: the sum of ``eqn_flops`` over its
    equations (control-flow primitives count the programs they run).

    Parameters
    ----------
    jaxpr : Jaxpr
        The program (``make_jaxpr(f)(*args).jaxpr``).

    Returns
    -------
    flops : int
        The estimate (two per multiply-add in ``dot_general``).

    Examples
    --------
    >>> import ftrans, numpy as np
    >>> jaxpr_flops(ftrans.make_jaxpr(lambda w, x: w @ x)(np.ones((3, 4)), np.ones(4)).jaxpr)
    24
    """
    return sum(eqn_flops(e) for e in jaxpr.eqns)


class JacobianCost(NamedTuple):
    """The estimated cost of one way to a Jacobian: ``passes`` jvps (forward) or vjps
    (reverse), batched ``chunk_size`` at a time (``None``: all at once). A named tuple, as
    ``jacobian_cost`` returns.

    Parameters
    ----------
    mode : str
        ``"forward"`` or ``"reverse"``.
    passes : int
        The number of jvps (input elements) or vjps (output elements).
    flops : int
        The estimated flops of all of them, the primal computation included.
    peak_bytes : int
        The estimated peak bytes of live values.
    chunk_size : int or None
        How many passes run batched at once (None: all).

    Examples
    --------
    >>> JacobianCost("forward", 3, 30, 96, None).passes
    3
    """

    mode: str
    passes: int
    flops: int
    peak_bytes: int
    chunk_size: int | None


def _seeded(fun: Callable, args: tuple, nums: tuple[int, ...], mode: str,
            diff_avals: list[ShapedArray], out_avals: list[ShapedArray], out_tree: Any,
            diff_trees: list[Any]) -> Callable:
    """``(*args, seed) -> J·seed`` (forward) or ``seedᵀ·J`` (reverse), seed flattened."""

    def split(seed: Any, avals: list[ShapedArray]) -> list[Any]:
        parts, off = [], 0
        for av in avals:
            piece = slice_(seed, (off,), (off + av.size,)) if len(avals) > 1 else seed
            parts.append(reshape(piece, av.shape))
            off += av.size
        return parts

    def seeded(*a: Any) -> Any:
        *xs, seed = a
        partial = wrt(fun, tuple(xs), {}, nums)
        diff = [xs[i] for i in nums]
        if mode == "forward":
            pieces = iter(split(seed, diff_avals))
            tangents = [tree_unflatten(t, [next(pieces) for _ in range(t.num_leaves)])
                        for t in diff_trees]
            return jvp(partial, diff, tangents)[1]
        _, pull = vjp(partial, *diff)
        return pull(tree_unflatten(out_tree, split(seed, out_avals)))

    return seeded


def jacobian_cost(fun: Callable, *args: Any, argnums: int | Sequence[int] = 0,
                  chunk_size: int | None = None) -> dict[str, JacobianCost]:
    """Estimated flops and peak bytes of computing the Jacobian of ``fun`` at ``args`` by
    forward mode (one jvp per input element) and by reverse mode (one vjp per output
    element), found by tracing abstractly: nothing runs. ``"best"`` names the cheaper one
    in flops.

    Parameters
    ----------
    fun : callable
        The function, of arrays (pytrees) to arrays (pytrees).
    *args
        Its arguments (arrays, Python numbers, pytrees); only their shapes and dtypes are
        used.
    argnums : int or sequence of int, optional
        The arguments differentiated (default 0); their dtypes must be inexact.
    chunk_size : int, optional
        Cost the passes batched this many at a time (default None: all at once), as
        ``jacobian(..., chunk_size=)`` runs them.

    Returns
    -------
    cost : dict
        ``"forward"`` and ``"reverse"``: a ``JacobianCost`` each; ``"best"``: the name of
        the cheaper in flops.

    Raises
    ------
    ValueError
        If ``argnums`` is out of range or ``chunk_size`` is not a positive integer.
    TypeError
        If a differentiated argument is not an array or number of an inexact dtype.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> c = ftrans.jacobian_cost(lambda x: fnp.sum(fnp.sin(x)), np.ones(100))
    >>> c["best"], c["forward"].passes, c["reverse"].passes
    ('reverse', 100, 1)
    """
    checked = check_chunk_size(chunk_size, "jacobian_cost")
    if isinstance(checked, str):
        raise ValueError("jacobian_cost: chunk_size must be a positive integer or None, "
                         "got 'auto'")
    chunk_size = checked
    nums = normalize_argnums(argnums, len(args), "jacobian_cost")
    diff_trees, diff_avals = [], []
    for i in nums:
        leaves, tree = tree_flatten(args[i])
        diff_trees.append(tree)
        for leaf in leaves:
            x = as_value(leaf, f"jacobian_cost: {arg_name(fun, i)}")
            check_diff_dtype(x, arg_name(fun, i), "jacobian_cost")
            diff_avals.append(aval_of(x).strip_weak())
    out_avals, out_tree = _outputs(fun, args)
    n = sum(av.size for av in diff_avals)
    m = sum(av.size for av in out_avals)
    dtype = np.result_type(*[av.dtype for av in diff_avals + out_avals])
    result: dict[str, Any] = {}
    for mode, count in (("forward", n), ("reverse", m)):
        seeded = _seeded(fun, args, nums, mode, diff_avals, out_avals, out_tree, diff_trees)
        batched = vmap(seeded, in_axes=(None,) * len(args) + (0,))
        k_run = count if chunk_size is None else min(chunk_size, count)

        def trace(k: int) -> Jaxpr:
            return make_jaxpr(batched)(*args, np.zeros((k, count), dtype)).jaxpr

        f1, f2 = jaxpr_flops(trace(1)), jaxpr_flops(trace(2))
        per = f2 - f1
        flops = f1 - per + per * count
        peak = peak_bytes(trace(k_run))
        if k_run < count:
            peak += count * (n if mode == "reverse" else m) * np.dtype(dtype).itemsize
        result[mode] = JacobianCost(mode, count, int(flops), int(peak),
                                    None if k_run == count else k_run)
    result["best"] = min(("forward", "reverse"), key=lambda md: result[md].flops)
    return result


def _outputs(fun: Callable, args: tuple) -> tuple[list[ShapedArray], Any]:
    """The avals and pytree structure of ``fun``'s output, found by an abstract trace."""
    leaves, in_tree = tree_flatten(args)
    box: list[Any] = []

    def flat(*xs: Any) -> list[Any]:
        out_flat, tree = tree_flatten(fun(*tree_unflatten(in_tree, xs)))
        box.append(tree)
        return out_flat

    jaxpr, _ = trace_to_jaxpr(flat, [aval_of(as_value(x, "jacobian_cost")).strip_weak()
                                     for x in leaves], "jacobian_cost")
    return jaxpr.out_avals, box[0]
