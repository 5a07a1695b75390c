"""The NumPy face of traced arrays: operators, ``x.T``/``x.real``/``x.imag``, ndarray methods
(``x.sum()``...), indexing and NumPy's dispatch protocols, attached to ``core.Tracer`` by
``attach`` when ``ftrans.numpy`` is imported (as JAX attaches its array methods), so the core
knows no NumPy face.

>>> import ftrans
>>> print(ftrans.make_jaxpr(lambda x: -x + 2.0)(1.0))
{ lambda ; a:f64[]. let
    b:f64[] = neg a
    c:f64[] = add b 2.0:f64[]
  in (c,) }
"""

from __future__ import annotations

import types
from typing import Any, Callable

from ..core import Tracer
from ._keywords import unguarded

# operator -> (ftrans.numpy function, reflected): x.__radd__(o) is add(o, x)
_BINARY = {"add": "add", "sub": "subtract", "mul": "multiply", "truediv": "divide",
           "pow": "power", "matmul": "matmul", "and": "bitwise_and", "or": "bitwise_or",
           "xor": "bitwise_xor", "lshift": "left_shift", "rshift": "right_shift",
           "floordiv": "floor_divide", "mod": "remainder", "divmod": "divmod"}
_COMPARE = {"eq": "equal", "ne": "not_equal", "lt": "less", "le": "less_equal",
            "gt": "greater", "ge": "greater_equal"}
_UNARY = {"neg": "negative", "abs": "abs", "invert": "invert"}


def _as_method(fn: Callable) -> Callable:
    """``fn`` itself when it binds as a method (a Python function: no extra frame on the
    hot path), else a method calling it."""
    if isinstance(fn, types.FunctionType):
        return fn

    def method(self: Any, *args: Any) -> Any:
        return fn(self, *args)
    return method


def _reflected(fn: Callable) -> Callable:
    def method(self: Any, other: Any) -> Any:
        return fn(other, self)
    return method


def attach(ns: Any) -> None:
    """Give ``Tracer`` the operators, methods and protocols of the namespace ``ns``
    (``ftrans.numpy``), and hand ``ns`` to the protocol handlers that dispatch to it."""
    from . import _hints, _protocols
    _protocols.set_namespace(ns)
    _hints.set_namespace(ns)
    for op, name in _BINARY.items():
        fn = unguarded(getattr(ns, name))
        setattr(Tracer, f"__{op}__", _as_method(fn))
        setattr(Tracer, f"__r{op}__", _reflected(fn))
    for op, name in _COMPARE.items():
        setattr(Tracer, f"__{op}__", _as_method(unguarded(getattr(ns, name))))
    for op, name in _UNARY.items():
        setattr(Tracer, f"__{op}__", _as_method(unguarded(getattr(ns, name))))
    _round, _transpose, _real, _imag = ns.round, ns.transpose, ns.real, ns.imag
    setattr(Tracer, "__pos__", lambda self: self)
    setattr(Tracer, "__round__", lambda self, ndigits=None: _round(self, ndigits or 0))
    setattr(Tracer, "T", property(lambda self: _transpose(self)))
    setattr(Tracer, "real", property(lambda self: _real(self)))
    setattr(Tracer, "imag", property(lambda self: _imag(self)))
    methods, missing = _protocols.TRACER_METHODS, _hints.TracerAttributeError

    def __getattr__(self: Any, name: str) -> Any:
        method = methods.get(name)
        if method is None:
            raise missing(name)
        return method.__get__(self)

    setattr(Tracer, "__getattr__", __getattr__)
    setattr(Tracer, "__getitem__", _as_method(ns._getitem))
    setattr(Tracer, "__setitem__", _as_method(ns._setitem))  # x = x.at[i].set(v), if NumPy agrees
    array_ufunc, array_function = _protocols._array_ufunc, _protocols._array_function
    setattr(Tracer, "__array_ufunc__", lambda self, ufunc, method, *inputs, **kwargs:
            array_ufunc(ufunc, method, inputs, kwargs))
    setattr(Tracer, "__array_function__", lambda self, func, types, args, kwargs:
            array_function(func, args, kwargs))
    setattr(Tracer, "__array_namespace__", lambda self, api_version=None: ns)
    setattr(Tracer, "_conversion_message", staticmethod(_hints.conversion_message))
