"""Sample rows for linear algebra (``ftrans.numpy.linalg``, ``ftrans.scipy.linalg``) and special
functions (``ftrans.scipy.special``); see ``samples.py``.

Inputs are well conditioned: symmetric positive definite matrices for cholesky, distinct
eigen- and singular values for eigh and svd. Outputs whose sign is a convention (eigenvectors,
singular vectors) enter through sign-invariant functions: squares, ``V f(Λ) Vᵀ``,
``U f(S) Vᵀ``.
"""

from __future__ import annotations

import numpy as np
from samples_core import Sample, pos, r

import ftrans.numpy as fnp
import ftrans.scipy.linalg as fsl
import ftrans.scipy.special as fsp

la = fnp.linalg


def _well_conditioned(n: int, *batch: int) -> np.ndarray:
    return r(*batch, n, n) + 3 * np.eye(n)


def _spd(a):
    """A symmetric positive definite matrix from any square ``a``."""
    n = a.shape[-1]
    return fnp.matmul(a, fnp.swapaxes(a, -1, -2)) + n * np.eye(n)


def _sym(a):
    return a + fnp.swapaxes(a, -1, -2)


def _eig_function(a):
    """``V exp(Λ) Vᵀ`` for ``Λ, V = eigh(a + aᵀ)``: independent of eigenvector signs."""
    w, v = la.eigh(_sym(a))
    return fnp.matmul(v * fnp.expand_dims(fnp.exp(w), -2), fnp.swapaxes(v, -1, -2))


def _svd_function(a):
    """``U sin(S) Vh``: independent of singular-vector signs."""
    u, s, vh = la.svd(a, full_matrices=False)
    return fnp.matmul(u * fnp.expand_dims(fnp.sin(s), -2), vh)


_wc2 = _well_conditioned(2)
_tril = np.tril(r(3, 3)) + 3 * np.eye(3)
_triu = np.triu(r(3, 3)) + 3 * np.eye(3)

LINALG_SAMPLES: list[Sample] = [
    # solve: vector and matrix right-hand sides, batches broadcast
    Sample("solve", la.solve, (_well_conditioned(3), r(3))),
    Sample("solve", la.solve, (_well_conditioned(3, 2), r(3, 2))),
    Sample("solve", la.solve, (_well_conditioned(3), r(2, 3, 4))),
    Sample("solve", lambda b: la.solve(_wc2, b), (r(2, 3),), linear=True),
    # triangular solve
    Sample("triangular_solve", lambda a, b: fsl.solve_triangular(a, b, lower=True),
           (_tril, r(3))),
    Sample("triangular_solve", lambda a, b: fsl.solve_triangular(a, b, trans="T"),
           (_triu, r(3, 2))),
    Sample("triangular_solve",
           lambda a, b: fsl.solve_triangular(a, b, lower=True, unit_diagonal=True, trans=1),
           (_tril + r(3, 3), r(2, 3, 2))),
    Sample("triangular_solve", lambda b: fsl.solve_triangular(_triu, b), (r(3, 2),),
           linear=True),
    # inv, det, slogdet
    Sample("inv", la.inv, (_well_conditioned(3),)),
    Sample("inv", la.inv, (_well_conditioned(2, 2),)),
    Sample("det", la.det, (_well_conditioned(3),)),
    Sample("det", la.det, (r(2, 4, 4) + 2 * np.eye(4),)),
    Sample("slogdet", lambda a: la.slogdet(a).logabsdet, (r(2, 3, 3) - 3 * np.eye(3),)),
    Sample("slogdet", lambda a: la.slogdet(a)[0] * a, (_well_conditioned(2),)),
    # cholesky
    Sample("cholesky", lambda a: la.cholesky(_spd(a)), (r(3, 3),)),
    Sample("cholesky", lambda a: la.cholesky(_spd(a), upper=True), (r(2, 3, 3),)),
    # qr: tall, square, wide, r only
    Sample("qr", lambda a: la.qr(a).Q, (r(4, 3),)),
    Sample("qr", lambda a: la.qr(a).R, (r(4, 3),)),
    Sample("qr", lambda a: la.qr(a)[1], (r(2, 3, 3),)),
    Sample("qr", lambda a: la.qr(a, mode="r"), (r(2, 4),)),
    Sample("qr", lambda a: la.qr(a)[0], (r(2, 4),)),
    # eigh
    Sample("eigh", lambda a: la.eigh(_sym(a)).eigenvalues, (r(4, 4),)),
    Sample("eigh", lambda a: la.eigh(_sym(a))[1] ** 2, (r(3, 3),)),
    Sample("eigh", _eig_function, (r(2, 3, 3),)),
    Sample("eigh", lambda a: la.eigh(_sym(a), UPLO="U")[0], (r(3, 3),)),
    Sample("eigh", lambda a: la.eigvalsh(_sym(a)), (r(3, 3),)),
    # svd: values, vectors (squared), functions of the factorization; tall, wide, batched
    Sample("svd", lambda a: la.svd(a, compute_uv=False), (r(4, 3),)),
    Sample("svd", la.svdvals, (r(2, 3, 5),)),
    Sample("svd", lambda a: la.svd(a, full_matrices=False).U ** 2, (r(4, 3),)),
    Sample("svd", lambda a: la.svd(a, full_matrices=False)[2] ** 2, (r(3, 4),)),
    Sample("svd", lambda a: la.svd(a)[0] ** 2, (r(3, 3),)),
    Sample("svd", _svd_function, (r(4, 3),)),
    Sample("svd", _svd_function, (r(2, 2, 3),)),
    # composites
    Sample("pinv", la.pinv, (r(4, 3),)),
    Sample("pinv", la.pinv, (r(2, 2, 3),)),
    Sample("pinv", la.pinv, (np.linalg.qr(r(4, 3))[0],)),  # repeated singular values
    Sample("svd", lambda a: la.pinv(a, rcond=np.array([1e-15, 1e-14])), (r(2, 3, 2),)),
    Sample("pinv", lambda a, b: la.lstsq(a, b)[0], (r(5, 3), r(5))),
    Sample("pinv", lambda a, b: la.lstsq(a, b)[0], (r(3, 4), r(3, 2))),
    Sample("pinv", lambda a, b: la.lstsq(a, b)[1], (r(5, 2), r(5, 3))),
    Sample("svd", lambda a, b: la.lstsq(a, b)[3], (r(5, 2), r(5, 3))),
    Sample("dot_general", lambda a: la.matrix_power(a, 2), (r(3, 3),)),
    Sample("dot_general", lambda a: la.matrix_power(a, 5), (r(2, 3, 3),)),
    Sample("inv", lambda a: la.matrix_power(a, -3), (_well_conditioned(3),)),
    # norm: vector orders
    Sample("reduce_sum", la.norm, (r(3, 4),)),
    Sample("reduce_sum", lambda x: la.norm(x, keepdims=True), (r(3, 4),)),
    Sample("reduce_sum", lambda x: la.norm(x, axis=1), (r(3, 4),)),
    Sample("reduce_sum", lambda x: la.norm(x, 1, axis=0), (r(3, 4),)),
    Sample("reduce_max", lambda x: la.norm(x, np.inf, axis=-1, keepdims=True), (r(3, 4),)),
    Sample("reduce_min", lambda x: la.norm(x, -np.inf), (r(4),)),
    Sample("pow", lambda x: la.norm(x, 3, axis=0), (r(3, 2),)),
    Sample("pow", lambda x: la.norm(x, 0.5), (r(4),)),
    Sample("reduce_sum", lambda x: la.norm(x, 0, axis=1) * fnp.sum(x, axis=1), (r(3, 2),)),
    # norm: matrix orders
    Sample("reduce_sum", lambda x: la.norm(x, "fro"), (r(3, 4),)),
    Sample("reduce_sum", lambda x: la.norm(x, "fro", axis=(2, 0), keepdims=True),
           (r(3, 2, 4),)),
    Sample("svd", lambda x: la.norm(x, "nuc"), (r(3, 4),)),
    Sample("svd", lambda x: la.norm(x, 2, axis=(1, 2)), (r(2, 3, 4),)),
    Sample("svd", lambda x: la.norm(x, -2), (r(3, 3),)),
    Sample("reduce_max", lambda x: la.norm(x, 1), (r(3, 4),)),
    Sample("reduce_min", lambda x: la.norm(x, -1, axis=(1, 0)), (r(3, 4),)),
    Sample("reduce_max", lambda x: la.norm(x, np.inf, axis=(0, 2)), (r(3, 2, 4),)),
    Sample("reduce_min", lambda x: la.norm(x, -np.inf, keepdims=True), (r(3, 4),)),
    # NumPy 2's vector_norm, matrix_norm; cond, multi_dot
    Sample("reduce_sum", lambda x: la.vector_norm(x, axis=(0, 2), ord=3), (r(2, 3, 2),)),
    Sample("reduce_sum", la.vector_norm, (r(2, 3),)),
    Sample("svd", lambda x: la.matrix_norm(x, ord=2, keepdims=True), (r(2, 3, 2),)),
    Sample("svd", la.cond, (r(3, 4),)),
    Sample("inv", lambda a: la.cond(a, "fro"), (_well_conditioned(3),)),
    Sample("dot_general", lambda a, b, c: la.multi_dot([a, b, c]), (r(3), r(3, 4), r(4, 2))),
]

SPECIAL_SAMPLES: list[Sample] = [
    Sample("erf", fsp.erf, (r(2, 3, lo=-2, hi=2),)),
    Sample("erfc", fsp.erfc, (r(3, lo=-2, hi=2),)),
    Sample("erfinv", fsp.erfinv, (r(3, lo=-0.9, hi=0.9),)),
    Sample("lgamma", fsp.gammaln, (pos(2, 3),)),
    Sample("lgamma", fsp.gammaln, (r(3, lo=-2.9, hi=-2.1),)),
    Sample("digamma", fsp.digamma, (pos(3),)),
    Sample("digamma", fsp.psi, (r(3, lo=-0.9, hi=-0.1),)),
    Sample("polygamma", lambda x: fsp.polygamma(1, x), (pos(3),)),
    Sample("polygamma", lambda x: fsp.polygamma(3, x), (r(3, lo=4.0, hi=30.0),)),
    Sample("logistic", fsp.expit, (r(3, lo=-4, hi=4),)),
    Sample("log", fsp.logit, (r(3, lo=0.1, hi=0.9),)),
    Sample("log", fsp.xlogy, (r(3), pos(3))),
    Sample("log1p", fsp.xlog1py, (r(2, 3), pos(3))),
    Sample("exp", fsp.logsumexp, (r(3, 4),)),
    Sample("exp", lambda x: fsp.logsumexp(x, axis=1), (r(3, 4),)),
    Sample("exp", lambda x: fsp.logsumexp(x, axis=(0, 2), keepdims=True), (r(2, 3, 2),)),
    Sample("exp", lambda x, b: fsp.logsumexp(x, axis=-1, b=b), (r(3, 4), pos(3, 4))),
    Sample("exp", lambda x: fsp.logsumexp(x, b=np.array([1.0, -3.0, 1.0]),
                                          return_sign=True)[0], (r(3),)),
    Sample("exp", fsp.softmax, (r(2, 3),)),
    Sample("exp", lambda x: fsp.softmax(x, axis=0), (r(3, 4),)),
    Sample("log", lambda x: fsp.log_softmax(x, axis=-1), (r(3, 4),)),
    Sample("log", fsp.log_softmax, (r(4),)),
]

# ----------------------------------------------------------------------------- complex

_crng = np.random.default_rng(4321)


def c(*shape: int) -> np.ndarray:
    """complex128 values, real and imaginary parts in [-1, 1]."""
    return _crng.uniform(-1, 1, shape) + 1j * _crng.uniform(-1, 1, shape)


def _cwell(n: int, *batch: int) -> np.ndarray:
    return c(*batch, n, n) + 3 * np.eye(n)


def _mH(a):
    return fnp.conj(fnp.swapaxes(a, -1, -2))


def _hpd(a):
    """A Hermitian positive definite matrix from any square ``a``."""
    n = a.shape[-1]
    return fnp.matmul(a, _mH(a)) + n * np.eye(n)


def _herm(a):
    return a + _mH(a)


def _ceig_function(a):
    """``V exp(Λ) Vᴴ`` for ``Λ, V = eigh(a + aᴴ)``: independent of eigenvector phases."""
    w, v = la.eigh(_herm(a))
    return fnp.matmul(v * fnp.expand_dims(fnp.exp(w), -2), _mH(v))


def _csvd_function(a):
    """``U sin(S) Vh``: independent of singular-vector phases."""
    u, s, vh = la.svd(a, full_matrices=False)
    return fnp.matmul(u * fnp.expand_dims(fnp.sin(s), -2), vh)


def _matrix_function(a):
    """``V exp(Λ) V⁻¹`` for ``Λ, V = eig(a)``: ``expm(a)``, whatever the eigenvectors'
    scale and the eigenvalues' order."""
    w, v = la.eig(a)
    return la.solve(_mH(fnp.conj(v)), fnp.swapaxes(v * fnp.expand_dims(fnp.exp(w), -2),
                                                     -1, -2))


def _weighted(a):
    """``Σ_j |v_ij|² w_j``: independent of phases and of the eigenvalues' order."""
    w, v = la.eig(a)
    return fnp.sum(fnp.abs(v) ** 2 * fnp.expand_dims(w, -2), axis=-1)


_ctril = np.tril(c(3, 3)) + 3 * np.eye(3)
_ctriu = np.triu(c(3, 3)) + 3 * np.eye(3)
_cwc2 = _cwell(2)

COMPLEX_LINALG_SAMPLES: list[Sample] = [
    Sample("solve", la.solve, (_cwell(3), c(3))),
    Sample("solve", la.solve, (_cwell(3, 2), c(2, 3, 2))),
    Sample("solve", la.solve, (_well_conditioned(3), c(3, 2))),  # real a, complex b
    Sample("solve", lambda b: la.solve(_cwc2, b), (c(2, 3),), linear=True),
    Sample("triangular_solve", lambda a, b: fsl.solve_triangular(a, b, lower=True),
           (_ctril, c(3))),
    Sample("triangular_solve", lambda a, b: fsl.solve_triangular(a, b, trans="C"),
           (_ctriu, c(3, 2))),
    Sample("triangular_solve", lambda a, b: fsl.solve_triangular(a, b, trans=1, lower=True),
           (_ctril, c(2, 3, 2))),
    Sample("triangular_solve", lambda b: fsl.solve_triangular(_ctriu, b, trans=2), (c(3, 2),),
           linear=True),
    Sample("inv", la.inv, (_cwell(3),)),
    Sample("det", la.det, (_cwell(3),)),
    Sample("det", la.det, (c(2, 3, 3) + 2 * np.eye(3),)),
    Sample("slogdet", lambda a: la.slogdet(a).logabsdet, (c(2, 3, 3) - 2 * np.eye(3),)),
    Sample("slogdet", lambda a: la.slogdet(a).sign, (_cwell(3),)),
    Sample("slogdet", lambda a: la.slogdet(a)[0] * la.slogdet(a)[1], (c(2, 2, 2) + np.eye(2),)),
    Sample("cholesky", lambda a: la.cholesky(_hpd(a)), (c(3, 3),)),
    Sample("cholesky", lambda a: la.cholesky(_hpd(a), upper=True), (c(2, 3, 3),)),
    Sample("qr", lambda a: la.qr(a).Q, (c(4, 3),)),
    Sample("qr", lambda a: la.qr(a).R, (c(4, 3),)),
    Sample("qr", lambda a: la.qr(a)[0], (c(2, 3, 3),)),
    Sample("qr", lambda a: la.qr(a, mode="r"), (c(2, 4),)),
    Sample("eigh", lambda a: la.eigh(_herm(a)).eigenvalues, (c(4, 4),)),
    Sample("eigh", lambda a: fnp.abs(la.eigh(_herm(a))[1]) ** 2, (c(3, 3),)),
    Sample("eigh", _ceig_function, (c(2, 3, 3),)),
    Sample("eigh", lambda a: la.eigh(_herm(a), UPLO="U")[0], (c(3, 3),)),
    Sample("eigh", lambda a: la.eigvalsh(_herm(a)), (c(3, 3),)),
    Sample("svd", lambda a: la.svd(a, compute_uv=False), (c(4, 3),)),
    Sample("svd", la.svdvals, (c(2, 3, 5),)),
    Sample("svd", lambda a: fnp.abs(la.svd(a, full_matrices=False).U) ** 2, (c(4, 3),)),
    Sample("svd", lambda a: fnp.abs(la.svd(a, full_matrices=False)[2]) ** 2, (c(3, 4),)),
    Sample("svd", lambda a: fnp.abs(la.svd(a)[0]) ** 2, (c(3, 3),)),
    Sample("svd", _csvd_function, (c(4, 3),)),
    Sample("svd", _csvd_function, (c(2, 2, 3),)),
    Sample("pinv", la.pinv, (c(4, 3),)),
    Sample("pinv", la.pinv, (c(2, 2, 3),)),
    Sample("svd", lambda a: la.pinv(a, rcond=np.array([1e-15, 1e-14])), (c(2, 3, 2),)),
    Sample("pinv", lambda a, b: la.lstsq(a, b)[0], (c(5, 3), c(5))),
    Sample("pinv", lambda a, b: la.lstsq(a, b)[1], (c(5, 2), c(5, 3))),
    Sample("dot_general", lambda a: la.matrix_power(a, 3), (c(3, 3),)),
    Sample("inv", lambda a: la.matrix_power(a, -2), (_cwell(3),)),
    Sample("dot_general", lambda a, b: la.multi_dot([a, b, a]), (c(3, 3), c(3, 3))),
    Sample("reduce_sum", la.norm, (c(3, 4),)),
    Sample("reduce_sum", lambda x: la.norm(x, axis=1), (c(3, 4),)),
    Sample("reduce_sum", lambda x: la.norm(x, 1, axis=0), (c(3, 4),)),
    Sample("reduce_max", lambda x: la.norm(x, np.inf, axis=-1), (c(3, 4),)),
    Sample("pow", lambda x: la.norm(x, 3, axis=0), (c(3, 2),)),
    Sample("reduce_sum", lambda x: la.norm(x, "fro", axis=(2, 0)), (c(3, 2, 4),)),
    Sample("svd", lambda x: la.norm(x, "nuc"), (c(3, 4),)),
    Sample("svd", lambda x: la.norm(x, -2), (c(3, 3),)),
    Sample("reduce_max", lambda x: la.norm(x, 1), (c(3, 4),)),
    Sample("reduce_min", lambda x: la.norm(x, -np.inf), (c(3, 4),)),
    Sample("reduce_sum", lambda x: la.vector_norm(x, ord=2.5), (c(2, 3),)),
    Sample("svd", la.cond, (c(3, 4),)),
    Sample("inv", lambda a: la.cond(a, "fro"), (_cwell(3),)),
    # NumPy 2's array-API functions; vecdot conjugates its first argument
    Sample("conj", la.vecdot, (c(2, 3), c(3))),
    Sample("reduce_sum", lambda x, y: la.vecdot(x, y, axis=0), (r(3, 2), c(3, 2))),
    Sample("gather", lambda x: la.diagonal(x, offset=1), (c(2, 3, 3),), linear=True),
    Sample("gather", lambda x: la.trace(x, offset=-1), (c(2, 3, 3),), linear=True),
    Sample("transpose", la.matrix_transpose, (c(2, 3, 4),), linear=True),
    Sample("mul", lambda x, y: la.cross(x, y, axis=0), (c(3, 2), c(3, 2))),
    Sample("dot_general", lambda x, y: la.tensordot(x, y, axes=1), (c(2, 3), c(3, 2))),
    # eig and eigvals of general matrices: complex results, also from real matrices
    Sample("eig", la.eigvals, (c(4, 4),)),
    Sample("eig", la.eigvals, (r(2, 3, 3),)),
    Sample("eig", lambda a: la.eig(a).eigenvalues, (r(4, 4),)),
    Sample("eig", lambda a: la.eig(a).eigenvectors, (c(3, 3),)),
    Sample("eig", lambda a: la.eig(a)[1], (r(2, 3, 3),)),
    Sample("eig", _matrix_function, (c(3, 3),)),
    Sample("eig", _matrix_function, (r(2, 3, 3),)),
    Sample("eig", _weighted, (c(2, 3, 3),)),
    Sample("eig", _weighted, (r(4, 4),)),
]

LINALG_SAMPLES += COMPLEX_LINALG_SAMPLES
