"""A ``scan`` split into what must run step by step and what need not (``scan_p.rewrite``,
applied by ``opt``'s ``rewrite`` pass under ``jit``).

The body's equations fall in three kinds: *invariant* ones (of the consts only) run once
before the loop; *per-step* ones that read no carry (of the ``xs``) run before the loop, on
every step at once (the body batched over the ``xs`` axis, as ``vmap`` does); the *core* (what
the carries need) stays in the loop. What only the ``ys`` need runs after the loop on every
step at once, from the core's stacked carries (a core value it needs is computed again,
batched). A carry that only accumulates (``c' = c + g`` with ``c`` read nowhere else) leaves
the loop: its final value is ``c0 + sum(g)``. So a recurrent net's loop keeps its
matrix-vector products and the gradient's outer products become one matrix product each.

Two scans of one body (the primal scan and the known scan of its derivative) get the same
core (its ``ys`` are the stacked carries whatever the rest needs): CSE merges them, and the
forward loop runs once.

>>> import ftrans, ftrans.lax as lax, ftrans.numpy as fnp, numpy as np
>>> f = lambda w, xs: lax.scan(lambda c, x: (c * w + fnp.sin(x), c * x), 0.0, xs)
>>> cj = ftrans.make_jaxpr(f)(0.5, np.ones(3))
>>> new = split_scan(cj.jaxpr.eqns[-1])
>>> [e.prim.name for e in new.jaxpr.eqns]  # sin before the loop; c * x after it, from
...                                          # the stacked carries
['sin', 'scan', 'reshape', 'slice', 'concatenate', 'mul']
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core import bind
from ..ir import Atom, ClosedJaxpr, Eqn, Jaxpr, Literal, Var
from ..prims.elementwise import add_p
from ..prims.reduce import reduce_sum
from ..prims.shape import broadcast_in_dim, reshape
from ..prims.slicing import concatenate, slice_
from ..transforms.batch import batch_jaxpr_eval
from ..transforms.closed import trace_closed
from ._common import split, to_front

MAX_STACKED = 1 << 28  # bytes of batched values a split may add (else the scan stays whole)


def _accumulators(j: Jaxpr, k_vars: Sequence[Var], k_out: Sequence[Atom],
                  produced: dict[Var, Eqn]) -> set[int]:
    """The carries ``k`` whose new value is ``k + g`` (``k`` read nowhere else)."""
    reads: dict[Var, int] = {}
    for e in j.eqns:
        for a in e.inputs:
            if type(a) is Var:
                reads[a] = reads.get(a, 0) + 1
    for a in j.outvars:
        if type(a) is Var:
            reads[a] = reads.get(a, 0) + 1
    acc = set()
    for k, (v, o) in enumerate(zip(k_vars, k_out)):
        if not isinstance(o, Var):
            continue
        add = produced.get(o)
        if add is None or add.prim is not add_p or reads.get(v) != 1 or reads.get(o) != 1:
            continue
        if v in add.inputs and add.inputs[0] is not add.inputs[1] and o.aval == v.aval \
                and all(type(a) is Literal or a.aval == v.aval for a in add.inputs):
            acc.add(k)
    return acc


def split_scan(eqn: Eqn) -> ClosedJaxpr | None:
    """``eqn`` (a ``scan``) as a closed jaxpr of its inputs giving its outputs, with the work
    that need not run step by step taken out of the loop; ``None`` when nothing moves."""
    p = eqn.params
    cj: ClosedJaxpr = p["jaxpr"]
    n_c, n_k, length = p["num_consts"], p["num_carry"], p["length"]
    j = cj.jaxpr
    if length < 1 or any(e.prim.family == "callback" for e in j.eqns):
        return None
    c_vars, k_vars, x_vars = split(j.invars, n_c, n_k)
    k_out, y_out = j.outvars[:n_k], j.outvars[n_k:]
    produced = {v: e for e in j.eqns for v in e.outputs}
    acc = _accumulators(j, k_vars, k_out, produced)
    acc_eqns = {id(produced[k_out[k]]) for k in acc}
    # kinds: invariant (consts), per-step (xs), loop (a carry)
    kind: dict[Var, str] = {v: "inv" for v in (*j.constvars, *c_vars)}
    kind.update((v, "x") for v in x_vars)
    kind.update((v, "loop") for v in k_vars)
    for e in j.eqns:
        ks = {kind[a] for a in e.inputs if type(a) is Var}
        k = "loop" if "loop" in ks else "x" if "x" in ks else "inv"
        kind.update((v, k) for v in e.outputs)
    # the core: what the non-accumulating carries need, step by step
    core_keep = [k for k in range(n_k) if k not in acc]
    need = {a for k in core_keep for a in [k_out[k]] if type(a) is Var}
    core_ids = set()
    for e in reversed(j.eqns):
        if id(e) not in acc_eqns and any(v in need for v in e.outputs) and \
                any(kind[v] == "loop" for v in e.outputs):
            core_ids.add(id(e))
            need.update(a for a in e.inputs if type(a) is Var)
    core = [e for e in j.eqns if id(e) in core_ids]
    # after the loop: the ys and the accumulated terms, from the stacked carries
    k_in_pos = {v: k for k, v in enumerate(k_vars)}
    k_out_pos = {o: k for k, o in enumerate(k_out) if k not in acc and type(o) is Var
                 and kind.get(o) == "loop"}
    post_outs = [*y_out, *[next(a for a in produced[k_out[k]].inputs if a is not k_vars[k])
                           for k in sorted(acc)]]
    want = {a for a in post_outs if type(a) is Var and kind[a] == "loop"}
    post_ids, stacked = set(), set()
    for e in reversed(j.eqns):
        v = e.outputs[0]
        if len(e.outputs) == 1 and v in want and v in k_out_pos:  # read from the core's ys
            stacked.add(k_out_pos[v])
            want.discard(v)
        if any(v in want for v in e.outputs):
            post_ids.add(id(e))
            want.update(a for a in e.inputs if type(a) is Var and kind[a] == "loop")
    stacked.update(k_in_pos[v] for v in want if v in k_in_pos)
    post = [e for e in j.eqns if id(e) in post_ids]
    pre = [e for e in j.eqns if kind[e.outputs[0]] != "loop"]
    if not pre and not acc and not post:
        return None
    stacked_keep = [k for k in core_keep if k in stacked]
    inv_pre = [e for e in pre if kind[e.outputs[0]] == "inv"]
    x_pre = [e for e in pre if kind[e.outputs[0]] == "x"]
    # every step's values at once: bounded (a long loop over big arrays stays a loop)
    wide = [k_vars[k] for k in stacked_keep] + [v for e in x_pre + post for v in e.outputs]
    if length * sum(v.aval.size * v.aval.dtype.itemsize for v in wide) > MAX_STACKED:
        return None

    def uses(eqns: list[Eqn], outs: list, k: str) -> list[Var]:
        made = {v for e in eqns for v in e.outputs}
        got = [a for e in eqns for a in e.inputs] + list(outs)
        return list(dict.fromkeys(a for a in got if type(a) is Var and a not in made
                                  and kind.get(a) == k))

    # the core scan: consts, kept carries, per-step values; ys: the stacked kept carries
    core_outs = [k_out[k] for k in core_keep]
    core_c = uses(core, core_outs, "inv")
    core_x = uses(core, core_outs, "x")
    core_cv = [v for v in core_c if v in set(j.constvars)]
    core_c = [v for v in core_c if v not in set(core_cv)]
    const_of = dict(zip(j.constvars, cj.consts))
    body = ClosedJaxpr(Jaxpr(core_cv, [*core_c, *[k_vars[k] for k in core_keep], *core_x],
                             core, [*core_outs, *[k_out[k] for k in stacked_keep]]),
                       [const_of[v] for v in core_cv])
    post_inv = uses(post, post_outs, "inv")
    post_x = uses(post, post_outs, "x")
    post_k = [k_vars[k] for k in stacked_keep if k_vars[k] in set(uses(post, post_outs,
                                                                        "loop"))]
    # the new values of the stacked carries (a literal one is read by no equation)
    post_ko = [o for o in (k_out[k] for k in stacked_keep) if isinstance(o, Var)]
    x_needed = list(dict.fromkeys([*core_x, *post_x]))
    reverse = p["reverse"]

    def run(*args: Any) -> list[Any]:
        consts, init, xs = split(args, n_c, n_k)
        env: dict[Any, Any] = dict(const_of)
        env.update(zip(c_vars, consts))
        for e in inv_pre:  # once, before the loop
            outs = bind(e.prim, [a.val if type(a) is Literal else env[a] for a in e.inputs],
                        e.params)
            env.update(zip(e.outputs, outs if e.prim.multiple_results else [outs]))
        batched = dict(zip(x_vars, xs))
        pre_in = uses(x_pre, x_needed, "inv")
        pre_x = [v for v in x_vars if v in set(uses(x_pre, x_needed, "x"))]
        pre_j = Jaxpr([], [*pre_in, *pre_x], x_pre,
                      [v for v in x_needed if v not in set(x_vars)])
        outs, dims = batch_jaxpr_eval(pre_j, [], [*[env[v] for v in pre_in],
                                                  *[batched[v] for v in pre_x]],
                                      [None] * len(pre_in) + [0] * len(pre_x))
        batched.update((v, to_front(o, d, length)) for v, o, d in zip(pre_j.outvars, outs, dims))
        res = bind(eqn.prim, [*[env[v] for v in core_c], *[init[k] for k in core_keep],
                              *[batched[v] for v in core_x]],
                   dict(p, jaxpr=body, num_consts=len(core_c), num_carry=len(core_keep),
                        linear=()))
        final = dict(zip(core_keep, res[:len(core_keep)]))
        for k, st in zip(stacked_keep, res[len(core_keep):]):
            batched[k_out[k]] = st
            shape = k_vars[k].aval.shape
            first, zeros = reshape(init[k], (1, *shape)), (0,) * len(shape)
            if reverse:
                shifted = [slice_(st, (1, *zeros), (length, *shape)), first]
            else:
                shifted = [first, slice_(st, (0, *zeros), (length - 1, *shape))]
            batched[k_vars[k]] = concatenate(shifted, 0)
        post_j = Jaxpr([], [*post_inv, *post_x, *post_k, *post_ko], post, post_outs)
        outs, dims = batch_jaxpr_eval(
            post_j, [], [*[env[v] for v in post_inv],
                         *[batched[v] for v in [*post_x, *post_k, *post_ko]]],
            [None] * len(post_inv) + [0] * (len(post_x) + len(post_k) + len(post_ko)))
        full = [_stack(o, d, a, length) for o, d, a in zip(outs, dims, post_outs)]
        ys, terms = full[:len(y_out)], full[len(y_out):]
        for k, t in zip(sorted(acc), terms):
            final[k] = init[k] + reduce_sum(t, (0,))
        return [final[k] for k in range(n_k)] + ys

    return trace_closed(run, [a.aval for a in eqn.inputs], "splitting a scan")


def _stack(value: Any, dim: int | None, atom: Any, length: int) -> Any:
    """A post-loop result with every step on axis 0 (an unbatched one broadcast)."""
    if dim is not None:
        return to_front(value, dim, length)
    shape = atom.aval.shape
    value = np.asarray(value, atom.aval.dtype) if type(atom) is Literal else value
    return broadcast_in_dim(value, (length, *shape), tuple(range(1, len(shape) + 1)))
