"""``cupy.fft`` of the emulator: NumPy's transforms on CuPy arrays, with CuPy's signatures.

CuPy's transforms take a ``cupy.ndarray`` only (``TypeError`` otherwise, lists included) and
have no ``out`` argument; their result dtypes are NumPy 2's (``float32``/``complex64`` stay
single precision, cupy/fft/_fft.py ``_output_dtype``). ``fftfreq``/``rfftfreq`` give device
arrays.
"""

from __future__ import annotations

from typing import Any

import numpy

from . import _API, _call, ndarray

_NAMES = frozenset(_API["cupy.fft"])


def _transform(name: str) -> Any:
    fn = getattr(numpy.fft, name)

    def call(a: Any, *args: Any, **kwargs: Any) -> Any:
        if type(a) is not ndarray:
            raise TypeError("The input array a must be a cupy.ndarray")
        unknown = set(kwargs) - {"n", "s", "axis", "axes", "norm"}
        if unknown:
            raise TypeError(f"{name}() got an unexpected keyword argument "
                            f"'{sorted(unknown)[0]}'")
        return _call(fn, f"fft.{name}", (a, *args), kwargs)
    call.__name__ = call.__qualname__ = name
    call.__module__ = "cupy.fft"
    return call


def _freq(name: str) -> Any:
    fn = getattr(numpy.fft, name)

    def call(n: Any, d: Any = 1.0) -> Any:
        return _call(fn, f"fft.{name}", (n, d), {})
    call.__name__ = call.__qualname__ = name
    call.__module__ = "cupy.fft"
    return call


def _shift(name: str) -> Any:
    fn = getattr(numpy.fft, name)

    def call(x: Any, axes: Any = None) -> Any:
        if type(x) is not ndarray:
            raise TypeError(f"{name}: the input must be a cupy.ndarray")
        return _call(fn, f"fft.{name}", (x, axes), {})
    call.__name__ = call.__qualname__ = name
    call.__module__ = "cupy.fft"
    return call


_FUNCTIONS: dict[str, Any] = {}
for _name in sorted(_NAMES - {"config"}):
    _make = _freq if _name.endswith("freq") else _shift if _name.endswith("shift") \
        else _transform
    _FUNCTIONS[_name] = _make(_name)


def __getattr__(name: str) -> Any:
    if name in _FUNCTIONS:
        return _FUNCTIONS[name]
    raise AttributeError(f"module 'cupy.fft' has no attribute '{name}'")
