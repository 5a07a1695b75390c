"""Random compositions of transformations against references computed without them.

A corpus of small scalar functions of a vector ``x`` (shape (4,)) is run through random
compositions (jit∘grad, grad∘jit, vmap∘grad, grad∘vmap, vmap∘vmap with different in_axes,
jacfwd∘jacrev, jacrev∘jacfwd, hessian under jit and vmap, jvp of vjp, vmap of a linearized
function, jit with static arguments inside grad). References: Python loops for vmap, central
finite differences for derivatives (second derivatives: differences of the plain ``grad``,
itself checked against differences), the un-jitted function for jit. Then the jit cache and
the compiled executables: no stale results across shapes, dtypes and static values, and no
input or cached value ever overwritten.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ftrans
import ftrans.numpy as fnp
from ftrans import lax
from ftrans.testing import numerical_jvp

N = 4
_W = np.array([[0.3, -0.5, 0.2, 0.7], [0.1, 0.4, -0.6, 0.2], [-0.3, 0.2, 0.5, -0.1]])
_B = np.array([0.1, -0.2, 0.3])
_A0 = np.array([[4.0, 1.0, 0.5, 0.0], [1.0, 3.0, 0.2, 0.1],
                [0.5, 0.2, 5.0, 0.3], [0.0, 0.1, 0.3, 2.0]])


def _elementwise(x: Any) -> Any:
    return fnp.sum(fnp.sin(x) * fnp.exp(x / 3.0) + x ** 2 - fnp.log1p(x * x))


def _layers(x: Any) -> Any:
    h = fnp.tanh(_W @ x + _B)
    return fnp.sum(fnp.tanh(_W.T @ h) * x)


def _reductions(x: Any) -> Any:
    m = fnp.reshape(x, (2, 2))
    lse = fnp.log(fnp.sum(fnp.exp(m), axis=0, keepdims=True))
    return fnp.sum(lse * fnp.mean(m, axis=1, keepdims=True)) + fnp.max(m, axis=1)[0]


def _indexing(x: Any) -> Any:
    y = fnp.at(x)[1].add(x[0] * x[2])
    y = fnp.at(y)[3].set(fnp.sin(y[1]))
    return fnp.sum(y[::2] ** 2) + y[3] * x[1] + fnp.sum(x[fnp.array([2, 0, 2])])


def _concat_stack(x: Any) -> Any:
    c = fnp.concatenate([x, x ** 2], axis=0) * np.arange(1.0, 2 * N + 1)
    s = fnp.stack([x, fnp.sin(x)], axis=1) @ np.array([1.0, 2.0])
    return fnp.sum(c) + fnp.sum(s * s)


def _where_max(x: Any) -> Any:
    return fnp.sum(fnp.where(x > 0, x ** 2, fnp.sin(x))) + fnp.sum(fnp.maximum(x, 0.1) * x)


def _cond(x: Any) -> Any:
    return lax.cond(fnp.sum(x) > 0, lambda v: fnp.sum(fnp.sin(v) * v),
                    lambda v: fnp.sum(v ** 3), x)


def _scan(x: Any) -> Any:
    def step(c: Any, w: Any) -> tuple[Any, Any]:
        c = fnp.tanh(c * w + 0.1)
        return c, fnp.sum(c * c)
    c, ys = lax.scan(step, x, np.array([1.1, 0.9, 1.3]))
    return fnp.sum(c) + fnp.sum(ys)


def _fori(x: Any) -> Any:
    return fnp.sum(lax.fori_loop(0, 3, lambda i, v: fnp.sin(v) * x + v, x))


def _while(x: Any) -> Any:
    # forward-mode only (like JAX): a fixed trip count keyed on an integer counter
    _, v = lax.while_loop(lambda s: s[0] < 3, lambda s: (s[0] + 1, fnp.cos(s[1]) * x), (0, x))
    return fnp.sum(v)


@ftrans.custom_jvp
def _softplus(x: Any) -> Any:
    return fnp.log1p(fnp.exp(x))


@_softplus.defjvp
def _softplus_jvp(primals: Any, tangents: Any) -> Any:
    (x,), (t,) = primals, tangents
    return _softplus(x), t / (1.0 + fnp.exp(-x))


@ftrans.custom_vjp
def _cube(x: Any) -> Any:
    return x * x * x


_cube.defvjp(lambda x: (_cube(x), x), lambda x, g: (3.0 * x * x * g,))


def _custom(x: Any) -> Any:
    return fnp.sum(_softplus(x) * fnp.sin(x)) + fnp.sum(_cube(x) * x)


def _checkpointed(x: Any) -> Any:
    inner = ftrans.checkpoint(lambda v: fnp.sin(fnp.tanh(v) * v))
    return fnp.sum(inner(x) * x)


def _linalg(x: Any) -> Any:
    a = _A0 + fnp.diag(x * x)
    sol = fnp.linalg.solve(a, x + 1.0)
    chol = fnp.linalg.cholesky(a)
    return fnp.sum(sol * x) + fnp.sum(chol * _A0)


CORPUS: dict[str, Callable] = {f.__name__[1:]: f for f in (
    _elementwise, _layers, _reductions, _indexing, _concat_stack, _where_max, _cond, _scan,
    _fori, _while, _custom, _checkpointed, _linalg)}
FORWARD_ONLY = {"while"}  # while_loop has no reverse mode (as in JAX)


# --- references (no composition)
def fd_grad(f: Callable, x: np.ndarray) -> np.ndarray:
    eye = np.eye(x.size)
    return np.array([float(numerical_jvp(f, (x,), (eye[i],))) for i in range(x.size)])


def fd_jac(g: Callable, x: np.ndarray) -> np.ndarray:
    eye = np.eye(x.size)
    return np.stack([np.asarray(numerical_jvp(g, (x,), (eye[i],))) for i in range(x.size)],
                    axis=-1)


def plain_grad(f: Callable) -> Callable:
    if f in (CORPUS["while"],):
        return lambda x: ftrans.jacfwd(f)(x)
    return ftrans.grad(f)


def close(actual: Any, expected: Any, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    np.testing.assert_allclose(np.asarray(actual, np.float64), expected, rtol=rtol, atol=atol)


# --- compositions: each checks itself against a reference
def c_jit_grad(f: Callable, x: np.ndarray, xs: np.ndarray, n: int) -> None:
    g = ftrans.jacfwd(f) if f is CORPUS["while"] else ftrans.grad(f)
    close(ftrans.jit(g)(x), fd_grad(f, x))


def c_grad_jit(f: Callable, x: np.ndarray, xs: np.ndarray, n: int) -> None:
    jf = ftrans.jit(f)
    close(jf(x), f(x), rtol=1e-12)
    g = ftrans.jacfwd(jf) if f is CORPUS["while"] else ftrans.grad(jf)
    close(g(x), fd_grad(f, x))


def c_vmap_grad(f: Callable, x: np.ndarray, xs: np.ndarray, n: int) -> None:
    close(ftrans.vmap(plain_grad(f))(xs), np.stack([fd_grad(f, r) for r in xs]))


def c_grad_vmap(f: Callable, x: np.ndarray, xs: np.ndarray, n: int) -> None:
    def total(m: Any) -> Any:
        return fnp.sum(ftrans.vmap(f)(m) * np.arange(1.0, m.shape[0] + 1))
    g = ftrans.jacfwd(total) if f is CORPUS["while"] else ftrans.grad(total)
    ref = np.stack([(i + 1) * fd_grad(f, r) for i, r in enumerate(xs)])
    close(g(xs), ref)


def c_vmap_vmap(f: Callable, x: np.ndarray, xs: np.ndarray, n: int) -> None:
    # xs3[i, :, j]: the inner vmap maps axis 1 of a (N, B2) slice... set up (B1, N, B2)
    xs3 = np.stack([xs, xs[::-1] * 0.5], axis=-1)  # (B1, N, 2)
    out = ftrans.vmap(ftrans.vmap(f, in_axes=1), in_axes=0)(xs3)
    ref = np.array([[f(xs3[i, :, j]) for j in range(2)] for i in range(xs3.shape[0])])
    close(out, ref, rtol=1e-12)
    out = ftrans.vmap(ftrans.vmap(f, in_axes=0), in_axes=2, out_axes=1)(xs3)
    close(out, ref, rtol=1e-12)


def _fd_hess(f: Callable, x: np.ndarray) -> np.ndarray:
    return fd_jac(plain_grad(f), x)


def c_jacfwd_jacrev(f: Callable, x: np.ndarray, xs: np.ndarray, n: int) -> None:
    if f is CORPUS["while"]:
        return c_jacfwd_jacfwd(f, x)
    close(ftrans.jacfwd(ftrans.jacrev(f))(x), _fd_hess(f, x), rtol=1e-4, atol=1e-5)


def c_jacfwd_jacfwd(f: Callable, x: np.ndarray) -> None:
    close(ftrans.jacfwd(ftrans.jacfwd(f))(x), _fd_hess(f, x), rtol=1e-4, atol=1e-5)


def c_jacrev_jacfwd(f: Callable, x: np.ndarray, xs: np.ndarray, n: int) -> None:
    if f is CORPUS["while"]:
        return c_jacfwd_jacfwd(f, x)
    close(ftrans.jacrev(ftrans.jacfwd(f))(x), _fd_hess(f, x), rtol=1e-4, atol=1e-5)


def _hess(f: Callable) -> Callable:
    return ftrans.jacfwd(ftrans.jacfwd(f)) if f is CORPUS["while"] else ftrans.hessian(f)


def c_jit_hessian(f: Callable, x: np.ndarray, xs: np.ndarray, n: int) -> None:
    close(ftrans.jit(_hess(f))(x), _hess(f)(x), rtol=1e-10, atol=1e-12)
    close(_hess(ftrans.jit(f))(x), _fd_hess(f, x), rtol=1e-4, atol=1e-5)


def c_vmap_hessian(f: Callable, x: np.ndarray, xs: np.ndarray, n: int) -> None:
    close(ftrans.vmap(_hess(f))(xs), np.stack([_hess(f)(r) for r in xs]),
          rtol=1e-10, atol=1e-12)


def c_jvp_of_vjp(f: Callable, x: np.ndarray, xs: np.ndarray, n: int) -> None:
    if f is CORPUS["while"]:
        return None
    t = xs[0]

    def g(v: Any) -> Any:
        return ftrans.vjp(f, v)[1](1.0)[0]
    _, ht = ftrans.jvp(g, (x,), (t,))
    close(ht, np.asarray(numerical_jvp(plain_grad(f), (x,), (t,))), rtol=1e-4, atol=1e-5)


def c_linearize_vmap(f: Callable, x: np.ndarray, xs: np.ndarray, n: int) -> None:
    y, lin = ftrans.linearize(plain_grad(f), x)
    close(y, fd_grad(f, x))
    ref = np.stack([np.asarray(numerical_jvp(plain_grad(f), (x,), (t,))) for t in xs])
    close(ftrans.vmap(lin)(xs), ref, rtol=1e-4, atol=1e-5)


def c_static_jit_in_grad(f: Callable, x: np.ndarray, xs: np.ndarray, n: int) -> None:
    def scaled(v: Any, k: int) -> Any:
        return f(v * float(k)) / k
    jf = ftrans.jit(scaled, static_argnums=1)

    def g(v: Any) -> Any:
        return jf(v, n) + jf(v, n + 1)
    d = ftrans.jacfwd(g) if f is CORPUS["while"] else ftrans.grad(g)
    ref = fd_grad(lambda v: scaled(v, n) + scaled(v, n + 1), x)
    close(d(x), ref, rtol=1e-4, atol=1e-5)


COMPOSITIONS = {f.__name__[2:]: f for f in (
    c_jit_grad, c_grad_jit, c_vmap_grad, c_grad_vmap, c_vmap_vmap, c_jacfwd_jacrev,
    c_jacrev_jacfwd, c_jit_hessian, c_vmap_hessian, c_jvp_of_vjp, c_linearize_vmap,
    c_static_jit_in_grad)}

_coord = st.floats(-1.2, 1.2, allow_nan=False).filter(lambda v: abs(v) > 0.05
                                                        and abs(v - 0.1) > 0.05)


def _smooth_there(coords: list[float]) -> bool:
    """Points away from the kinks of the corpus (ties in max, the sign of cond's
    predicate), so finite differences are a valid reference."""
    rows = np.array(coords).reshape(-1, N)
    gaps = np.abs(rows[:, :, None] - rows[:, None, :]) + np.eye(N)
    return bool(gaps.min() > 0.02 and np.abs(rows.sum(axis=1)).min() > 0.05)


_points = st.lists(_coord, min_size=3 * N, max_size=3 * N).filter(_smooth_there)


@settings(max_examples=120, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(CORPUS)), st.sampled_from(sorted(COMPOSITIONS)),
       _points, st.integers(1, 3))
def test_random_compositions(fname: str, comp: str, coords: list[float], n: int) -> None:
    """Each composition of transformations agrees with its reference on each function."""
    f = CORPUS[fname]
    data = np.array(coords).reshape(3, N)
    x, xs = data[0], data  # xs: a batch of 3
    COMPOSITIONS[comp](f, x, xs, n)


@pytest.mark.parametrize("fname", sorted(CORPUS))
def test_every_function_under_every_composition(fname: str) -> None:
    """The whole grid once, at one point (hypothesis samples it at random points)."""
    x = np.array([0.3, -0.7, 0.9, 0.45])
    xs = np.stack([x, x[::-1], -0.5 * x])
    for comp in COMPOSITIONS.values():
        comp(CORPUS[fname], x, xs, 2)


# --- the jit cache and the compiled executables
def _jitted_variants(f: Callable) -> list[tuple[Callable, bool]]:
    """(jitted function, whether it takes a batch)."""
    g = plain_grad(f)
    return [(ftrans.jit(f), False), (ftrans.jit(g), False), (ftrans.jit(ftrans.vmap(g)), True),
            (ftrans.jit(_hess(f)), False),
            (ftrans.jit(lambda v: (f(v), v * 1.0, np.arange(3.0))), False)]


def _copy_tree(t: Any) -> Any:
    return ftrans.tree_util.tree_map(lambda a: np.array(a, copy=True), t)


def _scribble(t: Any) -> None:
    """Overwrite every writable array of an output in place, as a caller may."""
    for a in ftrans.tree_util.tree_leaves(t):
        if isinstance(a, np.ndarray) and a.flags.writeable:
            a[...] = -1234.5


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(CORPUS)), _points)
def test_compiled_functions_never_overwrite_inputs_or_cached_values(fname: str,
                                                                      coords: list[float]
                                                                      ) -> None:
    """Calling a jitted function leaves its inputs as they were, and writing into what it
    returned changes neither its inputs nor what the next call returns."""
    data = np.array(coords).reshape(3, N)
    for jf, batched in _jitted_variants(CORPUS[fname]):
        arg = data if batched else data[0].copy()
        arg0 = arg.copy()
        first = jf(arg)
        np.testing.assert_array_equal(arg, arg0)
        expected = _copy_tree(first)
        _scribble(first)
        np.testing.assert_array_equal(arg, arg0)
        again = jf(arg)
        for a, e in zip(ftrans.tree_util.tree_leaves(again),
                        ftrans.tree_util.tree_leaves(expected)):
            np.testing.assert_array_equal(a, e)


def test_jit_output_equal_to_an_input_is_a_fresh_array() -> None:
    """``x * 1.0`` simplifies to ``x``, but the caller still gets a new array, as without
    jit: writing into the result leaves the argument alone."""
    for fun in (lambda v: v * 1.0, lambda v: -(-v) + 0.0, lambda v: (v, v * 2.0)):
        a = np.arange(3.0)
        out = ftrans.jit(fun)(a)
        for leaf in ftrans.tree_util.tree_leaves(out):
            assert not np.shares_memory(leaf, a)


def test_jit_jacobian_of_a_linear_map_does_not_hand_out_the_captured_matrix() -> None:
    """jacrev(C @ x) simplifies to C itself (a captured constant): the caller gets a copy,
    so writing into the Jacobian changes neither C nor the next call."""
    c = np.arange(6.0).reshape(2, 3)
    for jac in (ftrans.jacrev, ftrans.jacfwd):
        jf = ftrans.jit(jac(lambda v: c @ v))
        j = jf(np.ones(3))
        assert not np.shares_memory(j, c)
        j[...] = 0.0
        np.testing.assert_array_equal(c, np.arange(6.0).reshape(2, 3))
        np.testing.assert_array_equal(jf(np.ones(3)), c)


def test_jit_constant_output_is_not_shared_between_calls() -> None:
    jf = ftrans.jit(lambda v: (v + 1.0, np.ones(3), fnp.sum(np.arange(4.0))))
    _, c, _ = jf(np.zeros(3))
    c += 5.0
    np.testing.assert_array_equal(jf(np.zeros(3))[1], np.ones(3))


def test_jit_static_values_that_compare_equal_but_differ_in_type_get_their_own_trace(
) -> None:
    """2, 2.0 and True hash and compare equal; as static arguments they trace differently."""
    x = np.arange(3)
    jf = ftrans.jit(lambda v, n: v * n, static_argnums=1)
    assert jf(x, 2).dtype == np.int64
    assert jf(x, 2.0).dtype == np.float64
    assert jf(x, True).dtype == (x * True).dtype
    assert jf.trace_count == 3
    jk = ftrans.jit(lambda v, *, n: v * n, static_argnames="n")
    assert jk(x, n=2).dtype == np.int64
    assert jk(x, n=2.0).dtype == np.float64


def test_jit_scalar_program_keeps_the_dtype_of_constant_outputs() -> None:
    """A float64 scalar program runs on Python floats; an output that is a constant of
    another dtype (int, bool, float32) keeps that dtype."""
    jf = ftrans.jit(lambda v: (v * 2.0, np.asarray(3), np.asarray(True), np.float32(1.5)))
    outs = jf(1.0)
    assert [np.asarray(o).dtype for o in outs] == [np.float64, np.int64, np.bool_, np.float32]
    assert outs[0] == 2.0 and outs[1] == 3 and outs[2] and outs[3] == np.float32(1.5)


def test_jit_cache_keys_on_shape_and_dtype() -> None:
    jf = ftrans.jit(lambda v: fnp.sum(v * 2, axis=0))
    for a in (np.ones((2, 3), np.float32), np.ones((2, 3)), np.ones((4, 3)),
              np.ones((2, 3), np.int32), np.ones(3)):
        out = jf(a)
        expected = np.sum(a * 2, axis=0)
        assert out.shape == np.shape(expected) and out.dtype == expected.dtype
        np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("transform", [
    lambda f, x: ftrans.grad(f)(x),
    lambda f, x: ftrans.value_and_grad(f)(x)[1],
    lambda f, x: ftrans.vjp(f, x)[1](1.0)[0],
    lambda f, x: ftrans.jvp(lambda v: v * 0.0 + f(v), (x,), (x,))[1],
    lambda f, x: ftrans.linearize(lambda v: v * 0.0 + f(v), x)[1](x),
    lambda f, x: ftrans.vmap(lambda v: v * 0.0 + f(v))(x),
    lambda f, x: ftrans.jit(ftrans.grad(f))(x),
    lambda f, x: ftrans.jit(lambda v: f(v) * np.ones(3))(x),  # mul by ones: a broadcast
])
def test_transformed_results_are_writable_arrays(transform: Callable) -> None:
    """A result that is a broadcast (the gradient of a sum is a stride-0 view of one
    scalar) comes back as a writable array, as NumPy results are; writing into it does not
    change the next result."""
    x = np.arange(3.0)
    g = transform(fnp.sum, x)
    g *= 2.0
    np.testing.assert_array_equal(transform(fnp.sum, x) * 2.0, g)


@pytest.mark.parametrize("wrap", [
    lambda g: g,                                             # indices known: rounds
    lambda g: ftrans.jit(g),                                 # indices traced by jit
    lambda g: lambda v, i: ftrans.vmap(g, in_axes=(0, 0))(v[None], i[None])[0],  # batched
])
def test_gradient_of_set_with_duplicate_traced_indices_goes_to_the_winning_write(
        wrap: Callable) -> None:
    """``x.at[i].set(v)`` with a repeated index keeps the last write; only that update gets
    a gradient, whether the indices are concrete, traced under jit or batched under vmap."""
    x, w = np.zeros(5), np.arange(1.0, 6.0)

    def loss(v: Any, i: Any) -> Any:
        return fnp.sum(fnp.at(x)[i].set(v) * w)
    v, i = np.array([1.0, 2.0, 3.0]), np.array([4, 1, 4])
    np.testing.assert_allclose(wrap(ftrans.grad(loss))(v, i), [0.0, 2.0, 5.0])
    np.testing.assert_allclose(fd_grad(lambda u: loss(u, i), v), [0.0, 2.0, 5.0], atol=1e-8)


@pytest.mark.parametrize("kind", ["multiply", "min", "max", "set", "add"])
def test_updates_with_duplicate_traced_indices_match_concrete_ones(kind: str) -> None:
    """``x.at[i].multiply/min/max(v)`` with a repeated index combines every update there
    (``multiply`` compounds), with the indices concrete, traced by jit or batched by vmap;
    gradients agree with finite differences."""
    x = np.array([[1.5, -2.0, 0.5, 3.0, 1.0], [0.7, 1.1, -0.4, 2.0, -1.2]])

    def f(v: Any, i: Any) -> Any:
        return getattr(fnp.at(x)[:, i], kind)(v)
    v, i = np.array([[2.0, 0.5, -3.0], [1.5, 4.0, 0.25]]), np.array([4, 1, 4])
    expected = f(v, i)
    np.testing.assert_allclose(ftrans.jit(f)(v, i), expected)
    np.testing.assert_allclose(ftrans.vmap(f, in_axes=(None, 0))(v, i[None])[0], expected)
    w = np.arange(1.0, 11.0).reshape(2, 5)

    def loss(u: Any, j: Any) -> Any:
        return fnp.sum(f(u, j) * w)
    ref = np.stack([fd_grad(lambda r: loss(fnp.stack([r, v[1]]) if k == 0 else
                                            fnp.stack([v[0], r]), i), v[k]) for k in range(2)])
    np.testing.assert_allclose(ftrans.grad(loss)(v, i), ref, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ftrans.jit(ftrans.grad(loss))(v, i), ref, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("linalg", [
    lambda a, v: fnp.sum(fnp.linalg.solve(a, v + 1.0)),
    lambda a, v: fnp.sum(fnp.linalg.cholesky(a) * v),
    lambda a, v: fnp.sum(fnp.linalg.inv(a) @ v),
    lambda a, v: fnp.sum(ftrans.scipy.linalg.solve_triangular(a, v, lower=True)),
])
def test_vmap_of_grad_of_cond_with_linalg_in_one_branch(linalg: Callable) -> None:
    """With a batched predicate every branch runs on every element, the branch not taken
    on zero-filled residuals: a singular matrix there must not raise (it is discarded)."""
    a0 = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 5.0]])

    def f(v: Any) -> Any:
        return lax.cond(fnp.sum(v) > 0, lambda u: linalg(a0 + fnp.diag(u * u), u),
                        lambda u: fnp.sum(fnp.sin(u)), v)
    xs = np.array([[0.3, -0.7, 0.9], [-0.3, 0.7, -0.9], [0.5, 0.1, 0.2]])
    g = ftrans.grad(f)
    np.testing.assert_allclose(ftrans.vmap(g)(xs), np.stack([g(r) for r in xs]), rtol=1e-12)
    np.testing.assert_allclose(np.stack([g(r) for r in xs]),
                               np.stack([fd_grad(f, r) for r in xs]), rtol=1e-5, atol=1e-7)


def test_numpy_array_copies_like_numpy() -> None:
    """``ftrans.numpy.array`` copies a NumPy input, as ``np.array`` does (``asarray`` does
    not): writing into the result leaves the argument alone."""
    x = np.arange(3.0)
    y = fnp.array(x)
    assert not np.shares_memory(y, x)
    assert np.shares_memory(fnp.array(x, copy=False), x)
    assert fnp.array(x, dtype=np.float32).dtype == np.float32
    assert np.shares_memory(fnp.asarray(x), x)
    v = ftrans.jit(lambda u: fnp.array(u) * 2.0)(x)
    np.testing.assert_array_equal(v, 2 * x)


_STATICS = (1, 2.0, True, (1, 2), (1.0, 2), "ab")
_CALL = st.tuples(st.sampled_from([(3,), (2, 3), (3, 2), (1,), ()]),
                  st.sampled_from([np.float64, np.float32, np.int32, np.int64]),
                  st.sampled_from(_STATICS), st.booleans())


def _cached_fun(x: Any, s: Any) -> Any:
    k = len(s) if isinstance(s, (tuple, str)) else s
    scale = s[0] if isinstance(s, tuple) else k
    return (fnp.sum(x * scale) + k, fnp.cumsum(x * 1) if fnp.ndim(x) else x * 1,
            np.asarray(scale) * 3)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.lists(_CALL, min_size=2, max_size=12))
def test_jit_cache_never_returns_a_stale_result(calls: list) -> None:
    """One jitted function called with a random sequence of shapes, dtypes, static values
    (equal-comparing ones of different types included) and Python-number or array
    arguments gives what the un-jitted function gives, every time."""
    jf = ftrans.jit(_cached_fun, static_argnums=1)
    for shape, dtype, s, python_number in calls:
        x = (np.arange(int(np.prod(shape))).reshape(shape) + 1).astype(dtype)
        if python_number and shape == ():
            x = x.item()
        expected = _cached_fun(x, s)
        got = jf(x, s)
        for g, e in zip(got, expected):
            assert np.asarray(g).dtype == np.asarray(e).dtype, (shape, dtype, s)
            np.testing.assert_array_equal(g, e)
