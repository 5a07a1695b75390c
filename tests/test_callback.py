"""``ftrans.pure_callback``: host NumPy/SciPy code under jit and vmap (every vmap_method),
differentiated through custom_jvp/custom_vjp rules (an ODE solved by scipy.integrate.odeint
with forward sensitivities; NumPy's as_strided), and the errors it raises. Expected values
are worked out by hand in the comments; JAX is an optional oracle for the vmap methods."""

from __future__ import annotations

import types

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

import ftrans
import ftrans.numpy as fnp


def struct(shape, dtype=np.float64):
    """A ShapeDtypeStruct-like object: anything with .shape and .dtype will do."""
    return types.SimpleNamespace(shape=tuple(shape), dtype=np.dtype(dtype))


# ----------------------------------------------------------------------------- as_strided

def window_sums_host(x):
    """y[j] = x[j] + x[j+1] + x[j+2], through a strided view (no copy): code ftrans cannot
    trace (as_strided needs a real buffer)."""
    n, s = x.shape[-1], x.strides[-1]
    return as_strided(x, shape=(n - 2, 3), strides=(s, s)).sum(axis=1)


@ftrans.custom_vjp
def window_sums(x):
    return ftrans.pure_callback(window_sums_host, struct((x.shape[0] - 2,), x.dtype), x)


def _ws_bwd(n, g):
    # dy[j]/dx[i] = 1 for j <= i <= j + 2: the cotangent of x[i] sums g[j] over
    # max(0, i-2) <= j <= min(i, n-3), which is the full convolution of g with [1, 1, 1]
    full = ftrans.pure_callback(lambda g: np.convolve(g, np.ones(3)), struct((n,), g.dtype), g,
                                vmap_method="sequential")  # jacrev batches it
    return (full,)


window_sums.defvjp(lambda x: (window_sums(x), x.shape[0]), lambda n, g: _ws_bwd(int(n), g))


def test_as_strided_in_a_callback_under_jit_and_grad():
    x = np.arange(6.0)
    # 0+1+2, 1+2+3, 2+3+4, 3+4+5
    np.testing.assert_array_equal(window_sums(x), [3.0, 6.0, 9.0, 12.0])
    np.testing.assert_array_equal(ftrans.jit(window_sums)(x), [3.0, 6.0, 9.0, 12.0])
    w = np.array([1.0, 10.0, 100.0, 1000.0])
    loss = lambda x: fnp.sum(w * window_sums(x))
    # d loss / dx[i] = sum of w[j] over the windows j that contain i
    want = [1.0, 11.0, 111.0, 1110.0, 1100.0, 1000.0]
    np.testing.assert_array_equal(ftrans.grad(loss)(x), want)
    np.testing.assert_array_equal(ftrans.jit(ftrans.grad(loss))(x), want)
    np.testing.assert_array_equal(ftrans.jacrev(window_sums)(x) @ np.ones(6), [3.0] * 4)


# ----------------------------------------------------------------------------- odeint

odeint = pytest.importorskip("scipy.integrate").odeint
T = 2.0


def _a(theta):
    return np.array([[-theta, 1.0], [-1.0, -theta]])


def _solve_host(y0, theta):
    """y(T) for y' = A(theta) y, y(0) = y0, by SciPy (a black box to ftrans)."""
    return odeint(lambda y, t: _a(theta) @ y, y0, [0.0, T], rtol=1e-12, atol=1e-12)[-1]


def _sensitivities_host(y0, theta):
    """y(T), s = dy(T)/dtheta and S = dy(T)/dy0, from the forward sensitivity equations
    s' = A s + (dA/dtheta) y = A s - y and S' = A S, solved with y in one odeint call."""
    def rhs(z, t):
        a = _a(theta)
        y, s, m = z[:2], z[2:4], z[4:].reshape(2, 2)
        return np.concatenate([a @ y, a @ s - y, (a @ m).ravel()])

    z0 = np.concatenate([y0, np.zeros(2), np.eye(2).ravel()])
    z = odeint(rhs, z0, [0.0, T], rtol=1e-12, atol=1e-12)[-1]
    return z[:2], z[2:4], z[4:].reshape(2, 2)


@ftrans.custom_vjp
def ode_end(y0, theta):
    return ftrans.pure_callback(_solve_host, struct((2,)), y0, theta, vmap_method="sequential")


def _ode_fwd(y0, theta):
    y, s, m = ftrans.pure_callback(_sensitivities_host, (struct((2,)), struct((2,)),
                                                         struct((2, 2))),
                                   y0, theta, vmap_method="sequential")
    return y, (s, m)


def _ode_bwd(res, g):
    s, m = res
    return fnp.matmul(g, m), fnp.dot(g, s)  # g^T dy/dy0, g^T dy/dtheta


ode_end.defvjp(_ode_fwd, _ode_bwd)


def _exact(y0, theta):
    """By hand: y(T) = exp(-theta T) R(T) y0, R(T) = [[cos T, sin T], [-sin T, cos T]]
    (y' = -theta y + [[0, 1], [-1, 0]] y, and R' = [[0, 1], [-1, 0]] R)."""
    c, s = np.cos(T), np.sin(T)
    r = np.array([[c, s], [-s, c]])
    return np.exp(-theta * T) * r @ y0, np.exp(-theta * T) * r


def test_odeint_through_pure_callback_and_custom_vjp():
    y0, theta, w = np.array([1.0, 0.5]), 0.3, np.array([1.0, 2.0])
    y, e_r = _exact(y0, theta)
    np.testing.assert_allclose(ode_end(y0, theta), y, rtol=1e-9)
    loss = lambda y0, theta: fnp.dot(w, ode_end(y0, theta))
    # d loss/d y0 = w^T e^{-theta T} R(T); d loss/d theta = -T w . y(T)
    want = (w @ e_r, -T * w @ y)
    for got in (ftrans.grad(loss, argnums=(0, 1))(y0, theta),
                ftrans.jit(ftrans.grad(loss, argnums=(0, 1)))(y0, theta)):
        np.testing.assert_allclose(got[0], want[0], rtol=1e-8)
        np.testing.assert_allclose(got[1], want[1], rtol=1e-8)
    thetas = np.array([0.1, 0.3, 0.7])
    got = ftrans.vmap(ftrans.grad(loss, argnums=1), (None, 0))(y0, thetas)
    np.testing.assert_allclose(got, [-T * w @ _exact(y0, t)[0] for t in thetas], rtol=1e-8)


# ----------------------------------------------------------------------------- vmap methods

def _shape_logger(seen):
    def host_add(x, y):
        seen.append((np.shape(x), np.shape(y)))
        return x + y
    return host_add


@pytest.mark.parametrize("method, shapes", [
    ("sequential", [((), ()), ((), ()), ((), ()), ((), ())]),  # once per element
    ("expand_dims", [((4,), (1,))]),   # once; the unbatched y gets an axis of length 1
    ("broadcast_all", [((4,), (4,))]),  # once; y broadcast to the batch
    ("legacy_vectorized", [((4,), ())]),  # once; y as it is
])
def test_vmap_methods(method, shapes):
    seen: list = []
    fun = lambda x, y: ftrans.pure_callback(_shape_logger(seen), struct((), np.float64), x, y,
                                            vmap_method=method)
    x = np.arange(4.0)
    np.testing.assert_array_equal(ftrans.vmap(fun, (0, None))(x, 1.0), x + 1.0)
    assert seen == shapes
    seen.clear()
    np.testing.assert_array_equal(ftrans.jit(ftrans.vmap(fun, (0, None)))(x, 1.0), x + 1.0)
    assert seen == shapes


def test_vmap_methods_match_jax():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    for method in ("sequential", "expand_dims", "broadcast_all", "legacy_vectorized"):
        ours, theirs = [], []
        ftrans.vmap(lambda x, y: ftrans.pure_callback(
            _shape_logger(ours), struct((), np.float32), x, y, vmap_method=method),
            (0, None))(np.arange(4, dtype=np.float32), np.float32(1))
        jax.vmap(lambda x, y: jax.pure_callback(
            _shape_logger(theirs), jax.ShapeDtypeStruct((), jnp.float32), x, y,
            vmap_method=method), (0, None))(jnp.arange(4, dtype=jnp.float32), jnp.float32(1))
        assert ours == theirs, method


def test_nested_vmap_and_pytrees():
    fun = lambda p: ftrans.pure_callback(
        lambda d: {"s": d["a"] + d["b"], "p": d["a"] * d["b"]},
        {"s": struct((), np.float64), "p": struct((), np.float64)}, p,
        vmap_method="sequential")
    a, b = np.arange(6.0).reshape(2, 3), np.ones((2, 3)) * 2.0
    out = ftrans.vmap(ftrans.vmap(fun))({"a": a, "b": b})
    np.testing.assert_array_equal(out["s"], a + 2.0)
    np.testing.assert_array_equal(out["p"], a * 2.0)


# ----------------------------------------------------------------------------- errors

def test_errors():
    cb = lambda x: np.sin(x)
    with pytest.raises(ValueError, match=r"pure_callback <lambda> is not differentiable.*"
                                         r"custom_jvp or ftrans\.custom_vjp"):
        ftrans.grad(lambda x: ftrans.pure_callback(cb, struct(()), x))(1.0)
    with pytest.raises(NotImplementedError, match="needs vmap_method.*'sequential'"):
        ftrans.vmap(lambda x: ftrans.pure_callback(cb, struct(()), x))(np.ones(2))
    with pytest.raises(ValueError, match="vmap_method must be one of"):
        ftrans.pure_callback(cb, struct(()), 1.0, vmap_method="loop")
    with pytest.raises(TypeError, match=r"returned f64\[3\] for result 0, but "
                                        r"result_shape_dtypes says f64\[2\]"):
        ftrans.jit(lambda x: ftrans.pure_callback(cb, struct((2,)), x))(np.ones(3))
    with pytest.raises(TypeError, match=r"returned f64\[\] for result 0, but "
                                        r"result_shape_dtypes says f32\[\]"):
        ftrans.pure_callback(cb, struct((), np.float32), 1.0)
    with pytest.raises(TypeError, match="result_shape_dtypes leaf 0 must have .shape and "
                                        ".dtype"):
        ftrans.pure_callback(cb, 3, 1.0)
    with pytest.raises(TypeError, match="structure"):
        ftrans.pure_callback(cb, (struct(()), struct(())), 1.0)
    with pytest.raises(TypeError, match="argument leaf 0 must be an array or a number, got "
                                        "str"):
        ftrans.pure_callback(cb, struct(()), "x")
