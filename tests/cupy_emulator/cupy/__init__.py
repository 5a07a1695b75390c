"""An emulated CuPy for testing ftrans's GPU paths on a machine without a GPU.

Put ``tests/cupy_emulator`` first on ``sys.path`` and ``import cupy`` gives this module:
one emulated CUDA device whose arrays live in host memory. It is strict where real CuPy is
strict, so code that works here has a good chance of working on a GPU:

- ``cupy.ndarray`` is its own type (module ``cupy``), not a NumPy array: NumPy functions and
  ufuncs dispatch to it through ``__array_function__``/``__array_ufunc__`` only when CuPy
  has the function, and implicit conversion to NumPy (``np.asarray(x)``) raises CuPy's
  ``TypeError``; NumPy arrays given to CuPy functions or mixed into arithmetic raise
  ``TypeError`` as in CuPy; reductions and scalar indexing return 0-d arrays; there is no
  ``__index__``;
- only names CuPy 14 has exist (``cupy_api.json``, read from CuPy's own namespace);
- ``RawModule`` compiles the CUDA source with g++ and runs every thread of every block
  (``_simt.py``): the kernels ftrans generates run as written, barriers included; device
  buffers carry guard bytes and a launch that writes outside its arrays fails;
- allocations beyond the emulated device's memory raise ``OutOfMemoryError``;
- ``cupy.emulator`` (not part of CuPy) has switches for tests: a compile error, an
  out-of-memory device, a record of the kernels launched.

It is a test double, not a simulator of performance: timings mean nothing.
"""

from __future__ import annotations

import ctypes
import functools
import json
import os
import types
import weakref
from typing import Any

import numpy
from numpy.lib.mixins import NDArrayOperatorsMixin

from . import _simt, emulator

__version__ = "14.2.0+emulated"
EMULATED = True

_HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(os.path.dirname(_HERE), "cupy_api.json")) as _f:
    _API = json.load(_f)
_NAMES = frozenset(_API["cupy"])
_METHODS = frozenset(_API["cupy.ndarray"])
_UFUNCS = frozenset(_API["ufuncs"])

DEVICE_MEMORY = 16 << 30  # bytes the emulated device has
_GUARD = 64  # guard bytes on each side of a buffer made by empty/zeros/...
_GUARD_BYTE = 0xA5


class OutOfMemoryError(MemoryError):
    pass


OutOfMemoryError.__module__ = "cupy.cuda.memory"


class CompileException(Exception):
    def __init__(self, msg: str, source: str, name: str = "kernel.cu") -> None:
        super().__init__(msg)
        self._msg, self.source, self.name = msg, source, name

    def get_message(self) -> str:
        return self._msg


CompileException.__module__ = "cupy.cuda.compiler"


_SCALAR_TYPES = (bool, int, float, complex)


def _implicit_conversion(*_: Any, **__: Any) -> None:
    raise TypeError("Implicit conversion to a NumPy array is not allowed. "
                    "Please use `.get()` to construct a NumPy array explicitly.")


def _check_size(nbytes: int) -> None:
    if nbytes > DEVICE_MEMORY:
        raise OutOfMemoryError(f"Out of memory allocating {nbytes:,} bytes "
                               f"(allocated so far: 0 bytes).")
    if emulator.state.out_of_memory:
        raise OutOfMemoryError(f"Out of memory allocating {nbytes:,} bytes "
                               f"(emulated: cupy.emulator.out_of_memory)")


def _guarded(shape: Any, dtype: Any) -> numpy.ndarray:
    """A C-contiguous host array with guard bytes around its buffer (see ``_check_guards``)."""
    dtype = numpy.dtype(dtype)
    shape = (shape,) if numpy.isscalar(shape) else tuple(int(s) for s in shape)
    n = int(numpy.prod(shape, dtype=numpy.int64)) * dtype.itemsize
    _check_size(n)
    raw = numpy.full(n + 2 * _GUARD + dtype.alignment, _GUARD_BYTE, numpy.uint8)
    start = _GUARD + (-(raw.ctypes.data + _GUARD) % dtype.alignment)
    _EXTENTS[raw.ctypes.data] = (start, n)
    weakref.finalize(raw, _EXTENTS.pop, raw.ctypes.data, None)
    return raw[start:start + n].view(dtype).reshape(shape)


_EXTENTS: dict[int, tuple[int, int]] = {}  # guarded buffer's address -> (data start, bytes)


def _guards_intact(a: numpy.ndarray) -> bool:
    """Whether the guard bytes around the allocation ``a`` lives in are untouched (for a
    view, such as a slice, those of the whole allocation: its neighbours are data)."""
    base = a.base
    while base is not None and base.base is not None:
        base = base.base
    if base is None or base.dtype != numpy.uint8 or base.ndim != 1:
        return True
    extent = _EXTENTS.get(base.ctypes.data)
    if extent is None:
        return True
    start, n = extent
    return bool((base[start - _GUARD:start] == _GUARD_BYTE).all()
                and (base[start + n:start + n + _GUARD] == _GUARD_BYTE).all())


# ----------------------------------------------------------------------------- arrays

def _unwrap(x: Any, where: str) -> Any:
    if type(x) is ndarray:
        return x._a
    if isinstance(x, numpy.ndarray):
        raise TypeError(f"Unsupported type {type(x)} (in cupy.{where}: NumPy arrays must be "
                        "moved to the device first, e.g. cupy.asarray)")
    if type(x) in (list, tuple):
        return type(x)(_unwrap(v, where) for v in x)
    if type(x) is dict:
        return {k: _unwrap(v, where) for k, v in x.items()}
    return x


def _wrap(x: Any) -> Any:
    if type(x) is numpy.ndarray:
        if x.base is None and x.size:  # a new array: in a guarded allocation, as empty()'s
            guarded = _guarded(x.shape, x.dtype)
            guarded[...] = x
            x = guarded
        out = ndarray.__new__(ndarray)
        out._a = x
        return out
    if isinstance(x, numpy.generic) and not isinstance(x, (numpy.str_, numpy.bytes_)):
        return _wrap(numpy.asarray(x))  # CuPy returns 0-d arrays, not scalars
    if type(x) is list:
        return [_wrap(v) for v in x]
    if isinstance(x, tuple):  # NumPy's named results (SVDResult, ...) are plain in CuPy
        return tuple(_wrap(v) for v in x)
    return x


def _call(fn: Any, name: str, args: tuple, kwargs: dict) -> Any:
    a, k = _unwrap(args, name), _unwrap(kwargs, name)
    try:
        with numpy.errstate(all="ignore"):  # a GPU raises no floating-point warnings
            return _wrap(fn(*a, **k))
    except MemoryError as e:
        raise OutOfMemoryError(str(e)) from None


class ndarray(NDArrayOperatorsMixin):
    """A CuPy array: a host array that behaves like device memory."""

    __slots__ = ("_a",)
    __array_priority__ = 100
    __hash__ = None  # type: ignore[assignment]
    __array__ = _implicit_conversion

    def __init__(self, shape: Any, dtype: Any = float, memptr: Any = None,
                 strides: Any = None, order: str = "C") -> None:
        self._a = _guarded(shape, dtype)

    # -- NumPy protocols, as CuPy implements them
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method != "__call__" or ufunc.__name__ not in _NAMES:
            return NotImplemented
        for x in inputs + tuple(kwargs.get("out", ())):
            if not (hasattr(x, "__cuda_array_interface__") or isinstance(x, numpy.ndarray)
                    or type(x) in _SCALAR_TYPES or isinstance(x, numpy.generic)):
                return NotImplemented  # e.g. a tracer: its own __array_ufunc__ decides
        if ufunc.__name__ in ("greater", "greater_equal", "less", "less_equal", "equal",
                              "not_equal"):
            inputs = tuple(x.item() if isinstance(x, numpy.ndarray) and x.ndim == 0 else x
                           for x in inputs)
        out = kwargs.get("out")
        if isinstance(out, tuple):
            if len(out) != 1:
                raise ValueError("The 'out' parameter must have exactly one array value")
            kwargs["out"] = out[0]
        return _cupy_attr(ufunc.__name__)(*inputs, **kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        mod = func.__module__.split(".")[1:]
        target: Any = _module_for(mod)
        if target is None or not all(t in (ndarray, numpy.ndarray) for t in types):
            return NotImplemented
        try:
            fn = getattr(target, func.__name__)
        except AttributeError:
            return NotImplemented
        return fn(*args, **kwargs)

    # -- attributes
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: self._a.flags)
    T = property(lambda self: _wrap(self._a.T))
    real = property(lambda self: _wrap(self._a.real))
    imag = property(lambda self: _wrap(self._a.imag))
    base = property(lambda self: None)
    device = property(lambda self: cuda.Device(0))

    @property
    def data(self) -> Any:
        return _MemoryPointer(self._a.ctypes.data)

    @property
    def __cuda_array_interface__(self) -> dict:
        return {"shape": self.shape, "typestr": self.dtype.str, "descr": self.dtype.descr,
                "version": 3, "stream": 1,
                "strides": None if self._a.flags.c_contiguous else self.strides,
                "data": (self._a.ctypes.data if self.size else 0, False)}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in _METHODS:
            raise AttributeError(f"'cupy.ndarray' object has no attribute '{name}'")
        method = getattr(self._a, name)
        return functools.wraps(method)(lambda *a, **k: _call(method, name, a, k))

    # -- conversions (through the host, as CuPy's)
    def get(self, stream: Any = None, order: str = "C", out: Any = None) -> numpy.ndarray:
        if out is not None:
            numpy.copyto(out, self._a)
            return out
        return numpy.array(self._a, order=order)

    def set(self, arr: numpy.ndarray, stream: Any = None) -> None:
        if not isinstance(arr, numpy.ndarray):
            raise TypeError("Only numpy.ndarray can be set to cupy.ndarray")
        if arr.dtype != self.dtype or arr.shape != self.shape:
            raise ValueError("shape or dtype mismatch")
        self._a[...] = arr

    def item(self) -> Any:
        return self._a.item()

    def tolist(self) -> Any:
        return self._a.tolist()

    def __int__(self) -> int:
        return int(self._a)

    def __float__(self) -> float:
        return float(self._a)

    def __complex__(self) -> complex:
        return complex(self._a)

    def __bool__(self) -> bool:
        return bool(self._a)

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Any:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __repr__(self) -> str:
        return repr(self._a)

    def __str__(self) -> str:
        return str(self._a)

    def __format__(self, spec: str) -> str:
        return format(self._a, spec)

    def __copy__(self) -> ndarray:
        return _wrap(self._a.copy())

    def __deepcopy__(self, memo: Any) -> ndarray:
        return _wrap(self._a.copy())

    def __reduce__(self) -> Any:
        return array, (self.get(),)

    def __getitem__(self, key: Any) -> Any:
        return _wrap(self._a[_index(key)])

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(value, numpy.ndarray):
            if not (key == slice(None) and value.shape == self.shape
                    and value.dtype == self.dtype):
                raise TypeError(f"Unsupported type {type(value)}")
            self._a[...] = value
            return
        self._a[_index(key)] = _unwrap(value, "ndarray.__setitem__")

    def __matmul__(self, other: Any) -> Any:
        return _cupy_attr("matmul")(self, other)

    def __rmatmul__(self, other: Any) -> Any:
        return _cupy_attr("matmul")(other, self)


def _index(key: Any) -> Any:
    """An index for the host array: CuPy arrays inside it are unwrapped."""
    if type(key) is ndarray:
        return key._a
    if type(key) is tuple:
        return tuple(_index(k) for k in key)
    return key


class _MemoryPointer:
    def __init__(self, ptr: int) -> None:
        self.ptr = ptr


# ----------------------------------------------------------------------------- functions

class ufunc:
    """A CuPy ufunc: NumPy's, on CuPy arrays only."""

    def __init__(self, np_ufunc: Any) -> None:
        self._u = np_ufunc
        self.__name__ = np_ufunc.__name__
        self.nin, self.nout, self.nargs = np_ufunc.nin, np_ufunc.nout, np_ufunc.nargs

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _call(self._u, self.__name__, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        if name not in _API["cupy.ufunc"]:
            raise AttributeError(f"'cupy.ufunc' object has no attribute '{name}'")
        method = getattr(self._u, name)
        return lambda *a, **k: _call(method, f"{self.__name__}.{name}", a, k)

    def __repr__(self) -> str:
        return f"<ufunc '{self.__name__}'>"


def _function(name: str, fn: Any) -> Any:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        return _call(fn, name, args, kwargs)
    call.__module__ = "cupy"
    return call


def array(obj: Any, dtype: Any = None, copy: bool = True, order: str = "K",
          subok: bool = False, ndmin: int = 0) -> ndarray:
    host = obj._a if type(obj) is ndarray else obj
    a = numpy.array(host, dtype=dtype, copy=True, order=order, ndmin=ndmin)
    out = _guarded(a.shape, a.dtype)
    out[...] = a
    return _wrap(out)


def asarray(a: Any, dtype: Any = None, order: Any = None, *, blocking: bool = False) -> ndarray:
    if type(a) is ndarray and (dtype is None or numpy.dtype(dtype) == a.dtype):
        return a
    return array(a, dtype=dtype, copy=False)


def asnumpy(a: Any, stream: Any = None, order: str = "C", out: Any = None) -> numpy.ndarray:
    if type(a) is ndarray:
        return a.get(order=order, out=out)
    return numpy.asarray(a, order=order)


def get_array_module(*args: Any) -> Any:
    import sys
    return sys.modules[__name__] if any(type(a) is ndarray for a in args) else numpy


def empty(shape: Any, dtype: Any = float, order: str = "C") -> ndarray:
    return _wrap(_guarded(shape, dtype))


def zeros(shape: Any, dtype: Any = float, order: str = "C") -> ndarray:
    out = empty(shape, dtype)
    out._a[...] = 0
    return out


def ones(shape: Any, dtype: Any = float, order: str = "C") -> ndarray:
    out = empty(shape, dtype)
    out._a[...] = 1
    return out


def full(shape: Any, fill_value: Any, dtype: Any = None, order: str = "C") -> ndarray:
    fill = _unwrap(fill_value, "full")
    out = empty(shape, numpy.result_type(fill) if dtype is None else dtype)
    out._a[...] = fill
    return out


def empty_like(a: Any, dtype: Any = None, order: str = "K", subok: Any = None,
               shape: Any = None) -> ndarray:
    return empty(a.shape if shape is None else shape, a.dtype if dtype is None else dtype)


def ascontiguousarray(a: Any, dtype: Any = None) -> ndarray:
    a = asarray(a, dtype)
    return a if a._a.flags.c_contiguous else array(a)


def _functions_of(namespace: Any, names: Any, label: str) -> Any:
    """A module ``__getattr__`` giving ``namespace``'s functions that CuPy's ``label``
    module also has (``names``), working on CuPy arrays."""
    cache: dict[str, Any] = {}
    names = frozenset(names)

    def getattr_(name: str) -> Any:
        if name not in cache:
            obj = getattr(namespace, name, None) if name in names else None
            if not callable(obj) or isinstance(obj, type):
                raise AttributeError(f"module '{label}' has no attribute '{name}'")
            cache[name] = _function(f"{label}.{name}", obj)
        return cache[name]
    return getattr_


def _cupy_attr(name: str) -> Any:
    import sys
    return getattr(sys.modules[__name__], name)


def _module_for(path: list[str]) -> Any:
    import sys
    if not path:
        return sys.modules[__name__]
    if path == ["linalg"]:
        return linalg
    if path == ["random"]:
        return random
    if path == ["fft"]:
        return fft
    return None


_ATTRS: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    if name in _ATTRS:
        return _ATTRS[name]
    obj = getattr(numpy, name, None) if name in _NAMES else None
    if obj is None or isinstance(obj, types.ModuleType):  # submodules are the emulator's own
        raise AttributeError(f"module 'cupy' has no attribute '{name}'")
    if isinstance(obj, numpy.ufunc):
        value: Any = ufunc(obj)
    elif callable(obj) and not isinstance(obj, type):
        value = _function(name, obj)
    else:
        value = obj  # dtypes, constants, finfo: CuPy's are NumPy's
    _ATTRS[name] = value  # not globals(): names like max/min/sum would shadow builtins
    return value


# ----------------------------------------------------------------------------- kernels

class _Function:
    def __init__(self, lib: Any, name: str) -> None:
        self._launch = getattr(lib, f"ft_emu_launch_{name}")
        self._launch.restype = ctypes.c_int
        self.name = name

    def __call__(self, grid: Any, block: Any, args: Any, *, shared_mem: int = 0,
                 stream: Any = None) -> None:
        grid, block = tuple(grid), tuple(block)
        if grid[1:] not in ((), (1,), (1, 1)) or block[1:] not in ((), (1,), (1, 1)):
            raise ValueError("the emulator runs one-dimensional grids and blocks only")
        if not 0 < grid[0] < 2 ** 31 or not 0 < block[0] <= 1024:
            raise ValueError(f"invalid launch configuration: grid {grid}, block {block}")
        keep, ptrs = [], []
        for i, x in enumerate(args):
            if type(x) is ndarray:
                cell: Any = ctypes.c_void_p(x._a.ctypes.data)
            elif isinstance(x, numpy.generic):
                cell = ctypes.create_string_buffer(x.tobytes(), max(x.itemsize, 8))
            else:
                raise TypeError(f"Unsupported type {type(x)} for kernel argument {i} "
                                "(pass CuPy arrays or NumPy scalars)")
            keep.append(cell)
            ptrs.append(ctypes.cast(ctypes.pointer(cell) if type(x) is ndarray
                                    else cell, ctypes.c_void_p))
        argv = (ctypes.c_void_p * max(len(ptrs), 1))(*ptrs)
        for names in emulator.state.recorders:
            names.append(self.name)
        status = self._launch(grid[0], block[0], argv)
        if status == 1:
            raise RuntimeError(f"kernel {self.name}: threads of a block disagree on "
                               "__syncthreads (undefined behaviour on a GPU)")
        if status:
            raise RuntimeError(f"kernel {self.name}: invalid launch configuration")
        for i, x in enumerate(args):
            if type(x) is ndarray and not _guards_intact(x._a):
                raise RuntimeError(f"kernel {self.name} wrote outside argument {i} "
                                   f"(an array of shape {x.shape})")


class RawModule:
    """A CUDA source compiled for the emulated device (with g++, see ``_simt``)."""

    def __init__(self, code: str | None = None, *, path: str | None = None,
                 options: tuple = (), backend: str = "nvrtc", translate_cucomplex: bool = False,
                 log_stream: Any = None, name_expressions: Any = None, jitify: bool = False
                 ) -> None:
        if code is None:
            with open(path) as f:  # type: ignore[arg-type]
                code = f.read()
        self.code, self.options = code, tuple(options)
        self._lib: Any = None

    def get_function(self, name: str) -> _Function:
        if self._lib is None:
            if emulator.state.compile_error is not None:
                raise CompileException(emulator.state.compile_error, self.code)
            try:
                self._lib = _simt.build(self.code)
            except _simt.CompileError as e:
                raise CompileException(str(e), self.code) from None
        if name not in _simt.kernel_names(self.code):
            raise AttributeError(f"no kernel named {name} in the module")
        return _Function(self._lib, name)


# ----------------------------------------------------------------------------- submodules

from . import cuda, fft, linalg, random  # noqa: E402


def get_default_memory_pool() -> Any:
    return cuda.memory._POOL


def get_default_pinned_memory_pool() -> Any:
    return cuda.memory._POOL


def fuse(*args: Any, **kwargs: Any) -> Any:
    def deco(f: Any) -> Any:
        return f
    return deco(args[0]) if args and callable(args[0]) else deco

