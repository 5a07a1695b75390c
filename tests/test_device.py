"""Backend selection without a GPU: device_put, default_backend, FTRANS_BACKEND, and the
errors for a missing CuPy, driver or device; mixing NumPy and CuPy arrays (marked ``gpu``:
on a device or the emulated one, ``PYTHONPATH=cupy_emulator``)."""

from __future__ import annotations

import os
import subprocess
import sys
import types

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans import backends, xp
from ftrans.device import (
    BackendMismatchError,
    BackendUnavailableError,
    backend_of,
    check_same_backend,
    device_put,
    require_gpu,
)


def _gpu_usable() -> bool:
    try:
        require_gpu()
        return True
    except BackendUnavailableError:
        return False


def test_import_does_not_import_cupy():
    code = "import sys, ftrans; assert 'cupy' not in sys.modules; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_default_backend_is_cpu_and_checks_names():
    assert ftrans.default_backend() == "cpu"
    with pytest.raises(ValueError, match="expected 'cpu' or 'gpu'.*got 'tpu'"):
        ftrans.default_backend("tpu")
    assert ftrans.default_backend("numpy") == "cpu"


def test_ftrans_backend_environment_variable():
    code = "import ftrans; print(ftrans.default_backend())"
    env = dict(os.environ, FTRANS_BACKEND="cpu")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "cpu"
    env["FTRANS_BACKEND"] = "tpu"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "FTRANS_BACKEND must be 'cpu' or 'gpu', got 'tpu'" in out.stderr


def test_device_put_cpu_and_bad_input():
    x = np.arange(3.0)
    assert device_put(x, "cpu") is x
    assert isinstance(device_put([1.0, x], "cpu")[0], np.ndarray)
    with pytest.raises(ValueError, match="device_put: expected 'cpu' or 'gpu'"):
        device_put(x, "tpu")
    with pytest.raises(TypeError, match="device_put: leaf 0 is a str"):
        device_put("x", "cpu")


@pytest.mark.skipif(_gpu_usable(), reason="a GPU is usable here")
def test_gpu_unavailable_is_a_clear_error():
    with pytest.raises(BackendUnavailableError, match="CuPy|CUDA"):
        device_put(np.ones(2), "gpu")
    with pytest.raises(BackendUnavailableError):
        ftrans.default_backend("gpu")
    assert ftrans.default_backend() == "cpu"


def test_cupy_missing(monkeypatch):
    monkeypatch.setattr(xp, "_cupy", None)
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy raises ImportError
    with pytest.raises(BackendUnavailableError,
                       match=r"needs CuPy: pip install 'ftrans\[cuda12\]'"):
        backends.cupy_module()


@pytest.mark.parametrize("failure", ["no device", "no driver"])
def test_no_device_or_driver(monkeypatch, failure):
    def count():
        if failure == "no driver":
            raise RuntimeError("cudaErrorInsufficientDriver: CUDA driver version is "
                               "insufficient for CUDA runtime version")
        return 0
    fake = types.SimpleNamespace(cuda=types.SimpleNamespace(
        runtime=types.SimpleNamespace(getDeviceCount=count)))
    monkeypatch.setattr(xp, "_cupy", fake)
    monkeypatch.setattr(xp, "gpu_checked", False)
    msg = "none was found" if failure == "no device" else "InsufficientDriver"
    with pytest.raises(BackendUnavailableError, match=msg):
        require_gpu()
    with pytest.raises(BackendUnavailableError, match=msg):
        backends.compile_jaxpr(ftrans.make_jaxpr(fnp.sin)(1.0).jaxpr, "cupy")


@pytest.mark.gpu
@pytest.mark.skipif(not _gpu_usable(), reason="needs CuPy and a device (or the emulated CuPy: "
                                              "PYTHONPATH=cupy_emulator)")
def test_mixing_numpy_and_cupy_inputs_is_an_error():
    gpu, cpu = require_gpu().ones(3), np.ones(3)
    with pytest.raises(BackendMismatchError, match=r"grad was given CuPy .*inputs \[1\].*"
                                                   r"NumPy .*inputs \[0\].*device_put"):
        ftrans.grad(lambda a, b: fnp.sum(a * b), argnums=(0, 1))(cpu, gpu)
    with pytest.raises(BackendMismatchError, match="jvp was given"):
        ftrans.jvp(fnp.sin, (cpu,), (gpu,))
    with pytest.raises(BackendMismatchError, match="vmap was given"):
        ftrans.vmap(lambda a, b: a * b)(cpu, gpu)
    check_same_backend([gpu, 2.0, np.float64(1.0), np.asarray(3.0)], "f")  # numbers: either
    assert backend_of([gpu, 1.0]) == "cupy" and backend_of([cpu]) == "numpy"
