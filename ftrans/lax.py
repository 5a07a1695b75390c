"""``ftrans.lax``: the primitives as functions, without NumPy's promotion or broadcasting
(operands must already agree), plus structured control flow.

>>> import ftrans.lax as lax, numpy as np
>>> lax.integer_pow(np.float64(3.0), 2)
9.0
"""

from __future__ import annotations

from typing import Any, Callable

from .prims import complex_parts as _cx
from .prims import elementwise as _ew
from .prims.dot import dot_general  # noqa: F401
from .prims.reduce import reduce_max_p as _reduce_max_p
from .prims.reduce import reduce_min_p as _reduce_min_p
from .prims.reduce import reduce_sum  # noqa: F401
from .prims.shape import (  # noqa: F401
    broadcast_in_dim,
    convert_element_type,
    expand_dims,
    reshape,
    squeeze,
    transpose,
)
from .prims.slicing import concatenate, pad, rev, slice_  # noqa: F401
from .typing import Array, ArrayLike

slice = slice_  # noqa: A001
_PY_SCALARS = (bool, int, float, complex)  # before ``complex`` below shadows the builtin


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

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.complex(np.float64(1.0), np.float64(2.0))
    (1+2j)
    """
    return _cx.complex_p.bind(x, y)


def real(x: Any) -> Any:
    """The real part of a complex ``x``.

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.real(np.complex128(1 + 2j))
    1.0
    """
    return _cx.real_p.bind(x)


def imag(x: Any) -> Any:
    """The imaginary part of a complex ``x``.

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.imag(np.complex128(1 + 2j))
    2.0
    """
    return _cx.imag_p.bind(x)


def conj(x: Any) -> Any:
    """The complex conjugate of ``x``.

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.conj(np.complex128(1 + 2j))
    (1-2j)
    """
    return _cx.conj_p.bind(x)


def integer_pow(x: Any, y: int) -> Any:
    """``x ** y`` for a static integer ``y``.

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.integer_pow(np.float64(2.0), 3)
    8.0
    """
    return _ew.integer_pow_p.bind(x, y=int(y))


def select_n(which: Any, *cases: Any) -> Any:
    """``cases[which]`` elementwise (with a boolean ``which``: ``cases[1]`` where True).

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.select_n(np.array([True, False]), np.zeros(2), np.ones(2))
    array([1., 0.])
    """
    return _ew.select_n_p.bind(which, *cases)


def reduce_max(x: Any, axes: tuple[int, ...]) -> Any:
    """The maximum over ``axes``.

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.reduce_max(np.array([1.0, 3.0]), (0,))
    3.0
    """
    return _reduce_max_p.bind(x, axes=tuple(axes))


def reduce_min(x: Any, axes: tuple[int, ...]) -> Any:
    """The minimum over ``axes``.

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.reduce_min(np.array([1.0, 3.0]), (0,))
    1.0
    """
    return _reduce_min_p.bind(x, axes=tuple(axes))


def fft(x: Any, fft_type: Any, fft_lengths: Any) -> Any:
    """JAX's ``lax.fft``: the ``fft_type`` transform (``"FFT"``, ``"IFFT"``, ``"RFFT"``,
    ``"IRFFT"``, any case) over the trailing ``len(fft_lengths)`` axes of ``x``, unscaled
    forward and scaled by ``1/N`` inverse (NumPy's ``norm="backward"``).

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.fft(np.array([1.0, 2.0, 3.0, 4.0]), "RFFT", (4,))
    array([10.+0.j, -2.+2.j, -2.+0.j])
    """
    from .prims import fft as _fft
    name = str(getattr(fft_type, "name", fft_type)).lower()
    if name not in _fft.FFT_TYPES:
        raise ValueError(f"lax.fft: fft_type must be one of FFT, IFFT, RFFT, IRFFT, got "
                         f"{fft_type!r}")
    lengths = (fft_lengths,) if isinstance(fft_lengths, int) else tuple(fft_lengths)
    return _fft.fft(x, name, lengths)


# ----------------------------------------------------------------------------- control flow

from .control.cond import cond, switch  # noqa: E402,F401
from .control.fori_loop import fori_loop  # noqa: E402,F401
from .control.scan import scan  # noqa: E402,F401
from .control.while_loop import while_loop  # noqa: E402,F401


def map(f: Callable[[Any], Any], xs: Any) -> Any:  # noqa: A001
    """``f`` applied to each slice of ``xs`` along its leading axis, stacked (a ``scan``).

    >>> import numpy as np, ftrans.lax as lax
    >>> lax.map(lambda x: x * x, np.arange(3.0))
    array([0., 1., 4.])
    """
    return scan(lambda _, x: ((), f(x)), (), xs)[1]


# NumPy API primitives (issue 4): indexing, scans, sorting
from .prims.cumulative import cumprod, cumsum, reduce_prod  # noqa: E402,F401
from .prims.indexing import gather, scatter, scatter_add  # noqa: E402,F401
from .prims.sorting import argsort, searchsorted  # noqa: E402,F401

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

# Integer bitwise primitives (issue 14): JAX's lax names
from .prims import bitwise as _bw  # noqa: E402


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

# Names JAX ports reach for (issue 14 §5): dynamic slicing, select/clamp, convolutions,
# windowed reductions and cumulative scans
from .prims import windowed as _windowed  # noqa: E402
from .prims.clamp import clamp  # noqa: E402,F401
from .prims.conv import (  # noqa: E402,F401
    ConvDimensionNumbers,
    conv_dimension_numbers,
    conv_general_dilated,
)
from .prims.dynamic_slicing import (  # noqa: E402,F401
    dynamic_index_in_dim,
    dynamic_slice,
    dynamic_slice_in_dim,
    dynamic_update_index_in_dim,
    dynamic_update_slice,
    dynamic_update_slice_in_dim,
)
from .prims.elementwise import select  # noqa: E402,F401
from .prims.stop_gradient import stop_gradient  # noqa: E402,F401
from .prims.windowed import padtype_to_pads  # noqa: E402,F401


def conv(lhs: Any, rhs: Any, window_strides: Any, padding: Any, precision: Any = None,
         preferred_element_type: Any = None) -> Any:
    """``conv_general_dilated`` with the default layouts ``('NCHW', 'OIHW', 'NCHW')`` and no
    dilation.

    >>> import numpy as np, ftrans.lax as lax
    >>> lax.conv(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), (1, 1), "VALID")[0, 0]
    array([[4., 4.],
           [4., 4.]])
    """
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def _fname(f: Any) -> str:
    return getattr(f, "__name__", type(f).__name__)


def _monoid(computation: Any) -> str | None:
    import operator

    import numpy as np

    from . import numpy as fnp
    g = globals()
    table = {g["add"]: "sum", g["mul"]: "prod", g["max"]: "max", g["min"]: "min",
             fnp.add: "sum", fnp.multiply: "prod", fnp.maximum: "max", fnp.minimum: "min",
             np.add: "sum", np.multiply: "prod", np.maximum: "max", np.minimum: "min",
             operator.add: "sum", operator.mul: "prod"}
    try:
        return table.get(computation)
    except TypeError:  # unhashable
        return None


def reduce_window(operand: Any, init_value: Any, computation: Any, window_dimensions: Any,
                  window_strides: Any = None, padding: Any = "VALID", base_dilation: Any = None,
                  window_dilation: Any = None) -> Any:
    """JAX's ``lax.reduce_window`` for ``computation`` ``lax.add``, ``lax.mul``, ``lax.max``
    or ``lax.min`` (or NumPy's ``add``, ``multiply``, ``maximum``, ``minimum``): each output
    element is ``init_value`` combined with the elements of one window of the operand, padded
    (``'SAME'``, ``'VALID'`` or ``(low, high)`` pairs) and dilated by ``base_dilation`` (the
    padding and the holes contribute nothing, as in XLA); windows step by ``window_strides``
    and spread by ``window_dilation``.

    >>> import numpy as np, ftrans.lax as lax
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> lax.reduce_window(x, -np.inf, lax.max, (2, 2), (2, 2), "VALID")  # 2x2 max pooling
    array([[ 5.,  7.],
           [13., 15.]])
    """
    monoid = _monoid(computation)
    if monoid is None:
        raise NotImplementedError(
            f"reduce_window: computation {_fname(computation)} is not supported; use "
            "ftrans.lax.add, mul, max or min (or numpy's add, multiply, maximum, minimum)")
    return _windowed.reduce_window(operand, init_value, monoid, window_dimensions,
                                   window_strides, padding, base_dilation, window_dilation)


def _cumulative(name: str, monoid: str, example: str, result: str) -> Callable[..., Array]:
    def fn(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
        return _windowed.cumulative(operand, axis, reverse, monoid)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Inclusive ``{monoid}`` scan of ``operand`` along ``axis`` (from the end "
                  f"if ``reverse``), as JAX's ``lax.{name}``.\n\n"
                  f">>> import numpy as np, ftrans.lax as lax\n>>> lax.{name}({example})\n"
                  f"{result}\n")
    return fn


cumsum = _cumulative("cumsum", "sum", "np.array([1.0, 2.0, 3.0])",  # noqa: F811
                     "array([1., 3., 6.])")
cumprod = _cumulative("cumprod", "prod", "np.array([1.0, 2.0, 3.0]), reverse=True",  # noqa: F811
                      "array([6., 6., 3.])")
cummax = _cumulative("cummax", "max", "np.array([1.0, 3.0, 2.0])", "array([1., 3., 3.])")
cummin = _cumulative("cummin", "min", "np.array([[3.0, 1.0], [2.0, 4.0]]), axis=1",
                     "array([[3., 1.],\n       [2., 2.]])")
cumlogsumexp = _cumulative("cumlogsumexp", "logsumexp", "np.log(np.array([1.0, 1.0, 2.0]))",
                           "array([0.        , 0.69314718, 1.38629436])")

__all__ = ["dot_general", "reduce_sum", "broadcast_in_dim", "convert_element_type", "expand_dims",
           "reshape", "squeeze", "transpose", "concatenate", "pad", "rev", "slice_", "slice", "neg",
           "add", "sub", "mul", "div", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "sinh",
           "cosh", "tanh", "asin", "acos", "atan", "sqrt", "abs", "sign", "logistic", "pow", "max",
           "min", "atan2", "eq", "ne", "lt", "le", "gt", "ge", "complex", "real", "imag", "conj",
           "integer_pow", "select_n", "reduce_max", "reduce_min", "fft", "cond", "switch",
           "fori_loop", "scan", "while_loop", "map", "cumprod", "cumsum", "reduce_prod", "gather",
           "scatter", "scatter_add", "argsort", "searchsorted", "exp2", "log2", "log10", "cbrt",
           "asinh", "acosh", "atanh", "floor", "ceil", "trunc", "rint", "isnan", "isinf",
           "isfinite", "hypot", "logaddexp", "logaddexp2", "copysign", "bitwise_and", "bitwise_or",
           "bitwise_xor", "bitwise_not", "shift_left", "shift_right_logical",
           "shift_right_arithmetic", "clamp", "ConvDimensionNumbers", "conv_dimension_numbers",
           "conv_general_dilated", "dynamic_index_in_dim", "dynamic_slice", "dynamic_slice_in_dim",
           "dynamic_update_index_in_dim", "dynamic_update_slice", "dynamic_update_slice_in_dim",
           "select", "stop_gradient", "padtype_to_pads", "conv", "reduce_window", "cummax",
           "cummin", "cumlogsumexp"]
