"""``while``: a loop while a predicate holds, as one primitive whose params hold the
predicate's and the body's closed jaxprs; its rules; ``lax.while_loop``.

- jvp with known values: the iterations are counted and the loop is differentiated as a
  ``scan`` of that length, so reverse mode works, storing per-iteration residuals (JAX
  cannot do reverse mode through ``while_loop``).
- jvp with unknown values (under ``jit``/``vmap``/``make_jaxpr``): a primal ``while`` also
  counts the iterations, and the tangent map is a ``custom_lin`` whose transpose recomputes
  each iteration's carry from the start: O(n^2) body evaluations, O(1) memory.
- batch: a batched predicate runs until every element is done, freezing finished elements
  with a select.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import Primitive, Zero, instantiate, known_value, register
from ..ir import ClosedJaxpr, ShapedArray
from ..prims.elementwise import select_n_p
from ..prims.reduce import reduce_max_p
from ..prims.shape import broadcast_in_dim, convert_element_type
from ..transforms.batch import batch_jaxpr_eval
from ..transforms.closed import call, trace_closed
from ..transforms.jvp import jvp_call
from ..transforms.linearize import partial_eval
from ..transforms.transpose import transpose_closed
from ..tree_util import tree_unflatten
from ._common import (
    as_array,
    batch_size,
    flat_args,
    fname,
    is_float,
    split,
    to_front,
    trace_fun,
    types,
    with_invars,
)
from .custom_lin import custom_lin_p
from .scan import _scan_jvp

while_p = register(Primitive("while", multiple_results=True))
while_p.family = "control"


def _while_impl(xp: Any, *args: Any, cond_jaxpr: ClosedJaxpr, body_jaxpr: ClosedJaxpr,
                cond_nconsts: int, body_nconsts: int) -> list[Any]:
    cc, bc, carry = split(args, cond_nconsts, body_nconsts)
    while bool(call(cond_jaxpr, *cc, *carry)[0]):
        carry = call(body_jaxpr, *bc, *carry)
    return [as_array(c, xp) for c in carry]


def _while_aval(*avals: ShapedArray, cond_jaxpr: ClosedJaxpr, body_jaxpr: ClosedJaxpr,
                cond_nconsts: int, body_nconsts: int) -> list[ShapedArray]:
    _, _, carry = split(avals, cond_nconsts, body_nconsts)
    carry = [a.strip_weak() for a in carry]
    out = body_jaxpr.out_avals
    if out != carry:
        raise TypeError(f"while_loop: body_fun returns {types(out)} but the carry (init_val) "
                        f"is {types(carry)}; the body must not change the carry's type")
    (pred,) = cond_jaxpr.out_avals
    if pred.shape != () or pred.dtype != np.bool_:
        raise TypeError(f"while_loop: cond_fun must return a boolean scalar, got "
                        f"{pred.str_short()}")
    return carry


def _while_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
               cond_jaxpr: ClosedJaxpr, body_jaxpr: ClosedJaxpr, cond_nconsts: int,
               body_nconsts: int) -> list[Any]:
    cc, bc, init = split(primals, cond_nconsts, body_nconsts)
    _, bc_t, init_t = split(tangents, cond_nconsts, body_nconsts)
    known = [known_value(p) for p in primals]
    if all(k is not None for k in known):
        # known values: count the iterations, then differentiate as a scan of that length
        kcc, kbc, carry = split(known, cond_nconsts, body_nconsts)
        n = 0
        while bool(call(cond_jaxpr, *kcc, *carry)[0]):
            carry = call(body_jaxpr, *kbc, *carry)
            n += 1
        n_c = len(init)
        body = with_invars(body_jaxpr, body_jaxpr.jaxpr.invars)  # (consts, carry) -> carry
        return _scan_jvp([*bc, *init], outs, [*bc_t, *init_t], jaxpr=body,
                          num_consts=body_nconsts, num_carry=n_c, length=n, reverse=False)
    return _while_jvp_abstract(cc, bc, init, bc_t, init_t, cond_jaxpr, body_jaxpr)


def _while_jvp_abstract(cc: list, bc: list, init: list, bc_t: list, init_t: list,
                        cond_jaxpr: ClosedJaxpr, body_jaxpr: ClosedJaxpr) -> list[Any]:
    """jvp of a while loop whose values are unknown (under jit/vmap/make_jaxpr).

    A primal ``while`` also counts the iterations ``n``. The tangent map is a ``custom_lin``:
    forward, a ``while`` of ``n`` jvp steps; backward, for ``k = n-1 .. 0`` the carry of step
    ``k`` is recomputed from ``init`` (an inner ``while``) and the step's transposed linear
    body is applied: O(n^2) body evaluations, O(1) memory, static shapes throughout.
    """
    n_bc = len(bc)
    carry_avals = body_jaxpr.in_avals[n_bc:]
    carry_diff = [is_float(a) for a in carry_avals]
    bc_nz = [type(t) is not Zero for t in bc_t]
    bc_avals = body_jaxpr.in_avals[:n_bc]

    def step(b: Sequence[Any], c: Sequence[Any]) -> list[Any]:
        return call(body_jaxpr, *b, *c)

    def counted(s: Any) -> Any:
        return s[0] + 1, step(bc, s[1])

    n, _ = while_loop(lambda s: call(cond_jaxpr, *cc, *s[1])[0], counted,
                          (np.int64(0), list(init)))
    known, lin = partial_eval(body_jaxpr, bc_nz + carry_diff)
    n_out = len(carry_avals)
    lin = with_invars(lin, lin.jaxpr.invars,
                      [o for o, d in zip(lin.jaxpr.outvars, carry_diff) if d])
    t_lin = transpose_closed(lin, [False] * (len(known.out_avals) - n_out)
                             + [True] * (sum(bc_nz) + sum(carry_diff)))

    def fwd(res: Sequence[Any], ts: Sequence[Any]) -> list[Any]:
        b, c0, (n_,) = split(res, n_bc, n_out)
        bt_it = iter(ts[:sum(bc_nz)])
        bt = [next(bt_it) if m else Zero(av) for m, av in zip(bc_nz, bc_avals)]

        def body(s: Any) -> Any:
            i, c, t = s
            t_it = iter(t)
            t_full = [next(t_it) if d else Zero(av) for d, av in zip(carry_diff, carry_avals)]
            out, t_out = jvp_call(body_jaxpr, [*b, *c], [*bt, *t_full])
            return i + 1, out, [instantiate(x) for x, d in zip(t_out, carry_diff) if d]

        _, _, t = while_loop(lambda s: s[0] < n_, body,
                                 (np.int64(0), list(c0), list(ts[sum(bc_nz):])))
        it = iter(t)
        return [next(it) if d else np.zeros(av.shape, av.dtype)
                for d, av in zip(carry_diff, carry_avals)]

    def bwd(res: Sequence[Any], cts: Sequence[Any]) -> list[Any]:
        b, c0, (n_,) = split(res, n_bc, n_out)
        ct0 = [instantiate(x) for x, d in zip(cts, carry_diff) if d]
        acc0 = [np.zeros(av.shape, av.dtype) for av, m in zip(bc_avals, bc_nz) if m]

        def carry_at(k: Any) -> list[Any]:
            return while_loop(lambda s: s[0] < k, lambda s: (s[0] + 1, step(b, s[1])),
                                  (np.int64(0), list(c0)))[1]

        def back(s: Any) -> Any:
            k, acc, ct = s
            r = call(known, *b, *carry_at(k))[n_out:]
            g = call(t_lin, *r, *ct)
            g_b, g_c = g[:len(acc)], g[len(acc):]
            return k - 1, [x + y for x, y in zip(acc, g_b)], g_c

        _, acc, ct = while_loop(lambda s: s[0] >= 0, back, (n_ - 1, acc0, ct0))
        return list(acc) + list(ct)

    ts = [t for t in bc_t if type(t) is not Zero]
    ts += [instantiate(t) for t, d in zip(init_t, carry_diff) if d]
    out_avals = tuple(a.strip_weak() for a in carry_avals)
    t_out = custom_lin_p.bind(*bc, *init, n, *ts, num_res=n_bc + n_out + 1, fwd=fwd,
                              bwd=bwd, out_avals=out_avals, name="while_loop")
    return [t if d else Zero(a) for t, d, a in zip(t_out, carry_diff, carry_avals)]


def _while_batch(args: Sequence[Any], dims: Sequence[int | None], *, cond_jaxpr: ClosedJaxpr,
                 body_jaxpr: ClosedJaxpr, cond_nconsts: int, body_nconsts: int
                 ) -> tuple[list[Any], list[int]]:
    size = batch_size(args, dims)
    cc, bc, carry = split(args, cond_nconsts, body_nconsts)
    d_cc, d_bc, _ = split(dims, cond_nconsts, body_nconsts)
    cc = [to_front(a, d, size) if d is not None else a for a, d in zip(cc, d_cc)]
    bc = [to_front(a, d, size) if d is not None else a for a, d in zip(bc, d_bc)]
    carry = [to_front(a, d, size) for a, d in zip(carry, dims[cond_nconsts + body_nconsts:])]
    dc = [0 if d is not None else None for d in d_cc]
    db = [0 if d is not None else None for d in d_bc]
    n_c = len(carry)
    cc_avals = [ShapedArray((size, *a.shape), a.dtype) if d is not None else a
                for a, d in zip(cond_jaxpr.in_avals[:cond_nconsts], dc)]
    bc_avals = [ShapedArray((size, *a.shape), a.dtype) if d is not None else a
                for a, d in zip(body_jaxpr.in_avals[:body_nconsts], db)]
    carry_avals = [ShapedArray((size, *a.shape), a.dtype) for a in body_jaxpr.out_avals]

    def pred_of(c_consts: Sequence[Any], c: Sequence[Any]) -> tuple[Any, int | None]:
        (p,), (d,) = batch_jaxpr_eval(cond_jaxpr.jaxpr, cond_jaxpr.consts, [*c_consts, *c],
                                      [*dc, *[0] * n_c])
        return p, d

    def cond_fn(*a: Any) -> list[Any]:
        c_consts, c = a[:cond_nconsts], a[cond_nconsts:]
        p, d = pred_of(c_consts, c)
        if d is None:
            return [p]
        p = convert_element_type(to_front(p, d, size), np.int32)
        return [reduce_max_p.bind(p, axes=(0,)) > np.int32(0)]

    def body_fn(*a: Any) -> list[Any]:
        c_consts, b_consts, c = split(a, cond_nconsts, body_nconsts)
        p, d = pred_of(c_consts, c)
        new, new_d = batch_jaxpr_eval(body_jaxpr.jaxpr, body_jaxpr.consts, [*b_consts, *c],
                                      [*db, *[0] * n_c])
        new = [to_front(x, nd, size) for x, nd in zip(new, new_d)]
        if d is None:
            return new
        p = to_front(p, d, size)
        outs = []
        for x, old in zip(new, c):
            w = broadcast_in_dim(p, x.shape, (0,)) if x.ndim > 1 else p
            outs.append(select_n_p.bind(w, old, x))
        return outs

    cond_b = trace_closed(cond_fn, [*cc_avals, *carry_avals])
    body_b = trace_closed(body_fn, [*cc_avals, *bc_avals, *carry_avals])
    out = while_p.bind(*cc, *cc, *bc, *carry, cond_jaxpr=cond_b, body_jaxpr=body_b,
                       cond_nconsts=cond_nconsts, body_nconsts=cond_nconsts + body_nconsts)
    return out, [0] * n_c


while_p.impl = _while_impl
while_p.abstract_eval = _while_aval
while_p.jvp = _while_jvp
while_p.batch = _while_batch


# ----------------------------------------------------------------------------- lax.while_loop

def while_loop(cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any], init_val: Any
               ) -> Any:
    """``val = init_val; while cond_fun(val): val = body_fun(val)``, as one primitive.

    Forward and reverse mode both work (JAX has forward only): on concrete values reverse mode
    stores each iteration's residuals (like a ``scan``); inside ``jit``/``vmap``/``make_jaxpr``
    it recomputes them from ``init_val`` (O(n^2) body evaluations, constant memory). Under
    ``vmap`` a batched predicate runs the loop until every element is done.

    Parameters
    ----------
    cond_fun : callable
        ``cond_fun(val)``, returning a boolean scalar.
    body_fun : callable
        ``body_fun(val) -> val``, returning a carry of ``init_val``'s structure and types.
    init_val : pytree
        The initial carry.

    Returns
    -------
    pytree
        The final carry.

    Raises
    ------
    TypeError
        If ``cond_fun`` does not return a boolean scalar, or ``body_fun`` returns a carry of
        another structure or type.

    Examples
    --------
    >>> import ftrans, ftrans.lax as lax
    >>> halve = lambda x: lax.while_loop(lambda v: v > 1.0, lambda v: v / 2.0, x)
    >>> print(halve(10.0), ftrans.grad(halve)(10.0))
    0.625 0.0625
    """
    init, args_tree, avals = flat_args((init_val,), "while_loop: init_val")
    tree = args_tree.children[0]
    cond_j, cond_c, cond_tree, _ = trace_fun(cond_fun, args_tree, avals, "while_loop",
                                             "the cond_fun of lax.while_loop")
    pred = cond_j.out_avals
    if cond_tree.num_leaves != 1 or pred[0].shape != () or pred[0].dtype.kind != "b":
        raise TypeError(f"while_loop: cond_fun {fname(cond_fun)} must return a boolean "
                        f"scalar, got {types(pred)}")
    body_j, body_c, body_tree, _ = trace_fun(body_fun, args_tree, avals, "while_loop")
    if body_tree != tree or body_j.out_avals != avals:
        raise TypeError(f"while_loop: body_fun {fname(body_fun)} must return the carry's type "
                        f"{tree} {types(avals)}, but returns {body_tree} "
                        f"{types(body_j.out_avals)}")
    outs = while_p.bind(*cond_c, *body_c, *init, cond_jaxpr=cond_j, body_jaxpr=body_j,
                        cond_nconsts=len(cond_c), body_nconsts=len(body_c))
    return tree_unflatten(tree, outs)
