"""``ftrans.lax``: the primitives as functions, without NumPy's promotion or broadcasting
(operands must already agree), plus structured control flow.

>>> import ftrans.lax as lax, numpy as np
>>> lax.integer_pow(np.float64(3.0), 2)
9.0
"""

from __future__ import annotations

from typing import Any

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
