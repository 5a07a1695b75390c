"""Batching (vmap): run a jaxpr on arrays with an extra batch axis.

Each value carries the position of its batch axis, or ``None`` when it is the same for the
whole batch. An equation whose inputs are all unbatched is applied as is; otherwise the
primitive's ``batch`` rule applies it to the batched operands and says where the output's
batch axis is. A primitive without a rule is an error, never a silent Python loop.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..core import bind
from ..ir import Jaxpr, Literal, Var
from ..prims.shape import broadcast_in_dim, moveaxis


def batch_jaxpr_eval(jaxpr: Jaxpr, consts: Sequence[Any], args: Sequence[Any],
                     dims: Sequence[int | None]) -> tuple[list[Any], list[int | None]]:
    """Evaluate ``jaxpr`` on batched ``args``; returns outputs and their batch dims."""
    env: dict[Var, tuple[Any, int | None]] = {v: (c, None) for v, c in
                                              zip(jaxpr.constvars, consts)}
    env.update((v, (a, d)) for v, a, d in zip(jaxpr.invars, args, dims))

    def read(a: Any) -> tuple[Any, int | None]:
        return (a.val, None) if type(a) is Literal else env[a]

    last_use = {a: i for i, eqn in enumerate(jaxpr.eqns) for a in eqn.inputs
                if type(a) is Var}
    last_use.update((a, len(jaxpr.eqns)) for a in jaxpr.outvars if type(a) is Var)
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


def move_batch_axis(x: Any, dim: int | None, out_axis: int | None, size: int) -> Any:
    """Put ``x``'s batch axis at ``out_axis``, broadcasting an unbatched ``x``."""
    from ..prims.families import shape_of
    if out_axis is None:
        if dim is not None:
            raise ValueError("vmap: out_axes=None requires the output to be unbatched, but it "
                             "depends on the mapped inputs")
        return x
    if dim is None:
        shape = shape_of(x)
        out_axis = out_axis % (len(shape) + 1)
        out_shape = shape[:out_axis] + (size,) + shape[out_axis:]
        keep = tuple(i for i in range(len(out_shape)) if i != out_axis)
        return broadcast_in_dim(x, out_shape, keep)
    return moveaxis(x, dim, out_axis)
