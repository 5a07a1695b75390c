"""``scan``: a loop over the leading axis of its ``xs``, carrying a state, as one primitive
whose params hold the body's closed jaxpr; its rules; ``lax.scan``.

- jvp: the body is split into a *known* part and a *linear* part (``partial_eval``); a known
  ``scan`` stacks each iteration's residuals (loop-invariant ones are passed once) and a
  linear ``scan`` consumes them.
- transpose: a ``scan`` of the body's transpose running the other way; linear consts
  accumulate their cotangents in the carry.
- batch: the body batched with every carry batched, the ``xs`` batched at axis 1.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import Primitive, Zero, instantiate, register
from ..errors import describe
from ..ir import ClosedJaxpr, Jaxpr, Literal, ShapedArray
from ..prims.families import is_undef
from ..prims.shape import moveaxis
from ..transforms.closed import runner, trace_closed
from ..transforms.linearize import partial_eval
from ..transforms.transpose import backward_pass
from ..tree_util import tree_flatten, tree_unflatten
from ._common import (
    as_array,
    batch_closed,
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
from .scan_split import split_scan

scan_p = register(Primitive("scan", multiple_results=True))
scan_p.family = "control"


def _scan_impl(xp: Any, *args: Any, jaxpr: ClosedJaxpr, num_consts: int, num_carry: int,
               length: int, reverse: bool, linear: tuple[bool, ...] = ()) -> list[Any]:
    consts, carry, xs = split(args, num_consts, num_carry)
    run = runner(jaxpr)  # the body's compiled form under jit
    ys: list[list[Any]] = []
    for i in (reversed(range(length)) if reverse else range(length)):
        out = run([*consts, *carry, *[x[i] for x in xs]])
        carry = out[:num_carry]
        ys.append(out[num_carry:])
    if reverse:
        ys.reverse()
    y_avals = jaxpr.out_avals[num_carry:]
    stacked = [xp.stack([as_array(y[j], xp) for y in ys]) if ys else
               xp.zeros((0, *a.shape), a.dtype) for j, a in enumerate(y_avals)]
    return [as_array(c, xp) for c in carry] + stacked


def _scan_aval(*avals: ShapedArray, jaxpr: ClosedJaxpr, num_consts: int, num_carry: int,
               length: int, reverse: bool, linear: tuple[bool, ...] = ()) -> list[ShapedArray]:
    consts, carry, xs = split(avals, num_consts, num_carry)
    carry = [a.strip_weak() for a in carry]
    x_avals = [ShapedArray(a.shape[1:], a.dtype) for a in xs]
    for a in xs:
        if not a.shape or a.shape[0] != length:
            raise ValueError(f"scan: every xs leaf must have leading axis of length {length}, "
                             f"got {a.str_short()}")
    expected = [a.strip_weak() for a in consts] + carry + x_avals
    if [a.strip_weak() for a in jaxpr.in_avals] != expected:
        raise TypeError(f"scan: the body takes {types(jaxpr.in_avals)} but is given "
                        f"{types(expected)}")
    out = jaxpr.out_avals
    if out[:num_carry] != carry:
        raise TypeError(f"scan: the body function returns carry {types(out[:num_carry])} but "
                        f"the carry input is {types(carry)}; the carry type must not change")
    return carry + [ShapedArray((length, *a.shape), a.dtype) for a in out[num_carry:]]


def _scan_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
              jaxpr: ClosedJaxpr, num_consts: int, num_carry: int, length: int, reverse: bool,
              linear: tuple[bool, ...] = ()) -> list[Any]:
    consts, init, xs = split(primals, num_consts, num_carry)
    c_t, i_t, x_t = split(tangents, num_consts, num_carry)
    carry_avals = jaxpr.in_avals[num_consts:num_consts + num_carry]
    carry_diff = [is_float(a) for a in carry_avals]
    diff = ([type(t) is not Zero for t in c_t] + carry_diff + [type(t) is not Zero for t in x_t])
    known, lin = partial_eval(jaxpr, diff)
    n_out = len(jaxpr.out_avals)
    # residuals that are loop-invariant (a const of the body, as it is) are passed once as
    # consts of the linear scan instead of being stacked per iteration
    kj = known.jaxpr
    const_pos = {id(v): i for i, v in enumerate(kj.invars[:num_consts])}
    cvar_pos = {id(v): i for i, v in enumerate(kj.constvars)}
    res_out = kj.outvars[n_out:]
    inv_idx, inv_vals, var_idx = [], [], []
    for j, a in enumerate(res_out):
        if type(a) is Literal:
            inv_idx.append(j)
            inv_vals.append(a.val)
        elif id(a) in const_pos:
            inv_idx.append(j)
            inv_vals.append(consts[const_pos[id(a)]])
        elif id(a) in cvar_pos:
            inv_idx.append(j)
            inv_vals.append(known.consts[cvar_pos[id(a)]])
        else:
            var_idx.append(j)
    known = ClosedJaxpr(Jaxpr(kj.constvars, kj.invars, kj.eqns,
                              [*kj.outvars[:n_out], *[res_out[j] for j in var_idx]]),
                        known.consts)
    out_res = scan_p.bind(*consts, *init, *xs, jaxpr=known, num_consts=num_consts,
                          num_carry=num_carry, length=length, reverse=reverse,
                          linear=(False,) * len(primals))
    res = out_res[n_out:]
    # lin takes (res, consts_t, carry_t, xs_t); a scan wants
    # (consts_t, invariant res, carry_t, stacked res, xs_t)
    r_vars, ct_vars, cr_vars, x_vars = split(
        lin.jaxpr.invars, len(res_out), sum(diff[:num_consts]), sum(carry_diff))
    y_avals = jaxpr.out_avals[num_carry:]
    y_diff = [is_float(a) for a in y_avals]
    keep = [o for o, d in zip(lin.jaxpr.outvars, carry_diff + y_diff) if d]
    lin_body = with_invars(lin, ct_vars + [r_vars[j] for j in inv_idx] + cr_vars
                           + [r_vars[j] for j in var_idx] + x_vars, keep)
    nz = [t for t in c_t if type(t) is not Zero]
    it = [instantiate(t) for t, d in zip(i_t, carry_diff) if d]
    xt = [t for t in x_t if type(t) is not Zero]
    lin_flags = ((True,) * len(nz) + (False,) * len(inv_vals) + (True,) * len(it)
                 + (False,) * len(res) + (True,) * len(xt))
    t_out = iter(scan_p.bind(*nz, *inv_vals, *it, *res, *xt, jaxpr=lin_body,
                             num_consts=len(nz) + len(inv_vals), num_carry=len(it),
                             length=length, reverse=reverse, linear=lin_flags))
    out_avals = [a for a in carry_avals] + [ShapedArray((length, *a.shape), a.dtype)
                                            for a in y_avals]
    return [next(t_out) if d else Zero(a) for d, a in zip(carry_diff + y_diff, out_avals)]


def _scan_transpose(ct: Sequence[Any], *args: Any, jaxpr: ClosedJaxpr, num_consts: int,
                    num_carry: int, length: int, reverse: bool, linear: tuple[bool, ...] = ()
                    ) -> list[Any]:
    lin = list(linear) if linear else [is_undef(a) for a in args]
    consts, carry, xs = split(args, num_consts, num_carry)
    l_c, l_carry, l_x = split(lin, num_consts, num_carry)
    if not all(l_carry):
        raise NotImplementedError("scan transpose: the carry must be linear")
    # known consts and known xs (residuals) are read by the transposed body; linear consts
    # accumulate cotangents in the carry; linear xs get stacked cotangents as outputs
    j = jaxpr.jaxpr
    c_vars, carry_vars, x_vars = split(j.invars, num_consts, num_carry)
    kc = [v for v, m in zip(c_vars, l_c) if not m]
    lc = [v for v, m in zip(c_vars, l_c) if m]
    kx = [v for v, m in zip(x_vars, l_x) if not m]
    lx = [v for v, m in zip(x_vars, l_x) if m]
    body = Jaxpr([*j.constvars, *kc, *kx], [*lc, *carry_vars, *lx], j.eqns, j.outvars)
    n_ys = len(j.outvars) - num_carry

    def t_body(*a: Any) -> list[Any]:
        k_c, acc, ct_carry, k_x, ct_y = split(a, len(kc), len(lc), num_carry, len(kx))
        cts = backward_pass(body, [*jaxpr.consts, *k_c, *k_x], [*ct_carry, *ct_y])
        cts = [instantiate(c) for c in cts]
        ct_lc, ct_c, ct_x = split(cts, len(lc), num_carry)
        return [x + y for x, y in zip(acc, ct_lc)] + ct_c + ct_x

    avals = ([v.aval for v in kc] + [v.aval for v in lc] + [v.aval for v in carry_vars]
             + [v.aval for v in kx] + [a.aval for a in j.outvars[num_carry:]])
    t_jaxpr = trace_closed(t_body, avals)
    known_c = [a for a, m in zip(consts, l_c) if not m]
    known_x = [a for a, m in zip(xs, l_x) if not m]
    acc0 = [np.zeros(v.aval.shape, v.aval.dtype) for v in lc]
    ct_carry, ct_ys = list(ct[:num_carry]), list(ct[num_carry:])
    assert len(ct_ys) == n_ys
    flags = ((False,) * len(kc) + (True,) * (len(lc) + num_carry) + (False,) * len(kx)
             + (True,) * n_ys)
    out = scan_p.bind(*known_c, *acc0, *ct_carry, *known_x, *ct_ys, jaxpr=t_jaxpr,
                      num_consts=len(kc), num_carry=len(lc) + num_carry, length=length,
                      reverse=not reverse, linear=flags)
    ct_lc, ct_init, ct_xs = split(out, len(lc), num_carry)
    it_lc, it_xs = iter(ct_lc), iter(ct_xs)
    return ([next(it_lc) if m else None for m in l_c] + ct_init
            + [next(it_xs) if m else None for m in l_x])


def _scan_batch(args: Sequence[Any], dims: Sequence[int | None], *, jaxpr: ClosedJaxpr,
                num_consts: int, num_carry: int, length: int, reverse: bool,
                linear: tuple[bool, ...] = ()) -> tuple[list[Any], list[int]]:
    size = batch_size(args, dims)
    consts, carry, xs = split(args, num_consts, num_carry)
    d_c, d_carry, d_x = split(dims, num_consts, num_carry)
    consts = [to_front(a, d, size) if d is not None else a for a, d in zip(consts, d_c)]
    carry = [to_front(a, d, size) for a, d in zip(carry, d_carry)]  # every carry batched
    xs = [moveaxis(to_front(a, d, size), 0, 1) if d is not None else a
          for a, d in zip(xs, d_x)]
    in_dims = ([0 if d is not None else None for d in d_c] + [0] * num_carry
               + [0 if d is not None else None for d in d_x])
    b_jaxpr = batch_closed(jaxpr, in_dims, size)
    outs = scan_p.bind(*consts, *carry, *xs, jaxpr=b_jaxpr, num_consts=num_consts,
                       num_carry=num_carry, length=length, reverse=reverse, linear=linear)
    return outs, [0] * num_carry + [1] * (len(outs) - num_carry)


scan_p.impl = _scan_impl
scan_p.abstract_eval = _scan_aval
scan_p.jvp = _scan_jvp
scan_p.transpose = _scan_transpose
scan_p.batch = _scan_batch
scan_p.rewrite = split_scan
scan_p.loop = lambda *, jaxpr, num_consts, num_carry, length, reverse, linear=(): (
    jaxpr, num_consts, num_carry, length, reverse)


# ----------------------------------------------------------------------------- lax.scan

def scan(f: Callable[[Any, Any], tuple[Any, Any]], init: Any, xs: Any, length: int | None = None,
         reverse: bool = False) -> tuple[Any, Any]:
    """``carry, y = f(carry, x)`` over the leading axis of ``xs``, as one primitive (JAX's
    ``lax.scan``).

    Parameters
    ----------
    f : callable
        ``f(carry, x) -> (carry, y)``; the carry keeps ``init``'s structure and types.
    init : pytree
        The initial carry.
    xs : pytree or None
        Scanned over their leading axis (all of one length); None with ``length`` for a loop
        without inputs.
    length : int or None, default None
        The number of steps, needed when ``xs`` is None or empty.
    reverse : bool, default False
        Scan from the last element to the first (the stacked outputs keep ``xs``'s order).

    Returns
    -------
    tuple
        ``(final carry, ys)``, ``ys`` the outputs ``y`` stacked along a new leading axis.

    Raises
    ------
    ValueError
        If ``xs``'s leaves have no leading axis or different lengths, or neither ``xs`` nor
        ``length`` gives the length.
    TypeError
        If ``f`` does not return a pair, or returns a carry of another structure or type.

    Examples
    --------
    >>> import numpy as np, ftrans.lax as lax
    >>> carry, ys = lax.scan(lambda c, x: (c + x, c * x), 0.0, np.arange(4.0))
    >>> print(carry, ys)
    6.0 [0. 0. 2. 9.]
    """
    return scan_named(f, init, xs, length, reverse, "the body of lax.scan")


def scan_named(f: Any, init: Any, xs: Any, length: int | None, reverse: bool, why: str) -> Any:
    """``scan``, whose body's ``ConcretizationError`` names ``why``."""
    carry, c_tree, c_avals = flat_args(init, "scan: init")
    x_flat, x_tree, x_avals = flat_args(xs, "scan: xs")
    lengths = {a.shape[0] if a.shape else None for a in x_avals}
    if None in lengths:
        raise ValueError(f"scan: every xs leaf needs a leading axis to scan over, got "
                         f"{types(x_avals)}")
    if length is not None:
        lengths.add(int(length))
    if len(lengths) > 1:
        raise ValueError(f"scan: xs leaves have different leading axis sizes: "
                         f"{types(x_avals)}" + (f" (length={length})" if length else ""))
    if not lengths:
        raise ValueError("scan: length must be given when xs is None or empty")
    n = lengths.pop()
    slice_avals = [ShapedArray(a.shape[1:], a.dtype) for a in x_avals]
    in_tree = tree_flatten((init, tree_unflatten(x_tree, x_flat)))[1]
    box: list = []

    def body(c: Any, x: Any) -> Any:
        out = f(c, x)
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"scan: {fname(f)} must return a pair (carry, y), but it "
                            f"returned {describe(out)}")
        box.append(tree_flatten(out[0])[1])
        return out

    cj, consts, out_tree, _ = trace_fun(body, in_tree, c_avals + slice_avals, "scan", why)
    nc = len(carry)
    if box[0] != c_tree or cj.out_avals[:nc] != c_avals:
        raise TypeError(f"scan: {fname(f)} must return a carry of the init's type {c_tree} "
                        f"{types(c_avals)}, but returns {box[0]} {types(cj.out_avals[:nc])}")
    args = [*consts, *carry, *x_flat]
    outs = scan_p.bind(*args, jaxpr=cj, num_consts=len(consts), num_carry=nc, length=n,
                       reverse=bool(reverse), linear=(False,) * len(args))
    y_tree = out_tree.children[1] if out_tree.children else out_tree
    return tree_unflatten(c_tree, outs[:nc]), tree_unflatten(y_tree, outs[nc:])
