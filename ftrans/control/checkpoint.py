"""``checkpoint`` (``remat``): a function whose intermediates reverse mode recomputes in the
backward pass instead of storing them, keeping only its inputs (and what ``policy``
allows). The call is one primitive, ``remat``; its linearization is a ``custom_lin`` whose
transpose linearizes the body again.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, ParamSpec, Sequence, TypeVar

from ..core import Primitive, Zero, aval_of, instantiate, register
from ..ir import ClosedJaxpr, Literal, ShapedArray
from ..transforms.closed import call
from ..transforms.jvp import jvp_call
from ..transforms.linearize import linearize_jaxpr
from ..transforms.transpose import backward_pass
from ..tree_util import tree_unflatten
from ._common import as_array, batch_closed, batch_size, fname, to_front
from ._custom import Split, positional
from .custom_lin import custom_lin_p

_P = ParamSpec("_P")
_R = TypeVar("_R")


class checkpoint_policies:
    """Which intermediates ``checkpoint`` may keep for the backward pass:
    ``policy(prim, *avals, **params) -> bool`` says whether to save an equation's outputs.

    Attributes
    ----------
    nothing_saveable, everything_saveable, dots_saveable : callable
        The policies; any function of that signature is one too.

    Examples
    --------
    >>> import numpy as np, ftrans, ftrans.numpy as fnp
    >>> def layer(w, x):
    ...     return fnp.tanh(w @ x)
    >>> f = ftrans.checkpoint(layer, policy=ftrans.checkpoint_policies.dots_saveable)
    >>> w, x = np.eye(2), np.array([0.5, -0.5])
    >>> bool(np.allclose(ftrans.grad(lambda w: f(w, x).sum())(w),
    ...                  ftrans.grad(lambda w: layer(w, x).sum())(w)))
    True
    """

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
        return prim.contraction  # dot_general (a primitive fact, no name)


remat_p = register(Primitive("remat", multiple_results=True))
remat_p.family = "control"


def _remat_impl(xp: Any, *args: Any, jaxpr: ClosedJaxpr, policy: Callable | None) -> list:
    return [as_array(o, xp) for o in call(jaxpr, *args)]


def _remat_aval(*avals: ShapedArray, jaxpr: ClosedJaxpr, policy: Any) -> list[ShapedArray]:
    return list(jaxpr.out_avals)


def _remat_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
               jaxpr: ClosedJaxpr, policy: Callable | None) -> list[Any]:
    nz = [type(t) is not Zero for t in tangents]
    j = jaxpr.jaxpr
    saved_vars: list[Any] = []
    saved: list[Any] = []
    if policy is not None:  # evaluate once to keep the outputs the policy allows
        env = dict(zip(j.constvars, jaxpr.consts))
        env.update(zip(j.invars, primals))
        for eqn in j.eqns:
            ins = [a.val if type(a) is Literal else env[a]  # type: ignore[index]
                   for a in eqn.inputs]
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
    size = batch_size(args, dims)
    d = [0 if x is not None else None for x in dims]
    args = [to_front(a, x, size) if x is not None else a for a, x in zip(args, dims)]
    out = remat_p.bind(*args, jaxpr=batch_closed(jaxpr, d, size), policy=policy)
    return out, [0] * len(out)


remat_p.impl = _remat_impl
remat_p.abstract_eval = _remat_aval
remat_p.jvp = _remat_jvp
remat_p.batch = _remat_batch


def checkpoint(fun: Callable[_P, _R], policy: Callable[..., bool] | None = None
               ) -> Callable[_P, _R]:
    """``fun`` whose intermediates are recomputed in the backward pass instead of stored (also
    called ``remat``).

    Reverse mode keeps only its inputs (and the outputs of equations ``policy`` allows, see
    ``checkpoint_policies``): same values and derivatives, less memory.

    Parameters
    ----------
    fun : callable
        The function, of arrays, scalars or pytrees of them.
    policy : callable or None, default None
        ``policy(prim, *avals, **params) -> bool``: whether to save an equation's outputs;
        None saves nothing.

    Returns
    -------
    callable
        With ``fun``'s signature and values.

    Raises
    ------
    TypeError
        When called, if the arguments do not fit ``fun``'s signature.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp
    >>> f = ftrans.checkpoint(lambda x: fnp.sin(fnp.sin(x)))
    >>> bool(abs(ftrans.grad(f)(0.5) - ftrans.grad(lambda x: fnp.sin(fnp.sin(x)))(0.5)) < 1e-15)
    True
    >>> g = ftrans.checkpoint(lambda x: fnp.sin(x), policy=ftrans.checkpoint_policies.dots_saveable)
    >>> print(ftrans.grad(g)(0.0))
    1.0
    """
    if policy is checkpoint_policies.nothing_saveable:
        policy = None

    @functools.wraps(fun)
    def remat_fun(*args: Any, **kwargs: Any) -> Any:
        sp = Split(positional(fun, args, kwargs, fname(fun)), (), fname(fun))
        cj, consts, out_tree, _ = sp.trace(fun, why="checkpoint")
        outs = remat_p.bind(*consts, *sp.leaves, jaxpr=cj, policy=policy)
        return tree_unflatten(out_tree, outs)

    return remat_fun


remat = checkpoint
