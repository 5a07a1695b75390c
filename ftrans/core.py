"""Tracing: primitives, traces, tracers and ``bind``.

``bind(prim, args)`` finds the innermost trace that owns one of ``args`` and lets it record
the equation; with no tracer among the args it simply runs the primitive's ``impl``.
Traces nest by level. A tracer of an outer trace reaching an inner one is captured as a
constant of the inner jaxpr (closure conversion), so nested derivatives never mix their
perturbations.

A *concrete* trace also evaluates every equation it records (by binding the same primitive
on the arguments' values, which may themselves be tracers of an outer trace), so Python
control flow on traced values works and the recorded values are reused later as primals.
An *abstract* trace knows only avals; asking it for a value raises ``ConcretizationError``.
"""

from __future__ import annotations

import os
import threading
import traceback
from typing import Any, Callable, Sequence

import numpy as np

from . import backends as _backends
from .ir import ClosedJaxpr, Eqn, Jaxpr, Literal, ShapedArray, Var

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class ConcretizationError(TypeError):
    """A concrete value was asked of a traced value that has none; the message names the
    transformation that made it abstract (``jit``, ``vmap``, a ``lax.scan`` body...)."""


class UnexpectedTracerError(RuntimeError):
    """A tracer was used after the transformation that made it had finished."""


class TracerArrayConversionError(TypeError):
    """A tracer was handed to code that wanted a plain NumPy array."""


# ----------------------------------------------------------------------------- primitives

class Primitive:
    """An operation of the IR, declared once with all its rules.

    Attributes (each ``None`` when the primitive lacks it):

    - ``impl(xp, *args, **params)``: compute with the array module ``xp`` (numpy or cupy);
    - ``abstract_eval(*avals, **params)``: output aval(s);
    - ``jvp(primals, out, tangents, **params)``: output tangent(s), ``Zero`` where known zero;
    - ``transpose(ct, *args, **params)``: for linear primitives, cotangents of the inputs
      that are ``UndefPrimal`` (``None`` for the others);
    - ``batch(args, dims, **params)``: ``(out, out_dim)`` for vmap;
    - ``cuda``: for elementwise primitives, a C expression template used by kernel fusion
      (``{0}``, ``{1}``... the operands, ``{name}`` a param);
    - ``cuda_fuses(in_avals, out_aval, **params)``: whether ``cuda`` is right for these
      operand types and params; when ``None``, for float operands (and a float or bool
      output) only;
    - ``cuda_reduce``: for reductions that kernels fuse, ``(combiner, identity)``: a function
      of ``kernels/ft_math.cuh`` combining two partial results, and its identity element;
    - ``c_expr``: for elementwise primitives the CPU's fused C loops compute
      (``backends/cfuse.py``): a C99 expression over ``<math.h>``'s double functions (float32
      loops call their ``f`` versions), or a function of the params giving one;
    - ``selector_operand``: the position of an operand that selects among the others
      (``select_n``'s predicate): its dtype is its own, the other operands share one;
    - ``broadcasts``: the output is the operand broadcast along the params'
      ``broadcast_dimensions`` (backends read the operand in place instead);
    - ``contraction``: a tensor contraction with ``dot_general``'s params
      (``dimension_numbers``), which backends may compute with their own kernels;
    - ``new_buffer``: the impl returns a new array that shares memory with nothing (never a
      view), so backends may write over it once it is dead, as over a ufunc's result;
    - ``commutative``: a binary primitive whose operands may trade places;
    - ``deps``: which input elements each output element depends on (``ftrans.deps``); when
      ``None``, the rule of the primitive's family, else a conservative dense rule;
    - ``cost``: estimated flops ``cost(in_avals, out_avals, **params)`` (``ftrans.cost``);
      when ``None``, the rule of the primitive's family;
    - ``ufunc``: the name of the NumPy ufunc this primitive is exactly, if any (the NumPy
      backend calls it directly, with ``out=`` buffers);
    - ``scalar_math``: an expression on Python floats (``_m`` is ``math``), or a function of
      the params giving one, for scalar float64 programs in the NumPy backend;
    - ``primal_rule(values, perturbed, **params)``: for primitives with user derivative rules
      (``custom_jvp``, ``custom_vjp``): the outputs as the rule computes them. A concrete trace
      evaluating the primitive on values of enclosing traces calls it instead of ``bind``, so
      that enclosing derivatives differentiate the rule as written (JAX's semantics);
      ``perturbed[i]`` says whether input ``i`` is a float value of the recording trace.
    - ``view``: True where NumPy's operation returns a view of its input (reshape, slice,
      ...), so item assignment to the input must not be missed by it (``Trace.stale``).

    >>> p = Primitive("twice")
    >>> p.impl = lambda xp, x: 2 * x
    >>> p.bind(np.float64(3.0))
    6.0
    """

    __slots__ = ("name", "multiple_results", "impl", "abstract_eval", "jvp", "transpose",
                 "batch", "cuda", "family", "deps", "cost", "ufunc", "scalar_math",
                 "primal_rule", "view", "cuda_fuses", "cuda_reduce", "c_expr",
                 "selector_operand", "broadcasts", "contraction", "new_buffer", "commutative")

    def __init__(self, name: str, multiple_results: bool = False):
        self.name = name
        self.multiple_results = multiple_results
        self.impl: Callable | None = None
        self.abstract_eval: Callable | None = None
        self.jvp: Callable | None = None
        self.transpose: Callable | None = None
        self.batch: Callable | None = None
        self.cuda: str | None = None
        self.family: str = ""
        self.deps: Callable | None = None
        self.cost: Callable | None = None
        self.ufunc: str | None = None  # the NumPy ufunc this primitive is, if exactly one
        self.scalar_math: str | Callable | None = None  # Python-float form (``_m`` = math)
        self.primal_rule: Callable | None = None  # outputs from the user's rule, see above
        self.view = False  # NumPy gives a view of the input (see Trace.stale)
        self.cuda_fuses: Callable | None = None
        self.cuda_reduce: tuple[str, float] | None = None
        self.c_expr: str | Callable | None = None
        self.selector_operand: int | None = None
        self.broadcasts = self.contraction = self.new_buffer = self.commutative = False

    def bind(self, *args: Any, **params: Any) -> Any:
        return bind(self, args, params)

    def __repr__(self) -> str:
        return self.name

    def __reduce__(self) -> tuple:  # by name: a jaxpr pickled here runs in another process
        return primitive_named, (self.name,)


PRIMITIVES: dict[str, Primitive] = {}


def register(prim: Primitive) -> Primitive:
    PRIMITIVES[prim.name] = prim
    return prim


def primitive_named(name: str) -> Primitive:
    """The registered primitive ``name`` (how pickled jaxprs name their primitives).

    >>> primitive_named("sin").name
    'sin'
    """
    try:  # unpickling imported ftrans (this module's package), which registers them all
        return PRIMITIVES[name]
    except KeyError:
        raise KeyError(f"no primitive named {name!r} is registered in this process: is the "
                       "same version of ftrans installed where the jaxpr was pickled?") from None


# ----------------------------------------------------------------------------- values

class Zero:
    """A tangent or cotangent known to be zero, carried symbolically."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    def __repr__(self) -> str:
        return f"Zero({self.aval})"


class UndefPrimal:
    """Marks the linear input of an equation being transposed."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    def __repr__(self) -> str:
        return f"UndefPrimal({self.aval})"


_SCALAR_TYPES = (bool, int, float, complex)
# Python scalars as NumPy 2 sees them (an int is int64; beyond it, see check_int64)
_WEAK_AVALS: dict[type, ShapedArray] = {
    t: ShapedArray((), np.dtype(d), weak_type=True)
    for t, d in ((bool, np.bool_), (int, np.int64), (float, np.float64), (complex, np.complex128))}
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)
_SCALAR_AVALS: dict[np.dtype, ShapedArray] = {}  # shape () avals, shared (they are immutable)


def aval_of(x: Any) -> ShapedArray:
    """The aval of an array, scalar or tracer."""
    t = type(x)
    if t is np.ndarray or isinstance(x, np.generic):
        shape = x.shape
        if shape:
            return ShapedArray(shape, x.dtype)
        av = _SCALAR_AVALS.get(x.dtype)
        if av is None:
            av = _SCALAR_AVALS[x.dtype] = ShapedArray((), x.dtype)
        return av
    if isinstance(x, Tracer):
        return x.aval
    if isinstance(x, _SCALAR_TYPES):
        av = _WEAK_AVALS.get(t)
        if av is None:
            av = ShapedArray((), np.asarray(x).dtype, weak_type=True)
            if t in _SCALAR_TYPES:
                _WEAK_AVALS[t] = av
        return av
    try:
        return ShapedArray(x.shape, x.dtype)
    except AttributeError:
        raise TypeError(f"{type(x).__name__} is not an array type ftrans understands: "
                        f"{x!r}") from None


def check_int64(x: int, where: str) -> None:
    """``OverflowError`` naming ``where`` when the Python int ``x`` does not fit int64 (the
    dtype ftrans, like NumPy, gives Python ints; NumPy raises too when one meets an array).

    >>> check_int64(2 ** 63, "jit: argument 0 ('n')")
    Traceback (most recent call last):
      ...
    OverflowError: jit: argument 0 ('n'): the Python int 9223372036854775808 is out of bounds ...
    """
    if not _INT64_MIN <= x <= _INT64_MAX:
        raise OverflowError(f"{where}: the Python int {x} is out of bounds for int64")


def _value_aval(x: Any, like: ShapedArray | None) -> ShapedArray:
    """The (strong) aval of a computed value, sharing ``like`` when they agree."""
    if type(x) is np.ndarray or isinstance(x, np.generic):
        if like is not None and not like.weak_type and x.shape == like.shape \
                and x.dtype == like.dtype:
            return like
        return ShapedArray(x.shape, x.dtype)
    return aval_of(x).strip_weak()


def array_module(args: Sequence[Any]) -> Any:
    """numpy, unless one of ``args`` is a CuPy array (or an array and the default backend
    is the GPU: ``ftrans.default_backend``)."""
    for a in args:
        t = type(a)
        if t is np.ndarray or t is float or t is np.float64:
            continue
        if t.__module__.startswith("cupy"):
            from .backends import cupy_module
            return cupy_module()
    if _backends.default_is_gpu() and any(type(a) is np.ndarray for a in args):
        from .device import require_gpu
        return require_gpu()
    return np


def same_device(value: Any, like: Any) -> Any:
    """A NumPy constant made by a rule, on the device of ``like``: a CuPy array when
    ``like`` is one. Next to tracers and NumPy values it stays as it is (binding a primitive
    moves NumPy arguments to the GPU when needed).

    >>> same_device(np.eye(2), np.ones(2)).shape
    (2, 2)
    """
    if type(like).__module__.startswith("cupy"):
        from .backends import cupy_module
        return cupy_module().asarray(value)
    return value


def zeros(aval: ShapedArray, like: Any = None) -> Any:
    xp = array_module([like]) if like is not None else np
    return xp.zeros(aval.shape, aval.dtype)


def instantiate(t: Any) -> Any:
    """A ``Zero`` made into an actual array of zeros; anything else unchanged."""
    return zeros(t.aval) if type(t) is Zero else t


# ----------------------------------------------------------------------------- traces

class _ThreadState(threading.local):
    """Tracing state of one thread: traces nest per thread, so threads trace independently."""

    def __init__(self) -> None:
        self.trace_stack: list[Trace] = []


_thread = _ThreadState()
# not None while some thread checks for NaNs (ftrans.config.debug_nans): the one test bind
# makes per primitive; the check itself asks whether the current thread has it on
nan_check: Callable[[Primitive, Any], None] | None = None


def bind(prim: Primitive, args: Sequence[Any], params: dict[str, Any]) -> Any:
    """Apply ``prim``: record it in the innermost trace owning an argument, or compute it."""
    top = None
    for a in args:
        if isinstance(a, Tracer):
            t = a._trace
            if not t.active:
                raise UnexpectedTracerError(
                    f"{prim.name} was given a tracer from a transformation that has already "
                    "finished (a traced value escaped, e.g. stored in a global or a closure "
                    "and used later)")
            if top is None or t.level > top.level:
                top = t
    if top is None:
        if prim.impl is None:
            raise NotImplementedError(f"primitive {prim.name} has no impl")
        xp = array_module(args)
        if xp is not np:
            from .device import run_on_gpu
            out = run_on_gpu(prim, xp, args, params)
        else:
            out = prim.impl(xp, *args, **params)
        if nan_check is not None:  # set by ftrans.config.debug_nans
            nan_check(prim, out)
        return out
    return top.process(prim, args, params)


class Trace:
    """Records equations into a jaxpr; ``concrete`` traces also compute their values.

    Use as a context manager so traces nest::

        with Trace(concrete=False, why="make_jaxpr") as t:
            x = t.new_arg(ShapedArray((), np.float64))
            jaxpr, consts = t.to_jaxpr([fnp.sin(x)])

    ``why`` names, for an abstract trace, the transformation that traces abstractly (it is
    quoted by ``ConcretizationError``). A ``detached`` concrete trace computes with the
    known values of the enclosing traces' tracers it meets (captured as constants), not with
    the tracers themselves, so that nothing it evaluates is recorded outside it; where a
    value is not known it computes with the tracer.
    """

    def __init__(self, concrete: bool, why: str = "", detached: bool = False):
        self.concrete = concrete
        self.why = why
        self.detached = detached
        self.level = -1
        self.active = False
        self.invars: list[Var] = []
        self.eqns: list[Eqn] = []
        self.consts: dict[int, tuple[Var, Any]] = {}
        self.values: dict[Var, Any] = {}
        # item assignment (x[i] = v rebinds x: ftrans.numpy._mutation): the variables an
        # inner trace captured (no longer assignable), and those of views of assigned-to
        # arrays, which NumPy would update and which may not be used again
        self.frozen: set[Var] = set()
        self.stale: dict[Var, str] = {}

    def __enter__(self) -> Trace:
        stack = _thread.trace_stack
        self.level = len(stack)
        stack.append(self)
        self.active = True
        return self

    def __exit__(self, *exc: Any) -> None:
        popped = _thread.trace_stack.pop()
        assert popped is self, "traces must be exited in the thread that entered them"
        self.active = False

    def new_arg(self, aval: ShapedArray, val: Any = None) -> Tracer:
        var = Var(aval.strip_weak())
        self.invars.append(var)
        if self.concrete:
            self.values[var] = val
        return Tracer(self, var, val)

    def to_atom(self, x: Any) -> Var | Literal:
        if isinstance(x, Tracer):
            if x._trace is self:
                return x._var
            entry = self.consts.get(id(x))
            if entry is None:
                x._trace.frozen.add(x._var)
        elif isinstance(x, np.generic) or isinstance(x, _SCALAR_TYPES):
            return Literal(x, aval_of(x))
        elif type(x) is np.ndarray and x.ndim == 0:
            # held as a NumPy scalar, which CuPy arrays also accept (not a 0-d NumPy array)
            return Literal(x[()], aval_of(x))
        else:
            entry = self.consts.get(id(x))
        if entry is None:
            var = Var(aval_of(x))
            entry = self.consts[id(x)] = (var, x)
            if self.concrete:
                if self.detached and isinstance(x, Tracer):
                    known = known_value(x)
                    self.values[var] = x if known is None else known
                else:
                    self.values[var] = x
        return entry[0]

    def process(self, prim: Primitive, args: Sequence[Any], params: dict[str, Any]) -> Any:
        if not self.concrete and not prim.multiple_results:  # fast path: abstract, one output
            atoms = tuple([a._var if type(a) is Tracer and a._trace is self else self.to_atom(a)
                           for a in args])
            if self.stale:
                self.check_stale(atoms)
            var = Var(prim.abstract_eval(*[a.aval for a in atoms], **params))
            self.eqns.append(Eqn(prim, atoms, (var,), params))
            return Tracer(self, var, None)
        atoms = []
        vals = []
        nested = False  # does a value belong to an outer trace?
        for a in args:
            if isinstance(a, Tracer) and a._trace is self:
                atoms.append(a._var)
                v = a.val
                vals.append(v)
                if isinstance(v, Tracer):
                    nested = True
            else:
                atom = self.to_atom(a)
                atoms.append(atom)
                if isinstance(a, Tracer):
                    if self.detached:
                        assert isinstance(atom, Var)  # a tracer is captured as a Var
                        a = self.values[atom]  # its known value, if there is one
                    nested = nested or isinstance(a, Tracer)
                vals.append(a)
        if self.stale:
            self.check_stale(atoms)
        if self.concrete:
            xp = None if nested or prim.impl is None else array_module(vals)
            if xp is np and nan_check is None:  # plain NumPy values: compute directly
                out = prim.impl(xp, *vals, **params)
            elif nested and prim.primal_rule is not None:  # a user rule's own primal
                out = prim.primal_rule(vals, self._perturbed(args), **params)
            else:  # outer traces, the GPU, or debug_nans: through bind
                out = bind(prim, vals, params)
            if not prim.multiple_results:  # fast path: one output, often like the first input
                var = Var(_value_aval(out, atoms[0].aval if atoms else None))
                self.eqns.append(Eqn(prim, atoms, (var,), params))
                self.values[var] = out
                return Tracer(self, var, out)
            out_vals = out
            out_avals = [aval_of(o).strip_weak() for o in out_vals]
        else:
            out = prim.abstract_eval(*[a.aval for a in atoms], **params)
            if not prim.multiple_results:  # fast path: one output
                var = Var(out)
                self.eqns.append(Eqn(prim, atoms, (var,), params))
                return Tracer(self, var, None)
            out_avals = out
            out_vals = (None,) * len(out_avals)
        outvars = [Var(av) for av in out_avals]
        self.eqns.append(Eqn(prim, atoms, outvars, params))
        tracers = []
        for var, val in zip(outvars, out_vals):
            if self.concrete:
                self.values[var] = val
            tracers.append(Tracer(self, var, val))
        return tracers if prim.multiple_results else tracers[0]

    def to_jaxpr(self, outs: Sequence[Any]) -> tuple[Jaxpr, list[Any]]:
        """The recorded program with ``outs`` as its outputs, and its constants' values."""
        outvars = [self.to_atom(o) for o in outs]
        if self.stale:
            self.check_stale(outvars)
        constvars = [var for var, _ in self.consts.values()]
        constvals = [val for _, val in self.consts.values()]
        return Jaxpr(constvars, self.invars, self.eqns, outvars), constvals

    def owns(self, x: Any) -> bool:
        """Whether ``x`` is a tracer of this trace."""
        return isinstance(x, Tracer) and x._trace is self

    def _perturbed(self, args: Sequence[Any]) -> list[bool]:
        """Which of ``args`` are float values of this trace: those a derivative of it moves
        (a value whose tangent is known to be zero, after ``stop_gradient``, counts too)."""
        return [isinstance(a, Tracer) and a._trace is self and a.aval.dtype.kind in "fc"
                for a in args]

    def check_stale(self, atoms: Sequence[Any]) -> None:
        """Refuse a view of an array that was assigned to after the view was taken."""
        for a in atoms:
            where = self.stale.get(a) if type(a) is Var else None
            if where is not None:
                raise ValueError(
                    f"an array taken from another one (a slice, reshape, transpose, ...) is "
                    f"used at {user_frame()} after that other array was assigned to at {where}:"
                    " NumPy's view would show the assignment, ftrans's traced arrays are "
                    "values and would not. Take it again after the assignment, or use "
                    "x = x.at[idx].set(value)")

    def value_of(self, x: Any) -> Any:
        """The value behind a tracer of this (concrete) trace; constants as they are."""
        return x.val if isinstance(x, Tracer) and x._trace is self else x


def lift_constant(x: Any) -> Any:
    """``x``, a NumPy array made inside an abstract transformation (``jit``, ``vmap``,
    ``make_jaxpr``), as a traced constant of the innermost trace that still carries its value
    (as ``jnp.asarray`` gives a JAX array there): traced indices can then index it. Outside
    such transformations, 0-d arrays and anything else: ``x`` itself.

    >>> lift_constant(np.ones(2))
    array([1., 1.])
    """
    stack = _thread.trace_stack
    if type(x) is not np.ndarray or not x.ndim or not stack \
            or all(t.concrete for t in stack):
        return x
    trace = stack[-1]
    return Tracer(trace, trace.to_atom(x), x)


def current_level() -> int:
    """How many traces the current thread is inside.

    >>> current_level()
    0
    """
    return len(_thread.trace_stack)


# ----------------------------------------------------------------------------- tracers

_fnp_module: Any = None


def _fnp() -> Any:
    global _fnp_module
    if _fnp_module is None:
        from . import numpy as fnp
        _fnp_module = fnp
    return _fnp_module


def user_frame() -> str:
    """'file.py:12 (in f)' for the innermost stack frame outside ftrans."""
    for frame in reversed(traceback.extract_stack()):
        path = os.path.abspath(frame.filename)
        if not path.startswith(_PACKAGE_DIR) and "<frozen" not in path:
            return f"{frame.filename}:{frame.lineno} (in {frame.name})"
    return "<unknown>"


class Tracer:
    """A value inside a trace: its variable, its aval, and (in a concrete trace) its value."""

    __slots__ = ("_trace", "_var", "aval", "val")  # not "var": that is ndarray.var()
    __array_priority__ = 1000

    def __init__(self, trace: Trace, var: Var, val: Any = None):
        self._trace = trace
        self._var = var
        self.aval = var.aval
        self.val = val

    # --- array attributes
    @property
    def shape(self) -> tuple[int, ...]:
        return self.aval.shape

    @property
    def dtype(self) -> np.dtype:
        return self.aval.dtype

    @property
    def ndim(self) -> int:
        return len(self.aval.shape)

    @property
    def size(self) -> int:
        return self.aval.size

    @property
    def T(self) -> Any:
        return _fnp().transpose(self)

    @property
    def real(self) -> Any:
        return _fnp().real(self)

    @property
    def imag(self) -> Any:
        return _fnp().imag(self)

    def __len__(self) -> int:
        if not self.aval.shape:
            raise TypeError("len() of unsized object (a 0-d traced array)")
        return self.aval.shape[0]

    def __repr__(self) -> str:
        kind = "Concrete" if self.val is not None else "Abstract"
        shown = f", value={self.val!r}" if self.val is not None else ""
        return f"Traced<{kind} {self.aval.str_short()}{shown}>"

    # --- concrete values
    def _concrete(self, what: str, fix: str) -> Any:
        if self.val is None:
            raise ConcretizationError(
                f"{what} needs a concrete value, but this is an abstract traced array "
                f"{self.aval.str_short()} ({abstract_reason(self)}) at {user_frame()}. {fix}")
        return self.val

    _IF_FIX = ("Python control flow cannot depend on traced values here: for `if` use "
               "ftrans.numpy.where(cond, x, y) or ftrans.lax.cond(pred, true_fun, false_fun, "
               "*operands); for `while` use ftrans.lax.while_loop(cond_fun, body_fun, init); "
               "or mark the argument static with jit(..., static_argnums=...).")
    _INDEX_FIX = ("A traced integer cannot pick a Python branch, list item or loop count: use "
                  "ftrans.lax.switch(index, branches, *operands), ftrans.lax.fori_loop(lower, "
                  "upper, body_fun, init) or ftrans.lax.scan, or mark the argument static. To "
                  "index an array with it, use ftrans.numpy.take(table, i) or "
                  "ftrans.numpy.asarray(table)[i].")

    def __bool__(self) -> bool:
        return bool(self._concrete("bool() (an `if`, `while`, `and`/`or`)", self._IF_FIX))

    def __float__(self) -> float:
        val = self._concrete("float()", self._IF_FIX)
        if np.dtype(self.aval.dtype).kind in "fc":  # JAX raises here too
            raise ConcretizationError(
                f"float() of a traced {self.aval.str_short()} at {user_frame()} would drop it "
                "from the derivative being computed (math.sin(x), float(x) and the like see a "
                "constant). Use ftrans.numpy functions (fnp.sin(x)) or x.astype(float); "
                "x.item() if a constant is really meant.")
        return float(val)

    def __complex__(self) -> complex:
        val = self._concrete("complex()", self._IF_FIX)
        if np.dtype(self.aval.dtype).kind in "fc":  # as float(): it would drop the tracer
            raise ConcretizationError(
                f"complex() of a traced {self.aval.str_short()} at {user_frame()} would drop it "
                "from the derivative being computed. Use ftrans.numpy functions, or x.item() "
                "if a constant is really meant.")
        return complex(val)

    def __round__(self, ndigits: int | None = None) -> Any:
        return (_fnp_module or _fnp()).round(self, ndigits or 0)

    def __format__(self, spec: str) -> str:
        if self.val is not None and spec:
            return format(self.val, spec)  # a concrete value prints (nothing is dropped)
        return format(repr(self), spec)

    def __int__(self) -> int:
        return int(self._concrete("int()", self._INDEX_FIX))

    def __index__(self) -> int:
        return int(self._concrete("using a traced value as an index", self._INDEX_FIX))

    def item(self) -> Any:
        v = self._concrete(".item()", self._IF_FIX)
        return v.item() if hasattr(v, "item") else v

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if self.val is not None and self._trace.consts.get(id(self.val), (None,))[0] \
                is self._var:  # a constant lifted into the trace: it carries no dependence
            return np.asarray(self.val, dtype)
        raise TracerArrayConversionError(_fnp()._conversion_message(self, user_frame()))

    # --- NumPy protocols
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return _fnp()._array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return _fnp()._array_function(func, args, kwargs)

    def __array_namespace__(self, api_version: str | None = None) -> Any:
        return _fnp()

    # --- operators (the module is looked up once: these are on the hot path)
    def __add__(self, o): return (_fnp_module or _fnp()).add(self, o)
    def __radd__(self, o): return (_fnp_module or _fnp()).add(o, self)
    def __sub__(self, o): return (_fnp_module or _fnp()).subtract(self, o)
    def __rsub__(self, o): return (_fnp_module or _fnp()).subtract(o, self)
    def __mul__(self, o): return (_fnp_module or _fnp()).multiply(self, o)
    def __rmul__(self, o): return (_fnp_module or _fnp()).multiply(o, self)
    def __truediv__(self, o): return (_fnp_module or _fnp()).divide(self, o)
    def __rtruediv__(self, o): return (_fnp_module or _fnp()).divide(o, self)
    def __pow__(self, o): return (_fnp_module or _fnp()).power(self, o)
    def __rpow__(self, o): return (_fnp_module or _fnp()).power(o, self)
    def __matmul__(self, o): return (_fnp_module or _fnp()).matmul(self, o)
    def __rmatmul__(self, o): return (_fnp_module or _fnp()).matmul(o, self)
    def __neg__(self): return (_fnp_module or _fnp()).negative(self)
    def __pos__(self): return self
    def __abs__(self): return (_fnp_module or _fnp()).abs(self)
    def __eq__(self, o): return (_fnp_module or _fnp()).equal(self, o)  # type: ignore[override]
    def __ne__(self, o): return (_fnp_module or _fnp()).not_equal(self, o)  # type: ignore[override]
    def __lt__(self, o): return (_fnp_module or _fnp()).less(self, o)
    def __le__(self, o): return (_fnp_module or _fnp()).less_equal(self, o)
    def __gt__(self, o): return (_fnp_module or _fnp()).greater(self, o)
    def __ge__(self, o): return (_fnp_module or _fnp()).greater_equal(self, o)
    def __and__(self, o): return (_fnp_module or _fnp()).bitwise_and(self, o)
    def __rand__(self, o): return (_fnp_module or _fnp()).bitwise_and(o, self)
    def __or__(self, o): return (_fnp_module or _fnp()).bitwise_or(self, o)
    def __ror__(self, o): return (_fnp_module or _fnp()).bitwise_or(o, self)
    def __xor__(self, o): return (_fnp_module or _fnp()).bitwise_xor(self, o)
    def __rxor__(self, o): return (_fnp_module or _fnp()).bitwise_xor(o, self)
    def __invert__(self): return (_fnp_module or _fnp()).invert(self)
    def __lshift__(self, o): return (_fnp_module or _fnp()).left_shift(self, o)
    def __rlshift__(self, o): return (_fnp_module or _fnp()).left_shift(o, self)
    def __rshift__(self, o): return (_fnp_module or _fnp()).right_shift(self, o)
    def __rrshift__(self, o): return (_fnp_module or _fnp()).right_shift(o, self)
    def __floordiv__(self, o): return (_fnp_module or _fnp()).floor_divide(self, o)
    def __rfloordiv__(self, o): return (_fnp_module or _fnp()).floor_divide(o, self)
    def __mod__(self, o): return (_fnp_module or _fnp()).remainder(self, o)
    def __rmod__(self, o): return (_fnp_module or _fnp()).remainder(o, self)
    def __divmod__(self, o): return (_fnp_module or _fnp()).divmod(self, o)
    def __rdivmod__(self, o): return (_fnp_module or _fnp()).divmod(o, self)
    __hash__ = None  # type: ignore[assignment]

    def _become(self, other: Tracer) -> None:
        """Rebind this tracer to ``other``'s value (item assignment: ftrans.numpy._mutation)."""
        self._var, self.aval, self.val = other._var, other.aval, other.val

    def __setitem__(self, idx: Any, value: Any) -> None:
        _fnp()._setitem(self, idx, value)  # x = x.at[idx].set(value), where NumPy agrees

    def __getattr__(self, name: str) -> Any:
        method = _fnp()._TRACER_METHODS.get(name)
        if method is None:
            raise _fnp()._TracerAttributeError(name)
        return method.__get__(self)

    def __getitem__(self, idx: Any) -> Any:
        return _fnp()._getitem(self, idx)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


# ----------------------------------------------------------------------------- evaluation

def eval_jaxpr(jaxpr: Jaxpr, consts: Sequence[Any], *args: Any) -> list[Any]:
    """Evaluate ``jaxpr`` by binding each equation: under an enclosing trace this re-records
    the program there, which is how transformations compose.

    >>> import ftrans
    >>> cj = ftrans.make_jaxpr(lambda x: x * 3.0)(1.0)
    >>> eval_jaxpr(cj.jaxpr, cj.consts, np.float64(2.0))
    [6.0]
    """
    env: dict[Var, Any] = {}
    for v, x in zip(jaxpr.constvars, consts):
        env[v] = x
    for v, x in zip(jaxpr.invars, args):
        env[v] = x

    def read(a: Any) -> Any:
        return a.val if type(a) is Literal else env[a]

    for eqn in jaxpr.eqns:
        out = bind(eqn.prim, [read(a) for a in eqn.inputs], eqn.params)
        if eqn.prim.multiple_results:
            for v, o in zip(eqn.outputs, out):
                env[v] = o
        else:
            env[eqn.outputs[0]] = out
    return [read(a) for a in jaxpr.outvars]


def trace_to_jaxpr(fun: Callable[..., Sequence[Any]], avals: Sequence[ShapedArray],
                   why: str = "") -> tuple[Jaxpr, list[Any]]:
    """Trace ``fun`` (flat arguments to a flat list of outputs) abstractly; ``why`` names the
    transformation doing it, for ``ConcretizationError``."""
    with Trace(concrete=False, why=why) as trace:
        args = [trace.new_arg(a) for a in avals]
        outs = fun(*args)
        return trace.to_jaxpr(outs)


def closed(jaxpr: Jaxpr, consts: Sequence[Any]) -> ClosedJaxpr:
    return ClosedJaxpr(jaxpr, consts)


def known_value(x: Any) -> Any:
    """The concrete value behind ``x`` (through concrete tracers, however nested), or
    ``None`` when it is only known abstractly (under ``jit``, ``vmap``, ``make_jaxpr``).

    >>> known_value(3.0)
    3.0
    """
    while isinstance(x, Tracer):
        if x.val is None:
            return None
        x = x.val
    return x


def abstract_reason(x: Any) -> str:
    """Why ``x`` has no concrete value: 'abstract under jit' and the like, naming the
    transformation whose trace made it abstract (through concrete tracers, however nested);
    '' when its value is known.

    >>> with Trace(concrete=False, why="jit") as t:
    ...     print(abstract_reason(t.new_arg(ShapedArray((), np.dtype(np.float64)))))
    abstract under jit
    """
    while isinstance(x, Tracer):
        if x.val is None:
            return f"abstract under {x._trace.why or 'an abstract trace'}"
        x = x.val
    return ""


def is_tracer(x: Any) -> bool:
    return isinstance(x, Tracer)
