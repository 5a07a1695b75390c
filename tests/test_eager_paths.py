"""The eager derivative's fast paths (issue 18 §1) give what the general paths give.

Eager ``grad`` takes each derivative as the forward pass runs (``transforms/online.py``);
the cheap paths it takes for the commonest operations (``x[a:b]``, ``100 * x``, ``x ** 2``,
a sum's cotangent broadcast back, both operands of a subtraction moving) are checked here
against NumPy, finite differences, the dot-product identity between ``jvp`` and ``vjp``,
and ``jit`` (which traces abstractly, through the general paths).
"""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.errors import UnsupportedKeywordError
from ftrans.numpy._keywords import unguarded
from ftrans.testing import numerical_jvp

SLICES = [slice(1, None), slice(None, -1), slice(2, 5), slice(-3, None), slice(None),
          slice(4, 2), slice(7, 20), slice(-20, 2), slice(None, None, 2), slice(None, None, -1),
          slice(1, -1, 3)]


def fd_grad(f, x, eps=1e-6):
    eye = np.eye(x.size).reshape((x.size,) + x.shape)
    return np.array([float(numerical_jvp(f, (x,), (e,), eps=eps)) for e in eye]).reshape(x.shape)


@pytest.mark.parametrize("idx", SLICES, ids=str)
@pytest.mark.parametrize("shape", [(8,), (5, 3)])
def test_slicing_matches_numpy_and_finite_differences(idx, shape):
    x = np.linspace(0.3, 1.7, int(np.prod(shape))).reshape(shape)

    def f(a):
        return fnp.sum(fnp.sin(a[idx]) * a[idx])

    assert np.array_equal(ftrans.jit(lambda a: a[idx])(x), x[idx])
    g = ftrans.grad(f)(x)
    np.testing.assert_allclose(g, fd_grad(f, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g, ftrans.jit(ftrans.grad(f))(x), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.complex64,
                                   np.int32, np.int64])
def test_python_scalars_take_the_array_dtype(dtype):
    x = np.arange(1, 4).astype(dtype)
    cases = [lambda a: 100 * a, lambda a: 1 - a, lambda a: a * 3, lambda a: 2.5 + a,
             lambda a: a - 7, lambda a: a ** 2]
    for k, fn in enumerate(cases):
        want = fn(x)
        for got in (ftrans.jit(fn)(x), fnp.asarray(fn(fnp.asarray(x)))):
            assert got.dtype == want.dtype, (k, got.dtype, want.dtype)
            np.testing.assert_allclose(got, want)


def test_integer_powers_keep_the_dtype_and_differentiate():
    x32 = np.array([0.5, -1.5, 2.0], np.float32)
    assert ftrans.grad(lambda a: fnp.sum(a ** 3))(x32).dtype == np.float32
    np.testing.assert_allclose(ftrans.grad(lambda a: fnp.sum(a ** 3))(x32), 3 * x32 ** 2,
                               rtol=1e-6)
    z = np.array([1 + 2j, -0.5j])
    y, t = ftrans.jvp(lambda a: a ** 2, (z,), (np.ones(2, complex),))
    np.testing.assert_allclose(t, 2 * z)
    with pytest.raises(ValueError, match="negative integer powers"):
        ftrans.jit(lambda a: a ** -1)(np.arange(1, 3))


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((), (3,)), ((3,), ())])
def test_subtraction_both_moving_jvp_vjp_identity(shapes):
    rng = np.random.default_rng(0)
    x, y = (rng.standard_normal(s) for s in shapes)
    tx, ty = (rng.standard_normal(s) for s in shapes)

    def f(a, b):
        return fnp.sin(a) * 2.0 - fnp.cos(b) * a

    out, t_out = ftrans.jvp(f, (x, y), (tx, ty))
    np.testing.assert_allclose(t_out, numerical_jvp(f, (x, y), (tx, ty)), rtol=1e-6)
    ct = rng.standard_normal(np.shape(out))
    _, f_vjp = ftrans.vjp(f, x, y)
    cx, cy = f_vjp(ct)
    np.testing.assert_allclose(np.sum(ct * t_out), np.sum(cx * tx) + np.sum(cy * ty),
                               rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.bool_])
def test_broadcast_of_a_scalar_is_a_read_only_view(dtype):
    from ftrans import lax
    v = np.asarray(1, dtype)
    out = lax.broadcast_in_dim(v, (2, 3), ())
    assert out.dtype == dtype and out.shape == (2, 3) and not out.flags.writeable
    assert np.array_equal(out, np.broadcast_to(v, (2, 3)))
    assert lax.broadcast_in_dim(v, (0, 2), ()).shape == (0, 2)


def test_gradient_of_a_sum_is_the_callers_own():
    x = np.arange(3.0)
    g = ftrans.grad(lambda a: fnp.sum(a))(x)
    assert g.flags.writeable and g.flags.owndata
    g[0] = 5.0  # no other array changes with it
    assert ftrans.grad(lambda a: fnp.sum(a))(x).tolist() == [1.0, 1.0, 1.0]


def test_a_slice_view_assigned_through_is_refused_under_grad():
    def stale(v):
        y = v * 2.0
        tail = y[1:]
        y[2] = 0.0  # NumPy's tail would show this
        return fnp.sum(tail)

    with pytest.raises(ValueError, match="used at .* after that other array was assigned"):
        ftrans.grad(stale)(np.ones(4))

    def fine(v):
        y = v * 2.0
        y[2] = 0.0
        return fnp.sum(y[1:] * v[1:])

    np.testing.assert_allclose(ftrans.grad(fine)(np.ones(4)), [0.0, 4.0, 0.0, 4.0])


def test_forward_and_reverse_eager_paths_agree_on_a_mixed_program():
    rng = np.random.default_rng(1)
    x = rng.uniform(0.5, 1.5, 10)

    def rosen(a):
        return fnp.sum(100 * (a[1:] - a[:-1] ** 2) ** 2 + (1 - a[:-1]) ** 2)

    g = ftrans.grad(rosen)(x)
    np.testing.assert_allclose(g, fd_grad(rosen, x), rtol=1e-6)
    for e in np.eye(10)[:3]:
        _, t = ftrans.jvp(rosen, (x,), (e,))
        np.testing.assert_allclose(t, g @ e, rtol=1e-12)
    np.testing.assert_allclose(ftrans.jit(ftrans.grad(rosen))(x), g, rtol=1e-12)


def test_operators_skip_only_the_keyword_guard():
    assert unguarded(fnp.add) is not fnp.add and unguarded(len) is len
    assert ftrans.grad(lambda a: (a + a * a - 1.0 / a) ** 2)(2.0) == pytest.approx(
        2 * (2 + 4 - 0.5) * (1 + 4 + 0.25))
    with pytest.raises(UnsupportedKeywordError, match="out="):
        ftrans.grad(lambda a: fnp.add(a, a, out=np.empty(())))(1.0)


@pytest.mark.parametrize("op", ["add", "subtract", "multiply", "divide", "power", "arctan2"])
@pytest.mark.parametrize("shapes", [((), ()), ((3,), (3,)), ((), (3,)), ((2, 3), (3,))])
def test_binary_op_of_two_traced_values(op, shapes):
    """Two traced NumPy operands (the online trace's binary fast path), one or both moving:
    grad against finite differences, jvp against vjp by the dot-product identity."""
    rng = np.random.default_rng(2)
    x, y = (rng.uniform(0.5, 1.5, s) for s in shapes)
    fop = getattr(fnp, op)

    def f(a, b):
        return fnp.sum(fop(fnp.sin(a) + 1.0, b * b))

    gx, gy = ftrans.grad(f, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, fd_grad(lambda a: f(a, y), x), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(gy, fd_grad(lambda b: f(x, b), y), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ftrans.grad(f, argnums=1)(x, y), gy, rtol=1e-12)  # x fixed
    g2 = ftrans.grad(lambda a, b: f(a, fnp.sin(0.0 * a) + b))(x, y)  # b traced, not moving
    np.testing.assert_allclose(g2, gx, rtol=1e-12)
    tx, ty = rng.standard_normal(np.shape(x)), rng.standard_normal(np.shape(y))
    _, t = ftrans.jvp(f, (x, y), (tx, ty))
    assert np.isclose(t, np.sum(gx * tx) + np.sum(gy * ty), rtol=1e-10)


def test_outputs_that_do_not_move_and_python_float_inputs():
    """The linear program's outputs when some do not move (a constant, a value of the
    inputs not differentiated): zeros, and Python floats in, NumPy scalars out."""
    c = np.arange(3.0)
    _, f_vjp = ftrans.vjp(lambda a, b: (a * b, c, b), 2.0, 3.0)
    assert f_vjp((1.0, np.ones(3), 1.0)) == (3.0, 3.0)
    out, f_vjp = ftrans.vjp(lambda a: c, 2.0)
    assert out is not c and np.array_equal(out, c) and f_vjp(np.ones(3)) == (0.0,)
    g = ftrans.grad(lambda a, b: a * b + b, argnums=0)(1.5, 4.0)
    assert g == 4.0 and type(g) is np.float64
    assert ftrans.grad(lambda a, b: b, argnums=0)(1.5, 4.0) == 0.0
