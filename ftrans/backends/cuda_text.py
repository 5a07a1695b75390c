"""The C text of CUDA kernels: the sources of ``ftrans/kernels/``, C types and exact C
literals of NumPy values.

>>> c_type("float32"), c_literal(0.5, "float64")
('float', '0x1.0000000000000p-1')
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

# ----------------------------------------------------------------------------- kernels/

_KERNEL_FILES = ("ft_math.cuh", "ft_special.cuh", "elementwise.cu", "reduction.cu",
                 "reduction_columns.cu", "host.cpp")


def kernels_dir() -> str:
    """The folder of CUDA sources, ``ftrans/kernels`` (package data: the wheel and the sdist
    ship it, and a source checkout has it in place).

    >>> os.path.exists(os.path.join(kernels_dir(), "ft_math.cuh"))
    True
    """
    d = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "kernels")
    if not os.path.exists(os.path.join(d, "ft_math.cuh")):
        raise FileNotFoundError(f"the CUDA sources of ftrans are missing: no ft_math.cuh in "
                                f"{d}; reinstall ftrans (they are package data)")
    return d


_texts: dict[str, str] = {}


def kernel_text(name: str) -> str:
    """The text of one file of ``ftrans/kernels/`` (read once).

    >>> "ft_logistic" in kernel_text("ft_math.cuh")
    True
    """
    if name not in _texts:
        with open(os.path.join(kernels_dir(), name), encoding="utf-8") as f:
            _texts[name] = f.read()
    return _texts[name]


def math_source() -> str:
    """The element functions every kernel starts with: ``ft_math.cuh`` (helpers, erfinv,
    digamma) and ``ft_special.cuh`` (the other special functions).

    >>> "ft_betainc" in math_source()
    True
    """
    return kernel_text("ft_math.cuh") + "\n" + kernel_text("ft_special.cuh")


# ----------------------------------------------------------------------------- C types

C_TYPES: dict[str, str] = {
    "float64": "double", "float32": "float", "bool": "bool",
    "int8": "signed char", "uint8": "unsigned char", "int16": "short",
    "uint16": "unsigned short", "int32": "int", "uint32": "unsigned int",
    "int64": "long long", "uint64": "unsigned long long",
}


def c_type(dtype: Any) -> str:
    """The C type of a NumPy dtype (``KeyError`` where kernels do not support it).

    >>> c_type(np.float32), c_type("int64")
    ('float', 'long long')
    """
    return C_TYPES[np.dtype(dtype).name]


def is_float(dtype: Any) -> bool:
    """Whether ``dtype`` is a real floating type.

    >>> is_float(np.float32), is_float("int8")
    (True, False)
    """
    return np.dtype(dtype).kind == "f"


def c_literal(value: Any, dtype: Any) -> str:
    """``value`` as an exact C literal of ``dtype``: hexadecimal floats, named inf/NaN.

    >>> c_literal(1.5, np.float32), c_literal(float("-inf"), np.float64), c_literal(3, "int64")
    ('0x1.8000000000000p+0f', '(-FT_INF_F64)', '((long long)3LL)')
    >>> c_literal(-2.0, np.float64)
    '(-0x1.0000000000000p+1)'
    """
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return "true" if bool(value) else "false"
    if dt.kind == "f":
        x = float(dt.type(value))
        bits = "F32" if dt == np.float32 else "F64"
        if np.isnan(x):
            return f"FT_NAN_{bits}"
        if np.isinf(x):
            return f"FT_INF_{bits}" if x > 0 else f"(-FT_INF_{bits})"
        text = x.hex() + ("f" if dt == np.float32 else "")
        return f"({text})" if text.startswith("-") else text
    x = int(value)
    if dt.kind == "u":
        return f"(({c_type(dt)}){x}ULL)"
    if x == -2 ** 63:
        return "((long long)(-9223372036854775807LL - 1))"
    return f"(({c_type(dt)}){x}LL)"


def c_param(value: Any) -> str:
    """A primitive's param in a CUDA expression: a dtype as its C type, a number as a C
    literal.

    >>> c_param(np.dtype(np.int32)), c_param(True), c_param(3), c_param(0.5)
    ('int', 'true', '3', '0x1.0000000000000p-1')
    """
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return c_type(value)
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return c_literal(value, np.float64)
    raise TypeError(f"no C form for parameter {value!r}")


__all__ = ["kernels_dir", "kernel_text", "math_source", "C_TYPES", "c_type", "is_float",
           "c_literal", "c_param"]
