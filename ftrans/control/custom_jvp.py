"""``custom_jvp``: a function whose forward-mode derivative is the user's rule; reverse mode
transposes that rule (it must be linear in the tangents, as in JAX). The call is one
primitive, ``custom_jvp_call``, whose params hold the function's closed jaxpr and the rule.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Generic, ParamSpec, Sequence, TypeVar

from ..core import Primitive, Trace, Zero, array_module, aval_of, eval_jaxpr, rebinding, register
from ..errors import describe
from ..ir import ClosedJaxpr, ShapedArray
from ..tree_util import PyTreeDef, tree_flatten, tree_unflatten
from ._common import batch_closed, batched, fname, force_batched
from ._custom import (
    Split,
    as_leaf,
    bind_computed,
    call_once,
    check_consts_tangents,
    check_outs,
    keep,
    kept,
    nondiff,
    positional,
)

custom_jvp_call_p = register(Primitive("custom_jvp_call", multiple_results=True))
custom_jvp_call_p.family = "control"


def _cj_impl(xp: Any, *args: Any, call_jaxpr: ClosedJaxpr, jvp: Callable, num_consts: int,
             name: str) -> list[Any]:
    return call_once(xp, call_jaxpr, args)


def cj_aval(*avals: ShapedArray, call_jaxpr: ClosedJaxpr, **_: Any) -> list[ShapedArray]:
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
        with rebinding(getattr(jvp, "closure", ()), vals[:num_consts]):
            outs, t_outs = jvp(ps, [tt.new_arg(aval_of(p).strip_weak()) for p in ps])
        tangent_map = tt.to_jaxpr(t_outs)  # linear in the tangents; residuals are consts
    if any(tt.owns(o) for o in outs):
        raise TypeError(f"the custom_jvp rule of {name} returned a primal output that depends "
                        "on the tangents")
    keep(jvp, ps, tangent_map)
    return outs


def _cj_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
            call_jaxpr: ClosedJaxpr, jvp: Callable, num_consts: int, name: str) -> list[Any]:
    check_consts_tangents(tangents, num_consts, f"custom_jvp function {name}")
    ps = list(primals[num_consts:])
    xp = array_module(ps)  # the rule's zero tangents live where its primals do
    ts = [xp.zeros(t.aval.shape, t.aval.dtype) if type(t) is Zero else t
          for t in tangents[num_consts:]]
    tangent_map = kept(jvp, ps)  # the rule traced by the primal rule, replayed
    if tangent_map is not None:
        return eval_jaxpr(tangent_map[0], tangent_map[1], *ts)
    with rebinding(getattr(jvp, "closure", ()), primals[:num_consts]):
        _, t_out = jvp(ps, ts)
    return t_out


def _cj_batch(args: Sequence[Any], dims: Sequence[int | None], *, call_jaxpr: ClosedJaxpr,
              jvp: Callable, num_consts: int, name: str) -> tuple[list[Any], list[int]]:
    args, size = force_batched(args, dims)
    b_call = batch_closed(call_jaxpr, [0] * len(args), size)
    out = custom_jvp_call_p.bind(*args, call_jaxpr=b_call, jvp=batched(jvp),
                                 num_consts=num_consts, name=name)
    return out, [0] * len(out)


custom_jvp_call_p.impl = _cj_impl
custom_jvp_call_p.abstract_eval = cj_aval
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


_P = ParamSpec("_P")
_R = TypeVar("_R")
_F = TypeVar("_F", bound=Callable[..., Any])


class custom_jvp(Generic[_P, _R]):
    """A function with a custom forward-mode (jvp) rule, used by every derivative.

    ``f.defjvp(rule)`` where ``rule(primals, tangents)`` returns ``(f(*primals), tangent_out)``
    (with ``nondiff_argnums``, those arguments come first: ``rule(*nondiff, primals,
    tangents)``; they may be any Python values, functions too). Reverse mode transposes the
    rule, so it must be linear in the tangents.

    As in JAX, under ``grad``, ``jvp``, ``jacfwd``... (not under ``jit``/``vmap``) the function
    and its rule see concrete values, so Python control flow on them works; a second
    derivative differentiates the rule, and its primal output, as written.

    Parameters
    ----------
    fun : callable
        The function; calling the ``custom_jvp`` object calls it.
    nondiff_argnums : sequence of int, default ()
        Positional arguments that are not differentiated (passed to the rule first).
    nondiff_argnames : sequence of str, default ()
        The same, by parameter name.

    Raises
    ------
    TypeError
        If ``nondiff_argnums`` holds non-integers; when called, if no rule is set
        (``AttributeError``) or the rule returns something other than a pair of outputs and
        tangents of the outputs' structure and types.
    ValueError
        If ``nondiff_argnames`` names no parameter of ``fun``.

    Examples
    --------
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

    def __init__(self, fun: Callable[_P, _R], nondiff_argnums: Sequence[int] = (),
                 nondiff_argnames: Sequence[str] = ()):
        self.fun = fun
        self.nondiff_argnums = nondiff(fun, nondiff_argnums, nondiff_argnames,
                                       f"custom_jvp of {fname(fun)}")
        self.jvp: Callable | None = None
        functools.update_wrapper(self, fun)

    def defjvp(self, jvp: _F) -> _F:
        """Set the jvp rule; returns it, so it can be used as a decorator.

        Parameters
        ----------
        jvp : callable
            ``jvp(primals, tangents) -> (primal_out, tangent_out)`` (``nondiff`` arguments first).

        Returns
        -------
        callable
            ``jvp`` itself.

        Raises
        ------
        TypeError
            Not here: a rule returning the wrong structure raises when the function is
            differentiated.

        Examples
        --------
        >>> import ftrans, ftrans.numpy as fnp
        >>> f = ftrans.custom_jvp(lambda x: x ** 3)
        >>> rule = f.defjvp(lambda p, t: (f(*p), 3.0 * p[0] ** 2 * t[0]))
        >>> print(ftrans.grad(f)(2.0))
        12.0
        """
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps: Callable | None) -> None:
        """One rule per positional argument: ``jvp_i(t_i, primal_out, *primals)`` is the tangent
        contribution of argument ``i`` (``None``: it contributes nothing); the tangent output is
        their sum.

        Parameters
        ----------
        *jvps : callable or None
            One per positional argument of the function.

        Returns
        -------
        None

        Raises
        ------
        TypeError
            If the function has ``nondiff_argnums`` (as JAX); when differentiated, if the number
            of rules differs from the number of arguments.

        Examples
        --------
        >>> import ftrans, ftrans.numpy as fnp
        >>> f = ftrans.custom_jvp(lambda x, y: fnp.sin(x) * y)
        >>> f.defjvps(lambda t, out, x, y: fnp.cos(x) * y * t, lambda t, out, x, y: 3.0 * t)
        >>> print(ftrans.grad(f, argnums=(0, 1))(0.0, 2.0))
        (2.0, 3.0)
        """
        name = fname(self.fun)
        if self.nondiff_argnums:
            raise TypeError(f"custom_jvp function {name}: defjvps cannot be used with "
                            "nondiff_argnums; use defjvp")

        def jvp(primals: tuple, tangents: tuple) -> tuple[Any, Any]:
            if len(jvps) != len(primals):
                raise TypeError(f"custom_jvp function {name} takes {len(primals)} "
                                f"argument(s), but defjvps was given {len(jvps)} rule(s)")
            out = self(*primals)  # type: ignore[call-arg]
            parts = [rule(t, out, *primals) for rule, t in zip(jvps, tangents)
                     if rule is not None]
            return out, _sum_tangents(name, out, parts)

        self.defjvp(jvp)

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        name = fname(self.fun)
        where = f"custom_jvp function {name}"
        if self.jvp is None:
            raise AttributeError(f"custom_jvp function {name} has no jvp rule: call "
                                 f"{name}.defjvp(rule) first")
        sp = Split(positional(self.fun, args, kwargs, where), self.nondiff_argnums, where)
        cj, consts, out_tree, outs = sp.trace(self.fun)
        jvp_flat = _jvp_flat(self.jvp, sp, name, out_tree, cj.out_avals)
        jvp_flat.closure = consts  # type: ignore[attr-defined]  # what f closes over: rebinding
        outs = bind_computed(custom_jvp_call_p, [*consts, *sp.leaves], outs, call_jaxpr=cj,
                             jvp=jvp_flat, num_consts=len(consts), name=name)
        return tree_unflatten(out_tree, outs)


def _jvp_flat(rule: Callable, sp: Split, name: str, out_tree: PyTreeDef,
              out_avals: Sequence[ShapedArray]) -> Callable:
    """The user's jvp rule on flat primals and tangents, its results checked."""

    def jvp_flat(ps: Sequence[Any], ts: Sequence[Any]) -> tuple[list[Any], list[Any]]:
        p_tree = tree_unflatten(sp.tree, ps)
        t_tree = tree_unflatten(sp.tree, ts)
        res = rule(*sp.static, tuple(p_tree), tuple(t_tree))
        if not (isinstance(res, (tuple, list)) and len(res) == 2):
            raise TypeError(f"custom_jvp rule of {name} must return a pair (primal_out, "
                            f"tangent_out), but it returned {describe(res)}")
        o_flat, o_tree = tree_flatten(res[0])
        t_flat, t_tree2 = tree_flatten(res[1])
        if o_tree != out_tree or t_tree2 != out_tree:
            raise TypeError(f"custom_jvp rule of {name} must return outputs and tangents "
                            f"with the structure of {name}'s output {out_tree}, got "
                            f"{o_tree} and {t_tree2}")
        o_flat = [as_leaf(o) for o in o_flat]
        check_outs(o_flat, out_avals, f"the custom_jvp rule of {name}", name)
        t_flat = [as_leaf(t) for t in t_flat]
        for t, av in zip(t_flat, out_avals):
            if aval_of(t).shape != av.shape:
                raise TypeError(f"custom_jvp rule of {name} returned a tangent of type "
                                f"{aval_of(t).str_short()} for an output of type "
                                f"{av.str_short()}")
        return o_flat, t_flat

    return jvp_flat
