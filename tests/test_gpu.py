"""NumPy vs CuPy parity on a CUDA GPU (marked ``gpu``; skipped where none is usable).

Every row of the primitive sample table and the composed functions, in float32 and
float64: values and grad, jvp, vjp, jacfwd, jacrev and vmap, computed with CuPy arrays,
must be CuPy arrays and agree with the same computation on NumPy arrays. Compiled programs
(fused kernels: ``compile_jaxpr(jaxpr, "cupy")``) must agree with NumPy too.
Run them with ``ci/gpu.sh`` on a CUDA machine. ``ci/test.sh`` also runs them against the
emulated CuPy device in ``tests/cupy_emulator`` (``PYTHONPATH=cupy_emulator``), which has
CuPy's strict array rules and runs the generated kernels on the CPU.
"""

from __future__ import annotations

import numpy as np
import pytest
from cuda_harness import build_corpus, make_inputs, reference_env
from samples import SAMPLES
from test_cuda_codegen import COMPOSED

import ftrans
import ftrans.numpy as fnp
from ftrans.backends import compile_jaxpr
from ftrans.device import BackendUnavailableError, require_gpu
from ftrans.ir import Literal
from ftrans.tree_util import tree_flatten, tree_map

try:
    cp = require_gpu()
    _REASON = ""
except BackendUnavailableError as e:
    cp = None
    _REASON = f"no usable CUDA GPU: {e}"

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(cp is None, reason=_REASON or "GPU")]

DTYPES = [np.float64, np.float32]
RTOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 2e-4}

ROWS = [(f"{s.prim}-{i}", s.fun, s.args) for i, s in enumerate(SAMPLES)] + \
    [(name, f, args) for name, f, args in COMPOSED]
IDS = [r[0] for r in ROWS]


def _cast(args, dt):
    return tuple(np.asarray(a, dt) if np.asarray(a).dtype.kind == "f" else np.asarray(a)
                 for a in args)


def _gpu(tree):
    return tree_map(lambda x: cp.asarray(x), tree)


def _check(got, want, dt, what):
    g_leaves, w_leaves = tree_flatten(got)[0], tree_flatten(want)[0]
    assert len(g_leaves) == len(w_leaves), what
    for g, w in zip(g_leaves, w_leaves):
        if np.ndim(w):
            assert isinstance(g, cp.ndarray), f"{what}: got a {type(g).__name__}, not CuPy"
        g = cp.asnumpy(g) if isinstance(g, cp.ndarray) else np.asarray(g)
        tol = RTOL[np.dtype(dt)]
        np.testing.assert_allclose(g, np.asarray(w), rtol=tol, atol=tol, err_msg=what)


def _float_out(fun, args) -> bool:
    return all(np.asarray(o).dtype.kind == "f" for o in tree_flatten(fun(*args))[0])


@pytest.mark.parametrize("dt", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_values_and_derivatives_match_numpy(row, dt):
    name, fun, args = row
    args = _cast(args, dt)
    gargs = _gpu(args)
    if not _float_out(fun, args):
        _check(ftrans.vmap(fun)(*_gpu(tuple(a[None] for a in args))),
               ftrans.vmap(fun)(*tuple(a[None] for a in args)), dt, f"{name} value")
        return
    nums = tuple(range(len(args)))

    def loss(*a):
        return fnp.sum(fun(*a))
    _check(ftrans.grad(loss, argnums=nums)(*gargs), ftrans.grad(loss, argnums=nums)(*args),
           dt, f"{name} grad")
    tangents = tuple(np.ones_like(a) * 0.5 for a in args)
    _check(ftrans.jvp(fun, gargs, _gpu(tangents)), ftrans.jvp(fun, args, tangents), dt,
           f"{name} jvp")
    out, f_vjp = ftrans.vjp(fun, *args)
    gout, g_vjp = ftrans.vjp(fun, *gargs)
    _check(gout, out, dt, f"{name} value")
    ct = np.ones_like(np.asarray(out)) * 0.25
    _check(g_vjp(cp.asarray(ct)), f_vjp(ct), dt, f"{name} vjp")
    _check(ftrans.jacfwd(fun, argnums=nums)(*gargs), ftrans.jacfwd(fun, argnums=nums)(*args),
           dt, f"{name} jacfwd")
    _check(ftrans.jacrev(fun, argnums=nums)(*gargs), ftrans.jacrev(fun, argnums=nums)(*args),
           dt, f"{name} jacrev")
    batched = tuple(np.stack([a, a * 0.5]) for a in args)
    _check(ftrans.vmap(fun)(*_gpu(batched)), ftrans.vmap(fun)(*batched), dt, f"{name} vmap")


_PROGRAMS = build_corpus(COMPOSED) if cp is not None else []


@pytest.mark.parametrize("prog", _PROGRAMS, ids=[p.name for p in _PROGRAMS])
def test_fused_programs_match_numpy(prog):
    """Each compiled program (its fused kernels, cuBLAS and CuPy calls) against NumPy."""
    args = make_inputs(prog.jaxpr.in_avals, seed=3, edges=False)
    env = reference_env(prog.jaxpr, prog.consts, args)
    run = compile_jaxpr(prog.jaxpr, "cupy")
    outs = run(prog.consts, [cp.asarray(a) for a in args])
    for v, o in zip(prog.jaxpr.outvars, outs):
        want = v.val if type(v) is Literal else env[id(v)]
        got = cp.asnumpy(o) if isinstance(o, cp.ndarray) else np.asarray(o)
        tol = RTOL[np.dtype(np.asarray(want).dtype)] if np.asarray(want).dtype.kind == "f" \
            else 0
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=prog.name)


def test_edge_values_in_a_fused_kernel():
    f = ftrans.grad(lambda x: fnp.sum(fnp.log1p(fnp.exp(-fnp.abs(x))) * fnp.tanh(x)))
    x = make_inputs([ftrans.ShapedArray((64,), np.float64)], seed=0, edges=True)[0]
    cj = ftrans.make_jaxpr(f)(x)
    (got,) = compile_jaxpr(cj.jaxpr, "cupy")(cj.consts, [cp.asarray(x)])
    with np.errstate(all="ignore"):
        want = f(x)
    np.testing.assert_allclose(cp.asnumpy(got), want, rtol=1e-9, atol=1e-300, equal_nan=True)


def test_device_put_round_trip_and_default_backend():
    x = np.arange(4.0)
    g = ftrans.device_put(x, "gpu")
    assert isinstance(g, cp.ndarray)
    np.testing.assert_array_equal(ftrans.device_put(g, "cpu"), x)
    try:
        ftrans.default_backend("gpu")
        out = ftrans.grad(lambda v: fnp.sum(fnp.sin(v)))(x)
        assert isinstance(out, cp.ndarray)
        np.testing.assert_allclose(cp.asnumpy(out), np.cos(x), rtol=1e-12)
    finally:
        ftrans.default_backend("cpu")


def test_large_reduction_uses_several_blocks():
    x = cp.linspace(0, 1, 3_000_001)
    cj = ftrans.make_jaxpr(lambda v: fnp.sum(fnp.sin(v) * v))(x)
    run = compile_jaxpr(cj.jaxpr, "cupy")
    (got,) = run(cj.consts, [x])
    xs = cp.asnumpy(x)
    np.testing.assert_allclose(float(got), np.sum(np.sin(xs) * xs), rtol=1e-11)
    assert run.plan.groups[0].reduction_info()["parts"] > 1


def test_compile_error_names_the_source(monkeypatch, tmp_path):
    from ftrans.backends import KernelCompileError, cupy_backend
    from ftrans.prims import sin_p
    monkeypatch.setattr(sin_p, "cuda", "ft_no_such_function({0})")
    monkeypatch.setattr(cupy_backend, "_modules", {})
    monkeypatch.setenv("FTRANS_DUMP_CUDA", str(tmp_path))
    cj = ftrans.make_jaxpr(lambda x: fnp.sin(x) * x)(np.ones(3))
    with pytest.raises(KernelCompileError, match=r"(?s)Source: .*\.cu.*ft_no_such_function"):
        compile_jaxpr(cj.jaxpr, "cupy")


def test_out_of_memory_is_an_ftrans_error():
    huge = (1 << 22, 1 << 22)  # 128 TiB of float64
    cj = ftrans.make_jaxpr(lambda s: ftrans.lax.broadcast_in_dim(s, huge, ()) * 2.0 + 1.0)(
        np.float64(1.0))
    run = compile_jaxpr(cj.jaxpr, "cupy")
    with pytest.raises(ftrans.DeviceOutOfMemoryError, match="ran out of memory"):
        run(cj.consts, [cp.asarray(1.0)])


def test_jit_compiles_for_the_arguments_device():
    def loss(x, w):
        return fnp.sum(fnp.tanh(x @ w) * fnp.sin(x @ w))
    x = np.random.default_rng(4).standard_normal((8, 5))
    w = np.random.default_rng(5).standard_normal((5, 3))
    f = ftrans.jit(ftrans.grad(loss))
    want = f(x, w)
    got = f(cp.asarray(x), cp.asarray(w))  # a second signature: the GPU's, fused kernels
    assert isinstance(got, cp.ndarray) and f.trace_count == 2
    np.testing.assert_allclose(cp.asnumpy(got), want, rtol=1e-12)
    with pytest.raises(ftrans.BackendMismatchError, match="jit"):
        f(cp.asarray(x), w)


def test_numbers_and_captured_numpy_arrays_join_a_gpu_computation():
    w = np.linspace(0.5, 1.5, 6)  # captured NumPy constant, meets CuPy values in the rules

    def f(x, s):
        return fnp.sum(fnp.sin(x * w) * s + x ** 2 / s)
    x = np.linspace(-1, 1, 6)
    for api in (ftrans.grad(f), ftrans.jacfwd(lambda x: fnp.sin(x * w) * 2.0),
                ftrans.jacrev(lambda x: fnp.sin(x * w) * 2.0)):
        args = (x, 3.0) if api.__name__ == "f" else (x,)
        got = api(cp.asarray(x), *args[1:])
        assert isinstance(got, cp.ndarray)
        np.testing.assert_allclose(cp.asnumpy(got), api(*args), rtol=1e-12)
    y, f_vjp = ftrans.vjp(lambda x: fnp.cumsum(x * w), cp.asarray(x))
    (ct,) = f_vjp(np.ones(6))  # a NumPy cotangent goes to the device of the residuals
    np.testing.assert_allclose(cp.asnumpy(ct), np.cumsum(np.ones(6)[::-1])[::-1] * w)


def _api_cases():
    from ftrans import lax
    a = np.random.default_rng(6).standard_normal((5, 5))

    def f(x):
        return fnp.sum(fnp.sin(x) * fnp.exp(x))

    def g(x):
        return fnp.tanh(a @ x) * x

    def rnn(x):
        c, ys = lax.scan(lambda c, xi: (fnp.tanh(c * 0.5 + xi), c), 0.0, x)
        return c + fnp.sum(ys)

    def loop(x):
        return fnp.sum(lax.while_loop(lambda c: c[0] < 3,
                                      lambda c: (c[0] + 1, c[1] * fnp.sin(c[1])), (0, x))[1])

    def branch(x):
        return fnp.sum(lax.cond(fnp.sum(x) > 0, fnp.sin, fnp.cos, x))

    @ftrans.custom_jvp
    def twice(x):
        return fnp.sin(x)
    twice.defjvp(lambda p, t: (fnp.sin(p[0]), 2.0 * t[0]))
    ones = lambda x: x * 0 + 1  # noqa: E731  (on the input's device)
    return {
        "hessian": lambda x: ftrans.hessian(f)(x),
        "hvp": lambda x: ftrans.hvp(f, (x,), (ones(x),))[1],
        "linearize": lambda x: ftrans.linearize(g, x)[1](ones(x)),
        "jacobian_columns": lambda x: ftrans.jacobian_columns(g, [0, 2])(x),
        "jacobian_rows": lambda x: ftrans.jacobian_rows(g, [1])(x),
        "jacfwd_chunked": lambda x: ftrans.jacfwd(g, chunk_size=2)(x),
        "jacrev_auto": lambda x: ftrans.jacrev(g, chunk_size="auto")(x),
        "scan": lambda x: ftrans.grad(rnn)(x),
        "while_loop": lambda x: ftrans.grad(loop)(x),
        "cond": lambda x: ftrans.grad(branch)(x),
        "custom_jvp": lambda x: ftrans.grad(lambda v: fnp.sum(twice(v)))(x),
        "checkpoint": lambda x: ftrans.grad(lambda v: fnp.sum(ftrans.checkpoint(g)(v)))(x),
        "vmap_grad": lambda x: ftrans.vmap(ftrans.grad(f))(x[None] * ones(x)[:, None]),
        "at_set": lambda x: ftrans.grad(lambda v: fnp.sum(v.at[1:3].set(v[0] ** 2) * v))(x),
        "gather": lambda x: ftrans.grad(lambda v: fnp.sum(v[np.array([0, 2, 2])] * 3.0))(x),
        "jit_vmap": lambda x: ftrans.jit(ftrans.vmap(lambda v: fnp.sin(v) * v))(x),
        "linear_transpose": lambda x: ftrans.linear_transpose(
            lambda v: v * 2.0 + fnp.cumsum(v), x)(x)[0],
        "special": lambda x: ftrans.grad(lambda v: ftrans.scipy.special.logsumexp(v)
                                         + fnp.sum(ftrans.scipy.special.erf(v)))(x),
        "sort_where_einsum": lambda x: ftrans.grad(
            lambda v: fnp.sum(fnp.sort(v) * fnp.where(v > 1.0, v, -v))
            + fnp.einsum("i,ij,j->", v, a, v))(x),
    }


@pytest.mark.parametrize("name", sorted(_api_cases()))
def test_every_transformation_on_the_device(name):
    fun = _api_cases()[name]
    x = np.random.default_rng(7).uniform(0.5, 1.5, 5)
    _check(fun(cp.asarray(x)), fun(x), np.float64, name)


def test_tools_accept_device_arrays():
    def f(x):
        return fnp.sum(fnp.sin(x) * fnp.exp(x))
    x = cp.linspace(0.5, 1.5, 5)
    ftrans.check_grads(f, (x,), order=2)  # derivatives on the GPU, comparisons on the host
    t = ftrans.explain.reverse_table(f, (x,))
    want = ftrans.explain.reverse_table(f, (cp.asnumpy(x),))
    assert [r.name for r in t.rows] == [r.name for r in want.rows]
    sj = ftrans.sparse_jacobian(lambda v: fnp.sin(v) * 2.0)(x)  # COO on the host
    np.testing.assert_allclose(sj.todense(), np.diag(2 * np.cos(cp.asnumpy(x))), rtol=1e-12)
    ftrans.config.debug_nans = True
    try:
        with pytest.raises(FloatingPointError, match="'log'"):
            ftrans.grad(lambda v: fnp.sum(fnp.log(v - 10.0)))(x)
    finally:
        ftrans.config.debug_nans = False


def test_auto_chunks_are_sized_from_gpu_memory(monkeypatch):
    from ftrans import memory
    seen = []
    real = memory.device_available_memory

    def spy(cp_module):
        seen.append(real(cp_module))
        return 100_000  # bytes: half of it fits the Jacobian and a few basis vectors at once
    monkeypatch.setattr(memory, "device_available_memory", spy)
    a = np.random.default_rng(8).standard_normal((50, 50))
    fun = lambda x: fnp.tanh(cp.asarray(a) @ x)  # noqa: E731
    x = np.linspace(-1, 1, 50)
    jac = ftrans.jacrev(fun, chunk_size="auto")(cp.asarray(x))
    assert seen and seen[0] > 0  # asked of the device, not of the host's RAM
    want = ftrans.jacrev(lambda v: fnp.tanh(a @ v))(x)
    np.testing.assert_allclose(cp.asnumpy(jac), want, rtol=1e-12)
