"""``cond`` and ``switch``: one primitive, ``cond``, whose params hold one closed jaxpr per
branch (traced values a branch closes over are passed as explicit operands), with all its
rules; ``lax.cond`` and ``lax.switch`` trace the user's branches into it.

- jvp: with a known index, the chosen branch's jvp inline; with an unknown one every branch
  is split into a *known* part (primals -> outputs + residuals) and a *linear* part
  (residuals, tangents -> output tangents) and one ``cond`` of each is emitted; the linear
  ``cond`` transposes branch by branch.
- batch: an unbatched index batches the branches; a batched one runs every branch and
  selects each element's result.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import Primitive, Tracer, Zero, aval_of, known_value, register
from ..ir import ClosedJaxpr, Jaxpr, ShapedArray, Var
from ..prims.elementwise import max_p, min_p, ne_p, select_n_p
from ..prims.families import is_undef
from ..prims.shape import broadcast_in_dim, convert_element_type
from ..transforms.closed import call, trace_closed
from ..transforms.jvp import jvp_call
from ..transforms.linearize import partial_eval
from ..transforms.transpose import transpose_closed
from ..tree_util import tree_flatten, tree_unflatten
from ._common import (
    as_array,
    batch_closed,
    batch_size,
    flat_args,
    fname,
    to_front,
    trace_fun,
    types,
    with_invars,
)

cond_p = register(Primitive("cond", multiple_results=True))
cond_p.family = "control"


def _cond_impl(xp: Any, index: Any, *ops: Any, branches: tuple[ClosedJaxpr, ...]) -> list:
    i = int(np.clip(int(index), 0, len(branches) - 1))
    return [as_array(o, xp) for o in call(branches[i], *ops)]


def _cond_aval(index: ShapedArray, *ops: ShapedArray, branches: tuple[ClosedJaxpr, ...]
               ) -> list[ShapedArray]:
    if index.shape != () or index.dtype.kind not in "iub":
        raise TypeError(f"cond: the index (predicate) must be an integer or boolean scalar, "
                        f"got {index.str_short()}")
    first = branches[0].out_avals
    for i, br in enumerate(branches):
        if [a.strip_weak() for a in br.in_avals] != [a.strip_weak() for a in ops]:
            raise TypeError(f"cond: branch {i} takes {types(br.in_avals)} but the operands "
                            f"are {types(ops)}")
        if br.out_avals != first:
            raise TypeError(f"cond: branch 0 returns {types(first)} but branch {i} returns "
                            f"{types(br.out_avals)}; every branch must return the same types")
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
        lin_br.append(with_invars(lin, [v for p in pads for v in p]
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
    size = batch_size(args, dims)
    index, ops = args[0], [to_front(a, d, size) if d is not None else a
                           for a, d in zip(args[1:], dims[1:])]
    op_dims = [0 if d is not None else None for d in dims[1:]]
    b_br = tuple(batch_closed(br, op_dims, size) for br in branches)
    if dims[0] is None:
        return cond_p.bind(index, *ops, branches=b_br), [0] * len(branches[0].out_avals)
    # a batched index: every branch runs, and a select picks each element's result
    index = to_front(index, dims[0], size)
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


# ----------------------------------------------------------------------------- lax.cond, lax.switch

def _index_operand(index: Any, where: str, boolean: bool) -> Any:
    av = aval_of(index)
    if av.shape != () or av.dtype.kind not in "biu":
        raise TypeError(f"{where}: the {'predicate' if boolean else 'index'} must be a boolean or "
                        f"integer scalar, got {av.str_short()}")
    if isinstance(index, Tracer):
        return convert_element_type(index, np.int32)
    return np.int32(bool(index) if boolean else int(index))


def _adopt_weak_scalars(funs: list, traced: list, weak: list) -> list:
    """Branches returning a Python scalar where others return an array of one dtype adopt
    that dtype (NumPy 2 weak scalars); returns the wrapped branches, or [] if none change."""
    n = len(traced[0][0].out_avals)
    if any(len(w) != n for w in weak) or not any(any(w) for w in weak):
        return []
    if all(cj.out_avals == traced[0][0].out_avals for cj, _, _ in traced):
        return []
    target: dict[int, Any] = {}
    for k in range(n):
        strong = {cj.out_avals[k].dtype for (cj, _, _), w in zip(traced, weak) if not w[k]}
        if len(strong) == 1:
            target[k] = strong.pop()

    def wrap(f: Any, w: list) -> Any:
        if not any(w[k] and k in target for k in range(n)):
            return f

        def cast(*args: Any) -> Any:
            leaves, tree = tree_flatten(f(*args))
            leaves = [np.asarray(x, target[k]) if w[k] and k in target else x
                      for k, x in enumerate(leaves)]
            return tree_unflatten(tree, leaves)
        cast.__name__ = fname(f)
        return cast

    wrapped = [wrap(f, w) for f, w in zip(funs, weak)]
    return wrapped if any(g is not f for f, g in zip(funs, wrapped)) else []


def _branch_call(index: Any, funs: list, operands: tuple, where: str) -> Any:
    ops, in_tree, avals = flat_args(operands, f"{where}: operands")
    full = [trace_fun(f, in_tree, avals, where) for f in funs]
    adopted = _adopt_weak_scalars(funs, [t[:3] for t in full], [t[3] for t in full])
    if adopted:
        funs = adopted
        full = [trace_fun(f, in_tree, avals, where) for f in funs]
    traced = [(cj, hoisted, tree) for cj, hoisted, tree, _ in full]
    first_tree, first_avals = traced[0][2], traced[0][0].out_avals
    for f, (cj, _, tree) in zip(funs, traced):
        if tree != first_tree:
            raise TypeError(f"{where}: branches must return the same structure, but "
                            f"{fname(funs[0])} returns {first_tree} and {fname(f)} returns "
                            f"{tree}")
        if cj.out_avals != first_avals:
            raise TypeError(f"{where}: branches must return the same types, but "
                            f"{fname(funs[0])} returns {types(first_avals)} and {fname(f)} "
                            f"returns {types(cj.out_avals)}")
    all_consts = [c for _, h, _ in traced for c in h]
    branches = []
    for i, (cj, hoisted, _) in enumerate(traced):
        j = cj.jaxpr
        pads = [[Var(aval_of(c).strip_weak()) for c in h] for _, h, _ in traced]
        pads[i] = list(j.invars[:len(hoisted)])
        invars = [v for p in pads for v in p] + list(j.invars[len(hoisted):])
        branches.append(ClosedJaxpr(Jaxpr(j.constvars, invars, j.eqns, j.outvars), cj.consts))
    outs = cond_p.bind(index, *all_consts, *ops, branches=tuple(branches))
    return tree_unflatten(first_tree, outs)


def cond(pred: Any, true_fun: Callable[..., Any], false_fun: Callable[..., Any], *operands: Any
         ) -> Any:
    """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``, as one primitive that
    works under ``jit``/``vmap``/``make_jaxpr`` and every derivative.

    Both branches must return the same pytree structure and types. A batched ``pred`` (under
    ``vmap``) runs both branches and selects.

    Parameters
    ----------
    pred : bool or boolean scalar array
        Which branch; may be traced.
    true_fun, false_fun : callable
        The branches, each called with ``*operands``.
    *operands
        Arrays, numbers or pytrees of them.

    Returns
    -------
    pytree
        The chosen branch's output.

    Raises
    ------
    TypeError
        If ``pred`` is not a boolean (or integer) scalar, or the branches return different
        structures or types.

    Examples
    --------
    >>> import ftrans, ftrans.lax as lax
    >>> f = lambda x: lax.cond(x > 0, lambda x: x * x, lambda x: -x, x)
    >>> print(f(3.0), f(-2.0), ftrans.grad(f)(3.0), ftrans.grad(f)(-2.0))
    9.0 2.0 6.0 -1.0
    """
    index = _index_operand(pred, "cond", boolean=True)
    return _branch_call(index, [false_fun, true_fun], operands, "cond")


def switch(index: Any, branches: Sequence[Callable[..., Any]], *operands: Any) -> Any:
    """``branches[index](*operands)``, with ``index`` clamped to ``[0, len(branches) - 1]``, as
    one primitive (``cond`` with more branches).

    Parameters
    ----------
    index : int or integer scalar array
        Which branch; may be traced.
    branches : sequence of callable
        The branches, each called with ``*operands``; they must return the same structure and
        types.
    *operands
        Arrays, numbers or pytrees of them.

    Returns
    -------
    pytree
        The chosen branch's output.

    Raises
    ------
    ValueError
        If ``branches`` is empty.
    TypeError
        If ``index`` is not an integer scalar, or the branches return different structures or
        types.

    Examples
    --------
    >>> import ftrans.lax as lax
    >>> print(lax.switch(2, [lambda x: x, lambda x: 2 * x, lambda x: 3 * x], 1.0))
    3.0
    >>> print(lax.switch(7, [lambda x: x, lambda x: 2 * x], 1.0))  # clamped to the last
    2.0
    """
    branches = list(branches)
    if not branches:
        raise ValueError("switch: branches must be a non-empty sequence of functions")
    return _branch_call(_index_operand(index, "switch", boolean=False), branches, operands,
                        "switch")
