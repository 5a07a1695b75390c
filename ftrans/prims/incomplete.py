"""The regularized incomplete gamma and beta functions, and their derivatives in the shape
parameters.

- ``igamma(a, x, upper=False)`` is ``P(a, x)`` (SciPy's ``gammainc``), ``upper=True`` gives
  ``Q = 1 - P`` (``gammaincc``). ``∂P/∂x = x^(a-1) e^-x / Γ(a)``; ``∂P/∂a`` is the primitive
  ``igamma_grad_a`` (as JAX's), whose own derivative in ``x`` is
  ``∂²P/∂a∂x = ∂P/∂x (log x - ψ(a))`` (a second derivative in ``a`` raises).
- ``betainc(a, b, x)`` is ``I_x(a, b)``. ``∂I/∂x = x^(a-1) (1-x)^(b-1) / B(a, b)``;
  ``∂I/∂a``, ``∂I/∂b`` are the primitive ``betainc_grad`` (``argnum`` 0 or 1), whose
  derivative in ``x`` is ``∂I/∂x (log x - ψ(a) + ψ(a+b))`` (or with ``log(1-x) - ψ(b)``).
  JAX offers no derivative of ``betainc`` in ``a`` and ``b``; ftrans does.
- ``igamma_inv(a, p, upper)``: x with ``P(a, x) = p`` (``gammaincinv``; ``Q`` with ``upper``,
  ``gammainccinv``); ``betainc_inv(a, b, p)``: x with ``I_x(a, b) = p`` (``betaincinv``).
  Derivatives by the implicit function theorem: ``∂x/∂p = 1/F_x``, ``∂x/∂a = -F_a/F_x``.

Values: SciPy's ufuncs when installed (``cupyx.scipy.special`` on CuPy), else
``incomplete_numpy.py``; the derivatives in ``a`` and ``b``, which SciPy lacks, always come
from ``incomplete_numpy.py`` (forward-mode differentiation of the series and continued
fractions), on CuPy through the host when not fused into a kernel. The CUDA expressions are
``kernels/ft_special.cuh``'s ``ft_igamma``, ``ft_igamma_grad_a``, ``ft_betainc``,
``ft_betainc_grad``, ``ft_igamma_inv``, ``ft_betainc_inv``: the same algorithms.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import incomplete_inverse as inc_inv
from . import incomplete_numpy as inc
from . import ops
from .families import binary
from .special import digamma_p, lgamma_p, library, like_inputs, on_host


def _log(x: Any) -> Any:
    return ops.log(x)


# ----------------------------------------------------------------------------- igamma

def _igamma_impl(xp: Any, a: Any, x: Any, *, upper: bool) -> Any:
    lib = library(xp)
    if lib:
        out = xp.asarray((lib.gammaincc if upper else lib.gammainc)(a, x))
    else:
        out = inc.igamma(np.asarray(a), np.asarray(x), upper)
    return like_inputs(out, a, x)


def _igamma_dx(a: Any, x: Any) -> Any:
    """∂P/∂x = exp((a-1) log x - x - lgamma(a))."""
    return ops.exp((a - 1) * _log(x) - x - lgamma_p.bind(a))


def _igamma_partial_a(t: Any, a: Any, x: Any, out: Any, *, upper: bool) -> Any:
    return t * igamma_grad_a_p.bind(a, x, upper=upper)


def _igamma_partial_x(t: Any, a: Any, x: Any, out: Any, *, upper: bool) -> Any:
    d = _igamma_dx(a, x)
    return t * (-d if upper else d)


igamma_p = binary("igamma", None, [_igamma_partial_a, _igamma_partial_x],
                  "ft_igamma({0}, {1}, {upper})", impl=_igamma_impl)


def _igamma_grad_a_impl(xp: Any, a: Any, x: Any, *, upper: bool) -> Any:
    out = on_host(xp, lambda a, x: inc.igamma_grad_a(np.asarray(a), np.asarray(x), upper),
                  a, x)
    return like_inputs(out, a, x)


def _grad_a_partial_a(t: Any, a: Any, x: Any, out: Any, *, upper: bool) -> Any:
    raise NotImplementedError("gammainc/gammaincc: the second derivative in a is not "
                              "implemented (the first is)")


def _grad_a_partial_x(t: Any, a: Any, x: Any, out: Any, *, upper: bool) -> Any:
    d = _igamma_dx(a, x) * (_log(x) - digamma_p.bind(a))
    return t * (-d if upper else d)


igamma_grad_a_p = binary("igamma_grad_a", None, [_grad_a_partial_a, _grad_a_partial_x],
                         "ft_igamma_grad_a({0}, {1}, {upper})", impl=_igamma_grad_a_impl)


# ----------------------------------------------------------------------------- betainc

def _betainc_impl(xp: Any, a: Any, b: Any, x: Any) -> Any:
    lib = library(xp)
    if lib:
        out = xp.asarray(lib.betainc(a, b, x))
    else:
        out = inc.betainc(np.asarray(a), np.asarray(b), np.asarray(x))
    return like_inputs(out, a, b, x)


def _betaln(a: Any, b: Any) -> Any:
    return lgamma_p.bind(a) + lgamma_p.bind(b) - lgamma_p.bind(a + b)


def _betainc_dx(a: Any, b: Any, x: Any) -> Any:
    """∂I/∂x = exp((a-1) log x + (b-1) log(1-x) - log B(a, b))."""
    return ops.exp((a - 1) * _log(x) + (b - 1) * ops.log1p(-x) - _betaln(a, b))


def _betainc_partial(argnum: int) -> Any:
    def partial(t: Any, a: Any, b: Any, x: Any, out: Any) -> Any:
        return t * betainc_grad_p.bind(a, b, x, argnum=argnum)
    return partial


betainc_p = binary("betainc", None,
                   [_betainc_partial(0), _betainc_partial(1),
                    lambda t, a, b, x, out: t * _betainc_dx(a, b, x)],
                   "ft_betainc({0}, {1}, {2})", impl=_betainc_impl)


def _betainc_grad_impl(xp: Any, a: Any, b: Any, x: Any, *, argnum: int) -> Any:
    out = on_host(xp, lambda a, b, x: inc.betainc_grad(np.asarray(a), np.asarray(b),
                                                       np.asarray(x), argnum), a, b, x)
    return like_inputs(out, a, b, x)


def _second_in_shape(t: Any, a: Any, b: Any, x: Any, out: Any, *, argnum: int) -> Any:
    raise NotImplementedError("betainc: second derivatives in a and b are not implemented "
                              "(the first are)")


def _grad_partial_x(t: Any, a: Any, b: Any, x: Any, out: Any, *, argnum: int) -> Any:
    log_part = _log(x) if argnum == 0 else ops.log1p(-x)
    shape = a if argnum == 0 else b
    d = _betainc_dx(a, b, x) * (log_part - digamma_p.bind(shape) + digamma_p.bind(a + b))
    return t * d


betainc_grad_p = binary("betainc_grad", None,
                        [_second_in_shape, _second_in_shape, _grad_partial_x],
                        "ft_betainc_grad({argnum}, {0}, {1}, {2})", impl=_betainc_grad_impl)


# ----------------------------------------------------------------------------- inverses

def _igamma_inv_impl(xp: Any, a: Any, p: Any, *, upper: bool) -> Any:
    lib = library(xp)
    if lib:
        out = xp.asarray((lib.gammainccinv if upper else lib.gammaincinv)(a, p))
    else:
        out = inc_inv.igamma_inv(np.asarray(a), np.asarray(p), upper)
    return like_inputs(out, a, p)


def _igamma_inv_partial_a(t: Any, a: Any, p: Any, out: Any, *, upper: bool) -> Any:
    # F(a, x(a)) = p: dx/da = -F_a / F_x (the same for P and Q = 1 - P)
    return t * (-igamma_grad_a_p.bind(a, out, upper=False) / _igamma_dx(a, out))


def _igamma_inv_partial_p(t: Any, a: Any, p: Any, out: Any, *, upper: bool) -> Any:
    d = 1 / _igamma_dx(a, out)
    return t * (-d if upper else d)


igamma_inv_p = binary("igamma_inv", None, [_igamma_inv_partial_a, _igamma_inv_partial_p],
                      "ft_igamma_inv({0}, {1}, {upper})", impl=_igamma_inv_impl)


def _betainc_inv_impl(xp: Any, a: Any, b: Any, p: Any) -> Any:
    lib = library(xp)
    if lib:
        out = xp.asarray(lib.betaincinv(a, b, p))
    else:
        out = inc_inv.betainc_inv(np.asarray(a), np.asarray(b), np.asarray(p))
    return like_inputs(out, a, b, p)


def _betainc_inv_shape(argnum: int) -> Any:
    def partial(t: Any, a: Any, b: Any, p: Any, out: Any) -> Any:
        grad = betainc_grad_p.bind(a, b, out, argnum=argnum)
        return t * (-grad / _betainc_dx(a, b, out))
    return partial


betainc_inv_p = binary("betainc_inv", None,
                       [_betainc_inv_shape(0), _betainc_inv_shape(1),
                        lambda t, a, b, p, out: t / _betainc_dx(a, b, out)],
                       "ft_betainc_inv({0}, {1}, {2})", impl=_betainc_inv_impl)
