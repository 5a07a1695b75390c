"""Integer bitwise primitives, with JAX's ``lax`` names: ``bitwise_and``, ``bitwise_or``,
``bitwise_xor``, ``bitwise_not``, ``shift_left``, ``shift_right_logical`` and
``shift_right_arithmetic``.

Operands are integers (booleans too for and/or/xor/not) of one dtype and equal shapes (or
0-d); the output has that dtype. Outputs are integers, so every tangent is zero; batching is
the elementwise family's.

Shifts are defined for every count, as in NumPy and JAX: a count outside ``[0, bits)`` gives
0 for ``shift_left`` and ``shift_right_logical`` and the sign fill (0 or -1) for
``shift_right_arithmetic``. ``shift_right_logical`` of a signed integer shifts its bit
pattern as unsigned (zeros come in); ``shift_right_arithmetic`` of an unsigned integer
shifts its bit pattern as signed (copies of the top bit come in).

The CUDA expressions are C's operators and ``kernels/ft_math.cuh``'s ``ft_bitnot``,
``ft_shl``, ``ft_shr_logical`` and ``ft_shr_arith``, which compute on the unsigned bit
pattern and check the count, so no shift is undefined behaviour.

>>> import numpy as np
>>> int(shift_right_logical_p.bind(np.int8(-128), np.int8(7)))
1
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import Primitive, register
from ..ir import ShapedArray
from .families import any_dtype, elementwise_aval, elementwise_batch, zero_jvp


def _checked_aval(name: str, allow_bool: bool) -> Any:
    base = elementwise_aval(name)

    def abstract_eval(*avals: ShapedArray) -> ShapedArray:
        out = base(*avals)
        kind = np.dtype(out.dtype).kind
        if kind not in ("iub" if allow_bool else "iu"):
            what = "integer or boolean" if allow_bool else "integer"
            raise TypeError(f"{name} takes {what} operands, got "
                            f"{', '.join(np.dtype(a.dtype).name for a in avals)}")
        return out
    return abstract_eval


def _declare(name: str, ufunc: str | None, cuda: str, impl: Any,
             allow_bool: bool = False) -> Primitive:
    p = register(Primitive(name))
    p.family = "elementwise"
    p.impl = impl
    p.ufunc = ufunc
    p.abstract_eval = _checked_aval(name, allow_bool)
    p.jvp = zero_jvp
    p.batch = elementwise_batch(p)
    p.cuda = cuda
    p.cuda_fuses = any_dtype
    return p


def _as_kind(x: Any, kind: str) -> Any:
    """``x``'s bits as the integer dtype of the same width and ``kind`` ('u' or 'i')."""
    dt = np.dtype(x.dtype)
    return x.astype(np.dtype(f"{kind}{dt.itemsize}"))


def _typed(x: Any, y: Any) -> tuple[Any, Any]:
    """Both operands with a dtype (a Python number takes the other operand's)."""
    if not hasattr(x, "dtype"):
        x = np.asarray(x, y.dtype)[()]
    if not hasattr(y, "dtype"):
        y = np.asarray(y, x.dtype)[()]
    return x, y


def _shift_left(xp: Any, x: Any, y: Any) -> Any:
    x, y = _typed(x, y)
    if xp is np:
        return np.left_shift(x, y)  # NumPy already gives 0 for counts outside [0, bits)
    bits = 8 * np.dtype(x.dtype).itemsize
    ok = _as_kind(y, "u") < bits
    return xp.where(ok, xp.left_shift(x, xp.where(ok, y, 0)), 0).astype(x.dtype)


def _shift_right_logical(xp: Any, x: Any, y: Any) -> Any:
    x, y = _typed(x, y)
    ux, uy = _as_kind(x, "u"), _as_kind(y, "u")
    if xp is np:
        out = np.right_shift(ux, uy)
    else:
        bits = 8 * np.dtype(x.dtype).itemsize
        ok = uy < bits
        out = xp.where(ok, xp.right_shift(ux, xp.where(ok, uy, 0)), 0).astype(ux.dtype)
    return out.astype(x.dtype)


def _shift_right_arithmetic(xp: Any, x: Any, y: Any) -> Any:
    x, y = _typed(x, y)
    sx = _as_kind(x, "i")
    if xp is np:  # NumPy gives the sign fill for counts outside [0, bits), negative ones too
        out = np.right_shift(sx, _as_kind(y, "i"))
    else:
        bits = 8 * np.dtype(x.dtype).itemsize
        ok = _as_kind(y, "u") < bits
        out = xp.where(ok, xp.right_shift(sx, xp.where(ok, _as_kind(y, "i"), 0)),
                       xp.where(sx < 0, -1, 0)).astype(sx.dtype)
    return out.astype(x.dtype)


bitwise_and_p = _declare("bitwise_and", "bitwise_and", "({0} & {1})",
                         lambda xp, x, y: xp.bitwise_and(x, y), allow_bool=True)
bitwise_or_p = _declare("bitwise_or", "bitwise_or", "({0} | {1})",
                        lambda xp, x, y: xp.bitwise_or(x, y), allow_bool=True)
bitwise_xor_p = _declare("bitwise_xor", "bitwise_xor", "({0} ^ {1})",
                         lambda xp, x, y: xp.bitwise_xor(x, y), allow_bool=True)
bitwise_not_p = _declare("bitwise_not", "invert", "ft_bitnot({0})",
                         lambda xp, x: xp.invert(x), allow_bool=True)
shift_left_p = _declare("shift_left", None, "ft_shl({0}, {1})", _shift_left)
shift_right_logical_p = _declare("shift_right_logical", None, "ft_shr_logical({0}, {1})",
                                 _shift_right_logical)
shift_right_arithmetic_p = _declare("shift_right_arithmetic", None,
                                    "ft_shr_arith({0}, {1})", _shift_right_arithmetic)

__all__ = [name for name in globals() if name.endswith("_p")]
