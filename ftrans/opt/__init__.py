"""Compiler passes: each takes ``(jaxpr, consts)`` and returns an equivalent ``(jaxpr, consts)``.

- ``dce``: dead-code elimination (equations and constants nothing needs);
- ``cse``: common-subexpression elimination (same primitive, params and inputs);
- ``fold``: constant folding (equations of literals and constants only, evaluated once);
- ``simplify``: algebraic identities (``x*1``, ``x+0``, ``-(-x)``, broadcast of a broadcast,
  transpose of a transpose, a matmul with an identity basis becoming the other operand);
- ``rules``: the rewrites primitives declare (a ``scan`` takes out of its loop what need
  not run step by step);
- ``unbroadcast``: a large broadcast-view constant as ``broadcast_in_dim`` of its compact
  value.

``optimize`` runs them to a fixed point. Only the residuals the outputs need survive DCE, and
the NumPy backend frees each value after its last use.

>>> import ftrans
>>> cj = ftrans.make_jaxpr(lambda x: -(-x) * 1.0 + 0.0)(2.0)
>>> print(optimize(cj.jaxpr, cj.consts)[0])
{ lambda ; a:f64[]. let in (a,) }
"""

from __future__ import annotations

from typing import Any, Sequence

from ..ir import Jaxpr
from .cse import cse
from .dce import dce
from .fold import fold
from .rules import rules
from .simplify import simplify
from .unbroadcast import unbroadcast


def _rules(jaxpr: Jaxpr, consts: Sequence[Any]) -> tuple[Jaxpr, list[Any]]:
    return rules(jaxpr, consts, optimize)


PASSES = (unbroadcast, simplify, fold, _rules, cse, dce)


def optimize(jaxpr: Jaxpr, consts: Sequence[Any], max_rounds: int = 4
             ) -> tuple[Jaxpr, list[Any]]:
    """Run every pass until the jaxpr stops shrinking (at most ``max_rounds`` rounds).

    >>> import ftrans
    >>> cj = ftrans.make_jaxpr(lambda x: (x * 2.0) + (x * 2.0))(1.0)
    >>> len(optimize(cj.jaxpr, cj.consts)[0].eqns)
    2
    """
    consts = list(consts)
    for _ in range(max_rounds):
        before = len(jaxpr.eqns)
        for p in PASSES:
            jaxpr, consts = p(jaxpr, consts)
        if len(jaxpr.eqns) == before:
            break
    return jaxpr, consts


__all__ = ["optimize", "dce", "cse", "fold", "rules", "simplify", "unbroadcast", "PASSES"]
