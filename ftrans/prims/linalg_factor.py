"""Factorizations: qr, eigh, svd, pinv, eig (the formulas: ``linalg.py``).

>>> import numpy as np
>>> w, v = eigh_p.bind(np.diag([2.0, 1.0]), lower=True)
>>> w
array([1., 2.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import Zero, aval_of, same_device
from ..ir import ShapedArray, complex_dtype, real_dtype
from . import ops
from .complex_parts import complex_p
from .families import shape_of
from .linalg_helpers import (
    _check_matrix,
    _declare,
    _diagonal,
    _eye,
    _imag_part,
    _is_complex,
    _mH,
    _mm,
    _mT,
    _tril_mask,
)
from .linalg_solve import solve_p, triangular_solve
from .shape import convert_element_type, expand_dims

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
