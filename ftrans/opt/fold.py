"""Constant folding: an equation whose inputs are all literals or constants is evaluated once,
at compile time, and its outputs become constants. Results larger than ``MAX_FOLD_SIZE``
elements are left to run time, so folding never pins a big buffer in memory."""

from __future__ import annotations

from typing import Any, Sequence

from ..core import array_module
from ..ir import Jaxpr, Literal, Var
from ._rewrite import rebuild, with_inputs

MAX_FOLD_SIZE = 1 << 16


def fold(jaxpr: Jaxpr, consts: Sequence[Any]) -> tuple[Jaxpr, list[Any]]:
    """``jaxpr`` with its constant sub-computations precomputed.

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> from ftrans.ir import Jaxpr
    >>> j = ftrans.make_jaxpr(lambda c, x: x + fnp.sin(c))(np.ones(2), np.ones(2)).jaxpr
    >>> j = Jaxpr(j.invars[:1], j.invars[1:], j.eqns, j.outvars)  # c as a constant
    >>> j, c = fold(j, [np.ones(2)])
    >>> [e.prim.name for e in j.eqns], np.round(c[-1], 3)
    (['add'], array([0.841, 0.841]))
    """
    known: dict[Var, Any] = dict(zip(jaxpr.constvars, consts))
    constvars, new_consts = list(jaxpr.constvars), list(consts)
    env: dict[Any, Any] = {}
    eqns = []
    for eqn in jaxpr.eqns:
        eqn = with_inputs(eqn, env)
        foldable = (eqn.prim.impl is not None
                    and all(type(a) is Literal or a in known for a in eqn.inputs)
                    and any(type(a) is Var for a in eqn.inputs)
                    and all(v.aval.size <= MAX_FOLD_SIZE for v in eqn.outputs))
        if not foldable:
            eqns.append(eqn)
            continue
        vals = [a.val if isinstance(a, Literal) else known[a] for a in eqn.inputs]
        out = eqn.prim.impl(array_module(vals), *vals, **eqn.params)
        outs = out if eqn.prim.multiple_results else [out]
        for v, o in zip(eqn.outputs, outs):
            known[v] = o
            constvars.append(v)
            new_consts.append(o)
    return rebuild(jaxpr, eqns, env, constvars), new_consts
