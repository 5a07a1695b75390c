"""``cupy.linalg`` of the emulator: NumPy's functions that CuPy has, on CuPy arrays."""

import numpy

from . import _API, _functions_of

__getattr__ = _functions_of(numpy.linalg, _API["cupy.linalg"], "cupy.linalg")
