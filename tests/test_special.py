"""``ftrans.scipy.special``: known values (both the SciPy-backed and the NumPy-only
implementations), SciPy as an optional oracle, dtypes, derivative identities."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
import ftrans.prims.special as prims_special
import ftrans.scipy.special as fsp
from ftrans.testing import check_grads

EULER = 0.5772156649015329
ZETA3 = 1.2020569031595942

KNOWN = [
    ("erf", 0.5, 0.5204998778130465), ("erf", 1.0, 0.8427007929497149),
    ("erf", -2.0, -0.9953222650189527), ("erf", 0.0, 0.0),
    ("erfc", 3.0, 2.209049699858544e-05), ("erfc", -1.0, 1.8427007929497148),
    ("erfc", 10.0, 2.088487583762545e-45),
    ("erfinv", 0.5, 0.4769362762044699), ("erfinv", -0.9, -1.1630871536766743),
    ("erfinv", 0.999, 2.326753765513525), ("erfinv", 1e-10, 8.862269254527579e-11),
    ("gammaln", 0.5, 0.5 * math.log(math.pi)), ("gammaln", 10.0, math.log(362880.0)),
    ("gammaln", -0.5, math.log(2 * math.sqrt(math.pi))), ("gammaln", 1.0, 0.0),
    ("digamma", 1.0, -EULER), ("digamma", 0.5, -EULER - 2 * math.log(2)),
    ("digamma", 10.0, sum(1 / k for k in range(1, 10)) - EULER),
    ("digamma", -0.5, 2 - EULER - 2 * math.log(2)), ("digamma", 100.5, None),
    ("expit", 0.0, 0.5), ("expit", math.log(3.0), 0.75),
    ("logit", 0.25, -math.log(3.0)), ("logit", 0.5, 0.0),
]
POLYGAMMA = [(1, 1.0, math.pi ** 2 / 6), (1, 0.5, math.pi ** 2 / 2), (2, 1.0, -2 * ZETA3),
             (3, 1.0, math.pi ** 4 / 15), (1, 25.0, None)]


@pytest.fixture(params=["default", "numpy-only"])
def backend(request, monkeypatch):
    """Run a test with the default impls (SciPy when installed) and with NumPy-only ones."""
    if request.param == "numpy-only":
        monkeypatch.setattr(prims_special, "_scipy_special", False)
    return request.param


def _digamma_by_recurrence(x: float) -> float:
    """ψ(x) = ψ(x - m) + Σ 1/(x - m + k) down to ψ(1/2) = -γ - 2 log 2, for x ≡ 1/2 mod 1."""
    m = int(x - 0.5)
    return -EULER - 2 * math.log(2) + math.fsum(1 / (0.5 + k) for k in range(m))


@pytest.mark.parametrize("name, x, expected", KNOWN)
def test_known_values(backend, name, x, expected):
    if expected is None:
        expected = _digamma_by_recurrence(x)
    out = getattr(fsp, name)(x)
    assert np.asarray(out).dtype == np.float64
    assert abs(float(out) - expected) <= 2e-15 * max(1.0, abs(expected)) + 1e-300, \
        (name, x, float(out), expected)


@pytest.mark.parametrize("n, x, expected", POLYGAMMA)
def test_polygamma_known_values(backend, n, x, expected):
    if expected is None:  # ψ'(x) = Σ 1/(x+k)², plus the tail ≈ 1/(x+K)
        k = np.arange(0, 1_000_000, dtype=np.float64)
        expected = float(np.sum(1 / (x + k) ** 2)) + 1 / (x + 1_000_000 - 0.5)
    out = fsp.polygamma(n, x)
    assert abs(float(out) - expected) <= 1e-14 * max(1.0, abs(expected))


def test_numpy_only_impls_on_a_grid_against_identities(backend):
    x = np.linspace(0.1, 40.0, 400)
    # recurrences: lgamma(x+1) = lgamma(x) + log x, ψ(x+1) = ψ(x) + 1/x, ψ'(x+1) = ψ'(x) - 1/x²
    np.testing.assert_allclose(fsp.gammaln(x + 1), fsp.gammaln(x) + np.log(x), rtol=1e-13,
                               atol=1e-13)
    np.testing.assert_allclose(fsp.digamma(x + 1), fsp.digamma(x) + 1 / x, rtol=1e-13,
                               atol=1e-13)
    np.testing.assert_allclose(fsp.polygamma(1, x + 1), fsp.polygamma(1, x) - 1 / x ** 2,
                               rtol=1e-13, atol=1e-15)
    # reflection: ψ(1 - x) - ψ(x) = π cot(πx)
    y = np.linspace(-3.9, -0.1, 39) + 0.013
    np.testing.assert_allclose(fsp.digamma(1 - y) - fsp.digamma(y), np.pi / np.tan(np.pi * y),
                               rtol=1e-12, atol=1e-12)
    # erf and erfc are complements; erfinv inverts erf
    z = np.linspace(-5, 5, 101)
    np.testing.assert_allclose(fsp.erf(z) + fsp.erfc(z), 1.0, rtol=1e-15, atol=1e-15)
    p = np.linspace(-0.999, 0.999, 201)
    np.testing.assert_allclose(fsp.erf(fsp.erfinv(p)), p, rtol=2e-15, atol=1e-16)
    near_one = 1 - np.array([1e-12, 1e-15, 2.0 ** -52])
    np.testing.assert_allclose(fsp.erfc(fsp.erfinv(near_one)), 1 - near_one, rtol=1e-12)


def test_edge_values(backend):
    assert fsp.erfinv(1.0) == np.inf and fsp.erfinv(-1.0) == -np.inf
    assert np.isnan(fsp.erfinv(1.5))
    assert fsp.gammaln(0.0) == np.inf and fsp.gammaln(-2.0) == np.inf
    assert fsp.digamma(0.0) == -np.inf and np.isnan(fsp.digamma(-1.0))
    assert fsp.digamma(np.inf) == np.inf
    assert float(fsp.expit(-800.0)) == 0.0 and float(fsp.expit(800.0)) == 1.0


@pytest.mark.parametrize("name", ["erf", "erfc", "erfinv", "gammaln", "digamma", "expit"])
def test_dtypes(backend, name):
    fn = getattr(fsp, name)
    x32 = np.array([0.25, 0.5], np.float32)
    assert fn(x32).dtype == np.float32
    assert traced(fn, x32).dtype == np.float32
    assert np.asarray(fn(np.array([1, 2]) if name != "erfinv" else np.array([0, 0]))).dtype \
        == np.float64


def traced(f, *args):
    return ftrans.jvp(f, args, tuple(np.zeros_like(a) for a in args))[0]


@pytest.mark.parametrize("name", ["erf", "erfc", "erfinv", "gammaln", "digamma", "expit",
                                  "logit"])
def test_matches_scipy_when_installed(name):
    sc = pytest.importorskip("scipy.special")
    x = np.linspace(-0.99, 0.99, 199) if name in ("erfinv",) else \
        np.linspace(0.01, 0.99, 99) if name == "logit" else \
        np.concatenate([np.linspace(-6, 6, 241), np.linspace(0.05, 150, 300)])
    if name in ("gammaln", "digamma"):
        x = x[np.abs(x - np.round(x)) > 1e-3]  # away from the poles
    for impl in ("default", "numpy-only"):
        saved = prims_special._scipy_special
        if impl == "numpy-only":
            prims_special._scipy_special = False
        try:
            ours = getattr(fsp, name)(x)
        finally:
            prims_special._scipy_special = saved
        theirs = getattr(sc, name)(x)
        atol = 1e-13 if name == "digamma" else 1e-15  # ψ has a root near 1.4616
        np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=atol, err_msg=impl)


def test_polygamma_matches_scipy_when_installed():
    sc = pytest.importorskip("scipy.special")
    x = np.concatenate([np.linspace(0.05, 60, 200), np.linspace(-3.95, -0.05, 40) + 0.0123])
    saved = prims_special._scipy_special
    prims_special._scipy_special = False
    try:
        for n in (1, 2, 3, 4):
            np.testing.assert_allclose(fsp.polygamma(n, x), sc.polygamma(n, x), rtol=1e-12)
    finally:
        prims_special._scipy_special = saved


def test_reductions_match_scipy_when_installed():
    sc = pytest.importorskip("scipy.special")
    x = np.random.default_rng(0).standard_normal((3, 4)) * 50
    b = np.random.default_rng(1).uniform(-1, 1, (3, 4))
    for kw in [{}, {"axis": 1}, {"axis": (0, 1), "keepdims": True}, {"axis": 0, "b": np.abs(b)},
               {"axis": 1, "b": b, "return_sign": True}]:
        np.testing.assert_allclose(fsp.logsumexp(x, **kw), sc.logsumexp(x, **kw), rtol=1e-13)
    for axis in (None, 0, 1):
        np.testing.assert_allclose(fsp.softmax(x, axis), sc.softmax(x, axis), rtol=1e-12,
                                   atol=1e-300)
        np.testing.assert_allclose(fsp.log_softmax(x, axis), sc.log_softmax(x, axis),
                                   rtol=1e-13)
    np.testing.assert_allclose(fsp.xlogy(np.array([0.0, 2.0]), np.array([0.0, 3.0])),
                               sc.xlogy(np.array([0.0, 2.0]), np.array([0.0, 3.0])))


# ----------------------------------------------------------------------------- reductions

def test_logsumexp_does_not_overflow_and_handles_minus_infinity():
    x = np.array([1000.0, 1000.0])
    assert abs(fsp.logsumexp(x) - (1000 + math.log(2))) < 1e-12
    assert traced(fsp.logsumexp, x) == fsp.logsumexp(x)
    assert fsp.logsumexp(np.array([-np.inf, -np.inf])) == -np.inf
    out, sign = fsp.logsumexp(np.array([0.0, 0.0]), b=np.array([1.0, -2.0]), return_sign=True)
    assert sign == -1.0 and abs(out) < 1e-15


def test_gradient_of_logsumexp_is_softmax():
    x = np.random.default_rng(2).standard_normal((2, 5))
    g = ftrans.grad(lambda x: fnp.sum(fsp.logsumexp(x, axis=1)))(x)
    np.testing.assert_allclose(g, fsp.softmax(x, axis=1), rtol=1e-13)
    np.testing.assert_allclose(np.sum(fsp.softmax(x, axis=1), axis=1), 1.0, rtol=1e-15)


# ----------------------------------------------------------------------------- derivatives

def test_derivative_identities():
    x = 0.3
    assert abs(ftrans.grad(fsp.erf)(x) - 2 / math.sqrt(math.pi) * math.exp(-x * x)) < 1e-15
    assert abs(ftrans.grad(fsp.erfc)(x) + 2 / math.sqrt(math.pi) * math.exp(-x * x)) < 1e-15
    assert abs(ftrans.grad(fsp.gammaln)(2.5) - fsp.digamma(2.5)) < 1e-15
    assert abs(ftrans.grad(fsp.digamma)(2.5) - fsp.polygamma(1, 2.5)) < 1e-15
    assert abs(ftrans.grad(ftrans.grad(fsp.gammaln))(1.0) - math.pi ** 2 / 6) < 1e-13
    assert abs(ftrans.grad(lambda v: fsp.erfinv(fsp.erf(v)))(x) - 1.0) < 1e-13
    assert abs(ftrans.grad(fsp.expit)(0.0) - 0.25) < 1e-15
    assert abs(ftrans.grad(lambda y: fsp.xlogy(2.0, y))(4.0) - 0.5) < 1e-15
    assert abs(ftrans.grad(lambda y: fsp.xlog1py(2.0, y))(3.0) - 0.5) < 1e-15
    # at x == 0 the functions are 0 but their derivative in x is log(y) (as in JAX)
    assert abs(ftrans.grad(fsp.xlogy)(0.0, 2.0) - math.log(2.0)) < 1e-15
    assert abs(ftrans.grad(fsp.xlog1py)(0.0, 2.0) - math.log(3.0)) < 1e-15
    assert ftrans.grad(fsp.xlogy, argnums=1)(0.0, 2.0) == 0.0


def test_xlogy_edge_values_match_scipy_conventions():
    x = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 2.0, -1.0])
    y = np.array([np.nan, -1.0, np.inf, 0.0, 2.0, -1.0, 0.0, 3.0, np.inf])
    expected = np.array([np.nan, 0, 0, 0, 0, np.nan, -np.inf, 2 * math.log(3), -np.inf])
    np.testing.assert_allclose(fsp.xlogy(x, y), expected, rtol=1e-15)
    np.testing.assert_allclose(fsp.xlog1py(x, y - 1), expected, rtol=1e-15)


def test_third_order_through_polygamma():
    check_grads(fsp.gammaln, (np.array([0.7, 3.0]),), order=3)
    check_grads(fsp.erfinv, (np.array([-0.4, 0.6]),), order=3)


def test_scipy_ufuncs_on_traced_arrays_dispatch_here():
    sc = pytest.importorskip("scipy.special")
    x = np.array([0.5, 1.5])
    g = ftrans.grad(lambda x: np.sum(sc.gammaln(x) + sc.erf(x) * sc.expit(x)))(x)
    g_ref = ftrans.grad(lambda x: fnp.sum(fsp.gammaln(x) + fsp.erf(x) * fsp.expit(x)))(x)
    np.testing.assert_allclose(g, g_ref, rtol=1e-15)


def test_cuda_expressions_are_declared():
    from ftrans.core import PRIMITIVES
    assert PRIMITIVES["erf"].cuda == "erf({0})"
    assert PRIMITIVES["lgamma"].cuda == "lgamma({0})"
    assert PRIMITIVES["digamma"].cuda == "ft_digamma({0})"
    assert PRIMITIVES["polygamma"].cuda.format("x", n=2) == "ft_polygamma(2, x)"


def test_polygamma_order_must_be_a_static_nonnegative_integer():
    with pytest.raises(TypeError, match="polygamma: the order n must be a non-negative "
                                        "integer"):
        fsp.polygamma(-1, 1.0)
    with pytest.raises(TypeError, match="non-negative integer known while tracing"):
        ftrans.grad(lambda n: fsp.polygamma(n, 1.0))(1.0)


def test_importing_ftrans_does_not_import_scipy():
    import subprocess
    import sys
    code = "import ftrans, sys; assert 'scipy' not in sys.modules, 'scipy imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
