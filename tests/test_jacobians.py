"""Jacobians on vmap: every way to a Jacobian agrees with the dense one (and with finite
differences); chunked, unchunked and memory-budgeted chunks; argnums and has_aux; Hessians."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.testing import numerical_jvp

rng = np.random.default_rng(1)
W = rng.standard_normal((5, 4))
B = rng.standard_normal(5)


def f(x):
    return fnp.tanh(W @ x + B) * fnp.sum(x * x)


def f_np(x):
    return np.tanh(W @ x + B) * np.sum(x * x)


X = rng.standard_normal(4)


def numerical_jacobian(fun, x):
    cols = [numerical_jvp(fun, (x,), (e,)) for e in np.eye(x.size).reshape((x.size,) + x.shape)]
    return np.stack([np.asarray(c).reshape(-1) for c in cols], axis=1)


JAC = numerical_jacobian(f_np, X)


@pytest.mark.parametrize("chunk_size", [None, 1, 2, 3, 100, "auto"])
@pytest.mark.parametrize("jac", [ftrans.jacfwd, ftrans.jacrev, ftrans.jacobian])
def test_jacobians_equal_the_dense_jacobian(jac, chunk_size):
    np.testing.assert_allclose(jac(f, chunk_size=chunk_size)(X), JAC, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("chunk_size", [None, 2, "auto"])
def test_columns_and_rows(chunk_size):
    cols = [3, 0, 0]
    rows = [4, 1]
    exact = ftrans.jacfwd(f)(X)
    np.testing.assert_allclose(ftrans.jacobian_columns(f, cols, chunk_size=chunk_size)(X),
                               exact[:, cols], rtol=1e-14)
    np.testing.assert_allclose(ftrans.jacobian_rows(f, rows, chunk_size=chunk_size)(X),
                               exact[rows, :], rtol=1e-14)
    np.testing.assert_allclose(ftrans.jacobian_columns(f, [-1])(X), exact[:, [3]])


def test_auto_chunk_below_the_budget_still_equals_dense():
    # a budget far below the unchunked peak forces several chunks
    n = 64
    w = rng.standard_normal((n, n))
    g = lambda x: fnp.tanh(w @ x)  # noqa: E731
    x = rng.standard_normal(n)
    from ftrans.memory import auto_chunk_size, chunk_peak_model
    dense = ftrans.jacrev(g)(x)
    budget = n * n * 8 + 40 * n * 8
    np.testing.assert_allclose(ftrans.jacrev(g, chunk_size="auto", max_memory=budget)(x),
                               dense, rtol=1e-14)
    np.testing.assert_allclose(ftrans.jacfwd(g, chunk_size="auto", max_memory=budget)(x),
                               dense, rtol=1e-12)
    cj = ftrans.make_jaxpr(lambda t: w @ t)(x)
    k = auto_chunk_size(cj.jaxpr, cj.consts, cj.in_avals, n, budget, "jacfwd")
    a, b = chunk_peak_model(cj.jaxpr, cj.consts, cj.in_avals)
    assert 1 <= k < n
    assert n * n * 8 + a + b * k <= budget < n * n * 8 + a + b * (k + 1)


def test_chunking_lowers_measured_peak_memory():
    n = 256
    w = rng.standard_normal((n, n))
    g = lambda x: fnp.tanh(w @ x)  # noqa: E731
    x = rng.standard_normal(n)

    def peak(**kw):
        tracemalloc.start()
        out = ftrans.jacrev(g, **kw)(x)
        p = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return out, p

    full, p_full = peak()
    chunked, p_chunked = peak(chunk_size=16)
    np.testing.assert_array_equal(full, chunked)
    result = n * n * 8
    assert p_chunked < result + 0.5 * (p_full - result)


def test_argnums_and_has_aux_everywhere():
    def g(a, b):
        return a * fnp.sin(b), {"aux": fnp.sum(a)}

    a, b = rng.standard_normal(3), rng.standard_normal(3)
    for jac in (ftrans.jacfwd, ftrans.jacrev, ftrans.jacobian):
        (ja, jb), aux = jac(g, argnums=(0, 1), has_aux=True, chunk_size=2)(a, b)
        np.testing.assert_allclose(ja, np.diag(np.sin(b)), atol=1e-15)
        np.testing.assert_allclose(jb, np.diag(a * np.cos(b)), atol=1e-15)
        assert aux["aux"] == pytest.approx(np.sum(a))
    cols, aux = ftrans.jacobian_columns(g, [0, 4], argnums=(0, 1), has_aux=True)(a, b)
    np.testing.assert_allclose(cols, np.stack([np.diag(np.sin(b))[:, 0],
                                               np.diag(a * np.cos(b))[:, 1]], 1), atol=1e-15)
    rows, aux = ftrans.jacobian_rows(g, [2], argnums=1, has_aux=True)(a, b)
    np.testing.assert_allclose(rows, np.diag(a * np.cos(b))[[2]], atol=1e-15)
    assert aux["aux"] == pytest.approx(np.sum(a))


def h(x):
    return fnp.sum(fnp.sin(x) * x ** 2) * fnp.sum(fnp.exp(x))


def h_grad(x):
    return ftrans.grad(h)(x)


@pytest.mark.parametrize("chunk_size", [None, 1, "auto"])
def test_hessian_chunked_and_hvp(chunk_size):
    x = rng.standard_normal(4)
    hess = ftrans.hessian(h, chunk_size=chunk_size)(x)
    np.testing.assert_allclose(hess, numerical_jacobian(h_grad, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(hess, hess.T, rtol=1e-12)
    v = rng.standard_normal(4)
    np.testing.assert_allclose(ftrans.hvp(h, (x,), (v,)), hess @ v, rtol=1e-12)


def test_hessian_argnums_and_aux():
    def g(a, b):
        return fnp.sum(a * a * b), "aux"

    a, b = rng.standard_normal(2), rng.standard_normal(2)
    ((haa, hab), (hba, hbb)), aux = ftrans.hessian(g, argnums=(0, 1), has_aux=True)(a, b)
    np.testing.assert_allclose(haa, np.diag(2 * b))
    np.testing.assert_allclose(hab, np.diag(2 * a))
    np.testing.assert_allclose(hba, np.diag(2 * a))
    np.testing.assert_allclose(hbb, np.zeros((2, 2)))
    assert aux == "aux"


def test_vmap_of_jacobians_jvp_hessian_equals_loop():
    xs = rng.standard_normal((3, 4))
    for fn in (ftrans.jacfwd(f, chunk_size=3), ftrans.jacrev(f, chunk_size="auto"),
               ftrans.hessian(h), lambda x: ftrans.jvp(f, (x,), (x,))[1],
               lambda x: ftrans.hvp(h, (x,), (x,))):
        np.testing.assert_allclose(ftrans.vmap(fn)(xs), np.stack([fn(x) for x in xs]),
                                   rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("jac", [ftrans.jacfwd, ftrans.jacrev, ftrans.jacobian,
                                 ftrans.hessian, ftrans.sparse_jacobian])
@pytest.mark.parametrize("bad", [1.5, "big", 0, -2, True])
def test_bad_chunk_size(jac, bad):
    with pytest.raises(ValueError, match=f"chunk_size must be a positive integer.*{bad!r}"
                       .replace("(", r"\(").replace(".5", r"\.5")):
        jac(f, chunk_size=bad)(X)


def test_bad_max_memory_and_too_small_budget():
    with pytest.raises(ValueError, match="jacrev: max_memory must be a positive number of "
                                         "bytes, got -1"):
        ftrans.jacrev(f, chunk_size="auto", max_memory=-1)(X)
    with pytest.raises(ValueError, match=r"jacfwd: max_memory=100 bytes is too small: the "
                                         r"Jacobian alone takes 160 bytes"):
        ftrans.jacfwd(f, chunk_size="auto", max_memory=100)(X)


def test_jacobian_cost_counts_passes_and_flops():
    n = 64
    w = rng.standard_normal((n, n))
    cost = ftrans.jacobian_cost(lambda x: fnp.tanh(w @ x), np.ones(n))
    fwd, rev = cost["forward"], cost["reverse"]
    assert fwd.passes == rev.passes == n
    # the matvec is 2n² flops, once in the primal and once per basis vector
    assert fwd.flops >= 2 * n * n * (n + 1)
    assert fwd.flops < 2 * n * n * (n + 1) + 20 * n * n
    chunked = ftrans.jacobian_cost(lambda x: fnp.tanh(w @ x), np.ones(n), chunk_size=8)
    assert chunked["reverse"].peak_bytes < rev.peak_bytes
    assert chunked["reverse"].flops == rev.flops and chunked["reverse"].chunk_size == 8
    s = ftrans.jacobian_cost(lambda x: fnp.sum(x ** 2), np.ones(n))
    assert s["best"] == "reverse" and s["reverse"].passes == 1
    assert s["reverse"].flops < s["forward"].flops
    t = ftrans.jacobian_cost(lambda x: fnp.tanh(x * w[:, 0]), np.ones(1))
    assert t["best"] == "forward"
    with pytest.raises(ValueError, match="jacobian_cost: chunk_size must be a positive "
                                         "integer or None, got 'auto'"):
        ftrans.jacobian_cost(fnp.sin, np.ones(2), chunk_size="auto")
    with pytest.raises(ValueError, match="jacobian_cost: chunk_size must be a positive "
                                         "integer, got 0"):
        ftrans.jacobian_cost(fnp.sin, np.ones(2), chunk_size=0)


def test_jacobian_traces_the_function_once():
    calls = []

    def g(x):
        calls.append(1)
        return fnp.sin(x) * 2.0

    for jac in (ftrans.jacobian, ftrans.jacfwd, ftrans.jacrev):
        calls.clear()
        np.testing.assert_allclose(jac(g)(X), np.diag(2 * np.cos(X)), atol=1e-15)
        assert len(calls) == 1


# ----------------------------------------------------------------------------- empty, indices


@pytest.mark.parametrize("jac", [ftrans.jacfwd, ftrans.jacrev, ftrans.jacobian])
def test_jacobians_of_empty_inputs_and_outputs_have_empty_shapes(jac):
    assert jac(lambda x: 2.0 * x)(np.zeros(0)).shape == (0, 0)
    j = jac(lambda x: fnp.sum(x) * np.ones(3))(np.zeros(0))
    assert j.shape == (3, 0) and j.dtype == np.float64
    j = jac(lambda x: x[:0])(np.ones(3))
    assert j.shape == (0, 3)


def test_hessian_of_empty_input_is_0_by_0():
    h = ftrans.hessian(lambda x: fnp.sum(x ** 2))(np.zeros(0))
    assert h.shape == (0, 0) and h.dtype == np.float64


def test_jacobian_columns_and_rows_with_no_indices():
    assert ftrans.jacobian_columns(lambda x: 2.0 * x, [])(np.ones(3)).shape == (3, 0)
    assert ftrans.jacobian_rows(lambda x: 2.0 * x, [])(np.ones(3)).shape == (0, 3)


def test_jacobian_columns_and_rows_reject_boolean_masks():
    # [True] used to be taken as index 1
    with pytest.raises(TypeError, match=r"cols must be integers, got booleans.*flatnonzero"):
        ftrans.jacobian_columns(lambda x: 2.0 * x, [True])(np.ones(3))
    with pytest.raises(TypeError, match=r"rows must be integers, got booleans"):
        ftrans.jacobian_rows(lambda x: 2.0 * x, np.array([True, False, True]))(np.ones(3))
    cols = ftrans.jacobian_columns(lambda x: 2.0 * x, np.flatnonzero([True, False, True]))
    np.testing.assert_array_equal(cols(np.ones(3)), 2.0 * np.eye(3)[:, [0, 2]])


def test_chunks_of_basis_vectors_own_their_results():
    """Chunks write their basis vectors into one reused buffer: no result may view it, a
    function returning its input (or a constant beside it) included, and under ``jit`` (the
    seeds traced as constants of the program) each chunk keeps its own seeds."""
    x = rng.standard_normal(7)
    for jac in (ftrans.jacfwd, ftrans.jacrev):
        np.testing.assert_array_equal(jac(lambda v: v, chunk_size=3)(x), np.eye(7))
    ident, const = ftrans.jacfwd(lambda v: (v[::-1], fnp.ones(2) * 2.0), chunk_size=2)(x)
    np.testing.assert_array_equal(ident, np.eye(7)[::-1])
    np.testing.assert_array_equal(const, np.zeros((2, 7)))
    jsin = ftrans.jit(ftrans.jacfwd(fnp.sin, chunk_size=3))
    for v in (x, 2.0 * x):
        np.testing.assert_allclose(jsin(v), np.diag(np.cos(v)), rtol=1e-15, atol=0)
    jlin = ftrans.jit(ftrans.jacfwd(lambda v: 3.0 * v[::-1], chunk_size=3))  # no residuals
    np.testing.assert_array_equal(jlin(x), 3.0 * np.eye(7)[::-1])
