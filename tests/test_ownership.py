"""Results belong to the caller: writing into any array a transformation or a jit backend
returns changes no input, no captured constant and no other result (the README promises
copies). Each case is called afresh per output written into."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.backends.owned import owned, plan, shares
from ftrans.device import BackendUnavailableError, require_gpu
from ftrans.tree_util import tree_flatten

C = np.array([[1.0, 2.0], [3.0, 4.0]])  # a constant the functions capture
M = np.arange(8.0).reshape(4, 2)


def _arrays(tree):
    return [x for x in tree_flatten(tree)[0] if isinstance(x, np.ndarray)
            or hasattr(x, "__cuda_array_interface__")]


def _host(x):
    return x.get() if hasattr(x, "__cuda_array_interface__") else np.asarray(x)


def check_owned(call, protected=()):
    """``call()`` makes fresh inputs and returns ``(inputs, outputs)``: write into each
    output array in turn and check the inputs, ``C``, ``M``, ``protected`` and every other
    output keep their values. Returns how many outputs were written into."""
    _, outs = call()
    n = len(_arrays(outs))
    for k in range(n):
        inputs, outs = call()
        watched = _arrays(inputs) + [C, M, *protected]
        before = [_host(x).copy() for x in watched]
        res = _arrays(outs)
        res_before = [_host(o).copy() for o in res]
        target = res[k]
        target[...] = -12345.0  # writable, as any array the caller owns
        for w, b in zip(watched, before):
            np.testing.assert_array_equal(_host(w), b, err_msg=f"an input changed (output {k})")
        for j, (o, b) in enumerate(zip(res, res_before)):
            if j != k:
                np.testing.assert_array_equal(_host(o), b, err_msg=f"output {j} is output {k}")
    return n


def x4():
    return np.arange(1.0, 5.0)


def _cases():
    def both(v, w):
        return fnp.sum((v + w) @ M)  # add's transpose hands one cotangent to both

    return {
        "vmap identity": lambda: ((X := np.arange(6.0).reshape(3, 2)),
                                  ftrans.vmap(lambda v: v)(X)),
        "vmap pair and view": lambda: ((X := np.arange(6.0).reshape(3, 2)),
                                       ftrans.vmap(lambda v: (v, v[::-1], v * 1.0))(X)),
        "vmap unmapped input": lambda: ((X := x4(), c := np.ones(2)),
                                        ftrans.vmap(lambda v, c: (c, v), in_axes=(0, None))(X, c)),
        "vmap moved axis": lambda: ((X := np.arange(6.0).reshape(3, 2)),
                                    ftrans.vmap(lambda v: v, out_axes=1)(X)),
        "vmap constant": lambda: ((X := x4()), ftrans.vmap(lambda v: (C[0], v))(X)),
        "jvp identity": lambda: ((x := x4(), t := np.ones(4)), ftrans.jvp(lambda v: v, (x,), (t,))),
        "jvp pair": lambda: ((x := x4(), t := np.ones(4)),
                             ftrans.jvp(lambda v: (v, v, v.reshape(2, 2)), (x,), (t,))),
        "jvp constant": lambda: ((x := x4(), t := np.ones(4)),
                                 ftrans.jvp(lambda v: (C, C.T, v), (x,), (t,))),
        "vjp identity": lambda: ((x := x4(), ct := np.ones(4)),
                                 (lambda y, f: (y, f(ct)))(*ftrans.vjp(lambda v: v, x))),
        "vjp of a sum": lambda: ((x := x4(), y := x4(), ct := np.ones(4)),
                                 (lambda o, f: (o, f(ct)))(*ftrans.vjp(lambda v, w: v + w, x, y))),
        "linearize identity": lambda: ((x := x4(), t := np.ones(4)),
                                       (lambda y, f: (y, f(t)))(*ftrans.linearize(lambda v: v, x))),
        "linear_transpose": lambda: ((x := x4(), ct := np.ones(4)),
                                     ftrans.linear_transpose(lambda v, w: v + w, x, x)(ct)),
        "value_and_grad both": lambda: ((x := np.ones((3, 4)), y := np.ones((3, 4))),
                                        ftrans.value_and_grad(both, argnums=(0, 1))(x, y)),
        "grad with aux input": lambda: ((x := x4()), ftrans.grad(
            lambda v: (fnp.sum(v * v), (v, v, v[1:])), has_aux=True)(x)),
        "jacfwd two args": lambda: ((x := x4(), y := x4()),
                                    ftrans.jacfwd(lambda v, w: v + w, argnums=(0, 1))(x, y)),
        "jacrev two args": lambda: ((x := x4(), y := x4()),
                                    ftrans.jacrev(lambda v, w: (v + w, v), argnums=(0, 1))(x, y)),
        "jacobian": lambda: ((x := x4()), ftrans.jacobian(lambda v: (v, 2.0 * v))(x)),
        "jacobian columns and rows": lambda: ((x := x4()), (
            ftrans.jacobian_columns(lambda v: v, [0, 1])(x),
            ftrans.jacobian_rows(lambda v: v, [0, 1])(x))),
        "hessian": lambda: ((x := x4()), ftrans.hessian(lambda v: fnp.sum(v ** 3))(x)),
        "hvp identity tangent": lambda: ((x := x4(), t := np.ones(4)),
                                         ftrans.hvp(lambda v: 0.5 * fnp.sum(v * v), (x,), (t,))),
    }


@pytest.mark.parametrize("name", list(_cases()))
def test_every_transform_output_is_the_callers(name):
    assert check_owned(_cases()[name]) >= 1


def _jit_cases(backend):
    def jit(f, **kw):
        return ftrans.jit(f, backend=backend, **kw)

    def grad_both(v, w):
        return fnp.sum((v + w) @ M)

    return {
        "CSE returns one array twice": lambda: (
            (x := x4()), jit(lambda v: (v * 2.0, v * 2.0))(x)),
        "inputs and views of them": lambda: (
            (x := x4()), jit(lambda v: (v, v.reshape(2, 2), v[1:], v[::-1], v + 0.0))(x)),
        "constants and views of them": lambda: (
            (x := x4()), jit(lambda v: (C, C.T, C[0], v * 1.0))(x)),
        "big arrays (fused kernels)": lambda: (
            (x := np.linspace(0.0, 1.0, 600)),
            jit(lambda v: (fnp.sin(v) * 2.0 + v, fnp.sin(v) * 2.0 + v, v))(x)),
        "grad hands one cotangent to both": lambda: (
            (x := np.ones((3, 4)), y := np.ones((3, 4))),
            jit(ftrans.grad(grad_both, argnums=(0, 1)))(x, y)),
        "pytree in, pytree out": lambda: (
            (p := {"a": x4(), "b": np.ones((2, 2))}),
            jit(lambda p: {"a": p["a"], "b": p["b"].T, "c": p["b"]})(p)),
        "vmap of jit": lambda: (
            (X := np.arange(6.0).reshape(3, 2)), ftrans.vmap(jit(lambda v: (v, v)))(X)),
        "jit of vmap": lambda: (
            (X := np.arange(6.0).reshape(3, 2)), jit(ftrans.vmap(lambda v: (v, v.T)))(X)),
    }


BACKENDS = ["numpy", "numpy+c", None, "interpret"]  # None: jit's default ("auto")


@pytest.mark.parametrize("backend", BACKENDS, ids=str)
@pytest.mark.parametrize("name", list(_jit_cases("numpy")))
def test_every_jit_backend_output_is_the_callers(name, backend):
    assert check_owned(_jit_cases(backend)[name]) >= 1


def test_the_issue_probes():
    a, b = ftrans.jit(lambda v: (v * 2.0, v * 2.0))(np.arange(3.0))
    a[0] = 99
    assert b[0] == 0.0
    x = np.arange(3.0)
    y = ftrans.vmap(lambda v: v)(x)
    y[0] = 99
    assert x[0] == 0.0


def test_normal_results_are_not_copied():
    # a result a ufunc computed is already the caller's: no plan step, no copy
    cj = ftrans.make_jaxpr(lambda v: (fnp.sin(v) * 2.0, v + 1.0))(x4())
    assert plan(cj.jaxpr) == ()
    y = np.sin(x4())
    assert owned([y], [x4()])[0] is y
    out = ftrans.jit(lambda v: fnp.sin(v) * 2.0, backend="numpy")
    assert "_own" not in out.source(x4())


def test_shares_is_exact_for_disjoint_views():
    x = np.arange(8.0)
    assert not shares(x[:4], x[4:]) and shares(x[::2], x[1::2][:1]) is not None
    a, b = owned([x[:4], x[4:]], [])
    assert a.base is x and b.base is x  # disjoint halves of one array: kept as they are


# --- the GPU backend (CuPy, or the emulated device of tests/cupy_emulator)

try:
    cp = require_gpu()
except BackendUnavailableError:
    cp = None


GPU_FUNS = {
    "CSE returns one array twice": lambda v: (v * 2.0, v * 2.0),
    "inputs and views of them": lambda v: (v, v.reshape(2, 2), v[1:], v[::-1], v + 0.0),
    "constants and views of them": lambda v: (C, C.T, C[0], v * 1.0),
    "big arrays (fused kernels)": lambda v: (fnp.sin(v) * 2.0 + v, fnp.sin(v) * 2.0 + v, v),
}


@pytest.mark.gpu
@pytest.mark.skipif(cp is None, reason="no CuPy device (run with PYTHONPATH=cupy_emulator)")
@pytest.mark.parametrize("name", list(GPU_FUNS))
def test_cupy_backend_output_is_the_callers(name):
    fun = GPU_FUNS[name]
    n = 600 if "big" in name else 4
    jf = ftrans.jit(fun, backend="cupy")  # one program: its device constants are reused
    want = [_host(o) for o in _arrays(jf(cp.linspace(1.0, 4.0, n)))]

    def call():
        x = cp.linspace(1.0, 4.0, n)
        return x, jf(x)

    assert check_owned(call) == len(want)
    # the device copies of the constants kept their values: a new call gives the same
    for got, w in zip(_arrays(jf(cp.linspace(1.0, 4.0, n))), want):
        np.testing.assert_array_equal(_host(got), w)


GPU_EAGER = {
    "vmap identity": lambda x, t: ftrans.vmap(lambda v: (v, v))(x),
    "jvp identity": lambda x, t: ftrans.jvp(lambda v: (v, v[1:]), (x,), (t,)),
    "vjp of a sum": lambda x, t: (lambda o, f: (o, f(t)))(*ftrans.vjp(lambda v, w: v + w, x, x)),
    "grad hands one cotangent to both": lambda x, t: ftrans.grad(
        lambda v, w: fnp.sum((v + w) * t), argnums=(0, 1))(x, x),
}


@pytest.mark.gpu
@pytest.mark.skipif(cp is None, reason="no CuPy device (run with PYTHONPATH=cupy_emulator)")
@pytest.mark.parametrize("name", list(GPU_EAGER))
def test_eager_transform_outputs_on_the_gpu_are_the_callers(name):
    def call():
        x, t = cp.linspace(1.0, 4.0, 4), cp.ones(4)
        return (x, t), GPU_EAGER[name](x, t)

    assert check_owned(call) >= 1
