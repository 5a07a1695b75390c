"""The NumPy API beyond the sample table: traced indices under vmap (the batch rules of
gather and scatter with batched indices), data-dependent shapes on concrete values, ``.at``
semantics against NumPy, einsum against NumPy, and the errors NumPy raises; integer
operands, reductions with ``where``/``initial``, ``isclose``, ``cross`` and ``trapezoid`` on
traced values."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.testing import check_grads

rng = np.random.default_rng(11)


# ----------------------------------------------------------------------------- traced indices

def test_vmap_over_indices_gather():
    x = rng.standard_normal((4, 3))
    idx = np.array([[0, 3], [2, 2], [1, 0]])
    out = ftrans.vmap(lambda i: fnp.take(x, i, axis=0))(idx)
    np.testing.assert_array_equal(out, np.stack([x[i] for i in idx]))
    # a traced index array in Tracer.__getitem__ (a NumPy array indexed by a traced array
    # cannot dispatch: NumPy's own __getitem__ runs; use fnp.take or fnp.asarray(x)[i])
    g = ftrans.grad(lambda x: fnp.sum(ftrans.vmap(lambda i: x[i])(idx) ** 2))(x)
    expected = np.zeros_like(x)
    np.add.at(expected, idx.ravel(), 2 * x[idx.ravel()])
    np.testing.assert_allclose(g, expected)
    cols = np.array([[0, 2], [1, 1], [2, 0]])
    xs = np.stack([x, 2 * x, 3 * x])
    out = ftrans.vmap(lambda x, i: x[:, i], in_axes=(0, 1))(xs, cols.T)
    np.testing.assert_array_equal(out, np.stack([a[:, i] for a, i in zip(xs, cols)]))


def test_vmap_over_values_and_indices_gather():
    xs = rng.standard_normal((3, 5, 2))
    idx = np.array([[4, 0, -1], [1, 1, 2], [0, 3, 3]])

    def f(x, i):
        return fnp.take(x, i, axis=0) ** 2

    out = ftrans.vmap(f)(xs, idx)
    np.testing.assert_allclose(out, np.stack([np.take(x, i, 0) ** 2 for x, i in zip(xs, idx)]))
    g = ftrans.vmap(ftrans.grad(lambda x, i: fnp.sum(f(x, i))))(xs, idx)
    expected = []
    for x, i in zip(xs, idx):
        e = np.zeros_like(x)
        np.add.at(e, i, 2 * np.take(x, i, 0))
        expected.append(e)
    np.testing.assert_allclose(g, np.stack(expected))


@pytest.mark.parametrize("kind", ["add", "set"])
def test_vmap_over_indices_scatter(kind):
    xs = rng.standard_normal((3, 4))
    vs = rng.standard_normal((3, 2))
    idx = np.array([[0, 3], [2, 1], [1, 0]])

    def f(x, i, v):
        return getattr(fnp.at(x)[i], kind)(v)

    def ref(x, i, v):
        x = x.copy()
        if kind == "add":
            np.add.at(x, i, v)
        else:
            x[i] = v
        return x

    expected = np.stack([ref(x, i, v) for x, i, v in zip(xs, idx, vs)])
    for in_axes in [(0, 0, 0), (None, 0, 0), (0, 0, None), (None, 0, None)]:
        args = [a if ax == 0 else a[0] for a, ax in zip((xs, idx, vs), in_axes)]
        exp = expected if in_axes == (0, 0, 0) else np.stack(
            [ref(args[0] if in_axes[0] is None else args[0][b], idx[b],
                 args[2] if in_axes[2] is None else args[2][b]) for b in range(3)])
        out = ftrans.vmap(f, in_axes=in_axes)(*args)
        np.testing.assert_allclose(out, exp)
    check_grads(lambda x, v: fnp.sum(ftrans.vmap(f)(x, idx, v) ** 2), (xs, vs), order=2)


def test_vmap_searchsorted_with_batched_sorted_array():
    a = np.sort(rng.standard_normal((3, 6)), axis=1)
    v = rng.standard_normal((3, 4))
    for side in ("left", "right"):
        out = ftrans.vmap(lambda a, v: fnp.searchsorted(a, v, side=side))(a, v)
        np.testing.assert_array_equal(out, [np.searchsorted(r, w, side) for r, w in zip(a, v)])


# ----------------------------------------------------------------------------- .at vs NumPy

@pytest.mark.parametrize("idx", [np.array([0, 2, 0, 0]), (slice(None), np.array([1, 1])),
                                 (1, slice(None, None, -1)), np.array([[True, False, True],
                                                                       [False, True, True]])])
def test_at_updates_match_numpy(idx):
    x = rng.standard_normal((2, 3)) if isinstance(idx, np.ndarray) and idx.dtype == bool \
        else rng.standard_normal((3, 3))
    shape = np.arange(x.size).reshape(x.shape)[idx].shape
    v = rng.uniform(0.5, 2.0, size=shape)
    ops = {"add": np.add, "multiply": np.multiply, "min": np.minimum, "max": np.maximum}
    for name, ufunc in ops.items():
        ref = x.copy()
        ufunc.at(ref, idx, v)
        np.testing.assert_allclose(getattr(fnp.at(x)[idx], name)(v), ref)
    ref = x.copy()
    ref[idx] = v
    np.testing.assert_allclose(fnp.at(x)[idx].set(v), ref)  # the last duplicate wins
    np.testing.assert_allclose(fnp.at(x)[idx].get(), x[idx])
    for name in ("set", "add", "multiply", "min", "max"):
        check_grads(lambda x, v: fnp.sum(getattr(fnp.at(x)[idx], name)(v) ** 2), (x, v), order=2)


def test_at_duplicates_accumulate_in_vjp():
    g = ftrans.grad(lambda x: fnp.sum(x[np.array([0, 0, 1, 0])]))(np.ones(3))
    np.testing.assert_array_equal(g, [3.0, 1.0, 0.0])
    g = ftrans.grad(lambda v: fnp.sum(fnp.at(np.zeros(3))[np.array([1, 1])]
                                      .set(v) * np.arange(3.0)))(np.ones(2))
    np.testing.assert_array_equal(g, [0.0, 1.0])  # only the write that survives


# ----------------------------------------------------------------------------- data-dependent

def test_boolean_mask_and_nonzero_on_concrete_values():
    x = np.array([0.5, -1.0, 2.0, -0.25])
    g = ftrans.grad(lambda x: fnp.sum(x[x > 0] ** 2))(x)
    np.testing.assert_allclose(g, [1.0, 0.0, 4.0, 0.0])
    g = ftrans.grad(lambda x: fnp.sum(x[fnp.where(x < 0)] ** 3))(x)
    np.testing.assert_allclose(g, [0.0, 3.0, 0.0, 0.1875])
    vals, counts = fnp.unique(np.array([2.0, 1.0, 2.0]), return_counts=True)
    np.testing.assert_array_equal(counts, [1, 2])
    g = ftrans.grad(lambda x: fnp.sum(fnp.unique(x) * np.array([1.0, 10.0])))(
        np.array([2.0, 1.0, 2.0]))
    np.testing.assert_array_equal(g, [10.0, 1.0, 0.0])


@pytest.mark.parametrize("fun", [lambda x: x[x > 0], lambda x: fnp.where(x > 0),
                                 lambda x: fnp.nonzero(x), lambda x: fnp.unique(x)])
def test_data_dependent_shapes_raise_under_abstract_tracing(fun):
    with pytest.raises(ftrans.ConcretizationError, match="concrete value"):
        ftrans.vmap(fun)(np.ones((2, 3)))
    with pytest.raises(ftrans.ConcretizationError):
        ftrans.make_jaxpr(fun)(np.ones(3))


# ----------------------------------------------------------------------------- einsum

@pytest.mark.parametrize("spec, shapes", [
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("abc,cd,bd->a", [(2, 3, 4), (4, 5), (3, 5)]),
    ("ii->", [(3, 3)]),
    ("iij->ji", [(2, 2, 3)]),
    ("...i,...i->...", [(2, 3, 4), (4,)]),
    ("bij,bjk->bki", [(2, 3, 4), (2, 4, 3)]),
    ("i,i,i", [(4,), (4,), (4,)]),
    ("ij,kj", [(2, 3), (1, 3)]),
    ("a,b,c,d->", [(2,), (3,), (2,), (3,)]),
])
def test_einsum_matches_numpy(spec, shapes):
    ops = [rng.standard_normal(s) for s in shapes]
    traced = ftrans.jvp(lambda *a: fnp.einsum(spec, *a), ops, [np.zeros(s) for s in shapes])[0]
    np.testing.assert_allclose(traced, np.einsum(spec, *ops), rtol=1e-12, atol=1e-12)
    check_grads(lambda *a: fnp.einsum(spec, *a), ops, order=1)


def test_einsum_contraction_order_keeps_intermediates_small():
    # a chain of matrix-vector products: the greedy order never forms the 300x300x300 outer
    a, b = np.ones((300, 300)), np.ones(300)
    closed = ftrans.make_jaxpr(lambda a, b: fnp.einsum("ij,jk,kl,l->i", a, a, a, b))(a, b)
    biggest = max(int(np.prod(v.aval.shape)) for e in closed.jaxpr.eqns for v in e.outputs)
    assert biggest <= 300 * 300


# ----------------------------------------------------------------------------- errors

def test_out_of_bounds_static_indices_raise_index_error():
    def run(f):
        ftrans.grad(lambda x: fnp.sum(f(x)))(np.ones((3, 2)))

    with pytest.raises(IndexError, match="index 3 is out of bounds for axis 0 with size 3"):
        run(lambda x: x[3])
    with pytest.raises(IndexError, match="index -4 is out of bounds for axis 0 with size 3"):
        run(lambda x: x[-4, 0])
    with pytest.raises(IndexError, match="out of bounds"):
        run(lambda x: x[np.array([0, 5])])
    with pytest.raises(IndexError, match="index 7 is out of bounds for axis 1 with size 2"):
        run(lambda x: fnp.take(x, [7], axis=1))
    with pytest.raises(IndexError, match="too many indices for array: array is 2-dimensional, "
                                         "but 3 were indexed"):
        run(lambda x: x[0, 0, 0])
    with pytest.raises(IndexError, match="out of bounds"):
        run(lambda x: x.at[np.array([4])].add(1.0))


def test_shape_mismatches_use_numpy_wording():
    with pytest.raises(ValueError, match="all the input array dimensions except for the "
                                         "concatenation axis must match exactly"):
        ftrans.grad(lambda x: fnp.sum(fnp.concatenate([x, np.ones((2, 2))])))(np.ones((3, 3)))
    with pytest.raises(ValueError, match="array split does not result in an equal division"):
        ftrans.grad(lambda x: fnp.sum(fnp.split(x, 2)[0]))(np.ones(3))
    with pytest.raises(ValueError, match="shape-mismatch for sum"):
        ftrans.grad(lambda x: fnp.sum(fnp.tensordot(x, x, axes=([0], [1]))))(np.ones((2, 3)))
    with pytest.raises(ValueError, match="operands could not be broadcast together"):
        ftrans.grad(lambda x: fnp.sum(fnp.einsum("i,i", x, np.ones(4))))(np.ones(3))


def test_non_integer_index_is_rejected():
    with pytest.raises(IndexError, match="only integers, slices"):
        ftrans.grad(lambda x: x[x])(np.ones(3) * 0.5)


def test_tracer_methods_and_iteration():
    x = rng.standard_normal((3, 2))

    def f(x):
        rows = [r for r in x]
        return (len(x) * rows[1][0] + x.squeeze().transpose().dot(x).sum()
                + x.clip(-0.5, 0.5).sum() + x.ravel().max() + x.flatten().min())

    check_grads(f, (x,), order=2)
    assert ftrans.jvp(f, (x,), (np.zeros_like(x),))[0] == pytest.approx(f(x))


# ----------------------------------------------------------------------------- conventions

@pytest.mark.parametrize("fun, x, expected", [
    (fnp.abs, 0.0, 0.0),
    (fnp.sqrt, 0.0, np.inf),
    (fnp.cbrt, 0.0, np.inf),
    (lambda x: fnp.maximum(x, 0.0), 0.0, 0.5),
    (lambda x: fnp.clip(x, 0.0, 1.0), 1.0, 0.5),
    (lambda x: fnp.max(x * np.ones(3) * np.array([1.0, 1.0, 0.5])), 2.0, 1.0),
    (lambda x: fnp.power(0.0, x), 2.0, 0.0),
    (fnp.floor, 1.0, 0.0),
    (lambda x: fnp.prod(x * np.array([0.0, 2.0, 3.0])), 1.0, 0.0),
    (lambda x: fnp.prod(np.array([1.0, 2.0]) * fnp.stack([x, 0.0 * x])), 0.0, 0.0),
])
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_documented_derivative_conventions(fun, x, expected):
    """The table in docs/derivative_conventions.md."""
    assert ftrans.grad(fun)(x) == expected
    assert ftrans.jvp(fun, (x,), (1.0,))[1] == expected


def test_prod_derivative_is_exact_at_a_zero():
    g = ftrans.grad(fnp.prod)(np.array([0.0, 2.0, 3.0]))
    np.testing.assert_array_equal(g, [6.0, 0.0, 0.0])
    g = ftrans.grad(lambda x: fnp.sum(fnp.max(x, axis=0)))(np.array([[1.0, 3.0], [1.0, 2.0]]))
    np.testing.assert_array_equal(g, [[0.5, 1.0], [0.5, 0.0]])


def test_boolean_operators_on_masks():
    x = np.array([0.2, 0.5, 0.9])

    def f(x):
        keep = (x > 0.3) & ~(x > 0.8) | (x < 0.1) ^ (x > 2.0)
        return np.sum(np.where(keep, x ** 2, 0.0))

    np.testing.assert_allclose(ftrans.grad(f)(x), [0.0, 1.0, 0.0])
    np.testing.assert_allclose(ftrans.vmap(f)(np.stack([x, x[::-1]])), [0.25, 0.25])
    # on integers the operators are bitwise, and nothing flows through them
    g = ftrans.grad(lambda x: fnp.sum(x * (fnp.astype(x * 10, np.int64) & 1)))(x)
    np.testing.assert_array_equal(g, [0.0, 1.0, 1.0])  # 2 & 1, 5 & 1, 9 & 1


def test_item_assignment_points_to_at():
    def f(x):
        x[0] = 1.0
        return x

    with pytest.raises(TypeError, match=r"immutable.*x\.at\[idx\]\.set\(value\)"):
        ftrans.grad(lambda x: fnp.sum(f(x)))(np.ones(3))


@pytest.mark.parametrize("name, ufunc", [("add", np.add), ("multiply", np.multiply),
                                         ("min", np.minimum), ("max", np.maximum),
                                         ("set", None)])
def test_at_along_an_inner_axis_with_duplicates(name, ufunc):
    x = rng.standard_normal((3, 4))
    i = np.array([[2, 0], [2, -2]])
    v = rng.uniform(0.5, 2.0, size=(3, 2, 2))
    ref = x.copy()
    if ufunc is None:
        ref[:, i] = v
    else:
        ufunc.at(ref, (slice(None), i), v)
    np.testing.assert_allclose(getattr(fnp.at(x)[:, i], name)(v), ref)
    check_grads(lambda x, v: fnp.sum(getattr(fnp.at(x)[:, i], name)(v) ** 2), (x, v), order=2)
    xs, vs = np.stack([x, 2 * x]), np.stack([v, v + 1])
    out = ftrans.vmap(lambda x, v: getattr(fnp.at(x)[:, i], name)(v))(xs, vs)
    np.testing.assert_allclose(out, [getattr(fnp.at(a)[:, i], name)(b) for a, b in zip(xs, vs)])


# ----------------------------------------------------------------------------- dtypes, where


@pytest.mark.parametrize("name", ["sqrt", "exp", "log1p", "sin", "tanh", "abs", "negative"])
@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint8, np.bool_])
def test_unary_functions_of_integer_arrays_under_a_trace_match_numpy(name, dtype):
    # an integer operand used to crash the "no promotion needed" check on a trace
    x = np.array([1, 2, 3]).astype(dtype)
    if name == "negative" and dtype == np.bool_:
        return  # NumPy itself rejects negative of bool
    f = getattr(fnp, name)
    expected = getattr(np, name)(x)
    out = ftrans.vmap(f)(x)
    assert out.dtype == expected.dtype
    np.testing.assert_allclose(out, expected, rtol=1e-3)
    # and as a constant factor inside a derivative
    g = ftrans.grad(lambda s: fnp.sum(f(fnp.asarray(x)) * s))(1.0)
    assert abs(g - float(np.sum(expected.astype(float)))) < 1e-2


def test_gradient_of_product_over_an_empty_array():
    # prod of nothing is 1, constant: its gradient is an empty array (JAX: [])
    g = ftrans.grad(lambda x: fnp.sum(x) + fnp.prod(x))(np.zeros(0))
    assert g.shape == (0,) and g.dtype == np.float64
    g = ftrans.grad(lambda x: fnp.sum(fnp.prod(x, axis=1)))(np.ones((2, 0)))
    assert g.shape == (2, 0)
    y, t = ftrans.jvp(lambda x: fnp.prod(x, axis=0), (np.ones((0, 3)),), (np.ones((0, 3)),))
    np.testing.assert_array_equal(y, np.ones(3))
    np.testing.assert_array_equal(t, np.zeros(3))


_M = np.array([[0.3, -1.2, 0.8, 2.0], [-0.4, 0.9, -2.2, 1.1], [1.5, -0.1, 0.2, -0.6]])
_W = _M > 0
@pytest.mark.parametrize("name, f", [
    ("sum where", lambda m, a: m.sum(a, where=_W)),
    ("sum where axis keepdims", lambda m, a: m.sum(a, axis=0, where=_W[0], keepdims=True)),
    ("sum initial", lambda m, a: m.sum(a, axis=1, initial=2.0)),
    ("sum traced where", lambda m, a: m.sum(a, where=a > 0)),
    ("mean where", lambda m, a: m.mean(a, where=_W)),
    ("mean where axis", lambda m, a: m.mean(a, axis=1, where=_W)),
    ("max initial", lambda m, a: m.max(a, axis=0, initial=0.5)),
    ("min where initial", lambda m, a: m.min(a, axis=1, where=_W, initial=9.0)),
    ("max empty initial", lambda m, a: m.max(a[:, :0], axis=1, initial=1.0)),
])
def test_reductions_with_where_and_initial_match_numpy(name, f):
    expected = f(np, _M)
    out = ftrans.jit(lambda a: f(fnp, a))(_M)
    assert np.shape(out) == np.shape(expected)
    assert np.asarray(out).dtype == np.asarray(expected).dtype
    np.testing.assert_allclose(out, expected, rtol=1e-14)


def test_reductions_with_where_and_initial_differentiate():
    from ftrans.testing import check_grads
    check_grads(lambda a: fnp.mean(a, axis=1, where=_W), (_M,), order=2)
    check_grads(lambda a: fnp.max(a, axis=0, initial=-0.2), (_M,), order=1)
    check_grads(lambda a: fnp.sum(a ** 2, where=_W), (_M,), order=2)
    with pytest.raises(ValueError, match="to use a where mask one has to specify 'initial'"):
        ftrans.jit(lambda a: fnp.max(a, where=_W))(_M)


@pytest.mark.parametrize("kw", [{}, dict(equal_nan=True), dict(rtol=0.1), dict(atol=0.2)])
def test_isclose_and_allclose_of_tracers_match_numpy(kw):
    a = np.array([1.0, np.inf, -np.inf, np.nan, 1e-9, 100.0, 2.0])
    b = np.array([1.0 + 1e-9, np.inf, np.inf, np.nan, 0.0, 100.001, 2.1])
    out = ftrans.vmap(lambda x, y: fnp.isclose(x, y, **kw))(a, b)
    np.testing.assert_array_equal(out, np.isclose(a, b, **kw))
    assert out.dtype == np.bool_
    assert bool(ftrans.jit(lambda x, y: fnp.allclose(x, y, **kw))(a, b)) == \
        np.allclose(a, b, **kw)
    i = np.array([1, 2, 3])
    np.testing.assert_array_equal(ftrans.vmap(lambda x: fnp.isclose(x, 2))(i),
                                  np.isclose(i, 2))


# ----------------------------------------------------------------------------- cross, trapezoid


_RNG = np.random.default_rng(7)
_A3, _B3 = _RNG.normal(size=(4, 3)), _RNG.normal(size=(4, 3))
_Y = _RNG.normal(size=(3, 5))
_X1, _X2 = np.sort(_RNG.normal(size=5)), np.sort(_RNG.normal(size=(3, 5)), axis=1)
@pytest.mark.parametrize("f", [lambda m, a, b: m.cross(a, b),
                               lambda m, a, b: m.cross(a.T, b.T, axis=0),
                               lambda m, a, b: m.cross(a, b[:, :2])])
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_cross_of_tracers_matches_numpy(f):
    out = ftrans.jit(lambda a, b: f(fnp, a, b))(_A3, _B3)
    np.testing.assert_allclose(out, f(np, _A3, _B3), rtol=1e-13)


@pytest.mark.parametrize("f", [lambda m, y: m.trapezoid(y), lambda m, y: m.trapezoid(y, dx=0.3),
                               lambda m, y: m.trapezoid(y, x=_X1),
                               lambda m, y: m.trapezoid(y, axis=0),
                               lambda m, y: m.trapezoid(y, x=_X2),
                               lambda m, y: m.trapezoid(y.T, x=_X2.T, axis=0)])
def test_trapezoid_of_tracers_matches_numpy(f):
    out = ftrans.jit(lambda y: f(fnp, y))(_Y)
    expected = f(np, _Y)
    assert np.shape(out) == np.shape(expected)
    np.testing.assert_allclose(out, expected, rtol=1e-13)


def test_cross_and_trapezoid_derivatives_match_finite_differences():
    from ftrans.testing import check_grads
    check_grads(lambda a, b: fnp.cross(a, b), (_A3, _B3), order=2)
    check_grads(lambda y, x: fnp.trapezoid(y ** 2, x=x), (_Y, _X1), order=2)


def test_moveaxis_of_traced_arrays_checks_its_axes_as_numpy():
    # sequences of axes used to wrap around (axis 5 of 3 moved axis 2) and pair up silently
    x = np.arange(24.0).reshape(2, 3, 4)
    for s, d in [(0, -1), ([0, 1], [2, 0]), ((-1,), (0,)), ([0, 2], [-1, 0]), ([], [])]:
        np.testing.assert_array_equal(ftrans.jit(lambda x: fnp.moveaxis(x, s, d))(x),
                                      np.moveaxis(x, s, d))
    cases = [
        (5, 0, np.exceptions.AxisError,
         "moveaxis: source axis 5 is out of bounds for array of dimension 3"),
        ([0, 5], [1, 2], np.exceptions.AxisError,
         "moveaxis: source axis 5 is out of bounds for array of dimension 3"),
        ([0], [-4], np.exceptions.AxisError,
         "moveaxis: destination axis -4 is out of bounds for array of dimension 3"),
        ([0, 1], [1], ValueError, r"moveaxis: source and destination must have the same "
                                  r"number of axes, got 2 \(\[0, 1\]\) and 1 \(\[1\]\)"),
        ([0, -3], [1, 2], ValueError, r"moveaxis: repeated axis in source \[0, -3\]"),
        ([0, 1], [2, 2], ValueError, r"moveaxis: repeated axis in destination \[2, 2\]"),
        ([0.5], [1], TypeError, r"moveaxis: source must be an integer or a sequence of "
                                r"integers, got \[0.5\]"),
    ]
    for s, d, error, message in cases:
        with pytest.raises(error):
            np.moveaxis(x, s, d)  # NumPy raises the same type
        with pytest.raises(error, match=message):
            ftrans.jit(lambda x: fnp.moveaxis(x, s, d))(x)
