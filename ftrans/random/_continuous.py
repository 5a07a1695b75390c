"""Continuous distributions built on uniform floats: ``uniform``, ``normal``,
``truncated_normal``, ``exponential``, ``logistic``, ``laplace``, ``cauchy``, ``gumbel``,
``lognormal``, ``multivariate_normal``.

Uniform floats are JAX's: the top ``nmant`` bits of a 64-bit (float64) or 32-bit (float32)
draw are the mantissa of a number in ``[0, 1)`` (``m * 2**-nmant``, exactly what JAX's
bit-cast construction gives), scaled to ``[minval, maxval)``. Normals are
``sqrt(2) * erfinv(u)`` for ``u`` uniform in ``(-1, 1)``. Every formula is JAX's, so the
numbers are JAX's (with ``jax_enable_x64``), to the last bit for ``uniform`` and up to the
``erfinv``/``log`` implementation's rounding for the others. Parameters (``minval``,
``maxval``, ``lower``, ``upper``, ``mean``, ``cov``, ``sigma``) are differentiable: the draws
are reparameterised, ``mu + sigma * normal(key)`` style.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import numpy as fnp
from ..core import Tracer
from ..device import is_gpu_array
from ..prims.special import erf_p, erfinv_p
from ..prims.stop_gradient import stop_gradient
from ._keys import (
    broadcast_shape,
    check_float_dtype,
    check_key,
    check_shape,
    on_key_device,
    random_bits,
)


def as_dtype(x: Any, dtype: np.dtype, key: Any = None) -> Any:
    """A parameter in ``dtype``: tracers converted by the primitive, constants directly (a
    number as a NumPy scalar; an array on the device of ``key`` when that is a CuPy array,
    so eager draws on the GPU mix no NumPy arrays into CuPy's)."""
    if isinstance(x, Tracer) or is_gpu_array(x):
        return fnp.astype(x, dtype) if np.dtype(x.dtype) != dtype else x
    return on_key_device(key, np.asarray(x, dtype=dtype))


def unit_floats(key: Any, shape: tuple[int, ...], dtype: np.dtype) -> Any:
    """Uniform floats in ``[0, 1)``: ``nmant`` random mantissa bits times ``2**-nmant``."""
    nbits, nmant = (64, 52) if dtype == np.float64 else (32, 23)
    bits = random_bits(key, nbits, shape)
    mant = fnp.right_shift(bits, np.dtype(f"uint{nbits}").type(nbits - nmant))
    return fnp.astype(mant, dtype) * dtype.type(2.0 ** -nmant)


def uniform_draw(key: Any, shape: tuple[int, ...], dtype: np.dtype, minval: Any,
             maxval: Any) -> Any:
    lo, hi = as_dtype(minval, dtype, key), as_dtype(maxval, dtype, key)
    out = fnp.maximum(lo, unit_floats(key, shape, dtype) * (hi - lo) + lo)
    return out if fnp.shape(out) == shape else fnp.broadcast_to(out, shape)


def uniform(key: Any, shape: Any = (), dtype: Any = None, minval: Any = 0.0,
            maxval: Any = 1.0) -> Any:
    """Uniform floats in ``[minval, maxval)`` (float64 unless ``dtype`` says otherwise),
    the same numbers as ``jax.random.uniform``. Differentiable in ``minval`` and
    ``maxval``; they broadcast to ``shape``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    shape : tuple of int, optional
        The shape of the result (default ``()``, one draw).
    dtype : data-type, optional
        ``float64`` (default) or ``float32``.
    minval : array_like, optional
        The lower bound (default 0); differentiable.
    maxval : array_like, optional
        The upper bound (default 1); differentiable.

    Returns
    -------
    out : ndarray
        Array of floats in ``[minval, maxval)`` of shape ``shape``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.
    ValueError
        If ``dtype`` is not a float dtype, or the parameters do not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.uniform(fr.PRNGKey(0), (3,))
    array([0.41845711, 0.21629545, 0.96532146])
    """
    key = check_key("uniform", key)
    shape = broadcast_shape("uniform", check_shape("uniform", shape), minval=minval,
                            maxval=maxval)
    return uniform_draw(key, shape, check_float_dtype("uniform", dtype), minval, maxval)


def _sqrt2(dtype: np.dtype) -> Any:
    return dtype.type(math.sqrt(2.0))


def normal_draw(key: Any, shape: tuple[int, ...], dtype: np.dtype) -> Any:
    lo = np.nextafter(dtype.type(-1.0), dtype.type(0.0))
    return _sqrt2(dtype) * erfinv_p.bind(uniform_draw(key, shape, dtype, lo, 1.0))


def normal(key: Any, shape: Any = (), dtype: Any = None) -> Any:
    """Standard normal floats, the same numbers as ``jax.random.normal`` (to the rounding
    of ``erfinv``). For other means and scales write ``mu + sigma * normal(key, shape)``:
    differentiable in ``mu`` and ``sigma``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    shape : tuple of int, optional
        The shape of the result (default ``()``, one draw).
    dtype : data-type, optional
        ``float64`` (default) or ``float32``.

    Returns
    -------
    out : ndarray
        Array of floats of shape ``shape``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.
    ValueError
        If ``dtype`` is not a float dtype, or the parameters do not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.random as fr, numpy as np
    >>> np.round(fr.normal(fr.PRNGKey(0), (3,)), 6)
    array([-0.205842, -0.784766,  1.816087])
    """
    key = check_key("normal", key)
    return normal_draw(key, check_shape("normal", shape), check_float_dtype("normal", dtype))


def truncated_normal(key: Any, lower: Any, upper: Any, shape: Any = None,
                     dtype: Any = None) -> Any:
    """Standard normal floats conditioned on ``lower <= x <= upper`` (inverse-CDF
    sampling, as ``jax.random.truncated_normal``), differentiable in ``lower`` and
    ``upper``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    lower : array_like
        The lower bound; differentiable.
    upper : array_like
        The upper bound; differentiable.
    shape : tuple of int, optional
        The shape of the result (default the broadcast shape of ``lower`` and ``upper``).
    dtype : data-type, optional
        ``float64`` (default) or ``float32``.

    Returns
    -------
    out : ndarray
        Array of floats of shape ``shape``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.
    ValueError
        If ``dtype`` is not a float dtype, or the parameters do not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> x = fr.truncated_normal(fr.PRNGKey(0), -1.0, 2.0, (1000,))
    >>> bool(x.min() >= -1.0 and x.max() <= 2.0)
    True
    """
    key = check_key("truncated_normal", key)
    dtype = check_float_dtype("truncated_normal", dtype)
    shape = broadcast_shape("truncated_normal", shape, lower=lower, upper=upper)
    lower, upper = as_dtype(lower, dtype, key), as_dtype(upper, dtype, key)
    s2 = _sqrt2(dtype)
    a, b = erf_p.bind(lower / s2), erf_p.bind(upper / s2)
    out = s2 * erfinv_p.bind(uniform_draw(key, shape, dtype, a, b))
    # rounding (or u == a) must not leave [lower, upper]
    return fnp.clip(out, stop_gradient(lower), stop_gradient(upper))


def _open_uniform(key: Any, shape: Any, dtype: Any, where: str, minval: float) -> Any:
    key = check_key(where, key)
    dtype = check_float_dtype(where, dtype)
    return uniform_draw(key, check_shape(where, shape), dtype, minval, 1.0), dtype


def exponential(key: Any, shape: Any = (), dtype: Any = None) -> Any:
    """Exponential floats of rate 1, ``-log(1 - u)`` (as ``jax.random.exponential``).

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    shape : tuple of int, optional
        The shape of the result (default ``()``, one draw).
    dtype : data-type, optional
        ``float64`` (default) or ``float32``.

    Returns
    -------
    out : ndarray
        Array of floats of shape ``shape``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.
    ValueError
        If ``dtype`` is not a float dtype, or the parameters do not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.random as fr, numpy as np
    >>> np.round(fr.exponential(fr.PRNGKey(0), (3,)), 6)
    array([0.542071, 0.243723, 3.361634])
    """
    u, _ = _open_uniform(key, shape, dtype, "exponential", 0.0)
    return -fnp.log1p(-u)


def logistic(key: Any, shape: Any = (), dtype: Any = None) -> Any:
    """Standard logistic floats, ``log(u) - log(1 - u)`` (as ``jax.random.logistic``).

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    shape : tuple of int, optional
        The shape of the result (default ``()``, one draw).
    dtype : data-type, optional
        ``float64`` (default) or ``float32``.

    Returns
    -------
    out : ndarray
        Array of floats of shape ``shape``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.
    ValueError
        If ``dtype`` is not a float dtype, or the parameters do not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.logistic(fr.PRNGKey(0), (2,)).shape
    (2,)
    """
    dt = check_float_dtype("logistic", dtype)
    u, _ = _open_uniform(key, shape, dt, "logistic", float(np.finfo(dt).tiny))
    return fnp.log(u) - fnp.log1p(-u)


def laplace(key: Any, shape: Any = (), dtype: Any = None) -> Any:
    """Standard Laplace floats, ``sign(u) log(1 - |u|)`` for ``u`` uniform in
    ``(-1, 1)`` (as ``jax.random.laplace``).

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    shape : tuple of int, optional
        The shape of the result (default ``()``, one draw).
    dtype : data-type, optional
        ``float64`` (default) or ``float32``.

    Returns
    -------
    out : ndarray
        Array of floats of shape ``shape``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.
    ValueError
        If ``dtype`` is not a float dtype, or the parameters do not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.laplace(fr.PRNGKey(0), (2,)).shape
    (2,)
    """
    dt = check_float_dtype("laplace", dtype)
    u, _ = _open_uniform(key, shape, dt, "laplace", -1.0 + float(np.finfo(dt).epsneg))
    return fnp.sign(u) * fnp.log1p(-fnp.abs(u))


def cauchy(key: Any, shape: Any = (), dtype: Any = None) -> Any:
    """Standard Cauchy floats, ``tan(pi (u - 1/2))`` (as ``jax.random.cauchy``).

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    shape : tuple of int, optional
        The shape of the result (default ``()``, one draw).
    dtype : data-type, optional
        ``float64`` (default) or ``float32``.

    Returns
    -------
    out : ndarray
        Array of floats of shape ``shape``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.
    ValueError
        If ``dtype`` is not a float dtype, or the parameters do not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.cauchy(fr.PRNGKey(0), (2,)).shape
    (2,)
    """
    dt = check_float_dtype("cauchy", dtype)
    u, _ = _open_uniform(key, shape, dt, "cauchy", float(np.finfo(dt).eps))
    return fnp.tan(dt.type(math.pi) * (u - dt.type(0.5)))


def gumbel(key: Any, shape: Any = (), dtype: Any = None) -> Any:
    """Standard Gumbel floats, ``-log(-log(u))`` (as ``jax.random.gumbel``, mode
    ``'low'``).

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    shape : tuple of int, optional
        The shape of the result (default ``()``, one draw).
    dtype : data-type, optional
        ``float64`` (default) or ``float32``.

    Returns
    -------
    out : ndarray
        Array of floats of shape ``shape``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.
    ValueError
        If ``dtype`` is not a float dtype, or the parameters do not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.gumbel(fr.PRNGKey(0), (2,)).shape
    (2,)
    """
    dt = check_float_dtype("gumbel", dtype)
    u, _ = _open_uniform(key, shape, dt, "gumbel", float(np.finfo(dt).tiny))
    return -fnp.log(-fnp.log(u))


def lognormal(key: Any, sigma: Any = 1.0, shape: Any = None, dtype: Any = None) -> Any:
    """``exp(sigma * normal)``, as ``jax.random.lognormal``; differentiable in ``sigma``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    sigma : array_like, optional
        The scale of the log (default 1); differentiable.
    shape : tuple of int, optional
        The shape of the result (default ``sigma``'s shape).
    dtype : data-type, optional
        ``float64`` (default) or ``float32``.

    Returns
    -------
    out : ndarray
        Array of floats of shape ``shape``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.
    ValueError
        If ``dtype`` is not a float dtype, or the parameters do not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> bool((fr.lognormal(fr.PRNGKey(0), 0.5, (4,)) > 0).all())
    True
    """
    key = check_key("lognormal", key)
    dt = check_float_dtype("lognormal", dtype)
    shape = broadcast_shape("lognormal", shape, sigma=sigma)
    return fnp.exp(normal_draw(key, shape, dt) * as_dtype(sigma, dt, key))


_METHODS = ("cholesky", "eigh", "svd")


def multivariate_normal(key: Any, mean: Any, cov: Any, shape: Any = None, dtype: Any = None,
                        method: str = "cholesky") -> Any:
    """Normal vectors of mean ``mean`` (``(..., n)``) and covariance ``cov``
    (``(..., n, n)``): ``mean + factor @ z`` with ``factor`` from the Cholesky (or ``eigh``,
    ``svd``: for singular ``cov``) factorization, as ``jax.random.multivariate_normal``.
    The result has shape ``shape + (n,)`` (``shape`` defaults to the broadcast batch shape
    of ``mean`` and ``cov``). Differentiable in ``mean`` and ``cov``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    mean : array_like
        The means, shape ``(..., n)``; differentiable.
    cov : array_like
        The covariances, shape ``(..., n, n)``; differentiable.
    shape : tuple of int, optional
        The shape of the result (default the broadcast batch shape of ``mean`` and ``cov``).
    dtype : data-type, optional
        ``float64`` (default) or ``float32``.
    method : {'cholesky', 'eigh', 'svd'}, optional
        How ``cov`` is factored (default ``'cholesky'``; the others accept singular ``cov``).

    Returns
    -------
    out : ndarray
        Array of floats of shape ``shape + (n,)``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.
    ValueError
        If ``dtype`` is not a float dtype, or the parameters do not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.random as fr, numpy as np
    >>> x = fr.multivariate_normal(fr.PRNGKey(0), np.zeros(2), np.eye(2), (5,))
    >>> x.shape
    (5, 2)
    """
    key = check_key("multivariate_normal", key)
    if method not in _METHODS:
        raise ValueError("ftrans.random.multivariate_normal: method must be one of "
                         f"{', '.join(repr(m) for m in _METHODS)}, got {method!r}")
    mshape, cshape = fnp.shape(mean), fnp.shape(cov)
    if len(mshape) < 1:
        raise ValueError("ftrans.random.multivariate_normal: mean must have at least one "
                         f"dimension (..., n), got shape {mshape}")
    n = mshape[-1]
    if len(cshape) < 2 or cshape[-2:] != (n, n):
        raise ValueError("ftrans.random.multivariate_normal: cov must have shape "
                         f"(..., {n}, {n}) for a mean of shape {mshape}, got {cshape}")
    default = np.result_type(fnp.result_type(mean, cov), np.float32)
    dt = check_float_dtype("multivariate_normal", default if dtype is None else dtype)
    batch = (mshape[:-1], cshape[:-2])
    shape = broadcast_shape("multivariate_normal", shape, mean=np.empty(batch[0]),
                            cov=np.empty(batch[1]))
    mean, cov = as_dtype(mean, dt, key), as_dtype(cov, dt, key)
    if method == "cholesky":
        factor = fnp.linalg.cholesky(cov)
    elif method == "eigh":
        w, v = fnp.linalg.eigh(cov)
        factor = v * fnp.sqrt(w[..., None, :])
    else:
        u, s, _ = fnp.linalg.svd(cov)
        factor = u * fnp.sqrt(s[..., None, :])
    z = normal_draw(key, shape + (n,), dt)
    return mean + fnp.einsum("...ij,...j->...i", factor, z)
