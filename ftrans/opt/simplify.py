"""Algebraic simplification: local rewrites that remove work without changing results.

- ``x * 1``, ``1 * x`` (1 a literal, a constant of ones or a broadcast of one), ``x / 1``,
  ``x + 0``, ``0 + x``, ``x - 0`` become ``x`` (when the result has ``x``'s shape and
  dtype), ``-(-x)`` becomes ``x``;
- a broadcast of a broadcast is one broadcast; a transpose of a transpose is one transpose;
  a reshape of a reshape is one reshape; shape ops that change nothing disappear;
- a ``dot_general`` with an identity matrix (the basis ``jacfwd``/``jacrev`` feed in) becomes
  the other operand, transposed into place; an identity scaled by a broadcast vector (a
  diagonal matrix) times a matrix becomes a broadcast multiply;
- the sum over its batch axes of a batched ``dot_general`` is one ``dot_general``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..ir import Eqn, Jaxpr, Literal, ShapedArray, Var
from ..prims.dot import dot_general_p
from ..prims.elementwise import add_p, div_p, mul_p, neg_p, sub_p
from ..prims.reduce import reduce_sum_p
from ..prims.shape import broadcast_in_dim_p, convert_element_type_p, reshape_p, transpose_p
from ._rewrite import rebuild, with_inputs


def _is_scalar_lit(a: Any, value: float) -> bool:
    if type(a) is not Literal:
        return False
    try:
        v = np.asarray(a.val)
        return v.ndim == 0 and bool(v == value)
    except (TypeError, ValueError):
        return False


def _same_aval(a: Any, v: Var) -> bool:
    return type(a) is Var and a.aval.shape == v.aval.shape and a.aval.dtype == v.aval.dtype


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(d for d in shape if d != 1)


def _is_identity(x: Any) -> bool:
    """``x`` is a (NumPy) identity matrix, possibly with extra axes of size 1."""
    if not isinstance(x, np.ndarray) or x.ndim < 2:
        return False
    sq = _squeezed(x.shape)
    if len(sq) != 2 or sq[0] != sq[1]:
        return False
    m = x.reshape(sq)
    return bool(np.count_nonzero(m) == sq[0] and np.all(np.diagonal(m) == 1))


class _Simplifier:
    def __init__(self, jaxpr: Jaxpr, consts: Sequence[Any]):
        self.known: dict[Var, Any] = dict(zip(jaxpr.constvars, consts))
        self.producer: dict[Var, Eqn] = {}
        self.env: dict[Any, Any] = {}
        self.eqns: list[Eqn] = []
        self.reads: dict[Var, int] = {}
        for a in [a for e in jaxpr.eqns for a in e.inputs] + list(jaxpr.outvars):
            if type(a) is Var:
                self.reads[a] = self.reads.get(a, 0) + 1

    def alias(self, out: Var, x: Any) -> None:
        self.env[out] = x

    def emit(self, eqn: Eqn) -> None:
        self.eqns.append(eqn)
        for v in eqn.outputs:
            self.producer[v] = eqn

    def emit_new(self, prim: Any, inputs: list[Any], out: Var, **params: Any) -> None:
        self.emit(Eqn(prim, inputs, [out], params))

    def prod(self, a: Any) -> Eqn | None:
        return self.producer.get(a) if type(a) is Var else None

    def is_ones(self, a: Any) -> bool:
        """``a`` is all ones: a literal 1, a constant of ones, or a broadcast of either."""
        if _is_scalar_lit(a, 1):
            return True
        if type(a) is not Var:
            return False
        if a in self.known:
            v = self.known[a]
            return isinstance(v, (np.ndarray, np.generic)) and bool(np.all(v == 1))
        e = self.producer.get(a)
        return e is not None and e.prim is broadcast_in_dim_p and self.is_ones(e.inputs[0])

    def is_eye(self, a: Any) -> bool:
        return type(a) is Var and a in self.known and _is_identity(self.known[a])

    def step(self, eqn: Eqn) -> None:
        rule = None if eqn.prim.multiple_results else _RULES.get(eqn.prim)
        if rule is None or not rule(self, eqn, eqn.inputs, eqn.outputs[0]):
            self.emit(eqn)

    def sum_of_batched_dot(self, eqn: Eqn) -> bool:
        """The sum over the batch axes of a batched ``dot_general`` read nowhere else is one
        ``dot_general`` contracting them too (a loop's summed outer products: one matrix
        product, no stack of them)."""
        x = eqn.inputs[0]
        if not isinstance(x, Var):
            return False
        inner = self.prod(x)
        if inner is None or not inner.prim.contraction or self.reads.get(x) != 1:
            return False
        (lc, rc), (lb, rb) = inner.params["dimension_numbers"]
        if not lb or tuple(eqn.params["axes"]) != tuple(range(len(lb))):
            return False
        self.emit(Eqn(inner.prim, inner.inputs, eqn.outputs,
                      dict(inner.params, dimension_numbers=((tuple(lb) + tuple(lc),
                                                             tuple(rb) + tuple(rc)),
                                                            ((), ())))))
        return True

    def chain(self, x: Any, perm: tuple[int, ...], scale: Any, scale_dim: int, out: Var
              ) -> None:
        """out = reshape(transpose(x, perm) * broadcast(scale along scale_dim))."""
        cur = x
        if perm != tuple(range(len(perm))):
            shape = tuple(x.aval.shape[d] for d in perm)
            nxt = Var(ShapedArray(shape, x.aval.dtype))
            self.emit_new(transpose_p, [cur], nxt, permutation=perm)
            cur = nxt
        if scale is not None:
            vb = Var(cur.aval)
            self.emit_new(broadcast_in_dim_p, [scale], vb, shape=cur.aval.shape,
                          broadcast_dimensions=(scale_dim,))
            nxt = Var(cur.aval)
            self.emit_new(mul_p, [cur, vb], nxt)
            cur = nxt
        if cur.aval.shape != out.aval.shape:
            self.emit_new(reshape_p, [cur], out, new_sizes=out.aval.shape)
        elif cur is x:
            self.alias(out, x)
        else:  # rename the last emitted output to ``out``
            last = self.eqns.pop()
            self.emit(Eqn(last.prim, last.inputs, [out], last.params))

    def diag_vector(self, m: Any) -> Any:
        """If ``m`` is I * broadcast(v) (perhaps reshaped with unit axes), ``v``."""
        e = self.prod(m)
        while e is not None and e.prim is reshape_p \
                and _squeezed(e.inputs[0].aval.shape) == _squeezed(m.aval.shape):
            m = e.inputs[0]
            e = self.prod(m)
        if e is None or e.prim is not mul_p or len(_squeezed(m.aval.shape)) != 2:
            return None
        for i, b in ((e.inputs[0], e.inputs[1]), (e.inputs[1], e.inputs[0])):
            if not self.is_eye(i):
                continue
            be = self.prod(b)
            if be is not None and be.prim is broadcast_in_dim_p \
                    and be.inputs[0].aval.ndim == 1 and type(be.inputs[0]) is Var \
                    and be.inputs[0].aval.shape[0] == _squeezed(m.aval.shape)[0]:
                return be.inputs[0]
        return None

    def dot_identity(self, eqn: Eqn) -> bool:
        """dot_general(x, I) and dot_general(I, y) become x or y moved into place (no
        matmul); dot_general(diag(v), y) becomes a broadcast multiply, O(n²) not O(n³).

        With E an identity (or diagonal) whose contracted axis is c and whose one other
        non-unit axis has the same size n: sum_k x[.., k, ..] E[k, j] = x[.., j, ..] (times
        v[j]), so the result is the other operand with its contracted axis moved to where
        E's free axis lands in the output (last when E is the rhs, first when the lhs)."""
        (lc, rc), (lb, rb) = eqn.params["dimension_numbers"]
        x, y = eqn.inputs
        out = eqn.outputs[0]
        if lb or len(lc) != 1 or out.aval.dtype != x.aval.dtype:
            return False
        (a,), (c,) = lc, rc
        for e_op, m_op, e_ax, m_ax, e_lhs in ((y, x, c, a, False), (x, y, a, c, True)):
            if type(m_op) is not Var or e_op.aval.shape[e_ax] < 2:
                continue
            scale = None
            if not self.is_eye(e_op):
                scale = self.diag_vector(e_op)
                if scale is None:
                    continue
            free = tuple(d for d in range(m_op.aval.ndim) if d != m_ax)
            perm = (m_ax,) + free if e_lhs else free + (m_ax,)
            self.chain(m_op, perm, scale, 0 if e_lhs else len(perm) - 1, out)
            return True
        return False


# ----------------------------------------------------------------------------- the rewrites
# One rule per primitive: ``rule(s, eqn, inputs, out)`` aliases ``out`` or emits new
# equations and returns True, or returns False to keep the equation.

def _mul(s: _Simplifier, eqn: Eqn, ins: Sequence[Any], out: Var) -> bool:
    for a, b in ((ins[0], ins[1]), (ins[1], ins[0])):
        if _same_aval(a, out) and s.is_ones(b):
            s.alias(out, a)
            return True
    return False


def _add(s: _Simplifier, eqn: Eqn, ins: Sequence[Any], out: Var) -> bool:
    for a, b in ((ins[0], ins[1]), (ins[1], ins[0])):
        if _is_scalar_lit(b, 0) and _same_aval(a, out):
            s.alias(out, a)
            return True
    return False


def _right_unit(unit: float) -> Any:
    """``x op unit`` is ``x`` (``x - 0``, ``x / 1``)."""
    def rule(s: _Simplifier, eqn: Eqn, ins: Sequence[Any], out: Var) -> bool:
        if _is_scalar_lit(ins[1], unit) and _same_aval(ins[0], out):
            s.alias(out, ins[0])
            return True
        return False
    return rule


def _neg(s: _Simplifier, eqn: Eqn, ins: Sequence[Any], out: Var) -> bool:
    inner = s.prod(ins[0])
    if inner is not None and inner.prim is neg_p:
        s.alias(out, inner.inputs[0])
        return True
    return False


def _same(s: _Simplifier, eqn: Eqn, ins: Sequence[Any], out: Var) -> bool:
    """A shape op or conversion that changes nothing."""
    if _same_aval(ins[0], out):
        s.alias(out, ins[0])
        return True
    return False


def _broadcast(s: _Simplifier, eqn: Eqn, ins: Sequence[Any], out: Var) -> bool:
    dims = eqn.params["broadcast_dimensions"]
    if dims == tuple(range(out.aval.ndim)) and _same(s, eqn, ins, out):
        return True
    inner = s.prod(ins[0])
    if inner is None or inner.prim is not broadcast_in_dim_p:
        return False
    s.emit_new(broadcast_in_dim_p, [inner.inputs[0]], out, shape=eqn.params["shape"],
               broadcast_dimensions=tuple(dims[d] for d in
                                          inner.params["broadcast_dimensions"]))
    return True


def _reshape(s: _Simplifier, eqn: Eqn, ins: Sequence[Any], out: Var) -> bool:
    if _same(s, eqn, ins, out):
        return True
    inner = s.prod(ins[0])
    if inner is None or inner.prim is not reshape_p:
        return False
    if inner.inputs[0].aval.shape == out.aval.shape:
        s.alias(out, inner.inputs[0])
    else:
        s.emit_new(reshape_p, [inner.inputs[0]], out, **eqn.params)
    return True


def _transpose(s: _Simplifier, eqn: Eqn, ins: Sequence[Any], out: Var) -> bool:
    perm = eqn.params["permutation"]
    if perm == tuple(range(len(perm))):
        s.alias(out, ins[0])
        return True
    inner = s.prod(ins[0])
    if inner is None or inner.prim is not transpose_p:
        return False
    q = inner.params["permutation"]
    composed = tuple(q[i] for i in perm)
    if composed == tuple(range(len(composed))):
        s.alias(out, inner.inputs[0])
    else:
        s.emit_new(transpose_p, [inner.inputs[0]], out, permutation=composed)
    return True


def _dot(s: _Simplifier, eqn: Eqn, ins: Sequence[Any], out: Var) -> bool:
    return type(ins[0]) is not Literal and s.dot_identity(eqn)


def _sum(s: _Simplifier, eqn: Eqn, ins: Sequence[Any], out: Var) -> bool:
    return s.sum_of_batched_dot(eqn)


_RULES: dict[Any, Any] = {
    mul_p: _mul, add_p: _add, sub_p: _right_unit(0), div_p: _right_unit(1), neg_p: _neg,
    broadcast_in_dim_p: _broadcast, reshape_p: _reshape, convert_element_type_p: _same,
    transpose_p: _transpose, dot_general_p: _dot, reduce_sum_p: _sum,
}


def simplify(jaxpr: Jaxpr, consts: Sequence[Any]) -> tuple[Jaxpr, list[Any]]:
    """``jaxpr`` with algebraic identities applied (dead leftovers are for ``dce``).

    >>> import ftrans, ftrans.numpy as fnp
    >>> cj = ftrans.make_jaxpr(lambda x: -(-x) * 1.0)(1.0)
    >>> print(simplify(cj.jaxpr, cj.consts)[0].outvars == cj.jaxpr.invars)
    True
    """
    s = _Simplifier(jaxpr, consts)
    for eqn in jaxpr.eqns:
        s.step(with_inputs(eqn, s.env))
    return rebuild(jaxpr, s.eqns, s.env), list(consts)
