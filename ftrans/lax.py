"""``ftrans.lax``: the primitives as functions, without NumPy's promotion or broadcasting
(operands must already agree), plus structured control flow.

>>> import ftrans.lax as lax, numpy as np
>>> lax.integer_pow(np.float64(3.0), 2)
9.0
"""

from __future__ import annotations

from typing import Any

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

slice = slice_  # noqa: A001
_PY_SCALARS = (bool, int, float, complex)  # before ``complex`` below shadows the builtin


def _fn(prim: Any, doc: str):
    def fn(*args: Any) -> Any:
        return prim.bind(*args)
    fn.__name__ = fn.__qualname__ = prim.name
    fn.__doc__ = doc
    return fn


for _name in ("neg", "add", "sub", "mul", "div", "exp", "log", "log1p", "expm1", "sin", "cos",
              "tan", "sinh", "cosh", "tanh", "asin", "acos", "atan", "sqrt", "abs", "sign",
              "logistic", "pow", "max", "min", "atan2", "eq", "ne", "lt", "le", "gt", "ge"):
    globals()[_name] = _fn(getattr(_ew, f"{_name}_p"),
                           f"The ``{_name}`` primitive, applied to operands of equal shape "
                           f"and dtype.\n\n>>> import ftrans.lax as lax, numpy as np\n"
                           f">>> lax.{_name}(*[np.float64(0.5)] * "
                           f"{2 if _name in ('add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'atan2', 'eq', 'ne', 'lt', 'le', 'gt', 'ge') else 1}) is not None\nTrue\n")  # noqa: E501


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

from .control.associative_scan import associative_scan  # noqa: E402,F401
from .control.cond import cond, switch  # noqa: E402,F401
from .control.custom_root import custom_root  # noqa: E402,F401
from .control.fori_loop import fori_loop  # noqa: E402,F401
from .control.scan import scan  # noqa: E402,F401
from .control.while_loop import while_loop  # noqa: E402,F401


def map(f: Any, xs: Any) -> Any:  # noqa: A001
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

for _name in ("exp2", "log2", "log10", "cbrt", "asinh", "acosh", "atanh", "floor", "ceil",
              "trunc", "rint", "isnan", "isinf", "isfinite", "hypot", "logaddexp",
              "logaddexp2", "copysign"):
    _binary_name = _name in ("hypot", "logaddexp", "logaddexp2", "copysign")
    globals()[_name] = _fn(getattr(_ew, f"{_name}_p"),
                           f"The ``{_name}`` primitive, applied to operands of equal shape "
                           f"and dtype.\n\n>>> import ftrans.lax as lax, numpy as np\n"
                           f">>> lax.{_name}(*[np.float64({1.5 if _name == 'acosh' else 0.5})] * "
                           f"{2 if _binary_name else 1})"
                           f" is not None\nTrue\n")

# Integer bitwise primitives (issue 14): JAX's lax names
from .prims import bitwise as _bw  # noqa: E402

for _name, _args, _value in (("bitwise_and", "np.int32(12), np.int32(10)", "8"),
                             ("bitwise_or", "np.int32(12), np.int32(10)", "14"),
                             ("bitwise_xor", "np.int32(12), np.int32(10)", "6"),
                             ("bitwise_not", "np.int32(12)", "-13"),
                             ("shift_left", "np.int32(3), np.int32(2)", "12"),
                             ("shift_right_logical", "np.int32(-8), np.int32(28)", "15"),
                             ("shift_right_arithmetic", "np.int32(-8), np.int32(1)", "-4")):
    globals()[_name] = _fn(getattr(_bw, f"{_name}_p"),
                           f"The ``{_name}`` primitive, applied to integer operands of equal "
                           f"shape and dtype.\n\n>>> import ftrans.lax as lax, numpy as np\n"
                           f">>> int(lax.{_name}({_args}))\n{_value}\n")

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


def _cumulative(name: str, monoid: str, example: str, result: str):
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
