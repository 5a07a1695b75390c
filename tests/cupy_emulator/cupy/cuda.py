"""``cupy.cuda`` of the emulator: one device, its properties, events, streams, memory."""

from __future__ import annotations

import time
import types
from typing import Any

_PROPERTIES = {
    "name": b"Emulated CUDA device (CPU)", "totalGlobalMem": 16 << 30,
    "multiProcessorCount": 4, "major": 9, "minor": 0, "memoryBusWidth": 64,
    "memoryClockRate": 1_000_000, "clockRate": 1_000_000, "maxThreadsPerBlock": 1024,
    "sharedMemPerBlock": 48 << 10, "warpSize": 32,
}


class CUDARuntimeError(RuntimeError):
    pass


CUDARuntimeError.__module__ = "cupy_backends.cuda.api.runtime"


def _get_device_properties(device: int) -> dict:
    _check(device)
    return dict(_PROPERTIES)


def _check(device: int) -> None:
    if device != 0:
        raise CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")


# cudaDeviceAttr numbers used by callers: 36 memory clock (kHz), 37 bus width (bits),
# 16 multiprocessors, 75/76 compute capability
_ATTRIBUTES = {36: _PROPERTIES["memoryClockRate"], 37: _PROPERTIES["memoryBusWidth"],
               16: _PROPERTIES["multiProcessorCount"], 75: 9, 76: 0, 1: 1024}

runtime = types.SimpleNamespace(
    getDeviceCount=lambda: 1,
    getDeviceProperties=_get_device_properties,
    deviceGetAttribute=lambda attr, device: (_check(device), _ATTRIBUTES[attr])[1],
    runtimeGetVersion=lambda: 13000,
    driverGetVersion=lambda: 13000,
    deviceSynchronize=lambda: None,
    memGetInfo=lambda: (_PROPERTIES["totalGlobalMem"], _PROPERTIES["totalGlobalMem"]),
    getDevice=lambda: 0,
    CUDARuntimeError=CUDARuntimeError,
    is_hip=False,
)


class Device:
    def __init__(self, device: int | None = None) -> None:
        self.id = 0 if device is None else int(device)
        _check(self.id)

    def synchronize(self) -> None:
        pass

    def use(self) -> None:
        pass

    @property
    def compute_capability(self) -> str:
        return "90"

    @property
    def mem_info(self) -> tuple[int, int]:
        return runtime.memGetInfo()

    @property
    def attributes(self) -> dict:
        return {"MultiProcessorCount": 4, "MemoryClockRate": _ATTRIBUTES[36],
                "GlobalMemoryBusWidth": _ATTRIBUTES[37], "MaxThreadsPerBlock": 1024}

    def __enter__(self) -> Device:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass


class Event:
    def __init__(self, block: bool = False, disable_timing: bool = False,
                 interprocess: bool = False) -> None:
        self.t: float | None = None

    def record(self, stream: Any = None) -> None:
        self.t = time.perf_counter()

    def synchronize(self) -> None:
        pass

    @property
    def done(self) -> bool:
        return True


def get_elapsed_time(start: Event, end: Event) -> float:
    if start.t is None or end.t is None:
        raise CUDARuntimeError("cudaErrorInvalidResourceHandle: event not recorded")
    return (end.t - start.t) * 1e3


class Stream:
    null: Stream

    def __init__(self, null: bool = False, non_blocking: bool = False,
                 ptds: bool = False) -> None:
        self.ptr = 0 if null else 1

    def synchronize(self) -> None:
        pass

    def use(self) -> Stream:
        return self

    def record(self, event: Event | None = None) -> Event:
        event = event or Event()
        event.record()
        return event

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass


Stream.null = Stream(null=True)


def get_current_stream() -> Stream:
    return Stream.null


def is_available() -> bool:
    return True


class _Pool:
    def used_bytes(self) -> int:
        return 0

    def total_bytes(self) -> int:
        return 0

    def free_all_blocks(self, stream: Any = None) -> None:
        pass

    def set_limit(self, size: int | None = None, fraction: float | None = None) -> None:
        pass

    def get_limit(self) -> int:
        return _PROPERTIES["totalGlobalMem"]


def _memory_module() -> Any:
    from . import OutOfMemoryError
    return types.SimpleNamespace(OutOfMemoryError=OutOfMemoryError, _POOL=_Pool(),
                                 MemoryPool=_Pool)


def _compiler_module() -> Any:
    from . import CompileException
    return types.SimpleNamespace(CompileException=CompileException)


_ATTRS: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    if name in _ATTRS:
        return _ATTRS[name]
    if name == "memory":
        value = _memory_module()
    elif name == "compiler":
        value = _compiler_module()
    else:
        raise AttributeError(f"module 'cupy.cuda' has no attribute '{name}'")
    _ATTRS[name] = value  # not globals(): names like max/min/sum would shadow builtins
    return value
