"""Results belong to the caller: no array a transformation or a compiled program returns is
one of its inputs, a constant it captured, a view of them, or another of its results.

Copies are made only where one is needed. For compiled programs (``jit``) ``plan(jaxpr)``
decides once which outputs could alias something: an output produced by a primitive that
computes a new array (one with a NumPy ufunc: elementwise arithmetic, ``sin``...) cannot; an
output that *is* an argument, a constant or an earlier output is always copied; any other
output (of ``reshape``, ``transpose``, a slice... whose impl may return a view) is checked
when the program runs, against the arguments, constants and earlier outputs it may view
(``roots``), and copied if it shares memory with one. Eager transformations check their flat
results with ``owned``: a result that owns its memory and is not an input costs one lookup.

>>> import numpy as np
>>> x = np.arange(3.0)
>>> a, b, c = owned([x, x[1:], x * 2.0], [x])
>>> a is x, np.shares_memory(b, x), c.base is None
(False, False, True)
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

import numpy as np

from ..ir import Jaxpr, Var

_MAX_ROOTS = 32  # more possible roots than this: checked against everything (rare)
_ANY = None  # the roots of a value that may view anything


def _is_array(x: Any) -> bool:
    return type(x) is np.ndarray or hasattr(x, "__cuda_array_interface__")


def _root(x: Any) -> Any:
    """The object owning ``x``'s memory, at the end of its chain of bases (NumPy names it as
    a view's base directly)."""
    b = x.base
    while b is not None:
        x, b = b, getattr(b, "base", None)
    return x


def shares(a: Any, b: Any) -> bool:
    """Whether array ``a`` and ``b`` may share memory (``b`` may be a non-array: no).

    >>> x = np.arange(4.0)
    >>> shares(x[:2], x[2:]), shares(x[::2], x[1:]), shares(x, x.copy())
    (False, True, False)
    """
    if a is b:
        return True
    if not _is_array(b):
        return False
    if type(a) is np.ndarray or type(b) is np.ndarray:  # NumPy arrays, or host and device
        return type(a) is type(b) and _root(a) is _root(b) and bool(np.may_share_memory(a, b))
    may_share = getattr(sys.modules.get(type(a).__module__.split(".")[0]), "may_share_memory",
                        None)  # CuPy's
    return True if may_share is None else bool(may_share(a, b))


def copy(x: Any) -> Any:
    """A copy of an array (NumPy or CuPy); anything else (an immutable scalar) as it is."""
    return x.copy() if _is_array(x) else x


# types that are never arrays: checked first, so that scalar results cost one set lookup
_NOT_ARRAYS = frozenset({bool, int, float, complex, type(None)} | {
    np.dtype(c).type for c in "?bhilqBHILQefdgFDG"})


def owned(outs: Sequence[Any], inputs: Sequence[Any]) -> list[Any]:
    """``outs`` with every array that is, or may share memory with, one of ``inputs`` or an
    earlier output replaced by a copy (the eager transformations' results). NumPy arrays are
    compared only with those of the same memory owner; device arrays with all the others."""
    result = list(outs)
    for o in result:  # most often every result is a scalar or an array of its own
        if type(o) is np.ndarray or (type(o) not in _NOT_ARRAYS and _is_array(o)):
            break
    else:
        return result
    arrays = [i for i, o in enumerate(result) if type(o) is np.ndarray
              or (type(o) not in _NOT_ARRAYS and _is_array(o))]
    host: dict[int, list[Any]] = {}
    device: list[Any] = []
    for x in inputs:
        if type(x) is np.ndarray:
            host.setdefault(id(_root(x)), []).append(x)
        elif type(x) not in _NOT_ARRAYS and _is_array(x):
            device.append(x)
    for i in arrays:
        o = result[i]
        if type(o) is np.ndarray:
            key = id(_root(o))
            others = host.get(key)
            if others and any(shares(o, x) for x in others):
                o = result[i] = o.copy()
                key = id(o)
            host.setdefault(key, []).append(o)
        else:
            if device and any(shares(o, x) for x in device):
                o = result[i] = o.copy()
            device.append(o)
    return result


# --- compiled programs

def roots(jaxpr: Jaxpr) -> dict[Var, frozenset | None]:
    """For each variable, the variables whose memory it may view: itself for arguments,
    constants and arrays a ufunc computed; the union of its inputs' otherwise (``None``:
    too many to track, anything)."""
    out: dict[Var, frozenset | None] = {v: frozenset((v,))
                                        for v in (*jaxpr.constvars, *jaxpr.invars)}
    for eqn in jaxpr.eqns:
        if eqn.prim.ufunc is not None:
            for v in eqn.outputs:
                out[v] = frozenset((v,))
            continue
        r: frozenset | None = frozenset()
        for a in eqn.inputs:
            if type(a) is Var:
                ra = out[a]
                r = None if r is None or ra is None else (r | ra if r else ra)
                if r is not None and len(r) > _MAX_ROOTS:
                    r = _ANY
        for v in eqn.outputs:  # no array input: a new array (or a view of a new one)
            out[v] = r if r != frozenset() else frozenset((eqn.outputs[0],))
    return out


Plan = tuple  # ((output index, refs or "copy"), ...); a ref is ("args"|"consts"|"outs", k)


def plan(jaxpr: Jaxpr) -> Plan:
    """What ``apply`` does to each output of ``jaxpr`` that could alias something (empty:
    nothing can, and a backend returns its outputs as they are).

    >>> import ftrans, ftrans.numpy as fnp
    >>> cj = ftrans.make_jaxpr(lambda x: (x, x * 2.0, x.T, fnp.sum(x)))(np.ones((2, 2)))
    >>> plan(cj.jaxpr)
    ((0, 'copy'), (2, (('args', 0),)), (3, (('args', 0), ('outs', 2))))
    """
    r = roots(jaxpr)
    position = {v: ("consts", k) for k, v in enumerate(jaxpr.constvars)}
    position.update({v: ("args", k) for k, v in enumerate(jaxpr.invars)})
    steps: list[tuple[int, Any]] = []
    seen: set[Var] = set()  # outputs so far (not copied ones)
    by_root: dict[Var, list[int]] = {}  # root -> earlier outputs that may view it
    viewing_any: list[int] = []  # earlier outputs that may view anything
    everything: list[int] = []
    for i, v in enumerate(jaxpr.outvars):
        if not isinstance(v, Var):  # a literal: an immutable scalar
            continue
        if v in position or v in seen:
            steps.append((i, "copy"))  # a new array then: later outputs cannot alias it
            continue
        mine = r[v]
        if mine is _ANY:
            refs = [position[w] for w in position] + [("outs", j) for j in everything]
        else:
            refs = [position[w] for w in mine if w in position]
            outs = {j for w in mine for j in by_root.get(w, ())}
            refs += [("outs", j) for j in sorted(outs.union(viewing_any))]
        if refs:
            steps.append((i, tuple(refs)))
        seen.add(v)
        everything.append(i)
        if mine is _ANY:
            viewing_any.append(i)
        else:
            for w in mine:
                by_root.setdefault(w, []).append(i)
    return tuple(steps)


def apply(steps: Plan, outs: list[Any], consts: Sequence[Any], args: Sequence[Any]
          ) -> list[Any]:
    """Carry out ``plan``'s steps on a program's outputs ``outs`` (in place; returned)."""
    for i, how in steps:
        o = outs[i]
        if how == "copy":
            outs[i] = copy(o)
            continue
        if not _is_array(o):
            continue
        for kind, k in how:
            other = args[k] if kind == "args" else consts[k] if kind == "consts" else outs[k]
            if shares(o, other):
                outs[i] = copy(o)
                break
    return outs
