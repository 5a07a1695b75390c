"""Creating arrays: NumPy's constants, dtypes and creation functions, ``full``/``linspace``
with traced values (differentiable, NumPy's values under vmap), and ``array`` of a list
holding tracers (stacked as NumPy stacks, NumPy's dtypes)."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.testing import numerical_jvp


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
