"""The symbolic values transformations carry: ``Zero`` (a tangent or cotangent known to be
zero, never materialized unless asked: ``instantiate``) and ``UndefPrimal`` (the linear
input of an equation being transposed).

>>> import numpy as np
>>> from ftrans.ir import ShapedArray
>>> instantiate(Zero(ShapedArray((2,), np.float64)))
array([0., 0.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .ir import ShapedArray
from .xp import array_module


class Zero:
    """A tangent or cotangent known to be zero, carried symbolically."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    def __repr__(self) -> str:
        return f"Zero({self.aval})"


class UndefPrimal:
    """Marks the linear input of an equation being transposed."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    def __repr__(self) -> str:
        return f"UndefPrimal({self.aval})"


def zeros(aval: ShapedArray, like: Any = None) -> Any:
    """Zeros of ``aval``, on the device of ``like`` (NumPy when not given)."""
    xp = array_module([like]) if like is not None else np
    return xp.zeros(aval.shape, aval.dtype)


def instantiate(t: Any) -> Any:
    """A ``Zero`` made into an actual array of zeros; anything else unchanged."""
    return zeros(t.aval) if type(t) is Zero else t
