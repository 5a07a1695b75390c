"""The emulated CuPy device (``tests/cupy_emulator``) is as strict as CuPy where it matters.

Run with the emulator first on the path (``ci/test.sh`` does, beside ``test_gpu.py``)::

    cd tests && PYTHONPATH=cupy_emulator python -m pytest -m gpu test_gpu.py test_cupy_emulator.py

Elsewhere (no CuPy, or a real one) these tests skip. They check that the double rejects
what real CuPy rejects (implicit NumPy conversion, NumPy arrays as operands, names CuPy
lacks) and that its CUDA execution catches what a GPU would punish (a kernel writing
outside its arrays, threads of a block disagreeing on ``__syncthreads``), so that the
GPU tests passing on it mean something.
"""

from __future__ import annotations

import numpy as np
import pytest

try:
    import cupy as cp
except ImportError:
    cp = None

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not getattr(cp, "EMULATED", False),
                                 reason="needs the emulated CuPy (PYTHONPATH=cupy_emulator)")]


def test_arrays_are_device_arrays_not_numpy():
    x = cp.arange(4.0)
    assert not isinstance(x, np.ndarray) and type(x).__module__ == "cupy"
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array"):
        np.asarray(x)
    with pytest.raises(TypeError, match="Unsupported type"):
        x + np.ones(4)
    with pytest.raises(TypeError, match="Unsupported type"):
        cp.multiply(x, np.asarray(2.0))  # 0-d NumPy arrays too, as CuPy's CScalar
    assert type(x * np.float64(2.0)) is cp.ndarray  # NumPy scalars are fine
    assert type(np.sin(x)) is cp.ndarray and type(np.sum(x)) is cp.ndarray
    assert cp.sum(x).ndim == 0  # reductions give 0-d arrays, not scalars
    np.testing.assert_array_equal(x.get(), np.arange(4.0))


def test_only_cupy_names_exist():
    with pytest.raises(AttributeError):
        cp.frompyfunc  # noqa: B018  (NumPy has it, CuPy does not)
    with pytest.raises(TypeError):
        [0, 1][cp.asarray(1)]  # no __index__, as in CuPy


def _kernel(body: str, *, barrier: bool = False) -> object:
    sync = "__syncthreads();" if barrier else ""
    src = ('extern "C" __global__ void k(double* __restrict__ out, long long n) {\n'
           "  long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n"
           f"  {body}\n  {sync}\n}}\n")
    return cp.RawModule(code=src, options=("-std=c++17",)).get_function("k")


def test_kernels_run_every_thread_of_every_block():
    out = cp.zeros(1000)
    _kernel("if (i < n) out[i] = 2.0 * i;")((4,), (256,), (out, np.int64(1000)))
    np.testing.assert_array_equal(out.get(), 2.0 * np.arange(1000))


def test_block_reduction_with_barriers():
    src = r'''
    extern "C" __global__ void total(const double* __restrict__ x, double* __restrict__ out) {
      __shared__ double s[128];
      s[threadIdx.x] = x[blockIdx.x * 128 + threadIdx.x];
      __syncthreads();
      for (int k = 64; k > 0; k >>= 1) {
        if (threadIdx.x < k) s[threadIdx.x] += s[threadIdx.x + k];
        __syncthreads();
      }
      if (threadIdx.x == 0) out[blockIdx.x] = s[0];
    }'''
    x = cp.asarray(np.arange(384.0))
    out = cp.zeros(3)
    cp.RawModule(code=src).get_function("total")((3,), (128,), (x, out))
    np.testing.assert_array_equal(out.get(), np.arange(384.0).reshape(3, 128).sum(1))


def test_writing_outside_an_array_is_caught():
    out = cp.zeros(10)
    with pytest.raises(RuntimeError, match="wrote outside argument 0"):
        _kernel("if (i <= n) out[i] = 1.0;")((1,), (32,), (out, np.int64(10)))


def test_divergent_barrier_is_caught():
    out = cp.zeros(64)
    with pytest.raises(RuntimeError, match="disagree on __syncthreads"):
        _kernel("if (threadIdx.x % 2) return;", barrier=True)((1,), (64,), (out, np.int64(64)))


def test_compile_errors_carry_the_compiler_log():
    with pytest.raises(cp.cuda.compiler.CompileException) as e:
        cp.RawModule(code='extern "C" __global__ void k() { oops(); }').get_function("k")
    assert "oops" in e.value.get_message()


def test_allocations_beyond_device_memory_run_out():
    with pytest.raises(cp.cuda.memory.OutOfMemoryError):
        cp.empty((1 << 40,), cp.float64)


def test_switches_inject_faults_and_record_launches():
    """``cupy.emulator``'s switches, which the backend's tests use: a compile error (CuPy's
    exception with the given log), an out-of-memory device, the kernels launched; each only
    inside its block."""
    src = 'extern "C" __global__ void k(double* __restrict__ out) { out[0] = 1.0; }'
    with cp.emulator.compile_error("error: planted"):
        with pytest.raises(cp.cuda.compiler.CompileException) as e:
            cp.RawModule(code=src).get_function("k")
    assert e.value.get_message() == "error: planted"
    with cp.emulator.out_of_memory():
        with pytest.raises(cp.cuda.memory.OutOfMemoryError, match="allocating 8 bytes"):
            cp.zeros(1)
    out = cp.zeros(1)  # memory again
    k = cp.RawModule(code=src).get_function("k")  # compiles again
    with cp.emulator.launches() as names:
        k((1,), (1,), (out,))
        k((1,), (1,), (out,))
    k((1,), (1,), (out,))  # not recorded: outside the block
    assert names == ["k", "k"] and float(out.get()[0]) == 1.0


def test_gpu_benchmark_runs_on_the_emulated_device():
    """A smoke run of the GPU benchmark (its numbers mean nothing here), so that the run on
    a real GPU does not stop on a bug in the benchmark itself."""
    from ftrans.bench_gpu import format_table, run_gpu_benchmarks
    report = run_gpu_benchmarks(quick=True, peers=False, dtypes=("float64",))
    got = {(r["workload"], r["impl"]) for r in report["results"]}
    assert {("tutorial_grad", "ftrans jit (fused)"), ("mlp_grad", "ftrans jit"),
            ("jacobian", "ftrans jit jacrev")} <= got
    (tut,) = [r for r in report["results"] if r["impl"] == "ftrans jit (fused)"]
    assert tut["kernels"] == 1 and tut["other_steps"] == 0  # the whole gradient: one kernel
    assert all(r["ms"] > 0 for r in report["results"])
    assert "tutorial_grad" in format_table(report)


def test_cpu_benchmark_suite_runs_with_the_cupy_backend(capsys):
    """``python -m ftrans.bench --backend cupy`` (W8 moves a list of weights: pytrees go to
    the device whole)."""
    from ftrans.bench.__main__ import main
    assert main(["--backend", "cupy", "--quick", "--no-peers", "--only", "W1,W8",
                 "--repeats", "1", "--threads", "0"]) == 0  # 0: no re-exec for thread settings
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith(("W1 ", "W8 "))]
    assert any("ftrans.jit" in r for r in rows if r.startswith("W8"))
    assert not any("Error" in r for r in rows), rows


def test_singular_matrices_give_non_finite_values_not_errors():
    """CuPy leaves cuSOLVER's devInfo unchecked (``cupyx.errstate(linalg='ignore')`` is its
    default): a singular matrix gives non-finite values, only for that matrix of a batch."""
    a = cp.asarray(np.stack([np.eye(3) * 2.0, np.zeros((3, 3))]))
    x = cp.linalg.solve(a, cp.ones((2, 3, 1)))
    assert x.shape == (2, 3, 1)
    np.testing.assert_allclose(cp.asnumpy(x[0]), 0.5)
    assert not np.isfinite(cp.asnumpy(x[1])).any()
    assert not np.isfinite(cp.asnumpy(cp.linalg.inv(a[1]))).all()
    assert not np.isfinite(cp.asnumpy(cp.linalg.cholesky(-a))).all()
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.solve(np.zeros((3, 3)), np.ones(3))  # NumPy raises where CuPy does not


def test_kernels_may_read_views_of_an_allocation():
    """A slice is a view into its array's allocation: its neighbours are data, not guard
    bytes (the check looks at the allocation's own guards)."""
    x = cp.arange(3.0)
    _kernel("if (i < n) out[i] = 1.0;")((1,), (32,), (x[0:1].reshape(()), np.int64(0)))
    _kernel("if (i < n) out[i] = 2.0;")((1,), (32,), (x[1:2], np.int64(1)))
    np.testing.assert_array_equal(cp.asnumpy(x), [0.0, 2.0, 2.0])
    with pytest.raises(RuntimeError, match="wrote outside argument 0"):
        _kernel("if (i <= n) out[i] = 5.0;")((1,), (32,), (x[1:], np.int64(2)))


def test_fft_is_cupys():
    """``cupy.fft``: CuPy's names only, device arrays in and out (no NumPy arrays, no
    ``out=``), NumPy 2's dtypes, and ``np.fft.*`` on device arrays dispatching to it."""
    x = cp.asarray(np.arange(8.0, dtype=np.float32))
    assert type(cp.fft.rfft(x)) is cp.ndarray and cp.fft.rfft(x).dtype == np.complex64
    np.testing.assert_allclose(cp.asnumpy(np.fft.fft(x)), np.fft.fft(np.arange(8.0)),
                               rtol=1e-6, atol=1e-5)
    assert type(cp.fft.fftfreq(4)) is cp.ndarray
    with pytest.raises(TypeError, match="must be a cupy.ndarray"):
        cp.fft.fft(np.ones(4))
    with pytest.raises(TypeError, match="unexpected keyword argument 'out'"):
        cp.fft.fft(x, out=x)
    with pytest.raises(AttributeError, match="no attribute 'dct'"):
        cp.fft.dct  # noqa: B018
