"""Unmodified NumPy code (``import numpy as np``) traced through ``__array_ufunc__``,
``__array_function__`` and the ndarray methods gives the same values and derivatives as the
same code written with ``ftrans.numpy``."""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp

_rng = np.random.default_rng(5)
X = _rng.uniform(0.2, 0.9, size=(3, 4))
W = _rng.uniform(-1.0, 1.0, size=(4, 2))

# each test function takes the array module first: written once, run with np and with fnp
FUNCTIONS = {
    "ufuncs": lambda xp, x: xp.sum(xp.exp2(x) + xp.log2(x) + xp.log10(x) + xp.cbrt(x)
                                   + xp.hypot(x, 1.0) + xp.logaddexp(x, -x)
                                   + xp.logaddexp2(x, 0.5) + xp.arcsinh(x)
                                   + xp.arccosh(x + 1.5) + xp.arctanh(x * 0.5)
                                   + xp.float_power(x, 1.5) + xp.reciprocal(x)
                                   + xp.deg2rad(x) + xp.rad2deg(x) + xp.sinc(x)
                                   + xp.copysign(x, -1.0) + xp.fmax(x, 0.5)
                                   + xp.fmin(x, 0.5) + xp.square(x) + xp.fabs(x)),
    "nondiff": lambda xp, x: xp.sum(x * (xp.floor(3 * x) + xp.ceil(3 * x) + xp.round(3 * x)
                                         + xp.trunc(3 * x) + xp.rint(3 * x) + xp.sign(x - 0.5)
                                         + xp.isnan(x) + xp.isfinite(x)
                                         + xp.logical_and(x > 0.3, x < 0.7)
                                         + xp.logical_or(x > 0.8, x < 0.4)
                                         + xp.logical_not(x > 0.5) + xp.heaviside(x - 0.5, 0.5)
                                         + xp.nan_to_num(x))),
    "clip_where": lambda xp, x: xp.sum(xp.clip(x, 0.3, 0.7) ** 2 + xp.where(x > 0.5, x, -x)),
    "reductions": lambda xp, x: (xp.prod(x, axis=0).sum() + xp.var(x) + xp.std(x, axis=1).sum()
                                 + xp.ptp(x) + xp.average(x, axis=0, weights=x[:, 0]).sum()
                                 + xp.cumsum(x, axis=1).sum() + xp.cumprod(x).sum()
                                 + xp.max(x) * xp.argmax(x) + xp.mean(x) * xp.count_nonzero(x)
                                 + xp.all(x > 0) + xp.any(x > 0.99)),
    "methods": lambda xp, x: (x.sum() + x.mean(axis=0).max() + x.T.dot(x).trace()
                              + x.reshape(2, 6).std() + x.clip(0.3, 0.6).prod()
                              + x.flatten().var() + x.ravel()[3] + x[None].squeeze().min()
                              + x.transpose(1, 0)[0, 0] + x.astype(np.float64).sum()
                              + len(x) * x.cumsum()[-1] + sum(row[0] for row in x)),
    "shape": lambda xp, x: (xp.sum(xp.concatenate([x, xp.flip(x, 0)], axis=1)
                                   * xp.hstack([xp.roll(x, 1, axis=1), x]))
                            + xp.sum(xp.vstack(xp.split(xp.tile(x, (1, 2)), 2, axis=1))[:3] ** 2)
                            + xp.sum(xp.stack([x, x ** 2])[1]) * xp.sum(xp.diag(xp.diag(x)))
                            + xp.sum(xp.pad(x, 1, mode="edge") ** 2)
                            + xp.sum(xp.pad(x, ((0, 1), (2, 0)), mode="reflect") ** 3)
                            + xp.trace(xp.kron(x[:2, :2], x[1:, 1:3]))
                            + xp.sum(xp.tril(x) - xp.triu(x, 1) ** 2)
                            + xp.sum(xp.repeat(x, 2, axis=0) * xp.atleast_3d(x[0])[0, :, 0])
                            + xp.sum(xp.meshgrid(x[0], x[1])[0] * xp.dstack([x])[0])),
    "products": lambda xp, x: (xp.sum(xp.einsum("ij,jk->ik", x, W) ** 2)
                               + xp.einsum("ii", x[:, :3])
                               + xp.sum(xp.tensordot(x, x, axes=(0, 0)))
                               + xp.sum(xp.matmul(xp.stack([x, x]), W))
                               + xp.inner(x[0], x[1]) + xp.vdot(x, x)
                               + xp.sum(xp.outer(x[0], x[1]))),
    "indexing": lambda xp, x: (xp.sum(x[::-1, 1:3][:2] * x[1:, ::2][:, :2])
                               + xp.sum(x[np.array([0, 2, 2])] ** 2)
                               + xp.sum(xp.take(x, [3, 0], axis=1))
                               + xp.sum(xp.take_along_axis(x, np.argsort(X, axis=1), axis=1)
                                        * np.arange(4.0))
                               + xp.sum(x[x > 0.5])
                               + xp.sum(x[..., None, 0] ** 3)),
    "sorting": lambda xp, x: (xp.sum(xp.sort(x, axis=0) * np.arange(3.0)[:, None])
                              + xp.sum(xp.select([x < 0.4, x > 0.6], [x ** 2, x ** 3], x))
                              + xp.sum(x.ravel()[xp.argsort(x.ravel())][:3])
                              + xp.sum(x[0] * xp.searchsorted(np.array([0.25, 0.5, 0.75]),
                                                              x[0]))
                              + xp.sum(xp.unique(x))),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_plain_numpy_code_matches_ftrans_numpy(name):
    f = FUNCTIONS[name]
    plain = f(np, X)
    g_np = ftrans.grad(lambda x: f(np, x))(X)
    g_fnp = ftrans.grad(lambda x: f(fnp, x))(X)
    np.testing.assert_allclose(ftrans.jvp(lambda x: f(np, x), (X,), (np.ones_like(X),))[0],
                               plain, rtol=1e-12)
    np.testing.assert_allclose(g_np, g_fnp, rtol=1e-12, atol=1e-14)
    ftrans.check_grads(lambda x: f(np, x), (X,), order=1, modes=("fwd", "rev"))


def test_second_order_through_protocols():
    f = FUNCTIONS["ufuncs"]
    h_np = ftrans.hessian(lambda x: f(np, x))(X[0])
    h_fnp = ftrans.hessian(lambda x: f(fnp, x))(X[0])
    np.testing.assert_allclose(h_np, h_fnp, rtol=1e-12, atol=1e-12)


def test_vmap_through_protocols():
    def f(x):
        return np.sum(np.sort(np.exp2(x)) * np.cumsum(x)) + x[::-1][0]
    out = ftrans.vmap(f)(X)
    np.testing.assert_allclose(out, [f(row) for row in X], rtol=1e-12)


@pytest.mark.parametrize("call, name, hint", [
    (lambda x: np.linalg.tensorinv(np.reshape(x, (1, -1))), "linalg.tensorinv", None),
    (lambda x: np.gcd(x, x), "gcd", None),
    (lambda x: np.unwrap(x), "unwrap", None),
    (lambda x: np.nancumsum(x), "nancumsum", "ftrans.numpy.cumsum"),
    (lambda x: np.add.outer(x, x), "add.outer", None),
])
def test_unsupported_numpy_function_names_itself(call, name, hint):
    with pytest.raises(NotImplementedError, match=rf"numpy\.{name}") as info:
        ftrans.grad(lambda x: np.sum(call(x)))(X[0])
    if hint:
        assert hint in str(info.value)


def test_tracer_is_never_silently_converted():
    with pytest.raises(ftrans.TracerArrayConversionError):
        ftrans.grad(lambda x: np.asarray(x).sum())(X[0])


# ----------------------------------------------------------------------------- Python builtins


def test_round_and_format_of_tracers():
    x = np.array([1.5, -2.2, 3.0])
    np.testing.assert_array_equal(ftrans.grad(lambda x: round(x[1]) * x[0])(x), [-2, 0, 0])
    np.testing.assert_allclose(ftrans.grad(lambda x: fnp.sum(round(x, 1) * x))(x),
                               np.round(x, 1))
    seen = []
    ftrans.grad(lambda x: seen.append(f"{x:.2f}") or x)(2.0)
    assert seen == ["2.00"]
