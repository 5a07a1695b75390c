"""Closed jaxprs, the form in which higher-order primitives (control flow, custom rules) hold
their bodies: tracing a function into one, with the tracers it closes over hoisted into
leading inputs (a primitive's params never hold tracers), and calling one.

>>> import numpy as np
>>> from ftrans.ir import ShapedArray
>>> cj = trace_closed(lambda x: [x * 2.0], [ShapedArray((), np.float64)])
>>> call(cj, np.float64(3.0))
[6.0]
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..core import Tracer, eval_jaxpr, trace_to_jaxpr
from ..ir import ClosedJaxpr, Jaxpr, ShapedArray


def close_jaxpr(jaxpr: Jaxpr, consts: Sequence[Any]) -> tuple[ClosedJaxpr, list[Any]]:
    """Hoist the tracer consts of a traced jaxpr into leading invars: returns the closed jaxpr
    (keeping plain-array consts) and the hoisted values, to be passed as operands."""
    keep = [(v, c) for v, c in zip(jaxpr.constvars, consts) if not isinstance(c, Tracer)]
    hoist = [(v, c) for v, c in zip(jaxpr.constvars, consts) if isinstance(c, Tracer)]
    j = Jaxpr([v for v, _ in keep], [*(v for v, _ in hoist), *jaxpr.invars], jaxpr.eqns,
              jaxpr.outvars)
    return ClosedJaxpr(j, [c for _, c in keep]), [c for _, c in hoist]


def trace_closed(fun: Callable[..., Sequence[Any]], avals: Sequence[ShapedArray],
                 why: str = "a control-flow derivative or batching rule") -> ClosedJaxpr:
    """Trace a flat function whose closure holds no tracers into a ``ClosedJaxpr``."""
    jaxpr, consts = trace_to_jaxpr(fun, avals, why)
    closed, hoisted = close_jaxpr(jaxpr, consts)
    assert not hoisted, "a rule's jaxpr captured a tracer"
    return closed


class CompiledJaxpr(ClosedJaxpr):
    """A closed jaxpr with ``run(args) -> outs``, its compiled form: what a backend hands a
    higher-order primitive's ``impl`` in place of a body, so that each step of a loop runs
    generated code instead of binding equation after equation. ``call`` runs it on arrays
    (under a trace it binds the equations, as for any closed jaxpr).

    >>> import numpy as np
    >>> from ftrans.ir import ShapedArray
    >>> cj = trace_closed(lambda x: [x * 2.0], [ShapedArray((), np.float64)])
    >>> call(CompiledJaxpr(cj, lambda args: [args[0] * 3.0]), np.float64(1.0))
    [3.0]
    """

    __slots__ = ("run",)

    def __init__(self, cj: ClosedJaxpr, run: Callable[[list[Any]], list[Any]]):
        super().__init__(cj.jaxpr, cj.consts)
        self.run = run


def runner(cj: ClosedJaxpr) -> Callable[[list[Any]], list[Any]]:
    """``run(args) -> outs`` for ``cj`` on arrays (never tracers): its compiled form if it
    has one, else evaluation equation by equation. A loop's impl takes it once.

    >>> import numpy as np
    >>> from ftrans.ir import ShapedArray
    >>> runner(trace_closed(lambda x: [x * 2.0], [ShapedArray((), np.float64)]))([1.5])
    [3.0]
    """
    if type(cj) is CompiledJaxpr:
        return cj.run
    return lambda args: eval_jaxpr(cj.jaxpr, cj.consts, *args)


def call(cj: ClosedJaxpr, *args: Any) -> list[Any]:
    """``cj`` evaluated on ``args``: by its compiled form where a backend gave it one and no
    argument is traced, else by binding each equation (re-recorded under a trace)."""
    if type(cj) is CompiledJaxpr:
        for a in args:
            if isinstance(a, Tracer):
                break
        else:
            return cj.run(list(args))
    return eval_jaxpr(cj.jaxpr, cj.consts, *args)
