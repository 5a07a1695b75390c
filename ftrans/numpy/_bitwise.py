"""NumPy's bitwise functions: and, or, xor, invert and the shifts, on integers (logical on
booleans); integer results, so no derivatives.

>>> import ftrans.numpy as fnp
>>> int(fnp.bitwise_and(12, 10))
8
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..prims import bitwise as bw
from ._promote import any_tracer, dtype_of, is_tracer, promote, result_dtype
from ._ufuncs import logical_and, logical_not, logical_or, logical_xor


def _integer_operands(name: str, args: tuple, allow_bool: bool = True) -> None:
    """Raise NumPy's TypeError, naming the function and the dtypes, for operands a bitwise
    function does not take (floats, complex numbers; booleans for the shifts)."""
    kinds = "iub" if allow_bool else "iu"
    dts = [dtype_of(a) for a in args]
    if any(dt.kind not in kinds for dt in dts):
        what = "integer or boolean" if allow_bool else "integer"
        raise TypeError(f"{name} takes {what} operands, got "
                        f"{', '.join(dt.name for dt in dts)}")


def _bitwise(logical: Any, prim: Any, name: str, sym: str, example: str, value: str):
    ufunc = getattr(np, name)

    def fn(x: Any, y: Any) -> Any:
        if not any_tracer((x, y)):
            return ufunc(x, y)
        _integer_operands(name, (x, y))
        if result_dtype(x, y) == np.bool_:
            return logical(x, y)
        return prim.bind(*promote(ufunc, (x, y), name))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"NumPy's ``{name}`` (``{sym}``): bitwise on integers, logical on "
                  f"booleans.\n\nParameters\n----------\nx, y : array_like\n"
                  f"    Integer or boolean operands, broadcast together.\n\nReturns\n"
                  f"-------\nout : ndarray\n    The result in NumPy's result dtype (no "
                  f"derivative).\n\nRaises\n------\nTypeError\n    If an operand is a "
                  f"float or complex array.\n\nExamples\n--------\n"
                  f">>> import ftrans.numpy as fnp\n>>> {example}\n{value}\n")
    return fn


bitwise_and = _bitwise(logical_and, bw.bitwise_and_p, "bitwise_and", "&",
                       "int(fnp.bitwise_and(12, 10))", "8")
bitwise_or = _bitwise(logical_or, bw.bitwise_or_p, "bitwise_or", "|",
                      "int(fnp.bitwise_or(12, 10))", "14")
bitwise_xor = _bitwise(logical_xor, bw.bitwise_xor_p, "bitwise_xor", "^",
                       "int(fnp.bitwise_xor(12, 10))", "6")


def invert(x: Any) -> Any:
    """NumPy's ``invert`` (``~``): bitwise not of integers, logical not of booleans.

    Parameters
    ----------
    x : array_like
        An integer or boolean operand.

    Returns
    -------
    out : ndarray
        ``~x`` in ``x``'s dtype (no derivative).

    Raises
    ------
    TypeError
        If ``x`` is a float or complex array.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> int(fnp.invert(np.uint8(1)))
    254
    """
    if not is_tracer(x):
        return np.invert(x)
    _integer_operands("invert", (x,))
    if x.dtype == np.bool_:
        return logical_not(x)
    return bw.bitwise_not_p.bind(x)


bitwise_not = bitwise_invert = invert


def left_shift(x1: Any, x2: Any) -> Any:
    """NumPy's ``left_shift`` (``<<``): ``x1 * 2**x2`` in ``x1``'s integer dtype (bits shifted
    out are lost; counts outside ``[0, bits)`` give 0).

    Parameters
    ----------
    x1 : array_like
        The integer values shifted.
    x2 : array_like
        The integer shift counts, broadcast against ``x1``.

    Returns
    -------
    out : ndarray
        ``x1 << x2`` (no derivative).

    Raises
    ------
    TypeError
        If an operand is not an integer (booleans included).

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> int(fnp.left_shift(3, 2))
    12
    """
    if not any_tracer((x1, x2)):
        return np.left_shift(x1, x2)
    _integer_operands("left_shift", (x1, x2), allow_bool=False)
    return bw.shift_left_p.bind(*promote(np.left_shift, (x1, x2), "left_shift"))


def right_shift(x1: Any, x2: Any) -> Any:
    """NumPy's ``right_shift`` (``>>``): arithmetic for signed integers (the sign is kept),
    logical for unsigned ones.

    Parameters
    ----------
    x1 : array_like
        The integer values shifted.
    x2 : array_like
        The integer shift counts, broadcast against ``x1``.

    Returns
    -------
    out : ndarray
        ``x1 >> x2`` (no derivative).

    Raises
    ------
    TypeError
        If an operand is not an integer (booleans included).

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> int(fnp.right_shift(-8, 1))
    -4
    """
    if not any_tracer((x1, x2)):
        return np.right_shift(x1, x2)
    _integer_operands("right_shift", (x1, x2), allow_bool=False)
    a, b = promote(np.right_shift, (x1, x2), "right_shift")
    prim = bw.shift_right_arithmetic_p if dtype_of(a).kind == "i" \
        else bw.shift_right_logical_p
    return prim.bind(a, b)


bitwise_left_shift = left_shift
bitwise_right_shift = right_shift
