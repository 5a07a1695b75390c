"""NumPy 2 dtype promotion and broadcasting for the wrappers, made explicit in the IR.

Result dtypes are NumPy's own: the ufunc is asked what it returns for 0-d inputs of the
operands' dtypes, with Python scalars kept as (weak) Python scalars. Operands are then
converted (``convert_element_type``) and broadcast (``broadcast_in_dim``) so primitives see
equal dtypes and shapes; constant scalars stay scalars.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
from numpy.typing import DTypeLike

from ..core import Tracer
from ..device import is_gpu_array
from ..errors import user_frame
from ..prims.shape import broadcast_in_dim, convert_element_type

_SCALARS = (bool, int, float, complex)
_REPRESENTATIVE = {bool: True, int: 1, float: 1.0, complex: 1j}
_cache: dict[tuple, np.dtype] = {}


def is_tracer(x: Any) -> bool:
    return isinstance(x, Tracer)


def as_array(x: Any) -> Any:
    """``x`` as an array for a wrapper's constant operand: tracers and CuPy arrays as they
    are (never copied to the host implicitly), anything else through ``np.asarray``.

    >>> as_array([1.0, 2.0])
    array([1., 2.])
    """
    return x if isinstance(x, Tracer) or is_gpu_array(x) else np.asarray(x)


def any_gpu_array(args: Sequence[Any]) -> bool:
    """Whether one of ``args`` is a CuPy array: wrappers whose NumPy function CuPy lacks then
    take their traced route (primitives, which run on the device) instead of NumPy's.

    >>> any_gpu_array([np.ones(2), 1.0])
    False
    """
    return any(is_gpu_array(a) for a in args)


def dtype_of(x: Any) -> np.dtype:
    """The dtype of an array, tracer or number, read without converting it.

    >>> dtype_of(2.0)
    dtype('float64')
    """
    dt = getattr(x, "dtype", None)
    return np.dtype(dt) if dt is not None else np.asarray(x).dtype


def any_tracer(args: Sequence[Any]) -> bool:
    for a in args:
        if isinstance(a, Tracer):
            return True
    return False


def dtype_key(x: Any) -> Any:
    if isinstance(x, Tracer):
        return x.aval.dtype
    if isinstance(x, _SCALARS):
        return type(x)
    dt = getattr(x, "dtype", None)
    if dt is None:
        return np.asarray(x).dtype
    return dt


def _representative(key: Any) -> Any:
    return _REPRESENTATIVE[key] if key in _REPRESENTATIVE else np.ones((), key)


def operand_dtype(ufunc: Callable, args: Sequence[Any]) -> np.dtype:
    """The dtype the operands of ``ufunc`` are computed in, as NumPy 2 decides (not always
    its result's: ``abs`` of complex128 computes on complex128 and gives float64).

    >>> operand_dtype(np.absolute, (np.ones(2, np.complex64),)), operand_dtype(np.sin, (1,))
    (dtype('complex64'), dtype('float64'))
    """
    keys = tuple([dtype_key(a) for a in args])
    cache_key = (ufunc, keys)
    dt = _cache.get(cache_key)
    if dt is None:
        reps = [_representative(k) for k in keys]
        common = np.result_type(*reps)
        with np.errstate(all="ignore"):
            out = np.asarray(ufunc(*[np.ones((), common)] * len(args))).dtype
        # a test (bool) or a complex-to-real function (abs) computes in the operands' dtype
        keep = out == np.bool_ or (common.kind == "c" and out.kind != "c")
        dt = _cache[cache_key] = common if keep else out
    return dt


def result_dtype(*args: Any) -> np.dtype:
    return np.result_type(*[_representative(dtype_key(a)) for a in args])


def to_dtype(x: Any, dtype: DTypeLike) -> Any:
    """``x`` in ``dtype``: tracers through convert_element_type, constants directly."""
    if isinstance(x, Tracer):
        return convert_element_type(x, dtype) if x.aval.dtype != dtype else x
    if isinstance(x, _SCALARS):
        return np.asarray(x, dtype)
    x = x if hasattr(x, "dtype") else np.asarray(x)
    return x if x.dtype == dtype else x.astype(dtype)


def shape_of(x: Any) -> tuple[int, ...]:
    if isinstance(x, Tracer):
        return x.aval.shape
    if isinstance(x, _SCALARS):
        return ()
    return np.shape(x)


def broadcast_shapes(args: Sequence[Any], what: str) -> tuple[int, ...]:
    shapes = [shape_of(a) for a in args]
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError(f"{what}: operands could not be broadcast together with shapes "
                         f"{' '.join(str(s) for s in shapes)}{traced_where(args)}") from None


def traced_where(args: Sequence[Any]) -> str:
    """For an error about ``args`` met while tracing: where in the user's code (the traceback
    shows ftrans's frames last), and, under ``vmap``, that shapes are those of one example.

    >>> traced_where([1.0])
    ''
    """
    if not any(isinstance(a, Tracer) for a in args):
        return ""
    text = f" at {user_frame()}"
    for a in args:
        while isinstance(a, Tracer):
            if a._trace.why == "vmap":
                return text + " (under vmap: the shapes of one example, the batch axis not shown)"
            a = a.val
    return text


def broadcast_to_shape(x: Any, shape: tuple[int, ...]) -> Any:
    s = shape_of(x)
    if s == shape:
        return x
    if not s and not isinstance(x, Tracer):
        return x  # a constant scalar stays a literal
    lead = len(shape) - len(s)
    return broadcast_in_dim(x, shape, tuple(range(lead, len(shape))))


def promote(ufunc: Callable, args: Sequence[Any], what: str) -> list[Any]:
    """Convert and broadcast ``args`` for the elementwise primitive behind ``ufunc``."""
    dtype = operand_dtype(ufunc, args)
    shapes = [shape_of(a) for a in args]
    s0 = shapes[0]
    if all(s == s0 or not s for s in shapes):  # fast path: equal shapes, or scalars
        shape = s0 if s0 else max(shapes, key=len)
        if all(s == shape for s in shapes):
            return [to_dtype(a, dtype) for a in args]
    else:
        shape = broadcast_shapes(args, what)
    return [broadcast_to_shape(to_dtype(a, dtype), shape) for a in args]


def normalize_axes(axis: Any, ndim: int, what: str) -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple) as sorted non-negative ints; NumPy's AxisError."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(
                f"{what}: axis {a} is out of bounds for array of dimension {ndim}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{what}: duplicate value in 'axis'")
    return tuple(sorted(out))
