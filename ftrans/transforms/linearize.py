"""Linearization: the jvp with known primal values, recorded as a linear jaxpr.

Given primal values (from a concrete trace), evaluating the jvp rules with the tangents as
fresh abstract tracers records only the tangent computation; everything that depends on
primals alone is computed at once and enters the linear jaxpr as a constant (a *residual*).
This is partial evaluation, done by the tracing machinery itself.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..core import Trace, Zero, instantiate
from ..ir import Jaxpr, Var
from .jvp import jvp_jaxpr_eval


def linearize_jaxpr(jaxpr: Jaxpr, values: dict[Var, Any], diff_mask: Sequence[bool],
                    consume: bool = False) -> tuple[Jaxpr, list[Any]]:
    """The linear map from the tangents of the inputs marked in ``diff_mask`` to the output
    tangents, as a jaxpr with its residuals. ``consume=True`` hands ``values`` over: primal
    values are released as soon as the rules no longer need them."""
    with Trace(concrete=False, why="linearization (tangents have no values)") as trace:
        tangents = [trace.new_arg(v.aval) if d else Zero(v.aval)
                    for v, d in zip(jaxpr.invars, diff_mask)]
        outs = jvp_jaxpr_eval(jaxpr, values if consume else dict(values), tangents,
                              consume=consume)
        outs = [instantiate(o) for o in outs]
        return trace.to_jaxpr(outs)
