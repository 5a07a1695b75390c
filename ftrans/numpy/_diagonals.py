"""Diagonals and triangles: diagonal, trace, diag, diagflat, tril, triu, as gathers and
masks, so they are linear.

>>> import ftrans.numpy as fnp, numpy as np
>>> fnp.diag(np.array([1.0, 2.0]))
array([[1., 0.],
       [0., 2.]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..prims import shape as sh
from ..prims.indexing import gather
from ._elementwise import where as _where
from ._manip import one_axis
from ._promote import broadcast_to_shape, is_tracer
from ._shape import ravel

# ----------------------------------------------------------------------------- diagonals


def _diagonal_indices(n: int, m: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    i = np.arange(max(0, -offset), min(n, m - offset)) if min(n, m - offset) > max(
        0, -offset) else np.zeros(0, np.intp)
    return i, i + offset


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """NumPy's ``diagonal``: the diagonal becomes the last axis.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.diagonal(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([1., 4.])
    """
    if not is_tracer(a):
        return np.diagonal(a, offset, axis1, axis2)
    if a.ndim < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    ax1, ax2 = one_axis(axis1, a.ndim, "diagonal"), one_axis(axis2, a.ndim, "diagonal")
    if ax1 == ax2:
        raise ValueError("axis1 and axis2 cannot be the same")
    rest = [d for d in range(a.ndim) if d not in (ax1, ax2)]
    moved = sh.transpose(a, rest + [ax1, ax2])
    n, m = a.shape[ax1], a.shape[ax2]
    rows, cols = _diagonal_indices(n, m, int(offset))
    flat = sh.reshape(moved, moved.shape[:-2] + (n * m,))
    return gather(flat, (rows * m + cols).astype(np.intp), len(rest))


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None) -> Any:
    """NumPy's ``trace``: the sum along a diagonal.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.trace(np.eye(3))
    3.0
    """
    if not is_tracer(a):
        return np.trace(a, offset, axis1, axis2, dtype)
    from ._reductions import sum
    return sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def diag(v: Any, k: int = 0) -> Any:
    """NumPy's ``diag``: a 1-D array onto a diagonal of a 2-D one, or a 2-D array's diagonal.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.diag(np.array([1.0, 2.0]))
    array([[1., 0.],
           [0., 2.]])
    """
    if not is_tracer(v):
        return np.diag(v, k)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError("Input must be 1- or 2-d.")
    from ..prims.indexing import scatter_add
    n = v.shape[0] + abs(int(k))
    rows, cols = _diagonal_indices(n, n, int(k))
    out = scatter_add(np.zeros(n * n, v.dtype), (rows * n + cols).astype(np.intp), v, 0)
    return sh.reshape(out, (n, n))


def diagflat(v: Any, k: int = 0) -> Any:
    """NumPy's ``diagflat``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.diagflat(np.ones((1, 2))).shape
    (2, 2)
    """
    return diag(ravel(v), k) if is_tracer(v) else np.diagflat(v, k)


def _triangle(name: str, keep: Any):
    def fn(m: Any, k: int = 0) -> Any:
        if not is_tracer(m):
            return getattr(np, name)(m, k)
        if m.ndim < 2:
            m = broadcast_to_shape(m, (m.shape[0], m.shape[0]) if m.ndim else (1, 1))
        n, c = m.shape[-2:]
        mask = keep(np.arange(n)[:, None], np.arange(c)[None, :], int(k))
        return _where(mask, m, np.zeros((), m.dtype))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"NumPy's ``{name}``: zero out the other triangle.\n\n"
                  f">>> import ftrans.numpy as fnp, numpy as np\n"
                  f">>> fnp.{name}(np.ones((2, 2)))[0, 1]\n"
                  f"{0.0 if name == 'tril' else 1.0}\n")
    return fn


tril = _triangle("tril", lambda i, j, k: j - i <= k)
triu = _triangle("triu", lambda i, j, k: j - i >= k)
