"""Bound primitives, for writing rules: ``t * ops.cos(x)``.

``ops.<name>`` is the function a primitive module exports for its primitive with
``@ops.export`` (``ops.reduce_sum(x, axes)``, ``ops.broadcast_in_dim(x, shape, dims)``), or
else the registered primitive of that name, bound (``ops.cos(x)`` is ``cos_p.bind(x)``,
``ops.mul(x, y)`` is ``mul_p.bind(x, y)``), looked up when first used. A rule can so use any
primitive without importing the module that declares it: primitive modules import each
other only downward, never in a circle, and nothing in ``prims/`` imports ``ftrans.numpy``.
Rules run on arrays and on tracers alike, so their operators (``t * y``) and array methods
(``x.conj()``) are those of the values.

A few NumPy-spelled helpers are built here on primitives: ``where``, ``zeros_like``,
``full_like``.

>>> import numpy as np
>>> from ftrans.prims import ops
>>> print(ops.cos(np.float64(0.0)), ops.where(np.array([True, False]), 1.0, np.zeros(2)))
1.0 [1. 0.]
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..core import PRIMITIVES, Tracer, aval_of
from ..xp import array_module

_EXPORTED: dict[str, Callable] = {}


def export(fn: Callable) -> Callable:
    """Make ``fn`` (a primitive module's function) ``ops.<its name>``; returns it."""
    _EXPORTED[fn.__name__] = fn
    return fn


def __getattr__(name: str) -> Callable:
    fn = _EXPORTED.get(name)
    if fn is None:
        prim = PRIMITIVES.get(name)
        if prim is None or name.startswith("_"):
            raise AttributeError(f"ftrans.prims.ops has no {name!r}: no exported function and "
                                 "no registered primitive of that name")
        fn = prim.bind
    globals()[name] = fn  # looked up once
    return fn


def where(condition: Any, x: Any, y: Any) -> Any:
    """``x`` where ``condition`` holds, else ``y`` (``select_n``): operands of one shape, or
    scalars (a Python scalar takes the other operand's dtype, as NumPy 2 gives it)."""
    return PRIMITIVES["select_n"].bind(condition, y, x)


def zeros_like(x: Any) -> Any:
    """Zeros of ``x``'s shape and dtype, a constant on the device of ``x``'s value."""
    return full_like(x, 0)


def full_like(x: Any, fill_value: Any) -> Any:
    """``fill_value`` in ``x``'s shape and dtype, a constant on the device of ``x``'s value."""
    av = aval_of(x)
    val = x.val if isinstance(x, Tracer) else x
    xp = array_module([val]) if val is not None and not isinstance(val, Tracer) else np
    return xp.full(av.shape, fill_value, dtype=av.dtype)
