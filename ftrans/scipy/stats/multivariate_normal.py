"""SciPy's ``stats.multivariate_normal``: ``pdf(x, mean=None, cov=1, allow_singular=False)``
and ``logpdf``, differentiable in ``x``, ``mean`` and ``cov``. ``cov`` may be a number (times
the identity), a 1-d array (the diagonal) or a matrix; ``x``'s last axis holds the
components (a 1-d ``x`` is one point, or ``n`` points when the dimension is 1), and the
output is squeezed, as in SciPy.

A positive definite ``cov`` goes through its Cholesky factor. ``allow_singular=True`` uses
its eigendecomposition like SciPy: eigenvalues below ``1e6 eps max|λ|`` count as zero (the
pseudo-determinant and the pseudo-inverse), and points off the support get ``-inf``.
Concrete arguments are checked as SciPy does (``ValueError`` for a non-symmetric-PSD
``cov``, ``LinAlgError`` for a singular one without ``allow_singular``). SciPy's ``cdf`` (a
numerical integration) is not provided.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import numpy as fnp
from ...core import Tracer
from .._args import check_real
from ..linalg import solve_triangular

_LOG_2PI = math.log(2 * math.pi)


def _arr(v: Any) -> Any:
    return v if isinstance(v, Tracer) or hasattr(v, "__cuda_array_interface__") \
        else np.asarray(v, dtype=np.result_type(np.asarray(v).dtype, np.float64))


def _parameters(mean: Any, cov: Any) -> tuple[int, Any, Any]:
    """(dim, mean as (dim,), cov as (dim, dim)), as SciPy's ``_process_parameters``."""
    cov = _arr(cov)
    if mean is None:
        dim = 1 if np.ndim(cov) < 2 else np.shape(cov)[0]
        mean = fnp.zeros(dim, dtype=cov.dtype)
    else:
        mean = _arr(mean)
        dim = math.prod(np.shape(mean)) if np.ndim(mean) else (
            1 if np.ndim(cov) == 0 else np.shape(cov)[0])
        mean = fnp.broadcast_to(fnp.reshape(mean, (-1,)), (dim,))
    if np.ndim(cov) == 0:
        cov = cov * fnp.eye(dim, dtype=cov.dtype)
    elif np.ndim(cov) == 1:
        if np.shape(cov)[0] != dim:
            raise ValueError(f"multivariate_normal: a 1-d cov must have {dim} entries (the "
                             f"mean's dimension), got {np.shape(cov)[0]}")
        cov = fnp.diag(cov)
    elif np.shape(cov) != (dim, dim):
        raise ValueError(f"multivariate_normal: cov must be a ({dim}, {dim}) matrix for a mean "
                         f"of dimension {dim}, got shape {np.shape(cov)}")
    return dim, mean, cov


def _eps(s: Any) -> Any:
    return 1e6 * np.finfo(np.float64).eps * fnp.max(fnp.abs(s))


def _check(cov: Any, allow_singular: bool) -> None:
    if isinstance(cov, Tracer) or hasattr(cov, "__cuda_array_interface__"):
        return
    c = np.asarray(cov, np.float64)
    if not np.allclose(c, c.T):
        raise ValueError("multivariate_normal: cov must be symmetric positive semidefinite")
    s = np.linalg.eigvalsh(c)
    eps = 1e6 * np.finfo(np.float64).eps * np.max(np.abs(s))
    if np.min(s) < -eps:
        raise ValueError("multivariate_normal: cov must be symmetric positive semidefinite")
    if np.min(s) <= eps and not allow_singular:
        raise np.linalg.LinAlgError("multivariate_normal: when allow_singular is False, cov "
                                    "must be symmetric positive definite")


def logpdf(x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
    """SciPy's ``stats.multivariate_normal.logpdf``: the log density of the normal
    distribution with mean ``mean`` and covariance ``cov``.

    Parameters
    ----------
    x : array_like
        The points, components along the last axis (a 1-d ``x`` is one point, or ``n``
        points when the dimension is 1); differentiable.
    mean : array_like, optional
        The mean, of the dimension's length (default zeros); differentiable.
    cov : array_like, optional
        The covariance: a number (times the identity), a 1-d array (the diagonal) or a
        matrix (default 1); differentiable.
    allow_singular : bool, optional
        Accept a singular ``cov`` (pseudo-determinant and pseudo-inverse; default False).

    Returns
    -------
    out : ndarray
        The log density at each point, squeezed as in SciPy (a scalar for one point).

    Raises
    ------
    ValueError
        If the shapes of ``x``, ``mean`` and ``cov`` do not agree, or a concrete ``cov`` is
        not symmetric positive semidefinite.
    numpy.linalg.LinAlgError
        If a concrete ``cov`` is singular and ``allow_singular`` is False.
    TypeError
        If an argument is not real numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from ftrans.scipy.stats import multivariate_normal as mvn
    >>> round(float(mvn.logpdf(np.zeros(2), mean=np.zeros(2))), 12)  # -log(2π)
    -1.837877066409
    """
    for name, value in (("x", x), ("mean", mean), ("cov", cov)):
        if value is not None:
            check_real("multivariate_normal.logpdf", name, value)
    dim, mean, cov = _parameters(mean, cov)
    _check(cov, allow_singular)
    x = _arr(x)
    if np.ndim(x) == 0:
        x = fnp.reshape(x, (1,))
    if np.ndim(x) == 1:
        x = fnp.reshape(x, (-1, 1)) if dim == 1 else fnp.reshape(x, (1, -1))
    if np.shape(x)[-1] != dim:
        raise ValueError(f"multivariate_normal: x's last axis must hold the {dim} components, "
                         f"got shape {np.shape(x)}")
    dev = x - mean
    with np.errstate(all="ignore"):
        if not allow_singular:
            chol = fnp.linalg.cholesky(cov)
            flat = fnp.reshape(dev, (-1, dim))
            y = solve_triangular(chol, fnp.transpose(flat), lower=True)
            maha = fnp.reshape(fnp.sum(y * y, axis=0), np.shape(dev)[:-1])
            log_det = 2 * fnp.sum(fnp.log(fnp.diagonal(chol)))
            out = -0.5 * (dim * _LOG_2PI + log_det + maha)
        else:
            s, u = fnp.linalg.eigh(cov)
            eps = _eps(s)
            keep = s > eps
            rank = fnp.sum(keep)
            log_pdet = fnp.sum(fnp.where(keep, fnp.log(fnp.where(keep, s, 1.0)), 0.0))
            proj = dev @ u
            white = proj * fnp.where(keep, 1 / fnp.sqrt(fnp.where(keep, s, 1.0)), 0.0)
            maha = fnp.sum(white * white, axis=-1)
            out = -0.5 * (rank * _LOG_2PI + log_pdet + maha)
            off = fnp.sqrt(fnp.sum(fnp.where(keep, 0.0, proj) ** 2, axis=-1))
            out = fnp.where(off < 1e3 * eps, out, -np.inf)
    return fnp.squeeze(out) if np.ndim(out) else out


def pdf(x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
    """SciPy's ``stats.multivariate_normal.pdf``: ``exp(logpdf)``.

    Parameters
    ----------
    x : array_like
        The points, components along the last axis (a 1-d ``x`` is one point, or ``n``
        points when the dimension is 1); differentiable.
    mean : array_like, optional
        The mean, of the dimension's length (default zeros); differentiable.
    cov : array_like, optional
        The covariance: a number (times the identity), a 1-d array (the diagonal) or a
        matrix (default 1); differentiable.
    allow_singular : bool, optional
        Accept a singular ``cov`` (pseudo-determinant and pseudo-inverse; default False).

    Returns
    -------
    out : ndarray
        The density at each point, squeezed as in SciPy (a scalar for one point).

    Raises
    ------
    ValueError
        If the shapes of ``x``, ``mean`` and ``cov`` do not agree, or a concrete ``cov`` is
        not symmetric positive semidefinite.
    numpy.linalg.LinAlgError
        If a concrete ``cov`` is singular and ``allow_singular`` is False.
    TypeError
        If an argument is not real numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from ftrans.scipy.stats import multivariate_normal as mvn
    >>> round(float(mvn.pdf(0.0, mean=0.0, cov=1.0)), 12)
    0.398942280401
    """
    return fnp.exp(logpdf(x, mean, cov, allow_singular))


__all__ = ["logpdf", "pdf"]
