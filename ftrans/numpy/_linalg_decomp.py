"""``ftrans.numpy.linalg``'s solves and decompositions, one primitive each
(``ftrans/prims/linalg.py``): solve, inv, det, slogdet, cholesky, qr, eigh, eigvalsh, eig,
eigvals, svd, svdvals; NumPy's result types; the checks and dtypes every linalg function
shares.

>>> import ftrans.numpy as fnp, numpy as np
>>> bool(np.isclose(fnp.linalg.det(np.eye(3) * 2.0), 8.0))
True
"""

from __future__ import annotations

from typing import Any, NamedTuple, cast

import numpy as np

from ..prims import linalg as la
from ..prims.shape import reshape as _reshape
from ..prims.slicing import concatenate as _concatenate
from ..prims.slicing import slice_ as _slice
from ._complex import conj, real
from ._linalg import matmul
from ._literals import QRMode, Triangle
from ._promote import any_tracer, as_array, broadcast_to_shape, result_dtype, shape_of
from ._promote import to_dtype as _to_dtype
from ._shape import swapaxes

LinAlgError = np.linalg.LinAlgError


try:  # NumPy's own result types, so that traced and plain results are the same pytrees
    from numpy.linalg._linalg import (  # type: ignore[attr-defined]
        EighResult,
        EigResult,
        QRResult,
        SlogdetResult,
        SVDResult,
    )
except ImportError:  # pragma: no cover - a NumPy that moved them
    class SlogdetResult(NamedTuple):  # type: ignore[no-redef]
        sign: Any
        logabsdet: Any

    class QRResult(NamedTuple):  # type: ignore[no-redef]
        Q: Any
        R: Any

    class EighResult(NamedTuple):  # type: ignore[no-redef]
        eigenvalues: Any
        eigenvectors: Any

    class EigResult(NamedTuple):  # type: ignore[no-redef]
        eigenvalues: Any
        eigenvectors: Any

    class SVDResult(NamedTuple):  # type: ignore[no-redef]
        U: Any
        S: Any
        Vh: Any


class LstsqResult(NamedTuple):
    """What ``linalg.lstsq`` returns, as NumPy's 4-tuple with names.

    Attributes
    ----------
    x : array
        The least-squares solution.
    residuals : array
        The squared residual norms (empty unless ``a`` is tall and of full rank).
    rank : array
        The rank of ``a``.
    s : array
        The singular values of ``a``.

    Examples
    --------
    >>> import numpy as np
    >>> import ftrans.numpy as fnp
    >>> r = fnp.linalg.lstsq(np.eye(2), np.array([1.0, 2.0]))
    >>> r.x, int(r.rank)
    (array([1., 2.]), 2)
    """

    x: Any
    residuals: Any
    rank: Any
    s: Any


# ----------------------------------------------------------------------------- helpers

def float_dtype(name: str, *xs: Any) -> np.dtype:
    """The dtype linalg computes ``xs`` in: theirs if inexact (real or complex), float64
    for integers and booleans, as NumPy.

    >>> float_dtype("inv", np.eye(2, dtype=np.float32)), float_dtype("inv", [[1, 2]])
    (dtype('float32'), dtype('float64'))
    """
    dt = result_dtype(*xs)
    if dt == np.float16:
        raise TypeError(f"{name}: array type float16 is unsupported in linalg")
    return dt if np.issubdtype(dt, np.inexact) else np.dtype(np.float64)


def as_float(x: Any, dtype: np.dtype) -> Any:
    """``x`` as an array of ``dtype`` (a tracer stays a tracer).

    >>> as_float([1, 2], np.dtype(np.float64))
    array([1., 2.])
    """
    return _to_dtype(as_array(x), dtype)


def as_matrix(name: str, a: Any, square: bool = True) -> Any:
    """``a`` in its linalg dtype (``float_dtype``), checked to be a stack of (square)
    matrices; else ``LinAlgError`` naming the function ``name``.

    >>> as_matrix("det", np.ones(3))
    Traceback (most recent call last):
    numpy.linalg.LinAlgError: det: 1-dimensional array given. Array must be at least two-dimensional
    """
    a = as_float(a, float_dtype(name, a))
    s = shape_of(a)
    if len(s) < 2:
        raise LinAlgError(f"{name}: {len(s)}-dimensional array given. Array must be at least "
                          "two-dimensional")
    if square and s[-1] != s[-2]:
        raise LinAlgError(f"{name}: Last 2 dimensions of the array must be square (got a of "
                          f"shape {s})")
    return a


def mT(x: Any) -> Any:
    """The transpose of each matrix (the last two axes).

    >>> mT(np.ones((4, 2, 3))).shape
    (4, 3, 2)
    """
    return swapaxes(x, -1, -2)


def mH(x: Any) -> Any:
    """The conjugate transpose of each matrix (the transpose of a real one).

    >>> mH(np.array([[1j, 2.0]]))
    array([[0.-1.j],
           [2.-0.j]])
    """
    return conj(mT(x))


def abs2(x: Any) -> Any:
    """``|x|²``, real: ``x * x`` for real ``x``, ``Re(x * conj(x))`` for complex.

    >>> abs2(np.array([3 + 4j]))
    array([25.])
    """
    return real(x * conj(x)) if np.issubdtype(x.dtype, np.complexfloating) else x * x


# ----------------------------------------------------------------------------- primitives

def solve(a: Any, b: Any) -> Any:
    """NumPy's ``linalg.solve``: ``x`` with ``a @ x = b``; ``b`` of shape ``(M,)`` is a
    vector, otherwise ``(..., M, K)`` is a stack of matrices.

    Parameters
    ----------
    a : array_like
        Square coefficient matrices, shape ``(..., M, M)``.
    b : array_like
        The right-hand sides, shape ``(M,)`` or ``(..., M, K)``; batch dimensions broadcast
        with ``a``'s.

    Returns
    -------
    x : ndarray
        The solution, in ``a`` and ``b``'s float dtype (float64 for integers);
        differentiable in both.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a`` is not a stack of square matrices (or is singular, when computed).
    ValueError
        If ``b``'s shape does not fit ``a``'s, or the batch dimensions do not broadcast.
    TypeError
        If the dtype is float16.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.solve(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([2.0, 2.0]))
    array([1. , 0.5])
    """
    if not any_tracer((a, b)):
        return np.linalg.solve(a, b)
    dtype = float_dtype("solve", a, b)
    a, b = as_matrix("solve", as_float(a, dtype)), as_float(b, dtype)
    sa, sb = shape_of(a), shape_of(b)
    vector = len(sb) == 1
    if vector:
        b = _reshape(b, sb + (1,))
        sb = shape_of(b)
    if len(sb) < 2 or sb[-2] != sa[-1]:
        raise ValueError(f"solve: b must have shape ({sa[-1]},) or (..., {sa[-1]}, K) for a of "
                         f"shape {sa}, got {shape_of(b) if not vector else sb[:-1]}")
    try:
        batch = tuple(np.broadcast_shapes(sa[:-2], sb[:-2]))
    except ValueError:
        raise ValueError(f"solve: the batch dimensions of a {sa} and b {sb} do not "
                         "broadcast") from None
    out = la.solve_p.bind(broadcast_to_shape(a, batch + sa[-2:]),
                          broadcast_to_shape(b, batch + sb[-2:]))
    return _reshape(out, shape_of(out)[:-1]) if vector else out


def inv(a: Any) -> Any:
    """NumPy's ``linalg.inv``.

    Parameters
    ----------
    a : array_like
        Square matrices, shape ``(..., M, M)``.

    Returns
    -------
    ainv : ndarray
        The inverses; differentiable (derivative ``-ainv @ da @ ainv``).

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a`` is not a stack of square matrices (or is singular, when computed).

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.inv(np.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    if not any_tracer((a,)):
        return np.linalg.inv(a)
    return la.inv_p.bind(as_matrix("inv", a))


def det(a: Any) -> Any:
    """NumPy's ``linalg.det``; its derivative is ``det(a) * inv(a).T``.

    Parameters
    ----------
    a : array_like
        Square matrices, shape ``(..., M, M)``.

    Returns
    -------
    det : ndarray
        The determinants, shape ``(...)``.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a`` is not a stack of square matrices.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> round(float(fnp.linalg.det(np.array([[2.0, 1.0], [1.0, 3.0]]))), 12)
    5.0
    """
    if not any_tracer((a,)):
        return np.linalg.det(a)
    return la.det_p.bind(as_matrix("det", a))


def slogdet(a: Any) -> SlogdetResult:
    """NumPy's ``linalg.slogdet``: ``(sign, logabsdet)``; ``sign`` has zero derivative.

    Parameters
    ----------
    a : array_like
        Square matrices, shape ``(..., M, M)``.

    Returns
    -------
    result : SlogdetResult
        NumPy's named tuple ``(sign, logabsdet)``; ``det = sign * exp(logabsdet)``.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a`` is not a stack of square matrices.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.linalg.slogdet(np.array([[2.0, 0.0], [0.0, -3.0]])).sign)
    -1.0
    """
    if not any_tracer((a,)):
        return np.linalg.slogdet(a)
    sign, logdet = la.slogdet_p.bind(as_matrix("slogdet", a))
    return SlogdetResult(sign, logdet)


def cholesky(a: Any, /, *, upper: bool = False) -> Any:
    """NumPy's ``linalg.cholesky``: lower ``L`` with ``a = L Lᴴ`` (``upper=True``: ``Lᴴ``)
    for a symmetric (Hermitian) positive definite ``a``. Only its lower triangle is read.

    Parameters
    ----------
    a : array_like
        Symmetric (Hermitian) positive definite matrices, shape ``(..., M, M)``.
    upper : bool, optional
        Return the upper factor ``Lᴴ`` instead (default False).

    Returns
    -------
    L : ndarray
        The Cholesky factors; differentiable (the derivative is symmetrized, as ``a``'s
        upper triangle is not read).

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a`` is not a stack of square matrices (or not positive definite, when
        computed).

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.cholesky(np.array([[4.0, 2.0], [2.0, 5.0]]))
    array([[2., 0.],
           [1., 2.]])
    """
    if not any_tracer((a,)):
        return np.linalg.cholesky(a, upper=upper) if upper else np.linalg.cholesky(a)
    out = la.cholesky_p.bind(as_matrix("cholesky", a))
    return mH(out) if upper else out


def qr(a: Any, mode: QRMode = "reduced") -> Any:
    """NumPy's ``linalg.qr`` (modes ``'reduced'``, ``'complete'``, ``'r'``). A wide
    ``a = [X Y]`` is ``Q [R_X, Qᴴ Y]`` with ``X = Q R_X`` square. ``'complete'`` of a tall
    ``a`` has no derivative (its extra columns of ``Q`` are not unique), as in JAX.

    Parameters
    ----------
    a : array_like
        The matrices, shape ``(..., M, N)``.
    mode : {'reduced', 'complete', 'r'}, optional
        As NumPy's (default 'reduced'); 'raw' only on plain arrays.

    Returns
    -------
    result : QRResult or ndarray
        NumPy's named tuple ``(Q, R)``, or ``R`` alone for mode 'r'.

    Raises
    ------
    ValueError
        If ``mode`` is unknown.
    NotImplementedError
        If ``mode='raw'`` on a traced ``a``.
    numpy.linalg.LinAlgError
        If ``a`` has fewer than two dimensions.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> q, r = fnp.linalg.qr(np.array([[3.0, 1.0], [4.0, 2.0]]))
    >>> np.allclose(q @ r, [[3.0, 1.0], [4.0, 2.0]])
    True
    """
    if not any_tracer((a,)):
        return np.linalg.qr(a, mode=mode)
    if mode not in ("reduced", "complete", "r", "raw"):
        raise ValueError(f"qr: unrecognized mode '{mode}'; expected 'reduced', 'complete' or "
                         "'r'")
    a = as_matrix("qr", a, square=False)
    s = shape_of(a)
    m, n = s[-2:]
    if mode == "raw":
        raise NotImplementedError(f"qr: mode='raw' on a traced {m}x{n} matrix (LAPACK's "
                                  "Householder form) is not supported; use mode='reduced'")
    if mode == "complete" and m > n:  # values under jit/vmap; derivatives raise, as in JAX
        q, r = la.qr_p.bind(a, full=True)
    elif m >= n:
        q, r = la.qr_p.bind(a)
    else:
        lead = (0,) * (len(s) - 2)
        x = _slice(a, lead + (0, 0), s[:-1] + (m,))
        y = _slice(a, lead + (0, m), s)
        q, rx = la.qr_p.bind(x)
        r = _concatenate([rx, matmul(mH(q), y)], len(s) - 1)
    return r if mode == "r" else QRResult(q, r)


def eigh(a: Any, UPLO: Triangle = "L") -> EighResult:
    """NumPy's ``linalg.eigh``: ascending eigenvalues and eigenvectors (columns) of a
    symmetric matrix, read from its ``UPLO`` triangle.

    Parameters
    ----------
    a : array_like
        Symmetric (Hermitian) matrices, shape ``(..., M, M)``.
    UPLO : {'L', 'U'}, optional
        The triangle read (default 'L').

    Returns
    -------
    result : EighResult
        NumPy's named tuple ``(eigenvalues, eigenvectors)``; derivatives of the
        eigenvectors need distinct eigenvalues.

    Raises
    ------
    ValueError
        If ``UPLO`` is neither 'L' nor 'U'.
    numpy.linalg.LinAlgError
        If ``a`` is not a stack of square matrices.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.eigh(np.array([[2.0, 0.0], [0.0, 1.0]])).eigenvalues
    array([1., 2.])
    """
    if not any_tracer((a,)):
        return np.linalg.eigh(a, UPLO=UPLO)
    if UPLO not in ("L", "U", "l", "u"):  # NumPy takes either case
        raise ValueError(f"eigh: UPLO argument must be 'L' or 'U', got {UPLO!r}")
    w, v = la.eigh_p.bind(as_matrix("eigh", a), lower=UPLO in ("L", "l"))
    return EighResult(w, v)


def eigvalsh(a: Any, UPLO: Triangle = "L") -> Any:
    """NumPy's ``linalg.eigvalsh``: the ascending eigenvalues of a symmetric matrix.

    Parameters
    ----------
    a : array_like
        Symmetric (Hermitian) matrices, shape ``(..., M, M)``.
    UPLO : {'L', 'U'}, optional
        The triangle read (default 'L').

    Returns
    -------
    w : ndarray
        The eigenvalues, ascending, real.

    Raises
    ------
    ValueError
        If ``UPLO`` is neither 'L' nor 'U'.
    numpy.linalg.LinAlgError
        If ``a`` is not a stack of square matrices.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.eigvalsh(np.array([[2.0, 0.0], [0.0, 1.0]]))
    array([1., 2.])
    """
    if not any_tracer((a,)):
        return np.linalg.eigvalsh(a, UPLO=UPLO)
    return eigh(a, UPLO).eigenvalues


def eig(a: Any) -> EigResult:
    """NumPy's ``linalg.eig``: the eigenvalues and unit-norm eigenvectors (columns) of a
    general square matrix, or of each of a stack. Both are complex, also for a real ``a``
    whose eigenvalues are all real (as in JAX; NumPy then gives real arrays), so that
    the dtype does not depend on the values. Each eigenvector's largest component is real
    and positive (NumPy leaves its sign to chance for a real ``a``), so eigenvectors vary
    continuously with ``a``. Derivatives need distinct eigenvalues; those of the
    eigenvectors are for that choice of phase (JAX's with ``enable_eigvec_derivs``). On
    CuPy arrays it calls ``cupy.linalg.eig`` where CuPy has it (CUDA 12.6 or
    later), else computes on the host (a copy each way).

    Parameters
    ----------
    a : array_like
        Square matrices, shape ``(..., M, M)``.

    Returns
    -------
    result : EigResult
        NumPy's named tuple ``(eigenvalues, eigenvectors)``, both complex.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a`` is not a stack of square matrices.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> w, v = fnp.linalg.eig(np.array([[0.0, -1.0], [1.0, 0.0]]))
    >>> w
    array([0.+1.j, 0.-1.j])
    >>> fnp.linalg.eig(np.diag([2.0, 3.0])).eigenvalues
    array([2.+0.j, 3.+0.j])
    """
    w, v = la.eig_p.bind(as_matrix("eig", a), vectors=True)
    return EigResult(w, v)


def eigvals(a: Any) -> Any:
    """NumPy's ``linalg.eigvals``: the eigenvalues of a general square matrix, complex
    (see ``eig``).

    Parameters
    ----------
    a : array_like
        Square matrices, shape ``(..., M, M)``.

    Returns
    -------
    w : ndarray
        The eigenvalues, complex.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a`` is not a stack of square matrices.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.eigvals(np.array([[1.0, 2.0], [0.0, 3.0]]))
    array([1.+0.j, 3.+0.j])
    """
    (w,) = la.eig_p.bind(as_matrix("eigvals", a), vectors=False)
    return w


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True,
        hermitian: bool = False) -> Any:
    """NumPy's ``linalg.svd``: ``(U, S, Vh)`` with ``a = U diag(S) Vh``, or ``S`` alone.
    The derivative of ``U`` and ``Vh`` needs ``full_matrices=False`` for non-square ``a``.

    Parameters
    ----------
    a : array_like
        The matrices, shape ``(..., M, N)``.
    full_matrices : bool, optional
        Square ``U`` and ``Vh`` (default True), else ``K = min(M, N)`` columns/rows.
    compute_uv : bool, optional
        Return ``U`` and ``Vh`` too (default True).
    hermitian : bool, optional
        NumPy's hint; traced arrays ignore it (the result is the same).

    Returns
    -------
    result : SVDResult or ndarray
        NumPy's named tuple ``(U, S, Vh)``, or ``S`` (descending) alone.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a`` has fewer than two dimensions.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.svd(np.array([[3.0, 0.0], [0.0, -4.0]]), compute_uv=False)
    array([4., 3.])
    """
    if not any_tracer((a,)):
        # cast: NumPy's stubs have overloads for a literal compute_uv only
        return cast(Any, np.linalg.svd)(a, full_matrices=full_matrices, compute_uv=compute_uv,
                                        hermitian=hermitian)
    a = as_matrix("svd", a, square=False)
    outs = la.svd_p.bind(a, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv))
    return SVDResult(*outs) if compute_uv else outs[0]

