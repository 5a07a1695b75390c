"""Discrete draws: ``bernoulli``, ``randint``, ``categorical``, ``permutation``, ``choice``,
``poisson``, with JAX's algorithms (so JAX's numbers, with ``jax_enable_x64``, except for
``poisson``, which draws per element on its own counters: see ``prims/random_poisson.py``):

- ``randint`` reduces two ``nbits``-bit draws modulo the span (little bias, no rejection
  loop), in at least 32 bits;
- ``categorical`` and weighted ``choice`` without replacement use the Gumbel-max (top-k)
  trick; weighted ``choice`` with replacement searches the cumulative weights;
- ``permutation`` sorts by random 32-bit keys (stably), in as many rounds as make
  collisions negligible (``ceil(3 log n / log(2**32 - 1))``).

Results are integers (or booleans): no derivatives flow through them, as in JAX.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import numpy as fnp
from ..core import Tracer
from ..prims.random_poisson import random_poisson_p
from ._continuous import as_dtype, gumbel, uniform_draw
from ._keys import (
    broadcast_shape,
    check_key,
    check_shape,
    high_word,
    low_word,
    on_key_device,
    random_bits,
    split,
    threefry_words,
)


def bernoulli(key: Any, p: Any = 0.5, shape: Any = None, mode: str = "low") -> Any:
    """Booleans that are True with probability ``p`` (``uniform < p``, as
    ``jax.random.bernoulli``); ``shape`` defaults to ``p``'s. ``mode='high'`` uses two
    uniforms per draw, for probabilities below the float's resolution.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    p : array_like, optional
        The probability of True (default 0.5).
    shape : tuple of int, optional
        The shape of the result (default ``p``'s shape).
    mode : {'low', 'high'}, optional
        ``'high'``: two uniforms per draw, for tiny ``p``.

    Returns
    -------
    out : ndarray
        Array of bool of shape ``shape``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.
    ValueError
        If ``dtype`` is not a float dtype, or the parameters do not broadcast to ``shape``.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.bernoulli(fr.PRNGKey(0), 0.5, (5,))
    array([ True,  True, False, False, False])
    """
    key = check_key("bernoulli", key)
    if mode not in ("low", "high"):
        raise ValueError(f"ftrans.random.bernoulli: mode must be 'low' or 'high', got {mode!r}")
    dtype = fnp.result_type(p)
    if dtype.kind != "f":
        raise TypeError("ftrans.random.bernoulli: p must be a float probability, got dtype "
                        f"{dtype.name}")
    shape = broadcast_shape("bernoulli", shape, p=p)
    p = as_dtype(p, dtype, key)
    if mode == "high":
        u = uniform_draw(key, (2, *shape), dtype, 0.0, 1.0)
        return u[1] * dtype.type(2.0 ** -np.finfo(dtype).nmant) < p - u[0]
    return uniform_draw(key, shape, dtype, 0.0, 1.0) < p


def _int_dtype(where: str, dtype: Any) -> np.dtype:
    dt = np.dtype(np.int64 if dtype is None else dtype)
    if dt.kind not in "iu" or dt.itemsize not in (1, 2, 4, 8):
        raise TypeError(f"ftrans.random.{where}: dtype must be an integer dtype, got {dt.name}")
    return dt


def _int_param(x: Any, name: str, key: Any) -> Any:
    dt = fnp.result_type(x)
    if dt.kind == "b" or dt.kind not in "iuf":
        raise TypeError(f"ftrans.random.randint: {name} must be an integer (or array of "
                        f"integers), got dtype {dt.name}")
    return as_dtype(x, dt if dt.kind in "iu" else np.dtype(np.int64), key)


def _clip_to(x: Any, dtype: np.dtype) -> Any:
    """``x`` (an integer) in ``dtype``, clipped to its range instead of wrapping."""
    src = np.dtype(fnp.result_type(x))
    lo = max(int(np.iinfo(dtype).min), int(np.iinfo(src).min))
    hi = min(int(np.iinfo(dtype).max), int(np.iinfo(src).max))
    return fnp.astype(fnp.clip(x, src.type(lo), src.type(hi)), dtype)


def _urem(x: Any, span: Any) -> Any:
    """``x % span`` for unsigned integers, ``x`` where ``span`` is 0 (as XLA's ``rem``)."""
    zero = span == 0
    return fnp.where(zero, x, fnp.remainder(x, fnp.where(zero, 1, span)))


def randint(key: Any, shape: Any, minval: Any, maxval: Any, dtype: Any = None) -> Any:
    """Uniform integers in ``[minval, maxval)`` (``int64`` unless ``dtype`` says
    otherwise); ``minval`` and ``maxval`` broadcast to ``shape``. The same numbers as
    ``jax.random.randint``: a bias of order ``span / 2**nbits`` for spans that are not
    powers of two.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    shape : tuple of int
        The shape of the result.
    minval : array_like
        The lower bound (included).
    maxval : array_like
        The upper bound (excluded).
    dtype : data-type, optional
        An integer dtype (default ``int64``).

    Returns
    -------
    out : ndarray
        Array of integers in ``[minval, maxval)`` of shape ``shape``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.randint(fr.PRNGKey(0), (5,), 0, 10)
    array([5, 1, 5, 7, 3])
    """
    key = check_key("randint", key)
    dt = _int_dtype("randint", dtype)
    shape = broadcast_shape("randint", check_shape("randint", shape), minval=minval,
                            maxval=maxval)
    minval, maxval = _int_param(minval, "minval", key), _int_param(maxval, "maxval", key)
    info = np.iinfo(dt)
    with np.errstate(over="ignore", divide="ignore"):
        if info.bits < 32:  # sample in 32 bits, so the bias stays small
            lo = fnp.clip(_clip_to(minval, np.dtype(np.int64)), int(info.min), int(info.max))
            hi = fnp.clip(_clip_to(maxval, np.dtype(np.int64)), int(info.min),
                          int(info.max) + 1)
            out = _randint(key, shape, fnp.astype(lo, np.int32), fnp.astype(hi, np.int32),
                           np.dtype(np.int32))
            return fnp.astype(out, dt)
        return _randint(key, shape, minval, maxval, dt)


def _randint(key: Any, shape: tuple[int, ...], minval: Any, maxval: Any,
             dt: np.dtype) -> Any:
    nbits = np.iinfo(dt).bits
    udt = np.dtype(f"uint{nbits}")
    max_dt = dt.type(np.iinfo(dt).max)
    src = np.dtype(fnp.result_type(maxval))
    above = maxval > (_clip_to(max_dt, src) if src != dt else max_dt)
    minval, maxval = _clip_to(minval, dt), _clip_to(maxval, dt)
    keys = split(key)
    higher = random_bits(keys[0], nbits, shape)
    lower = random_bits(keys[1], nbits, shape)
    span = fnp.astype(fnp.subtract(maxval, minval), udt)
    one = udt.type(1)
    span = fnp.where(maxval <= minval, one, span)
    span = fnp.where(fnp.logical_and(above, maxval > minval), span + one, span)
    multiplier = _urem(udt.type(2 ** (nbits // 2)), span)
    multiplier = _urem(multiplier * multiplier, span)
    offset = _urem(_urem(higher, span) * multiplier + _urem(lower, span), span)
    return fnp.add(minval, fnp.astype(offset, dt))


def _take_sorted(key: Any, x: Any, axis: int) -> Any:
    """``x`` shuffled along ``axis`` by sorting on random 32-bit keys (JAX's ``_shuffle``)."""
    size = math.prod(fnp.shape(x))
    rounds = math.ceil(3 * math.log(max(1, size)) / math.log(2 ** 32 - 1))
    for _ in range(rounds):
        keys = split(key)
        key, sub = keys[0], keys[1]
        order = fnp.argsort(random_bits(sub, 32, tuple(fnp.shape(x))), axis=axis)
        x = fnp.take_along_axis(x, order, axis)
    return x


def _axis(where: str, axis: int, ndim: int) -> int:
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(f"ftrans.random.{where}: axis {axis} is out of bounds "
                                      f"for an array of dimension {ndim}")
    return axis % ndim


def permutation(key: Any, x: Any, axis: int = 0, independent: bool = False) -> Any:
    """A random permutation of ``arange(x)`` (an int ``x``) or of ``x``'s entries along
    ``axis`` (each slice on its own with ``independent=True``), as
    ``jax.random.permutation``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    x : int or array_like
        ``arange(x)`` for an int, else the array to shuffle.
    axis : int, optional
        The axis shuffled (default 0).
    independent : bool, optional
        Shuffle each slice on its own (default False).

    Returns
    -------
    out : ndarray
        Array, the permuted entries.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.permutation(fr.PRNGKey(0), 5)
    array([0, 1, 4, 3, 2])
    """
    key = check_key("permutation", key)
    if not fnp.ndim(x):
        if isinstance(x, Tracer) or not isinstance(x, (int, np.integer)) \
                and fnp.result_type(x).kind not in "iu":
            raise TypeError("ftrans.random.permutation: x must be an integer or an array of "
                            f"at least one dimension, got {x!r}")
        return _take_sorted(key, on_key_device(key, np.arange(int(x))), 0)
    axis = _axis("permutation", axis, fnp.ndim(x))
    x = on_key_device(key, x) if isinstance(x, np.ndarray) else x
    if independent or fnp.ndim(x) == 1:
        return _take_sorted(key, x, axis)
    order = _take_sorted(key, on_key_device(key, np.arange(fnp.shape(x)[axis])), 0)
    return fnp.take(x, order, axis)


def choice(key: Any, a: Any, shape: Any = (), replace: bool = True, p: Any = None,
           axis: int = 0) -> Any:
    """Draws from ``a`` (an array: entries along ``axis``; an int: ``arange(a)``), with or
    without replacement, optionally weighted by ``p``, as ``jax.random.choice``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    a : int or array_like
        The population: ``arange(a)`` for an int, else ``a``'s entries along ``axis``.
    shape : tuple of int, optional
        The shape of the result (default ``()``, one draw).
    replace : bool, optional
        Draw with replacement (default True).
    p : array_like, optional
        The probabilities of the entries (default uniform).
    axis : int, optional
        The axis of ``a`` drawn from (default 0).

    Returns
    -------
    out : ndarray
        Array of the entries drawn.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.choice(fr.PRNGKey(0), 5, (3,), replace=False)
    array([0, 1, 4])
    """
    key = check_key("choice", key)
    shape = check_shape("choice", shape)
    scalar = not fnp.ndim(a)
    if scalar:
        if isinstance(a, Tracer) or fnp.result_type(a).kind not in "iu":
            raise TypeError("ftrans.random.choice: a must be an integer or an array of at "
                            f"least one dimension, got {a!r}")
        n = int(a)
    else:
        axis = _axis("choice", axis, fnp.ndim(a))
        n = fnp.shape(a)[axis]
        a = on_key_device(key, a) if isinstance(a, np.ndarray) else a
    draws = math.prod(shape)
    if draws == 0:
        return np.zeros(shape, dtype=fnp.result_type(a))
    if n <= 0:
        raise ValueError("ftrans.random.choice: a must be greater than 0 unless no samples "
                         "are taken")
    if not replace and draws > n:
        raise ValueError(f"ftrans.random.choice: cannot take a larger sample (size {draws}) "
                         f"than the population (size {n}) when replace=False")
    if p is None:
        if replace:
            ind = randint(key, shape, 0, n)
        else:
            perm = permutation(key, n if scalar else a, axis)
            out = perm[(slice(None),) * (0 if scalar else axis) + (slice(draws),)]
            return _reshape_draws(out, a, shape, axis, scalar)
    else:
        pshape = fnp.shape(p)
        if pshape != (n,):
            raise ValueError("ftrans.random.choice: p must be None or a 1-D array of the "
                             f"same size as a.shape[axis] ({n}), got shape {pshape}")
        p = as_dtype(p, np.result_type(fnp.result_type(p), np.float32), key)
        if replace:
            cum = fnp.cumsum(p)
            r = cum[-1] * (1 - uniform_draw(key, shape, np.dtype(cum.dtype), 0.0, 1.0))
            ind = fnp.astype(fnp.searchsorted(cum, r), np.int64)
        else:
            g = gumbel(key, (n,), np.dtype(p.dtype)) + fnp.log(p)
            ind = fnp.argsort(-g)[:draws]
    out = ind if scalar else fnp.take(a, ind, axis)
    return _reshape_draws(out, a, shape, axis, scalar)


def _reshape_draws(out: Any, a: Any, shape: tuple[int, ...], axis: int,
                   scalar: bool) -> Any:
    if scalar:
        return fnp.reshape(out, shape)
    s = fnp.shape(a)
    return fnp.reshape(out, s[:axis] + shape + s[axis + 1:])


def categorical(key: Any, logits: Any, axis: int = -1, shape: Any = None,
                replace: bool = True) -> Any:
    """Indices drawn with probabilities ``softmax(logits, axis)`` (Gumbel-max; top-k
    without replacement), as ``jax.random.categorical``. ``shape`` defaults to ``logits``'
    shape without ``axis``; a longer ``shape`` draws several times from each distribution.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    logits : array_like
        Unnormalized log probabilities.
    axis : int, optional
        The axis of the categories (default -1).
    shape : tuple of int, optional
        The shape of the result (default ``logits``' shape without ``axis``).
    replace : bool, optional
        Draw with replacement (default True).

    Returns
    -------
    out : ndarray
        Array of int of shape ``shape``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.

    Examples
    --------
    >>> import ftrans.random as fr, numpy as np
    >>> fr.categorical(fr.PRNGKey(0), np.log(np.array([0.2, 0.3, 0.5])), shape=(6,))
    array([2, 2, 0, 1, 1, 2])
    """
    key = check_key("categorical", key)
    lshape = tuple(fnp.shape(logits))
    if not lshape:
        raise ValueError("ftrans.random.categorical: logits must have at least one "
                         "dimension")
    axis = _axis("categorical", axis, len(lshape))
    batch = lshape[:axis] + lshape[axis + 1:]
    shape = batch if shape is None else check_shape("categorical", shape)
    try:
        ok = np.broadcast_shapes(shape, batch) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"ftrans.random.categorical: shape {shape} must end with (or "
                         f"broadcast from) the batch shape of logits {batch}")
    dtype = np.result_type(fnp.result_type(logits), np.float32)
    logits = as_dtype(logits, dtype, key)
    prefix = shape[:len(shape) - len(batch)]
    if replace:
        neg = axis - len(lshape)  # axis counted from the end
        tail = list(shape[len(shape) - len(batch):])
        tail.insert(axis, lshape[axis])
        g = gumbel(key, (*prefix, *tail), dtype)
        return fnp.argmax(g + fnp.reshape(logits, (1,) * len(prefix) + lshape), axis=neg)
    k = math.prod(prefix)
    if k > lshape[axis]:
        raise ValueError(f"ftrans.random.categorical: cannot draw {k} samples without "
                         f"replacement from {lshape[axis]} categories")
    perturbed = logits + gumbel(key, lshape, dtype)
    top = fnp.argsort(-fnp.moveaxis(perturbed, axis, -1), axis=-1)[..., :k]
    return fnp.reshape(fnp.moveaxis(top, -1, 0), shape)


def poisson(key: Any, lam: Any, shape: Any = None, dtype: Any = None) -> Any:
    """Poisson(lam) integers (``int64`` unless ``dtype`` says otherwise); ``shape``
    defaults to ``lam``'s. Knuth's method below ``lam = 10``, Hörmann's transformed
    rejection above, as ``jax.random.poisson``; each element from its own key, so vmap and
    jit give the same numbers. A negative ``lam`` gives -1.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    lam : array_like
        The rates.
    shape : tuple of int, optional
        The shape of the result (default ``lam``'s shape).
    dtype : data-type, optional
        An integer dtype (default ``int64``).

    Returns
    -------
    out : ndarray
        Array of integers of shape ``shape`` (-1 where ``lam`` is negative).

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.

    Examples
    --------
    >>> import ftrans.random as fr, numpy as np
    >>> k = fr.poisson(fr.PRNGKey(0), np.array([0.0, 3.0, 1000.0]))
    >>> int(k[0]), k.dtype
    (0, dtype('int64'))
    """
    key = check_key("poisson", key)
    dt = _int_dtype("poisson", dtype)
    fdt = fnp.result_type(lam)
    if fdt.kind not in "iuf" or fdt.kind == "b":
        raise TypeError(f"ftrans.random.poisson: lam must be a real rate, got dtype {fdt.name}")
    shape = broadcast_shape("poisson", shape, lam=lam)
    lam = as_dtype(lam, fdt if fdt.kind == "f" else np.dtype(np.float64), key)
    if fnp.shape(lam) != shape:
        lam = fnp.broadcast_to(lam, shape)
    words = threefry_words(key, shape)
    return random_poisson_p.bind(high_word(words), low_word(words), lam, dtype=dt)
