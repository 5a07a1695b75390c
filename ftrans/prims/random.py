"""Random-number primitives: the Threefry-2x32 block cipher, the counter-based generator
behind ``ftrans.random`` (JAX's default), with each of its rules.

``threefry2x32(k0, k1, x0, x1)`` encrypts the 64-bit counter ``(x0, x1)`` under the 64-bit
key ``(k0, k1)`` (all ``uint32``, of equal shapes or 0-d) with 20 rounds of Threefry-2x32
(Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011) and
returns the two output words as one ``uint64``, ``(y0 << 32) | y1``, so it is a one-output
elementwise primitive: it fuses into generated CUDA kernels (``ft_threefry2x32`` in
``kernels/ft_math.cuh``) with whatever turns its bits into numbers. Its output is an
integer, so its tangent is zero; batching is the elementwise family's (a batched key
broadcasts against unbatched counters).

The NumPy impl runs the rounds in place on blocks of ``_BLOCK`` elements (they stay in the
CPU's cache); on CuPy the same array code runs on the device (``jit`` fuses it into one
kernel instead).

>>> import numpy as np
>>> hex(int(threefry2x32_p.bind(*np.zeros(4, np.uint32))))  # Random123's known answer
'0x6b20015999ba4efe'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import Primitive, register
from ..ir import ShapedArray
from .families import any_dtype, elementwise_aval, elementwise_batch, zero_jvp

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = 0x1BD11BDA  # Threefry's key-schedule constant
_BLOCK = 1 << 16
_U32 = np.dtype(np.uint32)


def _rounds(xp: Any, k0: Any, k1: Any, x0: Any, x1: Any) -> tuple[Any, Any]:
    """The two output words of Threefry-2x32 (new ``uint32`` arrays of the full shape)."""
    u32 = np.uint32
    ks = (k0, k1, k0 ^ k1 ^ u32(_PARITY))
    shape = tuple(np.broadcast_shapes(*(np.shape(v) for v in (k0, k1, x0, x1))))
    a = xp.asarray(xp.add(x0, k0, dtype=_U32))
    b = xp.asarray(xp.add(x1, k1, dtype=_U32))
    if a.shape != shape:
        a = xp.broadcast_to(a, shape).copy()
    if b.shape != shape:
        b = xp.broadcast_to(b, shape).copy()
    t = xp.empty(shape, _U32)
    for block in range(5):
        for r in _ROTATIONS[block % 2]:
            xp.add(a, b, out=a)
            xp.left_shift(b, u32(r), out=t)
            xp.right_shift(b, u32(32 - r), out=b)
            xp.bitwise_or(b, t, out=b)
            xp.bitwise_xor(b, a, out=b)
        xp.add(a, ks[(block + 1) % 3], out=a)
        xp.add(b, ks[(block + 2) % 3] + u32(block + 1), out=b)
    return a, b


def _join(xp: Any, a: Any, b: Any, out: Any = None) -> Any:
    """``(a << 32) | b`` as ``uint64`` (written into ``out`` when given)."""
    if out is None:
        out = a.astype(np.uint64)
    else:
        out[...] = a
    xp.left_shift(out, np.uint64(32), out=out)
    xp.bitwise_or(out, b, out=out)
    return out


def _threefry_impl(xp: Any, k0: Any, k1: Any, x0: Any, x1: Any) -> Any:
    with np.errstate(over="ignore"):  # uint32 sums wrap, as the cipher wants
        return _threefry(xp, k0, k1, x0, x1)


def _threefry(xp: Any, k0: Any, k1: Any, x0: Any, x1: Any) -> Any:
    args = [xp.asarray(v, dtype=_U32) for v in (k0, k1, x0, x1)]
    shape = tuple(np.broadcast_shapes(*(v.shape for v in args)))
    size = int(np.prod(shape, dtype=np.int64))
    if xp is not np or size <= _BLOCK:
        out = _join(xp, *_rounds(xp, *args))
        return out[()] if not shape else out
    flat = [v.reshape(-1) if v.ndim else v for v in args]
    out = np.empty(size, np.uint64)
    for start in range(0, size, _BLOCK):
        part = [v[start:start + _BLOCK] if v.ndim else v for v in flat]
        _join(np, *_rounds(np, *part), out=out[start:start + _BLOCK])
    return out.reshape(shape)


def _threefry_aval(*avals: ShapedArray) -> ShapedArray:
    bad = [np.dtype(a.dtype).name for a in avals if np.dtype(a.dtype) != _U32]
    if bad:
        raise TypeError("threefry2x32 takes uint32 keys and counters, got "
                        f"{', '.join(np.dtype(a.dtype).name for a in avals)}")
    shape = elementwise_aval("threefry2x32")(*avals).shape
    return ShapedArray(shape, np.dtype(np.uint64))


threefry2x32_p = register(Primitive("threefry2x32"))
threefry2x32_p.family = "elementwise"
threefry2x32_p.impl = _threefry_impl
threefry2x32_p.abstract_eval = _threefry_aval
threefry2x32_p.jvp = zero_jvp
threefry2x32_p.batch = elementwise_batch(threefry2x32_p)
threefry2x32_p.cuda = "ft_threefry2x32({0}, {1}, {2}, {3})"
threefry2x32_p.cuda_fuses = any_dtype



def unit_floats(xp: Any, words: Any, dtype: np.dtype) -> Any:
    """Uniform floats in [0, 1) from ``threefry2x32``'s words: the top 52 bits (float64) or
    23 bits of the XOR of the two words (float32) as a mantissa, as ``ftrans.random``."""
    if dtype == np.float64:
        return (words >> np.uint64(12)).astype(dtype) * dtype.type(2.0 ** -52)
    bits = ((words >> np.uint64(32)) ^ words).astype(_U32)
    return (bits >> np.uint32(9)).astype(dtype) * dtype.type(2.0 ** -23)


def unit_draw(xp: Any, k0: Any, k1: Any, hi: Any, lo: int, dtype: np.dtype) -> Any:
    """Uniform floats in [0, 1) for the keys ``(k0, k1)`` and the counter ``(hi, lo)``: the
    draws of the samplers that loop per element (gamma, Poisson), in their impls."""
    return unit_floats(xp, _threefry_impl(xp, k0, k1, hi, np.uint32(lo)), dtype)


__all__ = ["threefry2x32_p", "unit_floats", "unit_draw"]
