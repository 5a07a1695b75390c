"""What the custom-rule primitives (``custom_jvp``, ``custom_vjp``) and ``checkpoint`` share:
a call's arguments split into static and differentiable ones and traced (concretely when
their values are known, as in JAX), and the values a trace computed handed to the impl and
the rules that follow it, so the user's function and rules run once.
"""

from __future__ import annotations

import inspect
import threading
import weakref
from typing import Any, Callable, Sequence

import numpy as np

from ..core import (
    Primitive,
    Trace,
    Zero,
    abstract_reason,
    aval_of,
    is_tracer,
    known_value,
    trace_to_jaxpr,
)
from ..ir import ClosedJaxpr, Jaxpr, Literal, ShapedArray
from ..transforms.closed import call, close_jaxpr
from ..tree_util import PyTreeDef, tree_flatten, tree_unflatten
from ._common import as_array, fname


def as_leaf(x: Any) -> Any:
    if isinstance(x, (bool, int, float, complex)):
        return np.asarray(x)
    return x


def nondiff(fun: Callable, argnums: Sequence[int], argnames: Sequence[str], where: str
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
                                 f"parameter of {fname(fun)} {tuple(params)}")
            nums.add(params.index(a))
    return tuple(sorted(nums))


def positional(fun: Callable, args: tuple, kwargs: dict, where: str) -> tuple:
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


class Split:
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
        self.leaves = [as_leaf(x) for x in leaves]
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
            return [as_leaf(x) for x in leaves]

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


def keep(rule: Callable, ps: list[Any], kept: Any) -> None:
    _computed.kept[rule] = (ps, kept)


def kept(rule: Callable, ps: Sequence[Any]) -> Any:
    """What ``keep`` left for ``rule`` at exactly the primals ``ps``, once; else ``None``."""
    entry = _computed.kept.pop(rule, None)
    if entry is not None and len(entry[0]) == len(ps) \
            and all(a is b for a, b in zip(entry[0], ps)):
        return entry[1]
    return None


_computed = _Computed()


def bind_computed(prim: Primitive, args: Sequence[Any], outs: list[Any] | None,
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


def call_once(xp: Any, cj: ClosedJaxpr, args: Sequence[Any]) -> list[Any]:
    """``cj`` on ``args``, or the outputs ``bind_computed`` left for exactly these args."""
    entry = _computed.outs.pop(id(cj), None)
    if entry is not None and len(entry[0]) == len(args) \
            and all(a is b for a, b in zip(entry[0], args)):
        outs = entry[1]
    else:
        outs = call(cj, *args)
    return [as_array(o, xp) for o in outs]


def check_consts_tangents(tangents: Sequence[Any], n: int, what: str) -> None:
    if any(type(t) is not Zero for t in tangents[:n]):
        raise TypeError(f"{what} closes over a value that is being differentiated; pass that "
                        "value as an argument instead")


def check_outs(outs: Sequence[Any], avals: Sequence[ShapedArray], what: str, name: str
                ) -> None:
    """A rule's outputs have the shapes and dtypes of the function's outputs."""
    for o, av in zip(outs, avals):
        oa = aval_of(o)
        if oa.shape != av.shape or oa.dtype != av.dtype:
            raise TypeError(f"{what} returned {oa.str_short()} where {name} returns "
                            f"{av.strip_weak().str_short()}; they must match")
