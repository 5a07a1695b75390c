"""``cupy.linalg`` of the emulator: NumPy's functions that CuPy has, on CuPy arrays."""

import numpy

from . import _API, _functions_of

__getattr__ = _functions_of(numpy.linalg, _API["cupy.linalg"], "cupy.linalg")


def solve(a, b):
    """CuPy's rule (cupy/linalg/_solve.py): a matrix ``b`` must have ``a``'s batch
    dimensions; NumPy 2 broadcasts them, CuPy does not."""
    if b.ndim == 0:
        raise ValueError("b must have at least one dimension")
    if b.ndim > 1 and a.shape[:-1] != b.shape[:-1]:
        raise ValueError("a must have (..., M, M) shape and b must have (..., M, K) "
                         "for multidimensional b")
    return __getattr__("solve")(a, b)
