"""``%``, ``//``, ``divmod`` and NumPy's division functions on traced values: NumPy's
values and dtypes (floats, signed and unsigned integers, zeros, infinities, NaN) and their
derivatives (``x % y``: 1 and ``-floor(x / y)``; ``x // y``: piecewise constant)."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.testing import numerical_jvp

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
