"""``pure_callback``: NumPy or SciPy code that tracing cannot see (``scipy.integrate.odeint``,
``np.lib.stride_tricks.as_strided``...), called on host arrays as one primitive (JAX's
``jax.pure_callback``).

The callback must be pure: it may run any number of times (or not at all when its result is
unused). It runs at execution time on NumPy arrays: under ``jit`` the compiled program calls
it; on the CuPy backend its arguments are copied to the host and its results back to the
device. It has no derivative of its own: differentiate through it by wrapping the function
that calls it in ``ftrans.custom_jvp`` or ``ftrans.custom_vjp`` (whose rules may call more
callbacks). Under ``vmap``, ``vmap_method`` says how it is batched:

- ``"sequential"`` (or ``"sequential_unrolled"``): once per batch element, results stacked;
- ``"expand_dims"``: once, unbatched arguments given a leading axis of size 1;
- ``"broadcast_all"``: once, unbatched arguments broadcast to the batch size;
- ``"legacy_vectorized"``: once, unbatched arguments as they are;
- ``None`` (the default): ``vmap`` raises ``NotImplementedError``, as in JAX.

In the last three the callback gets the batch at axis 0 and must return it there.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import Primitive, aval_of, register
from ..ir import ShapedArray
from ..tree_util import PyTreeDef, tree_flatten, tree_unflatten
from .shape import broadcast_in_dim, moveaxis

VMAP_METHODS = ("sequential", "sequential_unrolled", "expand_dims", "broadcast_all",
                "legacy_vectorized", None)


def _name(fn: Any) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


class FlatCallback:
    """The user's callback on flat argument leaves, returning flat result leaves. Equal when
    the function and the argument structure are, so equations calling the same function
    compare equal (common subexpressions, jit's caches)."""

    __slots__ = ("fn", "in_tree", "out_tree")

    def __init__(self, fn: Callable, in_tree: PyTreeDef, out_tree: PyTreeDef):
        self.fn, self.in_tree, self.out_tree = fn, in_tree, out_tree

    def __call__(self, *flat: Any) -> list[Any]:
        args, kwargs = tree_unflatten(self.in_tree, flat)
        out_flat, tree = tree_flatten(self.fn(*args, **kwargs))
        if tree != self.out_tree:
            raise TypeError(f"pure_callback: {_name(self.fn)} returned a result of structure "
                            f"{tree}, but result_shape_dtypes has structure {self.out_tree}")
        return out_flat

    def __eq__(self, other: object) -> bool:
        return (type(other) is FlatCallback and self.fn is other.fn
                and self.in_tree == other.in_tree and self.out_tree == other.out_tree)

    def __hash__(self) -> int:
        return hash((id(self.fn), self.in_tree, self.out_tree))

    def __repr__(self) -> str:
        return _name(self.fn)


class _Sequential:
    """A callback run once per batch element (``vmap_method='sequential'``): argument ``i``
    is sliced along axis 0 where ``batched[i]``; the results (of ``avals``) are stacked."""

    __slots__ = ("callback", "batched", "size", "avals")

    def __init__(self, callback: Callable, batched: tuple[bool, ...], size: int,
                 avals: tuple[ShapedArray, ...]):
        self.callback, self.batched, self.size, self.avals = callback, batched, size, avals

    def __call__(self, *args: Any) -> list[Any]:
        rows = [_results(self.callback, self.avals,
                         [a[k] if b else a for a, b in zip(args, self.batched)])
                for k in range(self.size)]
        return [np.stack([r[j] for r in rows]) if rows else np.zeros((0, *av.shape), av.dtype)
                for j, av in enumerate(self.avals)]

    def __eq__(self, other: object) -> bool:
        return (type(other) is _Sequential and self.callback == other.callback
                and self.batched == other.batched and self.size == other.size
                and self.avals == other.avals)

    def __hash__(self) -> int:
        return hash((self.callback, self.batched, self.size, self.avals))

    def __repr__(self) -> str:
        return f"sequential({self.callback!r})"


pure_callback_p = register(Primitive("pure_callback", multiple_results=True))
pure_callback_p.family = "callback"


def _check_result(x: Any, aval: ShapedArray, i: int, callback: Any) -> np.ndarray:
    """Result ``i`` of the callback as a NumPy array of ``aval``'s shape and dtype."""
    weak = type(x) in (bool, int, float, complex)  # a Python number takes the dtype
    x = np.asarray(x, aval.dtype if weak else None)
    if x.shape != aval.shape or x.dtype != aval.dtype:
        raise TypeError(f"pure_callback: {callback!r} returned {aval_of(x).str_short()} for "
                        f"result {i}, but result_shape_dtypes says {aval.str_short()}")
    return x


def _results(callback: Callable, avals: Sequence[ShapedArray], args: Sequence[Any]
             ) -> list[np.ndarray]:
    """``callback(*args)``, its results checked against ``avals``."""
    outs = callback(*args)
    if len(outs) != len(avals):
        raise TypeError(f"pure_callback: {callback!r} returned {len(outs)} result(s), but "
                        f"result_shape_dtypes has {len(avals)}")
    return [_check_result(o, av, i, callback) for i, (o, av) in enumerate(zip(outs, avals))]


def _impl(xp: Any, *args: Any, callback: Callable, result_avals: tuple[ShapedArray, ...],
          vmap_method: str | None) -> list[Any]:
    on_device = xp is not np  # CuPy: the callback gets host copies, its results go back
    host = [xp.asnumpy(a) if on_device else np.asarray(a) for a in args]
    outs = _results(callback, result_avals, host)
    return [xp.asarray(o) for o in outs] if on_device else outs


def _abstract_eval(*avals: ShapedArray, callback: Callable,
                   result_avals: tuple[ShapedArray, ...], vmap_method: str | None
                   ) -> list[ShapedArray]:
    return list(result_avals)


def _jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
         callback: Callable, **_: Any) -> list[Any]:
    raise ValueError(
        f"pure_callback {callback!r} is not differentiable: ftrans cannot see inside it. Wrap "
        "the function that calls it in ftrans.custom_jvp or ftrans.custom_vjp and give the "
        "derivative as a rule (which may call callbacks too). A custom_vjp function is "
        "differentiated in forward mode (jvp, jacfwd, hessian) through its primal function: "
        "use custom_jvp there.")


def _batch(args: Sequence[Any], dims: Sequence[int | None], *, callback: Callable,
           result_avals: tuple[ShapedArray, ...], vmap_method: str | None
           ) -> tuple[list[Any], list[int]]:
    if vmap_method is None:
        raise NotImplementedError(
            f"vmap of pure_callback {callback!r} needs vmap_method: pass "
            "vmap_method='sequential' (one call per batch element), 'expand_dims', "
            "'broadcast_all' or 'legacy_vectorized' (one call on the whole batch) to "
            "ftrans.pure_callback")
    size = next(aval_of(a).shape[d] for a, d in zip(args, dims) if d is not None)
    args = [moveaxis(a, d, 0) if d not in (None, 0) else a for a, d in zip(args, dims)]
    b_avals = tuple(ShapedArray((size, *av.shape), av.dtype) for av in result_avals)
    if vmap_method in ("sequential", "sequential_unrolled"):
        callback = _Sequential(callback, tuple(d is not None for d in dims), size,
                               result_avals)
    elif vmap_method in ("expand_dims", "broadcast_all"):
        lead = 1 if vmap_method == "expand_dims" else size
        args = [a if d is not None else _lead(a, lead) for a, d in zip(args, dims)]
    outs = pure_callback_p.bind(*args, callback=callback, result_avals=b_avals,
                                vmap_method=vmap_method)
    return outs, [0] * len(outs)


def _lead(x: Any, n: int) -> Any:
    """``x`` with a new leading axis of length ``n``."""
    shape = aval_of(x).shape
    return broadcast_in_dim(x, (n, *shape), tuple(range(1, len(shape) + 1)))


pure_callback_p.impl = _impl
pure_callback_p.abstract_eval = _abstract_eval
pure_callback_p.jvp = _jvp
pure_callback_p.batch = _batch


def _result_avals(result_shape_dtypes: Any) -> tuple[list[ShapedArray], PyTreeDef]:
    """The avals of ``result_shape_dtypes``' leaves: anything with ``shape`` and ``dtype``
    (a ``ShapeDtypeStruct``, an array)."""
    leaves, tree = tree_flatten(result_shape_dtypes,
                                is_leaf=lambda x: hasattr(x, "shape") and hasattr(x, "dtype"))
    avals = []
    for i, r in enumerate(leaves):
        if not (hasattr(r, "shape") and hasattr(r, "dtype")):
            raise TypeError(f"pure_callback: result_shape_dtypes leaf {i} must have .shape and "
                            f".dtype (a ShapeDtypeStruct or an array), got "
                            f"{type(r).__name__} {r!r:.60}")
        avals.append(ShapedArray(tuple(int(n) for n in r.shape), np.dtype(r.dtype)))
    return avals, tree


def pure_callback(callback: Callable, result_shape_dtypes: Any, *args: Any,
                  vmap_method: str | None = None, **kwargs: Any) -> Any:
    """Call NumPy code that tracing cannot see, at execution time, under any transformation.

    JAX's ``jax.pure_callback``: ``callback`` gets NumPy arrays (SciPy, ``as_strided``, a C
    library are fine inside it) and must be pure, as ftrans may call it once per batch element,
    once for a whole batch, or not at all if its result is unused.

    Parameters
    ----------
    callback : callable
        ``callback(*args, **kwargs)`` on NumPy arrays; returns arrays with the shapes and
        dtypes of ``result_shape_dtypes``.
    result_shape_dtypes : pytree
        Objects with ``shape`` and ``dtype`` (a ``ShapeDtypeStruct``, an array) describing
        the results, in the pytree structure ``callback`` returns.
    *args, **kwargs : arrays or numbers (pytrees of them)
        The values handed to ``callback``; traced values become NumPy arrays at execution.
    vmap_method : {None, "sequential", "sequential_unrolled", "expand_dims", \
"broadcast_all", "legacy_vectorized"}, optional
        How ``vmap`` batches the call, as in JAX: ``"sequential"`` calls it once per batch
        element; ``"expand_dims"`` / ``"broadcast_all"`` once with batched inputs (a size-1 or
        full batch axis in front of unbatched ones). ``None`` refuses ``vmap``.

    Returns
    -------
    pytree of arrays
        ``callback``'s results, in the structure of ``result_shape_dtypes``.

    Raises
    ------
    ValueError
        ``vmap_method`` is not one of the names above.
    TypeError
        A leaf of ``result_shape_dtypes`` has no ``shape``/``dtype``, or an argument leaf is
        not an array or a number (close over other Python values instead).
    NotImplementedError
        Under ``vmap`` with ``vmap_method=None``.

    Notes
    -----
    Not differentiable: to differentiate through it, wrap its caller in ``custom_jvp`` or
    ``custom_vjp`` with a rule of your own.

    Examples
    --------
    >>> import ftrans, numpy as np
    >>> from numpy.lib.stride_tricks import sliding_window_view
    >>> def window_sums(x):  # NumPy code on host arrays
    ...     return sliding_window_view(x, 3).sum(axis=1)
    >>> f = ftrans.jit(lambda x: 2.0 * ftrans.pure_callback(window_sums, np.empty(3), x))
    >>> f(np.arange(5.0))
    array([ 6., 12., 18.])
    """
    if vmap_method not in VMAP_METHODS:
        raise ValueError(f"pure_callback: vmap_method must be one of {VMAP_METHODS}, got "
                         f"{vmap_method!r}")
    avals, out_tree = _result_avals(result_shape_dtypes)
    flat, in_tree = tree_flatten((args, kwargs))
    for i, x in enumerate(flat):
        if not (isinstance(x, (bool, int, float, complex)) or hasattr(x, "dtype")):
            raise TypeError(f"pure_callback: argument leaf {i} must be an array or a number, "
                            f"got {type(x).__name__} {x!r:.60} (close over other values)")
    flat = [np.asarray(x) if isinstance(x, (bool, int, float, complex)) else x for x in flat]
    outs = pure_callback_p.bind(*flat, callback=FlatCallback(callback, in_tree, out_tree),
                                result_avals=tuple(avals), vmap_method=vmap_method)
    return tree_unflatten(out_tree, outs)


__all__ = ["pure_callback", "pure_callback_p", "VMAP_METHODS"]
