"""Fork and exit safety of fused C kernels (issue 12 §3): a child forked while the
background compiler works still fuses and never hangs in ``cfuse.wait()``; a hanging
compiler is killed after ``FTRANS_COMPILE_TIMEOUT`` seconds (the NumPy code runs, one
warning); no compiler outlives the interpreter.

The compilers here are shell scripts named by ``$CC`` that answer the macro probe
(``-dM``) with the real compiler and then sleep, or record their process ids.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.backends import cfuse, kernel_cache

REAL_CC = shutil.which(kernel_cache.compiler())
pytestmark = pytest.mark.skipif(REAL_CC is None or not cfuse.available()
                                or not hasattr(os, "fork"),
                                reason="needs a working C compiler and fork")


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("FTRANS_CACHE", str(tmp_path / "cache"))
    for var in ("FTRANS_CACHE_SIZE", "FTRANS_COMPILE_TIMEOUT", "FTRANS_CFUSE"):
        monkeypatch.delenv(var, raising=False)
    kernel_cache.reset()
    yield tmp_path
    cfuse.wait()
    kernel_cache.reset()


def fake_cc(tmp_path, body: str) -> str:
    path = tmp_path / "fakecc"
    path.write_text(f'#!/bin/sh\ncase " $* " in *" -dM "*) exec {REAL_CC} "$@";; esac\n'
                    f"{body}\n")
    path.chmod(0o755)
    return str(path)


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting to be reaped does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def all_gone(pids, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while any(alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def recorded_pids(path) -> list[int]:
    return [int(p) for p in path.read_text().split()]


def wait_for(path, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not path.exists() or not path.read_text().strip():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def _loss(x):
    return fnp.sum(fnp.sin(x) * fnp.exp(-(x * x)) + fnp.tanh(x) * x)


def _child(jf, x, want) -> None:
    # in the forked child: the compile the parent had under way is done here too
    out = jf(x)
    cfuse.wait()
    fused = "ctypes.data" in jf.source(x)
    ok = np.allclose(out, want, rtol=1e-12) and np.allclose(jf(x), want, rtol=1e-12)
    os._exit(0 if fused and ok else 3 if ok else 4)


def test_child_forked_while_compiling_fuses_and_does_not_hang(env, monkeypatch):
    started = env / "started"
    monkeypatch.setenv("CC", fake_cc(env, f'echo $$ >> {started}\nsleep 1\n'
                                          f'exec {REAL_CC} "$@"'))
    x = np.random.default_rng(0).uniform(-2, 2, 5000)
    jf = ftrans.jit(ftrans.grad(_loss))
    want = ftrans.jit(ftrans.grad(_loss), backend="numpy")(x)
    np.testing.assert_array_equal(jf(x), want)  # NumPy code; the kernels compile behind
    wait_for(started)  # the worker thread is inside the compiler now
    child = multiprocessing.get_context("fork").Process(target=_child, args=(jf, x, want))
    child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail("the forked child hung")
    assert child.exitcode == 0, "the child did not fuse" if child.exitcode == 3 else \
        f"the child failed (exit code {child.exitcode})"
    cfuse.wait()  # and the parent still fuses
    assert "ctypes.data" in jf.source(x)
    np.testing.assert_allclose(jf(x), want, rtol=1e-12)


def test_hanging_compiler_times_out_to_numpy_with_one_warning(env, monkeypatch):
    pids = env / "pids"
    # the script and a child of its own (as cc1 or ld is a child of the compiler driver)
    monkeypatch.setenv("CC", fake_cc(env, f"sleep 30 &\necho $$ $! >> {pids}\nwait"))
    monkeypatch.setenv("FTRANS_COMPILE_TIMEOUT", "1")
    x = np.linspace(-1, 1, 5000)
    f = ftrans.jit(lambda x: fnp.sin(x) * fnp.cos(x) + fnp.exp(x) * 2.0, backend="numpy+c")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = f(x)
    np.testing.assert_allclose(out, np.sin(x) * np.cos(x) + np.exp(x) * 2.0, rtol=1e-14)
    assert "ctypes.data" not in f.source(x)
    messages = [str(m.message) for m in w if issubclass(m.category,
                                                        kernel_cache.KernelCacheWarning)]
    assert len(messages) == 1 and "did not finish within 1 s" in messages[0]
    assert "FTRANS_COMPILE_TIMEOUT" in messages[0]
    assert all_gone(recorded_pids(pids)), "the compiler or its child is still running"


def test_no_compiler_outlives_the_interpreter(env):
    pids = env / "pids"
    cc = fake_cc(env, f"sleep 60 &\necho $$ $! >> {pids}\nwait")
    script = textwrap.dedent(f"""
        import os, time
        import numpy as np
        import ftrans, ftrans.numpy as fnp
        jf = ftrans.jit(lambda x: fnp.sin(x) * fnp.cos(x) + 1.0)
        jf(np.linspace(0, 1, 5000))  # the background thread starts the compiler
        deadline = time.time() + 30
        while not os.path.exists({str(pids)!r}) and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        print("compiler running")
    """)
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, CC=cc,
                                              FTRANS_CACHE=str(env / "cache"),
                                              FTRANS_COMPILE_TIMEOUT="120"))
    assert res.returncode == 0 and "compiler running" in res.stdout, res.stderr
    found = recorded_pids(pids)
    assert len(found) == 2
    assert all_gone(found), "a compiler process outlived the interpreter"
    assert "Warning" not in res.stderr  # ending it at exit is not a failure to report


def test_compile_timeout_setting(monkeypatch):
    monkeypatch.setenv("FTRANS_COMPILE_TIMEOUT", "2.5")
    assert kernel_cache.compile_timeout() == 2.5
    monkeypatch.delenv("FTRANS_COMPILE_TIMEOUT")
    assert kernel_cache.compile_timeout() == kernel_cache.DEFAULT_TIMEOUT_S <= 60
