"""PRNG keys and raw bits: ``PRNGKey``/``key``, ``split``, ``fold_in``, ``bits``, and the
argument checks every sampler shares.

A key is a ``uint32`` array of shape ``(2,)``, the key of Threefry-2x32 (what JAX calls a
raw or legacy key; ftrans has no key dtype, so ``key`` and ``PRNGKey`` give the same
array and ``key_data`` returns it). Every number comes from the key through
``threefry2x32`` applied to a counter, as in JAX with ``jax_threefry_partitionable`` (its
default): element ``i`` (row-major) of a draw of shape ``shape`` encrypts the 64-bit counter
``i``; 32-bit draws are the XOR of the two output words, 64-bit draws both words. So the
numbers depend only on the key, the shape and the dtype: not on the backend, on ``jit`` or on
``vmap``, and they are JAX's (with ``jax_enable_x64``, whose 64-bit seeds and dtypes ftrans
shares).
"""

from __future__ import annotations

import functools
import math
import operator
from typing import Any, Sequence

import numpy as np

from .. import numpy as fnp
from ..core import Tracer
from ..device import is_gpu_array
from ..prims.random import threefry2x32_p

_U32 = np.dtype(np.uint32)
_U64 = np.dtype(np.uint64)
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


# ----------------------------------------------------------------------------- checks

def _describe(x: Any) -> str:
    if isinstance(x, Tracer):
        return f"a traced {x.aval.dtype.name} array of shape {x.aval.shape}"
    if hasattr(x, "dtype") and hasattr(x, "shape"):
        return f"a {np.dtype(x.dtype).name} array of shape {tuple(x.shape)}"
    return f"{type(x).__name__} {x!r}"


def check_key(where: str, key: Any, batched: bool = False) -> Any:
    """``key`` as an array (a tracer, NumPy or CuPy array) after checking it is a PRNG key:
    ``uint32`` of shape ``(2,)`` (``(..., 2)`` when ``batched``).

    >>> check_key("normal", PRNGKey(0))
    array([0, 0], dtype=uint32)
    >>> check_key("normal", 0)
    Traceback (most recent call last):
    ...
    TypeError: ftrans.random.normal: key must be a PRNG key, a uint32 array of shape (2,) \
from ftrans.random.PRNGKey, key, split or fold_in; got int 0 (to make a key from a seed: \
ftrans.random.PRNGKey(0))
    """
    if not (isinstance(key, Tracer) or is_gpu_array(key) or isinstance(key, np.ndarray)):
        if isinstance(key, (list, tuple)):
            key = np.asarray(key)
        else:
            hint = (f" (to make a key from a seed: ftrans.random.PRNGKey({key!r}))"
                    if isinstance(key, (int, np.integer)) else "")
            raise TypeError(f"ftrans.random.{where}: key must be a PRNG key, a uint32 array "
                            "of shape (2,) from ftrans.random.PRNGKey, key, split or "
                            f"fold_in; got {_describe(key)}{hint}")
    shape = key.aval.shape if isinstance(key, Tracer) else tuple(key.shape)
    dtype = np.dtype(key.aval.dtype if isinstance(key, Tracer) else key.dtype)
    if dtype != _U32 or not shape or shape[-1] != 2:
        raise TypeError(f"ftrans.random.{where}: key must be a PRNG key, a uint32 array of "
                        "shape (2,) from ftrans.random.PRNGKey, key, split or fold_in; got "
                        f"{_describe(key)}")
    if len(shape) > 1 and not batched:
        raise ValueError(f"ftrans.random.{where} takes a single key (shape (2,)), got an "
                         f"array of {math.prod(shape[:-1])} keys of shape {shape}: map "
                         f"over them with ftrans.vmap(lambda k: ftrans.random.{where}(k, "
                         "...))(keys)")
    return key


def check_shape(where: str, shape: Any, name: str = "shape") -> tuple[int, ...]:
    """``shape`` as a tuple of non-negative ints (an int ``n`` is ``(n,)``).

    >>> check_shape("normal", [2, 3])
    (2, 3)
    """
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"ftrans.random.{where}: {name} must be a tuple of non-negative "
                        f"integers, got {shape!r}") from None
    if any(d < 0 for d in dims):
        raise ValueError(f"ftrans.random.{where}: {name} must be a tuple of non-negative "
                         f"integers, got {dims}")
    return dims


def check_float_dtype(where: str, dtype: Any) -> np.dtype:
    """``dtype`` (float64 when None) after checking it is float32 or float64.

    >>> check_float_dtype("normal", None)
    dtype('float64')
    """
    dt = np.dtype(np.float64 if dtype is None else dtype)
    if dt not in _FLOATS:
        raise ValueError(f"ftrans.random.{where}: dtype must be a float dtype (float32 or "
                         f"float64), got {dt.name}")
    return dt


def broadcast_shape(where: str, shape: Any, **params: Any) -> tuple[int, ...]:
    """The draw's shape: ``shape`` when given (every parameter must broadcast to it),
    else the parameters' broadcast shape.

    >>> broadcast_shape("bernoulli", None, p=np.ones(3))
    (3,)
    """
    shapes = {k: fnp.shape(v) for k, v in params.items()}
    if shape is None:
        try:
            return tuple(np.broadcast_shapes(*shapes.values()))
        except ValueError:
            raise ValueError(f"ftrans.random.{where}: the shapes of "
                             f"{', '.join(f'{k} {s}' for k, s in shapes.items())} do not "
                             "broadcast together") from None
    shape = check_shape(where, shape)
    for k, s in shapes.items():
        try:
            ok = np.broadcast_shapes(shape, s) == shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"ftrans.random.{where}: {k} of shape {s} does not broadcast to "
                             f"shape {shape}")
    return shape


def on_key_device(key: Any, x: Any) -> Any:
    """A constant ``x`` where ``key`` lives: a CuPy array for a CuPy key, a NumPy scalar for
    a 0-d array (CuPy takes NumPy scalars, not NumPy arrays).

    >>> on_key_device(np.zeros(2, np.uint32), np.asarray(1.5))
    1.5
    """
    if isinstance(x, np.ndarray):
        if not x.ndim:
            return x[()]
        if is_gpu_array(key):
            import cupy
            return cupy.asarray(x)
    return x


# ----------------------------------------------------------------------------- keys

def PRNGKey(seed: Any) -> Any:
    """A PRNG key from an integer seed: the seed's 64 bits as two ``uint32`` words
    (high, low), as JAX with ``jax_enable_x64`` (JAX's default 32-bit mode drops the high
    word of seeds outside ``[0, 2**32)``). A traced seed gives a traced key.

    Parameters
    ----------
    seed : int or array_like
        A scalar integer (may be traced).

    Returns
    -------
    out : ndarray
        Array of uint32, shape (2,): the key.

    Raises
    ------
    TypeError
        If ``seed`` is not a scalar integer.
    OverflowError
        If ``seed`` does not fit in 64 bits.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.PRNGKey(42)
    array([ 0, 42], dtype=uint32)
    >>> fr.PRNGKey(-1)
    array([4294967295, 4294967295], dtype=uint32)
    """
    if isinstance(seed, Tracer):
        if seed.aval.shape or np.dtype(seed.aval.dtype).kind not in "iu":
            raise TypeError("ftrans.random.PRNGKey: seed must be a scalar integer, got "
                            f"{_describe(seed)}")
        wide = fnp.astype(seed, np.int64 if np.dtype(seed.aval.dtype).kind == "i"
                          else np.uint64)
        hi = fnp.astype(fnp.right_shift(fnp.astype(wide, np.uint64), 32), np.uint32)
        return fnp.stack([hi, fnp.astype(wide, np.uint32)])
    integer = isinstance(seed, (int, np.integer)) or (
        hasattr(seed, "dtype") and np.dtype(seed.dtype).kind in "iu" and not np.shape(seed))
    if not integer or isinstance(seed, (bool, np.bool_)):
        raise TypeError("ftrans.random.PRNGKey: seed must be a scalar integer, got "
                        f"{_describe(seed)}")
    value = int(seed)
    if not -2 ** 63 <= value < 2 ** 64:
        raise OverflowError(f"ftrans.random.PRNGKey: seed {value} does not fit in 64 bits")
    value &= 2 ** 64 - 1
    return np.array([value >> 32, value & 0xFFFFFFFF], dtype=_U32)


def key(seed: Any) -> Any:
    """A PRNG key from an integer seed: the same array as ``PRNGKey`` (ftrans keys are
    ``uint32`` arrays of shape ``(2,)``; there is no key dtype).

    Parameters
    ----------
    seed : int or array_like
        A scalar integer (may be traced).

    Returns
    -------
    out : ndarray
        Array of uint32, shape (2,): the key.

    Raises
    ------
    TypeError
        If ``seed`` is not a scalar integer.
    OverflowError
        If ``seed`` does not fit in 64 bits.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.key(7)
    array([0, 7], dtype=uint32)
    """
    return PRNGKey(seed)


def key_data(keys: Any) -> Any:
    """The ``uint32`` data of a key or an array of keys (``(..., 2)``): the keys
    themselves.

    Parameters
    ----------
    keys : array_like
        A key or an array of keys, shape ``(..., 2)``.

    Returns
    -------
    out : ndarray
        Array of uint32: the keys' data.

    Raises
    ------
    TypeError
        If ``keys`` are not PRNG keys.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.key_data(fr.PRNGKey(3))
    array([0, 3], dtype=uint32)
    """
    return check_key("key_data", keys, batched=True)


def wrap_key_data(key_bits_array: Any) -> Any:
    """Keys from their ``uint32`` data of shape ``(..., 2)``: the data themselves, checked.

    Parameters
    ----------
    key_bits_array : array_like
        ``uint32`` data of shape ``(..., 2)``.

    Returns
    -------
    out : ndarray
        Array of uint32: the keys.

    Raises
    ------
    TypeError
        If the data are not ``uint32`` of shape ``(..., 2)``.

    Examples
    --------
    >>> import ftrans.random as fr, numpy as np
    >>> fr.wrap_key_data(np.array([0, 3], np.uint32))
    array([0, 3], dtype=uint32)
    """
    return check_key("wrap_key_data", key_bits_array, batched=True)


def clone(key: Any) -> Any:
    """``key`` itself (JAX's ``clone``, for code that passes keys linearly).

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.

    Returns
    -------
    out : ndarray
        Array: ``key``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.clone(fr.PRNGKey(1))
    array([0, 1], dtype=uint32)
    """
    return check_key("clone", key, batched=True)


@functools.lru_cache(maxsize=32)
def _cached_counters(shape: tuple[int, ...]) -> tuple[Any, Any]:
    size = math.prod(shape)
    hi: Any
    lo: Any
    if size > 2 ** 32:
        idx = np.arange(size, dtype=_U64)
        hi = (idx >> np.uint64(32)).astype(_U32).reshape(shape)
        lo = idx.astype(_U32).reshape(shape)
    else:
        hi = np.uint32(0)
        lo = np.arange(size, dtype=_U32).reshape(shape) if shape else np.uint32(0)
    for a in (hi, lo):
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
    return hi, lo


def counters(shape: tuple[int, ...]) -> tuple[Any, Any]:
    """The 64-bit row-major index of each element of ``shape`` as (high, low) ``uint32``
    words (the high word is the scalar 0 below ``2**32`` elements).

    >>> counters((2, 2))[1]
    array([[0, 1],
           [2, 3]], dtype=uint32)
    """
    if math.prod(shape) > 2 ** 64:
        raise ValueError(f"ftrans.random: a draw of shape {shape} has more than 2**64 "
                         "elements")
    if math.prod(shape) <= 1 << 22:
        return _cached_counters(shape)
    return _cached_counters.__wrapped__(shape)


def threefry_words(key: Any, shape: tuple[int, ...]) -> Any:
    """``threefry2x32`` of ``key`` and each element's counter: ``uint64`` of ``shape``."""
    hi, lo = counters(shape)
    return threefry2x32_p.bind(key[0], key[1], hi, lo)


def high_word(x: Any) -> Any:
    return fnp.astype(fnp.right_shift(x, np.uint64(32)), _U32)


def low_word(x: Any) -> Any:
    return fnp.astype(x, _U32)


def random_bits(key: Any, width: int, shape: tuple[int, ...]) -> Any:
    """``width``-bit unsigned random integers of ``shape`` (JAX's ``_random_bits``)."""
    words = threefry_words(key, shape)
    if width == 64:
        return words
    bits = fnp.bitwise_xor(high_word(words), low_word(words))
    return bits if width == 32 else fnp.astype(bits, np.dtype(f"uint{width}"))


def _split_words(words: Any) -> Any:
    return fnp.stack([high_word(words), low_word(words)], axis=-1)


def split(key: Any, num: int | Sequence[int] = 2) -> Any:
    """``num`` new keys from ``key``, stacked: shape ``(num, 2)`` (or ``(*num, 2)`` for a
    tuple). The same numbers as ``jax.random.split``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    num : int or tuple of int, optional
        How many keys (default 2).

    Returns
    -------
    out : ndarray
        Array of uint32 of shape ``(num, 2)`` (or ``(*num, 2)``).

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key, or ``shape`` is not a tuple of non-negative ints.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.split(fr.PRNGKey(0))
    array([[1797259609, 2579123966],
           [ 928981903, 3453687069]], dtype=uint32)
    """
    key = check_key("split", key)
    shape = check_shape("split", num, name="num")
    return _split_words(threefry_words(key, shape))


def fold_in(key: Any, data: Any) -> Any:
    """A new key from ``key`` and the integer ``data`` (taken modulo ``2**32``; a Python
    int must lie in ``[0, 2**32)``), as ``jax.random.fold_in``: keys for loop step ``i``
    without splitting in the loop. ``data`` may be traced.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    data : int or array_like
        A scalar integer (may be traced).

    Returns
    -------
    out : ndarray
        Array of uint32, shape (2,): the new key.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key or ``data`` not a scalar integer.
    OverflowError
        If a Python int ``data`` is outside ``[0, 2**32)``.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.fold_in(fr.PRNGKey(0), 3)
    array([2467461003, 3840466878], dtype=uint32)
    """
    key = check_key("fold_in", key)
    if isinstance(data, Tracer):
        if data.aval.shape or np.dtype(data.aval.dtype).kind not in "iub":
            raise TypeError("ftrans.random.fold_in: data must be a scalar integer, got "
                            f"{_describe(data)}")
        d = fnp.astype(data, _U32)
    elif isinstance(data, (int, np.integer)) and not isinstance(data, (bool, np.bool_)):
        if isinstance(data, int) and not 0 <= data < 2 ** 32:
            raise OverflowError(f"ftrans.random.fold_in: data {data} is out of bounds for "
                                "uint32 (give it modulo 2**32, or as a NumPy integer)")
        d = np.asarray(data).astype(_U32)[()]
    elif hasattr(data, "dtype") and np.dtype(data.dtype).kind in "iu" and not data.shape:
        d = data.astype(_U32)
    else:
        raise TypeError("ftrans.random.fold_in: data must be a scalar integer, got "
                        f"{_describe(data)}")
    return _split_words(threefry2x32_p.bind(key[0], key[1], np.uint32(0), d))


_UINTS = {np.dtype(f"uint{w}"): w for w in (8, 16, 32, 64)}


def bits(key: Any, shape: Any = (), dtype: Any = None) -> Any:
    """Uniformly random unsigned integers (``uint64`` unless ``dtype`` says otherwise),
    the same as ``jax.random.bits``.

    Parameters
    ----------
    key : array_like
        A PRNG key (``PRNGKey``, ``key``, ``split``): ``uint32`` of shape ``(2,)``.
    shape : tuple of int, optional
        The shape of the result (default ``()``, one draw).
    dtype : data-type, optional
        An unsigned integer dtype (default ``uint64``).

    Returns
    -------
    out : ndarray
        Array of unsigned integers of shape ``shape``.

    Raises
    ------
    TypeError
        If ``key`` is not a PRNG key.
    ValueError
        If ``dtype`` is not an unsigned integer dtype.

    Examples
    --------
    >>> import ftrans.random as fr
    >>> fr.bits(fr.PRNGKey(0), (2,), "uint32")
    array([4070199207, 4202968722], dtype=uint32)
    """
    key = check_key("bits", key)
    shape = check_shape("bits", shape)
    dt = np.dtype(np.uint64 if dtype is None else dtype)
    if dt not in _UINTS:
        raise ValueError("ftrans.random.bits: dtype must be an unsigned integer dtype, got "
                         f"{dt.name}")
    return random_bits(key, _UINTS[dt], shape)
