"""``lax.associative_scan``: an inclusive scan with an associative binary ``fn``, computed in
``O(log n)`` rounds of whole-array calls to ``fn`` (Blelloch's parallel prefix), written with
the slicing primitives only (strided ``slice``, ``concatenate``, ``reshape``), so ``grad``,
``jvp``, ``vjp``, ``vmap`` and ``jit`` see ordinary primitives and need no rule of their own.

One round, on ``x_0 .. x_{n-1}`` along ``axis``: combine neighbours pairwise
(``fn(x_0, x_1), fn(x_2, x_3), ...``), scan those ``n // 2`` values recursively (they are the
results at the odd positions), then each even position ``2k > 0`` is ``fn`` of the result at
``2k - 1`` and ``x_{2k}``; interleave the two halves.

>>> import numpy as np, ftrans.lax as lax
>>> lax.associative_scan(lax.add, np.arange(1.0, 6.0))
array([ 1.,  3.,  6., 10., 15.])
"""

from __future__ import annotations

import itertools
import operator
from typing import Any, Callable, Sequence

from ..core import aval_of
from ..prims.shape import expand_dims, reshape
from ..prims.slicing import concatenate, rev, slice_
from ..tree_util import PyTreeDef, tree_flatten, tree_unflatten
from ._common import flat_args, fname

WHERE = "lax.associative_scan"


def _along(x: Any, axis: int, start: int, stop: int, step: int = 1) -> Any:
    """``x[start:stop:step]`` along ``axis`` (every other axis whole)."""
    shape = aval_of(x).shape
    starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
    starts[axis], limits[axis], strides[axis] = start, stop, step
    return slice_(x, starts, limits, strides)


def _interleave(even: Any, odd: Any, axis: int) -> Any:
    """``even[0], odd[0], even[1], odd[1], ...`` along ``axis``; ``even`` has as many elements
    as ``odd`` or one more."""
    shape = aval_of(even).shape
    n_even, n_odd = shape[axis], aval_of(odd).shape[axis]
    if n_odd < n_even:  # pad with any element of the right shape; it is sliced off below
        odd = concatenate([odd, _along(even, axis, 0, 1)], axis)
    pairs = concatenate([expand_dims(even, (axis + 1,)), expand_dims(odd, (axis + 1,))],
                        axis + 1)
    merged = reshape(pairs, (*shape[:axis], 2 * n_even, *shape[axis + 1:]))
    return _along(merged, axis, 0, n_even + n_odd)


class _Combine:
    """``fn`` on flat lists of leaves, its results checked against its operands."""

    def __init__(self, fn: Callable, tree: PyTreeDef):
        self.fn, self.tree = fn, tree

    def __call__(self, a: Sequence[Any], b: Sequence[Any]) -> list[Any]:
        out = self.fn(tree_unflatten(self.tree, a), tree_unflatten(self.tree, b))
        leaves, tree = tree_flatten(out)
        where = f"{WHERE}: fn {fname(self.fn)}"
        if tree != self.tree:
            raise TypeError(f"{where} must return the structure of elems {self.tree}, got "
                            f"{tree}")
        leaves = flat_args(leaves, f"{where} returned")[0]
        for o, x in zip(leaves, a):
            oa, xa = aval_of(o), aval_of(x)
            if oa.shape != xa.shape or oa.dtype != xa.dtype:
                raise TypeError(f"{where} must return arrays of the shapes and dtypes of its "
                                f"operands, got {oa.strip_weak().str_short()} for operands "
                                f"{xa.strip_weak().str_short()}")
        return leaves


def _scan(combine: _Combine, elems: list[Any], axis: int) -> list[Any]:
    n = aval_of(elems[0]).shape[axis]
    if n < 2:
        return elems
    pairs = combine([_along(x, axis, 0, n - 1, 2) for x in elems],
                    [_along(x, axis, 1, n, 2) for x in elems])
    odd = _scan(combine, pairs, axis)  # results at positions 1, 3, 5, ...
    if n == 2:
        even = []
    elif n % 2 == 0:  # positions 2, 4, ..., n - 2 follow the odd results but the last
        even = combine([_along(x, axis, 0, n // 2 - 1) for x in odd],
                       [_along(x, axis, 2, n, 2) for x in elems])
    else:
        even = combine(odd, [_along(x, axis, 2, n, 2) for x in elems])
    nothing: list[Any] = []  # n == 2: no even position but the first
    even = [concatenate([_along(x, axis, 0, 1), *e], axis)
            for x, e in itertools.zip_longest(elems, [[e] for e in even], fillvalue=nothing)]
    return [_interleave(e, o, axis) for e, o in zip(even, odd)]


def associative_scan(fn: Callable, elems: Any, reverse: bool = False, axis: int = 0) -> Any:
    """JAX's ``lax.associative_scan``: the inclusive scan of ``elems`` with the associative
    binary ``fn``: element ``k`` of the result is ``fn(...fn(fn(x_0, x_1), x_2)..., x_k)``.

    ``fn`` is called on whole slices (arrays that keep the ``axis`` dimension), so it must act
    elementwise along it (use ``vmap`` for an ``fn`` written for single elements); ``fn`` need
    not be commutative. It takes ``O(log n)`` rounds of calls to ``fn``, made of slicing
    primitives, so ``grad``, ``vmap`` and ``jit`` go through it.

    Parameters
    ----------
    fn : callable
        ``fn(a, b)``, associative, returning the structure, shapes and dtypes of its inputs.
    elems : pytree
        Arrays of one size along ``axis``.
    reverse : bool, default False
        Scan from the end: ``elems`` are reversed along ``axis``, scanned, and the result
        reversed back (as JAX does).
    axis : int, default 0

    Returns
    -------
    pytree
        Of ``elems``'s structure and shapes.

    Raises
    ------
    TypeError
        If ``fn`` is not callable or returns another structure, shape or dtype, or ``axis`` is
        not an int.
    ValueError
        If ``axis`` is out of range, or the arrays differ in size along it.

    Examples
    --------
    >>> import numpy as np, ftrans.lax as lax, ftrans.numpy as fnp
    >>> lax.associative_scan(fnp.maximum, np.array([1.0, 3.0, 2.0, 5.0, 4.0]))
    array([1., 3., 3., 5., 5.])
    >>> lax.associative_scan(lax.add, np.arange(4.0), reverse=True)
    array([6., 6., 5., 3.])

    A linear recurrence ``h_k = a_k h_{k-1} + b_k`` as a scan of pairs:

    >>> def step(p, q):
    ...     return q[0] * p[0], q[0] * p[1] + q[1]
    >>> a, b = np.full(4, 0.5), np.ones(4)
    >>> lax.associative_scan(step, (a, b))[1]
    array([1.   , 1.5  , 1.75 , 1.875])
    """
    if not callable(fn):
        raise TypeError(f"{WHERE}: fn must be a callable binary operation fn(a, b), got "
                        f"{type(fn).__name__} {fn!r:.60}")
    if not isinstance(axis, int) or isinstance(axis, bool):
        try:
            axis = operator.index(axis)
        except TypeError:
            raise TypeError(f"{WHERE}: axis must be an int, got {type(axis).__name__} "
                            f"{axis!r:.60}") from None
    leaves, tree, avals = flat_args(elems, f"{WHERE}: elems")
    if not leaves:
        return elems
    ndim = len(avals[0].shape)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{WHERE}: axis {axis} is out of range for elems of shape "
                         f"{avals[0].shape} (ndim {ndim}); elems must have an axis to scan")
    axis %= ndim
    for av in avals:
        if len(av.shape) <= axis or av.shape[axis] != avals[0].shape[axis]:
            raise ValueError(f"{WHERE}: every array in elems must have one size along axis "
                             f"{axis}, got shapes {[a.shape for a in avals]}")
    if reverse:
        leaves = [rev(x, (axis,)) for x in leaves]
    out = _scan(_Combine(fn, tree), leaves, axis)
    if reverse:
        out = [rev(x, (axis,)) for x in out]
    return tree_unflatten(tree, out)
