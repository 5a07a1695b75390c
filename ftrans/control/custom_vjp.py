"""``custom_vjp``: a function whose reverse-mode derivative is the user's ``fwd`` and ``bwd``.
The call is one primitive, ``custom_vjp_call``; its linearization is a ``custom_lin`` whose
transpose calls ``bwd``. Under forward mode there is no rule to use, so the primal function
itself is differentiated (JAX raises an error there instead).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Generic, ParamSpec, Sequence, TypeVar

from ..core import Primitive, Zero, array_module, aval_of, instantiate, register
from ..errors import describe
from ..ir import ClosedJaxpr, ShapedArray
from ..transforms.jvp import jvp_call
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
from .custom_jvp import cj_aval
from .custom_lin import custom_lin_p

custom_vjp_call_p = register(Primitive("custom_vjp_call", multiple_results=True))
custom_vjp_call_p.family = "control"


def _cv_impl(xp: Any, *args: Any, call_jaxpr: ClosedJaxpr, fwd: Callable, bwd: Callable,
             num_consts: int, name: str) -> list[Any]:
    return call_once(xp, call_jaxpr, args)


def _cv_primal_rule(vals: Sequence[Any], perturbed: Sequence[bool], *, call_jaxpr: ClosedJaxpr,
                    fwd: Callable, bwd: Callable, num_consts: int, name: str) -> list[Any]:
    """The primal outputs of ``fwd`` on ``vals`` (its residuals are kept for the jvp rule):
    derivatives of enclosing traces differentiate ``fwd`` as written, as in JAX."""
    if not any(perturbed[num_consts:]):  # not differentiated here: the function, as it is
        return custom_vjp_call_p.bind(*vals, call_jaxpr=call_jaxpr, fwd=fwd, bwd=bwd,
                                      num_consts=num_consts, name=name)
    ps = list(vals[num_consts:])
    outs, res = fwd(ps)
    keep(fwd, ps, res)
    return outs


def _cv_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
            call_jaxpr: ClosedJaxpr, fwd: Callable, bwd: Callable, num_consts: int, name: str
            ) -> list[Any]:
    check_consts_tangents(tangents, num_consts, f"custom_vjp function {name}")
    nz = [type(t) is not Zero for t in tangents]
    ps = list(primals[num_consts:])
    res = kept(fwd, ps)  # what the primal rule's fwd saved
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
    args, size = force_batched(args, dims)
    b_call = batch_closed(call_jaxpr, [0] * len(args), size)
    out = custom_vjp_call_p.bind(*args, call_jaxpr=b_call, fwd=batched(fwd), bwd=batched(bwd),
                                 num_consts=num_consts, name=name)
    return out, [0] * len(out)


custom_vjp_call_p.impl = _cv_impl
custom_vjp_call_p.abstract_eval = cj_aval
custom_vjp_call_p.jvp = _cv_jvp
custom_vjp_call_p.batch = _cv_batch
custom_vjp_call_p.primal_rule = _cv_primal_rule


_P = ParamSpec("_P")
_R = TypeVar("_R")


class custom_vjp(Generic[_P, _R]):
    """A function with a custom reverse-mode rule: ``f.defvjp(fwd, bwd)``.

    ``fwd(*args) -> (f(*args), residuals)`` and ``bwd(residuals, ct_out)`` returns a tuple with
    one cotangent per argument (with ``nondiff_argnums``: ``bwd(*nondiff, residuals, ct)`` and
    one cotangent per other argument; the nondiff arguments may be any Python values).

    As in JAX, under derivatives (not under ``jit``/``vmap``) the function, ``fwd`` and ``bwd``
    see concrete values, so Python control flow on them works, and a second derivative
    differentiates ``fwd`` and ``bwd`` as written. Under forward mode (``jvp``, ``jacfwd``)
    there is no jvp rule, so ftrans differentiates the primal function instead (JAX raises an
    error there).

    Parameters
    ----------
    fun : callable
        The function; calling the ``custom_vjp`` object calls it.
    nondiff_argnums : sequence of int, default ()
        Positional arguments that are not differentiated (passed to ``bwd`` first).
    nondiff_argnames : sequence of str, default ()
        The same, by parameter name.

    Raises
    ------
    TypeError
        If ``nondiff_argnums`` holds non-integers; when differentiated, if ``fwd`` does not
        return a pair or ``bwd`` does not return one cotangent per argument (no rules set:
        ``AttributeError``).
    ValueError
        If ``nondiff_argnames`` names no parameter of ``fun``, or ``bwd`` returns a cotangent
        of the wrong type.

    Examples
    --------
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

    def __init__(self, fun: Callable[_P, _R], nondiff_argnums: Sequence[int] = (),
                 nondiff_argnames: Sequence[str] = ()):
        self.fun = fun
        self.nondiff_argnums = nondiff(fun, nondiff_argnums, nondiff_argnames,
                                       f"custom_vjp of {fname(fun)}")
        self.fwd: Callable | None = None
        self.bwd: Callable | None = None
        functools.update_wrapper(self, fun)

    def defvjp(self, fwd: Callable[..., tuple[Any, Any]], bwd: Callable[..., Any]) -> None:
        """Set the forward and backward rules.

        Parameters
        ----------
        fwd : callable
            ``fwd(*args) -> (output, residuals)``; the residuals are any pytree.
        bwd : callable
            ``bwd(residuals, ct_out)`` returning a tuple with one cotangent per (differentiated)
            argument; ``None`` for a zero cotangent.

        Returns
        -------
        None

        Raises
        ------
        TypeError
            Not here: rules returning the wrong structure raise when the function is
            differentiated.

        Examples
        --------
        >>> import ftrans
        >>> square = ftrans.custom_vjp(lambda x: x * x)
        >>> square.defvjp(lambda x: (x * x, x), lambda x, g: (2.0 * x * g,))
        >>> print(ftrans.grad(square)(3.0))
        6.0
        """
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        name = fname(self.fun)
        where = f"custom_vjp function {name}"
        if self.fwd is None or self.bwd is None:
            raise AttributeError(f"custom_vjp function {name} has no rules: call "
                                 f"{name}.defvjp(fwd, bwd) first")
        sp = Split(positional(self.fun, args, kwargs, where), self.nondiff_argnums, where)
        cj, consts, out_tree, outs = sp.trace(self.fun)
        res_tree_box: list[PyTreeDef] = []
        fwd_flat = _fwd_flat(self.fwd, sp, name, out_tree, cj.out_avals, res_tree_box)
        bwd_flat = _bwd_flat(self.bwd, sp, name, out_tree, len(consts), res_tree_box)
        outs = bind_computed(custom_vjp_call_p, [*consts, *sp.leaves], outs, call_jaxpr=cj,
                             fwd=fwd_flat, bwd=bwd_flat, num_consts=len(consts), name=name)
        return tree_unflatten(out_tree, outs)


def _fwd_flat(fwd: Callable, sp: Split, name: str, out_tree: PyTreeDef,
              out_avals: Sequence[ShapedArray], res_tree_box: list[PyTreeDef]) -> Callable:
    """The user's ``fwd`` on flat primals: (flat outputs, flat residuals), checked."""

    def fwd_flat(ps: Sequence[Any]) -> tuple[list[Any], list[Any]]:
        out = fwd(*sp.full(ps))
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"custom_vjp fwd of {name} must return a pair (output, "
                            f"residuals), but it returned {describe(out)}")
        o_flat, o_tree = tree_flatten(out[0])
        if o_tree != out_tree:
            raise TypeError(f"custom_vjp fwd of {name} returns an output of structure "
                            f"{o_tree}, but {name} returns {out_tree}")
        o_flat = [as_leaf(o) for o in o_flat]
        check_outs(o_flat, out_avals, f"the custom_vjp fwd of {name}", name)
        r_flat, r_tree = tree_flatten(out[1])
        res_tree_box[:] = [r_tree]
        return o_flat, [as_leaf(r) for r in r_flat]

    return fwd_flat


def _bwd_flat(bwd: Callable, sp: Split, name: str, out_tree: PyTreeDef, n_c: int,
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
                            f"cotangent(s), one per differentiable argument, but it "
                            f"returned {describe(got)}")
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
            g = as_leaf(g)
            if aval_of(g).shape != av.shape:
                raise ValueError(f"custom_vjp bwd of {name} returned a cotangent of type "
                                 f"{aval_of(g).str_short()} for an argument of type "
                                 f"{av.str_short()}")
            out.append(g)
        return [None] * n_c + out

    return bwd_flat
