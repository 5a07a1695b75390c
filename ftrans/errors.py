"""The errors of tracing, and where in the user's code they happened (the ground floor: the
core raises them, every layer catches them). Every public ftrans error ends its message with
the address of its section of the documentation (docs/errors.md), as JAX's errors do.

>>> issubclass(ConcretizationError, TypeError)
True
>>> print(UnexpectedTracerError("a tracer escaped"))
a tracer escaped
See https://ftrans.readthedocs.io/en/latest/errors.html#unexpected-tracer-error
"""

from __future__ import annotations

import os
import re
import traceback
from typing import Any

import numpy as np

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)


# where docs/errors.md is published (the docs site is built from docs/*.md)
DOCS_URL = "https://ftrans.readthedocs.io/en/latest/errors.html"


def anchor_of(name: str) -> str:
    """The anchor of an error class's section in docs/errors.md: its name in kebab case.

    >>> anchor_of("JaxprTypeError")
    'jaxpr-type-error'
    """
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


def see_docs(message: str, anchor: str) -> str:
    """``message`` followed by the address of the section ``anchor`` of docs/errors.md.

    >>> see_docs("bad", "concretization-error")
    'bad\\nSee https://ftrans.readthedocs.io/en/latest/errors.html#concretization-error'
    """
    return f"{message}\nSee {DOCS_URL}#{anchor}"


class DocumentedError:
    """Mixin of ftrans's public errors (and warnings): the message ends with the address of
    the class's section of docs/errors.md, whose anchor is ``anchor`` (the class name in
    kebab case unless a class sets its own).

    >>> class Oops(DocumentedError, ValueError):
    ...     pass
    >>> Oops.anchor, str(Oops("no")).splitlines()[0]
    ('oops', 'no')
    """

    anchor: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "anchor" not in cls.__dict__:
            cls.anchor = anchor_of(cls.__name__)

    def __str__(self) -> str:
        return see_docs(super().__str__(), self.anchor)


class ConcretizationError(DocumentedError, TypeError):
    """A concrete value was asked of a traced value that has none.

    Python control flow (``if x > 0``), ``float(x)`` or a traced index into a Python list
    need a value; under ``jit``, ``vmap``, ``make_jaxpr`` or inside a ``lax`` loop body the
    value is abstract. The message names the transformation that made it abstract, the
    user's line, and the fix (``ftrans.numpy.where``, ``lax.cond``, ``static_argnums``). It is
    a ``TypeError``. Plain ``grad``/``jvp``/``jacfwd`` trace with values, so ``if`` works there.

    Examples
    --------
    >>> import ftrans
    >>> ftrans.jit(lambda x: x if x > 0 else -x)(1.0)
    Traceback (most recent call last):
      ...
    ftrans.errors.ConcretizationError: ...
    """


class UnexpectedTracerError(DocumentedError, RuntimeError):
    """A tracer was used after the transformation that made it had finished.

    Raised when a traced value escapes its transformation, e.g. stored in a global or a
    list outside the function and used in a later call. Return the value instead.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp
    >>> kept = []
    >>> _ = ftrans.grad(lambda x: kept.append(x) or x * x)(1.0)
    >>> fnp.sin(kept[0])
    Traceback (most recent call last):
      ...
    ftrans.errors.UnexpectedTracerError: sin was given a tracer from a transformation ...
    """


class TracerArrayConversionError(DocumentedError, TypeError):
    """A tracer was handed to code that wanted a plain NumPy array.

    Code outside ftrans (``np.asarray``, a C extension) cannot read a traced value under
    ``jit``/``vmap``; use ``ftrans.numpy`` functions, or ``ftrans.pure_callback`` for host
    code. It is a ``TypeError``.

    Examples
    --------
    >>> import ftrans, numpy as np
    >>> ftrans.jit(lambda x: np.asarray(x))(np.ones(2))
    Traceback (most recent call last):
      ...
    ftrans.errors.TracerArrayConversionError: ...
    """


class UnsupportedKeywordError(DocumentedError, TypeError, NotImplementedError):
    """A NumPy keyword argument that the ftrans function called does not support; the
    message names the function, the keyword and what to do instead. A ``TypeError`` (as
    Python's for an unknown keyword) and a ``NotImplementedError``."""


def user_frame() -> str:
    """'file.py:12 (in f)' for the innermost stack frame outside ftrans."""
    for frame in reversed(traceback.extract_stack()):
        path = os.path.abspath(frame.filename)
        if not path.startswith(_PACKAGE_DIR) and "<frozen" not in path:
            return f"{frame.filename}:{frame.lineno} (in {frame.name})"
    return "<unknown>"


# what to do instead, for ConcretizationError: by what made the value abstract
_STATIC = {"jit": "jit(f, static_argnums=...)", "make_jaxpr": "make_jaxpr(f, static_argnums=...)"}


def concretization_fix(kind: str, why: str, differentiating: bool = False) -> str:
    """What to do instead, for a ``ConcretizationError``: ``kind`` is ``'if'`` (``bool``,
    ``float``...) or ``'index'`` (``int``, ``__index__``), ``why`` the transformation that made
    the value abstract, ``differentiating`` whether a derivative (which traces concretely) is
    being taken around or inside it. ``static_argnums`` is offered only where it exists.

    >>> "static_argnums" in concretization_fix("if", "vmap")
    False
    >>> "static_argnums" in concretization_fix("if", "jit")
    True
    """
    static = _STATIC.get(why)
    if kind == "index":
        text = ("A traced integer cannot pick a Python branch, list item or loop count: use "
                "ftrans.lax.switch(index, branches, *operands), ftrans.lax.fori_loop(lower, "
                "upper, body_fun, init) or ftrans.lax.scan. To index an array with it, use "
                "ftrans.numpy.take(table, i) or ftrans.numpy.asarray(table)[i].")
    else:
        text = ("Python control flow cannot depend on traced values here: for `if` use "
                "ftrans.numpy.where(cond, x, y) or ftrans.lax.cond(pred, true_fun, false_fun, "
                "*operands); for `while` use ftrans.lax.while_loop(cond_fun, body_fun, init).")
    if why == "vmap":
        text += (" Under vmap a traced value stands for every example of the batch at once, "
                 "so no single Python branch is right for all of them: ftrans.numpy.where "
                 "selects per example, and lax.cond/lax.switch under vmap compute every "
                 "branch and select. A Python value that picks one branch for the whole batch "
                 "can be closed over: vmap(lambda x: f(x, flag)).")
    elif static:
        text += (f" Or, if the value is a setting rather than data, mark the argument static "
                 f"with {static}: each value then gets its own program.")
    if differentiating:
        text += (" Note: grad, jvp, vjp and the Jacobians alone trace with concrete values, "
                 "so an `if` on a value works under them (the derivative is that of the "
                 f"branch taken); this value is abstract because of {why or 'an abstract trace'}"
                 ", which sees only shapes and dtypes.")
    return text


def describe(value: Any, depth: int = 0) -> str:
    """What ``value`` is, as the user's code sees it: arrays (traced or not) by shape and
    dtype, containers by kind, length and items, never an internal type such as Tracer.

    >>> describe((np.ones(3), 1, None))
    'a tuple of 3: (an array of shape (3,) and dtype float64, an int, None)'
    >>> describe({"loss": 2.0})
    "a dict with keys ['loss']: (a float)"
    """
    aval = getattr(value, "aval", None)
    if aval is not None and hasattr(aval, "shape"):  # a traced array
        value = aval
    if value is None:
        return "None"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return (f"an array of shape {tuple(value.shape)} and dtype {np.dtype(value.dtype)}"
                if value.shape else f"a scalar array of dtype {np.dtype(value.dtype)}")
    if isinstance(value, (tuple, list, dict)):
        kind = type(value).__name__
        items = list(value.values() if isinstance(value, dict) else value)
        head = (f"a {kind} with keys {list(value)[:8]}" if isinstance(value, dict)
                else f"a {kind} of {len(items)}")
        if not items or depth > 1:
            return head if items else f"an empty {kind}"
        shown = ", ".join(describe(v, depth + 1) for v in items[:4])
        return f"{head}: ({shown}{', ...' if len(items) > 4 else ''})"
    name = type(value).__name__
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


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
