"""The CuPy backend's driver code on the emulated CuPy device (``tests/cupy_emulator``, which
runs the generated kernels thread by thread on the CPU): kernel launches, buffers and
argument order, the two-stage reduction, compile errors naming the source file,
FTRANS_DUMP_CUDA, and out-of-memory errors (compile errors and out-of-memory injected with
the emulator's switches, ``cupy.emulator``). Where the sources of failed kernels go:
``test_private_files.py``.

Run with the emulator first on the path (``ci/test.sh`` does)::

    cd tests && PYTHONPATH=cupy_emulator python -m pytest -m gpu test_cupy_backend.py

Elsewhere these tests skip. Values on a real device: ``test_gpu.py``.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans import backends
from ftrans.backends import KernelCompileError, cupy_backend, files
from ftrans.backends import cuda_codegen as cg
from ftrans.device import DeviceOutOfMemoryError

try:
    import cupy as cp
except ImportError:
    cp = None

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not getattr(cp, "EMULATED", False),
                                 reason="needs the emulated CuPy (PYTHONPATH=cupy_emulator)")]


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    """No kernel module compiled before, no dump directory checked before."""
    monkeypatch.setattr(cupy_backend, "_modules", {})
    monkeypatch.setattr(cupy_backend, "_failed_dir", [])
    monkeypatch.setattr(files, "_dump_dirs", {})
    monkeypatch.setattr(files, "_dump_warned", set())


def run_on_device(fun, *args):
    """``fun`` compiled for the device and run twice (the second time with its constants
    already there); (the outputs as NumPy arrays, the compiled program, the names of the
    kernels launched)."""
    cj = ftrans.make_jaxpr(fun)(*args)
    run = backends.compile_jaxpr(cj.jaxpr, "cupy")
    dev = [cp.asarray(a) for a in args]
    with cp.emulator.launches() as launched:
        outs = run(cj.consts, dev)
        assert run(cj.consts, dev) is not None
    assert all(isinstance(o, cp.ndarray) for o in outs)
    return [cp.asnumpy(o) for o in outs], run, launched


def _tutorial(a, b):
    v1 = a / b
    return fnp.sum((fnp.sin(v1) + v1 - fnp.exp(b)) * (v1 - fnp.exp(b)))


def test_gradient_runs_as_one_kernel():
    x1, x2 = np.linspace(0.5, 2, 50), np.linspace(1, 3, 50)
    g = ftrans.grad(_tutorial, argnums=(0, 1))
    outs, run, launched = run_on_device(g, x1, x2)
    (group,) = run.plan.groups
    assert launched == [group.name] * 2  # one kernel per run, nothing else launched
    # the seed cotangent, broadcast: read as one number, not streamed from memory
    assert len(group.broadcast) == 1
    assert re.search(r"p_in\d\[0\]", group.kernel_source())
    want = g(x1, x2)
    np.testing.assert_allclose(outs[0], want[0], rtol=1e-13)
    np.testing.assert_allclose(outs[1], want[1], rtol=1e-13)


@pytest.mark.parametrize("shape,axis", [((3000,), None), ((4, 5000), 1), ((5000, 3), 0),
                                        ((3, 4, 5), (0, 2)), ((500, 64), 0), ((7, 9, 40),
                                                                            (0, 1))])
@pytest.mark.parametrize("reducer", ["sum", "max"])
def test_reductions_with_finishing_pass(shape, axis, reducer):
    red = fnp.sum if reducer == "sum" else fnp.max
    x = np.random.default_rng(0).uniform(-1, 1, shape)

    def f(x):
        y = fnp.sin(x) * x
        return red(y, axis=axis), y * 2.0
    outs, run, launched = run_on_device(f, x)
    want = f(x)
    np.testing.assert_allclose(outs[0], want[0], rtol=1e-12)
    np.testing.assert_allclose(outs[1], want[1], rtol=1e-15)
    (group,) = run.plan.groups
    finish = group.reduction_info()["parts"] > 1  # partial results, then a finishing pass
    assert launched == ([group.name, group.name + "_finish"] if finish else [group.name]) * 2


def test_matmul_and_constants_go_through_impls():
    w = np.random.default_rng(1).standard_normal((6, 4))

    def loss(x):
        return fnp.sum(fnp.tanh(x @ w) ** 2)
    x = np.random.default_rng(2).standard_normal((3, 6))
    outs, run, _ = run_on_device(ftrans.grad(loss), x)
    np.testing.assert_allclose(outs[0], ftrans.grad(loss)(x), rtol=1e-12)
    assert any(isinstance(s, cg.Group) for s in run.plan.steps)
    assert any(not isinstance(s, cg.Group) and s.prim.contraction for s in run.plan.steps)


def test_compile_error_names_the_source_and_message(tmp_path, monkeypatch):
    monkeypatch.setenv("FTRANS_DUMP_CUDA", str(tmp_path))
    with cp.emulator.compile_error("error: identifier \"oops\" is undefined"), \
            pytest.raises(KernelCompileError) as e:
        run_on_device(lambda x: fnp.sin(x) * x, np.ones(3))
    path = str(e.value).split("Source: ")[1].split("\n")[0]
    assert os.path.exists(path) and path.startswith(str(tmp_path))
    assert 'identifier "oops" is undefined' in str(e.value)


def test_dump_writes_each_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("FTRANS_DUMP_CUDA", str(tmp_path))
    _, run, _ = run_on_device(lambda x: fnp.cos(x) * x + 1.0, np.ones(3))
    (g,) = run.plan.groups
    with open(tmp_path / f"{g.name}.cu") as f:
        assert f.read() == g.kernel_source()


def test_out_of_memory_is_an_ftrans_error():
    cj = ftrans.make_jaxpr(lambda x: fnp.cos(x) * x)(np.ones(3))
    run = backends.compile_jaxpr(cj.jaxpr, "cupy")
    x = cp.ones(3)
    with cp.emulator.out_of_memory(), \
            pytest.raises(DeviceOutOfMemoryError, match="ran out of memory.*chunk_size"):
        run(cj.consts, [x])

