"""``clamp(lo, x, hi)``: ``x`` limited to ``[lo, hi]`` elementwise (JAX's ``lax.clamp``).

Its derivative is JAX's: ``x`` gets the tangent strictly inside ``(lo, hi)``, ``lo`` where
``lo > x`` and ``hi`` where ``hi < x``; at a tie nobody does (``ftrans.numpy.clip``, built
from ``maximum``/``minimum``, shares ties instead). ``lo`` and ``hi`` may be scalars.
"""

from __future__ import annotations

from typing import Any

from ..core import Primitive, aval_of, register
from ..ir import ShapedArray
from . import ops
from .families import elementwise_aval, elementwise_batch, elementwise_jvp

clamp_p = register(Primitive("clamp"))
clamp_p.family = "elementwise"


def _clamp_impl(xp: Any, lo: Any, x: Any, hi: Any) -> Any:
    return xp.minimum(xp.maximum(x, lo), hi)


def _clamp_aval(lo: ShapedArray, x: ShapedArray, hi: ShapedArray) -> ShapedArray:
    for name, b in (("min", lo), ("max", hi)):
        if b.ndim and b.shape != x.shape:
            raise TypeError(f"clamp: {name} must be a scalar or have the operand's shape "
                            f"{x.shape}, got shape {b.shape}")
    out = elementwise_aval("clamp")(lo, x, hi)
    return ShapedArray(x.shape, out.dtype)


def _zero_like(t: Any) -> Any:
    return ops.zeros_like(t)


clamp_p.impl = _clamp_impl
clamp_p.abstract_eval = _clamp_aval
clamp_p.jvp = elementwise_jvp([
    lambda t, lo, x, hi, out: ops.where(lo > x, t, _zero_like(t)),
    lambda t, lo, x, hi, out: ops.where((x > lo) & (x < hi), t, _zero_like(t)),
    lambda t, lo, x, hi, out: ops.where(hi < x, t, _zero_like(t)),
])
clamp_p.batch = elementwise_batch(clamp_p)
clamp_p.cuda = "ft_min(ft_max({1}, {0}), {2})"  # NaN propagates, as np.minimum/maximum


def clamp(min: Any, x: Any, max: Any) -> Any:  # noqa: A002
    """``x`` clamped to ``[min, max]`` (JAX's argument order).

    Parameters
    ----------
    min : ArrayLike
        A scalar or an array of ``x``'s shape.
    x : ArrayLike
    max : ArrayLike
        A scalar or an array of ``x``'s shape.

    Returns
    -------
    Array
        Of ``x``'s shape and dtype.

    Raises
    ------
    TypeError
        If ``min`` or ``max`` is neither a scalar nor of ``x``'s shape.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.clamp(0.0, np.array([-1.0, 0.5, 2.0]), 1.0)
    array([0. , 0.5, 1. ])
    """
    _clamp_aval(aval_of(min), aval_of(x), aval_of(max))  # its checks, on plain arrays too
    return clamp_p.bind(min, x, max)
