"""Windowed reductions and cumulative scans, as compositions of primitives (so every
transform applies with no rules of their own):

- ``reduce_window(x, init, monoid, ...)``: pad (and dilate) ``x`` with the monoid's identity
  (padding and dilation holes take no part, as in XLA), gather every window at once (one
  ``gather`` at flat positions computed with NumPy: shape ``out + window``), reduce over the
  window axes and combine with ``init`` once. The derivative of max/min windows goes to the
  window's extremum (ties share it, as ``reduce_max``'s does).
- ``cumulative(x, axis, reverse, monoid)``: an inclusive scan by doubling (Hillis-Steele):
  log2(n) steps of ``x = op(x, x shifted by k)`` with the monoid's identity shifted in.
  ``cumlogsumexp`` uses ``logaddexp`` (no overflow), ``cummax``/``cummin`` ``max``/``min``.
- ``padtype_to_pads``: JAX's 'SAME' / 'SAME_LOWER' / 'VALID' padding, shared with
  convolutions.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core import Tracer, aval_of
from . import elementwise as ew
from .cumulative import cumprod as _cumprod_doubling
from .cumulative import cumsum as _cumsum_prim
from .cumulative import reduce_prod
from .families import ndim_of, shape_of
from .indexing import gather
from .reduce import reduce_max_p, reduce_min_p, reduce_sum
from .shape import broadcast_in_dim, convert_element_type, reshape
from .slicing import pad, rev, slice_

MONOIDS = ("sum", "prod", "max", "min")


def padtype_to_pads(in_shape: Sequence[int], window_shape: Sequence[int],
                    window_strides: Sequence[int], padding: str) -> list[tuple[int, int]]:
    """``(low, high)`` padding per axis for a padding name.

    ``'SAME'``: output size ``ceil(n / stride)``, an odd total puts the extra element at the
    end; ``'SAME_LOWER'``: at the start; ``'VALID'``: none.

    Parameters
    ----------
    in_shape : sequence of int
    window_shape : sequence of int
    window_strides : sequence of int
    padding : str
        ``'SAME'``, ``'SAME_LOWER'`` or ``'VALID'``.

    Returns
    -------
    list of (int, int)

    Raises
    ------
    ValueError
        For another padding name.

    Examples
    --------
    >>> import ftrans.lax as lax
    >>> lax.padtype_to_pads((5,), (3,), (2,), "SAME"), lax.padtype_to_pads((4,), (2,), (1,), "SAME")
    ([(1, 1)], [(0, 1)])
    """
    kind = padding.upper() if isinstance(padding, str) else padding
    if kind == "VALID":
        return [(0, 0)] * len(in_shape)
    if kind not in ("SAME", "SAME_LOWER"):
        raise ValueError(f"padding must be 'SAME', 'SAME_LOWER', 'VALID' or a sequence of "
                         f"(low, high) pairs, got {padding!r}")
    pads = []
    for n, w, s in zip(in_shape, window_shape, window_strides):
        out = -(-int(n) // int(s))
        total = max((out - 1) * int(s) + int(w) - int(n), 0)
        small, big = total // 2, total - total // 2
        pads.append((small, big) if kind == "SAME" else (big, small))
    return pads


def identity(monoid: str, dtype: np.dtype) -> Any:
    """The value ``x`` with ``op(x, y) == y`` for every ``y`` of ``dtype``."""
    dtype = np.dtype(dtype)
    if monoid in ("sum", "prod"):
        return np.asarray(0 if monoid == "sum" else 1, dtype)
    if dtype.kind == "b":
        return np.asarray(monoid == "min", dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.asarray(info.min if monoid == "max" else info.max, dtype)
    return np.asarray(-np.inf if monoid == "max" else np.inf, dtype)


def _combine(monoid: str, x: Any, y: Any) -> Any:
    prim = {"sum": ew.add_p, "prod": ew.mul_p, "max": ew.max_p, "min": ew.min_p,
            "logsumexp": ew.logaddexp_p}[monoid]
    return prim.bind(x, y)


def _reduce(monoid: str, x: Any, axes: tuple[int, ...]) -> Any:
    if not axes:
        return x
    if monoid == "sum":
        return reduce_sum(x, axes)
    if monoid == "prod":
        return reduce_prod(x, axes)
    return (reduce_max_p if monoid == "max" else reduce_min_p).bind(x, axes=axes)


def _ints(values: Sequence[int] | None, rank: int, default: int, name: str, where: str
          ) -> tuple[int, ...]:
    if values is None:
        return (default,) * rank
    out = tuple(int(v) for v in values)
    if len(out) != rank or any(v < 1 for v in out):
        raise ValueError(f"{where}: {name} needs {rank} positive integers (one per axis), "
                         f"got {tuple(values)}")
    return out


def _pads(padding: Any, in_shape: Sequence[int], window: Sequence[int],
          strides: Sequence[int], where: str) -> list[tuple[int, int]]:
    if isinstance(padding, str):
        return padtype_to_pads(in_shape, window, strides, padding)
    try:
        pads = [(int(lo), int(hi)) for lo, hi in padding]
    except (TypeError, ValueError):
        raise ValueError(f"{where}: padding must be 'SAME', 'VALID' or a sequence of (low, "
                         f"high) pairs, got {padding!r}") from None
    if len(pads) != len(in_shape):
        raise ValueError(f"{where}: padding needs {len(in_shape)} (low, high) pairs, got "
                         f"{len(pads)}")
    return pads


def window_positions(shape: Sequence[int], window: Sequence[int], strides: Sequence[int],
                     dilation: Sequence[int]) -> np.ndarray:
    """Flat positions into an array of ``shape`` of every window element: an intp array
    ``out_shape + window`` (``out = (n - (w - 1) * d - 1) // s + 1`` per axis)."""
    rank = len(shape)
    out_shape = [max((n - (w - 1) * d - 1) // s + 1, 0)
                 for n, w, s, d in zip(shape, window, strides, dilation)]
    flat_strides = [int(np.prod(shape[k + 1:], dtype=np.int64)) for k in range(rank)]
    pos = np.zeros(tuple(out_shape) + tuple(window), np.intp)
    for k in range(rank):
        o = np.arange(out_shape[k]) * strides[k]
        w = np.arange(window[k]) * dilation[k]
        axes = [1] * (2 * rank)
        axes[k] = out_shape[k]
        pos = pos + (o.reshape(axes) * flat_strides[k])
        axes = [1] * (2 * rank)
        axes[rank + k] = window[k]
        pos = pos + (w.reshape(axes) * flat_strides[k])
    return pos


def reduce_window(operand: Any, init_value: Any, monoid: str, window_dimensions: Sequence[int],
                  window_strides: Sequence[int] | None = None, padding: Any = "VALID",
                  base_dilation: Sequence[int] | None = None,
                  window_dilation: Sequence[int] | None = None) -> Any:
    """XLA's ReduceWindow for ``monoid`` in 'sum', 'prod', 'max', 'min': each output element
    is ``init_value`` combined with the operand's elements in one window of the padded and
    dilated operand (padding and holes contribute nothing). ``padding`` is 'SAME', 'VALID' or
    ``(low, high)`` pairs (negative crops).

    >>> import numpy as np
    >>> reduce_window(np.arange(5.0), -np.inf, "max", (2,))
    array([1., 2., 3., 4.])
    >>> reduce_window(np.arange(5.0), 0.0, "sum", (3,), (2,), "SAME")
    array([1., 6., 7.])
    """
    where = "reduce_window"
    if monoid not in MONOIDS:
        raise ValueError(f"{where}: the reduction must be one of {MONOIDS}, got {monoid!r}")
    shape, rank = shape_of(operand), ndim_of(operand)
    dtype = aval_of(operand).dtype
    window = tuple(int(w) for w in window_dimensions)
    if len(window) != rank or any(w < 1 for w in window):
        raise ValueError(f"{where}: window_dimensions needs {rank} positive integers (one per "
                         f"axis of the operand of shape {shape}), got {tuple(window_dimensions)}")
    strides = _ints(window_strides, rank, 1, "window_strides", where)
    base = _ints(base_dilation, rank, 1, "base_dilation", where)
    wdil = _ints(window_dilation, rank, 1, "window_dilation", where)
    extent = [(w - 1) * d + 1 for w, d in zip(window, wdil)]
    dilated_shape = [(n - 1) * b + 1 if n else 0 for n, b in zip(shape, base)]
    pads = _pads(padding, shape if isinstance(padding, str) else dilated_shape, extent, strides,
                 where)
    init_av = aval_of(init_value)
    if init_av.shape != ():
        raise TypeError(f"{where}: init_value must be a scalar, got {init_av.str_short()}")
    init = init_value if isinstance(init_value, Tracer) else np.asarray(init_value, dtype)
    if isinstance(init, Tracer) and init.aval.dtype != dtype:
        init = convert_element_type(init, dtype)
    x = operand
    config = [(max(lo, 0), max(hi, 0), b - 1) for (lo, hi), b in zip(pads, base)]
    if any(c != (0, 0, 0) for c in config):  # holes and padding take no part: the identity
        x = pad(x, identity(monoid, dtype), config)
    if any(lo < 0 or hi < 0 for lo, hi in pads):
        padded = shape_of(x)
        x = slice_(x, [max(-lo, 0) for lo, _ in pads],
                   [n - max(-hi, 0) for n, (_, hi) in zip(padded, pads)])
    padded = shape_of(x)
    pos = window_positions(padded, window, strides, wdil)
    size = int(np.prod(padded, dtype=np.int64))
    if size == 0 or pos.size == 0:
        return broadcast_in_dim(init, pos.shape[:rank], ())
    windows = gather(reshape(x, (size,)), pos, 0)
    out = _reduce(monoid, windows, tuple(range(rank, 2 * rank)))
    if isinstance(init, Tracer) or not np.array_equal(init, identity(monoid, dtype)):
        out = _combine(monoid, out, broadcast_in_dim(init, shape_of(out), ()))
    return out


# ----------------------------------------------------------------------------- scans

def cumulative(x: Any, axis: int, reverse: bool, monoid: str) -> Any:
    """Inclusive scan of ``x`` along ``axis`` with ``monoid`` ('sum', 'prod', 'max', 'min',
    'logsumexp'); from the end if ``reverse``.

    >>> import numpy as np
    >>> cumulative(np.array([1.0, 3.0, 2.0]), 0, False, "max")
    array([1., 3., 3.])
    >>> cumulative(np.log(np.array([1.0, 2.0, 3.0])), 0, True, "logsumexp")
    array([1.79175947, 1.60943791, 1.09861229])
    """
    rank = ndim_of(x)
    if not -rank <= int(axis) < rank:
        raise ValueError(f"cumulative {monoid}: axis {axis} is out of bounds for an array of "
                         f"rank {rank}")
    axis = int(axis) % rank
    if monoid == "sum":
        return _cumsum_prim(x, axis, reverse)
    if reverse:
        x = rev(x, (axis,))
    if monoid == "prod":
        out = _cumprod_doubling(x, axis)
    else:
        dtype = aval_of(x).dtype
        fill = identity("max" if monoid == "logsumexp" else monoid, dtype)
        shape = shape_of(x)
        n = shape[axis]
        k = 1
        out = x
        while k < n:
            limit = list(shape)
            limit[axis] = n - k
            config = [(0, 0, 0)] * rank
            config[axis] = (k, 0, 0)
            out = _combine(monoid, out, pad(slice_(out, [0] * rank, limit), fill, config))
            k *= 2
    return rev(out, (axis,)) if reverse else out
