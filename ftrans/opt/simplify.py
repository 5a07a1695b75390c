"""Algebraic simplification: local rewrites that remove work without changing results.

- ``x * 1``, ``1 * x`` (1 a literal, a constant of ones or a broadcast of one), ``x / 1``,
  ``x + 0``, ``0 + x``, ``x - 0`` become ``x`` (when the result has ``x``'s shape and
  dtype), ``-(-x)`` becomes ``x``;
- a constant whose elements are all equal (a cotangent scaled while tracing ``grad``) is a
  literal where a binary ufunc reads it beside an operand of the result's shape;
- negations and products by literals merge where no rounding changes: ``-(c * x)`` is
  ``(-c) * x``, ``-a * (c * x)`` is ``a * ((-c) * x)``, ``c1 * (c2 * x)`` is
  ``(c1 * c2) * x`` when one factor is a power of two;
- the sum of two zero pads of the same layout is the pad of the sum (one buffer, not two);
- a broadcast of a broadcast is one broadcast; a transpose of a transpose is one transpose;
  a transpose swapping a matrix product's operands' axes is the product of the operands
  swapped;
  a reshape of a reshape is one reshape; shape ops that change nothing disappear;
- a ``dot_general`` with an identity matrix (the basis ``jacfwd``/``jacrev`` feed in) becomes
  the other operand, transposed into place; an identity scaled by a broadcast vector (a
  diagonal matrix) times a matrix becomes a broadcast multiply;
- the sum over its batch axes of a batched ``dot_general`` is one ``dot_general``.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..ir import Eqn, Jaxpr, Literal, ShapedArray, Var, is_plus_zero
from ..prims.dot import dot_general_p
from ..prims.elementwise import add_p, div_p, mul_p, neg_p, sub_p
from ..prims.reduce import reduce_sum_p
from ..prims.shape import broadcast_in_dim_p, convert_element_type_p, reshape_p, transpose_p
from ..prims.slicing import pad_p
from ._rewrite import rebuild, with_inputs
from .fold import MAX_FOLD_SIZE


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
        self.uniforms: dict[Var, Literal | None] = {}  # constants seen by ``uniform``
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

    def uniform(self, a: Any) -> Literal | None:
        """The constant ``a`` as a literal, if all its (at most ``MAX_FOLD_SIZE``) elements
        are the same number, bit for bit (looked at once per constant)."""
        if a in self.uniforms:
            return self.uniforms[a]
        v = self.known.get(a) if type(a) is Var else None
        lit = None
        if type(v) is np.ndarray and 0 < v.size <= MAX_FOLD_SIZE and v.dtype.kind in "biufc":
            bits = np.ascontiguousarray(v).view(np.uint8).reshape(v.size, -1)
            if np.all(bits == bits[0]):  # bitwise: 0.0 and -0.0 differ, a NaN is itself
                lit = Literal(v.reshape(-1)[0], ShapedArray((), v.dtype))
        self.uniforms[a] = lit
        return lit

    def literal_operands(self, eqn: Eqn) -> Eqn:
        """A binary ufunc's uniform constant operand as a literal, when the other operand
        has the result's shape (the literal then broadcasts as the constant did)."""
        ins = eqn.inputs
        if eqn.prim.ufunc is None or len(ins) != 2 or eqn.prim.multiple_results:
            return eqn
        shape = eqn.outputs[0].aval.shape
        for k in (0, 1):
            other = ins[1 - k]
            if type(other) is Var and other.aval.shape == shape and ins[k] in self.known:
                lit = self.uniform(ins[k])
                if lit is not None:
                    new = list(ins)
                    new[k] = lit
                    return Eqn(eqn.prim, new, eqn.outputs, eqn.params)
        return eqn

    def scaled(self, a: Any) -> tuple[Literal, Any] | None:
        """``(c, x)`` when ``a`` is ``c * x`` (``c`` a float literal) read only here."""
        e = self.prod(a)
        if e is None or e.prim is not mul_p or self.reads.get(a) != 1 \
                or not np.issubdtype(a.aval.dtype, np.floating):
            return None
        for c, x in ((e.inputs[0], e.inputs[1]), (e.inputs[1], e.inputs[0])):
            if type(c) is Literal and type(x) is Var and x.aval == a.aval:
                return c, x
        return None

    def step(self, eqn: Eqn) -> None:
        if self.known:
            eqn = self.literal_operands(eqn)
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

def _lit(c: Literal, value: Any) -> Literal:
    return Literal(np.asarray(value, c.aval.dtype)[()], c.aval)


def _power_of_two(c: Literal) -> bool:
    v = float(c.val)
    return v != 0 and math.isfinite(v) and math.frexp(abs(v))[0] == 0.5


def _mul(s: _Simplifier, eqn: Eqn, ins: Sequence[Any], out: Var) -> bool:
    for a, b in ((ins[0], ins[1]), (ins[1], ins[0])):
        if _same_aval(a, out) and s.is_ones(b):
            s.alias(out, a)
            return True
    for a, b in ((ins[0], ins[1]), (ins[1], ins[0])):
        inner = s.scaled(b)
        if inner is None:
            continue
        c, x = inner
        if type(a) is Literal and a.aval.dtype == out.aval.dtype and x.aval == out.aval \
                and (_power_of_two(a) or _power_of_two(c)):
            with np.errstate(all="ignore"):
                prod = np.multiply(a.val, c.val)
            if np.isfinite(prod):  # c1 * (c2 * x) == (c1 * c2) * x: a power of two scales
                s.emit_new(mul_p, [_lit(c, prod), x], out)  # exactly
                return True
        neg = s.prod(a)
        if neg is not None and neg.prim is neg_p and s.reads.get(a) == 1 \
                and _same_aval(neg.inputs[0], out) and x.aval == out.aval:
            flipped = Var(x.aval)  # -a * (c * x) == a * ((-c) * x)
            s.emit_new(mul_p, [_lit(c, -c.val), x], flipped)
            s.emit_new(mul_p, [neg.inputs[0], flipped], out)
            return True
    return False


def _add(s: _Simplifier, eqn: Eqn, ins: Sequence[Any], out: Var) -> bool:
    for a, b in ((ins[0], ins[1]), (ins[1], ins[0])):
        if _is_scalar_lit(b, 0) and _same_aval(a, out):
            s.alias(out, a)
            return True
    pads = [s.prod(a) for a in ins]
    if all(p is not None and p.prim is pad_p and is_plus_zero(p.inputs[1])
           and s.reads.get(a) == 1
           for p, a in zip(pads, ins)):
        p, q = pads
        assert p is not None and q is not None
        x, y = p.inputs[0], q.inputs[0]
        if p.params == q.params and type(x) is Var and type(y) is Var \
                and x.aval == y.aval and out.aval == p.outputs[0].aval:
            total = Var(x.aval)  # pad(x) + pad(y) == pad(x + y): one buffer, not two
            s.emit_new(add_p, [x, y], total)
            s.emit_new(pad_p, [total, p.inputs[1]], out, **p.params)
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
    scaled = s.scaled(ins[0])
    if scaled is not None and scaled[1].aval == out.aval:
        c, x = scaled  # -(c * x) == (-c) * x
        s.emit_new(mul_p, [_lit(c, -c.val), x], out)
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
    if inner is not None and inner.prim is dot_general_p and s.reads.get(ins[0]) == 1:
        (lc, rc), (lb, rb) = inner.params["dimension_numbers"]
        x, y = inner.inputs
        n_x = x.aval.ndim - len(lc)  # x's free axes come first in the product
        if not lb and perm == tuple(range(n_x, len(perm))) + tuple(range(n_x)):
            # the product's axes swapped: the product of the operands swapped, written in
            # the order the result is read (a weight's gradient comes out C-contiguous)
            s.emit_new(dot_general_p, [y, x], out, **dict(
                inner.params, dimension_numbers=((tuple(rc), tuple(lc)), ((), ()))))
            return True
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
