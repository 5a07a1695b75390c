"""Statistics functions beyond the sample table: values and dtypes against NumPy over many
argument combinations, edge behaviour (NaN, empty and all-NaN slices, bounds), finite
gradients where NumPy gives NaN, ``jit``/``vmap`` with traced counts, NumPy's dispatch, and
bad input (error types and messages naming the argument)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.testing import check_grads

rng = np.random.default_rng(5)
X = rng.standard_normal((3, 4, 5))
XN = X.copy()
XN[0, 1, 2] = XN[2, 0, 0] = np.nan
XN[1, :, 3] = np.nan  # all-NaN slices along axis 1


def traced(f, *args, **kw):
    """``f`` evaluated through the recorded primitives (a jvp with zero tangents)."""
    return ftrans.jvp(lambda *a: f(*a, **kw), args, tuple(np.zeros_like(a) for a in args))[0]


def same(expected, got):
    assert np.shape(got) == np.shape(expected)
    assert np.asarray(got).dtype == np.asarray(expected).dtype
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-14)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


# ----------------------------------------------------------------------------- quantiles

AXES = [None, 0, -1, (0, 2), (1,)]
METHODS = ["linear", "hazen", "weibull", "median_unbiased", "normal_unbiased",
           "interpolated_inverted_cdf", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("q", [0.3, 1, np.array([0.0, 0.45, 1.0])])
@pytest.mark.parametrize("method", METHODS)
def test_quantile_matches_numpy(axis, keepdims, q, method):
    kw = dict(axis=axis, keepdims=keepdims, method=method)
    same(np.quantile(X, q, **kw), traced(fnp.quantile, X, q=q, **kw))
    same(np.quantile(XN, q, **kw), traced(fnp.quantile, XN, q=q, **kw))
    same(np.nanquantile(XN, q, **kw), traced(fnp.nanquantile, XN, q=q, **kw))
    same(np.percentile(X, np.multiply(q, 100), **kw),
         traced(fnp.percentile, X, q=np.multiply(q, 100), **kw))


@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_median_matches_numpy(axis, keepdims):
    for x in (X, XN, X[:, :2]):
        same(np.median(x, axis=axis, keepdims=keepdims),
             traced(fnp.median, x, axis=axis, keepdims=keepdims))
        same(np.nanmedian(x, axis=axis, keepdims=keepdims),
             traced(fnp.nanmedian, x, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_order_statistics_dtypes(dtype):
    x = (rng.standard_normal(7) * 5).astype(dtype)
    b = x > 0
    same(np.median(b), ftrans.jit(fnp.median)(b))
    for fn, args in ((fnp.median, ()), (fnp.quantile, (0.3,)), (fnp.percentile, (30,)),
                     (fnp.quantile, (np.array([0.25, 0.5]),))):
        np_fn = getattr(np, fn.__name__)
        same(np_fn(x, *args), ftrans.jit(lambda x: fn(x, *args))(x))
    same(np.nanmedian(x), ftrans.jit(fnp.nanmedian)(x))
    same(np.nanquantile(x, 0.3), ftrans.jit(lambda x: fnp.nanquantile(x, 0.3))(x))


def test_quantile_derivatives():
    x = np.array([3.0, 1.0, 4.0, 2.0, 6.0])
    # q = 0.3: position 1.2 between the sorted values 2 (x[3]) and 3 (x[0])
    np.testing.assert_allclose(ftrans.grad(lambda x: fnp.quantile(x, 0.3))(x),
                               [0.2, 0.0, 0.0, 0.8, 0.0])
    assert float(ftrans.grad(lambda q: fnp.quantile(x, q))(0.3)) == pytest.approx(4.0)
    np.testing.assert_allclose(ftrans.grad(fnp.median)(x), [1.0, 0, 0, 0, 0])
    # NaN entries get no derivative; a NaN in the slice gives NaN and zero gradient
    xn = np.array([3.0, np.nan, 1.0, 2.0])
    np.testing.assert_allclose(ftrans.grad(fnp.nanmedian)(xn), [0.0, 0.0, 0.0, 1.0])
    np.testing.assert_array_equal(ftrans.grad(fnp.median)(xn), np.zeros(4))
    check_grads(lambda x, q: fnp.quantile(x, q, axis=0), (X[:, :, 0], np.array([0.3, 0.8])))
    check_grads(lambda x: fnp.nanquantile(x, 0.6, axis=1), (np.where(np.isnan(XN), 0.0, XN)[0],))


def test_nan_order_statistics_under_jit_and_vmap():
    """The count of non-NaN entries is traced: the picked positions change per row."""
    rows = np.array([[3.0, np.nan, 1.0, 2.0], [np.nan] * 4, [0.5, -1.0, 4.0, 2.0],
                     [np.nan, np.nan, 7.0, np.nan]])
    for f, np_f in ((lambda r: fnp.nanmedian(r), np.nanmedian),
                    (lambda r: fnp.nanquantile(r, 0.3), lambda r: np.nanquantile(r, 0.3)),
                    (lambda r: fnp.nanpercentile(r, [10, 90]),
                     lambda r: np.nanpercentile(r, [10, 90]))):
        expected = np.stack([np_f(r) for r in rows])
        np.testing.assert_allclose(ftrans.vmap(f)(rows), expected)
        np.testing.assert_allclose(ftrans.jit(ftrans.vmap(f))(rows), expected)
        g = ftrans.vmap(ftrans.grad(lambda r: fnp.sum(f(r))))(rows)
        assert np.all(np.isfinite(g))
        assert np.all(g[np.isnan(rows)] == 0)


def test_empty_and_nan_slices():
    same(np.median(np.zeros((2, 0)), axis=1), traced(fnp.median, np.zeros((2, 0)), axis=1))
    with pytest.raises(IndexError, match="quantile: cannot take a quantile of an empty"):
        traced(fnp.quantile, np.zeros(0), q=0.5)
    allnan = np.full((2, 3), np.nan)
    assert np.all(np.isnan(traced(fnp.nanmedian, allnan, axis=1)))
    assert np.all(np.isnan(traced(fnp.nanquantile, allnan, q=0.5, axis=0)))


def test_quantile_bad_input():
    x = np.array([1.0, 2.0, 3.0])
    for method in ("inverted_cdf", "averaged_inverted_cdf", "closest_observation"):
        with pytest.raises(NotImplementedError, match=f"quantile\\(method='{method}'\\)"):
            ftrans.grad(lambda x: fnp.quantile(x, 0.5, method=method))(x)
    with pytest.raises(ValueError, match="'cubic' is not a valid method"):
        ftrans.grad(lambda x: fnp.quantile(x, 0.5, method="cubic"))(x)
    with pytest.raises(ValueError, match=r"Quantiles must be in the range \[0, 1\]"):
        ftrans.grad(lambda x: fnp.quantile(x, 1.5))(x)
    with pytest.raises(ValueError, match=r"percentile: Percentiles must be in the range"):
        ftrans.grad(lambda x: fnp.percentile(x, -1))(x)
    with pytest.raises(TypeError, match="quantile: q must be real numbers"):
        ftrans.grad(lambda x: fnp.quantile(x, "a"))(x)
    with pytest.raises(NotImplementedError, match=r"quantile\(\.\.\., out=\.\.\.\)"):
        ftrans.grad(lambda x: fnp.quantile(x, 0.5, out=np.zeros(())))(x)
    with pytest.raises(NotImplementedError, match=r"nanquantile\(weights=\.\.\.\)"):
        ftrans.grad(lambda x: fnp.nanquantile(x, 0.5, weights=np.ones(3)))(x)
    with pytest.raises(np.exceptions.AxisError, match="median: axis 2 is out of bounds"):
        ftrans.grad(lambda x: fnp.median(x, axis=2))(x)
    with pytest.raises(ValueError, match=r"quantile: Quantiles must be in the range"):
        ftrans.grad(lambda q: fnp.quantile(x, q))(1.5)  # a traced q with a known value
    with pytest.raises(TypeError, match="quantile: q must be a floating array"):
        ftrans.jit(lambda q: fnp.quantile(x, q))(np.array(1))


# ----------------------------------------------------------------------------- NaN reductions

NANS = ["nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin"]


@pytest.mark.parametrize("name", NANS)
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_nan_reductions_match_numpy(name, axis, keepdims):
    f, np_f = getattr(fnp, name), getattr(np, name)
    for x in (XN, XN.astype(np.float32), X):
        expected = np_f(x, axis=axis, keepdims=keepdims)
        got = traced(f, x, axis=axis, keepdims=keepdims)
        assert got.shape == np.shape(expected) and got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=2e-6 if x.dtype == np.float32 else 1e-13)


@pytest.mark.parametrize("name", NANS + ["nanargmax", "nanargmin"])
def test_nan_reductions_on_integers(name):
    x = np.array([[3, -1, 4], [1, 5, -9]])
    for axis in (None, 1):
        same(getattr(np, name)(x, axis=axis),
             ftrans.jit(lambda x: getattr(fnp, name)(x, axis=axis))(x))


def test_nan_reduction_options():
    same(np.nanvar(XN, axis=2, ddof=2), traced(fnp.nanvar, XN, axis=2, ddof=2))
    same(np.nanstd(XN, axis=0, correction=1), traced(fnp.nanstd, XN, axis=0, correction=1))
    same(np.nansum(XN, axis=1, dtype=np.float32), traced(fnp.nansum, XN, axis=1,
                                                         dtype=np.float32))
    same(np.nanmean(XN, axis=1, dtype=np.float32), traced(fnp.nanmean, XN, axis=1,
                                                          dtype=np.float32))
    # ddof >= count: NaN, as NumPy
    same(np.nanvar(XN[0, :, 2], ddof=3), traced(fnp.nanvar, XN[0, :, 2], ddof=3))
    with pytest.raises(ValueError, match="nanvar: ddof and correction"):
        traced(fnp.nanvar, XN, ddof=1, correction=1)
    with pytest.raises(NotImplementedError, match=r"nansum\(\.\.\., out=\.\.\.\)"):
        traced(fnp.nansum, XN, out=np.zeros(()))


@pytest.mark.parametrize("name", NANS)
def test_nan_reductions_have_zero_finite_gradient_at_nan(name):
    f = getattr(fnp, name)
    g = ftrans.grad(lambda x: fnp.nansum(f(x, axis=1)))(XN)  # with all-NaN slices
    assert np.all(np.isfinite(g))
    assert np.all(g[np.isnan(XN)] == 0)
    check_grads(lambda x: f(x, axis=-1), (XN[0],), order=1)  # NaN entries, none all-NaN


@pytest.mark.parametrize("name", ["nanargmax", "nanargmin"])
def test_nanargs(name):
    f, np_f = getattr(fnp, name), getattr(np, name)
    x = XN[0]
    for kw in ({}, {"axis": 1}, {"axis": 0, "keepdims": True}):
        same(np_f(x, **kw), traced(f, x, **kw))
        same(np_f(x, **kw), ftrans.jit(lambda x: f(x, **kw))(x))
    # an all-NaN slice: NumPy's ValueError when values are known, -1 (JAX) under jit/vmap
    with pytest.raises(ValueError, match=f"{name}: All-NaN slice encountered"):
        traced(f, XN[1], axis=0)
    out = ftrans.jit(lambda x: f(x, axis=0))(XN[1])
    assert out[3] == -1 and np.all(out[np.arange(5) != 3] >= 0)


def test_numpy_names_dispatch_to_ftrans():
    x = np.array([3.0, np.nan, 1.0, 2.0])
    np.testing.assert_allclose(ftrans.grad(lambda x: np.nanmean(x))(x), [1 / 3, 0, 1 / 3, 1 / 3])
    np.testing.assert_allclose(ftrans.grad(lambda x: np.nanmedian(x))(x), [0, 0, 0, 1.0])
    np.testing.assert_allclose(ftrans.grad(lambda x: np.median(x[[0, 2, 3]]))(x), [0, 0, 0, 1.0])
    np.testing.assert_allclose(ftrans.grad(lambda v: np.convolve(v, [1.0, 1.0])[1])(x[:1]), [1.0])


# ----------------------------------------------------------------------------- interp

XP = np.array([-1.0, 0.0, 0.5, 2.0, 3.0])
FP = np.array([1.0, -2.0, 0.3, 4.0, 2.0])


def test_interp_matches_numpy():
    x = np.array([-2.0, -1.0, -0.3, 0.0, 0.5, 0.7, 2.0, 2.9, 3.0, 3.5, np.nan])
    for kw in ({}, {"left": -7.0}, {"right": 9.0, "left": 1.5}):
        same(np.interp(x, XP, FP, **kw), traced(fnp.interp, x, XP, FP, **kw))
        same(np.interp(x, XP, FP, **kw), ftrans.jit(lambda x: fnp.interp(x, XP, FP, **kw))(x))
    same(np.interp(x, XP[:1], FP[:1]), traced(fnp.interp, x, XP[:1], FP[:1]))
    x32 = x.astype(np.float32)
    same(np.interp(x32, XP, FP), traced(fnp.interp, x32, XP, FP))  # float64, as NumPy


def test_interp_derivatives():
    # slope inside an interval, zero outside (left/right are constants)
    g = ftrans.vmap(ftrans.grad(lambda x: fnp.interp(x, XP, FP)))(np.array([-2.0, 0.25, 2.5,
                                                                            4.0]))
    np.testing.assert_allclose(g, [0.0, 4.6, -2.0, 0.0])
    # in fp: the two hat weights
    np.testing.assert_allclose(ftrans.grad(lambda fp: fnp.interp(0.25, XP, fp))(FP),
                               [0, 0.5, 0.5, 0, 0])
    check_grads(fnp.interp, (np.array([-0.6, 1.1, 2.4]), XP, FP))
    check_grads(lambda x, lo, hi: fnp.interp(x, XP, FP, lo, hi),
                (np.array([-3.0, 1.1, 5.0]), 0.3, -0.7))


def test_interp_bad_input():
    with pytest.raises(ValueError, match=r"interp: fp and xp are not of the same length"):
        traced(fnp.interp, 0.5, XP, FP[:3])
    with pytest.raises(ValueError, match="interp: xp must be 1-D"):
        traced(fnp.interp, 0.5, XP[None], FP[None])
    with pytest.raises(ValueError, match=r"interp: xp \(the array of sample points\) is empty"):
        traced(fnp.interp, 0.5, XP[:0], FP[:0])
    with pytest.raises(NotImplementedError, match=r"interp\(period=\.\.\.\)"):
        traced(fnp.interp, 0.5, XP, FP, period=2.0)


# ----------------------------------------------------------------------------- cov, corrcoef

M = rng.standard_normal((3, 6))
Y = rng.standard_normal((2, 6))
FW = np.array([1, 2, 1, 3, 1, 2])
AW = rng.uniform(0.5, 2.0, 6)


@pytest.mark.parametrize("kw", [{}, {"rowvar": False}, {"bias": True}, {"ddof": 3},
                                {"fweights": FW}, {"aweights": AW},
                                {"fweights": FW, "aweights": AW, "ddof": 2},
                                {"aweights": AW, "bias": True}, {"dtype": np.float32}])
def test_cov_matches_numpy(kw):
    def numpy_cov(*a):  # NumPy multiplies fweights by aweights in place
        return np.cov(*a, **{k: v.copy() if isinstance(v, np.ndarray) else v
                             for k, v in kw.items()})
    weighted = "fweights" in kw or "aweights" in kw
    for args in ((M,), (M[0],), (M, Y), (M[0], Y[1])) + (() if weighted else ((M[:, :2],),)):
        if kw.get("rowvar") is False and len(args) == 2:
            args = tuple(a.T for a in args)
        got = traced(lambda *a: fnp.cov(*a, **kw), *args)
        expected = numpy_cov(*args)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-5 if "dtype" in kw else 1e-13)


def test_cov_weights_are_differentiable():
    check_grads(lambda m, w: fnp.cov(m, aweights=w), (M, AW))
    check_grads(lambda m, w: fnp.cov(m, fweights=FW, aweights=w, ddof=1), (M, AW))


def test_corrcoef_matches_numpy():
    for args, kw in (((M,), {}), ((M[0], Y[1]), {}), ((M.T,), {"rowvar": False}),
                     ((M.astype(np.float32),), {})):
        same(np.corrcoef(*args, **kw), traced(lambda *a: fnp.corrcoef(*a, **kw), *args))
    with pytest.warns(DeprecationWarning, match="bias and ddof have no effect"):
        traced(lambda m: fnp.corrcoef(m, bias=True), M)
    check_grads(lambda m: fnp.corrcoef(m)[0, 1:], (M,))


def test_cov_edge_cases_and_bad_input():
    # one observation: n - ddof = 0, inf/NaN as NumPy
    same(np.cov(M[:, :1]), traced(fnp.cov, M[:, :1]))
    same(np.cov(np.zeros((0, 3))), traced(fnp.cov, np.zeros((0, 3))))
    with pytest.raises(ValueError, match="cov: m has more than 2 dimensions"):
        traced(fnp.cov, X)
    with pytest.raises(ValueError, match="cov: y has more than 2 dimensions"):
        traced(fnp.cov, M, X)
    with pytest.raises(ValueError, match="cov: ddof must be integer"):
        traced(fnp.cov, M, ddof=1.5)
    with pytest.raises(TypeError, match="cov: fweights must be integer"):
        traced(fnp.cov, M, fweights=FW + 0.5)
    with pytest.raises(ValueError, match="cov: fweights cannot be negative"):
        traced(fnp.cov, M, fweights=-FW)
    with pytest.raises(ValueError, match="cov: aweights cannot be negative"):
        traced(fnp.cov, M, aweights=-AW)
    with pytest.raises(RuntimeError, match=r"cov: incompatible numbers of samples and "
                                           r"aweights \(6 and 5\)"):
        traced(fnp.cov, M, aweights=AW[:5])
    with pytest.raises(RuntimeError, match="cov: fweights must be 1-D"):
        traced(fnp.cov, M, fweights=FW[None])


# ----------------------------------------------------------------------------- convolve

@pytest.mark.parametrize("n", [1, 2, 5, 6])
@pytest.mark.parametrize("m", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve_correlate_match_numpy(n, m, mode):
    a, v = rng.standard_normal(n), rng.standard_normal(m)
    same(np.convolve(a, v, mode), traced(fnp.convolve, a, v, mode=mode))
    same(np.correlate(a, v, mode), traced(fnp.correlate, a, v, mode=mode))
    ai, vi = np.arange(1, n + 1), np.arange(m, 0, -1)
    same(np.convolve(ai, vi, mode), ftrans.jit(lambda a, v: fnp.convolve(a, v, mode))(ai, vi))
    same(np.correlate(ai, vi, mode),
         ftrans.jit(lambda a, v: fnp.correlate(a, v, mode))(ai, vi))


def test_convolve_derivatives_and_vmap():
    a, v = rng.standard_normal(6), rng.standard_normal(3)
    check_grads(lambda a, v: fnp.convolve(a, v, "same"), (a, v))
    check_grads(lambda a, v: fnp.correlate(v, a, "full"), (a, v))
    batch = rng.standard_normal((4, 6))
    np.testing.assert_allclose(ftrans.vmap(lambda a: fnp.convolve(a, v))(batch),
                               np.stack([np.convolve(b, v) for b in batch]))
    # convolution with v is linear: its transpose is correlation with v
    ct = rng.standard_normal(8)
    (back,) = ftrans.linear_transpose(lambda a: fnp.convolve(a, v), a)(ct)
    np.testing.assert_allclose(back, np.correlate(ct, v, "valid"))


def test_convolve_bad_input():
    a = np.ones(3)
    with pytest.raises(ValueError, match="convolve: a cannot be empty"):
        traced(fnp.convolve, np.ones(0), a)
    with pytest.raises(ValueError, match="correlate: v cannot be empty"):
        traced(fnp.correlate, a, np.ones(0))
    with pytest.raises(ValueError, match=r"convolve: a must be 1-D, got shape \(3, 1\)"):
        traced(fnp.convolve, a[:, None], a)
    with pytest.raises(ValueError, match="correlate: mode must be one of 'valid', 'same', or "
                                         "'full' \\(got 'wide'\\)"):
        traced(fnp.correlate, a, a, mode="wide")


# ----------------------------------------------------------------------------- conventions

@pytest.mark.parametrize("fun, x, expected", [
    (fnp.nanmean, np.array([1.0, np.nan, 3.0]), [0.5, 0.0, 0.5]),
    (fnp.median, np.array([2.0, 1.0, 2.0]), [1.0, 0.0, 0.0]),  # stable order: first tie
    (lambda x: fnp.quantile(x, 0.5), np.array([3.0, 1.0, 2.0, 0.0, 4.0]), [0, 0, 1.0, 0, 0]),
    (lambda x: fnp.quantile(x, 0.3), np.array([1.0, np.nan, 2.0]), [0.0, 0.0, 0.0]),
    (lambda x: fnp.interp(x, XP, FP), 0.0, 4.6),  # on a point: the slope to the right
    (lambda x: fnp.interp(x, XP, FP), 3.0, 0.0),  # the last point
])
def test_documented_derivative_conventions(fun, x, expected):
    """The rows of docs/derivative_conventions.md for these functions."""
    np.testing.assert_allclose(ftrans.grad(fun)(x), expected)
    np.testing.assert_allclose(ftrans.jvp(fun, (x,), (np.ones_like(x),))[1],
                               np.sum(expected))


def test_quantile_derivative_in_q_at_an_order_statistic():
    # (n - 1) q = 1 exactly: the slope towards the next order statistic, (4 - 2) * (n - 1)
    assert float(ftrans.grad(lambda q: fnp.quantile(np.array([1.0, 4.0, 2.0]), q))(0.5)) == 4.0


W = np.array([True, False, True, True, False])


@pytest.mark.parametrize("name, kw", [
    ("nansum", {"where": W}), ("nansum", {"initial": 2.5}), ("nansum", {"where": W, "initial": 1}),
    ("nanprod", {"where": W, "initial": 2.0}), ("nanmean", {"where": W}),
    ("nanvar", {"where": W}), ("nanstd", {"where": W, "ddof": 1}),
    ("nanmax", {"initial": 0.5}), ("nanmin", {"where": W, "initial": 0.0}),
    ("nanmax", {"where": W, "initial": -9.0}),
])
def test_nan_reductions_where_and_initial(name, kw):
    f, np_f = getattr(fnp, name), getattr(np, name)
    for x in (XN, (X * 3).astype(np.int64)):
        for axis in (None, 2, (0, 2)):
            expected = np_f(x, axis=axis, **kw)
            got = ftrans.jit(lambda x: f(x, axis=axis, **kw))(x)
            assert got.shape == np.shape(expected) and got.dtype == expected.dtype
            np.testing.assert_allclose(got, expected, rtol=1e-13)
    g = ftrans.grad(lambda x: fnp.nansum(f(x, axis=2, **kw)))(XN)
    skipped = np.isnan(XN) | (~W if "where" in kw else False)
    assert np.all(np.isfinite(g)) and np.all(g[skipped] == 0)


def test_nanmax_where_needs_initial():
    with pytest.raises(ValueError, match="nanmax: a where mask needs an initial value"):
        traced(lambda x: fnp.nanmax(x, where=W), XN)
