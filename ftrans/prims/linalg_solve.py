"""Solves and their relatives: solve, triangular_solve, inv, det, slogdet, cholesky (the
formulas: ``linalg.py``).

>>> import numpy as np
>>> inv_p.bind(np.eye(2) * 4.0)
array([[0.25, 0.  ],
       [0.  , 0.25]])
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import Primitive, Zero, aval_of
from ..ir import ShapedArray, is_complex_dtype, real_dtype
from .families import is_undef, shape_of
from .linalg_helpers import (
    _batch_at_front,
    _check_matrix,
    _conj,
    _declare,
    _eye,
    _imag_part,
    _mH,
    _mm,
    _mT,
    _tril_mask,
)
from .shape import moveaxis, reshape

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
