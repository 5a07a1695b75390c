"""``ftrans.scipy.special``'s gamma and beta families, Bessel I, zeta, expi, the normal
distribution's functions and the entropies: values and edge values against SciPy (with SciPy's
ufuncs as impls and with the NumPy-only ones), values from mpmath where SciPy itself loses
digits, derivatives against finite differences and known formulas, the derivatives that are
not offered, vmap, jit, dtypes."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
import ftrans.prims.special as prims_special
import ftrans.scipy.special as fsp
from ftrans.testing import check_grads

sc = pytest.importorskip("scipy.special")

inf, nan = np.inf, np.nan


@pytest.fixture(params=["scipy", "numpy-only"])
def backend(request, monkeypatch):
    """Each test with SciPy's ufuncs as impls and with the NumPy-only implementations."""
    if request.param == "numpy-only":
        monkeypatch.setattr(prims_special, "_scipy_special", False)
    return request.param


def assert_match(got, want, rtol=1e-13, atol=1e-300, what=""):
    """Equal (NaN where NaN, the same infinities) or within ``atol + rtol |want|``."""
    got, want = np.broadcast_arrays(np.asarray(got, np.float64), np.asarray(want, np.float64))
    with np.errstate(all="ignore"):
        ok = (got == want) | (np.isnan(got) & np.isnan(want)) \
            | (np.abs(got - want) <= atol + rtol * np.abs(want))
    bad = np.argwhere(~ok)[:6]
    assert ok.all(), f"{what}: {int((~ok).sum())} differ: " + "; ".join(
        f"{tuple(i)}: {got[tuple(i)]!r} vs {want[tuple(i)]!r}" for i in bad)


EDGES = [-inf, -3.0, -2.5, -1.0, -0.5, -0.0, 0.0, 1e-300, 0.3, 0.5, 1.0, 2.0, 3.5, 10.0, 50.0,
         1e3, 1e300, inf, nan]
GRID = np.concatenate([EDGES, np.linspace(-40, 40, 161), np.logspace(-300, 0, 30),
                       2 - np.logspace(-16, -1, 16), np.arange(-6.0, 1.0) + 1e-6])
PROB = np.concatenate([EDGES, np.linspace(0, 1, 101), np.logspace(-320, -1, 40),
                       1 - np.logspace(-16, -1, 16), 2 - np.logspace(-16, -1, 16)])

UNARY = ["gamma", "ndtr", "log_ndtr", "expi", "i0", "i0e", "i1", "i1e", "entr"]


@pytest.mark.parametrize("name", UNARY)
def test_functions_of_one_argument_match_scipy(backend, name):
    with np.errstate(all="ignore"):
        assert_match(getattr(fsp, name)(GRID), getattr(sc, name)(GRID), 1e-13,
                     what=f"{name} ({backend})")


@pytest.mark.parametrize("name", ["ndtri", "erfcinv"])
def test_inverses_match_scipy(backend, name):
    with np.errstate(all="ignore"):
        assert_match(getattr(fsp, name)(PROB), getattr(sc, name)(PROB), 1e-13, 1e-300, name)


def test_riemann_zeta_matches_scipy(backend):
    x = np.concatenate([EDGES, np.linspace(-60, 60, 241), [-300.5, -171.5, -170.5, 0.999]])
    with np.errstate(all="ignore"):
        assert_match(fsp.zeta(x), sc.zeta(x), 1e-13, what=backend)


SHAPES = np.array([1e-3, 0.01, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 9.9, 10.0, 10.1, 20.0, 50.0,
                   100.0, 1e3, *EDGES])


def _mesh(*axes):
    return np.meshgrid(*[np.asarray(a, np.float64) for a in axes], indexing="ij")


def test_incomplete_gamma_matches_scipy(backend):
    big = np.array([1e4, 1e6, 2e6, 1e7])
    a, x = _mesh(np.concatenate([SHAPES, big]),
                 np.concatenate([SHAPES, np.linspace(0.05, 40, 80), big, big * 0.999,
                                 big * 1.001]))
    rtol = np.where(a >= 1e3, 1e-9, 1e-13)  # SciPy loses digits there (test_values_from_mpmath)
    with np.errstate(all="ignore"):
        assert_match(fsp.gammainc(a, x), sc.gammainc(a, x), rtol, what="gammainc")
        assert_match(fsp.gammaincc(a, x), sc.gammaincc(a, x), rtol, what="gammaincc")


def test_incomplete_beta_matches_scipy(backend):
    units = [1e-300, 1e-10, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-10, 1.0, -0.1, 1.1,
             *EDGES, *np.linspace(0.02, 0.98, 25)]
    shapes = SHAPES[SHAPES != 1e300]  # accuracy degrades past a, b ~ 1e6 (docs/special.md)
    a, b, x = _mesh(shapes, shapes, units)
    # below a, b = 0.01 the flipped side cancels; at a, b = 1e3 the x^a (1-x)^b factor loses
    # ~1e-13 max(a, b); below 1e-200 SciPy loses digits (see test_values_from_mpmath)
    tiny = (a < 0.01) | (b < 0.01)
    rtol = np.where(tiny | (a >= 1e3) | (b >= 1e3), 1e-9, 1e-12)
    with np.errstate(all="ignore"):
        assert_match(fsp.betainc(a, b, x), sc.betainc(a, b, x), rtol,
                     np.where(tiny, 1e-15, 1e-200), "betainc")


PROBS = np.array([1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9,
                  0.99, 1 - 1e-5, 1 - 1e-10, 1 - 1e-15, *np.linspace(0.02, 0.98, 13)])


def test_inverses_of_the_incomplete_functions(backend):
    """gammaincinv, gammainccinv, betaincinv against SciPy, and as inverses; their ends."""
    shapes = np.array([1e-3, 0.01, 0.1, 0.5, 1.0, 1.5, 3.0, 10.0, 50.0, 1e3, 1e5])
    a, p = _mesh(shapes, PROBS)
    with np.errstate(all="ignore"):
        for name, upper in (("gammaincinv", False), ("gammainccinv", True)):
            x = getattr(fsp, name)(a, p)
            assert_match(x, getattr(sc, name)(a, p), 1e-11, what=name)
            back = (fsp.gammaincc if upper else fsp.gammainc)(a, x)
            ok = (x > 1e-290) & (p > 1e-290)
            assert_match(np.where(ok, back, p), p, 1e-11, what=name + " round trip")
        a, b, p = _mesh(shapes, shapes[::2], PROBS)
        x = fsp.betaincinv(a, b, p)
        want = sc.betaincinv(a, b, p)
        ok = np.isfinite(want) & (p > 1e-250)  # SciPy: nan for p = 1e-300
        rtol = np.where((a < 0.01) | (b < 0.01) | (a >= 1e3) | (b >= 1e3), 1e-9, 1e-11)
        assert_match(np.where(ok, x, want), want, rtol, what="betaincinv")
    assert fsp.gammaincinv(2.0, 0.0) == 0 and fsp.gammaincinv(2.0, 1.0) == inf
    assert fsp.gammainccinv(2.0, 0.0) == inf and fsp.gammainccinv(2.0, 1.0) == 0
    assert fsp.betaincinv(2.0, 3.0, 0.0) == 0 and fsp.betaincinv(2.0, 3.0, 1.0) == 1
    assert np.isnan(fsp.betaincinv(2.0, 3.0, 1.5)) and np.isnan(fsp.gammaincinv(-1.0, 0.5))


def test_bessel_functions_match_scipy(backend):
    v, x = _mesh([-50.5, -10.3, -10.0, -3.5, -1.0, -0.5, 0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 7.5,
                  20.0, 50.0, 300.0, *[e for e in EDGES if e != 1e300]],  # |v| <= 400
                 [-100.0, -3.0, -1.0, 1e-10, 1e-3, 0.1, 0.5, 1.0, 2.5, 10.0, 29.9, 30.0, 50.0,
                  100.0, 700.0, 710.0, 800.0, 1e4, *EDGES, *np.linspace(0.05, 60, 40)])
    # SciPy: iv(v, 1e-300) = 0 for v > 0 (it underflows early) and nan where iv overflows
    x = np.where((x == 1e-300) | (x == 1e300), 1.0, x)
    rtol = np.where(np.abs(v) >= 50, 1e-11, 1e-12)
    with np.errstate(all="ignore"):
        # SciPy gives 0 for I_v(1e-300) with v > 0 not an integer: 1e-300 stays out
        assert_match(fsp.iv(v, x), sc.iv(v, x), rtol, what="iv")
        assert_match(fsp.ive(v, x), sc.ive(v, x), rtol, what="ive")


def test_hurwitz_zeta_matches_scipy(backend):
    s, q = _mesh([-1.0, 0.5, 1.0, 1.0001, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0, 10.0, -inf, nan,
                  0.0],
                 [-1e300, -1e7 - 0.5, -3.5, -3.0, -1e-3, 1e-300, 1e-5, 0.3, 1.0, 2.5, 10.0, 1e3,
                  1e8, 1e300, *EDGES, *np.linspace(-4.9, 4.9, 15)])
    # negative q: terms of size 1/d^s cancel (d: the distance to the nearest integer)
    d = np.abs(q - np.round(q))
    with np.errstate(all="ignore"):
        want = sc.zeta(s, q)
        rtol = np.maximum(1e-13, np.where(q < 0, 1e-15 * d ** -np.minimum(s, 50)
                                          / np.abs(want), 0.0))
        assert_match(fsp.zeta(s, q), want, rtol, what="zeta")


POSITIVE_PAIRS = _mesh([1e-300, 0.01, 0.3, 0.5, 1.0, 2.0, 3.5, 9.0, 10.0, 50.0, 1e3, 1e300],
                       [1e-300, 0.01, 0.3, 0.5, 1.0, 2.0, 3.5, 9.0, 10.0, 50.0, 1e3, 1e300])


def test_beta_functions_match_scipy(backend):
    a, b = POSITIVE_PAIRS
    # SciPy's own betaln is 1e-12 off where one argument is large (B(1, 1000) = 1e-3: see
    # test_values_from_mpmath); ftrans uses Stirling's series there
    with np.errstate(all="ignore"):
        assert_match(fsp.betaln(a, b), sc.betaln(a, b), 1e-11, what="betaln")
        assert_match(fsp.beta(a, b), sc.beta(a, b), 1e-11, what="beta")
        neg = np.array([-2.5, -0.5, -7.25])
        assert_match(fsp.beta(neg, 3.5), sc.beta(neg, 3.5), 1e-13, what="beta < 0")
        assert_match(fsp.betaln(neg[:, None], [1e300, 0.0]),
                     sc.betaln(neg[:, None], [1e300, 0.0]), 1e-13, what="betaln edges")


def test_beta_edge_values():
    """SciPy's: inf at a zero argument, 0 (log: -inf) when one is +inf and the other
    positive; nan for the other infinite and nan arguments (SciPy's inf there is not
    reproduced, nor its finite limits at negative integers)."""
    assert fsp.betaln(0.0, 2.0) == inf and fsp.beta(2.0, 0.0) == inf
    assert fsp.betaln(inf, 2.0) == -inf and fsp.beta(2.0, inf) == 0.0
    assert np.isnan(fsp.betaln(-inf, 2.0)) and np.isnan(fsp.beta(nan, 0.5))


def test_entropies_match_scipy():
    x, y = _mesh(EDGES, EDGES)
    with np.errstate(all="ignore"):
        for name in ("rel_entr", "kl_div"):
            assert_match(getattr(fsp, name)(x, y), getattr(sc, name)(x, y), 1e-13, what=name)


def test_multigammaln_matches_scipy_and_checks_its_domain():
    a = np.array([1.6, 3.0, 10.5])
    for d in (1, 2, 3, 5):
        ok = a > 0.5 * (d - 1)
        np.testing.assert_allclose(fsp.multigammaln(a[ok], d), sc.multigammaln(a[ok], d),
                                   rtol=1e-14)
    with pytest.raises(ValueError, match=r"condition a \(1.0\) > 0.5 \* \(d-1\) \(1.5\) not met"):
        fsp.multigammaln(1.0, 4)
    with pytest.raises(ValueError, match="d must be a positive integer known while tracing, "
                                         "got 2.5"):
        fsp.multigammaln(3.0, 2.5)
    traced = ftrans.jit(lambda a: fsp.multigammaln(a, 4))(np.array([1.0, 3.0]))
    assert np.isnan(traced[0]) and abs(traced[1] - sc.multigammaln(3.0, 4)) < 1e-13


def test_sinc_matches_numpy_and_is_smooth_at_zero():
    x = np.array([0.0, 1e-9, 0.05, -0.09, 0.1, 0.5, 2.5, -3.0])
    np.testing.assert_allclose(ftrans.jit(fsp.sinc)(x), np.sinc(x), rtol=2e-16, atol=1e-16)
    assert float(ftrans.grad(fsp.sinc)(0.0)) == 0.0
    assert abs(ftrans.grad(ftrans.grad(fsp.sinc))(0.0) + math.pi ** 2 / 3) < 1e-14
    assert abs(ftrans.grad(ftrans.grad(ftrans.grad(ftrans.grad(fsp.sinc))))(0.0)
               - math.pi ** 4 / 5) < 1e-11
    check_grads(fsp.sinc, (np.array([0.0, 0.08, 0.3, -1.7]),), order=2)


# values from mpmath (40 digits; zeta(100, 1000) by direct summation, where mpmath's own zeta
# loses digits) where SciPy's value loses digits: the NumPy-only implementations (and so the
# CUDA ones, checked against them in test_cuda_special.py) keep them; compositions both ways
MPMATH = [
    (fsp.digamma, (-0.99999999,), -99999999.074739713, 1e-15),  # SciPy: -99999998.509
    (fsp.digamma, (-24.999999999,), -999999914.02089333, 1e-15),  # SciPy: -999999922.73
    (fsp.zeta, (50.0, 10.0), 1.0086304954352791e-50, 1e-15),  # SciPy: 1e-7 off
    (fsp.zeta, (100.0, 1000.0), 1.0609342003874930e-299, 1e-14),  # SciPy: 3e-9 off
    (fsp.betainc, (1000.0, 20.0, 0.48310344827586205), 3.9761485687491101e-282, 5e-13),
    (fsp.gammainc, (1000100.0, 990099.0), 5.419031598346714e-24, 1e-13),  # SciPy: 2e-10 off
    (fsp.gammainc, (1e7, 9.9e6), 3.123539470267389e-221, 1e-13),
    (fsp.iv, (-50.5, 30.0), 70.983006385887052, 1e-12),
    (fsp.iv, (2.5, 1e-3), 1.6820884681626112e-9, 1e-14),
    (fsp.expi, (0.3725,), -2.8874183188745965e-5, 2e-11),  # near Ei's root: cancellation
    (fsp.expi, (-50.0,), -3.783264029550459e-24, 1e-14),
]
COMPOSED = [
    (fsp.betaln, (1.0, 1000.0), -6.9077552789821371, 1e-15),  # SciPy: 1e-12 off
    (fsp.betaln, (0.01, 1e6), 4.4613247774123798, 1e-15),  # SciPy: 1e-11 off
    (fsp.betaln, (1e300, 1e300), -1.3862943611198907e+300, 1e-15),  # SciPy: 2e-13 off
    (fsp.beta, (1.0, 1000.0), 1e-3, 1e-14),  # SciPy: 1e-12 off
    (fsp.zeta, (-20.5,), -108.21747505877606, 1e-13),
    (fsp.zeta, (0.5,), -1.4603545088095868, 1e-15),
]


@pytest.mark.parametrize("fn, args, want, tol", MPMATH)
def test_values_from_mpmath(monkeypatch, fn, args, want, tol):
    monkeypatch.setattr(prims_special, "_scipy_special", False)
    got = float(fn(*args))
    assert abs(got - want) <= tol * abs(want), (args, got, want)


@pytest.mark.parametrize("fn, args, want, tol", COMPOSED)
def test_composed_values_from_mpmath(backend, fn, args, want, tol):
    got = float(fn(*args))
    assert abs(got - want) <= tol * abs(want), (args, got, want)


# ----------------------------------------------------------------------------- derivatives

def test_derivatives_in_x_to_second_order():
    x01 = np.array([0.15, 0.4, 0.85])
    for fn, args in [
        (fsp.gamma, (np.array([0.4, 2.5, -1.5]),)),
        (fsp.ndtri, (x01,)), (fsp.erfcinv, (np.array([0.2, 1.0, 1.7]),)),
        (fsp.ndtr, (np.array([-3.0, 0.2, 2.0]),)),
        (fsp.log_ndtr, (np.array([-25.0, -3.0, 0.5, 7.0]),)),
        (fsp.expi, (np.array([-2.0, 0.2, 3.0]),)),
        (fsp.i0, (np.array([-2.0, 0.5, 3.0]),)), (fsp.i1, (np.array([-2.0, 0.5, 3.0]),)),
        (fsp.i0e, (np.array([-2.0, 0.5, 3.0]),)), (fsp.i1e, (np.array([-2.0, 0.5, 3.0]),)),
        (lambda x: fsp.iv(1.5, x), (np.array([0.5, 3.0, 40.0]),)),
        (lambda x: fsp.ive(-0.5, x), (np.array([0.5, 3.0, 40.0]),)),
        (lambda q: fsp.zeta(2.5, q), (np.array([0.5, 3.0]),)),
        (lambda x: fsp.gammainc(2.5, x), (np.array([0.5, 3.0, 9.0]),)),
        (lambda x: fsp.gammaincc(0.7, x), (np.array([0.5, 3.0]),)),
        (lambda x: fsp.betainc(2.5, 0.7, x), (x01,)),
        (fsp.beta, (np.array([0.5, 3.0]), np.array([2.0, 12.0]))),
        (fsp.betaln, (np.array([0.5, 30.0, 15.0]), np.array([2.0, 12.0, 40.0]))),
        (fsp.entr, (x01,)), (fsp.rel_entr, (x01, x01[::-1])), (fsp.kl_div, (x01, x01[::-1])),
        (lambda a: fsp.multigammaln(a, 3), (np.array([1.5, 4.0]),)),
    ]:
        check_grads(fn, args, order=2)


def test_first_derivatives_in_the_shape_parameters():
    """gammainc, gammaincc in a; betainc in a and b (JAX has none of the latter): both modes
    against finite differences, and against mpmath's numerical derivatives."""
    a, x = np.array([0.6, 2.5, 12.0]), np.array([0.4, 3.0, 10.0])
    check_grads(fsp.gammainc, (a, x), order=1)
    check_grads(fsp.gammaincc, (a, x), order=1)
    check_grads(fsp.betainc, (np.array([0.6, 2.5, 12.0]), np.array([3.0, 0.8, 20.0]),
                              np.array([0.3, 0.9, 0.4])), order=1)
    assert abs(ftrans.grad(fsp.betainc)(2.5, 3.0, 0.4) + 0.20783852178524466) < 1e-13
    assert abs(ftrans.grad(fsp.betainc, argnums=1)(2.5, 3.0, 0.4) - 0.15390800914385501) < 1e-13
    assert abs(ftrans.grad(fsp.gammainc)(1.5, 2.0) + 0.27743356420871041) < 1e-13
    assert abs(ftrans.grad(fsp.gammainc)(25.0, 30.0) + 0.046908767177137139) < 1e-13
    assert abs(ftrans.grad(fsp.gammaincc)(1.5, 2.0) - 0.27743356420871041) < 1e-13
    # mixed second derivatives (in x, then in a) are formulas
    check_grads(lambda x: ftrans.grad(fsp.gammainc)(2.5, x), (3.0,), order=2)
    check_grads(lambda x: ftrans.grad(fsp.betainc, argnums=1)(2.5, 0.7, x), (0.3,), order=2)


def test_inverses_are_differentiable_in_every_argument():
    """By the implicit function theorem: first order in the shape parameters, any order in
    the probability."""
    check_grads(fsp.gammaincinv, (np.array([0.6, 2.5, 40.0]), np.array([0.2, 0.5, 0.97])),
                order=1)
    check_grads(fsp.gammainccinv, (np.array([0.6, 2.5, 40.0]), np.array([0.2, 0.5, 0.97])),
                order=1)
    check_grads(fsp.betaincinv, (np.array([0.6, 2.5, 12.0]), np.array([3.0, 0.8, 20.0]),
                                 np.array([0.3, 0.9, 0.4])), order=1)
    check_grads(lambda p: fsp.gammaincinv(2.5, p), (np.array([0.2, 0.7]),), order=3)
    check_grads(lambda p: fsp.betaincinv(2.5, 0.7, p), (np.array([0.2, 0.7]),), order=3)
    # d/dp P^-1(a, p) = 1 / P'(x)
    x = fsp.gammaincinv(2.5, 0.3)
    dens = math.exp(1.5 * math.log(x) - x - math.lgamma(2.5))
    assert abs(ftrans.grad(fsp.gammaincinv, argnums=1)(2.5, 0.3) - 1 / dens) < 1e-12


def test_zeta_is_differentiable_in_s():
    """∂ζ/∂s = -Σ log(q+k) (q+k)^-s (values from mpmath), Riemann's through the reflection and
    Borwein's series too; the mixed second derivative is a formula."""
    for args, want in [((3.0, 2.0), -0.19812624288563685), ((1.5, 0.3), 3.292037761731204),
                       ((50.0, 10.0), -2.323290026348298e-50), ((3.0,), -0.19812624288563685),
                       ((-2.5,), -0.006265736372189758), ((0.5,), -3.9226461392091516)]:
        assert abs(ftrans.grad(fsp.zeta)(*args) - want) <= 1e-13 * abs(want), args
    check_grads(fsp.zeta, (np.array([2.5, 4.0]), np.array([0.7, 3.0])), order=1)
    check_grads(lambda q: ftrans.grad(fsp.zeta)(3.5, q), (np.array(1.7),), order=2)
    check_grads(fsp.zeta, (np.array([-3.5, 0.3, 0.8, 2.5]),), order=1)


def test_derivative_formulas():
    assert abs(ftrans.grad(fsp.gamma)(3.5) - sc.gamma(3.5) * sc.psi(3.5)) < 1e-13
    assert abs(ftrans.grad(fsp.ndtri)(0.975) - 1 / (math.exp(-1.959963984540054 ** 2 / 2)
                                                    / math.sqrt(2 * math.pi))) < 1e-12
    assert abs(ftrans.grad(fsp.expi)(2.0) - math.exp(2.0) / 2.0) < 1e-14
    assert abs(ftrans.grad(fsp.i0)(1.3) - sc.i1(1.3)) < 1e-15
    assert abs(ftrans.grad(lambda q: fsp.zeta(3.0, q))(2.0) + 3 * sc.zeta(4.0, 2.0)) < 1e-14
    assert abs(ftrans.grad(lambda x: fsp.iv(2.0, x))(1.5)
               - (sc.iv(1.0, 1.5) + sc.iv(3.0, 1.5)) / 2) < 1e-14
    dens = 0.3 ** 1.5 * 0.7 ** -0.3 / sc.beta(2.5, 0.7)
    assert abs(ftrans.grad(lambda x: fsp.betainc(2.5, 0.7, x))(0.3) - dens) < 1e-13
    # log_ndtr far in the tail: φ/Φ ≈ -x without cancellation
    assert abs(ftrans.grad(fsp.log_ndtr)(-104.0) - 104.00961360744404) < 1e-11


def test_derivatives_not_offered_raise_and_say_which():
    with pytest.raises(NotImplementedError, match=r"zeta\(s, q\): the second derivative in s"):
        ftrans.grad(ftrans.grad(fsp.zeta))(3.0, 2.0)
    with pytest.raises(NotImplementedError, match=r"zeta\(s, q\): the second derivative in s"):
        ftrans.hessian(fsp.zeta)(3.0)  # Riemann's, through the same primitive
    with pytest.raises(NotImplementedError, match="iv/ive: not differentiable in the order v"):
        ftrans.grad(fsp.iv)(1.5, 2.0)
    with pytest.raises(NotImplementedError, match="gammainc/gammaincc: the second derivative "
                                                  "in a is not implemented"):
        ftrans.grad(ftrans.grad(fsp.gammainc))(2.0, 1.0)
    with pytest.raises(NotImplementedError, match="betainc: second derivatives in a and b"):
        ftrans.hessian(fsp.betainc, argnums=(0, 1))(2.0, 3.0, 0.5)


# ----------------------------------------------------------------------------- transforms

BATCHED = [
    (fsp.gamma, 1), (fsp.ndtri, 1), (fsp.log_ndtr, 1), (fsp.expi, 1), (fsp.i1e, 1),
    (fsp.gammainc, 2), (fsp.betainc, 3), (fsp.iv, 2), (fsp.zeta, 2), (fsp.betaln, 2),
    (fsp.kl_div, 2), (fsp.erfcinv, 1), (fsp.gammaincinv, 2), (fsp.betaincinv, 3),
]


@pytest.mark.parametrize("fn, n", BATCHED)
def test_vmap_and_jit_match_a_loop(fn, n):
    rng = np.random.default_rng(3)
    args = [rng.uniform(0.05, 0.95, (4, 3)) + (1.5 if k == 0 and fn is fsp.zeta else 0.0)
            for k in range(n)]
    loop = np.stack([fn(*[a[i] for a in args]) for i in range(4)])
    np.testing.assert_allclose(ftrans.vmap(fn)(*args), loop, rtol=1e-14)
    np.testing.assert_allclose(ftrans.jit(fn)(*args), fn(*args), rtol=1e-14)
    np.testing.assert_allclose(ftrans.vmap(fn, in_axes=1)(*args), fn(*args).T, rtol=1e-14)


def test_float32_stays_float32_and_python_numbers_are_weak():
    x32 = np.array([0.25, 0.5], np.float32)
    for name in fsp.__all__:
        fn = getattr(fsp, name)
        if name in ("polygamma", "multigammaln"):
            fn = (lambda n, x, f=fn: f(1, x)) if name == "polygamma" else \
                (lambda d, a, f=fn: f(a, 2))
            args = (1, x32 + 2)
        elif name in ("gammainc", "gammaincc", "beta", "betaln", "iv", "ive", "zeta",
                      "rel_entr", "kl_div", "xlogy", "xlog1py"):
            args = (2.0, x32)
        elif name in ("gammaincinv", "gammainccinv"):
            args = (2.0, x32)
        elif name in ("betainc", "betaincinv"):
            args = (2.0, 3.0, x32)
        else:
            args = (x32,)
        assert fn(*args).dtype == np.float32, name
        assert ftrans.jit(lambda x: fn(*args[:-1], x))(args[-1]).dtype == np.float32, name
    assert np.asarray(fsp.gammainc(np.array([1, 2]), 3)).dtype == np.float64


def test_scipy_ufuncs_on_traced_arrays_dispatch_here():
    x = np.array([0.3, 0.6])
    f = lambda x: np.sum(sc.gammainc(2.0, x) + sc.betainc(2.0, 3.0, x) + sc.ndtri(x)  # noqa
                         + sc.i0e(x) + sc.log_ndtr(x))
    g = ftrans.grad(f)(x)
    h = 1e-6
    fd = np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(g, fd, rtol=1e-7)


# ----------------------------------------------------------------------------- logsumexp

@pytest.mark.parametrize("a, b", [
    ([-inf, -inf], None), ([1.0, 2.0], [1.0, -1.0]), ([inf, 1.0], None), ([inf, -inf], None),
    ([inf, inf], [1.0, -1.0]), ([nan, 1.0], None), ([1.0, 2.0], [0.0, 0.0]),
    ([1000.0, 1000.0], [0.5, 0.25]), ([-1000.0, 3.0, 2.0], [2.0, -1.0, 0.5]),
])
def test_logsumexp_edges_match_scipy(a, b):
    a = np.asarray(a)
    with np.errstate(all="ignore"):
        assert_match(fsp.logsumexp(a, b=b), sc.logsumexp(a, b=b), 1e-14)
        out, sign = fsp.logsumexp(a, b=b, return_sign=True)
        want, want_sign = sc.logsumexp(a, b=b, return_sign=True)
        assert_match(out, want, 1e-14)
        assert_match(sign, want_sign, 0.0)


def test_logsumexp_is_differentiable_in_b():
    a = np.array([[0.3, -1.2, 2.0], [1.0, 0.5, -0.4]])
    b = np.array([[0.5, 2.0, 1.5], [1.0, 0.2, 3.0]])
    check_grads(lambda a, b: fsp.logsumexp(a, axis=1, b=b), (a, b), order=2)
    g = ftrans.grad(lambda b: fnp.sum(fsp.logsumexp(a, axis=1, b=b)))(b)
    e = np.exp(a)
    np.testing.assert_allclose(g, e / np.sum(b * e, axis=1, keepdims=True), rtol=1e-14)
    check_grads(lambda b: fsp.logsumexp(a[0], b=b, return_sign=True)[0],
                (np.array([1.0, -3.0, 0.5]),), order=2)
