"""Beyond one machine (``ftrans.distributed``): ``executor=`` on the Jacobian functions and
``vmap``, ``out="dask"``, ``map_blocks``, faults.

One ``LocalCluster(n_workers=2, processes=True, threads_per_worker=1)`` and one
``ProcessPoolExecutor(2)`` serve the whole module. Results are compared with the
single-process ones with ``assert_array_equal``: equal bit for bit, not just close.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import re
import weakref
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
from samples import SAMPLES

import ftrans
import ftrans.numpy as fnp
from ftrans.api.derivatives import linearized
from ftrans.api.jacobians import BasisRows
from ftrans.distributed import ChunksLostError, last_run, map_blocks
from ftrans.distributed import pickling as dpickle
from ftrans.distributed import worker as dworker
from ftrans.transforms.transpose import transpose_jaxpr

rng = np.random.default_rng(16)
W1 = rng.standard_normal((6, 40)) / 6
W2 = rng.standard_normal((5, 6))


def mlp(x):
    """R^40 -> R^5, with a closure over W1 and W2 and a Python branch on values."""
    h = fnp.tanh(W1 @ fnp.sin(x))
    if fnp.sum(h) > -100.0:  # concrete: a branch on the primal value works
        h = h * fnp.sum(x ** 2)
    return W2 @ h


X0 = rng.standard_normal(40)


def _spawn_pool(**kw):
    return ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"), **kw)


@pytest.fixture(scope="module")
def pool():
    with _spawn_pool() as ex:
        yield ex


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as c:
            yield c


@pytest.fixture(params=["process-pool", "dask"])
def executor(request):
    return request.getfixturevalue("pool" if request.param == "process-pool" else "client")


# ----------------------------------------------------------------------------- pickling

def _printed(closed) -> str:
    """The printed jaxpr, without the addresses of the functions custom rules hold."""
    return re.sub(r" at 0x[0-9a-f]+>", ">", str(closed))


@pytest.mark.parametrize("s", SAMPLES, ids=[f"{s.prim}-{i}" for i, s in enumerate(SAMPLES)])
def test_every_sample_jaxpr_pickles_and_runs_the_same(s):
    """Forward, linear and transposed programs of every row pickle (primitives by name) and
    the unpickled programs compute the same values."""
    cj = ftrans.make_jaxpr(s.fun)(*s.args)
    back = dpickle.loads(dpickle.dumps(cj, "test"))
    assert _printed(back) == _printed(cj)
    assert back.eqns[0].prim is cj.eqns[0].prim  # the registered primitive, by name
    want = ftrans.core.eval_jaxpr(cj.jaxpr, cj.consts, *s.args)
    got = ftrans.core.eval_jaxpr(back.jaxpr, back.consts, *s.args)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    if not all(np.asarray(a).dtype.kind in "fc" for a in s.args):
        return
    _, lin, consts = linearized(s.fun, s.args, False, "test", ["x"] * len(s.args))
    for jaxpr, cs in ((lin, consts), transpose_jaxpr(lin, consts)):
        closed = ftrans.ClosedJaxpr(jaxpr, cs)
        assert _printed(dpickle.loads(dpickle.dumps(closed, "test"))) == _printed(closed)


def test_plain_pickle_suffices_without_custom_rules():
    """Only functions defined in functions (custom rules) need cloudpickle."""
    cj = ftrans.make_jaxpr(lambda x: fnp.cumsum(fnp.sin(x) @ W1.T))(X0[:40])
    back = pickle.loads(pickle.dumps(cj))
    assert str(back) == str(cj)
    x = rng.standard_normal(40)
    np.testing.assert_array_equal(ftrans.core.eval_jaxpr(back.jaxpr, back.consts, x)[0],
                                  ftrans.core.eval_jaxpr(cj.jaxpr, cj.consts, x)[0])


def test_unknown_primitive_name_says_what_to_check():
    with pytest.raises(KeyError, match="no primitive named 'frobnicate'.*same version"):
        ftrans.primitive.primitive_named("frobnicate")


def test_unpicklable_program_names_the_api_and_the_fix(monkeypatch):
    monkeypatch.setattr(dpickle, "_pickler", lambda: pickle)  # as without cloudpickle

    @ftrans.custom_vjp
    def f(x):
        return fnp.sin(x)

    f.defvjp(lambda x: (fnp.sin(x), fnp.cos(x)), lambda c, g: (g * c,))
    with ThreadPoolExecutor(1) as ex:
        with pytest.raises(TypeError, match=r"jacfwd: the program cannot be sent to the "
                                            r"workers.*pip install cloudpickle"):
            ftrans.jacfwd(f, executor=ex)(np.ones(3))


def test_unpicklable_program_on_dask_names_the_api_and_the_fix(client, monkeypatch):
    """Dask serializes the program itself, after the same check."""
    monkeypatch.setattr(dpickle, "_pickler", lambda: pickle)  # as without cloudpickle

    @ftrans.custom_vjp
    def f(x):
        return fnp.sin(x)

    f.defvjp(lambda x: (fnp.sin(x), fnp.cos(x)), lambda c, g: (g * c,))
    with pytest.raises(TypeError, match=r"jacfwd: the program cannot be sent to the "
                                        r"workers.*pip install cloudpickle"):
        ftrans.jacfwd(f, executor=client)(np.ones(3))


# ----------------------------------------------------------------------------- bit for bit

def _first_row_per_primitive():
    seen, rows = set(), []
    for i, s in enumerate(SAMPLES):
        if s.prim not in seen and all(np.asarray(a).dtype.kind == "f" for a in s.args):
            seen.add(s.prim)
            rows.append(pytest.param(s, id=f"{s.prim}-{i}"))
    return rows


@pytest.fixture(scope="module")
def threads():
    with ThreadPoolExecutor(2) as ex:
        yield ex


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # inf rows
@pytest.mark.parametrize("s", _first_row_per_primitive())
def test_every_primitive_shipped_and_compiled_equals_eager(s, threads):
    """The linear and transposed programs of every primitive, pickled, batched and compiled
    by a worker, give the single-process Jacobian bit for bit (a thread pool: the same
    pickling and compiling, without starting processes)."""
    argnums = tuple(range(len(s.args)))
    for mode in (ftrans.jacfwd, ftrans.jacrev):
        try:
            want = mode(s.fun, argnums, chunk_size=2)(*s.args)
        except TypeError:  # complex outputs for jacrev, integer outputs
            continue
        got = mode(s.fun, argnums, chunk_size=2, executor=threads)(*s.args)
        for g, w in zip(ftrans.tree_util.tree_flatten(got)[0],
                        ftrans.tree_util.tree_flatten(want)[0]):
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("name", ["jacfwd", "jacrev", "jacobian"])
def test_jacobians_equal_single_process_bit_for_bit(executor, name):
    jac = getattr(ftrans, name)
    want = jac(mlp, chunk_size=7)(X0)
    got = jac(mlp, chunk_size=7, executor=executor)(X0)
    assert type(got) is np.ndarray and got.shape == (5, 40)
    np.testing.assert_array_equal(got, want)
    stats = last_run()
    assert stats["tasks"] == (6 if name == "jacfwd" else 1)
    assert stats["payload_sends"] <= 4 and stats["chunk_size"] == 7


def test_columns_rows_hessian_pytrees_and_aux_bit_for_bit(executor):
    def f(p, x):
        y = {"a": fnp.sin(p["w"] * x), "b": fnp.sum(p["v"] ** 2) * x[:2]}
        return y, fnp.sum(x)

    p = {"w": rng.standard_normal(4), "v": rng.standard_normal(3)}
    x = rng.standard_normal(4)
    for jac in (ftrans.jacfwd, ftrans.jacrev):
        want = jac(f, argnums=(0, 1), has_aux=True, chunk_size=3)(p, x)
        got = jac(f, argnums=(0, 1), has_aux=True, chunk_size=3, executor=executor)(p, x)
        assert ftrans.tree_util.tree_flatten(got)[1] == ftrans.tree_util.tree_flatten(want)[1]
        for g, w in zip(ftrans.tree_util.tree_flatten(got)[0],
                        ftrans.tree_util.tree_flatten(want)[0]):
            np.testing.assert_array_equal(g, w)
    cols = [0, 7, 39, 12]
    np.testing.assert_array_equal(
        ftrans.jacobian_columns(mlp, cols, chunk_size=3, executor=executor)(X0),
        ftrans.jacobian_columns(mlp, cols, chunk_size=3)(X0))
    np.testing.assert_array_equal(
        ftrans.jacobian_rows(mlp, [4, 1], chunk_size=1, executor=executor)(X0),
        ftrans.jacobian_rows(mlp, [4, 1], chunk_size=1)(X0))
    loss = lambda x: fnp.sum(mlp(x) ** 2)  # noqa: E731
    H = ftrans.hessian(loss, chunk_size=9, executor=executor)(X0)
    np.testing.assert_array_equal(H, ftrans.hessian(loss, chunk_size=9)(X0))
    np.testing.assert_allclose(H, H.T, rtol=1e-10, atol=1e-12)


def test_sparse_jacobian_and_hessian_bit_for_bit(executor):
    from ftrans import lax

    def tridiagonal(x):
        zero = np.zeros(())
        left = lax.pad(lax.slice_(x, (0,), (x.shape[0] - 1,)), zero, [(1, 0, 0)])
        right = lax.pad(lax.slice_(x, (1,), (x.shape[0],)), zero, [(0, 1, 0)])
        return left - 2.0 * x * x + 3.0 * right + x[0] * fnp.sum(x)  # a dense column

    x = rng.standard_normal(60)
    J = ftrans.sparse_jacobian(tridiagonal, chunk_size=1, executor=executor)(x)
    want = ftrans.sparse_jacobian(tridiagonal, chunk_size=1)(x)
    assert J.num_passes == want.num_passes and J.mode == want.mode
    np.testing.assert_array_equal(J.values, want.values)
    np.testing.assert_allclose(J.todense(), ftrans.jacfwd(tridiagonal)(x), rtol=1e-12)
    h = lambda x: fnp.sum(fnp.sin(x[1:] - x[:-1]) ** 2)  # noqa: E731
    H = ftrans.sparse_hessian(h, chunk_size=2, executor=executor)(x)
    np.testing.assert_array_equal(H.values, ftrans.sparse_hessian(h, chunk_size=2)(x).values)


def test_vmap_shards_of_elementwise_code_equal_vmap_bit_for_bit(executor):
    scale = rng.standard_normal(40)  # a closure: the function is traced here, not shipped

    def per_example(w, x, y):
        return {"g": ftrans.grad(lambda w: fnp.sum((fnp.tanh(w * x) - y) ** 2))(w) * scale,
                "n": fnp.sum(w), "x2": x[:3] * 2.0}

    X, Y = rng.standard_normal((70, 40)), rng.standard_normal((40, 70))
    w = rng.standard_normal(40)
    for in_axes, out_axes in (((None, 0, 1), 0), ((None, 0, 1), {"g": 1, "n": None,
                                                                   "x2": 0})):
        want = ftrans.vmap(per_example, in_axes, out_axes)(w, X, Y)
        got = ftrans.vmap(per_example, in_axes, out_axes, executor=executor)(w, X, Y)
        assert got.keys() == want.keys()
        for k in want:
            np.testing.assert_array_equal(got[k], want[k])
    assert last_run()["tasks"] == 4  # 70 rows: shards of 16 rows at least
    # a matrix product: BLAS may pick another kernel for 17 rows than for 70
    mm = ftrans.vmap(lambda x: fnp.tanh(W1 @ x), executor=executor)(X)
    np.testing.assert_allclose(mm, ftrans.vmap(lambda x: fnp.tanh(W1 @ x))(X), rtol=1e-14,
                               atol=1e-15)


def test_the_users_function_never_runs_on_a_worker(pool):
    """Only the traced program travels: a function that refuses to run outside the caller's
    process, closing over a local array, is fine."""
    caller, w = os.getpid(), rng.standard_normal(40)

    def guarded(x):
        if os.getpid() != caller:
            raise AssertionError("the user's function ran on a worker")
        return fnp.sin(x * w)

    np.testing.assert_array_equal(ftrans.jacfwd(guarded, chunk_size=10, executor=pool)(X0),
                                  ftrans.jacfwd(guarded, chunk_size=10)(X0))
    g = ftrans.vmap(ftrans.grad(lambda x: fnp.sum(guarded(x))), executor=pool)
    np.testing.assert_array_equal(g(np.ones((6, 40))),
                                  ftrans.vmap(ftrans.grad(lambda x: fnp.sum(guarded(x))))(
                                      np.ones((6, 40))))


def test_custom_rules_travel_with_cloudpickle(executor):
    pytest.importorskip("cloudpickle")
    k = 3.0

    @ftrans.custom_vjp
    def f(x):
        return fnp.sin(x) * k

    f.defvjp(lambda x: (fnp.sin(x) * k, fnp.cos(x) * k), lambda c, g: (g * c,))
    fn = lambda x: f(x) * x  # noqa: E731
    x = rng.standard_normal(12)
    for jac in (ftrans.jacfwd, ftrans.jacrev):
        np.testing.assert_array_equal(jac(fn, chunk_size=5, executor=executor)(x),
                                      jac(fn, chunk_size=5)(x))


def test_workers_keep_compiled_programs_between_tasks_and_calls(client):
    client.run(dworker.reset)
    ftrans.jacfwd(mlp, chunk_size=8, executor=client)(X0)  # 5 chunks of 8
    first = client.run(dworker.stats)
    assert sum(s["chunks"] for s in first.values()) == 5
    assert all(s["compiles"] <= 1 and s["loads"] <= 1 for s in first.values())
    ftrans.jacfwd(mlp, chunk_size=8, executor=client)(rng.standard_normal(40))
    second = client.run(dworker.stats)
    # a new point: new residuals (loaded once per worker), the same compiled program
    assert sum(s["chunks"] for s in second.values()) == 10
    assert all(second[w]["compiles"] == first[w]["compiles"] for w in first)
    assert last_run()["payload_sends"] == 2 and last_run()["workers"] == 2
    run = last_run()  # the run's timeline: shipped, submitted, first result, done
    assert 0 < run["ship_s"] <= run["submitted_s"] <= run["first_result_s"] <= run["wall_s"]
    busy = [second[w]["busy_s"] - first[w]["busy_s"] for w in first]
    assert all(b >= 0 for b in busy) and 0 < sum(busy)


def test_a_worker_without_the_program_asks_for_it():
    """The plain executors' protocol, in this process: a task with only the digest misses
    until the bytes came once; then the program is kept (and compiled once per size)."""
    jaxpr = ftrans.make_jaxpr(lambda x: 3.0 * x)(np.ones(4)).jaxpr
    prog = dworker.Program("seeds", pickle.dumps(jaxpr), "k3x", [], jaxpr.in_avals, False,
                           seeds=BasisRows(4, [0, 1, 2, 3], np.float64, False))
    payload = dpickle.dumps(prog, "test")
    key = dpickle.digest(payload)
    dworker.reset()
    assert dworker.run_keyed(key, None, "chunk", 0, 2) == (dworker.MISS, dworker.worker_id())
    who, (out,) = dworker.run_keyed(key, payload, "chunk", 0, 2)
    np.testing.assert_array_equal(out, 3.0 * np.eye(4)[:2])
    who, (out,) = dworker.run_keyed(key, None, "chunk", 2, 4)
    np.testing.assert_array_equal(out, 3.0 * np.eye(4)[2:])
    assert who == dworker.worker_id()
    s = dworker.stats()
    assert (s["misses"], s["loads"], s["compiles"], s["chunks"]) == (1, 1, 1, 2)


def test_a_workers_chunks_share_one_zeroed_seed_buffer():
    """A worker writes each chunk's basis vectors into one buffer per thread and clears them
    after: the buffer is all zeros between chunks, and no output views it (not even the
    identity's, which the next chunk would overwrite)."""
    jaxpr = ftrans.make_jaxpr(lambda x: x)(np.ones(5)).jaxpr
    prog = dworker.Program("seeds", pickle.dumps(jaxpr), "id5", [], jaxpr.in_avals, False,
                           seeds=BasisRows(5, [4, 3, 2, 1, 0], np.float64, False))
    dworker.reset()
    (a,) = dworker.run_chunk(prog, 0, 2)
    (b,) = dworker.run_chunk(prog, 2, 4)
    (c,) = dworker.run_chunk(prog, 4, 5)
    np.testing.assert_array_equal(np.concatenate([a, b, c]), np.eye(5)[::-1])
    buf = dworker._thread.seeds[1]
    assert buf.shape == (2, 5) and not buf.any()
    assert not any(np.shares_memory(o, buf) for o in (a, b, c))
    assert dworker.stats()["compiles"] == 2  # chunks of 2 and of 1
    # the next program's buffer is made after the last one is freed (peak: one buffer)
    old = weakref.ref(buf)
    del buf

    class Checked(BasisRows):
        def buffer(self, k):
            assert old() is None
            return super().buffer(k)

    nxt = dworker.Program("seeds", pickle.dumps(jaxpr), "id5", [], jaxpr.in_avals, False,
                          seeds=Checked(5, [0, 1, 2, 3, 4], np.float64, False))
    np.testing.assert_array_equal(dworker.run_chunk(nxt, 1, 3)[0], np.eye(5)[1:3])


def test_a_dask_clients_executor_is_its_client(client):
    """``client.get_executor()`` is a concurrent.futures.Executor; its client ships the
    program (scattered once per worker)."""
    np.testing.assert_array_equal(
        ftrans.jacrev(mlp, chunk_size=2, executor=client.get_executor())(X0),
        ftrans.jacrev(mlp, chunk_size=2)(X0))
    assert last_run()["payload_sends"] == 2 and last_run()["tasks"] == 3


def test_plain_executor_sends_the_program_about_once_per_worker(pool):
    ftrans.jacfwd(mlp, chunk_size=1, executor=pool)(X0)
    stats = last_run()
    assert stats["tasks"] == 40 and stats["payload_sends"] <= 4
    assert stats["payload_bytes"] > W1.nbytes  # the residuals travel with it


def test_chunk_size_auto_from_the_workers_memory(executor):
    want = ftrans.jacfwd(mlp, chunk_size=3)(X0)
    got = ftrans.jacfwd(mlp, chunk_size="auto", max_memory=40_000, executor=executor)(X0)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    assert last_run()["chunk_size"] < 40 and last_run()["tasks"] > 1
    ftrans.jacfwd(mlp, chunk_size="auto", executor=executor)(X0)  # the workers' own budget
    assert last_run()["chunk_size"] == 5  # 4 chunks per worker: memory is no limit here
    with pytest.raises(ValueError, match="jacfwd: a worker's memory budget of 100 bytes is "
                                         "too small"):
        ftrans.jacfwd(mlp, chunk_size="auto", max_memory=100, executor=executor)(X0)


def test_under_another_transformation_chunks_run_in_the_caller(pool):
    """Traced values cannot be shipped: under jit or grad the chunks run locally."""
    f = ftrans.jit(ftrans.jacfwd(lambda x: fnp.sin(x) * x, executor=pool))
    np.testing.assert_allclose(f(X0), np.diag(np.cos(X0) * X0 + np.sin(X0)), rtol=1e-12)
    g = ftrans.grad(lambda x: fnp.sum(ftrans.jacrev(fnp.sin, executor=pool)(x)))(X0[:5])
    np.testing.assert_allclose(g, -np.sin(X0[:5]), rtol=1e-12)


def test_bad_arguments_name_themselves():
    with pytest.raises(TypeError, match=r"jacrev: executor must be a concurrent.futures."
                                        r"Executor .* or a dask.distributed.Client, got int"):
        ftrans.jacrev(mlp, executor=4)
    with pytest.raises(ValueError, match=r"jacfwd: out must be None or 'dask', got 'numpy'"):
        ftrans.jacfwd(mlp, out="numpy")
    with pytest.raises(TypeError, match="vmap: executor must be"):
        ftrans.vmap(mlp, executor="dask")
    with pytest.raises(TypeError, match="sparse_jacobian: executor must be"):
        ftrans.sparse_jacobian(mlp, executor=[])
    with ThreadPoolExecutor(1) as ex:
        with pytest.raises(TypeError, match=r"jacfwd: out='dask' needs executor= a "
                                            r"dask.distributed.Client.*ThreadPoolExecutor"):
            ftrans.jacfwd(mlp, executor=ex, out="dask")(X0)


# ----------------------------------------------------------------------------- Dask arrays

def test_out_dask_is_lazy_and_blockwise(client):
    da = pytest.importorskip("dask.array")
    client.run(dworker.reset)
    J = ftrans.jacfwd(mlp, chunk_size=8, executor=client, out="dask")(X0)
    assert isinstance(J, da.Array) and J.shape == (5, 40) and J.dtype == np.float64
    assert J.chunks == ((5,), (8,) * 5) and type(J._meta) is np.ndarray
    assert sum(s["chunks"] for s in client.run(dworker.stats).values()) == 0  # lazy
    want = ftrans.jacfwd(mlp, chunk_size=8)(X0)
    v = rng.standard_normal(40)
    np.testing.assert_allclose((J @ v).compute(), want @ v, rtol=1e-12)
    np.testing.assert_array_equal(J.compute(), want)
    R = ftrans.jacrev(mlp, chunk_size=2, out="dask")(X0)  # the current client
    assert R.chunks == ((2, 2, 1), (40,))
    np.testing.assert_array_equal(R.compute(), ftrans.jacrev(mlp, chunk_size=2)(X0))
    C = ftrans.jacobian_columns(mlp, [3, 1], chunk_size=1, executor=client, out="dask")(X0)
    np.testing.assert_array_equal(C.compute(),
                                  ftrans.jacobian_columns(mlp, [3, 1], chunk_size=1)(X0))


def test_a_jacobian_larger_than_gathered_is_reduced_on_the_workers(client):
    """A 3,000 x 3,000 Jacobian (72 MB) in 12 blocks: persisted on the workers and reduced
    there (column norms, a Jacobian-vector product); only the reductions come back."""
    da = pytest.importorskip("dask.array")
    from distributed import futures_of, wait
    n = 3000
    a = rng.standard_normal(n)
    f = lambda x: fnp.tanh(fnp.cumsum(x * a)) + x  # noqa: E731  (dense lower triangle)
    x = rng.standard_normal(n) / 30
    J = ftrans.jacfwd(f, chunk_size=250, executor=client, out="dask")(x).persist()
    assert isinstance(J, da.Array) and J.numblocks == (1, 12)
    wait(J)
    who = client.who_has(futures_of(J))
    assert len(who) == 12 and all(who.values())  # every block lives on a worker
    v = rng.standard_normal(n)
    jv, norms = client.compute([J @ v, (J ** 2).sum(axis=0)], sync=True)
    _, want_jv = ftrans.jvp(f, (x,), (v,))
    np.testing.assert_allclose(jv, want_jv, rtol=1e-10, atol=1e-12)
    cols = ftrans.jacobian_columns(f, [0, n // 2, n - 1])(x)
    np.testing.assert_allclose(norms[[0, n // 2, n - 1]], (cols ** 2).sum(axis=0), rtol=1e-12)
    del J


def test_map_blocks_runs_a_batched_derivative_per_block(client):
    da = pytest.importorskip("dask.array")
    w = rng.standard_normal(7)
    X, y = rng.standard_normal((50, 7)), rng.standard_normal(50)

    def loss(w, x, y):
        return (fnp.tanh(x @ w) - y) ** 2

    per_example = ftrans.vmap(ftrans.grad(loss), in_axes=(None, 0, 0))
    Xd, yd = da.from_array(X, chunks=(16, 7)), da.from_array(y, chunks=25)
    G = map_blocks(per_example, w, Xd, yd)  # y rechunked to X's blocks
    assert G.shape == (50, 7) and G.chunks == ((16, 16, 16, 2), (7,))
    assert G.dtype == np.float64 and type(G._meta) is np.ndarray
    np.testing.assert_array_equal(G.compute(), per_example(w, X, y))
    both = map_blocks(lambda x: {"v": fnp.sum(x, axis=1), "g": x * 2.0}, Xd)
    assert both["v"].chunks == ((16, 16, 16, 2),)
    np.testing.assert_array_equal(both["g"].compute(), X * 2.0)
    # vmap given Dask arrays: the same, lazily (a NumPy mapped input follows their blocks)
    V = ftrans.vmap(ftrans.grad(loss), in_axes=(None, 0, 0))(w, Xd, y)
    assert V.chunks == G.chunks
    np.testing.assert_array_equal(V.compute(), per_example(w, X, y))
    with pytest.raises(ValueError, match=r"vmap over Dask arrays maps along axis 0, but input "
                                         r"leaf 0 \(argument 0 \('x'\)\) has in_axes=1"):
        ftrans.vmap(lambda x: x, in_axes=1)(Xd)
    with pytest.raises(ValueError, match=r"input leaf 0 \(argument 0 \('w'\)\) is an "
                                         r"unmapped Dask array"):
        ftrans.vmap(loss, in_axes=(None, 0, 0))(da.from_array(w), Xd, yd)
    with pytest.raises(TypeError, match="map_blocks: none of the arguments is a dask"):
        map_blocks(per_example, w, X, y)
    with pytest.raises(ValueError, match=r"Dask array argument leaf 2 has shape \(49,\)"):
        map_blocks(per_example, w, Xd, yd[:49])
    with pytest.raises(ValueError, match=r"Dask array argument leaf 0 is 0-d"):
        map_blocks(lambda x: x, da.ones((), chunks=()))
    with pytest.raises(ValueError, match=r"output leaf 0 of <lambda> has shape \(7,\) for a "
                                         r"block of 16 rows"):
        map_blocks(lambda x: fnp.sum(x, axis=0), Xd)


# ----------------------------------------------------------------------------- faults

class _KillOnce:
    """A Dask worker plugin: the first chunk task to start kills its worker process (once,
    by a marker file), as a crashed machine would."""

    name = "ftrans-kill-once"

    def __init__(self, marker: str):
        self.marker = marker

    def transition(self, key, start, finish, **kwargs):
        if finish == "executing" and str(key).startswith("ftrans-chunk") \
                and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(1)


def test_a_killed_dask_worker_changes_nothing(client, tmp_path):
    from distributed import WorkerPlugin
    marker = str(tmp_path / "killed")
    plugin = type("KillOnce", (_KillOnce, WorkerPlugin), {})(marker)
    client.register_plugin(plugin, name=_KillOnce.name)
    try:
        got = ftrans.jacfwd(mlp, chunk_size=4, executor=client)(X0)
    finally:
        client.unregister_worker_plugin(_KillOnce.name)
    assert os.path.exists(marker)  # a worker did die
    np.testing.assert_array_equal(got, ftrans.jacfwd(mlp, chunk_size=4)(X0))
    client.wait_for_workers(2, timeout=30)


def test_a_lazy_jacobian_survives_its_workers_restarting(client):
    """A lazy Jacobian's program is a node of its graph: computed after every worker was
    restarted (no data survives), Dask sends it again and the blocks are the same."""
    pytest.importorskip("dask.array")
    J = ftrans.jacfwd(mlp, chunk_size=8, executor=client, out="dask")(X0)
    first = J.compute()
    client.restart()
    client.wait_for_workers(2, timeout=60)
    np.testing.assert_array_equal(J.compute(), first)
    np.testing.assert_array_equal(first, ftrans.jacfwd(mlp, chunk_size=8)(X0))


def test_a_lost_program_is_scattered_again_and_the_rest_resubmitted(client, monkeypatch):
    """The scattered program is plain data Dask cannot recompute: when its last copy is
    lost (a worker died; Dask's memory manager may keep one copy only), the scheduler
    cancels the tasks needing it. ftrans then scatters it again and resubmits what is left;
    here the first copy is dropped at once (cancelled), as a dying worker would."""
    from ftrans.distributed import executors
    real = executors.Target.scatter
    calls = []

    def scatter_then_lose(self, prog, stats=None):
        key, fut = real(self, prog, stats)
        calls.append(key)
        if len(calls) == 1:
            self.client.cancel([fut], force=True)
        return key, fut

    monkeypatch.setattr(executors.Target, "scatter", scatter_then_lose)
    got = ftrans.jacfwd(mlp, chunk_size=4, executor=client)(X0)
    assert len(calls) == 2 and last_run()["rescatters"] == 1
    np.testing.assert_array_equal(got, ftrans.jacfwd(mlp, chunk_size=4)(X0))


def test_a_program_lost_again_and_again_raises_naming_the_task(client, monkeypatch):
    from ftrans.distributed import executors
    real = executors.Target.scatter

    def scatter_and_lose(self, prog, stats=None):
        key, fut = real(self, prog, stats)
        self.client.cancel([fut], force=True)
        return key, fut

    monkeypatch.setattr(executors.Target, "scatter", scatter_and_lose)
    with pytest.raises(Exception) as e:
        ftrans.jacfwd(mlp, chunk_size=4, executor=client)(X0)
    assert type(e.value).__name__ in ("FutureCancelledError", "CancelledError")
    if hasattr(e.value, "add_note"):  # Python 3.11+
        assert e.value.__notes__ == ["(in a chunk task of jacfwd on a Dask worker)"]


def test_when_dask_gives_up_on_a_chunk_the_error_names_the_lost_chunks(client, tmp_path):
    """With no failures allowed, Dask gives up on the chunk whose worker died
    (``KilledWorker``): the error names the chunks not computed; nothing is returned."""
    import dask
    import distributed
    marker = str(tmp_path / "killed")
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=1, processes=True, threads_per_worker=1,
                                      dashboard_address=":0") as cluster, \
                distributed.Client(cluster) as c:
            plugin = type("KillOnce", (_KillOnce, distributed.WorkerPlugin), {})(marker)
            c.register_plugin(plugin, name=_KillOnce.name)
            with pytest.raises(ChunksLostError) as e:
                ftrans.jacfwd(mlp, chunk_size=20, executor=c)(X0)
    msg = str(e.value)
    assert msg.startswith("jacfwd: the Dask cluster failed (KilledWorker")
    assert "of 2 chunks not computed: 0..20" in msg and "no partial result" in msg


def _kill_first_chunk(marker: str) -> None:
    """A ProcessPoolExecutor initializer: this worker dies in its first chunk (once)."""
    real = dworker.run_chunk

    def run_chunk(prog, lo, hi):
        if not os.path.exists(marker):
            open(marker, "w").close()
            os._exit(1)
        return real(prog, lo, hi)

    dworker.run_chunk = run_chunk


def test_a_broken_pool_says_which_chunks_were_lost(tmp_path):
    marker = str(tmp_path / "killed")
    with _spawn_pool(initializer=_kill_first_chunk, initargs=(marker,)) as ex:
        with pytest.raises(ChunksLostError) as e:
            ftrans.jacfwd(mlp, chunk_size=4, executor=ex)(X0)
    msg = str(e.value)
    assert msg.startswith("jacfwd: the ProcessPoolExecutor failed (BrokenProcessPool")
    assert "chunks not computed: " in msg and "0..4" in msg and "(seed vectors lo..hi)" in msg
    assert "Nothing was returned: no partial result" in msg
    assert "make a new executor" in msg


# ----------------------------------------------------------------------------- GPU workers

def _cupy_serialization_without_numba() -> None:
    """Dask ships CuPy arrays through numba (dask-cuda installs it); where numba is missing,
    as beside the emulated device, they are pickled instead."""
    try:
        import numba  # noqa: F401
        return
    except ImportError:
        pass
    import cupy
    from distributed.protocol.serialize import dask_deserialize, dask_serialize
    dask_serialize._lazy.pop("cupy", None)
    dask_deserialize._lazy.pop("cupy", None)
    dask_serialize.register(cupy.ndarray)(lambda x: ({}, [pickle.dumps(x)]))
    dask_deserialize.register(cupy.ndarray)(lambda h, frames: pickle.loads(frames[0]))


@pytest.fixture
def gpu_client(client):
    from ftrans.device import BackendUnavailableError, require_gpu
    try:
        require_gpu()
    except BackendUnavailableError as e:
        pytest.skip(f"no usable CUDA GPU: {e}")
    _cupy_serialization_without_numba()
    client.run(_cupy_serialization_without_numba)
    client.run(dworker.reset)
    return client


@pytest.mark.gpu
def test_gpu_workers_run_chunks_on_their_device(gpu_client):
    import cupy as cp
    da = pytest.importorskip("dask.array")
    x = cp.asarray(X0)
    J = ftrans.jacfwd(mlp, chunk_size=10, executor=gpu_client)(x)
    assert isinstance(J, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(J), ftrans.jacfwd(mlp)(X0), rtol=1e-10, atol=1e-12)
    Jd = ftrans.jacfwd(mlp, chunk_size=10, executor=gpu_client, out="dask")(x)
    assert isinstance(Jd._meta, cp.ndarray)
    assert isinstance(Jd.compute(), cp.ndarray)
    X = rng.standard_normal((30, 40))
    Xd = da.from_array(cp.asarray(X), chunks=(10, 40), asarray=False)
    g = ftrans.vmap(ftrans.grad(lambda x: fnp.sum(fnp.tanh(W1 @ x))))
    G = map_blocks(g, Xd)
    assert isinstance(G._meta, cp.ndarray)
    out = G.compute()
    assert isinstance(out, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(out), g(X), rtol=1e-10, atol=1e-12)
    stats = gpu_client.run(dworker.stats).values()
    assert sum(s["on_gpu"] for s in stats) == 4 + 4 + 3 and sum(s["on_cpu"] for s in stats) == 0
