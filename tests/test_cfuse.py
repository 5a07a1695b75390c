"""Fused C kernels (backend "numpy+c"): same results as the NumPy code, fewer passes."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.backends.cfuse import available
from ftrans.backends.numpy_backend import compile_source

pytestmark = pytest.mark.skipif(not available(), reason="no working C compiler")


def every_op(x, y):
    a = fnp.sin(x) * fnp.cos(y) + fnp.tan(x * 0.5) - fnp.exp(-x * x) / (1.5 + y * y)
    b = fnp.log(1.0 + x * x) + fnp.log1p(y * y) + fnp.expm1(x * 0.1) + fnp.sqrt(1.0 + y * y)
    c = fnp.sinh(x) * fnp.cosh(y) + fnp.tanh(x) + fnp.arcsin(x * 0.5) + fnp.arccos(y * 0.5)
    d = fnp.arctan(x) + fnp.abs(y) + fnp.power(fnp.abs(x) + 1.0, y) + fnp.arctan2(x, y)
    return fnp.sum(a * b + c * d + x ** 3 + y ** 2 + (-x))


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-5)])
def test_fused_kernels_match_numpy(dtype, rtol):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 1000).astype(dtype)
    y = rng.uniform(-1, 1, 1000).astype(dtype)
    g = ftrans.value_and_grad(every_op, argnums=(0, 1))
    fused = ftrans.jit(g, backend="numpy+c")
    src = fused.source(x, y)
    assert "_k" in src and src.count("ctypes.data") >= 3
    (v, (gx, gy)), (v0, (gx0, gy0)) = fused(x, y), ftrans.jit(g)(x, y)
    assert gx.dtype == dtype and gy.dtype == dtype
    np.testing.assert_allclose(v, v0, rtol=rtol)
    np.testing.assert_allclose(gx, gx0, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(gy, gy0, rtol=rtol, atol=rtol)


def test_small_arrays_stay_on_numpy():
    cj = ftrans.make_jaxpr(lambda x: fnp.sin(x) * 2.0 + 1.0)(np.ones(10))
    assert "_k" not in compile_source(cj.jaxpr, fuse=True)
    cj = ftrans.make_jaxpr(lambda x: fnp.sin(x) * 2.0 + 1.0)(np.ones(1000))
    src = compile_source(cj.jaxpr, fuse=True)
    assert "_k" in src and "_np.sin" not in src


def test_non_contiguous_inputs_and_views_of_outputs():
    def f(x):
        t = fnp.transpose(x)  # a strided view goes in
        y = fnp.exp(t) * 2.0
        return fnp.transpose(y) + 1.0, y
    x = np.arange(2000.0).reshape(40, 50) / 2000
    a, b = ftrans.jit(f, backend="numpy+c")(x)
    np.testing.assert_allclose(a, np.exp(x) * 2 + 1, rtol=1e-14)
    np.testing.assert_allclose(b, np.exp(x.T) * 2, rtol=1e-14)


def test_grad_of_long_chain_matches_numpy_backend():
    def chain(x):
        for i in range(300):  # longer than one kernel (MAX_EQNS): split in several
            x = (fnp.sin, fnp.cos, fnp.tanh)[i % 3](x)
        return fnp.sum(x)
    x = np.linspace(-1, 1, 512)
    g = ftrans.grad(chain)
    np.testing.assert_allclose(ftrans.jit(g, backend="numpy+c")(x), ftrans.jit(g)(x),
                               rtol=1e-11)
