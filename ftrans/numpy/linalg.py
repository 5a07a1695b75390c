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

The functions live by job: ``_linalg_decomp.py`` (one primitive each), ``_linalg_derived.py``
(built from them), ``_linalg_array_api.py`` (NumPy 2's array-API additions).
"""

from __future__ import annotations

from typing import Any

from ._linalg import matmul
from ._linalg_array_api import (
    cross,
    diagonal,
    matrix_transpose,
    outer,
    svdvals,
    tensordot,
    trace,
    vecdot,
)
from ._linalg_decomp import (
    EighResult,
    EigResult,
    LinAlgError,
    LstsqResult,
    QRResult,
    SlogdetResult,
    SVDResult,
    cholesky,
    det,
    eig,
    eigh,
    eigvals,
    eigvalsh,
    inv,
    qr,
    slogdet,
    solve,
    svd,
)
from ._linalg_derived import (
    cond,
    lstsq,
    matrix_norm,
    matrix_power,
    matrix_rank,
    multi_dot,
    norm,
    pinv,
    vector_norm,
)

__all__ = ["LinAlgError", "cholesky", "cond", "cross", "det", "diagonal", "eig", "eigh",
           "eigvals", "eigvalsh", "inv", "lstsq", "matmul", "matrix_norm", "matrix_power",
           "matrix_rank", "matrix_transpose", "multi_dot", "norm", "outer", "pinv", "qr",
           "slogdet", "solve", "svd", "svdvals", "tensordot", "trace", "vecdot",
           "vector_norm",
           # the result types (named tuples), as jax.numpy.linalg exports them
           "EighResult", "EigResult", "LstsqResult", "QRResult", "SlogdetResult", "SVDResult"]


def __getattr__(name: str) -> Any:
    from ._hints import MissingAttributeError
    raise MissingAttributeError(name, "numpy.linalg")
