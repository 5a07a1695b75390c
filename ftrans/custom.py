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
import inspect
import threading
import weakref
from typing import Any, Callable, Sequence

import numpy as np

from .core import (
    Primitive,
    Trace,
    Zero,
    abstract_reason,
    array_module,
    aval_of,
    eval_jaxpr,
    instantiate,
    is_tracer,
    known_value,
    register,
    trace_to_jaxpr,
)
from .ir import ClosedJaxpr, Jaxpr, Literal, ShapedArray
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


def _nondiff(fun: Callable, argnums: Sequence[int], argnames: Sequence[str], where: str
             ) -> tuple[int, ...]:
    """``nondiff_argnums`` and the positions of ``nondiff_argnames``, sorted (as JAX)."""
    nums = set()
    for i in argnums:
        if not isinstance(i, (int, np.integer)):
            raise TypeError(f"{where}: nondiff_argnums must be ints, got {i!r}")
        nums.add(int(i))
    if argnames:
        params = list(inspect.signature(fun).parameters)
        for a in argnames:
            if a not in params:
                raise ValueError(f"{where}: nondiff_argnames names {a!r}, which is not a "
                                 f"parameter of {_name(fun)} {tuple(params)}")
            nums.add(params.index(a))
    return tuple(sorted(nums))


def _positional(fun: Callable, args: tuple, kwargs: dict, where: str) -> tuple:
    """``args`` and ``kwargs`` bound to ``fun``'s parameters, as positional arguments."""
    if not kwargs:
        return args
    try:
        bound = inspect.signature(fun).bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{where}: the arguments do not fit its signature: {e}") from None
    bound.apply_defaults()
    if bound.kwargs:
        raise TypeError(f"{where}: keyword-only arguments {tuple(bound.kwargs)} are not "
                        "supported; pass them positionally or close over them")
    return bound.args


class _Split:
    """A call's arguments split into static (``nondiff_argnums``) and differentiable ones.
    ``where`` names the function for messages ('custom_jvp function f')."""

    def __init__(self, args: tuple, nondiff: tuple[int, ...], where: str):
        self.n = len(args)
        for i in nondiff:
            if not -self.n <= i < self.n:
                raise ValueError(f"{where}: nondiff_argnums {i} is out of range for a call "
                                 f"with {self.n} positional argument(s)")
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

    def trace(self, fun: Callable, why: str = ""
              ) -> tuple[ClosedJaxpr, list[Any], PyTreeDef, list[Any] | None]:
        """``fun`` on the differentiable leaves as a closed jaxpr, the tracers it closes over
        (hoisted into leading inputs), its output tree, and its output values.

        When every leaf's value is known (under ``grad``, ``jvp``, ``jacrev``... without
        ``jit``/``vmap``) and no ``why`` is given, ``fun`` runs concretely on those values, as
        in JAX: Python control flow on them works, and the values are computed here, once.
        Otherwise it is traced abstractly (output values ``None``), and a
        ``ConcretizationError`` names ``why`` or why the arguments are abstract."""
        box: list[PyTreeDef] = []

        def flat(*xs: Any) -> list[Any]:
            leaves, tree = tree_flatten(fun(*self.full(xs)))
            box.append(tree)
            return [_leaf(x) for x in leaves]

        outs = None
        if not why:
            reason = next((r for r in map(abstract_reason, self.leaves) if r), "")
            why = f"{self.where}, whose arguments are {reason}" if reason else ""
        if why:
            avals = [aval_of(x).strip_weak() for x in self.leaves]
            jaxpr, consts = trace_to_jaxpr(flat, avals, why)
        else:
            jaxpr, consts, outs = _trace_known(flat, self.leaves)
        cj, hoisted = close_jaxpr(jaxpr, consts)
        return cj, hoisted, box[0], outs


def _trace_known(flat: Callable, leaves: Sequence[Any]
                 ) -> tuple[Jaxpr, list[Any], list[Any] | None]:
    """``flat`` traced in a detached concrete trace on the known values of ``leaves``: its
    jaxpr, consts, and output values (``None`` unless all are plain arrays)."""
    with Trace(concrete=True, detached=True) as trace:
        args = [trace.new_arg(aval_of(x).strip_weak(), known_value(x)) for x in leaves]
        jaxpr, consts = trace.to_jaxpr(flat(*args))
        vals = [a.val if isinstance(a, Literal) else trace.values[a] for a in jaxpr.outvars]
    return jaxpr, consts, None if any(is_tracer(v) for v in vals) else vals


class _Computed(threading.local):
    """What a custom function's concrete trace computed, for the impl of the equation bound
    right after it (so the function runs once): ``id(call_jaxpr) -> (arg values, outs)``;
    and what a primal rule computed for the jvp rule that follows it (so the user's rule runs
    once): ``rule -> (primals, kept)``, the residuals of ``fwd`` or the tangent map of a jvp
    rule."""

    def __init__(self) -> None:
        self.outs: dict[int, tuple[list[Any], list[Any]]] = {}
        self.kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _keep(rule: Callable, ps: list[Any], kept: Any) -> None:
    _computed.kept[rule] = (ps, kept)


def _kept(rule: Callable, ps: Sequence[Any]) -> Any:
    """What ``_keep`` left for ``rule`` at exactly the primals ``ps``, once; else ``None``."""
    entry = _computed.kept.pop(rule, None)
    if entry is not None and len(entry[0]) == len(ps) \
            and all(a is b for a, b in zip(entry[0], ps)):
        return entry[1]
    return None


_computed = _Computed()


def _bind_computed(prim: Primitive, args: Sequence[Any], outs: list[Any] | None,
                   **params: Any) -> Any:
    """``prim.bind(*args, **params)``, letting its impl reuse ``outs`` (computed on the
    arguments' values), if given."""
    if outs is None:
        return prim.bind(*args, **params)
    key = id(params["call_jaxpr"])
    _computed.outs[key] = ([known_value(a) for a in args], outs)
    try:
        return prim.bind(*args, **params)
    finally:
        _computed.outs.pop(key, None)


def _call_once(xp: Any, cj: ClosedJaxpr, args: Sequence[Any]) -> list[Any]:
    """``cj`` on ``args``, or the outputs ``_bind_computed`` left for exactly these args."""
    entry = _computed.outs.pop(id(cj), None)
    if entry is not None and len(entry[0]) == len(args) \
            and all(a is b for a, b in zip(entry[0], args)):
        outs = entry[1]
    else:
        outs = call(cj, *args)
    return [_as_array(o, xp) for o in outs]


def _check_consts_tangents(tangents: Sequence[Any], n: int, what: str) -> None:
    if any(type(t) is not Zero for t in tangents[:n]):
        raise TypeError(f"{what} closes over a value that is being differentiated; pass that "
                        "value as an argument instead")


def _check_outs(outs: Sequence[Any], avals: Sequence[ShapedArray], what: str, name: str
                ) -> None:
    """A rule's outputs have the shapes and dtypes of the function's outputs."""
    for o, av in zip(outs, avals):
        oa = aval_of(o)
        if oa.shape != av.shape or oa.dtype != av.dtype:
            raise TypeError(f"{what} returned {oa.str_short()} where {name} returns "
                            f"{av.strip_weak().str_short()}; they must match")


def _force_batched(args: Sequence[Any], dims: Sequence[int | None]) -> tuple[list[Any], int]:
    size = _batch_size(args, dims)
    return [_to_front(a, d, size) for a, d in zip(args, dims)], size


# ----------------------------------------------------------------------------- custom_jvp

custom_jvp_call_p = register(Primitive("custom_jvp_call", multiple_results=True))
custom_jvp_call_p.family = "control"


def _cj_impl(xp: Any, *args: Any, call_jaxpr: ClosedJaxpr, jvp: Callable, num_consts: int,
             name: str) -> list[Any]:
    return _call_once(xp, call_jaxpr, args)


def _cj_aval(*avals: ShapedArray, call_jaxpr: ClosedJaxpr, **_: Any) -> list[ShapedArray]:
    return list(call_jaxpr.out_avals)


def _cj_primal_rule(vals: Sequence[Any], perturbed: Sequence[bool], *, call_jaxpr: ClosedJaxpr,
                    jvp: Callable, num_consts: int, name: str) -> list[Any]:
    """The primal outputs of the jvp rule, run on ``vals`` with abstract tangents (dropped):
    derivatives of enclosing traces differentiate the rule as written, as in JAX."""
    if not any(perturbed[num_consts:]):  # not differentiated here: the function, as it is
        return custom_jvp_call_p.bind(*vals, call_jaxpr=call_jaxpr, jvp=jvp,
                                      num_consts=num_consts, name=name)
    ps = list(vals[num_consts:])
    with Trace(concrete=False, why=f"the tangents of the custom_jvp rule of {name}") as tt:
        outs, t_outs = jvp(ps, [tt.new_arg(aval_of(p).strip_weak()) for p in ps])
        tangent_map = tt.to_jaxpr(t_outs)  # linear in the tangents; residuals are consts
    if any(tt.owns(o) for o in outs):
        raise TypeError(f"the custom_jvp rule of {name} returned a primal output that depends "
                        "on the tangents")
    _keep(jvp, ps, tangent_map)
    return outs


def _cj_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
            call_jaxpr: ClosedJaxpr, jvp: Callable, num_consts: int, name: str) -> list[Any]:
    _check_consts_tangents(tangents, num_consts, f"custom_jvp function {name}")
    ps = list(primals[num_consts:])
    xp = array_module(ps)  # the rule's zero tangents live where its primals do
    ts = [xp.zeros(t.aval.shape, t.aval.dtype) if type(t) is Zero else t
          for t in tangents[num_consts:]]
    tangent_map = _kept(jvp, ps)  # the rule traced by the primal rule, replayed
    if tangent_map is not None:
        return eval_jaxpr(tangent_map[0], tangent_map[1], *ts)
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
custom_jvp_call_p.primal_rule = _cj_primal_rule


def _sum_tangents(name: str, out: Any, parts: Sequence[Any]) -> Any:
    """The sum of per-argument tangent contributions (pytrees like ``out``; ``None`` or a
    missing rule contributes nothing)."""
    out_flat, out_tree = tree_flatten(out)
    total: list[Any] = [None] * len(out_flat)
    for part in parts:
        p_flat, p_tree = tree_flatten(part)
        if p_tree != out_tree:
            raise TypeError(f"a defjvps rule of {name} returned a tangent of structure "
                            f"{p_tree}, but {name} returns {out_tree}")
        total = [p if t is None else t + p for t, p in zip(total, p_flat)]
    return tree_unflatten(out_tree, [0.0 * o if t is None else t
                                     for t, o in zip(total, out_flat)])


class custom_jvp:
    """A function with a custom jvp rule: ``f.defjvp(rule)`` where ``rule(primals, tangents)``
    returns ``(f(*primals), tangent_out)`` (with ``nondiff_argnums``, those arguments come first:
    ``rule(*nondiff, primals, tangents)``; they may be any Python values, functions too).
    Reverse mode transposes the rule, so it must be linear in the tangents.

    As in JAX, under ``grad``, ``jvp``, ``jacfwd``... (not under ``jit``/``vmap``) the
    function and its rule see concrete values, so Python control flow on them works; a
    second derivative differentiates the rule, and its primal output, as written.

    >>> import ftrans, ftrans.numpy as fnp
    >>> @ftrans.custom_jvp
    ... def f(x):
    ...     return fnp.sin(x) if x > 0 else fnp.cos(x)
    >>> @f.defjvp
    ... def f_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return f(x), 2.0 * t          # deliberately not cos(x)
    >>> print(ftrans.grad(f)(0.3), ftrans.jvp(f, (-0.3,), (1.0,))[1])
    2.0 2.0
    """

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = (),
                 nondiff_argnames: Sequence[str] = ()):
        self.fun = fun
        self.nondiff_argnums = _nondiff(fun, nondiff_argnums, nondiff_argnames,
                                        f"custom_jvp of {_name(fun)}")
        self.jvp: Callable | None = None
        functools.update_wrapper(self, fun)

    def defjvp(self, jvp: Callable) -> Callable:
        """Set the jvp rule; returns it, so it can be used as a decorator."""
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps: Callable | None) -> None:
        """One rule per positional argument: ``jvp_i(t_i, primal_out, *primals)`` is the
        tangent contribution of argument ``i`` (``None``: it contributes nothing); the
        tangent output is their sum. Not with ``nondiff_argnums`` (as JAX).

        >>> import ftrans, ftrans.numpy as fnp
        >>> f = ftrans.custom_jvp(lambda x, y: fnp.sin(x) * y)
        >>> f.defjvps(lambda t, out, x, y: fnp.cos(x) * y * t, lambda t, out, x, y: 3.0 * t)
        >>> print(ftrans.grad(f, argnums=(0, 1))(0.0, 2.0))
        (2.0, 3.0)
        """
        name = _name(self.fun)
        if self.nondiff_argnums:
            raise TypeError(f"custom_jvp function {name}: defjvps cannot be used with "
                            "nondiff_argnums; use defjvp")

        def jvp(primals: tuple, tangents: tuple) -> tuple[Any, Any]:
            if len(jvps) != len(primals):
                raise TypeError(f"custom_jvp function {name} takes {len(primals)} "
                                f"argument(s), but defjvps was given {len(jvps)} rule(s)")
            out = self(*primals)
            parts = [rule(t, out, *primals) for rule, t in zip(jvps, tangents)
                     if rule is not None]
            return out, _sum_tangents(name, out, parts)

        self.defjvp(jvp)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        name = _name(self.fun)
        where = f"custom_jvp function {name}"
        if self.jvp is None:
            raise AttributeError(f"custom_jvp function {name} has no jvp rule: call "
                                 f"{name}.defjvp(rule) first")
        args = _positional(self.fun, args, kwargs, where)
        sp = _Split(args, self.nondiff_argnums, where)
        cj, consts, out_tree, outs = sp.trace(self.fun)
        jvp_flat = _jvp_flat(self.jvp, sp, name, out_tree, cj.out_avals)
        outs = _bind_computed(custom_jvp_call_p, [*consts, *sp.leaves], outs, call_jaxpr=cj,
                              jvp=jvp_flat, num_consts=len(consts), name=name)
        return tree_unflatten(out_tree, outs)


def _jvp_flat(rule: Callable, sp: _Split, name: str, out_tree: PyTreeDef,
              out_avals: Sequence[ShapedArray]) -> Callable:
    """The user's jvp rule on flat primals and tangents, its results checked."""

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
        o_flat = [_leaf(o) for o in o_flat]
        _check_outs(o_flat, out_avals, f"the custom_jvp rule of {name}", name)
        t_flat = [_leaf(t) for t in t_flat]
        for t, av in zip(t_flat, out_avals):
            if aval_of(t).shape != av.shape:
                raise TypeError(f"custom_jvp rule of {name} returned a tangent of type "
                                f"{aval_of(t).str_short()} for an output of type "
                                f"{av.str_short()}")
        return o_flat, t_flat

    return jvp_flat


# ----------------------------------------------------------------------------- custom_vjp

custom_vjp_call_p = register(Primitive("custom_vjp_call", multiple_results=True))
custom_vjp_call_p.family = "control"


def _cv_impl(xp: Any, *args: Any, call_jaxpr: ClosedJaxpr, fwd: Callable, bwd: Callable,
             num_consts: int, name: str) -> list[Any]:
    return _call_once(xp, call_jaxpr, args)


def _cv_primal_rule(vals: Sequence[Any], perturbed: Sequence[bool], *, call_jaxpr: ClosedJaxpr,
                    fwd: Callable, bwd: Callable, num_consts: int, name: str) -> list[Any]:
    """The primal outputs of ``fwd`` on ``vals`` (its residuals are kept for the jvp rule):
    derivatives of enclosing traces differentiate ``fwd`` as written, as in JAX."""
    if not any(perturbed[num_consts:]):  # not differentiated here: the function, as it is
        return custom_vjp_call_p.bind(*vals, call_jaxpr=call_jaxpr, fwd=fwd, bwd=bwd,
                                      num_consts=num_consts, name=name)
    ps = list(vals[num_consts:])
    outs, res = fwd(ps)
    _keep(fwd, ps, res)
    return outs


def _cv_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
            call_jaxpr: ClosedJaxpr, fwd: Callable, bwd: Callable, num_consts: int, name: str
            ) -> list[Any]:
    _check_consts_tangents(tangents, num_consts, f"custom_vjp function {name}")
    nz = [type(t) is not Zero for t in tangents]
    ps = list(primals[num_consts:])
    res = _kept(fwd, ps)  # what the primal rule's fwd saved
    res = fwd(ps)[1] if res is None else res
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
custom_vjp_call_p.primal_rule = _cv_primal_rule


class custom_vjp:
    """A function with a custom reverse-mode rule: ``f.defvjp(fwd, bwd)``, where
    ``fwd(*args) -> (f(*args), residuals)`` and ``bwd(residuals, ct_out)`` returns a tuple with
    one cotangent per argument (with ``nondiff_argnums``: ``bwd(*nondiff, residuals, ct)``
    and one cotangent per other argument; the nondiff arguments may be any Python values).

    As in JAX, under derivatives (not under ``jit``/``vmap``) the function, ``fwd`` and
    ``bwd`` see concrete values, so Python control flow on them works, and a second
    derivative differentiates ``fwd`` and ``bwd`` as written. Under forward mode (``jvp``,
    ``jacfwd``) there is no jvp rule, so ftrans differentiates the primal function instead
    (JAX raises an error there).

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

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = (),
                 nondiff_argnames: Sequence[str] = ()):
        self.fun = fun
        self.nondiff_argnums = _nondiff(fun, nondiff_argnums, nondiff_argnames,
                                        f"custom_vjp of {_name(fun)}")
        self.fwd: Callable | None = None
        self.bwd: Callable | None = None
        functools.update_wrapper(self, fun)

    def defvjp(self, fwd: Callable, bwd: Callable) -> None:
        """Set the forward (``args -> (out, residuals)``) and backward rules."""
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        name = _name(self.fun)
        where = f"custom_vjp function {name}"
        if self.fwd is None or self.bwd is None:
            raise AttributeError(f"custom_vjp function {name} has no rules: call "
                                 f"{name}.defvjp(fwd, bwd) first")
        args = _positional(self.fun, args, kwargs, where)
        sp = _Split(args, self.nondiff_argnums, where)
        cj, consts, out_tree, outs = sp.trace(self.fun)
        res_tree_box: list[PyTreeDef] = []
        fwd_flat = _fwd_flat(self.fwd, sp, name, out_tree, cj.out_avals, res_tree_box)
        bwd_flat = _bwd_flat(self.bwd, sp, name, out_tree, len(consts), res_tree_box)
        outs = _bind_computed(custom_vjp_call_p, [*consts, *sp.leaves], outs, call_jaxpr=cj,
                              fwd=fwd_flat, bwd=bwd_flat, num_consts=len(consts), name=name)
        return tree_unflatten(out_tree, outs)


def _fwd_flat(fwd: Callable, sp: _Split, name: str, out_tree: PyTreeDef,
              out_avals: Sequence[ShapedArray], res_tree_box: list[PyTreeDef]) -> Callable:
    """The user's ``fwd`` on flat primals: (flat outputs, flat residuals), checked."""

    def fwd_flat(ps: Sequence[Any]) -> tuple[list[Any], list[Any]]:
        out = fwd(*sp.full(ps))
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"custom_vjp fwd of {name} must return a pair (output, "
                            f"residuals), got {type(out).__name__}")
        o_flat, o_tree = tree_flatten(out[0])
        if o_tree != out_tree:
            raise TypeError(f"custom_vjp fwd of {name} returns an output of structure "
                            f"{o_tree}, but {name} returns {out_tree}")
        o_flat = [_leaf(o) for o in o_flat]
        _check_outs(o_flat, out_avals, f"the custom_vjp fwd of {name}", name)
        r_flat, r_tree = tree_flatten(out[1])
        res_tree_box[:] = [r_tree]
        return o_flat, [_leaf(r) for r in r_flat]

    return fwd_flat


def _bwd_flat(bwd: Callable, sp: _Split, name: str, out_tree: PyTreeDef, n_c: int,
              res_tree_box: list[PyTreeDef]) -> Callable:
    """The user's ``bwd`` on flat residuals and cotangents: flat input cotangents (``None``
    for the consts; zeros for a ``None`` cotangent), checked."""
    in_avals = [aval_of(x).strip_weak() for x in sp.leaves]

    def bwd_flat(res: Sequence[Any], cts: Sequence[Any]) -> list[Any]:
        r = tree_unflatten(res_tree_box[0], list(res))
        ct = tree_unflatten(out_tree, list(cts))
        got = bwd(*sp.static, r, ct)
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

    return bwd_flat


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
        cj, consts, out_tree, _ = sp.trace(fun, why="checkpoint")
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
