"""Sparse Jacobians and Hessians by coloring: the detected patterns are the true ones, the
values equal the dense Jacobian, and the number of passes is the number of colors."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans import lax
from ftrans.deps import jaxpr_deps
from ftrans.sparse import color_columns

rng = np.random.default_rng(2)


def shift(x, k):
    """y[i] = x[i - k] (zero outside), with static slices and padding."""
    n = x.shape[0]
    zero = np.zeros((), x.dtype)
    if k > 0:
        return lax.pad(lax.slice_(x, (0,), (n - k,)), zero, [(k, 0, 0)])
    return lax.pad(lax.slice_(x, (-k,), (n,)), zero, [(0, -k, 0)])


def tridiagonal(x):
    return fnp.sin(shift(x, 1)) - 2.0 * x * x + 3.0 * shift(x, -1)


def banded(x, width=2):
    y = fnp.exp(x)
    for k in range(1, width + 1):
        y = y + fnp.cos(shift(x, k)) * k - shift(x, -k) ** 2
    return y


def block_diagonal(x):
    """Blocks of 3 mixed by a matrix product and a per-block sum; 4 blocks, in (4, 3)."""
    w = np.arange(9.0).reshape(3, 3) / 9 + np.eye(3)
    blocks = fnp.reshape(x, (4, 3))
    mixed = fnp.tanh(blocks @ w) * fnp.sum(blocks, axis=1, keepdims=True)
    return fnp.reshape(fnp.transpose(mixed), (12,))


def true_pattern(fun, x):
    return ftrans.jacfwd(fun)(x).reshape(-1, x.size) != 0


@pytest.mark.parametrize("fun, n", [(tridiagonal, 9), (banded, 11), (block_diagonal, 12)])
def test_sparsity_is_the_true_pattern(fun, n):
    x = rng.standard_normal(n)
    p = ftrans.jacobian_sparsity(fun, x)
    assert p.shape == (n, n)
    np.testing.assert_array_equal(p.todense(), true_pattern(fun, x))


def test_sparsity_through_broadcast_reductions_dot_concatenate_and_constants():
    m = rng.standard_normal((3, 2))

    def g(x):  # x: (2, 3)
        col_sums = fnp.sum(x, axis=0)                        # depends on columns
        rows = fnp.max(x, axis=1)                            # depends on rows
        prod = m @ x                                         # (3, 3): column j of x
        joined = lax.concatenate([fnp.reshape(prod, (9,)), col_sums, rows, m[:, 0]], 0)
        corner = fnp.reshape(lax.slice_(x, (0, 0), (1, 1)), ())
        return joined * fnp.where(joined > 0, 1.0, 2.0) + fnp.broadcast_to(corner * 0, (17,))

    x = rng.standard_normal((2, 3))
    # the last term multiplies by zero but is structurally there: element 0 feeds everything
    expected = np.zeros((17, 6), bool)
    for j in range(3):
        expected[np.ix_(3 * np.arange(3) + j, [j, j + 3])] = True  # prod[i, j] = m[i] · x[:, j]
        expected[9 + j, [j, j + 3]] = True
    expected[12, 0:3] = expected[13, 3:6] = True
    expected[:, 0] = True
    np.testing.assert_array_equal(ftrans.jacobian_sparsity(g, x).todense(), expected)


def test_constants_and_integer_paths_have_no_dependencies():
    x = rng.standard_normal(4)
    p = ftrans.jacobian_sparsity(lambda x: fnp.sign(x) + np.ones(4) * fnp.sum(x > 0), x)
    assert len(p.rows) == 0


def test_tridiagonal_10000_takes_three_jvp_passes():
    n = 10_000
    x = rng.standard_normal(n)
    passes = []
    import ftrans.sparse as sparse
    real = sparse.batched_over_seeds

    def counting(jaxpr, consts, in_avals, count, seeds, chunk_size, *rest):
        passes.append(count)
        return real(jaxpr, consts, in_avals, count, seeds, chunk_size, *rest)

    sparse.batched_over_seeds = counting
    try:
        J = ftrans.sparse_jacobian(tridiagonal)(x)
    finally:
        sparse.batched_over_seeds = real
    assert passes == [3] and J.num_passes == 3 and J.mode == "forward"
    rows, cols, values = J
    assert len(values) == 3 * n - 2
    # the values against the formula: d/dx[i-1] = cos(x[i-1]), d/dx[i] = -4 x[i], d/dx[i+1] = 3
    diag = rows == cols
    np.testing.assert_allclose(values[diag], -4 * x)
    np.testing.assert_allclose(values[cols == rows - 1], np.cos(x[:-1]))
    np.testing.assert_allclose(values[cols == rows + 1], 3.0)


@pytest.mark.parametrize("mode", [None, "forward", "reverse"])
@pytest.mark.parametrize("fun, n", [(tridiagonal, 9), (banded, 11), (block_diagonal, 12)])
def test_sparse_jacobian_equals_dense(fun, n, mode):
    x = rng.standard_normal(n)
    dense = ftrans.jacfwd(fun)(x)
    J = ftrans.sparse_jacobian(fun, mode=mode)(x)
    np.testing.assert_allclose(J.todense(), dense, rtol=1e-14, atol=1e-15)
    assert J.num_passes < n
    mask = dense != 0
    J2 = ftrans.sparse_jacobian(fun, mask, mode=mode, chunk_size=2)(x)
    np.testing.assert_allclose(J2.todense(), dense, rtol=1e-14, atol=1e-15)
    J4 = ftrans.sparse_jacobian(fun, mask, mode=mode, chunk_size="auto", max_memory=2000)(x)
    np.testing.assert_allclose(J4.todense(), dense, rtol=1e-14, atol=1e-15)
    J3 = ftrans.sparse_jacobian(fun, np.nonzero(mask), mode=mode)(x)
    np.testing.assert_allclose(J3.todense(), dense, rtol=1e-14, atol=1e-15)


def test_sparse_jacobian_of_a_rectangular_function_uses_fewer_colors():
    # 2 outputs that each depend on every input: 2 vjps, not 50 jvps
    x = rng.standard_normal(50)
    fun = lambda x: lax.concatenate([fnp.reshape(fnp.sum(fnp.sin(x)), (1,)),  # noqa: E731
                                     fnp.reshape(fnp.sum(x * x), (1,))], 0)
    J = ftrans.sparse_jacobian(fun)(x)
    assert J.mode == "reverse" and J.num_passes == 2
    np.testing.assert_allclose(J.todense(), ftrans.jacrev(fun)(x), rtol=1e-14)


def test_coloring_separates_columns_that_share_a_row():
    for n, band in ((30, 1), (40, 3)):
        rows, cols = np.nonzero(np.abs(np.subtract.outer(np.arange(n), np.arange(n))) <= band)
        colors = color_columns(rows, cols, (n, n))
        assert colors.max() + 1 == 2 * band + 1
        for r in range(n):
            c = colors[cols[rows == r]]
            assert len(np.unique(c)) == len(c)


def _hess_fun(x):
    return fnp.sum(fnp.sin(x) * shift(x, 1)) + fnp.sum(x ** 4)


def test_sparse_hessian_equals_dense_hessian():
    x = rng.standard_normal(12)
    dense = ftrans.hessian(_hess_fun)(x)
    p = ftrans.hessian_sparsity(_hess_fun, x)
    np.testing.assert_array_equal(p.todense(), dense != 0)
    H = ftrans.sparse_hessian(_hess_fun)(x)
    assert H.num_passes == 3
    np.testing.assert_allclose(H.todense(), dense, rtol=1e-13, atol=1e-14)
    H2 = ftrans.sparse_hessian(_hess_fun, dense != 0)(x)
    np.testing.assert_allclose(H2.todense(), dense, rtol=1e-13, atol=1e-14)


def test_dependency_rules_come_from_primitives_or_families():
    cj = ftrans.make_jaxpr(lambda x: fnp.sum(fnp.reshape(x, (2, 3)), axis=1))(np.ones(6))
    (d,) = jaxpr_deps(cj.jaxpr)
    assert d.rows.tolist() == [0, 0, 0, 1, 1, 1] and d.cols.tolist() == [0, 1, 2, 3, 4, 5]
    from ftrans.deps import rule_for
    from ftrans.prims import dot_general_p, reduce_sum_p, reshape_p, sin_p
    assert rule_for(dot_general_p) is dot_general_p.deps
    assert rule_for(sin_p).__name__ == "elementwise_deps"
    assert rule_for(reshape_p).__name__ == "copy_deps"
    assert rule_for(reduce_sum_p).__name__ == "reduction_deps"


def test_sparsity_errors():
    x = np.ones(4)
    with pytest.raises(ValueError, match=r"sparse_jacobian: sparsity mask has shape \(3, 4\), "
                                         r"but the Jacobian has shape \(4, 4\)"):
        ftrans.sparse_jacobian(fnp.sin, np.eye(3, 4, dtype=bool))(x)
    with pytest.raises(ValueError, match=r"sparsity rows must be integers in \[0, 4\) for a "
                                         r"Jacobian of shape \(4, 4\), got dtype int64 and "
                                         r"range \[0, 4\]"):
        ftrans.sparse_jacobian(fnp.sin, (np.arange(5), np.zeros(5, int)))(x)
    with pytest.raises(ValueError, match="sparsity .rows, cols. have different lengths 2 and 3"):
        ftrans.sparse_jacobian(fnp.sin, ([0, 1], [0, 1, 2]))(x)
    with pytest.raises(ValueError, match=r"sparsity has shape \(5, 5\), but the Jacobian has "
                                         r"shape \(4, 4\)"):
        ftrans.sparse_jacobian(fnp.sin, ftrans.Sparsity(np.arange(4), np.arange(4), (5, 5)))(x)
    with pytest.raises(ValueError, match=r"sparse_hessian: sparsity mask has shape \(4, 3\)"):
        ftrans.sparse_hessian(lambda x: fnp.sum(x ** 3), np.ones((4, 3), bool))(x)
    with pytest.raises(TypeError, match="boolean mask or a .rows, cols. pair.*float64"):
        ftrans.sparse_jacobian(fnp.sin, np.eye(4))(x)
    with pytest.raises(ValueError, match="mode must be 'forward', 'reverse' or None, got 'f'"):
        ftrans.sparse_jacobian(fnp.sin, mode="f")(x)
    with pytest.raises(TypeError, match="sparse_jacobian: .* must return a single array"):
        ftrans.sparse_jacobian(lambda x: (x, x))(x)


def test_a_primitive_without_a_rule_gets_the_dense_fallback():
    from ftrans.core import Primitive
    from ftrans.ir import ShapedArray

    cumsum_p = Primitive("test_cumsum")  # not registered: only traced here
    cumsum_p.impl = lambda xp, x: xp.cumsum(x)
    cumsum_p.abstract_eval = lambda x: ShapedArray(x.shape, x.dtype)
    x = rng.standard_normal(4)
    cj = ftrans.make_jaxpr(lambda x: fnp.sin(cumsum_p.bind(x * 2.0)))(x)
    (d,) = jaxpr_deps(cj.jaxpr)
    assert d.rows.tolist() == np.repeat(np.arange(4), 4).tolist()
    assert d.cols.tolist() == np.tile(np.arange(4), 4).tolist()
    # with a rule of its own, the pattern is exact: y[i] depends on x[j] for j <= i
    from ftrans import deps

    def cumsum_deps(prim, ins, in_avals, out_avals):
        n = in_avals[0].size
        return [deps.union([deps.gather(ins[0], np.where(np.arange(n) >= j, j, -1))
                            for j in range(n)])]

    cumsum_p.deps = cumsum_deps
    (d,) = jaxpr_deps(cj.jaxpr)
    np.testing.assert_array_equal(
        ftrans.Sparsity(d.rows, d.cols, (4, 4)).todense(), np.tril(np.ones((4, 4), bool)))


def first(x):
    return fnp.reshape(lax.slice_(x, (0,), (1,)), ())


def arrowhead(x):
    """Row 0 depends on every input, every row on x[0]: dense row and column."""
    head = fnp.reshape(fnp.sum(fnp.sin(x)), (1,))
    tail = fnp.exp(lax.slice_(x, (1,), (x.shape[0],))) * first(x)
    return lax.concatenate([head, tail], 0)


@pytest.mark.parametrize("mode", [None, "forward", "reverse"])
def test_arrowhead_jacobian_takes_a_dense_row_apart(mode):
    n = 200
    x = rng.standard_normal(n)
    J = ftrans.sparse_jacobian(arrowhead, mode=mode)(x)
    np.testing.assert_allclose(J.todense(), ftrans.jacrev(arrowhead)(x), rtol=1e-14)
    # 2 colors for the rest and 1 pass for the dense row (or column) instead of n
    assert J.num_passes == 3
    assert J.mode in ("forward+reverse", "reverse+forward")


def test_arrowhead_hessian_by_symmetry():
    n = 200
    x = rng.standard_normal(n)

    def f(x):
        return first(x) * fnp.sum(x ** 2) + fnp.sum(fnp.cos(x))

    H = ftrans.sparse_hessian(f)(x)
    np.testing.assert_allclose(H.todense(), ftrans.hessian(f)(x), rtol=1e-13, atol=1e-13)
    assert H.num_passes == 3 and H.mode == "forward"
