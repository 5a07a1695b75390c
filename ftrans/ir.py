"""The IR: abstract values, variables, equations and jaxprs, with a checker and a printer.

A jaxpr is a straight-line program in A-normal form::

    { lambda c:f64[3]; a:f64[] b:f64[]. let d:f64[] = div a b; e:f64[] = sin d in (e,) }

``constvars`` hold captured constants, ``invars`` the arguments, each ``Eqn`` applies one
primitive to atoms (variables or literals) and binds fresh variables.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import numpy as np

from .errors import DocumentedError

_SHORT_DTYPE = {
    "float16": "f16", "float32": "f32", "float64": "f64", "bfloat16": "bf16",
    "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64",
    "uint8": "u8", "uint16": "u16", "uint32": "u32", "uint64": "u64",
    "bool": "bool", "complex64": "c64", "complex128": "c128",
}


def short_dtype_name(dtype: np.dtype) -> str:
    """``float64`` -> ``f64``, as JAX prints dtypes."""
    return _SHORT_DTYPE.get(np.dtype(dtype).name, np.dtype(dtype).name)


class ShapedArray:
    """The abstract value (aval) of an array: its shape and dtype.

    Parameters
    ----------
    shape : sequence of int
        The array's shape.
    dtype : dtype-like
        The array's dtype.
    weak_type : bool, optional
        Whether the value came from a Python scalar, which adopts the dtype of the other
        operand (NumPy 2 promotion). Default ``False``.

    Attributes
    ----------
    shape : tuple of int
    dtype : numpy.dtype
    weak_type : bool
    ndim : int
        ``len(shape)``.
    size : int
        The number of elements.

    Examples
    --------
    >>> ShapedArray((2, 3), np.float32)
    f32[2,3]
    >>> ShapedArray((2, 3), np.float32).size
    6
    """

    __slots__ = ("shape", "dtype", "weak_type")

    def __init__(self, shape: Sequence[int], dtype: Any, weak_type: bool = False):
        # fast paths: shapes from NumPy are tuples of ints, dtypes already np.dtype
        self.shape = shape if type(shape) is tuple and all(type(d) is int for d in shape) \
            else tuple(int(d) for d in shape)
        self.dtype = dtype if isinstance(dtype, np.dtype) else np.dtype(dtype)
        self.weak_type = weak_type

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def str_short(self) -> str:
        return f"{short_dtype_name(self.dtype)}[{','.join(map(str, self.shape))}]"

    __repr__ = str_short

    def __eq__(self, other: object) -> bool:
        return (type(other) is ShapedArray and self.shape == other.shape
                and self.dtype == other.dtype)

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype))

    def strip_weak(self) -> ShapedArray:
        return ShapedArray(self.shape, self.dtype) if self.weak_type else self


def is_float_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is inexact: real or complex floating point (it has derivatives)."""
    dtype = dtype if isinstance(dtype, np.dtype) else np.dtype(dtype)
    return dtype.kind in "fc" or np.issubdtype(dtype, np.inexact)


def is_complex_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is complex.

    >>> is_complex_dtype(np.complex64), is_complex_dtype(np.float64)
    (True, False)
    """
    return (dtype if isinstance(dtype, np.dtype) else np.dtype(dtype)).kind == "c"


def real_dtype(dtype: Any) -> np.dtype:
    """The dtype of the real (and imaginary) part: complex64 -> float32, complex128 ->
    float64; any other dtype is its own.

    >>> real_dtype(np.complex64), real_dtype(np.float32)
    (dtype('float32'), dtype('float32'))
    """
    dtype = dtype if isinstance(dtype, np.dtype) else np.dtype(dtype)
    return np.empty((), dtype).real.dtype if dtype.kind == "c" else dtype


def complex_dtype(dtype: Any) -> np.dtype:
    """The complex dtype with parts of ``dtype``: float32 -> complex64, float64 (and
    integers) -> complex128; complex dtypes are their own.

    >>> complex_dtype(np.float32), complex_dtype(np.complex64)
    (dtype('complex64'), dtype('complex64'))
    """
    return np.result_type(dtype if isinstance(dtype, np.dtype) else np.dtype(dtype), 1j)


class Var:
    """A variable of a jaxpr; compared by identity, named only when printed."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    def __repr__(self) -> str:
        return f"Var({self.aval})"


class Literal:
    """A constant written inline in a jaxpr (a scalar)."""

    __slots__ = ("val", "aval")

    def __init__(self, val: Any, aval: ShapedArray):
        self.val = val
        self.aval = aval

    def __repr__(self) -> str:
        return f"{_format_scalar(self.val)}:{self.aval.str_short()}"


Atom = Var | Literal


def is_plus_zero(a: Any) -> bool:
    """``a`` is a literal +0 (not -0.0): what ``np.zeros`` fills a buffer with.

    >>> f64 = ShapedArray((), np.dtype(np.float64))
    >>> is_plus_zero(Literal(np.float64(0.0), f64)), is_plus_zero(Literal(-0.0, f64))
    (True, False)
    """
    if type(a) is not Literal:
        return False
    try:
        v = np.asarray(a.val)
        return v.ndim == 0 and bool(v == 0) and not (
            bool(np.signbit(v.real)) or bool(np.signbit(v.imag)))
    except (TypeError, ValueError):
        return False


class Eqn:
    """One equation ``outputs = prim[params] inputs``."""

    __slots__ = ("prim", "inputs", "outputs", "params")

    def __init__(self, prim: Any, inputs: Sequence[Atom], outputs: Sequence[Var],
                 params: dict[str, Any]):
        self.prim = prim
        self.inputs = inputs if type(inputs) is tuple else tuple(inputs)
        self.outputs = outputs if type(outputs) is tuple else tuple(outputs)
        self.params = params

    def __repr__(self) -> str:
        return pp_eqn(self, _Namer())


class Jaxpr:
    """A straight-line program: ``constvars``, ``invars``, ``eqns``, ``outvars``.

    Immutable; equations are ``Eqn(prim, inputs, outputs, params)``. ``str()`` pretty-prints
    it in JAX's notation; ``check_jaxpr`` type-checks it.

    Examples
    --------
    >>> import ftrans
    >>> jaxpr = ftrans.make_jaxpr(lambda x: x * 2.0)(1.0).jaxpr
    >>> len(jaxpr.invars), [e.prim.name for e in jaxpr.eqns]
    (1, ['mul'])
    """

    __slots__ = ("constvars", "invars", "eqns", "outvars", "__weakref__")

    def __init__(self, constvars: Sequence[Var], invars: Sequence[Var], eqns: Sequence[Eqn],
                 outvars: Sequence[Atom]):
        self.constvars = tuple(constvars)
        self.invars = tuple(invars)
        self.eqns = tuple(eqns)
        self.outvars = tuple(outvars)

    @property
    def in_avals(self) -> list[ShapedArray]:
        return [v.aval for v in self.invars]

    @property
    def out_avals(self) -> list[ShapedArray]:
        return [v.aval for v in self.outvars]

    def __str__(self) -> str:
        return pp_jaxpr(self)

    __repr__ = __str__


class ClosedJaxpr:
    """A jaxpr with the values of its constvars: what ``make_jaxpr`` returns.

    Parameters
    ----------
    jaxpr : Jaxpr
        The program: its constvars, invars, equations and outvars.
    consts : sequence of arrays
        The values of ``jaxpr``'s constvars, in order.

    Attributes
    ----------
    jaxpr : Jaxpr
    consts : list
    eqns : tuple of Eqn
        The program's equations, in order.
    in_avals, out_avals : list of ShapedArray
        The abstract values of its inputs and outputs.

    Examples
    --------
    >>> import ftrans
    >>> print(ftrans.make_jaxpr(lambda x: x * 2.0)(1.0))
    { lambda ; a:f64[]. let b:f64[] = mul a 2.0:f64[] in (b,) }
    """

    __slots__ = ("jaxpr", "consts")

    def __init__(self, jaxpr: Jaxpr, consts: Sequence[Any]):
        self.jaxpr = jaxpr
        self.consts = list(consts)

    @property
    def eqns(self) -> tuple[Eqn, ...]:
        return self.jaxpr.eqns

    @property
    def in_avals(self) -> list[ShapedArray]:
        return self.jaxpr.in_avals

    @property
    def out_avals(self) -> list[ShapedArray]:
        return self.jaxpr.out_avals

    def __str__(self) -> str:
        return pp_jaxpr(self.jaxpr)

    __repr__ = __str__


# ----------------------------------------------------------------------------- printing

class _Namer:
    def __init__(self) -> None:
        self.names: dict[int, str] = {}

    def __call__(self, atom: Atom) -> str:
        if type(atom) is Literal:
            return repr(atom)
        name = self.names.get(id(atom))
        if name is None:
            name = self.names[id(atom)] = _nth_name(len(self.names))
        return name

    def decl(self, var: Var) -> str:
        return f"{self(var)}:{var.aval.str_short()}"


def _nth_name(n: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    s = ""
    while True:
        s = letters[n % 26] + s
        n = n // 26 - 1
        if n < 0:
            return s


def _format_scalar(val: Any) -> str:
    v = np.asarray(val)
    if v.ndim:
        return f"array{v.shape}"
    x = v.item()
    return repr(x)


def _format_param(value: Any) -> str:
    if isinstance(value, (Jaxpr, ClosedJaxpr)):
        inner = pp_jaxpr(value if isinstance(value, Jaxpr) else value.jaxpr)
        return inner.replace("\n", "\n    ")
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return np.dtype(value).name
    return repr(value)


def pp_eqn(eqn: Eqn, name: _Namer) -> str:
    outs = " ".join(name.decl(v) for v in eqn.outputs)
    params = ""
    if eqn.params:
        params = "[" + " ".join(f"{k}={_format_param(eqn.params[k])}"
                                for k in sorted(eqn.params)) + "]"
    ins = " ".join(name(a) for a in eqn.inputs)
    return f"{outs} = {eqn.prim.name}{params} {ins}".rstrip()


def pp_jaxpr(jaxpr: Jaxpr) -> str:
    """Print a jaxpr as JAX does; short ones on one line."""
    name = _Namer()
    consts = " ".join(name.decl(v) for v in jaxpr.constvars)
    args = " ".join(name.decl(v) for v in jaxpr.invars)
    eqns = [pp_eqn(e, name) for e in jaxpr.eqns]
    outs = ", ".join(name(v) for v in jaxpr.outvars)
    outs = f"({outs},)" if len(jaxpr.outvars) == 1 else f"({outs})"
    head = f"{{ lambda {consts}; {args}. let"
    one_line = f"{head} {'; '.join(eqns)} in {outs} }}" if eqns else f"{head} in {outs} }}"
    if len(one_line) <= 100 and len(eqns) <= 1:
        return one_line.replace("let  in", "let in")
    body = "\n".join("    " + e for e in eqns)
    return f"{head}\n{body}\n  in {outs} }}"


# ----------------------------------------------------------------------------- checking

class JaxprTypeError(DocumentedError, TypeError):
    """A jaxpr is ill-formed: a variable used before it is bound, or avals that disagree."""


def check_jaxpr(jaxpr: Jaxpr) -> None:
    """Check that a jaxpr is well formed.

    Every variable is bound once before use, and every equation's output avals agree with
    its primitive's abstract evaluation.

    Parameters
    ----------
    jaxpr : Jaxpr
        The program to check (``make_jaxpr(f)(...).jaxpr``).

    Returns
    -------
    None

    Raises
    ------
    TypeError
        A ``JaxprTypeError`` naming the equation and what disagrees.

    Examples
    --------
    >>> import ftrans
    >>> check_jaxpr(ftrans.make_jaxpr(lambda x: x + 1.0)(2.0).jaxpr)
    """
    bound: set[int] = set()
    name = _Namer()

    def bind_var(v: Var) -> None:
        if id(v) in bound:
            raise JaxprTypeError(f"variable {name(v)} is bound twice")
        bound.add(id(v))

    def read(a: Atom, where: str) -> ShapedArray:
        if type(a) is Var and id(a) not in bound:
            raise JaxprTypeError(f"variable {name(a)} used in {where} before it is bound")
        return a.aval

    for v in (*jaxpr.constvars, *jaxpr.invars):
        bind_var(v)
    for eqn in jaxpr.eqns:
        in_avals = [read(a, eqn.prim.name) for a in eqn.inputs]
        out = eqn.prim.abstract_eval(*in_avals, **eqn.params)
        out_avals = out if eqn.prim.multiple_results else [out]
        if len(out_avals) != len(eqn.outputs):
            raise JaxprTypeError(f"{pp_eqn(eqn, name)}: expected {len(out_avals)} outputs")
        for v, av in zip(eqn.outputs, out_avals):
            if v.aval != av:
                raise JaxprTypeError(
                    f"{pp_eqn(eqn, name)}: output {name(v)} has aval {v.aval}, "
                    f"but {eqn.prim.name} gives {av}")
            bind_var(v)
    for a in jaxpr.outvars:
        read(a, "the outputs")


def atoms_in(eqns: Iterable[Eqn]) -> Iterable[Atom]:
    for e in eqns:
        yield from e.inputs


def last_uses(steps: Sequence[Any], outvars: Sequence[Atom] = ()) -> dict[Var, int]:
    """For each variable some step reads, the index of the last step reading it; ``outvars``
    count as read after the last step (``len(steps)``), so they are never dropped. A step is
    an equation, or anything with ``inputs`` (a fused group of them); interpreters drop a
    value once its last reader has run (pass the equations reversed for a backward walk).

    >>> a, b = Var(ShapedArray((), np.float64)), Var(ShapedArray((), np.float64))
    >>> eqns = [Eqn("sin", [a], [b], {}), Eqn("cos", [a], [Var(a.aval)], {})]
    >>> uses = last_uses(eqns, [b])
    >>> uses[a], uses[b]
    (1, 2)
    """
    last = {a: i for i, step in enumerate(steps) for a in step.inputs if type(a) is Var}
    if outvars:
        end = len(steps)
        last.update((a, end) for a in outvars if type(a) is Var)
    return last
