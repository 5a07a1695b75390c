"""Threads: transformations and jit called from many threads at once give exactly what one
thread gives; tracing state, jit's cache and debug_nans belong to the calling thread."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans import config, lax
from ftrans.backends import cfuse

N_THREADS = 8
SECONDS = 2.0  # of mixed calls, all threads together


@ftrans.custom_jvp
def softplus(x):
    return fnp.log1p(fnp.exp(x))


softplus.defjvp(lambda p, t: (softplus(p[0]), t[0] * lax.logistic(p[0])))


def loss(x):
    return fnp.sum(fnp.sin(x) * x ** 2)


def vec(x):
    return fnp.tanh(x) * x[::-1]


def scanned(x):
    def body(c, xi):
        return c * fnp.cos(xi) + xi, c * xi
    c, ys = lax.scan(body, 1.0, x)
    return c + fnp.sum(ys)


def branchy(x):
    return lax.cond(fnp.sum(x) > 0, lambda v: fnp.sum(fnp.sin(v)),
                    lambda v: fnp.sum(v * v), x)


def _cases() -> dict:
    """name -> f(i): a result that depends on the thread's index i only. The jitted
    functions are shared by all threads, so their first calls (one per shape) race."""
    x = np.linspace(-1.0, 1.0, 5)
    xs = np.linspace(0.0, 1.0, 15).reshape(3, 5)
    shared = ftrans.jit(ftrans.grad(loss), backend="numpy")
    shared_c = ftrans.jit(lambda v: fnp.sum(fnp.sin(v) * v + fnp.cos(v)), backend="numpy+c")
    jit_scan = ftrans.jit(ftrans.grad(scanned), backend="numpy")
    return {
        "grad": lambda i: ftrans.grad(loss)(x + i),
        "vmap(grad)": lambda i: ftrans.vmap(ftrans.grad(loss))(xs + i),
        "jacfwd": lambda i: ftrans.jacfwd(vec)(x + i),
        "jacrev": lambda i: ftrans.jacrev(vec)(x + i),
        "hessian": lambda i: ftrans.hessian(loss)(x + i),
        "jit first calls": lambda i: shared(np.linspace(0.0, 1.0, 2 + i)),
        "jit numpy+c": lambda i: shared_c(np.linspace(0.0, 1.0, 300 + i)),
        "new jit each call": lambda i: ftrans.jit(ftrans.grad(loss), backend="numpy")(x * i),
        "grad of scan": lambda i: ftrans.grad(scanned)(x + i),
        "jit of grad of scan": lambda i: jit_scan(x + i),
        "grad of cond": lambda i: ftrans.grad(branchy)(x + (i % 2) - 0.5),
        "custom_jvp": lambda i: ftrans.grad(lambda v: fnp.sum(softplus(v)))(x + i),
        "nested grad": lambda i: ftrans.grad(ftrans.grad(lambda s: fnp.sin(s) * s))(0.1 * i),
    }


def _in_threads(target, n: int = N_THREADS) -> list:
    """Run target(i) in n threads started together; the exceptions they raised."""
    errors: list = []
    start = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            start.wait()
            target(i)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_transforms_in_eight_threads_match_one_thread():
    want = {name: [f(i) for i in range(N_THREADS)] for name, f in _cases().items()}
    cases = _cases()  # fresh jitted functions: their first calls happen in the threads
    names = list(cases)
    calls = [0] * N_THREADS
    wrong: list = []
    stop = time.monotonic() + SECONDS

    def work(i: int) -> None:
        k = 0
        # every case at least once per thread, then until the time is up
        while k < len(names) or time.monotonic() < stop:
            name = names[(i + k) % len(names)]
            got = cases[name](i)
            if not np.array_equal(got, want[name][i]):
                wrong.append((name, i, got, want[name][i]))
            k += 1
        calls[i] = k

    errors = _in_threads(work)
    assert not errors, f"{len(errors)} calls raised, the first: {errors[0]!r}"
    assert not wrong, f"{len(wrong)} results differ from one thread's, the first: {wrong[0]}"
    assert min(calls) >= len(names)


def test_the_issue_probe_same_grad_function_in_eight_threads():
    g = ftrans.grad(lambda x: fnp.sum(fnp.sin(x) * x))
    x = np.linspace(0.0, 1.0, 5)
    want = g(x)
    bad: list = []

    def work(i: int) -> None:
        for _ in range(150):
            if not np.array_equal(g(x), want):
                bad.append(i)

    errors = _in_threads(work)
    assert not errors and not bad


@pytest.mark.parametrize("same_shape", [True, False])
def test_concurrent_first_calls_of_jit_trace_each_signature_once(same_shape):
    traced: list = []

    def f(x):
        traced.append(x.shape)
        time.sleep(0.05)  # a slow trace: the other threads arrive while it runs
        return fnp.sin(x) * 2.0

    jf = ftrans.jit(f)
    shapes = [(4,) if same_shape else (4 + i % 3,) for i in range(N_THREADS)]
    results: dict = {}

    def work(i: int) -> None:
        results[i] = jf(np.full(shapes[i], 0.5))

    assert _in_threads(work) == []
    assert jf.trace_count == len(set(shapes)) == len(traced)
    for i, shape in enumerate(shapes):
        np.testing.assert_array_equal(results[i], np.full(shape, 2.0 * np.sin(0.5)))


def test_background_compiler_under_concurrent_first_calls(tmp_path, monkeypatch):
    monkeypatch.setenv("FTRANS_CACHE", str(tmp_path))
    monkeypatch.delenv("FTRANS_CFUSE", raising=False)
    if not cfuse.background_enabled():
        pytest.skip("no C compiler: jit runs NumPy code only")
    fs = [ftrans.jit(lambda v, k=k: fnp.sum(fnp.sin(v) * fnp.exp(-v * v) + k * v))
          for k in range(2)]
    x = np.linspace(-0.5, 1.5, 1000)
    want = [ftrans.jit(f.fun, backend="numpy")(x) for f in fs]
    results: dict = {}

    def work(i: int) -> None:
        results[i] = [fs[i % 2](x) for _ in range(3)]

    assert _in_threads(work) == []
    cfuse.wait()
    assert all("ctypes.data" in f.source(x) for f in fs)  # fused code swapped in
    for i, got in results.items():
        np.testing.assert_allclose(got, [want[i % 2]] * 3, rtol=1e-12)
        np.testing.assert_allclose(fs[i % 2](x), want[i % 2], rtol=1e-12)
    assert [f.trace_count for f in fs] == [1, 1]


def test_debugging_nans_is_scoped_to_the_thread_that_entered_it():
    entered, checked = threading.Event(), threading.Event()
    seen: dict = {}

    def debugging() -> None:
        with config.debugging_nans():
            entered.set()
            checked.wait(10)
            seen["on here"] = config.debug_nans
            try:
                with np.errstate(invalid="ignore"):
                    ftrans.grad(fnp.log)(-1.0)
            except FloatingPointError as e:
                seen["raised"] = str(e)

    def plain() -> None:
        entered.wait(10)
        seen["on there"] = config.debug_nans
        with np.errstate(invalid="ignore"):
            seen["there"] = ftrans.value_and_grad(lambda x: fnp.log(x) * 1.0)(-1.0)
        checked.set()

    threads = [threading.Thread(target=debugging), threading.Thread(target=plain)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["on here"] is True and seen["on there"] is False
    value, g = seen["there"]  # a NaN went through: not checked in that thread
    assert np.isnan(value) and g == -1.0
    assert "primitive 'log' produced nan in the forward pass" in seen["raised"]
    assert config.debug_nans is False and ftrans.core.nan_check is None


def test_a_backward_pass_in_another_thread_does_not_rename_this_threads_pass():
    in_bwd, done = threading.Event(), threading.Event()

    @ftrans.custom_vjp
    def slow_identity(x):
        return x

    def bwd(_, ct):
        in_bwd.set()  # this thread is now inside a backward pass...
        done.wait(10)  # ...and stays there while the other one runs
        return (ct,)

    slow_identity.defvjp(lambda x: (x, None), bwd)
    caught: dict = {}

    def backward() -> None:
        ftrans.grad(slow_identity)(1.0)

    def forward() -> None:
        in_bwd.wait(10)
        try:
            with config.debugging_nans(), np.errstate(divide="ignore"):
                ftrans.grad(lambda x: fnp.log(x - x))(1.0)
        except FloatingPointError as e:
            caught["message"] = str(e)
        done.set()

    threads = [threading.Thread(target=backward), threading.Thread(target=forward)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "in the forward pass" in caught["message"]


def test_traces_are_per_thread():
    from ftrans.core import current_level
    levels: dict = {}
    inside = threading.Event()
    other_done = threading.Event()

    def tracing() -> None:
        def f(x):
            levels["inside"] = current_level()
            inside.set()
            other_done.wait(10)
            return x * 2.0
        ftrans.make_jaxpr(f)(1.0)

    def other() -> None:
        inside.wait(10)
        levels["other thread"] = current_level()
        levels["other grad"] = ftrans.grad(lambda x: x * x)(3.0)
        other_done.set()

    threads = [threading.Thread(target=tracing), threading.Thread(target=other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert levels == {"inside": 1, "other thread": 0, "other grad": 6.0}



def _call_in_child(f, x, conn):
    conn.send(f(x).tolist())
    conn.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_child_forked_while_another_thread_traces_does_not_hang():
    """A thread is inside jit's first trace of a signature (holding its lock) when the
    process forks: the child traces that signature itself instead of waiting forever."""
    import multiprocessing

    parent_pid = os.getpid()
    entered, release = threading.Event(), threading.Event()

    def slow(v):
        if os.getpid() == parent_pid:  # only the parent's trace blocks
            entered.set()
            release.wait(20)
        return v * 2.0

    f = ftrans.jit(slow, backend="numpy")
    x = np.ones(3)
    tracer = threading.Thread(target=f, args=(x,))
    tracer.start()
    try:
        assert entered.wait(10)
        ctx = multiprocessing.get_context("fork")
        receiver, sender = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_call_in_child, args=(f, x, sender))
        p.start()
        got = receiver.recv() if receiver.poll(30) else None
        p.join(5)
        if p.is_alive():
            p.kill()
        assert got == [2.0, 2.0, 2.0], "the forked child hung on the parent's jit lock"
    finally:
        release.set()
        tracer.join(20)
