"""Safe math: versions of ``where``, ``sqrt``, ``log``, ``divide`` and ``norm`` whose
gradients stay finite where the plain ones give NaN or inf.

The trap (see ``docs/safe_math.md``): reverse mode multiplies a cotangent of zero by a local
derivative, and ``0 * inf`` is NaN. ``fnp.where(x > 0, fnp.log(x), 0.0)`` at ``x = 0`` selects
``0.0``, but its gradient still passes a zero cotangent through ``log``, whose derivative
``1/x`` is inf there. The fix, used by every function here, is the *double where*: replace
the unsafe inputs by a harmless value before the risky function, then select.

>>> import ftrans, ftrans.numpy as fnp
>>> from ftrans.numpy import safe
>>> ftrans.grad(lambda x: fnp.sum(fnp.where(x > 0, fnp.log(x), 0.0)))(fnp.array([0.0, 2.0]))
array([nan, 0.5])
>>> ftrans.grad(lambda x: fnp.sum(safe.log(x)))(fnp.array([0.0, 2.0]))
array([0. , 0.5])
"""

from __future__ import annotations

from typing import Any, Callable

from . import _elementwise as _ew
from . import _reductions as _red


def _branch(b: Any, condition: Any, taken_if: bool, operands: tuple, fill: Any) -> Any:
    if not callable(b):
        return b
    return b(*[_ew.where(condition, op, fill) if taken_if else _ew.where(condition, fill, op)
               for op in operands])


def where(condition: Any, x: Any | Callable, y: Any | Callable, *operands: Any,
          fill: Any = 1.0) -> Any:
    """``x`` where ``condition`` holds, else ``y``, with finite gradients through the branch
    not taken. ``x`` and ``y`` may be callables of ``operands``: each is applied to the
    operands with the entries its branch does not take replaced by ``fill`` (a value where
    both functions are smooth), so their derivatives there are never inf or NaN.

    Parameters
    ----------
    condition : array_like of bool
        Where to take ``x``.
    x, y : array_like or callable
        The values, or functions of ``operands`` computing them.
    *operands : array_like
        The arguments of ``x`` and ``y`` when they are callables.
    fill : scalar, optional
        The value given to a function in the entries its branch does not take (default 1.0).

    Returns
    -------
    out : ndarray
        The selection, as ``ftrans.numpy.where``'s, with finite derivatives.

    Raises
    ------
    TypeError
        If ``x`` or ``y`` is a callable and no operands are given.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp
    >>> f = lambda x: where(x > 0, fnp.log, 0.0, x)   # log(x) for x > 0, else 0
    >>> ftrans.grad(f)(0.0), ftrans.grad(f)(2.0)
    (0.0, 0.5)
    """
    if operands == () and (callable(x) or callable(y)):
        raise TypeError("safe.where: x or y is a function, so give the operands it applies "
                        "to: safe.where(condition, fn, other, *operands)")
    return _ew.where(condition, _branch(x, condition, True, operands, fill),
                     _branch(y, condition, False, operands, fill))


def sqrt(x: Any) -> Any:
    """``sqrt(x)``, with gradient 0 (a subgradient) at ``x = 0`` instead of inf.

    Parameters
    ----------
    x : array_like
        Non-negative values.

    Returns
    -------
    out : ndarray
        ``sqrt(x)``.

    Examples
    --------
    >>> import ftrans
    >>> ftrans.grad(sqrt)(0.0), ftrans.grad(sqrt)(4.0)
    (0.0, 0.25)
    """
    zero = _ew.equal(x, 0)
    return _ew.where(zero, 0.0 * x, _ew.sqrt(_ew.where(zero, 1.0, x)))


def log(x: Any, where: Any = None, fill: Any = 0.0) -> Any:
    """``log(x)`` where ``where`` holds (default: ``x > 0``), ``fill`` elsewhere; the gradient
    is exactly 0 in the filled entries instead of inf or NaN.

    Parameters
    ----------
    x : array_like
        The values.
    where : array_like of bool, optional
        Where to take the logarithm (default ``x > 0``).
    fill : scalar, optional
        The value elsewhere (default 0.0).

    Returns
    -------
    out : ndarray
        ``log(x)`` where ``where`` holds, ``fill`` elsewhere.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp
    >>> ftrans.grad(lambda x: fnp.sum(log(x)))(fnp.array([0.0, 4.0]))
    array([0.  , 0.25])
    """
    mask = _ew.greater(x, 0) if where is None else where
    return _ew.where(mask, _ew.log(_ew.where(mask, x, 1.0)), fill)


def divide(x: Any, y: Any, fill: Any = 0.0) -> Any:
    """``x / y`` where ``y != 0``, ``fill`` where ``y == 0``, with finite gradients there.

    Parameters
    ----------
    x, y : array_like
        Numerator and denominator, broadcast together.
    fill : scalar, optional
        The value where ``y == 0`` (default 0.0).

    Returns
    -------
    out : ndarray
        ``x / y`` where ``y != 0``, ``fill`` elsewhere.

    Examples
    --------
    >>> import ftrans
    >>> ftrans.grad(lambda y: divide(1.0, y))(0.0)
    0.0
    """
    ok = _ew.not_equal(y, 0)
    return _ew.where(ok, _ew.divide(x, _ew.where(ok, y, 1.0)), fill)


def norm(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The Euclidean norm ``sqrt(sum(x**2))`` of a real array (over ``axis``), with gradient 0
    (a subgradient) at ``x = 0`` instead of NaN (0/0).

    Parameters
    ----------
    x : array_like
        A real array.
    axis : int or tuple of int, optional
        The axes reduced (default all).
    keepdims : bool, optional
        Keep the reduced axes, with length one (default False).

    Returns
    -------
    out : ndarray
        The Euclidean norm.

    Examples
    --------
    >>> import numpy as np, ftrans, ftrans.numpy as fnp
    >>> ftrans.grad(norm)(np.zeros(3))
    array([0., 0., 0.])
    >>> ftrans.grad(norm)(fnp.array([3.0, 4.0]))
    array([0.6, 0.8])
    """
    s = _red.sum(_ew.multiply(x, x), axis=axis, keepdims=keepdims)
    return sqrt(s)

__all__ = ["where", "sqrt", "log", "divide", "norm"]
