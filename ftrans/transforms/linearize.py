"""Linearization: the jvp with known primal values, recorded as a linear jaxpr.

Given primal values (from a concrete trace), evaluating the jvp rules with the tangents as
fresh abstract tracers records only the tangent computation; everything that depends on
primals alone is computed at once and enters the linear jaxpr as a constant (a *residual*).
This is partial evaluation, done by the tracing machinery itself; with abstract primals
(``partial_eval``, for the bodies of control-flow primitives) the primal part is recorded
too, as a second jaxpr.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..core import Trace, Zero, instantiate
from ..ir import ClosedJaxpr, Jaxpr, Literal, Var
from .jvp import jaxpr_values, jvp_jaxpr_eval

LINEARIZE_WHY = "linearization (tangents have no values)"  # ConcretizationError's words


def _linear_part(jaxpr: Jaxpr, values: dict[Var, Any], diff_mask: Sequence[bool],
                 consume: bool) -> tuple[Jaxpr, list[Any]]:
    """The tangent map of ``jaxpr`` at ``values`` (completed here) and its residuals."""
    with Trace(concrete=False, why=LINEARIZE_WHY) as trace:
        tangents = [trace.new_arg(v.aval) if d else Zero(v.aval)
                    for v, d in zip(jaxpr.invars, diff_mask)]
        outs = jvp_jaxpr_eval(jaxpr, values, tangents, consume=consume)
        return trace.to_jaxpr([instantiate(o) for o in outs])


def linearize_jaxpr(jaxpr: Jaxpr, values: dict[Var, Any], diff_mask: Sequence[bool],
                    consume: bool = False) -> tuple[Jaxpr, list[Any]]:
    """The linear map from the tangents of the inputs marked in ``diff_mask`` to the output
    tangents, as a jaxpr with its residuals. ``consume=True`` hands ``values`` over: primal
    values are released as soon as the rules no longer need them."""
    return _linear_part(jaxpr, values if consume else dict(values), diff_mask, consume)


def partial_eval(cj: ClosedJaxpr, diff: Sequence[bool]) -> tuple[ClosedJaxpr, ClosedJaxpr]:
    """Split ``cj`` symbolically into ``known: primals -> (outputs, residuals)`` and
    ``lin: (residuals, tangents of the inputs marked in diff) -> output tangents`` (all of
    them, zeros instantiated): linearization with abstract primals.

    >>> import ftrans, numpy as np
    >>> known, lin = partial_eval(ftrans.make_jaxpr(lambda x: x * x)(3.0), [True])
    >>> print(known.jaxpr)
    { lambda ; a:f64[]. let b:f64[] = mul a a in (b, a) }
    """
    with Trace(concrete=False, why="partial evaluation of a control-flow body") as outer:
        values = jaxpr_values(cj.jaxpr, cj.consts, [outer.new_arg(av) for av in cj.in_avals])
        lin_jaxpr, residuals = _linear_part(cj.jaxpr, values, diff, consume=False)
        outs = [a.val if type(a) is Literal else values[a] for a in cj.jaxpr.outvars]
        known_jaxpr, known_consts = outer.to_jaxpr(outs + residuals)
    lin = Jaxpr((), [*lin_jaxpr.constvars, *lin_jaxpr.invars], lin_jaxpr.eqns,
                lin_jaxpr.outvars)
    return ClosedJaxpr(known_jaxpr, known_consts), ClosedJaxpr(lin, [])
