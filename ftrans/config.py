"""Global switches. ``debug_nans``: stop at the first NaN or inf a primitive produces.

With ``ftrans.config.debug_nans = True`` (or ``FTRANS_DEBUG_NANS=1`` in the environment
before ftrans is imported), every primitive computed on actual values is checked, and the
first NaN or inf raises ``FloatingPointError`` naming the primitive, your source line and
whether it arose in the forward pass (your function, and the jvp/linearize rules evaluated
with it) or in the backward pass (the transposed program that ``grad``/``vjp`` run). When the
switch is off the only cost is one ``is not None`` test per eager primitive. The switch is
process-wide; ``with ftrans.config.debugging_nans():`` turns it on (or off) in the current
thread only.

Values NumPy computes directly (``ftrans.numpy`` functions called on plain arrays, outside
any transformation) are not checked: use ``numpy.seterr(all="raise")`` for those. The
backward pass is named as such under ``grad``, ``value_and_grad``, ``vjp`` and
``linear_transpose``; ``jacrev``/``hessian`` evaluate a transposed program batched, and a NaN
there is reported with its primitive and line but as "forward".

>>> import ftrans, ftrans.numpy as fnp
>>> ftrans.config.debug_nans = True
>>> ftrans.grad(lambda x: fnp.log(x))(-1.0)
Traceback (most recent call last):
  ...
FloatingPointError: debug_nans: primitive 'log' produced nan in the forward pass at ...
>>> ftrans.config.debug_nans = False
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
import types
from typing import Any, Callable, Iterator, TypeVar

import numpy as np

from . import core

_F = TypeVar("_F", bound=Callable[..., Any])


class _ThreadState(threading.local):
    """Per thread: ``debugging_nans``' setting (``None``: the global one) and how deep in
    backward passes the thread is."""

    def __init__(self) -> None:
        self.override: bool | None = None
        self.backward_depth = 0


_thread = _ThreadState()
_global = False  # ftrans.config.debug_nans, for threads outside debugging_nans()
_switched_on = 0  # threads inside debugging_nans(True)
_lock = threading.Lock()


def _reset_lock_in_child() -> None:  # a fork while another thread held it must not deadlock
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_lock_in_child)


def nans_checked() -> bool:
    """Whether ``debug_nans`` is on in the current thread.

    >>> nans_checked()
    False
    """
    o = _thread.override
    return _global if o is None else o


def _install() -> None:
    """``core.nan_check`` is set while any thread may check (bind's one test per primitive)."""
    core.nan_check = _check_here if _global or _switched_on else None


def _check_here(prim: core.Primitive, out: Any) -> None:
    if nans_checked():
        check_nans(prim, out)


def _pass_name() -> str:
    return "backward" if _thread.backward_depth > 0 else "forward"


def in_backward_pass(fn: _F) -> _F:
    """Decorator marking ``fn`` (a transpose evaluation) as the backward pass for
    ``debug_nans`` messages.

    >>> @in_backward_pass
    ... def f(): return _pass_name()
    >>> f(), _pass_name()
    ('backward', 'forward')
    """
    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        state = _thread
        state.backward_depth += 1
        try:
            return fn(*args, **kwargs)
        finally:
            state.backward_depth -= 1
    return wrapped  # type: ignore[return-value]


def _bad_count(x: Any) -> tuple[int, int, int] | None:
    """(NaN count, inf count, size) when ``x`` holds a NaN or an inf; else ``None``."""
    if x is None or isinstance(x, (core.Tracer, core.Zero)):
        return None
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        if not isinstance(x, (float, complex)):
            return None
        x = np.asarray(x)
        dtype = x.dtype
    if dtype.kind not in "fc":
        return None
    xp = core.array_module([x])
    finite = xp.isfinite(x)
    if bool(finite.all()):
        return None
    nans = int(xp.isnan(x).sum())
    size = int(getattr(x, "size", 1))
    return nans, size - int(finite.sum()) - nans, size


def check_rule(prim: core.Primitive, outs: Any, rule: str) -> None:
    """Like ``check_nans`` for the values a rule (``"jvp"``, ``"transpose"``) of ``prim``
    computed directly with NumPy; ``None``, ``Zero`` and tracers are skipped.

    >>> from ftrans.prims.elementwise import mul_p
    >>> check_rule(mul_p, [np.inf, None], "transpose")
    Traceback (most recent call last):
      ...
    FloatingPointError: debug_nans: the transpose rule of primitive 'mul' produced inf ...
    """
    for o in outs:
        bad = _bad_count(o)
        if bad is not None:
            _raise(f"the {rule} rule of primitive '{prim.name}'", bad)


def _raise(who: str, bad: tuple[int, int, int]) -> None:
    nans, infs, size = bad
    count = f"; {nans + infs} of its {size} entries are not finite" if size > 1 else ""
    raise FloatingPointError(
        f"debug_nans: {who} produced {'nan' if nans else 'inf'} in the {_pass_name()} pass "
        f"at {core.user_frame()}{count}. See docs/safe_math.md for the usual causes "
        "(log/sqrt/division at 0, where with a NaN branch) and their fixes.")


def check_nans(prim: core.Primitive, out: Any) -> None:
    """Raise ``FloatingPointError`` if ``prim``'s output ``out`` holds a NaN or an inf.

    >>> from ftrans.prims.elementwise import log_p
    >>> check_nans(log_p, np.array([-np.inf, 0.0]))
    Traceback (most recent call last):
      ...
    FloatingPointError: debug_nans: primitive 'log' produced inf in the forward pass at ...
    """
    outs = out if prim.multiple_results else (out,)
    for i, o in enumerate(outs):
        bad = _bad_count(o)
        if bad is not None:
            where = f" (output {i})" if prim.multiple_results else ""
            _raise(f"primitive '{prim.name}'{where}", bad)


class _ConfigModule(types.ModuleType):
    """Makes ``ftrans.config.debug_nans = True`` switch the check on (for every thread not
    inside ``debugging_nans``); reading it gives the current thread's setting."""

    @property
    def debug_nans(self) -> bool:
        return nans_checked()

    @debug_nans.setter
    def debug_nans(self, value: bool) -> None:
        global _global
        with _lock:
            _global = bool(value)
            _install()


def update(name: str, value: Any) -> None:
    """Set an option by name, as ``jax.config.update`` does.

    Parameters
    ----------
    name : str
        The option; the only one is ``"debug_nans"``.
    value : bool
        Its new value (process-wide, for every thread outside ``debugging_nans``).

    Returns
    -------
    None

    Raises
    ------
    AttributeError
        If ``name`` is not an option.

    Examples
    --------
    >>> update("debug_nans", False)
    """
    if name != "debug_nans":
        raise AttributeError(f"ftrans.config.update: unknown option {name!r}; options: "
                             "'debug_nans'")
    setattr(sys.modules[__name__], name, value)


@contextlib.contextmanager
def debugging_nans(value: bool = True) -> Iterator[None]:
    """``debug_nans`` switched to ``value`` inside a ``with`` block, in the current thread
    only (other threads keep theirs); the previous setting comes back at the end.

    Parameters
    ----------
    value : bool, optional
        Check for NaN and inf (True, the default) or not (False) inside the block.

    Returns
    -------
    context manager
        For a ``with`` statement.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp
    >>> with debugging_nans():
    ...     ftrans.grad(fnp.sqrt)(4.0)
    0.25
    """
    global _switched_on
    state = _thread
    old = state.override
    on = bool(value)
    with _lock:
        state.override = on
        _switched_on += on
        _install()
    try:
        yield
    finally:
        with _lock:
            state.override = old
            _switched_on -= on
            _install()


sys.modules[__name__].__class__ = _ConfigModule
if os.environ.get("FTRANS_DEBUG_NANS", "").strip().lower() not in ("", "0", "false", "no"):
    _global = True
    _install()

__all__ = ["update", "debugging_nans"]
