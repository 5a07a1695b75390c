"""What to say when a name is missing: ``ftrans.numpy.X`` that does not exist, ``np.X(tracer)``
that ftrans cannot dispatch, ``x.X`` on a traced array, and a traced value that NumPy
converts to an array (``np.full(shape, tracer)``, ``table[tracer]``).

The hints are facts, not guesses: the same function under another spelling (NumPy 1 names,
NumPy's dtype aliases, JAX's and SciPy's homes of a function), a way to get a missing NumPy
function on traced arrays, or plainly "not supported yet". Fuzzy matches are offered only
for names NumPy does not have either (typos), and only close ones.

>>> print(missing_attribute("product"))
module 'ftrans.numpy' has no attribute 'product': it is NumPy 1's name of ftrans.numpy.prod
"""

from __future__ import annotations

import dis
import os
import sys
from typing import Any

import numpy as np

from ..errors import DocumentedError, see_docs

# NumPy 1's names that NumPy 2 removed, and other spellings ports bring along
_RENAMED = {
    "product": "prod", "cumproduct": "cumprod", "alltrue": "all", "sometrue": "any",
    "round_": "round", "trapz": "trapezoid", "Inf": "inf", "Infinity": "inf", "infty": "inf",
    "PINF": "inf", "NaN": "nan", "NAN": "nan", "float_": "float64", "complex_": "complex128",
    "cfloat": "complex128", "singlecomplex": "complex64", "asanyarray": "asarray",
    "ascontiguousarray": "asarray", "asfortranarray": "asarray",
}

# NumPy 1's names that NumPy 2 removed, as expressions of ours
_OLD_CALLS = {
    "msort": ("msort(a)", "ftrans.numpy.sort(a, axis=0)"),
    "asfarray": ("asfarray(a)", "ftrans.numpy.asarray(a, dtype=float)"),
    "asscalar": ("asscalar(a)", "a.item()"),
    "NINF": ("NINF", "-ftrans.numpy.inf"),
}

# where ftrans has what ported code looks for in ``numpy`` (JAX's and SciPy's homes)
_ELSEWHERE = {
    "random": "ftrans.random", "logsumexp": "ftrans.scipy.special.logsumexp",
    "erf": "ftrans.scipy.special.erf", "erfc": "ftrans.scipy.special.erfc",
    "erfinv": "ftrans.scipy.special.erfinv", "gammaln": "ftrans.scipy.special.gammaln",
    "digamma": "ftrans.scipy.special.digamma", "expit": "ftrans.scipy.special.expit",
    "sigmoid": "ftrans.scipy.special.expit", "logit": "ftrans.scipy.special.logit",
    "softmax": "ftrans.scipy.special.softmax", "log_softmax": "ftrans.scipy.special.log_softmax",
    "xlogy": "ftrans.scipy.special.xlogy", "i0": "ftrans.scipy.special.i0",
    "stop_gradient": "ftrans.stop_gradient",
}

# NumPy functions not supported yet, and what to use on traced arrays instead
_WORKAROUNDS = {
    "nancumsum": "ftrans.numpy.cumsum(ftrans.numpy.where(ftrans.numpy.isnan(a), 0, a))",
    "nancumprod": "ftrans.numpy.cumprod(ftrans.numpy.where(ftrans.numpy.isnan(a), 1, a))",
    "vectorize": "ftrans.vmap(f)",
    "apply_along_axis": "ftrans.vmap(f, in_axes=axis)",
    "piecewise": "ftrans.numpy.select(condlist, [f(x) for f in funclist])",
    "put": "x.at[indices].set(values)",
    "put_along_axis": "x.at[...].set(values) with ftrans.numpy.take_along_axis's indices",
    "place": "ftrans.numpy.where(mask, values, x)",
    "putmask": "ftrans.numpy.where(mask, values, x)",
    "copyto": "dst = ftrans.numpy.where(where, src, dst) (traced arrays are immutable)",
    "ediff1d": "ftrans.numpy.diff(ftrans.numpy.ravel(a))",
    "delete": "ftrans.numpy.take(a, kept_indices, axis)",
    "insert": "ftrans.numpy.concatenate of slices and the values",
    "logspace": "base ** ftrans.numpy.linspace(start, stop, num)",
    "polyval": "Horner's rule: y = 0; for c in p: y = y * x + c",
    "vecdot": "ftrans.numpy.sum(ftrans.numpy.conj(a) * b, axis=-1)",
    "matrix_transpose": "ftrans.numpy.swapaxes(x, -1, -2)",
    "rollaxis": "ftrans.numpy.moveaxis(a, axis, start) (start - 1 when start > axis)",
    "cumulative_sum": "ftrans.numpy.cumsum(x, axis=axis)",
    "cumulative_prod": "ftrans.numpy.cumprod(x, axis=axis)",
    "signbit": "ftrans.numpy.copysign(1.0, x) < 0",
    "linalg.tensorinv": "ftrans.numpy.linalg.inv of the matrix it reshapes to",
    "linalg.tensorsolve": "ftrans.numpy.linalg.solve of the reshaped system",
}

_NOTES = {
    "ndarray": "traced values are ftrans.core.Tracer objects, concrete ones numpy.ndarray; "
               "test for an array with hasattr(x, 'shape')",
}


def _resolve(dotted: str) -> Any:
    """The object a dotted ``ftrans....`` name stands for, or None."""
    import importlib
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        for p in parts[k:]:
            obj = getattr(obj, p, None)
            if obj is None:
                return None
        return obj
    return None


_NS: Any = None  # ftrans.numpy, handed over by its __init__ (set_namespace)


def set_namespace(ns: Any) -> None:
    """Hand over the ``ftrans.numpy`` namespace (its ``__init__`` does, once complete)."""
    global _NS
    _NS = ns


def _namespace(module: str) -> Any:
    return _NS.linalg if module == "numpy.linalg" else _NS


def _ftrans_name(module: str) -> str:
    return "ftrans." + module


def _numpy_object(module: str, name: str) -> Any:
    ns = np.linalg if module == "numpy.linalg" else np
    return getattr(ns, name, None)


def _same_object_elsewhere(obj: Any, module: str) -> str | None:
    """A public name of the ftrans namespace bound to the very object ``obj`` (NumPy's dtype
    aliases: ``np.double is np.float64``)."""
    if obj is None or not isinstance(obj, type):
        return None
    ns = _namespace(module)
    for n in sorted(vars(ns)):
        if not n.startswith("_") and vars(ns)[n] is obj:
            return n
    return None


def _advice(name: str, module: str) -> tuple[str, str]:
    """``(kind, text)``: what ftrans has instead of ``<module>.<name>``. Kinds: 'alias',
    'elsewhere', 'old', 'dtype', 'note', 'lacking' (text: a workaround or ''), 'object',
    'typo', '' (nothing to say)."""
    here = _ftrans_name(module)
    key = name if module == "numpy" else module.split(".", 1)[1] + "." + name
    ns = _namespace(module)
    if module == "numpy":
        renamed = _RENAMED.get(name)
        if renamed is not None and hasattr(ns, renamed):
            old = "NumPy 1's name of" if not hasattr(np, name) else \
                "on traced arrays the same as"
            return "alias", f"it is {old} {here}.{renamed}"
        if name in _OLD_CALLS:
            call, ours = _OLD_CALLS[name]
            return "old", f"NumPy 1's {call} is {ours}"
        target = _ELSEWHERE.get(name)
        if target is not None and _resolve(target) is not None:
            return "elsewhere", f"ftrans has it as {target}"
    obj = _numpy_object(module, name)
    same = _same_object_elsewhere(obj, module)
    if same is not None:
        return "dtype", f"NumPy's {name} is {same}, which {here} has as {here}.{same}"
    if name in _NOTES:
        return "note", _NOTES[name]
    if key in _WORKAROUNDS or (obj is not None and callable(obj)
                               and not isinstance(obj, type)):
        return "lacking", _WORKAROUNDS.get(key, "")
    if obj is not None:
        kind = "module" if type(obj).__name__ == "module" else "object"
        return "object", (f"numpy.{key} is a NumPy {kind} that {here} does not provide; "
                          f"use numpy.{key} itself where no traced value is involved")
    import difflib
    names = [n for n in dir(ns) if not n.startswith("_")]
    near = difflib.get_close_matches(name, names, n=2, cutoff=0.8)
    if near:
        return "typo", "did you mean " + " or ".join(f"{here}.{n}" for n in near) + "?"
    return "", ""


def hint(name: str, module: str = "numpy") -> str:
    """Why ``ftrans.<module>.<name>`` does not exist and what to use instead ("" if there is
    nothing useful to say).

    >>> hint("double")
    "NumPy's double is float64, which ftrans.numpy has as ftrans.numpy.float64"
    >>> hint("sine")
    'did you mean ftrans.numpy.sin?'
    >>> hint("bincount")
    "NumPy's bincount is not supported by ftrans.numpy yet"
    """
    kind, text = _advice(name, module)
    if kind != "lacking":
        return text
    lacking = f"NumPy's {name} is not supported by {_ftrans_name(module)} yet"
    return f"{lacking}; on traced arrays use {text}" if text else lacking


def missing_attribute(name: str, module: str = "numpy") -> str:
    """The message of the AttributeError for ``ftrans.<module>.<name>``.

    >>> print(missing_attribute("nancumsum"))  # doctest: +NORMALIZE_WHITESPACE
    module 'ftrans.numpy' has no attribute 'nancumsum': NumPy's nancumsum is not supported by
    ftrans.numpy yet; on traced arrays use
    ftrans.numpy.cumsum(ftrans.numpy.where(ftrans.numpy.isnan(a), 0, a))
    """
    text = f"module '{_ftrans_name(module)}' has no attribute '{name}'"
    if name.startswith("__"):
        return text
    h = hint(name, module)
    return f"{text}: {h}" if h else text


class MissingAttributeError(DocumentedError, AttributeError):
    """AttributeError whose message (``missing_attribute``) is worked out only when shown:
    ``getattr(fnp, name, None)`` on a missing name stays cheap.

    >>> str(MissingAttributeError("trapz")).splitlines()[0]
    "module 'ftrans.numpy' has no attribute 'trapz': it is NumPy 1's name of ftrans.numpy.trapezoid"
    """

    def __init__(self, name: str, module: str = "numpy"):
        super().__init__(name)
        self.missing, self.module = name, module

    def __str__(self) -> str:
        text = missing_attribute(self.missing, self.module)
        if text == f"module '{_ftrans_name(self.module)}' has no attribute '{self.missing}'":
            return text  # nothing to say beyond Python's own words: no link either
        return see_docs(text, self.anchor)


class TracerAttributeError(DocumentedError, AttributeError):
    """AttributeError for ``x.name`` on a traced array, its message (``tracer_attribute``)
    worked out only when shown.

    >>> str(TracerAttributeError("itemsize")).splitlines()[0]
    "traced array has no attribute 'itemsize' (NumPy arrays have it; traced arrays do not yet)"
    """

    def __init__(self, name: str):
        super().__init__(name)
        self.missing = name

    def __str__(self) -> str:
        return see_docs(tracer_attribute(self.missing), self.anchor)


def unsupported(kind: str, name: str) -> str:
    """The message for NumPy's ``name`` (``linalg.X``, ``add.outer``) called on traced arrays
    when ftrans has nothing it could dispatch to.

    >>> unsupported("the function", "bincount")
    'ftrans does not support the function numpy.bincount on traced arrays yet.'
    """
    module, short = ("numpy.linalg", name.split(".", 1)[1]) if name.startswith("linalg.") \
        else ("numpy", name)
    what, text = _advice(short, module) if "." not in short else ("", "")
    if what == "lacking" or what == "":
        tail = f"; on traced arrays use {text}." if text else "."
        return f"ftrans does not support {kind} numpy.{name} on traced arrays yet{tail}"
    return f"ftrans does not support {kind} numpy.{name} on traced arrays: {text}."


def tracer_attribute(name: str) -> str:
    """The message of the AttributeError for ``x.name`` on a traced array ``x``.

    >>> tracer_attribute("nbytes")
    "traced array has no attribute 'nbytes' (NumPy arrays have it; traced arrays do not yet)"
    """
    text = f"traced array has no attribute {name!r}"
    if name.startswith("__"):
        return text
    if name == "block_until_ready":
        return f"{text}: call ftrans.block_until_ready(x) (on results, outside the function)"
    if hasattr(np.ndarray, name):
        fn = getattr(_NS, name, None)
        if callable(fn):
            return f"{text}: use ftrans.numpy.{name}(x, ...)"
        return f"{text} (NumPy arrays have it; traced arrays do not yet)"
    h = hint(name)
    return f"{text}: {h}" if h.startswith("did you mean") else text


# ----------------------------------------------------------------------------- conversions

_NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__))
_FTRANS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _numpy_caller(frame: Any) -> tuple[str | None, Any]:
    """The public NumPy function whose Python code asked for the conversion (or None), and
    the first frame outside NumPy and ftrans."""
    name = None
    while frame is not None:
        path = os.path.abspath(frame.f_code.co_filename)
        if path.startswith(_NUMPY_DIR):
            if not frame.f_code.co_name.startswith("_"):
                name = frame.f_code.co_name
        elif not path.startswith(_FTRANS_DIR):
            return name, frame
        frame = frame.f_back
    return name, None


def _at_subscript(frame: Any) -> bool:
    """Whether ``frame`` is executing ``a[i]`` (or ``a[i] = v``)."""
    try:
        for ins in dis.get_instructions(frame.f_code):
            if ins.offset == frame.f_lasti:
                return "SUBSCR" in ins.opname or "SLICE" in ins.opname or (
                    ins.opname == "BINARY_OP" and "[" in ins.argrepr)
    except Exception:  # pragma: no cover - bytecode we cannot read: no specific hint
        return False
    return False


def conversion_message(tracer: Any, where: str) -> str:
    """The message of ``TracerArrayConversionError`` for ``tracer``, with the route that
    works when the conversion came from ``np.full(shape, tracer)``-like NumPy functions or
    from indexing a NumPy array with a traced index."""
    caller, user = _numpy_caller(sys._getframe(2))
    if user is not None:
        where = f"{user.f_code.co_filename}:{user.f_lineno} (in {user.f_code.co_name})"
    head = (f"a traced array {tracer.aval.str_short()} was converted to a NumPy array at "
            f"{where}; that would silently drop it from the computation being transformed.")
    if caller is not None:
        alt = f" call ftrans.numpy.{caller} instead" if callable(getattr(_NS, caller, None)) \
            else " use ftrans.numpy functions instead"
        return (f"{head} numpy.{caller} converts this argument with np.asarray (NumPy "
                f"dispatches to ftrans only on some arguments of some functions):{alt}.")
    if user is not None and _at_subscript(user):
        return (f"{head} Indexing a NumPy array with a traced index (table[i]) cannot be "
                "traced: NumPy converts the index itself. Use ftrans.numpy.asarray(table)[i] "
                "(inside jit/vmap a traced constant that traced indices can index) or "
                "ftrans.numpy.take(table, i, axis=...); to write, "
                "ftrans.numpy.asarray(table).at[i].set(v).")
    text = (f"{head} Use ftrans.numpy functions (or NumPy functions, which dispatch to "
            "ftrans) instead of np.asarray/np.array.")
    if np.dtype(tracer.aval.dtype).kind in "iub":
        text += (" To index a NumPy array with it, use ftrans.numpy.take(table, i) or "
                 "ftrans.numpy.asarray(table)[i].")
    return text
