"""``ftrans.numpy`` with every function that takes arrays run under ``ftrans.jit``.

The array API test suite (data-apis/array-api-tests) calls its namespace on plain NumPy
arrays, where ``ftrans.numpy`` mostly hands over to NumPy. Run it on this module instead
(``ARRAY_API_TESTS_MODULE=array_api_traced`` with ``ci/`` on ``PYTHONPATH``; see
``ci/array_api.sh --traced``) and each call traces the function abstractly, with the arrays
as traced inputs, so the suite checks what ftrans records: dtypes, shapes and values of
the traced implementations. Python scalars and other arguments stay static. With
``ARRAY_API_TRACED=vmap`` each call is ``vmap``-ed instead, over a batch of the arrays and
their reversals, which checks the batch rules (the suite checks the first member).

Functions whose output shape depends on the values (``nonzero``, ``unique_*``) and the ones
that do not return arrays (``finfo``, ``isdtype``, ...) run as they are; ``repeat`` takes
its ``repeats`` as a constant. ``ftrans.jit`` gives 0-d results as NumPy scalars; they are
handed to the suite as 0-d arrays, which the standard asks for.
"""

from __future__ import annotations

import functools
import os
import types
from typing import Any, Callable

import numpy as np

import ftrans
import ftrans.numpy as fnp

_AS_IS = {"asarray",  # the identity on arrays: asarray(x, copy=False) must give x itself
          "nonzero", "unique_all", "unique_counts", "unique_inverse", "unique_values",
          "finfo", "iinfo", "isdtype", "can_cast", "result_type", "from_dlpack",
          "__array_namespace_info__", "shape", "ndim", "size"}


_MODE = os.environ.get("ARRAY_API_TRACED", "jit")  # or "vmap": the batch rules
_STATIC = {"repeat": (1, "repeats")}  # arguments that set the output's shape


def _is_array(x: Any) -> bool:
    return isinstance(x, np.ndarray)


def _other(a: np.ndarray) -> np.ndarray:
    """A second batch member that differs from ``a`` (so mixing batch members shows)."""
    if a.dtype == np.bool_:
        return ~a
    with np.errstate(all="ignore"):
        return a[::-1].copy() if a.ndim else a


def _as_arrays(out: Any) -> Any:
    if isinstance(out, np.generic):
        return np.asarray(out)
    if isinstance(out, tuple):
        parts = [_as_arrays(o) for o in out]
        return type(out)(*parts) if hasattr(out, "_fields") else tuple(parts)
    if isinstance(out, list):
        return [_as_arrays(o) for o in out]
    return out


def traced(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` called under ``ftrans.jit`` with its array arguments (also those in a list or
    tuple argument, as ``stack`` takes them) traced and the rest static."""
    static = _STATIC.get(fn.__name__, ())

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        slots: list[tuple] = []  # where each array sits: (kind, index[, inner index])
        arrays: list[Any] = []
        for i, a in enumerate(args):
            if i in static:
                continue
            if _is_array(a):
                slots.append(("arg", i))
                arrays.append(a)
            elif isinstance(a, (list, tuple)):
                for j, e in enumerate(a):
                    if _is_array(e):
                        slots.append(("seq", i, j))
                        arrays.append(e)
        for k, v in kwargs.items():
            if _is_array(v) and k not in static:
                slots.append(("kw", k))
                arrays.append(v)
        if not arrays:
            return fn(*args, **kwargs)

        def body(*traced_arrays: Any) -> Any:
            new_args = [list(a) if isinstance(a, (list, tuple)) else a for a in args]
            new_kwargs = dict(kwargs)
            for slot, t in zip(slots, traced_arrays):
                if slot[0] == "arg":
                    new_args[slot[1]] = t
                elif slot[0] == "seq":
                    new_args[slot[1]][slot[2]] = t
                else:
                    new_kwargs[slot[1]] = t
            new_args = [type(a)(n) if isinstance(a, tuple) and not hasattr(a, "_fields")
                        else n for a, n in zip(args, new_args)]
            return fn(*new_args, **new_kwargs)

        if _MODE == "vmap":  # a batch of two: each array and its reversal
            out = ftrans.vmap(body)(*[np.stack([a, _other(a)]) for a in arrays])
            return _as_arrays(ftrans.tree_util.tree_map(lambda o: o[0], out))
        return _as_arrays(ftrans.jit(body)(*arrays))
    return call


def _wrap_module(name: str, source: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    for attr in dir(source):
        value = getattr(source, attr)
        if (callable(value) and not isinstance(value, type) and attr not in _AS_IS
                and not attr.startswith("_")):
            value = traced(value)
        setattr(module, attr, value)
    return module


xp = _wrap_module("array_api_traced", fnp)
xp.linalg = _wrap_module("array_api_traced.linalg", fnp.linalg)
xp.fft = _wrap_module("array_api_traced.fft", fnp.fft)
xp.__array_api_version__ = fnp.__array_api_version__
xp.__array_namespace_info__ = fnp.__array_namespace_info__

globals().update({k: v for k, v in vars(xp).items() if not k.startswith("__")})
linalg, fft = xp.linalg, xp.fft
__array_api_version__ = fnp.__array_api_version__
__array_namespace_info__ = fnp.__array_namespace_info__
