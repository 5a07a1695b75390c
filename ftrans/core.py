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

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import numpy as np

from .errors import (  # noqa: F401  (core's names too)
    ConcretizationError,
    TracerArrayConversionError,
    UnexpectedTracerError,
    check_int64,
    concretization_fix,
    stale_view,
    user_frame,
)
from .ir import Eqn, Jaxpr, Literal, ShapedArray, Var
from .primitive import PRIMITIVES, Primitive, register  # noqa: F401  (core's names too)
from .symbolic import UndefPrimal, Zero, instantiate, zeros  # noqa: F401  (core's names too)
from .xp import array_module, default_is_gpu, run_on_gpu, same_device  # noqa: F401

# ----------------------------------------------------------------------------- primitives

def _bind_method(self: Primitive, *args: Any, **params: Any) -> Any:
    return bind(self, args, params)


Primitive.bind = _bind_method  # type: ignore[method-assign]  (tracing's bind)

# ----------------------------------------------------------------------------- values

_SCALAR_TYPES = (bool, int, float, complex)
# Python scalars as NumPy 2 sees them (an int is int64; beyond it, see check_int64)
_WEAK_AVALS: dict[type, ShapedArray] = {
    t: ShapedArray((), np.dtype(d), weak_type=True)
    for t, d in ((bool, np.bool_), (int, np.int64), (float, np.float64), (complex, np.complex128))}
_SCALAR_AVALS: dict[np.dtype, ShapedArray] = {}  # shape () avals, shared (they are immutable)
_ARRAY_AVALS: dict[tuple, ShapedArray] = {}


def aval_of(x: Any) -> ShapedArray:
    """The aval of an array, scalar or tracer."""
    t = type(x)
    if t is np.ndarray or isinstance(x, np.generic):
        shape = x.shape
        if shape:  # shared, as they are immutable (rules make many arrays of one shape)
            av = _ARRAY_AVALS.get((shape, x.dtype))
            if av is None:
                av = ShapedArray(shape, x.dtype)
                if len(_ARRAY_AVALS) < 4096:
                    _ARRAY_AVALS[(shape, x.dtype)] = av
            return av
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


def _value_aval(x: Any, like: ShapedArray | None) -> ShapedArray:
    """The (strong) aval of a computed value, sharing ``like`` when they agree."""
    if type(x) is np.ndarray or isinstance(x, np.generic):
        if like is not None and not like.weak_type and x.shape == like.shape \
                and x.dtype == like.dtype:
            return like
        return ShapedArray(x.shape, x.dtype)
    return aval_of(x).strip_weak()


# ----------------------------------------------------------------------------- traces

class _ThreadState(threading.local):
    """Tracing state of one thread: traces nest per thread, so threads trace independently."""

    def __init__(self) -> None:
        self.trace_stack: list[Trace] = []
        # id(tracer of a finished trace) -> (that tracer, the value standing for it): see
        # rebinding
        self.rebound: dict[int, tuple[Tracer, Any]] = {}


_thread = _ThreadState()
_REBINDING: dict[int, int] = {}  # thread id -> rebinding depth (bind reads _thread if any)


@contextmanager
def rebinding(tracers: Sequence[Any], values: Sequence[Any]) -> Iterator[None]:
    """Inside, ``tracers`` stand for ``values`` wherever they are bound: a rule that runs a
    user's function again (a custom jvp rule under ``grad``, maybe after the trace that
    recorded the function has finished) meets the tracers that function closes over, and
    reads them as the values its equation was given for them.

    >>> import ftrans, ftrans.numpy as fnp
    >>> with Trace(concrete=True) as t:
    ...     x = t.new_arg(ShapedArray((), np.dtype("float64")), np.float64(2.0))
    >>> with rebinding([x], [np.float64(3.0)]):
    ...     print(fnp.sin(x) == np.sin(3.0))
    True
    """
    pairs = [(t, v) for t, v in zip(tracers, values) if isinstance(t, Tracer)]
    saved = {id(t): _thread.rebound.get(id(t)) for t, _ in pairs}
    _thread.rebound.update((id(t), (t, v)) for t, v in pairs)
    me = threading.get_ident()  # each thread changes only its own entry: no race
    _REBINDING[me] = _REBINDING.get(me, 0) + 1
    try:
        yield
    finally:
        _REBINDING[me] -= 1
        if not _REBINDING[me]:
            del _REBINDING[me]
        for key, old in saved.items():
            if old is None:
                _thread.rebound.pop(key, None)
            else:
                _thread.rebound[key] = old


def _rebound(a: Any) -> Any:
    """``a``, or the value it stands for if it is a finished trace's rebound tracer."""
    entry = _thread.rebound.get(id(a)) if isinstance(a, Tracer) else None
    return entry[1] if entry is not None and entry[0] is a else a
# not None while some thread checks for NaNs (ftrans.config.debug_nans): the one test bind
# makes per primitive; the check itself asks whether the current thread has it on
nan_check: Callable[[Primitive, Any], None] | None = None


def bind(prim: Primitive, args: Sequence[Any], params: dict[str, Any]) -> Any:
    """Apply ``prim``: record it in the innermost trace owning an argument, or compute it."""
    if _REBINDING and _thread.rebound:
        args = [_rebound(a) for a in args]
    top = None
    plain = True  # NumPy arrays and floats only (a rule's arithmetic on values)
    for a in args:
        ta = type(a)
        if ta is np.ndarray or ta is np.float64 or ta is float:
            continue
        plain = False
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
        xp = np if plain and not default_is_gpu() else array_module(args)
        if xp is not np:
            out = run_on_gpu(prim, xp, args, params)
        else:
            out = prim.impl(xp, *args, **params)
        if nan_check is not None:  # set by ftrans.config.debug_nans
            nan_check(prim, out)
        return out
    return top.process(prim, args, params)


def bind_traced(prim: Primitive, tracer: Tracer, args: Sequence[Any],
                params: dict[str, Any]) -> Any:
    """``bind(prim, args, params)`` where ``tracer`` is the only tracer among ``args``."""
    trace = tracer._trace
    if _REBINDING or not trace.active:
        return bind(prim, args, params)
    return trace.process(prim, args, params)


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
        if type(x) is np.ndarray and x.ndim:  # fast path: an array constant (a residual)
            entry = self.consts.get(id(x))
            if entry is None:
                entry = self.consts[id(x)] = (Var(aval_of(x)), x)
                if self.concrete:
                    self.values[entry[0]] = x
            return entry[0]
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
                raise stale_view(where)

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

class Tracer:
    """A value inside a trace: its variable, its aval, and (in a concrete trace) its value.

    Its NumPy face (operators, ``x.T``, ``x.sum()``, indexing, ``__array_ufunc__``,
    ``__array_function__``) is attached by ``ftrans.numpy`` (``numpy/_tracer.py``), as JAX
    attaches its array methods: the core knows no NumPy face.
    """

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

    def __len__(self) -> int:
        if not self.aval.shape:
            raise TypeError("len() of unsized object (a 0-d traced array)")
        return self.aval.shape[0]

    def __repr__(self) -> str:
        kind = "Concrete" if self.val is not None else "Abstract"
        shown = f", value={self.val!r}" if self.val is not None else ""
        return f"Traced<{kind} {self.aval.str_short()}{shown}>"

    # --- concrete values
    def _concrete(self, what: str, kind: str) -> Any:
        if self.val is None:
            derivative = any(t.concrete and not t.detached for t in _thread.trace_stack)
            fix = concretization_fix(kind, self._trace.why, derivative)
            raise ConcretizationError(
                f"{what} needs a concrete value, but this is an abstract traced array "
                f"{self.aval.str_short()} ({abstract_reason(self)}) at {user_frame()}. {fix}")
        return self.val

    def __bool__(self) -> bool:
        return bool(self._concrete("bool() (an `if`, `while`, `and`/`or`)", "if"))

    def __float__(self) -> float:
        val = self._concrete("float()", "if")
        if np.dtype(self.aval.dtype).kind in "fc":  # JAX raises here too
            raise ConcretizationError(
                f"float() of a traced {self.aval.str_short()} at {user_frame()} would drop it "
                "from the derivative being computed (math.sin(x), float(x) and the like see a "
                "constant). Use ftrans.numpy functions (fnp.sin(x)) or x.astype(float); "
                "x.item() if a constant is really meant.")
        return float(val)

    def __complex__(self) -> complex:
        val = self._concrete("complex()", "if")
        if np.dtype(self.aval.dtype).kind in "fc":  # as float(): it would drop the tracer
            raise ConcretizationError(
                f"complex() of a traced {self.aval.str_short()} at {user_frame()} would drop it "
                "from the derivative being computed. Use ftrans.numpy functions, or x.item() "
                "if a constant is really meant.")
        return complex(val)

    def __format__(self, spec: str) -> str:
        if self.val is not None and spec:
            return format(self.val, spec)  # a concrete value prints (nothing is dropped)
        return format(repr(self), spec)

    def __int__(self) -> int:
        return int(self._concrete("int()", "index"))

    def __index__(self) -> int:
        return int(self._concrete("using a traced value as an index", "index"))

    def item(self) -> Any:
        v = self._concrete(".item()", "if")
        return v.item() if hasattr(v, "item") else v

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if self.val is not None and self._trace.consts.get(id(self.val), (None,))[0] \
                is self._var:  # a constant lifted into the trace: it carries no dependence
            return np.asarray(self.val, dtype)
        raise TracerArrayConversionError(self._conversion_message(self, user_frame()))

    @staticmethod
    def _conversion_message(tracer: Tracer, where: str) -> str:
        """The message of ``TracerArrayConversionError`` (``ftrans.numpy`` gives a better one)."""
        return (f"a traced array {tracer.aval.str_short()} was converted to a NumPy array at "
                f"{where}; use ftrans.numpy functions on traced arrays")

    __hash__ = None  # type: ignore[assignment]

    if TYPE_CHECKING:  # the NumPy face, attached by ftrans.numpy (numpy/_tracer.py)
        def _op(self, other: Any) -> Any: ...
        def _unary(self) -> Any: ...
        def __getattr__(self, name: str) -> Any: ...
        __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ \
            = __pow__ = __rpow__ = __matmul__ = __rmatmul__ = __and__ = __rand__ = __or__ \
            = __ror__ = __xor__ = __rxor__ = __lshift__ = __rlshift__ = __rshift__ = __rrshift__ \
            = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __divmod__ = __rdivmod__ \
            = __lt__ = __le__ = __gt__ = __ge__ = __getitem__ = __eq__ = __ne__ = _op  # type: ignore
        __neg__ = __pos__ = __abs__ = __invert__ = _unary
        T = real = imag = property(_unary)

    def _become(self, other: Tracer) -> None:
        """Rebind this tracer to ``other``'s value (item assignment: ftrans.numpy._mutation)."""
        self._var, self.aval, self.val = other._var, other.aval, other.val

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
