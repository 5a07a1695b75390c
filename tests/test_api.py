"""Whole-function tests of the derivative API: the tutorial, nesting, pytrees, Jacobians;
argnums, aux values, ``linearize`` and ``linear_transpose``."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.testing import check_grads, numerical_jvp


def tutorial_f(x1, x2):
    v1 = x1 / x2
    return (fnp.sin(v1) + v1 - fnp.exp(x2)) * (v1 - fnp.exp(x2))


def tutorial_numpy(x1, x2):
    v1 = x1 / x2
    return (np.sin(v1) + v1 - np.exp(x2)) * (v1 - np.exp(x2))


def test_tutorial_gradient_to_1e12():
    g1, g2 = ftrans.grad(tutorial_f, argnums=(0, 1))(1.5, 0.5)
    assert abs(g1 - 3.011843327673907) < 1e-12
    assert abs(g2 - (-13.723961509314076)) < 1e-12


def test_tutorial_value_and_forward_mode():
    value, t1 = ftrans.jvp(tutorial_f, (1.5, 0.5), (1.0, 0.0))
    _, t2 = ftrans.jvp(tutorial_f, (1.5, 0.5), (0.0, 1.0))
    assert abs(value - 2.016646669428201) < 1e-12
    assert abs(t1 - 3.011843327673907) < 1e-12
    assert abs(t2 - (-13.723961509314076)) < 1e-12


def test_plain_numpy_code_gives_the_same_derivatives():
    g_np = ftrans.grad(tutorial_numpy, argnums=(0, 1))(1.5, 0.5)
    g_f = ftrans.grad(tutorial_f, argnums=(0, 1))(1.5, 0.5)
    assert g_np == pytest.approx(g_f, abs=1e-14)


def test_results_are_numpy_values():
    g = ftrans.grad(tutorial_f)(1.5, 0.5)
    assert isinstance(g, np.float64)
    v = ftrans.grad(lambda x: fnp.sum(x ** 2))(np.ones(3))
    assert type(v) is np.ndarray and v.dtype == np.float64


def test_third_derivative_of_sin():
    x = 0.7
    d3 = ftrans.grad(ftrans.grad(ftrans.grad(fnp.sin)))(x)
    assert d3 == pytest.approx(-np.cos(x), abs=1e-14)


def test_no_perturbation_confusion():
    def f(x):
        return x * ftrans.grad(lambda y: x * y)(3.0)
    # d/dx [x * d/dy (x*y)] = d/dx [x * x] = 2x
    assert ftrans.grad(f)(2.0) == pytest.approx(4.0)
    _, t = ftrans.jvp(f, (2.0,), (1.0,))
    assert t == pytest.approx(4.0)


def test_python_control_flow_on_values_under_derivatives():
    def f(x):
        if x > 0:
            return fnp.sin(x)
        return x * x
    assert ftrans.grad(f)(0.5) == pytest.approx(np.cos(0.5))
    assert ftrans.grad(f)(-0.5) == pytest.approx(-1.0)
    assert ftrans.jacfwd(f)(-0.5) == pytest.approx(-1.0)
    assert ftrans.jacrev(f)(0.5) == pytest.approx(np.cos(0.5))


def test_concretization_error_names_the_line():
    def f(x):
        if x > 0:  # this line is named in the error
            return x
        return -x
    with pytest.raises(ftrans.ConcretizationError) as e:
        ftrans.make_jaxpr(f)(1.0)
    msg = str(e.value)
    assert "test_api.py" in msg and "in f" in msg
    assert "ftrans.numpy.where" in msg and "ftrans.lax.cond" in msg and "static_argnums" in msg


def test_make_jaxpr_prints_like_jax():
    text = str(ftrans.make_jaxpr(lambda x, y: fnp.sin(x / y))(1.5, 0.5))
    assert text.splitlines()[0] == "{ lambda ; a:f64[] b:f64[]. let"
    assert "c:f64[] = div a b" in text and "d:f64[] = sin c" in text and "in (d,) }" in text
    text32 = str(ftrans.make_jaxpr(lambda x: x * 2.0)(np.float32(1.0)))
    assert text32 == "{ lambda ; a:f32[]. let b:f32[] = mul a 2.0:f32[] in (b,) }"


def test_jacobians_agree():
    a = np.array([[1.0, 2.0, 0.5], [0.0, 1.0, -1.0]])

    def f(x):
        return fnp.tanh(a @ x) * fnp.sum(x ** 2)

    x = np.array([0.3, -0.2, 0.9])
    jf = ftrans.jacfwd(f)(x)
    jr = ftrans.jacrev(f)(x)
    jfc = ftrans.jacfwd(f, chunk_size=2)(x)
    jrc = ftrans.jacrev(f, chunk_size=1)(x)
    cols = ftrans.jacobian_columns(f, [0, 1, 2])(x)
    rows = ftrans.jacobian_rows(f, [0, 1])(x)
    assert jf.shape == (2, 3)
    for j in (jr, jfc, jrc, cols, rows, ftrans.jacobian(f)(x)):
        np.testing.assert_allclose(j, jf, rtol=1e-12, atol=1e-14)
    num = np.stack([numerical_jvp(f, (x,), (np.eye(3)[i],)) for i in range(3)], axis=1)
    np.testing.assert_allclose(jf, num, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ftrans.jacobian_columns(f, [2, 0])(x), jf[:, [2, 0]])
    np.testing.assert_allclose(ftrans.jacobian_rows(f, [1], chunk_size=1)(x), jf[[1]])


def test_jacobian_shapes_and_pytrees():
    def f(params, x):
        return {"y": fnp.sin(params["w"] @ x) + params["b"], "s": fnp.sum(x)}

    params = {"w": np.ones((2, 3)) * 0.1, "b": np.zeros(2)}
    x = np.array([1.0, 2.0, 3.0])
    jf = ftrans.jacfwd(f, argnums=(0, 1))(params, x)
    jr = ftrans.jacrev(f, argnums=(0, 1))(params, x)
    assert jf["y"][0]["w"].shape == (2, 2, 3)
    assert jf["y"][1].shape == (2, 3)
    assert jf["s"][1].shape == (3,)
    for k in ("y", "s"):
        np.testing.assert_allclose(jf[k][0]["w"], jr[k][0]["w"], atol=1e-14)
        np.testing.assert_allclose(jf[k][1], jr[k][1], atol=1e-14)


def test_hessian_and_hvp():
    def f(x):
        return fnp.sum(fnp.sin(x) * fnp.exp(x)) + fnp.sum(x) ** 2

    x = np.array([0.1, 0.5, -0.3])
    h = ftrans.hessian(f)(x)
    g = ftrans.grad(f)
    num = np.stack([numerical_jvp(g, (x,), (np.eye(3)[i],)) for i in range(3)], axis=1)
    np.testing.assert_allclose(h, num, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(h, h.T, atol=1e-12)
    v = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(ftrans.hvp(f, (x,), (v,)), h @ v, rtol=1e-12)
    np.testing.assert_allclose(ftrans.jacfwd(ftrans.jacrev(f))(x), ftrans.jacrev(
        ftrans.jacfwd(f))(x), atol=1e-12)


Params = collections.namedtuple("Params", ["w", "b"])


def test_pytrees_in_and_out():
    def loss(p, data):
        x, y = data
        pred = x @ p.w + p.b
        return fnp.mean((pred - y) ** 2)

    p = Params(np.array([0.5, -1.0]), np.float64(0.1))
    data = (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 0.0]))
    g = ftrans.grad(loss)(p, data)
    assert isinstance(g, Params)
    eps = 1e-6
    for name in ("w", "b"):
        leaf = getattr(p, name)
        num = np.zeros_like(np.asarray(leaf, float))
        for i in np.ndindex(num.shape):
            d = np.zeros_like(num)
            d[i] = eps
            hi = loss(p._replace(**{name: leaf + d}), data)
            lo = loss(p._replace(**{name: leaf - d}), data)
            num[i] = (hi - lo) / (2 * eps)
        np.testing.assert_allclose(getattr(g, name), num, rtol=1e-6)
    out, f_vjp = ftrans.vjp(lambda d: {"a": d["x"] * 2, "n": None}, {"x": np.ones(2)})
    assert out["n"] is None
    (ct,) = f_vjp({"a": np.array([1.0, 2.0]), "n": None})
    np.testing.assert_allclose(ct["x"], [2.0, 4.0])


def test_has_aux():
    def f(x):
        y = fnp.sin(x)
        return y * 2, {"y": y}

    g, aux = ftrans.grad(f, has_aux=True)(0.3)
    assert g == pytest.approx(2 * np.cos(0.3))
    assert aux["y"] == pytest.approx(np.sin(0.3)) and isinstance(aux["y"], np.floating)
    (v, aux2), g2 = ftrans.value_and_grad(f, has_aux=True)(0.3)
    assert v == pytest.approx(2 * np.sin(0.3)) and g2 == g
    jac, aux3 = ftrans.jacrev(lambda x: (x * x, x), has_aux=True)(np.ones(2))
    np.testing.assert_allclose(jac, 2 * np.eye(2))


def test_linearize_and_linear_transpose():
    y, f_jvp = ftrans.linearize(lambda x: fnp.sin(x) * x, 0.4)
    assert y == pytest.approx(np.sin(0.4) * 0.4)
    assert f_jvp(2.0) == pytest.approx(2 * (np.cos(0.4) * 0.4 + np.sin(0.4)))
    m = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    t = ftrans.linear_transpose(lambda x: m @ x, np.zeros(2))
    np.testing.assert_allclose(t(np.array([1.0, 0.0, 2.0]))[0], m.T @ [1.0, 0.0, 2.0])


def test_float32_stays_float32():
    x = np.ones(3, np.float32)
    g = ftrans.grad(lambda x: fnp.sum(fnp.sin(x) * 2.0))(x)
    assert g.dtype == np.float32
    j = ftrans.jacfwd(lambda x: x * 3)(x)
    assert j.dtype == np.float32


def test_nan_and_inf_propagate():
    g = ftrans.grad(lambda x: fnp.sum(x * x))(np.array([np.nan, np.inf, 1.0]))
    assert np.isnan(g[0]) and np.isinf(g[1]) and g[2] == 2.0


def test_check_grads_on_composite():
    check_grads(lambda x, y: fnp.sum(fnp.tanh(x @ y) / (1 + y ** 2)),
                (np.array([[0.1, 0.2], [0.3, -0.4]]), np.array([0.5, -0.6])), order=2)


def test_closure_over_outer_tracer_in_jacobian():
    def outer(a):
        return fnp.sum(ftrans.jacfwd(lambda x: a * fnp.sin(x))(np.array([0.1, 0.2])))
    g = ftrans.grad(outer)(2.0)
    assert g == pytest.approx(np.cos(0.1) + np.cos(0.2))


# ----------------------------------------------------------------------------- argnums and aux


@pytest.mark.parametrize("api", [ftrans.grad, ftrans.value_and_grad, ftrans.jacfwd,
                                 ftrans.jacrev, ftrans.hessian])
def test_repeated_argnums_raise_instead_of_dropping_a_gradient(api):
    # it used to give (0.0, 12.0): the first copy was overwritten by the second
    with pytest.raises(ValueError, match=r"argnums must not repeat.*\(1, 1\)"):
        api(lambda a, b: a * b * b, argnums=(1, 1))(2.0, 3.0)
    with pytest.raises(ValueError, match="argnums must not repeat"):
        api(lambda a, b: a * b * b, argnums=(1, -1))(2.0, 3.0)


@pytest.mark.parametrize("api", [ftrans.grad, ftrans.jacfwd, ftrans.jacrev])
def test_numpy_integer_argnums_behave_like_python_ints(api):
    g = api(lambda x, y: x * y, argnums=np.int64(1))(2.0, 3.0)
    assert not isinstance(g, tuple) and g == 2.0


def test_aux_0d_arrays_become_numpy_scalars_like_the_outputs():
    (g, aux) = ftrans.grad(lambda x: (x * 2.0, x), has_aux=True)(1.0)
    assert type(aux) is np.float64 and aux == 1.0
    _, _, aux = ftrans.vjp(lambda x: (x * 2.0, x), 1.0, has_aux=True)
    assert type(aux) is np.float64
    (g, aux) = ftrans.grad(lambda x: (fnp.sum(x), {"i": fnp.argmax(x), "s": "k"}),
                           has_aux=True)(np.array([1.0, 3.0, 2.0]))
    assert type(aux["i"]) is np.int64 and aux["i"] == 1 and aux["s"] == "k"


def test_linearize_keeps_float32_and_supports_has_aux():
    _, f_jvp = ftrans.linearize(lambda x: 2.0 * x, np.ones(2, np.float32))
    t = f_jvp(np.ones(2))  # a float64 tangent is cast, as vjp casts cotangents
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t, [2.0, 2.0])
    y, f_jvp, aux = ftrans.linearize(lambda x: (fnp.sin(x), {"c": fnp.cos(x)}), 0.5,
                                     has_aux=True)
    assert abs(y - np.sin(0.5)) < 1e-15 and abs(aux["c"] - np.cos(0.5)) < 1e-15
    assert abs(f_jvp(2.0) - 2.0 * np.cos(0.5)) < 1e-15


def test_linear_transpose_checks_the_cotangent_shape():
    t = ftrans.linear_transpose(lambda a: 2.0 * a, np.ones(2))
    with pytest.raises(ValueError, match=r"cotangent 0 has shape \(3,\).*shape \(2,\)"):
        t(np.ones(3))  # used to return 6.0
    t = ftrans.linear_transpose(lambda a: fnp.sum(a), np.ones(2))
    with pytest.raises(ValueError, match=r"cotangent 0 has shape \(3,\).*shape \(\)"):
        t(np.ones(3))


def test_linear_transpose_keeps_the_primal_dtype():
    t = ftrans.linear_transpose(lambda a: 2.0 * a, np.ones(2, np.float32))
    (ct,) = t(np.ones(2))
    assert ct.dtype == np.float32
    np.testing.assert_array_equal(ct, [2.0, 2.0])
    (ct,) = ftrans.linear_transpose(lambda a: fnp.sum(a), np.ones(3, np.float32))(1.0)
    assert ct.dtype == np.float32
    # the transpose matches the dot-product identity <ct, A x> = <A^T ct, x>
    x = np.array([1.0, -2.0, 0.5])
    (ct,) = ftrans.linear_transpose(lambda a: fnp.cumsum(a), x)(np.array([0.3, 0.2, 0.1]))
    lhs = np.dot([0.3, 0.2, 0.1], numerical_jvp(fnp.cumsum, (x,), (x,)))
    assert abs(lhs - np.dot(ct, x)) < 1e-6
