"""The rest of ``ftrans.scipy.special`` (re-exported there): the gamma and beta families, the
normal distribution's functions, Bessel I, zeta, expi, the entropies, sinc.

Every function takes SciPy's arguments, broadcasts them, computes in their common float
dtype (float64 for integers) and gives SciPy's values, edge values included.
"""

from __future__ import annotations

import functools
import inspect
import math
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from .. import numpy as fnp
from ..core import Tracer
from ..numpy import safe
from ..prims import bessel as pb
from ..prims import incomplete as pi
from ..prims import special as ps
from ..prims.incomplete_numpy import STIRLING
from ._args import check_real, floats

_SQRT1_2 = 0.70710678118654752440
_LOG_2PI = math.log(2 * math.pi)


def _quiet(fn: Any) -> Any:
    """Run ``fn`` with NumPy's floating-point warnings off: on concrete arrays, compositions
    meet inf and nan in the branches ``where`` discards (SciPy's ufuncs do not warn)."""
    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    return wrapped


def _example(name: str, call: str, value: str, params: Sequence[str] = ()) -> str:
    """The NumPy-style docstring of ``special.<name>``, with its arguments ``params``."""
    sections = ""
    if params:
        sections = ("Parameters\n----------\n" + ", ".join(params) + " : array_like\n"
                    "    The arguments, broadcast together; computed in their common float "
                    "dtype.\n\nReturns\n-------\nout : ndarray\n    Elementwise (a traced "
                    "array under a transformation).\n\nRaises\n------\nTypeError\n    If an "
                    "argument is not real numbers (a string, None, complex).\n\n")
    return (f"SciPy's ``special.{name}``.\n\n{sections}Examples\n--------\n"
            f">>> import ftrans.scipy.special as fsp\n>>> {call}\n{value}\n")


# ----------------------------------------------------------------------------- primitives

def gamma(x: Any) -> Any:
    (x,) = floats("gamma", x)
    return ps.gamma_p.bind(x)


def ndtri(p: Any) -> Any:
    (p,) = floats("ndtri", p, names=("p",))
    return ps.ndtri_p.bind(p)


def log_ndtr(x: Any) -> Any:
    (x,) = floats("log_ndtr", x)
    return ps.log_ndtr_p.bind(x)


def expi(x: Any) -> Any:
    (x,) = floats("expi", x)
    return ps.expi_p.bind(x)


def gammainc(a: Any, x: Any) -> Any:
    a, x = floats("gammainc", a, x, names=("a", "x"))
    return pi.igamma_p.bind(a, x, upper=False)


def gammaincc(a: Any, x: Any) -> Any:
    a, x = floats("gammaincc", a, x, names=("a", "x"))
    return pi.igamma_p.bind(a, x, upper=True)


def betainc(a: Any, b: Any, x: Any) -> Any:
    a, b, x = floats("betainc", a, b, x, names=("a", "b", "x"))
    return pi.betainc_p.bind(a, b, x)


def gammaincinv(a: Any, y: Any) -> Any:
    a, y = floats("gammaincinv", a, y, names=("a", "y"))
    return pi.igamma_inv_p.bind(a, y, upper=False)


def gammainccinv(a: Any, y: Any) -> Any:
    a, y = floats("gammainccinv", a, y, names=("a", "y"))
    return pi.igamma_inv_p.bind(a, y, upper=True)


def betaincinv(a: Any, b: Any, y: Any) -> Any:
    a, b, y = floats("betaincinv", a, b, y, names=("a", "b", "y"))
    return pi.betainc_inv_p.bind(a, b, y)


def iv(v: Any, x: Any) -> Any:
    v, x = floats("iv", v, x, names=("v", "x"))
    return pb.bessel_iv_p.bind(v, x, scaled=False)


def ive(v: Any, x: Any) -> Any:
    v, x = floats("ive", v, x, names=("v", "x"))
    return pb.bessel_iv_p.bind(v, x, scaled=True)


def _i01(order: int, scaled: bool) -> Any:
    name = f"i{order}{'e' if scaled else ''}"

    def fn(x: Any) -> Any:
        (x,) = floats(name, x)
        return pb.bessel_i01_p.bind(x, order=order, scaled=scaled)
    fn.__name__ = fn.__qualname__ = name
    return fn


i0, i0e, i1, i1e = _i01(0, False), _i01(0, True), _i01(1, False), _i01(1, True)

for _fn, _call, _value, _extra in [
    (gamma, "float(fsp.gamma(5.0))", "24.0", " Derivative: ``gamma * digamma``."),
    (ndtri, "round(float(fsp.ndtri(0.975)), 12)", "1.95996398454",
     " The inverse of ``ndtr``."),
    (log_ndtr, "round(float(fsp.log_ndtr(-40.0)), 6)", "-804.608442",
     " ``log(ndtr(x))`` without underflow."),
    (expi, "round(float(fsp.expi(1.0)), 12)", "1.895117816356",
     " The exponential integral Ei; derivative ``e^x / x``."),
    (gammainc, "round(float(fsp.gammainc(1.0, 2.0)), 12)  # 1 - e^-2", "0.864664716763",
     " The regularized lower incomplete gamma function P(a, x); differentiable in ``x`` and in "
     "``a`` (first order)."),
    (gammaincc, "round(float(fsp.gammaincc(1.0, 2.0)), 12)  # e^-2", "0.135335283237",
     " Q(a, x) = 1 - P(a, x); differentiable in ``x`` and in ``a`` (first order)."),
    (betainc, "float(fsp.betainc(1.0, 1.0, 0.25))", "0.25",
     " The regularized incomplete beta function I_x(a, b); differentiable in ``x`` and (first "
     "order) in ``a`` and ``b`` — JAX's is not."),
    (gammaincinv, "round(float(fsp.gammaincinv(1.0, 0.5)), 12)  # log 2", "0.69314718056",
     " The inverse of ``gammainc`` in ``x``; differentiable in ``y`` and (first order) ``a``."),
    (gammainccinv, "round(float(fsp.gammainccinv(1.0, 0.5)), 12)", "0.69314718056",
     " The inverse of ``gammaincc`` in ``x``; differentiable in ``y`` and (first order) "
     "``a``."),
    (betaincinv, "float(fsp.betaincinv(1.0, 1.0, 0.25))", "0.25",
     " The inverse of ``betainc`` in ``x``; differentiable in ``y`` and (first order) ``a``, "
     "``b``."),
    (iv, "round(float(fsp.iv(0.5, 1.0)), 12)", "0.937674888245",
     " The modified Bessel function I_v(x); differentiable in ``x`` (not in ``v``)."),
    (ive, "round(float(fsp.ive(0.0, 1.0)), 12)", "0.465759607594",
     " ``exp(-|x|) iv(v, x)``; differentiable in ``x``."),
    (i0, "round(float(fsp.i0(1.0)), 12)", "1.266065877752", ""),
    (i0e, "round(float(fsp.i0e(1.0)), 12)", "0.465759607594", ""),
    (i1, "round(float(fsp.i1(1.0)), 12)", "0.565159103992", ""),
    (i1e, "round(float(fsp.i1e(1.0)), 12)", "0.20791041535", ""),
]:
    _fn.__doc__ = _example(_fn.__name__, _call, _value,
                           list(inspect.signature(_fn).parameters)).replace(
        "``.\n\n", "``." + _extra + "\n\n", 1)


# ----------------------------------------------------------------------------- compositions

@_quiet
def ndtr(x: Any) -> Any:
    """SciPy's ``special.ndtr``: the standard normal CDF ``erfc(-x/√2) / 2``.

    Parameters
    ----------
    x : array_like
        The points, any shape.

    Returns
    -------
    out : ndarray
        ``P(Z <= x)`` for a standard normal ``Z``, elementwise, in ``x``'s float dtype
        (float64 for integers); differentiable (its derivative is the normal density).

    Raises
    ------
    TypeError
        If an argument is not real numbers (a string, None, complex).

    Examples
    --------
    >>> import ftrans.scipy.special as fsp
    >>> float(fsp.ndtr(0.0))
    0.5
    """
    (x,) = floats("ndtr", x)
    return 0.5 * ps.erfc_p.bind(x * -_SQRT1_2)


@_quiet
def erfcinv(y: Any) -> Any:
    """SciPy's ``special.erfcinv``: the inverse of ``erfc``, computed as ``-ndtri(y/2) / √2``.

    Parameters
    ----------
    y : array_like
        Values in [0, 2] (outside it: nan).

    Returns
    -------
    out : ndarray
        ``x`` with ``erfc(x) == y``, elementwise; ``inf`` at 0 and ``-inf`` at 2;
        differentiable.

    Raises
    ------
    TypeError
        If an argument is not real numbers (a string, None, complex).

    Examples
    --------
    >>> import ftrans.scipy.special as fsp
    >>> round(float(fsp.erfcinv(0.5)), 12)
    0.476936276204
    """
    (y,) = floats("erfcinv", y, names=("y",))
    return ps.ndtri_p.bind(0.5 * y) * -_SQRT1_2


def _stirling_correction(x: Any) -> Any:
    """``lgamma(x) - ((x - 1/2) log x - x + log(2π)/2)`` for ``x >= 10``."""
    inv = 1 / x
    inv2 = inv * inv
    acc = STIRLING[-1] * inv2
    for c in reversed(STIRLING[1:-1]):
        acc = (acc + c) * inv2
    return (acc + STIRLING[0]) * inv


@_quiet
def betaln(a: Any, b: Any) -> Any:
    """SciPy's ``special.betaln``: ``log |B(a, b)|``. Where ``lgamma(a) + lgamma(b) -
    lgamma(a+b)`` would cancel (the larger argument ``>= 10``), Stirling's series instead
    (SciPy's own value can be 1e-12 off there). Unlike SciPy, nan (not its finite limit) at a
    non-positive integer argument beside a positive integer, and for ``-inf``.

    Parameters
    ----------
    a, b : array_like
        The arguments, broadcast together.

    Returns
    -------
    out : ndarray
        ``log |B(a, b)|``, in the arguments' common float dtype; ``inf`` where ``a`` or ``b``
        is 0; differentiable in both.

    Raises
    ------
    TypeError
        If an argument is not real numbers (a string, None, complex).

    Examples
    --------
    >>> import ftrans.scipy.special as fsp
    >>> round(float(fsp.betaln(1e6, 2.0)), 9)  # log(1 / (1e6 (1e6 + 1)))
    -27.631022116
    """
    a, b = floats("betaln", a, b, names=("a", "b"))
    hi, lo = fnp.maximum(a, b), fnp.minimum(a, b)
    both = lo >= 10
    one = (hi >= 10) & (hi + lo >= 10) & ~both  # lo may be negative
    plain = ps.lgamma_p.bind(a) + ps.lgamma_p.bind(b) - ps.lgamma_p.bind(a + b)
    h = fnp.where(both | one, hi, 10.0)
    low = fnp.where(both | one, lo, 1.0)
    ratio = low / h
    corr = _stirling_correction(h) - _stirling_correction(h + low)
    big = (-(h - 0.5) * fnp.log1p(ratio) - low * fnp.log1p(1 / ratio) - 0.5 * fnp.log(low)
           + 0.5 * _LOG_2PI + corr + _stirling_correction(fnp.where(both, low, 10.0)))
    mixed = ps.lgamma_p.bind(low) - ((h - 0.5) * fnp.log1p(ratio) + low * fnp.log(h + low)
                                     - low - corr)
    out = fnp.where(both, big, fnp.where(one, mixed, plain))
    # SciPy's edges: inf where a or b is 0, -inf where one is +inf and the other positive
    out = fnp.where((a == 0) | (b == 0), np.inf, out)
    return fnp.where((hi == np.inf) & (lo > 0) & (lo < np.inf), -np.inf, out)


def _gammasgn(x: Any) -> Any:
    """The sign of Γ(x): 1 for x > 0; for x < 0, -1 where floor(x) is odd."""
    odd = fnp.not_equal(fnp.remainder(fnp.floor(x), 2.0), 0.0)
    one = fnp.ones_like(x)
    return fnp.where((x < 0) & odd, -one, one)


@_quiet
def beta(a: Any, b: Any) -> Any:
    """SciPy's ``special.beta``: ``Γ(a) Γ(b) / Γ(a+b)``, as ``± exp(betaln(a, b))``.

    Parameters
    ----------
    a, b : array_like
        The arguments, broadcast together (negative non-integers allowed: the sign follows
        the gamma functions').

    Returns
    -------
    out : ndarray
        ``B(a, b)``, in the arguments' common float dtype; differentiable in both.

    Raises
    ------
    TypeError
        If an argument is not real numbers (a string, None, complex).

    Examples
    --------
    >>> import ftrans.scipy.special as fsp
    >>> round(float(fsp.beta(2.0, 3.0)), 15)  # 1/12
    0.083333333333333
    """
    a, b = floats("beta", a, b, names=("a", "b"))
    sign = _gammasgn(a) * _gammasgn(b) * _gammasgn(a + b)
    return sign * fnp.exp(betaln(a, b))


@_quiet
def multigammaln(a: Any, d: int) -> Any:
    """SciPy's ``special.multigammaln``: the log of the multivariate gamma function of
    dimension ``d``, ``d(d-1)/4 log π + Σ_j gammaln(a - j/2)``. ``a <= (d-1)/2`` raises
    ``ValueError`` as in SciPy when ``a`` is known; traced, it gives nan there.

    Parameters
    ----------
    a : array_like
        The argument, ``> (d - 1) / 2``; differentiable.
    d : int
        The dimension, a positive integer known while tracing (not differentiable).

    Returns
    -------
    out : ndarray
        ``log Γ_d(a)``, elementwise, in ``a``'s float dtype.

    Raises
    ------
    ValueError
        If ``d`` is not a positive integer, or a concrete ``a`` is ``<= (d - 1) / 2``.
    TypeError
        If ``a`` is not real numbers.

    Examples
    --------
    >>> import ftrans.scipy.special as fsp
    >>> round(float(fsp.multigammaln(3.0, 2)), 12)
    1.550194993958
    """
    if isinstance(d, Tracer) or np.ndim(d) != 0 or int(d) != d or int(d) < 1:
        raise ValueError(f"multigammaln: d must be a positive integer known while tracing, "
                         f"got {d!r}")
    d = int(d)
    (a,) = floats("multigammaln", a, names=("a",))
    if not isinstance(a, Tracer) and np.any(np.asarray(a) <= 0.5 * (d - 1)):
        raise ValueError(f"multigammaln: condition a ({np.min(np.asarray(a))}) > "
                         f"0.5 * (d-1) ({0.5 * (d - 1)}) not met")
    total: Any = d * (d - 1) / 4 * math.log(math.pi)
    for j in range(d):
        total = total + ps.lgamma_p.bind(a - 0.5 * j)
    return fnp.where(a > 0.5 * (d - 1), total, np.nan)


@_quiet
def entr(x: Any) -> Any:
    """SciPy's ``special.entr``: ``-x log x`` for ``x > 0``, 0 at 0, ``-inf`` below.

    Parameters
    ----------
    x : array_like
        The points, any shape.

    Returns
    -------
    out : ndarray
        The elementwise entropy terms, in ``x``'s float dtype; differentiable for ``x > 0``
        (the gradient stays finite where the other branches are taken).

    Raises
    ------
    TypeError
        If an argument is not real numbers (a string, None, complex).

    Examples
    --------
    >>> import ftrans.scipy.special as fsp
    >>> round(float(fsp.entr(0.5)), 12)
    0.34657359028
    """
    (x,) = floats("entr", x)
    out = safe.where(x > 0, lambda v: -v * fnp.log(v), fnp.where(x == 0, 0 * x, -np.inf), x)
    return fnp.where(fnp.isnan(x), x, out)


def _xlogxy(x: Any, y: Any) -> Any:
    """``x log(x/y)`` for ``x, y > 0`` (``log x - log y`` where ``x/y`` over- or
    underflows), 0 elsewhere."""
    def f(u: Any, v: Any) -> Any:
        r = u / v
        ok = (r > 0) & (r < np.inf)
        return u * fnp.where(ok, fnp.log(fnp.where(ok, r, 1.0)), fnp.log(u) - fnp.log(v))
    return safe.where((x > 0) & (y > 0), f, 0.0, x, y)


@_quiet
def rel_entr(x: Any, y: Any) -> Any:
    """SciPy's ``special.rel_entr``: ``x log(x/y)`` for ``x, y > 0``; 0 for ``x = 0, y >= 0``;
    inf elsewhere.

    Parameters
    ----------
    x, y : array_like
        The arguments, broadcast together (nan in either gives nan).

    Returns
    -------
    out : ndarray
        ``x log(x/y)``, 0 or inf as above, in the arguments' common float dtype;
        differentiable in both where ``x, y > 0``.

    Raises
    ------
    TypeError
        If an argument is not real numbers (a string, None, complex).

    Examples
    --------
    >>> import ftrans.scipy.special as fsp
    >>> round(float(fsp.rel_entr(1.0, 2.0)), 12)
    -0.69314718056
    """
    x, y = floats("rel_entr", x, y)
    inside = (x > 0) & (y > 0)
    out = fnp.where(inside, _xlogxy(x, y), fnp.where((x == 0) & (y >= 0), 0 * x, np.inf))
    return fnp.where(fnp.isnan(x) | fnp.isnan(y), np.nan, out)


@_quiet
def kl_div(x: Any, y: Any) -> Any:
    """SciPy's ``special.kl_div``: ``x log(x/y) - x + y`` for ``x, y > 0``; ``y`` for
    ``x = 0, y >= 0``; inf elsewhere.

    Parameters
    ----------
    x, y : array_like
        The arguments, broadcast together (nan in either gives nan).

    Returns
    -------
    out : ndarray
        ``x log(x/y) - x + y``, ``y`` or inf as above, in the arguments' common float
        dtype; differentiable in both where ``x, y > 0``.

    Raises
    ------
    TypeError
        If an argument is not real numbers (a string, None, complex).

    Examples
    --------
    >>> import ftrans.scipy.special as fsp
    >>> round(float(fsp.kl_div(1.0, 2.0)), 12)
    0.30685281944
    """
    x, y = floats("kl_div", x, y)
    inside = (x > 0) & (y > 0)
    out = fnp.where(inside, _xlogxy(x, y) - x + y,
                    fnp.where((x == 0) & (y >= 0), y, np.inf))
    return fnp.where(fnp.isnan(x) | fnp.isnan(y), np.nan, out)


def sinc(x: Any) -> Any:
    """``sin(πx) / (πx)`` (NumPy's ``sinc``, which SciPy re-exports), with derivatives of
    every order right at 0.

    Parameters
    ----------
    x : array_like
        The points, any shape.

    Returns
    -------
    out : ndarray
        The normalized sinc, elementwise (1 at 0), in ``x``'s float dtype.

    Raises
    ------
    TypeError
        If an argument is not real numbers (a string, None, complex).

    Examples
    --------
    >>> import ftrans, ftrans.scipy.special as fsp
    >>> float(ftrans.grad(fsp.sinc)(0.0))
    0.0
    """
    check_real("sinc", "x", x)
    return fnp.sinc(x)


# ----------------------------------------------------------------------------- zeta

def _borwein_coefficients(n: int) -> np.ndarray:
    """c_k with η(s) = Σ_(k<n) c_k (k+1)^-s (Borwein's algorithm 2; error < 3/(3+√8)^n)."""
    d, acc = [], Fraction(0)
    for i in range(n + 1):
        acc += Fraction(math.factorial(n + i - 1) * 4 ** i,
                        math.factorial(n - i) * math.factorial(2 * i))
        d.append(n * acc)
    return np.array([float((-1) ** k * (d[n] - d[k]) / d[n]) for k in range(n)])


_ETA_C = _borwein_coefficients(30)
_ETA_LOG = np.log(np.arange(1.0, 31.0))


def _sinpi(x: Any) -> Any:
    """sin(πx), exactly 0 at the integers: x is first reduced to [-1/2, 1/2] (times ±1)."""
    r = x - 2 * fnp.round(0.5 * x)  # in [-1, 1]
    r = fnp.where(r > 0.5, 1 - r, fnp.where(r < -0.5, -1 - r, r))
    return fnp.sin(math.pi * r)


def _riemann_zeta(x: Any) -> Any:
    """ζ(x): ζ(x, 1) for x >= 1, Borwein's series for η on [0, 1) with ζ = η / (1 - 2^(1-x)),
    the reflection ζ(x) = 2^x π^(x-1) sin(πx/2) Γ(1-x) ζ(1-x) below 0."""
    big = x >= 1
    strip = (x >= 0) & (x < 1)
    xb = fnp.where(big, x, 2.0)
    xs = fnp.where(strip, x, 0.5)
    xn = fnp.where(x < 0, x, -1.0)
    one = fnp.ones_like(x)
    upper = ps.zeta_p.bind(xb, one)
    eta = fnp.sum(_ETA_C * fnp.exp(-fnp.expand_dims(xs, -1) * _ETA_LOG), axis=-1)
    middle = eta / -fnp.expm1((1 - xs) * math.log(2))
    s = _sinpi(0.5 * xn)
    log_rest = xn * math.log(2) + (xn - 1) * math.log(math.pi) + ps.lgamma_p.bind(1 - xn)
    lower = fnp.where(s == 0, 0.0, s * fnp.exp(log_rest) * ps.zeta_p.bind(1 - xn, one))
    out = fnp.where(big, upper, fnp.where(strip, middle, lower))
    return fnp.where(fnp.isnan(x) | (x == -np.inf), np.nan, out)


@_quiet
def zeta(x: Any, q: Any = None) -> Any:
    """SciPy's ``special.zeta``: Hurwitz's ``ζ(x, q) = Σ_k (k+q)^-x`` (nan for ``x < 1``), or
    Riemann's ``ζ(x)`` for every ``x`` when ``q`` is None. Differentiable in ``q`` (``-x
    ζ(x+1, q)``, any order) and in ``x`` (``-Σ log(k+q) (k+q)^-x``, first order).

    Parameters
    ----------
    x : array_like
        The exponent.
    q : array_like, optional
        The shift, broadcast with ``x``; None (the default) gives Riemann's zeta.

    Returns
    -------
    out : ndarray
        ``ζ(x, q)`` or ``ζ(x)``, in the arguments' common float dtype; ``inf`` at the pole
        ``x = 1``.

    Raises
    ------
    TypeError
        If ``x`` or ``q`` is not real numbers.

    Examples
    --------
    >>> import ftrans.scipy.special as fsp
    >>> round(float(fsp.zeta(2.0)), 12), float(fsp.zeta(-1.0))  # π²/6, -1/12
    (1.644934066848, -0.08333333333333333)
    """
    if q is None:
        (x,) = floats("zeta", x)
        return _riemann_zeta(x)
    x, q = floats("zeta", x, q, names=("x", "q"))
    return ps.zeta_p.bind(x, q)
