"""NumPy's ``isclose`` and ``allclose`` on traced arrays (boolean results: no derivative)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._promote import any_tracer, result_dtype, to_dtype


def isclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Any:
    """NumPy's ``isclose``: ``|a - b| <= atol + rtol * |b|``, infinities equal only to
    themselves, NaNs equal when ``equal_nan``.

    Parameters
    ----------
    a, b : array_like
        The arrays compared, broadcast together.
    rtol, atol : float, optional
        Relative and absolute tolerances (defaults 1e-5, 1e-8).
    equal_nan : bool, optional
        NaNs compare equal (default False).

    Returns
    -------
    out : ndarray of bool
        Elementwise closeness.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> bool(fnp.isclose(1.0, 1.0 + 1e-9))
    True
    """
    if not any_tracer((a, b)):
        return np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    from ._elementwise import abs as _abs
    from ._elementwise import where
    from ._ufuncs import isfinite, isnan
    dt = np.result_type(result_dtype(a, b), np.float16)  # integers compare as floats
    a, b = to_dtype(a, dt), to_dtype(b, dt)
    finite = isfinite(a) & isfinite(b)
    zero = np.zeros((), dt)
    a0, b0 = where(finite, a, zero), where(finite, b, zero)  # no inf - inf warnings
    close = where(finite, _abs(a0 - b0) <= atol + rtol * _abs(b0), a == b)
    return close | (isnan(a) & isnan(b)) if equal_nan else close


def allclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> Any:
    """NumPy's ``allclose``: ``all(isclose(...))``.

    Parameters
    ----------
    a, b : array_like
        The arrays compared.
    rtol, atol : float, optional
        Relative and absolute tolerances (defaults 1e-5, 1e-8).
    equal_nan : bool, optional
        NaNs compare equal (default False).

    Returns
    -------
    out : bool or ndarray
        Whether every element is close (a traced boolean under a transformation).

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> bool(fnp.allclose([1.0, 2.0], [1.0, 2.0 + 1e-9]))
    True
    """
    if not any_tracer((a, b)):
        return np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    from ._stats import all as _all
    return _all(isclose(a, b, rtol, atol, equal_nan))
