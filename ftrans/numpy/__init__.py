"""``ftrans.numpy``: NumPy's API on arrays and traced arrays, differentiable.

On plain NumPy arrays every function calls NumPy; on traced arrays it records primitives
with NumPy 2's dtypes and explicit broadcasting. Plain ``numpy`` functions called on traced
arrays dispatch here through ``__array_ufunc__`` and ``__array_function__``.

>>> import ftrans, ftrans.numpy as fnp
>>> float(ftrans.grad(lambda x: fnp.sum(fnp.sin(x)))(0.0))
1.0
"""

from __future__ import annotations

import sys as _sys
from typing import Any

import numpy as _np

from ._elementwise import (  # noqa
    abs,
    absolute,
    add,
    arccos,
    arcsin,
    arctan,
    arctan2,
    astype,
    cos,
    cosh,
    divide,
    equal,
    exp,
    expm1,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    log1p,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    power,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    subtract,
    tan,
    tanh,
    true_divide,
    where,
)
from ._inspection import ndim, shape, size  # noqa: F401
from ._linalg import dot, inner, matmul, outer, vdot  # noqa: F401
from ._reductions import amax, amin, max, mean, min, sum  # noqa: F401
from ._shape import (  # noqa: F401
    array,
    asarray,
    broadcast_to,
    expand_dims,
    moveaxis,
    ones_like,
    ravel,
    reshape,
    squeeze,
    swapaxes,
    transpose,
    zeros_like,
)


def _T(x: Any) -> Any:
    return transpose(x)


from . import safe  # noqa: E402,F401  (ftrans.numpy.safe: finite-gradient variants)
from ._bitwise import (  # noqa: E402,F401
    bitwise_and,
    bitwise_invert,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    invert,
    left_shift,
    right_shift,
)
from ._diagonals import diag, diagflat, diagonal, trace, tril, triu  # noqa: E402,F401
from ._grids import diff, kron, meshgrid  # noqa: E402,F401

# ----------------------------------------------------------------------------- NumPy API (issue 4)
from ._indexing import at, take, take_along_axis  # noqa: E402,F401
from ._indexing import getitem as _getitem  # noqa: E402,F401
from ._manip import (  # noqa: E402,F401
    append,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    broadcast_arrays,
    column_stack,
    concatenate,
    copy,
    dstack,
    flatten,
    hstack,
    row_stack,
    stack,
    vstack,
)
from ._products import einsum, einsum_path, tensordot  # noqa: E402,F401
from ._reorder import flip, fliplr, flipud, pad, roll, rot90  # noqa: E402,F401
from ._sorting import (  # noqa: E402,F401
    argsort,
    argwhere,
    flatnonzero,
    nonzero,
    searchsorted,
    select,
    sort,
    unique,
)
from ._sorting import where as _where_any  # noqa: E402
from ._splitting import (  # noqa: E402,F401
    array_split,
    dsplit,
    hsplit,
    repeat,
    split,
    tile,
    vsplit,
)
from ._stats import (  # noqa: E402,F401
    all,
    any,
    argmax,
    argmin,
    average,
    count_nonzero,
    cumprod,
    cumsum,
    prod,
    ptp,
    std,
    var,
)
from ._ufuncs import (  # noqa: E402,F401
    arccosh,
    arcsinh,
    arctanh,
    around,
    cbrt,
    ceil,
    clip,
    copysign,
    deg2rad,
    degrees,
    exp2,
    fabs,
    fix,
    float_power,
    floor,
    fmax,
    fmin,
    heaviside,
    hypot,
    isfinite,
    isinf,
    isnan,
    log2,
    log10,
    logaddexp,
    logaddexp2,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    nan_to_num,
    positive,
    rad2deg,
    radians,
    reciprocal,
    rint,
    round,
    sinc,
    trunc,
)

asinh, acosh, atanh = arcsinh, arccosh, arctanh
asin, acos, atan, atan2, pow = arcsin, arccos, arctan, arctan2, power  # array API names
permute_dims = transpose
concat = concatenate
where = _where_any  # noqa: F811  (adds one-argument where)

from . import fft, linalg  # noqa: F401,E402
from ._calculus import cross, gradient, trapezoid  # noqa: E402,F401
from ._close import allclose, isclose  # noqa: E402,F401
from ._complex import (  # noqa: E402,F401
    angle,
    conj,
    conjugate,
    imag,
    iscomplex,
    iscomplexobj,
    isreal,
    isrealobj,
    real,
    real_if_close,
    sort_complex,
)
from ._creation import (  # noqa: E402,F401
    arange,
    bool_,
    complex64,
    complex128,
    dtype,
    e,
    empty,
    empty_like,
    euler_gamma,
    eye,
    float16,
    float32,
    float64,
    full,
    full_like,
    identity,
    inf,
    int8,
    int16,
    int32,
    int64,
    linspace,
    nan,
    newaxis,
    ones,
    pi,
    result_type,
    tri,
    uint8,
    uint16,
    uint32,
    uint64,
    zeros,
)
from ._division import divmod, floor_divide, fmod, mod, remainder  # noqa: E402,F401,A004

# ----------------------------------------------------------------------------- statistics, NaN
# isort: split
from ._correlation import convolve, corrcoef, correlate, cov  # noqa: E402,F401
from ._interp import interp  # noqa: E402,F401
from ._nanreductions import (  # noqa: E402,F401
    nanargmax,
    nanargmin,
    nanmax,
    nanmean,
    nanmin,
    nanprod,
    nanstd,
    nansum,
    nanvar,
)
from ._quantiles import (  # noqa: E402,F401
    median,
    nanmedian,
    nanpercentile,
    nanquantile,
    percentile,
    quantile,
)

# ----------------------------------------------------------------------------- array API 2023.12
# isort: split
from numpy import from_dlpack  # noqa: E402,F401

from ._inspection import (  # noqa: E402,F401
    __array_api_version__,
    __array_namespace_info__,
    can_cast,
    finfo,
    iinfo,
    isdtype,
)
from ._manip import unstack  # noqa: E402,F401
from ._mutation import setitem as _setitem  # noqa: E402,F401
from ._sets import unique_all, unique_counts, unique_inverse, unique_values  # noqa: E402,F401
from ._stats import cumulative_sum  # noqa: E402,F401
from ._ufuncs import signbit  # noqa: E402,F401
from .linalg import matrix_transpose, vecdot  # noqa: E402,F401

bool = bool_  # noqa: A001  (the array API's name of the boolean dtype)

# ----------------------------------------------------------------------------- names (issue 14)
# isort: split
from ._hints import MissingAttributeError as _MissingAttributeError  # noqa: E402
from ._lift import lifted as _lifted  # noqa: E402

# inside jit/vmap, NumPy arrays made by asarray/array are traced constants (traced indices
# can index them: fnp.asarray(table)[i]), as jnp.asarray gives JAX arrays there
asarray, array = _lifted(asarray), _lifted(array)  # noqa: F811


__all__ = ["abs", "absolute", "add", "arccos", "arcsin", "arctan", "arctan2", "astype", "cos",
           "cosh", "divide", "equal", "exp", "expm1", "greater", "greater_equal", "less",
           "less_equal", "log", "log1p", "maximum", "minimum", "multiply", "negative", "not_equal",
           "power", "sign", "sin", "sinh", "sqrt", "square", "subtract", "tan", "tanh",
           "true_divide", "where", "dot", "inner", "matmul", "outer", "vdot", "amax", "amin", "max",
           "mean", "min", "sum", "array", "asarray", "broadcast_to", "expand_dims", "moveaxis",
           "ndim", "ones_like", "ravel", "reshape", "shape", "size", "squeeze", "swapaxes",
           "transpose", "zeros_like", "at", "take", "take_along_axis", "append", "array_split",
           "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_arrays", "column_stack",
           "concatenate", "copy", "diag", "diagflat", "diagonal", "diff", "dsplit", "dstack",
           "flatten", "flip", "fliplr", "flipud", "hsplit", "hstack", "kron", "meshgrid", "pad",
           "repeat", "roll", "rot90", "row_stack", "split", "stack", "tile", "trace", "tril",
           "triu", "vsplit", "vstack", "einsum", "einsum_path", "tensordot", "argsort", "argwhere",
           "flatnonzero", "nonzero", "searchsorted", "select", "sort", "unique", "all", "any",
           "argmax", "argmin", "average", "count_nonzero", "cumprod", "cumsum", "prod", "ptp",
           "std", "var", "arccosh", "arcsinh", "arctanh", "around", "bitwise_and", "bitwise_invert",
           "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor",
           "cbrt", "ceil", "clip", "copysign", "deg2rad", "degrees", "exp2", "fabs", "fix",
           "float_power", "floor", "fmax", "fmin", "heaviside", "hypot", "invert", "isfinite",
           "isinf", "isnan", "left_shift", "log2", "log10", "logaddexp", "logaddexp2",
           "logical_and", "logical_not", "logical_or", "logical_xor", "nan_to_num", "positive",
           "rad2deg", "radians", "reciprocal", "right_shift", "rint", "round", "sinc", "trunc",
           "asinh", "acosh", "atanh", "asin", "acos", "atan", "atan2", "pow", "permute_dims",
           "concat", "cross", "gradient", "trapezoid", "allclose", "isclose", "angle", "conj",
           "conjugate", "imag", "iscomplex", "iscomplexobj", "isreal", "isrealobj", "real",
           "real_if_close", "sort_complex", "arange", "bool_", "complex64", "complex128", "dtype",
           "e", "empty", "empty_like", "euler_gamma", "eye", "finfo", "float16", "float32",
           "float64", "full", "full_like", "identity", "iinfo", "inf", "int8", "int16", "int32",
           "int64", "linspace", "nan", "newaxis", "ones", "pi", "result_type", "tri", "uint8",
           "uint16", "uint32", "uint64", "zeros", "divmod", "floor_divide", "fmod", "mod",
           "remainder", "convolve", "corrcoef", "correlate", "cov", "interp", "nanargmax",
           "nanargmin", "nanmax", "nanmean", "nanmin", "nanprod", "nanstd", "nansum", "nanvar",
           "median", "nanmedian", "nanpercentile", "nanquantile", "percentile", "quantile",
           "from_dlpack", "can_cast", "isdtype", "unstack", "unique_all", "unique_counts",
           "unique_inverse", "unique_values", "cumulative_sum", "signbit", "matrix_transpose",
           "vecdot", "bool", "fft", "linalg", "safe"]


def __getattr__(name: str) -> Any:
    raise _MissingAttributeError(name)


# traced arrays get this namespace's operators, methods and NumPy protocols (numpy/_tracer.py)
from . import _tracer  # noqa: E402

_tracer.attach(_sys.modules[__name__])

# NumPy keywords these functions lack raise an error naming them (numpy/_keywords.py); after
# attach, so that operators call the functions themselves
from . import _keywords  # noqa: E402

_keywords.guard(_sys.modules[__name__], _np, "numpy")
linalg.__test__ = _keywords.guard(linalg, _np.linalg, "numpy.linalg")  # their doctests
fft.__test__ = _keywords.guard(fft, _np.fft, "numpy.fft")
