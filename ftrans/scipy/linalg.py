"""``ftrans.scipy.linalg``: ``solve_triangular``, differentiable in ``a`` and ``b`` (real or
complex) and batched over leading axes. (SciPy's cholesky, qr, eigh, lstsq, ... differ from
NumPy's in defaults and results, so they are not aliased here: use ``ftrans.numpy.linalg``.)"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..numpy._complex import conj
from ..numpy._promote import as_array, broadcast_to_shape, result_dtype, shape_of, to_dtype
from ..prims.linalg import triangular_solve
from ..prims.shape import reshape

_TRANS = {0: "N", "N": "N", 1: "T", "T": "T", 2: "C", "C": "C"}


def solve_triangular(a: Any, b: Any, trans: Any = 0, lower: bool = False,
                     unit_diagonal: bool = False, overwrite_a: bool = False,
                     overwrite_b: bool = False, check_finite: bool = True) -> Any:
    """SciPy's ``linalg.solve_triangular``: ``x`` with ``op(a) x = b``, where only the
    ``lower`` (default: upper) triangle of ``a`` is read, ``op`` is the transpose for
    ``trans`` in ``1, 'T'``, the conjugate transpose for ``2, 'C'`` and the diagonal is
    taken as ones with ``unit_diagonal``. ``b`` is ``(..., M)`` (vectors) or
    ``(..., M, K)``; leading axes broadcast. Integers are computed in float64.

    Parameters
    ----------
    a : array_like
        Triangular matrices, shape ``(..., M, M)``; only one triangle is read.
    b : array_like
        Right-hand sides, ``(..., M)`` or ``(..., M, K)``.
    trans : {0, 1, 2, 'N', 'T', 'C'}, optional
        Solve with ``a`` (default), its transpose or its conjugate transpose.
    lower : bool, optional
        Read the lower triangle (default: the upper).
    unit_diagonal : bool, optional
        Take the diagonal as ones.
    overwrite_a, overwrite_b, check_finite : bool, optional
        SciPy's; accepted and ignored (ftrans never writes into its inputs).

    Returns
    -------
    x : ndarray
        The solution, ``b``'s shape (leading axes broadcast).

    Raises
    ------
    ValueError
        If ``trans`` is not one of its values, ``a`` is not square, or ``b``'s shape does not fit.

    Examples
    --------
    >>> import ftrans.scipy.linalg as fsl, numpy as np
    >>> fsl.solve_triangular(np.array([[2.0, 0.0], [1.0, 1.0]]), np.array([2.0, 3.0]),
    ...                      lower=True)
    array([1., 2.])
    """
    if trans not in _TRANS:
        raise ValueError(f"solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got "
                         f"{trans!r}")
    dtype = result_dtype(a, b)
    if not np.issubdtype(dtype, np.inexact) or dtype == np.float16:
        dtype = np.dtype(np.float64)
    a, b = to_dtype(as_array(a), dtype), to_dtype(as_array(b), dtype)
    op = _TRANS[trans]
    if op == "C" and np.issubdtype(dtype, np.complexfloating):
        a = conj(a)  # op(a) = conj(a)ᵀ
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) < 2 or sa[-1] != sa[-2]:
        raise ValueError(f"solve_triangular: expected square matrix a, got shape {sa}")
    vector = len(sb) == len(sa) - 1
    if vector:
        b = reshape(b, sb + (1,))
        sb = shape_of(b)
    if len(sb) < 2 or sb[-2] != sa[-1]:
        raise ValueError(f"solve_triangular: shapes of a {sa} and b "
                         f"{sb[:-1] if vector else sb} are incompatible")
    batch = tuple(np.broadcast_shapes(sa[:-2], sb[:-2]))
    out = triangular_solve(broadcast_to_shape(a, batch + sa[-2:]),
                           broadcast_to_shape(b, batch + sb[-2:]), left_side=True,
                           lower=lower, transpose_a=op != "N",
                           unit_diagonal=unit_diagonal)
    return reshape(out, shape_of(out)[:-1]) if vector else out

__all__ = ["solve_triangular"]
