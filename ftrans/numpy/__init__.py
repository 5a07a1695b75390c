"""``ftrans.numpy``: NumPy's API on arrays and traced arrays, differentiable.

On plain NumPy arrays every function calls NumPy; on traced arrays it records primitives
with NumPy 2's dtypes and explicit broadcasting. Plain ``numpy`` functions called on traced
arrays dispatch here through ``__array_ufunc__`` and ``__array_function__``.

>>> import ftrans, ftrans.numpy as fnp
>>> float(ftrans.grad(lambda x: fnp.sum(fnp.sin(x)))(0.0))
1.0
"""

from __future__ import annotations

from typing import Any

from ..core import Tracer as _Tracer
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
from ._linalg import dot, inner, matmul, outer, vdot  # noqa: F401
from ._protocols import TRACER_METHODS as _TRACER_METHODS  # noqa: F401
from ._protocols import _array_function, _array_ufunc  # noqa: F401
from ._reductions import amax, amin, max, mean, min, sum  # noqa: F401
from ._shape import (  # noqa: F401
    array,
    asarray,
    broadcast_to,
    expand_dims,
    moveaxis,
    ndim,
    ones_like,
    ravel,
    reshape,
    shape,
    squeeze,
    swapaxes,
    transpose,
    zeros_like,
)


def _getitem(x: _Tracer, idx: Any) -> Any:
    raise NotImplementedError("indexing traced arrays is not supported yet")


def _T(x: Any) -> Any:
    return transpose(x)


from . import safe  # noqa: E402,F401  (ftrans.numpy.safe: finite-gradient variants)
