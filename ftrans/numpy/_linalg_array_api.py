"""``ftrans.numpy.linalg``'s array-API functions (NumPy 2): outer, diagonal, trace,
matrix_transpose, vecdot, cross, tensordot, svdvals; NumPy's own on plain arrays, ftrans's on
traced ones.

>>> import ftrans.numpy as fnp, numpy as np
>>> float(fnp.linalg.trace(np.eye(3)))
3.0
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from ._calculus import cross as _cross
from ._complex import conj
from ._diagonals import diagonal as _diagonal
from ._diagonals import trace as _trace
from ._elementwise import multiply
from ._linalg_decomp import mT, svd
from ._products import tensordot as _tensordot
from ._promote import any_gpu_array, any_tracer, shape_of
from ._reductions import sum as _sum


def outer(x1: Any, x2: Any, /) -> Any:
    """NumPy's ``linalg.outer`` of two vectors.

    Parameters
    ----------
    x1, x2 : array_like
        1-D vectors.

    Returns
    -------
    out : ndarray
        ``x1[i] * x2[j]``; differentiable in both, shape ``(len(x1), len(x2))``.

    Raises
    ------
    ValueError
        If an input is not 1-D.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.outer(np.ones(2), np.ones(3)).shape
    (2, 3)
    """
    if not any_tracer((x1, x2)) and not any_gpu_array((x1, x2)):  # nor linalg.outer
        return np.linalg.outer(x1, x2)
    for name, v in (("x1", x1), ("x2", x2)):
        if len(shape_of(v)) != 1:
            raise ValueError(f"outer: Input arrays must be one-dimensional, but {name} has "
                             f"shape {shape_of(v)}")
    from ._linalg import outer as _outer
    return _outer(x1, x2)


def _array_api(name: str, *xs: Any) -> bool:
    """Whether ``np.linalg.<name>`` can take ``xs`` as they are: no tracers, no CuPy
    arrays (CuPy has none of NumPy 2's array-API linalg functions)."""
    return not any_tracer(xs) and not any_gpu_array(xs)


def diagonal(x: Any, /, *, offset: int = 0) -> Any:
    """NumPy's ``linalg.diagonal``: the ``offset`` diagonal of each matrix (last two axes).

    Parameters
    ----------
    x : array_like
        The matrices, shape ``(..., M, N)``.
    offset : int, optional
        The diagonal: 0 the main one (default), positive above, negative below.

    Returns
    -------
    out : ndarray
        The diagonals, shape ``(..., K)``; differentiable.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.diagonal(np.arange(4.0).reshape(2, 2))
    array([0., 3.])
    """
    if _array_api("diagonal", x):
        return np.linalg.diagonal(x, offset=offset)
    return _diagonal(x, offset, -2, -1)


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    """NumPy's ``linalg.trace``: the sum of the ``offset`` diagonal of each matrix.

    Parameters
    ----------
    x : array_like
        The matrices, shape ``(..., M, N)``.
    offset : int, optional
        The diagonal summed (default 0).
    dtype : data-type, optional
        The dtype of the sum.

    Returns
    -------
    out : ndarray
        The traces, shape ``(...)``; differentiable.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.linalg.trace(np.arange(4.0).reshape(2, 2)))
    3.0
    """
    if _array_api("trace", x):
        return np.linalg.trace(x, offset=offset, dtype=dtype)
    return _trace(x, offset, -2, -1, dtype)


def matrix_transpose(x: Any, /) -> Any:
    """NumPy's ``linalg.matrix_transpose``: each matrix transposed (not conjugated).

    Parameters
    ----------
    x : array_like
        The matrices, shape ``(..., M, N)``.

    Returns
    -------
    out : ndarray
        The transposes, shape ``(..., N, M)``.

    Raises
    ------
    ValueError
        If ``x`` has fewer than two dimensions.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.matrix_transpose(np.array([[1j, 2.0]]))
    array([[0.+1.j],
           [2.+0.j]])
    """
    if _array_api("matrix_transpose", x):
        return np.linalg.matrix_transpose(x)
    if len(shape_of(x)) < 2:
        raise ValueError(f"matrix_transpose: Input array must be at least 2-dimensional, got "
                         f"shape {shape_of(x)}")
    return mT(x)


def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """NumPy's ``linalg.vecdot``: ``Σ conj(x1)·x2`` over ``axis`` (the first vector is
    conjugated), the other axes broadcast.

    Parameters
    ----------
    x1, x2 : array_like
        The vectors, of equal length along ``axis``; the other axes broadcast.
    axis : int, optional
        The axis of the vectors (default -1).

    Returns
    -------
    out : ndarray
        The dot products; differentiable in both.

    Raises
    ------
    ValueError
        If the lengths along ``axis`` differ, or ``axis`` is out of range.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> complex(fnp.linalg.vecdot(np.array([1j, 2.0]), np.array([1j, 1.0])))
    (3+0j)
    """
    if _array_api("vecdot", x1, x2):
        # cast: NumPy's stubs give linalg.vecdot the ufunc's type, which has no axis=
        return cast(Any, np.linalg.vecdot)(x1, x2, axis=axis)
    s1, s2 = shape_of(x1), shape_of(x2)
    if not (s1 and s2 and -len(s1) <= axis < len(s1) and -len(s2) <= axis < len(s2)
            and s1[axis] == s2[axis]):
        raise ValueError(f"vecdot: the vectors along axis {axis} must have equal lengths "
                         f"(they do not broadcast), got shapes {s1} and {s2}")
    prod = multiply(conj(x1), x2)
    return _sum(prod, axis=axis, dtype=prod.dtype)  # uint8 stays uint8, as in NumPy


def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """NumPy's ``linalg.cross``: the cross product of 3-element vectors along ``axis``.

    Parameters
    ----------
    x1, x2 : array_like
        Arrays of 3-element vectors along ``axis``; the other axes broadcast.
    axis : int, optional
        The axis of the vectors (default -1).

    Returns
    -------
    out : ndarray
        The cross products; differentiable in both.

    Raises
    ------
    ValueError
        If an input has not length 3 along ``axis``.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    array([0., 0., 1.])
    """
    if _array_api("cross", x1, x2):
        return np.linalg.cross(x1, x2, axis=axis)
    for name, v in (("x1", x1), ("x2", x2)):
        s = shape_of(v)
        if not s or not -len(s) <= axis < len(s) or s[axis] != 3:
            raise ValueError(f"cross: both input arrays must be (arrays of) 3-dimensional "
                             f"vectors along axis {axis}, but {name} has shape {s}")
    return _cross(x1, x2, axis=axis)


def tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Any:
    """NumPy's ``linalg.tensordot`` (``numpy.tensordot`` with keyword ``axes``).

    Parameters
    ----------
    x1, x2 : array_like
        The tensors.
    axes : int or (sequence of int, sequence of int), optional
        The last ``axes`` axes of ``x1`` contracted with the first of ``x2`` (default 2), or
        the two lists of axes contracted.

    Returns
    -------
    out : ndarray
        The contraction; differentiable in both.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.linalg.tensordot(np.eye(2), np.eye(2)))
    2.0
    """
    if _array_api("tensordot", x1, x2):
        return np.linalg.tensordot(x1, x2, axes=axes)
    return _tensordot(x1, x2, axes)


def svdvals(x: Any, /) -> Any:
    """NumPy's ``linalg.svdvals``: the singular values, descending.

    Parameters
    ----------
    x : array_like
        The matrices, shape ``(..., M, N)``.

    Returns
    -------
    s : ndarray
        The singular values, descending; differentiable.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``x`` has fewer than two dimensions.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.svdvals(np.array([[0.0, 2.0], [1.0, 0.0]]))
    array([2., 1.])
    """
    return svd(x, compute_uv=False)
