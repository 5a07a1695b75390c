"""Grids and differences: meshgrid, kron, diff, from broadcasts, products and slices.

>>> import ftrans.numpy as fnp, numpy as np
>>> fnp.diff(np.array([1.0, 4.0, 9.0]))
array([3., 5.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..prims import shape as sh
from ._elementwise import multiply
from ._literals import Indexing
from ._manip import concatenate, one_axis, slice_axis
from ._promote import any_tracer, broadcast_to_shape, is_tracer, shape_of
from ._promote import as_array as _as_array
from ._shape import ravel, reshape

# ----------------------------------------------------------------------------- grids, kron


def meshgrid(*xi: Any, copy: bool = True, sparse: bool = False, indexing: Indexing = "xy"
             ) -> tuple[Any, ...]:
    """NumPy's ``meshgrid``.

    Parameters
    ----------
    *xi : array_like
        The coordinate vectors (flattened).
    copy : bool, optional
        NumPy's keyword; traced grids are never views.
    sparse : bool, optional
        Return broadcastable vectors instead of full grids (default False).
    indexing : {'xy', 'ij'}, optional
        Cartesian ('xy', default: the first two axes swapped) or matrix ('ij') indexing.

    Returns
    -------
    grids : tuple of ndarray
        One array per input; differentiable.

    Raises
    ------
    ValueError
        If ``indexing`` is neither 'xy' nor 'ij'.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> [g.shape for g in fnp.meshgrid(np.ones(2), np.ones(3))]
    [(3, 2), (3, 2)]
    """
    if not any_tracer(xi):
        return tuple(np.meshgrid(*xi, copy=copy, sparse=sparse, indexing=indexing))
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    xs = [ravel(_as_array(x)) for x in xi]
    nd = len(xs)
    shape = [x.shape[0] for x in xs]
    pos = list(range(nd))
    if indexing == "xy" and nd > 1:
        shape[0], shape[1] = shape[1], shape[0]
        pos[0], pos[1] = 1, 0
    out = []
    for x, p in zip(xs, pos):
        if sparse:
            s = [1] * nd
            s[p] = x.shape[0]
            out.append(reshape(x, s))
        else:
            out.append(sh.broadcast_in_dim(x, tuple(shape), (p,)) if is_tracer(x)
                       else np.broadcast_to(np.reshape(x, [x.shape[0] if i == p else 1
                                                           for i in range(nd)]), shape))
    return tuple(out)


def kron(a: Any, b: Any) -> Any:
    """NumPy's ``kron``: the Kronecker product.

    Parameters
    ----------
    a, b : array_like
        The factors (the one with fewer dimensions gets leading axes of length one).

    Returns
    -------
    out : ndarray
        The blocks ``a[i, j] * b``; differentiable in both.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.kron(np.eye(2), np.ones((1, 2))).shape
    (2, 4)
    """
    if not any_tracer((a, b)):
        return np.kron(a, b)
    a, b = _as_array(a), _as_array(b)
    nd = max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = reshape(b, (1,) * (nd - b.ndim) + b.shape)
    sa, sb = shape_of(a), shape_of(b)
    big = tuple(x for p, q in zip(sa, sb) for x in (p, q))
    ab = _bcast_dims(a, big, tuple(range(0, 2 * nd, 2)))
    bb = _bcast_dims(b, big, tuple(range(1, 2 * nd, 2)))
    return reshape(multiply(ab, bb), tuple(p * q for p, q in zip(sa, sb)))


def _bcast_dims(x: Any, shape: tuple, dims: tuple) -> Any:
    if is_tracer(x):
        return sh.broadcast_in_dim(x, shape, dims)
    expanded = [1] * len(shape)
    for src, dst in enumerate(dims):
        expanded[dst] = np.shape(x)[src]
    return np.broadcast_to(np.reshape(x, expanded), shape)



def diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Any:
    """NumPy's ``diff``: the ``n``-th discrete difference along ``axis``.

    Parameters
    ----------
    a : array_like
        The input.
    n : int, optional
        The number of times values are differenced (default 1).
    axis : int, optional
        The axis (default -1).
    prepend, append : array_like, optional
        Values joined before and after ``a`` along ``axis`` first (scalars are broadcast).

    Returns
    -------
    out : ndarray
        The differences, ``n`` shorter along ``axis``; differentiable.

    Raises
    ------
    ValueError
        If ``n`` is negative.
    numpy.exceptions.AxisError
        If ``axis`` is out of bounds.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.diff(np.array([1.0, 4.0, 9.0]))
    array([3., 5.])
    """
    if not any_tracer((a, prepend, append)):
        kw = {k: v for k, v in (("prepend", prepend), ("append", append)) if v is not None}
        return np.diff(a, n, axis, **kw)
    a = _as_array(a)
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n}")
    ax = one_axis(axis, a.ndim, "diff")
    parts: list[Any] = []  # prepend and append as arrays (None: not given)
    for extra in (prepend, append):
        if extra is None:
            parts.append(None)
            continue
        e = _as_array(extra)
        if len(shape_of(e)) == 0:
            s = list(a.shape)
            s[ax] = 1
            e = broadcast_to_shape(e, tuple(s)) if is_tracer(e) else np.broadcast_to(e, s)
        parts.append(e)
    if parts[0] is not None or parts[1] is not None:
        a = concatenate([p for p in (parts[0], a, parts[1]) if p is not None], ax)
    for _ in range(n):
        m = shape_of(a)[ax]
        a = slice_axis(a, ax, 1, max(m, 1)) - slice_axis(a, ax, 0, max(m - 1, 0))
    return a
