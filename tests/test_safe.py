"""ftrans.numpy.safe: finite gradients exactly where the plain functions give NaN or inf,
the same values and derivatives everywhere else."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.numpy import safe

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the plain versions' NaNs

X = np.array([0.0, 0.5, 2.0])


def grad_sum(f, x):
    return ftrans.grad(lambda x: fnp.sum(f(x)))(x)


def test_where_with_a_nan_branch():
    plain = grad_sum(lambda x: fnp.where(x > 0, fnp.log(x), 0.0), X)
    assert np.isnan(plain[0])
    fixed = grad_sum(lambda x: safe.where(x > 0, fnp.log, 0.0, x), X)
    np.testing.assert_allclose(fixed, [0.0, 2.0, 0.5])
    values = safe.where(X > 0, fnp.log, lambda x: x - 1.0, X)
    np.testing.assert_allclose(values, [-1.0, np.log(0.5), np.log(2.0)])
    # both branches functions, each differentiated only where it is taken
    g = grad_sum(lambda x: safe.where(x > 0, fnp.sqrt, lambda x: x * 3.0, x), X)
    np.testing.assert_allclose(g, [3.0, 0.5 / np.sqrt(0.5), 0.5 / np.sqrt(2.0)])


def test_sqrt_at_zero():
    assert np.isinf(ftrans.grad(fnp.sqrt)(0.0))
    assert ftrans.grad(safe.sqrt)(0.0) == 0.0
    np.testing.assert_allclose(safe.sqrt(X), np.sqrt(X))
    np.testing.assert_allclose(grad_sum(safe.sqrt, X[1:]), 0.5 / np.sqrt(X[1:]))
    assert np.isnan(safe.sqrt(-1.0))  # still the square root: no silent fix of bad input


def test_norm_at_zero():
    plain = ftrans.grad(lambda x: fnp.sqrt(fnp.sum(x * x)))(np.zeros(3))
    assert np.isnan(plain).all()
    np.testing.assert_array_equal(ftrans.grad(safe.norm)(np.zeros(3)), np.zeros(3))
    v = np.array([3.0, 4.0])
    assert safe.norm(v) == pytest.approx(5.0)
    np.testing.assert_allclose(ftrans.grad(safe.norm)(v), v / 5.0)
    m = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(safe.norm(m, axis=1), [5.0, 0.0])
    g = ftrans.grad(lambda m: fnp.sum(safe.norm(m, axis=1)))(m)
    np.testing.assert_allclose(g, [[0.6, 0.8], [0.0, 0.0]])
    ftrans.check_grads(safe.norm, (v,), order=2)


def test_log_in_a_masked_branch():
    mask = np.array([False, True, True])
    plain = grad_sum(lambda x: fnp.where(mask, fnp.log(x), 0.0), X)
    assert np.isnan(plain[0])
    np.testing.assert_allclose(grad_sum(lambda x: safe.log(x, where=mask), X), [0, 2, 0.5])
    np.testing.assert_allclose(safe.log(X), [0.0, np.log(0.5), np.log(2.0)])
    np.testing.assert_allclose(grad_sum(safe.log, X), [0.0, 2.0, 0.5])
    assert safe.log(0.0, fill=-1.0) == -1.0


def test_divide_by_zero():
    assert np.isnan(ftrans.grad(lambda y: fnp.where(y != 0, 1.0 / y, 0.0))(0.0))
    assert ftrans.grad(lambda y: safe.divide(1.0, y))(0.0) == 0.0
    assert ftrans.grad(lambda y: safe.divide(1.0, y))(2.0) == pytest.approx(-0.25)


def test_second_derivatives_stay_finite():
    assert ftrans.grad(ftrans.grad(safe.sqrt))(0.0) == 0.0
    h = ftrans.hessian(safe.norm)(np.zeros(2))
    assert np.isfinite(h).all()
    ftrans.check_grads(lambda x: safe.where(x > 0, fnp.log, 0.0, x), (np.array([0.5, 2.0]),))


def test_where_needs_operands_for_functions():
    with pytest.raises(TypeError, match="give the operands it applies to"):
        safe.where(X > 0, fnp.log, 0.0)
