"""Derivatives taken during the concrete forward pass: one pass, as a tape.

``OnlineTrace`` is a concrete trace (it computes and records the user's program like any
other) that also applies each primitive's ``jvp`` rule as soon as the primitive has run, on
the values just computed. The tangents are either

- tracers of an abstract *tangent trace* (``linearize``): the rules then record only the
  linear program, and everything they compute from primal values alone enters it as a
  constant, a residual; this is ``linearize_jaxpr`` done on the fly, or
- concrete values (forward mode, ``jvp``): the rules compute the output tangents at once.

The rules are the primitives' own ``jvp`` rules (no second set); what changes is only when
they run. Because nothing waits for a later pass, the trace keeps no primal values: a value
lives as long as the user's code or a residual holds it (peak memory is then that of the
forward pass plus the residuals), and no jaxpr is walked again.

>>> import numpy as np
>>> from ftrans.ir import ShapedArray
>>> from ftrans.prims import ops
>>> with OnlineTrace(Trace(concrete=False, why="linearize")) as t:
...     x = t.new_arg(ShapedArray((2,), np.dtype(np.float64)), np.zeros(2))
...     y = ops.sin(x) * 3.0
...     lin, residuals = t.linear_jaxpr([y])
>>> print(lin)
{ lambda a:f64[2]; b:f64[2]. let
    c:f64[2] = mul b a
    d:f64[2] = mul c 3.0:f64[]
  in (d,) }
>>> residuals  # cos(x)
[array([1., 1.])]
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import core
from ..config import check_rule, nans_checked
from ..core import Primitive, Trace, Tracer, Zero, aval_of, instantiate
from ..ir import Eqn, Jaxpr, Literal, ShapedArray, Var
from ..xp import array_module

_SCALARS = (bool, int, float, complex, np.generic)
_F64 = aval_of(np.float64(0.0))  # a float64 scalar's aval (shared)


def _as_literal(x: Any) -> Any:
    """An operand as a jaxpr holds it, for the rules: a 0-d array as a NumPy scalar."""
    return x[()] if type(x) is np.ndarray and x.ndim == 0 else x


class _NotKept(dict):
    """The ``values`` of an online trace: primal values are not kept (the tracers and the
    residuals hold what is still needed)."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


class TangentTrace(Trace):
    """The abstract trace recording an online trace's linear program (its tangents): a
    ``Trace`` recording the commonest equation (one output, one or two operands, as the
    rules make them) without the general path's lists.

    >>> import numpy as np
    >>> from ftrans.prims import ops
    >>> with TangentTrace("linearize") as t:
    ...     x = t.new_arg(ShapedArray((2,), np.dtype(np.float64)))
    ...     print(t.to_jaxpr([ops.mul(x, np.ones(2))])[0])
    { lambda a:f64[2]; b:f64[2]. let c:f64[2] = mul b a in (c,) }
    """

    def __init__(self, why: str = ""):
        super().__init__(concrete=False, why=why)

    def process(self, prim: Primitive, args: Sequence[Any], params: dict[str, Any]) -> Any:
        n = len(args)
        if prim.multiple_results or self.stale or not 0 < n <= 2:
            return super().process(prim, args, params)
        a = args[0]
        va = a._var if type(a) is Tracer and a._trace is self else self.to_atom(a)
        if n == 1:
            atoms: tuple = (va,)
            aval = prim.abstract_eval(va.aval, **params)  # type: ignore[misc]
        else:
            b = args[1]
            tb = type(b)
            vb = (b._var if tb is Tracer and b._trace is self
                  else Literal(b, _F64) if tb is np.float64 else self.to_atom(b))
            atoms = (va, vb)
            aval = prim.abstract_eval(va.aval, vb.aval, **params)  # type: ignore[misc]
        var = Var(aval)
        self.eqns.append(Eqn(prim, atoms, (var,), params))
        return Tracer(self, var, None)


class OnlineTrace(Trace):
    """A concrete trace applying the jvp rules as it goes (see the module's docstring).

    ``tangent_trace`` is the abstract trace recording the linear program, or ``None`` when
    the tangents are values (forward mode: ``new_arg`` is then given each input's tangent).
    """

    def __init__(self, tangent_trace: Trace | None):
        super().__init__(concrete=True)
        self.values = _NotKept()
        self.tangent_trace = tangent_trace
        self.tangents: dict[Var, Any] = {}  # non-zero tangents of this trace's variables

    def new_arg(self, aval: ShapedArray, val: Any = None, tangent: Any = None) -> Tracer:
        var = Var(aval.strip_weak())  # Trace.new_arg's work (values are not kept)
        self.invars.append(var)
        tt = self.tangent_trace
        if tt is not None:  # an input of the linear program: TangentTrace.new_arg's work
            tv = Var(var.aval)
            tt.invars.append(tv)
            self.tangents[var] = Tracer(tt, tv, None)
        elif tangent is not None and type(tangent) is not Zero:
            self.tangents[var] = tangent
        return Tracer(self, var, val)

    def process(self, prim: Primitive, args: Sequence[Any], params: dict[str, Any]) -> Any:
        if prim.multiple_results or prim.impl is None or core.nan_check is not None \
                or self.stale:
            return self._differentiate(prim, args, params, super().process(prim, args, params))
        tangents = self.tangents
        if len(args) == 1 and not prim.view:  # fastest path: a unary op on a NumPy value
            a = args[0]
            if type(a) is Tracer and a._trace is self:
                v = a.val
                if type(v) is np.ndarray or type(v) is np.float64:
                    y = prim.impl(np, v, **params) if params else prim.impl(np, v)
                    av = a.aval  # shared when the op keeps shape and dtype (sin, cos...)
                    var = Var(av if type(y) is np.ndarray and y.dtype is av.dtype
                              and y.shape == av.shape else aval_of(y).strip_weak())
                    out = Tracer(self, var, y)
                    t = tangents.get(a._var)
                    if t is None:
                        return out
                    tt, jvp = self.tangent_trace, prim.jvp
                    if tt is None or jvp is None:
                        self._tangent(prim, [v], y, [t], params, var)
                        return out
                    stack = core._thread.trace_stack  # tt.__enter__, __exit__ inlined
                    tt.level = len(stack)
                    stack.append(tt)
                    tt.active = True
                    try:
                        t = jvp([v], y, [t], **params) if params else jvp([v], y, [t])
                    finally:
                        stack.pop()
                        tt.active = False
                    if type(t) is not Zero:
                        tangents[var] = t
                    return out
        elif len(args) == 2 and not prim.view:  # a binary op on NumPy values
            a, b = args  # each a traced value or a float64 constant (a literal)
            if type(a) is Tracer and a._trace is self:
                va = a.val
                ta = tangents.get(a._var)
                ok = type(va) is np.ndarray or type(va) is np.float64
            else:
                va, ta, ok = a, None, type(a) is np.float64
            if ok:
                if type(b) is Tracer and b._trace is self:
                    vb = b.val
                    tb = tangents.get(b._var)
                    ok = type(vb) is np.ndarray or type(vb) is np.float64
                else:
                    vb, tb, ok = b, None, type(b) is np.float64
            if ok:
                y = prim.impl(np, va, vb, **params)
                var = Var(aval_of(y) if type(y) is np.ndarray else aval_of(y).strip_weak())
                out = Tracer(self, var, y)
                if ta is None and tb is None:
                    return out
                self._tangent(prim, [va, vb], y, [Zero(aval_of(va)) if ta is None else ta,
                                                  Zero(aval_of(vb)) if tb is None else tb],
                              params, var)
                return out
        # fast path, Trace.process's work for the commonest case (NumPy values, one output)
        # done in the same walk over the operands that collects their tangents
        atoms: list[Any] = []
        vals: list[Any] = []
        t_in: list[Any] = []
        live = consts = False
        # only NumPy's views are recorded (item assignment looks for them: numpy._mutation);
        # nothing else reads this trace's equations (the derivative is taken as it goes)
        record = prim.view
        for a in args:
            if type(a) is Tracer and a._trace is self:
                v = a.val
                t = type(v)
                if t is not np.ndarray and t is not np.float64:  # maybe a tracer, CuPy...
                    if isinstance(v, Tracer) or array_module([v]) is not np:
                        return self._differentiate(prim, args, params,
                                                   super().process(prim, args, params))
                var = a._var
                atoms.append(var)
                vals.append(v)
                tan = tangents.get(var)
                if tan is None:
                    tan = Zero(var.aval)
                else:
                    live = True
                t_in.append(tan)
            elif isinstance(a, Tracer):  # a tracer of an enclosing trace
                return self._differentiate(prim, args, params,
                                           super().process(prim, args, params))
            else:  # a constant: registered (results must not alias it), a scalar not kept
                atoms.append(self.to_atom(a) if record or not isinstance(a, _SCALARS) else a)
                vals.append(a)
                t_in.append(None)
                consts = True
        if consts and array_module(vals) is not np:
            return self._differentiate(prim, args, params, super().process(prim, args, params))
        y = prim.impl(np, *vals, **params)
        var = Var(aval_of(y) if type(y) is np.ndarray else aval_of(y).strip_weak())
        if record:
            self.eqns.append(Eqn(prim, tuple(atoms), (var,), params))
        out = Tracer(self, var, y)
        if not live:  # no input moves: neither does the output
            return out
        if consts:  # constants: as a jaxpr holds them, with zero tangents
            for i, t in enumerate(t_in):
                if t is None:
                    vals[i] = p = _as_literal(vals[i])
                    t_in[i] = Zero(aval_of(p))
        self._tangent(prim, vals, y, t_in, params, var)
        return out

    def _tangent(self, prim: Primitive, primals: list[Any], y: Any, t_in: list[Any],
                 params: dict[str, Any], var: Var) -> None:
        """Apply ``prim``'s jvp rule (one output ``y``, of variable ``var``) to ``t_in``."""
        jvp = prim.jvp
        if jvp is None:
            raise NotImplementedError(f"differentiation rule for '{prim.name}' is not "
                                      "implemented")
        tt = self.tangent_trace
        if tt is None:  # forward mode: the tangents are values
            t_out = jvp(primals, y, t_in, **params)
        else:  # tt.__enter__, __exit__ inlined (a per-primitive cost)
            stack = core._thread.trace_stack
            tt.level = len(stack)
            stack.append(tt)
            tt.active = True
            try:
                t_out = jvp(primals, y, t_in, **params)
            finally:
                stack.pop()
                tt.active = False
        if type(t_out) is not Zero:
            self.tangents[var] = t_out

    def _differentiate(self, prim: Primitive, args: Sequence[Any], params: dict[str, Any],
                       out: Any) -> Any:
        """Apply ``prim``'s jvp rule to ``out = prim(*args)``, computed and recorded."""
        t_in, primals = [], []
        live = False
        for a in args:
            if isinstance(a, Tracer) and a._trace is self:
                t = self.tangents.get(a._var)
                if t is None:
                    t = Zero(a.aval)
                else:
                    live = True
                primals.append(a.val)
            else:
                t = None
                primals.append(_as_literal(a))
            t_in.append(t)
        if not live:  # no input moves: neither does the output
            return out
        t_in = [Zero(aval_of(a)) if t is None else t for a, t in zip(primals, t_in)]
        return self._apply_rule(prim, primals, out, t_in, params)

    def _apply_rule(self, prim: Primitive, primals: list[Any], out: Any, t_in: list[Any],
                    params: dict[str, Any]) -> Any:
        if prim.jvp is None:
            raise NotImplementedError(f"differentiation rule for '{prim.name}' is not "
                                      "implemented")
        tt = self.tangent_trace
        if tt is not None:
            tt.__enter__()
        try:
            if prim.multiple_results:
                t_out = prim.jvp(primals, [o.val for o in out], t_in, **params)
            else:
                t_out = (prim.jvp(primals, out.val, t_in, **params),)
        finally:
            if tt is not None:
                tt.__exit__(None, None, None)
        if core.nan_check is not None and nans_checked():
            check_rule(prim, t_out, "jvp")
        for o, t in zip(out if prim.multiple_results else (out,), t_out):
            if type(t) is not Zero:
                self.tangents[o._var] = t
        return out

    def output_tangents(self, atoms: Sequence[Any]) -> list[Any]:
        """The tangents of a jaxpr's outvars ``atoms`` (``Zero`` where none moves)."""
        return [self.tangents.get(a, Zero(a.aval)) if type(a) is Var else Zero(a.aval)
                for a in atoms]

    def linear_jaxpr(self, outs: Sequence[Any]) -> tuple[Jaxpr, list[Any]]:
        """The linear map from the inputs' tangents to those of ``outs`` (values of this
        trace, or anything else: their tangent is zero), and its residuals."""
        tt = self.tangent_trace
        assert tt is not None, "linear_jaxpr needs a tangent trace"
        outvars = []
        for o in outs:  # fast path: every output moves (its tangent is a tangent tracer)
            t = self.tangents.get(o._var) if type(o) is Tracer and o._trace is self else None
            if type(t) is not Tracer or t._trace is not tt:
                break
            outvars.append(t._var)
        else:
            if not tt.stale:
                return (Jaxpr([v for v, _ in tt.consts.values()], tt.invars, tt.eqns, outvars),
                        [c for _, c in tt.consts.values()])
        atoms = [self.to_atom(o) for o in outs]
        with tt:
            return tt.to_jaxpr([instantiate(t) for t in self.output_tangents(atoms)])
