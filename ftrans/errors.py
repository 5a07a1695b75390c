"""The errors of tracing, and where in the user's code they happened (the ground floor: the
core raises them, every layer catches them).

>>> issubclass(ConcretizationError, TypeError)
True
"""

from __future__ import annotations

import os
import traceback

import numpy as np

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)


class ConcretizationError(TypeError):
    """A concrete value was asked of a traced value that has none; the message names the
    transformation that made it abstract (``jit``, ``vmap``, a ``lax.scan`` body...)."""


class UnexpectedTracerError(RuntimeError):
    """A tracer was used after the transformation that made it had finished."""


class TracerArrayConversionError(TypeError):
    """A tracer was handed to code that wanted a plain NumPy array."""


def user_frame() -> str:
    """'file.py:12 (in f)' for the innermost stack frame outside ftrans."""
    for frame in reversed(traceback.extract_stack()):
        path = os.path.abspath(frame.filename)
        if not path.startswith(_PACKAGE_DIR) and "<frozen" not in path:
            return f"{frame.filename}:{frame.lineno} (in {frame.name})"
    return "<unknown>"


# what to do instead, for ConcretizationError
IF_FIX = ("Python control flow cannot depend on traced values here: for `if` use "
          "ftrans.numpy.where(cond, x, y) or ftrans.lax.cond(pred, true_fun, false_fun, "
          "*operands); for `while` use ftrans.lax.while_loop(cond_fun, body_fun, init); "
          "or mark the argument static with jit(..., static_argnums=...).")
INDEX_FIX = ("A traced integer cannot pick a Python branch, list item or loop count: use "
             "ftrans.lax.switch(index, branches, *operands), ftrans.lax.fori_loop(lower, "
             "upper, body_fun, init) or ftrans.lax.scan, or mark the argument static. To "
             "index an array with it, use ftrans.numpy.take(table, i) or "
             "ftrans.numpy.asarray(table)[i].")


def check_int64(x: int, where: str) -> None:
    """``OverflowError`` naming ``where`` when the Python int ``x`` does not fit int64 (the
    dtype ftrans, like NumPy, gives Python ints; NumPy raises too when one meets an array).

    >>> check_int64(2 ** 63, "jit: argument 0 ('n')")
    Traceback (most recent call last):
      ...
    OverflowError: jit: argument 0 ('n'): the Python int 9223372036854775808 is out of bounds ...
    """
    if not _INT64_MIN <= x <= _INT64_MAX:
        raise OverflowError(f"{where}: the Python int {x} is out of bounds for int64")


def stale_view(where: str) -> ValueError:
    """The error for a view (slice, reshape, transpose...) of an array assigned to at
    ``where`` after the view was taken (item assignment: ``ftrans.numpy._mutation``)."""
    return ValueError(
        f"an array taken from another one (a slice, reshape, transpose, ...) is used at "
        f"{user_frame()} after that other array was assigned to at {where}: NumPy's view "
        "would show the assignment, ftrans's traced arrays are values and would not. Take it "
        "again after the assignment, or use x = x.at[idx].set(value)")
