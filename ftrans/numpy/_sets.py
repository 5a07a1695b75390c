"""The array API's set functions: ``unique_all``, ``unique_counts``, ``unique_inverse`` and
``unique_values`` (NumPy 2's). Every NaN is its own unique value, as the standard says.

Which values are unique depends on the data, so traced arrays need concrete values
(``grad``, not ``jit``/``vmap``). The unique values are differentiable: each is the first
occurrence of its value in ``x`` (a gather); indices, inverse indices and counts are
integers.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..core import same_device
from ..device import to_host
from ._indexing import _concrete, take
from ._promote import is_tracer, shape_of


class UniqueAllResult(NamedTuple):
    values: Any
    indices: Any
    inverse_indices: Any
    counts: Any


class UniqueCountsResult(NamedTuple):
    values: Any
    counts: Any


class UniqueInverseResult(NamedTuple):
    values: Any
    inverse_indices: Any


def _unique(x: Any, what: str) -> UniqueAllResult:
    """All four results of ``unique_all`` for a traced ``x`` with a concrete value."""
    from ._shape import ravel
    val = _concrete(x, what)
    values, index, inverse, counts = np.unique(
        to_host(val).ravel(), return_index=True, return_inverse=True, return_counts=True,
        equal_nan=False)
    del values  # the values come from x itself, so that derivatives reach them
    index, inverse, counts = (same_device(np.asarray(a, np.intp), val)
                              for a in (index, inverse.reshape(shape_of(x)), counts))
    return UniqueAllResult(take(ravel(x), index), index, inverse, counts)


def unique_all(x: Any, /) -> UniqueAllResult:
    """The unique values of ``x`` (sorted, flattened), the index of each one's first
    occurrence, the inverse indices (shaped like ``x``) and the counts.

    Parameters
    ----------
    x : array_like
        The input (concrete values).

    Returns
    -------
    out : namedtuple
        ``values``, ``indices``, ``inverse_indices``, ``counts``.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> r = fnp.unique_all(np.array([2.0, 1.0, 2.0]))
    >>> r.values, r.indices, r.inverse_indices, r.counts
    (array([1., 2.]), array([1, 0]), array([1, 0, 1]), array([1, 2]))
    """
    if not is_tracer(x):
        return UniqueAllResult(*np.unique_all(x))
    return _unique(x, "unique_all")


def unique_counts(x: Any, /) -> UniqueCountsResult:
    """The unique values of ``x`` and how often each occurs.

    Parameters
    ----------
    x : array_like
        The input (concrete values).

    Returns
    -------
    out : namedtuple
        ``values`` and ``counts``.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.unique_counts(np.array([2.0, 1.0, 2.0])).counts
    array([1, 2])
    """
    if not is_tracer(x):
        return UniqueCountsResult(*np.unique_counts(x))
    r = _unique(x, "unique_counts")
    return UniqueCountsResult(r.values, r.counts)


def unique_inverse(x: Any, /) -> UniqueInverseResult:
    """The unique values of ``x`` and, for each element of ``x``, the index of its value
    among them (``values[inverse_indices]`` rebuilds ``x``).

    Parameters
    ----------
    x : array_like
        The input (concrete values).

    Returns
    -------
    out : namedtuple
        ``values`` and ``inverse_indices``.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> fnp.unique_inverse(np.array([2.0, 1.0, 2.0])).inverse_indices
    array([1, 0, 1])
    >>> ftrans.grad(lambda x: fnp.sum(fnp.unique_inverse(x).values ** 2))(np.array([3.0, 3.0]))
    array([6., 0.])
    """
    if not is_tracer(x):
        return UniqueInverseResult(*np.unique_inverse(x))
    r = _unique(x, "unique_inverse")
    return UniqueInverseResult(r.values, r.inverse_indices)


def unique_values(x: Any, /) -> Any:
    """The sorted unique values of ``x``.

    Parameters
    ----------
    x : array_like
        The input (concrete values).

    Returns
    -------
    out : ndarray
        The sorted unique values.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.unique_values(np.array([2.0, 1.0, 2.0]))
    array([1., 2.])
    """
    if not is_tracer(x):
        return np.unique_values(x)
    return _unique(x, "unique_values").values
