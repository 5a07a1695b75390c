"""``ftrans.numpy.linalg`` and ``ftrans.scipy.linalg``: values and dtypes against NumPy,
closed-form derivatives, NumPy code traced through ``np.linalg``, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
import ftrans.scipy.linalg as fsl
from ftrans.testing import check_grads

la = fnp.linalg
rng = np.random.default_rng(42)
A = rng.standard_normal((3, 3)) + 3 * np.eye(3)
B = rng.standard_normal((3, 2))
SPD = A @ A.T + np.eye(3)


def traced(f, *args):
    """``f``'s value computed through a trace (the recorded primitives)."""
    return ftrans.jvp(f, args, tuple(np.zeros_like(a) for a in args))[0]


# ----------------------------------------------------------------------------- values, dtypes

@pytest.mark.parametrize("name, args", [
    ("solve", (A, B)), ("solve", (A, B[:, 0])), ("inv", (A,)), ("det", (A,)),
    ("cholesky", (SPD,)), ("eigvalsh", (SPD,)), ("svdvals", (B,)), ("pinv", (B,)),
    ("matrix_power", (A, 4)), ("matrix_power", (A, -2)), ("norm", (A,)),
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
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
    assert out.dtype == expected.dtype
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(out, expected, rtol=tol, atol=tol)


def test_integer_input_is_computed_in_float64():
    a = np.array([[2, 1], [1, 3]])
    out = traced(lambda x: la.det(x + a), np.zeros((2, 2)))
    assert out.dtype == np.float64
    assert abs(out - 5.0) < 1e-12


def test_results_are_named_tuples():
    sign, logdet = traced(lambda a: la.slogdet(a), A)
    np.testing.assert_allclose(logdet, np.linalg.slogdet(A).logabsdet, rtol=1e-13)
    f = lambda a: la.eigh(a).eigenvalues  # noqa: E731
    np.testing.assert_allclose(traced(f, SPD), np.linalg.eigh(SPD).eigenvalues, rtol=1e-13)
    f = lambda a: la.svd(a, full_matrices=False).S  # noqa: E731
    np.testing.assert_allclose(traced(f, B), np.linalg.svd(B).S, rtol=1e-13)
    f = lambda a: la.qr(a).R  # noqa: E731
    np.testing.assert_allclose(traced(f, B), np.linalg.qr(B).R, rtol=1e-13)


def test_factorizations_match_numpy_including_signs():
    for shape in [(4, 3), (3, 3), (3, 5), (2, 4, 3)]:
        a = rng.standard_normal(shape)
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        for i, part in enumerate((u, s, vh)):
            np.testing.assert_allclose(traced(lambda x, i=i: la.svd(x, full_matrices=False)[i],
                                              a), part, rtol=1e-12, atol=1e-13)
        for i, part in enumerate(np.linalg.qr(a)):
            np.testing.assert_allclose(traced(lambda x, i=i: la.qr(x)[i], a), part,
                                       rtol=1e-12, atol=1e-13)


def test_eigh_reads_the_triangle_uplo_names_in_either_case():
    # NumPy takes 'L', 'U', 'l' and 'u'; traced eigh/eigvalsh used to reject the lower case
    a = np.array([[2.0, 1.0], [5.0, 3.0]])  # its triangles give different symmetric matrices
    for uplo in ("L", "l", "U", "u"):
        want = np.linalg.eigvalsh(a, uplo)
        np.testing.assert_allclose(traced(lambda a: la.eigh(a, uplo).eigenvalues, a), want,
                                   rtol=1e-13)
        np.testing.assert_allclose(traced(lambda a: la.eigvalsh(a, uplo), a), want, rtol=1e-13)
    with pytest.raises(ValueError, match="eigh: UPLO argument must be 'L' or 'U', got 'x'"):
        traced(lambda a: la.eigh(a, "x"), a)


def test_matrix_rank_matches_numpy():
    low = rng.standard_normal((2, 4, 2)) @ rng.standard_normal((2, 4))
    for x in (low, A, np.zeros((2, 2))):
        assert np.array_equal(traced(la.matrix_rank, x), np.linalg.matrix_rank(x))
    np.testing.assert_array_equal(ftrans.vmap(la.matrix_rank)(low), [2, 2])


def test_lstsq_matches_numpy():
    a, b = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    x, res, rank, s = np.linalg.lstsq(a, b)
    np.testing.assert_allclose(traced(lambda a, b: la.lstsq(a, b)[0], a, b), x, rtol=1e-12,
                               atol=1e-14)
    np.testing.assert_allclose(traced(lambda a, b: la.lstsq(a, b)[1], a, b), res, rtol=1e-10)
    np.testing.assert_allclose(traced(lambda a, b: la.lstsq(a, b)[3], a, b), s, rtol=1e-13)
    ranks = []
    ftrans.jvp(lambda a: ranks.append(la.lstsq(a, b)[2]) or a, (a,), (a,))
    assert ranks == [rank] == [3]
    # rank-deficient: no residuals, minimum-norm solution, as NumPy
    d = np.hstack([a[:, :2], a[:, :1]])
    out = ftrans.jvp(lambda d: la.lstsq(d, b), (d,), (np.zeros_like(d),))[0]
    expected = np.linalg.lstsq(d, b)
    np.testing.assert_allclose(out[0], expected[0], rtol=1e-10)
    assert out[1].shape == expected[1].shape == (0,) and out[2] == expected[2] == 2


@pytest.mark.parametrize("kw", [
    {}, {"ord": 1, "axis": 0}, {"ord": np.inf, "axis": 1}, {"ord": -np.inf, "axis": 1},
    {"ord": 0, "axis": 1}, {"ord": 2.5, "axis": 0, "keepdims": True}, {"ord": "fro"},
    {"ord": "nuc"}, {"ord": 2}, {"ord": -2}, {"ord": 1}, {"ord": -1}, {"ord": np.inf},
    {"ord": -np.inf}, {"axis": (1, 0), "keepdims": True}, {"ord": 2, "axis": (1, 0)},
])
def test_norm_matches_numpy(kw):
    x = rng.standard_normal((3, 4))
    expected = np.linalg.norm(x, **kw)
    out = traced(lambda x: la.norm(x, **kw), x)
    assert np.shape(out) == np.shape(expected)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_solve_triangular_matches_scipy_conventions():
    lower = np.tril(A)
    for kw, op in [({"lower": True}, lower), ({"lower": True, "trans": "T"}, lower.T),
                   ({}, np.triu(A)), ({"trans": 1}, np.triu(A).T)]:
        expected = np.linalg.solve(op, B)
        np.testing.assert_allclose(traced(lambda a, b: fsl.solve_triangular(a, b, **kw), A, B),
                                   expected, rtol=1e-12)
    unit = np.tril(A, -1) + np.eye(3)
    np.testing.assert_allclose(fsl.solve_triangular(A, B[:, 0], lower=True,
                                                    unit_diagonal=True),
                               np.linalg.solve(unit, B[:, 0]), rtol=1e-12)


def test_solve_triangular_matches_scipy_when_installed():
    sl = pytest.importorskip("scipy.linalg")
    for kw in [{"lower": True}, {"trans": 1}, {"lower": True, "unit_diagonal": True,
                                               "trans": "C"}]:
        np.testing.assert_allclose(fsl.solve_triangular(A, B, **kw),
                                   sl.solve_triangular(A, B, **kw), rtol=1e-12)


# ----------------------------------------------------------------------------- derivatives

def test_closed_form_gradients():
    np.testing.assert_allclose(ftrans.grad(la.det)(A), np.linalg.det(A) * np.linalg.inv(A).T,
                               rtol=1e-12)
    np.testing.assert_allclose(ftrans.grad(lambda a: la.slogdet(a)[1])(A),
                               np.linalg.inv(A).T, rtol=1e-12)
    # d tr(A⁻¹)/dA = -(A⁻²)ᵀ
    inv = np.linalg.inv(A)
    np.testing.assert_allclose(ftrans.grad(lambda a: fnp.sum(la.inv(a) * np.eye(3)))(A),
                               -(inv @ inv).T, rtol=1e-12)
    # eigenvalues of a symmetric matrix: dλ_i/dA = v_i v_iᵀ
    w, v = np.linalg.eigh(SPD)
    g = ftrans.grad(lambda a: fnp.sum(la.eigvalsh(a) * np.array([0.0, 0.0, 1.0])))(SPD)
    np.testing.assert_allclose(g, np.outer(v[:, 2], v[:, 2]), rtol=1e-10, atol=1e-12)
    # largest singular value: dσ/dA = u vᵀ
    u, s, vh = np.linalg.svd(B)
    np.testing.assert_allclose(ftrans.grad(lambda b: la.norm(b, 2))(B),
                               np.outer(u[:, 0], vh[0]), rtol=1e-10, atol=1e-12)


def test_logdet_via_cholesky_has_the_inverse_as_gradient():
    def logdet(a):
        return 2 * fnp.sum(fnp.log(fnp.sum(la.cholesky(a) * np.eye(3), axis=-1)))
    np.testing.assert_allclose(ftrans.grad(logdet)(SPD), np.linalg.inv(SPD), rtol=1e-10)


def test_hessian_of_logdet():
    h = ftrans.hessian(lambda a: la.slogdet(a)[1])(A)
    inv = np.linalg.inv(A)
    # d²/dA_ij dA_kl log det A = -inv[j, k] inv[l, i]
    np.testing.assert_allclose(h, -np.einsum("jk,li->ijkl", inv, inv), rtol=1e-10, atol=1e-12)


def test_plain_numpy_code_traces_through_np_linalg():
    def with_np(a, b):
        x = np.linalg.solve(a, b)
        return np.linalg.norm(x) + np.linalg.slogdet(a)[1] + np.sum(np.linalg.inv(a))

    def with_fnp(a, b):
        x = la.solve(a, b)
        return la.norm(x) + la.slogdet(a)[1] + fnp.sum(la.inv(a))

    g_np = ftrans.grad(with_np, argnums=(0, 1))(A, B)
    g_fnp = ftrans.grad(with_fnp, argnums=(0, 1))(A, B)
    for a, b in zip(g_np, g_fnp):
        np.testing.assert_allclose(a, b, rtol=1e-13)
    check_grads(with_np, (A, B), order=2)


def test_vmap_over_a_batch_of_solves_matches_numpy():
    a = rng.standard_normal((5, 3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal((5, 3))
    np.testing.assert_allclose(ftrans.vmap(la.solve)(a, b), np.linalg.solve(a, b[..., None])[
        ..., 0], rtol=1e-12)
    np.testing.assert_allclose(ftrans.vmap(la.det, in_axes=2)(np.moveaxis(a, 0, 2)),
                               np.linalg.det(a), rtol=1e-12)


# ----------------------------------------------------------------------------- errors

def _on_tracer(f, *args):
    return ftrans.jvp(f, args, tuple(np.zeros_like(a) for a in args))


def test_non_square_input_is_a_linalg_error():
    with pytest.raises(np.linalg.LinAlgError, match=r"inv: Last 2 dimensions .* square .*"
                                                    r"\(2, 3\)"):
        _on_tracer(la.inv, np.ones((2, 3)))
    with pytest.raises(np.linalg.LinAlgError, match="det: 1-dimensional array given"):
        _on_tracer(la.det, np.ones(3))


def test_solve_shape_mismatch_names_the_shapes():
    with pytest.raises(ValueError, match=r"solve: b must have shape \(3,\) or .*got"):
        _on_tracer(la.solve, A, np.ones(4))


def test_norm_bad_order():
    with pytest.raises(ValueError, match="Invalid norm order 'fro' for vectors"):
        _on_tracer(lambda x: la.norm(x, "fro"), np.ones(3))
    with pytest.raises(ValueError, match="Invalid norm order 3 for matrices"):
        _on_tracer(lambda x: la.norm(x, 3), np.ones((2, 2)))
    with pytest.raises(ValueError, match="Improper number of dimensions"):
        _on_tracer(lambda x: la.norm(x, 2), np.ones((2, 2, 2)))


def test_unsupported_derivatives_say_why():
    with pytest.raises(NotImplementedError, match="full_matrices=True .* square"):
        ftrans.grad(lambda b: fnp.sum(la.svd(b)[0]))(B)
    with pytest.raises(NotImplementedError, match="mode='complete'"):
        _on_tracer(lambda b: la.qr(b, mode="complete")[0], B)
    with pytest.raises(TypeError, match="float16 is unsupported"):
        _on_tracer(la.inv, np.eye(2, dtype=np.float16))


def test_unsupported_np_linalg_function_names_itself():
    with pytest.raises(NotImplementedError, match="numpy.linalg.tensorinv "):
        ftrans.grad(lambda a: np.sum(np.linalg.tensorinv(a, ind=1)))(A)


def test_solve_triangular_bad_trans():
    with pytest.raises(ValueError, match="trans must be 0, 1, 2"):
        fsl.solve_triangular(A, B, trans="X")


def test_pinv_derivative_with_repeated_singular_values():
    g = ftrans.grad(lambda a: fnp.sum(la.pinv(a)))(np.eye(3))
    np.testing.assert_allclose(g, -np.ones((3, 3)), rtol=1e-13)
    q = np.linalg.qr(rng.standard_normal((4, 2)))[0]  # both singular values 1
    check_grads(la.pinv, (q,), order=2)


@pytest.mark.parametrize("left_side", [True, False])
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_vmap_of_triangular_solve_over_right_hand_sides_only(left_side, axis):
    from ftrans.prims.linalg import triangular_solve
    b = rng.standard_normal((4, 3, 3))
    solve = lambda b: triangular_solve(A, b, left_side=left_side, lower=True)  # noqa: E731
    out = ftrans.vmap(solve, in_axes=axis)(np.moveaxis(b, 0, axis))
    np.testing.assert_allclose(out, np.stack([solve(x) for x in b]), rtol=1e-13)


NP_VS_FNP = [
    ("solve", lambda m, a: m.linalg.solve(a, B[:, 0]), A),
    ("inv", lambda m, a: m.linalg.inv(a), A),
    ("det", lambda m, a: m.linalg.det(a), A),
    ("slogdet", lambda m, a: m.linalg.slogdet(a)[1], A),
    ("cholesky", lambda m, a: m.linalg.cholesky(a @ a.T + np.eye(3)), A),
    ("qr", lambda m, a: m.linalg.qr(a)[1], B),
    ("eigh", lambda m, a: m.linalg.eigh(a + a.T)[0], A),
    ("eigvalsh", lambda m, a: m.linalg.eigvalsh(a + a.T), A),
    ("svd", lambda m, a: m.linalg.svd(a, compute_uv=False), B),
    ("norm", lambda m, a: m.linalg.norm(a, "nuc") + m.linalg.norm(a, axis=0), B),
    ("pinv", lambda m, a: m.linalg.pinv(a), B),
    ("lstsq", lambda m, a: m.linalg.lstsq(a, B[:, 0])[0], B),
    ("matrix_power", lambda m, a: m.linalg.matrix_power(a, 3), A),
    ("vector_norm", lambda m, a: m.linalg.vector_norm(a, axis=0, ord=1.5), B),
    ("matrix_norm", lambda m, a: m.linalg.matrix_norm(a, ord=-2), B),
    ("cond", lambda m, a: m.linalg.cond(a) + m.linalg.cond(a, np.inf), A),
    ("multi_dot", lambda m, a: m.linalg.multi_dot([a, a, B]), A),
]


@pytest.mark.parametrize("name, f, x", NP_VS_FNP, ids=[n for n, _, _ in NP_VS_FNP])
def test_plain_np_linalg_gives_the_same_derivatives(name, f, x):
    def via_np(a):
        return np.sum(np.sin(f(np, a)))

    def via_fnp(a):
        return fnp.sum(fnp.sin(f(fnp, a)))

    np.testing.assert_allclose(ftrans.grad(via_np)(x), ftrans.grad(via_fnp)(x), rtol=1e-13)
    v = rng.standard_normal(x.shape)
    np.testing.assert_allclose(ftrans.jvp(via_np, (x,), (v,))[1],
                               ftrans.jvp(via_fnp, (x,), (v,))[1], rtol=1e-13)
