"""Devices: NumPy arrays compute on the CPU, CuPy arrays on a CUDA GPU.

The backend of a computation is chosen by the arrays it is given: any CuPy input puts it on
the GPU, and results come back as arrays of the same library. ``device_put`` moves arrays;
``default_backend`` (or the ``FTRANS_BACKEND`` environment variable, ``cpu`` or ``gpu``)
says where computations on NumPy inputs run. Giving one call both NumPy and CuPy arrays is
an error: say where the data should live with ``device_put``.

>>> import ftrans, numpy as np
>>> ftrans.default_backend()
'cpu'
>>> ftrans.device_put(np.ones(2), "cpu")
array([1., 1.])
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import xp as _xp
from .core import Tracer
from .errors import DocumentedError
from .tree_util import tree_flatten, tree_leaves, tree_unflatten
from .xp import (  # noqa: F401  (the public names of devices live here too)
    BackendUnavailableError,
    DeviceOutOfMemoryError,
    cupy_module,
    is_gpu_array,
    is_out_of_memory,
    on_device,
    out_of_memory,
    require_gpu,
    run_on_gpu,
)

_ALIASES = {"cpu": "cpu", "numpy": "cpu", "gpu": "gpu", "cuda": "gpu", "cupy": "gpu"}


class BackendMismatchError(DocumentedError, TypeError):
    """One call was given both NumPy (CPU) and CuPy (GPU) arrays. A ``TypeError``; put
    the arrays on one device with ``device_put`` first.

    Parameters
    ----------
    message : str
        What went wrong; the address of its section of the documentation is appended.

    Examples
    --------
    >>> issubclass(BackendMismatchError, TypeError)
    True
    """


def _backend_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or name.lower() not in _ALIASES:
        raise ValueError(f"{where}: expected 'cpu' or 'gpu' (or 'numpy', 'cupy', 'cuda'), "
                         f"got {name!r}")
    return _ALIASES[name.lower()]


def default_backend(name: str | None = None) -> str:
    """Where computations on NumPy inputs run: ``'cpu'`` or ``'gpu'``. With ``name``, set
    it (checking that a GPU can be used) and return it; without, return it. The starting
    value comes from ``FTRANS_BACKEND`` (``cpu`` when unset).

    Under ``'gpu'``, transformations and primitives given NumPy arrays compute on the GPU
    and return CuPy arrays; ``ftrans.numpy`` functions called on plain NumPy arrays outside
    any transformation still call NumPy directly.

    Parameters
    ----------
    name : {None, "cpu", "gpu", "numpy", "cupy", "cuda"}, optional
        The backend to set (process-wide); None (default) only reads it.

    Returns
    -------
    backend : str
        ``'cpu'`` or ``'gpu'``.

    Raises
    ------
    ValueError
        If ``name`` is not one of the names above.
    BackendUnavailableError
        If ``name`` asks for the GPU and none can be used.

    Examples
    --------
    >>> default_backend()
    'cpu'
    """
    if name is None:
        return "gpu" if _xp.default_is_gpu() else "cpu"
    chosen = _backend_name(name, "default_backend")
    if chosen == "gpu":
        require_gpu()
    _xp.set_default(chosen)
    return chosen


def device_put(x: Any, device: str = "gpu") -> Any:
    """``x`` (a pytree of arrays) on ``device``: ``'gpu'`` gives CuPy arrays, ``'cpu'``
    NumPy arrays. Arrays already there are returned as they are.

    Parameters
    ----------
    x : pytree of array_like
        Arrays (NumPy or CuPy) and numbers.
    device : {"gpu", "cpu", "cuda", "cupy", "numpy"}, optional
        Where to put them (default ``"gpu"``).

    Returns
    -------
    out : pytree
        ``x``'s structure, with CuPy arrays (``'gpu'``) or NumPy arrays (``'cpu'``).

    Raises
    ------
    ValueError
        If ``device`` is not one of the names above.
    TypeError
        If a leaf is not an array or a number, or is a traced value (call ``device_put``
        outside the transformed function).
    BackendUnavailableError
        If ``device`` is the GPU and none can be used.

    Examples
    --------
    >>> device_put([np.zeros(1), [np.ones(1)]], "cpu")
    [array([0.]), [array([1.])]]
    """
    where = _backend_name(device, "device_put")
    leaves, tree = tree_flatten(x)
    out = []
    for i, leaf in enumerate(leaves):
        if isinstance(leaf, Tracer):
            raise TypeError(f"device_put: leaf {i} is a traced value; move arrays before "
                            "transforming, not inside the function")
        if not (hasattr(leaf, "shape") or isinstance(leaf, (bool, int, float, complex))):
            raise TypeError(f"device_put: leaf {i} is a {type(leaf).__name__}, expected an "
                            "array or a number")
        if where == "gpu":
            out.append(leaf if is_gpu_array(leaf) else require_gpu().asarray(leaf))
        elif is_gpu_array(leaf):
            out.append(leaf.get())
        else:
            out.append(leaf if isinstance(leaf, (np.ndarray, np.generic)) else np.asarray(leaf))
    return tree_unflatten(tree, out)


def to_host(x: Any, dtype: Any = None) -> np.ndarray:
    """``x`` as a NumPy array: copied from the GPU for a CuPy array, ``np.asarray`` else.

    Parameters
    ----------
    x : array_like
        A NumPy or CuPy array, or anything ``np.asarray`` takes.
    dtype : data-type, optional
        The dtype of the result (default: ``x``'s).

    Returns
    -------
    out : numpy.ndarray
        On the host.

    Examples
    --------
    >>> to_host(2.0, np.float32)
    array(2., dtype=float32)
    """
    if is_gpu_array(x):
        x = x.get()
    return np.asarray(x, dtype)


def from_device(x: Any) -> Any:
    """``x`` copied to NumPy if it is a CuPy array; anything else as it is.

    Parameters
    ----------
    x : object
        An array, a number or anything else.

    Returns
    -------
    out : object
        A NumPy array for a CuPy array, else ``x`` itself.

    Examples
    --------
    >>> from_device(2.0)
    2.0
    """
    return to_host(x) if is_gpu_array(x) else x


def check_same_backend(leaves: Sequence[Any], where: str) -> None:
    """Raise ``BackendMismatchError`` if ``leaves`` hold both NumPy arrays and CuPy arrays.
    Numbers (Python or NumPy scalars, 0-d NumPy arrays) go with either.

    Parameters
    ----------
    leaves : sequence
        The arrays and numbers of one call.
    where : str
        The call's name, for the message.

    Returns
    -------
    None

    Raises
    ------
    BackendMismatchError
        If CuPy arrays and NumPy arrays of one or more dimensions are mixed.

    Examples
    --------
    >>> check_same_backend([np.ones(2), 3.0], "grad")
    """
    gpu = [i for i, x in enumerate(leaves) if is_gpu_array(x)]
    if not gpu:
        return
    cpu = [i for i, x in enumerate(leaves) if type(x) is np.ndarray and x.ndim]
    if cpu:
        raise BackendMismatchError(
            f"{where} was given CuPy (GPU) arrays (inputs {gpu}) and NumPy (CPU) arrays "
            f"(inputs {cpu}) together; put them on one device first, e.g. "
            "ftrans.device_put(x, 'gpu') or ftrans.device_put(x, 'cpu')")


_HOST = frozenset({np.ndarray, float, int, bool, complex, str, type(None)})  # never on the GPU


def _holds_gpu_array(tree: Any) -> bool:
    return any(is_gpu_array(x) for x in tree_flatten(tree)[0])


def to_call_device(leaves: Sequence[Any], where: str, context: Sequence[Any] = ()
                   ) -> tuple[list[Any], Any]:
    """The input leaves of one call on the call's device, and that device's array module.

    The call runs on the GPU when a leaf is a CuPy array (or ``default_backend('gpu')``);
    its NumPy arrays (and 0-d arrays made from Python numbers) are then copied to the
    device, so that every value the computation meets is a CuPy array. NumPy and CuPy
    arrays of more than 0 dimensions in one call raise ``BackendMismatchError``. CuPy arrays
    in the pytrees of ``context`` (the call's other arguments, e.g. those not differentiated,
    which the function closes over) also put the call on the GPU.

    Parameters
    ----------
    leaves : sequence
        The call's input leaves.
    where : str
        The call's name, for messages.
    context : sequence, optional
        Other pytrees whose CuPy arrays put the call on the GPU.

    Returns
    -------
    leaves : list
        The leaves, on the call's device.
    xp : module
        ``numpy`` or ``cupy``.

    Raises
    ------
    BackendMismatchError
        If NumPy and CuPy arrays are mixed.
    BackendUnavailableError
        If the call must run on a GPU that cannot be used.

    Examples
    --------
    >>> leaves, xp = to_call_device([np.ones(2), np.asarray(1.0)], "grad")
    >>> xp.__name__
    'numpy'
    """
    if not _xp.default_is_gpu() and all(type(x) is np.ndarray for x in leaves) \
            and all(type(x) in _HOST for x in context):
        return list(leaves), np  # fast path: NumPy arrays only (the commonest call)
    check_same_backend(leaves, where)
    if not (any(is_gpu_array(x) for x in leaves) or _xp.default_is_gpu()
            or (context and _holds_gpu_array(context))):
        return list(leaves), np
    cp = require_gpu()
    return on_device(cp, leaves), cp


def backend_of(leaves: Sequence[Any], where: str = "ftrans") -> str:
    """``'cupy'`` if any leaf is a CuPy array (checking none is a NumPy array), else the
    default backend's array library (``'numpy'`` or ``'cupy'``).

    Parameters
    ----------
    leaves : sequence
        Arrays and numbers.
    where : str, optional
        The call's name, for the message (default ``"ftrans"``).

    Returns
    -------
    backend : str
        ``'numpy'`` or ``'cupy'``.

    Raises
    ------
    BackendMismatchError
        If NumPy and CuPy arrays are mixed.

    Examples
    --------
    >>> backend_of([np.ones(2)])
    'numpy'
    """
    check_same_backend(leaves, where)
    if any(is_gpu_array(x) for x in leaves) or _xp.default_is_gpu():
        return "cupy"
    return "numpy"


__all__ = ["BackendMismatchError", "BackendUnavailableError", "DeviceOutOfMemoryError",
           "device_put", "default_backend", "backend_of", "check_same_backend",
           "is_gpu_array", "require_gpu", "on_device", "to_call_device", "to_host", "from_device"]


def block_until_ready(x: Any) -> Any:
    """Wait until the arrays of the pytree ``x`` are computed, then return ``x``: CuPy runs
    kernels asynchronously, so the GPU is synchronized when ``x`` holds a CuPy array (for
    timing); NumPy arrays (and traced values) are ready as they are.

    Parameters
    ----------
    x : pytree
        Arrays, numbers, anything.

    Returns
    -------
    x : pytree
        The same object.

    Examples
    --------
    >>> block_until_ready({"a": np.ones(2)})
    {'a': array([1., 1.])}
    """
    if any(is_gpu_array(leaf) for leaf in tree_leaves(x)):
        cupy_module().cuda.Device().synchronize()
    return x


def device_get(x: Any) -> Any:
    """The pytree ``x`` with its CuPy arrays copied to NumPy arrays (JAX's
    ``device_get``); other leaves are returned as they are.

    Parameters
    ----------
    x : pytree
        Arrays (NumPy or CuPy), numbers, anything.

    Returns
    -------
    out : pytree
        ``x``'s structure, with NumPy arrays for its CuPy arrays.

    Raises
    ------
    TypeError
        If a leaf is a traced value (call ``device_get`` on the results, outside the
        transformed function).

    Examples
    --------
    >>> device_get([np.zeros(1), 2.0])
    [array([0.]), 2.0]
    """
    leaves, tree = tree_flatten(x)
    for i, leaf in enumerate(leaves):
        if isinstance(leaf, Tracer):
            raise TypeError(f"device_get: leaf {i} is a traced value {leaf.aval.str_short()}: "
                            "its value exists only once the transformation has run; call "
                            "device_get on the results, outside the function")
    return tree_unflatten(tree, [leaf.get() if is_gpu_array(leaf) else leaf for leaf in leaves])
