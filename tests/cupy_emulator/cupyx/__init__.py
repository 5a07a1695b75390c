"""``cupyx`` of the emulator: ``scatter_add`` and ``cupyx.scipy.special``."""

from __future__ import annotations

from typing import Any

import cupy
import numpy


def scatter_add(a: Any, slices: Any, value: Any) -> None:
    if type(a) is not cupy.ndarray:
        raise TypeError(f"scatter_add: a must be a cupy.ndarray, got {type(a)}")
    numpy.add.at(a._a, cupy._index(slices), cupy._unwrap(value, "scatter_add"))
