"""Every file ftrans writes besides the kernel cache (issue 12 §4): ``FTRANS_DUMP``,
``FTRANS_DUMP_CUDA`` and the sources of CUDA kernels that failed to compile are written
into private directories, never through a symbolic link, and writing them never raises.
"""

from __future__ import annotations

import itertools
import os
import stat
import warnings

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.backends import KernelCompileError, cupy_backend, files, numpy_backend
from ftrans.backends.numpy_backend import compile_numpy


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(files, "_dump_dirs", {})
    monkeypatch.setattr(files, "_dump_warned", set())
    monkeypatch.setattr(cupy_backend, "_failed_dir", [])


def dump_once(fun=lambda x: fnp.cos(x) * 2.0):
    """Compile one program with FTRANS_DUMP set; (warnings given)."""
    cj = ftrans.make_jaxpr(fun)(1.0)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        compile_numpy(cj.jaxpr)
    return [str(m.message) for m in w]


def private(path) -> bool:
    st = os.lstat(path)
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and \
        stat.S_IMODE(st.st_mode) == 0o700


def test_dump_directory_is_created_private_under_umask_002(tmp_path, monkeypatch):
    d = tmp_path / "a" / "dump"
    monkeypatch.setenv("FTRANS_DUMP", str(d))
    old = os.umask(0o002)
    try:
        assert dump_once() == []
    finally:
        os.umask(old)
    assert private(d)
    (f,) = d.iterdir()
    assert "_np.cos" in f.read_text() and stat.S_IMODE(f.stat().st_mode) == 0o600


def test_dump_never_follows_a_planted_symlink(tmp_path, monkeypatch):
    d = tmp_path / "dump"
    d.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    # the name the next dump gets is predictable: plant a link there
    monkeypatch.setattr(numpy_backend, "_counter", itertools.count(1000))
    nxt = d / f"jaxpr_{os.getpid()}_1000.py"
    nxt.symlink_to(victim)
    monkeypatch.setenv("FTRANS_DUMP", str(d))
    assert dump_once() == []
    assert victim.read_text() == "precious"
    assert not nxt.is_symlink() and "_np.cos" in nxt.read_text()


@pytest.mark.parametrize("how", ["symlink", "1777", "file"])
def test_unsafe_dump_directory_is_replaced_by_a_private_one(tmp_path, monkeypatch, how):
    d = tmp_path / "dump"
    target = tmp_path / "target"
    target.mkdir(mode=0o700)
    if how == "symlink":
        d.symlink_to(target)
    elif how == "1777":
        d.mkdir()
        d.chmod(0o1777)
    else:
        d.write_text("a file")
    monkeypatch.setenv("FTRANS_DUMP", str(d))
    warned = dump_once() + dump_once(lambda x: fnp.sin(x))
    assert len(warned) == 1 and f"FTRANS_DUMP={d} is not used" in warned[0]
    where = warned[0].rsplit("writing to ", 1)[1].split(" instead")[0]
    assert private(where) and len(os.listdir(where)) == 2
    assert list(target.iterdir()) == [] and (how != "1777" or list(d.iterdir()) == [])


def test_dump_failure_is_one_warning_not_an_exception(tmp_path, monkeypatch):
    monkeypatch.setenv("FTRANS_DUMP", str(tmp_path / "dump"))

    def broken(fd, data):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(files, "_write_all", broken)
    warned = dump_once() + dump_once(lambda x: fnp.sin(x))
    assert len(warned) == 1 and "No space left" in warned[0]


try:
    import cupy as cp
except ImportError:
    cp = None
# the CuPy backend's files, on the emulated device (``test_cupy_backend.py``)
on_emulator = pytest.mark.skipif(not getattr(cp, "EMULATED", False),
                                 reason="needs the emulated CuPy (PYTHONPATH=cupy_emulator)")


@pytest.mark.gpu
@on_emulator
def test_failed_cuda_sources_go_to_a_private_directory(tmp_path, monkeypatch):
    from test_cupy_backend import run_on_device
    monkeypatch.setattr(cupy_backend, "_modules", {})
    monkeypatch.delenv("FTRANS_DUMP_CUDA", raising=False)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(tmp))
    victim = tmp_path / "victim"
    victim.mkdir()
    (tmp / "ftrans-cuda-failed").symlink_to(victim)  # the fixed path older versions used
    with cp.emulator.compile_error(), pytest.raises(KernelCompileError) as e:
        run_on_device(lambda x: fnp.sin(x) * x, np.ones(3))
    path = str(e.value).split("Source: ")[1].split("\n")[0]
    assert os.path.isfile(path) and not os.path.islink(path)
    assert private(os.path.dirname(path)) and os.path.dirname(path).startswith(str(tmp))
    assert list(victim.iterdir()) == []


@pytest.mark.gpu
@on_emulator
def test_cuda_dump_into_a_shared_directory_goes_elsewhere(tmp_path, monkeypatch):
    from test_cupy_backend import run_on_device
    monkeypatch.setattr(cupy_backend, "_modules", {})
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    monkeypatch.setenv("FTRANS_DUMP_CUDA", str(shared))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        _, run, _ = run_on_device(lambda x: fnp.cos(x) * x + 1.0, np.ones(3))
    (msg,) = [str(m.message) for m in w if "FTRANS_DUMP_CUDA" in str(m.message)]
    assert "is writable by group and others" in msg and list(shared.iterdir()) == []
    where = msg.rsplit("writing to ", 1)[1].split(" instead")[0]
    (g,) = run.plan.groups
    assert private(where) and os.path.exists(os.path.join(where, f"{g.name}.cu"))
