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
