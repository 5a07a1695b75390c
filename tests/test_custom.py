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
                                        r"cotangent\(s\).*returned a tuple of 1: "):
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


# ----------------------------------------------------------------------------- JAX's semantics
# (issue 15 §6). Expected values are worked out by hand in the comments; JAX is an optional
# oracle at the end (skipped without it).

@ftrans.custom_jvp
def sin_or_cos(x):
    return fnp.sin(x) if x > 0 else fnp.cos(x)  # Python control flow on the value


sin_or_cos.defjvp(lambda p, t: (sin_or_cos(p[0]), 2 * t[0]))


def test_custom_jvp_sees_concrete_values_under_every_derivative():
    # JAX's documented example: the rule says d/dx = 2 on both branches
    assert ftrans.grad(sin_or_cos)(1.0) == 2.0
    assert ftrans.grad(sin_or_cos)(-1.0) == 2.0
    y, t = ftrans.jvp(sin_or_cos, (-1.0,), (3.0,))
    assert (y, t) == (pytest.approx(np.cos(-1.0)), 6.0)
    y, f_vjp = ftrans.vjp(sin_or_cos, 1.0)
    assert y == pytest.approx(np.sin(1.0)) and f_vjp(0.5) == (1.0,)
    assert ftrans.jacfwd(sin_or_cos)(1.0) == 2.0 and ftrans.jacrev(sin_or_cos)(-1.0) == 2.0
    assert ftrans.value_and_grad(lambda x: 3.0 * sin_or_cos(x))(1.0)[1] == 6.0
    # second order differentiates the rule: d/dx 2 = 0
    assert ftrans.grad(ftrans.grad(sin_or_cos))(1.0) == 0.0
    assert ftrans.hessian(sin_or_cos)(1.0) == 0.0


@ftrans.custom_vjp
def relu_like(x):
    return x if x > 0 else 0.0 * x  # Python control flow on the value


def _relu_fwd(x):
    return relu_like(x), (1.0 if x > 0 else 0.0)  # Python control flow here too


relu_like.defvjp(_relu_fwd, lambda mask, g: (3.0 * mask * g,))  # 3x the true slope


def test_custom_vjp_sees_concrete_values():
    assert ftrans.grad(relu_like)(2.0) == 3.0   # bwd: 3 * 1 * 1
    assert ftrans.grad(relu_like)(-2.0) == 0.0  # bwd: 3 * 0 * 1
    assert ftrans.jacrev(relu_like)(2.0) == 3.0
    # forward mode differentiates the primal function (x -> x on this branch)
    assert ftrans.jvp(relu_like, (2.0,), (1.0,)) == (2.0, 1.0)
    assert ftrans.jacfwd(relu_like)(-2.0) == 0.0


def test_concretization_error_names_the_transformation():
    with pytest.raises(ftrans.ConcretizationError, match=r"abstract under jit\b"):
        ftrans.jit(sin_or_cos)(1.0)
    with pytest.raises(ftrans.ConcretizationError, match=r"abstract under vmap\b"):
        ftrans.vmap(ftrans.grad(sin_or_cos))(np.ones(2))
    with pytest.raises(ftrans.ConcretizationError, match=r"abstract under make_jaxpr\b"):
        ftrans.make_jaxpr(sin_or_cos)(1.0)
    # a custom function called on abstract values says why its arguments are abstract
    with pytest.raises(ftrans.ConcretizationError,
                       match=r"custom_jvp function sin_or_cos, whose arguments are abstract "
                             r"under jit\b"):
        ftrans.jit(ftrans.grad(sin_or_cos))(1.0)
    with pytest.raises(ftrans.ConcretizationError, match=r"abstract under the body of lax\.scan"):
        ftrans.grad(lambda x: lax.scan(lambda c, _: (sin_or_cos(c), None), x, None,
                                       length=2)[0])(1.0)
    with pytest.raises(ftrans.ConcretizationError, match=r"abstract under the body of "
                                                         r"lax\.while_loop"):
        lax.while_loop(lambda c: c < 3.0, lambda c: c + 1.0 if c > 0 else c, 0.0)
    with pytest.raises(ftrans.ConcretizationError, match=r"abstract under a branch of lax\.cond"):
        lax.cond(True, lambda x: x if x > 0 else -x, lambda x: x, 1.0)
    with pytest.raises(ftrans.ConcretizationError, match=r"abstract under checkpoint\b"):
        ftrans.grad(ftrans.checkpoint(lambda x: x if x > 0 else -x))(1.0)
    # no fixed list of suspects any more
    with pytest.raises(ftrans.ConcretizationError) as e:
        ftrans.jit(lambda x: x if x > 0 else -x)(1.0)
    assert "jit, vmap or make_jaxpr" not in str(e.value)


# Higher orders: the second derivative differentiates the rule itself.
# g(x) = f(x) (1 + x^2). With f' given by the rule, g' = f' (1+x^2) + 2x f and
# g'' = f'' (1+x^2) + 4x f' + 2 f, where f'' is the derivative of the rule's f' and f in the
# 2x f term is the rule's primal output, differentiated as written.

X2 = 0.7


def _g(f):
    return lambda x: f(x) * (1 + x * x)


@ftrans.custom_jvp
def half_sin(x):
    return fnp.sin(x)


half_sin.defjvp(lambda p, t: (half_sin(p[0]), 0.5 * fnp.cos(p[0]) * t[0]))


@ftrans.custom_jvp
def half_sin_plain_primal(x):
    return fnp.sin(x)


# the rule's primal output is a plain sin, not a call of the custom function
half_sin_plain_primal.defjvp(lambda p, t: (fnp.sin(p[0]), 0.5 * fnp.cos(p[0]) * t[0]))


@ftrans.custom_vjp
def twice_cos(x):
    return fnp.sin(x)


twice_cos.defvjp(lambda x: (fnp.sin(x), fnp.cos(x)), lambda c, g: (2 * c * g,))


@ftrans.custom_vjp
def twice_cos_self(x):
    return fnp.sin(x)


# fwd's primal output is the custom function itself
twice_cos_self.defvjp(lambda x: (twice_cos_self(x), fnp.cos(x)), lambda c, g: (2 * c * g,))


def _second_orders(g):
    return {"grad(grad)": ftrans.grad(ftrans.grad(g))(X2),
            "hessian": ftrans.hessian(g)(X2),
            "jacfwd(jacrev)": ftrans.jacfwd(ftrans.jacrev(g))(X2),
            "jacrev(jacfwd)": ftrans.jacrev(ftrans.jacfwd(g))(X2)}


def test_second_order_through_custom_jvp_differentiates_the_rule():
    s, c, x = np.sin(X2), np.cos(X2), X2
    # f' = 0.5 cos, f'' = -0.5 sin, f = half_sin (the rule again at the outer level):
    # g'' = -0.5 sin (1+x^2) + 4x (0.5 cos) + 2 sin
    want = -0.5 * s * (1 + x * x) + 2 * x * c + 2 * s
    for name, got in _second_orders(_g(half_sin)).items():
        assert got == pytest.approx(want, rel=1e-13), name
    # the rule's primal is a plain sin: the 2x f term is differentiated as 2x sin, so
    # g'' = -0.5 sin (1+x^2) + 2x (0.5 cos) + 2 sin + 2x cos
    want = -0.5 * s * (1 + x * x) + x * c + 2 * s + 2 * x * c
    for name, got in _second_orders(_g(half_sin_plain_primal)).items():
        assert got == pytest.approx(want, rel=1e-13), name


def test_second_order_through_custom_vjp_differentiates_fwd_and_bwd():
    s, c, x = np.sin(X2), np.cos(X2), X2
    # reverse mode: g' = bwd(cos, 1+x^2) + 2x f = 2 cos (1+x^2) + 2x sin, with f = fwd's sin.
    # Its derivative (any outer mode: fwd and bwd are plain code) is
    # -2 sin (1+x^2) + 4x cos + 2 sin + 2x cos
    rev = -2 * s * (1 + x * x) + 4 * x * c + 2 * s + 2 * x * c
    # forward mode (our extension: JAX refuses) differentiates the primal function:
    # g' = cos (1+x^2) + 2x sin, and its derivative is the true g''
    fwd = -s * (1 + x * x) + 2 * x * c + 2 * s + 2 * x * c
    got = _second_orders(_g(twice_cos))
    for name in ("grad(grad)", "hessian", "jacfwd(jacrev)"):
        assert got[name] == pytest.approx(rev, rel=1e-13), name
    assert got["jacrev(jacfwd)"] == pytest.approx(fwd, rel=1e-13)
    # fwd returns the custom function itself: reverse over reverse uses bwd for the 2x f
    # term too (2x * 2 cos instead of 2x cos); forward over reverse differentiates it in
    # forward mode (the primal function: 2x cos); reverse over forward uses bwd (2x 2 cos)
    got = _second_orders(_g(twice_cos_self))
    assert got["grad(grad)"] == pytest.approx(rev + 2 * x * c, rel=1e-13)
    assert got["hessian"] == pytest.approx(rev, rel=1e-13)
    assert got["jacfwd(jacrev)"] == pytest.approx(rev, rel=1e-13)
    assert got["jacrev(jacfwd)"] == pytest.approx(fwd + 2 * x * c, rel=1e-13)


def test_second_order_through_custom_rules_matches_jax():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", True)

    @jax.custom_jvp
    def j_half_sin(x):
        return jnp.sin(x)

    j_half_sin.defjvp(lambda p, t: (j_half_sin(p[0]), 0.5 * jnp.cos(p[0]) * t[0]))

    @jax.custom_jvp
    def j_plain(x):
        return jnp.sin(x)

    j_plain.defjvp(lambda p, t: (jnp.sin(p[0]), 0.5 * jnp.cos(p[0]) * t[0]))

    @jax.custom_vjp
    def j_twice_cos(x):
        return jnp.sin(x)

    j_twice_cos.defvjp(lambda x: (jnp.sin(x), jnp.cos(x)), lambda c, g: (2 * c * g,))

    @jax.custom_vjp
    def j_self(x):
        return jnp.sin(x)

    j_self.defvjp(lambda x: (j_self(x), jnp.cos(x)), lambda c, g: (2 * c * g,))

    pairs = [(half_sin, j_half_sin, True), (half_sin_plain_primal, j_plain, True),
             (twice_cos, j_twice_cos, False), (twice_cos_self, j_self, False)]
    for ours, theirs, has_jvp in pairs:
        g, jg = _g(ours), _g(theirs)
        assert ftrans.grad(ftrans.grad(g))(X2) == pytest.approx(
            float(jax.grad(jax.grad(jg))(X2)), rel=1e-13)
        if has_jvp or ours is twice_cos:  # JAX has no forward mode through custom_vjp
            assert ftrans.hessian(g)(X2) == pytest.approx(float(jax.hessian(jg)(X2)),
                                                          rel=1e-13)
        if has_jvp:
            assert ftrans.jacrev(ftrans.jacfwd(g))(X2) == pytest.approx(
                float(jax.jacrev(jax.jacfwd(jg))(X2)), rel=1e-13)
    assert ftrans.grad(sin_or_cos)(1.0) == float(jax.grad(_jax_sin_or_cos(jax, jnp))(1.0))


def _jax_sin_or_cos(jax, jnp):
    @jax.custom_jvp
    def f(x):
        return jnp.sin(x) if x > 0 else jnp.cos(x)

    f.defjvp(lambda p, t: (f(p[0]), 2 * t[0]))
    return f


def test_custom_function_runs_once_under_grad():
    calls = []

    @ftrans.custom_jvp
    def f(x):
        calls.append(x.item())  # a concrete value: no abstract trace first
        return fnp.sin(x)

    f.defjvp(lambda p, t: (fnp.sin(p[0]), fnp.cos(p[0]) * t[0]))
    assert ftrans.grad(f)(0.5) == pytest.approx(np.cos(0.5))
    assert calls == [0.5]


def test_defjvps():
    f = ftrans.custom_jvp(lambda x, y: fnp.sin(x) * y)
    # per-argument rules: d/dx = cos(x) y (true), d/dy = 3 (deliberately not sin(x))
    f.defjvps(lambda t, out, x, y: fnp.cos(x) * y * t, lambda t, out, x, y: 3.0 * t)
    assert ftrans.grad(f, argnums=(0, 1))(0.0, 2.0) == (2.0, 3.0)
    # jvp sums the contributions: cos(0) 2 * 1 + 3 * 10 = 32
    assert ftrans.jvp(f, (0.0, 2.0), (1.0, 10.0))[1] == 32.0
    g = ftrans.custom_jvp(lambda x, y: x * y)
    g.defjvps(None, lambda t, out, x, y: x * t)  # None: x contributes nothing
    assert ftrans.grad(g, argnums=(0, 1))(4.0, 5.0) == (0.0, 4.0)
    with pytest.raises(TypeError, match=r"takes 2 argument\(s\), but defjvps was given 1"):
        h = ftrans.custom_jvp(lambda x, y: x * y)
        h.defjvps(lambda t, out, x, y: t)
        ftrans.grad(h)(1.0, 2.0)
    with pytest.raises(TypeError, match="defjvps cannot be used with nondiff_argnums"):
        ftrans.custom_jvp(lambda n, x: x, nondiff_argnums=(0,)).defjvps(None)


def _apply_vjp():
    # JAX's documented example: a function as a nondiff argument
    app = ftrans.custom_vjp(lambda f, x: f(x), nondiff_argnums=(0,))
    app.defvjp(lambda f, x: (app(f, x), x), lambda f, x, g: (5 * g,))
    return app


def _apply_jvp():
    app = ftrans.custom_jvp(lambda f, x: f(x), nondiff_argnums=(0,))
    app.defjvp(lambda f, p, t: (app(f, p[0]), 2.0 * t[0]))
    return app


def test_nondiff_arguments_may_be_functions():
    cube = lambda x: x ** 3
    app_vjp, app_jvp = _apply_vjp(), _apply_jvp()
    assert ftrans.grad(app_vjp, 1)(cube, 3.0) == 5.0       # bwd: 5 g
    assert ftrans.grad(app_jvp, 1)(cube, 3.0) == 2.0       # rule: 2 t
    assert app_vjp(cube, 3.0) == 27.0 and app_jvp(fnp.sin, 0.0) == 0.0
    assert ftrans.jit(ftrans.grad(lambda x: app_vjp(cube, x)))(3.0) == 5.0
    np.testing.assert_allclose(ftrans.vmap(ftrans.grad(lambda x: app_jvp(cube, x)))(
        np.array([1.0, 2.0])), [2.0, 2.0])
    # keyword arguments bind to positions; nondiff_argnames name them
    scale = ftrans.custom_jvp(lambda x, k: k * x, nondiff_argnames=("k",))
    scale.defjvp(lambda k, p, t: (scale(p[0], k), 10.0 * k * t[0]))
    assert scale.nondiff_argnums == (1,)
    assert ftrans.grad(lambda x: scale(x, k=2.0))(1.0) == 20.0


def test_custom_rules_nondiff_and_defjvps_match_jax():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", True)
    app = jax.custom_vjp(lambda f, x: f(x), nondiff_argnums=(0,))
    app.defvjp(lambda f, x: (app(f, x), x), lambda f, x, g: (5 * g,))
    cube = lambda x: x ** 3
    assert float(jax.grad(app, 1)(cube, 3.0)) == ftrans.grad(_apply_vjp(), 1)(cube, 3.0)
    jf = jax.custom_jvp(lambda x, y: jnp.sin(x) * y)
    jf.defjvps(lambda t, out, x, y: jnp.cos(x) * y * t, lambda t, out, x, y: 3.0 * t)
    f = ftrans.custom_jvp(lambda x, y: fnp.sin(x) * y)
    f.defjvps(lambda t, out, x, y: fnp.cos(x) * y * t, lambda t, out, x, y: 3.0 * t)
    np.testing.assert_allclose(ftrans.grad(f, argnums=(0, 1))(0.4, 2.0),
                               jax.grad(jf, argnums=(0, 1))(0.4, 2.0), rtol=1e-14)
    np.testing.assert_allclose(ftrans.hessian(lambda v: f(v[0], v[1]))(np.array([0.4, 2.0])),
                               jax.hessian(lambda v: jf(v[0], v[1]))(jnp.array([0.4, 2.0])),
                               rtol=1e-14)


def test_vector_second_orders_through_both_rules_match_jax():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", True)

    def make(lib, m):
        @lib.custom_jvp
        def f(x):  # the rule's tangent is not sin's; its primal is a plain sin
            return m.sin(x)

        f.defjvp(lambda p, t: (m.sin(p[0]), 0.5 * m.cos(p[0]) * t[0] + p[0] * t[0]))

        @lib.custom_vjp
        def h(x, y):
            return m.sin(x) * y

        h.defvjp(lambda x, y: (m.sin(x) * y, (m.cos(x), x, y)),
                 lambda r, g: (2 * r[0] * g * r[2], g * r[1] ** 2))
        return lambda v: m.sum(f(v) * h(v, v[::-1]) * (1 + v * v))

    ours, theirs = make(ftrans, fnp), make(jax, jnp)
    x = np.array([0.3, -0.7, 1.1])
    want = np.asarray(jax.hessian(theirs)(x))
    for got in (ftrans.hessian(ours)(x), ftrans.jacfwd(ftrans.jacrev(ours))(x),
                ftrans.jacrev(ftrans.jacrev(ours))(x), ftrans.jit(ftrans.hessian(ours))(x)):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    xs = np.stack([x, 2 * x])
    np.testing.assert_allclose(ftrans.vmap(ftrans.hessian(ours))(xs),
                               jax.vmap(jax.hessian(theirs))(xs), rtol=1e-12)


def test_custom_jvp_rule_calling_the_function_that_closes_over_a_stopped_value():
    # found beside lax.custom_root: the rule calls f again after grad's trace has finished;
    # f closes over stop_gradient(a), a value of that trace (JAX accepts this)
    def outer(a):
        s = lax.stop_gradient(a)

        @ftrans.custom_jvp
        def f(x):
            return fnp.sin(x) * s

        @f.defjvp
        def f_jvp(p, t):
            return f(p[0]), fnp.cos(p[0]) * s * t[0]

        return f(a * 2.0)

    a = 0.7  # d/da sin(2a)·s with s held constant: 2·cos(2a)·a
    expected = 2 * np.cos(2 * a) * a
    assert np.isclose(ftrans.grad(outer)(a), expected, rtol=1e-12)
    assert np.isclose(ftrans.jvp(outer, (a,), (1.0,))[1], expected, rtol=1e-12)
    assert np.isclose(ftrans.jacrev(outer)(a), expected, rtol=1e-12)
    assert np.isclose(ftrans.jit(ftrans.grad(outer))(a), expected, rtol=1e-12)
    xs = np.array([0.3, 0.7])
    assert np.allclose(ftrans.vmap(ftrans.grad(outer))(xs), 2 * np.cos(2 * xs) * xs,
                       rtol=1e-12)
