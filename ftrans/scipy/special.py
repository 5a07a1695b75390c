"""``ftrans.scipy.special``: SciPy's special functions, differentiable.

Primitives (``ftrans/prims/special.py``, ``incomplete.py``, ``bessel.py``: SciPy's ufuncs when
SciPy is installed, NumPy-only versions otherwise, generated CUDA on the GPU): erf, erfc,
erfinv, gammaln, gamma, digamma (``psi``), polygamma, zeta (Hurwitz's), expi, ndtri,
log_ndtr, gammainc, gammaincc, betainc and their inverses gammaincinv, gammainccinv,
betaincinv, iv, ive, i0, i0e, i1, i1e; expit is the ``logistic``
primitive. Built from those and ``ftrans.numpy`` (so every transform applies): beta, betaln,
erfcinv, ndtr, entr, rel_entr, kl_div, multigammaln, zeta without ``q`` (Riemann's), sinc,
logit, xlogy, xlog1py, logsumexp, softmax, log_softmax. Integer inputs are computed in
float64; float32 stays float32. Values and edge values (poles, infinities, NaN, arguments
outside the domain) are SciPy's; ``docs/special.md`` lists the derivatives each offers.

>>> import ftrans, ftrans.scipy.special as fsp
>>> round(float(ftrans.grad(fsp.gammaln)(1.0)), 12)  # digamma(1) = -γ
-0.577215664902
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import numpy as fnp
from ..core import Tracer
from ..numpy import _protocols
from ..numpy._promote import as_array, normalize_axes, operand_dtype, shape_of, to_dtype
from ..prims import elementwise as ew
from ..prims import special as sp
from ._args import check_real, floats


def _float_arg(x: Any, what: str, name: str = "x") -> Any:
    """``x`` in the float dtype NumPy computes ``np.sin(x)`` in; a ``TypeError`` naming
    ``what`` and ``name`` unless it is real numbers."""
    check_real(what, name, x)
    x = as_array(x)
    return to_dtype(x, operand_dtype(np.sin, (x,)))


def _unary(prim: Any, name: str, example: str, value: str) -> Any:
    def fn(x: Any) -> Any:
        return prim.bind(_float_arg(x, name))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"SciPy's ``special.{name}``, differentiable.\n\n"
                  "Parameters\n----------\nx : array_like\n    The argument, any shape.\n\n"
                  "Returns\n-------\nout : ndarray\n    Elementwise, in the float dtype NumPy "
                  "computes ``np.sin(x)`` in (a traced array under a transformation).\n\n"
                  "Raises\n------\nTypeError\n    If ``x`` is not real numbers (a string, None, "
                  "complex).\n\n"
                  f"Examples\n--------\n>>> import ftrans.scipy.special as fsp\n>>> {example}\n"
                  f"{value}\n")
    return fn


erf = _unary(sp.erf_p, "erf", "round(float(fsp.erf(1.0)), 12)", "0.84270079295")
erfc = _unary(sp.erfc_p, "erfc", "round(float(fsp.erfc(1.0)), 12)", "0.15729920705")
erfinv = _unary(sp.erfinv_p, "erfinv", "round(float(fsp.erfinv(0.5)), 12)", "0.476936276204")
gammaln = _unary(sp.lgamma_p, "gammaln", "round(float(fsp.gammaln(5.0)), 12)",
                 "3.178053830348")
digamma = _unary(sp.digamma_p, "digamma", "round(float(fsp.digamma(1.0)), 12)",
                 "-0.577215664902")
psi = digamma
expit = _unary(ew.logistic_p, "expit", "float(fsp.expit(0.0))", "0.5")


def polygamma(n: int, x: Any) -> Any:
    """SciPy's ``special.polygamma`` for a static integer order ``n >= 0`` (``n = 0`` is
    digamma); differentiable in ``x``.

    Parameters
    ----------
    n : int
        The order, a non-negative integer known while tracing.
    x : array_like
        The points, any shape.

    Returns
    -------
    out : ndarray
        The ``n``-th derivative of digamma at ``x``, in ``x``'s float dtype.

    Raises
    ------
    TypeError
        If ``n`` is not a non-negative integer known while tracing, or ``x`` is not real
        numbers.

    Examples
    --------
    >>> import ftrans.scipy.special as fsp
    >>> round(float(fsp.polygamma(1, 1.0)), 12)  # pi^2 / 6
    1.644934066848
    """
    order = None
    if not isinstance(n, Tracer) and np.ndim(n) == 0 and not isinstance(n, (str, bytes)):
        try:
            item = np.asarray(n).item()
            order = int(item) if item == int(item) and not isinstance(item, complex) else None
        except (TypeError, ValueError, OverflowError):
            order = None
    if order is None or order < 0:
        given = "a traced value" if isinstance(n, Tracer) else repr(n)
        raise TypeError(f"polygamma: the order n must be a non-negative integer known while "
                        f"tracing, got {given}")
    n = order
    x = _float_arg(x, "polygamma", "x")
    return sp.digamma_p.bind(x) if n == 0 else sp.polygamma_p.bind(x, n=n)


def logit(x: Any) -> Any:
    """SciPy's ``special.logit``: ``log(x / (1 - x))``, the inverse of ``expit``.

    Parameters
    ----------
    x : array_like
        Probabilities in [0, 1] (outside it: nan).

    Returns
    -------
    out : ndarray
        The log-odds, elementwise, in ``x``'s float dtype; ``-inf`` at 0, ``inf`` at 1.

    Raises
    ------
    TypeError
        If an argument is not real numbers (a string, None, complex).

    Examples
    --------
    >>> import ftrans.scipy.special as fsp
    >>> float(fsp.logit(0.5))
    0.0
    """
    x = _float_arg(x, "logit", "x")
    return fnp.log(fnp.divide(x, 1 - x))


def _xlog(name: str, log: Any, lowest: float) -> Any:
    def fn(x: Any, y: Any) -> Any:
        x, y = floats(name, x, y)
        # where x == 0 and log(y) is not finite, log(1) stands in: x * log(...) is then 0, and
        # elsewhere the derivative in x at x == 0 is log(y), as in JAX
        usable = fnp.where(fnp.greater(y, lowest), fnp.less(y, np.inf), False)
        keep = fnp.where(fnp.equal(x, 0), usable, True)
        safe_y = fnp.where(fnp.not_equal(y, y), y, fnp.where(keep, y, 1 + lowest))
        with np.errstate(divide="ignore", invalid="ignore"):  # -inf and nan, as SciPy
            return fnp.multiply(x, log(safe_y))
    fn.__name__ = fn.__qualname__ = name
    what = "log(y)" if log is fnp.log else "log1p(y)"
    fn.__doc__ = (f"SciPy's ``special.{name}``: ``x * {what}``, and 0 where ``x == 0`` (unless "
                  f"``y`` is nan). Its derivative in ``x`` at ``x == 0`` is ``{what}``.\n\n"
                  "Parameters\n----------\nx, y : array_like\n    The arguments, broadcast "
                  "together.\n\nReturns\n-------\nout : ndarray\n    Elementwise, in the "
                  "arguments' common float dtype; differentiable in both.\n\nRaises\n------\n"
                  "TypeError\n    If an argument is not real numbers (a string, None, complex)."
                  "\n\nExamples\n--------\n"
                  f">>> import ftrans.scipy.special as fsp\n>>> float(fsp.{name}(0.0, {lowest}))"
                  "\n0.0\n")
    return fn


xlogy = _xlog("xlogy", fnp.log, 0.0)
xlog1py = _xlog("xlog1py", fnp.log1p, -1.0)


def _shifted(a: Any, axis: Any) -> tuple[Any, Any]:
    """``a - m`` and ``m``, with ``m`` the finite maximum over ``axis`` (kept)."""
    m = fnp.max(a, axis=axis, keepdims=True)
    m = fnp.where(fnp.less(fnp.abs(m), np.inf), m, 0)
    return fnp.subtract(a, m), m


def logsumexp(a: Any, axis: Any = None, b: Any = None, keepdims: bool = False,
              return_sign: bool = False) -> Any:
    """SciPy's ``special.logsumexp``: ``log(sum(b * exp(a)))`` over ``axis``, computed
    without overflow; with ``return_sign``, ``(log|sum|, sign(sum))``.

    Parameters
    ----------
    a : array_like
        The exponents.
    axis : int or tuple of int, optional
        The axes summed over (default all).
    b : array_like, optional
        Weights broadcast with ``a`` (may be negative: then use ``return_sign``).
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).
    return_sign : bool, optional
        Also return the sign of the sum (default False).

    Returns
    -------
    out : ndarray
        ``log |sum(b * exp(a))|`` (``-inf`` when the sum is 0); differentiable in ``a`` and
        ``b``.
    sign : ndarray
        Only with ``return_sign``: the sign of the sum (-1, 0 or 1).

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not real numbers.
    numpy.exceptions.AxisError
        If an axis is out of bounds.

    Examples
    --------
    >>> import ftrans.scipy.special as fsp, numpy as np
    >>> round(float(fsp.logsumexp(np.array([0.0, 0.0]))), 12)  # log 2
    0.69314718056
    """
    a = _float_arg(a, "logsumexp", "a")
    if b is not None:
        check_real("logsumexp", "b", b)
    axes = normalize_axes(axis, len(shape_of(a)), "logsumexp")
    shifted, m = _shifted(a, axes)
    e = fnp.exp(shifted)
    if b is not None:
        e = fnp.multiply(b, e)
    s = fnp.sum(e, axis=axes, keepdims=True)
    sign = None
    if return_sign:
        sign = fnp.sign(s)
        s = fnp.abs(s)
    with np.errstate(divide="ignore"):  # log(0) = -inf when every term is zero
        out = fnp.add(fnp.log(s), m)
    if not keepdims:
        out = fnp.squeeze(out, axis=axes)
        sign = fnp.squeeze(sign, axis=axes) if return_sign else None
    return (out, sign) if return_sign else out


def softmax(x: Any, axis: Any = None) -> Any:
    """SciPy's ``special.softmax``: ``exp(x) / sum(exp(x))`` over ``axis``.

    Parameters
    ----------
    x : array_like
        The scores.
    axis : int or tuple of int, optional
        The axes normalized over (default all).

    Returns
    -------
    out : ndarray
        The probabilities: non-negative, summing to 1 along ``axis``, with the shape and
        float dtype of ``x``; differentiable.

    Raises
    ------
    TypeError
        If ``x`` is not real numbers.
    numpy.exceptions.AxisError
        If an axis is out of bounds.

    Examples
    --------
    >>> import ftrans.scipy.special as fsp, numpy as np
    >>> fsp.softmax(np.array([0.0, 0.0]))
    array([0.5, 0.5])
    """
    x = _float_arg(x, "softmax", "x")
    axes = normalize_axes(axis, len(shape_of(x)), "softmax")
    e = fnp.exp(_shifted(x, axes)[0])
    return fnp.divide(e, fnp.sum(e, axis=axes, keepdims=True))


def log_softmax(x: Any, axis: Any = None) -> Any:
    """SciPy's ``special.log_softmax``: ``x - logsumexp(x)`` over ``axis``.

    Parameters
    ----------
    x : array_like
        The scores.
    axis : int or tuple of int, optional
        The axes normalized over (default all).

    Returns
    -------
    out : ndarray
        The log-probabilities, computed without overflow, with the shape and float dtype of
        ``x``; differentiable.

    Raises
    ------
    TypeError
        If ``x`` is not real numbers.
    numpy.exceptions.AxisError
        If an axis is out of bounds.

    Examples
    --------
    >>> import ftrans.scipy.special as fsp, numpy as np
    >>> fsp.log_softmax(np.array([0.0, 0.0]))
    array([-0.69314718, -0.69314718])
    """
    x = _float_arg(x, "log_softmax", "x")
    axes = normalize_axes(axis, len(shape_of(x)), "log_softmax")
    shifted, _ = _shifted(x, axes)
    s = fnp.sum(fnp.exp(shifted), axis=axes, keepdims=True)
    return fnp.subtract(shifted, fnp.log(s))


from ._special_more import (  # noqa: E402
    beta,
    betainc,
    betaincinv,
    betaln,
    entr,
    erfcinv,
    expi,
    gamma,
    gammainc,
    gammaincc,
    gammainccinv,
    gammaincinv,
    i0,
    i0e,
    i1,
    i1e,
    iv,
    ive,
    kl_div,
    log_ndtr,
    multigammaln,
    ndtr,
    ndtri,
    rel_entr,
    sinc,
    zeta,
)

__all__ = ["beta", "betainc", "betaincinv", "betaln", "digamma", "entr", "erf", "erfc", "erfcinv",
           "erfinv", "expi", "expit", "gamma", "gammainc", "gammaincc", "gammainccinv",
           "gammaincinv", "gammaln", "i0", "i0e", "i1", "i1e", "iv", "ive", "kl_div", "log_ndtr",
           "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma",
           "psi", "rel_entr", "sinc", "softmax", "xlog1py", "xlogy", "zeta"]

# scipy.special's ufuncs called on traced arrays (NumPy's __array_ufunc__) dispatch here
_protocols.register_ufuncs({name: globals()[name] for name in __all__})
