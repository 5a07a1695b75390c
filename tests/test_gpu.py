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
    """Float arguments in ``dt``, complex ones in the complex dtype of ``dt``'s precision."""
    kinds = {"f": dt, "c": np.result_type(dt, 1j)}
    return tuple(np.asarray(a, kinds.get(np.asarray(a).dtype.kind)) for a in args)


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
    return all(np.asarray(o).dtype.kind in "fc" for o in tree_flatten(fun(*args))[0])


def _complex(tree) -> bool:
    return any(np.iscomplexobj(x) for x in tree_flatten(tree)[0])


def _direction(a, value):
    """``value`` like ``a``; a complex ``a`` gets a complex direction (imaginary part too)."""
    return np.ones_like(a) * (value * (1 + 0.5j) if np.iscomplexobj(a) else value)


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

    def loss(*a):  # real, also for complex outputs: both parts count
        total = fnp.sum(fun(*a))
        return fnp.real(total) + 0.5 * fnp.imag(total) if fnp.iscomplexobj(total) else total
    _check(ftrans.grad(loss, argnums=nums)(*gargs), ftrans.grad(loss, argnums=nums)(*args),
           dt, f"{name} grad")
    tangents = tuple(_direction(a, 0.5) for a in args)
    _check(ftrans.jvp(fun, gargs, _gpu(tangents)), ftrans.jvp(fun, args, tangents), dt,
           f"{name} jvp")
    out, f_vjp = ftrans.vjp(fun, *args)
    gout, g_vjp = ftrans.vjp(fun, *gargs)
    _check(gout, out, dt, f"{name} value")
    ct = _direction(np.asarray(out), 0.25)
    _check(g_vjp(cp.asarray(ct)), f_vjp(ct), dt, f"{name} vjp")
    # complex values: jacfwd needs real inputs, jacrev real outputs (or holomorphic=True)
    complex_in, complex_out = _complex(args), _complex(out)
    holo = complex_out and all(np.iscomplexobj(a) for a in args)
    if not complex_in or holo:
        _check(ftrans.jacfwd(fun, argnums=nums, holomorphic=holo)(*gargs),
               ftrans.jacfwd(fun, argnums=nums, holomorphic=holo)(*args), dt, f"{name} jacfwd")
    if not complex_out or holo:
        _check(ftrans.jacrev(fun, argnums=nums, holomorphic=holo)(*gargs),
               ftrans.jacrev(fun, argnums=nums, holomorphic=holo)(*args), dt, f"{name} jacrev")
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
        kind = np.asarray(want).dtype.kind
        tol = RTOL[np.dtype(np.real(np.asarray(want)).dtype)] if kind in "fc" else 0
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
    seen.clear()  # a linear function: no residuals on the device to tell where it runs
    jac = ftrans.jacfwd(lambda v: v * 2.0, chunk_size="auto")(cp.asarray(x))
    assert seen, "chunks of a GPU computation must be sized from the device's memory"
    np.testing.assert_array_equal(cp.asnumpy(jac), 2.0 * np.eye(50))


def test_custom_rules_with_numbers_and_zero_tangents_stay_on_the_device():
    @ftrans.custom_jvp
    def h(t):
        return fnp.exp(t[0]) * t[1], 2.0
    # the rule meets the zero tangent of the number 2.0: a CuPy zero, not a NumPy one
    h.defjvp(lambda p, tt: (h(p[0]), (fnp.exp(p[0][0]) * (p[0][1] * tt[0][0] + tt[0][1]),
                                       0.0 * tt[0][0][0])))

    @ftrans.custom_vjp
    def k(v):
        return fnp.sin(v), 1.0
    k.defvjp(lambda v: (k(v), v), lambda v, g: (g[0] * fnp.cos(v),))
    x = np.linspace(0.3, 1.2, 6)
    cases = {
        "grad": lambda v: ftrans.grad(lambda u: fnp.sum(h((u, 2.0))[0]))(v),
        "jvp": lambda v: ftrans.jvp(lambda u: h((u, 2.0))[0], (v,), (v * 0 + 1,))[1],
        "jacfwd": lambda v: ftrans.jacfwd(lambda u: h((u, 3.0))[0])(v),
        "custom_jvp value": lambda v: h((v, 2.0))[1] * v,
        "custom_vjp value": lambda v: k(v)[1] * v,
        "checkpoint value": lambda v: ftrans.checkpoint(lambda u: (u, 3.0))(v)[1] * v,
    }
    for name, fun in cases.items():
        _check(fun(cp.asarray(x)), fun(x), np.float64, name)


def test_cupy_index_arrays_and_masks():
    x = np.linspace(0.3, 1.2, 6)
    idx, mask = np.array([0, 2, 2, 5]), x > 0.7
    cases = {
        "getitem": lambda v, i, m: ftrans.grad(lambda u: fnp.sum(u[i] ** 2))(v),
        "getitem 2-d": lambda v, i, m: ftrans.jacrev(lambda u: u[i, 1:] * u[i, :1])(v[:, None]
                                                                                  * v[:4]),
        "mask": lambda v, i, m: ftrans.grad(lambda u: fnp.sum(u[m] ** 2))(v),
        "at add": lambda v, i, m: ftrans.hessian(
            lambda u: fnp.sum(u.at[i].add(u[:4] ** 2) ** 2))(v),
        "at set": lambda v, i, m: ftrans.grad(lambda u: fnp.sum(u.at[i].set(u[:4] ** 2) * u))(v),
        "at mask": lambda v, i, m: ftrans.grad(lambda u: fnp.sum(u.at[m].set(1.0) * u))(v),
        "take": lambda v, i, m: ftrans.grad(lambda u: fnp.sum(fnp.take(u, i) ** 3))(v),
        "take_along_axis": lambda v, i, m: ftrans.grad(lambda u: fnp.sum(
            fnp.take_along_axis(u, i[None, :3] + 0 * i[:2, None], 1) ** 2))(v[:2, None] * v),
        "traced index": lambda v, i, m: ftrans.vmap(lambda u, j: fnp.take(u, j) * 2.0,
                                                    (None, 0))(v, i),
    }
    for name, fun in cases.items():
        _check(fun(cp.asarray(x), cp.asarray(idx), cp.asarray(mask)), fun(x, idx, mask),
               np.float64, name)


def test_linear_transpose_results_are_on_the_call_device():
    def f(u, w):
        return u * 2.0 + fnp.cumsum(u)  # w unused: its cotangent is a symbolic zero
    x = np.linspace(-1, 1, 5)
    want = ftrans.linear_transpose(f, x, x)(x)
    _check(ftrans.linear_transpose(f, cp.asarray(x), cp.asarray(x))(cp.asarray(x)), want,
           np.float64, "CuPy primals and cotangent")
    _check(ftrans.linear_transpose(f, cp.asarray(x), cp.asarray(x))(x), want, np.float64,
           "a NumPy cotangent joins the CuPy primals")
    try:
        ftrans.default_backend("gpu")
        _check(ftrans.linear_transpose(f, x, x)(x), want, np.float64, "default_backend")
    finally:
        ftrans.default_backend("cpu")


def test_explain_tables_under_the_gpu_default_backend():
    def f(v):
        return fnp.sum(fnp.sin(v) * fnp.exp(v))
    x = np.linspace(0.5, 1.5, 3)
    want = ftrans.explain.reverse_table(f, (x,))
    try:
        ftrans.default_backend("gpu")
        got = ftrans.explain.reverse_table(f, (x,))
        fwd = ftrans.explain.forward_table(f, (x,), (np.ones(3),))
        ftrans.explain.explain(f)(x)
    finally:
        ftrans.default_backend("cpu")
    assert ftrans.default_backend() == "cpu"
    assert [r.name for r in got.rows] == [r.name for r in want.rows]
    for r, w in zip(got.rows, want.rows):
        np.testing.assert_allclose(np.asarray(r.derivative), np.asarray(w.derivative))
    assert len(fwd.rows) == len(want.rows)


def test_custom_vjp_none_cotangent_is_a_device_zero():
    @ftrans.custom_vjp
    def k(a, b):
        return fnp.sin(a) * b
    k.defvjp(lambda a, b: (k(a, b), (a, b)), lambda r, g: (g * fnp.cos(r[0]) * r[1], None))
    x, y = np.linspace(0.3, 1.2, 6), np.linspace(-1, 1, 6)
    for name, fun in {
        "grad": ftrans.grad(lambda a, b: fnp.sum(k(a, b)), argnums=(0, 1)),
        "vjp": lambda a, b: ftrans.vjp(k, a, b)[1](a),
    }.items():
        _check(fun(cp.asarray(x), cp.asarray(y)), fun(x, y), np.float64, name)


def test_concrete_device_arguments_of_the_tools():
    """Column lists, sparsity patterns and loop bounds given as CuPy values are read on the
    host explicitly (no implicit conversion)."""
    x = np.linspace(0.3, 1.2, 6)
    g = cp.asarray(x)
    cols = ftrans.jacobian_columns(fnp.sin, cp.asarray([0, 2]))(g)
    np.testing.assert_allclose(cp.asnumpy(cols), np.diag(np.cos(x))[:, [0, 2]], rtol=1e-12)
    for sparsity in (cp.eye(6, dtype=bool), (cp.arange(6), cp.arange(6))):
        sj = ftrans.sparse_jacobian(fnp.sin, sparsity)(g)
        np.testing.assert_allclose(sj.todense(), np.diag(np.cos(x)), rtol=1e-12)
    out = ftrans.lax.fori_loop(0, cp.asarray(3), lambda i, c: c * 2.0, g)
    np.testing.assert_allclose(cp.asnumpy(out), 8 * x)


def test_arguments_not_differentiated_put_the_call_on_the_device():
    """grad with respect to a number, the CuPy arrays among the other arguments: the seeds
    and derivative rules run on the GPU with them."""
    x = np.linspace(0.3, 1.2, 6)

    def f(s, a):
        return s * fnp.sum(fnp.sin(a) * s)
    cases = {
        "grad": lambda a: ftrans.grad(f)(1.5, a),
        "value_and_grad": lambda a: ftrans.value_and_grad(f)(1.5, a),
        "jacfwd": lambda a: ftrans.jacfwd(lambda s, v: fnp.sin(v) * s)(1.5, a),
        "jacrev": lambda a: ftrans.jacrev(lambda s, v: fnp.sin(v) * s)(1.5, a),
        "hessian": lambda a: ftrans.hessian(f)(1.5, a),
    }
    for name, fun in cases.items():
        _check(fun(cp.asarray(x)), fun(x), np.float64, name)


def test_vmap_constant_outputs_are_on_the_device():
    x = np.linspace(0.3, 1.2, 6).astype(np.float32)
    for name, fun in {"number": ftrans.vmap(lambda a: 1.0),
                      "pair": ftrans.vmap(lambda a: (a * 2.0, np.arange(3.0))),
                      "out_axes": ftrans.vmap(lambda a: (a, np.ones(2)), out_axes=(0, 1))
                      }.items():
        _check(fun(cp.asarray(x)), fun(x), np.float32, name)


def test_numpy_wrappers_on_concrete_device_arrays():
    x = np.linspace(0.3, 1.2, 6)
    cases = {
        "atleast_2d": lambda a: fnp.atleast_2d(a),
        "atleast_3d": lambda a: fnp.atleast_3d(a, a[:2]),
        "astype": lambda a: fnp.astype(a, np.float32),
        "unique": lambda a: fnp.unique(fnp.round(a, 1), return_counts=True),
        "grad unique": lambda a: ftrans.grad(lambda u: fnp.sum(fnp.unique(u) ** 2))(a),
        "unique index": lambda a: ftrans.jacfwd(lambda u: fnp.unique(u, return_index=True)[0]
                                                * 2.0)(a),
    }
    for name, fun in cases.items():
        _check(fun(cp.asarray(x)), fun(x), np.float64, name)
    _, index = fnp.unique(ftrans.vmap(lambda u: u)(cp.asarray(x)), return_index=True)
    assert isinstance(index, cp.ndarray)


def test_statistics_with_device_q_and_sample_points():
    x = np.linspace(0.3, 1.2, 6)
    q, xp_, fp_ = np.array([0.2, 0.7]), np.linspace(0, 2, 5), np.linspace(0, 1, 5) ** 2
    cases = {
        "quantile": lambda v, q, a, b: fnp.quantile(v, q),
        "grad quantile": lambda v, q, a, b: ftrans.grad(lambda u: fnp.sum(fnp.quantile(u, q)))(v),
        "grad percentile": lambda v, q, a, b: ftrans.grad(
            lambda u: fnp.sum(fnp.percentile(u, q * 100, method="nearest")))(v),
        "grad interp x": lambda v, q, a, b: ftrans.grad(lambda u: fnp.sum(fnp.interp(u, a, b)))(v),
        "grad interp fp": lambda v, q, a, b: ftrans.grad(
            lambda w: fnp.sum(fnp.interp(v, a, w)))(b),
    }
    for name, fun in cases.items():
        _check(fun(*_gpu((x, q, xp_, fp_))), fun(x, q, xp_, fp_), np.float64, name)


def test_singular_matrices_in_a_batch_on_the_device():
    """CuPy does not raise for a singular matrix (cuSOLVER's status is not checked): that
    matrix's results are non-finite, as the CPU's NaN, and the others are exact."""
    s = np.array([[4.0, 1.0], [1.0, 3.0]])
    a, b = np.stack([s, np.zeros((2, 2))]), np.ones((2, 2))
    got = cp.asnumpy(ftrans.vmap(fnp.linalg.solve)(cp.asarray(a), cp.asarray(b)))
    want = ftrans.vmap(fnp.linalg.solve)(a, b)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    assert np.isnan(want[1]).all() and not np.isfinite(got[1]).any()


def test_constant_operands_keep_their_device_in_wrappers():
    """Wrappers given a traced array and a constant CuPy array (an argument not
    differentiated, a closure) read its dtype and convert it without NumPy."""
    x, y = np.linspace(0.3, 1.2, 6), np.linspace(1.0, 2.0, 6)
    s = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 2.0]])
    sl = ftrans.scipy.linalg
    sp = ftrans.scipy.special
    cases = {
        "array of a list": lambda a, c, m: ftrans.grad(
            lambda u: fnp.sum(fnp.array([u[0], c[0], 2.0]) ** 2))(a),
        "mean where": lambda a, c, m: ftrans.grad(lambda u: fnp.mean(u ** 2, where=c > 1.5))(a),
        "solve": lambda a, c, m: ftrans.grad(lambda u: fnp.sum(fnp.linalg.solve(m, u[:3])))(a),
        "solve_triangular": lambda a, c, m: ftrans.grad(
            lambda u: fnp.sum(sl.solve_triangular(fnp.tril(m) * u[0], c[:3], lower=True)))(a),
        "xlogy": lambda a, c, m: ftrans.grad(lambda u: fnp.sum(sp.xlogy(u, c)))(a),
        "gammaln": lambda a, c, m: ftrans.grad(lambda u: fnp.sum(sp.gammaln(c) * u))(a),
        "convolve": lambda a, c, m: ftrans.grad(lambda u: fnp.sum(fnp.convolve(u, c[:3]) ** 2))(a),
        "correlate": lambda a, c, m: ftrans.grad(
            lambda u: fnp.sum(fnp.correlate(c, u[:3], "full") ** 2))(a),
        "cov aweights": lambda a, c, m: ftrans.grad(
            lambda u: fnp.sum(fnp.cov(fnp.stack([u, u ** 2]), aweights=c)))(a),
        "cov m": lambda a, c, m: ftrans.grad(lambda u: fnp.sum(fnp.cov(c, u)))(a),
        "select": lambda a, c, m: ftrans.grad(lambda u: fnp.sum(fnp.select([c > 1.5], [u])))(a),
    }
    for name, fun in cases.items():
        _check(fun(*_gpu((x, y, s))), fun(x, y, s), np.float64, name)


def test_wrappers_whose_numpy_function_cupy_lacks():
    x = np.array([0.3, np.nan, 1.2, 0.7, 2.0])
    s = np.array([[4.0, 1.0], [1.0, 3.0]])
    cases = {
        "nanquantile": lambda a, m: fnp.nanquantile(a, [0.2, 0.9]),
        "nanpercentile": lambda a, m: fnp.nanpercentile(a, 40.0),
        "vector_norm": lambda a, m: fnp.linalg.vector_norm(m, ord=3),
        "matrix_norm": lambda a, m: fnp.linalg.matrix_norm(m, ord=1),
        "multi_dot": lambda a, m: fnp.linalg.multi_dot([m, m, m]),
        "outer": lambda a, m: fnp.linalg.outer(m[0], m[1]),
    }
    for name, fun in cases.items():
        _check(fun(*_gpu((x, s))), fun(x, s), np.float64, name)


def test_jit_kernels_reading_slices():
    """Fused kernels given views (a slice of an argument) as inputs: the emulator used to
    report their neighbours as out-of-bounds writes."""
    def f(x, y):
        return ftrans.lax.cond(y[0] > 0, lambda a: fnp.exp(a) * y, lambda a: a * a, x)
    x, y = np.linspace(0.3, 1.2, 3), np.array([0.5, -1.0, 2.0])
    for fun in (ftrans.jit(f), ftrans.jit(lambda v: v[1:] * 2.0 + v[:-1])):
        args = (x, y) if fun.fun is f else (x,)
        _check(fun(*_gpu(args)), fun(*args), np.float64, "jit")


# ----------------------------------------------------------------------------- random

def test_random_numbers_are_the_same_on_the_device():
    """ftrans.random with a CuPy key: the same integers and keys, and the same floats to
    the rounding of the device's erfinv/log, eagerly, under jit (threefry fused into the
    kernel that turns its bits into numbers) and under vmap; CuPy results."""
    import ftrans.random as fr
    key = fr.PRNGKey(11)
    draws = {
        "split": lambda k: fr.split(k, 3),
        "fold_in": lambda k: fr.fold_in(k, 5),
        "bits": lambda k: fr.bits(k, (70,)),
        "uniform": lambda k: fr.uniform(k, (70,), minval=-1.0, maxval=2.0),
        "uniform32": lambda k: fr.uniform(k, (9,), "float32"),
        "normal": lambda k: fr.normal(k, (5, 7)),
        "randint": lambda k: fr.randint(k, (20,), -4, 1000),
        "permutation": lambda k: fr.permutation(k, 12),
        "categorical": lambda k: fr.categorical(k, np.log(np.array([0.2, 0.3, 0.5])),
                                                shape=(8,)),
        "bernoulli": lambda k: fr.bernoulli(k, 0.4, (10,)),
        "gamma": lambda k: fr.gamma(k, np.array([0.3, 2.0, 40.0])),
        "beta": lambda k: fr.beta(k, 0.5, 2.0, (3,)),
        "poisson": lambda k: fr.poisson(k, np.array([0.5, 4.0, 300.0])),
        "mvn": lambda k: fr.multivariate_normal(k, np.zeros(2), np.eye(2) * 2.0, (3,)),
    }
    gkey = cp.asarray(key)
    keys = fr.split(key, 2)
    for name, f in draws.items():
        for how, got, want in (("eager", f(gkey), f(key)), ("jit", ftrans.jit(f)(gkey), f(key)),
                               ("vmap", ftrans.vmap(f)(cp.asarray(keys))[1], f(keys[1]))):
            assert isinstance(got, cp.ndarray), f"{name} {how}: not a CuPy array"
            got = cp.asnumpy(got)
            if want.dtype.kind == "f":
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12,
                                           err_msg=f"{name} {how}")
            else:
                np.testing.assert_array_equal(got, want, err_msg=f"{name} {how}")
    # the implicit gamma gradient on the device
    g = ftrans.grad(lambda a: fnp.sum(fr.gamma(gkey, a, (4,))))
    _check(g(cp.asarray(2.5)), ftrans.grad(lambda a: fnp.sum(fr.gamma(key, a, (4,))))(2.5),
           np.float64, "gamma grad")


def test_threefry_joins_the_fused_kernel():
    import ftrans.random as fr
    from ftrans.backends.cuda_codegen import plan_jaxpr
    cj = ftrans.make_jaxpr(lambda k: fr.normal(k, (64,)))(fr.PRNGKey(0))
    fused = {e.prim.name for g in plan_jaxpr(cj.jaxpr).groups for e in g.eqns}
    assert {"threefry2x32", "shift_right_logical", "erfinv"} <= fused


# ----------------------------------------------------------------------------- eig

def _eig_cases():
    rng = np.random.default_rng(13)
    real = rng.standard_normal((2, 4, 4))
    return [real, real + 1j * rng.standard_normal((2, 4, 4))]


def _eig_results(a):
    """eig's values and vectors, eigvals, and a gradient through the eigenvectors."""
    def loss(m):
        w, v = fnp.linalg.eig(m)
        return fnp.sum(fnp.abs(v[..., 0, :]) ** 2 * fnp.real(w)) + fnp.sum(fnp.imag(w) ** 2)
    return [*fnp.linalg.eig(a), fnp.linalg.eigvals(a), ftrans.grad(loss)(a),
            ftrans.jit(fnp.linalg.eigvals)(a)]


def test_eig_on_the_device():
    """``cupy.linalg.eig`` (cuSOLVER's geev): complex CuPy results equal to NumPy's, with
    the same phase of the eigenvectors and the same derivatives."""
    for a in _eig_cases():
        _check(_eig_results(cp.asarray(a)), _eig_results(a), np.float64, "eig")


@pytest.mark.parametrize("missing", ["attribute", "runtime"])
def test_eig_on_the_host_where_cupy_has_no_geev(monkeypatch, missing):
    """Without cuSOLVER's geev (CuPy before 14: no ``cupy.linalg.eig``; CUDA before 12.6:
    'geev is not available'), eig copies the matrices to the host and its results back."""
    import ftrans.prims.linalg_factor as prims_linalg
    on_host = []
    real_on_host = prims_linalg._eig_on_host
    monkeypatch.setattr(prims_linalg, "_eig_on_host",
                        lambda *args: on_host.append(1) or real_on_host(*args))

    def unavailable(a):
        raise RuntimeError("geev is not available")

    others = getattr(cp.linalg, "__getattr__", None)

    def no_attribute(name):  # the emulator's module __getattr__, without eig and eigvals
        if name in ("eig", "eigvals") or others is None:
            raise AttributeError(name)
        return others(name)
    for name in ("eig", "eigvals"):
        if missing == "attribute":
            monkeypatch.delattr(cp.linalg, name, raising=False)
            monkeypatch.setattr(cp.linalg, "__getattr__", no_attribute, raising=False)
            assert not hasattr(cp.linalg, name)
        else:
            monkeypatch.setattr(cp.linalg, name, unavailable)
    for a in _eig_cases():
        _check(_eig_results(cp.asarray(a)), _eig_results(a), np.float64, "eig on the host")
    assert on_host


def test_eig_device_errors_are_not_hidden(monkeypatch):
    def failing(a):
        raise RuntimeError("cuSOLVER status 7")
    monkeypatch.setattr(cp.linalg, "eigvals", failing)
    with pytest.raises(RuntimeError, match="cuSOLVER status 7"):
        fnp.linalg.eigvals(cp.asarray(np.eye(2)))


def test_fft_and_signal_on_plain_device_arrays():
    """Untraced CuPy arrays: ftrans.numpy.fft calls cupy.fft (through NumPy's dispatch) and
    ftrans.scipy.signal runs its own compositions on the device (SciPy takes host arrays)."""
    import ftrans.scipy.signal as fss
    rng = np.random.default_rng(5)
    a, v = rng.standard_normal((4, 5)), rng.standard_normal((2, 3))
    ga, gv = cp.asarray(a), cp.asarray(v)
    _check(fnp.fft.rfft2(ga), np.fft.rfft2(a), np.float64, "rfft2")
    _check(fnp.fft.fftshift(ga, axes=1), np.fft.fftshift(a, axes=1), np.float64, "fftshift")
    for name, kw in (("convolve", {"method": "direct"}), ("convolve", {"method": "fft"}),
                     ("correlate", {"mode": "same"}), ("fftconvolve", {"mode": "valid"}),
                     ("convolve2d", {"boundary": "wrap"}),
                     ("correlate2d", {"mode": "same", "boundary": "symm"})):
        want = getattr(fss, name)(a, v, **kw)
        _check(getattr(fss, name)(ga, gv, **kw), want, np.float64, f"{name} {kw}")
    _check(ftrans.grad(lambda v: fnp.sum(fss.convolve(ga, v, "same") ** 2))(gv),
           ftrans.grad(lambda v: fnp.sum(fss.convolve(a, v, "same") ** 2))(v), np.float64,
           "convolve grad")


def test_array_api_functions_on_device_arrays():
    """The array API additions on plain CuPy arrays and under jit on the device; item
    assignment to a traced intermediate, as SciPy's array-API code does it."""
    x = np.array([[1.0, 3.0, 1.0, -0.0], [0.0, 2.0, 0.0, 5.0]])
    g = cp.asarray(x)
    fns = {"argsort descending": lambda v: fnp.argsort(v, descending=True),
           "sort descending": lambda v: fnp.sort(v, axis=0, descending=True),
           "nonzero size": lambda v: fnp.nonzero(v, size=6, fill_value=-1)[1],
           "unstack": lambda v: fnp.unstack(v, axis=1)[2],
           "cumulative_sum": lambda v: fnp.cumulative_sum(v, axis=1, include_initial=True),
           "signbit": fnp.signbit, "copy": lambda v: fnp.asarray(v, copy=True),
           "vecdot": lambda v: fnp.vecdot(v, v)}
    for name, fn in fns.items():
        want = fn(x)
        _check(fn(g), want, np.float64, name)
        _check(ftrans.jit(fn)(g), want, np.float64, f"jit {name}")

    def assign(v):
        y = fnp.exp(v)
        y[v == fnp.max(v)] = 0.0
        return fnp.sum(y)

    _check(ftrans.jit(ftrans.grad(assign))(g), ftrans.grad(assign)(x), np.float64,
           "item assignment")


def test_special_functions_in_fused_kernels_and_alone():
    """The special functions of ft_special.cuh inside jit's fused kernels (values and
    gradients, with derivatives in the shape parameters), and eagerly one by one (cupyx's
    ufuncs; iv/ive and the derivatives in a, b, which cupyx lacks, through the host)."""
    sp = ftrans.scipy.special
    x = np.linspace(0.05, 0.95, 40)

    def f(x):
        return (sp.gammainc(2.5, 4 * x) + sp.gammaincc(x + 0.5, 1.5) + sp.betainc(2.0, 3.0, x)
                + sp.betainc(x + 1, 2.0, 0.3) + sp.ive(1.5, 3 * x) + sp.iv(0.5, x)
                + sp.i0e(x) + sp.i1(x) + sp.zeta(3.0, x + 1) + sp.ndtri(x) + sp.log_ndtr(-20 * x)
                + sp.gammaincinv(2.0, x) + sp.betaincinv(2.0, 3.0, x) + sp.expi(x)
                + sp.gamma(x) + sp.polygamma(2, x) + sp.digamma(-x) + sp.erfcinv(x))

    def loss(x):
        return fnp.sum(f(x))
    for fun in (ftrans.jit(f), ftrans.jit(ftrans.grad(loss)), f, ftrans.grad(loss)):
        _check(fun(cp.asarray(x)), fun(x), np.float64, getattr(fun, "__name__", "jit"))


def test_pure_callback_runs_on_host_copies_and_returns_device_arrays():
    seen = []

    def host(x):
        seen.append(type(x))
        return np.cumsum(x)  # NumPy code on the host

    f = lambda x: 2.0 * ftrans.pure_callback(host, x, x, vmap_method="sequential")
    x = np.linspace(0.3, 1.2, 6)
    for name, fun in {"eager": f, "jit": ftrans.jit(f),
                      "vmap": lambda v: ftrans.vmap(f)(v.reshape(2, 3))}.items():
        seen.clear()
        got = fun(cp.asarray(x))
        assert isinstance(got, cp.ndarray), name
        assert seen and all(t is np.ndarray for t in seen), (name, seen)
        np.testing.assert_allclose(cp.asnumpy(got), fun(x), rtol=1e-12)
