"""Dead-code elimination: drop equations whose outputs nothing uses, and unused constants.

Every primitive is pure, so an equation is needed only if an output or a needed equation
reads one of its outputs.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..ir import Eqn, Jaxpr, Var


def live_eqns(jaxpr: Jaxpr) -> list[Eqn]:
    """The equations some output of ``jaxpr`` depends on, in order (primitives are pure).

    >>> import ftrans
    >>> cj = ftrans.make_jaxpr(lambda x: (x * 2.0, x + 1.0)[0])(1.0)
    >>> [e.prim.name for e in live_eqns(cj.jaxpr)]
    ['mul']
    """
    live: set[Var] = {a for a in jaxpr.outvars if type(a) is Var}
    kept = []
    for eqn in reversed(jaxpr.eqns):
        if any(v in live for v in eqn.outputs):
            kept.append(eqn)
            live.update(a for a in eqn.inputs if type(a) is Var)
    kept.reverse()
    return kept


def dce(jaxpr: Jaxpr, consts: Sequence[Any]) -> tuple[Jaxpr, list[Any]]:
    """``jaxpr`` without dead equations and constants.

    >>> import ftrans, ftrans.numpy as fnp
    >>> cj = ftrans.make_jaxpr(lambda x: (fnp.sin(x), x)[1])(1.0)
    >>> print(dce(cj.jaxpr, cj.consts)[0])
    { lambda ; a:f64[]. let in (a,) }
    """
    kept = live_eqns(jaxpr)
    live = {a for e in kept for a in e.inputs if type(a) is Var}
    live.update(a for a in jaxpr.outvars if type(a) is Var)
    pairs = [(v, c) for v, c in zip(jaxpr.constvars, consts) if v in live]
    return (Jaxpr([v for v, _ in pairs], jaxpr.invars, kept, jaxpr.outvars),
            [c for _, c in pairs])
