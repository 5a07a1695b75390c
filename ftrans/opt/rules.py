"""Rewrite rules declared by primitives: an equation whose primitive has ``rewrite`` (a
``scan`` splits its loop, see ``control/scan_split.py``) is replaced by the equations of the
closed jaxpr the rule returns, inlined; and the bodies of higher-order primitives (closed
jaxprs in their params: loops, branches) are optimized like the program that holds them.

>>> import ftrans, ftrans.lax as lax, ftrans.numpy as fnp, numpy as np
>>> f = lambda xs: lax.scan(lambda c, x: (c + fnp.sin(x), x * 2.0), 0.0, xs)
>>> cj = ftrans.make_jaxpr(f)(np.ones(3))
>>> [e.prim.name for e in rules(cj.jaxpr, cj.consts)[0].eqns]  # no loop left
['sin', 'mul', 'reduce_sum', 'add']
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..ir import ClosedJaxpr, Eqn, Jaxpr, Literal, Var
from ._rewrite import rebuild, subst, with_inputs


class Optimized(ClosedJaxpr):
    """A body this pass has optimized (not optimized again in the next round)."""

    __slots__ = ()


def _optimized(v: Any, optimize: Callable) -> Any:
    """A param with its bodies optimized (``v`` itself when it holds none)."""
    if isinstance(v, ClosedJaxpr) and not isinstance(v, Optimized):
        return Optimized(*optimize(v.jaxpr, v.consts))
    if type(v) is tuple and any(isinstance(b, ClosedJaxpr) for b in v):
        return tuple(_optimized(b, optimize) for b in v)
    return v


def rules(jaxpr: Jaxpr, consts: Sequence[Any], optimize: Callable | None = None
          ) -> tuple[Jaxpr, list[Any]]:
    """``jaxpr`` with each equation whose primitive declares ``rewrite`` rewritten, and
    every body optimized by ``optimize`` (``opt.optimize`` gives itself)."""
    def raw(v: Any) -> bool:  # a body not yet optimized
        return isinstance(v, ClosedJaxpr) and not isinstance(v, Optimized)

    def work(eqn: Eqn) -> bool:
        return eqn.prim.rewrite is not None or (optimize is not None and any(
            raw(v) or type(v) is tuple and any(raw(b) for b in v)
            for v in eqn.params.values()))

    if not any(work(e) for e in jaxpr.eqns):  # most programs: nothing to do, no copy
        return jaxpr, list(consts)
    env: dict[Any, Any] = {}
    eqns: list[Eqn] = []
    constvars, consts = list(jaxpr.constvars), list(consts)
    for eqn in jaxpr.eqns:
        eqn = with_inputs(eqn, env)
        if optimize is not None and eqn.params:
            params = {k: _optimized(v, optimize) for k, v in eqn.params.items()}
            if any(params[k] is not v for k, v in eqn.params.items()):
                eqn = Eqn(eqn.prim, eqn.inputs, eqn.outputs, params)
        new = eqn.prim.rewrite(eqn) if eqn.prim.rewrite is not None else None
        if new is None:
            eqns.append(eqn)
            continue
        inner: dict[Any, Any] = dict(zip(new.jaxpr.invars, eqn.inputs))
        for v, c in zip(new.jaxpr.constvars, new.consts):
            fresh = Var(v.aval)
            constvars.append(fresh)
            consts.append(c)
            inner[v] = fresh
        for e in new.jaxpr.eqns:
            outs = [Var(v.aval) for v in e.outputs]
            inner.update(zip(e.outputs, outs))
            eqns.append(Eqn(e.prim, [a if type(a) is Literal else inner[a] for a in e.inputs],
                            outs, e.params))
        for v, a in zip(eqn.outputs, new.jaxpr.outvars):
            env[v] = a if type(a) is Literal else subst(env, inner[a])
    return rebuild(jaxpr, eqns, env, constvars), consts
