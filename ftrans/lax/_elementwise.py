"""``ftrans.lax``'s elementwise functions: one primitive each, on operands of equal shape and
dtype (no promotion, no broadcasting), with NumPy-style docstrings made by ``_doc``."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..prims import bitwise as _bw
from ..prims import complex_parts as _cx
from ..prims import elementwise as _ew
from ..typing import Array, ArrayLike


def _doc(name: str, operands: str, what: str, example: str, result: str) -> str:
    """A NumPy-style docstring for the elementwise primitive ``name``."""
    params = "".join(f"{o} : ArrayLike\n    Operand {i}.\n"
                     for i, o in enumerate(operands.split(", ")))
    same = "" if "," not in operands else " (operands of equal shape and dtype)"
    return (f"The ``{name}`` primitive: {what}, elementwise{same}; no promotion nor "
            "broadcasting, as JAX's ``lax``.\n\n"
            f"Parameters\n----------\n{params}\n"
            f"Returns\n-------\nArray\n    ``{name}({operands})``, of the operands' shape.\n\n"
            "Raises\n------\nTypeError\n    Under a transformation, when operands' shapes or "
            "dtypes differ.\n\n"
            "Examples\n--------\n>>> import ftrans.lax as lax, numpy as np\n"
            f">>> {example}\n{result}\n")


def _unary(prim: Any, what: str, example: str, result: str) -> Callable[[ArrayLike], Array]:
    def fn(x: ArrayLike) -> Array:
        return prim.bind(x)
    fn.__name__ = fn.__qualname__ = prim.name
    fn.__doc__ = _doc(prim.name, "x", what, example, result)
    return fn


def _binary(prim: Any, what: str, example: str, result: str
            ) -> Callable[[ArrayLike, ArrayLike], Array]:
    def fn(x: ArrayLike, y: ArrayLike) -> Array:
        return prim.bind(x, y)
    fn.__name__ = fn.__qualname__ = prim.name
    fn.__doc__ = _doc(prim.name, "x, y", what, example, result)
    return fn


def _f(name: str, *args: float | str) -> str:
    """A doctest line: ``float(lax.name(np.float64(a), ...))``."""
    return f"float(lax.{name}({', '.join(f'np.float64({a})' for a in args)}))"


def _b(name: str, *args: float) -> str:
    return "bool" + _f(name, *args)[5:]


neg = _unary(_ew.neg_p, "``-x``", _f("neg", 0.5), "-0.5")
exp = _unary(_ew.exp_p, "the exponential", _f("exp", 0.0), "1.0")
log = _unary(_ew.log_p, "the natural logarithm", _f("log", 1.0), "0.0")
log1p = _unary(_ew.log1p_p, "``log(1 + x)``, accurate for small ``x``", _f("log1p", 0.0), "0.0")
expm1 = _unary(_ew.expm1_p, "``exp(x) - 1``, accurate for small ``x``", _f("expm1", 0.0), "0.0")
sin = _unary(_ew.sin_p, "the sine", _f("sin", 0.0), "0.0")
cos = _unary(_ew.cos_p, "the cosine", _f("cos", 0.0), "1.0")
tan = _unary(_ew.tan_p, "the tangent", _f("tan", 0.0), "0.0")
sinh = _unary(_ew.sinh_p, "the hyperbolic sine", _f("sinh", 0.0), "0.0")
cosh = _unary(_ew.cosh_p, "the hyperbolic cosine", _f("cosh", 0.0), "1.0")
tanh = _unary(_ew.tanh_p, "the hyperbolic tangent", _f("tanh", 0.0), "0.0")
asin = _unary(_ew.asin_p, "the inverse sine", _f("asin", 0.0), "0.0")
acos = _unary(_ew.acos_p, "the inverse cosine", _f("acos", 1.0), "0.0")
atan = _unary(_ew.atan_p, "the inverse tangent", _f("atan", 0.0), "0.0")
sqrt = _unary(_ew.sqrt_p, "the square root", _f("sqrt", 4.0), "2.0")
abs = _unary(_ew.abs_p, "the absolute value", _f("abs", -1.5), "1.5")  # noqa: A001
sign = _unary(_ew.sign_p, "the sign (-1, 0 or 1)", _f("sign", -2.0), "-1.0")
logistic = _unary(_ew.logistic_p, "the logistic sigmoid ``1 / (1 + exp(-x))``",
                  _f("logistic", 0.0), "0.5")
add = _binary(_ew.add_p, "``x + y``", _f("add", 1.5, 2.0), "3.5")
sub = _binary(_ew.sub_p, "``x - y``", _f("sub", 1.5, 2.0), "-0.5")
mul = _binary(_ew.mul_p, "``x * y``", _f("mul", 1.5, 2.0), "3.0")
div = _binary(_ew.div_p, "``x / y``", _f("div", 3.0, 2.0), "1.5")
pow = _binary(_ew.pow_p, "``x ** y``", _f("pow", 2.0, 3.0), "8.0")  # noqa: A001
max = _binary(_ew.max_p, "the larger of ``x`` and ``y``", _f("max", 1.5, 2.0),  # noqa: A001
              "2.0")
min = _binary(_ew.min_p, "the smaller of ``x`` and ``y``", _f("min", 1.5, 2.0),  # noqa: A001
              "1.5")
atan2 = _binary(_ew.atan2_p, "the angle of the point with ordinate ``x`` and abscissa "
                "``y``, as NumPy's ``arctan2(x, y)``", _f("atan2", 0.0, 1.0), "0.0")
eq = _binary(_ew.eq_p, "``x == y`` (booleans)", _b("eq", 1.5, 2.0), "False")
ne = _binary(_ew.ne_p, "``x != y`` (booleans)", _b("ne", 1.5, 2.0), "True")
lt = _binary(_ew.lt_p, "``x < y`` (booleans)", _b("lt", 1.5, 2.0), "True")
le = _binary(_ew.le_p, "``x <= y`` (booleans)", _b("le", 1.5, 2.0), "True")
gt = _binary(_ew.gt_p, "``x > y`` (booleans)", _b("gt", 1.5, 2.0), "False")
ge = _binary(_ew.ge_p, "``x >= y`` (booleans)", _b("ge", 1.5, 2.0), "False")


def complex(x: Any, y: Any) -> Any:  # noqa: A001
    """``x + 1j*y`` from real parts of equal dtype (float32 -> complex64, float64 ->
    complex128); ``complex(0, inf)`` is ``infj``.

    Parameters
    ----------
    x, y : ArrayLike
        The real and imaginary parts, of equal shape and real dtype.

    Returns
    -------
    Array
        Complex.

    Raises
    ------
    TypeError
        Under a transformation, if the shapes or dtypes differ or are not real.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.complex(np.float64(1.0), np.float64(2.0))
    (1+2j)
    """
    return _cx.complex_p.bind(x, y)


def real(x: Any) -> Any:
    """The real part of a complex ``x``.

    Parameters
    ----------
    x : ArrayLike
        Complex.

    Returns
    -------
    Array
        Real, of the matching precision (complex64 -> float32).

    Raises
    ------
    TypeError
        Under a transformation, if ``x`` is not complex.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.real(np.complex128(1 + 2j))
    1.0
    """
    return _cx.real_p.bind(x)


def imag(x: Any) -> Any:
    """The imaginary part of a complex ``x``.

    Parameters
    ----------
    x : ArrayLike
        Complex.

    Returns
    -------
    Array
        Real, of the matching precision (complex64 -> float32).

    Raises
    ------
    TypeError
        Under a transformation, if ``x`` is not complex.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.imag(np.complex128(1 + 2j))
    2.0
    """
    return _cx.imag_p.bind(x)


def conj(x: Any) -> Any:
    """The complex conjugate of ``x``.

    Parameters
    ----------
    x : ArrayLike

    Returns
    -------
    Array
        Of ``x``'s shape and dtype.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.conj(np.complex128(1 + 2j))
    (1-2j)
    """
    return _cx.conj_p.bind(x)


def integer_pow(x: Any, y: int) -> Any:
    """``x ** y`` for a static integer ``y`` (repeated multiplication).

    Parameters
    ----------
    x : ArrayLike
    y : int
        The exponent, a Python integer (not traced).

    Returns
    -------
    Array
        Of ``x``'s shape and dtype.

    Raises
    ------
    TypeError
        If ``y`` is not an integer.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.integer_pow(np.float64(2.0), 3)
    8.0
    """
    if isinstance(y, bool) or not isinstance(y, (int, np.integer)):
        raise TypeError(f"integer_pow: the exponent y must be a Python integer, got "
                        f"{type(y).__name__} {y!r:.40}; use lax.pow for other exponents")
    return _ew.integer_pow_p.bind(x, y=int(y))


def select_n(which: Any, *cases: Any) -> Any:
    """``cases[which]`` elementwise (with a boolean ``which``: ``cases[1]`` where True).

    Parameters
    ----------
    which : ArrayLike
        Booleans (two cases) or integers in ``[0, len(cases))``, of the cases' shape.
    *cases : ArrayLike
        Of equal shape and dtype.

    Returns
    -------
    Array
        Of the cases' shape and dtype.

    Raises
    ------
    TypeError
        Under a transformation, if shapes or dtypes differ.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.select_n(np.array([True, False]), np.zeros(2), np.ones(2))
    array([1., 0.])
    """
    return _ew.select_n_p.bind(which, *cases)


exp2 = _unary(_ew.exp2_p, "``2 ** x``", _f("exp2", 3.0), "8.0")
log2 = _unary(_ew.log2_p, "the base-2 logarithm", _f("log2", 8.0), "3.0")
log10 = _unary(_ew.log10_p, "the base-10 logarithm", _f("log10", 100.0), "2.0")
cbrt = _unary(_ew.cbrt_p, "the real cube root", _f("cbrt", -8.0), "-2.0")
asinh = _unary(_ew.asinh_p, "the inverse hyperbolic sine", _f("asinh", 0.0), "0.0")
acosh = _unary(_ew.acosh_p, "the inverse hyperbolic cosine", _f("acosh", 1.0), "0.0")
atanh = _unary(_ew.atanh_p, "the inverse hyperbolic tangent", _f("atanh", 0.0), "0.0")
floor = _unary(_ew.floor_p, "rounding down", _f("floor", -1.5), "-2.0")
ceil = _unary(_ew.ceil_p, "rounding up", _f("ceil", -1.5), "-1.0")
trunc = _unary(_ew.trunc_p, "rounding towards zero", _f("trunc", -1.5), "-1.0")
rint = _unary(_ew.rint_p, "rounding to the nearest integer, ties to even", _f("rint", 2.5),
              "2.0")
isnan = _unary(_ew.isnan_p, "whether ``x`` is NaN (booleans)", "bool(lax.isnan(np.nan))",
               "True")
isinf = _unary(_ew.isinf_p, "whether ``x`` is infinite (booleans)", "bool(lax.isinf(np.inf))",
               "True")
isfinite = _unary(_ew.isfinite_p, "whether ``x`` is finite (booleans)",
                  "bool(lax.isfinite(np.inf))", "False")
hypot = _binary(_ew.hypot_p, "``sqrt(x**2 + y**2)`` without overflow", _f("hypot", 3.0, 4.0),
                "5.0")
logaddexp = _binary(_ew.logaddexp_p, "``log(exp(x) + exp(y))`` without overflow",
                    _f("logaddexp", 0.0, "-np.inf"), "0.0")
logaddexp2 = _binary(_ew.logaddexp2_p, "``log2(2**x + 2**y)`` without overflow",
                     _f("logaddexp2", 1.0, 1.0), "2.0")
copysign = _binary(_ew.copysign_p, "the magnitude of ``x`` with the sign of ``y``",
                   _f("copysign", 2.0, -1.0), "-2.0")


def _i(name: str, *args: int) -> str:
    return f"int(lax.{name}({', '.join(f'np.int32({a})' for a in args)}))"


bitwise_and = _binary(_bw.bitwise_and_p, "bitwise and of integers", _i("bitwise_and", 12, 10),
                      "8")
bitwise_or = _binary(_bw.bitwise_or_p, "bitwise or of integers", _i("bitwise_or", 12, 10), "14")
bitwise_xor = _binary(_bw.bitwise_xor_p, "bitwise exclusive or of integers",
                      _i("bitwise_xor", 12, 10), "6")
bitwise_not = _unary(_bw.bitwise_not_p, "bitwise complement of integers",
                     _i("bitwise_not", 12), "-13")
shift_left = _binary(_bw.shift_left_p, "``x`` shifted left by ``y`` bits",
                     _i("shift_left", 3, 2), "12")
shift_right_logical = _binary(_bw.shift_right_logical_p, "``x`` shifted right by ``y`` bits, "
                              "zeros shifted in", _i("shift_right_logical", -8, 28), "15")
shift_right_arithmetic = _binary(_bw.shift_right_arithmetic_p, "``x`` shifted right by ``y`` "
                                 "bits, the sign bit shifted in",
                                 _i("shift_right_arithmetic", -8, 1), "-4")
