"""Complex numbers: parts, conjugates, angles and NumPy's type tests.

On plain arrays each function is NumPy's; on traced arrays the parts are primitives
(``ftrans/prims/complex_parts.py``, where the derivative conventions are written down) and
the rest are built on them. Real operands are handled as NumPy does: ``real`` and ``conj``
give the operand itself, ``imag`` zeros.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core import Tracer
from ..ir import is_complex_dtype, real_dtype
from ..prims import complex_parts as cp
from ._promote import dtype_of, is_tracer


def real(val: Any) -> Any:
    """NumPy's ``real``: the real part (a real ``val`` itself).

    Parameters
    ----------
    val : array_like
        The input: an array, a scalar or a traced array.

    Returns
    -------
    out : ndarray
        The real part; differentiable.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.real(3 + 4j)
    3.0
    """
    if not is_tracer(val):
        return np.real(val)
    return cp.real_p.bind(val) if is_complex_dtype(val.dtype) else val


def imag(val: Any) -> Any:
    """NumPy's ``imag``: the imaginary part (zeros for a real ``val``).

    Parameters
    ----------
    val : array_like
        The input: an array, a scalar or a traced array.

    Returns
    -------
    out : ndarray
        The imaginary part, real; differentiable.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.imag(3 + 4j)
    4.0
    """
    if not is_tracer(val):
        return np.imag(val)
    if is_complex_dtype(val.dtype):
        return cp.imag_p.bind(val)
    from ._shape import zeros_like
    return zeros_like(val)


def conjugate(x: Any) -> Any:
    """NumPy's ``conjugate`` (``conj``): the complex conjugate (a real ``x`` itself).

    Parameters
    ----------
    x : array_like
        The input: an array, a scalar or a traced array.

    Returns
    -------
    out : ndarray
        The complex conjugate (``x`` itself when real).

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.conjugate(3 + 4j)
    (3-4j)
    """
    if not is_tracer(x):
        return np.conjugate(x)
    return cp.conj_p.bind(x) if is_complex_dtype(x.dtype) else x


conj = conjugate


def angle(z: Any, deg: bool = False) -> Any:
    """NumPy's ``angle``: the argument ``arctan2(imag(z), real(z))``, in radians (degrees
    with ``deg=True``).

    Parameters
    ----------
    z : array_like
        The input: an array, a scalar or a traced array.
    deg : bool, optional
        Degrees instead of radians (default False).

    Returns
    -------
    out : ndarray
        The argument of each element, real; differentiable.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> round(float(fnp.angle(1j, deg=True)), 6)
    90.0
    """
    if not is_tracer(z):
        return np.angle(z, deg)
    from ._elementwise import arctan2
    from ._promote import to_dtype
    if not is_complex_dtype(z.dtype):
        z = to_dtype(z, np.result_type(z.dtype, 1.0))
    a = arctan2(imag(z), real(z))
    return a * (180 / math.pi) if deg else a


def iscomplexobj(x: Any) -> bool:
    """NumPy's ``iscomplexobj``: whether ``x`` has a complex dtype (whatever its values).

    Parameters
    ----------
    x : array_like
        The input: an array, a scalar or a traced array.

    Returns
    -------
    out : bool
        Whether ``x``'s dtype is complex.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.iscomplexobj(1 + 0j), fnp.iscomplexobj(1.0)
    (True, False)
    """
    return issubclass(dtype_of(x).type, np.complexfloating)


def isrealobj(x: Any) -> bool:
    """NumPy's ``isrealobj``: whether ``x`` has a dtype that is not complex.

    Parameters
    ----------
    x : array_like
        The input: an array, a scalar or a traced array.

    Returns
    -------
    out : bool
        Whether ``x``'s dtype is not complex.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.isrealobj(1 + 0j)
    False
    """
    return not iscomplexobj(x)


def iscomplex(x: Any) -> Any:
    """NumPy's ``iscomplex``: elementwise, whether the imaginary part is non-zero.

    Parameters
    ----------
    x : array_like
        The input: an array, a scalar or a traced array.

    Returns
    -------
    out : ndarray of bool
        Elementwise, whether the imaginary part is non-zero.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.iscomplex(np.array([1.0, 1 + 1j]))
    array([False,  True])
    """
    if not is_tracer(x):
        return np.iscomplex(x)
    from ._elementwise import not_equal
    return not_equal(imag(x), 0)


def isreal(x: Any) -> Any:
    """NumPy's ``isreal``: elementwise, whether the imaginary part is zero.

    Parameters
    ----------
    x : array_like
        The input: an array, a scalar or a traced array.

    Returns
    -------
    out : ndarray of bool
        Elementwise, whether the imaginary part is zero.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.isreal(np.array([1.0, 1 + 1j]))
    array([ True, False])
    """
    if not is_tracer(x):
        return np.isreal(x)
    from ._elementwise import equal
    return equal(imag(x), 0)


def real_if_close(a: Any, tol: float = 100) -> Any:
    """NumPy's ``real_if_close``: ``real(a)`` when every imaginary part is below ``tol``
    (in machine epsilons when ``tol > 1``), else ``a``. The result's dtype depends on the
    values, so on traced arrays it needs concrete ones (not under ``jit`` or ``vmap``).

    Parameters
    ----------
    a : array_like
        The input: an array, a scalar or a traced array.
    tol : float, optional
        The bound on the imaginary parts, in machine epsilons when above 1 (default 100).

    Returns
    -------
    out : ndarray
        ``real(a)`` or ``a``.

    Raises
    ------
    ftrans.ConcretizationError
        Under ``jit`` or ``vmap``: the result's dtype depends on the values.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> fnp.real_if_close(2 + 1e-18j)
    2.0
    """
    if not is_tracer(a):
        out = np.real_if_close(a, tol)
        return out[()] if isinstance(out, np.ndarray) and out.ndim == 0 else out
    if not is_complex_dtype(a.dtype):
        return a
    if tol > 1:
        tol = float(np.finfo(real_dtype(a.dtype)).eps) * tol
    from ._elementwise import absolute, less
    from ._stats import all as all_
    small: Tracer = all_(less(absolute(imag(a)), tol))
    return real(a) if bool(small) else a


def sort_complex(a: Any) -> Any:
    """NumPy's ``sort_complex``: sorted by real part, then imaginary part, as a complex
    array (complex128, or complex64 for 8- and 16-bit integers, as NumPy).

    Parameters
    ----------
    a : array_like
        The input: an array, a scalar or a traced array.

    Returns
    -------
    out : ndarray
        The sorted values, complex.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.sort_complex(np.array([2.0, 1 + 1j, 1 - 1j]))
    array([1.-1.j, 1.+1.j, 2.+0.j])
    """
    if not is_tracer(a):
        return np.sort_complex(a)
    from ._promote import to_dtype
    from ._sorting import sort
    out = sort(a, axis=-1)
    if is_complex_dtype(out.dtype):
        return out
    return to_dtype(out, np.complex64 if out.dtype.char in "bhBH" else np.complex128)
