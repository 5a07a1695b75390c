"""Transposition of linear jaxprs: reverse mode.

For a linear map ``y = A x`` written as a jaxpr, the transpose maps a cotangent ``ȳ`` to
``x̄ = Aᵀ ȳ``. Walking the equations backwards, each linear primitive's ``transpose`` rule
turns the cotangent of its output into cotangents of its linear inputs, which accumulate
(sum) where a variable is used more than once. ``vjp`` is linearize followed by this.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import core
from ..config import check_rule, in_backward_pass, nans_checked
from ..core import Trace, UndefPrimal, Zero, bind, instantiate
from ..ir import ClosedJaxpr, Jaxpr, Literal, Var, last_uses
from .closed import trace_closed


@in_backward_pass  # names this pass in ftrans.config.debug_nans errors
def backward_pass(jaxpr: Jaxpr, consts: Sequence[Any], cts_out: Sequence[Any],
                  consume: bool = False) -> list[Any]:
    """Cotangents of ``jaxpr``'s invars (all linear) for output cotangents ``cts_out``.

    With ``consume=True`` the caller hands over the list ``consts`` (it is emptied) and each
    residual is released right after the last equation that needs it, so the backward pass
    holds only the residuals still to come.
    """
    known: dict[Var, Any] = dict(zip(jaxpr.constvars, consts))
    if consume and isinstance(consts, list):
        # only big residuals are worth the bookkeeping of releasing them early
        for c in consts:
            if type(c) is not np.ndarray or c.nbytes >= 1 << 16:
                break
        else:
            consume = False
        consts.clear()
    linear: set[Any] = set(jaxpr.invars)  # (a Literal is never in it)
    for eqn in jaxpr.eqns:  # forward: evaluate what does not depend on the linear inputs
        for a in eqn.inputs:
            if a in linear:
                linear.update(eqn.outputs)
                break
        else:
            vals = [a.val if type(a) is Literal else known[a] for a in eqn.inputs]
            out = bind(eqn.prim, vals, eqn.params)
            known.update(zip(eqn.outputs, out if eqn.prim.multiple_results else (out,)))

    ct_env: dict[Var, Any] = {}

    def add_ct(v: Any, ct: Any) -> None:
        if ct is None or type(ct) is Zero or type(v) is not Var or v not in linear:
            return
        ct_env[v] = ct_env[v] + ct if v in ct_env else ct

    for v, ct in zip(jaxpr.outvars, cts_out):
        add_ct(v, ct)
    release: dict[int, list[Var]] = {}  # equation index -> residuals last read there
    if consume:  # the backward walk reads a residual last at its first use
        n = len(jaxpr.eqns)
        for a, k in last_uses(jaxpr.eqns[::-1]).items():
            if a in known:
                release.setdefault(n - 1 - k, []).append(a)
    eqns = jaxpr.eqns
    checking = core.nan_check is not None and nans_checked()
    for i in range(len(eqns) - 1, -1, -1):
        eqn = eqns[i]
        outputs = eqn.outputs
        prim = eqn.prim
        if prim.multiple_results:
            moved = any(v in ct_env for v in outputs)
        else:
            ct = ct_env.pop(outputs[0], None)
            moved = ct is not None
        if not moved:
            if release:
                for v in release.get(i, ()):
                    known.pop(v, None)
            continue
        transpose = prim.transpose
        if transpose is None:
            raise NotImplementedError(f"transpose rule for '{prim.name}' is not "
                                      "implemented (it is not a linear primitive)")
        inputs = eqn.inputs
        invals = []
        for a in inputs:
            if type(a) is Literal:
                invals.append(a.val)
            elif a in linear:
                invals.append(UndefPrimal(a.aval))
            else:
                invals.append(known[a])
        if prim.multiple_results:
            ct = [instantiate(ct_env.pop(v, Zero(v.aval))) for v in outputs]
        params = eqn.params
        cts_in = transpose(ct, *invals, **params) if params else transpose(ct, *invals)
        if checking:
            check_rule(prim, cts_in, "transpose")
        del invals, ct
        for a, c in zip(inputs, cts_in):
            if c is not None and a in linear and type(c) is not Zero:
                prev = ct_env.get(a)
                ct_env[a] = c if prev is None else prev + c
        del cts_in
        if release:
            for v in release.get(i, ()):
                known.pop(v, None)
    return [ct_env.get(v, Zero(v.aval)) for v in jaxpr.invars]


def transpose_jaxpr(jaxpr: Jaxpr, consts: Sequence[Any]) -> tuple[Jaxpr, list[Any]]:
    """The transposed linear jaxpr: output cotangents in, input cotangents out."""
    with Trace(concrete=False, why="a transpose (cotangents have no values)") as trace:
        cts = [trace.new_arg(a.aval) for a in jaxpr.outvars]
        outs = backward_pass(jaxpr, consts, cts)
        return trace.to_jaxpr([instantiate(o) for o in outs])


def transpose_closed(cj: ClosedJaxpr, linear: Sequence[bool]) -> ClosedJaxpr:
    """``(non-linear inputs, output cotangents) -> cotangents of the linear inputs`` for
    ``cj``, linear in the inputs marked ``linear`` (a higher-order primitive's transpose
    rule applies it to its body).

    >>> import ftrans
    >>> t = transpose_closed(ftrans.make_jaxpr(lambda a, x: a * x)(2.0, 1.0), [False, True])
    >>> print(t.jaxpr)
    { lambda ; a:f64[] b:f64[]. let c:f64[] = mul a b in (c,) }
    """
    jx = cj.jaxpr
    known_vars = [v for v, m in zip(jx.invars, linear) if not m]
    lin_vars = [v for v, m in zip(jx.invars, linear) if m]
    body = Jaxpr([*jx.constvars, *known_vars], lin_vars, jx.eqns, jx.outvars)

    def transposed(*args: Any) -> list[Any]:
        known, cts = args[:len(known_vars)], args[len(known_vars):]
        outs = backward_pass(body, [*cj.consts, *known], list(cts))
        return [instantiate(o) for o in outs]

    avals = [v.aval for v in known_vars] + [a.aval for a in jx.outvars]
    return trace_closed(transposed, avals)
