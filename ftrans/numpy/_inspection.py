"""The array API standard's inspection and data-type functions: ``__array_api_version__``,
``__array_namespace_info__``, ``isdtype``, ``can_cast`` and the ``device=`` arguments.

ftrans has no array type of its own: plain inputs give NumPy arrays (device ``"cpu"``),
CuPy inputs CuPy arrays, and traced values stay traced. Traced values report the device
``"cpu"``: where a traced computation runs is decided when it is called, by its inputs.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..core import Tracer
from ._literals import Casting
from ._promote import is_tracer, normalize_axes, shape_of

__array_api_version__ = "2023.12"

DEVICE = "cpu"

_DTYPE_NAMES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "float32", "float64", "complex64", "complex128")


def check_device(device: Any, where: str) -> None:
    """Accept the array API's ``device=`` argument: ``None`` or ``"cpu"`` (NumPy's device,
    the only one ftrans creates arrays on; move arrays to a GPU with ``ftrans.device_put``).

    >>> check_device("cpu", "asarray")
    >>> try:
    ...     check_device("tpu", "asarray")
    ... except ValueError as e:
    ...     print(str(e)[:40])
    asarray: device must be None or 'cpu' (m
    """
    if device is not None and device != DEVICE:
        raise ValueError(f"{where}: device must be None or 'cpu' (move arrays to a GPU with "
                         f"ftrans.device_put), got {device!r}")


def device_of(x: Any) -> Any:
    """The array API ``.device`` of ``x``: a tracer's concrete value's device when it is a
    CuPy array, else ``"cpu"``.

    >>> device_of(np.ones(2))
    'cpu'
    """
    if isinstance(x, Tracer):
        val = x.val
        while isinstance(val, Tracer):
            val = val.val
        return DEVICE if val is None or isinstance(val, np.ndarray | np.generic) \
            else getattr(val, "device", DEVICE)
    return getattr(x, "device", DEVICE)


def to_device(x: Any, device: Any, /, *, stream: Any = None) -> Any:
    """The array API's ``x.to_device(device)`` for traced arrays: the same value when
    ``device`` is where it already is.

    >>> import ftrans, ftrans.numpy as fnp
    >>> float(ftrans.grad(lambda x: fnp.sum(x.to_device("cpu") ** 2))(3.0))
    6.0
    """
    if stream is not None:
        raise ValueError(f"to_device: stream must be None on ftrans arrays, got {stream!r}")
    if device != device_of(x):
        raise ValueError(f"to_device: a traced array cannot change device inside a trace "
                         f"(it is on {device_of(x)!r}, asked for {device!r}); move the inputs "
                         "with ftrans.device_put before calling the transformed function")
    return x


def isdtype(dtype: Any, kind: Any) -> bool:
    """Whether ``dtype`` is of ``kind``: a dtype, one of ``'bool'``, ``'signed integer'``,
    ``'unsigned integer'``, ``'integral'``, ``'real floating'``, ``'complex floating'``,
    ``'numeric'``, or a tuple of these (NumPy's ``isdtype``).

    Parameters
    ----------
    dtype : data-type
        The dtype asked about.
    kind : data-type, str or tuple
        A dtype, a kind name (``'real floating'``, ...) or a tuple of these.

    Returns
    -------
    out : bool
        Whether ``dtype`` is of ``kind``.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.isdtype(fnp.float32, "real floating"), fnp.isdtype(fnp.int8, ("bool", "integral"))
    (True, True)
    """
    return np.isdtype(dtype, kind)


def can_cast(from_: Any, to: Any, /, casting: Casting = "safe") -> bool:
    """Whether ``from_`` (a dtype, an array or a traced array) converts to dtype ``to``
    under NumPy's ``casting`` rule (``'safe'``: no loss of values).

    Parameters
    ----------
    from_ : data-type or array_like
        A dtype, an array or a traced array.
    to : data-type
        The target dtype.
    casting : {'no', 'equiv', 'safe', 'same_kind', 'unsafe'}, optional
        NumPy's rule (default ``'safe'``).

    Returns
    -------
    out : bool
        Whether the conversion is allowed.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.can_cast(fnp.int8, fnp.int16), fnp.can_cast(fnp.float64, fnp.float32)
    (True, False)
    """
    if isinstance(from_, Tracer):
        from_ = from_.dtype
    return bool(np.can_cast(from_, to, casting=casting))


def _dtype_argument(x: Any) -> Any:
    """The dtype meant by ``x``: a dtype as it is, an array's or traced array's dtype."""
    return x.dtype if isinstance(x, Tracer | np.ndarray) else x


def finfo(type: Any) -> np.finfo:  # noqa: A002 (NumPy's name)
    """NumPy's ``finfo`` of a floating dtype — or, as the array API and JAX allow, of an
    array or traced array of that dtype.

    Parameters
    ----------
    type : data-type or array_like
        A floating dtype, or an array or traced array of one.

    Returns
    -------
    out : numpy.finfo
        NumPy's machine limits of that dtype.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.finfo(np.ones(2, np.float32)).bits
    32
    """
    return np.finfo(_dtype_argument(type))


def iinfo(type: Any) -> np.iinfo:  # noqa: A002 (NumPy's name)
    """NumPy's ``iinfo`` of an integer dtype, or of an array or traced array of one.

    Parameters
    ----------
    type : data-type or array_like
        An integer dtype, or an array or traced array of one.

    Returns
    -------
    out : numpy.iinfo
        NumPy's machine limits of that dtype.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.iinfo(np.arange(3, dtype=np.int8)).max
    127
    """
    return np.iinfo(_dtype_argument(type))


class ArrayNamespaceInfo:
    """What ``ftrans.numpy`` offers, as the array API's inspection object describes it:
    NumPy's dtypes and defaults, on the one device ``"cpu"``.

    >>> import ftrans.numpy as fnp
    >>> info = fnp.__array_namespace_info__()
    >>> info.default_dtypes()["real floating"], info.devices()
    (dtype('float64'), ['cpu'])
    """

    def capabilities(self) -> dict[str, Any]:
        """Boolean indexing and data-dependent output shapes work on plain arrays and under
        ``grad`` (whose traced values are concrete); under ``jit``/``vmap`` they need
        concrete values (``nonzero`` takes ``size=`` there)."""
        return {"boolean indexing": True, "data-dependent shapes": True,
                "max dimensions": 64}

    def default_device(self) -> str:
        return DEVICE

    def devices(self) -> list[str]:
        return [DEVICE]

    def default_dtypes(self, *, device: Any = None) -> dict[str, np.dtype]:
        check_device(device, "default_dtypes")
        return {"real floating": np.dtype(np.float64),
                "complex floating": np.dtype(np.complex128),
                "integral": np.dtype(np.int64), "indexing": np.dtype(np.int64)}

    def dtypes(self, *, device: Any = None, kind: Any = None) -> dict[str, np.dtype]:
        check_device(device, "dtypes")
        out = {}
        for name in _DTYPE_NAMES:
            dt = np.dtype(name)
            if kind is None or np.isdtype(dt, kind):
                out[name] = dt
        return out


def __array_namespace_info__() -> ArrayNamespaceInfo:
    """The array API inspection object of ``ftrans.numpy``.

    >>> import ftrans.numpy as fnp
    >>> list(fnp.__array_namespace_info__().dtypes(kind="bool"))
    ['bool']
    """
    return ArrayNamespaceInfo()


def shape(a: Any) -> tuple[int, ...]:
    """The shape of ``a``.

    Parameters
    ----------
    a : array_like
        An array, a nested sequence, a scalar or a traced array.

    Returns
    -------
    shape : tuple of int
        Its shape (static, also under ``jit``).

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.shape(1.0)
    ()
    """
    return shape_of(a)


def ndim(a: Any) -> int:
    """The number of axes of ``a``.

    Parameters
    ----------
    a : array_like
        An array, a nested sequence, a scalar or a traced array.

    Returns
    -------
    ndim : int
        Its number of axes.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.ndim(1.0)
    0
    """
    return len(shape_of(a))


def size(a: Any, axis: int | Sequence[int] | None = None) -> int:
    """NumPy's ``size``: the number of elements of ``a`` (along ``axis``, an int or a tuple
    of ints); on traced arrays too (``np.size(x)`` dispatches here).

    Parameters
    ----------
    a : array_like
        An array, a nested sequence, a scalar or a traced array.
    axis : int or tuple of int, optional
        Count along these axes only (default all).

    Returns
    -------
    size : int
        The number of elements.

    Raises
    ------
    numpy.exceptions.AxisError
        If an axis is out of bounds.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.size(np.ones((2, 3))), fnp.size(np.ones((2, 3)), 1), fnp.size([[1, 2]], (0, 1))
    (6, 3, 2)
    """
    s = shape_of(a) if is_tracer(a) else np.shape(a)
    if axis is None:
        return math.prod(s)
    axes = normalize_axes(axis, len(s), "size")
    return math.prod([s[k] for k in axes])
