"""``ftrans.numpy.linalg``'s functions built from the decompositions, so their derivatives
come for free: pinv, lstsq, matrix_power, norm, vector_norm, matrix_norm, cond, matrix_rank,
multi_dot.

>>> import ftrans.numpy as fnp, numpy as np
>>> float(fnp.linalg.norm(np.array([3.0, 4.0])))
5.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import Tracer, known_value
from ..prims import linalg as la
from ..prims.shape import reshape as _reshape
from ..prims.slicing import slice_ as _slice
from ._elementwise import abs as _abs
from ._elementwise import astype as _astype
from ._elementwise import divide, multiply, not_equal, power, sqrt, where
from ._keywords import traced_only
from ._linalg import matmul
from ._linalg_array_api import svdvals
from ._linalg_decomp import (
    LinAlgError,
    LstsqResult,
    abs2,
    as_float,
    as_matrix,
    float_dtype,
    inv,
    mH,
    svd,
)
from ._promote import any_gpu_array, any_tracer, as_array, normalize_axes, shape_of
from ._reductions import max as _max
from ._reductions import min as _min
from ._reductions import sum as _sum
from ._shape import expand_dims, moveaxis, ravel

# ----------------------------------------------------------------------------- composites

def _inverse_singular_values(s: Any, rcond: Any) -> tuple[Any, Any]:
    """``1/s`` where ``s > rcond * max(s)``, else 0; and that mask."""
    cutoff = multiply(expand_dims(as_array(rcond), -1), _max(s, axis=-1, keepdims=True))
    large = s > cutoff
    return where(large, divide(1, where(large, s, 1)), 0), large


_NO_VALUE = object()


def pinv(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = _NO_VALUE) -> Any:
    """NumPy's ``linalg.pinv``: singular values at most ``rcond * max(s)`` count as zero.
    Its derivative (Golub and Pereyra's formula) holds where the rank is locally constant.

    Parameters
    ----------
    a : array_like
        The matrices, shape ``(..., M, N)``.
    rcond : float or array_like, optional
        The relative cutoff (default 1e-15), one per matrix of a stack if an array.
    hermitian : bool, optional
        NumPy's hint; traced arrays ignore it (the result is the same).
    rtol : float, optional
        The array API's name of ``rcond``; None means ``max(M, N) * eps``.

    Returns
    -------
    B : ndarray
        The Moore-Penrose pseudo-inverses, shape ``(..., N, M)``.

    Raises
    ------
    ValueError
        If both ``rcond`` and ``rtol`` are given.
    numpy.linalg.LinAlgError
        If ``a`` has fewer than two dimensions.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.pinv(np.array([[2.0, 0.0], [0.0, 0.0]]))
    array([[0.5, 0. ],
           [0. , 0. ]])
    """
    if not any_tracer((a, rcond, rtol)):
        if rtol is _NO_VALUE:
            return np.linalg.pinv(a, rcond=rcond, hermitian=hermitian)
        return np.linalg.pinv(a, rcond=rcond, hermitian=hermitian, rtol=rtol)
    a = as_matrix("pinv", a, square=False)
    if rcond is None:
        if rtol is _NO_VALUE:
            rcond = 1e-15
        elif rtol is None:
            rcond = max(shape_of(a)[-2:]) * np.finfo(a.dtype).eps
        else:
            rcond = rtol
    elif rtol is not _NO_VALUE:
        raise ValueError("pinv: `rtol` and `rcond` can't be both set.")
    if np.ndim(rcond) == 0 and not isinstance(rcond, Tracer):
        return la.pinv_p.bind(a, rcond=float(rcond))
    u, s, vt = svd(a, full_matrices=False)  # a cutoff per matrix of the stack
    s_inv, _ = _inverse_singular_values(s, rcond)
    return matmul(mH(vt), multiply(expand_dims(s_inv, -1), mH(u)))


def lstsq(a: Any, b: Any, rcond: Any = None) -> Any:
    """NumPy's ``linalg.lstsq``: ``(x, residuals, rank, s)`` minimizing ``|b - a x|``,
    as ``pinv(a) @ b`` (singular values at most ``rcond * max(s)`` count as zero; default
    ``rcond = eps * max(M, N)``). ``residuals`` is empty unless ``M > N`` and ``a`` has full
    rank; under abstract tracing (jit, vmap) the rank is unknown and residuals are returned
    whenever ``M > N``. ``rank`` is an integer (traced under jit/vmap).

    Parameters
    ----------
    a : array_like
        The coefficient matrix (no stacks, as NumPy), shape ``(M, N)``.
    b : array_like
        The right-hand sides, shape ``(M,) or (M, K)``.
    rcond : float, optional
        The relative cutoff of small singular values.

    Returns
    -------
    result : LstsqResult
        The named tuple ``(x, residuals, rank, s)``; ``x`` is differentiable in ``a`` and
        ``b``.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a`` is not 2-D, ``b`` not 1-D or 2-D, or their numbers of rows differ.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.lstsq(np.array([[1.0], [1.0]]), np.array([1.0, 3.0]))[0]
    array([2.])
    """
    if not any_tracer((a, b)):
        return LstsqResult(*np.linalg.lstsq(a, b, rcond=rcond))
    dtype = float_dtype("lstsq", a, b)
    a, b = as_matrix("lstsq", as_float(a, dtype), square=False), as_float(b, dtype)
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) != 2 or len(sb) not in (1, 2):
        raise LinAlgError(f"lstsq: a must be 2-dimensional and b 1- or 2-dimensional, got "
                          f"shapes {sa} and {sb}")
    m, n = sa
    if sb[0] != m:
        raise LinAlgError(f"lstsq: Incompatible dimensions: a has {m} rows, b has {sb[0]}")
    b2 = _reshape(b, (m, 1)) if len(sb) == 1 else b
    if rcond is None:
        rcond = np.finfo(dtype).eps * max(m, n)
    s = svd(a, compute_uv=False)
    x = matmul(la.pinv_p.bind(a, rcond=float(rcond)), b2)
    rank = _sum(_astype(s > rcond * _max(s), np.int64))
    rank_value = known_value(rank)
    if rank_value is not None:
        rank = int(rank_value)
    if m > n and (rank_value is None or rank == n):
        residuals = _sum(abs2(b2 - matmul(a, x)), axis=0)
    else:
        residuals = np.zeros((0,), np.finfo(dtype).dtype)
    if len(sb) == 1:
        x = _reshape(x, (n,))
    return LstsqResult(x, residuals, rank, s)


def matrix_power(a: Any, n: int) -> Any:
    """NumPy's ``linalg.matrix_power``: ``a`` to the integer power ``n`` by repeated
    squaring (``n < 0`` through ``inv``).

    Parameters
    ----------
    a : array_like
        Square matrices, shape ``(..., M, M)``.
    n : int
        The exponent (a constant); 0 gives identities, negative ones invert ``a`` first.

    Returns
    -------
    out : ndarray
        ``a`` multiplied by itself ``n`` times; differentiable.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    numpy.linalg.LinAlgError
        If ``a`` is not a stack of square matrices.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.matrix_power(np.array([[1.0, 1.0], [0.0, 1.0]]), 3)
    array([[1., 3.],
           [0., 1.]])
    """
    if not any_tracer((a,)):
        return np.linalg.matrix_power(a, n)
    try:
        n = int(n.__index__())
    except (AttributeError, TypeError):
        raise TypeError(f"matrix_power: exponent must be an integer, got {n!r}") from None
    s = shape_of(a)
    if len(s) < 2 or s[-1] != s[-2]:
        raise LinAlgError(f"matrix_power: Last 2 dimensions of the array must be square (got "
                          f"a of shape {s})")
    if n == 0:
        return np.broadcast_to(np.eye(s[-1], dtype=a.dtype), s).copy()
    if n < 0:
        a, n = inv(a), -n
    if n == 1:
        return a
    if n == 2:
        return matmul(a, a)
    if n == 3:
        return matmul(matmul(a, a), a)
    z = result = None
    while n > 0:
        z = a if z is None else matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else matmul(result, z)
    return result


def _vector_norm(x: Any, ord: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
    if ord == np.inf:
        return _max(_abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return _min(_abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        return _sum(_astype(not_equal(x, 0), np.finfo(x.dtype).dtype), axis=axis,
                    keepdims=keepdims)
    if ord == 1:
        return _sum(_abs(x), axis=axis, keepdims=keepdims)
    if ord is None or ord == 2:
        return sqrt(_sum(abs2(x), axis=axis, keepdims=keepdims))
    if isinstance(ord, str):
        raise ValueError(f"norm: Invalid norm order '{ord}' for vectors")
    total = _sum(power(_abs(x), ord), axis=axis, keepdims=keepdims)
    return power(total, np.reciprocal(np.asarray(ord, dtype=np.finfo(x.dtype).dtype)))


def _matrix_norm(x: Any, ord: Any, row: int, col: int, keepdims: bool) -> Any:
    if ord in (2, -2, "nuc"):
        s = svd(moveaxis(x, (row, col), (-2, -1)), compute_uv=False)
        ret = (_sum if ord == "nuc" else _max if ord == 2 else _min)(s, axis=-1)
    elif ord in (1, -1):
        reduce = _max if ord == 1 else _min
        ret = reduce(_sum(_abs(x), axis=row), axis=col - 1 if col > row else col)
    elif ord in (np.inf, -np.inf):
        reduce = _max if ord == np.inf else _min
        ret = reduce(_sum(_abs(x), axis=col), axis=row - 1 if row > col else row)
    elif ord in (None, "fro", "f"):
        ret = sqrt(_sum(abs2(x), axis=(row, col)))
    else:
        raise ValueError(f"norm: Invalid norm order {ord!r} for matrices.")
    if keepdims:
        shape = list(shape_of(x))
        shape[row] = shape[col] = 1
        ret = _reshape(ret, tuple(shape))
    return ret


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    """NumPy's ``linalg.norm``: vector norms (``ord`` in ``None, 2, 1, inf, -inf, 0``, any
    other number) over one axis, matrix norms (``None, 'fro', 'nuc', 1, -1, 2, -2, inf,
    -inf``) over two. The 2-norm's derivative at zero is ``nan`` (as in JAX).

    Parameters
    ----------
    x : array_like
        The input, in float64 if integer.
    ord : {None, int, float, inf, -inf, 'fro', 'nuc'}, optional
        The order of the norm (see above; None: the 2-norm of vectors, the Frobenius norm
        of matrices).
    axis : int or tuple of int, optional
        One axis (vector norm) or two (matrix norm); None: all of a 1-D or 2-D ``x``, or
        the 2-norm of ``ravel(x)`` when ``ord`` is None.
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).

    Returns
    -------
    n : ndarray
        The norm, real.

    Raises
    ------
    ValueError
        If ``ord`` is invalid for the number of axes, the two axes are the same, or there
        are more than two axes.
    TypeError
        If ``axis`` is not None, an integer or a tuple of integers.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.linalg.norm(np.array([3.0, 4.0])))
    5.0
    """
    if not any_tracer((x,)):
        return np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    x = as_float(x, float_dtype("norm", x))
    nd = len(shape_of(x))
    if axis is None:
        if (ord is None or (ord in ("f", "fro") and nd == 2) or (ord == 2 and nd == 1)):
            ret = sqrt(_sum(abs2(ravel(x))))
            return _reshape(ret, (1,) * nd) if keepdims else ret
        axes: tuple[int, ...] = tuple(range(nd))
    else:
        if not isinstance(axis, tuple):
            try:
                axis = (int(axis.__index__()),)
            except (AttributeError, TypeError):
                raise TypeError(f"norm: 'axis' must be None, an integer or a tuple of "
                                f"integers, got {axis!r}") from None
        axes = tuple(normalize_axes(a, nd, "norm")[0] for a in axis)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, keepdims)
    if len(axes) == 2:
        if axes[0] == axes[1]:
            raise ValueError("norm: Duplicate axes given.")
        return _matrix_norm(x, ord, axes[0], axes[1], keepdims)
    raise ValueError(f"norm: Improper number of dimensions to norm (axis {axes} of an array "
                     f"of {nd} dimensions).")


def vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2) -> Any:
    """NumPy's ``linalg.vector_norm``: the ``ord``-norm of ``x`` as a vector over ``axis``
    (all axes by default, or several).

    Parameters
    ----------
    x : array_like
        The input.
    axis : int or tuple of int, optional
        The axes taken as one vector (default all).
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    ord : int, float, inf or -inf, optional
        The order of the norm (default 2).

    Returns
    -------
    n : ndarray
        The norm, real.

    Raises
    ------
    ValueError
        If ``ord`` is a string.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.linalg.vector_norm(np.array([[3.0], [4.0]])))
    5.0
    """
    if not any_tracer((x,)) and not any_gpu_array((x,)):  # CuPy has no vector_norm
        return np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)
    x = as_float(x, float_dtype("vector_norm", x))
    nd = len(shape_of(x))
    axes = normalize_axes(axis, nd, "vector_norm")
    if isinstance(ord, str):
        raise ValueError(f"vector_norm: Invalid norm order '{ord}' for vectors")
    return _vector_norm(x, ord, axes, keepdims)


def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:
    """NumPy's ``linalg.matrix_norm``: ``norm`` over the last two axes.

    Parameters
    ----------
    x : array_like
        The matrices, shape ``(..., M, N)``.
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    ord : {'fro', 'nuc', 1, -1, 2, -2, inf, -inf}, optional
        The order of the norm (default 'fro').

    Returns
    -------
    n : ndarray
        The norms, shape ``(...)``.

    Raises
    ------
    ValueError
        If ``ord`` is not a matrix norm.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.linalg.matrix_norm(np.eye(2), ord=1))
    1.0
    """
    if not any_tracer((x,)) and not any_gpu_array((x,)):  # CuPy has no matrix_norm
        return np.linalg.matrix_norm(x, keepdims=keepdims, ord=ord)
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def _last(s: Any, i: int) -> Any:
    """``s[..., i]``."""
    shape = shape_of(s)
    i = i % shape[-1]
    lead = (0,) * (len(shape) - 1)
    return _reshape(_slice(s, lead + (i,), shape[:-1] + (i + 1,)), shape[:-1])


def cond(x: Any, p: Any = None) -> Any:
    """NumPy's ``linalg.cond``: the condition number in the ``p``-norm (default: the ratio
    of the largest to the smallest singular value).

    Parameters
    ----------
    x : array_like
        The matrices (square unless ``p`` is None, 2 or -2), shape ``(..., M, N)``.
    p : {None, 1, -1, 2, -2, inf, -inf, 'fro', 'nuc'}, optional
        The norm (default None: the 2-norm, from the singular values).

    Returns
    -------
    c : ndarray
        The condition numbers; differentiable.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``x`` has fewer than two dimensions, or is not square for another ``p``.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> round(float(fnp.linalg.cond(np.diag([4.0, 2.0]))), 12)  # from an SVD: round
    2.0
    """
    if not any_tracer((x,)):
        return np.linalg.cond(x, p)
    if p is None or p in (2, -2):
        s = svdvals(as_matrix("cond", x, square=False))
        big, small = _last(s, 0), _last(s, -1)
        return divide(small, big) if p == -2 else divide(big, small)
    x = as_matrix("cond", x)
    return multiply(norm(x, p, axis=(-2, -1)), norm(inv(x), p, axis=(-2, -1)))


def matrix_rank(A: Any, tol: Any = None, hermitian: bool = False, *, rtol: Any = None) -> Any:
    """NumPy's ``linalg.matrix_rank``: the number of singular values above ``tol`` (default
    ``max(s) * max(M, N) * eps``). An integer: it has no derivative.

    Parameters
    ----------
    A : array_like
        A matrix or a stack of them (a vector or scalar: 1 if any entry is nonzero).
    tol : float or array_like, optional
        The absolute threshold on the singular values.
    hermitian : bool, optional
        NumPy's hint; traced arrays ignore it.
    rtol : float or array_like, optional
        The threshold relative to the largest singular value.

    Returns
    -------
    rank : ndarray of int64
        The ranks.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> int(fnp.linalg.matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0]])))
    1
    """
    if not any_tracer((A, tol, rtol)):
        return np.linalg.matrix_rank(A, tol=tol, hermitian=hermitian, rtol=rtol)
    A = as_float(A, float_dtype("matrix_rank", A))
    shape = shape_of(A)
    if len(shape) < 2:
        return _astype(_max(not_equal(_abs(A), 0)) if shape else not_equal(A, 0), np.int64)
    s = svdvals(A)
    if tol is None:
        if rtol is None:
            rtol = max(shape[-2:]) * np.finfo(A.dtype).eps
        tol = multiply(_max(s, axis=-1, keepdims=True), expand_dims(as_array(rtol), -1))
    else:
        tol = expand_dims(as_array(tol), -1)
    return _sum(_astype(s > tol, np.int64), axis=-1)


def multi_dot(arrays: Any, *, out: Any = None) -> Any:
    """NumPy's ``linalg.multi_dot``: the product of a chain of matrices (the first may be a
    row vector, the last a column vector), multiplied left to right.

    Parameters
    ----------
    arrays : sequence of array_like
        At least two arrays: 2-D ones, except that the first and last may be 1-D.
    out : None
        Not supported on traced arrays.

    Returns
    -------
    out : ndarray
        The product. Unlike NumPy, which picks the cheapest order, it multiplies left to
        right (the result is the same up to rounding).

    Raises
    ------
    ValueError
        If fewer than two arrays are given.
    TypeError
        If ``out`` is given with traced arrays (``ftrans.errors.UnsupportedKeywordError``).

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.linalg.multi_dot([np.ones(2), np.eye(2), np.ones(2)]))
    2.0
    """
    arrays = list(arrays)
    if not any_tracer(arrays) and not any_gpu_array(arrays):  # CuPy has no multi_dot
        return np.linalg.multi_dot(arrays, out=out)
    if out is not None:
        raise traced_only("linalg.multi_dot", "out")
    if len(arrays) < 2:
        raise ValueError("multi_dot: expecting at least two arrays.")
    result = arrays[0]
    for a in arrays[1:]:
        result = matmul(result, a)
    return result
