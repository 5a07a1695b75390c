"""Reductions with NumPy's ``axis``, ``keepdims`` and result dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..prims import reduce as red
from ..prims.shape import expand_dims as _expand_dims
from ._promote import is_tracer, normalize_axes, to_dtype


def _reduce(prim: Any, x: Any, axis: Any, keepdims: bool, what: str) -> Any:
    axes = normalize_axes(axis, x.ndim, what)
    out = prim.bind(x, axes=axes) if axes else x
    return _expand_dims(out, axes) if keepdims and axes else out


def sum(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """NumPy's ``sum``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.sum(np.arange(4.0), axis=0)
    6.0
    """
    if not is_tracer(a):
        return np.sum(a, axis=axis, dtype=dtype, keepdims=keepdims)
    dt = np.dtype(dtype) if dtype is not None else np.sum(np.ones(1, a.dtype)).dtype
    return _reduce(red.reduce_sum_p, to_dtype(a, dt), axis, keepdims, "sum")


def mean(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:
    """NumPy's ``mean``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.mean(np.arange(4.0))
    1.5
    """
    if not is_tracer(a):
        return np.mean(a, axis=axis, dtype=dtype, keepdims=keepdims)
    dt = np.dtype(dtype) if dtype is not None else np.mean(np.ones(1, a.dtype)).dtype
    axes = normalize_axes(axis, a.ndim, "mean")
    count = int(np.prod([a.shape[i] for i in axes], dtype=np.int64))
    return sum(to_dtype(a, dt), axis=axes, keepdims=keepdims) / count


def _extremum(prim: Any, np_fn: Any, name: str):
    def fn(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        if not is_tracer(a):
            return np_fn(a, axis=axis, keepdims=keepdims)
        axes = normalize_axes(axis, a.ndim, name)
        if any(a.shape[i] == 0 for i in axes):
            raise ValueError(f"zero-size array to reduction operation {name} which has no "
                             "identity")
        return _reduce(prim, a, axes, keepdims, name)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"NumPy's ``{name}``.\n\n>>> import ftrans.numpy as fnp, numpy as np\n"
                  f">>> fnp.{name}(np.array([1.0, 3.0, 2.0]))\n"
                  f"{3.0 if name == 'max' else 1.0}\n")
    return fn


max = _extremum(red.reduce_max_p, np.max, "max")  # noqa: A001
min = _extremum(red.reduce_min_p, np.min, "min")  # noqa: A001
amax = max
amin = min
