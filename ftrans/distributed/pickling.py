"""Programs as bytes: pickling, unpickling and content digests.

A jaxpr pickles with the standard ``pickle``: variables, literals, avals, equations and
params are plain objects, and primitives pickle by name (``Primitive.__reduce__``), so
the worker needs ftrans, not the user's function. What a program may also hold — the Python
functions of a custom rule (``custom_vjp``'s ``bwd``), closures — pickles by value with
``cloudpickle`` when it is installed (Dask installs it), else by reference as ``pickle``
does (module-level functions only). GPU constants travel as NumPy arrays and are put on the
device of the worker that runs them (``worker.host_values``).

>>> import ftrans, numpy as np
>>> cj = ftrans.make_jaxpr(lambda x: x * 2.0)(np.ones(2))
>>> print(loads(dumps(cj, "example")))
{ lambda ; a:f64[2]. let b:f64[2] = mul a 2.0:f64[] in (b,) }
"""

from __future__ import annotations

import pickle
from typing import Any

PROTOCOL = 5


def _pickler() -> Any:
    try:
        import cloudpickle
        return cloudpickle
    except ImportError:
        return pickle


def dumps(obj: Any, what: str, buffer_callback: Any = None) -> bytes:
    """``obj`` pickled (by cloudpickle when installed); ``what`` names it in the error when
    something it holds cannot be pickled. ``buffer_callback``: as ``pickle.dumps``'s (the
    buffers of arrays out of band)."""
    try:
        return _pickler().dumps(obj, protocol=PROTOCOL, buffer_callback=buffer_callback)
    except Exception as e:  # noqa: BLE001 - pickling raises many types
        hint = "" if _pickler() is not pickle else (
            " Functions defined inside other functions (closures, lambdas, custom rules) "
            "pickle with cloudpickle: pip install cloudpickle (or 'ftrans[distributed]').")
        raise TypeError(f"{what} cannot be sent to the workers: pickling it failed with "
                        f"{type(e).__name__}: {e}.{hint}") from e


def checked_size(obj: Any, what: str) -> int:
    """The bytes ``obj`` pickles to, found by pickling it with its arrays' buffers out of
    band (counted, not copied): the check that it can be sent, with ``dumps``'s error, for
    a Dask client that then serializes it itself (arrays without copies).

    >>> import numpy as np
    >>> checked_size(np.zeros(1000), "an array") > 8000
    True
    """
    sizes: list[int] = []

    def count(buf: pickle.PickleBuffer) -> bool:
        with buf.raw() as m:
            sizes.append(m.nbytes)
        return False  # out of band: not copied into the pickle

    return len(dumps(obj, what, count)) + sum(sizes)


def loads(data: bytes) -> Any:
    """The object pickled in ``data`` (plain ``pickle`` reads cloudpickle's bytes too)."""
    return pickle.loads(data)


def jaxpr_bytes(jaxpr: Any, what: str) -> tuple[bytes, str]:
    """The jaxpr pickled (with the standard pickle: the compile cache's key must not change
    with cloudpickle's handling of functions) and its digest. Custom rules' functions need
    cloudpickle: then the jaxpr is pickled by it, under a key of its own.

    >>> import ftrans
    >>> data, key = jaxpr_bytes(ftrans.make_jaxpr(lambda x: x * 2.0)(1.0).jaxpr, "a program")
    >>> key == digest(data)
    True
    """
    try:
        data = pickle.dumps(jaxpr, protocol=PROTOCOL)
    except Exception:  # noqa: BLE001 - functions defined in functions: cloudpickle's job
        data = dumps(jaxpr, what)
    return data, digest(data)


def digest(data: bytes) -> str:
    """A short content digest of ``data``: equal bytes, equal digest.

    >>> digest(b"abc") == digest(b"abc") != digest(b"abd")
    True
    """
    import hashlib
    return hashlib.sha256(data).hexdigest()[:32]


__all__ = ["dumps", "loads", "digest", "jaxpr_bytes", "checked_size"]
