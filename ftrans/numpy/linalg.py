"""``ftrans.numpy.linalg``: NumPy's ``linalg`` with derivatives of every order and vmap.

solve, inv, det, slogdet, cholesky, qr, eigh, eigvalsh, svd, pinv, eig and eigvals are
primitives (``ftrans/prims/linalg.py``); lstsq, norm, vector_norm, matrix_norm,
matrix_power, cond, matrix_rank, multi_dot, svdvals and the wide case of qr are built from
them, so their derivatives come for free. On plain arrays every function but eig and
eigvals calls NumPy. Integer inputs are computed in float64, as in NumPy.

Real and complex matrices are taken alike, with JAX's derivatives (``docs/complex.md``).
Conventions: cholesky and eigh read one triangle of their input and differentiate as
functions of a symmetric (Hermitian) matrix (tangents are symmetrized, as in JAX);
eigenvector and singular-vector derivatives need distinct eigen-/singular values, and for
complex matrices they are JAX's phase-fixed ones; eig and eigvals give complex results
(also for real eigenvalues, as JAX); the svd derivative with ``full_matrices=True`` exists
for square matrices only; qr with ``mode='complete'`` on a tall matrix has no derivative
(as in JAX) and is not supported on traced arrays.

>>> import ftrans, ftrans.numpy as fnp, numpy as np
>>> a = np.array([[2.0, 1.0], [1.0, 3.0]])
>>> np.allclose(ftrans.grad(fnp.linalg.det)(a), np.linalg.inv(a).T * np.linalg.det(a))
True
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..core import Tracer, known_value
from ..prims import linalg as la
from ..prims.shape import reshape as _reshape
from ..prims.slicing import concatenate as _concatenate
from ..prims.slicing import slice_ as _slice
from ._calculus import cross as _cross
from ._complex import conj, real
from ._elementwise import abs as _abs
from ._elementwise import astype as _astype
from ._elementwise import divide, multiply, not_equal, power, sqrt, where
from ._keywords import traced_only
from ._linalg import matmul
from ._manip import diagonal as _diagonal
from ._manip import trace as _trace
from ._products import tensordot as _tensordot
from ._promote import (
    any_gpu_array,
    any_tracer,
    as_array,
    broadcast_to_shape,
    normalize_axes,
    result_dtype,
    shape_of,
)
from ._promote import to_dtype as _to_dtype
from ._reductions import max as _max
from ._reductions import min as _min
from ._reductions import sum as _sum
from ._shape import expand_dims, moveaxis, ravel, swapaxes

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
    x: Any
    residuals: Any
    rank: Any
    s: Any


# ----------------------------------------------------------------------------- helpers

def _float_dtype(name: str, *xs: Any) -> np.dtype:
    """The dtype linalg computes ``xs`` in: theirs if inexact (real or complex), float64
    for integers and booleans, as NumPy."""
    dt = result_dtype(*xs)
    if dt == np.float16:
        raise TypeError(f"{name}: array type float16 is unsupported in linalg")
    return dt if np.issubdtype(dt, np.inexact) else np.dtype(np.float64)


def _as_float(x: Any, dtype: np.dtype) -> Any:
    return _to_dtype(as_array(x), dtype)


def _matrix(name: str, a: Any, square: bool = True) -> Any:
    a = _as_float(a, _float_dtype(name, a))
    s = shape_of(a)
    if len(s) < 2:
        raise LinAlgError(f"{name}: {len(s)}-dimensional array given. Array must be at least "
                          "two-dimensional")
    if square and s[-1] != s[-2]:
        raise LinAlgError(f"{name}: Last 2 dimensions of the array must be square (got a of "
                          f"shape {s})")
    return a


def _mT(x: Any) -> Any:
    return swapaxes(x, -1, -2)


def _mH(x: Any) -> Any:
    """The conjugate transpose of each matrix (the transpose of a real one)."""
    return conj(_mT(x))


def _abs2(x: Any) -> Any:
    """``|x|²``, real: ``x * x`` for real ``x``, ``Re(x * conj(x))`` for complex."""
    return real(x * conj(x)) if np.issubdtype(x.dtype, np.complexfloating) else x * x


# ----------------------------------------------------------------------------- primitives

def solve(a: Any, b: Any) -> Any:
    """NumPy's ``linalg.solve``: ``x`` with ``a @ x = b``; ``b`` of shape ``(M,)`` is a
    vector, otherwise ``(..., M, K)`` is a stack of matrices.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.solve(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([2.0, 2.0]))
    array([1. , 0.5])
    """
    if not any_tracer((a, b)):
        return np.linalg.solve(a, b)
    dtype = _float_dtype("solve", a, b)
    a, b = _matrix("solve", _as_float(a, dtype)), _as_float(b, dtype)
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

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.inv(np.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    if not any_tracer((a,)):
        return np.linalg.inv(a)
    return la.inv_p.bind(_matrix("inv", a))


def det(a: Any) -> Any:
    """NumPy's ``linalg.det``; its derivative is ``det(a) * inv(a).T``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> round(float(fnp.linalg.det(np.array([[2.0, 1.0], [1.0, 3.0]]))), 12)
    5.0
    """
    if not any_tracer((a,)):
        return np.linalg.det(a)
    return la.det_p.bind(_matrix("det", a))


def slogdet(a: Any) -> SlogdetResult:
    """NumPy's ``linalg.slogdet``: ``(sign, logabsdet)``; ``sign`` has zero derivative.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.linalg.slogdet(np.array([[2.0, 0.0], [0.0, -3.0]])).sign)
    -1.0
    """
    if not any_tracer((a,)):
        return np.linalg.slogdet(a)
    sign, logdet = la.slogdet_p.bind(_matrix("slogdet", a))
    return SlogdetResult(sign, logdet)


def cholesky(a: Any, /, *, upper: bool = False) -> Any:
    """NumPy's ``linalg.cholesky``: lower ``L`` with ``a = L Lᴴ`` (``upper=True``: ``Lᴴ``)
    for a symmetric (Hermitian) positive definite ``a``. Only its lower triangle is read.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.cholesky(np.array([[4.0, 2.0], [2.0, 5.0]]))
    array([[2., 0.],
           [1., 2.]])
    """
    if not any_tracer((a,)):
        return np.linalg.cholesky(a, upper=upper) if upper else np.linalg.cholesky(a)
    out = la.cholesky_p.bind(_matrix("cholesky", a))
    return _mH(out) if upper else out


def qr(a: Any, mode: str = "reduced") -> Any:
    """NumPy's ``linalg.qr`` (modes ``'reduced'``, ``'complete'``, ``'r'``). A wide
    ``a = [X Y]`` is ``Q [R_X, Qᴴ Y]`` with ``X = Q R_X`` square. ``'complete'`` of a tall
    ``a`` has no derivative (its extra columns of ``Q`` are not unique), as in JAX.

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
    a = _matrix("qr", a, square=False)
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
        r = _concatenate([rx, matmul(_mH(q), y)], len(s) - 1)
    return r if mode == "r" else QRResult(q, r)


def eigh(a: Any, UPLO: str = "L") -> EighResult:
    """NumPy's ``linalg.eigh``: ascending eigenvalues and eigenvectors (columns) of a
    symmetric matrix, read from its ``UPLO`` triangle.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.eigh(np.array([[2.0, 0.0], [0.0, 1.0]])).eigenvalues
    array([1., 2.])
    """
    if not any_tracer((a,)):
        return np.linalg.eigh(a, UPLO=UPLO)
    if UPLO not in ("L", "U"):
        raise ValueError(f"eigh: UPLO argument must be 'L' or 'U', got {UPLO!r}")
    w, v = la.eigh_p.bind(_matrix("eigh", a), lower=UPLO == "L")
    return EighResult(w, v)


def eigvalsh(a: Any, UPLO: str = "L") -> Any:
    """NumPy's ``linalg.eigvalsh``: the ascending eigenvalues of a symmetric matrix.

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

    >>> import ftrans.numpy as fnp, numpy as np
    >>> w, v = fnp.linalg.eig(np.array([[0.0, -1.0], [1.0, 0.0]]))
    >>> w
    array([0.+1.j, 0.-1.j])
    >>> fnp.linalg.eig(np.diag([2.0, 3.0])).eigenvalues
    array([2.+0.j, 3.+0.j])
    """
    w, v = la.eig_p.bind(_matrix("eig", a), vectors=True)
    return EigResult(w, v)


def eigvals(a: Any) -> Any:
    """NumPy's ``linalg.eigvals``: the eigenvalues of a general square matrix, complex
    (see ``eig``).

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.eigvals(np.array([[1.0, 2.0], [0.0, 3.0]]))
    array([1.+0.j, 3.+0.j])
    """
    (w,) = la.eig_p.bind(_matrix("eigvals", a), vectors=False)
    return w


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True,
        hermitian: bool = False) -> Any:
    """NumPy's ``linalg.svd``: ``(U, S, Vh)`` with ``a = U diag(S) Vh``, or ``S`` alone.
    The derivative of ``U`` and ``Vh`` needs ``full_matrices=False`` for non-square ``a``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.svd(np.array([[3.0, 0.0], [0.0, -4.0]]), compute_uv=False)
    array([4., 3.])
    """
    if not any_tracer((a,)):
        return np.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv,
                             hermitian=hermitian)
    a = _matrix("svd", a, square=False)
    outs = la.svd_p.bind(a, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv))
    return SVDResult(*outs) if compute_uv else outs[0]


def svdvals(x: Any, /) -> Any:
    """NumPy's ``linalg.svdvals``: the singular values, descending.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.svdvals(np.array([[0.0, 2.0], [1.0, 0.0]]))
    array([2., 1.])
    """
    return svd(x, compute_uv=False)


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

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.pinv(np.array([[2.0, 0.0], [0.0, 0.0]]))
    array([[0.5, 0. ],
           [0. , 0. ]])
    """
    if not any_tracer((a, rcond, rtol)):
        if rtol is _NO_VALUE:
            return np.linalg.pinv(a, rcond=rcond, hermitian=hermitian)
        return np.linalg.pinv(a, rcond=rcond, hermitian=hermitian, rtol=rtol)
    a = _matrix("pinv", a, square=False)
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
    return matmul(_mH(vt), multiply(expand_dims(s_inv, -1), _mH(u)))


def lstsq(a: Any, b: Any, rcond: Any = None) -> Any:
    """NumPy's ``linalg.lstsq``: ``(x, residuals, rank, s)`` minimizing ``|b - a x|``,
    as ``pinv(a) @ b`` (singular values at most ``rcond * max(s)`` count as zero; default
    ``rcond = eps * max(M, N)``). ``residuals`` is empty unless ``M > N`` and ``a`` has full
    rank; under abstract tracing (jit, vmap) the rank is unknown and residuals are returned
    whenever ``M > N``. ``rank`` is an integer (traced under jit/vmap).

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.lstsq(np.array([[1.0], [1.0]]), np.array([1.0, 3.0]))[0]
    array([2.])
    """
    if not any_tracer((a, b)):
        return np.linalg.lstsq(a, b, rcond=rcond)
    dtype = _float_dtype("lstsq", a, b)
    a, b = _matrix("lstsq", _as_float(a, dtype), square=False), _as_float(b, dtype)
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
        residuals = _sum(_abs2(b2 - matmul(a, x)), axis=0)
    else:
        residuals = np.zeros((0,), np.finfo(dtype).dtype)
    if len(sb) == 1:
        x = _reshape(x, (n,))
    return LstsqResult(x, residuals, rank, s)


def matrix_power(a: Any, n: int) -> Any:
    """NumPy's ``linalg.matrix_power``: ``a`` to the integer power ``n`` by repeated
    squaring (``n < 0`` through ``inv``).

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
        return sqrt(_sum(_abs2(x), axis=axis, keepdims=keepdims))
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
        ret = sqrt(_sum(_abs2(x), axis=(row, col)))
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

    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.linalg.norm(np.array([3.0, 4.0])))
    5.0
    """
    if not any_tracer((x,)):
        return np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    x = _as_float(x, _float_dtype("norm", x))
    nd = len(shape_of(x))
    if axis is None:
        if (ord is None or (ord in ("f", "fro") and nd == 2) or (ord == 2 and nd == 1)):
            ret = sqrt(_sum(_abs2(ravel(x))))
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

    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.linalg.vector_norm(np.array([[3.0], [4.0]])))
    5.0
    """
    if not any_tracer((x,)) and not any_gpu_array((x,)):  # CuPy has no vector_norm
        return np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)
    x = _as_float(x, _float_dtype("vector_norm", x))
    nd = len(shape_of(x))
    axes = normalize_axes(axis, nd, "vector_norm")
    if isinstance(ord, str):
        raise ValueError(f"vector_norm: Invalid norm order '{ord}' for vectors")
    return _vector_norm(x, ord, axes, keepdims)


def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:
    """NumPy's ``linalg.matrix_norm``: ``norm`` over the last two axes.

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

    >>> import ftrans.numpy as fnp, numpy as np
    >>> round(float(fnp.linalg.cond(np.diag([4.0, 2.0]))), 12)  # from an SVD: round
    2.0
    """
    if not any_tracer((x,)):
        return np.linalg.cond(x, p)
    if p is None or p in (2, -2):
        s = svdvals(_matrix("cond", x, square=False))
        big, small = _last(s, 0), _last(s, -1)
        return divide(small, big) if p == -2 else divide(big, small)
    x = _matrix("cond", x)
    return multiply(norm(x, p, axis=(-2, -1)), norm(inv(x), p, axis=(-2, -1)))


def matrix_rank(A: Any, tol: Any = None, hermitian: bool = False, *, rtol: Any = None) -> Any:
    """NumPy's ``linalg.matrix_rank``: the number of singular values above ``tol`` (default
    ``max(s) * max(M, N) * eps``). An integer: it has no derivative.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> int(fnp.linalg.matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0]])))
    1
    """
    if not any_tracer((A, tol, rtol)):
        return np.linalg.matrix_rank(A, tol=tol, hermitian=hermitian, rtol=rtol)
    A = _as_float(A, _float_dtype("matrix_rank", A))
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


def outer(x1: Any, x2: Any, /) -> Any:
    """NumPy's ``linalg.outer`` of two vectors.

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

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.linalg.diagonal(np.arange(4.0).reshape(2, 2))
    array([0., 3.])
    """
    if _array_api("diagonal", x):
        return np.linalg.diagonal(x, offset=offset)
    return _diagonal(x, offset, -2, -1)


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    """NumPy's ``linalg.trace``: the sum of the ``offset`` diagonal of each matrix.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.linalg.trace(np.arange(4.0).reshape(2, 2)))
    3.0
    """
    if _array_api("trace", x):
        return np.linalg.trace(x, offset=offset, dtype=dtype)
    return _trace(x, offset, -2, -1, dtype)


def matrix_transpose(x: Any, /) -> Any:
    """NumPy's ``linalg.matrix_transpose``: each matrix transposed (not conjugated).

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
    return _mT(x)


def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """NumPy's ``linalg.vecdot``: ``Σ conj(x1)·x2`` over ``axis`` (the first vector is
    conjugated), the other axes broadcast.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> complex(fnp.linalg.vecdot(np.array([1j, 2.0]), np.array([1j, 1.0])))
    (3+0j)
    """
    if _array_api("vecdot", x1, x2):
        return np.linalg.vecdot(x1, x2, axis=axis)
    s1, s2 = shape_of(x1), shape_of(x2)
    if not (s1 and s2 and -len(s1) <= axis < len(s1) and -len(s2) <= axis < len(s2)
            and s1[axis] == s2[axis]):
        raise ValueError(f"vecdot: the vectors along axis {axis} must have equal lengths "
                         f"(they do not broadcast), got shapes {s1} and {s2}")
    prod = multiply(conj(x1), x2)
    return _sum(prod, axis=axis, dtype=prod.dtype)  # uint8 stays uint8, as in NumPy


def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """NumPy's ``linalg.cross``: the cross product of 3-element vectors along ``axis``.

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

    >>> import ftrans.numpy as fnp, numpy as np
    >>> float(fnp.linalg.tensordot(np.eye(2), np.eye(2)))
    2.0
    """
    if _array_api("tensordot", x1, x2):
        return np.linalg.tensordot(x1, x2, axes=axes)
    return _tensordot(x1, x2, axes)


__all__ = ["LinAlgError", "cholesky", "cond", "cross", "det", "diagonal", "eig", "eigh",
           "eigvals", "eigvalsh", "inv", "lstsq", "matmul", "matrix_norm", "matrix_power",
           "matrix_rank", "matrix_transpose", "multi_dot", "norm", "outer", "pinv", "qr",
           "slogdet", "solve", "svd", "svdvals", "tensordot", "trace", "vecdot",
           "vector_norm"]


def __getattr__(name: str) -> Any:
    from ._hints import MissingAttributeError
    raise MissingAttributeError(name, "numpy.linalg")
