"""Fused C kernels (backend "numpy+c"): same results as the NumPy code, fewer passes."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.backends import cfuse
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


# --- jit's default CPU backend ("auto"): NumPy code first, fused kernels compiled behind it

def _w3_like(x):
    return fnp.sum(fnp.sin(x) * fnp.exp(-(x * x)) + fnp.log1p(x * x) * fnp.tanh(x))


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FTRANS_CACHE", str(tmp_path))
    monkeypatch.delenv("FTRANS_CFUSE", raising=False)
    return tmp_path


def test_default_jit_runs_numpy_then_switches_to_fused_kernels(fresh_cache):
    x = np.random.default_rng(1).uniform(-2, 2, 5000)
    g = ftrans.grad(_w3_like)
    jf = ftrans.jit(g)
    first = jf(x)  # before anything is compiled: the NumPy code
    assert "ctypes.data" not in jf.source(x)
    cfuse.wait()
    assert "ctypes.data" in jf.source(x)  # swapped in once the kernels were compiled
    later = jf(x)
    want = ftrans.jit(g, backend="numpy")(x)
    np.testing.assert_array_equal(first, want)
    np.testing.assert_allclose(later, want, rtol=1e-12, atol=1e-14)
    assert jf.trace_count == 1
    # a new jit of the same program finds the kernels on disk: nothing is compiled again
    compiled = sorted(fresh_cache.iterdir())
    again = ftrans.jit(g)
    again(x)
    cfuse.wait()
    assert "ctypes.data" in again.source(x) and sorted(fresh_cache.iterdir()) == compiled
    np.testing.assert_array_equal(again(x), later)


def test_programs_without_fusable_runs_get_no_wrapper(fresh_cache):
    from ftrans.backends.numpy_backend import compile_numpy
    cj = ftrans.make_jaxpr(lambda x: fnp.sin(x) * 2.0)(np.ones(10))  # too small to fuse
    run = compile_numpy(cj.jaxpr, fuse="background")
    assert "run(consts, args)" in run.source and run.__code__.co_filename.startswith("<ftrans")
    from ftrans.backends.numpy_backend import _has_fusion
    assert not _has_fusion(cj.jaxpr)
    a = np.ones((100, 1))
    assert _has_fusion(ftrans.make_jaxpr(lambda a, b: a @ b.T)(a, a).jaxpr)  # outer product
    assert _has_fusion(ftrans.make_jaxpr(lambda x: fnp.sin(x) * 2.0)(np.ones(1000)).jaxpr)


def test_ftrans_cfuse_0_keeps_numpy_code(fresh_cache, monkeypatch):
    monkeypatch.setenv("FTRANS_CFUSE", "0")
    x = np.linspace(-1, 1, 5000)
    jf = ftrans.jit(ftrans.grad(_w3_like))
    jf(x)
    cfuse.wait()
    assert "ctypes.data" not in jf.source(x)
    assert not list(fresh_cache.iterdir())  # nothing compiled


def test_without_a_compiler_the_default_stays_on_numpy(fresh_cache, monkeypatch):
    monkeypatch.setenv("CC", "/nonexistent/cc")
    x = np.linspace(-1, 1, 5000)
    jf = ftrans.jit(ftrans.grad(_w3_like))
    np.testing.assert_allclose(jf(x), ftrans.jit(ftrans.grad(_w3_like), backend="numpy")(x),
                               rtol=1e-15)
    cfuse.wait()
    assert "ctypes.data" not in jf.source(x)


def test_kernel_outputs_reuse_dying_input_buffers_and_never_arguments():
    def f(x, y):
        a = fnp.exp(x) * y          # a: ufunc results, fresh buffers
        b = fnp.sin(a) + a * a      # a dies in the kernel: b may be written over it
        return fnp.tanh(b) * 2.0 - y
    rng = np.random.default_rng(2)
    x, y = rng.uniform(-1, 1, (2, 3000))
    x0, y0 = x.copy(), y.copy()
    cj = ftrans.make_jaxpr(f)(x, y)
    src = compile_source(cj.jaxpr, fuse=True)
    jf = ftrans.jit(f, backend="numpy+c")
    np.testing.assert_allclose(jf(x, y), np.tanh(np.sin(np.exp(x) * y) + (np.exp(x) * y) ** 2)
                               * 2 - y, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(x, x0)  # arguments are never written
    np.testing.assert_array_equal(y, y0)
    assert src.count("ctypes.data") >= 3


def test_dying_inputs_are_written_over_in_place():
    def f(w, x):
        h = x @ w                   # a dot_general result: a buffer nobody else holds
        return fnp.tanh(h) * fnp.cos(h)
    rng = np.random.default_rng(3)
    w, x = rng.standard_normal((64, 64)), rng.standard_normal((64, 64))
    cj = ftrans.make_jaxpr(f)(w, x)
    src = compile_source(cj.jaxpr, fuse=True)
    (line,) = [ln for ln in src.splitlines() if "_c" in ln and "=" in ln
               and "ascontiguousarray" not in ln]
    assert line.strip().endswith("_c")  # the output is the input's buffer, no np.empty
    np.testing.assert_allclose(ftrans.jit(f, backend="numpy+c")(w, x),
                               np.tanh(x @ w) * np.cos(x @ w), rtol=1e-13)


def test_spread_literals_are_numbers_inside_kernels():
    # the seed cotangent of sum is a broadcast 1.0: the kernel reads the number, and the
    # fused call allocates no more than the NumPy code
    import tracemalloc

    def loss(x):
        return fnp.sum(fnp.tanh(x) * x + x)
    x = np.random.default_rng(4).uniform(-1, 1, 200_000)
    g = ftrans.grad(loss)
    fused, plain = ftrans.jit(g, backend="numpy+c"), ftrans.jit(g, backend="numpy")
    src = fused.source(x)
    assert "ctypes.data" in src and src.count("ascontiguousarray") == 1  # the argument only
    peaks = []
    for jf in (fused, plain):
        jf(x)
        tracemalloc.start()
        out = jf(x)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        np.testing.assert_allclose(out, np.tanh(x) + x * (1 - np.tanh(x) ** 2) + 1,
                                   rtol=1e-13, atol=1e-15)
    assert peaks[0] <= peaks[1]


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-14), (np.float32, 1e-6)])
def test_outer_products_run_as_one_loop_nest(dtype, rtol):
    rng = np.random.default_rng(5)

    def loss(w, x, y):
        z = x @ w
        return fnp.log(fnp.sum(fnp.exp(z))) - fnp.sum(z * y)
    w = (rng.standard_normal((300, 10)) * 0.1).astype(dtype)
    x = rng.standard_normal((64, 300)).astype(dtype)
    y = np.eye(10, dtype=dtype)[rng.integers(0, 10, 64)]
    per_example = ftrans.vmap(ftrans.grad(loss), in_axes=(None, 0, 0))
    fused = ftrans.jit(per_example, backend="numpy+c")
    assert "_k" in fused.source(w, x, y)  # the batched outer product x_i (p_i - y_i)^T
    got = fused(w, x, y)
    z = x @ w
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    want = x[:, :, None] * (p - y)[:, None, :]
    assert got.dtype == dtype and got.shape == (64, 300, 10)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)
    # unbatched, with the size-1 contraction on either side and transposed operands
    a, b = rng.standard_normal((2, 100, 1)).astype(dtype)
    for f in (lambda a, b: a @ b.T, lambda a, b: b.T.T @ a.T, lambda a, b: (a @ b.T).T):
        jf = ftrans.jit(f, backend="numpy+c")
        assert "_k" in jf.source(a, b)
        np.testing.assert_allclose(jf(a, b), f(a, b), rtol=rtol)


def test_runs_up_to_twice_max_eqns_are_one_kernel():
    from ftrans.backends.cfuse import MAX_EQNS

    def chain(n):
        def f(x):
            for i in range(n):
                x = (fnp.sin, fnp.cos, fnp.tanh)[i % 3](x)
            return fnp.sum(x)
        return ftrans.grad(f)
    x = np.linspace(-1, 1, 512)
    assert MAX_EQNS < len(ftrans.jit(chain(100)).lower(x).jaxpr.eqns) <= 2 * MAX_EQNS
    src100 = compile_source(ftrans.jit(chain(100)).lower(x).jaxpr, fuse=True)
    src300 = compile_source(ftrans.jit(chain(300)).lower(x).jaxpr, fuse=True)
    calls = [sum(1 for ln in s.splitlines() if "ctypes.data" in ln) for s in (src100, src300)]
    assert calls[0] == 1 and calls[1] > 1
    np.testing.assert_allclose(ftrans.jit(chain(100), backend="numpy+c")(x),
                               ftrans.jit(chain(100), backend="numpy")(x), rtol=1e-11)
