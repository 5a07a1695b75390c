"""``cupy.random`` of the emulator: NumPy's generators, with results on the device."""

from __future__ import annotations

from typing import Any

import numpy

from . import _API, _function, _functions_of

_GENERATOR = frozenset(_API["cupy.random.Generator"])


class Generator:
    def __init__(self, bit_generator: Any) -> None:
        self._g = numpy.random.default_rng(bit_generator)

    def __getattr__(self, name: str) -> Any:
        if name not in _GENERATOR:
            raise AttributeError(f"'cupy.random.Generator' object has no attribute '{name}'")
        return _function(f"random.Generator.{name}", getattr(self._g, name))


def default_rng(seed: Any = None) -> Generator:
    return Generator(seed)


__getattr__ = _functions_of(numpy.random, _API["cupy.random"], "cupy.random")
