"""Elementwise primitives: each one's impl, derivative, transpose (if linear) and CUDA
expression, declared together. Shapes and batching come from the family (``families.py``).

Derivative formulas are ordinary ftrans code (``ops.cos(x)`` binds ``cos``: ``prims/ops.py``),
so they can be differentiated again. ``t`` is the input tangent, ``out`` the primal output.
"""

from __future__ import annotations

import math
from typing import Any, Callable, cast

import numpy as np

from ..core import Primitive, Tracer, UndefPrimal, Zero, aval_of, register
from ..ir import ShapedArray, real_dtype
from . import ops
from .families import (
    any_dtype,
    binary,
    comparison,
    elementwise_aval,
    elementwise_batch,
    elementwise_jvp,
    is_undef,
    shape_of,
    unary,
    unbroadcast,
    zero_jvp,
)

# ----------------------------------------------------------------------------- linear

neg_p = unary("neg", "negative", lambda t, x, out: -t, "(-{0})",
              scalar_math="(-{0})", c=True, cuda_fuses=any_dtype)
neg_p.transpose = lambda ct, x: [-ct]

add_p = binary("add", "add", (lambda t, x, y, out: t, lambda t, x, y, out: t), "({0} + {1})",
               scalar_math="({0} + {1})", c=True, cuda_fuses=any_dtype, commutative=True)
add_p.transpose = lambda ct, x, y: [unbroadcast(ct, x.aval) if is_undef(x) else None,
                                    unbroadcast(ct, y.aval) if is_undef(y) else None]

sub_p = binary("sub", "subtract", (lambda t, x, y, out: t, lambda t, x, y, out: -t),
               "({0} - {1})",
               scalar_math="({0} - {1})", c=True, cuda_fuses=any_dtype)
sub_p.transpose = lambda ct, x, y: [unbroadcast(ct, x.aval) if is_undef(x) else None,
                                    unbroadcast(-ct, y.aval) if is_undef(y) else None]
_sub_partials_jvp = cast(Callable, sub_p.jvp)  # the family's rule, set by binary


def _sub_jvp(primals: Any, out: Any, tangents: Any) -> Any:
    """Both tangents moving: one subtraction, not the partials' ``tx + (-ty)``."""
    tx, ty = tangents
    if type(tx) is Zero or type(ty) is Zero:
        return _sub_partials_jvp(primals, out, tangents)
    total = tx - ty
    out_shape = shape_of(out)
    return total if shape_of(total) == out_shape else \
        ops.broadcast_in_dim(total, out_shape, ())


sub_p.jvp = _sub_jvp

# the tangent first: ``t * x`` is ``x * t`` (multiplication commutes), and a NumPy value on the
# left would reach a tracer through NumPy's __array_ufunc__ protocol, several times slower
mul_p = binary("mul", "multiply", (lambda t, x, y, out: t * y, lambda t, x, y, out: t * x),
               "({0} * {1})",
               scalar_math="({0} * {1})", c=True, cuda_fuses=any_dtype, commutative=True)


def _mul_transpose(ct: Any, x: Any, y: Any) -> list[Any]:
    if type(x) is UndefPrimal:
        if type(y) is UndefPrimal:
            raise TypeError("mul of two linear values is not linear, so it cannot be "
                            "transposed")
        return [unbroadcast(ct * y, x.aval), None]
    return [None, unbroadcast(x * ct, y.aval)]


mul_p.transpose = _mul_transpose

div_p = binary("div", "divide", (lambda t, x, y, out: t / y,
                                 lambda t, x, y, out: t * (-out / y)), "({0} / {1})",
               scalar_math="({0} / {1})", c=True)


def _div_transpose(ct: Any, x: Any, y: Any) -> list[Any]:
    if is_undef(y):
        raise TypeError("div is linear only in its numerator")
    return [unbroadcast(ct / y, x.aval), None]


div_p.transpose = _div_transpose

# ----------------------------------------------------------------------------- unary math

exp_p = unary("exp", "exp", lambda t, x, out: t * out, "exp({0})",
              scalar_math="_m.exp({0})", c=True)
log_p = unary("log", "log", lambda t, x, out: t / x, "log({0})",
              scalar_math="_m.log({0})", c=True)
log1p_p = unary("log1p", "log1p", lambda t, x, out: t / (1 + x), "log1p({0})",
                scalar_math="_m.log1p({0})", c=True)
expm1_p = unary("expm1", "expm1", lambda t, x, out: t * (out + 1), "expm1({0})",
                scalar_math="_m.expm1({0})", c=True)
sin_p = unary("sin", "sin", lambda t, x, out: t * ops.cos(x), "sin({0})",
              scalar_math="_m.sin({0})", c=True)
cos_p = unary("cos", "cos", lambda t, x, out: t * -ops.sin(x), "cos({0})",
              scalar_math="_m.cos({0})", c=True)
tan_p = unary("tan", "tan", lambda t, x, out: t * (1 + out * out), "tan({0})",
              scalar_math="_m.tan({0})", c=True)
sinh_p = unary("sinh", "sinh", lambda t, x, out: t * ops.cosh(x), "sinh({0})",
               scalar_math="_m.sinh({0})", c=True)
cosh_p = unary("cosh", "cosh", lambda t, x, out: t * ops.sinh(x), "cosh({0})",
               scalar_math="_m.cosh({0})", c=True)
tanh_p = unary("tanh", "tanh", lambda t, x, out: t * (1 - out * out), "tanh({0})",
               scalar_math="_m.tanh({0})", c=True)
asin_p = unary("asin", "arcsin", lambda t, x, out: t / ops.sqrt(1 - x * x), "asin({0})",
               scalar_math="_m.asin({0})", c=True)
acos_p = unary("acos", "arccos", lambda t, x, out: t / -ops.sqrt(1 - x * x), "acos({0})",
               scalar_math="_m.acos({0})", c=True)
atan_p = unary("atan", "arctan", lambda t, x, out: t / (1 + x * x), "atan({0})",
               scalar_math="_m.atan({0})", c=True)
sqrt_p = unary("sqrt", "sqrt", lambda t, x, out: t / (2 * out), "sqrt({0})",
               scalar_math="_m.sqrt({0})", c=True)


def _abs_deriv(t: Any, x: Any, out: Any) -> Any:
    if aval_of(x).dtype.kind != "c":
        return t * ops.sign(x)
    # |z|' along t is Re(conj(z) t) / |z|; 0 at z = 0 (as JAX: the numerator is 0 there)
    return ops.real(ops.conj(x) * t) / ops.where(out == 0, 1, out)


def _abs_aval(x: ShapedArray) -> ShapedArray:
    return ShapedArray(x.shape, real_dtype(x.dtype))  # |complex| is real


abs_p = unary("abs", "abs", _abs_deriv, "fabs({0})", scalar_math="_m.fabs({0})", c=True)
abs_p.abstract_eval = _abs_aval


def _sign_jvp(primals: Any, out: Any, tangents: Any) -> Any:
    """Zero for real ``x`` (piecewise constant); for complex ``x``, ``sign(x) = x / |x|``
    moves on the unit circle: its tangent is ``(t - s Re(conj(s) t)) / |x|`` with
    ``s = sign(x)``, 0 at x = 0. (JAX gives 0 for complex inputs too; that is not the
    derivative.)"""
    (x,), (t,) = primals, tangents
    if type(t) is Zero or aval_of(x).dtype.kind != "c":
        return Zero(aval_of(out))
    a = ops.abs(x)
    zero = a == 0
    return ops.where(zero, 0, (t - out * ops.real(ops.conj(out) * t)) / ops.where(zero, 1, a))


_sign_jvp.zero_on_reals = True  # type: ignore[attr-defined]  # read by ftrans.deps
sign_p = unary("sign", "sign", None, "ft_sign({0})", cuda_fuses=any_dtype)
sign_p.jvp = _sign_jvp


def _logistic_impl(xp: Any, x: Any) -> Any:
    # 1 / (1 + exp(-x)) without overflow warnings for large negative x
    with np.errstate(over="ignore"):
        return 1 / (1 + xp.exp(-x))


logistic_p = unary("logistic", None, lambda t, x, out: t * out * (1 - out),
                   "ft_logistic({0})", impl=_logistic_impl)


def _integer_pow_deriv(t: Any, x: Any, out: Any, *, y: int) -> Any:
    if y == 0:
        return t * 0
    return t * (y * (x if y == 2 else ops.integer_pow(x, y=y - 1)))


integer_pow_p = unary("integer_pow", None, None, "ft_ipow({0}, {y})",
                      impl=lambda xp, x, *, y: x * x if y == 2 else xp.power(x, y) if y >= 0
                      else 1 / xp.power(x, -y),
                      scalar_math=lambda *, y: "({0} ** %d)" % y if y >= 0 else None)
integer_pow_p.jvp = elementwise_jvp([_integer_pow_deriv])
# jit's NumPy code: the square as one ufunc call, not a call of the impl (x * x exactly), a
# new array as the impl's (written over once dead)
integer_pow_p.py_expr = lambda avals, *, y: "_np.square({0})" if y == 2 else None
integer_pow_p.new_buffer = True
# integers to negative powers are an error in NumPy: those stay unfused
integer_pow_p.cuda_fuses = lambda in_avals, out, *, y: out.dtype.kind == "f" or y >= 0
integer_pow_p.c_expr = lambda *, y: ("({0} * {0})" if y == 2 else "1.0" if y == 0
                                     else f"pow({{0}}, {float(y)!r})")

# ----------------------------------------------------------------------------- binary math


def _pow_dy(t: Any, x: Any, y: Any, out: Any) -> Any:
    zero = x == 0
    return t * ops.where(zero, 0, ops.log(ops.where(zero, 1, x))) * out


def _pow_dx(t: Any, x: Any, y: Any, out: Any) -> Any:
    """``y x^(y-1)``, and 0 where ``y = 0`` (``x^0`` is constant; at ``x = 0`` the formula
    would be ``0 * inf``). The exponent is made safe first, so no NaN reaches the masked
    branch's derivatives either (as JAX's rule for integer exponents)."""
    zero = y == 0
    if zero is False or (not isinstance(zero, Tracer) and not np.any(zero)):
        return t * (y * ops.pow(x, y - 1))
    y1 = ops.where(zero, 1, y)
    return t * ops.where(zero, 0, y1 * ops.pow(x, y1 - 1))


pow_p = binary("pow", "power", (_pow_dx, _pow_dy), "pow({0}, {1})",
               scalar_math="_m.pow({0}, {1})", c=True)


def _max_share(x: Any, y: Any) -> Any:
    """1 where x wins, 1/2 on ties, 0 where y wins (JAX's convention)."""
    return ops.where(x > y, 1.0, ops.where(x == y, 0.5, 0.0)).astype(aval_of(x).dtype)


max_p = binary("max", "maximum", (lambda t, x, y, out: t * _max_share(x, y),
                                  lambda t, x, y, out: t * _max_share(y, x)),
               "ft_max({0}, {1})", cuda_fuses=any_dtype, commutative=True)
min_p = binary("min", "minimum", (lambda t, x, y, out: t * _max_share(y, x),
                                  lambda t, x, y, out: t * _max_share(x, y)),
               "ft_min({0}, {1})", cuda_fuses=any_dtype, commutative=True)
atan2_p = binary("atan2", "arctan2", (lambda t, x, y, out: t * (y / (x * x + y * y)),
                                      lambda t, x, y, out: t * (-x / (x * x + y * y))),
                 "atan2({0}, {1})",
                 scalar_math="_m.atan2({0}, {1})", c=True)

# ----------------------------------------------------------------------------- comparisons

eq_p = comparison("eq", "equal", "({0} == {1})", commutative=True)
ne_p = comparison("ne", "not_equal", "({0} != {1})", commutative=True)
lt_p = comparison("lt", "less", "({0} < {1})")
le_p = comparison("le", "less_equal", "({0} <= {1})")
gt_p = comparison("gt", "greater", "({0} > {1})")
ge_p = comparison("ge", "greater_equal", "({0} >= {1})")

# ----------------------------------------------------------------------------- select_n

select_n_p = register(Primitive("select_n"))
select_n_p.family = "elementwise"
select_n_p.impl = lambda xp, which, *cases: xp.where(which, cases[1], cases[0]) \
    if len(cases) == 2 else xp.choose(which, cases)
select_n_p.cuda = "({0} ? {2} : {1})"
select_n_p.cuda_fuses = lambda in_avals, out: len(in_avals) == 3  # a choice of two
select_n_p.selector_operand = 0


def _select_n_aval(which: ShapedArray, *cases: ShapedArray) -> ShapedArray:
    out = elementwise_aval("select_n")(*cases)
    if which.ndim and not out.ndim:  # scalar cases picked by an array predicate
        return ShapedArray(which.shape, out.dtype)
    if which.ndim and which.shape != out.shape:
        raise TypeError(f"select_n predicate has shape {which.shape}, cases {out.shape}")
    return out


def _select_n_jvp(primals: Any, out: Any, tangents: Any) -> Any:
    which, *_ = primals
    case_tangents = tangents[1:]
    if all(type(t) is Zero for t in case_tangents):
        return Zero(aval_of(out))
    return select_n_p.bind(which, *[ops.zeros_like(out) if type(t) is Zero else t
                                    for t in case_tangents])


def _select_n_transpose(ct: Any, which: Any, *cases: Any) -> list[Any]:
    if is_undef(which):
        raise TypeError("select_n is not linear in its predicate")
    zero = ops.zeros_like(ct)
    cts: list[Any] = [None]
    for i, c in enumerate(cases):
        if is_undef(c):
            picked = [ct if j == i else zero for j in range(len(cases))]
            cts.append(unbroadcast(select_n_p.bind(which, *picked), c.aval))
        else:
            cts.append(None)
    return cts


select_n_p.abstract_eval = _select_n_aval
select_n_p.jvp = _select_n_jvp
select_n_p.transpose = _select_n_transpose
select_n_p.batch = elementwise_batch(select_n_p)


def select(pred: Any, on_true: Any, on_false: Any) -> Any:
    """``on_true`` where ``pred`` else ``on_false`` (operands already broadcast).

    Parameters
    ----------
    pred : ArrayLike
        Booleans, of the operands' shape (or a scalar).
    on_true, on_false : ArrayLike
        Of equal shape and dtype.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If the shapes differ.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.select(np.array([True, False]), np.ones(2), np.zeros(2))
    array([1., 0.])
    """
    return select_n_p.bind(pred, on_false, on_true)


# ----------------------------------------------------------------------------- more math
# (NumPy's own functions as impls, so values are NumPy's to the last bit)

_LN2, _LN10 = math.log(2.0), math.log(10.0)

exp2_p = unary("exp2", "exp2", lambda t, x, out: t * (out * _LN2), "exp2({0})")
log2_p = unary("log2", "log2", lambda t, x, out: t / (x * _LN2), "log2({0})")
log10_p = unary("log10", "log10", lambda t, x, out: t / (x * _LN10), "log10({0})")
cbrt_p = unary("cbrt", "cbrt", lambda t, x, out: t / (3 * (out * out)), "cbrt({0})")
asinh_p = unary("asinh", "arcsinh", lambda t, x, out: t / ops.sqrt(x * x + 1), "asinh({0})")
# sqrt(x - 1) sqrt(x + 1), not sqrt(x^2 - 1): the same for real x >= 1, and the principal
# branch's derivative for complex x (the two differ in sign for Re x < 0)
acosh_p = unary("acosh", "arccosh",
                lambda t, x, out: t / (ops.sqrt(x - 1) * ops.sqrt(x + 1)), "acosh({0})")
atanh_p = unary("atanh", "arctanh", lambda t, x, out: t / (1 - x * x), "atanh({0})")
hypot_p = binary("hypot", "hypot", (lambda t, x, y, out: t * (x / out),
                                    lambda t, x, y, out: t * (y / out)), "hypot({0}, {1})")
logaddexp_p = binary("logaddexp", "logaddexp",
                     (lambda t, x, y, out: t * ops.exp(x - out),
                      lambda t, x, y, out: t * ops.exp(y - out)),
                     "ft_logaddexp({0}, {1})")
logaddexp2_p = binary("logaddexp2", "logaddexp2",
                      (lambda t, x, y, out: t * ops.exp2(x - out),
                       lambda t, x, y, out: t * ops.exp2(y - out)),
                      "ft_logaddexp2({0}, {1})")
# d/dx copysign(x, y) = sign(x) * sign(y); piecewise constant in y
copysign_p = binary("copysign", "copysign",
                    (lambda t, x, y, out: t * (ops.sign(x) * ops.sign(out)),
                     lambda t, x, y, out: t * 0), "copysign({0}, {1})")

# piecewise constant: zero tangents
floor_p = unary("floor", "floor", None, "floor({0})")
ceil_p = unary("ceil", "ceil", None, "ceil({0})")
trunc_p = unary("trunc", "trunc", None, "trunc({0})")
rint_p = unary("rint", "rint", None, "rint({0})")


def _predicate(name: str, np_name: str, cuda: str) -> Primitive:
    """A unary elementwise test with a boolean result (zero tangent)."""
    p = unary(name, np_name, None, cuda)
    p.abstract_eval = lambda x: ShapedArray(x.shape, np.bool_)
    return p


isnan_p = _predicate("isnan", "isnan", "isnan({0})")
isinf_p = _predicate("isinf", "isinf", "isinf({0})")
isfinite_p = _predicate("isfinite", "isfinite", "isfinite({0})")
signbit_p = _predicate("signbit", "signbit", "(signbit({0}) != 0)")  # -0.0 and -nan too
not_p = _predicate("not", "logical_not", "(!{0})")
not_p.cuda_fuses = any_dtype
and_p = comparison("and", "logical_and", "({0} && {1})")
or_p = comparison("or", "logical_or", "({0} || {1})")
xor_p = comparison("xor", "logical_xor", "((!{0}) != (!{1}))")


__all__ = [name for name in globals() if name.endswith("_p")] + ["select", "zero_jvp"]

# C's fmod (the sign of x, NumPy's fmod): x - trunc(x / y) * y, so d/dy = -trunc(x / y)
rem_p = binary("rem", "fmod", (lambda t, x, y, out: t,
                               lambda t, x, y, out: t * -ops.trunc(x / y)), "fmod({0}, {1})")
