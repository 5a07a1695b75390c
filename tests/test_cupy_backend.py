"""The CuPy backend's driver code, run on the CPU against a stand-in for CuPy: arrays are
NumPy's, and each "kernel launch" runs the same group through its host build (g++).

This checks what the GPU tests cannot check without a GPU: buffers, argument order, the
two-stage reduction, compile errors naming the source file, FTRANS_DUMP_CUDA, and
out-of-memory errors. Real kernels on a real device: ``test_gpu.py``.
"""

from __future__ import annotations

import os
import re
import types

import numpy as np
import pytest
from cuda_harness import CXX, HostLib

import ftrans
import ftrans.numpy as fnp
from ftrans import backends
from ftrans.backends import KernelCompileError, cupy_backend
from ftrans.backends import cuda_codegen as cg
from ftrans.device import DeviceOutOfMemoryError

pytestmark = pytest.mark.skipif(CXX is None, reason="no C++ compiler for the host build")


class OutOfMemoryError(Exception):
    pass


OutOfMemoryError.__module__ = "cupy.cuda.memory"


class CompileException(Exception):
    def get_message(self) -> str:
        return "error: identifier 'oops' is undefined"


class FakeCupy(types.ModuleType):
    """Just enough of CuPy for the backend: NumPy arrays, and RawModule kernels that run
    the group's host build."""

    def __init__(self):
        super().__init__("cupy")
        self.groups: dict[str, cg.Group] = {}
        self.launches: list[str] = []
        self.fail_compile = False
        self.fail_alloc = False
        self.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(
            getDeviceCount=lambda: 1))

    def __getattr__(self, name):
        return getattr(np, name)

    def empty(self, shape, dtype):
        if self.fail_alloc:
            raise OutOfMemoryError("out of memory to allocate 8000000000 bytes")
        return np.full(shape, np.nan if np.dtype(dtype).kind == "f" else 0, dtype)

    def asarray(self, x, dtype=None):
        return np.asarray(x, dtype)

    def ascontiguousarray(self, x):
        return np.ascontiguousarray(x)

    def RawModule(self, code, options=()):
        assert "-std=c++17" in options
        if self.fail_compile:
            raise CompileException("compile failed")
        fake = self
        group = next(g for g in self.groups.values() if g.kernel_source() == code)

        class Module:
            def get_function(self, name):
                return fake._kernel(group, name)
        return Module()

    def _kernel(self, g: cg.Group, name: str):
        lib = HostLib([g])

        def launch(grid, block, args):
            self.launches.append(name)
            if name.endswith("_finish"):
                partial, out = args
                info = g.reduction_info()
                red = {"ft_add": np.sum, "ft_max": np.max, "ft_min": np.min}[info["combine"]]
                out[...] = red(partial.reshape(info["n_out"], info["parts"]), axis=1) \
                    .reshape(out.shape)
                return
            n_in = len(g.inputs)
            outs = lib.run(g, args[:n_in])
            reduced = g.reduction.outputs[0] if g.reduction is not None else None
            buffers = list(args[n_in:])
            for v, o in zip(g.outputs, outs):
                if v is not reduced:
                    np.copyto(buffers.pop(0), o)
            if reduced is not None:
                (partial,) = buffers
                info = g.reduction_info()
                ident = {"ft_add": 0.0, "ft_max": -np.inf, "ft_min": np.inf}[info["combine"]]
                p = np.full((info["n_out"], info["parts"]), ident, partial.dtype)
                p[:, 0] = outs[g.outputs.index(reduced)].reshape(-1)
                partial[...] = p.reshape(partial.shape)
        return launch


@pytest.fixture
def fake_cupy(monkeypatch):
    fake = FakeCupy()
    monkeypatch.setattr(backends, "_cupy", fake)
    monkeypatch.setattr(backends, "_gpu_checked", True)
    monkeypatch.setattr(cupy_backend, "_modules", {})
    real_plan = cupy_backend.plan_jaxpr

    def recording_plan(jaxpr, min_group=1, broadcast=()):
        plan = real_plan(jaxpr, min_group, broadcast)
        for g in plan.groups:
            fake.groups[g.name] = g
        return plan
    monkeypatch.setattr(cupy_backend, "plan_jaxpr", recording_plan)
    return fake


def _run_on_fake(fun, *args):
    cj = ftrans.make_jaxpr(fun)(*args)
    run = backends.compile_jaxpr(cj.jaxpr, "cupy")
    outs = run(cj.consts, args)
    assert run(cj.consts, args) is not None  # again, with the constants already on device
    return outs, run


def _tutorial(a, b):
    v1 = a / b
    return fnp.sum((fnp.sin(v1) + v1 - fnp.exp(b)) * (v1 - fnp.exp(b)))


def test_gradient_runs_as_one_kernel(fake_cupy):
    x1, x2 = np.linspace(0.5, 2, 50), np.linspace(1, 3, 50)
    g = ftrans.grad(_tutorial, argnums=(0, 1))
    outs, run = _run_on_fake(g, x1, x2)
    assert len(run.plan.groups) == 1 and len(fake_cupy.launches) == 2  # one per run
    # the seed cotangent, broadcast: read as one number, not streamed from memory
    assert len(run.plan.groups[0].broadcast) == 1
    assert re.search(r"p_in\d\[0\]", run.plan.groups[0].kernel_source())
    want = g(x1, x2)
    np.testing.assert_allclose(outs[0], want[0], rtol=1e-13)
    np.testing.assert_allclose(outs[1], want[1], rtol=1e-13)


@pytest.mark.parametrize("shape,axis", [((3000,), None), ((4, 5000), 1), ((5000, 3), 0),
                                        ((3, 4, 5), (0, 2)), ((500, 64), 0), ((7, 9, 40),
                                                                            (0, 1))])
@pytest.mark.parametrize("reducer", ["sum", "max"])
def test_reductions_with_finishing_pass(fake_cupy, shape, axis, reducer):
    red = fnp.sum if reducer == "sum" else fnp.max
    x = np.random.default_rng(0).uniform(-1, 1, shape)

    def f(x):
        y = fnp.sin(x) * x
        return red(y, axis=axis), y * 2.0
    outs, run = _run_on_fake(f, x)
    want = f(x)
    np.testing.assert_allclose(outs[0], want[0], rtol=1e-12)
    np.testing.assert_allclose(outs[1], want[1], rtol=1e-15)
    parts = run.plan.groups[0].reduction_info()["parts"]
    assert (parts > 1) == any(n.endswith("_finish") for n in fake_cupy.launches)


def test_matmul_and_constants_go_through_impls(fake_cupy):
    w = np.random.default_rng(1).standard_normal((6, 4))

    def loss(x):
        return fnp.sum(fnp.tanh(x @ w) ** 2)
    x = np.random.default_rng(2).standard_normal((3, 6))
    outs, run = _run_on_fake(ftrans.grad(loss), x)
    np.testing.assert_allclose(outs[0], ftrans.grad(loss)(x), rtol=1e-12)
    assert any(isinstance(s, cg.Group) for s in run.plan.steps)
    assert any(getattr(s, "prim", None) is not None and s.prim.name == "dot_general"
               for s in run.plan.steps)


def test_compile_error_names_the_source_and_message(fake_cupy, tmp_path, monkeypatch):
    monkeypatch.setenv("FTRANS_DUMP_CUDA", str(tmp_path))
    fake_cupy.fail_compile = True
    with pytest.raises(KernelCompileError) as e:
        _run_on_fake(lambda x: fnp.sin(x) * x, np.ones(3))
    path = str(e.value).split("Source: ")[1].split("\n")[0]
    assert os.path.exists(path) and path.startswith(str(tmp_path))
    assert "identifier 'oops' is undefined" in str(e.value)


def test_dump_writes_each_kernel(fake_cupy, tmp_path, monkeypatch):
    monkeypatch.setenv("FTRANS_DUMP_CUDA", str(tmp_path))
    _, run = _run_on_fake(lambda x: fnp.cos(x) * x + 1.0, np.ones(3))
    (g,) = run.plan.groups
    with open(tmp_path / f"{g.name}.cu") as f:
        assert f.read() == g.kernel_source()


def test_out_of_memory_is_an_ftrans_error(fake_cupy):
    cj = ftrans.make_jaxpr(lambda x: fnp.cos(x) * x)(np.ones(3))
    run = backends.compile_jaxpr(cj.jaxpr, "cupy")
    fake_cupy.fail_alloc = True
    with pytest.raises(DeviceOutOfMemoryError, match="ran out of memory.*chunk_size"):
        run(cj.consts, [np.ones(3)])
