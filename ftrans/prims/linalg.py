"""Linear algebra primitives on stacks of matrices (the last two axes; leading axes are a
batch and must agree between operands): solve, triangular_solve, inv, det, slogdet,
cholesky, qr, eigh, svd, pinv, eig.

Each impl calls the array module's batched ``linalg``; each jvp is the matrix-calculus
formula written with operations that are linear in the tangent (matmul, triangular solves,
products with primal values), so linearizing and transposing it gives reverse mode:

- ``X = A⁻¹B``: ``dX = A⁻¹(dB − dA X)``; solve and triangular_solve are linear in ``B``,
  with transpose ``B̄ = A⁻ᵀ X̄``.
- ``inv``: ``dA⁻¹ = −A⁻¹ dA A⁻¹``; ``det``: ``d det A = det A · tr(A⁻¹ dA)``; ``slogdet``:
  ``d log|det A| = tr(A⁻¹ dA)``.
- ``A = LLᵀ``: ``dL = L Φ(L⁻¹ dA L⁻ᵀ)``, Φ the lower triangle with half its diagonal.
- ``A⁺`` (pinv): Golub and Pereyra's formula, so repeated singular values are fine.
- ``A = QR`` (m ≥ n), ``A = V diag(w) Vᵀ``, ``A = U diag(s) Vᵀ``: as in JAX
  (``jax/_src/lax/linalg.py``) and Giles, "An extended collection of matrix derivative
  results" (2008). Eigen- and singular values must be distinct for the vector derivatives.

Symmetric inputs (cholesky, eigh) read one triangle; their tangents are symmetrized, as JAX
does, so derivatives are those of a function of a symmetric matrix.

Complex matrices follow JAX's conventions (``docs/complex.md``): every jvp is the R-linear
map of the tangent, written with the conjugate transpose ``ᴴ`` where the real formula has
``ᵀ`` (``A = LLᴴ``, ``A = QR`` with ``QᴴQ = I``, ``A = V diag(w) Vᴴ``, ``A = U diag(s) Vᴴ``,
``P = A⁺``) and with ``fnp.conj``, ``fnp.real`` where a result is constrained to be real, so
its transpose in the pairing ``Re Σ u·v`` comes from the primitives it uses. The
holomorphic rules (solve, triangular_solve, inv, det) need nothing more. Values that are
real by construction are real arrays: the eigenvalues of eigh, the singular values,
``slogdet``'s ``logabsdet`` (its ``sign`` is a unit complex number). Eigen- and singular
vectors of complex matrices are fixed only up to a phase: the derivatives of eigh's ``V``
and svd's ``U`` and ``V`` are JAX's, with ``diag(Vᴴ dV) = 0``: the phases do not move;
functions invariant under those phases (``|v|²``, projectors ``v vᴴ``, ``U f(S) Vᴴ``) have
the derivatives of NumPy's own results.

``eig`` of a general real or complex matrix gives complex eigenvalues and unit-norm
eigenvectors (complex even for a real matrix with real eigenvalues, as JAX); their
derivatives need distinct eigenvalues. Each eigenvector's phase is fixed as LAPACK's
``zgeev`` fixes it, its largest component real and positive (``dgeev``, for real matrices,
leaves that sign to chance: NumPy's eigenvectors of a real matrix can flip sign under a
tiny perturbation); the eigenvector derivatives are those of that choice (JAX's ``eig``
with ``enable_eigvec_derivs=True``).

Batching moves the batch axis to the front (broadcasting unbatched operands), since every
impl already maps over leading axes; a batch of right-hand sides against one matrix (as in
``jacfwd``) becomes extra columns of a single solve instead.
Traced (not eager NumPy) solve, triangular_solve, inv and cholesky give NaNs for a singular
(not positive definite) matrix of a batch instead of raising, as JAX does.

The primitives live by job: ``linalg_solve.py`` (solve, triangular_solve, inv, det, slogdet,
cholesky), ``linalg_factor.py`` (qr, eigh, svd, pinv, eig), on ``linalg_helpers.py``.
"""

from __future__ import annotations

from .linalg_factor import eig_p, eigh_p, pinv_p, qr_p, svd_p
from .linalg_solve import (
    cholesky_p,
    det_p,
    inv_p,
    slogdet_p,
    solve_p,
    triangular_solve,
    triangular_solve_p,
)

__all__ = ["solve_p", "triangular_solve_p", "triangular_solve", "inv_p", "det_p", "slogdet_p",
           "cholesky_p", "qr_p", "eigh_p", "svd_p", "pinv_p", "eig_p"]
