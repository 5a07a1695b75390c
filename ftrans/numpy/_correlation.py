"""Correlations: ``convolve`` and ``correlate`` of 1-D sequences, ``cov`` and ``corrcoef``.

``correlate(a, v)`` gathers the sliding windows of ``a`` (zero-padded for ``full``/``same``)
into a ``(len(out), len(v))`` matrix with one constant-index gather and multiplies it by ``v``
(``dot_general``): linear in each argument, with the gather's scatter as transpose.
``convolve(a, v)`` is ``correlate(a, v[::-1])``. ``cov`` centres the rows and takes
``X @ X.T / (n - ddof)``; ``corrcoef`` divides by the outer product of the standard deviations.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..core import same_device
from ..device import to_host
from ._complex import conjugate
from ._diagonals import diag
from ._indexing import take
from ._linalg import dot
from ._literals import ConvolveMode
from ._manip import concatenate
from ._promote import any_tracer, as_array, dtype_of, is_tracer, result_dtype, shape_of, to_dtype
from ._reductions import sum
from ._reorder import pad
from ._shape import asarray, reshape, transpose
from ._ufuncs import clip

_MODES = ("full", "same", "valid")


def _check_1d(a: Any, v: Any, what: str) -> None:
    for name, x in (("a", a), ("v", v)):
        s = shape_of(x)
        if len(s) != 1:
            raise ValueError(f"{what}: {name} must be 1-D, got shape {s}")
        if s[0] == 0:
            raise ValueError(f"{what}: {name} cannot be empty")


def _prepare(a: Any, v: Any, mode: Any, what: str) -> tuple[Any, Any, str]:
    """Both sequences checked and promoted to their common dtype, and the mode's name."""
    mode = _mode(mode, what)
    _check_1d(a, v, what)
    dt = result_dtype(a, v)
    return to_dtype(a, dt), to_dtype(v, dt), mode


def _mode(mode: Any, what: str) -> str:
    m = {0: "valid", 1: "same", 2: "full"}.get(mode, mode) if not isinstance(mode, str) \
        else mode
    if m not in _MODES:
        raise ValueError(f"{what}: mode must be one of 'valid', 'same', or 'full' (got "
                         f"{mode!r})")
    return m


def _correlate_long(a: Any, v: Any, mode: str) -> Any:
    """``correlate(a, v, mode)`` for ``len(a) >= len(v)``: windows of ``a`` (zero-padded
    just enough) gathered into rows, times ``v``."""
    n, m = shape_of(a)[0], shape_of(v)[0]
    length = {"full": n + m - 1, "same": n, "valid": n - m + 1}[mode]
    left = {"full": m - 1, "same": m // 2, "valid": 0}[mode]
    right = length + m - 1 - n - left
    padded = pad(a, (left, right)) if left or right else a
    windows = (np.arange(length)[:, None] + np.arange(m)[None, :]).astype(np.intp)
    return dot(take(padded, same_device(windows, padded)), v)  # a constant ``a`` may be CuPy


def correlate(a: Any, v: Any, mode: ConvolveMode = "valid") -> Any:
    """NumPy's ``correlate`` of two 1-D sequences: ``c[k] = sum_n a[n + k] conj(v[n])``, with
    modes ``valid`` (default), ``same`` and ``full``; linear in each argument.

    Parameters
    ----------
    a, v : array_like
        The two 1-D sequences.
    mode : {'valid', 'same', 'full'}, optional
        The output's extent (default ``'valid'``).

    Returns
    -------
    out : ndarray
        The cross-correlation; differentiable in both.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> fnp.correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]))
    array([3.5])
    >>> ftrans.grad(lambda v: fnp.correlate(np.array([1.0, 2.0, 3.0]), v)[0])(np.ones(3))
    array([1., 2., 3.])
    """
    if not any_tracer((a, v)):
        return np.correlate(a, v, mode=mode)
    a, v, name = _prepare(a, v, mode, "correlate")
    # complex: c[k] = sum_n a[n + k] conj(v[n]), as NumPy
    if shape_of(v)[0] > shape_of(a)[0]:  # NumPy: the swapped correlation, reversed
        return _correlate_long(conjugate(v), a, name)[::-1]
    return _correlate_long(a, conjugate(v), name)


def convolve(a: Any, v: Any, mode: ConvolveMode = "full") -> Any:
    """NumPy's ``convolve`` of two 1-D sequences, modes ``full`` (default), ``same`` and
    ``valid``; linear in each argument.

    Parameters
    ----------
    a, v : array_like
        The two 1-D sequences.
    mode : {'full', 'same', 'valid'}, optional
        The output's extent (default ``'full'``).

    Returns
    -------
    out : ndarray
        The discrete linear convolution; differentiable in both.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.convolve(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]))
    array([0. , 1. , 2.5, 4. , 1.5])
    """
    if not any_tracer((a, v)):
        return np.convolve(a, v, mode=mode)
    a, v, name = _prepare(a, v, mode, "convolve")
    if shape_of(v)[0] > shape_of(a)[0]:
        a, v = v, a
    return _correlate_long(a, v[::-1], name)


def _rows(m: Any, rowvar: bool, dt: np.dtype, name: str) -> Any:
    """``m`` as a 2-D array of variables in rows (NumPy's ``ndmin=2`` and ``rowvar``)."""
    s = shape_of(m)
    if len(s) > 2:
        raise ValueError(f"cov: {name} has more than 2 dimensions (shape {s})")
    x = asarray(to_dtype(m, dt)) if is_tracer(m) else to_dtype(as_array(m), dt)
    if len(s) < 2:
        x = reshape(x, (1, -1)) if is_tracer(x) else x.reshape(1, -1)
    if not rowvar and shape_of(x)[0] != 1:
        x = transpose(x) if is_tracer(x) else x.T
    return x


def cov(m: Any, y: Any = None, rowvar: bool = True, bias: bool = False, ddof: Any = None,
        fweights: Any = None, aweights: Any = None, *, dtype: Any = None) -> Any:
    """NumPy's ``cov``: the covariance matrix of the variables in the rows of ``m`` (columns
    if ``rowvar=False``), stacked with those of ``y``; ``n - ddof`` in the denominator
    (``ddof`` defaults to ``0 if bias else 1``). ``fweights``/``aweights`` as NumPy
    (differentiable too).

    Parameters
    ----------
    m : array_like
        The variables (rows, or columns with ``rowvar=False``) and their observations.
    y : array_like, optional
        More variables, stacked with ``m``'s.
    rowvar : bool, optional
        Variables in rows (default True).
    bias : bool, optional
        Normalise by ``n`` instead of ``n - 1``.
    ddof : int, optional
        The delta degrees of freedom (overrides ``bias``).
    fweights, aweights : array_like, optional
        Frequency and observation weights (differentiable).
    dtype : data-type, optional
        The result's dtype.

    Returns
    -------
    out : ndarray
        The covariance matrix; differentiable.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> round(float(fnp.cov(np.array([1.0, 2.0, 4.0]))), 12)
    2.333333333333
    >>> ftrans.grad(lambda x: fnp.cov(x))(np.array([1.0, 2.0, 4.0]))
    array([-1.33333333, -0.33333333,  1.66666667])
    """
    if not any_tracer((m, y, fweights, aweights)):
        return np.cov(m, y, rowvar=rowvar, bias=bias, ddof=ddof, fweights=fweights,
                      aweights=aweights, dtype=dtype)
    if ddof is not None and ddof != int(ddof):
        raise ValueError(f"cov: ddof must be integer, got {ddof!r}")
    dt = np.dtype(dtype) if dtype is not None else (
        result_dtype(m, np.float64(0)) if y is None else result_dtype(m, y, np.float64(0)))
    x = _rows(m, rowvar, dt, "m")
    if shape_of(x)[0] == 0:
        return np.array([], dt).reshape(0, 0)
    if y is not None:
        x = concatenate((x, _rows(y, rowvar, dt, "y")), axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    n = shape_of(x)[1]
    w = _weights(fweights, aweights, n, dt)
    if w is None:
        avg = sum(x, axis=1, keepdims=True) / n
        fact: Any = n - ddof
        if fact <= 0:
            warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=2)
            fact = 0.0
    else:
        w_sum = sum(w)
        avg = reshape(dot(x, w) / w_sum, (-1, 1))
        if ddof == 0:
            fact = w_sum
        elif aweights is None:
            fact = w_sum - ddof
        else:
            fact = w_sum - ddof * sum(w * to_dtype(aweights, dt)) / w_sum
    xc = x - avg
    xw = xc if w is None else xc * w
    if is_tracer(fact):
        scale = 1.0 / fact
    else:
        with np.errstate(divide="ignore"):
            scale = to_dtype(as_array(np.true_divide(1, fact)), dt)  # NumPy scales in place
    c = dot(xc, transpose(conjugate(xw))) * scale  # complex: X X^H, as NumPy
    return reshape(c, tuple(d for d in shape_of(c) if d != 1))


def _weights(fweights: Any, aweights: Any, n: int, dt: np.dtype) -> Any:
    w = None
    for name, v in (("fweights", fweights), ("aweights", aweights)):
        if v is None:
            continue
        s = shape_of(v)
        if len(s) != 1:
            raise RuntimeError(f"cov: {name} must be 1-D, got shape {s}")
        if s[0] != n:
            raise RuntimeError(f"cov: incompatible numbers of samples and {name} ({n} and "
                               f"{s[0]})")
        if name == "fweights" and not is_tracer(v):
            fv = to_host(v)  # NumPy's checks, on the host
            if not np.all(fv == np.around(fv)):
                raise TypeError("cov: fweights must be integer")
            if np.any(fv < 0):
                raise ValueError("cov: fweights cannot be negative")
        if name == "aweights" and not is_tracer(v) and np.any(to_host(v) < 0):
            raise ValueError("cov: aweights cannot be negative")
        v = to_dtype(v, dt)
        w = v if w is None else w * v
    return w


def corrcoef(x: Any, y: Any = None, rowvar: bool = True, bias: Any = np._NoValue,
             ddof: Any = np._NoValue, *, dtype: Any = None) -> Any:
    """NumPy's ``corrcoef``: ``cov`` normalised by the standard deviations, clipped to
    ``[-1, 1]`` (``bias`` and ``ddof`` are accepted and ignored, deprecated as in NumPy).

    Parameters
    ----------
    x : array_like
        The variables and their observations.
    y : array_like, optional
        More variables, stacked with ``x``'s.
    rowvar : bool, optional
        Variables in rows (default True).
    bias, ddof
        Accepted and ignored (deprecated, as in NumPy).
    dtype : data-type, optional
        The result's dtype.

    Returns
    -------
    out : ndarray
        The correlation coefficients, in [-1, 1]; differentiable.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.corrcoef(np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0]))
    array([[ 1., -1.],
           [-1.,  1.]])
    """
    if bias is not np._NoValue or ddof is not np._NoValue:
        warnings.warn("bias and ddof have no effect and are deprecated", DeprecationWarning,
                      stacklevel=2)
    if not any_tracer((x, y)):
        return np.corrcoef(x, y, rowvar=rowvar, dtype=dtype)
    c = cov(x, y, rowvar, dtype=dtype)
    if len(shape_of(c)) == 0:
        return c / c
    d = diag(c)
    from ._complex import imag, real
    from ._elementwise import sqrt
    std = sqrt(real(d))
    c = c / reshape(std, (-1, 1))
    c = c / reshape(std, (1, -1))
    if dtype_of(c).kind == "c":  # both parts clipped, as NumPy
        from ..prims.complex_parts import complex_p
        return complex_p.bind(clip(real(c), -1, 1), clip(imag(c), -1, 1))
    return clip(c, -1, 1)
