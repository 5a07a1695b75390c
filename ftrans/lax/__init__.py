"""``ftrans.lax``: the primitives as functions, without NumPy's promotion or broadcasting
(operands must already agree), plus structured control flow.

>>> import ftrans.lax as lax, numpy as np
>>> lax.integer_pow(np.float64(3.0), 2)
9.0
"""
from __future__ import annotations

from ..control.associative_scan import associative_scan
from ..control.cond import cond, switch
from ..control.custom_root import custom_root
from ..control.fori_loop import fori_loop
from ..control.scan import scan
from ..control.while_loop import while_loop
from ..prims.clamp import clamp
from ..prims.conv import ConvDimensionNumbers, conv_dimension_numbers, conv_general_dilated
from ..prims.cumulative import reduce_prod
from ..prims.dot import dot_general
from ..prims.dynamic_slicing import (
    dynamic_index_in_dim,
    dynamic_slice,
    dynamic_slice_in_dim,
    dynamic_update_index_in_dim,
    dynamic_update_slice,
    dynamic_update_slice_in_dim,
)
from ..prims.elementwise import select
from ..prims.indexing import gather, scatter, scatter_add
from ..prims.reduce import reduce_sum
from ..prims.shape import (
    broadcast_in_dim,
    convert_element_type,
    expand_dims,
    reshape,
    squeeze,
    transpose,
)
from ..prims.slicing import concatenate, pad, rev, slice_
from ..prims.sorting import argsort, searchsorted
from ..prims.stop_gradient import stop_gradient
from ..prims.windowed import padtype_to_pads
from ._elementwise import (
    abs,
    acos,
    acosh,
    add,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    cbrt,
    ceil,
    complex,
    conj,
    copysign,
    cos,
    cosh,
    div,
    eq,
    exp,
    exp2,
    expm1,
    floor,
    ge,
    gt,
    hypot,
    imag,
    integer_pow,
    isfinite,
    isinf,
    isnan,
    le,
    log,
    log1p,
    log2,
    log10,
    logaddexp,
    logaddexp2,
    logistic,
    lt,
    max,
    min,
    mul,
    ne,
    neg,
    pow,
    real,
    rint,
    select_n,
    shift_left,
    shift_right_arithmetic,
    shift_right_logical,
    sign,
    sin,
    sinh,
    sqrt,
    sub,
    tan,
    tanh,
    trunc,
)
from ._structured import (
    conv,
    cumlogsumexp,
    cummax,
    cummin,
    cumprod,
    cumsum,
    fft,
    map,
    reduce_max,
    reduce_min,
    reduce_window,
)

slice = slice_  # noqa: A001

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
           "cummin", "cumlogsumexp",
           "associative_scan", "custom_root"]
