"""Shared plumbing for passes: substituting atoms while rebuilding a jaxpr."""

from __future__ import annotations

from typing import Any

from ..ir import Eqn, Jaxpr, Literal


def subst(env: dict[Any, Any], a: Any) -> Any:
    """``a`` after the replacements recorded in ``env`` (Var -> Atom), followed to the end."""
    if type(a) is Literal:
        return a
    while a in env:
        a = env[a]
    return a


def rebuild(jaxpr: Jaxpr, eqns: list[Eqn], env: dict[Any, Any], constvars: Any = None
            ) -> Jaxpr:
    """A jaxpr with ``eqns`` and the outputs substituted through ``env``."""
    return Jaxpr(jaxpr.constvars if constvars is None else constvars, jaxpr.invars, eqns,
                 [subst(env, a) for a in jaxpr.outvars])


def with_inputs(eqn: Eqn, env: dict[Any, Any]) -> Eqn:
    """``eqn`` with its inputs substituted (the same object when nothing changes)."""
    ins = [subst(env, a) for a in eqn.inputs]
    if all(x is y for x, y in zip(ins, eqn.inputs)):
        return eqn
    return Eqn(eqn.prim, ins, eqn.outputs, eqn.params)
