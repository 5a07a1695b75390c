"""NumPy keywords that an ``ftrans.numpy`` function does not take: an
``UnsupportedKeywordError`` naming the function, the keyword and ftrans, and what to do
instead, in place of Python's bare ``TypeError: std() got an unexpected keyword argument``.

``guard`` wraps the functions of a namespace once, when it is imported; the wrapper costs a
call frame and looks at signatures only when a call has already failed with a ``TypeError``.

>>> import ftrans.numpy as fnp, numpy as np
>>> fnp.sum(np.ones(3), out=np.empty(()))
Traceback (most recent call last):
  ...
ftrans.errors.UnsupportedKeywordError: ftrans.numpy.sum does not support NumPy's keyword ...
"""

from __future__ import annotations

import functools
import inspect
from types import ModuleType
from typing import Any, Callable

import numpy as np

from ..errors import UnsupportedKeywordError

# NumPy's keywords of every ufunc (their signatures are not introspectable before NumPy 2)
_UFUNC_KEYWORDS = ("out", "where", "casting", "order", "dtype", "subok", "signature")

_NO_MEANING = ("it has no meaning for ftrans's arrays, which are values with no memory "
               "layout, subclass or casting rule of their own: leave it out")
_ADVICE = {
    "out": ("ftrans's arrays are values and are never written in place: use the result "
            "(y = f(x)), and x = x.at[idx].set(y) to put it into part of another array"),
    "where": ("compute everywhere and choose with ftrans.numpy.where(mask, result, default); "
              "for a reduction, reduce ftrans.numpy.where(mask, x, identity)"),
    "dtype": "convert the inputs or the result instead: f(x.astype(dtype))",
    "casting": _NO_MEANING, "order": _NO_MEANING, "subok": _NO_MEANING,
    "like": _NO_MEANING, "signature": _NO_MEANING,
}


def _parameters(fn: Any) -> list[inspect.Parameter] | None:
    try:
        return list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None


def numpy_keywords(np_fn: Any) -> list[str]:
    """The names NumPy's ``np_fn`` takes by keyword.

    >>> numpy_keywords(np.cumsum)
    ['a', 'axis', 'dtype', 'out']
    """
    params = _parameters(np_fn)
    if params is None:
        return list(_UFUNC_KEYWORDS) if isinstance(np_fn, np.ufunc) else []
    return [p.name for p in params
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def lacking_keywords(fn: Callable, np_fn: Any) -> list[str]:
    """NumPy's keywords of ``np_fn`` that ``fn`` does not take (none when it takes
    ``**kwargs``).

    >>> import ftrans.numpy as fnp
    >>> lacking_keywords(fnp.cumsum, np.cumsum)
    ['out']
    """
    params = _parameters(fn)
    if params is None or any(p.kind == p.VAR_KEYWORD for p in params):
        return []
    ours = {p.name for p in params if p.kind != p.POSITIONAL_ONLY}
    return [k for k in numpy_keywords(np_fn) if k not in ours]


def unsupported_keyword(name: str, keyword: str, fn: Callable | None = None,
                        np_fn: Any = None) -> UnsupportedKeywordError:
    """The error for NumPy's keyword ``keyword`` given to ``ftrans.<name>``, which lacks it.

    >>> print(str(unsupported_keyword("numpy.std", "out")).splitlines()[0])
    ... # doctest: +ELLIPSIS
    ftrans.numpy.std does not support NumPy's keyword out= (numpy.std(..., out=...)): ...
    """
    advice = _ADVICE.get(keyword, "ftrans does not implement it (yet)")
    if fn is not None and np_fn is not None:  # only its name differs: NumPy's x1 is our x
        theirs, ours = _parameters(np_fn) or [], _parameters(fn) or []
        at = [i for i, p in enumerate(theirs) if p.name == keyword  # a required argument
              and p.kind == p.POSITIONAL_OR_KEYWORD and p.default is p.empty]
        if at and at[0] < len(ours) and ours[at[0]].kind in (
                inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            advice = (f"it is argument {at[0]} of both; ftrans names it "
                      f"{ours[at[0]].name!r}: pass it by position")
    return UnsupportedKeywordError(
        f"ftrans.{name} does not support NumPy's keyword {keyword}= "
        f"({name}(..., {keyword}=...)): {advice}")


def traced_only(name: str, keyword: str) -> UnsupportedKeywordError:
    """The error for NumPy's keyword ``keyword`` given to ``ftrans.numpy.<name>`` with traced
    arrays, where ftrans takes it only on NumPy arrays (which go to NumPy itself).

    >>> print(str(traced_only("fft.fft", "out")).splitlines()[0])
    ... # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    numpy.fft.fft(..., out=...) on traced arrays: ftrans.numpy.fft.fft does not support
    NumPy's keyword out= there (with NumPy arrays, NumPy computes it): ...
    """
    name = name if name.startswith(("numpy.", "scipy.")) else f"numpy.{name}"
    advice = _ADVICE.get(keyword, "ftrans does not implement it (yet)")
    return UnsupportedKeywordError(
        f"{name}(..., {keyword}=...) on traced arrays: ftrans.{name} does not support "
        f"NumPy's keyword {keyword}= there (with NumPy arrays, NumPy computes it): {advice}")


def _guarded(fn: Callable, np_fn: Any, name: str, qualname: str, module: str) -> Callable:
    @functools.wraps(fn)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TypeError:
            if kwargs:  # a keyword NumPy has and ftrans lacks is the reason, if one was given
                lacking = lacking_keywords(fn, np_fn)
                for k in kwargs:
                    if k in lacking:
                        raise unsupported_keyword(name, k, fn, np_fn) from None
            raise
    guarded.__module__, guarded.__qualname__ = module, qualname  # pickled by this name
    setattr(guarded, "_guarded", fn)  # see unguarded
    return guarded


def unguarded(fn: Callable) -> Callable:
    """The function behind ``fn``'s keyword guard (``guard``), or ``fn`` itself if it has
    none: what an operator calls (it takes no keywords, so the guard has nothing to explain
    there, and a frame less is a cost less per traced operation).

    >>> import ftrans.numpy as fnp
    >>> unguarded(fnp.add) is not fnp.add, unguarded(len) is len
    (True, True)
    """
    return getattr(fn, "_guarded", fn)


def guard(namespace: ModuleType, numpy_namespace: Any, prefix: str) -> dict[str, Callable]:
    """Wrap every function of ``namespace`` that NumPy's ``numpy_namespace`` has too (as
    ``_guarded``); returns those of them defined in ``namespace`` itself, one name each (for
    their doctests: ``__test__``). Each alias (``acos``, ``arccos``) gets a wrapper of its own
    name, which its messages use.
    """
    originals: dict[int, tuple[str, Callable]] = {}
    for name in sorted(vars(namespace)):
        fn = vars(namespace)[name]
        np_fn = getattr(numpy_namespace, name, None)
        if (name.startswith("_") or not inspect.isfunction(inspect.unwrap(fn))
                or np_fn is None or not callable(np_fn) or isinstance(np_fn, type)):
            continue
        if getattr(inspect.unwrap(fn), "__module__", None) == namespace.__name__:
            originals.setdefault(id(fn), (name, fn))
        fold = getattr(fn, "_fold_guard", None)
        if fold is None:
            wrapped = _guarded(fn, np_fn, f"{prefix}.{name}", name, namespace.__name__)
        else:  # the guard folded into the function (numpy._elementwise): no frame of its own
            inner = fn.__wrapped__
            wrapped = fold(_guarded(inner, np_fn, f"{prefix}.{name}", name, namespace.__name__))
            wrapped.__module__, wrapped.__qualname__ = namespace.__name__, name
            setattr(wrapped, "_guarded", fn)
        setattr(namespace, name, wrapped)
    return dict(originals.values())
