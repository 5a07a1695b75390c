"""``ftrans.lax`` functions JAX ports reach for (issue 14 §5): dynamic slices at traced
starts, ``select``, ``clamp``, ``stop_gradient``, ``conv_general_dilated``,
``reduce_window`` and the cumulative scans. Values against NumPy and hand-written loops;
JAX, when installed, as an oracle. (Every transform of the primitives is also checked by the
rows of ``samples_lax.py``.)"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import ftrans
import ftrans.lax as lax
import ftrans.numpy as fnp
from ftrans.testing import check_grads


@pytest.fixture(scope="module")
def jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax


X = np.arange(20.0).reshape(4, 5)


# ----------------------------------------------------------------------------- dynamic slices

@pytest.mark.parametrize("starts, first", [((1, 2), 7.0), ((-1, 3), 12.0), ((3, 4), 12.0),
                                           ((-9, 0), 0.0), ((0, -2), 2.0)])
def test_dynamic_slice_wraps_then_clamps(starts, first):
    # -1 is the last row (3), then clamped so that 2 rows fit: row 2
    out = lax.dynamic_slice(X, starts, (2, 3))
    i, k = [min(max(s + n if s < 0 else s, 0), n - m) for s, n, m in zip(starts, X.shape,
                                                                        (2, 3))]
    np.testing.assert_array_equal(out, X[i:i + 2, k:k + 3])
    assert out[0, 0] == first
    jitted = ftrans.jit(lambda x, i, k: lax.dynamic_slice(x, (i, k), (2, 3)))(X, *starts)
    np.testing.assert_array_equal(jitted, out)
    upd = lax.dynamic_update_slice(X, -np.ones((2, 3)), starts)
    expected = X.copy()
    expected[i:i + 2, k:k + 3] = -1.0
    np.testing.assert_array_equal(upd, expected)
    np.testing.assert_array_equal(ftrans.jit(lambda x, i, k: lax.dynamic_update_slice(
        x, -np.ones((2, 3)), (i, k)))(X, *starts), expected)


def test_dynamic_slices_match_jax(jax):
    for starts in itertools.product([-6, -1, 0, 2, 3, 7], [-2, 0, 4]):
        np.testing.assert_array_equal(lax.dynamic_slice(X, starts, (2, 3)),
                                      jax.lax.dynamic_slice(X, starts, (2, 3)))
        np.testing.assert_array_equal(
            lax.dynamic_update_slice(X, np.ones((3, 2)), starts),
            jax.lax.dynamic_update_slice(X, np.ones((3, 2)), starts))


def test_dynamic_slice_start_array_and_in_dim_helpers():
    starts = np.array([1, 2])
    np.testing.assert_array_equal(lax.dynamic_slice(X, starts, (1, 2)), [[7.0, 8.0]])
    out = ftrans.jit(lambda s: lax.dynamic_slice(X, s, (1, 2)))(starts)
    np.testing.assert_array_equal(out, [[7.0, 8.0]])
    np.testing.assert_array_equal(lax.dynamic_slice_in_dim(X, 3, 2, axis=1), X[:, 3:5])
    np.testing.assert_array_equal(lax.dynamic_index_in_dim(X, -1), X[3:4])
    np.testing.assert_array_equal(lax.dynamic_index_in_dim(X, 2, 1, keepdims=False), X[:, 2])
    np.testing.assert_array_equal(lax.dynamic_update_slice_in_dim(X, np.zeros((4, 1)), 0, 1)[:, 0],
                                  np.zeros(4))
    got = lax.dynamic_update_index_in_dim(X, np.full(5, 9.0), 1, 0)
    np.testing.assert_array_equal(got[1], np.full(5, 9.0))
    np.testing.assert_array_equal(got[0], X[0])


def test_dynamic_slices_under_vmap_with_batched_starts_match_a_loop():
    idx = np.array([0, 3, -1, 2, -7])
    out = ftrans.vmap(lambda i: lax.dynamic_slice(X, (i, i), (2, 2)))(idx)
    loop = np.stack([lax.dynamic_slice(X, (i, i), (2, 2)) for i in idx])
    np.testing.assert_array_equal(out, loop)
    upd = np.arange(20.0).reshape(5, 2, 2) + 100
    out = ftrans.vmap(lambda i, u: lax.dynamic_update_slice(X, u, (1, i)))(idx, upd)
    loop = np.stack([lax.dynamic_update_slice(X, u, (1, i)) for i, u in zip(idx, upd)])
    np.testing.assert_array_equal(out, loop)
    # batched operand and starts together, and the index helper
    xs = np.stack([X, -X, 2 * X, X + 1, X * X])
    out = ftrans.vmap(lambda x, i: lax.dynamic_index_in_dim(x, i, 1, keepdims=False))(xs, idx)
    np.testing.assert_array_equal(out, np.stack([lax.dynamic_index_in_dim(x, i, 1, False)
                                                 for x, i in zip(xs, idx)]))


def test_dynamic_slice_gradients():
    def f(x, u, i):
        y = lax.dynamic_update_slice(x, u * u, (i, 1))
        return fnp.sum(y ** 2) + fnp.sum(lax.dynamic_slice(x, (i, 0), (1, 5))) ** 2

    u = np.full((2, 2), 3.0)
    gx, gu = ftrans.grad(f, (0, 1))(X, u, 2)
    expected_x = 2 * X
    expected_x[2:4, 1:3] = 0.0  # overwritten by the update
    expected_x[2] += 2 * X[2].sum()
    np.testing.assert_allclose(gx, expected_x)
    np.testing.assert_allclose(gu, 4 * u ** 3)
    gj = ftrans.jit(ftrans.grad(f, (0, 1)))(X, u, 2)
    np.testing.assert_allclose(gj[0], expected_x)
    np.testing.assert_allclose(gj[1], 4 * u ** 3)
    idx = np.array([0, 2, -1])
    gv = ftrans.vmap(ftrans.grad(f, (0, 1)), in_axes=(None, None, 0))(X, u, idx)
    for k, i in enumerate(idx):
        np.testing.assert_allclose(gv[0][k], ftrans.grad(f, (0, 1))(X, u, i)[0])
    check_grads(lambda x, u: f(x, u, 1), (X / 10, u / 3), order=2)


def test_dynamic_slice_errors():
    with pytest.raises(TypeError, match=r"dynamic_slice: needs 2 start indices .*got 1"):
        lax.dynamic_slice(X, (1,), (2, 2))
    with pytest.raises(TypeError, match="start index 1 must be an integer scalar, got 1.5"):
        lax.dynamic_slice(X, (1, 1.5), (2, 2))
    with pytest.raises(TypeError, match="start index 0 must be an integer scalar, got f64"):
        ftrans.jit(lambda s: lax.dynamic_slice(X, (s, 0), (2, 2)))(1.0)
    with pytest.raises(TypeError, match=r"slice_sizes \(5, 2\) must give one size per axis"):
        lax.dynamic_slice(X, (0, 0), (5, 2))
    with pytest.raises(TypeError, match="must have the rank of the operand"):
        lax.dynamic_update_slice(X, np.ones(2), (0, 0))
    with pytest.raises(TypeError, match="update's dtype float32 differs"):
        lax.dynamic_update_slice(X, np.ones((1, 1), np.float32), (0, 0))


# ----------------------------------------------------------------------------- select, clamp

def test_select_clamp_and_stop_gradient():
    pred = np.array([True, False, True])
    np.testing.assert_array_equal(lax.select(pred, np.ones(3), np.zeros(3)), [1.0, 0.0, 1.0])
    g = ftrans.grad(lambda a, b: fnp.sum(lax.select(pred, a, 2 * b)), (0, 1))(np.ones(3),
                                                                              np.ones(3))
    np.testing.assert_array_equal(g[0], [1, 0, 1])
    np.testing.assert_array_equal(g[1], [0, 2, 0])
    x = np.array([-2.0, -0.5, 0.3, 1.0, 4.0])
    np.testing.assert_array_equal(lax.clamp(-0.5, x, 1.0), np.clip(x, -0.5, 1.0))
    # JAX's rule: strictly inside gets the tangent; ties give it to nobody
    np.testing.assert_array_equal(ftrans.grad(lambda x: fnp.sum(lax.clamp(-0.5, x, 1.0)))(x),
                                  [0.0, 0.0, 1.0, 0.0, 0.0])
    g_lo, g_hi = ftrans.grad(lambda lo, hi: fnp.sum(lax.clamp(lo, x, hi)), (0, 1))(-0.5, 1.0)
    assert (g_lo, g_hi) == (1.0, 1.0)  # x = -2 below lo, x = 4 above hi
    np.testing.assert_array_equal(ftrans.vmap(lambda lo: lax.clamp(lo, x, 1.0))(
        np.array([0.0, -3.0])), [np.clip(x, 0.0, 1.0), np.clip(x, -3.0, 1.0)])
    assert lax.stop_gradient is ftrans.stop_gradient
    assert ftrans.grad(lambda x: x * lax.stop_gradient(x))(3.0) == 3.0
    with pytest.raises(TypeError, match=r"clamp: max must be a scalar or have the operand's "
                                        r"shape \(5,\), got shape \(2,\)"):
        lax.clamp(0.0, x, np.ones(2))


def test_clamp_matches_jax(jax):
    x = np.array([-2.0, -0.5, 0.3, 1.0, 4.0])
    lo, hi = np.full(5, -0.5), np.full(5, 1.0)  # (JAX's grad fails with scalar bounds)
    for argnum in range(3):
        ours = ftrans.grad(lambda *a: fnp.sum(lax.clamp(*a)), argnum)(lo, x, hi)
        theirs = jax.grad(lambda *a: jax.numpy.sum(jax.lax.clamp(*a)), argnum)(lo, x, hi)
        np.testing.assert_array_equal(ours, theirs)


# ----------------------------------------------------------------------------- convolutions

def _reference_conv(lhs, rhs, strides, pads, ld, rd, groups=1, batch_groups=1):
    """Direct definition, one output element at a time (NCH.., OIH.. layouts)."""
    n, c, *sp = lhs.shape
    o, i, *win = rhs.shape
    dil = np.zeros((n, c, *[(m - 1) * d + 1 for m, d in zip(sp, ld)]))
    dil[(slice(None), slice(None)) + tuple(slice(None, None, d) for d in ld)] = lhs
    big = np.zeros((n, c, *[m + max(lo, 0) + max(hi, 0) for m, (lo, hi)
                            in zip(dil.shape[2:], pads)]))
    big[(slice(None), slice(None)) + tuple(slice(max(lo, 0), max(lo, 0) + m) for m, (lo, _)
                                           in zip(dil.shape[2:], pads))] = dil
    big = big[(slice(None), slice(None)) + tuple(slice(max(-lo, 0), b - max(-hi, 0))
                                                 for b, (lo, hi) in zip(big.shape[2:], pads))]
    out_sp = [(b - (k - 1) * d - 1) // s + 1 for b, k, d, s in zip(big.shape[2:], win, rd,
                                                                    strides)]
    nb = n // batch_groups
    out = np.zeros((nb, o, *out_sp))
    og, ob = o // groups, o // batch_groups
    for b_, oc in itertools.product(range(nb), range(o)):
        g, bg = oc // og, oc // ob
        for pos in itertools.product(*[range(m) for m in out_sp]):
            total = 0.0
            for ic in range(i):
                for k in itertools.product(*[range(m) for m in win]):
                    at = tuple(p * s + kk * d for p, s, kk, d in zip(pos, strides, k, rd))
                    total += big[(bg * nb + b_, g * i + ic) + at] * rhs[(oc, ic) + k]
            out[(b_, oc) + pos] = total
    return out


CONV_CASES = [
    dict(lhs=(2, 3, 7), rhs=(4, 3, 3), ws=(1,), pad="VALID"),
    dict(lhs=(2, 3, 7), rhs=(4, 3, 3), ws=(2,), pad="SAME"),
    dict(lhs=(1, 2, 6, 5), rhs=(3, 2, 3, 2), ws=(2, 1), pad=[(1, 2), (0, 1)], ld=(1, 2),
         rd=(2, 1)),
    dict(lhs=(2, 4, 6, 5), rhs=(6, 2, 3, 2), ws=(1, 2), pad=[(2, -1), (1, 0)], fgc=2),
    dict(lhs=(4, 3, 6), rhs=(6, 3, 2), ws=(1,), pad=[(1, 1)], bgc=2),
    dict(lhs=(2, 4, 5, 5), rhs=(4, 1, 3, 3), ws=(1, 1), pad="SAME", fgc=4),
    dict(lhs=(2, 3, 5), rhs=(2, 3, 2), ws=(3,), pad=[(0, 0)], ld=(2,)),
]


def _kw(c):
    return dict(window_strides=c["ws"], padding=c["pad"], lhs_dilation=c.get("ld"),
                rhs_dilation=c.get("rd"), feature_group_count=c.get("fgc", 1),
                batch_group_count=c.get("bgc", 1))


@pytest.mark.parametrize("c", CONV_CASES, ids=range(len(CONV_CASES)))
def test_conv_matches_the_definition_and_its_derivatives(c):
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal(c["lhs"]), rng.standard_normal(c["rhs"])
    kw = _kw(c)
    out = lax.conv_general_dilated(x, w, **kw)
    rank = len(c["ws"])
    pads = lax.padtype_to_pads(c["lhs"][2:], [(k - 1) * d + 1 for k, d in zip(
        c["rhs"][2:], c.get("rd") or (1,) * rank)], c["ws"], c["pad"]) \
        if isinstance(c["pad"], str) else c["pad"]
    ref = _reference_conv(x, w, c["ws"], pads, c.get("ld") or (1,) * rank,
                          c.get("rd") or (1,) * rank, c.get("fgc", 1), c.get("bgc", 1))
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ftrans.jit(lambda a, b: lax.conv_general_dilated(a, b, **kw))(
        x, w), ref, rtol=1e-12, atol=1e-12)
    check_grads(lambda a, b: fnp.sum(fnp.sin(lax.conv_general_dilated(a, b, **kw))), (x, w),
                order=2)


@pytest.mark.parametrize("c", CONV_CASES, ids=range(len(CONV_CASES)))
def test_conv_vmap_matches_a_loop(c):
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal(c["lhs"]), rng.standard_normal(c["rhs"])
    xs, ws = rng.standard_normal((3,) + c["lhs"]), rng.standard_normal((3,) + c["rhs"])
    kw = _kw(c)

    def conv(a, b):
        return lax.conv_general_dilated(a, b, **kw)

    np.testing.assert_allclose(ftrans.vmap(conv, (0, None))(xs, w),
                               np.stack([conv(a, w) for a in xs]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ftrans.vmap(conv, (None, 0))(x, ws),
                               np.stack([conv(x, b) for b in ws]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ftrans.vmap(conv, (2, 1), out_axes=1)(
        np.moveaxis(xs, 0, 2), np.moveaxis(ws, 0, 1)),
        np.stack([conv(a, b) for a, b in zip(xs, ws)], axis=1), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("c", CONV_CASES, ids=range(len(CONV_CASES)))
def test_conv_matches_jax(jax, c):
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal(c["lhs"]), rng.standard_normal(c["rhs"])
    kw = _kw(c)
    np.testing.assert_allclose(lax.conv_general_dilated(x, w, **kw),
                               jax.lax.conv_general_dilated(x, w, **kw), rtol=1e-10, atol=1e-10)
    ours = ftrans.grad(lambda a, b: fnp.sum(lax.conv_general_dilated(a, b, **kw) ** 3),
                       (0, 1))(x, w)
    theirs = jax.grad(lambda a, b: jax.numpy.sum(jax.lax.conv_general_dilated(a, b, **kw) ** 3),
                      (0, 1))(x, w)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


def test_conv_dimension_numbers_and_layouts(jax):
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal((2, 5, 6, 3)), rng.standard_normal((3, 2, 3, 4))  # NHWC, HWIO
    dn = ("NHWC", "HWIO", "NHWC")
    out = lax.conv_general_dilated(x, w, (1, 2), "SAME", dimension_numbers=dn)
    canonical = lax.conv_general_dilated(x.transpose(0, 3, 1, 2), w.transpose(3, 2, 0, 1),
                                         (1, 2), "SAME")
    np.testing.assert_allclose(out, canonical.transpose(0, 2, 3, 1), rtol=1e-12)
    np.testing.assert_allclose(out, jax.lax.conv_general_dilated(x, w, (1, 2), "SAME",
                                                                 dimension_numbers=dn),
                               rtol=1e-10, atol=1e-10)
    dnums = lax.conv_dimension_numbers(x.shape, w.shape, dn)
    assert isinstance(dnums, lax.ConvDimensionNumbers)
    np.testing.assert_allclose(lax.conv_general_dilated(x, w, (1, 2), "SAME",
                                                        dimension_numbers=dnums), out)
    np.testing.assert_allclose(lax.conv(x.transpose(0, 3, 1, 2), w.transpose(3, 2, 0, 1),
                                        (1, 2), "SAME"), canonical)


def test_conv_errors():
    x, w = np.ones((1, 2, 5)), np.ones((3, 2, 2))
    with pytest.raises(TypeError, match="requires arguments to have the same dtypes, got "
                                        "float64 and float32"):
        lax.conv_general_dilated(x, w.astype(np.float32), (1,), "VALID")
    with pytest.raises(ValueError, match="the lhs has 2 input features, but the rhs expects 1 "
                                         "per group times feature_group_count 1"):
        lax.conv_general_dilated(x, np.ones((3, 1, 2)), (1,), "VALID")
    with pytest.raises(ValueError, match="String padding is not implemented for transposed"):
        lax.conv_general_dilated(x, w, (1,), "SAME", lhs_dilation=(2,))
    with pytest.raises(ValueError, match=r"window_strides needs 1 positive integers"):
        lax.conv_general_dilated(x, w, (0,), "VALID")
    with pytest.raises(TypeError, match="must contain the characters 'N' and 'C' exactly once"):
        lax.conv_general_dilated(x, w, (1,), "VALID", dimension_numbers=("NWW", "OIW", "NCW"))
    with pytest.raises(ValueError, match="padding must be 'SAME', 'SAME_LOWER', 'VALID'"):
        lax.conv_general_dilated(x, w, (1,), "FULL")
    with pytest.raises(ValueError, match="multiple of feature_group_count 2"):
        lax.conv_general_dilated(np.ones((1, 2, 5)), w[:, :1], (1,), "VALID",
                                 feature_group_count=2)


# ----------------------------------------------------------------------------- windows, scans

def test_reduce_window_pooling_and_xla_padding():
    x = np.arange(16.0).reshape(4, 4)
    np.testing.assert_array_equal(lax.reduce_window(x, -np.inf, lax.max, (2, 2), (2, 2),
                                                    "VALID"), [[5.0, 7.0], [13.0, 15.0]])
    np.testing.assert_array_equal(lax.reduce_window(x, 0.0, lax.add, (2, 2), (2, 2), "VALID"),
                                  x.reshape(2, 2, 2, 2).sum(axis=(1, 3)))
    v = np.arange(5.0)
    # padding and dilation holes take no part; init joins each window once
    np.testing.assert_array_equal(lax.reduce_window(v, 2.0, lax.add, (2,), (1,), [(1, 1)]),
                                  [2.0, 3.0, 5.0, 7.0, 9.0, 6.0])
    np.testing.assert_array_equal(lax.reduce_window(v, 0.0, np.add, (2,), (1,), [(0, 0)],
                                                    base_dilation=(2,)),
                                  [0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0])
    np.testing.assert_array_equal(lax.reduce_window(v, 10.0, lax.max, (2,), (1,), "SAME"),
                                  np.full(5, 10.0))
    np.testing.assert_array_equal(lax.reduce_window(v + 1, 1.0, lax.mul, (3,), (2,), "VALID",
                                                    window_dilation=(2,)), [15.0])
    # max pooling's gradient goes to each window's maximum
    g = ftrans.grad(lambda x: fnp.sum(lax.reduce_window(x, -np.inf, lax.max, (2, 2), (2, 2),
                                                        "VALID")))(x)
    np.testing.assert_array_equal(g, np.tile([[0, 0], [0, 1]], (2, 2)))
    with pytest.raises(NotImplementedError, match="computation <lambda> is not supported; use "
                                                  "ftrans.lax.add, mul, max or min"):
        lax.reduce_window(x, 0.0, lambda a, b: a + b, (2, 2), (1, 1), "VALID")
    with pytest.raises(ValueError, match=r"window_dimensions needs 2 positive integers"):
        lax.reduce_window(x, 0.0, lax.add, (2,), (1,), "VALID")


def test_reduce_window_matches_jax(jax):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((3, 7))
    for (ours, theirs), init in itertools.product(
            [(lax.max, jax.lax.max), (lax.add, jax.lax.add), (lax.min, jax.lax.min)],
            [None, 0.5]):
        init = init if init is not None else {"max": -np.inf, "add": 0.0,
                                              "min": np.inf}[ours.__name__]
        for args in [((2, 3), (1, 2), "VALID"), ((2, 2), (1, 1), "SAME"),
                     ((1, 3), (1, 2), [(1, 0), (2, 1)]), ((2, 2), (1, 2), [(0, 1), (-1, 1)])]:
            for dil in [{}, dict(base_dilation=(2, 1), window_dilation=(1, 2))]:
                np.testing.assert_allclose(
                    lax.reduce_window(x, init, ours, *args, **dil),
                    jax.lax.reduce_window(x, init, theirs, *args, **dil))
            if init in (0.0, np.inf, -np.inf) and args[2] != [(0, 1), (-1, 1)]:
                np.testing.assert_allclose(
                    ftrans.grad(lambda x: fnp.sum(lax.reduce_window(x, init, ours, *args) ** 2))(x),
                    jax.grad(lambda x: jax.numpy.sum(jax.lax.reduce_window(
                        x, init, theirs, *args) ** 2))(x))


@pytest.mark.parametrize("name, ufunc", [("cumsum", np.add), ("cumprod", np.multiply),
                                         ("cummax", np.maximum), ("cummin", np.minimum),
                                         ("cumlogsumexp", np.logaddexp)])
def test_cumulative_scans_match_numpy(name, ufunc):
    rng = np.random.default_rng(10)
    z = rng.standard_normal((3, 9))
    fn = getattr(lax, name)
    for axis, reverse in itertools.product([0, 1, -1], [False, True]):
        expected = ufunc.accumulate(np.flip(z, axis) if reverse else z, axis=axis)
        expected = np.flip(expected, axis) if reverse else expected
        np.testing.assert_allclose(fn(z, axis, reverse), expected, rtol=1e-12)
        np.testing.assert_allclose(ftrans.jit(lambda z: fn(z, axis=axis, reverse=reverse))(z),
                                   expected, rtol=1e-12)
    check_grads(lambda z: fn(z, axis=1), (z,), order=2)
    np.testing.assert_allclose(fn(z), ufunc.accumulate(z, axis=0), rtol=1e-12)  # axis=0
    with pytest.raises(ValueError, match="axis 2 is out of bounds"):
        fn(z, 2)


def test_cumulative_scans_match_jax(jax):
    z = np.random.default_rng(11).standard_normal((3, 6))
    for name in ("cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp"):
        for axis, reverse in itertools.product([0, 1], [False, True]):
            ours = ftrans.grad(lambda z: fnp.sum(getattr(lax, name)(z, axis, reverse) ** 2))(z)
            theirs = jax.grad(lambda z: jax.numpy.sum(getattr(jax.lax, name)(
                z, axis, reverse) ** 2))(z)
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_integer_pow_takes_integer_exponents_only():
    import ftrans.lax as lax
    assert lax.integer_pow(np.float64(2.0), np.int64(3)) == 8.0
    for y in (1.5, True, "2"):
        with pytest.raises(TypeError, match=r"integer_pow: the exponent y must be a Python "
                                            r"integer, got .*lax\.pow"):
            lax.integer_pow(np.ones(3), y)


def test_shape_functions_reject_indices_that_do_not_fit():
    # these returned silently wrong results: x unchanged, a wrapped axis, one axis sliced
    import ftrans.lax as lax
    x = np.arange(6.0).reshape(2, 3)
    for f in (lambda a: lax.transpose(a, (0,)), lambda a: lax.transpose(a, (1, 1))):
        for run in (f, ftrans.jit(f)):
            with pytest.raises(ValueError, match=r"transpose: permutation \(\d,( \d)?\) is not "
                                                 r"a permutation of the axes of an array of "
                                                 r"shape \(2, 3\)"):
                run(x)
    with pytest.raises(ValueError, match=r"expand_dims: dimensions \(5,\) out of range for a "
                                         r"result of rank 3"):
        ftrans.jit(lambda a: lax.expand_dims(a, (5,)))(x)
    with pytest.raises(ValueError, match=r"slice: start_indices \(0,\), limit_indices \(1,\) "
                                         r"and strides \(1, 1\) need one entry per axis"):
        lax.slice(x, (0,), (1,))
    assert lax.transpose(x, (1, 0)).shape == (3, 2)
    assert lax.expand_dims(x, (-1,)).shape == (2, 3, 1)
    np.testing.assert_array_equal(lax.slice(x, (0, 1), (2, 3)), x[:, 1:])
