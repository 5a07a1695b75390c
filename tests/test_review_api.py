"""Regression tests from a review of the derivative API against JAX/NumPy semantics: empty
arrays, repeated argnums, cotangent checks of linear_transpose, dtypes, aux values."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.testing import numerical_jvp

# ----------------------------------------------------------------------------- empty arrays


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


def test_gradient_of_product_over_an_empty_array():
    # prod of nothing is 1, constant: its gradient is an empty array (JAX: [])
    g = ftrans.grad(lambda x: fnp.sum(x) + fnp.prod(x))(np.zeros(0))
    assert g.shape == (0,) and g.dtype == np.float64
    g = ftrans.grad(lambda x: fnp.sum(fnp.prod(x, axis=1)))(np.ones((2, 0)))
    assert g.shape == (2, 0)
    y, t = ftrans.jvp(lambda x: fnp.prod(x, axis=0), (np.ones((0, 3)),), (np.ones((0, 3)),))
    np.testing.assert_array_equal(y, np.ones(3))
    np.testing.assert_array_equal(t, np.zeros(3))


# ----------------------------------------------------------------------------- argnums


@pytest.mark.parametrize("api", [ftrans.grad, ftrans.value_and_grad, ftrans.jacfwd,
                                 ftrans.jacrev, ftrans.hessian])
def test_repeated_argnums_raise_instead_of_dropping_a_gradient(api):
    # it used to give (0.0, 12.0): the first copy was overwritten by the second
    with pytest.raises(ValueError, match=r"argnums must not repeat.*\(1, 1\)"):
        api(lambda a, b: a * b * b, argnums=(1, 1))(2.0, 3.0)
    with pytest.raises(ValueError, match="argnums must not repeat"):
        api(lambda a, b: a * b * b, argnums=(1, -1))(2.0, 3.0)


# ----------------------------------------------------------------------------- linear_transpose


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


# ----------------------------------------------------------------------------- error messages


def test_errors_name_the_users_function_not_an_internal_wrapper():
    def loss(x):
        return x * 2.0

    with pytest.raises(TypeError, match=r"loss must return a pair") as e:
        ftrans.grad(loss, has_aux=True)(1.0)
    assert "partial_fun" not in str(e.value)
    with pytest.raises(TypeError, match=r"grad: named returned a str"):
        ftrans.grad(_returns_str)(1.0)


def _returns_str(x):
    return "a"


_returns_str.__name__ = "named"


def test_argnums_must_be_int_or_tuple_with_a_clear_message():
    with pytest.raises(TypeError, match=r"grad: argnums must be an int or a tuple of ints, got "
                                        r"float 0.0"):
        ftrans.grad(lambda x: x, argnums=0.0)(1.0)


@pytest.mark.parametrize("api", [ftrans.grad, ftrans.jacfwd, ftrans.jacrev])
def test_numpy_integer_argnums_behave_like_python_ints(api):
    g = api(lambda x, y: x * y, argnums=np.int64(1))(2.0, 3.0)
    assert not isinstance(g, tuple) and g == 2.0


def test_integer_primal_error_of_jvp_does_not_mention_argnums():
    with pytest.raises(TypeError, match=r"primal 0 has dtype int64") as e:
        ftrans.jvp(lambda x: x, (1,), (1,))
    assert "argnums" not in str(e.value)


# ----------------------------------------------------------------------------- aux values


def test_aux_0d_arrays_become_numpy_scalars_like_the_outputs():
    (g, aux) = ftrans.grad(lambda x: (x * 2.0, x), has_aux=True)(1.0)
    assert type(aux) is np.float64 and aux == 1.0
    _, _, aux = ftrans.vjp(lambda x: (x * 2.0, x), 1.0, has_aux=True)
    assert type(aux) is np.float64
    (g, aux) = ftrans.grad(lambda x: (fnp.sum(x), {"i": fnp.argmax(x), "s": "k"}),
                           has_aux=True)(np.array([1.0, 3.0, 2.0]))
    assert type(aux["i"]) is np.int64 and aux["i"] == 1 and aux["s"] == "k"


# ----------------------------------------------------------------------------- ftrans.numpy


@pytest.mark.parametrize("name", ["sqrt", "exp", "log1p", "sin", "tanh", "abs", "negative"])
@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint8, np.bool_])
def test_unary_functions_of_integer_arrays_under_a_trace_match_numpy(name, dtype):
    # an integer operand used to crash the "no promotion needed" check on a trace
    x = np.array([1, 2, 3]).astype(dtype)
    if name == "negative" and dtype == np.bool_:
        return  # NumPy itself rejects negative of bool
    f = getattr(fnp, name)
    expected = getattr(np, name)(x)
    out = ftrans.vmap(f)(x)
    assert out.dtype == expected.dtype
    np.testing.assert_allclose(out, expected, rtol=1e-3)
    # and as a constant factor inside a derivative
    g = ftrans.grad(lambda s: fnp.sum(f(fnp.asarray(x)) * s))(1.0)
    assert abs(g - float(np.sum(expected.astype(float)))) < 1e-2


# ----------------------------------------------------------------------------- vmap axes


def test_vmap_in_axes_and_out_axes_as_namedtuples_with_none():
    import collections
    nt = collections.namedtuple("nt", "u v")
    u, v = np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0])
    out = ftrans.vmap(lambda p: p.u * p.v, in_axes=(nt(0, None),))(nt(u, v))
    np.testing.assert_array_equal(out, u * v)
    out = ftrans.vmap(lambda x: nt(x * 2.0, x[0]), out_axes=nt(1, 0))(u)
    np.testing.assert_array_equal(out.u, (u * 2.0).T)
    np.testing.assert_array_equal(out.v, u[:, 0])


# ----------------------------------------------------------------------------- % and //

_A = np.array([-5.0, 5.0, 1.0, -1.0, 0.0, 7.5, 1.0, -0.0, 3.0, -3.0, np.nan])
_B = np.array([3.0, -3.0, 0.1, 0.1, 2.0, 2.5, 0.0, 2.0, np.inf, np.inf, 1.0])


@pytest.mark.parametrize("name", ["fmod", "remainder", "mod", "floor_divide"])
def test_division_functions_of_traced_floats_match_numpy(name):
    with np.errstate(all="ignore"):
        expected = getattr(np, name)(_A, _B)
        out = ftrans.vmap(getattr(fnp, name))(_A, _B)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == expected.dtype


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
def test_division_functions_of_traced_integers_match_numpy(dtype):
    a = np.array([5, 7, 0, 9, 200, 3]).astype(dtype)
    b = np.array([3, 2, 2, 4, 7, 0]).astype(dtype)
    if np.dtype(dtype).kind == "i":
        a, b = a * np.array([1, -1, 1, -1, 1, 1], dtype), b * np.array([1, 1, -1, -1, 1, 1], dtype)
    with np.errstate(all="ignore"):
        for name in ["fmod", "remainder", "floor_divide"]:
            expected = getattr(np, name)(a, b)
            out = ftrans.vmap(getattr(fnp, name))(a, b)
            np.testing.assert_array_equal(out, expected)
            assert out.dtype == expected.dtype


def test_operators_percent_and_floordiv_on_tracers():
    x = np.array([1.3, -2.7, 5.1])
    y = np.array([0.5, 0.7, -2.0])
    # d(x % y)/dx = 1, d(x % y)/dy = -floor(x / y); x // y is piecewise constant
    np.testing.assert_allclose(ftrans.grad(lambda x: fnp.sum(x % 0.5))(x), np.ones(3))
    np.testing.assert_allclose(ftrans.grad(lambda y: fnp.sum(x % y))(y), -np.floor(x / y))
    np.testing.assert_allclose(ftrans.grad(lambda y: fnp.sum(7.0 % y))(y), -np.floor(7.0 / y))
    np.testing.assert_allclose(ftrans.grad(lambda x: fnp.sum((x // 0.5) * x))(x), x // 0.5)
    q, m = ftrans.jacfwd(lambda x: divmod(x, 2.0))(x)
    np.testing.assert_array_equal(q, np.zeros((3, 3)))
    np.testing.assert_array_equal(m, np.eye(3))
    i = np.arange(7)
    np.testing.assert_array_equal(ftrans.vmap(lambda i: i // 2 + i % 3 + 10 // (i + 1))(i),
                                  i // 2 + i % 3 + 10 // (i + 1))
    assert ftrans.grad(lambda x: fnp.sum(x % 1))(x.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(ftrans.grad(lambda x: fnp.sum(np.fmod(x, 2.0)))(x), np.ones(3))
    check = numerical_jvp(lambda x: x % 0.5, (x,), (np.ones(3),))
    np.testing.assert_allclose(ftrans.jvp(lambda x: x % 0.5, (x,), (np.ones(3),))[1], check,
                               rtol=1e-5)


# ----------------------------------------------------------------------------- creation


def test_numpy_creation_functions_constants_and_dtypes_exist():
    # code written as `import ftrans.numpy as np` needs these
    assert fnp.pi == np.pi and fnp.e == np.e and np.isnan(fnp.nan) and fnp.inf == np.inf
    assert fnp.float32 is np.float32 and fnp.newaxis is None and fnp.dtype is np.dtype
    np.testing.assert_array_equal(fnp.zeros((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(fnp.ones(2, np.float32), np.ones(2, np.float32))
    np.testing.assert_array_equal(fnp.eye(3, k=1), np.eye(3, k=1))
    np.testing.assert_array_equal(fnp.arange(1, 7, 2), np.arange(1, 7, 2))
    np.testing.assert_array_equal(fnp.full((2,), 4), np.full((2,), 4))
    assert fnp.result_type(np.float32(1), 1.0) == np.float32


def test_full_with_a_traced_fill_value_is_differentiable():
    g = ftrans.grad(lambda x: fnp.sum(fnp.full(3, x) * fnp.arange(3.0)))(2.0)
    assert g == 3.0
    g = ftrans.grad(lambda x: fnp.sum(fnp.full_like(np.ones((2, 2)), x)))(2.0)
    assert g == 4.0


@pytest.mark.parametrize("kw", [dict(num=5), dict(num=5, endpoint=False), dict(num=1),
                                dict(num=0), dict(num=4, retstep=True)])
def test_linspace_with_traced_endpoints_matches_numpy(kw):
    starts = np.array([0.0, 1.0, -2.5])
    out = ftrans.vmap(lambda a: fnp.linspace(a, 2.0, **kw))(starts)
    expected = [np.linspace(a, 2.0, **kw) for a in starts]
    if kw.get("retstep"):
        np.testing.assert_allclose(out[1], [e[1] for e in expected])
        out, expected = out[0], [e[0] for e in expected]
    np.testing.assert_allclose(out, np.stack(expected), rtol=1e-12, atol=1e-15)
    out = ftrans.vmap(lambda a: fnp.linspace(a, np.array([2.0, 3.0]), 4, axis=1))(starts)
    np.testing.assert_allclose(out, np.stack([np.linspace(a, np.array([2.0, 3.0]), 4, axis=1)
                                              for a in starts]))


def test_linspace_derivatives_match_finite_differences():
    def f(a, b):
        return fnp.sum(fnp.linspace(a, b, 5) ** 2)

    ga, gb = ftrans.grad(f, argnums=(0, 1))(0.3, 1.7)
    ea = numerical_jvp(lambda a: f(a, 1.7), (0.3,), (1.0,))
    eb = numerical_jvp(lambda b: f(0.3, b), (1.7,), (1.0,))
    assert abs(ga - ea) < 1e-6 and abs(gb - eb) < 1e-6
    g = ftrans.grad(lambda x: fnp.sum(x * fnp.linspace(0, 1, 3, dtype=np.float32)))
    assert g(np.ones(3, np.float32)).dtype == np.float32


# ----------------------------------------------------------------------------- Python builtins


def test_float_of_a_differentiated_value_raises_instead_of_dropping_the_derivative():
    import math

    from ftrans.core import ConcretizationError

    # math.sin(x) used to give a zero gradient silently (JAX raises here too)
    with pytest.raises(ConcretizationError, match=r"float\(\) of a traced f64\[\].*fnp.sin"):
        ftrans.grad(lambda x: math.sin(x))(2.0)
    with pytest.raises(ConcretizationError, match="would drop it from the derivative"):
        ftrans.jvp(lambda x: x * float(x), (2.0,), (1.0,))
    # integers carry no derivative: int() and float() of them stay allowed, as in JAX
    assert ftrans.grad(lambda x: x * int(x))(2.5) == 2.0
    g = ftrans.grad(lambda x: x[0] * float(fnp.argmax(x)))(np.array([1.0, 3.0]))
    np.testing.assert_array_equal(g, [1.0, 0.0])


def test_round_and_format_of_tracers():
    x = np.array([1.5, -2.2, 3.0])
    np.testing.assert_array_equal(ftrans.grad(lambda x: round(x[1]) * x[0])(x), [-2, 0, 0])
    np.testing.assert_allclose(ftrans.grad(lambda x: fnp.sum(round(x, 1) * x))(x),
                               np.round(x, 1))
    seen = []
    ftrans.grad(lambda x: seen.append(f"{x:.2f}") or x)(2.0)
    assert seen == ["2.00"]


# ----------------------------------------------------------------------------- linearize


def test_linearize_keeps_float32_and_supports_has_aux():
    _, f_jvp = ftrans.linearize(lambda x: 2.0 * x, np.ones(2, np.float32))
    t = f_jvp(np.ones(2))  # a float64 tangent is cast, as vjp casts cotangents
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t, [2.0, 2.0])
    y, f_jvp, aux = ftrans.linearize(lambda x: (fnp.sin(x), {"c": fnp.cos(x)}), 0.5,
                                     has_aux=True)
    assert abs(y - np.sin(0.5)) < 1e-15 and abs(aux["c"] - np.cos(0.5)) < 1e-15
    assert abs(f_jvp(2.0) - 2.0 * np.cos(0.5)) < 1e-15


# ----------------------------------------------------------------------------- jit closures


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


# ----------------------------------------------------------------------------- pytrees


def test_ordereddict_and_defaultdict_are_pytree_nodes():
    import collections

    od = collections.OrderedDict([("b", 1.0), ("a", 2.0)])
    g = ftrans.grad(lambda d: d["a"] * d["b"] ** 2)(od)
    assert type(g) is collections.OrderedDict and list(g) == ["b", "a"]
    assert g["b"] == 4.0 and g["a"] == 1.0
    dd = collections.defaultdict(float, a=1.0, b=2.0)
    g = ftrans.grad(lambda d: d["a"] * d["b"])(dd)
    assert type(g) is collections.defaultdict and g.default_factory is float
    assert g["a"] == 2.0 and g["b"] == 1.0
    j = ftrans.jacfwd(lambda x: collections.OrderedDict([("z", x), ("a", 2.0 * x)]))(1.0)
    assert list(j) == ["z", "a"] and j["a"] == 2.0
    x = collections.OrderedDict([("b", np.ones((2, 3))), ("a", np.arange(3.0))])
    axes = collections.OrderedDict([("b", 0), ("a", None)])
    out = ftrans.vmap(lambda d: d["b"] * d["a"], in_axes=(axes,))(x)
    np.testing.assert_array_equal(out, np.ones((2, 3)) * np.arange(3.0))


# ----------------------------------------------------------------------------- reductions

_M = np.array([[0.3, -1.2, 0.8, 2.0], [-0.4, 0.9, -2.2, 1.1], [1.5, -0.1, 0.2, -0.6]])
_W = _M > 0


@pytest.mark.parametrize("name, f", [
    ("sum where", lambda m, a: m.sum(a, where=_W)),
    ("sum where axis keepdims", lambda m, a: m.sum(a, axis=0, where=_W[0], keepdims=True)),
    ("sum initial", lambda m, a: m.sum(a, axis=1, initial=2.0)),
    ("sum traced where", lambda m, a: m.sum(a, where=a > 0)),
    ("mean where", lambda m, a: m.mean(a, where=_W)),
    ("mean where axis", lambda m, a: m.mean(a, axis=1, where=_W)),
    ("max initial", lambda m, a: m.max(a, axis=0, initial=0.5)),
    ("min where initial", lambda m, a: m.min(a, axis=1, where=_W, initial=9.0)),
    ("max empty initial", lambda m, a: m.max(a[:, :0], axis=1, initial=1.0)),
])
def test_reductions_with_where_and_initial_match_numpy(name, f):
    expected = f(np, _M)
    out = ftrans.jit(lambda a: f(fnp, a))(_M)
    assert np.shape(out) == np.shape(expected)
    assert np.asarray(out).dtype == np.asarray(expected).dtype
    np.testing.assert_allclose(out, expected, rtol=1e-14)


def test_reductions_with_where_and_initial_differentiate():
    from ftrans.testing import check_grads
    check_grads(lambda a: fnp.mean(a, axis=1, where=_W), (_M,), order=2)
    check_grads(lambda a: fnp.max(a, axis=0, initial=-0.2), (_M,), order=1)
    check_grads(lambda a: fnp.sum(a ** 2, where=_W), (_M,), order=2)
    with pytest.raises(ValueError, match="to use a where mask one has to specify 'initial'"):
        ftrans.jit(lambda a: fnp.max(a, where=_W))(_M)


# ----------------------------------------------------------------------------- array([...])


def test_array_of_a_list_holding_tracers_stacks_like_numpy():
    g = ftrans.grad(lambda a, b: fnp.sum(fnp.array([a, b * 2.0])), argnums=(0, 1))(1.0, 3.0)
    assert g == (1.0, 2.0)
    j = ftrans.jacfwd(lambda x: fnp.array([[x[0] ** 2, 1.0], [x[1], x[0] * x[1]]]))(
        np.array([2.0, 3.0]))
    np.testing.assert_array_equal(j, [[[4.0, 0.0], [0.0, 0.0]], [[0.0, 1.0], [3.0, 2.0]]])
    # dtypes as np.array gives them: Python scalars count as float64 / int64
    assert ftrans.vmap(lambda x: fnp.array([x, 1.0]))(np.ones(2, np.float32)).dtype == \
        np.array([np.float32(1), 1.0]).dtype
    assert ftrans.vmap(lambda x: fnp.asarray([x, 1], dtype=np.float32))(np.ones(2)).dtype == \
        np.float32
    with pytest.raises(ValueError, match="inhomogeneous shape"):
        ftrans.vmap(lambda x: fnp.array([x, 1.0]))(np.ones((2, 3)))


# ----------------------------------------------------------------------------- isclose


@pytest.mark.parametrize("kw", [{}, dict(equal_nan=True), dict(rtol=0.1), dict(atol=0.2)])
def test_isclose_and_allclose_of_tracers_match_numpy(kw):
    a = np.array([1.0, np.inf, -np.inf, np.nan, 1e-9, 100.0, 2.0])
    b = np.array([1.0 + 1e-9, np.inf, np.inf, np.nan, 0.0, 100.001, 2.1])
    out = ftrans.vmap(lambda x, y: fnp.isclose(x, y, **kw))(a, b)
    np.testing.assert_array_equal(out, np.isclose(a, b, **kw))
    assert out.dtype == np.bool_
    assert bool(ftrans.jit(lambda x, y: fnp.allclose(x, y, **kw))(a, b)) == \
        np.allclose(a, b, **kw)
    i = np.array([1, 2, 3])
    np.testing.assert_array_equal(ftrans.vmap(lambda x: fnp.isclose(x, 2))(i),
                                  np.isclose(i, 2))


def test_jacobian_columns_and_rows_reject_boolean_masks():
    # [True] used to be taken as index 1
    with pytest.raises(TypeError, match=r"cols must be integers, got booleans.*flatnonzero"):
        ftrans.jacobian_columns(lambda x: 2.0 * x, [True])(np.ones(3))
    with pytest.raises(TypeError, match=r"rows must be integers, got booleans"):
        ftrans.jacobian_rows(lambda x: 2.0 * x, np.array([True, False, True]))(np.ones(3))
    cols = ftrans.jacobian_columns(lambda x: 2.0 * x, np.flatnonzero([True, False, True]))
    np.testing.assert_array_equal(cols(np.ones(3)), 2.0 * np.eye(3)[:, [0, 2]])


# ----------------------------------------------------------------------------- cross, trapezoid

_RNG = np.random.default_rng(7)
_A3, _B3 = _RNG.normal(size=(4, 3)), _RNG.normal(size=(4, 3))
_Y = _RNG.normal(size=(3, 5))
_X1, _X2 = np.sort(_RNG.normal(size=5)), np.sort(_RNG.normal(size=(3, 5)), axis=1)


@pytest.mark.parametrize("f", [lambda m, a, b: m.cross(a, b),
                               lambda m, a, b: m.cross(a.T, b.T, axis=0),
                               lambda m, a, b: m.cross(a, b[:, :2])])
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_cross_of_tracers_matches_numpy(f):
    out = ftrans.jit(lambda a, b: f(fnp, a, b))(_A3, _B3)
    np.testing.assert_allclose(out, f(np, _A3, _B3), rtol=1e-13)


@pytest.mark.parametrize("f", [lambda m, y: m.trapezoid(y), lambda m, y: m.trapezoid(y, dx=0.3),
                               lambda m, y: m.trapezoid(y, x=_X1),
                               lambda m, y: m.trapezoid(y, axis=0),
                               lambda m, y: m.trapezoid(y, x=_X2),
                               lambda m, y: m.trapezoid(y.T, x=_X2.T, axis=0)])
def test_trapezoid_of_tracers_matches_numpy(f):
    out = ftrans.jit(lambda y: f(fnp, y))(_Y)
    expected = f(np, _Y)
    assert np.shape(out) == np.shape(expected)
    np.testing.assert_allclose(out, expected, rtol=1e-13)


def test_cross_and_trapezoid_derivatives_match_finite_differences():
    from ftrans.testing import check_grads
    check_grads(lambda a, b: fnp.cross(a, b), (_A3, _B3), order=2)
    check_grads(lambda y, x: fnp.trapezoid(y ** 2, x=x), (_Y, _X1), order=2)
