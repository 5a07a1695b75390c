"""Gamma-family draws: ``gamma``, ``loggamma``, ``beta``, ``dirichlet``, ``chisquare``,
``t``, on the ``random_gamma`` primitive (``prims/random_gamma.py``): Marsaglia-Tsang
rejection, each element from its own key, so vmap and jit give the same numbers.

Their derivatives in the shape parameters are implicit reparameterisation gradients
(``random_gamma_grad``), as in JAX; second derivatives in the shapes raise. ``beta`` and
``dirichlet`` draw in log space (``loggamma``) and normalise there, as JAX does, so tiny
shape parameters keep their precision. The numbers are not JAX's (JAX draws each element's
normals and uniforms through a chain of key splits); their distributions are the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import numpy as fnp
from ..prims.random_gamma import random_gamma_p
from ._continuous import as_dtype, normal_draw
from ._keys import (
    broadcast_shape,
    check_float_dtype,
    check_key,
    high_word,
    low_word,
    split,
    threefry_words,
)


def _draw(where: str, key: Any, a: Any, shape: Any, dtype: Any, log_space: bool) -> Any:
    key = check_key(where, key)
    dt = check_float_dtype(where, dtype)
    shape = broadcast_shape(where, shape, a=a)
    a = as_dtype(a, dt, key)
    if fnp.shape(a) != shape:
        a = fnp.broadcast_to(a, shape)
    words = threefry_words(key, shape)  # one key per element: the words of split(key, shape)
    return random_gamma_p.bind(high_word(words), low_word(words), a, log_space=log_space)


def gamma(key: Any, a: Any, shape: Any = None, dtype: Any = None) -> Any:
    """Gamma(a, 1) floats (divide by a rate, multiply by a scale for the others);
    ``shape`` defaults to ``a``'s. Differentiable in ``a`` (implicit reparameterisation).

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    a : array_like
        The shape parameter; differentiable.
    shape : tuple of int, optional
        The shape of the result (default ``a``'s shape).
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
    >>> import ftrans, ftrans.random as fr, numpy as np
    >>> x = fr.gamma(fr.PRNGKey(0), np.array([0.5, 2.0, 30.0]))
    >>> bool((x > 0).all())
    True
    >>> g = ftrans.grad(lambda a: fr.gamma(fr.PRNGKey(0), a))(2.0)  # dx/da at a fixed CDF
    """
    return _draw("gamma", key, a, shape, dtype, False)


def loggamma(key: Any, a: Any, shape: Any = None, dtype: Any = None) -> Any:
    """The logs of Gamma(a, 1) draws, computed in log space: accurate where ``gamma``
    underflows to 0 (``a`` well below 1). Differentiable in ``a``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    a : array_like
        The shape parameter; differentiable.
    shape : tuple of int, optional
        The shape of the result (default ``a``'s shape).
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
    >>> bool(fr.loggamma(fr.PRNGKey(0), 1e-3, (4,)).min() < -100)
    True
    """
    return _draw("loggamma", key, a, shape, dtype, True)


def beta(key: Any, a: Any, b: Any, shape: Any = None, dtype: Any = None) -> Any:
    """Beta(a, b) floats, ``Ga / (Ga + Gb)`` from two log-space gamma draws (as
    ``jax.random.beta``); ``shape`` defaults to the broadcast of ``a`` and ``b``.
    Differentiable in ``a`` and ``b``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    a : array_like
        The first shape parameter; differentiable.
    b : array_like
        The second shape parameter; differentiable.
    shape : tuple of int, optional
        The shape of the result (default the broadcast shape of ``a`` and ``b``).
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
    >>> x = fr.beta(fr.PRNGKey(0), 2.0, 5.0, (1000,))
    >>> bool(0.2 < x.mean() < 0.37)
    True
    """
    key = check_key("beta", key)
    shape = broadcast_shape("beta", shape, a=a, b=b)
    keys = split(key)
    la = loggamma(keys[0], a, shape, dtype)
    lb = loggamma(keys[1], b, shape, dtype)
    top = fnp.maximum(la, lb)
    ga, gb = fnp.exp(la - top), fnp.exp(lb - top)
    return ga / (ga + gb)


def dirichlet(key: Any, alpha: Any, shape: Any = None, dtype: Any = None) -> Any:
    """Dirichlet(alpha) vectors (``alpha`` of shape ``(..., n)``): the softmax of ``n``
    log-space gamma draws (as ``jax.random.dirichlet``). The result has shape
    ``shape + (n,)``, ``shape`` defaulting to ``alpha.shape[:-1]``. Differentiable in
    ``alpha``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    alpha : array_like
        The concentrations, shape ``(..., n)``; differentiable.
    shape : tuple of int, optional
        The shape of the result (default ``alpha.shape[:-1]``).
    dtype : data-type, optional
        ``float64`` (default) or ``float32``.

    Returns
    -------
    out : ndarray
        Array of floats of shape ``shape + (n,)``, each row summing to 1.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.
    ValueError
        If ``dtype`` is not a float dtype, or the parameters do not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.random as fr, numpy as np
    >>> x = fr.dirichlet(fr.PRNGKey(0), np.array([1.0, 2.0, 3.0]), (4,))
    >>> x.shape, bool(np.allclose(x.sum(-1), 1.0))
    ((4, 3), True)
    """
    key = check_key("dirichlet", key)
    ashape = tuple(fnp.shape(alpha))
    if not ashape:
        raise ValueError("ftrans.random.dirichlet: alpha must have at least one dimension "
                         "(..., n), got a scalar")
    batch = broadcast_shape("dirichlet", shape, **{"alpha's batch shape":
                                                   np.empty(ashape[:-1])})
    logs = loggamma(key, alpha, batch + ashape[-1:], dtype)
    logs = logs - fnp.max(logs, axis=-1, keepdims=True)
    e = fnp.exp(logs)
    return e / fnp.sum(e, axis=-1, keepdims=True)


def chisquare(key: Any, df: Any, shape: Any = None, dtype: Any = None) -> Any:
    """Chi-square floats with ``df`` degrees of freedom, ``2 Gamma(df/2)``.
    Differentiable in ``df``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    df : array_like
        The degrees of freedom; differentiable.
    shape : tuple of int, optional
        The shape of the result (default ``df``'s shape).
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
    >>> fr.chisquare(fr.PRNGKey(0), 3.0, (2,)).shape
    (2,)
    """
    dt = check_float_dtype("chisquare", dtype)
    return dt.type(2) * _draw("chisquare", key, as_dtype(df, dt, key) / dt.type(2), shape, dt,
                              False)


def t(key: Any, df: Any, shape: Any = None, dtype: Any = None) -> Any:
    """Student's t floats with ``df`` degrees of freedom, ``z sqrt(df / chi2(df))``.
    Differentiable in ``df``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    df : array_like
        The degrees of freedom; differentiable.
    shape : tuple of int, optional
        The shape of the result (default ``df``'s shape).
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
    >>> fr.t(fr.PRNGKey(0), 5.0, (2,)).shape
    (2,)
    """
    key = check_key("t", key)
    dt = check_float_dtype("t", dtype)
    shape = broadcast_shape("t", shape, df=df)
    keys = split(key)
    half = as_dtype(df, dt, key) / dt.type(2)
    g = _draw("t", keys[1], half, shape, dt, False)
    return normal_draw(keys[0], shape, dt) * fnp.sqrt(half / g)
