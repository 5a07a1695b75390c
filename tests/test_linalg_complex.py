"""Linear algebra on complex matrices, and eig/eigvals of general matrices: values and
dtypes against NumPy, derivatives against hand-derived formulas, finite differences along
complex directions and the jvp/vjp identity in the pairing ``Re Σ u·v``, the phase
conventions of eigen- and singular vectors, JAX as an optional oracle, and autograd's
complex cases of its ``test_linalg.py`` run through a small adapter.

The sample table (``samples_linalg.py``, ``COMPLEX_LINALG_SAMPLES``) checks every function
under every transform; this file checks what a table row cannot.
"""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
import ftrans.scipy.linalg as fsl
from ftrans.testing import check_grads, numerical_jvp, pair

la = fnp.linalg
rng = np.random.default_rng(7)


def crandn(*shape: int) -> np.ndarray:
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def mH(a):
    return np.swapaxes(a, -1, -2).conj()


A = crandn(3, 3) + 3 * np.eye(3)
B = crandn(3, 2)
TALL = crandn(5, 3)
HPD = A @ mH(A) + np.eye(3)
HERM = A + mH(A)


def traced(f, *args):
    """``f``'s value computed through a trace (the recorded primitives)."""
    return ftrans.jvp(f, args, tuple(np.zeros_like(a) for a in args))[0]


# ----------------------------------------------------------------------------- values, dtypes

CASES = [
    ("solve", (A, B)), ("solve", (A, B[:, 0])), ("inv", (A,)), ("det", (A,)),
    ("slogdet", (A,)), ("cholesky", (HPD,)), ("eigvalsh", (HERM,)), ("eigh", (HERM,)),
    ("svd", (A,)), ("svdvals", (TALL,)), ("pinv", (TALL,)), ("qr", (TALL,)),
    ("matrix_power", (A, 3)), ("matrix_power", (A, -2)), ("norm", (TALL,)), ("cond", (A,)),
    ("matrix_rank", (TALL,)), ("lstsq", (TALL, crandn(5))), ("eigvals", (A,)),
]


@pytest.mark.parametrize("name, args", CASES, ids=[n for n, _ in CASES])
@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_traced_values_and_dtypes_match_numpy(name, args, dtype):
    args = tuple(a.astype(dtype) if isinstance(a, np.ndarray) else a for a in args)
    arrays = [i for i, a in enumerate(args) if isinstance(a, np.ndarray)]

    def f(*xs):
        full = list(args)
        for i, x in zip(arrays, xs):
            full[i] = x
        return getattr(la, name)(*full)

    expected = getattr(np.linalg, name)(*args)
    out = traced(f, *[args[i] for i in arrays])
    if name == "lstsq":  # (x, residuals, rank, s): rank is traced to an integer
        out, expected = [out[0], out[1], out[3]], [expected[0], expected[1], expected[3]]
    tol = 1e-12 if dtype == np.complex128 else 2e-5
    for o, e in zip(ftrans.tree_util.tree_flatten(out)[0],
                    ftrans.tree_util.tree_flatten(expected)[0]):
        assert np.asarray(o).dtype == np.asarray(e).dtype, name
        np.testing.assert_allclose(o, e, rtol=tol, atol=tol)


def test_real_results_are_real_arrays():
    """Eigenvalues of Hermitian matrices, singular values, norms, logabsdet, residuals."""
    outs = traced(lambda a, t: (la.eigh(a)[0], la.svd(t, compute_uv=False), la.norm(t, 2),
                                la.norm(t[0], 0), la.slogdet(a)[1], la.lstsq(t, t[:, 0])[1],
                                la.cond(a)), HERM, TALL)
    assert all(o.dtype == np.float64 for o in outs)
    sign = traced(lambda a: la.slogdet(a)[0], A)
    assert sign.dtype == np.complex128 and abs(abs(sign) - 1) < 1e-14


@pytest.mark.parametrize("kw", [
    {}, {"ord": 1, "axis": 0}, {"ord": np.inf, "axis": 1}, {"ord": -np.inf, "axis": 1},
    {"ord": 0, "axis": 1}, {"ord": 2.5, "axis": 0}, {"ord": "fro"}, {"ord": "nuc"},
    {"ord": 2}, {"ord": -2}, {"ord": 1}, {"ord": -1}, {"ord": np.inf}, {"ord": -np.inf},
])
def test_norm_of_complex_matches_numpy(kw):
    expected = np.linalg.norm(TALL, **kw)
    out = traced(lambda x: la.norm(x, **kw), TALL)
    assert np.shape(out) == np.shape(expected) and out.dtype == expected.dtype
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_solve_triangular_conjugate_transpose_matches_scipy():
    sl = pytest.importorskip("scipy.linalg")
    for kw in [{"lower": True}, {"trans": "T"}, {"trans": "C"}, {"trans": 2, "lower": True},
               {"trans": "C", "unit_diagonal": True}]:
        np.testing.assert_allclose(traced(lambda a, b: fsl.solve_triangular(a, b, **kw), A, B),
                                   sl.solve_triangular(A, B, **kw), rtol=1e-12)


ARRAY_API = [
    ("diagonal", lambda m, x, y: m.linalg.diagonal(x, offset=-1)),
    ("trace", lambda m, x, y: m.linalg.trace(x, offset=1)),
    ("matrix_transpose", lambda m, x, y: m.linalg.matrix_transpose(x)),
    ("vecdot", lambda m, x, y: m.linalg.vecdot(x, y, axis=-2)),
    ("cross", lambda m, x, y: m.linalg.cross(x, y, axis=1)),
    ("tensordot", lambda m, x, y: m.linalg.tensordot(x, y, axes=([1, 2], [2, 1]))),
]


@pytest.mark.parametrize("name, f", ARRAY_API, ids=[n for n, _ in ARRAY_API])
def test_array_api_functions_match_numpy(name, f):
    """NumPy 2's ``linalg.diagonal``, ``trace``, ``matrix_transpose``, ``vecdot``, ``cross``,
    ``tensordot``: traced values and dtypes as NumPy's; ``np.linalg.*`` dispatches here."""
    x, y = crandn(2, 3, 3), crandn(2, 3, 3)
    expected = f(np, x, y)
    for out in (traced(lambda x, y: f(fnp, x, y), x, y), traced(lambda x, y: f(np, x, y), x, y)):
        assert out.dtype == expected.dtype and out.shape == expected.shape
        np.testing.assert_allclose(out, expected, rtol=1e-13)
    check_grads(lambda x, y: f(np, x, y), (x, y), order=1)


def test_vecdot_conjugates_its_first_argument():
    """``f = Re Σ conj(x)·y``: ``grad`` in ``y`` is ``conj(x)``, in ``x`` it is ``conj(y)``."""
    x, y = crandn(3), crandn(3)
    gx, gy = ftrans.grad(lambda x, y: fnp.real(la.vecdot(x, y)), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, y.conj(), rtol=1e-14)
    np.testing.assert_allclose(gy, x.conj(), rtol=1e-14)


def test_array_api_errors():
    with pytest.raises(ValueError, match=r"cross: .*3-dimensional vectors along axis -1, but "
                                         r"x1 has shape \(3, 2\)"):
        traced(lambda x: la.cross(x, x), crandn(3, 2))
    with pytest.raises(ValueError, match="matrix_transpose: .*at least 2-dimensional"):
        traced(la.matrix_transpose, crandn(3))


# ----------------------------------------------------------------------------- hand-derived

def test_hand_derived_gradients():
    """``grad`` of a real function of complex ``z = x + iy`` is ``∂f/∂x − i ∂f/∂y``: for
    ``f(A) = Re Σ G·dA`` to first order, the gradient is ``G``."""
    inv, d = np.linalg.inv(A), np.linalg.det(A)
    # log|det A|: d = Re tr(A⁻¹ dA), so G = A⁻ᵀ (not conjugated)
    np.testing.assert_allclose(ftrans.grad(lambda a: la.slogdet(a)[1])(A), inv.T, rtol=1e-12)
    # |det A|² = det · conj(det): G = 2 |det A|² A⁻ᵀ
    np.testing.assert_allclose(ftrans.grad(lambda a: fnp.abs(la.det(a)) ** 2)(A),
                               2 * abs(d) ** 2 * inv.T, rtol=1e-12)
    # ‖x‖: G = conj(x) / ‖x‖
    np.testing.assert_allclose(ftrans.grad(la.norm)(TALL), TALL.conj() / np.linalg.norm(TALL),
                               rtol=1e-12)
    # an eigenvalue of a Hermitian matrix: dλ = Re(vᴴ dA v), G = conj(v) vᵀ
    w, v = np.linalg.eigh(HERM)
    g = ftrans.grad(lambda a: la.eigvalsh(a)[2])(HERM)
    np.testing.assert_allclose(g, np.outer(v[:, 2].conj(), v[:, 2]), atol=1e-12)
    # the largest singular value: dσ = Re(uᴴ dA v), G = conj(u vh)
    u, s, vh = np.linalg.svd(TALL)
    np.testing.assert_allclose(ftrans.grad(lambda a: la.norm(a, 2))(TALL),
                               np.outer(u[:, 0], vh[0]).conj(), atol=1e-12)


def test_slogdet_sign_turns_with_the_phase_of_the_determinant():
    """``sign = det/|det|``: ``d sign = sign · i Im tr(A⁻¹ dA)``; for ``[[z]]``,
    ``i Im(t/z) z/|z|``."""
    z, t = 0.6 - 0.8j, 0.3 + 0.4j
    _, ds = ftrans.jvp(lambda a: la.slogdet(a)[0], (np.array([[z]]),), (np.array([[t]]),))
    np.testing.assert_allclose(ds, 1j * (t / z).imag * z / abs(z), rtol=1e-14)
    _, dl = ftrans.jvp(lambda a: la.slogdet(a)[1], (np.array([[z]]),), (np.array([[t]]),))
    np.testing.assert_allclose(dl, (t / z).real, rtol=1e-14)


def test_eigenvalue_derivatives_of_a_triangular_matrix():
    """``λ(a, b, c, d)`` of ``[[a, b], [c, d]]`` at ``c = 0`` is ``a + bc/(a − d) + O(c²)``,
    and ``d − bc/(a − d)``; complex entries."""
    a, b, d = 1 + 2j, 0.5 - 1j, -1 + 0.5j
    m = np.array([[a, b], [0, d]])
    w, dw = ftrans.jvp(la.eigvals, (m,), (np.array([[0, 0], [1.0 + 0j, 0]]),))
    order = np.argsort(np.abs(w - a))
    np.testing.assert_allclose(w[order], [a, d], atol=1e-14)
    np.testing.assert_allclose(dw[order], [b / (a - d), -b / (a - d)], rtol=1e-12)


@pytest.mark.parametrize("a", [np.array([[0.3, -1.2], [1.2, 0.3]]), A,
                               np.random.default_rng(3).standard_normal((4, 4))])
def test_eig_along_directions_that_keep_the_eigenvectors(a):
    """``eig(s A + t I)`` has eigenvalues ``s w + t`` and the same eigenvectors: along the
    tangents ``A`` and ``I`` (and any mix) ``dw`` is ``w`` and ``1``, and ``dV`` is 0 —
    exactly what the phase convention (largest component real, unit norm) requires."""
    w, v = np.linalg.eig(a)
    s = 0.5j if np.iscomplexobj(a) else 0.5  # a real matrix has real tangents
    for t, dw_expected in [(a, w), (np.eye(len(a)), np.ones_like(w)),
                           (s * a - 2 * s * np.eye(len(a)), s * w - 2 * s)]:
        (w_, v_), (dw, dv) = ftrans.jvp(la.eig, (a,), (t.astype(a.dtype),))
        order = [int(np.argmin(abs(w_ - x))) for x in w]
        np.testing.assert_allclose(dw[order], dw_expected, rtol=1e-11, atol=1e-12)
        np.testing.assert_allclose(dv, 0, atol=1e-11)


# ----------------------------------------------------------------------------- phases

def test_eig_results_are_complex_with_the_zgeev_phase():
    """Complex eigenvalues and eigenvectors even for real eigenvalues of a real matrix
    (JAX's dtypes; NumPy's eig gives float64 there), eagerly and traced, equal to NumPy's
    up to one unit factor per eigenvector; each eigenvector has unit norm and its largest
    component real and positive."""
    real = np.array([[2.0, 1.0], [1.0, 3.0]])
    for a in (real, real.astype(np.float32), np.random.default_rng(5).standard_normal((3, 4, 4)),
              A, A.astype(np.complex64)):
        w_np, v_np = np.linalg.eig(a)
        for w, v in (la.eig(a), traced(la.eig, a), ftrans.jit(la.eig)(a)):
            cdtype = np.result_type(a.dtype, np.complex64)
            assert w.dtype == v.dtype == cdtype
            tol = 1e-12 if cdtype == np.complex128 else 2e-5
            np.testing.assert_allclose(w, w_np, rtol=tol, atol=tol)
            phase = np.sum(v * v_np.conj(), axis=-2)  # v = v_np · phase
            np.testing.assert_allclose(abs(phase), 1, rtol=tol)
            np.testing.assert_allclose(v, v_np * phase[..., None, :], atol=tol)
            np.testing.assert_allclose(np.linalg.norm(v, axis=-2), 1, rtol=tol)
            big = np.take_along_axis(v, np.argmax(abs(v), axis=-2)[..., None, :], axis=-2)
            assert np.all(big.real > 0) and np.all(big.imag == 0)
        assert la.eigvals(a).dtype == cdtype
        np.testing.assert_allclose(la.eigvals(a), w_np, rtol=tol, atol=tol)


def test_eigenvectors_of_a_real_matrix_vary_continuously():
    """LAPACK's dgeev leaves the sign of a real matrix's complex eigenvector pair to chance
    (at this matrix NumPy's flips under a perturbation of 1e-9, with OpenBLAS's LAPACK);
    ours stay put, so finite differences of the eigenvectors themselves agree with the
    derivative."""
    r = np.random.default_rng(0)
    r.standard_normal((4, 3))
    m = r.standard_normal((4, 4))
    t = np.random.default_rng(0).standard_normal((4, 4))
    v = [la.eig(m + e * t)[1] for e in (1e-9, -1e-9)]
    assert abs(v[0] - v[1]).max() < 1e-7
    check_grads(lambda x: la.eig(x)[1], (m,), order=1)


def test_eigh_eigenvector_derivative_is_phase_fixed():
    """JAX's choice among ``dv + i c v``: ``vᴴ dv`` has a zero real part (unit norm) and a
    zero imaginary part (the phase does not move); the projectors ``v vᴴ``, which do not
    depend on phases, have the derivative of NumPy's own eigenvectors."""
    t = crandn(3, 3)
    (w, v), (dw, dv) = ftrans.jvp(la.eigh, (HERM,), (t + mH(t),))
    np.testing.assert_allclose(np.diagonal(mH(v) @ dv), 0, atol=1e-12)

    def projectors(a):
        v = la.eigh(a)[1]
        return fnp.expand_dims(v, 1) * fnp.conj(fnp.expand_dims(v, 0))  # [i, j, k]: v_ik v̄_jk
    np.testing.assert_allclose(ftrans.jvp(projectors, (HERM,), (t + mH(t),))[1],
                               numerical_jvp(projectors, (HERM,), (t + mH(t),)), atol=1e-7)


def test_svd_vector_derivatives_keep_diag_vh_dv_zero():
    """JAX's svd rule: ``diag(Vᴴ dV) = 0``, and ``diag(Uᴴ dU) = i Im(diag(Uᴴ dA V)) / s``
    so that ``A = U S Vᴴ`` is differentiated exactly."""
    t = crandn(*TALL.shape)
    (u, s, vh), (du, ds, dvh) = ftrans.jvp(lambda a: la.svd(a, full_matrices=False),
                                           (TALL,), (t,))
    v, dv = mH(vh), mH(dvh)
    np.testing.assert_allclose(np.diagonal(mH(v) @ dv), 0, atol=1e-12)
    np.testing.assert_allclose(np.diagonal(mH(u) @ du),
                               1j * np.diagonal(mH(u) @ t @ v).imag / s, atol=1e-12)
    da = du @ np.diag(s) @ vh + u @ np.diag(ds) @ vh + u @ np.diag(s) @ dvh
    np.testing.assert_allclose(da, t, atol=1e-12)


def test_cholesky_and_qr_keep_their_real_diagonals():
    t = crandn(3, 3)
    l, dl = ftrans.jvp(la.cholesky, (HPD,), (t + mH(t),))
    np.testing.assert_allclose(dl @ mH(l) + l @ mH(dl), t + mH(t), atol=1e-12)
    assert np.allclose(np.diagonal(dl).imag, 0, atol=1e-13)
    t = crandn(*TALL.shape)
    (q, r), (dq, dr) = ftrans.jvp(la.qr, (TALL,), (t,))
    np.testing.assert_allclose(dq @ r + q @ dr, t, atol=1e-12)
    assert np.allclose(np.diagonal(dr).imag, 0, atol=1e-13)
    np.testing.assert_allclose(mH(q) @ dq + mH(dq) @ q, 0, atol=1e-12)


# ----------------------------------------------------------------------------- transforms

def test_plain_numpy_code_on_complex_matrices():
    """``np.linalg`` on traced complex values dispatches here; second order too."""
    def f(a, b):
        w, v = np.linalg.eig(a)
        x = np.linalg.solve(a, b)
        return (np.linalg.norm(x) + np.linalg.slogdet(a)[1] + np.sum(np.abs(w) ** 2)
                + np.real(np.sum(np.abs(v) ** 2 * w)) + np.linalg.norm(np.linalg.pinv(b), "nuc"))
    check_grads(f, (A, B), order=2)


def test_vmap_and_jit_of_eig():
    a = crandn(4, 3, 3)
    w, v = ftrans.vmap(la.eig)(a)
    for i in range(4):
        wi, vi = la.eig(a[i])
        np.testing.assert_allclose(w[i], wi, rtol=1e-13)
        np.testing.assert_allclose(v[i], vi, atol=1e-13)

    def loss(m):
        w, v = la.eig(m)
        return fnp.sum(fnp.real(w) ** 2) + fnp.sum(fnp.abs(v[..., 0, :]))
    g = ftrans.grad(loss)(a)
    np.testing.assert_allclose(ftrans.jit(ftrans.grad(loss))(a), g, rtol=1e-12)
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(loss))(a), g, rtol=1e-12)
    check_grads(loss, (a,), order=2)


def test_eigvals_order_is_eigs_order():
    """eigvals' derivative uses eig's eigenvectors: both come from LAPACK's geev in the
    same order."""
    r = np.random.default_rng(11)
    for _ in range(20):
        m = r.standard_normal((6, 6)) + 1j * r.standard_normal((6, 6))
        np.testing.assert_allclose(la.eigvals(m), la.eig(m)[0], rtol=1e-10)
        m = m.real
        np.testing.assert_allclose(la.eigvals(m), la.eig(m)[0], rtol=1e-10)


def test_jvp_vjp_identity_in_the_real_pairing():
    t, rng_ = crandn(3, 3), np.random.default_rng(1)
    for f in (la.eig, la.eigvals, la.inv, lambda a: la.eigh(a + fnp.conj(a.T)),
              lambda a: la.svd(a), la.qr, lambda a: la.cholesky(a @ fnp.conj(a.T))):
        out, jv = ftrans.jvp(f, (A,), (t,))
        leaves, tree = ftrans.tree_util.tree_flatten(out)
        u = ftrans.tree_util.tree_unflatten(tree, [
            (rng_.standard_normal(np.shape(x)) + 1j * rng_.standard_normal(np.shape(x))
             if np.iscomplexobj(x) else rng_.standard_normal(np.shape(x))) for x in leaves])
        (ct,) = ftrans.vjp(f, A)[1](u)
        np.testing.assert_allclose(pair(u, jv), pair(ct, t), rtol=1e-10)


# ----------------------------------------------------------------------------- errors

def test_eig_errors():
    with pytest.raises(np.linalg.LinAlgError, match=r"eig: Last 2 dimensions .*square"):
        la.eig(np.ones((2, 3)))
    with pytest.raises(np.linalg.LinAlgError, match="eigvals: 1-dimensional array given"):
        la.eigvals(np.ones(3))
    with pytest.raises(TypeError, match="eig: array type float16 is unsupported"):
        la.eig(np.eye(2, dtype=np.float16))
    w = la.eigvals(np.array([[2, 0], [0, 3]]))  # integers: computed in float64
    assert w.dtype == np.complex128


def test_grad_of_a_complex_output_says_what_to_do():
    with pytest.raises(TypeError, match="holomorphic=True"):
        ftrans.grad(lambda a: fnp.sum(la.eigvals(a)))(A.real)
    g = ftrans.grad(lambda a: fnp.sum(la.eigvals(a)), holomorphic=True)(A)
    np.testing.assert_allclose(g, np.eye(3), atol=1e-12)  # d tr A = tr dA


# ----------------------------------------------------------------------------- JAX

jax_cases = [
    ("det", lambda m, x: m.linalg.det(x), A),
    ("inv", lambda m, x: m.linalg.inv(x), A),
    ("solve", lambda m, x: m.linalg.solve(x, B), A),
    ("slogdet", lambda m, x: tuple(m.linalg.slogdet(x)), A),
    ("cholesky", lambda m, x: m.linalg.cholesky(x @ m.conj(x.T) + 3 * np.eye(3)), A),
    ("qr", lambda m, x: tuple(m.linalg.qr(x)), TALL),
    ("qr wide", lambda m, x: tuple(m.linalg.qr(x.T)), TALL),
    ("eigh", lambda m, x: tuple(m.linalg.eigh(x + m.conj(x.T))), A),
    ("svd", lambda m, x: tuple(m.linalg.svd(x, full_matrices=False)), TALL),
    ("svd wide", lambda m, x: tuple(m.linalg.svd(x.T, full_matrices=False)), TALL),
    ("svd square", lambda m, x: tuple(m.linalg.svd(x)), A),
    ("pinv", lambda m, x: m.linalg.pinv(x), TALL),
    ("lstsq", lambda m, x: m.linalg.lstsq(x, TALL[:, 0])[0], TALL),
    ("norm", lambda m, x: m.linalg.norm(x), TALL),
    ("norm 2", lambda m, x: m.linalg.norm(x, 2), TALL),
    ("norm nuc", lambda m, x: m.linalg.norm(x, "nuc"), TALL),
    ("norm 1", lambda m, x: m.linalg.norm(x, 1), TALL),
    ("norm 3", lambda m, x: m.linalg.norm(x, 3, axis=0), TALL),
    ("cond", lambda m, x: m.linalg.cond(x), A),
    ("eigvals", lambda m, x: m.linalg.eigvals(x), A),
    ("eigvals real", lambda m, x: m.linalg.eigvals(x.real), A),
    ("matrix_power", lambda m, x: m.linalg.matrix_power(x, -3), A),
]


@pytest.fixture
def jax():
    """JAX in 64-bit mode, for this test only."""
    jax = pytest.importorskip("jax")
    with jax.enable_x64(True):
        yield jax


@pytest.mark.parametrize("name, f, x", jax_cases, ids=[n for n, _, _ in jax_cases])
def test_matches_jax(name, f, x, jax):
    """Primal, jvp along a complex direction and vjp of a complex cotangent as JAX's."""
    import jax.numpy as jnp
    r = np.random.default_rng(4)
    t = r.standard_normal(x.shape) + 1j * r.standard_normal(x.shape)
    j_out, j_t = jax.jvp(lambda y: f(jnp, y), (jnp.asarray(x),), (jnp.asarray(t),))
    f_out, f_t = ftrans.jvp(lambda y: f(fnp, y), (x,), (t,))
    leaves = ftrans.tree_util.tree_flatten(f_out)[0]
    for a, b in zip(jax.tree_util.tree_leaves((j_out, j_t)),
                    ftrans.tree_util.tree_flatten((f_out, f_t))[0]):
        assert np.asarray(a).dtype == np.asarray(b).dtype
        np.testing.assert_allclose(np.asarray(a), b, rtol=1e-9, atol=1e-10)
    cts = [(r.standard_normal(np.shape(v)) + 1j * r.standard_normal(np.shape(v))
            if np.iscomplexobj(v) else r.standard_normal(np.shape(v))) for v in leaves]
    j_ct = jax.vjp(lambda y: f(jnp, y), jnp.asarray(x))[1](
        jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(j_out), cts))[0]
    f_ct = ftrans.vjp(lambda y: f(fnp, y), x)[1](
        ftrans.tree_util.tree_unflatten(ftrans.tree_util.tree_flatten(f_out)[1], cts))[0]
    np.testing.assert_allclose(np.asarray(j_ct), f_ct, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("a", [A, A.real], ids=["complex", "real"])
def test_eig_matches_jax_with_eigenvector_derivatives(a, jax):
    """JAX's ``lax.linalg.eig(..., enable_eigvec_derivs=True)``: the same eigenvalues,
    eigenvectors up to the sign LAPACK's dgeev leaves to chance, and derivatives."""
    lax_linalg = pytest.importorskip("jax._src.lax.linalg")  # jax.lax.linalg hides the flag
    r = np.random.default_rng(6)
    t = r.standard_normal(a.shape) + (1j * r.standard_normal(a.shape)
                                      if np.iscomplexobj(a) else 0)
    (jw, jv), (jdw, jdv) = jax.jvp(
        lambda y: tuple(lax_linalg.eig(y, compute_left_eigenvectors=False,
                                       enable_eigvec_derivs=True)), (a,), (t,))
    (w, v), (dw, dv) = ftrans.jvp(la.eig, (a,), (t,))
    order = [int(np.argmin(abs(np.asarray(jw) - x))) for x in w]
    jw, jv, jdw, jdv = (np.asarray(z)[..., order] for z in (jw, jv, jdw, jdv))
    sign = np.sum(v * jv.conj(), axis=0)
    np.testing.assert_allclose(abs(sign.real), 1, rtol=1e-12)  # ±1
    np.testing.assert_allclose(w, jw, rtol=1e-12)
    np.testing.assert_allclose(v, jv * sign.real, atol=1e-12)
    np.testing.assert_allclose(dw, jdw, rtol=1e-10)
    np.testing.assert_allclose(dv, jdv * sign.real, atol=1e-10)


# ----------------------------------------------------------------------------- autograd

def _autograd_case(fun, shape, hermitian=False, real=False, seed=1):
    """One of autograd's complex cases (``tests/test_linalg.py``, ``*_complex`` and
    ``test_eig_*``): ``fun`` on ``randn + 1j randn`` of ``shape`` (``randn`` if ``real``),
    checked to second order in both modes (autograd checks reverse mode). autograd
    differentiates eigh as a function of the triangle it reads; ours and JAX's is a
    function of a Hermitian matrix, so ``hermitian`` cases get their matrix through
    ``(x + xᴴ) / 2``, as autograd's own ``check_symmetric_matrix_grads`` does for cholesky."""
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape) + (0 if real else 1j * r.standard_normal(shape))
    f = (lambda y: fun((y + fnp.conj(fnp.swapaxes(y, -1, -2))) / 2)) if hermitian else fun
    check_grads(f, (x,), order=2)


def _abs_factors(svd):
    return lambda x: tuple(fnp.abs(p) if i != 1 else p for i, p in enumerate(svd(x)))


AUTOGRAD = {
    "vector_2norm_complex": (lambda x: np.linalg.norm(x), (6,)),
    "frobenius_norm_complex": (lambda x: np.linalg.norm(x), (6, 5)),
    "frobenius_norm_axis_complex": (lambda x: np.linalg.norm(x, axis=(0, 1)), (6, 5, 4)),
    **{f"vector_norm_ord_complex-{o}": (lambda x, o=o: np.linalg.norm(x, ord=o), (6,))
       for o in (2, 3, 4)},
    **{f"norm_axis_complex-{ax}": (lambda x, ax=ax: np.linalg.norm(x, axis=ax), (6, 5, 4))
       for ax in range(3)},
    "norm_nuclear_complex": (lambda x: np.linalg.norm(x, ord="nuc"), (6, 5)),
    "norm_nuclear_axis_complex": (lambda x: np.linalg.norm(x, ord="nuc", axis=(0, 1)),
                                  (6, 5, 4)),
    "eig_real": (lambda x: tuple(np.abs(p) for p in np.linalg.eig(x)), (8, 8)),
    "eig_complex": (lambda x: (np.linalg.eig(x)[0], np.abs(np.linalg.eig(x)[1])), (8, 8)),
    "eig_batched": (lambda x: (np.linalg.eig(x)[0], np.abs(np.linalg.eig(x)[1])), (5, 8, 8)),
    **{f"svd_{kind}_complex": (_abs_factors(lambda x: np.linalg.svd(x, full_matrices=False)),
                               shape)
       for kind, shape in [("wide_2d", (3, 5)), ("wide_3d", (4, 3, 5)), ("square_2d", (4, 4)),
                           ("square_3d", (3, 4, 4)), ("tall_2d", (5, 3)),
                           ("tall_3d", (4, 5, 3))]},
    "svd_only_s_2d_complex": (lambda x: np.linalg.svd(x, full_matrices=False,
                                                      compute_uv=False), (5, 3)),
    "svd_only_s_3d_complex": (lambda x: np.linalg.svd(x, full_matrices=False,
                                                      compute_uv=False), (4, 5, 3)),
}
AUTOGRAD_HERMITIAN = {
    "eigvalh_lower_complex": (lambda x: (np.linalg.eigh(x)[0], np.abs(np.linalg.eigh(x)[1])),
                              (6, 6)),
    "eigvalh_upper_complex": (lambda x: (np.linalg.eigh(x, "U")[0],
                                         np.abs(np.linalg.eigh(x, "U")[1])), (6, 6)),
}


@pytest.mark.parametrize("name", list(AUTOGRAD))
def test_autograd_complex_cases(name):
    """Written with plain ``np`` as autograd's are: traced arrays dispatch here."""
    fun, shape = AUTOGRAD[name]
    _autograd_case(fun, shape, real=name == "eig_real")


@pytest.mark.parametrize("name", list(AUTOGRAD_HERMITIAN))
def test_autograd_complex_eigh_cases(name):
    fun, shape = AUTOGRAD_HERMITIAN[name]
    _autograd_case(fun, shape, hermitian=True)


def test_gradients_match_autograd():
    """autograd as an oracle, for real losses of complex matrices (its gradients follow
    the same convention, ``∂f/∂x − i ∂f/∂y``)."""
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    weights = np.arange(9.0).reshape(3, 3)

    def losses(m):
        def herm(z):
            return (z + m.conj(m.swapaxes(z, -1, -2))) / 2
        return {
            "svd": lambda z: (m.sum(m.abs(m.linalg.svd(z, full_matrices=False)[0]) ** 2
                                    * np.arange(3.0))
                              + m.sum(m.linalg.svd(z, compute_uv=False) ** 2)),
            "eig": lambda z: (m.sum(m.abs(m.linalg.eig(z[:3])[0]))
                              + m.sum(m.abs(m.linalg.eig(z[:3])[1]) ** 2 * weights)),
            "eigh": lambda z: (m.sum(m.linalg.eigh(herm(z[:3]))[0] * np.arange(3.0))
                               + m.sum(m.abs(m.linalg.eigh(herm(z[:3]))[1]) ** 2 * weights)),
            "norm": lambda z: m.linalg.norm(z) + m.linalg.norm(z, ord="nuc")
            + m.sum(m.linalg.norm(z, ord=3, axis=0)),
            "det": lambda z: m.abs(m.linalg.det(z[:3])) + m.real(m.linalg.slogdet(z[:3])[1]),
            "inv": lambda z: (m.sum(m.abs(m.linalg.inv(z[:3])))
                              + m.sum(m.abs(m.linalg.solve(z[:3], z[3:].T)))),
        }
    x = crandn(5, 3)
    for name, f in losses(fnp).items():
        np.testing.assert_allclose(ftrans.grad(f)(x), autograd.grad(losses(anp)[name])(x),
                                   rtol=1e-10, atol=1e-12, err_msg=name)
