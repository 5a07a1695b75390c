"""Custom derivative rules, stop_gradient and checkpoint: the rules are actually used (each
test's rule differs from the true derivative), in every mode and under vmap, make_jaxpr and
second order; checkpoint keeps fewer residual bytes for the same gradients."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.lax as lax
import ftrans.numpy as fnp
from ftrans.core import eval_jaxpr
from ftrans.testing import check_grads

# ----------------------------------------------------------------------------- custom_jvp


@ftrans.custom_jvp
def sin_fake(x):
    return fnp.sin(x)


@sin_fake.defjvp
def _sin_fake_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return sin_fake(x), (x * x) * t  # not cos(x): d/dx = x^2


def test_custom_jvp_rule_is_used_in_every_mode():
    x = 0.7
    assert sin_fake(x) == pytest.approx(np.sin(x))
    assert ftrans.jvp(sin_fake, (x,), (1.0,))[1] == pytest.approx(x * x)
    assert ftrans.grad(sin_fake)(x) == pytest.approx(x * x)  # reverse = transposed rule
    xs = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(ftrans.jacfwd(sin_fake)(xs), np.diag(xs * xs))
    np.testing.assert_allclose(ftrans.jacrev(sin_fake)(xs), np.diag(xs * xs))
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(sin_fake))(xs), xs * xs)
    np.testing.assert_allclose(ftrans.grad(lambda v: fnp.sum(ftrans.vmap(sin_fake)(v)))(xs),
                               xs * xs)
    # second order differentiates the rule: d/dx x^2 = 2x
    assert ftrans.grad(ftrans.grad(sin_fake))(x) == pytest.approx(2 * x)
    np.testing.assert_allclose(ftrans.hessian(lambda v: fnp.sum(sin_fake(v)))(xs),
                               np.diag(2 * xs))
    closed = ftrans.make_jaxpr(ftrans.grad(sin_fake))(1.0)
    assert eval_jaxpr(closed.jaxpr, closed.consts, np.float64(x))[0] == pytest.approx(x * x)


def test_custom_jvp_inside_control_flow():
    f = lambda x: lax.scan(lambda c, _: (sin_fake(c), None), x, None, length=2)[0]
    x = 0.5
    # d/dx sin_fake(sin_fake(x)) with the fake rule: sin(x)^2 * x^2
    assert ftrans.grad(f)(x) == pytest.approx(np.sin(x) ** 2 * x * x)
    g = lambda x: lax.cond(x > 0, sin_fake, lambda x: x, x)
    assert ftrans.grad(g)(x) == pytest.approx(x * x)
    assert ftrans.vmap(ftrans.grad(g))(np.array([x, -x]))[0] == pytest.approx(x * x)


def test_custom_jvp_pytrees_and_nondiff_argnums():
    def scale(n, p):
        return {"y": p["a"] * n, "z": p["b"]}

    f = ftrans.custom_jvp(scale, nondiff_argnums=(0,))

    @f.defjvp
    def f_jvp(n, primals, tangents):
        (p,), (t,) = primals, tangents
        return f(n, p), {"y": t["a"] * (10.0 * n), "z": 0.0 * t["b"]}

    p = {"a": np.array([1.0, 2.0]), "b": 3.0}
    loss = lambda p: fnp.sum(f(2.0, p)["y"]) + f(2.0, p)["z"]
    g = ftrans.grad(loss)(p)
    np.testing.assert_allclose(g["a"], [20.0, 20.0])
    assert g["b"] == 0.0


def test_custom_jvp_bad_rule():
    f = ftrans.custom_jvp(lambda x: x * 2.0)
    with pytest.raises(AttributeError, match="no jvp rule"):
        f(1.0)
    f.defjvp(lambda p, t: (p[0] * 2.0, t[0] * np.ones(3)))
    with pytest.raises(TypeError, match=r"custom_jvp rule of <lambda> returned a tangent of "
                                        r"type f64\[3\] for an output of type f64\[\]"):
        ftrans.jvp(f, (1.0,), (1.0,))


# ----------------------------------------------------------------------------- custom_vjp

@ftrans.custom_vjp
def clip_gradient(x, lo, hi):
    return x


clip_gradient.defvjp(lambda x, lo, hi: (x, (lo, hi)),
                     lambda res, g: (fnp.minimum(fnp.maximum(g, res[0]), res[1]), None, None))


def test_custom_vjp_rule_in_reverse_mode_and_fallback_in_forward_mode():
    f = lambda x: 5.0 * clip_gradient(x, -1.0, 2.0)
    assert ftrans.grad(f)(3.0) == 2.0  # bwd clips 5 to 2
    # forward mode falls back to differentiating the primal function (x -> x)
    assert ftrans.jvp(f, (3.0,), (1.0,))[1] == 5.0
    xs = np.array([1.0, 2.0])
    np.testing.assert_allclose(ftrans.jacrev(f)(xs), np.diag([2.0, 2.0]))
    np.testing.assert_allclose(ftrans.jacfwd(f)(xs), np.diag([5.0, 5.0]))
    g = lambda x: -0.5 * clip_gradient(x, -1.0, 2.0)
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(f))(xs), [2.0, 2.0])
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(g))(xs), [-0.5, -0.5])
    np.testing.assert_allclose(
        ftrans.grad(lambda v: fnp.sum(5.0 * ftrans.vmap(clip_gradient, (0, None, None))(
            v, -1.0, 2.0)))(xs), [2.0, 2.0])
    closed = ftrans.make_jaxpr(ftrans.grad(f))(1.0)
    assert eval_jaxpr(closed.jaxpr, closed.consts, np.float64(0.3))[0] == 2.0


@ftrans.custom_vjp
def norm_sq(p):
    return fnp.sum(p["w"] * p["w"]) + p["b"] * p["b"]


def _norm_fwd(p):
    return norm_sq(p), p


def _norm_bwd(p, g):  # deliberately 3x the true gradient
    return ({"w": 6.0 * g * p["w"], "b": 6.0 * g * p["b"]},)


norm_sq.defvjp(_norm_fwd, _norm_bwd)


def test_custom_vjp_pytrees_second_order():
    p = {"w": np.array([1.0, -2.0]), "b": 0.5}
    g = ftrans.grad(norm_sq)(p)
    np.testing.assert_allclose(g["w"], [6.0, -12.0])
    assert g["b"] == 3.0
    # second order differentiates through bwd: d/dw sum(6 w) = 6 per entry
    h = ftrans.grad(lambda w: fnp.sum(ftrans.grad(norm_sq)({"w": w, "b": 0.5})["w"]))(p["w"])
    np.testing.assert_allclose(h, [6.0, 6.0])


def test_custom_vjp_nondiff_argnums():
    def power(n, x):
        return x ** n

    f = ftrans.custom_vjp(power, nondiff_argnums=(0,))
    f.defvjp(lambda n, x: (x ** n, x), lambda n, x, g: (g * n * x ** (n - 1) + 100.0,))
    assert ftrans.grad(lambda x: f(3, x))(2.0) == 112.0


def test_custom_vjp_bwd_errors():
    f = ftrans.custom_vjp(lambda x, y: x * y)
    f.defvjp(lambda x, y: (x * y, (x, y)), lambda res, g: (g * res[1],))
    with pytest.raises(TypeError, match=r"custom_vjp bwd of <lambda> must return a tuple of 2 "
                                        r"cotangent\(s\).*length 1"):
        ftrans.grad(f)(1.0, 2.0)
    f.defvjp(lambda x, y: (x * y, (x, y)), lambda res, g: (g * np.ones(3), g))
    with pytest.raises(ValueError, match=r"custom_vjp bwd of <lambda> returned a cotangent of "
                                         r"type f64\[3\] for an argument of type f64\[\]"):
        ftrans.grad(f)(1.0, 2.0)
    with pytest.raises(AttributeError, match="defvjp"):
        ftrans.custom_vjp(lambda x: x)(1.0)


# ----------------------------------------------------------------------------- stop_gradient

def test_stop_gradient():
    f = lambda x: x * ftrans.stop_gradient(x) + ftrans.stop_gradient({"a": x})["a"]
    assert ftrans.grad(f)(3.0) == 3.0
    assert ftrans.jvp(f, (3.0,), (1.0,))[1] == 3.0
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(f))(np.array([1.0, 2.0])), [1.0, 2.0])
    assert ftrans.grad(ftrans.grad(lambda x: x * x * ftrans.stop_gradient(x)))(3.0) == 6.0


# ----------------------------------------------------------------------------- checkpoint

def layer(x, w):
    return fnp.tanh(fnp.sin(x * w) * fnp.cos(x) + x)


def chain(x, ws, remat=False):
    step = ftrans.checkpoint(layer) if remat else layer
    for w in ws:
        x = step(x, w)
    return fnp.sum(x * x)


def test_checkpoint_same_gradients_fewer_residual_bytes():
    x = np.linspace(-1.0, 1.0, 50)
    ws = list(np.linspace(0.5, 1.5, 10))
    g = ftrans.grad(chain)(x, ws)
    g_remat = ftrans.grad(lambda x, ws: chain(x, ws, remat=True))(x, ws)
    np.testing.assert_allclose(g_remat, g, rtol=1e-13)
    plain = sum(b for _, b in ftrans.saved_residuals(lambda x: chain(x, ws), x))
    remat = sum(b for _, b in ftrans.saved_residuals(lambda x: chain(x, ws, True), x))
    assert remat < plain / 3, (plain, remat)
    assert ftrans.print_saved_residuals(lambda x: chain(x, ws, True), x) == remat


def test_checkpoint_in_every_mode():
    f = ftrans.checkpoint(layer)
    x, w = np.array([0.3, -0.7]), 1.3
    check_grads(f, (x, w), order=2)
    np.testing.assert_allclose(ftrans.jacfwd(f)(x, w), ftrans.jacrev(f)(x, w), rtol=1e-12)
    xs = np.array([[0.3, -0.7], [1.0, 0.2]])
    gv = ftrans.vmap(ftrans.grad(lambda x: fnp.sum(f(x, w))))(xs)
    np.testing.assert_allclose(gv, [ftrans.grad(lambda x: fnp.sum(layer(x, w)))(r) for r in xs],
                               rtol=1e-12)
    closed = ftrans.make_jaxpr(ftrans.grad(lambda x: fnp.sum(f(x, w))))(x)
    got = eval_jaxpr(closed.jaxpr, closed.consts, x)[0]
    np.testing.assert_allclose(got, ftrans.grad(lambda x: fnp.sum(layer(x, w)))(x), rtol=1e-12)


def test_checkpoint_policy_saves_dot_products():
    W = np.random.default_rng(0).normal(size=(4, 4))
    f = lambda x: fnp.tanh(W @ fnp.sin(x))
    x = np.ones(4)
    loss = lambda pol: lambda x: fnp.sum(ftrans.checkpoint(f, policy=pol)(x))
    none = ftrans.saved_residuals(loss(None), x)
    dots = ftrans.saved_residuals(loss(ftrans.checkpoint_policies.dots_saveable), x)
    assert len(dots) == len(none) + 1
    np.testing.assert_allclose(ftrans.grad(loss(ftrans.checkpoint_policies.dots_saveable))(x),
                               ftrans.grad(lambda x: fnp.sum(f(x)))(x), rtol=1e-12)


def test_checkpointed_scan_body_recomputes_per_step():
    def cell(c, x):
        h = fnp.tanh(fnp.sin(c * x) * fnp.cos(c) + x)
        return h, fnp.sum(h)

    f = lambda xs, body: fnp.sum(lax.scan(body, np.ones(100), xs)[1])
    xs = np.random.default_rng(0).normal(size=(20, 100))
    g = ftrans.grad(f)(xs, cell)
    remat = lambda xs: f(xs, ftrans.checkpoint(cell))
    np.testing.assert_allclose(ftrans.grad(remat)(xs), g, rtol=1e-13)
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(remat))(xs[None])[0], g, rtol=1e-13)
    plain = sum(b for _, b in ftrans.saved_residuals(lambda xs: f(xs, cell), xs))
    saved = sum(b for _, b in ftrans.saved_residuals(remat, xs))
    assert saved < plain / 3, (plain, saved)
