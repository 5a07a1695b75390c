"""More of NumPy's elementwise functions: primitives where NumPy's value needs its own
routine (exp2, log2, cbrt, hypot, logaddexp, the inverse hyperbolics, rounding, tests), and
exact composites of existing ones elsewhere (reciprocal, deg2rad, sinc, fmax, clip, ...).
Rounding, tests and logical functions have zero tangents."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..prims import bitwise as bw
from ..prims import elementwise as ew
from ._elementwise import _binary, _doc, _unary, astype, divide, maximum, minimum, multiply
from ._elementwise import power as _power
from ._elementwise import where as _where
from ._keywords import traced_only
from ._promote import (
    any_tracer,
    dtype_of,
    is_tracer,
    operand_dtype,
    promote,
    result_dtype,
    to_dtype,
)

exp2 = _unary(ew.exp2_p, np.exp2, _doc("exp2", "fnp.exp2(3.0)", "8.0"))
log2 = _unary(ew.log2_p, np.log2, _doc("log2", "fnp.log2(8.0)", "3.0"))
log10 = _unary(ew.log10_p, np.log10, _doc("log10", "fnp.log10(100.0)", "2.0"))
cbrt = _unary(ew.cbrt_p, np.cbrt, _doc("cbrt", "fnp.cbrt(8.0)", "2.0"))
arcsinh = _unary(ew.asinh_p, np.arcsinh, _doc("arcsinh", "fnp.arcsinh(0.0)", "0.0"))
arccosh = _unary(ew.acosh_p, np.arccosh, _doc("arccosh", "fnp.arccosh(1.0)", "0.0"))
arctanh = _unary(ew.atanh_p, np.arctanh, _doc("arctanh", "fnp.arctanh(0.0)", "0.0"))
floor = _unary(ew.floor_p, np.floor, _doc("floor", "fnp.floor(1.5)", "1.0"))
ceil = _unary(ew.ceil_p, np.ceil, _doc("ceil", "fnp.ceil(1.5)", "2.0"))
trunc = _unary(ew.trunc_p, np.trunc, _doc("trunc", "fnp.trunc(-1.5)", "-1.0"))
fix = trunc
rint = _unary(ew.rint_p, np.rint, _doc("rint", "fnp.rint(2.5)", "2.0"))
isnan = _unary(ew.isnan_p, np.isnan, _doc("isnan", "fnp.isnan(1.0)", "False"))
isinf = _unary(ew.isinf_p, np.isinf, _doc("isinf", "fnp.isinf(1.0)", "False"))
isfinite = _unary(ew.isfinite_p, np.isfinite, _doc("isfinite", "fnp.isfinite(1.0)", "True"))
_signbit_float = _unary(ew.signbit_p, np.signbit, "")


def signbit(x: Any) -> Any:
    """NumPy's ``signbit``: whether the sign bit is set — also for ``-0.0`` and a negative
    NaN, which ``x < 0`` misses (a boolean result: no derivative).

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.signbit(np.array([-0.0, 0.0, -2.0]))
    array([ True, False,  True])
    """
    if not is_tracer(x):
        return np.signbit(x)
    if x.dtype.kind == "c":
        raise TypeError(f"signbit: complex arrays have no sign bit (got a traced {x.dtype} "
                        "array); use signbit(real(x)) or signbit(imag(x))")
    if x.dtype.kind in "biu":
        from ._elementwise import less
        return less(x, 0) if x.dtype.kind == "i" else less(x, x)  # never set: all False
    return _signbit_float(x)
logical_not = _unary(ew.not_p, np.logical_not, _doc("logical_not", "fnp.logical_not(0.0)",
                                                    "True"))
hypot = _binary(ew.hypot_p, np.hypot, _doc("hypot", "fnp.hypot(3.0, 4.0)", "5.0"))
logaddexp = _binary(ew.logaddexp_p, np.logaddexp,
                    _doc("logaddexp", "fnp.logaddexp(0.0, 0.0)", "0.6931471805599453"))
logaddexp2 = _binary(ew.logaddexp2_p, np.logaddexp2,
                     _doc("logaddexp2", "fnp.logaddexp2(1.0, 1.0)", "2.0"))
copysign = _binary(ew.copysign_p, np.copysign, _doc("copysign", "fnp.copysign(2.0, -1.0)",
                                                    "-2.0"))
logical_and = _binary(ew.and_p, np.logical_and,
                      _doc("logical_and", "fnp.logical_and(1.0, 0.0)", "False"))
logical_or = _binary(ew.or_p, np.logical_or, _doc("logical_or", "fnp.logical_or(1.0, 0.0)",
                                                  "True"))
logical_xor = _binary(ew.xor_p, np.logical_xor,
                      _doc("logical_xor", "fnp.logical_xor(1.0, 1.0)", "False"))


def fabs(x: Any) -> Any:
    """NumPy's ``fabs``: ``absolute`` of real values (NumPy refuses complex ones).

    >>> import ftrans.numpy as fnp
    >>> fnp.fabs(-2.0)
    2.0
    """
    if not is_tracer(x):
        return np.fabs(x)
    if x.dtype.kind == "c":
        np.fabs(np.ones((), x.dtype))  # NumPy's TypeError for complex input
    from ._elementwise import absolute
    return absolute(to_dtype(x, operand_dtype(np.fabs, (x,))))


def positive(x: Any) -> Any:
    """NumPy's ``positive``: ``x`` itself.

    >>> import ftrans.numpy as fnp
    >>> fnp.positive(-2.0)
    -2.0
    """
    return x if is_tracer(x) else np.positive(x)


def float_power(x: Any, y: Any) -> Any:
    """NumPy's ``float_power``: ``x ** y`` computed in float64 (or wider).

    >>> import ftrans.numpy as fnp
    >>> fnp.float_power(2, 3)
    8.0
    """
    if not any_tracer((x, y)):
        return np.float_power(x, y)
    dt = operand_dtype(np.float_power, (x, y))
    return _power(to_dtype(x, dt), to_dtype(y, dt))


def reciprocal(x: Any) -> Any:
    """NumPy's ``reciprocal``: ``1 / x``.

    >>> import ftrans.numpy as fnp
    >>> fnp.reciprocal(4.0)
    0.25
    """
    if not is_tracer(x):
        return np.reciprocal(x)
    dt = operand_dtype(np.reciprocal, (x,))
    out = divide(np.ones((), dt), x)
    return out if out.dtype == dt else astype(out, dt)


def deg2rad(x: Any) -> Any:
    """NumPy's ``deg2rad``: ``x * (pi / 180)``.

    >>> import ftrans.numpy as fnp
    >>> fnp.deg2rad(180.0)
    3.141592653589793
    """
    return np.deg2rad(x) if not is_tracer(x) else multiply(
        to_dtype(x, operand_dtype(np.deg2rad, (x,))), math.pi / 180.0)


radians = deg2rad


def rad2deg(x: Any) -> Any:
    """NumPy's ``rad2deg``: ``x * (180 / pi)``.

    >>> import ftrans.numpy as fnp
    >>> fnp.rad2deg(0.0)
    0.0
    """
    return np.rad2deg(x) if not is_tracer(x) else multiply(
        to_dtype(x, operand_dtype(np.rad2deg, (x,))), 180.0 / math.pi)


degrees = rad2deg


def sinc(x: Any) -> Any:
    """NumPy's normalized ``sinc``, ``sin(pi x) / (pi x)``. Traced, ``|x| < 0.1`` takes its
    Taylor polynomial (to ``x^16``, error below 1e-25), so derivatives of every order are
    right at 0 (``sinc''(0) = -pi^2/3``) and never NaN.

    >>> import ftrans, ftrans.numpy as fnp
    >>> fnp.sinc(0.0)
    1.0
    >>> round(float(ftrans.grad(ftrans.grad(fnp.sinc))(0.0)), 12)  # -pi^2 / 3
    -3.289868133696
    """
    if not is_tracer(x):
        return np.sinc(x)
    from ._elementwise import abs as _abs
    from ._elementwise import less, sin
    x = to_dtype(x, result_dtype(x, 1.0))
    near = less(_abs(x), 0.1)
    y = math.pi * _where(near, 1.0, x)
    z = math.pi * _where(near, x, 0.0)
    z2 = z * z
    taylor: Any = 0.0
    for k in range(8, 0, -1):  # sum_(k=1..8) (-z^2)^k / (2k+1)!, by Horner
        taylor = (taylor + (-1) ** k / math.factorial(2 * k + 1)) * z2
    return _where(near, 1.0 + taylor, sin(y) / y)


def fmax(x: Any, y: Any) -> Any:
    """NumPy's ``fmax``: the maximum, ignoring NaNs.

    >>> import ftrans.numpy as fnp
    >>> fnp.fmax(float("nan"), 1.0)
    1.0
    """
    if not any_tracer((x, y)):
        return np.fmax(x, y)
    m = maximum(x, y)
    return _where(isnan(x), _where(isnan(y), m, y), _where(isnan(y), x, m))


def fmin(x: Any, y: Any) -> Any:
    """NumPy's ``fmin``: the minimum, ignoring NaNs.

    >>> import ftrans.numpy as fnp
    >>> fnp.fmin(float("nan"), 1.0)
    1.0
    """
    if not any_tracer((x, y)):
        return np.fmin(x, y)
    m = minimum(x, y)
    return _where(isnan(x), _where(isnan(y), m, y), _where(isnan(y), x, m))


def clip(a: Any, min: Any = None, max: Any = None, out: Any = None, *,  # noqa: A002
         a_min: Any = None, a_max: Any = None) -> Any:
    """NumPy's ``clip``: ``minimum(maximum(a, min), max)``; ties share the derivative. The
    bounds are named ``min``/``max`` as in the array API, ``a_min``/``a_max`` as in NumPy.

    >>> import ftrans.numpy as fnp
    >>> fnp.clip(3.0, 0.0, 1.0), fnp.clip(3.0, a_max=1.0)
    (1.0, 1.0)
    """
    for name, new, old in (("min", min, a_min), ("max", max, a_max)):
        if new is not None and old is not None:
            raise ValueError(f"clip: pass {name}= or a_{name}=, not both")
    lo = min if min is not None else a_min
    hi = max if max is not None else a_max
    if out is not None:
        raise traced_only("clip", "out")
    if not any_tracer((a, lo, hi)):
        return np.clip(a, lo, hi)
    if lo is None and hi is None:
        return a  # NumPy 2 (and the array API): nothing to clip
    if lo is not None:
        a = maximum(a, lo)
    if hi is not None:
        a = minimum(a, hi)
    return a


def heaviside(x1: Any, x2: Any) -> Any:
    """NumPy's ``heaviside``: 0 below zero, 1 above, ``x2`` at zero (NaN stays NaN).

    >>> import ftrans.numpy as fnp
    >>> fnp.heaviside(0.0, 0.5)
    0.5
    """
    if not any_tracer((x1, x2)):
        return np.heaviside(x1, x2)
    from ._elementwise import equal, greater, less
    dt = operand_dtype(np.heaviside, (x1, x2))
    x1, x2 = to_dtype(x1, dt), to_dtype(x2, dt)
    zero, one = np.zeros((), dt), np.ones((), dt)
    return _where(less(x1, 0), zero, _where(greater(x1, 0), one,
                                            _where(equal(x1, 0), x2, x1 * x2)))


def nan_to_num(x: Any, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Any:
    """NumPy's ``nan_to_num``: NaN and infinities replaced by finite numbers.

    >>> import ftrans.numpy as fnp
    >>> fnp.nan_to_num(float("nan"))
    0.0
    """
    if not is_tracer(x):
        return np.nan_to_num(x, copy=copy, nan=nan, posinf=posinf, neginf=neginf)
    if np.issubdtype(x.dtype, np.complexfloating):  # each part, as NumPy
        from ..prims.complex_parts import complex_p
        from ._complex import imag, real
        parts = [nan_to_num(p, copy, nan, posinf, neginf) for p in (real(x), imag(x))]
        return complex_p.bind(*parts)
    if not np.issubdtype(x.dtype, np.floating):
        return x
    info = np.finfo(x.dtype)
    hi = info.max if posinf is None else posinf
    lo = info.min if neginf is None else neginf
    from ._elementwise import equal
    out = _where(isnan(x), np.asarray(nan, x.dtype), x)
    out = _where(equal(x, np.inf), np.asarray(hi, x.dtype), out)
    return _where(equal(x, -np.inf), np.asarray(lo, x.dtype), out)


def round(a: Any, decimals: int = 0, out: Any = None) -> Any:  # noqa: A001
    """NumPy's ``round`` (half to even), as NumPy computes it: ``rint(a * 10**d) / 10**d``.

    >>> import ftrans.numpy as fnp
    >>> fnp.round(2.675, 1)
    2.7
    """
    if not is_tracer(a):
        return np.round(a, decimals, out)
    if not np.issubdtype(a.dtype, np.inexact):  # complex: both parts, as NumPy
        return a if decimals >= 0 else astype(round(astype(a, np.float64), decimals), a.dtype)
    if decimals == 0:
        return rint(a)
    f = np.asarray(10.0 ** abs(decimals), a.dtype)
    return rint(a * f) / f if decimals > 0 else rint(a / f) * f


around = round


def _integer_operands(name: str, args: tuple, allow_bool: bool = True) -> None:
    """Raise NumPy's TypeError, naming the function and the dtypes, for operands a bitwise
    function does not take (floats, complex numbers; booleans for the shifts)."""
    kinds = "iub" if allow_bool else "iu"
    dts = [dtype_of(a) for a in args]
    if any(dt.kind not in kinds for dt in dts):
        what = "integer or boolean" if allow_bool else "integer"
        raise TypeError(f"{name} takes {what} operands, got "
                        f"{', '.join(dt.name for dt in dts)}")


def _bitwise(logical: Any, prim: Any, name: str, sym: str, example: str, value: str):
    ufunc = getattr(np, name)

    def fn(x: Any, y: Any) -> Any:
        if not any_tracer((x, y)):
            return ufunc(x, y)
        _integer_operands(name, (x, y))
        if result_dtype(x, y) == np.bool_:
            return logical(x, y)
        return prim.bind(*promote(ufunc, (x, y), name))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"NumPy's ``{name}`` (``{sym}``): bitwise on integers, logical on "
                  f"booleans.\n\n>>> import ftrans.numpy as fnp\n>>> {example}\n{value}\n")
    return fn


bitwise_and = _bitwise(logical_and, bw.bitwise_and_p, "bitwise_and", "&",
                       "int(fnp.bitwise_and(12, 10))", "8")
bitwise_or = _bitwise(logical_or, bw.bitwise_or_p, "bitwise_or", "|",
                      "int(fnp.bitwise_or(12, 10))", "14")
bitwise_xor = _bitwise(logical_xor, bw.bitwise_xor_p, "bitwise_xor", "^",
                       "int(fnp.bitwise_xor(12, 10))", "6")


def invert(x: Any) -> Any:
    """NumPy's ``invert`` (``~``): bitwise not of integers, logical not of booleans.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> int(fnp.invert(np.uint8(1)))
    254
    """
    if not is_tracer(x):
        return np.invert(x)
    _integer_operands("invert", (x,))
    if x.dtype == np.bool_:
        return logical_not(x)
    return bw.bitwise_not_p.bind(x)


bitwise_not = bitwise_invert = invert


def left_shift(x1: Any, x2: Any) -> Any:
    """NumPy's ``left_shift`` (``<<``): ``x1 * 2**x2`` in ``x1``'s integer dtype (bits shifted
    out are lost; counts outside ``[0, bits)`` give 0).

    >>> import ftrans.numpy as fnp
    >>> int(fnp.left_shift(3, 2))
    12
    """
    if not any_tracer((x1, x2)):
        return np.left_shift(x1, x2)
    _integer_operands("left_shift", (x1, x2), allow_bool=False)
    return bw.shift_left_p.bind(*promote(np.left_shift, (x1, x2), "left_shift"))


def right_shift(x1: Any, x2: Any) -> Any:
    """NumPy's ``right_shift`` (``>>``): arithmetic for signed integers (the sign is kept),
    logical for unsigned ones.

    >>> import ftrans.numpy as fnp
    >>> int(fnp.right_shift(-8, 1))
    -4
    """
    if not any_tracer((x1, x2)):
        return np.right_shift(x1, x2)
    _integer_operands("right_shift", (x1, x2), allow_bool=False)
    a, b = promote(np.right_shift, (x1, x2), "right_shift")
    prim = bw.shift_right_arithmetic_p if dtype_of(a).kind == "i" \
        else bw.shift_right_logical_p
    return prim.bind(a, b)


bitwise_left_shift = left_shift
bitwise_right_shift = right_shift
