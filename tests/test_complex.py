"""Complex numbers end to end (issue 13 §1, §4): the issue's examples, JAX's conventions for
complex derivatives checked against hand-derived values, ``holomorphic=True`` and its errors,
NumPy's dtypes, the complex functions of ``ftrans.numpy``, ``check_grads`` along complex
directions, ``jit`` (NumPy code; complex equations stay out of fused C loops), and the
explain tables. Every primitive on complex values is also in ``samples_complex.py``. JAX,
where installed, is an extra oracle (``test_matches_jax``)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ftrans
import ftrans.lax as lax
import ftrans.numpy as fnp
from ftrans.core import ConcretizationError, Primitive
from ftrans.prims.families import elementwise_batch, elementwise_jvp
from ftrans.testing import numerical_jvp, pair


@pytest.fixture(autouse=True)
def _complex_warnings_are_errors():
    """A ComplexWarning (an imaginary part silently dropped) fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        yield


# ----------------------------------------------------------------------------- the issue

def test_abs_of_a_complex_intermediate_of_a_real_input():
    # |0.7 i x| = 0.7 |x|: value 0.7, derivative 1 at x = 0.7
    value, g = ftrans.value_and_grad(lambda x: fnp.abs(x * 1j))(0.7)
    assert value == pytest.approx(0.7) and g == pytest.approx(1.0)
    assert isinstance(g, np.floating)  # a real input gets a real gradient


def test_jit_of_abs_of_a_complex_intermediate():
    out = ftrans.jit(lambda x: fnp.abs(x * (1 + 1j)))(0.7)
    assert out == pytest.approx(0.7 * math.sqrt(2), rel=1e-15)  # 0.98995
    assert ftrans.jit(lambda x: fnp.abs(x * (1 + 1j)))(np.array([0.7, -2.0])) \
        == pytest.approx([0.7 * math.sqrt(2), 2.0 * math.sqrt(2)], rel=1e-15)


def test_grad_of_squared_modulus_is_jax_convention():
    # f(x + iy) = x^2 + y^2: JAX's grad is df/dx - i df/dy = 2x - 2iy = 6 - 8j at 3 + 4j
    g = ftrans.grad(lambda z: fnp.abs(z) ** 2)(3 + 4j)
    assert g == pytest.approx(6 - 8j)
    assert np.iscomplexobj(g)


def test_integer_exponent_array_at_zero():
    """issue 13 §4: d/dx x**n at x = 0 is 0 for n = 0 and 1 for n = 1 (not NaN)."""
    n = np.array([0, 1, 2, 3])
    with np.errstate(all="raise"):  # no 0 * inf on the way either
        g = ftrans.grad(lambda x: fnp.sum(x ** n))(np.zeros(4))
    np.testing.assert_array_equal(g, [0.0, 1.0, 0.0, 0.0])
    np.testing.assert_array_equal(ftrans.jacrev(lambda x: x ** n)(np.zeros(4)),
                                  np.diag([0.0, 1.0, 0.0, 0.0]))
    np.testing.assert_array_equal(ftrans.jacfwd(lambda x: x ** n)(np.zeros(4)),
                                  np.diag([0.0, 1.0, 0.0, 0.0]))
    # second derivatives n (n - 1) x^(n-2): 0, 0, 2, 0 at x = 0
    h = ftrans.hessian(lambda x: fnp.sum(x ** n))(np.zeros(4))
    np.testing.assert_array_equal(h, np.diag([0.0, 0.0, 2.0, 0.0]))
    # a float exponent array too, and away from 0 the usual n x^(n-1)
    x = np.array([0.5, 1.5, 2.0, -1.0])
    np.testing.assert_allclose(ftrans.grad(lambda x: fnp.sum(x ** n.astype(float)))(x),
                               n * x ** (n - 1.0))


# ----------------------------------------------------------------------------- conventions

Z = 0.3 - 0.8j


@pytest.mark.parametrize("f, value, jvp_along_1, jvp_along_i", [
    # holomorphic f: jvp is f'(z) t
    (lambda z: z * z, Z * Z, 2 * Z, 2j * Z),
    (fnp.exp, np.exp(Z), np.exp(Z), 1j * np.exp(Z)),
    # real parts: Re t, Im t; conj: conj t; |z|: Re(conj(z) t) / |z|
    (fnp.real, Z.real, 1.0, 0.0),
    (fnp.imag, Z.imag, 0.0, 1.0),
    (fnp.conj, np.conj(Z), 1.0, -1j),
    (fnp.abs, abs(Z), Z.real / abs(Z), Z.imag / abs(Z)),
    (fnp.angle, np.angle(Z), -Z.imag / abs(Z) ** 2, Z.real / abs(Z) ** 2),
])
def test_jvp_is_the_real_linear_map(f, value, jvp_along_1, jvp_along_i):
    for t, want in ((1.0 + 0j, jvp_along_1), (1j, jvp_along_i)):
        y, ty = ftrans.jvp(f, (Z,), (t,))
        assert y == pytest.approx(value) and ty == pytest.approx(want)


def test_vjp_transposes_without_conjugating_constants():
    # z = x * y with y constant: ct_x = ct * y (JAX), not ct * conj(y)
    y = 2 + 1j
    (ct,) = ftrans.vjp(lambda x: x * y, 3 + 4j)[1](1.0 + 0j)
    assert ct == pytest.approx(2 + 1j)
    (ct,) = ftrans.vjp(lambda x: x * y, 3 + 4j)[1](1j)
    assert ct == pytest.approx(1j * (2 + 1j))
    # parts: real's transpose puts ct in the real part, imag's -ct in the imaginary part
    assert ftrans.vjp(fnp.real, Z)[1](2.0)[0] == 2 + 0j
    assert ftrans.vjp(fnp.imag, Z)[1](2.0)[0] == -2j
    assert ftrans.vjp(fnp.conj, Z)[1](1 + 2j)[0] == 1 - 2j
    assert ftrans.vjp(lax.complex, 1.0, 2.0)[1](3 + 4j) == (3.0, -4.0)


def test_grad_of_real_function_is_df_dx_minus_i_df_dy():
    def f(z):  # x^2 y + sin(y) at z = x + iy
        return fnp.real(z) ** 2 * fnp.imag(z) + fnp.sin(fnp.imag(z))
    x, y = 0.7, -1.3
    g = ftrans.grad(f)(x + 1j * y)
    assert g == pytest.approx(2 * x * y - 1j * (x * x + math.cos(y)))
    # jacrev rows are such gradients; vjp with a real cotangent of 1 gives the same
    np.testing.assert_allclose(ftrans.jacrev(lambda z: fnp.abs(z) ** 2)(np.array([3 + 4j, 1j])),
                               np.diag([6 - 8j, -2j]))
    assert ftrans.vjp(f, x + 1j * y)[1](1.0)[0] == pytest.approx(g)


def test_dot_product_identity_uses_the_real_pairing():
    """<u, J v> = <J^T u, v> with <a, b> = Re sum(a b), for a non-holomorphic function."""
    rng = np.random.default_rng(0)
    z = rng.standard_normal(3) + 1j * rng.standard_normal(3)

    def f(z):
        return fnp.exp(z) * fnp.conj(z) + fnp.abs(z)
    v = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    u = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    _, jv = ftrans.jvp(f, (z,), (v,))
    (ju,) = ftrans.vjp(f, z)[1](u)
    assert pair(u, jv) == pytest.approx(pair(ju, v), rel=1e-12)
    assert pair(u, numerical_jvp(f, (z,), (v,))) == pytest.approx(pair(ju, v), rel=1e-7)


def test_real_input_complex_output_and_back():
    # x -> exp(i x): jacfwd is i exp(i x); a real output of it has real derivatives
    x = np.array([0.2, 1.1])
    np.testing.assert_allclose(ftrans.jacfwd(lambda x: fnp.exp(1j * x))(x),
                               np.diag(1j * np.exp(1j * x)))
    g = ftrans.grad(lambda x: fnp.sum(fnp.real(fnp.exp(1j * x)) ** 2))(x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, -2 * np.cos(x) * np.sin(x))
    (ct,) = ftrans.vjp(lambda x: x * (2 + 1j), 1.5)[1](1 + 1j)  # Re((1+i)(2+i)) = 1
    assert ct == pytest.approx(1.0) and np.isrealobj(ct)


# ----------------------------------------------------------------------------- holomorphic

def test_holomorphic_derivatives():
    z = np.array([1 + 2j, -0.5j])
    assert ftrans.grad(lambda z: z ** 3, holomorphic=True)(1 + 1j) == pytest.approx(6j)
    value, g = ftrans.value_and_grad(fnp.sin, holomorphic=True)(1 + 1j)
    assert value == pytest.approx(np.sin(1 + 1j)) and g == pytest.approx(np.cos(1 + 1j))
    for jac in (ftrans.jacfwd, ftrans.jacrev, ftrans.jacobian):
        np.testing.assert_allclose(jac(lambda z: z * z, holomorphic=True)(z), np.diag(2 * z))
    assert ftrans.hessian(lambda z: z ** 3, holomorphic=True)(1 + 1j) == pytest.approx(6 + 6j)


@pytest.mark.parametrize("api", [ftrans.grad, ftrans.value_and_grad, ftrans.jacrev])
def test_complex_output_without_holomorphic_is_a_type_error(api):
    with pytest.raises(TypeError, match=r"requires real-valued outputs .* but <lambda> has "
                                        r"dtype complex128\. For holomorphic differentiation, "
                                        r"pass holomorphic=True"):
        api(lambda z: z * z)(1 + 1j)


def test_dtype_rules_of_the_jacobians():
    with pytest.raises(TypeError, match=r"jacfwd requires real-valued inputs .* argument 0 "
                                        r"\('z'\) has dtype complex128.*holomorphic=True"):
        ftrans.jacfwd(lambda z: fnp.abs(z))(np.ones(2, complex))
    with pytest.raises(TypeError, match="jacobian_columns requires real-valued inputs"):
        ftrans.jacobian_columns(lambda z: fnp.abs(z), [0])(np.ones(2, complex))
    with pytest.raises(TypeError, match="jacobian_rows requires real-valued outputs"):
        ftrans.jacobian_rows(lambda x: x * 1j, [0])(np.ones(2))
    with pytest.raises(TypeError, match="complex inputs and complex outputs"):
        ftrans.jacobian(fnp.conj)(np.ones(2, complex))
    # jacobian picks the mode the dtypes allow, whatever the sizes
    np.testing.assert_allclose(ftrans.jacobian(lambda x: fnp.sum(x) * 1j)(np.ones(3)),
                               1j * np.ones(3))
    np.testing.assert_allclose(ftrans.jacobian(lambda z: fnp.abs(z) * np.ones(3))(3 + 4j),
                               np.full(3, 0.6 - 0.8j))
    # a real output of a real input, but asked holomorphically
    with pytest.raises(TypeError, match=r"grad with holomorphic=True requires inputs with "
                                        r"complex dtype, but argument 0 \('x'\) has dtype "
                                        r"float64"):
        ftrans.grad(lambda x: x * x, holomorphic=True)(1.0)
    with pytest.raises(TypeError, match=r"jacrev with holomorphic=True requires outputs with "
                                        r"complex dtype, but <lambda> has dtype float64"):
        ftrans.jacrev(lambda z: fnp.abs(z), holomorphic=True)(np.ones(2, complex))


def test_sparse_jacobians_refuse_complex_values():
    with pytest.raises(TypeError, match="sparse_jacobian: x has dtype complex128; sparse "
                                        "Jacobians of complex values are not supported"):
        ftrans.sparse_jacobian(lambda z: z * z)(np.ones(3, complex))
    with pytest.raises(TypeError, match="sparse_jacobian: the output has dtype complex128"):
        ftrans.sparse_jacobian(lambda x: x * 1j)(np.ones(3))
    with pytest.raises(TypeError, match="sparse_hessian: x has dtype complex64"):
        ftrans.sparse_hessian(lambda z: fnp.sum(fnp.abs(z)))(np.ones(3, np.complex64))


def test_tangent_and_cotangent_dtypes():
    with pytest.raises(ValueError, match=r"jvp: tangent 0: tangent has dtype complex128 but "
                                         r"its primal has dtype float64; they must match \(a "
                                         r"real primal has real tangents\)"):
        ftrans.jvp(fnp.sin, (1.0,), (1j,))
    with pytest.raises(ValueError, match=r"vjp: cotangent 0 has dtype complex128, but the "
                                         r"output is real \(float64\)"):
        ftrans.vjp(fnp.sin, 1.0)[1](1j)
    with pytest.raises(ValueError, match=r"linearize: tangent 0 has dtype complex128, but the "
                                         r"primal is real"):
        ftrans.linearize(fnp.sin, 1.0)[1](1j)
    # a real cotangent of a complex output is a complex one with no imaginary part
    assert ftrans.vjp(lambda z: z * 2, 1j)[1](1.0)[0] == 2.0


# ----------------------------------------------------------------------------- NumPy's face

def test_dtypes_follow_numpy_2():
    def traced(f, *args):
        return ftrans.make_jaxpr(f)(*args).out_avals[0].dtype
    c64, f64, f32 = np.ones(2, np.complex64), np.ones(2), np.ones(2, np.float32)
    cases = [(lambda a, b: a * b, (c64, f64)), (lambda a: a * 1j, (f32,)),
             (lambda a: a * 2.0, (c64,)), (lambda a: a + (1 + 2j), (c64,)),
             (fnp.abs, (c64,)), (fnp.real, (c64,)), (fnp.angle, (c64,)),
             (fnp.var, (c64,)), (fnp.std, (np.ones(2, complex),)), (fnp.sqrt, (c64,)),
             (lambda a: a ** 2, (c64,)), (fnp.conj, (f32,)), (fnp.imag, (f32,)),
             (lambda a: fnp.sum(a), (c64,)), (lambda a, b: a @ b, (c64, f32))]
    for f, args in cases:
        assert traced(f, *args) == np.asarray(f(*args)).dtype, (f, args)


def test_complex_functions_match_numpy():
    z = np.array([1 + 2j, -3.0 + 0j, 0.5 - 1e-20j, 0j])
    x = np.array([1.0, -2.0])
    for f in (fnp.real, fnp.imag, fnp.conj, fnp.conjugate, fnp.angle, fnp.iscomplex,
              fnp.isreal, lambda a: fnp.angle(a, deg=True), fnp.abs, fnp.sign, fnp.sqrt,
              fnp.sort, fnp.argmax, fnp.argmin, fnp.max, fnp.min, lambda a: a.conj(),
              lambda a: a.real + a.imag, lambda a: fnp.round(a * 3.3, 1), fnp.nan_to_num,
              fnp.var, fnp.iscomplexobj, fnp.isrealobj, lambda a: fnp.vdot(a, a),
              lambda a: fnp.maximum(a, a[::-1]), lambda a: a < a[::-1], fnp.sort_complex):
        for a in (z, x):
            with np.errstate(all="ignore"):  # the jvp's tangents at 0 are NaN (sqrt, angle)
                return_vals = [f(a), ftrans.jit(f)(a), ftrans.jvp(f, (a,), (a,))[0]]
            want = return_vals[0]
            for got in return_vals[1:]:
                assert np.asarray(got).dtype == np.asarray(want).dtype, f
                np.testing.assert_allclose(got, want, rtol=1e-15)


def test_numpy_functions_dispatch_on_tracers():
    f = ftrans.jit(lambda z: np.real(z) + np.imag(z) + np.angle(z) + np.abs(np.conj(z)))
    z = np.array([1 + 2j, -1j])
    np.testing.assert_allclose(f(z), z.real + z.imag + np.angle(z) + np.abs(z))
    assert ftrans.jit(lambda z: np.iscomplexobj(z) * 1.0)(z) == 1.0


def test_real_if_close_needs_values():
    assert ftrans.grad(lambda x: fnp.real_if_close(x + 0j) * 2.0)(1.0) == 2.0
    z = np.array([1 + 1e-17j, 2.0])
    out = ftrans.jvp(fnp.real_if_close, (z,), (z,))[0]
    assert out.dtype == np.float64 and np.array_equal(out, np.real_if_close(z))
    assert ftrans.jvp(fnp.real_if_close, (z + 1j,), (z,))[0].dtype == np.complex128
    with pytest.raises(ConcretizationError, match="bool"):
        ftrans.jit(fnp.real_if_close)(z)


def test_complex_of_a_traced_value_is_refused():
    with pytest.raises(ConcretizationError, match=r"complex\(\) of a traced c128\[\] .* would "
                                                  "drop it from the derivative"):
        ftrans.grad(lambda z: fnp.abs(complex(z)))(1 + 1j)
    with pytest.raises(ConcretizationError, match=r"complex\(\) needs a concrete value"):
        ftrans.jit(lambda z: complex(z))(1 + 1j)


def test_complex_construction_and_infinities():
    assert lax.complex(np.float64(0.0), np.float64(np.inf)) == complex(0, np.inf)
    assert ftrans.jit(lax.complex)(0.0, np.inf) == complex(0, np.inf)  # not nan+infj
    out = ftrans.jit(lambda x, y: lax.complex(x, y))(np.ones(2, np.float32), np.zeros(2,
                                                                               np.float32))
    assert out.dtype == np.complex64
    with pytest.raises(TypeError, match="complex takes real floating-point parts"):
        ftrans.make_jaxpr(lax.complex)(1j, 1j)


def test_unsupported_complex_inputs_raise_numpys_errors():
    for f in (fnp.floor, fnp.cbrt, fnp.fabs, lambda z: fnp.arctan2(z, z), lambda z: fnp.hypot(z, z),
              lambda z: fnp.fmod(z, z)):
        with pytest.raises(TypeError, match="not supported for the input types"):
            f(np.ones(2, complex))  # NumPy's error ...
        with pytest.raises(TypeError, match="not supported for the input types"):
            ftrans.jit(f)(np.ones(2, complex))  # ... is ftrans's


# ----------------------------------------------------------------------------- check_grads

def test_check_grads_on_complex_inputs():
    z = np.array([0.5 + 1j, -1.2 + 0.3j])
    ftrans.check_grads(lambda z: fnp.sin(z) * fnp.conj(z), (z,), order=2)
    ftrans.check_grads(lambda z, x: fnp.abs(z * x) ** 2, (z, np.array([0.3, 2.0])), order=2)
    ftrans.check_grads(fnp.sin, (z.astype(np.complex64),), order=1)  # float32 tolerances


def test_check_grads_catches_a_rule_that_is_only_right_on_the_real_axis():
    # |z|' = t sign(z) is right for real z, wrong for complex: the old bug of issue 13
    p = Primitive("abs_real_rule")
    p.impl = lambda xp, x: xp.abs(x)
    p.abstract_eval = lambda x: ftrans.ShapedArray(x.shape, np.float64)
    p.jvp = elementwise_jvp([lambda t, x, out: fnp.real(t * fnp.sign(x))])
    p.batch = elementwise_batch(p)
    ftrans.check_grads(lambda x: p.bind(x), (np.array([0.5, -2.0]),), order=1)
    with pytest.raises(AssertionError, match="forward mode"):
        ftrans.check_grads(lambda z: p.bind(z), (np.array([0.5 + 1j]),), order=1)


def test_pair_is_the_real_bilinear_pairing():
    assert pair(1 + 2j, 3 - 1j) == 5.0  # Re((1 + 2i)(3 - i)) = 3 + 2
    assert pair({"a": np.array([1.0, 2.0])}, {"a": np.array([3.0, 4.0])}) == 11.0


# ----------------------------------------------------------------------------- jit, explain

def test_jit_runs_complex_programs_on_numpy_and_keeps_them_out_of_c_loops():
    from ftrans.backends import compile_jaxpr
    from ftrans.backends.cfuse import fusable

    def f(x, z):
        y = fnp.tanh(x) * fnp.sin(x) + 1.0  # real: fusable
        w = fnp.exp(z * y) * fnp.conj(z) + z * z  # complex: NumPy's own functions
        return fnp.sum(fnp.abs(w) ** 2 + y)
    x = np.linspace(-1, 1, 600)
    z = x * (0.3 + 1j)
    cj = ftrans.make_jaxpr(ftrans.value_and_grad(f, argnums=(0, 1)))(x, z)
    assert not any(fusable(e) for e in cj.jaxpr.eqns
                   if any(v.aval.dtype.kind == "c" for v in (*e.inputs, *e.outputs)))
    assert any(fusable(e) for e in cj.jaxpr.eqns)
    want = ftrans.value_and_grad(f, argnums=(0, 1))(x, z)
    for backend in ("numpy", "numpy+c"):
        got = compile_jaxpr(cj.jaxpr, backend)(cj.consts, [x, z])
        np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
        for g, w in zip(got[1:], want[1]):
            assert g.dtype == w.dtype
            np.testing.assert_allclose(g, w, rtol=1e-12)


def test_explain_shows_complex_values():
    from ftrans.explain import explain, reverse_table, to_dot
    f = lambda z: fnp.abs(z * (1 + 2j)) ** 2  # noqa: E731  5 |z|^2: gradient 10 conj(z)
    t = reverse_table(f, (3 + 4j,))
    assert t.lookup("x1").derivative == pytest.approx(30 - 40j)
    text = str(t)
    assert "3.000+4.000j" in text and "30.000-40.000j" in text
    e = explain(f, file=None)(3 + 4j)
    assert e.gradient[0] == pytest.approx(30 - 40j)
    assert "1.000+2.000j" in to_dot(ftrans.make_jaxpr(f)(3 + 4j))


# ----------------------------------------------------------------------------- JAX oracle

def test_matches_jax():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", True)
    z = np.array([0.4 + 0.9j, -1.3 - 0.2j, 0.7 - 0.5j])
    funcs = [
        (lambda m: lambda z: m.sum(m.abs(z) ** 2 * m.sin(z).real)),
        (lambda m: lambda z: m.sum(m.angle(z) + m.imag(z * z))),
        (lambda m: lambda z: m.real(m.sum(m.exp(z) * m.conj(z) / (z + 2.0)))),
        (lambda m: lambda z: m.abs(m.prod(m.sqrt(z))) + m.var(z)),
        (lambda m: lambda z: m.real(m.vdot(z, m.arcsinh(z))) + m.std(z)),
    ]
    for make in funcs:
        ours, theirs = make(fnp)(z), make(jnp)
        np.testing.assert_allclose(ftrans.grad(make(fnp))(z), jax.grad(theirs)(z), rtol=1e-12)
        np.testing.assert_allclose(ftrans.grad(make(fnp))(z.real), jax.grad(theirs)(z.real),
                                   rtol=1e-12)
        assert np.isfinite(ours)
    np.testing.assert_allclose(ftrans.jacfwd(lambda z: z ** 3 * fnp.sin(z), holomorphic=True)(z),
                               jax.jacfwd(lambda z: z ** 3 * jnp.sin(z), holomorphic=True)(z),
                               rtol=1e-12)
    ct = np.array([1.0 - 2j, 0.5j, 3.0])
    np.testing.assert_allclose(ftrans.vjp(lambda z: fnp.conj(z) * fnp.tanh(z), z)[1](ct)[0],
                               jax.vjp(lambda z: jnp.conj(z) * jnp.tanh(z), z)[1](ct)[0],
                               rtol=1e-12)


def test_the_cases_of_autograds_test_complex():
    """HIPS autograd's tests/test_complex.py, run on ftrans: result types of grad, and
    angle and abs (and their gradients, a complex-valued function) to second order."""
    df = ftrans.grad(lambda x: fnp.sum(fnp.real(x)))
    assert np.isrealobj(df(2.0)) and np.iscomplexobj(df(1.0j))
    rng = np.random.default_rng(1)
    for fun, point in ((fnp.angle, rng.random()), (fnp.angle, rng.random() + 1j * rng.random()),
                       (fnp.abs, 1.1), (fnp.abs, 1.1 + 1.2j)):
        ftrans.check_grads(fun, (point,), order=2)
        ftrans.check_grads(ftrans.grad(fun), (point,), order=2)
