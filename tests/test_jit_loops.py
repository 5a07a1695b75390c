"""Loops and branches under ``jit`` (issue 18 §2): compiled bodies and split loops give the
eager values, and their derivatives match central finite differences, under grad, vmap and
value_and_grad; a forward scan runs once under ``jit(value_and_grad)``."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.lax as lax
import ftrans.numpy as fnp


def fd_grad(f, x, eps=1e-6):
    """Central finite differences of a scalar ``f`` at the array ``x``."""
    x = np.asarray(x, float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def rnn_loss(W, U, b, v, xs):
    def cell(h, x):
        h = fnp.tanh(W @ h + U @ x + b)
        return h, fnp.sum(v * h)
    h, ys = lax.scan(cell, fnp.zeros(W.shape[0]), xs)
    return fnp.sum(ys) + fnp.sum(h * h)


def rnn_numpy(W, U, b, v, xs):
    h, total = np.zeros(W.shape[0]), 0.0
    for x in xs:
        h = np.tanh(W @ h + U @ x + b)
        total += v @ h
    return total + h @ h


def _rnn_args(h=5, d=3, t=7, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(h, h)) * 0.4, rng.normal(size=(h, d)) * 0.5,
            rng.normal(size=h) * 0.1, rng.normal(size=h), rng.normal(size=(t, d)))


@pytest.mark.parametrize("backend", ["numpy", "numpy+c", "interpret"])
def test_rnn_value_and_grad_under_jit_matches_numpy_and_finite_differences(backend):
    # numpy: the loop in Python; numpy+c: one C loop where a compiler works
    args = _rnn_args()
    vg = ftrans.jit(ftrans.value_and_grad(rnn_loss, argnums=(0, 1, 2, 3, 4)), backend=backend)
    value, grads = vg(*args)
    assert value == pytest.approx(rnn_numpy(*args), rel=1e-12)
    for k, g in enumerate(grads):
        def f(a, k=k):
            return rnn_numpy(*args[:k], a, *args[k + 1:])
        np.testing.assert_allclose(g, fd_grad(f, args[k]), rtol=1e-6, atol=1e-8)
    eager = ftrans.value_and_grad(rnn_loss, argnums=(0, 1, 2, 3, 4))(*args)
    for a, b in zip(grads, eager[1]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_rnn_forward_scan_runs_once_under_jit_value_and_grad():
    args = _rnn_args()
    cj = ftrans.jit(ftrans.value_and_grad(rnn_loss)).lower(*args)
    forward = [e for e in cj.jaxpr.eqns if e.prim.name == "scan"
               and not e.params["reverse"]]
    assert len(forward) == 1, str(cj)


def test_reverse_scan_and_scan_with_consts_and_several_carries():
    c = np.array([0.5, -1.0, 2.0])

    def f(x, ys):
        def body(carry, y):
            a, b = carry
            a = a * fnp.cos(y) + c * b
            b = b + fnp.sin(a * y)
            return (a, b), a * b
        (a, b), zs = lax.scan(body, (x, fnp.ones(3)), ys, reverse=True)
        return fnp.sum(zs) + fnp.sum(a * b)

    x, ys = np.array([0.3, 0.2, -0.1]), np.random.default_rng(1).normal(size=(6, 3))
    assert ftrans.jit(f)(x, ys) == pytest.approx(f(x, ys), rel=1e-12)
    g = ftrans.jit(ftrans.grad(f))(x, ys)
    np.testing.assert_allclose(g, fd_grad(lambda x: f(x, ys), x), rtol=1e-6, atol=1e-9)
    gy = ftrans.jit(ftrans.grad(f, argnums=1))(x, ys)
    np.testing.assert_allclose(gy, fd_grad(lambda y: f(x, y), ys), rtol=1e-6, atol=1e-9)


def test_nested_scans_under_jit_and_their_gradient():
    def f(x):
        def outer(c, row):
            def inner(d, e):
                return d * fnp.cos(e) + c, d
            d, ds = lax.scan(inner, c, row)
            return fnp.sin(d), fnp.sum(ds)
        c, s = lax.scan(outer, x, np.linspace(-1.0, 1.0, 12).reshape(4, 3))
        return c + fnp.sum(s)

    assert ftrans.jit(f)(0.7) == pytest.approx(f(0.7), rel=1e-12)
    fd = (f(0.7 + 1e-6) - f(0.7 - 1e-6)) / 2e-6
    assert ftrans.jit(ftrans.grad(f))(0.7) == pytest.approx(fd, rel=1e-6)
    assert ftrans.jit(ftrans.grad(f))(0.7) == pytest.approx(ftrans.grad(f)(0.7), rel=1e-12)


def test_while_loop_with_data_dependent_trip_count_under_jit():
    def collatz_like(x):
        # halve until below 1: the number of steps depends on the value
        return lax.while_loop(lambda s: s[0] > 1.0, lambda s: (s[0] * 0.5, s[1] + 1),
                              (x, 0))

    for x in (0.5, 3.0, 100.0):
        v, n = ftrans.jit(collatz_like)(x)
        assert int(n) == (int(np.ceil(np.log2(x))) if x > 1 else 0)
        assert v == pytest.approx(x / 2.0 ** int(n))

    def newton_sqrt(a):
        x = lax.while_loop(lambda x: fnp.abs(x * x - a) > 1e-12 * a, lambda x: 0.5 * (x + a / x),
                           a)
        return x

    assert ftrans.jit(newton_sqrt)(2.0) == pytest.approx(np.sqrt(2.0), rel=1e-12)
    assert ftrans.jit(ftrans.grad(newton_sqrt))(2.0) == pytest.approx(0.5 / np.sqrt(2.0),
                                                                      rel=1e-8)


def test_fori_loop_under_jit_static_and_traced_bounds():
    def f(x, n):
        return lax.fori_loop(0, n, lambda i, v: v * x + i, 1.0)

    def ref(x, n):
        v = 1.0
        for i in range(n):
            v = v * x + i
        return v

    assert ftrans.jit(lambda x: f(x, 5))(1.5) == pytest.approx(ref(1.5, 5), rel=1e-12)
    assert ftrans.jit(f)(1.5, 4) == pytest.approx(ref(1.5, 4), rel=1e-12)
    g = ftrans.jit(ftrans.grad(lambda x: f(x, 5)))(1.5)
    assert g == pytest.approx((ref(1.5 + 1e-6, 5) - ref(1.5 - 1e-6, 5)) / 2e-6, rel=1e-6)


def test_cond_inside_scan_under_jit_and_grad():
    def f(x, ys):
        def body(c, y):
            c = lax.cond(y > 0.0, lambda c: c * y + fnp.sin(c), lambda c: c - y * c * c, c)
            return c, c * y
        c, zs = lax.scan(body, x, ys)
        return c + fnp.sum(zs)

    ys = np.array([0.5, -0.3, 1.2, -0.8, 0.1])

    def ref(x):
        c, total = x, 0.0
        for y in ys:
            c = c * y + np.sin(c) if y > 0 else c - y * c * c
            total += c * y
        return c + total

    assert ftrans.jit(f)(0.4, ys) == pytest.approx(ref(0.4), rel=1e-12)
    g = ftrans.jit(ftrans.grad(f))(0.4, ys)
    assert g == pytest.approx((ref(0.4 + 1e-6) - ref(0.4 - 1e-6)) / 2e-6, rel=1e-6)


def test_vmap_of_jitted_scan_and_jit_of_vmapped_grad():
    W, U, b, v, xs = _rnn_args()
    batch = np.random.default_rng(2).normal(size=(4, *xs.shape))
    loss = ftrans.jit(lambda xs: rnn_loss(W, U, b, v, xs))
    out = ftrans.vmap(loss)(batch)
    np.testing.assert_allclose(out, [rnn_numpy(W, U, b, v, x) for x in batch], rtol=1e-12)
    gs = ftrans.jit(ftrans.vmap(ftrans.grad(lambda W, xs: rnn_loss(W, U, b, v, xs)),
                                in_axes=(None, 0)))(W, batch)
    for g, x in zip(gs, batch):
        np.testing.assert_allclose(g, fd_grad(lambda W: rnn_numpy(W, U, b, v, x), W),
                                   rtol=1e-6, atol=1e-8)


def test_scan_accumulating_into_the_carry_under_jit():
    # the carry is a running sum of a function of xs and of another carry
    def f(w, xs):
        def body(c, x):
            s, h = c
            h = fnp.tanh(w * h + x)
            return (s + h * x, h), h
        (s, h), hs = lax.scan(body, (0.0, 0.0), xs)
        return s + fnp.sum(hs * hs)

    xs = np.linspace(-1.0, 2.0, 9)

    def ref(w):
        s = h = total = 0.0
        for x in xs:
            h = np.tanh(w * h + x)
            s += h * x
            total += h * h
        return s + total

    assert ftrans.jit(f)(0.8, xs) == pytest.approx(ref(0.8), rel=1e-12)
    assert ftrans.jit(ftrans.grad(f))(0.8, xs) == pytest.approx(
        (ref(0.8 + 1e-6) - ref(0.8 - 1e-6)) / 2e-6, rel=1e-6)


@pytest.mark.parametrize("backend", ["numpy", "numpy+c"])
def test_c_loop_bodies_with_float32_transposed_products_and_several_carries(backend):
    # products contracting either axis, a reverse scan, carries updated from each other
    rng = np.random.default_rng(3)
    A = rng.normal(size=(6, 6)).astype(np.float32) * 0.3
    B = rng.normal(size=(6, 4)).astype(np.float32) * 0.3
    xs = rng.normal(size=(9, 4)).astype(np.float32)

    def f(A, xs):
        def body(c, x):
            h, g = c
            h2 = fnp.tanh(A.T @ h + B @ x) * 0.5 + g
            g2 = fnp.sin(h) * 0.25
            return (h2, g2), h2 * h2
        (h, g), ys = lax.scan(body, (fnp.ones(6, np.float32), fnp.zeros(6, np.float32)), xs,
                              reverse=True)
        return fnp.sum(ys) + fnp.sum(h) + fnp.sum(g)

    def ref(A):
        h, g, total = np.ones(6, np.float64), np.zeros(6), 0.0
        for x in xs[::-1].astype(np.float64):
            h, g = np.tanh(A.T @ h + B.astype(np.float64) @ x) * 0.5 + g, np.sin(h) * 0.25
            total += h @ h
        return total + h.sum() + g.sum()

    jf = ftrans.jit(f, backend=backend)
    assert jf(A, xs) == pytest.approx(ref(A.astype(np.float64)), rel=1e-5)
    g = ftrans.jit(ftrans.grad(f), backend=backend)(A, xs)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, fd_grad(ref, A.astype(np.float64), eps=1e-5), rtol=2e-3,
                               atol=2e-4)


def test_grad_and_vmap_of_a_jitted_split_scan():
    # jit inside grad/vmap re-records the optimized program (the split scan) under them
    W, U, b, v, xs = _rnn_args()
    jl = ftrans.jit(rnn_loss)
    g = ftrans.grad(jl, argnums=(0, 4))(W, U, b, v, xs)
    np.testing.assert_allclose(g[0], fd_grad(lambda W: rnn_numpy(W, U, b, v, xs), W),
                               rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g[1], fd_grad(lambda xs: rnn_numpy(W, U, b, v, xs), xs),
                               rtol=1e-6, atol=1e-8)
    hv = ftrans.jvp(ftrans.grad(jl), (W, U, b, v, xs), (W, 0 * U, 0 * b, 0 * v, 0 * xs))[1]
    fd = (ftrans.grad(rnn_loss)(W * (1 + 1e-6), U, b, v, xs)
          - ftrans.grad(rnn_loss)(W * (1 - 1e-6), U, b, v, xs)) / 2e-6
    np.testing.assert_allclose(hv, fd, rtol=1e-5, atol=1e-7)
    batch = np.random.default_rng(4).normal(size=(3, *xs.shape))
    out = ftrans.vmap(ftrans.jit(ftrans.grad(rnn_loss, argnums=4)),
                      in_axes=(None, None, None, None, 0))(W, U, b, v, batch)
    for o, x in zip(out, batch):
        np.testing.assert_allclose(o, fd_grad(lambda x: rnn_numpy(W, U, b, v, x), x),
                                   rtol=1e-6, atol=1e-8)


def test_while_loop_and_cond_bodies_run_compiled_under_jit():
    # the bodies of while_loop and cond reach their impls compiled (generated code)
    def f(x, n):
        def body(s):
            i, v = s
            v = lax.cond(i % 2 == 0, lambda v: v * x, lambda v: v + fnp.sin(v), v)
            return i + 1, v
        return lax.while_loop(lambda s: s[0] < n, body, (0, 1.0))[1]

    def ref(x, n):
        v = 1.0
        for i in range(n):
            v = v * x if i % 2 == 0 else v + np.sin(v)
        return v

    for n in (0, 1, 5):
        assert ftrans.jit(f)(0.9, n) == pytest.approx(ref(0.9, n), rel=1e-12)
    assert ftrans.jit(ftrans.grad(f))(0.9, 5) == pytest.approx(
        (ref(0.9 + 1e-6, 5) - ref(0.9 - 1e-6, 5)) / 2e-6, rel=1e-6)


def test_a_split_scan_whose_new_carry_is_a_literal():
    # the ys read the carry, whose new value is a constant: the split stacks the carry
    # (init, then the literal) and computes the ys after the loop, all steps at once
    def f(c0, xs):
        return lax.scan(lambda c, x: (2.0, fnp.sin(c) * x), c0, xs)

    xs = np.linspace(0.5, 2.0, 5)
    cj = ftrans.jit(f).lower(0.3, xs)
    assert "sin" in [e.prim.name for e in cj.jaxpr.eqns]  # out of the loop
    c, ys = ftrans.jit(f)(0.3, xs)
    assert c == 2.0
    np.testing.assert_allclose(ys, np.sin([0.3, 2.0, 2.0, 2.0, 2.0]) * xs, rtol=1e-14)


def test_a_long_scan_over_big_steps_is_not_batched_whole(monkeypatch):
    # batching every step at once is bounded: past the bound the scan stays one loop
    from ftrans.control import scan_split
    monkeypatch.setattr(scan_split, "MAX_STACKED", 1000)
    xs = np.linspace(0.0, 1.0, 400).reshape(20, 20)

    def f(xs):
        return lax.scan(lambda c, x: (c * 0.5 + fnp.sin(x), fnp.cos(c)), fnp.zeros(20), xs)

    cj = ftrans.jit(f).lower(xs)
    assert [e.prim.name for e in cj.jaxpr.eqns] == ["scan"]
    c, ys = ftrans.jit(f)(xs)
    c0, ys0 = f(xs)
    np.testing.assert_allclose(c, c0, rtol=1e-13)
    np.testing.assert_allclose(ys, ys0, rtol=1e-13)


def test_a_carry_passed_through_is_not_overwritten_later():
    # the final carry is the initial one (no step changes it); a later elementwise op on the
    # initial value must not write into its buffer
    def f(x, xs):
        h0 = fnp.sin(x)
        hT, ys = lax.scan(lambda c, x: (c, c * x), h0, xs)
        return hT, fnp.cos(h0), ys

    x, xs = np.linspace(0.0, 1.0, 5), np.ones((3, 5))
    for backend in ("numpy", "numpy+c"):
        hT, c, ys = ftrans.jit(f, backend=backend)(x, xs)
        np.testing.assert_allclose(hT, np.sin(x), rtol=1e-15)
        np.testing.assert_allclose(c, np.cos(np.sin(x)), rtol=1e-15)
        np.testing.assert_allclose(ys, np.broadcast_to(np.sin(x), (3, 5)), rtol=1e-15)
