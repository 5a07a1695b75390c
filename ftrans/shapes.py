"""Shapes without values: ``ShapeDtypeStruct`` and ``eval_shape`` (JAX's names).

``eval_shape(f, *args)`` traces ``f`` abstractly (as ``make_jaxpr`` does) and returns the
shape and dtype of each output leaf; nothing is computed. Arguments may be arrays, Python
numbers or anything with ``shape`` and ``dtype`` (a ``ShapeDtypeStruct``, say).

>>> import ftrans, ftrans.numpy as fnp, numpy as np
>>> ftrans.eval_shape(lambda a, b: fnp.dot(a, b), ShapeDtypeStruct((2, 3), np.float32),
...                   np.ones(3, np.float32))
ShapeDtypeStruct(shape=(2,), dtype=float32)
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .core import Tracer, aval_of, trace_to_jaxpr
from .ir import ShapedArray
from .tree_util import tree_flatten, tree_unflatten


class ShapeDtypeStruct:
    """An array's shape and dtype, with no data (JAX's ``jax.ShapeDtypeStruct``): what
    ``eval_shape`` returns and accepts in place of an array. Its ``shape`` (a tuple),
    ``dtype`` (a ``numpy.dtype``), ``ndim`` and ``size`` read as an array's.

    Parameters
    ----------
    shape : sequence of int
        The dimensions, non-negative.
    dtype : data-type
        Anything ``numpy.dtype`` accepts (``"float32"``, ``np.int64`` ...).
    weak_type : bool, optional
        Whether the dtype is weak, as a Python number's (default False).

    Raises
    ------
    TypeError
        If ``shape`` is not a sequence of integers, or ``dtype`` is None or not a dtype.
    ValueError
        If a dimension is negative.

    Examples
    --------
    >>> s = ShapeDtypeStruct((2, 3), "float64")
    >>> s, s.ndim, s.size
    (ShapeDtypeStruct(shape=(2, 3), dtype=float64), 2, 6)
    """

    __slots__ = ("shape", "dtype", "weak_type")

    def __init__(self, shape: Any, dtype: Any, weak_type: bool = False):
        try:
            self.shape = tuple(int(d) for d in shape)
        except TypeError:
            raise TypeError(f"ShapeDtypeStruct: shape must be a sequence of integers, got "
                            f"{shape!r}") from None
        if any(d < 0 for d in self.shape):
            raise ValueError(f"ShapeDtypeStruct: shape {self.shape} has a negative dimension")
        if dtype is None:
            raise TypeError("ShapeDtypeStruct: dtype must be given (a NumPy dtype), got None")
        try:
            self.dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"ShapeDtypeStruct: dtype must be a NumPy dtype, got "
                            f"{dtype!r:.60}") from None
        self.weak_type = bool(weak_type)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __repr__(self) -> str:
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name}{weak})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, ShapeDtypeStruct) and self.shape == other.shape
                and self.dtype == other.dtype and self.weak_type == other.weak_type)

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype, self.weak_type))


def _aval(x: Any, i: int) -> ShapedArray:
    if isinstance(x, (ShapeDtypeStruct, Tracer)):
        return ShapedArray(x.shape, x.dtype)
    if isinstance(x, (bool, int, float, complex)):
        return aval_of(np.asarray(x))
    shape, dtype = getattr(x, "shape", None), getattr(x, "dtype", None)
    if shape is None or dtype is None:
        raise TypeError(f"eval_shape: argument leaf {i} must be an array, a Python number or "
                        f"have shape and dtype (a ShapeDtypeStruct), got {type(x).__name__} "
                        f"{x!r:.60}")
    return ShapedArray(tuple(shape), np.dtype(dtype))


def eval_shape(fun: Callable, *args: Any, **kwargs: Any) -> Any:
    """The shapes and dtypes of ``fun(*args, **kwargs)``'s outputs, as a pytree of
    ``ShapeDtypeStruct``, found by tracing ``fun`` without computing anything.

    Parameters
    ----------
    fun : callable
        The function; it is traced once, with abstract arrays.
    *args, **kwargs
        Its arguments, pytrees whose leaves are arrays, Python numbers or anything with
        ``shape`` and ``dtype`` (a ``ShapeDtypeStruct``).

    Returns
    -------
    out : pytree of ShapeDtypeStruct
        The structure of ``fun``'s output, with each array leaf's shape and dtype.

    Raises
    ------
    TypeError
        If ``fun`` is not callable or a leaf has no shape and dtype; and what ``fun`` raises
        on abstract arrays (a ``ConcretizationError`` where it needs a value).

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp
    >>> ftrans.eval_shape(lambda x: {"s": fnp.sum(x), "t": x.T},
    ...                   ShapeDtypeStruct((1000, 2), "float32"))
    {'s': ShapeDtypeStruct(shape=(), dtype=float32), 't': ShapeDtypeStruct(shape=(2, 1000), dtype=float32)}
    """  # noqa: E501
    if not callable(fun):
        raise TypeError(f"eval_shape: fun must be callable, got {type(fun).__name__} "
                        f"{fun!r:.60}")
    leaves, in_tree = tree_flatten((args, kwargs))
    avals = [_aval(x, i) for i, x in enumerate(leaves)]
    box: list = []

    def flat_fun(*xs: Any) -> list[Any]:
        a, kw = tree_unflatten(in_tree, xs)
        out_leaves, out_tree = tree_flatten(fun(*a, **kw))
        box.append(out_tree)
        return out_leaves

    jaxpr, _ = trace_to_jaxpr(flat_fun, avals, why="eval_shape")
    outs = [ShapeDtypeStruct(a.aval.shape, a.aval.dtype, a.aval.weak_type)
            for a in jaxpr.outvars]
    return tree_unflatten(box[0], outs)
