"""Common-subexpression elimination: an equation with the same primitive, params and inputs
as an earlier one reuses its outputs. Literals compare by value and dtype; the inputs of
commutative primitives (``add``, ``mul``, ...: the primitive's ``commutative``) compare in
any order."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..ir import ClosedJaxpr, Jaxpr, Literal
from ._rewrite import rebuild, subst, with_inputs


def _atom_key(a: Any) -> Any:
    if type(a) is Literal:
        return ("lit", a.aval.dtype, a.aval.weak_type, repr(a.val))
    return id(a)


def _param_key(v: Any) -> Any:
    """A param as a key: a body (closed jaxpr) by its structure, so that two traces of one
    function (the primal loop and the known loop of its derivative) compare equal."""
    if isinstance(v, ClosedJaxpr):
        return structure_key(v)
    if type(v) is tuple:
        return tuple(_param_key(x) for x in v)
    return v


def structure_key(cj: ClosedJaxpr) -> Any:
    """A hashable key equal for closed jaxprs that compute the same thing the same way:
    equations, params and wiring (variables numbered in order), literals by value, consts
    by identity (small arrays by value).

    >>> import ftrans
    >>> a = ftrans.make_jaxpr(lambda x: x * 2.0)(1.0)
    >>> b = ftrans.make_jaxpr(lambda y: y * 2.0)(3.0)
    >>> structure_key(a) == structure_key(b), structure_key(a) == structure_key(
    ...     ftrans.make_jaxpr(lambda x: x * 3.0)(1.0))
    (True, False)
    """
    j = cj.jaxpr
    num: dict[Any, int] = {}

    def atom(a: Any) -> Any:
        if type(a) is Literal:
            return _atom_key(a)
        return num.setdefault(a, len(num))

    consts = tuple((c.shape, c.dtype.str, c.tobytes()) if isinstance(c, np.ndarray)
                   and c.size <= 64 else ("id", id(c)) for c in cj.consts)
    head = (tuple(atom(v) for v in j.constvars), consts,
            tuple((v.aval.shape, v.aval.dtype, atom(v)) for v in j.invars))
    body = tuple((e.prim, tuple(sorted((k, _param_key(p)) for k, p in e.params.items())),
                  tuple(atom(a) for a in e.inputs), tuple(atom(v) for v in e.outputs))
                 for e in j.eqns)
    return ("jaxpr", head, body, tuple(atom(a) for a in j.outvars))


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
            key = (eqn.prim, tuple(sorted((k, _param_key(v)) for k, v in eqn.params.items())),
                   ins)
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
