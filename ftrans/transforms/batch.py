"""Batching (vmap): run a jaxpr on arrays with an extra batch axis.

Each value carries the position of its batch axis, or ``None`` when it is the same for the
whole batch. An equation whose inputs are all unbatched is applied as is; otherwise the
primitive's ``batch`` rule applies it to the batched operands and says where the output's
batch axis is. A primitive without a rule is an error, never a silent Python loop. Moving
batch axes is the callers' business (``prims.shape.move_batch_axis``): this module names no
primitive.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..core import aval_of, bind, trace_to_jaxpr
from ..ir import Jaxpr, Literal, ShapedArray, Var, last_uses
from ..tree_util import PyTreeDef, refill, tree_flatten


def batch_jaxpr_eval(jaxpr: Jaxpr, consts: Sequence[Any], args: Sequence[Any],
                     dims: Sequence[int | None]) -> tuple[list[Any], list[int | None]]:
    """Evaluate ``jaxpr`` on batched ``args``; returns outputs and their batch dims."""
    env: dict[Var, tuple[Any, int | None]] = {v: (c, None) for v, c in
                                              zip(jaxpr.constvars, consts)}
    env.update((v, (a, d)) for v, a, d in zip(jaxpr.invars, args, dims))

    def read(a: Any) -> tuple[Any, int | None]:
        return (a.val, None) if type(a) is Literal else env[a]

    last_use = last_uses(jaxpr.eqns, jaxpr.outvars)
    for i, eqn in enumerate(jaxpr.eqns):
        vals, ds = zip(*[read(a) for a in eqn.inputs]) if eqn.inputs else ((), ())
        if all(d is None for d in ds):
            out = bind(eqn.prim, vals, eqn.params)
            out_dims: Any = [None] * len(eqn.outputs) if eqn.prim.multiple_results else None
        else:
            if eqn.prim.batch is None:
                raise NotImplementedError(f"vmap: primitive '{eqn.prim.name}' has no batch "
                                          "rule")
            out, out_dims = eqn.prim.batch(vals, ds, **eqn.params)
        if eqn.prim.multiple_results:
            env.update((v, (o, d)) for v, o, d in zip(eqn.outputs, out, out_dims))
        else:
            env[eqn.outputs[0]] = (out, out_dims)
        for a in eqn.inputs:  # drop values after their last use: batches can be large
            if type(a) is Var and last_use.get(a) == i:
                env.pop(a, None)
    outs = [read(a) for a in jaxpr.outvars]
    return [o for o, _ in outs], [d for _, d in outs]


def batch_fun(fun: Callable[..., Any], args: Sequence[Any], dims: Sequence[int | None],
              why: str = "vmap", evaluate: Callable[..., Any] = batch_jaxpr_eval
              ) -> tuple[list[Any], list[int | None], PyTreeDef, list[Any]]:
    """``fun`` (flat array arguments, a pytree of results) applied to ``args`` batched along
    ``dims`` (``None``: the same for the whole batch): traced once abstractly on one
    example's shapes (only the batched arguments are traced; ``why`` names the
    transformation for ``ConcretizationError``), then its jaxpr evaluated batched (by
    ``evaluate``, with ``batch_jaxpr_eval``'s arguments and results). Returns the result's
    leaves, their batch dims, the result's tree, and the values ``fun`` closed over (the
    jaxpr's constants).

    >>> import numpy as np
    >>> outs, out_dims, _, _ = batch_fun(lambda x, y: x * y, [np.arange(3.0), 2.0], [0, None])
    >>> outs, out_dims
    ([array([0., 2., 4.])], [0])
    """
    mapped = [i for i, d in enumerate(dims) if d is not None]
    box: list[PyTreeDef] = []

    def traced(*xs: Any) -> list[Any]:
        leaves, tree = tree_flatten(fun(*refill(args, mapped, xs)))
        box.append(tree)
        return leaves

    avals = []
    for i in mapped:
        av, d = aval_of(args[i]), dims[i]
        avals.append(ShapedArray(av.shape[:d] + av.shape[d + 1:], av.dtype))
    jaxpr, consts = trace_to_jaxpr(traced, avals, why)
    outs, out_dims = evaluate(jaxpr, consts, [args[i] for i in mapped],
                              [dims[i] for i in mapped])
    return outs, out_dims, box[0], consts
