"""Types for annotating code that uses ftrans, with JAX's names (``jax.typing``).

- ``ArrayLike``: what ftrans's functions take as an array: a NumPy array or scalar, a Python
  ``bool``/``int``/``float``/``complex``, or a traced value (inside a transformation).
- ``Array``: what they return: a NumPy (or CuPy) array outside a transformation, a tracer
  inside one. ``isinstance(x, Array)`` tells whether ``x`` is one of those; for a type
  checker it is ``Any``, because ``ftrans.numpy``'s results are not typed per dtype and
  shape (annotate with it, like ``jax.Array``, to say what a value is).
- ``DTypeLike``: anything ``numpy.dtype`` accepts (NumPy's ``numpy.typing.DTypeLike``).
- ``PyTree``: a nested structure of tuples, lists, dicts, ``None`` and registered nodes with
  arrays at the leaves (``ftrans.tree_util``); ``Any`` to a type checker, as in JAX.

>>> import numpy as np, ftrans, ftrans.numpy as fnp
>>> from ftrans.typing import Array, ArrayLike
>>> def f(x: ArrayLike) -> Array:
...     return fnp.sum(fnp.sin(x) ** 2)
>>> g = ftrans.grad(f)(np.zeros(2))
>>> isinstance(g, Array), isinstance(np.ones(2), ArrayLike), isinstance("a", ArrayLike)
(True, True, False)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union

import numpy as np
from numpy.typing import DTypeLike

from .core import Tracer as _Tracer
from .xp import is_gpu_array as _is_gpu_array

__all__ = ["Array", "ArrayLike", "DTypeLike", "PyTree"]

PyTree = Any
"""A pytree: tuples, lists, dicts, ``None`` and registered nodes, arrays at the leaves."""

ArrayLike = Union[np.ndarray, np.bool_, np.number, bool, int, float, complex,
                  _Tracer]
"""What ftrans's functions accept as an array (``jax.typing.ArrayLike``)."""


def _is_array(x: Any) -> bool:
    return isinstance(x, (np.ndarray, _Tracer)) or _is_gpu_array(x)


if TYPE_CHECKING:
    Array = Any
else:
    class _ArrayMeta(type):
        def __instancecheck__(cls, x: Any) -> bool:
            return _is_array(x)

    class Array(metaclass=_ArrayMeta):
        """An ftrans array: a NumPy or CuPy array, or a tracer inside a transformation.

        Not instantiable: use it in annotations and ``isinstance`` checks.

        >>> import numpy as np, ftrans
        >>> from ftrans.typing import Array
        >>> isinstance(np.ones(2), Array), isinstance(1.0, Array)
        (True, False)
        >>> def f(x):
        ...     assert isinstance(x, Array)  # a tracer, inside grad
        ...     return x * x
        >>> ftrans.grad(f)(3.0)
        6.0
        """

        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            raise TypeError("ftrans.typing.Array is for annotations and isinstance checks; "
                            "make arrays with ftrans.numpy.asarray or numpy.asarray")
