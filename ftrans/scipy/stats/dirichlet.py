"""SciPy's ``stats.dirichlet``: ``pdf(x, alpha)`` and ``logpdf(x, alpha)``, with the
components of ``x`` along its first axis (``K`` entries, or ``K - 1`` with the last one
implied), as SciPy reads them. Differentiable in ``x`` and ``alpha``.

Like SciPy, concrete arguments are checked: ``alpha`` must be a 1-d array of positive
numbers, ``x``'s entries non-negative and summing to 1 (``ValueError`` otherwise). Traced
arguments cannot be checked: a negative entry gives ``-inf``, ``alpha <= 0`` nan, and the
sum is not looked at (so derivatives in every direction exist; give ``K - 1`` entries to
stay on the simplex).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import numpy as fnp
from ...core import Tracer
from .. import _special_more as sp
from .. import special
from .._args import check_real, floats


def _prepare(x: Any, alpha: Any) -> tuple[Any, Any]:
    check_real("dirichlet", "x", x)
    check_real("dirichlet", "alpha", alpha)
    x, alpha = fnp.asarray(x) if isinstance(x, Tracer) else np.asarray(x), \
        fnp.asarray(alpha) if isinstance(alpha, Tracer) else np.asarray(alpha)
    if np.ndim(alpha) != 1:
        raise ValueError(f"dirichlet: alpha must be a 1-d array, got shape {np.shape(alpha)}")
    k = np.shape(alpha)[0]
    if np.ndim(x) == 0 or np.shape(x)[0] not in (k, k - 1):
        raise ValueError(f"dirichlet: x must have {k} or {k - 1} entries along its first "
                         f"axis (alpha has {k}), got shape {np.shape(x)}")
    if not isinstance(alpha, Tracer) and np.any(np.asarray(alpha) <= 0):
        raise ValueError("dirichlet: all parameters alpha must be greater than 0")
    if np.shape(x)[0] == k - 1:
        x = fnp.concatenate([x, 1 - fnp.sum(x, axis=0, keepdims=True)], axis=0)
    x, alpha = floats("dirichlet", x, alpha[(...,) + (None,) * (np.ndim(x) - 1)],
                      names=("x", "alpha"))
    if not isinstance(x, Tracer):
        xs = np.asarray(x)
        if np.any(xs < 0):
            raise ValueError("dirichlet: each entry of x must be greater than or equal to 0")
        if np.any(xs > 1) or not np.allclose(np.sum(xs, axis=0), 1.0):
            raise ValueError(f"dirichlet: x must lie on the simplex (entries summing to 1), "
                             f"got sums {np.sum(xs, axis=0)}")
    return x, alpha


def logpdf(x: Any, alpha: Any) -> Any:
    """SciPy's ``stats.dirichlet.logpdf``: ``Σ (α_i - 1) log x_i - log B(α)``.

    Parameters
    ----------
    x : array_like
        The points: ``K`` (or ``K - 1``, the last implied) components along the first axis,
        non-negative and summing to 1; differentiable.
    alpha : array_like
        The concentration parameters, a 1-d array of ``K`` positive numbers;
        differentiable.

    Returns
    -------
    out : ndarray
        The log density at each point (the shape of ``x`` without its first axis).

    Raises
    ------
    ValueError
        If ``alpha`` is not 1-d, ``x`` has neither ``K`` nor ``K - 1`` components, or
        (concrete arguments) ``alpha <= 0`` or ``x`` is off the simplex.
    TypeError
        If an argument is not real numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from ftrans.scipy.stats import dirichlet
    >>> round(float(dirichlet.logpdf(np.array([0.2, 0.3, 0.5]), np.array([1.5, 2.0, 3.0]))), 6)
    1.695211
    """
    x, alpha = _prepare(x, alpha)
    with np.errstate(all="ignore"):
        log_b = fnp.sum(special.gammaln(alpha), axis=0) - special.gammaln(fnp.sum(alpha, axis=0))
        out = fnp.sum(special.xlogy(alpha - 1, x), axis=0) - log_b
        out = fnp.where(fnp.all(x >= 0, axis=0), out, -np.inf)
        return fnp.where(fnp.all(alpha > 0, axis=0), out, np.nan)


def pdf(x: Any, alpha: Any) -> Any:
    """SciPy's ``stats.dirichlet.pdf``: ``exp(logpdf)``.

    Parameters
    ----------
    x : array_like
        The points: ``K`` (or ``K - 1``, the last implied) components along the first axis,
        non-negative and summing to 1; differentiable.
    alpha : array_like
        The concentration parameters, a 1-d array of ``K`` positive numbers;
        differentiable.

    Returns
    -------
    out : ndarray
        The density at each point (the shape of ``x`` without its first axis).

    Raises
    ------
    ValueError
        If ``alpha`` is not 1-d, ``x`` has neither ``K`` nor ``K - 1`` components, or
        (concrete arguments) ``alpha <= 0`` or ``x`` is off the simplex.
    TypeError
        If an argument is not real numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from ftrans.scipy.stats import dirichlet
    >>> float(dirichlet.pdf(np.array([0.5, 0.5]), np.array([1.0, 1.0])))
    1.0
    """
    return fnp.exp(logpdf(x, alpha))


_ = sp  # the special functions used through ``special``

__all__ = ["logpdf", "pdf"]
