"""Forward mode: push tangents through a jaxpr.

For each equation ``y = p(x1, ..., xn)`` the tangent is ``ẏ = Σ ∂p/∂xi · ẋi``, which the
primitive's ``jvp`` rule computes from the primal inputs, the primal output and the input
tangents. Tangents known to be zero are carried as ``Zero`` and skipped.

Primal values come from ``values`` (recorded by a concrete trace, so there is no second
forward pass); missing ones are computed by binding the equation.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import core
from ..config import check_rule, nans_checked
from ..core import Zero, bind
from ..ir import ClosedJaxpr, Jaxpr, Literal, Var, last_uses


def jvp_jaxpr_eval(jaxpr: Jaxpr, values: dict[Var, Any], tangents: Sequence[Any],
                   tangent_env: dict[Var, Any] | None = None, consume: bool = False
                   ) -> list[Any]:
    """Output tangents of ``jaxpr`` for input ``tangents`` (``Zero`` allowed).

    ``values`` maps the jaxpr's variables to primal values; it must hold the constvars and
    invars, and is completed here for any equation not yet evaluated. ``tangent_env``, if
    given, receives every variable's non-zero tangent. With ``consume=True`` each primal
    value is dropped from ``values`` after the last equation that reads it (only what the
    rules captured stays alive: the residuals).
    """
    drop: dict[int, list[Var]] = {}
    if consume:  # only big values are worth the bookkeeping
        big = [(i, v) for i, eqn in enumerate(jaxpr.eqns) for v in eqn.outputs
               if type(x := values.get(v)) is np.ndarray and x.nbytes >= 1 << 16]
        if big:
            uses, end = last_uses(jaxpr.eqns, jaxpr.outvars), len(jaxpr.eqns)
            for i, v in big:
                if uses.get(v, i) < end:
                    drop.setdefault(uses.get(v, i), []).append(v)
        consume = bool(drop)
    tan: dict[Var, Any] = {} if tangent_env is None else tangent_env
    for v, t in zip(jaxpr.invars, tangents):
        if type(t) is not Zero:
            tan[v] = t

    def primal(a: Any) -> Any:
        return a.val if type(a) is Literal else values[a]

    for i, eqn in enumerate(jaxpr.eqns):
        if consume and i > 0:
            for v in drop.get(i - 1, ()):
                values.pop(v, None)
        outputs = eqn.outputs
        if outputs[0] not in values:
            out = bind(eqn.prim, [primal(a) for a in eqn.inputs], eqn.params)
            for v, o in zip(outputs, out if eqn.prim.multiple_results else (out,)):
                values[v] = o
        t_in = [tan.get(a) if type(a) is Var else None for a in eqn.inputs]
        n_zero = 0
        for t in t_in:  # identity tests: tracers overload ==
            if t is None:
                n_zero += 1
        if n_zero == len(t_in):
            continue
        if n_zero:
            t_in = [Zero(a.aval) if t is None else t for a, t in zip(eqn.inputs, t_in)]
        if eqn.prim.jvp is None:
            raise NotImplementedError(f"differentiation rule for '{eqn.prim.name}' is not "
                                      "implemented")
        primals = [a.val if type(a) is Literal else values[a] for a in eqn.inputs]
        if eqn.prim.multiple_results:
            outs = [values[v] for v in outputs]
            t_out = eqn.prim.jvp(primals, outs, t_in, **eqn.params)
        else:
            t_out = [eqn.prim.jvp(primals, values[outputs[0]], t_in, **eqn.params)]
        if core.nan_check is not None and nans_checked():
            check_rule(eqn.prim, t_out, "jvp")
        for v, t in zip(outputs, t_out):
            if type(t) is not Zero:
                tan[v] = t
    return [tan.get(a, Zero(a.aval)) if type(a) is Var else Zero(a.aval)
            for a in jaxpr.outvars]


def jaxpr_values(jaxpr: Jaxpr, consts: Sequence[Any], args: Sequence[Any]) -> dict[Var, Any]:
    """The starting ``values`` for ``jvp_jaxpr_eval``: constvars and invars bound."""
    values: dict[Var, Any] = dict(zip(jaxpr.constvars, consts))
    values.update(zip(jaxpr.invars, args))
    return values


def jvp_call(cj: ClosedJaxpr, primals: Sequence[Any], tangents: Sequence[Any]
             ) -> tuple[list[Any], list[Any]]:
    """Primal outputs and output tangents of ``cj``, evaluated inline in the current traces
    (a higher-order primitive's jvp rule applies it to its body).

    >>> import ftrans, numpy as np
    >>> cj = ftrans.make_jaxpr(lambda x: x * x)(3.0)
    >>> jvp_call(cj, [np.float64(3.0)], [np.float64(1.0)])
    ([9.0], [6.0])
    """
    values = jaxpr_values(cj.jaxpr, cj.consts, primals)
    t_out = jvp_jaxpr_eval(cj.jaxpr, values, tangents)
    return [a.val if type(a) is Literal else values[a] for a in cj.jaxpr.outvars], t_out
