"""``jit``: trace once per signature, optimize, compile, cache.

The cache key is the pytree structure of the dynamic arguments, each leaf's shape, dtype and
weak type, and the values of the static arguments. A new key traces ``fun`` abstractly,
runs the passes of ``ftrans.opt`` and compiles the result with a backend (the NumPy code
generator by default). Inside another transformation (``grad(jit(f))``, ``vmap(jit(f))``) the
cached optimized jaxpr is evaluated under that transformation's trace, equation by equation,
so the jitted function is transformed like any other code.

The cache holds at most ``CACHE_SIZE`` programs per jitted function, evicting the least
recently used. Threads may call a jitted function concurrently: a signature seen for the
first time by several threads at once is traced and compiled once, the others wait for it.
"""

from __future__ import annotations

import functools
import gc
import inspect
import os
import threading
import weakref
from typing import Any, Callable, Generic, ParamSpec, Sequence, TypeVar

import numpy as np

from .api.checks import arg_name
from .core import Tracer, check_int64, eval_jaxpr, trace_to_jaxpr
from .device import check_same_backend, is_gpu_array
from .ir import ClosedJaxpr, Jaxpr, ShapedArray
from .tree_util import PyTreeDef, flatten_fun, tree_flatten, tree_unflatten
from .xp import default_is_gpu

_SCALARS = (bool, int, float, complex)
_INT64 = np.dtype(np.int64)
_P = ParamSpec("_P")
_R = TypeVar("_R")
CACHE_SIZE = 4096  # compiled programs kept per jitted function (JAX keeps as many)


class _Entry:
    __slots__ = ("jaxpr", "consts", "out_tree", "run", "build", "closes_over_tracers", "used",
                 "key", "flat_key")

    def __init__(self, jaxpr: Jaxpr, consts: list, out_tree: PyTreeDef, run: Callable):
        self.jaxpr, self.consts, self.out_tree, self.run = jaxpr, consts, out_tree, run
        self.build = _builder(out_tree)
        # a closure over an enclosing transformation's tracer: re-record, never cache
        self.closes_over_tracers = any(isinstance(c, Tracer) for c in consts)
        self.used = False  # called since eviction last looked at it (see JitFunction._keep)
        self.key: Any = None  # its key in JitFunction._cache, and in _flat_cache if any
        self.flat_key: Any = None


def _builder(tree: PyTreeDef) -> Callable[[list], Any]:
    """The output pytree from the flat outputs; direct for a leaf or a tuple of leaves."""
    if tree.node_type is None:
        return lambda outs: _finalize(outs[0])
    if tree.node_type is tuple and all(c.node_type is None for c in tree.children):
        return lambda outs: tuple([_finalize(o) for o in outs])
    return lambda outs: tree_unflatten(tree, [_finalize(o) for o in outs])


def _leaf_key(x: Any) -> Any:
    t = type(x)
    if t is np.ndarray:
        return (x.shape, x.dtype)
    if t in _SCALARS:
        return t
    if isinstance(x, Tracer):
        return (x.aval.shape, x.aval.dtype)
    if isinstance(x, np.generic):
        return ((), x.dtype)
    shape, dtype = getattr(x, "shape", None), getattr(x, "dtype", None)
    if shape is None or dtype is None:
        raise TypeError(f"jit: expected an array or a Python number as an argument leaf, got "
                        f"{type(x).__name__} {x!r:.60}")
    return (t, tuple(shape), np.dtype(dtype))


def _leaf_aval(x: Any) -> ShapedArray:
    if type(x) is int:
        return ShapedArray((), _INT64)  # the range is checked by _check_leaves
    if isinstance(x, _SCALARS):
        return ShapedArray((), np.asarray(x).dtype)
    return ShapedArray(x.shape, x.dtype)


def _typed(v: Any) -> Any:
    """A static value's cache key: ``2``, ``2.0`` and ``True`` compare equal but trace
    differently, so the key holds each value's type too (inside tuples as well); a float by
    its bits, so that ``-0.0`` is not ``0.0`` and a NaN is equal to itself.

    >>> _typed(-0.0) == _typed(0.0), _typed(float("nan")) == _typed(float("nan"))
    (False, True)
    """
    t = type(v)
    if t is tuple:
        return (tuple, tuple(_typed(e) for e in v))
    if isinstance(v, (float, np.floating)):
        return (t, float(v).hex())
    if isinstance(v, (complex, np.complexfloating)):
        return (t, complex(v).real.hex(), complex(v).imag.hex())
    return (t, v)


def _finalize(x: Any) -> Any:
    if type(x) is np.ndarray:
        if x.ndim == 0:
            return x[()]
        if not x.flags.writeable:  # a broadcast view (``s * ones`` simplified to the
            return x.copy()        # broadcast): a writable array, as without jit
    return x


_live: weakref.WeakSet = weakref.WeakSet()  # every JitFunction, for the fork reset below


def _reset_locks_in_child() -> None:
    """A child forked while another thread held a jit lock (tracing a new signature) would
    wait for it forever: the child starts with fresh locks and no signature in the making."""
    for f in list(_live):
        f._lock = threading.Lock()
        f._building = {}


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_locks_in_child)


class JitFunction(Generic[_P, _R]):
    """A jitted function: call it like ``fun``; ``lower(*args)`` shows the optimized jaxpr,
    ``trace_count`` counts traces (one per new signature)."""

    def __init__(self, fun: Callable[_P, _R], static_argnums: tuple[int, ...],
                 static_argnames: tuple[str, ...], optimize: bool, backend: str | None):
        # name and doc only: copying fun.__dict__ would clobber the fields below
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self.static_argnums = static_argnums
        self.static_argnames = static_argnames
        self.optimize = optimize
        self.backend = backend
        self.trace_count = 0
        self._cache: dict[Any, _Entry] = {}
        self._flat_cache: dict[Any, _Entry] = {}  # positional array/scalar leaves only
        self._lock = threading.Lock()  # guards inserting, evicting and ``_building``
        self._building: dict[Any, threading.RLock] = {}  # keys being traced, by some thread
        _live.add(self)
        try:
            self._params = list(inspect.signature(fun).parameters)
        except (TypeError, ValueError):
            self._params = []

    # --- splitting arguments
    def _static_name(self, i: int) -> str:
        if i < len(self._params):
            return f"static argument {i} ({self._params[i]!r})"
        return f"static argument {i}"

    def _split(self, args: tuple, kwargs: dict) -> tuple[list[int], tuple, dict, tuple]:
        n = len(args)
        statics = {a % n for a in self.static_argnums if -n <= a < n}
        for name in self.static_argnames:
            if name in self._params and self._params.index(name) < n:
                statics.add(self._params.index(name))
        static_vals = []
        for i in sorted(statics):
            static_vals.append((i, _typed(self._hashable(args[i], self._static_name(i)))))
        static_kw = {k: v for k, v in kwargs.items() if k in self.static_argnames}
        for k, v in static_kw.items():
            self._hashable(v, f"static argument {k!r}")
        dyn_kw = {k: v for k, v in kwargs.items() if k not in self.static_argnames}
        dyn = [i for i in range(n) if i not in statics]
        key = (tuple(static_vals), tuple(sorted((k, _typed(v)) for k, v in static_kw.items())))
        return dyn, key, dyn_kw, tuple(static_kw.items())

    @staticmethod
    def _hashable(v: Any, what: str) -> Any:
        try:
            hash(v)
        except TypeError:
            raise TypeError(f"jit: {what} must be hashable (it is part of the cache key), "
                            f"but got an unhashable {type(v).__name__}: {v!r:.60}. Pass a "
                            "tuple instead of a list, or make it a dynamic argument."
                            ) from None
        return v

    def clear_cache(self) -> None:
        """Drop every compiled program: the next call traces and compiles again.

        Returns
        -------
        None

        Examples
        --------
        >>> import ftrans
        >>> f = ftrans.jit(lambda x: x * 2.0)
        >>> f(1.0), f.clear_cache(), f(1.0), f.trace_count
        (2.0, None, 2.0, 2)
        """
        with self._lock:
            self._cache.clear()
            self._flat_cache.clear()

    # --- tracing and compiling
    def _entry(self, args: tuple, kwargs: dict) -> tuple[_Entry, list[Any]]:
        dyn, static_key, dyn_kw, static_kw = self._split(args, kwargs)
        leaves, in_tree = tree_flatten(([args[i] for i in dyn], dyn_kw))
        check_same_backend(leaves, "jit")
        gpu = default_is_gpu() or any(is_gpu_array(x) for x in leaves)
        key = (in_tree, tuple(_leaf_key(x) for x in leaves), static_key, gpu)
        entry = self._cache.get(key)
        if entry is not None:
            entry.used = True
            return entry, leaves
        # one thread traces a new key; the others wait for its entry (an RLock: a function
        # that reaches itself with the same key recurses as it would without jit)
        with self._lock:
            building = self._building.get(key)
            if building is None:
                building = self._building[key] = threading.RLock()
        try:
            with building:
                entry = self._cache.get(key)
                if entry is None:
                    self._check_leaves(args, dyn, dyn_kw, leaves)
                    entry = self._compile(args, dict(static_kw), dyn, in_tree, leaves, gpu)
                    if not entry.closes_over_tracers:
                        self._keep(key, entry)
        finally:
            with self._lock:
                if self._building.get(key) is building:
                    del self._building[key]
        return entry, leaves

    def _keep(self, key: Any, entry: _Entry) -> None:
        """Cache ``entry`` under ``key``, evicting the least recently used entries beyond
        ``CACHE_SIZE``. ``_cache`` is a dict in insertion order; a hit only sets
        ``entry.used`` (one store on the hot path). Eviction walks from the oldest insertion
        and gives an entry used since its last look a second chance at the end: the CLOCK
        approximation of least-recently-used. ``_flat_cache`` holds only kept entries."""
        with self._lock:
            cache = self._cache
            while len(cache) >= CACHE_SIZE:
                old_key = next(iter(cache))
                old = cache.pop(old_key)
                if old.used:
                    old.used = False
                    cache[old_key] = old
                elif old.flat_key is not None:
                    self._flat_cache.pop(old.flat_key, None)
            entry.key = key
            cache[key] = entry

    def _check_leaves(self, args: tuple, dyn: list[int], dyn_kw: dict, leaves: list) -> None:
        """The input rules of ``grad``/``vmap`` (``api.checks.as_value``), before tracing: no
        object or string arrays, Python ints within int64."""
        for j, x in enumerate(leaves):
            if type(x) is int:
                check_int64(x, f"jit: {self._leaf_owner(j, args, dyn, dyn_kw)}")
            elif not isinstance(x, (Tracer,) + _SCALARS) and np.dtype(x.dtype).kind in "OSUV":
                raise TypeError(f"jit: {self._leaf_owner(j, args, dyn, dyn_kw)}: arrays of "
                                f"dtype {x.dtype} are not supported")

    def _leaf_owner(self, j: int, args: tuple, dyn: list[int], dyn_kw: dict) -> str:
        """'argument 1 ('x')' (or a keyword argument) for flat dynamic leaf ``j``."""
        owners = [arg_name(self.fun, i) for i in dyn for _ in tree_flatten(args[i])[0]]
        owners += [f"keyword argument {k!r}" for k in sorted(dyn_kw)
                   for _ in tree_flatten(dyn_kw[k])[0]]
        return owners[j] if j < len(owners) else f"input leaf {j}"

    def _compile(self, args: tuple, static_kw: dict, dyn: list[int], in_tree: PyTreeDef,
                 leaves: list[Any], gpu: bool) -> _Entry:
        # tracing allocates many small objects, and each full collection walks the whole
        # heap (in a process that holds a large one, a fifth of the first call's time):
        # collect after the compile instead of during it
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._compile_now(args, static_kw, dyn, in_tree, leaves, gpu)
        finally:
            if collecting:
                gc.enable()

    def _compile_now(self, args: tuple, static_kw: dict, dyn: list[int], in_tree: PyTreeDef,
                     leaves: list[Any], gpu: bool) -> _Entry:
        with self._lock:
            self.trace_count += 1
        flat_fun, out_tree_box = flatten_fun(self.fun, args, dyn, in_tree, static_kw)
        jaxpr, consts = trace_to_jaxpr(flat_fun, [_leaf_aval(x) for x in leaves], "jit")
        if self.optimize:
            from .opt import optimize
            jaxpr, consts = optimize(jaxpr, consts)
        from .backends import compile_jaxpr
        backend = self.backend or ("cupy" if gpu else "auto")
        return _Entry(jaxpr, consts, out_tree_box[0], compile_jaxpr(jaxpr, backend))

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not kwargs and not self.static_argnums and not self.static_argnames \
                and not default_is_gpu():
            # fast path: every argument a NumPy array or a Python number
            key: list[Any] = []
            for a in args:
                t = type(a)
                if t is np.ndarray:
                    key.append((a.shape, a.dtype))  # type: ignore[attr-defined]
                elif t is float or t is int:
                    key.append(t)
                else:
                    break
            else:
                k = tuple(key)
                entry = self._flat_cache.get(k)
                if entry is None:
                    entry = self._entry(args, kwargs)[0]
                    if entry.closes_over_tracers:
                        return entry.build(eval_jaxpr(entry.jaxpr, entry.consts, *args))
                    with self._lock:
                        if self._cache.get(entry.key) is entry:  # not evicted meanwhile
                            self._flat_cache[k] = entry
                            entry.flat_key = k
                else:
                    entry.used = True
                flat = [a if type(a) is np.ndarray else
                        np.asarray(a) if type(a) is float else self._int(a, args)  # type: ignore[arg-type]
                        for a in args]
                return entry.build(entry.run(entry.consts, flat))
        entry, leaves = self._entry(args, kwargs)
        if entry.closes_over_tracers:
            return entry.build(eval_jaxpr(entry.jaxpr, entry.consts, *leaves))
        for x in leaves:
            if isinstance(x, Tracer):  # inside another transformation: re-record the program
                outs = eval_jaxpr(entry.jaxpr, entry.consts, *leaves)
                return tree_unflatten(entry.out_tree, outs)
        flat = [x if type(x) not in _SCALARS else np.asarray(x) if type(x) is not int
                else self._int(x, leaves, args, dyn_kw=kwargs) for x in leaves]
        return entry.build(entry.run(entry.consts, flat))

    def _int(self, x: int, leaves: Sequence[Any], args: tuple | None = None,
             dyn_kw: dict | None = None) -> np.ndarray:
        """A Python int leaf as an int64 array: ``OverflowError`` beyond int64, as eagerly.
        ``leaves`` (the arguments on the fast path) say which argument it is."""
        try:
            return np.asarray(x, _INT64)
        except OverflowError:
            j = next(i for i, a in enumerate(leaves) if a is x)
            if args is None:
                check_int64(x, f"jit: {arg_name(self.fun, j)}")
            else:
                dyn, _, kw, _ = self._split(args, dyn_kw or {})
                check_int64(x, f"jit: {self._leaf_owner(j, args, dyn, kw)}")
            raise

    def lower(self, *args: _P.args, **kwargs: _P.kwargs) -> ClosedJaxpr:
        """The optimized jaxpr (with its constants) that a call with these arguments runs.

        Parameters
        ----------
        *args, **kwargs
            Arguments as for the jitted function.

        Returns
        -------
        ClosedJaxpr
            The program, after ``ftrans.opt``'s passes (if ``optimize``).

        Raises
        ------
        TypeError
            As a call would, for arguments that are not arrays, numbers or pytrees of them.

        Examples
        --------
        >>> import ftrans, ftrans.numpy as fnp
        >>> print(ftrans.jit(lambda x: fnp.sin(x) * 1.0).lower(2.0))
        { lambda ; a:f64[]. let b:f64[] = sin a in (b,) }
        """
        entry, _ = self._entry(args, kwargs)
        return ClosedJaxpr(entry.jaxpr, entry.consts)

    def source(self, *args: _P.args, **kwargs: _P.kwargs) -> str:
        """The generated code that a call with these arguments runs (NumPy backend; empty for
        other backends).

        Parameters
        ----------
        *args, **kwargs
            Arguments as for the jitted function.

        Returns
        -------
        str
            Python source.

        Raises
        ------
        TypeError
            As a call would, for arguments that are not arrays, numbers or pytrees of them.

        Examples
        --------
        >>> import ftrans, ftrans.numpy as fnp
        >>> "sin" in ftrans.jit(lambda x: fnp.sin(x), backend="numpy").source(2.0)
        True
        """
        entry, _ = self._entry(args, kwargs)
        return getattr(entry.run, "source", "")


def jit(fun: Callable[_P, _R], static_argnums: int | Sequence[int] = (),
        static_argnames: str | Sequence[str] = (), optimize: bool = True,
        backend: str | None = None) -> JitFunction[_P, _R]:
    """``fun`` traced once per argument signature, optimized and compiled; later calls with the
    same signature run the compiled program.

    The signature (the cache key) is the pytree structure of the dynamic arguments, each leaf's
    shape, dtype and weak type, and the values of the static arguments. Inside another
    transformation (``grad(jit(f))``, ``vmap(jit(f))``) the cached program is transformed like
    any other code.

    Parameters
    ----------
    fun : callable
        The function, of arrays, scalars or pytrees of them.
    static_argnums : int or sequence of int, default ()
        Arguments passed to ``fun`` as Python values (hashable), part of the cache key.
    static_argnames : str or sequence of str, default ()
        The same, by parameter name.
    optimize : bool, default True
        Run ``ftrans.opt``'s passes (constant folding, CSE, DCE...) on the traced program.
    backend : str or None, default None
        ``None``: for the device of the arguments — on the CPU (``"auto"``) generated NumPy
        code at once, replaced by fused C kernels for long elementwise runs once a background
        thread has compiled them (where a C compiler is on the PATH and ``FTRANS_CFUSE`` is not
        ``0``; results may then change in the last bits); fused CUDA kernels (``"cupy"``) for
        CuPy arrays or under ``default_backend("gpu")``. ``"numpy"``: NumPy code only;
        ``"numpy+c"``: fused C kernels compiled before the first call.

    Returns
    -------
    JitFunction
        Called like ``fun`` (same signature); ``lower(*args)`` gives the optimized jaxpr,
        ``source(*args)`` the generated code, ``clear_cache()`` drops the compiled programs,
        ``trace_count`` counts traces.

    Raises
    ------
    TypeError
        If ``static_argnums`` holds non-integers; when called, if a static argument is not
        hashable or a dynamic one is not an array, a number or a pytree of them.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp
    >>> f = ftrans.jit(lambda x, n: fnp.sin(x) * n, static_argnums=1)
    >>> bool(f(0.5, 2) == 2 * fnp.sin(0.5)), f.trace_count
    (True, 1)
    >>> f(0.25, 2) is not None, f.trace_count  # same signature: no new trace
    (True, 1)
    """
    nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    for a in nums:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"jit: static_argnums must be ints, got {a!r}")
    names = (static_argnames,) if isinstance(static_argnames, str) else tuple(static_argnames)
    return JitFunction(fun, tuple(int(a) for a in nums), names, optimize, backend)


__all__ = ["jit", "JitFunction"]
