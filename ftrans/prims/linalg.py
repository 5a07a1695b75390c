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
``P = A⁺``) and with ``conj``, ``real`` where a result is constrained to be real, so
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
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import Primitive, Zero, aval_of, register, same_device
from ..ir import ShapedArray, complex_dtype, is_complex_dtype, is_float_dtype, real_dtype
from . import ops
from .complex_parts import complex_p
from .families import batch_at_front, is_undef, shape_of
from .shape import convert_element_type, expand_dims, moveaxis, reshape


def _declare(name: str, multiple_results: bool = False) -> Primitive:
    p = register(Primitive(name, multiple_results))
    p.family = "linalg"
    p.batch = _batch_at_front(p)
    return p


def _batch_at_front(prim: Primitive) -> Callable:
    def batch(args: Sequence[Any], dims: Sequence[int | None], **params: Any) -> Any:
        out = prim.bind(*batch_at_front(args, dims), **params)
        return out, ([0] * len(out) if prim.multiple_results else 0)
    return batch


# ----------------------------------------------------------------------------- helpers

def _check_matrix(name: str, x: ShapedArray, square: bool = True) -> None:
    if x.ndim < 2:
        raise ValueError(f"{name}: expected an array of at least 2 dimensions (a stack of "
                         f"matrices), got shape {x.shape}")
    if square and x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{name}: last 2 dimensions of the array must be square, got shape "
                         f"{x.shape}")
    if not is_float_dtype(x.dtype):
        raise TypeError(f"{name}: expected a floating-point or complex array, got dtype "
                        f"{x.dtype}")


def _mT(x: Any) -> Any:
    """Swap the last two axes."""
    return x.swapaxes(-1, -2)


def _is_complex(x: Any) -> bool:
    return is_complex_dtype(aval_of(x).dtype)


def _mH(x: Any) -> Any:
    """The conjugate transpose of each matrix (the transpose of a real one)."""
    return _mT(x).conj() if _is_complex(x) else _mT(x)


def _conj(x: Any) -> Any:
    return x.conj() if _is_complex(x) else x


def _imag_part(x: Any) -> Any:
    """``1j * Im(x)`` as a complex array: ``x − Re x``."""
    return x - x.real


def _mm(x: Any, y: Any) -> Any:
    return x @ y


def _eye(n: int, dtype: Any, like: Any) -> Any:
    """The n×n identity, on the device of ``like``."""
    return same_device(np.eye(n, dtype=dtype), like)


def _diagonal(x: Any) -> Any:
    """The diagonal of each matrix, as a linear function of ``x``."""
    n = shape_of(x)[-1]
    return (x * _eye(n, aval_of(x).dtype, x)).sum(axis=-1)


def _tril_mask(n: int, m: int, k: int, dtype: Any, like: Any) -> Any:
    """Ones on and below the k-th diagonal of an n×m matrix, on the device of ``like``."""
    return same_device(np.tri(n, m, k, dtype=dtype), like)


# ----------------------------------------------------------------------------- solve

solve_p = _declare("solve")


def _solve_aval(a: ShapedArray, b: ShapedArray) -> ShapedArray:
    _check_matrix("solve", a)
    if b.ndim != a.ndim or b.shape[:-2] != a.shape[:-2] or b.shape[-2] != a.shape[-1]:
        raise ValueError(f"solve: b must have shape {a.shape[:-1]} + (k,) for a of shape "
                         f"{a.shape}, got {b.shape}")
    if a.dtype != b.dtype:
        raise TypeError(f"solve got dtypes {a.dtype} and {b.dtype}; convert them first")
    return ShapedArray(b.shape, b.dtype)


def _solve_jvp(primals: Any, out: Any, tangents: Any) -> Any:
    (a, _), (ta, tb) = primals, tangents
    if type(ta) is Zero and type(tb) is Zero:
        return Zero(aval_of(out))
    rhs = tb if type(ta) is Zero else (-_mm(ta, out) if type(tb) is Zero
                                      else tb - _mm(ta, out))
    return solve_p.bind(a, rhs)


def _solve_transpose(ct: Any, a: Any, b: Any) -> list[Any]:
    if is_undef(a):
        raise TypeError("solve is linear only in its right-hand side b")
    return [None, solve_p.bind(_mT(a), ct)]


def _batch_rhs_only(prim: Primitive) -> Callable:
    """Batch rule of a solve linear in ``b``: a batch of right-hand sides against one ``a``
    becomes more columns (or rows, for ``X A = B``), so ``a`` is factored once."""
    general = _batch_at_front(prim)

    def batch(args: Sequence[Any], dims: Sequence[int | None], **params: Any) -> Any:
        (a, b), (da, db) = args, dims
        if da is not None:
            return general(args, dims, **params)
        rows = not params.get("left_side", True)  # X op(A) = B: the batch joins the rows
        b = moveaxis(b, db, -2 if rows else -1)
        s = shape_of(b)
        merged = (s[:-3] + (s[-3] * s[-2], s[-1]) if rows
                  else s[:-2] + (s[-2] * s[-1],))
        out = prim.bind(a, reshape(b, merged), **params)
        return reshape(out, s), len(s) - (2 if rows else 1)
    return batch


solve_p.batch = _batch_rhs_only(solve_p)
def _nan_where_singular(impl: Callable, probe: Callable) -> Callable:
    """``impl(xp, a, ...)`` giving NaNs for the matrices of ``a`` that ``probe`` rejects
    (singular, or not positive definite) instead of raising for the whole batch, as JAX
    does: a vmapped ``cond`` with a batched predicate runs every branch on every element,
    the branches not taken on zero-filled residuals, and selects afterwards."""
    def nan_impl(xp: Any, a: Any, *rest: Any, **params: Any) -> Any:
        try:
            return impl(xp, a, *rest, **params)
        except np.linalg.LinAlgError:
            if xp is not np:
                raise
        bad = np.zeros(a.shape[:-2], bool)
        for i in np.ndindex(*bad.shape):
            try:
                probe(a[i], **params)
            except np.linalg.LinAlgError:
                bad[i] = True
        if not bad.any():
            raise np.linalg.LinAlgError("singular matrix in a batch with none singular")
        eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
        out = impl(xp, np.where(bad[..., None, None], eye, a), *rest, **params)
        mask = bad.reshape(bad.shape + (1,) * (np.ndim(out) - bad.ndim))
        return np.where(mask, np.nan, out).astype(out.dtype, copy=False)
    return nan_impl


solve_p.impl = _nan_where_singular(lambda xp, a, b: xp.linalg.solve(a, b),
                                   lambda m: np.linalg.inv(m))
solve_p.abstract_eval = _solve_aval
solve_p.jvp = _solve_jvp
solve_p.transpose = _solve_transpose

# ----------------------------------------------------------------------------- triangular_solve

triangular_solve_p = _declare("triangular_solve")


def triangular_solve(a: Any, b: Any, *, left_side: bool = True, lower: bool = True,
                     transpose_a: bool = False, unit_diagonal: bool = False) -> Any:
    """Solve ``op(A) X = B`` (``left_side``) or ``X op(A) = B`` with ``A`` triangular,
    ``op(A) = Aᵀ`` when ``transpose_a``; only ``A``'s ``lower`` (or upper) triangle is read."""
    return triangular_solve_p.bind(a, b, left_side=bool(left_side), lower=bool(lower),
                                   transpose_a=bool(transpose_a),
                                   unit_diagonal=bool(unit_diagonal))


def _triangle(xp: Any, a: Any, lower: bool, unit_diagonal: bool) -> Any:
    a = xp.tril(a) if lower else xp.triu(a)
    if unit_diagonal:
        n = a.shape[-1]
        eye = xp.eye(n, dtype=a.dtype)
        a = a * (1 - eye) + eye
    return a


def _triangular_solve_impl(xp: Any, a: Any, b: Any, *, left_side: bool, lower: bool,
                           transpose_a: bool, unit_diagonal: bool) -> Any:
    a = _triangle(xp, a, lower, unit_diagonal)
    if transpose_a:
        a = xp.swapaxes(a, -1, -2)
    if left_side:
        return xp.linalg.solve(a, b)
    # X op(A) = B  <=>  op(A)ᵀ Xᵀ = Bᵀ
    return xp.swapaxes(xp.linalg.solve(xp.swapaxes(a, -1, -2), xp.swapaxes(b, -1, -2)), -1, -2)


def _triangular_solve_aval(a: ShapedArray, b: ShapedArray, *, left_side: bool, lower: bool,
                           transpose_a: bool, unit_diagonal: bool) -> ShapedArray:
    _check_matrix("triangular_solve", a)
    n = a.shape[-1]
    if (b.ndim != a.ndim or b.shape[:-2] != a.shape[:-2]
            or (b.shape[-2] if left_side else b.shape[-1]) != n):
        want = "(n, k)" if left_side else "(k, n)"
        raise ValueError(f"triangular_solve: b must have shape {a.shape[:-2]} + {want} with "
                         f"n = {n} for a of shape {a.shape}, got {b.shape}")
    if a.dtype != b.dtype:
        raise TypeError(f"triangular_solve got dtypes {a.dtype} and {b.dtype}; convert them "
                        "first")
    return ShapedArray(b.shape, b.dtype)


def _triangular_solve_jvp(primals: Any, out: Any, tangents: Any, *, left_side: bool,
                          lower: bool, transpose_a: bool, unit_diagonal: bool) -> Any:
    (a, _), (ta, tb) = primals, tangents
    if type(ta) is Zero and type(tb) is Zero:
        return Zero(aval_of(out))
    params = dict(left_side=left_side, lower=lower, transpose_a=transpose_a,
                  unit_diagonal=unit_diagonal)
    rhs = None if type(tb) is Zero else tb
    if type(ta) is not Zero:
        n = shape_of(a)[-1]
        dtype = aval_of(a).dtype
        mask = _tril_mask(n, n, -1 if unit_diagonal else 0, dtype, ta)
        mask = mask if lower else mask.T
        da = ta * mask
        if transpose_a:
            da = _mT(da)
        term = _mm(da, out) if left_side else _mm(out, da)
        rhs = -term if rhs is None else rhs - term
    return triangular_solve_p.bind(a, rhs, **params)


def _triangular_solve_transpose(ct: Any, a: Any, b: Any, *, left_side: bool, lower: bool,
                                transpose_a: bool, unit_diagonal: bool) -> list[Any]:
    if is_undef(a):
        raise TypeError("triangular_solve is linear only in its right-hand side b")
    return [None, triangular_solve(a, ct, left_side=left_side, lower=lower,
                                   transpose_a=not transpose_a, unit_diagonal=unit_diagonal)]


triangular_solve_p.batch = _batch_rhs_only(triangular_solve_p)
triangular_solve_p.impl = _nan_where_singular(
    _triangular_solve_impl,
    lambda m, *, lower, unit_diagonal, **_: np.linalg.inv(_triangle(np, m, lower, unit_diagonal)))
triangular_solve_p.abstract_eval = _triangular_solve_aval
triangular_solve_p.jvp = _triangular_solve_jvp
triangular_solve_p.transpose = _triangular_solve_transpose

# ----------------------------------------------------------------------------- inv, det, slogdet

inv_p = _declare("inv")


def _inv_aval(a: ShapedArray) -> ShapedArray:
    _check_matrix("inv", a)
    return ShapedArray(a.shape, a.dtype)


def _inv_jvp(primals: Any, out: Any, tangents: Any) -> Any:
    (ta,) = tangents
    if type(ta) is Zero:
        return Zero(aval_of(out))
    return -_mm(_mm(out, ta), out)


inv_p.impl = _nan_where_singular(lambda xp, a: xp.linalg.inv(a), lambda m: np.linalg.inv(m))
inv_p.abstract_eval = _inv_aval
inv_p.jvp = _inv_jvp


def _trace_of_inv_times(a: Any, ta: Any) -> Any:
    """``tr(A⁻¹ dA)``, linear in ``dA``."""
    return (_mT(inv_p.bind(a)) * ta).sum(axis=(-2, -1))


det_p = _declare("det")


def _det_aval(a: ShapedArray) -> ShapedArray:
    _check_matrix("det", a)
    return ShapedArray(a.shape[:-2], a.dtype)


def _det_jvp(primals: Any, out: Any, tangents: Any) -> Any:
    (a,), (ta,) = primals, tangents
    if type(ta) is Zero:
        return Zero(aval_of(out))
    return out * _trace_of_inv_times(a, ta)


det_p.impl = lambda xp, a: xp.linalg.det(a)
det_p.abstract_eval = _det_aval
det_p.jvp = _det_jvp

slogdet_p = _declare("slogdet", multiple_results=True)


def _slogdet_aval(a: ShapedArray) -> list[ShapedArray]:
    _check_matrix("slogdet", a)
    batch = a.shape[:-2]
    return [ShapedArray(batch, a.dtype), ShapedArray(batch, real_dtype(a.dtype))]


def _slogdet_jvp(primals: Any, outs: Any, tangents: Any) -> list[Any]:
    """``d log|det A| = Re tr(A⁻¹ dA)``; a complex ``sign = det/|det|`` turns by
    ``i Im tr(A⁻¹ dA)``, a real one is locally constant."""
    (a,), (ta,) = primals, tangents
    sign, sign_aval, logdet_aval = outs[0], aval_of(outs[0]), aval_of(outs[1])
    if type(ta) is Zero:
        return [Zero(sign_aval), Zero(logdet_aval)]
    tr = _trace_of_inv_times(a, ta)
    if not is_complex_dtype(sign_aval.dtype):
        return [Zero(sign_aval), tr]
    return [sign * _imag_part(tr), tr.real]


slogdet_p.impl = lambda xp, a: list(xp.linalg.slogdet(a))
slogdet_p.abstract_eval = _slogdet_aval
slogdet_p.jvp = _slogdet_jvp

# ----------------------------------------------------------------------------- cholesky

cholesky_p = _declare("cholesky")


def _cholesky_aval(a: ShapedArray) -> ShapedArray:
    _check_matrix("cholesky", a)
    return ShapedArray(a.shape, a.dtype)


def _cholesky_jvp(primals: Any, out: Any, tangents: Any) -> Any:
    """``A = LLᴴ``: ``dL = L Φ(L⁻¹ dA L⁻ᴴ)`` with ``dA`` made Hermitian."""
    (ta,) = tangents
    if type(ta) is Zero:
        return Zero(aval_of(out))
    n = shape_of(out)[-1]
    dtype = aval_of(out).dtype
    sym = (ta + _mH(ta)) * 0.5
    # sym L⁻ᴴ: X op(conj L) = sym with op the transpose
    tmp = triangular_solve(_conj(out), sym, left_side=False, lower=True, transpose_a=True)
    inner = triangular_solve(out, tmp, left_side=True, lower=True)
    phi = _tril_mask(n, n, 0, dtype, inner) - 0.5 * _eye(n, dtype, inner)
    return _mm(out, inner * phi)


cholesky_p.impl = _nan_where_singular(lambda xp, a: xp.linalg.cholesky(a),
                                      lambda m: np.linalg.cholesky(m))
cholesky_p.abstract_eval = _cholesky_aval
cholesky_p.jvp = _cholesky_jvp

# ----------------------------------------------------------------------------- qr

qr_p = _declare("qr", multiple_results=True)


def _qr_aval(a: ShapedArray, *, full: bool = False) -> list[ShapedArray]:
    _check_matrix("qr", a, square=False)
    m, n = a.shape[-2:]
    if m < n:
        raise ValueError(f"qr primitive: needs m >= n, got a of shape {a.shape} "
                         "(ftrans.numpy.linalg.qr splits wide matrices)")
    batch = a.shape[:-2]
    k = m if full else n  # full: NumPy's mode='complete' (Q square, R as tall as a)
    return [ShapedArray(batch + (m, k), a.dtype), ShapedArray(batch + (k, n), a.dtype)]


def _qr_jvp(primals: Any, outs: Any, tangents: Any, *, full: bool = False) -> list[Any]:
    """J. Townsend's thin-QR rule, as JAX: with ``X = Qᴴ dA R⁻¹`` and ``Ω`` its strictly
    lower part minus that part's conjugate transpose (plus ``i Im diag X`` for complex
    ``A``, so that ``dR`` keeps LAPACK's real diagonal), ``dQ = Q(Ω − X) + dA R⁻¹`` and
    ``dR = (X − Ω) R``."""
    (ta,) = tangents
    q, r = outs
    if type(ta) is Zero:
        return [Zero(aval_of(q)), Zero(aval_of(r))]
    if full and shape_of(q)[-1] != shape_of(r)[-1]:
        raise NotImplementedError("qr: mode='complete' of a tall matrix has no derivative "
                                  "(its extra columns of Q are not unique), as in JAX; use "
                                  "mode='reduced'")
    n = shape_of(r)[-1]
    dx_rinv = triangular_solve(r, ta, left_side=False, lower=False)
    qt_dx_rinv = _mm(_mH(q), dx_rinv)
    strictly_lower = qt_dx_rinv * _tril_mask(n, n, -1, aval_of(r).dtype, qt_dx_rinv)
    do = strictly_lower - _mH(strictly_lower)
    if _is_complex(r):
        do = do + _eye(n, aval_of(r).dtype, r) * _imag_part(qt_dx_rinv)
    dq = _mm(q, do - qt_dx_rinv) + dx_rinv
    dr = _mm(qt_dx_rinv - do, r)
    return [dq, dr]


qr_p.impl = lambda xp, a, *, full=False: list(xp.linalg.qr(a, mode="complete" if full
                                                             else "reduced"))
qr_p.abstract_eval = _qr_aval
qr_p.jvp = _qr_jvp

# ----------------------------------------------------------------------------- eigh

eigh_p = _declare("eigh", multiple_results=True)


def _eigh_aval(a: ShapedArray, *, lower: bool) -> list[ShapedArray]:
    _check_matrix("eigh", a)
    return [ShapedArray(a.shape[:-1], real_dtype(a.dtype)), ShapedArray(a.shape, a.dtype)]


def _eigh_jvp(primals: Any, outs: Any, tangents: Any, *, lower: bool) -> list[Any]:
    """With ``dA`` made Hermitian and ``M = Vᴴ dA V``: ``dw = Re diag M`` and
    ``dV = V (F ∘ M)``, ``F[i, j] = 1 / (w_j − w_i)`` off the diagonal and 0 on it."""
    (ta,) = tangents
    w, v = outs
    if type(ta) is Zero:
        return [Zero(aval_of(w)), Zero(aval_of(v))]
    n = shape_of(v)[-1]
    eye = _eye(n, aval_of(w).dtype, w)
    sym = (ta + _mH(ta)) * 0.5
    vh_da_v = _mm(_mH(v), _mm(sym, v))
    f = 1 / (eye + expand_dims(w, (-2,)) - expand_dims(w, (-1,))) - eye
    dw = _diagonal(vh_da_v)
    return [dw.real if _is_complex(dw) else dw, _mm(v, f * vh_da_v)]


eigh_p.impl = lambda xp, a, *, lower: list(xp.linalg.eigh(a, UPLO="L" if lower else "U"))
eigh_p.abstract_eval = _eigh_aval
eigh_p.jvp = _eigh_jvp

# ----------------------------------------------------------------------------- svd

svd_p = _declare("svd", multiple_results=True)


def _svd_impl(xp: Any, a: Any, *, full_matrices: bool, compute_uv: bool) -> list[Any]:
    if not compute_uv:
        return [xp.linalg.svd(a, compute_uv=False)]
    return list(xp.linalg.svd(a, full_matrices=full_matrices))


def _svd_aval(a: ShapedArray, *, full_matrices: bool, compute_uv: bool) -> list[ShapedArray]:
    _check_matrix("svd", a, square=False)
    *batch, m, n = a.shape
    k = min(m, n)
    s = ShapedArray((*batch, k), real_dtype(a.dtype))
    if not compute_uv:
        return [s]
    um, vn = (m, n) if full_matrices else (k, k)
    return [ShapedArray((*batch, m, um), a.dtype), s, ShapedArray((*batch, vn, n), a.dtype)]


def _svd_jvp(primals: Any, outs: Any, tangents: Any, *, full_matrices: bool,
             compute_uv: bool) -> list[Any]:
    """With ``M = Uᴴ dA V``: ``ds = Re diag M``, ``dU = U (F ∘ (M S + S Mᴴ) + D)``,
    ``dV = V (F ∘ (S M + Mᴴ S))``, ``F[i, j] = 1 / (s_j² − s_i²)`` off the diagonal, plus
    the components outside the span of ``U`` (tall) or ``V`` (wide). For complex ``A``,
    ``D = i Im(diag M) / s`` is JAX's diagonal term: it makes ``diag(Uᴴ dU − Vᴴ dV)``
    match ``dA`` while ``diag(Vᴴ dV)`` stays 0."""
    (a,), (ta,) = primals, tangents
    m, n = shape_of(a)[-2:]
    if type(ta) is Zero:
        return [Zero(aval_of(o)) for o in outs]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError("the derivative of svd with full_matrices=True is defined "
                                  "for square matrices only; use full_matrices=False")
    u, s, vt = outs if compute_uv else svd_p.bind(a, full_matrices=False, compute_uv=True)
    dtype = aval_of(s).dtype
    eye = _eye(min(m, n), dtype, s)
    uh, v = _mH(u), _mH(vt)
    ds_mat = _mm(_mm(uh, ta), v)
    ds = _diagonal(ds_mat)
    complex_a = _is_complex(ds)
    if complex_a:
        ds = ds.real
    if not compute_uv:
        return [ds]
    s_row, s_col = expand_dims(s, (-2,)), expand_dims(s, (-1,))
    f = 1 / ((s_row + s_col) * (s_row - s_col) + eye) - eye  # 1 / (s_j² - s_i²)
    dss, sds = ds_mat * s_row, s_col * ds_mat
    du = _mm(u, f * (dss + _mH(dss)))
    dv = _mm(v, f * (sds + _mH(sds)))
    if complex_a:
        zero = s == 0
        s_inv = ops.where(zero, 0, 1 / ops.where(zero, 1, s))
        du = du + u * expand_dims(_imag_part(_diagonal(ds_mat)) * s_inv, (-2,))
    if m > n:
        da_v = _mm(ta, v)
        du = du + (da_v - _mm(u, _mm(uh, da_v))) / s_row
    if n > m:
        dah_u = _mm(_mH(ta), u)
        dv = dv + (dah_u - _mm(v, _mm(vt, dah_u))) / s_row
    return [du, ds, _mH(dv)]


svd_p.impl = _svd_impl
svd_p.abstract_eval = _svd_aval
svd_p.jvp = _svd_jvp

# ----------------------------------------------------------------------------- pinv

pinv_p = _declare("pinv")


def _pinv_aval(a: ShapedArray, *, rcond: float) -> ShapedArray:
    _check_matrix("pinv", a, square=False)
    return ShapedArray(a.shape[:-2] + (a.shape[-1], a.shape[-2]), a.dtype)


def _pinv_jvp(primals: Any, out: Any, tangents: Any, *, rcond: float) -> Any:
    """Golub and Pereyra (1973): with ``P = A⁺``,
    ``dP = −P dA P + P Pᴴ dAᴴ (I − A P) + (I − P A) dAᴴ Pᴴ P``; valid where the rank of
    ``A`` is locally constant, whatever its singular values (repeated ones included)."""
    (a,), (ta,) = primals, tangents
    if type(ta) is Zero:
        return Zero(aval_of(out))
    m, n = shape_of(a)[-2:]
    dtype = aval_of(out).dtype
    p, ph, tah = out, _mH(out), _mH(ta)
    dp = -_mm(_mm(p, ta), p)
    dp = dp + _mm(_mm(_mm(p, ph), tah), _eye(m, dtype, a) - _mm(a, p))
    return dp + _mm(_mm(_eye(n, dtype, a) - _mm(p, a), tah), _mm(ph, p))


pinv_p.impl = lambda xp, a, *, rcond: xp.linalg.pinv(a, rcond=rcond)
pinv_p.abstract_eval = _pinv_aval
pinv_p.jvp = _pinv_jvp

# ----------------------------------------------------------------------------- eig

eig_p = _declare("eig", multiple_results=True)


def _eig_on_host(xp: Any, a: Any, vectors: bool) -> list[Any]:
    """NumPy's eig of a device array, computed on the host: one copy each way."""
    a_host = xp.asnumpy(a)
    outs = np.linalg.eig(a_host) if vectors else (np.linalg.eigvals(a_host),)
    return [xp.asarray(o) for o in outs]


def _fix_phase(xp: Any, v: Any) -> Any:
    """Eigenvectors (columns) of unit 2-norm with their largest component real and
    positive: LAPACK's ``zgeev`` choice, which ``dgeev`` (real matrices) leaves to chance
    in sign, so that the eigenvectors vary continuously with the matrix."""
    if xp is not np:  # cuSOLVER's norms, to be sure
        v = v / xp.linalg.norm(v, axis=-2, keepdims=True)
    k = xp.argmax(xp.abs(v), axis=-2)[..., None, :]
    p = xp.take_along_axis(v, k, axis=-2)
    size = xp.abs(p)
    return v * (xp.conj(p) / xp.where(size == 0, 1, size))


def _eig_impl(xp: Any, a: Any, *, vectors: bool) -> list[Any]:
    """``np.linalg.eig`` (or ``eigvals``) with complex results. CuPy computes it with
    cuSOLVER's geev where it has one (CuPy 14 with CUDA 12.6 or later); elsewhere the
    matrices are copied to the host, decomposed by NumPy and the results copied back."""
    cdtype = complex_dtype(a.dtype)
    if xp is np:
        outs = list(np.linalg.eig(a)) if vectors else [np.linalg.eigvals(a)]
    else:
        device_eig = getattr(xp.linalg, "eig" if vectors else "eigvals", None)
        try:
            if device_eig is None:
                raise NotImplementedError("no eig in this CuPy")
            got = device_eig(a)
            outs = list(got) if vectors else [got]
        except RuntimeError as e:  # NotImplementedError: HIP; 'not available': CUDA < 12.6
            if not isinstance(e, NotImplementedError) and "not available" not in str(e):
                raise
            outs = _eig_on_host(xp, a, vectors)
    outs = [o.astype(cdtype, copy=False) for o in outs]
    if vectors:
        outs[1] = _fix_phase(xp, outs[1])
    return outs


def _eig_aval(a: ShapedArray, *, vectors: bool) -> list[ShapedArray]:
    _check_matrix("eig", a)
    cdtype = complex_dtype(a.dtype)
    w = ShapedArray(a.shape[:-1], cdtype)
    return [w, ShapedArray(a.shape, cdtype)] if vectors else [w]


def _eig_jvp(primals: Any, outs: Any, tangents: Any, *, vectors: bool) -> list[Any]:
    """First-order perturbation theory for distinct eigenvalues (as JAX, Giles 2008 §3.1):
    with ``P = V⁻¹ dA V``, ``dw = diag P`` and ``dV = V (F ∘ P) + V diag(c)``,
    ``F[i, j] = 1 / (w_j − w_i)`` off the diagonal. ``c`` keeps LAPACK's normalization of
    each eigenvector ``v``: ``Re c = −Re(vᴴ u)`` keeps ``|v| = 1`` and
    ``Im c = −Im(u_k) / v_k`` keeps its largest component ``v_k`` real, ``u`` being the
    column of ``V (F ∘ P)``."""
    (a,), (ta,) = primals, tangents
    if type(ta) is Zero:
        return [Zero(aval_of(o)) for o in outs]
    w, v = outs if vectors else eig_p.bind(a, vectors=True)
    ta = convert_element_type(ta, aval_of(w).dtype) if not _is_complex(ta) else ta
    if not vectors:
        return [(solve_p.bind(v, ta) * _mT(v)).sum(axis=-1)]
    n = shape_of(v)[-1]
    eye = _eye(n, aval_of(w).dtype, w)
    p = solve_p.bind(v, _mm(ta, v))
    f = 1 / (eye + expand_dims(w, (-2,)) - expand_dims(w, (-1,))) - eye
    u = _mm(v, f * p)
    k = abs(v).argmax(axis=-2)
    rows = same_device(np.arange(n).reshape(n, 1), k)
    mask = (rows == expand_dims(k, (-2,))).astype(aval_of(v).dtype)
    c = complex_p.bind(-(v.conj() * u).sum(axis=-2).real,
                       -(mask * u).sum(axis=-2).imag / (mask * v).sum(axis=-2).real)
    return [_diagonal(p), u + v * expand_dims(c, (-2,))]


eig_p.impl = _eig_impl
eig_p.abstract_eval = _eig_aval
eig_p.jvp = _eig_jvp
