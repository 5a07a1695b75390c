"""``lax.fori_loop``: ``for i in range(lower, upper): val = body_fun(i, val)`` as a ``scan``
(Python-int bounds) or a ``while`` (traced bounds); a body that needs the counter's value
runs unrolled.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..core import ConcretizationError, Tracer, TracerArrayConversionError
from ._common import flat_args, fname, trace_fun, types
from .scan import scan_named
from .while_loop import while_loop


def fori_loop(lower: Any, upper: Any, body_fun: Callable[[Any, Any], Any], init_val: Any
              ) -> Any:
    """``for i in range(lower, upper): val = body_fun(i, val)``, as one primitive.

    With Python-int bounds it is a ``scan`` (differentiable in every mode); with traced
    bounds a ``while_loop``. With Python-int bounds, a body that needs the counter's value
    (``c[i]`` with ``c`` a NumPy array, a Python list, ``range(i)``: NumPy indexing cannot see
    a traced counter) is run once per iteration with ``i`` a NumPy integer instead, unrolled;
    JAX raises there. ``fnp.take(c, i)`` keeps one rolled loop.

    Parameters
    ----------
    lower, upper : int or integer scalar array
        The range of the counter.
    body_fun : callable
        ``body_fun(i, val) -> val``, returning a carry of ``init_val``'s structure and types.
    init_val : pytree
        The initial carry.

    Returns
    -------
    pytree
        The final carry.

    Raises
    ------
    TypeError
        If ``body_fun`` returns a carry of another structure or type than ``init_val``.

    Examples
    --------
    >>> import ftrans, ftrans.lax as lax, numpy as np
    >>> print(ftrans.grad(lambda x: lax.fori_loop(0, 3, lambda i, v: v * x, 1.0))(2.0))
    12.0
    >>> c = np.array([1.0, 2.0, 3.0])
    >>> print(ftrans.grad(lambda x: lax.fori_loop(0, 3, lambda i, v: v * x + c[i], 0.0))(2.0))
    6.0
    """
    if not isinstance(lower, Tracer) and not isinstance(upper, Tracer):
        lo, hi = int(lower), int(upper)
        # the bounds' dtype, read without converting them (they may be 0-d CuPy arrays)
        dtype = np.result_type(*[b.dtype if hasattr(b, "dtype") else np.asarray(b).dtype
                                 for b in (lower, upper)])

        def step(carry: Any, _: Any) -> Any:
            i, val = carry
            return (i + np.asarray(1, dtype), body_fun(i, val)), None

        try:
            (_, val), _ = scan_named(step, (np.asarray(lo, dtype), init_val), None,
                                     max(hi - lo, 0), False, "the body of lax.fori_loop")
        except (ConcretizationError, TracerArrayConversionError):
            if not _needs_counter_value(body_fun, np.asarray(lo, dtype)[()], init_val):
                raise
            return _fori_unrolled(range(lo, hi), dtype, body_fun, init_val)
        return val

    def body(carry: Any) -> Any:
        i, hi, val = carry
        return i + 1, hi, body_fun(i, val)

    _, _, val = while_loop(lambda c: c[0] < c[1], body, (lower, upper, init_val))
    return val


def _needs_counter_value(body_fun: Any, i: Any, init_val: Any) -> bool:
    """Whether ``body_fun`` traces with the counter given as the number ``i`` (after failing
    with a traced counter): then its failure was the counter's."""
    _, tree, avals = flat_args((init_val,), "fori_loop: init_val")
    try:
        trace_fun(lambda v: body_fun(i, v), tree, avals, "fori_loop",
                  "the body of lax.fori_loop")
    except (ConcretizationError, TracerArrayConversionError):
        return False
    return True


def _fori_unrolled(counts: range, dtype: Any, body_fun: Any, val: Any) -> Any:
    """``fori_loop`` as the Python loop it stands for: the counter a NumPy integer of
    ``dtype``, the carry's type checked as a ``scan`` would."""
    _, tree, avals = flat_args(val, "fori_loop: init_val")
    for i in counts:
        val = body_fun(np.asarray(i, dtype)[()], val)
        _, new_tree, new_avals = flat_args(val, "fori_loop: body_fun result")
        if new_tree != tree or new_avals != avals:
            raise TypeError(f"fori_loop: {fname(body_fun)} must return a carry of the init's "
                            f"type {tree} {types(avals)}, but returns {new_tree} "
                            f"{types(new_avals)}")
    return val
