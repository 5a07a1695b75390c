"""NumPy's dispatch protocols on tracers: ``np.sin(tracer)`` and ``np.sum(tracer)`` call the
ftrans function of the same name; ndarray methods (``x.sum()``, ``x.reshape(...)``) too."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ._keywords import traced_only

_NS: Any = None  # ftrans.numpy, handed over by its __init__ (set_namespace)


def set_namespace(ns: Any) -> None:
    """Hand over the ``ftrans.numpy`` namespace (its ``__init__`` does, once complete)."""
    global _NS
    _NS = ns


def _namespace() -> Any:
    return _NS


_OTHER_UFUNCS: dict[str, Callable] = {}  # ufuncs of other libraries: register_ufuncs


def register_ufuncs(functions: dict[str, Callable]) -> None:
    """Let NumPy ufuncs of these names that are not NumPy's (``scipy.special.erf``) dispatch
    to these functions on traced arrays (``ftrans.scipy.special`` registers its own)."""
    _OTHER_UFUNCS.update(functions)


def _unsupported(kind: str, name: str) -> NotImplementedError:
    from ._hints import unsupported
    return NotImplementedError(unsupported(kind, name))


_UFUNC_METHODS = {("add", "reduce"): "sum", ("multiply", "reduce"): "prod",
                  ("maximum", "reduce"): "max", ("minimum", "reduce"): "min",
                  ("logical_and", "reduce"): "all", ("logical_or", "reduce"): "any",
                  ("add", "accumulate"): "cumsum", ("multiply", "accumulate"): "cumprod"}


def _ufunc_name(ufunc: Any) -> str:
    """``numpy.sin`` for NumPy's ufuncs, ``scipy.special.erf`` for SciPy's."""
    own = getattr(np, ufunc.__name__, None) is ufunc
    return f"numpy.{ufunc.__name__}" if own else f"scipy.special.{ufunc.__name__}"


def _array_ufunc(ufunc: Any, method: str, inputs: tuple, kwargs: dict) -> Any:
    if method != "__call__":
        name = _UFUNC_METHODS.get((ufunc.__name__, method))
        if name is None or kwargs.get("out") is not None:
            raise _unsupported("the ufunc method", f"{ufunc.__name__}.{method}")
        if method == "accumulate":
            kwargs = {"axis": 0, **kwargs}
        return getattr(_namespace(), name)(*inputs, **kwargs)
    if kwargs.get("out") is not None:
        raise traced_only(_ufunc_name(ufunc), "out")
    fn = getattr(_namespace(), ufunc.__name__, None)
    if fn is None:  # scipy.special's functions are ufuncs too
        fn = _OTHER_UFUNCS.get(ufunc.__name__)
    if fn is None:
        raise _unsupported("the ufunc", ufunc.__name__)
    extra = {k: v for k, v in kwargs.items() if k not in ("out", "casting", "order", "subok")}
    dtype = extra.pop("dtype", None)
    if extra:
        raise traced_only(_ufunc_name(ufunc), sorted(extra)[0])
    out = fn(*inputs)
    return out if dtype is None else _namespace().astype(out, dtype)


def _array_function(func: Any, args: tuple, kwargs: dict) -> Any:
    namespace = _namespace()
    sub = {"numpy.linalg": "linalg", "numpy.fft": "fft"}.get(getattr(func, "__module__", ""))
    if sub is not None:
        namespace = getattr(namespace, sub)
    fn = getattr(namespace, func.__name__, None)
    if fn is None or not callable(fn):
        raise _unsupported("the function", f"{sub}.{func.__name__}" if sub else func.__name__)
    return fn(*args, **kwargs)


def _method(name: str) -> Callable:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(_namespace(), name)(self, *args, **kwargs)
    method.__name__ = name
    return method


def _reshape_method(self: Any, *shape: Any, **kwargs: Any) -> Any:
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = tuple(shape[0])
    return _namespace().reshape(self, shape, **kwargs)


def _transpose_method(self: Any, *axes: Any) -> Any:
    if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
        axes = tuple(axes[0]) if axes[0] is not None else ()
    return _namespace().transpose(self, axes or None)


TRACER_METHODS: dict[str, Callable] = {
    name: _method(name) for name in
    ("sum", "mean", "max", "min", "astype", "dot", "squeeze", "ravel", "clip", "prod", "var",
     "std", "argmax", "argmin", "cumsum", "cumprod", "flatten", "swapaxes", "take", "all",
     "any", "round", "repeat", "trace", "diagonal", "sort", "argsort", "nonzero", "ptp",
     "copy", "searchsorted")}
TRACER_METHODS["reshape"] = _reshape_method
TRACER_METHODS["transpose"] = _transpose_method


def _tolist_method(self: Any) -> Any:
    from ._indexing import _concrete
    return _concrete(self, ".tolist()").tolist()


def _at_property() -> Any:
    from ._indexing import AtProperty
    return AtProperty()


TRACER_METHODS.update({"conj": _method("conjugate"), "conjugate": _method("conjugate"),
                       "tolist": _tolist_method, "at": _at_property()})


def _array_api_attributes() -> dict[str, Any]:
    """The array API's ``.device``, ``.to_device()`` and ``.mT`` on traced arrays."""
    from ._inspection import device_of, to_device
    return {"device": property(device_of), "to_device": to_device,
            "mT": property(lambda self: _namespace().matrix_transpose(self))}


TRACER_METHODS.update(_array_api_attributes())
