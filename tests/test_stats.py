"""``ftrans.scipy.stats``: every method of every distribution against ``scipy.stats`` on
grids that reach the support's ends, the tails, invalid parameters and nan; derivatives in
``x`` and every parameter against finite differences; vmap against a loop; jit."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
import ftrans.prims.special as prims_special
from ftrans.scipy import stats as fst
from ftrans.testing import check_grads

st = pytest.importorskip("scipy.stats")

inf, nan = np.inf, np.nan

# name: (shape grids, x grid, rtol); the x grid is of the standard variable
CONTINUOUS = {
    "norm": ([], np.array([-40.0, -5.0, -1.0, 0.0, 0.5, 3.0, 9.0, 40.0]), 1e-13),
    "t": ([[0.5, 1.0, 2.5, 30.0, 1e6, inf, -1.0]],
          np.array([-1e3, -20.0, -3.0, -0.5, 0.0, 1e-9, 0.7, 4.0, 60.0]), 1e-11),
    "beta": ([[0.3, 1.0, 2.5, 40.0, 0.0], [0.6, 1.0, 3.0, 25.0]],
             np.array([-0.1, 0.0, 1e-12, 0.2, 0.5, 0.9, 1 - 1e-12, 1.0, 1.5]), 1e-11),
    "gamma": ([[0.3, 1.0, 2.5, 50.0, 0.0]],
              np.array([-1.0, 0.0, 1e-12, 0.5, 2.0, 10.0, 80.0, 1e3]), 1e-12),
    "chi2": ([[0.5, 1.0, 3.0, 70.0, -2.0]],
             np.array([-1.0, 0.0, 1e-10, 0.5, 2.0, 10.0, 100.0]), 1e-12),
    "expon": ([], np.array([-1.0, 0.0, 1e-300, 0.3, 2.0, 30.0, 800.0]), 1e-13),
    "laplace": ([], np.array([-800.0, -30.0, -1.0, 0.0, 0.3, 2.0, 30.0, 800.0]), 1e-13),
    "logistic": ([], np.array([-800.0, -30.0, -1.0, 0.0, 0.3, 2.0, 30.0, 800.0]), 1e-13),
    "uniform": ([], np.array([-0.5, 0.0, 0.3, 0.99, 1.0, 1.5]), 1e-14),
    "cauchy": ([], np.array([-1e10, -30.0, -1.0, 0.0, 0.3, 2.0, 30.0, 1e10]), 1e-13),
}
QS = np.array([-0.1, 0.0, 1e-300, 1e-20, 1e-6, 0.01, 0.3, 0.5, 0.77, 0.99, 1 - 1e-9, 1.0, 1.1,
               nan])
LOC_SCALE = [(0.0, 1.0), (1.5, 0.3), (-2.0, 4.0), (0.0, -1.0), (0.0, 0.0)]
METHODS = ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"]


@pytest.fixture(params=["scipy", "numpy-only"])
def backend(request, monkeypatch):
    """With SciPy's ufuncs as the special functions' impls and with the NumPy-only ones."""
    if request.param == "numpy-only":
        monkeypatch.setattr(prims_special, "_scipy_special", False)
    return request.param


def assert_match(got, want, rtol, atol=1e-300, what=""):
    got, want = np.broadcast_arrays(np.asarray(got, np.float64), np.asarray(want, np.float64))
    with np.errstate(all="ignore"):
        ok = (got == want) | (np.isnan(got) & np.isnan(want)) \
            | (np.abs(got - want) <= atol + rtol * np.abs(want))
    bad = np.argwhere(~ok)[:6]
    assert ok.all(), f"{what}: {int((~ok).sum())} of {ok.size} differ: " + "; ".join(
        f"{tuple(i)}: {got[tuple(i)]!r} vs {want[tuple(i)]!r}" for i in bad)


def _grid(shapes, x):
    """Every combination of the shape values, x and (loc, scale), flattened."""
    axes = [*shapes, np.arange(len(x)), np.arange(len(LOC_SCALE))]
    mesh = [m.ravel() for m in np.meshgrid(*[np.asarray(a, np.float64) for a in axes],
                                           indexing="ij")]
    *shape_vals, xi, li = mesh
    loc = np.array([LOC_SCALE[int(i)][0] for i in li])
    scale = np.array([LOC_SCALE[int(i)][1] for i in li])
    xs = np.asarray(x)[xi.astype(int)]
    return shape_vals, loc + np.where(scale > 0, scale, 1.0) * xs, loc, scale


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_continuous_methods_match_scipy(backend, name):
    shapes, x, rtol = CONTINUOUS[name]
    shape_vals, xs, loc, scale = _grid(shapes, np.append(x, nan))
    ours, theirs = getattr(fst, name), getattr(st, name)
    with np.errstate(all="ignore"):
        for m in METHODS:
            want = getattr(theirs, m)(xs, *shape_vals, loc=loc, scale=scale)
            got = getattr(ours, m)(xs, *shape_vals, loc=loc, scale=scale)
            tol = rtol
            if name == "t":  # SciPy: t.cdf(1e-9, 1) = 0.5 (it is 0.5 + 3.2e-10)
                want = np.where(np.abs(xs - loc) < 1e-6 * scale, got, want)
                # df ~ 1e6: df / (df + z²) rounds, the tails keep about 1e-10
                tol = np.where(shape_vals[0] >= 1e5, 1e-9, rtol)
            # log methods cross 0: absolute error there
            assert_match(got, want, tol, 1e-14 if m.startswith("log") else 1e-290,
                         f"{name}.{m}")
        shape_q, qs, loc_q, scale_q = _grid(shapes, QS)
        qs = QS[np.arange(qs.size) // len(LOC_SCALE) % len(QS)]
        for m in ("ppf", "isf"):
            want = getattr(theirs, m)(qs, *shape_q, loc=loc_q, scale=scale_q)
            got = getattr(ours, m)(qs, *shape_q, loc=loc_q, scale=scale_q)
            tol = max(rtol, 1e-11)
            if name in ("beta", "t"):  # SciPy's own betaincinv fails below q = 1e-250
                want = np.where(qs < 1e-250, got, want)
                tol = np.where(shape_q[0] >= 1e5, 1e-9, tol)
            assert_match(got, want, tol, 1e-290, f"{name}.{m}")


DISCRETE = {
    "poisson": ([[0.0, 1e-3, 0.7, 4.0, 60.0, -1.0]], np.array([-1.0, 0.0, 0.5, 1.0, 3.0, 7.0,
                                                                 150.0])),
    "binom": ([[0.0, 1.0, 7.0, 40.0, 2.5, -1.0], [0.0, 0.3, 0.5, 0.95, 1.0, 1.2]],
              np.array([-1.0, 0.0, 0.5, 1.0, 3.0, 7.0, 40.0, 41.0])),
    "bernoulli": ([[0.0, 0.3, 1.0, 1.5, -0.1]], np.array([-1.0, 0.0, 0.5, 1.0, 2.0])),
}


@pytest.mark.parametrize("name", sorted(DISCRETE))
def test_discrete_methods_match_scipy(backend, name):
    shapes, k = DISCRETE[name]
    axes = [*shapes, np.append(k, nan), np.array([0.0, 2.0])]
    *shape_vals, ks, loc = [m.ravel() for m in np.meshgrid(*axes, indexing="ij")]
    ours, theirs = getattr(fst, name), getattr(st, name)
    with np.errstate(all="ignore"):
        invalid = ~np.isfinite(theirs.pmf(loc, *shape_vals, loc=loc))
        for m in ("pmf", "logpmf", "cdf", "logcdf", "sf", "logsf"):
            want = getattr(theirs, m)(ks + loc, *shape_vals, loc=loc)
            want = np.where(invalid, nan, want)  # SciPy's logcdf ignores them past the support
            got = getattr(ours, m)(ks + loc, *shape_vals, loc=loc)
            assert_match(got, want, 1e-12, 1e-14 if m.startswith("log") else 1e-290,
                         f"{name}.{m}")
        axes = [*shapes, QS, np.array([0.0, 2.0])]
        *shape_q, qs, loc_q = [m.ravel() for m in np.meshgrid(*axes, indexing="ij")]
        want = theirs.ppf(qs, *shape_q, loc=loc_q)
        assert_match(ours.ppf(qs, *shape_q, loc=loc_q), want, 0.0, what=f"{name}.ppf")


def test_dirichlet_matches_scipy_and_checks_its_arguments():
    alpha = np.array([0.5, 2.0, 3.5])
    x = np.array([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3], [0.0, 0.4, 0.6], [1e-9, 0.5, 0.5 - 1e-9]]).T
    assert_match(fst.dirichlet.logpdf(x[:, :2], alpha), st.dirichlet.logpdf(x[:, :2], alpha),
                 1e-13)
    assert_match(fst.dirichlet.pdf(x[:, :2], alpha), st.dirichlet.pdf(x[:, :2], alpha), 1e-13)
    assert_match(fst.dirichlet.logpdf(x[:2, :2], alpha), st.dirichlet.logpdf(x[:2, :2], alpha),
                 1e-13)  # the last component implied
    assert fst.dirichlet.logpdf(x[:, 2], np.array([1.0, 2.0, 3.0])) == \
        pytest.approx(st.dirichlet.logpdf(x[:, 2], np.array([1.0, 2.0, 3.0])), rel=1e-13)
    with pytest.raises(ValueError, match="all parameters alpha must be greater than 0"):
        fst.dirichlet.logpdf(x, np.array([1.0, -1.0, 2.0]))
    with pytest.raises(ValueError, match="x must lie on the simplex"):
        fst.dirichlet.logpdf(np.array([0.2, 0.3, 0.6]), alpha)
    with pytest.raises(ValueError, match="each entry of x must be greater than or equal to 0"):
        fst.dirichlet.logpdf(np.array([-0.1, 0.6, 0.5]), alpha)
    with pytest.raises(ValueError, match=r"x must have 3 or 2 entries along its first axis"):
        fst.dirichlet.logpdf(np.ones((4, 2)) / 4, alpha)
    # traced: -inf for a negative entry instead of an error
    off = ftrans.jit(fst.dirichlet.logpdf)(np.array([-0.1, 0.5, 0.6]), alpha)
    assert off == -inf


def test_multivariate_normal_matches_scipy():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 3))
    cov = a @ a.T + 0.5 * np.eye(3)
    mean = np.array([0.3, -1.0, 2.0])
    x = rng.standard_normal((4, 3))
    for args in [(x, mean, cov), (x[0], mean, cov), (x, mean, 2.5), (x, mean, np.diag(cov)),
                 (x[:, 0], 1.0, 2.0), (0.5, None, 1.0)]:
        for m in ("logpdf", "pdf"):
            assert_match(getattr(fst.multivariate_normal, m)(*args),
                         getattr(st.multivariate_normal, m)(*args), 1e-12, what=m)
    singular = np.array([[1.0, 1.0], [1.0, 1.0]])
    pts = np.array([[1.0, 2.0], [0.5, 1.5], [1.0, 1.0]])
    assert_match(fst.multivariate_normal.logpdf(pts, np.array([0.0, 1.0]), singular,
                                                allow_singular=True),
                 st.multivariate_normal.logpdf(pts, np.array([0.0, 1.0]), singular,
                                               allow_singular=True), 1e-12)
    with pytest.raises(np.linalg.LinAlgError, match="allow_singular is False"):
        fst.multivariate_normal.logpdf(pts, np.zeros(2), singular)
    with pytest.raises(ValueError, match="symmetric positive semidefinite"):
        fst.multivariate_normal.logpdf(pts, np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match=r"x's last axis must hold the 3 components"):
        fst.multivariate_normal.logpdf(np.ones((2, 2)), mean, cov)


# ----------------------------------------------------------------------------- derivatives

DERIVATIVES = [
    ("norm", "logpdf", (0.3, 0.5, 1.7)), ("norm", "cdf", (-0.4, 0.1, 0.8)),
    ("norm", "logcdf", (-3.0, 0.5, 1.2)), ("norm", "ppf", (0.3, 0.5, 1.7)),
    ("norm", "logsf", (2.0, 0.5, 1.2)),
    ("t", "logpdf", (0.7, 3.5, 0.2, 1.3)), ("t", "cdf", (0.7, 3.5, 0.2, 1.3)),
    ("t", "cdf", (-9.0, 2.5, 0.0, 1.0)), ("t", "ppf", (0.8, 4.5, 0.1, 2.0)),
    ("t", "sf", (0.05, 7.0, 0.0, 1.0)),
    ("beta", "logpdf", (0.3, 2.5, 1.7, 0.0, 1.0)), ("beta", "cdf", (0.3, 2.5, 1.7, 0.0, 1.0)),
    ("beta", "ppf", (0.6, 2.5, 1.7, 0.1, 2.0)), ("beta", "sf", (1.2, 2.5, 1.7, 0.5, 2.0)),
    ("gamma", "logpdf", (1.3, 2.5, 0.1, 1.5)), ("gamma", "cdf", (1.3, 2.5, 0.1, 1.5)),
    ("gamma", "ppf", (0.4, 2.5, 0.1, 1.5)), ("gamma", "logsf", (1.3, 0.7, 0.0, 1.0)),
    ("chi2", "logpdf", (1.3, 3.0, 0.0, 1.0)), ("chi2", "cdf", (1.3, 3.0, 0.2, 1.0)),
    ("chi2", "ppf", (0.9, 3.0, 0.0, 2.0)),
    ("expon", "logpdf", (1.3, 0.1, 1.5)), ("expon", "cdf", (1.3, 0.1, 1.5)),
    ("expon", "ppf", (0.3, 0.1, 1.5)), ("laplace", "cdf", (-0.3, 0.1, 1.5)),
    ("laplace", "logpdf", (0.4, 0.1, 1.5)), ("laplace", "ppf", (0.8, 0.1, 1.5)),
    ("logistic", "logcdf", (-0.3, 0.1, 1.5)), ("logistic", "ppf", (0.3, 0.1, 1.5)),
    ("uniform", "cdf", (0.3, 0.1, 1.5)), ("uniform", "ppf", (0.3, 0.1, 1.5)),
    ("cauchy", "logpdf", (0.3, 0.1, 1.5)), ("cauchy", "cdf", (0.3, 0.1, 1.5)),
    ("cauchy", "ppf", (0.3, 0.1, 1.5)),
]


@pytest.mark.parametrize("name, method, args", DERIVATIVES,
                         ids=[f"{n}.{m}-{i}" for i, (n, m, _) in enumerate(DERIVATIVES)])
def test_derivatives_in_x_and_every_parameter(name, method, args):
    """First order in every argument (x or q, shapes, loc, scale): both modes against finite
    differences; second order where no shape enters an incomplete gamma/beta function."""
    fn = getattr(getattr(fst, name), method)
    args = tuple(np.float64(a) for a in args)
    check_grads(fn, args, order=1)
    first_order_only = name in ("t", "beta", "gamma", "chi2") and method not in ("logpdf",
                                                                                  "pdf")
    if not first_order_only:
        check_grads(fn, args, order=2)
    else:  # in x and loc, scale only, to second order
        n_shapes = {"t": 1, "beta": 2, "gamma": 1, "chi2": 1}[name]
        shapes = args[1:1 + n_shapes]
        check_grads(lambda x, loc, scale: fn(x, *shapes, loc, scale),
                    (args[0], *args[1 + n_shapes:]), order=2)


def test_discrete_derivatives_in_their_parameters():
    check_grads(lambda mu: fst.poisson.logpmf(3.0, mu), (2.5,), order=2)
    check_grads(lambda mu: fst.poisson.cdf(3.0, mu), (2.5,), order=2)
    check_grads(lambda p: fst.binom.pmf(3.0, 10.0, p), (0.35,), order=2)
    check_grads(lambda p: fst.binom.cdf(3.0, 10.0, p), (0.35,), order=2)
    check_grads(lambda p: fst.bernoulli.logpmf(1.0, p) + fst.bernoulli.sf(0.0, p), (0.35,),
                order=2)
    # the score function: d/dmu log pmf(k; mu) = k/mu - 1
    assert ftrans.grad(fst.poisson.logpmf, argnums=1)(3.0, 2.0) == pytest.approx(0.5, rel=1e-14)
    assert ftrans.grad(fst.poisson.ppf)(0.3, 2.0) == 0.0  # piecewise constant


def test_multivariate_derivatives():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 3))
    cov = a @ a.T + np.eye(3)
    x, mean = rng.standard_normal((2, 3)), rng.standard_normal(3)
    check_grads(lambda x, m, c: fst.multivariate_normal.logpdf(x, m, (c + c.T) / 2),
                (x, mean, cov), order=2)
    # d/dmean logpdf = cov^-1 (x - mean)
    g = ftrans.grad(lambda m: fst.multivariate_normal.logpdf(x[0], m, cov))(mean)
    np.testing.assert_allclose(g, np.linalg.solve(cov, x[0] - mean), rtol=1e-12)
    alpha = np.array([1.5, 2.0, 3.0])
    xs = np.array([0.2, 0.3, 0.5])
    check_grads(lambda x, a: fst.dirichlet.logpdf(x, a), (xs[:2], alpha), order=2)
    g = ftrans.grad(fst.dirichlet.logpdf)(xs, alpha)  # off the simplex too: (α - 1) / x
    np.testing.assert_allclose(g, (alpha - 1) / xs, rtol=1e-14)


# ----------------------------------------------------------------------------- transforms

@pytest.mark.parametrize("name", sorted(CONTINUOUS) + sorted(DISCRETE))
def test_vmap_and_jit_match_a_loop(name):
    mod = getattr(fst, name)
    shapes = {"t": (3.5,), "beta": (2.0, 3.0), "gamma": (2.5,), "chi2": (3.0,),
              "poisson": (2.5,), "binom": (8.0, 0.4), "bernoulli": (0.3,)}.get(name, ())
    x = np.array([[0.1, 0.4, 0.8], [0.2, 0.5, 0.9]]) + (1.0 if name == "poisson" else 0.0)
    methods = ["pmf", "cdf", "logsf", "ppf"] if name in DISCRETE else \
        ["logpdf", "cdf", "sf", "ppf"]
    for m in methods:
        fn = getattr(mod, m)
        arg = np.floor(x * 5) if name in DISCRETE and m != "ppf" else x
        loop = np.stack([fn(row, *shapes) for row in arg])
        np.testing.assert_allclose(ftrans.vmap(lambda r: fn(r, *shapes))(arg), loop,
                                   rtol=1e-13, err_msg=f"{name}.{m}")
        np.testing.assert_allclose(ftrans.jit(lambda r: fn(r, *shapes))(arg), loop,
                                   rtol=1e-13, err_msg=f"{name}.{m}")
    # batched parameters too
    if shapes:
        batch = np.array([shapes[0], shapes[0] * 1.5])
        fn = getattr(mod, "cdf")
        loop = np.stack([fn(np.floor(x[0] * 5) if name in DISCRETE else x[0], s, *shapes[1:])
                         for s in batch])
        got = ftrans.vmap(lambda s: fn(np.floor(x[0] * 5) if name in DISCRETE else x[0], s,
                                       *shapes[1:]))(batch)
        np.testing.assert_allclose(got, loop, rtol=1e-13)


def test_modules_import_as_autograd_and_jax_ports_write_them():
    norm = importlib.import_module("ftrans.scipy.stats.norm")
    assert norm.logpdf is fst.norm.logpdf
    from ftrans.scipy.stats import t as t_dist
    assert t_dist.logpdf(0.0, 1.0) == pytest.approx(-math.log(math.pi), rel=1e-15)


def test_signatures_and_errors_are_scipy_like():
    assert fst.t.cdf(1.0, df=3.0, loc=0.5, scale=2.0) == pytest.approx(
        st.t.cdf(1.0, df=3.0, loc=0.5, scale=2.0), rel=1e-13)
    with pytest.raises(TypeError, match=r"t.cdf\(x, df, loc=0.0, scale=1.0\): missing a "
                                        r"required argument: 'df'"):
        fst.t.cdf(1.0)
    with pytest.raises(TypeError, match=r"norm.pdf\(x, loc=0.0, scale=1.0\): got an "
                                        r"unexpected keyword argument 'mu'"):
        fst.norm.pdf(1.0, mu=2.0)
    assert fst.norm.pdf(np.float32(1.0)).dtype == np.float32
    assert fst.norm.logpdf(np.array([1, 2])).dtype == np.float64


def test_gradient_of_a_log_likelihood():
    """The autograd examples' use: fit by gradient descent."""
    data = np.array([1.2, 0.4, 2.5, 1.9, 0.8])

    def nll(params):
        loc, log_scale = params[0], params[1]
        return -fnp.sum(fst.norm.logpdf(data, loc, fnp.exp(log_scale)))
    g = ftrans.grad(nll)(np.array([1.0, 0.0]))
    resid = data - 1.0
    np.testing.assert_allclose(g, [-np.sum(resid), data.size - np.sum(resid ** 2)], rtol=1e-13)
