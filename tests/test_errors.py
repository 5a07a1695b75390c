"""Bad input raises errors that name the argument, the expected and the given."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp


def test_grad_of_non_scalar_output():
    with pytest.raises(TypeError, match=r"scalar-output.*shape: \(3,\)"):
        ftrans.grad(lambda x: x * 2)(np.ones(3))


def test_grad_of_integer_output():
    with pytest.raises(TypeError, match="real-valued outputs.*int64"):
        ftrans.grad(lambda x: fnp.astype(x, np.int64))(1.5)


@pytest.mark.parametrize("api", [ftrans.grad, ftrans.jacfwd, ftrans.jacrev])
def test_integer_and_bool_inputs(api):
    with pytest.raises(TypeError, match=r"argument 0 \('x'\) has dtype int64"):
        api(lambda x: x * 1.0)(np.array(3))
    with pytest.raises(TypeError, match="has dtype bool"):
        api(lambda x: x * 1.0)(True)


def test_jvp_tangent_shape_and_dtype():
    with pytest.raises(ValueError, match=r"tangent 0.*shape \(2,\).*shape \(3,\)"):
        ftrans.jvp(fnp.sin, (np.ones(3),), (np.ones(2),))
    with pytest.raises(ValueError, match="tangent 0.*dtype float32.*float64"):
        ftrans.jvp(fnp.sin, (np.ones(3),), (np.ones(3, np.float32),))
    with pytest.raises(ValueError, match="structure"):
        ftrans.jvp(fnp.sin, (np.ones(3),), (np.ones(3), np.ones(3)))


def test_argnums_out_of_range():
    with pytest.raises(ValueError, match="argnums 2 is out of range.*2 positional"):
        ftrans.grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)


def test_vjp_cotangent_of_wrong_shape():
    _, f_vjp = ftrans.vjp(lambda x: x * 2, np.ones(3))
    with pytest.raises(ValueError, match=r"cotangent 0 has shape \(2,\).*shape \(3,\)"):
        f_vjp(np.ones(2))
    with pytest.raises(ValueError, match="structure"):
        f_vjp((np.ones(3), np.ones(3)))


def test_string_leaf():
    with pytest.raises(TypeError, match="expected an array or a Python number, got str"):
        ftrans.grad(lambda x: x)("hello")
    with pytest.raises(TypeError, match="outputs must be arrays or numbers"):
        ftrans.grad(lambda x: "no")(1.0)


def test_tracer_conversion_to_numpy_is_refused():
    with pytest.raises(ftrans.TracerArrayConversionError, match="np.asarray"):
        ftrans.grad(lambda x: np.asarray(x).sum())(np.ones(2))


def test_unsupported_numpy_function_is_named():
    with pytest.raises(NotImplementedError, match=r"numpy\.linalg\.tensorinv"):
        ftrans.grad(lambda x: np.linalg.tensorinv(x.reshape(2, 2)).sum())(np.ones(4))


def test_leaked_tracer():
    box = []
    ftrans.grad(lambda x: box.append(x) or x * 1.0)(1.0)
    with pytest.raises(ftrans.UnexpectedTracerError, match="escaped"):
        fnp.sin(box[0]) + 1


def test_shape_mismatch_wording():
    with pytest.raises(ValueError, match="could not be broadcast together"):
        ftrans.grad(lambda x: fnp.sum(x + np.ones(4)))(np.ones(3))
    with pytest.raises(ValueError, match="not aligned"):
        ftrans.grad(lambda x: fnp.sum(fnp.dot(x, np.ones((2, 2)))))(np.ones(3))
    with pytest.raises(np.exceptions.AxisError, match="out of bounds"):
        ftrans.grad(lambda x: fnp.sum(x, axis=2))(np.ones(3))


def test_chunk_size_must_be_positive_int():
    with pytest.raises(ValueError, match="chunk_size must be a positive integer.*2.5"):
        ftrans.jacfwd(fnp.sin, chunk_size=2.5)
    with pytest.raises(ValueError, match="chunk_size must be a positive integer.*0"):
        ftrans.jacrev(fnp.sin, chunk_size=0)


# ----------------------------------------------------------------------------- naming the user


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


def test_integer_primal_error_of_jvp_does_not_mention_argnums():
    with pytest.raises(TypeError, match=r"primal 0 has dtype int64") as e:
        ftrans.jvp(lambda x: x, (1,), (1,))
    assert "argnums" not in str(e.value)


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
