"""The array API standard (2023.12) in ``ftrans.numpy`` (issue 14 §4): the functions and
arguments it added, on plain arrays (NumPy's values) and traced under jit, vmap and grad;
item assignment to traced arrays (what SciPy's array-API code needs) and what it refuses;
and traced dtypes the array-api-tests suite found wrong under jit."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.testing import check_grads

rng = np.random.default_rng(14)


# ----------------------------------------------------------------------------- namespace


def test_version_and_inspection():
    assert fnp.__array_api_version__ == "2023.12"
    info = fnp.__array_namespace_info__()
    assert info.devices() == ["cpu"] and info.default_device() == "cpu"
    assert info.default_dtypes() == {"real floating": np.float64,
                                     "complex floating": np.complex128,
                                     "integral": np.int64, "indexing": np.int64}
    assert list(info.dtypes(kind="unsigned integer")) == ["uint8", "uint16", "uint32",
                                                          "uint64"]
    assert list(info.dtypes(kind=("bool", "complex floating"))) == ["bool", "complex64",
                                                                    "complex128"]
    assert set(info.capabilities()) >= {"boolean indexing", "data-dependent shapes"}
    with pytest.raises(ValueError, match="device must be None or 'cpu'.*got 'gpu:1'"):
        info.dtypes(device="gpu:1")
    assert fnp.bool is np.bool_


def test_isdtype_and_can_cast_take_tracers_dtypes():
    assert fnp.isdtype(np.dtype(np.int16), "signed integer")
    assert not fnp.isdtype(np.dtype(np.int16), ("real floating", "bool"))
    assert fnp.can_cast(np.int8, np.int16) and not fnp.can_cast(np.int16, np.int8)

    def f(x):
        assert fnp.isdtype(x.dtype, "real floating") and not fnp.can_cast(x, np.float32)
        assert fnp.finfo(x).bits == 64 and fnp.iinfo(fnp.astype(x, np.int8)).max == 127
        return x * 2.0

    assert float(ftrans.jit(ftrans.grad(f))(1.0)) == 2.0


def test_device_arguments_and_attributes():
    assert fnp.zeros_like(np.ones(2), device="cpu").shape == (2,)
    assert fnp.full(2, 1.0, device="cpu").tolist() == [1.0, 1.0]
    assert fnp.asarray([1.0], device="cpu").device == "cpu"
    with pytest.raises(ValueError, match="linspace: device must be None or 'cpu'"):
        fnp.linspace(0.0, 1.0, 3, device="cuda")

    def f(x):
        assert x.device == "cpu"
        return fnp.sum(x.to_device("cpu").mT[0])

    x = rng.standard_normal((3, 2))
    np.testing.assert_array_equal(ftrans.grad(f)(x), [[1.0, 0.0]] * 3)
    with pytest.raises(ValueError, match="cannot change device inside a trace"):
        ftrans.grad(lambda x: fnp.sum(x.to_device("gpu")))(x)


# ----------------------------------------------------------------------------- copies


def test_asarray_copy_semantics():
    x = np.arange(3.0)
    assert fnp.asarray(x) is x and fnp.asarray(x, copy=None) is x
    y = fnp.asarray(x, copy=True)
    y[0] = 5.0
    assert x[0] == 0.0
    with pytest.raises(ValueError):  # NumPy's: a dtype change needs a copy
        fnp.asarray(x, dtype=np.float32, copy=False)

    def traced(v):
        with pytest.raises(ValueError, match="copy=False forbids"):
            fnp.asarray(v, dtype=np.float32, copy=False)
        assert fnp.asarray(v, copy=False) is v
        return fnp.sum(fnp.asarray(v, dtype=np.float32))

    assert ftrans.jit(traced)(x).dtype == np.float32


def test_astype_and_reshape_copy():
    x = np.array(1.5)
    out = fnp.astype(x, np.int64)
    assert type(out) is np.ndarray and out.shape == () and out == 1  # a 0-d array stays one
    assert fnp.astype(x, x.dtype, copy=False) is x and fnp.astype(x, x.dtype) is not x
    with pytest.raises(ValueError):  # NumPy's: no view of a transposed array as 1-d
        fnp.reshape(np.ones((2, 3)).T, (6,), copy=False)
    assert ftrans.jit(lambda v: fnp.reshape(v, (3, 2), copy=True))(np.ones((2, 3))).shape \
        == (3, 2)


# ----------------------------------------------------------------------------- new functions


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_sort_descending_is_stable(axis):
    x = rng.integers(0, 3, size=(5, 6)).astype(np.float64)
    rows = np.moveaxis(x, axis, -1).reshape(-1, x.shape[axis])
    want = np.stack([sorted(range(len(r)), key=lambda i, r=r: -r[i]) for r in rows])
    want = np.moveaxis(want.reshape(np.moveaxis(x, axis, -1).shape), -1, axis)
    for argsort in (lambda v: fnp.argsort(v, axis=axis, descending=True),
                    ftrans.jit(lambda v: fnp.argsort(v, axis=axis, descending=True))):
        np.testing.assert_array_equal(argsort(x), want)
    np.testing.assert_array_equal(fnp.sort(x, axis=axis, descending=True),
                                  -np.sort(-x, axis=axis))
    np.testing.assert_array_equal(fnp.argsort(x, axis=axis),  # ascending: stable too
                                  np.argsort(x, axis=axis, kind="stable"))


def test_sort_descending_derivative():
    x = np.array([0.3, 2.0, -1.0, 0.7])
    check_grads(lambda v: fnp.sort(v, descending=True) * np.arange(1.0, 5.0), (x,))
    np.testing.assert_array_equal(
        ftrans.grad(lambda v: fnp.sort(v, descending=True)[1])(x), [0.0, 0.0, 0.0, 1.0])


def test_std_var_correction():
    x = rng.standard_normal((4, 5))
    for fn, ref in ((fnp.var, np.var), (fnp.std, np.std)):
        np.testing.assert_allclose(fn(x, axis=1, correction=1), ref(x, axis=1, ddof=1))
        np.testing.assert_allclose(ftrans.jit(lambda v, fn=fn: fn(v, axis=0, correction=1.5))(x),
                                   ref(x, axis=0, ddof=1.5))
        with pytest.raises(ValueError, match="ddof and correction"):
            fn(x, ddof=1, correction=1)
    check_grads(lambda v: fnp.var(v, axis=1, correction=1), (x,))


def test_cumulative_sum():
    x = rng.standard_normal((3, 4))
    for axis in (0, 1, -1):
        for initial in (False, True):
            want = np.cumulative_sum(x, axis=axis, include_initial=initial)
            got = ftrans.jit(lambda v, a=axis, i=initial: fnp.cumulative_sum(
                v, axis=a, include_initial=i))(x)
            np.testing.assert_allclose(got, want)
    check_grads(lambda v: fnp.cumulative_sum(v, axis=1, include_initial=True), (x,))
    with pytest.raises(ValueError, match="axis must be given for a 2-d array"):
        ftrans.jit(fnp.cumulative_sum)(x)
    small = np.array([100, 100, 100], np.int8)  # stays int8 and wraps, as in NumPy
    np.testing.assert_array_equal(
        ftrans.jit(lambda v: fnp.cumulative_sum(v, dtype=np.int8))(small),
        np.cumulative_sum(small, dtype=np.int8))


def test_signbit():
    x = np.array([-0.0, 0.0, -np.inf, np.inf, -2.5, 3.0, np.nan, -np.nan])
    want = np.signbit(x)
    np.testing.assert_array_equal(fnp.signbit(x), want)
    np.testing.assert_array_equal(ftrans.jit(fnp.signbit)(x), want)
    np.testing.assert_array_equal(ftrans.vmap(fnp.signbit)(x.reshape(4, 2)), want.reshape(4, 2))
    i = np.array([-3, 0, 4], np.int16)
    np.testing.assert_array_equal(ftrans.jit(fnp.signbit)(i), [True, False, False])
    with pytest.raises(TypeError, match="complex arrays have no sign bit"):
        ftrans.jit(fnp.signbit)(np.ones(2, np.complex128))


def test_unstack_matrix_transpose_vecdot():
    x = rng.standard_normal((2, 3, 4))
    for axis in (0, 1, -1):
        for got, want in zip(ftrans.jit(lambda v, a=axis: fnp.unstack(v, axis=a))(x),
                             np.unstack(x, axis=axis)):
            np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(ftrans.vmap(lambda v: fnp.unstack(v)[1])(x), x[:, 1])
    np.testing.assert_array_equal(ftrans.jit(fnp.matrix_transpose)(x), np.swapaxes(x, -1, -2))
    y = rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))
    np.testing.assert_allclose(ftrans.jit(fnp.vecdot)(x, y), np.vecdot(x, y))
    u8 = np.arange(4, dtype=np.uint8)
    assert ftrans.jit(fnp.vecdot)(u8, u8).dtype == np.uint8  # as NumPy, no widening
    with pytest.raises(ValueError, match="equal lengths"):
        ftrans.jit(fnp.vecdot)(np.ones(4), np.ones((2, 1)))


def test_unique_functions():
    x = np.array([[2.0, 1.0, 2.0], [np.nan, 5.0, np.nan]])
    for name in ("unique_all", "unique_counts", "unique_inverse"):
        got, want = getattr(fnp, name)(x), getattr(np, name)(x)
        assert type(got).__name__ == type(want).__name__ and got._fields == want._fields
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)  # each NaN is its own value
    np.testing.assert_array_equal(fnp.unique_values(x), np.unique_values(x))

    def f(v):
        r = fnp.unique_all(v)
        np.testing.assert_array_equal(r.inverse_indices, np.unique_all(v.val).inverse_indices)
        return fnp.sum(r.values * np.arange(1.0, 4.0))

    # the unique values are the first occurrences: 1 (index 1), 2 (index 0), 5 (index 3)
    np.testing.assert_array_equal(ftrans.grad(f)(np.array([2.0, 1.0, 2.0, 5.0])),
                                  [2.0, 1.0, 0.0, 3.0])


def test_nonzero_with_size_under_jit_and_vmap():
    x = np.array([[0.0, 3.0, 1.0, 0.0], [0.0, 0.0, 5.0, -2.0]])
    full = np.nonzero(x)
    for size in (0, 2, 5, 8):
        got = ftrans.jit(lambda v, s=size: fnp.nonzero(v, size=s, fill_value=(-1, -2)))(x)
        n = min(size, len(full[0]))
        for g, f, fill in zip(got, full, (-1, -2)):
            np.testing.assert_array_equal(g[:n], f[:n])
            np.testing.assert_array_equal(g[n:], fill)
            assert g.shape == (size,) and g.dtype == np.intp
    rows = ftrans.vmap(lambda r: fnp.nonzero(r, size=3)[0])(x)
    np.testing.assert_array_equal(rows, [[1, 2, 0], [2, 3, 0]])
    np.testing.assert_array_equal(ftrans.jit(lambda v: fnp.argwhere(v > 1, size=2))(x),
                                  [[0, 1], [1, 2]])
    np.testing.assert_array_equal(ftrans.jit(lambda v: fnp.flatnonzero(v, size=2))(x), [1, 2])
    with pytest.raises(TypeError, match="size must be a non-negative int"):
        fnp.nonzero(x, size=-1)
    with pytest.raises(ValueError, match="fill_value must be a scalar or a tuple of length 2"):
        fnp.nonzero(x, size=2, fill_value=(0, 0, 0))
    with pytest.raises(ValueError, match="fill_value needs size="):
        fnp.nonzero(x, fill_value=0)


def test_clip_array_api_names():
    x = np.arange(5.0)
    np.testing.assert_array_equal(fnp.clip(x, min=1.0, max=3.0), np.clip(x, 1.0, 3.0))
    np.testing.assert_array_equal(ftrans.jit(lambda v: fnp.clip(v, max=2.0))(x),
                                  np.minimum(x, 2.0))
    np.testing.assert_array_equal(ftrans.jit(lambda v: fnp.clip(v))(x), x)
    with pytest.raises(ValueError, match="pass min= or a_min=, not both"):
        fnp.clip(x, 1.0, a_min=1.0)


def test_fftfreq_dtype():
    assert fnp.fft.fftfreq(6, dtype=np.float32).dtype == np.float32
    np.testing.assert_allclose(fnp.fft.rfftfreq(6, 0.5, dtype=np.float32),
                               np.fft.rfftfreq(6, 0.5))


# ----------------------------------------------------------------------------- item assignment


def _f_assign(x):
    y = fnp.exp(x)
    y[x == fnp.max(x)] = 0.0  # a traced boolean mask
    y[0] = y[0] * 2.0
    return fnp.sum(y * y)


def _f_reference(x):
    y = np.exp(x)
    y[x == np.max(x)] = 0.0
    y[0] = y[0] * 2.0
    return np.sum(y * y)


def test_item_assignment_to_intermediates():
    x = np.array([0.3, -0.2, 1.1, 0.5])
    assert float(_f_assign(x)) == pytest.approx(_f_reference(x))
    assert float(ftrans.jit(_f_assign)(x)) == pytest.approx(_f_reference(x))
    xs = rng.standard_normal((3, 4))
    np.testing.assert_allclose(ftrans.vmap(_f_assign)(xs), [_f_reference(r) for r in xs])
    check_grads(_f_assign, (x,))
    g = np.exp(x) * 2 * np.exp(x) * np.array([4.0, 1.0, 0.0, 1.0])
    np.testing.assert_allclose(ftrans.grad(_f_assign)(x), g)


def test_item_assignment_to_a_copy_leaves_the_input():
    def f(x):
        y = fnp.asarray(x, copy=True)
        y[1:] = y[:-1] * 2.0  # the right side is read before the assignment, as in NumPy
        return y + x

    x = np.array([1.0, 2.0, 3.0])
    want = x + np.concatenate([x[:1], x[:-1] * 2.0])
    np.testing.assert_allclose(f(x), want)
    np.testing.assert_allclose(ftrans.jit(f)(x), want)
    np.testing.assert_allclose(ftrans.jacfwd(f)(x), [[2, 0, 0], [2, 1, 0], [0, 2, 1]])
    y = np.ones(2)
    ftrans.grad(lambda v: fnp.sum(fnp.copy(v).__setitem__(0, 0.0) or v))(y)
    assert y.tolist() == [1.0, 1.0]


def test_item_assignment_refusals():
    x = np.ones((2, 3))

    def to_input(v):
        v[0] = 1.0
        return fnp.sum(v)

    with pytest.raises(TypeError, match=r"immutable.*x\.at\[idx\]\.set\(value\).*input"):
        ftrans.grad(to_input)(x)

    def stale_view(v):
        y = v * 2.0
        row = y[0]
        y[0, 1] = 0.0  # NumPy's row would show this
        return fnp.sum(row)

    with pytest.raises(ValueError, match="used at .* after that other array was assigned"):
        ftrans.grad(stale_view)(x)

    def from_inner(v):
        y = v * 2.0

        def inner(w):
            y[0] = w[0]
            return w

        ftrans.jit(inner)(v)
        return fnp.sum(y)

    with pytest.raises(ValueError, match="from inside an inner one"):
        ftrans.grad(from_inner)(x)

    def after_capture(v):
        y = v * 2.0
        ftrans.jit(lambda w: w + y)(v)  # the inner trace reads y
        y[0] = 0.0
        return fnp.sum(y)

    with pytest.raises(ValueError, match="inner transformation .* has already read"):
        ftrans.grad(after_capture)(x)


def test_masked_update_under_jit():
    x = np.array([1.0, -2.0, 3.0, -4.0])
    f = ftrans.jit(lambda v: v.at[v < 0].set(0.0) + v.at[v > 2].add(10.0))
    np.testing.assert_array_equal(f(x), np.where(x < 0, 0, x) + np.where(x > 2, x + 10, x))
    m = ftrans.jit(lambda v: v.at[v[:, 0] > 2].multiply(-1.0))(x.reshape(2, 2))
    np.testing.assert_array_equal(m, [[1.0, -2.0], [-3.0, 4.0]])  # the second row only


# ----------------------------------------------------------------------------- traced dtypes


def test_traced_integer_reductions_keep_their_dtype():
    x = np.array([[100, 100], [-4, 1]], np.int8)
    for fn in (lambda v: fnp.sum(v, axis=0, dtype=np.int16), lambda v: fnp.sum(v, dtype=np.int8),
               lambda v: fnp.prod(v, axis=1, dtype=np.int8), lambda v: fnp.cumsum(v, axis=0),
               lambda v: fnp.sum(v)):
        got, want = ftrans.jit(fn)(x), fn(x)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_traced_all_any_of_empty_and_0d():
    for x in (np.zeros((0, 3)), np.array(False), np.array(2.0), np.zeros((2, 0))):
        for fn in (fnp.all, fnp.any, lambda v: fnp.all(v, axis=0, keepdims=True)
                   if np.ndim(v) else fnp.all(v)):
            np.testing.assert_array_equal(ftrans.jit(fn)(x), fn(x))


def test_matrix_rank_and_pinv_with_traced_tolerances():
    a = rng.standard_normal((2, 3, 3))
    r = np.array([0.1, 0.9])
    np.testing.assert_array_equal(
        ftrans.jit(lambda m, t: fnp.linalg.matrix_rank(m, rtol=t))(a, r),
        np.linalg.matrix_rank(a, rtol=r))
    np.testing.assert_allclose(ftrans.jit(lambda m, t: fnp.linalg.pinv(m, rtol=t))(a, r),
                               np.linalg.pinv(a, rtol=r), atol=1e-10)


def test_bitwise_shifts_under_vmap_and_jit():
    x = rng.integers(-100, 100, size=(3, 4)).astype(np.int32)
    s = rng.integers(0, 8, size=4).astype(np.int32)
    for fn, ref in ((fnp.bitwise_left_shift, np.left_shift),
                    (fnp.bitwise_right_shift, np.right_shift),
                    (fnp.bitwise_xor, np.bitwise_xor)):
        np.testing.assert_array_equal(ftrans.vmap(fn, (0, None))(x, s), ref(x, s))
        np.testing.assert_array_equal(ftrans.jit(fn)(x, s), ref(x, s))
    np.testing.assert_array_equal(ftrans.vmap(fnp.bitwise_invert)(x), ~x)


def test_qr_complete_of_tall_matrices_under_jit_and_vmap():
    a = rng.standard_normal((2, 5, 3))
    want_q, want_r = np.linalg.qr(a, mode="complete")
    for fn in (ftrans.jit(lambda m: fnp.linalg.qr(m, mode="complete")),
               ftrans.vmap(lambda m: fnp.linalg.qr(m, mode="complete"))):
        q, r = fn(a)
        assert q.shape == (2, 5, 5) and r.shape == (2, 5, 3)
        np.testing.assert_allclose(q, want_q, atol=1e-12)
        np.testing.assert_allclose(r, want_r, atol=1e-12)
    with pytest.raises(NotImplementedError, match="mode='complete' of a tall matrix has no "
                                                  "derivative"):
        ftrans.grad(lambda m: fnp.sum(fnp.linalg.qr(m, mode="complete")[0]))(a[0])
