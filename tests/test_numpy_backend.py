"""The NumPy code generator: generated source, freeing of intermediates, buffer reuse."""

from __future__ import annotations

import gc
import weakref

import numpy as np

import ftrans
import ftrans.lax as lax
import ftrans.numpy as fnp
from ftrans.backends import compile_jaxpr
from ftrans.backends.numpy_backend import compile_numpy, compile_source
from ftrans.core import Primitive


def test_generated_code_runs_and_matches():
    f = lambda x, y: fnp.sum(fnp.sin(x / y) * fnp.tanh(x) + x * y)
    g = ftrans.grad(f, argnums=(0, 1))
    x, y = np.linspace(0.5, 1.5, 5), np.linspace(1, 2, 5)
    cj = ftrans.make_jaxpr(g)(x, y)
    got = compile_numpy(cj.jaxpr)(cj.consts, [x, y])
    want = compile_jaxpr(cj.jaxpr, "interpret")(cj.consts, [x, y])
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-14)


def test_intermediates_are_freed_after_last_use():
    """A probe primitive records a weakref to its input while the program still runs: the
    big intermediate must be gone before the next equation finishes."""
    alive_after = []
    refs = []

    keep_p = Primitive("test_keep")
    keep_p.impl = lambda xp, x: refs.append(weakref.ref(x)) or x.sum()
    keep_p.abstract_eval = lambda x: ftrans.ShapedArray((), x.dtype)
    check_p = Primitive("test_check")

    def check(xp, s):
        gc.collect()
        alive_after.append(refs[0]() is not None)
        return s + 1.0
    check_p.impl = check
    check_p.abstract_eval = lambda s: s

    def f(x):
        big = fnp.exp(x)  # an intermediate owned by the generated code
        s = keep_p.bind(big)
        return check_p.bind(s)

    x = np.ones(1000)
    cj = ftrans.make_jaxpr(f)(x)
    src = compile_source(cj.jaxpr)
    assert "del b" in src
    out = compile_numpy(cj.jaxpr)(cj.consts, [x])
    np.testing.assert_allclose(out[0], np.exp(1.0) * 1000 + 1, rtol=1e-12)
    assert alive_after == [False]


def test_dead_buffers_are_reused_with_out():
    f = lambda x: fnp.tanh(fnp.sin(x) * 2.0 + 1.0)
    cj = ftrans.make_jaxpr(f)(np.ones(8))
    src = compile_source(cj.jaxpr)
    assert src.count("out=") == 3  # mul, add and tanh write into sin's buffer
    x = np.linspace(0, 1, 8)
    x_copy = x.copy()
    np.testing.assert_allclose(compile_numpy(cj.jaxpr)(cj.consts, [x])[0],
                               np.tanh(np.sin(x_copy) * 2 + 1), rtol=1e-15)
    np.testing.assert_array_equal(x, x_copy)  # arguments are never written


def test_views_and_arguments_are_never_written():
    def f(x, c):
        t = fnp.transpose(fnp.exp(x))  # a view of exp's buffer
        return fnp.sin(t) + fnp.transpose(c), t
    x, c = np.ones((3, 4)), np.arange(12.0).reshape(3, 4)
    cj = ftrans.make_jaxpr(f)(x, c)
    run = compile_numpy(cj.jaxpr)
    x0, c0 = x.copy(), c.copy()
    y, t = run(cj.consts, [x, c])
    np.testing.assert_allclose(t, np.exp(x0).T)
    np.testing.assert_allclose(y, np.sin(np.exp(x0).T) + c0.T)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(c, c0)


def test_dump_writes_the_generated_code(tmp_path, monkeypatch):
    monkeypatch.setenv("FTRANS_DUMP", str(tmp_path))
    cj = ftrans.make_jaxpr(lambda x: fnp.cos(x))(1.0)
    compile_numpy(cj.jaxpr)
    (dumped,) = list(tmp_path.iterdir())
    assert "_np.cos(a)" in dumped.read_text()


def test_unknown_backend_is_named():
    cj = ftrans.make_jaxpr(lambda x: x)(1.0)
    try:
        compile_jaxpr(cj.jaxpr, "tpu")
    except ValueError as e:
        assert "'tpu'" in str(e) and "numpy" in str(e)
    else:
        raise AssertionError("no error")


def test_scalar_programs_run_on_python_floats_with_numpy_edge_cases():
    f = lambda x, y: fnp.sin(x / y) * fnp.log(y) + x ** 2
    cj = ftrans.make_jaxpr(f)(1.0, 2.0)
    run = compile_numpy(cj.jaxpr)
    assert "def run_scalar" in run.source and "_m.sin" in run.source
    out = run(cj.consts, [np.float64(1.5), np.float64(0.5)])
    assert type(out[0]) is np.float64
    np.testing.assert_allclose(out[0], f(1.5, 0.5), rtol=1e-15)
    with np.errstate(all="ignore"):  # x/0 and log(0): NumPy's inf and nan, not exceptions
        for args in [(1.0, 0.0), (0.0, 0.0), (np.inf, 1.0), (-1.0, -2.0)]:
            got = run(cj.consts, [np.float64(a) for a in args])[0]
            want = f(*[np.float64(a) for a in args])
            np.testing.assert_array_equal(got, want)


def test_many_constants_do_not_collide_with_helper_names():
    def f(x):
        for _ in range(80):  # 80 impl calls with params: globals _f0.._p159
            x = fnp.transpose(x) + 1.0
        return x
    x = np.arange(6.0).reshape(2, 3)
    out = ftrans.jit(f)(x)
    np.testing.assert_array_equal(out, x + 80.0)


def test_matmul_results_are_reused_with_out():
    import ftrans.numpy as fnp
    from ftrans.backends.numpy_backend import compile_source
    cj = ftrans.make_jaxpr(lambda w, x: fnp.tanh(x @ w))(np.ones((3, 3)), np.ones((3, 3)))
    src = compile_source(cj.jaxpr)
    assert "_np.tanh(c, out=c)" in src
    w, x = np.arange(9.0).reshape(3, 3) / 9, np.eye(3)
    np.testing.assert_allclose(ftrans.jit(lambda w, x: fnp.tanh(x @ w))(w, x),
                               np.tanh(x @ w), rtol=1e-15)


def _pads_program(x, y):
    """Sums of zero pads of several layouts (what slicing's transpose makes)."""
    a = lax.pad(fnp.sin(x), 0.0, [(0, 2, 0)])
    b = lax.pad(fnp.cos(x), 0.0, [(2, 0, 0)])
    c = lax.pad(y[:2], 0.0, [(1, 3, 1)])  # interior padding: a strided window
    return (a + b) + c, x + lax.pad(y[:4], 0.0, [(1, 0, 0)])


def _pads_by_hand(x, y):
    a, b, c = np.zeros(7), np.zeros(7), np.zeros(7)
    a[:5], b[2:] = np.sin(x), np.cos(x)
    c[1:4:2] = y[:2]
    return a + b + c, x + np.concatenate([[0.0], y[:4]])


def test_zero_pads_are_added_into_a_dying_buffer():
    """A zero pad that only an add reads is not made: its operand is added in place into the
    other addend when that is a buffer the program owns and no longer needs (else the pad is
    made after all, as for ``x``, an argument)."""
    def f(x, y):
        s, t = _pads_program(x, y)
        return lax.pad(s, 0.0, [(0, 0, 0)]), t
    x, y = np.linspace(0.0, 1.0, 5), np.linspace(2.0, 3.0, 6)
    x0, y0 = x.copy(), y.copy()
    cj = ftrans.make_jaxpr(_pads_program)(x, y)
    src = compile_source(cj.jaxpr)
    assert "_pad_impl" not in src and "_np.zeros(" in src
    assert src.count("_w = ") == 2  # two of the three pads of the first result: in place
    for got, want in zip(compile_numpy(cj.jaxpr)(cj.consts, [x, y]), _pads_by_hand(x0, y0)):
        np.testing.assert_allclose(got, want, rtol=1e-15)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)
    for got, want in zip(ftrans.jit(f)(x, y), _pads_by_hand(x0, y0)):
        np.testing.assert_allclose(got, want, rtol=1e-15)


def test_pads_of_other_values_and_pads_kept_as_results():
    """A pad of a non-zero or -0.0 value fills its buffer with it; a pad that is a result
    (or is read twice) is made, and stays the caller's own array."""
    def f(x):
        p = lax.pad(x, -0.0, [(1, 1, 0)])
        q = lax.pad(x, 2.5, [(0, 1, 1)])
        r = lax.pad(x, 0.0, [(2, 0, 0)])
        return p + r, q, r, r + r
    x = np.array([1.0, -2.0, 3.0])
    cj = ftrans.make_jaxpr(f)(x)
    got = compile_numpy(cj.jaxpr)(cj.consts, [x])
    p = np.array([-0.0, 1.0, -2.0, 3.0, -0.0])
    r = np.array([0.0, 0.0, 1.0, -2.0, 3.0])
    want = [p + r, np.array([1.0, 2.5, -2.0, 2.5, 3.0, 2.5]), r, 2 * r]
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    assert np.signbit(compile_numpy(cj.jaxpr)(cj.consts, [x])[1][0]) == np.signbit(2.5)
    got[2][0] = 7.0  # the caller's own
    np.testing.assert_array_equal(got[3], 2 * r)


def test_literals_keep_the_dtype_of_the_array():
    """Literals are written as 0-d arrays of their dtype beside arrays of that dtype: float32
    and integer programs stay float32 and integer."""
    for x in (np.arange(4, dtype=np.float32), np.arange(4, dtype=np.int32),
              np.arange(4, dtype=np.int64), np.arange(4, dtype=np.complex64)):
        got = ftrans.jit(lambda x: x * 3 + 1, backend="numpy")(x)
        assert got.dtype == x.dtype
        np.testing.assert_array_equal(got, x * 3 + 1)


def test_ufuncs_broadcast_trailing_operands_themselves():
    """x @ w + b: the bias is not broadcast first, the add reads it as NumPy broadcasts it.
    Broadcasts NumPy would not make that way (leading axes kept), read by a non-ufunc, read
    beside no operand of the result's shape, or returned, are made."""
    def f(x, w, b, c):
        h = x @ w + b  # b: (3,) -> (2, 3), trailing: implicit
        col = lax.broadcast_in_dim(c, (2, 3), (0,))  # c: (2,) along the leading axis
        both = lax.broadcast_in_dim(b, (2, 3), (1,)) + lax.broadcast_in_dim(b, (2, 3), (1,))
        kept = lax.broadcast_in_dim(b, (2, 3), (1,))
        return h * col + both, fnp.sum(lax.broadcast_in_dim(c, (4, 2), (1,)), 0), kept
    rng = np.random.default_rng(0)
    x, w, b, c = (rng.standard_normal(s) for s in ((2, 4), (4, 3), (3,), (2,)))
    cj = ftrans.make_jaxpr(f)(x, w, b, c)
    src = compile_source(cj.jaxpr)
    assert src.count("_broadcast_in_dim_impl") == 0  # calls go through _f<n> names
    n_broadcasts = sum(e.prim.name == "broadcast_in_dim" for e in cj.jaxpr.eqns)
    assert src.count("= _f") - sum(e.prim.name == "reduce_sum" for e in cj.jaxpr.eqns) \
        == n_broadcasts - 1, src
    got = compile_numpy(cj.jaxpr)(cj.consts, [x, w, b, c])
    want = [(x @ w + b) * c[:, None] + 2 * b, 4 * c, np.broadcast_to(b, (2, 3))]
    for g, v in zip(got, want):
        np.testing.assert_allclose(g, v, rtol=1e-14)
