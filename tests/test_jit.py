"""jit: caching (one trace per signature), static arguments, composition with transforms."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp


def tutorial(x, y):
    return fnp.sin(x / y) * fnp.tanh(x) + x * y


def test_one_trace_per_aval_signature():
    f = ftrans.jit(lambda x, y: fnp.sum(x * y))
    a, b = np.ones(3), np.arange(3.0)
    assert f(a, b) == 3.0
    assert f(b, a) == 3.0 and f.trace_count == 1
    f(np.ones(4), np.ones(4))
    assert f.trace_count == 2
    f(np.ones(3, np.float32), np.ones(3, np.float32))
    assert f.trace_count == 3
    f(a, b)
    f(np.ones(4), np.ones(4))
    assert f.trace_count == 3


def test_pytree_structure_is_part_of_the_key():
    f = ftrans.jit(lambda p: fnp.sum(p["w"]) + p["b"])
    assert f({"w": np.ones(2), "b": 1.0}) == 3.0
    assert f({"w": np.ones(2), "b": 2.0}) == 4.0
    assert f.trace_count == 1
    f({"w": (np.ones(2)), "b": np.ones(())})
    assert f.trace_count == 2  # a Python float and a 0-d array are different leaf types


def test_static_argnums_and_argnames():
    calls = []

    def f(x, n, mode="sin"):
        calls.append(n)
        y = x
        for _ in range(n):  # Python control flow on a static value
            y = fnp.sin(y) if mode == "sin" else fnp.cos(y)
        return y

    g = ftrans.jit(f, static_argnums=1, static_argnames="mode")
    assert np.isclose(g(0.5, 2), np.sin(np.sin(0.5)))
    assert np.isclose(g(0.7, 2), np.sin(np.sin(0.7)))
    assert g.trace_count == 1
    assert np.isclose(g(0.5, 3), np.sin(np.sin(np.sin(0.5))))
    assert np.isclose(g(0.5, 1, mode="cos"), np.cos(0.5))
    assert g.trace_count == 3


def test_unhashable_static_argument_is_named():
    g = ftrans.jit(lambda x, shape: x, static_argnums=1)
    with pytest.raises(TypeError, match=r"static argument 1 \('shape'\).*hashable.*list"):
        g(1.0, [2, 3])
    h = ftrans.jit(lambda x, opts=None: x, static_argnames="opts")
    with pytest.raises(TypeError, match=r"static argument 'opts'.*dict"):
        h(1.0, opts={"a": 1})


def test_bad_static_argnums_and_leaves():
    with pytest.raises(TypeError, match="static_argnums must be ints"):
        ftrans.jit(lambda x: x, static_argnums="0")
    with pytest.raises(TypeError, match="jit: expected an array or a Python number.*str"):
        ftrans.jit(lambda x: x)("abc")


def test_traced_value_in_if_names_the_fix():
    f = ftrans.jit(lambda x: x if x > 0 else -x)
    with pytest.raises(ftrans.ConcretizationError, match="static_argnums"):
        f(1.0)


@pytest.mark.parametrize("compose", ["jit_grad", "grad_jit", "jit_grad_jit", "vmap_jit",
                                     "jit_vmap", "jacfwd_jit", "jit_hessian"])
def test_jit_composes_with_transforms(compose):
    x, y = np.linspace(0.5, 1.5, 4), np.linspace(0.7, 1.2, 4)
    s = lambda x, y: fnp.sum(tutorial(x, y))
    if compose == "jit_grad":
        got, want = ftrans.jit(ftrans.grad(s, (0, 1)))(x, y), ftrans.grad(s, (0, 1))(x, y)
    elif compose == "grad_jit":
        got, want = ftrans.grad(ftrans.jit(s), (0, 1))(x, y), ftrans.grad(s, (0, 1))(x, y)
    elif compose == "jit_grad_jit":
        got = ftrans.jit(ftrans.grad(ftrans.jit(s)))(x, y)
        want = ftrans.grad(s)(x, y)
    elif compose == "vmap_jit":
        got, want = ftrans.vmap(ftrans.jit(tutorial))(x, y), tutorial(x, y)
    elif compose == "jit_vmap":
        got, want = ftrans.jit(ftrans.vmap(tutorial))(x, y), tutorial(x, y)
    elif compose == "jacfwd_jit":
        got, want = ftrans.jacfwd(ftrans.jit(tutorial))(x, y), ftrans.jacfwd(tutorial)(x, y)
    else:
        got, want = ftrans.jit(ftrans.hessian(s))(x, y), ftrans.hessian(s)(x, y)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_grad_of_jit_matches_finite_differences():
    ftrans.check_grads(ftrans.jit(tutorial), (1.5, 0.5), order=2)


def test_results_match_eager_types():
    g = ftrans.jit(ftrans.grad(tutorial, argnums=(0, 1)))
    got, want = g(1.5, 0.5), ftrans.grad(tutorial, argnums=(0, 1))(1.5, 0.5)
    assert type(got) is tuple and all(type(a) is type(b) for a, b in zip(got, want))
    np.testing.assert_allclose(got, want, rtol=1e-14)


def test_lower_shows_the_optimized_jaxpr():
    f = ftrans.jit(lambda x: -(-fnp.sin(x)) * 1.0 + fnp.sin(x))
    text = str(f.lower(np.ones(3)))
    assert text.count("sin") == 1 and "neg" not in text and "mul" not in text
    assert "def run" in f.source(np.ones(3))
    unopt = ftrans.jit(lambda x: -(-fnp.sin(x)) * 1.0 + fnp.sin(x), optimize=False)
    assert str(unopt.lower(np.ones(3))).count("sin") == 2


def test_keyword_and_positional_static_names_and_dynamic_kwargs():
    def f(x, scale, mode="sin", *, shift=0.0):
        return (fnp.sin(x) if mode == "sin" else fnp.cos(x)) * scale + shift
    g = ftrans.jit(f, static_argnames="mode")
    assert np.isclose(g(0.5, 2.0, "cos"), np.cos(0.5) * 2)  # static name given positionally
    assert np.isclose(g(0.5, 2.0, mode="cos", shift=1.0), np.cos(0.5) * 2 + 1)
    assert np.isclose(g(0.5, 3.0, mode="cos", shift=2.0), np.cos(0.5) * 3 + 2)
    assert g.trace_count == 2  # a keyword-only dynamic argument changes the structure once


def test_constant_and_passthrough_outputs():
    f = ftrans.jit(lambda x: (x, 3.0, fnp.sum(x)))
    a, b, c = f(np.arange(3.0))
    np.testing.assert_array_equal(a, np.arange(3.0))
    assert b == 3.0 and c == 3.0


def test_compiling_pauses_garbage_collection_and_restores_it():
    import gc
    seen = []

    def f(x):
        seen.append(gc.isenabled())
        return fnp.sin(x)
    assert gc.isenabled()
    ftrans.jit(f)(1.0)
    assert seen == [False] and gc.isenabled()

    def bad(x):
        raise ValueError("boom")
    with pytest.raises(ValueError, match="boom"):
        ftrans.jit(bad)(1.0)
    assert gc.isenabled()
    gc.disable()
    try:
        ftrans.jit(f)(2.0)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


# ----------------------------------------------------------------------------- closures


def test_jit_of_a_jacobian_closing_over_an_outer_tracer():
    # the compiled NumPy code used to run on the captured tracer (writing with out=)
    x = np.array([0.3, -0.7, 1.1])
    g = ftrans.grad(lambda a: fnp.sum(ftrans.jit(ftrans.jacfwd(lambda y: a * y ** 2))(x)))(2.0)
    assert abs(g - np.sum(2 * x)) < 1e-12
    g = ftrans.grad(lambda a: fnp.sum(ftrans.jit(ftrans.hessian(
        lambda y: a ** 2 * fnp.sum(y ** 3)))(x)))(2.0)
    assert abs(g - 4 * np.sum(6 * x)) < 1e-12


def test_a_reused_jit_function_does_not_keep_a_finished_traces_tracer():
    x = np.array([0.3, -0.7, 1.1])
    box = []
    h = ftrans.jit(lambda y: fnp.sum(y * box[-1]))

    def f(a):
        box.append(a)
        return h(x)

    for a in (2.0, 3.0):  # the second call used to raise UnexpectedTracerError
        value, g = ftrans.value_and_grad(f)(a)
        assert abs(value - a * np.sum(x)) < 1e-12 and abs(g - np.sum(x)) < 1e-12
