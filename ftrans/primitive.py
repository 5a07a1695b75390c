"""A primitive: an operation of the IR, declared once with all its rules and facts, and
the registry of primitives by name (``PRIMITIVES``).

Every rule a transformation, backend or analysis reads is an attribute here, so the
primitive's module sets them all in one place. ``bind`` is tracing's (``ftrans.core``):
the class is on the ground floor, so that what reads a primitive's facts needs no trace.

>>> import ftrans  # declares the primitives
>>> cos, dot = PRIMITIVES["cos"], PRIMITIVES["dot_general"]
>>> cos.family, cos.ufunc, dot.contraction
('elementwise', 'cos', True)
"""

from __future__ import annotations

from typing import Any, Callable


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
    - ``same_order(in_aval, **params)``: whether the output lists the operand's elements in
      the same (row-major) order (a reshape; a transpose moving only axes of length 1), so
      that a backend may read the operand in place;
    - ``py_expr``: a Python expression over ``_np`` (``{0}``, ``{1}``... the operands), or a
      function ``(in_avals, **params)`` giving one or ``None``, that the NumPy backend emits
      instead of calling ``impl`` (cheaper for small arrays in loops);
    - ``embed(in_aval, **params)``: where the output holds the first operand, as a tuple of
      slices, every other element being the second operand (a scalar: ``pad``); backends
      write the operand into a filled buffer, or add it into a buffer in place;
    - ``loop(**params)``: a loop over the leading axis of its trailing operands (``scan``):
      ``(body, num_consts, num_carry, length, reverse)``, the body a closed jaxpr
      ``(consts, carries, slices) -> (carries, slices of the stacked outputs)``, for backends
      writing the loop inline;
    - ``rewrite(eqn)``: an equivalent closed jaxpr (inputs to outputs) that runs faster, or
      ``None``; ``jit``'s optimizer applies it (``opt.rules``).

    >>> import numpy as np
    >>> import ftrans.core  # puts ``bind`` here
    >>> p = Primitive("twice")
    >>> p.impl = lambda xp, x: 2 * x
    >>> p.bind(np.float64(3.0))
    6.0
    """

    __slots__ = ("name", "multiple_results", "impl", "abstract_eval", "jvp", "transpose",
                 "batch", "cuda", "family", "deps", "cost", "ufunc", "scalar_math",
                 "primal_rule", "view", "cuda_fuses", "cuda_reduce", "c_expr",
                 "selector_operand", "broadcasts", "contraction", "new_buffer", "commutative",
                 "same_order", "py_expr", "embed", "loop", "rewrite")

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
        self.same_order: Callable | None = None
        self.py_expr: str | Callable | None = None
        self.embed: Callable | None = None  # where a pad writes its operand (slices)
        self.loop: Callable | None = None  # a loop's structure, for inline code
        self.rewrite: Callable | None = None  # a faster equivalent jaxpr (opt.rules)

    def bind(self, *args: Any, **params: Any) -> Any:
        """Record this primitive in the innermost trace owning an argument, or compute it
        (``ftrans.core.bind``, which importing ``ftrans.core`` puts here)."""
        raise RuntimeError("ftrans.core is not imported")  # replaced by ftrans.core

    def __repr__(self) -> str:
        return self.name

    def __reduce__(self) -> tuple:  # by name: a jaxpr pickled here runs in another process
        return primitive_named, (self.name,)


PRIMITIVES: dict[str, Primitive] = {}


def register(prim: Primitive) -> Primitive:
    """Enter ``prim`` in ``PRIMITIVES`` under its name; returns it.

    >>> register(Primitive("twice_again")) is PRIMITIVES.pop("twice_again")
    True
    """
    PRIMITIVES[prim.name] = prim
    return prim


def primitive_named(name: str) -> Primitive:
    """The registered primitive ``name``: how pickled jaxprs name their primitives
    (``ftrans.distributed`` ships them to workers), found in the registry of the process
    that unpickles them, which imported ftrans and so registered them all.

    >>> import ftrans, pickle
    >>> primitive_named("sin") is pickle.loads(pickle.dumps(PRIMITIVES["sin"]))
    True
    """
    try:
        return PRIMITIVES[name]
    except KeyError:
        raise KeyError(f"no primitive named {name!r} is registered in this process: is the "
                       "same version of ftrans installed where the jaxpr was pickled?") from None
