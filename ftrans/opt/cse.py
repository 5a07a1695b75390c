"""Common-subexpression elimination: an equation with the same primitive, params and inputs
as an earlier one reuses its outputs. Literals compare by value and dtype; the inputs of
commutative primitives (``add``, ``mul``, ...: the primitive's ``commutative``) compare in
any order."""

from __future__ import annotations

from typing import Any, Sequence

from ..ir import Jaxpr, Literal
from ._rewrite import rebuild, subst, with_inputs


def _atom_key(a: Any) -> Any:
    if type(a) is Literal:
        return ("lit", a.aval.dtype, a.aval.weak_type, repr(a.val))
    return id(a)


def cse(jaxpr: Jaxpr, consts: Sequence[Any]) -> tuple[Jaxpr, list[Any]]:
    """``jaxpr`` with repeated computations merged.

    >>> import ftrans, ftrans.numpy as fnp
    >>> cj = ftrans.make_jaxpr(lambda x: fnp.sin(x) + fnp.sin(x))(1.0)
    >>> print(cse(cj.jaxpr, cj.consts)[0])
    { lambda ; a:f64[]. let
        b:f64[] = sin a
        c:f64[] = add b b
      in (c,) }
    """
    env: dict[Any, Any] = {}
    seen: dict[Any, Any] = {}
    eqns = []
    for eqn in jaxpr.eqns:
        eqn = with_inputs(eqn, env)
        try:
            ins = tuple(_atom_key(a) for a in eqn.inputs)
            if eqn.prim.commutative:  # x*y and y*x are one computation
                ins = tuple(sorted(ins, key=repr))
            key = (eqn.prim, tuple(sorted(eqn.params.items())), ins)
            hash(key)
        except TypeError:
            eqns.append(eqn)
            continue
        prev = seen.get(key)
        if prev is not None:
            env.update(zip(eqn.outputs, prev.outputs))
            continue
        seen[key] = eqn
        eqns.append(eqn)
    return rebuild(jaxpr, eqns, env), list(consts)


__all__ = ["cse", "subst"]
