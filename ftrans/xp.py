"""Which array module computes: NumPy, or CuPy on a CUDA GPU (the ground floor).

The one place that holds the state every layer reads: the ``cupy`` module once imported,
whether a CUDA device was seen, and the default backend (``ftrans.default_backend``, from
``FTRANS_BACKEND`` at first use). ``core`` (eager ``bind``), ``device`` (the public device
functions) and ``backends`` (compilers) all read it from here; nothing else keeps a copy.

CuPy is imported only when a CuPy array is seen or the GPU backend is asked for, so
``import ftrans`` stays fast and works where CuPy is not installed.

>>> import numpy as np
>>> array_module([np.ones(2), 1.0]).__name__
'numpy'
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from .errors import DocumentedError

_cupy: Any = None
gpu_checked = False  # a CUDA device was seen (require_gpu)
# the default backend, 'cpu' or 'gpu' (ftrans.default_backend); from FTRANS_BACKEND at first use
_default: list[str | None] = [None]


class BackendUnavailableError(DocumentedError, RuntimeError):
    """The requested backend cannot run here (CuPy missing, no CUDA device or driver). A
    ``RuntimeError``.

    Parameters
    ----------
    message : str
        What went wrong; the address of its section of the documentation is appended.

    Examples
    --------
    >>> issubclass(BackendUnavailableError, RuntimeError)
    True
    """


class DeviceOutOfMemoryError(DocumentedError, MemoryError):
    """The GPU ran out of memory. A ``MemoryError``; the message says how much was asked
    for, where possible.

    Parameters
    ----------
    message : str
        What went wrong; the address of its section of the documentation is appended.

    Examples
    --------
    >>> issubclass(DeviceOutOfMemoryError, MemoryError)
    True
    """


def default_is_gpu() -> bool:
    """Whether computations on NumPy inputs run on the GPU (``ftrans.default_backend``).

    >>> default_is_gpu()
    False
    """
    if _default[0] is None:
        name = os.environ.get("FTRANS_BACKEND", "cpu").strip().lower() or "cpu"
        if name not in ("cpu", "numpy", "gpu", "cuda", "cupy"):
            raise ValueError(f"FTRANS_BACKEND must be 'cpu' or 'gpu', got {name!r}")
        _default[0] = "gpu" if name in ("gpu", "cuda", "cupy") else "cpu"
    return _default[0] == "gpu"


def set_default(name: str) -> None:
    """Make ``'cpu'`` or ``'gpu'`` the default backend (``ftrans.default_backend`` checks
    the name and that a GPU can be used first)."""
    _default[0] = name


def cupy_module() -> Any:
    """The ``cupy`` module, imported on first use; a clear error where it is missing."""
    global _cupy
    if _cupy is None:
        try:
            import cupy
        except ImportError as e:
            raise BackendUnavailableError(
                "the GPU backend needs CuPy: pip install 'ftrans[cuda12]' (or cuda13)") from e
        _cupy = cupy
    return _cupy


def require_gpu() -> Any:
    """The ``cupy`` module, once it is known that a CUDA device can be used; otherwise a
    ``BackendUnavailableError`` saying what is missing (CuPy, the driver, a device).

    Returns
    -------
    cupy : module
        The ``cupy`` module (checked once per process).

    Raises
    ------
    BackendUnavailableError
        If CuPy is not installed, or CUDA reports no usable device or driver.

    Examples
    --------
    >>> try:
    ...     where = require_gpu().__name__
    ... except BackendUnavailableError as e:
    ...     where = str(e)
    >>> "cupy" in where or "CuPy" in where or "CUDA" in where
    True
    """
    global gpu_checked
    cp = cupy_module()
    if gpu_checked:
        return cp
    try:
        count = cp.cuda.runtime.getDeviceCount()
    except Exception as e:  # CUDARuntimeError: no driver, driver too old, no device
        raise BackendUnavailableError(
            f"the GPU backend needs a CUDA device and driver, but CUDA reports: {e}. "
            "Run on a machine with an NVIDIA GPU, or use NumPy arrays (the CPU backend)."
        ) from None
    if count < 1:
        raise BackendUnavailableError("the GPU backend needs a CUDA device, but none was "
                                      "found (cudaGetDeviceCount returned 0)")
    gpu_checked = True
    return cp


def is_gpu_array(x: Any) -> bool:
    """Whether ``x`` is a CuPy array (checked without importing CuPy).

    Parameters
    ----------
    x : object
        Anything.

    Returns
    -------
    out : bool
        True for a CuPy array (or scalar), False otherwise.

    Examples
    --------
    >>> is_gpu_array(np.ones(2))
    False
    """
    return type(x).__module__.startswith("cupy")


def array_module(args: Sequence[Any]) -> Any:
    """numpy, unless one of ``args`` is a CuPy array (or an array and the default backend
    is the GPU: ``ftrans.default_backend``).

    >>> array_module([2.0]).__name__
    'numpy'
    """
    for a in args:
        t = type(a)
        if t is np.ndarray or t is float or t is np.float64:
            continue
        if t.__module__.startswith("cupy"):
            return cupy_module()
    if _default[0] != "cpu" and default_is_gpu() and any(type(a) is np.ndarray for a in args):
        return require_gpu()
    return np


def same_device(value: Any, like: Any) -> Any:
    """A NumPy constant made by a rule, on the device of ``like``: a CuPy array when
    ``like`` is one. Next to tracers and NumPy values it stays as it is (binding a primitive
    moves NumPy arguments to the GPU when needed).

    >>> same_device(np.eye(2), np.ones(2)).shape
    (2, 2)
    """
    if type(like).__module__.startswith("cupy"):
        return cupy_module().asarray(value)
    return value


def on_device(xp: Any, args: Sequence[Any]) -> list[Any]:
    """``args`` ready for CuPy: NumPy arrays (constants ftrans made, or captured ones) are
    copied to the device; scalars stay scalars (they keep their weak type). With NumPy as
    ``xp``, ``args`` as they are.

    Parameters
    ----------
    xp : module
        ``numpy`` or ``cupy``.
    args : sequence
        Arrays and scalars.

    Returns
    -------
    out : list
        ``args``, NumPy arrays copied to the GPU when ``xp`` is CuPy.

    Examples
    --------
    >>> [type(a).__name__ for a in on_device(np, [1.0, np.float32(2.0)])]
    ['float', 'float32']
    """
    if xp is np:
        return list(args)
    return [xp.asarray(a) if type(a) is np.ndarray else a for a in args]


def run_on_gpu(prim: Any, xp: Any, args: Sequence[Any], params: dict) -> Any:
    """Apply ``prim``'s impl with CuPy: NumPy-array arguments (constants) go to the device
    first; running out of device memory raises ``DeviceOutOfMemoryError``.

    >>> from ftrans.prims import sin_p
    >>> float(run_on_gpu(sin_p, np, [np.zeros(1)], {})[0])  # any array module works
    0.0
    """
    try:
        return prim.impl(xp, *on_device(xp, args), **params)
    except Exception as e:
        if is_out_of_memory(e):
            raise out_of_memory(e, f"primitive {prim.name}") from e
        raise


def out_of_memory(e: BaseException, what: str) -> DeviceOutOfMemoryError:
    """The ftrans error for a CuPy out-of-memory error ``e`` while running ``what``.

    >>> str(out_of_memory(MemoryError("8 GB"), "sin")).split(":")[0]
    'the GPU ran out of memory while running sin'
    """
    return DeviceOutOfMemoryError(
        f"the GPU ran out of memory while running {what}: {e}. Free arrays you no longer "
        "need, use smaller batches, or pass chunk_size= to jacfwd/jacrev/jacobian.")


def is_out_of_memory(e: BaseException) -> bool:
    """Whether ``e`` is CuPy's ``OutOfMemoryError`` (checked without importing CuPy).

    >>> is_out_of_memory(MemoryError())
    False
    """
    return type(e).__name__ == "OutOfMemoryError" and type(e).__module__.startswith("cupy")
