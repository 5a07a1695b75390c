"""Shared pieces of the linear algebra primitives (``linalg.py``): the family's declaration
and batch rule (the batch axis moved to the front: every impl maps over leading axes), the
checks of a stack of matrices, and transposes, products and masks written with ordinary
ftrans code, so rules that use them differentiate again.

>>> import numpy as np
>>> _mH(np.array([[1j, 2.0]])).shape
(2, 1)
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import Primitive, aval_of, register, same_device
from ..ir import ShapedArray, is_complex_dtype, is_float_dtype
from .families import batch_at_front, shape_of


def _declare(name: str, multiple_results: bool = False) -> Primitive:
    p = register(Primitive(name, multiple_results))
    p.family = "linalg"
    p.batch = _batch_at_front(p)
    return p


def _batch_at_front(prim: Primitive) -> Callable:
    def batch(args: Sequence[Any], dims: Sequence[int | None], **params: Any) -> Any:
        out = prim.bind(*batch_at_front(args, dims), **params)
        return out, ([0] * len(out) if prim.multiple_results else 0)
    return batch


# ----------------------------------------------------------------------------- helpers

def _check_matrix(name: str, x: ShapedArray, square: bool = True) -> None:
    if x.ndim < 2:
        raise ValueError(f"{name}: expected an array of at least 2 dimensions (a stack of "
                         f"matrices), got shape {x.shape}")
    if square and x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{name}: last 2 dimensions of the array must be square, got shape "
                         f"{x.shape}")
    if not is_float_dtype(x.dtype):
        raise TypeError(f"{name}: expected a floating-point or complex array, got dtype "
                        f"{x.dtype}")


def _mT(x: Any) -> Any:
    """Swap the last two axes."""
    return x.swapaxes(-1, -2)


def _is_complex(x: Any) -> bool:
    return is_complex_dtype(aval_of(x).dtype)


def _mH(x: Any) -> Any:
    """The conjugate transpose of each matrix (the transpose of a real one)."""
    return _mT(x).conj() if _is_complex(x) else _mT(x)


def _conj(x: Any) -> Any:
    return x.conj() if _is_complex(x) else x


def _imag_part(x: Any) -> Any:
    """``1j * Im(x)`` as a complex array: ``x − Re x``."""
    return x - x.real


def _mm(x: Any, y: Any) -> Any:
    return x @ y


def _eye(n: int, dtype: Any, like: Any) -> Any:
    """The n×n identity, on the device of ``like``."""
    return same_device(np.eye(n, dtype=dtype), like)


def _diagonal(x: Any) -> Any:
    """The diagonal of each matrix, as a linear function of ``x``."""
    n = shape_of(x)[-1]
    return (x * _eye(n, aval_of(x).dtype, x)).sum(axis=-1)


def _tril_mask(n: int, m: int, k: int, dtype: Any, like: Any) -> Any:
    """Ones on and below the k-th diagonal of an n×m matrix, on the device of ``like``."""
    return same_device(np.tri(n, m, k, dtype=dtype), like)
