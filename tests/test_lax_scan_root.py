"""``lax.associative_scan`` and ``lax.custom_root`` (issue 14 §5): values against NumPy's
accumulations and Python loops, derivatives against central finite differences and the
closed forms, ``vmap`` against a loop, ``jit`` against eager; JAX, when installed, as an
oracle. Both also have rows in ``samples_control.py``."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import ftrans
import ftrans.lax as lax
import ftrans.numpy as fnp
from ftrans.testing import check_grads


@pytest.fixture(scope="module")
def jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax


def central_grad(f, x, eps=1e-6):
    """The gradient of a scalar ``f`` by central differences, one coordinate at a time."""
    x = np.asarray(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (float(f(x + e)) - float(f(x - e))) / (2 * eps)
    return g


def loop_scan(fn, xs, reverse=False):
    """The inclusive scan as a Python loop over the leading axis."""
    xs = list(xs)[::-1] if reverse else list(xs)
    out, acc = [], None
    for x in xs:
        acc = x if acc is None else fn(acc, x)
        out.append(acc)
    out = out[::-1] if reverse else out
    return np.stack(out) if out else np.zeros((0,))


def matmul2(a, b):
    """2x2 matrix product on a batch of matrices (..., 2, 2), elementwise along the batch."""
    return fnp.einsum("...ij,...jk->...ik", a, b)


RNG = np.random.default_rng(14)


# ----------------------------------------------------------------------------- associative_scan

@pytest.mark.parametrize("n", range(0, 10))
def test_associative_scan_matches_numpy_accumulations(n):
    x = RNG.uniform(0.5, 1.5, size=n)
    for fn, ufunc in ((lax.add, np.add), (lax.mul, np.multiply), (fnp.maximum, np.maximum),
                      (fnp.minimum, np.minimum)):
        np.testing.assert_allclose(lax.associative_scan(fn, x), ufunc.accumulate(x),
                                   rtol=1e-13)
        np.testing.assert_allclose(lax.associative_scan(fn, x, reverse=True),
                                   ufunc.accumulate(x[::-1])[::-1], rtol=1e-13)
    assert lax.associative_scan(lax.add, x).shape == (n,)


def test_associative_scan_axes_and_dtypes():
    z = RNG.standard_normal((3, 7, 2))
    for axis, reverse in itertools.product([0, 1, 2, -1, -2], [False, True]):
        expected = np.cumsum(np.flip(z, axis) if reverse else z, axis=axis)
        expected = np.flip(expected, axis) if reverse else expected
        np.testing.assert_allclose(lax.associative_scan(lax.add, z, reverse, axis), expected,
                                   rtol=1e-12, atol=1e-12)
    ints = np.arange(1, 12, dtype=np.int32)
    out = lax.associative_scan(lax.add, ints)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, np.cumsum(ints))
    flags = np.array([False, False, True, False, True])
    np.testing.assert_array_equal(lax.associative_scan(fnp.logical_or, flags),
                                  np.logical_or.accumulate(flags))


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 11])
def test_associative_scan_non_commutative_matrix_product(n):
    mats = RNG.standard_normal((n, 2, 2))
    out = lax.associative_scan(matmul2, mats)
    np.testing.assert_allclose(out, loop_scan(np.matmul, mats), rtol=1e-10, atol=1e-12)
    assert np.allclose(out[-1], np.linalg.multi_dot(list(mats)) if n > 1 else mats[0])
    # reverse: the scan of the reversed sequence, reversed back (JAX's meaning): element k
    # is mats[n-1] @ ... @ mats[k]
    back = lax.associative_scan(matmul2, mats, reverse=True)
    np.testing.assert_allclose(back, loop_scan(np.matmul, mats, reverse=True), rtol=1e-10,
                               atol=1e-12)
    if n > 1:
        np.testing.assert_allclose(back[0], np.linalg.multi_dot(list(mats[::-1])), rtol=1e-10)
    # the scanned axis need not be the first
    moved = lax.associative_scan(matmul2, mats[None, None], axis=2)
    np.testing.assert_allclose(moved[0, 0], out, rtol=1e-10, atol=1e-12)


def test_associative_scan_pytree_linear_recurrence():
    # h_k = a_k h_{k-1} + b_k (h_{-1} = 0) as a scan of the affine maps (a, b)
    a, b = RNG.uniform(-1, 1, 9), RNG.standard_normal(9)

    def compose(p, q):
        return {"a": q["a"] * p["a"], "b": q["a"] * p["b"] + q["b"]}

    out = lax.associative_scan(compose, {"a": a, "b": b})
    h, expected = 0.0, []
    for ak, bk in zip(a, b):
        h = ak * h + bk
        expected.append(h)
    assert set(out) == {"a", "b"}
    np.testing.assert_allclose(out["b"], expected, rtol=1e-12)
    np.testing.assert_allclose(out["a"], np.cumprod(a), rtol=1e-12)


def _recurrence(a, b):
    return lax.associative_scan(lambda p, q: (q[0] * p[0], q[0] * p[1] + q[1]), (a, b))[1]


def test_associative_scan_derivatives_match_finite_differences():
    x = RNG.uniform(0.5, 1.5, size=7)
    w = RNG.standard_normal(7)
    for fn, reverse in itertools.product((lax.add, lax.mul, fnp.maximum), (False, True)):
        def loss(x):
            return fnp.sum(w * lax.associative_scan(fn, x, reverse=reverse) ** 2)
        np.testing.assert_allclose(ftrans.grad(loss)(x), central_grad(loss, x), rtol=1e-6,
                                   atol=1e-8)
    mats = RNG.standard_normal((5, 2, 2))
    check_grads(lambda m: lax.associative_scan(matmul2, m), (mats,), order=2)
    check_grads(lambda m: lax.associative_scan(matmul2, m, reverse=True), (mats,), order=1)
    a, b = RNG.uniform(-1, 1, 6), RNG.standard_normal(6)
    check_grads(_recurrence, (a, b), order=2)
    # d cumsum / dx is the lower-triangular matrix of ones, for every length
    for n in (1, 2, 3, 6):
        np.testing.assert_allclose(ftrans.jacfwd(lambda x: lax.associative_scan(lax.add, x))(
            np.ones(n)), np.tril(np.ones((n, n))))
        np.testing.assert_allclose(ftrans.jacrev(lambda x: lax.associative_scan(
            lax.add, x, reverse=True))(np.ones(n)), np.triu(np.ones((n, n))))


def test_associative_scan_vmap_matches_a_loop():
    mats = RNG.standard_normal((3, 6, 2, 2))
    for in_axes in (0, 1):
        arg = mats if in_axes == 0 else np.moveaxis(mats, 0, 1)
        out = ftrans.vmap(lambda m: lax.associative_scan(matmul2, m), in_axes=in_axes)(arg)
        for i in range(3):
            np.testing.assert_allclose(out[i], loop_scan(np.matmul, mats[i]), rtol=1e-10,
                                       atol=1e-12)
    a, b = RNG.uniform(-1, 1, (4, 5)), RNG.standard_normal((4, 5))
    grads = ftrans.vmap(ftrans.grad(lambda a, b: fnp.sum(_recurrence(a, b))))(a, b)
    for i in range(4):
        np.testing.assert_allclose(grads[i], central_grad(
            lambda ai: np.sum(_recurrence(ai, b[i])), a[i]), rtol=1e-6, atol=1e-8)


def test_associative_scan_jit_equals_eager():
    mats = RNG.standard_normal((7, 2, 2))
    for reverse in (False, True):
        eager = lax.associative_scan(matmul2, mats, reverse=reverse)
        jitted = ftrans.jit(lambda m: lax.associative_scan(matmul2, m, reverse=reverse))(mats)
        np.testing.assert_allclose(jitted, eager, rtol=1e-12, atol=1e-14)
    z = RNG.standard_normal((4, 5))
    loss = lambda z: fnp.sum(lax.associative_scan(lax.mul, z, axis=1) ** 2)  # noqa: E731
    np.testing.assert_allclose(ftrans.jit(ftrans.grad(loss))(z), ftrans.grad(loss)(z),
                               rtol=1e-12)


def test_associative_scan_matches_jax(jax):
    mats = RNG.standard_normal((6, 2, 2))
    z = RNG.standard_normal((3, 5))
    for reverse in (False, True):
        np.testing.assert_allclose(
            lax.associative_scan(matmul2, mats, reverse=reverse),
            jax.lax.associative_scan(jax.numpy.matmul, mats, reverse=reverse), rtol=1e-10)
        for axis in (0, 1):
            ours = ftrans.grad(lambda z: fnp.sum(fnp.sin(lax.associative_scan(
                lax.mul, z, reverse, axis))))(z)
            theirs = jax.grad(lambda z: jax.numpy.sum(jax.numpy.sin(jax.lax.associative_scan(
                jax.lax.mul, z, reverse, axis))))(z)
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_associative_scan_errors():
    with pytest.raises(TypeError, match=r"associative_scan: fn must be a callable binary "
                                        r"operation fn\(a, b\), got int 3"):
        lax.associative_scan(3, np.ones(3))
    with pytest.raises(ValueError, match=r"every array in elems must have one size along "
                                         r"axis 0, got shapes \[\(3,\), \(4,\)\]"):
        lax.associative_scan(lambda a, b: a, (np.ones(3), np.ones(4)))
    with pytest.raises(ValueError, match=r"axis 2 is out of range for elems of shape \(3,\)"):
        lax.associative_scan(lax.add, np.ones(3), axis=2)
    with pytest.raises(ValueError, match=r"axis 0 is out of range for elems of shape \(\)"):
        lax.associative_scan(lax.add, 1.0)
    with pytest.raises(TypeError, match=r"axis must be an int, got str 'x'"):
        lax.associative_scan(lax.add, np.ones(3), axis="x")
    with pytest.raises(TypeError, match=r"elems: expected arrays or numbers, got str"):
        lax.associative_scan(lax.add, ["abc"])
    with pytest.raises(TypeError, match=r"fn <lambda> must return the structure of elems"):
        lax.associative_scan(lambda a, b: (a[0] + b[0], a[1], a[1]), (np.ones(3), np.ones(3)))
    with pytest.raises(TypeError, match=r"fn <lambda> must return arrays of the shapes and "
                                        r"dtypes of its operands, got f64\[\] for "
                                        r"operands f64\[1\]"):
        lax.associative_scan(lambda a, b: fnp.sum(a + b), np.ones(3))


# ----------------------------------------------------------------------------- custom_root

def newton(f, x):
    """Scalar (or elementwise) Newton's method with a fixed number of steps: traceable, so it
    runs under jit and vmap too."""
    for _ in range(25):
        x = x - f(x) / ftrans.grad(lambda x: fnp.sum(f(x)))(x)
    return x


def newton_while(f, x):
    """Newton's method until the step is tiny, as a lax.while_loop."""
    def body(c):
        x, _ = c
        step = f(x) / ftrans.grad(f)(x)
        return x - step, fnp.abs(step)
    return lax.while_loop(lambda c: c[1] > 1e-14, body, (x, fnp.asarray(1.0)))[0]


def scalar_solve(g, y):
    return y / g(1.0)


def sqrt_root(a, solve=newton):
    return lax.custom_root(lambda x: x * x - a, 1.0, solve, scalar_solve)


def test_custom_root_newton_square_root():
    for a in (0.25, 2.0, 9.0):
        assert abs(sqrt_root(a) - np.sqrt(a)) < 1e-13
        assert abs(ftrans.grad(sqrt_root)(a) - 1 / (2 * np.sqrt(a))) < 1e-12
        assert abs(ftrans.jvp(sqrt_root, (a,), (3.0,))[1] - 3 / (2 * np.sqrt(a))) < 1e-12
        out, pull = ftrans.vjp(sqrt_root, a)
        assert abs(pull(2.0)[0] - 1 / np.sqrt(a)) < 1e-12
        # second derivative: d^2 sqrt(a)/da^2 = -a^{-3/2} / 4
        assert abs(ftrans.grad(ftrans.grad(sqrt_root))(a) + 0.25 * a ** -1.5) < 1e-10
        np.testing.assert_allclose(ftrans.grad(sqrt_root)(a), central_grad(sqrt_root, a),
                                   rtol=1e-7)
    check_grads(sqrt_root, (2.0,), order=2)


def test_custom_root_differentiates_the_root_not_the_solver():
    # bisection: Python comparisons on concrete values, nothing to differentiate through
    def bisect(f, x0):
        lo, hi = 0.0, 10.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (lo, mid) if f(mid) > 0 else (mid, hi)
        return fnp.asarray(0.5 * (lo + hi)) + 0.0 * x0

    a = 3.0
    assert abs(sqrt_root(a, bisect) - np.sqrt(a)) < 1e-12
    assert abs(ftrans.grad(lambda a: sqrt_root(a, bisect))(a) - 1 / (2 * np.sqrt(a))) < 1e-10
    # the root does not depend on the initial guess
    g = ftrans.grad(lambda x0: lax.custom_root(lambda x: x * x - a, x0, newton,
                                               scalar_solve))(1.5)
    assert g == 0.0


def test_custom_root_with_a_host_solver():
    # under grad (no jit/vmap) solve sees plain values: a SciPy solver that calls float()
    brentq = pytest.importorskip("scipy.optimize").brentq

    def host_solve(f, x0):
        return brentq(lambda x: float(f(x)), 0.0, 10.0, xtol=1e-15, rtol=1e-15)

    def root(a):
        return lax.custom_root(lambda x: x * x - a, 1.0, host_solve, scalar_solve)

    for a in (0.5, 2.0):
        assert abs(root(a) - np.sqrt(a)) < 1e-13
        assert abs(ftrans.grad(root)(a) - 0.5 / np.sqrt(a)) < 1e-12
        assert abs(ftrans.grad(ftrans.grad(root))(a) + 0.25 * a ** -1.5) < 1e-10
        np.testing.assert_allclose(ftrans.grad(root)(a), central_grad(root, a, 1e-5),
                                   rtol=1e-7)


def test_custom_root_ignores_what_solve_closes_over():
    # as in JAX: only f's closure is differentiated; a solver parameter computed from the
    # differentiated value (here a damping that depends on a) moves nothing
    def root(a):
        damping = 1.0 / (1.0 + a * a)

        def damped_newton(f, x):
            for _ in range(200):
                x = x - (1.0 - damping) * f(x) / ftrans.grad(f)(x)
            return x
        return lax.custom_root(lambda x: x * x - a, 1.0, damped_newton, scalar_solve)

    a = 3.0
    assert abs(root(a) - np.sqrt(a)) < 1e-12
    assert abs(ftrans.grad(root)(a) - 0.5 / np.sqrt(a)) < 1e-12
    assert abs(ftrans.grad(ftrans.grad(root))(a) + 0.25 * a ** -1.5) < 1e-10
    assert abs(ftrans.jit(ftrans.grad(root))(a) - 0.5 / np.sqrt(a)) < 1e-12


def test_custom_root_jit_and_vmap():
    a = np.array([0.5, 2.0, 7.0])
    loop = np.array([sqrt_root(ai) for ai in a])
    np.testing.assert_allclose(loop, np.sqrt(a), rtol=1e-14)
    np.testing.assert_allclose(ftrans.vmap(sqrt_root)(a), loop, rtol=1e-14)
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(sqrt_root))(a), 0.5 / np.sqrt(a),
                               rtol=1e-12)
    jitted = ftrans.jit(lambda a: sqrt_root(a, newton_while))
    for ai in a:
        np.testing.assert_allclose(jitted(ai), sqrt_root(ai), rtol=1e-14)
        np.testing.assert_allclose(ftrans.jit(ftrans.grad(lambda a: sqrt_root(
            a, newton_while)))(ai), ftrans.grad(sqrt_root)(ai), rtol=1e-12)


M = np.array([[3.0, 1.0, 0.0], [0.5, 4.0, 1.0], [0.0, 1.0, 5.0]])


def vector_newton(f, x):
    for _ in range(30):
        x = x - fnp.linalg.solve(ftrans.jacfwd(f)(x), f(x))
    return x


def linear_solve(g, y):
    return fnp.linalg.solve(ftrans.jacfwd(g)(y), y)


def vector_root(b, c):
    """The x with M x + c * x**3 = b."""
    return lax.custom_root(lambda x: M @ x + c * x ** 3 - b, np.zeros(3), vector_newton,
                           linear_solve)


def test_custom_root_vector_with_a_linear_tangent_solve():
    b, c = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.1, 0.2])
    x = vector_root(b, c)
    np.testing.assert_allclose(M @ x + c * x ** 3, b, atol=1e-12)
    # the implicit function theorem by hand: dx/db = J^{-1}, dx/dc = -J^{-1} diag(x**3)
    jac = M + np.diag(3 * c * x ** 2)
    np.testing.assert_allclose(ftrans.jacfwd(vector_root)(b, c), np.linalg.inv(jac),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ftrans.jacrev(vector_root, argnums=1)(b, c),
                               -np.linalg.inv(jac) @ np.diag(x ** 3), rtol=1e-10, atol=1e-12)
    w = np.array([0.7, -1.0, 2.0])
    np.testing.assert_allclose(ftrans.grad(lambda b: fnp.sum(w * vector_root(b, c)))(b),
                               central_grad(lambda b: np.sum(w * vector_root(b, c)), b),
                               rtol=1e-6, atol=1e-9)
    check_grads(vector_root, (b, c), order=1)
    bs = np.stack([b, 2 * b, -b])
    np.testing.assert_allclose(ftrans.vmap(vector_root, in_axes=(0, None))(bs, c),
                               np.stack([vector_root(bi, c) for bi in bs]), rtol=1e-12)


def test_custom_root_pytree_and_has_aux():
    def solve(f, guess):  # elementwise Newton on a dict, counting its steps
        x = guess
        for _ in range(30):
            fx = f(x)
            d = ftrans.jvp(f, (x,), ({k: np.ones_like(v) for k, v in x.items()},))[1]
            x = {k: x[k] - fx[k] / d[k] for k in x}
        return x, {"steps": 30, "residual": f(x)["u"]}

    def tangent_solve(g, y):  # the system is diagonal
        d = g({k: np.ones_like(v) for k, v in y.items()})
        return {k: y[k] / d[k] for k in y}

    def roots(p):
        f = lambda x: {"u": x["u"] ** 2 - p, "v": x["v"] ** 3 - 2.0 * p}  # noqa: E731
        return lax.custom_root(f, {"u": np.ones(2), "v": np.ones(2)}, solve, tangent_solve,
                               has_aux=True)

    p = np.array([2.0, 5.0])
    sol, aux = roots(p)
    np.testing.assert_allclose(sol["u"], np.sqrt(p), rtol=1e-14)
    np.testing.assert_allclose(sol["v"], np.cbrt(2 * p), rtol=1e-14)
    assert aux["steps"] == 30 and np.all(np.abs(aux["residual"]) < 1e-12)
    du = ftrans.jacfwd(lambda p: roots(p)[0]["u"])(p)
    np.testing.assert_allclose(du, np.diag(0.5 / np.sqrt(p)), rtol=1e-12)
    dv = ftrans.grad(lambda p: fnp.sum(roots(p)[0]["v"]))(p)
    np.testing.assert_allclose(dv, 2 / (3 * np.cbrt(2 * p) ** 2), rtol=1e-12)
    # aux is not differentiated
    t_aux = ftrans.jvp(lambda p: roots(p)[1]["residual"], (p,), (np.ones(2),))[1]
    np.testing.assert_array_equal(t_aux, np.zeros(2))


def test_custom_root_matches_jax(jax):
    jnp = jax.numpy
    b, c = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.1, 0.2])

    def jax_newton(f, x):
        for _ in range(30):
            x = x - jnp.linalg.solve(jax.jacfwd(f)(x), f(x))
        return x

    def jax_root(b, c):
        return jax.lax.custom_root(lambda x: M @ x + c * x ** 3 - b, np.zeros(3), jax_newton,
                                   lambda g, y: jnp.linalg.solve(jax.jacfwd(g)(y), y))

    for argnums in (0, 1):
        np.testing.assert_allclose(ftrans.jacrev(vector_root, argnums=argnums)(b, c),
                                   jax.jacrev(jax_root, argnums=argnums)(b, c), rtol=1e-10,
                                   atol=1e-12)


def test_custom_root_errors():
    f = lambda x: x * x - 2.0  # noqa: E731
    with pytest.raises(TypeError, match=r"custom_root: f must be a callable function f\(x\) "
                                        r"whose root is sought, got float 1.0"):
        lax.custom_root(1.0, 1.0, newton, scalar_solve)
    with pytest.raises(TypeError, match=r"custom_root: solve must be a callable solver "
                                        r"solve\(f, initial_guess\), got NoneType"):
        lax.custom_root(f, 1.0, None, scalar_solve)
    with pytest.raises(TypeError, match=r"custom_root: tangent_solve must be a callable "
                                        r"linear solver tangent_solve\(g, y\), got str"):
        lax.custom_root(f, 1.0, newton, "solve")
    with pytest.raises(TypeError, match=r"custom_root: f must return a pytree of the "
                                        r"structure and shapes of initial_guess, .* with "
                                        r"shapes \[\(2,\)\]; got .* with shapes \[\(\)\]"):
        lax.custom_root(lambda x: fnp.sum(x), np.ones(2), newton, scalar_solve)
    with pytest.raises(TypeError, match=r"initial_guess: expected arrays or numbers, got str"):
        lax.custom_root(f, "one", newton, scalar_solve)
    with pytest.raises(TypeError, match=r"the solution returned by solve <lambda> must have "
                                        r"the shapes of initial_guess \[\(\)\], got "
                                        r"\[\(2,\)\]"):
        lax.custom_root(f, 1.0, lambda f, x: np.ones(2), scalar_solve)
    with pytest.raises(TypeError, match=r"with has_aux=True, solve newton must return a pair "
                                        r"\(solution, aux\), got an array f64\[\]"):
        lax.custom_root(f, 1.0, newton, scalar_solve, has_aux=True)
    with pytest.raises(TypeError, match=r"the result of tangent_solve <lambda> must have the "
                                        r"structure of initial_guess"):
        ftrans.grad(lambda a: lax.custom_root(lambda x: x * x - a, 1.0, newton,
                                              lambda g, y: (y, y)))(2.0)
