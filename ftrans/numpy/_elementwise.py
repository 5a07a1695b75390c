"""Elementwise functions with NumPy's names, dtypes and broadcasting.

On plain arrays each calls NumPy directly; on tracers it promotes, broadcasts and binds the
primitive.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..core import Tracer, bind, bind_traced
from ..device import is_gpu_array
from ..prims import elementwise as ew
from ..prims.shape import convert_element_type
from ._promote import any_tracer, is_tracer, operand_dtype, promote, result_dtype, to_dtype

_closed: dict[tuple[Callable, np.dtype], bool] = {}
_EXACT = 1 << 24  # Python ints of the fast path: exact in every float dtype but float16


def _closed_under(ufunc: Callable, dtype: np.dtype, nin: int) -> bool:
    """``ufunc`` computes in ``dtype`` when its ``nin`` operands have it (no promotion
    needed)."""
    ok = _closed.get((ufunc, dtype))
    if ok is None:
        z = np.ones((), dtype)
        ok = _closed[(ufunc, dtype)] = operand_dtype(ufunc, (z,) * nin) == dtype
    return ok


_NO = object()  # no operand given


def _unary(prim: Any, ufunc: Callable, doc: str) -> Callable[..., Any]:
    """The function of a unary ufunc; its ``_fold_guard(slow)`` makes a copy that calls
    ``slow`` (the keyword guard, numpy._keywords) only when a keyword is given, so that the
    guard costs no call frame of its own."""
    def fold(slow: Callable) -> Callable[..., Any]:
        def fn(x: Any = _NO, /, *args: Any, **kwargs: Any) -> Any:
            if kwargs or args or x is _NO:  # rare: ``slow`` takes them or explains why not
                return slow(*(() if x is _NO else (x,)), *args, **kwargs)
            if not isinstance(x, Tracer):
                return ufunc(x)
            if _closed.get((ufunc, x.aval.dtype)) or _closed_under(ufunc, x.aval.dtype, 1):
                return bind_traced(prim, x, (x,), {})  # fast path: no conversion
            return prim.bind(to_dtype(x, operand_dtype(ufunc, (x,))))
        fn.__name__ = fn.__qualname__ = ufunc.__name__
        fn.__doc__ = doc
        fn.__wrapped__ = plain  # type: ignore[attr-defined]  # its signature: (x)
        fn._fold_guard = fold  # type: ignore[attr-defined]
        return fn

    def plain(x: Any) -> Any:
        return unguarded(x)
    plain.__name__ = plain.__qualname__ = ufunc.__name__
    plain.__doc__ = doc
    unguarded = fold(plain)
    return unguarded


def _binary(prim: Any, ufunc: Callable, doc: str) -> Callable[..., Any]:
    def fn(x: Any, y: Any) -> Any:
        tx, ty = type(x), type(y)
        if tx is Tracer and (ty is np.ndarray or ty is np.float64):  # a rule's t * c
            ax, dy = x.aval, y.dtype
            if (dy is ax.dtype or dy == ax.dtype) and (y.shape == ax.shape or not y.shape) \
                    and (_closed.get((ufunc, dy)) or _closed_under(ufunc, dy, 2)):
                return bind_traced(prim, x, (x, y), {})
        if not (isinstance(x, Tracer) or isinstance(y, Tracer)):
            return ufunc(x, y)
        # fast path: equal dtypes that the ufunc keeps and equal shapes, or a constant scalar
        # (a literal, as promote leaves it), so nothing to promote
        if tx is Tracer:
            sx, dx = x.aval.shape, x.aval.dtype
        elif tx is np.ndarray or isinstance(x, np.generic):
            sx, dx = x.shape, x.dtype
        elif (tx is float or (tx is int and -_EXACT < x < _EXACT)) and ty is Tracer \
                and y.aval.dtype.kind in "fc":
            sx, dx = (), y.aval.dtype  # a Python float or int takes the other's dtype
        else:
            sx = dx = None
        if sx is not None:
            if ty is Tracer:
                sy, dy = y.aval.shape, y.aval.dtype
            elif ty is np.ndarray or isinstance(y, np.generic):
                sy, dy = y.shape, y.dtype
            elif (ty is float or (ty is int and -_EXACT < y < _EXACT)) and tx is Tracer \
                    and dx.kind in "fc":
                sy, dy = (), dx
            else:
                sy = dy = None
            if sy is not None and dx == dy and (sx == sy or (not sy and ty is not Tracer)
                             or (not sx and tx is not Tracer)) \
                    and (_closed.get((ufunc, dx)) or _closed_under(ufunc, dx, 2)):
                if tx is float or tx is int:  # in the dtype, as promote gives it (a literal)
                    x = dx.type(x)
                elif ty is float or ty is int:
                    y = dy.type(y)
                if tx is not Tracer:
                    return bind_traced(prim, y, (x, y), {})
                if ty is not Tracer:
                    return bind_traced(prim, x, (x, y), {})
                return bind(prim, (x, y), {})
        return prim.bind(*promote(ufunc, (x, y), ufunc.__name__))
    fn.__name__ = fn.__qualname__ = ufunc.__name__
    fn.__doc__ = doc
    return fn


def _doc(name: str, example: str, value: str) -> str:
    """A ufunc's NumPy-style docstring (its operands counted from the example's)."""
    params = ("x : array_like\n    The operand: an array, a scalar or a traced array."
              if example.count(",") == 0 else
              "x1, x2 : array_like\n    The operands, broadcast together by NumPy's rules.")
    return (f"NumPy's ``{name}``, differentiable.\n\nParameters\n----------\n{params}\n\n"
            "Returns\n-------\nout : ndarray\n    The elementwise result in NumPy 2's result "
            "dtype (a traced array under a transformation).\n\n"
            f"Examples\n--------\n>>> import ftrans.numpy as fnp\n>>> {example}\n{value}\n")


negative = _unary(ew.neg_p, np.negative, _doc("negative", "fnp.negative(2.0)", "-2.0"))
exp = _unary(ew.exp_p, np.exp, _doc("exp", "fnp.exp(0.0)", "1.0"))
log = _unary(ew.log_p, np.log, _doc("log", "fnp.log(1.0)", "0.0"))
log1p = _unary(ew.log1p_p, np.log1p, _doc("log1p", "fnp.log1p(0.0)", "0.0"))
expm1 = _unary(ew.expm1_p, np.expm1, _doc("expm1", "fnp.expm1(0.0)", "0.0"))
sin = _unary(ew.sin_p, np.sin, _doc("sin", "fnp.sin(0.0)", "0.0"))
cos = _unary(ew.cos_p, np.cos, _doc("cos", "fnp.cos(0.0)", "1.0"))
tan = _unary(ew.tan_p, np.tan, _doc("tan", "fnp.tan(0.0)", "0.0"))
sinh = _unary(ew.sinh_p, np.sinh, _doc("sinh", "fnp.sinh(0.0)", "0.0"))
cosh = _unary(ew.cosh_p, np.cosh, _doc("cosh", "fnp.cosh(0.0)", "1.0"))
tanh = _unary(ew.tanh_p, np.tanh, _doc("tanh", "fnp.tanh(0.0)", "0.0"))
arcsin = _unary(ew.asin_p, np.arcsin, _doc("arcsin", "fnp.arcsin(0.0)", "0.0"))
arccos = _unary(ew.acos_p, np.arccos, _doc("arccos", "fnp.arccos(1.0)", "0.0"))
arctan = _unary(ew.atan_p, np.arctan, _doc("arctan", "fnp.arctan(0.0)", "0.0"))
sqrt = _unary(ew.sqrt_p, np.sqrt, _doc("sqrt", "fnp.sqrt(4.0)", "2.0"))
absolute = _unary(ew.abs_p, np.absolute, _doc("absolute", "fnp.absolute(-2.0)", "2.0"))
abs = absolute  # noqa: A001
sign = _unary(ew.sign_p, np.sign, _doc("sign", "fnp.sign(-2.0)", "-1.0"))

add = _binary(ew.add_p, np.add, _doc("add", "fnp.add(1.0, 2.0)", "3.0"))
subtract = _binary(ew.sub_p, np.subtract, _doc("subtract", "fnp.subtract(1.0, 2.0)", "-1.0"))
multiply = _binary(ew.mul_p, np.multiply, _doc("multiply", "fnp.multiply(2.0, 3.0)", "6.0"))
divide = _binary(ew.div_p, np.divide, _doc("divide", "fnp.divide(1.0, 4.0)", "0.25"))
true_divide = divide
maximum = _binary(ew.max_p, np.maximum, _doc("maximum", "fnp.maximum(1.0, 2.0)", "2.0"))
minimum = _binary(ew.min_p, np.minimum, _doc("minimum", "fnp.minimum(1.0, 2.0)", "1.0"))
arctan2 = _binary(ew.atan2_p, np.arctan2, _doc("arctan2", "fnp.arctan2(0.0, 1.0)", "0.0"))
equal = _binary(ew.eq_p, np.equal, _doc("equal", "fnp.equal(1.0, 1.0)", "True"))
not_equal = _binary(ew.ne_p, np.not_equal, _doc("not_equal", "fnp.not_equal(1.0, 1.0)",
                                                "False"))
less = _binary(ew.lt_p, np.less, _doc("less", "fnp.less(1.0, 2.0)", "True"))
less_equal = _binary(ew.le_p, np.less_equal, _doc("less_equal", "fnp.less_equal(1.0, 2.0)",
                                                  "True"))
greater = _binary(ew.gt_p, np.greater, _doc("greater", "fnp.greater(1.0, 2.0)", "False"))
greater_equal = _binary(ew.ge_p, np.greater_equal,
                        _doc("greater_equal", "fnp.greater_equal(1.0, 2.0)", "False"))


def _is_python_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool) and not is_tracer(x)


def power(x: Any, y: Any) -> Any:
    """NumPy's ``power``: an integer exponent becomes ``integer_pow``.

    Parameters
    ----------
    x : array_like
        The base.
    y : array_like
        The exponent, broadcast with ``x``; a Python int makes an ``integer_pow``, whose
        derivative is exact also at ``x = 0``.

    Returns
    -------
    out : ndarray
        ``x ** y`` in NumPy 2's result dtype; differentiable in both.

    Raises
    ------
    ValueError
        If an integer ``x`` has a negative integer exponent.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.power(2.0, 3)
    8.0
    """
    if type(x) is Tracer and type(y) is int and x.aval.dtype.kind in "fc":
        return ew.integer_pow_p.bind(x, y=y)  # fast path: x ** 2 keeps x's float dtype
    if not (is_tracer(x) or is_tracer(y)):
        return np.power(x, y)
    if _is_python_int(y):
        dtype = operand_dtype(np.power, (x, int(y)))
        if np.issubdtype(dtype, np.integer) and y < 0:
            raise ValueError("Integers to negative integer powers are not allowed.")
        return ew.integer_pow_p.bind(to_dtype(x, dtype), y=int(y))
    return ew.pow_p.bind(*promote(np.power, (x, y), "power"))


def square(x: Any) -> Any:
    """NumPy's ``square``.

    Parameters
    ----------
    x : array_like
        The operand.

    Returns
    -------
    out : ndarray
        ``x * x`` in NumPy's result dtype; differentiable.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.square(3.0)
    9.0
    """
    if not is_tracer(x):
        return np.square(x)
    return ew.integer_pow_p.bind(to_dtype(x, operand_dtype(np.square, (x,))), y=2)


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    """``x`` where ``condition`` holds, else ``y`` (NumPy's three-argument ``where``).

    >>> import ftrans.numpy as fnp
    >>> fnp.where(True, 1.0, 2.0)
    1.0
    """
    if x is None and y is None:
        raise NotImplementedError("one-argument where (nonzero) on traced arrays: the "
                                  "output shape depends on the values")
    if x is None or y is None:
        raise ValueError("either both or neither of x and y should be given")
    if not any_tracer((condition, x, y)):
        out = np.where(condition, x, y)
        return out[()] if out.ndim == 0 else out
    dtype = result_dtype(x, y)
    cond = condition if result_dtype(condition) == np.bool_ else not_equal(condition, 0)
    cond, xv, yv = promote_where(cond, to_dtype(x, dtype), to_dtype(y, dtype))
    return ew.select(cond, xv, yv)


def promote_where(cond: Any, x: Any, y: Any) -> list[Any]:
    from ._promote import broadcast_shapes, broadcast_to_shape
    shape = broadcast_shapes((cond, x, y), "where")
    return [broadcast_to_shape(a, shape) for a in (cond, x, y)]


def astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Any:
    """``x`` converted to ``dtype`` (NumPy's ``astype``: an array stays an array, a 0-d one
    too; ``copy=False`` returns ``x`` itself when it already has ``dtype``). Traced arrays
    are immutable: ``copy`` does not matter for them.

    Parameters
    ----------
    x : array_like
        The input.
    dtype : data-type
        The target dtype.
    copy : bool, optional
        False returns a plain ``x`` itself when it has ``dtype`` already (default True).
    device : str, optional
        The array API's device: None or 'cpu'.

    Returns
    -------
    out : ndarray
        ``x`` in ``dtype``; differentiable between inexact dtypes (a conversion to an
        integer or boolean dtype passes no derivative).

    Raises
    ------
    ValueError
        If ``device`` is not 'cpu'.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.astype(1.5, "int64")
    1
    >>> fnp.astype(np.array(1.5), "int64")
    array(1)
    """
    if device is not None:
        from ._inspection import check_device
        check_device(device, "astype")
    if is_gpu_array(x) or isinstance(x, np.ndarray):
        return x.astype(dtype, copy=copy)
    if not is_tracer(x):
        return np.asarray(x).astype(dtype)[()]
    return convert_element_type(x, np.dtype(dtype))
