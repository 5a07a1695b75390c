"""vmap against Python loops: axes, nesting, composition with derivatives, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp

rng = np.random.default_rng(0)


def test_in_axes_pytree_and_out_axes():
    def f(p, x):
        return {"y": fnp.tanh(p["w"] @ x + p["b"]), "n": fnp.sum(x * x)}

    p = {"w": rng.standard_normal((3, 4)), "b": rng.standard_normal(3)}
    xs = rng.standard_normal((4, 5))  # batch along axis 1
    out = ftrans.vmap(f, in_axes=(None, 1), out_axes={"y": 1, "n": 0})(p, xs)
    loop = [f(p, xs[:, i]) for i in range(5)]
    np.testing.assert_allclose(out["y"], np.stack([o["y"] for o in loop], axis=1))
    np.testing.assert_allclose(out["n"], np.stack([o["n"] for o in loop]))


def test_negative_axes_and_nesting():
    x = rng.standard_normal((2, 3, 4))
    out = ftrans.vmap(ftrans.vmap(lambda v: fnp.sum(fnp.sin(v)), in_axes=-1), in_axes=0)(x)
    expected = np.array([[np.sum(np.sin(x[i, :, j])) for j in range(4)] for i in range(2)])
    np.testing.assert_allclose(out, expected)


def test_per_example_gradients_equal_loop():
    w = rng.standard_normal((3, 2))

    def loss(w, x, y):
        return fnp.sum((fnp.tanh(x @ w) - y) ** 2)

    xs, ys = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    per_ex = ftrans.vmap(ftrans.grad(loss), in_axes=(None, 0, 0))(w, xs, ys)
    loop = np.stack([ftrans.grad(loss)(w, xs[i], ys[i]) for i in range(6)])
    np.testing.assert_allclose(per_ex, loop, rtol=1e-12)


def test_grad_of_vmap():
    def f(x):
        return fnp.sum(ftrans.vmap(lambda r: fnp.max(r) * fnp.sum(fnp.exp(r)))(x))

    x = rng.standard_normal((3, 4))
    g = ftrans.grad(f)(x)
    num = ftrans.testing.numerical_jvp
    for i in range(3):
        for j in range(4):
            e = np.zeros_like(x)
            e[i, j] = 1
            assert g[i, j] == pytest.approx(float(num(f, (x,), (e,))), rel=1e-6)


def test_vmap_of_jacobians_and_vjp():
    xs = rng.standard_normal((4, 3))

    def f(x):
        return fnp.sin(x) * fnp.sum(x)

    for jac in (ftrans.jacfwd, ftrans.jacrev):
        out = ftrans.vmap(jac(f))(xs)
        np.testing.assert_allclose(out, np.stack([jac(f)(x) for x in xs]), atol=1e-14)

    def pull(x):
        return ftrans.vjp(f, x)[1](np.ones(3))[0]

    np.testing.assert_allclose(ftrans.vmap(pull)(xs), np.stack([pull(x) for x in xs]))


def test_axis_size_with_no_mapped_input():
    out = ftrans.vmap(lambda x: x * 2, in_axes=None, axis_size=3)(np.ones(2))
    assert out.shape == (3, 2)


def test_errors():
    with pytest.raises(ValueError, match="in_axes=2 is out of range.*shape \\(3,\\)"):
        ftrans.vmap(fnp.sin, in_axes=2)(np.ones(3))
    with pytest.raises(ValueError, match="inconsistent sizes.*leaf 0: 3.*leaf 1: 4"):
        ftrans.vmap(fnp.add)(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="at least one mapped input.*axis_size"):
        ftrans.vmap(fnp.sin, in_axes=None)(np.ones(3))
    with pytest.raises(ValueError, match="in_axes has 1 entries.*2 positional"):
        ftrans.vmap(fnp.add, in_axes=(0,))(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"in_axes has keys \['b'\].*keys \['a'\]"):
        ftrans.vmap(lambda d: d["a"], in_axes=({"b": 0},))({"a": np.ones(3)})


def test_control_flow_under_vmap_raises_concretization_error():
    def f(x):
        return x if x > 0 else -x
    with pytest.raises(ftrans.ConcretizationError):
        ftrans.vmap(f)(np.ones(3))
