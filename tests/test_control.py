"""Structured control flow: derivatives of functions built with cond, switch, while_loop,
fori_loop, scan and map, against closed forms and finite differences, in forward and reverse
mode, under vmap and make_jaxpr, and to second order; and the errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.lax as lax
import ftrans.numpy as fnp
from ftrans.core import eval_jaxpr
from ftrans.ir import check_jaxpr
from ftrans.testing import check_grads


def run_jaxpr(fun, *args):
    """Trace ``fun`` abstractly (as jit would), check the jaxpr, then evaluate it."""
    closed = ftrans.make_jaxpr(fun)(*args)
    check_jaxpr(closed.jaxpr)
    leaves = ftrans.tree_util.tree_leaves(args)
    outs = eval_jaxpr(closed.jaxpr, closed.consts, *[np.asarray(a) for a in leaves])
    return outs[0] if len(outs) == 1 else outs


def jit(fun):
    """``ftrans.jit`` where this branch has it; otherwise trace with make_jaxpr and evaluate
    the jaxpr (the same abstract tracing jit does)."""
    if hasattr(ftrans, "jit"):
        return ftrans.jit(fun)
    return lambda *args: run_jaxpr(fun, *args)


# ----------------------------------------------------------------------------- cond / switch

def piecewise(x):
    return lax.cond(x > 0.0, lambda x: x * x * x, lambda x: fnp.sin(x), x)


def piecewise_d1(x):
    return 3 * x * x if x > 0 else np.cos(x)


def piecewise_d2(x):
    return 6 * x if x > 0 else -np.sin(x)


@pytest.mark.parametrize("x", [-1.3, 0.7, 2.0])
def test_cond_piecewise_closed_form(x):
    assert ftrans.grad(piecewise)(x) == pytest.approx(piecewise_d1(x), rel=1e-12)
    assert ftrans.jvp(piecewise, (x,), (1.0,))[1] == pytest.approx(piecewise_d1(x), rel=1e-12)
    assert ftrans.grad(ftrans.grad(piecewise))(x) == pytest.approx(piecewise_d2(x), rel=1e-12)
    check_grads(piecewise, (x,), order=2)


def test_cond_under_vmap_batched_predicate_selects():
    xs = np.array([-1.3, 0.7, 2.0, -0.2])
    np.testing.assert_allclose(ftrans.vmap(piecewise)(xs), [piecewise(x) for x in xs])
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(piecewise))(xs),
                               [piecewise_d1(x) for x in xs], rtol=1e-12)
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(ftrans.grad(piecewise)))(xs),
                               [piecewise_d2(x) for x in xs], rtol=1e-12)
    g = ftrans.grad(lambda v: fnp.sum(ftrans.vmap(piecewise)(v)))(xs)
    np.testing.assert_allclose(g, [piecewise_d1(x) for x in xs], rtol=1e-12)
    closed = ftrans.make_jaxpr(ftrans.vmap(piecewise))(xs)
    assert "select_n" in str(closed) and "cond" not in str(closed)


def test_cond_under_vmap_unbatched_predicate_stays_a_cond():
    f = lambda p, x: lax.cond(p > 0.0, lambda x: 2.0 * x, lambda x: -x, x)
    closed = ftrans.make_jaxpr(ftrans.vmap(f, in_axes=(None, 0)))(1.0, np.ones(3))
    assert "cond[" in str(closed)
    np.testing.assert_allclose(ftrans.vmap(f, in_axes=(None, 0))(1.0, np.arange(3.0)),
                               [0.0, 2.0, 4.0])


@pytest.mark.parametrize("x", [-1.3, 0.7])
def test_cond_derivatives_of_the_traced_jaxpr(x):
    """Differentiated abstractly (the predicate unknown), cond stays a cond of known and
    linear parts; evaluating the jaxpr gives the closed form at both branches."""
    closed = ftrans.make_jaxpr(ftrans.grad(piecewise))(0.1)
    assert [e.prim.name for e in closed.eqns].count("cond") >= 2
    assert eval_jaxpr(closed.jaxpr, closed.consts, np.float64(x))[0] == \
        pytest.approx(piecewise_d1(x), rel=1e-12)
    assert run_jaxpr(ftrans.grad(ftrans.grad(piecewise)), x) == \
        pytest.approx(piecewise_d2(x), rel=1e-12)
    assert run_jaxpr(lambda x: ftrans.jvp(piecewise, (x,), (1.0,))[1], x) == \
        pytest.approx(piecewise_d1(x), rel=1e-12)


def test_cond_with_pytrees_and_closures():
    w = np.array([1.0, 2.0])

    def f(x, p):
        return lax.cond(p > 0, lambda d: {"a": d["x"] * w, "b": d["x"] * 2.0},
                        lambda d: {"a": d["x"] + w, "b": d["x"] - 1.0}, {"x": x})

    out = f(np.ones(2), 1.0)
    np.testing.assert_allclose(out["a"], [1.0, 2.0])
    g = ftrans.grad(lambda x, p: fnp.sum(f(x, p)["a"]) + fnp.sum(f(x, p)["b"]))
    np.testing.assert_allclose(g(np.ones(2), 1.0), w + 2.0)
    np.testing.assert_allclose(g(np.ones(2), -1.0), [2.0, 2.0])
    # a branch closing over a differentiated value: the closure becomes an operand
    h = lambda x, y: lax.cond(x > 0, lambda: x * y, lambda: y * y)
    assert ftrans.grad(h, argnums=(0, 1))(2.0, 3.0) == (3.0, 2.0)
    assert run_jaxpr(ftrans.grad(h, argnums=1), 2.0, 3.0) == 2.0


def three_piece(x):
    i = lax.convert_element_type(x > -1.0, np.int32) + lax.convert_element_type(x > 1.0,
                                                                                np.int32)
    return lax.switch(i, [lambda x: -x, lambda x: x * x, lambda x: fnp.exp(x)], x)


@pytest.mark.parametrize("x, d", [(-2.0, -1.0), (0.5, 1.0), (1.5, np.exp(1.5))])
def test_switch_piecewise(x, d):
    assert ftrans.grad(three_piece)(x) == pytest.approx(d, rel=1e-12)
    assert ftrans.jvp(three_piece, (x,), (1.0,))[1] == pytest.approx(d, rel=1e-12)
    assert run_jaxpr(ftrans.grad(three_piece), x) == pytest.approx(d, rel=1e-12)
    check_grads(three_piece, (x,), order=2)


def test_switch_vmap_and_clamping():
    xs = np.array([-2.0, 0.5, 1.5])
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(three_piece))(xs),
                               [-1.0, 1.0, np.exp(1.5)], rtol=1e-12)
    branches = [lambda x: x, lambda x: 2 * x, lambda x: 3 * x]
    assert lax.switch(-4, branches, 1.0) == 1.0
    assert lax.switch(9, branches, 1.0) == 3.0
    idx = np.array([-4, 1, 9])
    np.testing.assert_allclose(
        ftrans.vmap(lambda i: lax.switch(i, branches, 1.0))(idx), [1.0, 2.0, 3.0])


# ----------------------------------------------------------------------------- while_loop

def newton_sqrt(a):
    """sqrt(a) by Newton's method: x <- (x + a/x) / 2 until |x^2 - a| is tiny."""
    def body(s):
        x, i = s
        return 0.5 * (x + a / x), i + 1

    x, _ = lax.while_loop(lambda s: fnp.abs(s[0] * s[0] - a) > 1e-10 * a, body, (a, 0))
    return x


@pytest.mark.parametrize("a", [2.0, 9.0, 150.0])
def test_newton_while_loop_closed_form(a):
    assert newton_sqrt(a) == pytest.approx(np.sqrt(a), rel=1e-10)
    assert ftrans.grad(newton_sqrt)(a) == pytest.approx(0.5 / np.sqrt(a), rel=1e-8)
    assert ftrans.jvp(newton_sqrt, (a,), (1.0,))[1] == pytest.approx(0.5 / np.sqrt(a),
                                                                     rel=1e-8)
    assert ftrans.grad(ftrans.grad(newton_sqrt))(a) == pytest.approx(-0.25 * a ** -1.5,
                                                                     rel=1e-6)


def test_newton_while_loop_under_vmap_reverse_mode():
    """Elements need different trip counts: the batched loop runs until all are done, and
    reverse mode through it (which JAX cannot do) recomputes each step's carry."""
    a = np.array([2.0, 9.0, 150.0, 1e4])
    np.testing.assert_allclose(ftrans.vmap(newton_sqrt)(a), np.sqrt(a), rtol=1e-10)
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(newton_sqrt))(a), 0.5 / np.sqrt(a),
                               rtol=1e-8)
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(ftrans.grad(newton_sqrt)))(a),
                               -0.25 * a ** -1.5, rtol=1e-6)
    fwd = ftrans.vmap(lambda x: ftrans.jvp(newton_sqrt, (x,), (1.0,))[1])(a)
    np.testing.assert_allclose(fwd, 0.5 / np.sqrt(a), rtol=1e-8)
    np.testing.assert_allclose(ftrans.jacrev(ftrans.vmap(newton_sqrt))(a),
                               np.diag(0.5 / np.sqrt(a)), rtol=1e-8, atol=1e-14)


@pytest.mark.parametrize("a", [2.0, 150.0])
def test_while_loop_reverse_mode_in_a_traced_jaxpr(a):
    assert run_jaxpr(ftrans.grad(newton_sqrt), a) == pytest.approx(0.5 / np.sqrt(a), rel=1e-8)
    assert run_jaxpr(ftrans.grad(ftrans.grad(newton_sqrt)), a) == \
        pytest.approx(-0.25 * a ** -1.5, rel=1e-6)


def test_while_loop_pytree_carry_and_consts():
    def power(x, w):
        out = lax.while_loop(lambda c: c["n"] < 4,
                             lambda c: {"n": c["n"] + 1, "y": c["y"] * x + w},
                             {"n": 0, "y": x})
        return out["y"]

    # y = x^5 + w (x^3 + x^2 + x + 1)
    x, w = 1.3, 0.7
    gx, gw = ftrans.grad(power, argnums=(0, 1))(x, w)
    assert gx == pytest.approx(5 * x ** 4 + w * (3 * x ** 2 + 2 * x + 1), rel=1e-12)
    assert gw == pytest.approx(x ** 3 + x ** 2 + x + 1, rel=1e-12)
    check_grads(power, (x, w), order=2)
    gx2, gw2 = run_jaxpr(ftrans.grad(power, argnums=(0, 1)), x, w)
    assert (gx2, gw2) == (pytest.approx(gx, rel=1e-12), pytest.approx(gw, rel=1e-12))


def test_fori_loop_static_and_traced_bounds():
    f = lambda x: lax.fori_loop(0, 5, lambda i, v: v * x + i, 1.0)
    # v5 = x^5 + 0 x^3 ... closed form by expanding: v_{k+1} = v_k x + k
    def ref(x):
        v = 1.0
        for i in range(5):
            v = v * x + i
        return v
    check_grads(f, (1.2,), order=2)
    assert f(1.2) == pytest.approx(ref(1.2))
    closed = ftrans.make_jaxpr(f)(1.0)
    assert "scan" in str(closed)
    g = lambda x, n: lax.fori_loop(0, n, lambda i, v: v * x, 1.0)
    closed = ftrans.make_jaxpr(g)(1.0, 3)
    assert "while" in str(closed)
    assert eval_jaxpr(closed.jaxpr, closed.consts, np.float64(2.0), np.int64(3))[0] == 8.0
    assert run_jaxpr(ftrans.grad(g), 2.0, 3) == 12.0
    assert ftrans.grad(g)(2.0, 3) == 12.0


def test_fori_loop_indexes_numpy_arrays_with_the_counter():
    # JAX fails here (TracerArrayConversionError: numpy indexes with the counter's value);
    # ftrans runs the loop with a NumPy-integer counter when the bounds are Python ints
    c = np.array([1.0, 2.0, 3.0, 4.0])
    poly = lambda x: lax.fori_loop(0, 4, lambda i, v: v * x + c[i], 0.0)
    # Horner: ((1 x + 2) x + 3) x + 4; derivative 3 x^2 + 4 x + 3; second 6 x + 4
    assert poly(2.0) == 26.0
    assert ftrans.grad(poly)(2.0) == 23.0
    assert ftrans.grad(ftrans.grad(poly))(2.0) == 16.0
    assert ftrans.jit(poly)(2.0) == 26.0
    np.testing.assert_array_equal(ftrans.vmap(ftrans.grad(poly))(np.array([0.0, 1.0])),
                                  [3.0, 10.0])
    # a Python list and range() need the counter's value too
    assert lax.fori_loop(1, 4, lambda i, v: v + sum(range(i)) + [0, 10, 20, 30][i], 0.0) \
        == (0 + 10) + (1 + 20) + (3 + 30)
    # the counter has the bounds' dtype, as in the rolled loop
    assert lax.fori_loop(np.int32(0), np.int32(2), lambda i, v: v + c[i] * 0 + i.dtype.itemsize,
                         0.0) == 8.0
    # the carry keeps its type
    with pytest.raises(TypeError, match=r"fori_loop: .* must return a carry of the init's "
                                        r"type"):
        lax.fori_loop(0, 2, lambda i, v: v * np.ones(2) + c[i], 0.0)


def test_fori_loop_counter_indexing_vs_jax():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", True)
    c = np.array([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(jax.errors.TracerArrayConversionError):  # JAX: only with jnp arrays
        jax.grad(lambda x: jax.lax.fori_loop(0, 4, lambda i, v: v * x + c[i], 0.0))(2.0)
    cj = jnp.asarray(c)
    want = jax.grad(lambda x: jax.lax.fori_loop(0, 4, lambda i, v: v * x + cj[i], 0.0))(2.0)
    assert ftrans.grad(lambda x: lax.fori_loop(0, 4, lambda i, v: v * x + c[i], 0.0))(2.0) \
        == float(want)


def test_fori_loop_counter_errors_name_the_fix():
    c = np.array([1.0, 2.0, 3.0])
    # traced bounds: a while loop, whose counter has no value to index a NumPy array with
    with pytest.raises(ftrans.TracerArrayConversionError, match=r"ftrans\.numpy\.take\(table, i"):
        ftrans.jit(lambda n: lax.fori_loop(0, n, lambda i, v: v + c[i], 0.0))(3)
    # a carry used as a Python bool is not the counter's fault: the usual error stays
    with pytest.raises(ftrans.ConcretizationError, match=r"abstract under the body of "
                                                         r"lax\.fori_loop"):
        ftrans.jit(lambda x: lax.fori_loop(0, 3, lambda i, v: v + c[i] if v > 0 else v, x))(
            1.0)
    # the array made traceable works everywhere, rolled
    f = lambda x: lax.fori_loop(0, 3, lambda i, v: v * x + fnp.take(c, i), 0.0)
    assert "scan" in str(ftrans.make_jaxpr(f)(1.0))
    assert ftrans.jit(ftrans.grad(f))(2.0) == 2 * 1.0 * 2.0 + 2.0


# ----------------------------------------------------------------------------- scan

def rnn(params, xs):
    """A recurrent net: h <- tanh(W h + U x + b); loss = sum of outputs v.h over time."""
    W, U, b, v = params

    def cell(h, x):
        h = fnp.tanh(W @ h + U @ x + b)
        return h, fnp.sum(v * h)

    h, ys = lax.scan(cell, np.zeros(3), xs)
    return fnp.sum(ys) + fnp.sum(h * h)


def rnn_loop(params, xs):
    W, U, b, v = params
    h = np.zeros(3)
    total = 0.0
    for i in range(len(xs)):
        x = lax.reshape(lax.slice(xs, (i, 0), (i + 1, 2)), (2,))
        h = fnp.tanh(W @ h + U @ x + b)
        total = total + fnp.sum(v * h)
    return total + fnp.sum(h * h)


def _rnn_params(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(3, 2)), rng.normal(size=3),
            rng.normal(size=3))


def test_scan_rnn_matches_python_loop_and_finite_differences():
    params, xs = _rnn_params(), np.random.default_rng(1).normal(size=(6, 2))
    assert rnn(params, xs) == pytest.approx(rnn_loop(params, xs), rel=1e-12)
    g = ftrans.grad(rnn)(params, xs)
    g_ref = ftrans.grad(rnn_loop)(params, xs)  # Python loop, concrete tracing
    for a, b in zip(g, g_ref):
        np.testing.assert_allclose(a, b, rtol=1e-10)
    gx = ftrans.grad(rnn, argnums=1)(params, xs)
    np.testing.assert_allclose(gx, ftrans.grad(rnn_loop, argnums=1)(params, xs), rtol=1e-10)
    check_grads(lambda W, xs: rnn((W, *params[1:]), xs), (params[0], xs), order=2)


def test_scan_rnn_under_vmap_and_in_a_traced_jaxpr():
    params = _rnn_params()
    batch = np.random.default_rng(2).normal(size=(4, 6, 2))
    out = ftrans.vmap(rnn, in_axes=(None, 0))(params, batch)
    np.testing.assert_allclose(out, [rnn_loop(params, x) for x in batch], rtol=1e-12)
    gs = ftrans.vmap(ftrans.grad(rnn, argnums=1), in_axes=(None, 0))(params, batch)
    for g, x in zip(gs, batch):
        np.testing.assert_allclose(g, ftrans.grad(rnn_loop, argnums=1)(params, x), rtol=1e-10)
    closed = ftrans.make_jaxpr(ftrans.grad(rnn))(params, batch[0])
    check_jaxpr(closed.jaxpr)
    flat = [*params, batch[1]]
    got = eval_jaxpr(closed.jaxpr, closed.consts, *flat)
    for a, b in zip(got, ftrans.grad(rnn_loop)(params, batch[1])):
        np.testing.assert_allclose(a, b, rtol=1e-10)
    jf = ftrans.jacfwd(rnn, argnums=1)(params, batch[0])
    jr = ftrans.jacrev(rnn, argnums=1)(params, batch[0])
    np.testing.assert_allclose(jf, jr, rtol=1e-10)


def test_scan_reverse_and_map():
    f = lambda c, xs: lax.scan(lambda c, x: (c * x + 1.0, c), c, xs, reverse=True)
    c, ys = f(1.0, np.array([2.0, 3.0, 4.0]))
    # reversed: x=4 -> c=5, y=1; x=3 -> c=16, y=5; x=2 -> c=33, y=16
    assert c == 33.0
    np.testing.assert_allclose(ys, [16.0, 5.0, 1.0])
    check_grads(lambda c, xs: fnp.sum(f(c, xs)[1]) + f(c, xs)[0], (1.0, np.array([2.0, 3.0])),
                order=2)
    xs = np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(lax.map(lambda x: fnp.sum(x * x), xs), [1.0, 13.0, 41.0])
    g = ftrans.grad(lambda xs: fnp.sum(lax.map(lambda x: fnp.sin(x) * x, xs)))(xs)
    np.testing.assert_allclose(g, np.cos(xs) * xs + np.sin(xs), rtol=1e-12)


def test_python_control_flow_still_works_under_derivatives():
    def f(x):
        while x < 10.0:
            x = x * 2.0
        return x if x > 12.0 else -x

    assert ftrans.grad(f)(3.0) == -4.0  # 3 -> 6 -> 12, not > 12: -4x
    assert ftrans.jacfwd(f)(3.0) == -4.0
    assert ftrans.jacrev(f)(1.0) == 16.0  # 1 -> ... -> 16 > 12: 16x


# ----------------------------------------------------------------------------- errors

def test_cond_branch_type_mismatch_names_both():
    with pytest.raises(TypeError, match=r"cond: branches must return the same types.*"
                                        r"f64\[3\].*f64\[2\]"):
        lax.cond(True, lambda x: np.ones(2), lambda x: x, np.ones(3))
    with pytest.raises(TypeError, match="cond: branches must return the same structure"):
        lax.cond(True, lambda x: (x, x), lambda x: x, 1.0)
    with pytest.raises(TypeError, match=r"switch.*same types.*f64\[\].*f32\[\]"):
        lax.switch(0, [lambda x: x, lambda x: x.astype(np.float32)], 1.0)
    with pytest.raises(TypeError, match="predicate must be a boolean or integer scalar"):
        lax.cond(np.ones(2) > 0, lambda: 1.0, lambda: 2.0)


def test_while_body_changing_carry_type():
    with pytest.raises(TypeError, match=r"while_loop: body_fun .* must return the carry's type"
                                        r".*f64\[\].*f64\[2\]"):
        lax.while_loop(lambda x: fnp.sum(x) < 1.0, lambda x: x * np.ones(2), 0.0)
    with pytest.raises(TypeError, match=r"while_loop: body_fun.*i64.*f64"):
        lax.while_loop(lambda c: c < 3, lambda c: c * 1.5, 0)
    with pytest.raises(TypeError, match="cond_fun .* must return a boolean scalar"):
        lax.while_loop(lambda c: c, lambda c: c, 1.0)


def test_scan_errors():
    with pytest.raises(ValueError, match=r"scan: xs leaves have different leading axis sizes.*"
                                         r"f64\[3\].*f64\[4\]"):
        lax.scan(lambda c, x: (c, x), 0.0, (np.ones(3), np.ones(4)))
    with pytest.raises(ValueError, match=r"length=5"):
        lax.scan(lambda c, x: (c, x), 0.0, np.ones(3), length=5)
    with pytest.raises(TypeError, match=r"scan: .* must return a carry of the init's type"):
        lax.scan(lambda c, x: (c * np.ones(2), x), 0.0, np.ones(3))
    with pytest.raises(TypeError, match="must return a pair"):
        lax.scan(lambda c, x: c, 0.0, np.ones(3))


def test_concretization_error_suggests_lax_functions():
    def f(x):
        return x if x > 0 else -x

    with pytest.raises(ftrans.ConcretizationError, match=r"test_control.py:\d+.*lax\.cond"):
        ftrans.make_jaxpr(f)(1.0)
    with pytest.raises(ftrans.ConcretizationError, match="lax.while_loop"):
        ftrans.vmap(f)(np.ones(2))

    def g(i):
        return [1.0, 2.0][i]

    with pytest.raises(ftrans.ConcretizationError, match=r"lax\.switch.*fori_loop"):
        ftrans.make_jaxpr(g)(np.int64(0))


def test_control_flow_derivatives_under_jit():
    a = np.array([2.0, 9.0, 150.0])
    np.testing.assert_allclose(jit(ftrans.vmap(ftrans.grad(newton_sqrt)))(a),
                               0.5 / np.sqrt(a), rtol=1e-8)
    assert jit(ftrans.grad(ftrans.grad(newton_sqrt)))(2.0) == pytest.approx(-0.25 * 2 ** -1.5,
                                                                             rel=1e-6)
    for x in (-1.0, 2.0):
        assert jit(ftrans.grad(piecewise))(x) == pytest.approx(piecewise_d1(x), rel=1e-12)
        assert jit(ftrans.grad(three_piece))(x) == pytest.approx(ftrans.grad(three_piece)(x))
    params, xs = _rnn_params(), np.random.default_rng(1).normal(size=(6, 2))
    np.testing.assert_allclose(jit(ftrans.grad(rnn, argnums=1))(params, xs),
                               ftrans.grad(rnn_loop, argnums=1)(params, xs), rtol=1e-10)


def test_cond_python_scalar_branch_adopts_the_other_branch_dtype():
    x = np.float32(3.0)
    f = lambda x: lax.cond(x > 0, lambda x: x * x, lambda x: 0.0, x)
    assert f(x).dtype == np.float32 and f(x) == 9.0
    assert f(-x) == 0.0 and f(-x).dtype == np.float32
    assert ftrans.grad(f)(x) == 6.0
