"""Item assignment to traced arrays: ``x[idx] = v`` rebinds ``x`` to ``x.at[idx].set(v)``.

Traced arrays are values, as in JAX, and ``x.at[idx].set(v)`` is the way to update one.
Code written for the array API — SciPy's, through ``array_api_extra.at`` — assigns to arrays
it made itself (``out = ...; out[mask] = nan``, or to ``xp.asarray(a, copy=True)``), so
``ftrans.numpy`` accepts that too: the Python object ``x`` then stands for the updated
value, recorded in the trace, so derivatives, ``jit`` and ``vmap`` see the update.

What NumPy would do differently is refused with an error, never silently changed:

- the function's own inputs cannot be assigned to (NumPy would write into the caller's
  array): copy first, ``y = fnp.asarray(x, copy=True)``, or use ``x.at[idx].set(v)``;
- arrays taken from ``x`` before the assignment by an operation that NumPy makes a view
  (slices, reshape, transpose, ...) would show the assignment in NumPy: using one afterwards
  raises;
- an array read by an inner transformation (``jit``, ``grad``, ...) cannot be assigned to
  afterwards, nor an array of an outer transformation from inside an inner one.

>>> import ftrans, ftrans.numpy as fnp, numpy as np
>>> def f(x):
...     y = fnp.exp(x)
...     y[x == fnp.max(x)] = 0.0
...     return fnp.sum(y)
>>> g = ftrans.grad(f)(np.array([0.0, 1.0]))
>>> g
array([1., 0.])
"""

from __future__ import annotations

from typing import Any

from ..core import Tracer, current_level, user_frame
from ..ir import Var


def setitem(x: Tracer, idx: Any, value: Any) -> None:
    """``x[idx] = value`` for a traced ``x`` that is not an input of its trace: ``x`` becomes
    ``x.at[idx].set(value)``; views of the old ``x`` become unusable (see the module).

    >>> import ftrans, ftrans.numpy as fnp
    >>> def f(x):
    ...     y = x * 1.0
    ...     y[0] = 5.0
    ...     return fnp.sum(y * y)
    >>> ftrans.grad(f)(fnp.asarray([1.0, 2.0]))
    array([0., 4.])
    """
    from ._indexing import at
    trace = x._trace
    if x._var in trace.invars or any(x._var is v for v, _ in trace.consts.values()):
        raise TypeError("traced arrays are immutable and cannot be assigned to in place "
                        f"(at {user_frame()}): use x = x.at[idx].set(value) (or .add, "
                        ".multiply, .min, .max) instead of x[idx] = value; this one is an "
                        "input (or a NumPy constant) of the transformed function, which "
                        "NumPy would change for the caller too: to change a copy, "
                        "y = ftrans.numpy.asarray(x, copy=True); y[idx] = value")
    if not trace.active or trace.level != current_level() - 1:
        raise ValueError(
            "item assignment to an array of an outer transformation from inside an inner one "
            f"(jit, grad, vmap, ...) at {user_frame()}: assign before entering it, or use "
            "x = x.at[idx].set(value) inside it")
    if x._var in trace.frozen:
        raise ValueError(
            f"item assignment at {user_frame()} to an array that an inner transformation (jit, "
            "grad, vmap, ...) has already read, and would keep reading with its old value: "
            "assign to a copy (y = ftrans.numpy.asarray(x, copy=True)) or use "
            "x = x.at[idx].set(value)")
    new = at(x)[idx].set(value)
    if not isinstance(new, Tracer) or new._trace is not trace:
        raise ValueError(
            f"item assignment at {user_frame()} of a value traced by an inner transformation "
            "into an array of an outer one: use x = x.at[idx].set(value) inside it instead")
    _mark_views_stale(trace, x._var, user_frame())
    x._become(new)


def _mark_views_stale(trace: Any, var: Any, where: str) -> None:
    """Every variable NumPy would make a view of ``var`` (through primitives marked
    ``view``, transitively) may no longer be used in ``trace``."""
    seen = {var}
    for eqn in trace.eqns:
        if eqn.prim.view and any(type(a) is Var and a in seen for a in eqn.inputs):
            for out in eqn.outputs:
                seen.add(out)
                trace.stale[out] = where
