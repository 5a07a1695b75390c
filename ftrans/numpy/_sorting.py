"""Sorting, searching and selection: sort (a gather with argsort's indices, so its
derivative moves with the values), argsort, searchsorted, where, nonzero, select, unique."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core import same_device
from ..device import to_host
from ..prims import sorting as so
from ._elementwise import where as _where3
from ._indexing import _concrete, take, take_along_axis
from ._promote import any_tracer, is_tracer, normalize_axes


def argsort(a: Any, axis: int | None = -1, kind: str | None = None, order: Any = None, *,
            stable: bool | None = None) -> Any:
    """NumPy's ``argsort`` (always stable; an integer result: no derivative).

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.argsort(np.array([3.0, 1.0, 2.0]))
    array([1, 2, 0])
    """
    if not is_tracer(a):
        return np.argsort(a, axis=axis, kind=kind, order=order, stable=stable)
    if axis is None:
        from ._shape import ravel
        a, axis = ravel(a), 0
    return so.argsort(a, normalize_axes(axis, a.ndim, "argsort")[0])


def sort(a: Any, axis: int | None = -1, kind: str | None = None, order: Any = None, *,
         stable: bool | None = None) -> Any:
    """NumPy's ``sort``; the derivative follows each value to its sorted place.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.sort(np.array([3.0, 1.0, 2.0]))
    array([1., 2., 3.])
    """
    if not is_tracer(a):
        return np.sort(a, axis=axis, kind=kind, order=order, stable=stable)
    if axis is None:
        from ._shape import ravel
        a, axis = ravel(a), 0
    if a.ndim == 0:
        raise np.exceptions.AxisError("axis -1 is out of bounds for array of dimension 0")
    ax = normalize_axes(axis, a.ndim, "sort")[0]
    return take_along_axis(a, so.argsort(a, ax), ax)


def searchsorted(a: Any, v: Any, side: str = "left", sorter: Any = None) -> Any:
    """NumPy's ``searchsorted`` (an integer result: no derivative with respect to either).

    >>> import ftrans.numpy as fnp, numpy as np
    >>> int(fnp.searchsorted(np.array([1.0, 2.0, 3.0]), 2.5))
    2
    """
    if not any_tracer((a, v, sorter)):
        return np.searchsorted(a, v, side=side, sorter=sorter)
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right' (got {side!r})")
    from ._promote import result_dtype, to_dtype
    if sorter is not None:
        a = take(a, sorter)
    dt = result_dtype(a, v)
    return so.searchsorted(to_dtype(a, dt), to_dtype(v, dt), side)


def nonzero(a: Any) -> tuple[Any, ...]:
    """NumPy's ``nonzero`` on a concrete value (the output shape depends on it).

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.nonzero(np.array([0.0, 2.0]))
    (array([1]),)
    """
    return np.nonzero(_concrete(a, "nonzero (one-argument where)"))


def flatnonzero(a: Any) -> Any:
    """NumPy's ``flatnonzero`` on a concrete value.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.flatnonzero(np.array([0.0, 2.0]))
    array([1])
    """
    return np.flatnonzero(_concrete(a, "flatnonzero"))


def argwhere(a: Any) -> Any:
    """NumPy's ``argwhere`` on a concrete value.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.argwhere(np.array([0.0, 2.0]))
    array([[1]])
    """
    return np.argwhere(_concrete(a, "argwhere"))


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    """NumPy's ``where``: ``x`` where ``condition`` holds, else ``y``; with one argument,
    ``nonzero(condition)`` (which needs a concrete condition).

    >>> import ftrans.numpy as fnp
    >>> fnp.where(True, 1.0, 2.0)
    1.0
    """
    if x is None and y is None:
        return nonzero(condition)
    return _where3(condition, x, y)


def select(condlist: Sequence[Any], choicelist: Sequence[Any], default: Any = 0) -> Any:
    """NumPy's ``select``: the first choice whose condition holds, else ``default``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.select([np.array([True, False])], [np.array([1.0, 2.0])], 0.0)
    array([1., 0.])
    """
    if not any_tracer(tuple(condlist) + tuple(choicelist) + (default,)):
        return np.select(condlist, choicelist, default)
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if not condlist:
        raise ValueError("select with an empty condition list is not possible")
    from ._promote import dtype_of, result_dtype, to_dtype
    dt = result_dtype(*choicelist, default)
    out = to_dtype(default, dt)
    for cond, choice in zip(reversed(condlist), reversed(choicelist)):
        if not (is_tracer(cond) and cond.dtype == np.bool_) and not (
                not is_tracer(cond) and dtype_of(cond) == np.bool_):
            raise TypeError(f"invalid entry in condlist: should be boolean ndarray, got "
                            f"{getattr(cond, 'dtype', type(cond).__name__)}")
        out = _where3(cond, to_dtype(choice, dt), out)
    return out


def unique(ar: Any, return_index: bool = False, return_inverse: bool = False,
           return_counts: bool = False, axis: int | None = None, *,
           equal_nan: bool = True) -> Any:
    """NumPy's ``unique`` of a concrete value; the unique values stay differentiable (each
    is the first occurrence of its value).

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.unique(np.array([2.0, 1.0, 2.0]))
    array([1., 2.])
    """
    if not is_tracer(ar):
        return np.unique(ar, return_index, return_inverse, return_counts, axis,
                         equal_nan=equal_nan)
    if axis is not None:
        raise NotImplementedError("unique(axis=...) on traced arrays: use axis=None")
    val = _concrete(ar, "unique")
    res = np.unique(to_host(val), return_index=True, return_inverse=return_inverse,
                    return_counts=return_counts, equal_nan=equal_nan)
    values = take(ar, res[1])
    extra = []
    if return_index:
        extra.append(res[1])
    extra.extend(res[2:])
    extra = [same_device(e, val) for e in extra]  # on the GPU for a CuPy ``ar``
    return (values, *extra) if extra else values
