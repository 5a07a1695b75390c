"""Custom derivative rules, ``stop_gradient`` and ``checkpoint`` (rematerialization).

- ``custom_jvp``: the user's jvp rule replaces differentiation of the function; reverse mode
  transposes that rule (it must be linear in the tangents, as in JAX).
- ``custom_vjp``: reverse mode runs the user's ``fwd`` and ``bwd``. Under forward mode (``jvp``,
  ``jacfwd``, ``hessian``'s outer pass) there is no rule to use, so the primal function itself
  is differentiated (JAX raises an error there instead).
- ``checkpoint``: reverse mode keeps only ``f``'s inputs (plus what ``policy`` allows) and
  recomputes the rest of ``f``'s intermediates in the backward pass.

All three lower to primitives whose params hold the function's jaxpr and the rule callables;
their linearization emits ``custom_lin`` (``prims/control.py``), a linear primitive whose
forward evaluation is the tangent map and whose transpose calls the backward rule.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

import numpy as np

from .core import Primitive, Zero, array_module, aval_of, instantiate, register
from .ir import ClosedJaxpr, Literal, ShapedArray
from .prims.control import (
    _as_array,
    _batch_size,
    _to_front,
    batch_closed,
    call,
    close_jaxpr,
    custom_lin_p,
    jvp_call,
)
from .tree_util import PyTreeDef, tree_flatten, tree_unflatten

__all__ = ["custom_jvp", "custom_vjp", "stop_gradient", "checkpoint", "checkpoint_policies",
           "print_saved_residuals", "saved_residuals"]


def _name(f: Any) -> str:
    return getattr(f, "__name__", type(f).__name__)


def _leaf(x: Any) -> Any:
    if isinstance(x, (bool, int, float, complex)):
        return np.asarray(x)
    return x


def _types(xs: Sequence[Any]) -> str:
    return "(" + ", ".join(aval_of(x).str_short() if not isinstance(x, ShapedArray)
                           else x.str_short() for x in xs) + ")"


class _Split:
    """A call's arguments split into static (``nondiff_argnums``) and differentiable ones."""

    def __init__(self, args: tuple, nondiff: tuple[int, ...], where: str):
        self.n = len(args)
        self.nondiff = tuple(i % self.n for i in nondiff)
        self.static = [args[i] for i in self.nondiff]
        self.diff_idx = [i for i in range(self.n) if i not in self.nondiff]
        leaves, self.tree = tree_flatten(tuple(args[i] for i in self.diff_idx))
        self.leaves = [_leaf(x) for x in leaves]
        self.where = where

    def full(self, leaves: Sequence[Any]) -> list[Any]:
        diff = tree_unflatten(self.tree, leaves)
        out: list[Any] = [None] * self.n
        for i, a in zip(self.nondiff, self.static):
            out[i] = a
        for i, a in zip(self.diff_idx, diff):
            out[i] = a
        return out

    def trace(self, fun: Callable) -> tuple[ClosedJaxpr, list[Any], PyTreeDef]:
        from .core import trace_to_jaxpr
        box: list[PyTreeDef] = []

        def flat(*xs: Any) -> list[Any]:
            leaves, tree = tree_flatten(fun(*self.full(xs)))
            box.append(tree)
            return [_leaf(x) for x in leaves]

        jaxpr, consts = trace_to_jaxpr(flat, [aval_of(x).strip_weak() for x in self.leaves])
        cj, hoisted = close_jaxpr(jaxpr, consts)
        return cj, hoisted, box[0]


def _check_consts_tangents(tangents: Sequence[Any], n: int, what: str) -> None:
    if any(type(t) is not Zero for t in tangents[:n]):
        raise TypeError(f"{what} closes over a value that is being differentiated; pass that "
                        "value as an argument instead")


def _force_batched(args: Sequence[Any], dims: Sequence[int | None]) -> tuple[list[Any], int]:
    size = _batch_size(args, dims)
    return [_to_front(a, d, size) for a, d in zip(args, dims)], size


# ----------------------------------------------------------------------------- custom_jvp

custom_jvp_call_p = register(Primitive("custom_jvp_call", multiple_results=True))
custom_jvp_call_p.family = "control"


def _cj_impl(xp: Any, *args: Any, call_jaxpr: ClosedJaxpr, jvp: Callable, num_consts: int,
             name: str) -> list[Any]:
    return [_as_array(o, xp) for o in call(call_jaxpr, *args)]


def _cj_aval(*avals: ShapedArray, call_jaxpr: ClosedJaxpr, **_: Any) -> list[ShapedArray]:
    return list(call_jaxpr.out_avals)


def _cj_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
            call_jaxpr: ClosedJaxpr, jvp: Callable, num_consts: int, name: str) -> list[Any]:
    _check_consts_tangents(tangents, num_consts, f"custom_jvp function {name}")
    ps = list(primals[num_consts:])
    xp = array_module(ps)  # the rule's zero tangents live where its primals do
    ts = [xp.zeros(t.aval.shape, t.aval.dtype) if type(t) is Zero else t
          for t in tangents[num_consts:]]
    _, t_out = jvp(ps, ts)
    return t_out


def _cj_batch(args: Sequence[Any], dims: Sequence[int | None], *, call_jaxpr: ClosedJaxpr,
              jvp: Callable, num_consts: int, name: str) -> tuple[list[Any], list[int]]:
    from .api import vmap
    args, size = _force_batched(args, dims)
    b_call = batch_closed(call_jaxpr, [0] * len(args), size)
    out = custom_jvp_call_p.bind(*args, call_jaxpr=b_call, jvp=vmap(jvp, out_axes=0),
                                 num_consts=num_consts, name=name)
    return out, [0] * len(out)


custom_jvp_call_p.impl = _cj_impl
custom_jvp_call_p.abstract_eval = _cj_aval
custom_jvp_call_p.jvp = _cj_jvp
custom_jvp_call_p.batch = _cj_batch


class custom_jvp:
    """A function with a custom jvp rule: ``f.defjvp(rule)`` where ``rule(primals, tangents)``
    returns ``(f(*primals), tangent_out)`` (with ``nondiff_argnums``, those arguments come first:
    ``rule(*nondiff, primals, tangents)``). Reverse mode transposes the rule, so it must be
    linear in the tangents.

    >>> import ftrans, ftrans.numpy as fnp
    >>> @ftrans.custom_jvp
    ... def f(x):
    ...     return fnp.sin(x)
    >>> @f.defjvp
    ... def f_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return f(x), 2.0 * t          # deliberately not cos(x)
    >>> print(ftrans.grad(f)(0.3), ftrans.jvp(f, (0.3,), (1.0,))[1])
    2.0 2.0
    """

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp: Callable | None = None
        functools.update_wrapper(self, fun)

    def defjvp(self, jvp: Callable) -> Callable:
        """Set the jvp rule; returns it, so it can be used as a decorator."""
        self.jvp = jvp
        return jvp

    def __call__(self, *args: Any) -> Any:
        name = _name(self.fun)
        if self.jvp is None:
            raise AttributeError(f"custom_jvp function {name} has no jvp rule: call "
                                 f"{name}.defjvp(rule) first")
        sp = _Split(args, self.nondiff_argnums, name)
        cj, consts, out_tree = sp.trace(self.fun)
        rule, out_avals = self.jvp, cj.out_avals

        def jvp_flat(ps: Sequence[Any], ts: Sequence[Any]) -> tuple[list[Any], list[Any]]:
            p_tree = tree_unflatten(sp.tree, ps)
            t_tree = tree_unflatten(sp.tree, ts)
            res = rule(*sp.static, tuple(p_tree), tuple(t_tree))
            if not (isinstance(res, (tuple, list)) and len(res) == 2):
                raise TypeError(f"custom_jvp rule of {name} must return a pair (primal_out, "
                                f"tangent_out), got {type(res).__name__}")
            o_flat, o_tree = tree_flatten(res[0])
            t_flat, t_tree2 = tree_flatten(res[1])
            if o_tree != out_tree or t_tree2 != out_tree:
                raise TypeError(f"custom_jvp rule of {name} must return outputs and tangents "
                                f"with the structure of {name}'s output {out_tree}, got "
                                f"{o_tree} and {t_tree2}")
            t_flat = [_leaf(t) for t in t_flat]
            for t, av in zip(t_flat, out_avals):
                if aval_of(t).shape != av.shape:
                    raise TypeError(f"custom_jvp rule of {name} returned a tangent of type "
                                    f"{aval_of(t).str_short()} for an output of type "
                                    f"{av.str_short()}")
            return [_leaf(o) for o in o_flat], t_flat

        outs = custom_jvp_call_p.bind(*consts, *sp.leaves, call_jaxpr=cj, jvp=jvp_flat,
                                      num_consts=len(consts), name=name)
        return tree_unflatten(out_tree, outs)


# ----------------------------------------------------------------------------- custom_vjp

custom_vjp_call_p = register(Primitive("custom_vjp_call", multiple_results=True))
custom_vjp_call_p.family = "control"


def _cv_impl(xp: Any, *args: Any, call_jaxpr: ClosedJaxpr, fwd: Callable, bwd: Callable,
             num_consts: int, name: str) -> list[Any]:
    return [_as_array(o, xp) for o in call(call_jaxpr, *args)]


def _cv_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
            call_jaxpr: ClosedJaxpr, fwd: Callable, bwd: Callable, num_consts: int, name: str
            ) -> list[Any]:
    _check_consts_tangents(tangents, num_consts, f"custom_vjp function {name}")
    nz = [type(t) is not Zero for t in tangents]
    _, res = fwd(list(primals[num_consts:]))
    n_res = len(res) + len(primals)

    def lin_fwd(r: Sequence[Any], ts: Sequence[Any]) -> list[Any]:
        # forward mode has no rule: differentiate the primal function (documented fallback)
        ps = r[n_res - len(primals):]
        it = iter(ts)
        full = [next(it) if m else Zero(aval_of(p)) for m, p in zip(nz, ps)]
        return [instantiate(t) for t in jvp_call(call_jaxpr, ps, full)[1]]

    def lin_bwd(r: Sequence[Any], cts: Sequence[Any]) -> list[Any]:
        in_cts = bwd(r[:n_res - len(primals)], cts)
        return [c for c, m in zip(in_cts, nz) if m]

    out_avals = tuple(aval_of(o).strip_weak() for o in outs)
    return custom_lin_p.bind(*res, *primals, *[t for t in tangents if type(t) is not Zero],
                             num_res=n_res, fwd=lin_fwd, bwd=lin_bwd, out_avals=out_avals,
                             name=name)


def _cv_batch(args: Sequence[Any], dims: Sequence[int | None], *, call_jaxpr: ClosedJaxpr,
              fwd: Callable, bwd: Callable, num_consts: int, name: str
              ) -> tuple[list[Any], list[int]]:
    from .api import vmap
    args, size = _force_batched(args, dims)
    b_call = batch_closed(call_jaxpr, [0] * len(args), size)
    out = custom_vjp_call_p.bind(*args, call_jaxpr=b_call, fwd=vmap(fwd, out_axes=0),
                                 bwd=vmap(bwd, out_axes=0), num_consts=num_consts, name=name)
    return out, [0] * len(out)


custom_vjp_call_p.impl = _cv_impl
custom_vjp_call_p.abstract_eval = _cj_aval
custom_vjp_call_p.jvp = _cv_jvp
custom_vjp_call_p.batch = _cv_batch


class custom_vjp:
    """A function with a custom reverse-mode rule: ``f.defvjp(fwd, bwd)``, where
    ``fwd(*args) -> (f(*args), residuals)`` and ``bwd(residuals, ct_out)`` returns a tuple with
    one cotangent per argument (with ``nondiff_argnums``: ``bwd(*nondiff, residuals, ct)``
    and one cotangent per other argument).

    Under forward mode (``jvp``, ``jacfwd``) there is no jvp rule, so ftrans differentiates the
    primal function instead (JAX raises an error there).

    >>> import ftrans, ftrans.numpy as fnp
    >>> @ftrans.custom_vjp
    ... def clip_grad(x):
    ...     return x
    >>> clip_grad.defvjp(lambda x: (x, None), lambda _, g: (fnp.minimum(g, 1.0),))
    >>> print(ftrans.grad(lambda x: 5.0 * clip_grad(x))(2.0))
    1.0
    >>> print(ftrans.jvp(clip_grad, (2.0,), (5.0,))[1])
    5.0
    """

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd: Callable | None = None
        self.bwd: Callable | None = None
        functools.update_wrapper(self, fun)

    def defvjp(self, fwd: Callable, bwd: Callable) -> None:
        """Set the forward (``args -> (out, residuals)``) and backward rules."""
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args: Any) -> Any:
        name = _name(self.fun)
        if self.fwd is None or self.bwd is None:
            raise AttributeError(f"custom_vjp function {name} has no rules: call "
                                 f"{name}.defvjp(fwd, bwd) first")
        sp = _Split(args, self.nondiff_argnums, name)
        cj, consts, out_tree = sp.trace(self.fun)
        user_fwd, user_bwd = self.fwd, self.bwd
        n_c = len(consts)
        in_avals = [aval_of(x).strip_weak() for x in sp.leaves]
        res_tree_box: list[PyTreeDef] = []

        def fwd_flat(ps: Sequence[Any]) -> tuple[list[Any], list[Any]]:
            out = user_fwd(*sp.full(ps))
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError(f"custom_vjp fwd of {name} must return a pair (output, "
                                f"residuals), got {type(out).__name__}")
            o_flat, o_tree = tree_flatten(out[0])
            if o_tree != out_tree:
                raise TypeError(f"custom_vjp fwd of {name} returns an output of structure "
                                f"{o_tree}, but {name} returns {out_tree}")
            r_flat, r_tree = tree_flatten(out[1])
            res_tree_box[:] = [r_tree]
            return [_leaf(o) for o in o_flat], [_leaf(r) for r in r_flat]

        def bwd_flat(res: Sequence[Any], cts: Sequence[Any]) -> list[Any]:
            r = tree_unflatten(res_tree_box[0], list(res))
            ct = tree_unflatten(out_tree, list(cts))
            got = user_bwd(*sp.static, r, ct)
            n_diff = len(sp.diff_idx)
            if not isinstance(got, (tuple, list)) or len(got) != n_diff:
                raise TypeError(f"custom_vjp bwd of {name} must return a tuple of {n_diff} "
                                f"cotangent(s), one per differentiable argument, got "
                                f"{type(got).__name__}"
                                + (f" of length {len(got)}" if isinstance(got, (tuple, list))
                                   else ""))
            g_flat, g_tree = tree_flatten(tuple(got), is_leaf=lambda x: x is None)
            if g_tree != sp.tree and len(g_flat) != len(in_avals):
                raise TypeError(f"custom_vjp bwd of {name} returned cotangents of structure "
                                f"{g_tree}, expected {sp.tree}")
            out = []
            xp = array_module([*cts, *res])  # a None cotangent: zeros where the others are
            for g, av in zip(g_flat, in_avals):
                if g is None:
                    out.append(xp.zeros(av.shape, av.dtype))
                    continue
                g = _leaf(g)
                if aval_of(g).shape != av.shape:
                    raise ValueError(f"custom_vjp bwd of {name} returned a cotangent of type "
                                     f"{aval_of(g).str_short()} for an argument of type "
                                     f"{av.str_short()}")
                out.append(g)
            return [None] * n_c + out

        outs = custom_vjp_call_p.bind(*consts, *sp.leaves, call_jaxpr=cj, fwd=fwd_flat,
                                      bwd=bwd_flat, num_consts=n_c, name=name)
        return tree_unflatten(out_tree, outs)


# ----------------------------------------------------------------------------- stop_gradient

stop_gradient_p = register(Primitive("stop_gradient"))
stop_gradient_p.family = "control"
stop_gradient_p.impl = lambda xp, x: x
stop_gradient_p.abstract_eval = lambda x: x.strip_weak()
stop_gradient_p.jvp = lambda primals, out, tangents: Zero(aval_of(out))
stop_gradient_p.batch = lambda args, dims: (stop_gradient_p.bind(*args), dims[0])


def stop_gradient(x: Any) -> Any:
    """``x`` unchanged, but with zero derivative (every leaf of a pytree).

    >>> import ftrans
    >>> print(ftrans.grad(lambda x: x * ftrans.stop_gradient(x))(3.0))
    3.0
    """
    leaves, tree = tree_flatten(x)
    return tree_unflatten(tree, [stop_gradient_p.bind(_leaf(v)) for v in leaves])


# ----------------------------------------------------------------------------- checkpoint

class checkpoint_policies:
    """Which intermediates ``checkpoint`` may keep for the backward pass:
    ``policy(prim, *avals, **params) -> bool`` says whether to save an equation's outputs."""

    @staticmethod
    def nothing_saveable(prim: Primitive, *avals: Any, **params: Any) -> bool:
        """Save nothing: recompute every intermediate (the default)."""
        return False

    @staticmethod
    def everything_saveable(prim: Primitive, *avals: Any, **params: Any) -> bool:
        """Save every intermediate (no recomputation: like no checkpoint)."""
        return True

    @staticmethod
    def dots_saveable(prim: Primitive, *avals: Any, **params: Any) -> bool:
        """Save the results of matrix products; recompute the cheap elementwise rest."""
        return prim.name == "dot_general"


remat_p = register(Primitive("remat", multiple_results=True))
remat_p.family = "control"


def _remat_impl(xp: Any, *args: Any, jaxpr: ClosedJaxpr, policy: Callable | None) -> list:
    return [_as_array(o, xp) for o in call(jaxpr, *args)]


def _remat_aval(*avals: ShapedArray, jaxpr: ClosedJaxpr, policy: Any) -> list[ShapedArray]:
    return list(jaxpr.out_avals)


def _remat_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
               jaxpr: ClosedJaxpr, policy: Callable | None) -> list[Any]:
    from .transforms.linearize import linearize_jaxpr
    from .transforms.transpose import backward_pass
    nz = [type(t) is not Zero for t in tangents]
    j = jaxpr.jaxpr
    saved_vars: list[Any] = []
    saved: list[Any] = []
    if policy is not None:  # evaluate once to keep the outputs the policy allows
        env = dict(zip(j.constvars, jaxpr.consts))
        env.update(zip(j.invars, primals))
        for eqn in j.eqns:
            ins = [a.val if type(a) is Literal else env[a] for a in eqn.inputs]
            out = eqn.prim.bind(*ins, **eqn.params)
            out = out if eqn.prim.multiple_results else [out]
            env.update(zip(eqn.outputs, out))
            if policy(eqn.prim, *[a.aval for a in eqn.inputs], **eqn.params):
                saved_vars.extend(eqn.outputs)
                saved.extend(out)
    n_p = len(primals)

    def values(r: Sequence[Any]) -> dict:
        vals = dict(zip(j.constvars, jaxpr.consts))
        vals.update(zip(j.invars, r[:n_p]))
        vals.update(zip(saved_vars, r[n_p:]))
        return vals

    def lin_fwd(r: Sequence[Any], ts: Sequence[Any]) -> list[Any]:
        it = iter(ts)
        full = [next(it) if m else Zero(aval_of(p)) for m, p in zip(nz, r[:n_p])]
        return [instantiate(t) for t in jvp_call(jaxpr, r[:n_p], full)[1]]

    def lin_bwd(r: Sequence[Any], cts: Sequence[Any]) -> list[Any]:
        lin, consts = linearize_jaxpr(j, values(r), nz)  # recompute what was not saved
        return backward_pass(lin, consts, list(cts))

    out_avals = tuple(aval_of(o).strip_weak() for o in outs)
    return custom_lin_p.bind(*primals, *saved, *[t for t in tangents if type(t) is not Zero],
                             num_res=n_p + len(saved), fwd=lin_fwd, bwd=lin_bwd,
                             out_avals=out_avals, name="checkpoint")


def _remat_batch(args: Sequence[Any], dims: Sequence[int | None], *, jaxpr: ClosedJaxpr,
                 policy: Any) -> tuple[list[Any], list[int]]:
    size = _batch_size(args, dims)
    d = [0 if x is not None else None for x in dims]
    args = [_to_front(a, x, size) if x is not None else a for a, x in zip(args, dims)]
    out = remat_p.bind(*args, jaxpr=batch_closed(jaxpr, d, size), policy=policy)
    return out, [0] * len(out)


remat_p.impl = _remat_impl
remat_p.abstract_eval = _remat_aval
remat_p.jvp = _remat_jvp
remat_p.batch = _remat_batch


def checkpoint(fun: Callable, policy: Callable | None = None) -> Callable:
    """``fun`` whose intermediates are recomputed in the backward pass instead of stored:
    reverse mode keeps only its inputs (and the outputs of equations ``policy`` allows, see
    ``checkpoint_policies``). Same values and derivatives, less memory.

    >>> import ftrans, ftrans.numpy as fnp
    >>> f = ftrans.checkpoint(lambda x: fnp.sin(fnp.sin(x)))
    >>> bool(abs(ftrans.grad(f)(0.5) - ftrans.grad(lambda x: fnp.sin(fnp.sin(x)))(0.5)) < 1e-15)
    True
    """
    if policy is checkpoint_policies.nothing_saveable:
        policy = None

    @functools.wraps(fun)
    def remat_fun(*args: Any) -> Any:
        sp = _Split(args, (), _name(fun))
        cj, consts, out_tree = sp.trace(fun)
        outs = remat_p.bind(*consts, *sp.leaves, jaxpr=cj, policy=policy)
        return tree_unflatten(out_tree, outs)

    return remat_fun


remat = checkpoint


def saved_residuals(fun: Callable, *args: Any) -> list[tuple[ShapedArray, int]]:
    """The residuals a vjp of ``fun`` at ``args`` keeps for its backward pass, as
    ``(aval, bytes)`` pairs.

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.saved_residuals(lambda x: fnp.sum(fnp.sin(x)), np.ones(3))
    [(f64[3], 24)]
    """
    from .api import _linearized
    _, _, consts = _linearized(fun, args, False, "saved_residuals", ["args"])
    out = []
    for c in consts:
        av = aval_of(c)
        out.append((av.strip_weak(), int(av.size * av.dtype.itemsize)))
    return out


def print_saved_residuals(fun: Callable, *args: Any) -> int:
    """Print what a vjp of ``fun`` at ``args`` keeps (shape, dtype, bytes) and the total;
    returns the total bytes.

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.print_saved_residuals(lambda x: fnp.sum(fnp.sin(x)), np.ones(3))
    f64[3]  24 bytes
    total: 1 residual(s), 24 bytes
    24
    """
    res = saved_residuals(fun, *args)
    for av, nbytes in res:
        print(f"{av.str_short()}  {nbytes} bytes")
    total = sum(b for _, b in res)
    print(f"total: {len(res)} residual(s), {total} bytes")
    return total
