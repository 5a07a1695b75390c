"""Switches of the emulated device (not part of CuPy), for testing what a GPU does rarely or
what a test cannot see on one: a kernel that fails to compile, a device out of memory, and
which kernels were launched.

>>> import cupy
>>> with cupy.emulator.out_of_memory():
...     cupy.zeros(3)  # doctest: +ELLIPSIS
Traceback (most recent call last):
cupy.cuda.memory.OutOfMemoryError: Out of memory allocating 24 bytes ...
"""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator


class _Switches(threading.local):
    """The switches, per thread (as tests set them)."""

    def __init__(self) -> None:
        self.compile_error: str | None = None
        self.out_of_memory = False
        self.recorders: list[list[str]] = []


state = _Switches()


@contextlib.contextmanager
def compile_error(log: str = "error: identifier \"oops\" is undefined") -> Iterator[None]:
    """Inside the block, compiling a ``RawModule`` raises CuPy's ``CompileException`` whose
    compiler log (``get_message()``) is ``log``, as NVRTC rejecting the source would."""
    old, state.compile_error = state.compile_error, log
    try:
        yield
    finally:
        state.compile_error = old


@contextlib.contextmanager
def out_of_memory() -> Iterator[None]:
    """Inside the block, every allocation of device memory raises CuPy's
    ``OutOfMemoryError``, as a full device would."""
    old, state.out_of_memory = state.out_of_memory, True
    try:
        yield
    finally:
        state.out_of_memory = old


@contextlib.contextmanager
def launches() -> Iterator[list[str]]:
    """The names of the kernels launched inside the block, in launch order."""
    names: list[str] = []
    state.recorders.append(names)
    try:
        yield names
    finally:
        state.recorders.remove(names)


__all__ = ["compile_error", "out_of_memory", "launches"]
