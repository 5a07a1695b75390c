"""Structured control flow: ``cond`` (also ``switch``), ``while``, ``scan``, and the linear
``custom_lin`` used by custom rules and ``checkpoint``. Each primitive's params hold jaxprs
(``ClosedJaxpr`` whose consts are never tracers: traced values a branch or body closes over are
passed as explicit operands), and all its rules live here.

How differentiation works, given that ``linearize`` runs jvp rules with known primal values and
abstract tangents, and ``transpose`` walks the linear jaxpr backwards:

- ``cond`` with a known index evaluates the chosen branch's jvp inline; with an unknown one it
  splits every branch into a *known* part (primals -> outputs + residuals) and a *linear* part
  (residuals, tangents -> output tangents) and emits one ``cond`` of each; the linear ``cond``
  transposes branch by branch.
- ``scan`` does the same per iteration: a known ``scan`` stacks each iteration's residuals and a
  linear ``scan`` consumes them; its transpose is a ``scan`` running the other way.
- ``while`` with known values counts its iterations and is differentiated as a ``scan`` of that
  length, so reverse mode works, storing per-iteration residuals (JAX cannot do reverse mode
  through ``while_loop``). With unknown values (under ``jit``/``vmap``/``make_jaxpr``) a primal
  ``while`` also counts the iterations, and the tangent map is a ``custom_lin`` whose transpose
  recomputes each iteration's carry from the start: O(n^2) body evaluations, O(1) memory.
- Batching: an unbatched ``cond`` index batches the branches; a batched one selects between all
  branches' results. A batched ``while`` predicate runs until every element is done, freezing
  finished elements with a select.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import (
    Primitive,
    Trace,
    Tracer,
    Zero,
    aval_of,
    eval_jaxpr,
    instantiate,
    known_value,
    register,
    trace_to_jaxpr,
)
from ..ir import ClosedJaxpr, Jaxpr, Literal, ShapedArray, Var, is_float_dtype
from .families import is_undef

# ----------------------------------------------------------------------------- helpers


def close_jaxpr(jaxpr: Jaxpr, consts: Sequence[Any]) -> tuple[ClosedJaxpr, list[Any]]:
    """Hoist the tracer consts of a traced jaxpr into leading invars: returns the closed jaxpr
    (keeping plain-array consts) and the hoisted values, to be passed as operands."""
    keep = [(v, c) for v, c in zip(jaxpr.constvars, consts) if not isinstance(c, Tracer)]
    hoist = [(v, c) for v, c in zip(jaxpr.constvars, consts) if isinstance(c, Tracer)]
    j = Jaxpr([v for v, _ in keep], [*(v for v, _ in hoist), *jaxpr.invars], jaxpr.eqns,
              jaxpr.outvars)
    return ClosedJaxpr(j, [c for _, c in keep]), [c for _, c in hoist]


def trace_closed(fun: Callable[..., Sequence[Any]], avals: Sequence[ShapedArray]
                 ) -> ClosedJaxpr:
    """Trace a flat function whose closure holds no tracers into a ``ClosedJaxpr``."""
    jaxpr, consts = trace_to_jaxpr(fun, avals, "a control-flow derivative or batching rule")
    closed, hoisted = close_jaxpr(jaxpr, consts)
    assert not hoisted, "a rule's jaxpr captured a tracer"
    return closed


def call(cj: ClosedJaxpr, *args: Any) -> list[Any]:
    return eval_jaxpr(cj.jaxpr, cj.consts, *args)


def _read(values: dict, a: Any) -> Any:
    return a.val if type(a) is Literal else values[a]


def _values(cj: ClosedJaxpr, args: Sequence[Any]) -> dict[Var, Any]:
    values: dict[Var, Any] = dict(zip(cj.jaxpr.constvars, cj.consts))
    values.update(zip(cj.jaxpr.invars, args))
    return values


def jvp_call(cj: ClosedJaxpr, primals: Sequence[Any], tangents: Sequence[Any]
             ) -> tuple[list[Any], list[Any]]:
    """Primal outputs and output tangents of ``cj``, evaluated inline in the current traces."""
    from ..transforms.jvp import jvp_jaxpr_eval
    values = _values(cj, primals)
    t_out = jvp_jaxpr_eval(cj.jaxpr, values, tangents)
    return [_read(values, a) for a in cj.jaxpr.outvars], t_out


def partial_eval(cj: ClosedJaxpr, diff: Sequence[bool]) -> tuple[ClosedJaxpr, ClosedJaxpr]:
    """Split ``cj`` symbolically into ``known: primals -> (outputs, residuals)`` and
    ``lin: (residuals, tangents of the inputs marked in diff) -> output tangents`` (all of
    them, zeros instantiated). This is linearization with abstract primals."""
    from ..transforms.jvp import jvp_jaxpr_eval
    with Trace(concrete=False, why="partial evaluation of a control-flow body") as outer:
        args = [outer.new_arg(av) for av in cj.in_avals]
        values = _values(cj, args)
        with Trace(concrete=False, why="linearization (tangents have no values)") as lin_trace:
            tangents = [lin_trace.new_arg(av) if d else Zero(av)
                        for av, d in zip(cj.in_avals, diff)]
            t_out = jvp_jaxpr_eval(cj.jaxpr, values, tangents)
            lin_jaxpr, residuals = lin_trace.to_jaxpr([instantiate(t) for t in t_out])
        outs = [_read(values, a) for a in cj.jaxpr.outvars]
        known_jaxpr, known_consts = outer.to_jaxpr(outs + residuals)
    lin = Jaxpr((), [*lin_jaxpr.constvars, *lin_jaxpr.invars], lin_jaxpr.eqns,
                lin_jaxpr.outvars)
    return ClosedJaxpr(known_jaxpr, known_consts), ClosedJaxpr(lin, [])


def transpose_closed(cj: ClosedJaxpr, linear: Sequence[bool]) -> ClosedJaxpr:
    """``(non-linear inputs, output cotangents) -> cotangents of the linear inputs`` for a
    jaxpr linear in the inputs marked ``linear``."""
    from ..transforms.transpose import backward_pass
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


def batch_closed(cj: ClosedJaxpr, dims: Sequence[int | None], size: int) -> ClosedJaxpr:
    """``cj`` batched: inputs batched at axis 0 where ``dims`` says so; every output at 0."""
    from ..transforms.batch import batch_jaxpr_eval, move_batch_axis
    avals = [ShapedArray((size, *av.shape), av.dtype) if d is not None else av
             for av, d in zip(cj.in_avals, dims)]

    def batched(*args: Any) -> list[Any]:
        outs, out_dims = batch_jaxpr_eval(cj.jaxpr, cj.consts, args, dims)
        return [move_batch_axis(_as_array(o), d, 0, size) for o, d in zip(outs, out_dims)]

    return trace_closed(batched, avals)


def _as_array(x: Any, xp: Any = np) -> Any:
    """A result of a body as an array of ``xp`` (Python numbers, and NumPy constants on the
    GPU, become arrays of the computation's device)."""
    if isinstance(x, (bool, int, float, complex)) or (xp is not np and type(x) is np.ndarray):
        return xp.asarray(x)
    return x


def _to_front(x: Any, d: int | None, size: int) -> Any:
    from ..transforms.batch import move_batch_axis
    return move_batch_axis(_as_array(x), d, 0, size)


def _batch_size(args: Sequence[Any], dims: Sequence[int | None]) -> int:
    from .families import shape_of
    return next(shape_of(a)[d] for a, d in zip(args, dims) if d is not None)


def _types(avals: Sequence[ShapedArray]) -> str:
    return "(" + ", ".join(a.str_short() for a in avals) + ")"


def _split(xs: Sequence[Any], *sizes: int) -> list[list[Any]]:
    out, i = [], 0
    for n in sizes:
        out.append(list(xs[i:i + n]))
        i += n
    out.append(list(xs[i:]))
    return out


def _is_float(aval: ShapedArray) -> bool:
    return is_float_dtype(aval.dtype)


def _with_invars(cj: ClosedJaxpr, invars: Sequence[Var], outvars: Sequence[Any] | None = None
                 ) -> ClosedJaxpr:
    j = cj.jaxpr
    return ClosedJaxpr(Jaxpr(j.constvars, invars, j.eqns,
                             j.outvars if outvars is None else outvars), cj.consts)


# ----------------------------------------------------------------------------- cond

cond_p = register(Primitive("cond", multiple_results=True))
cond_p.family = "control"


def _cond_impl(xp: Any, index: Any, *ops: Any, branches: tuple[ClosedJaxpr, ...]) -> list:
    i = int(np.clip(int(index), 0, len(branches) - 1))
    return [_as_array(o, xp) for o in call(branches[i], *ops)]


def _cond_aval(index: ShapedArray, *ops: ShapedArray, branches: tuple[ClosedJaxpr, ...]
               ) -> list[ShapedArray]:
    if index.shape != () or index.dtype.kind not in "iub":
        raise TypeError(f"cond: the index (predicate) must be an integer or boolean scalar, "
                        f"got {index.str_short()}")
    first = branches[0].out_avals
    for i, br in enumerate(branches):
        if [a.strip_weak() for a in br.in_avals] != [a.strip_weak() for a in ops]:
            raise TypeError(f"cond: branch {i} takes {_types(br.in_avals)} but the operands "
                            f"are {_types(ops)}")
        if br.out_avals != first:
            raise TypeError(f"cond: branch 0 returns {_types(first)} but branch {i} returns "
                            f"{_types(br.out_avals)}; every branch must return the same types")
    return list(first)


def _cond_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
              branches: tuple[ClosedJaxpr, ...]) -> list[Any]:
    index, ops = primals[0], primals[1:]
    op_t = list(tangents[1:])
    idx = known_value(index)
    if idx is not None:  # a known index: the chosen branch, inline
        br = branches[int(np.clip(int(idx), 0, len(branches) - 1))]
        return jvp_call(br, ops, op_t)[1]
    diff = [type(t) is not Zero for t in op_t]
    split = [partial_eval(br, diff) for br in branches]
    n_out = len(branches[0].out_avals)
    res_avals = [k.out_avals[n_out:] for k, _ in split]
    known_br, lin_br = [], []
    for i, (known, lin) in enumerate(split):
        def known_i(*args: Any, _i: int = i, _known: ClosedJaxpr = known) -> list[Any]:
            out = call(_known, *args)
            res = [np.zeros(a.shape, a.dtype) if j != _i else None
                   for j, avs in enumerate(res_avals) for a in avs]
            own = iter(out[n_out:])
            return out[:n_out] + [next(own) if r is None else r for r in res]
        known_br.append(trace_closed(known_i, branches[0].in_avals))
        pads = [[Var(a) for a in avs] for avs in res_avals]
        n_own = len(res_avals[i])
        pads[i] = list(lin.jaxpr.invars[:n_own])
        lin_br.append(_with_invars(lin, [v for p in pads for v in p]
                                   + list(lin.jaxpr.invars[n_own:])))
    out_res = cond_p.bind(index, *ops, branches=tuple(known_br))
    res = out_res[n_out:]
    return cond_p.bind(index, *res, *[t for t in op_t if type(t) is not Zero],
                       branches=tuple(lin_br))


def _cond_transpose(ct: Sequence[Any], index: Any, *args: Any,
                    branches: tuple[ClosedJaxpr, ...]) -> list[Any]:
    if is_undef(index):
        raise TypeError("cond is not linear in its index")
    linear = [is_undef(a) for a in args]
    known = [a for a in args if not is_undef(a)]
    t_br = tuple(transpose_closed(br, linear) for br in branches)
    cts = iter(cond_p.bind(index, *known, *ct, branches=t_br))
    return [None] + [next(cts) if m else None for m in linear]


def _cond_batch(args: Sequence[Any], dims: Sequence[int | None], *,
                branches: tuple[ClosedJaxpr, ...]) -> tuple[list[Any], list[int]]:
    from .elementwise import max_p, min_p, ne_p, select_n_p
    from .shape import broadcast_in_dim, convert_element_type
    size = _batch_size(args, dims)
    index, ops = args[0], [_to_front(a, d, size) if d is not None else a
                           for a, d in zip(args[1:], dims[1:])]
    op_dims = [0 if d is not None else None for d in dims[1:]]
    b_br = tuple(batch_closed(br, op_dims, size) for br in branches)
    if dims[0] is None:
        return cond_p.bind(index, *ops, branches=b_br), [0] * len(branches[0].out_avals)
    # a batched index: every branch runs, and a select picks each element's result
    index = _to_front(index, dims[0], size)
    results = [call(br, *ops) for br in b_br]
    n = len(branches)
    if n == 2:
        which = ne_p.bind(index, np.zeros((), index.dtype))
    else:
        which = convert_element_type(index, np.int32)
        which = max_p.bind(min_p.bind(which, np.int32(n - 1)), np.int32(0))
    outs = []
    for cases in zip(*results):
        shape = cases[0].shape
        w = broadcast_in_dim(which, shape, (0,)) if len(shape) > 1 else which
        outs.append(select_n_p.bind(w, *cases))
    return outs, [0] * len(outs)


cond_p.impl = _cond_impl
cond_p.abstract_eval = _cond_aval
cond_p.jvp = _cond_jvp
cond_p.transpose = _cond_transpose
cond_p.batch = _cond_batch


# ----------------------------------------------------------------------------- scan

scan_p = register(Primitive("scan", multiple_results=True))
scan_p.family = "control"


def _index(x: Any, i: int) -> Any:
    from .shape import squeeze
    from .slicing import slice_
    shape = x.shape
    return squeeze(slice_(x, (i,) + (0,) * (len(shape) - 1), (i + 1,) + tuple(shape[1:])), (0,))


def _scan_impl(xp: Any, *args: Any, jaxpr: ClosedJaxpr, num_consts: int, num_carry: int,
               length: int, reverse: bool, linear: tuple[bool, ...] = ()) -> list[Any]:
    consts, carry, xs = _split(args, num_consts, num_carry)
    ys: list[list[Any]] = []
    for i in (reversed(range(length)) if reverse else range(length)):
        out = call(jaxpr, *consts, *carry, *[x[i] for x in xs])
        carry, y = out[:num_carry], out[num_carry:]
        ys.append([_as_array(v, xp) for v in y])
    if reverse:
        ys.reverse()
    y_avals = jaxpr.out_avals[num_carry:]
    stacked = [xp.stack([y[j] for y in ys]) if ys else xp.zeros((0, *a.shape), a.dtype)
               for j, a in enumerate(y_avals)]
    return [_as_array(c, xp) for c in carry] + stacked


def _scan_aval(*avals: ShapedArray, jaxpr: ClosedJaxpr, num_consts: int, num_carry: int,
               length: int, reverse: bool, linear: tuple[bool, ...] = ()) -> list[ShapedArray]:
    consts, carry, xs = _split(avals, num_consts, num_carry)
    carry = [a.strip_weak() for a in carry]
    x_avals = [ShapedArray(a.shape[1:], a.dtype) for a in xs]
    for a in xs:
        if not a.shape or a.shape[0] != length:
            raise ValueError(f"scan: every xs leaf must have leading axis of length {length}, "
                             f"got {a.str_short()}")
    expected = [a.strip_weak() for a in consts] + carry + x_avals
    if [a.strip_weak() for a in jaxpr.in_avals] != expected:
        raise TypeError(f"scan: the body takes {_types(jaxpr.in_avals)} but is given "
                        f"{_types(expected)}")
    out = jaxpr.out_avals
    if out[:num_carry] != carry:
        raise TypeError(f"scan: the body function returns carry {_types(out[:num_carry])} but "
                        f"the carry input is {_types(carry)}; the carry type must not change")
    return carry + [ShapedArray((length, *a.shape), a.dtype) for a in out[num_carry:]]


def _scan_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
              jaxpr: ClosedJaxpr, num_consts: int, num_carry: int, length: int, reverse: bool,
              linear: tuple[bool, ...] = ()) -> list[Any]:
    consts, init, xs = _split(primals, num_consts, num_carry)
    c_t, i_t, x_t = _split(tangents, num_consts, num_carry)
    carry_avals = jaxpr.in_avals[num_consts:num_consts + num_carry]
    carry_diff = [_is_float(a) for a in carry_avals]
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
    r_vars, ct_vars, cr_vars, x_vars = _split(
        lin.jaxpr.invars, len(res_out), sum(diff[:num_consts]), sum(carry_diff))
    y_avals = jaxpr.out_avals[num_carry:]
    y_diff = [_is_float(a) for a in y_avals]
    keep = [o for o, d in zip(lin.jaxpr.outvars, carry_diff + y_diff) if d]
    lin_body = _with_invars(lin, ct_vars + [r_vars[j] for j in inv_idx] + cr_vars
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
    from ..transforms.transpose import backward_pass
    lin = list(linear) if linear else [is_undef(a) for a in args]
    consts, carry, xs = _split(args, num_consts, num_carry)
    l_c, l_carry, l_x = _split(lin, num_consts, num_carry)
    if not all(l_carry):
        raise NotImplementedError("scan transpose: the carry must be linear")
    # known consts and known xs (residuals) are read by the transposed body; linear consts
    # accumulate cotangents in the carry; linear xs get stacked cotangents as outputs
    j = jaxpr.jaxpr
    c_vars, carry_vars, x_vars = _split(j.invars, num_consts, num_carry)
    kc = [v for v, m in zip(c_vars, l_c) if not m]
    lc = [v for v, m in zip(c_vars, l_c) if m]
    kx = [v for v, m in zip(x_vars, l_x) if not m]
    lx = [v for v, m in zip(x_vars, l_x) if m]
    body = Jaxpr([*j.constvars, *kc, *kx], [*lc, *carry_vars, *lx], j.eqns, j.outvars)
    n_ys = len(j.outvars) - num_carry

    def t_body(*a: Any) -> list[Any]:
        k_c, acc, ct_carry, k_x, ct_y = _split(a, len(kc), len(lc), num_carry, len(kx))
        cts = backward_pass(body, [*jaxpr.consts, *k_c, *k_x], [*ct_carry, *ct_y])
        cts = [instantiate(c) for c in cts]
        ct_lc, ct_c, ct_x = _split(cts, len(lc), num_carry)
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
    ct_lc, ct_init, ct_xs = _split(out, len(lc), num_carry)
    it_lc, it_xs = iter(ct_lc), iter(ct_xs)
    return ([next(it_lc) if m else None for m in l_c] + ct_init
            + [next(it_xs) if m else None for m in l_x])


def _scan_batch(args: Sequence[Any], dims: Sequence[int | None], *, jaxpr: ClosedJaxpr,
                num_consts: int, num_carry: int, length: int, reverse: bool,
                linear: tuple[bool, ...] = ()) -> tuple[list[Any], list[int]]:
    from .shape import moveaxis
    size = _batch_size(args, dims)
    consts, carry, xs = _split(args, num_consts, num_carry)
    d_c, d_carry, d_x = _split(dims, num_consts, num_carry)
    consts = [_to_front(a, d, size) if d is not None else a for a, d in zip(consts, d_c)]
    carry = [_to_front(a, d, size) for a, d in zip(carry, d_carry)]  # every carry batched
    xs = [moveaxis(_to_front(a, d, size), 0, 1) if d is not None else a
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


# ----------------------------------------------------------------------------- while

while_p = register(Primitive("while", multiple_results=True))
while_p.family = "control"


def _while_impl(xp: Any, *args: Any, cond_jaxpr: ClosedJaxpr, body_jaxpr: ClosedJaxpr,
                cond_nconsts: int, body_nconsts: int) -> list[Any]:
    cc, bc, carry = _split(args, cond_nconsts, body_nconsts)
    while bool(call(cond_jaxpr, *cc, *carry)[0]):
        carry = call(body_jaxpr, *bc, *carry)
    return [_as_array(c, xp) for c in carry]


def _while_aval(*avals: ShapedArray, cond_jaxpr: ClosedJaxpr, body_jaxpr: ClosedJaxpr,
                cond_nconsts: int, body_nconsts: int) -> list[ShapedArray]:
    _, _, carry = _split(avals, cond_nconsts, body_nconsts)
    carry = [a.strip_weak() for a in carry]
    out = body_jaxpr.out_avals
    if out != carry:
        raise TypeError(f"while_loop: body_fun returns {_types(out)} but the carry (init_val) "
                        f"is {_types(carry)}; the body must not change the carry's type")
    (pred,) = cond_jaxpr.out_avals
    if pred.shape != () or pred.dtype != np.bool_:
        raise TypeError(f"while_loop: cond_fun must return a boolean scalar, got "
                        f"{pred.str_short()}")
    return carry


def _while_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
               cond_jaxpr: ClosedJaxpr, body_jaxpr: ClosedJaxpr, cond_nconsts: int,
               body_nconsts: int) -> list[Any]:
    cc, bc, init = _split(primals, cond_nconsts, body_nconsts)
    _, bc_t, init_t = _split(tangents, cond_nconsts, body_nconsts)
    known = [known_value(p) for p in primals]
    if all(k is not None for k in known):
        # known values: count the iterations, then differentiate as a scan of that length
        kcc, kbc, carry = _split(known, cond_nconsts, body_nconsts)
        n = 0
        while bool(call(cond_jaxpr, *kcc, *carry)[0]):
            carry = call(body_jaxpr, *kbc, *carry)
            n += 1
        n_c = len(init)
        body = _with_invars(body_jaxpr, body_jaxpr.jaxpr.invars)  # (consts, carry) -> carry
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
    from .. import lax
    n_bc = len(bc)
    carry_avals = body_jaxpr.in_avals[n_bc:]
    carry_diff = [_is_float(a) for a in carry_avals]
    bc_nz = [type(t) is not Zero for t in bc_t]
    bc_avals = body_jaxpr.in_avals[:n_bc]

    def step(b: Sequence[Any], c: Sequence[Any]) -> list[Any]:
        return call(body_jaxpr, *b, *c)

    def counted(s: Any) -> Any:
        return s[0] + 1, step(bc, s[1])

    n, _ = lax.while_loop(lambda s: call(cond_jaxpr, *cc, *s[1])[0], counted,
                          (np.int64(0), list(init)))
    known, lin = partial_eval(body_jaxpr, bc_nz + carry_diff)
    n_out = len(carry_avals)
    lin = _with_invars(lin, lin.jaxpr.invars,
                       [o for o, d in zip(lin.jaxpr.outvars, carry_diff) if d])
    t_lin = transpose_closed(lin, [False] * (len(known.out_avals) - n_out)
                             + [True] * (sum(bc_nz) + sum(carry_diff)))

    def fwd(res: Sequence[Any], ts: Sequence[Any]) -> list[Any]:
        b, c0, (n_,) = _split(res, n_bc, n_out)
        bt_it = iter(ts[:sum(bc_nz)])
        bt = [next(bt_it) if m else Zero(av) for m, av in zip(bc_nz, bc_avals)]

        def body(s: Any) -> Any:
            i, c, t = s
            t_it = iter(t)
            t_full = [next(t_it) if d else Zero(av) for d, av in zip(carry_diff, carry_avals)]
            out, t_out = jvp_call(body_jaxpr, [*b, *c], [*bt, *t_full])
            return i + 1, out, [instantiate(x) for x, d in zip(t_out, carry_diff) if d]

        _, _, t = lax.while_loop(lambda s: s[0] < n_, body,
                                 (np.int64(0), list(c0), list(ts[sum(bc_nz):])))
        it = iter(t)
        return [next(it) if d else np.zeros(av.shape, av.dtype)
                for d, av in zip(carry_diff, carry_avals)]

    def bwd(res: Sequence[Any], cts: Sequence[Any]) -> list[Any]:
        b, c0, (n_,) = _split(res, n_bc, n_out)
        ct0 = [instantiate(x) for x, d in zip(cts, carry_diff) if d]
        acc0 = [np.zeros(av.shape, av.dtype) for av, m in zip(bc_avals, bc_nz) if m]

        def carry_at(k: Any) -> list[Any]:
            return lax.while_loop(lambda s: s[0] < k, lambda s: (s[0] + 1, step(b, s[1])),
                                  (np.int64(0), list(c0)))[1]

        def back(s: Any) -> Any:
            k, acc, ct = s
            r = call(known, *b, *carry_at(k))[n_out:]
            g = call(t_lin, *r, *ct)
            g_b, g_c = g[:len(acc)], g[len(acc):]
            return k - 1, [x + y for x, y in zip(acc, g_b)], g_c

        _, acc, ct = lax.while_loop(lambda s: s[0] >= 0, back, (n_ - 1, acc0, ct0))
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
    from ..transforms.batch import batch_jaxpr_eval
    from .elementwise import select_n_p
    from .reduce import reduce_max_p
    from .shape import broadcast_in_dim, convert_element_type
    size = _batch_size(args, dims)
    cc, bc, carry = _split(args, cond_nconsts, body_nconsts)
    d_cc, d_bc, _ = _split(dims, cond_nconsts, body_nconsts)
    cc = [_to_front(a, d, size) if d is not None else a for a, d in zip(cc, d_cc)]
    bc = [_to_front(a, d, size) if d is not None else a for a, d in zip(bc, d_bc)]
    carry = [_to_front(a, d, size) for a, d in zip(carry, dims[cond_nconsts + body_nconsts:])]
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
        p = convert_element_type(_to_front(p, d, size), np.int32)
        return [reduce_max_p.bind(p, axes=(0,)) > np.int32(0)]

    def body_fn(*a: Any) -> list[Any]:
        c_consts, b_consts, c = _split(a, cond_nconsts, body_nconsts)
        p, d = pred_of(c_consts, c)
        new, new_d = batch_jaxpr_eval(body_jaxpr.jaxpr, body_jaxpr.consts, [*b_consts, *c],
                                      [*db, *[0] * n_c])
        new = [_to_front(x, nd, size) for x, nd in zip(new, new_d)]
        if d is None:
            return new
        p = _to_front(p, d, size)
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


# ----------------------------------------------------------------------------- custom_lin

custom_lin_p = register(Primitive("custom_lin", multiple_results=True))
custom_lin_p.family = "control"


def _custom_lin_impl(xp: Any, *args: Any, num_res: int, fwd: Callable, bwd: Callable,
                     out_avals: tuple[ShapedArray, ...], name: str) -> list[Any]:
    return [_as_array(instantiate(o), xp)
            for o in fwd(list(args[:num_res]), list(args[num_res:]))]


def _custom_lin_aval(*avals: ShapedArray, num_res: int, fwd: Callable, bwd: Callable,
                     out_avals: tuple[ShapedArray, ...], name: str) -> list[ShapedArray]:
    return list(out_avals)


def _custom_lin_transpose(ct: Sequence[Any], *args: Any, num_res: int, fwd: Callable,
                          bwd: Callable, out_avals: tuple[ShapedArray, ...], name: str
                          ) -> list[Any]:
    res = args[:num_res]
    if any(is_undef(r) for r in res):
        raise TypeError(f"{name}: custom_lin is not linear in its residuals")
    cts = bwd(list(res), list(ct))
    return [None] * num_res + list(cts)


def _custom_lin_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
                    num_res: int, fwd: Callable, bwd: Callable,
                    out_avals: tuple[ShapedArray, ...], name: str) -> list[Any]:
    # differentiate the forward tangent map itself (its residuals may carry tangents)
    avals = [aval_of(p).strip_weak() for p in primals]
    cj = trace_closed(lambda *a: fwd(list(a[:num_res]), list(a[num_res:])), avals)
    return jvp_call(cj, primals, tangents)[1]


def _custom_lin_batch(args: Sequence[Any], dims: Sequence[int | None], *, num_res: int,
                      fwd: Callable, bwd: Callable, out_avals: tuple[ShapedArray, ...],
                      name: str) -> tuple[list[Any], list[int]]:
    from ..api import vmap
    size = _batch_size(args, dims)
    args = [_to_front(a, d, size) for a, d in zip(args, dims)]
    b_fwd = vmap(fwd, in_axes=0, out_axes=0)
    b_bwd = vmap(bwd, in_axes=0, out_axes=0)
    b_avals = tuple(ShapedArray((size, *a.shape), a.dtype) for a in out_avals)
    out = custom_lin_p.bind(*args, num_res=num_res, fwd=b_fwd, bwd=b_bwd, out_avals=b_avals,
                            name=name)
    return out, [0] * len(out)


custom_lin_p.impl = _custom_lin_impl
custom_lin_p.abstract_eval = _custom_lin_aval
custom_lin_p.transpose = _custom_lin_transpose
custom_lin_p.jvp = _custom_lin_jvp
custom_lin_p.batch = _custom_lin_batch
