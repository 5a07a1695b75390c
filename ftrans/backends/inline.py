"""Operands of NumPy calls written inline in the NumPy backend's code.

- Pads (``prim.embed``): a pad of a literal is a filled buffer and a slice assignment; a
  zero pad that only an ``add`` reads, beside a buffer the program owns and no longer needs,
  is not made at all: its operand is added into that buffer's window in place
  (``x[where] += y``). The adjoint of slicing (``grad`` of ``x[1:] - x[:-1]``) is such sums.
- Broadcasts (``prim.broadcasts``) that only ufuncs read, along NumPy's own rule (the
  operand's axes trailing), beside an operand of the result's shape, are not made: the
  ufunc reads the operand and broadcasts it (``x @ w + b``).
- Literals beside an array of their dtype are read-only 0-d arrays.

>>> import ftrans, ftrans.numpy as fnp, numpy as np
>>> from ftrans.backends.numpy_backend import compile_source
>>> cj = ftrans.make_jaxpr(ftrans.grad(lambda x: fnp.sum(fnp.sin(x[1:]) * x[:-1])))(np.ones(4))
>>> print(compile_source(cj.jaxpr))  # doctest: +ELLIPSIS
def run(consts, args):
    ...
    l_w = l[0:3]
    _np.add(l_w, i, out=l_w)
    ...
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ir import Literal, Var, is_plus_zero


class Inline:
    """The ``_Gen`` methods for these (a mixin: they read its names and constants)."""

    jaxpr: Any
    fuse: bool
    name: Any
    const: Any
    atom: Any
    fusion_groups: Any

    def ufunc_atom(self, a: Any, eqn: Any) -> str:
        """An operand of a ufunc call: a literal beside an array of its dtype as a read-only
        0-d array, which NumPy reads faster than a scalar (no conversion, no promotion of a
        Python number) with the same result (the dtypes agree)."""
        if type(a) is Var and a in self.implicit:
            return self.name(self.implicit[a])
        if type(a) is Literal and any(type(b) is Var and b.aval.dtype == a.aval.dtype
                                      for b in eqn.inputs):
            v = np.array(a.val, a.aval.dtype)
            v.flags.writeable = False
            return self.const("l", v)
        return self.atom(a)

    def find_implicit_broadcasts(self, last_use: dict, keep: set) -> None:
        """``self.implicit``: broadcast output -> its operand, for the broadcasts the ufuncs
        that read them make themselves (see the module doc); the operand then lives as long
        as the broadcast would have (``last_use`` is updated)."""
        self.implicit: dict[Var, Var] = {}
        eqns = self.jaxpr.eqns
        made = {e.outputs[0]: e for e in eqns if e.prim.broadcasts
                and not e.prim.multiple_results and e.outputs[0] not in keep}
        if not made:
            return
        readers: dict[Var, list] = {}
        for e in eqns:
            for a in e.inputs:
                if a in made:
                    readers.setdefault(a, []).append(e)
        for v, e in made.items():
            x = e.inputs[0]
            n = v.aval.ndim
            if type(x) is not Var or v not in readers or tuple(
                    e.params["broadcast_dimensions"]) != tuple(range(n - x.aval.ndim, n)):
                continue
            if all(r.prim.ufunc is not None and r.outputs[0].aval.shape == v.aval.shape
                   and any(type(b) is Var and b not in made and b.aval.shape == v.aval.shape
                           for b in r.inputs) for r in readers[v]):
                self.implicit[v] = x
                if x not in keep:
                    last_use[x] = max(last_use.get(x, -1), last_use.get(v, -1))

    def operands(self, eqn: Any) -> list:
        """``eqn``'s inputs as its line reads them (an implicit broadcast's operand)."""
        implicit = self.implicit
        return [implicit.get(a, a) if type(a) is Var else a for a in eqn.inputs] \
            if implicit else list(eqn.inputs)

    def defer_embeds(self, last_use: dict, keep: set) -> None:
        """Find the pads ``deferred_embeds`` defers; their operands live until the add."""
        self.deferred = self.deferred_embeds(keep)
        for pad_out, at in self.deferred.items():
            operand = self.producers[pad_out].inputs[0]
            if type(operand) is Var and operand not in keep:
                last_use[operand] = max(last_use.get(operand, -1), at)

    def emit_pending(self, out: list[str], i: int, last_use: dict, keep: set, fresh: set,
                     viewed: set, reads: list) -> bool:
        """Equation ``i`` (a ufunc) reading deferred pads: True when it is written as an add
        in place; else the pads are made here, before the equation's own line."""
        eqn = self.jaxpr.eqns[i]
        pending = [a for a in eqn.inputs if a in self.deferred]
        if pending and self.emit_add_into(out, i, pending[0], last_use, keep, fresh, viewed):
            reads.append(self.producers[pending[0]].inputs[0])
            return True
        for p in pending:  # no buffer to add it into: the pad after all
            made = self.emit_embed(out, self.producers[p], fresh)
            assert made, "deferred_embeds defers only pads emit_embed writes"
            d = self.producers[p].inputs[0]
            reads.append(d)
            if type(d) is Var and last_use.get(d) == i and d not in keep:
                out.append(f"    del {self.name(d)}")
        return False

    def deferred_embeds(self, keep: set) -> dict[Var, int]:
        """The zero pads (``prim.embed``) that only an ``add`` reads, beside an operand of
        the sum's type: not made at all when that operand is a buffer the add may write
        into (``emit_add_into``). Pad output -> the add's position."""
        self.producers: dict[Var, Any] = {}
        reads: dict[Var, int] = {}
        candidates: dict[Var, int] = {}
        in_group: set[int] = set()
        for start, end in (self.fusion_groups() if self.fuse else {}).items():
            in_group.update(range(start, end))
        for i, eqn in enumerate(self.jaxpr.eqns):
            for a in eqn.inputs:
                if type(a) is Var:
                    reads[a] = reads.get(a, 0) + 1
            for v in eqn.outputs:
                self.producers[v] = eqn
            # a primitive that is NumPy's add: its operand may be added into a slice
            if eqn.prim.ufunc is None or getattr(np, eqn.prim.ufunc) is not np.add \
                    or i in in_group or len(eqn.inputs) != 2:
                continue
            o = eqn.outputs[0].aval
            for p, x in ((eqn.inputs[0], eqn.inputs[1]), (eqn.inputs[1], eqn.inputs[0])):
                e = self.producers.get(p) if type(p) is Var else None
                if e is not None and e.prim.embed is not None and p not in keep \
                        and type(x) is Var and x.aval == o and p.aval == o and o.ndim \
                        and is_plus_zero(e.inputs[1]) and p not in candidates:
                    candidates[p] = i
                    break
        return {p: i for p, i in candidates.items() if reads.get(p) == 1}

    def embed_index(self, eqn: Any) -> str:
        parts = []
        for sl in eqn.prim.embed(eqn.inputs[0].aval, **eqn.params):
            parts.append(f"{sl.start}:{sl.stop}" + (f":{sl.step}" if sl.step != 1 else ""))
        return ", ".join(parts)

    def emit_embed(self, out: list[str], eqn: Any, fresh: set) -> bool:
        """``eqn`` (a pad of a literal) as a filled buffer and a slice assignment."""
        x, fill = eqn.inputs
        o = eqn.outputs[0]
        if type(fill) is not Literal or not o.aval.ndim or x.aval.ndim != o.aval.ndim:
            return False
        shape, dt = self.const("s", o.aval.shape), self.const("d", o.aval.dtype)
        if is_plus_zero(fill):
            out.append(f"    {self.name(o)} = _np.zeros({shape}, {dt})")
        else:
            out.append(f"    {self.name(o)} = _np.full({shape}, {self.atom(fill)}, {dt})")
        if x.aval.size:
            out.append(f"    {self.name(o)}[{self.embed_index(eqn)}] = {self.atom(x)}")
        fresh.add(o)
        return True

    def emit_add_into(self, out: list[str], i: int, p: Var, last_use: dict, keep: set,
                      fresh: set, viewed: set) -> bool:
        """Equation ``i``, ``x + pad(y)`` with ``x`` a fresh buffer dying there, as
        ``x[where] += y``."""
        eqn = self.jaxpr.eqns[i]
        x = eqn.inputs[1] if eqn.inputs[0] is p else eqn.inputs[0]
        if x not in fresh or x in viewed or x in keep or last_use.get(x) != i \
                or x.aval.size == 0:
            return False
        pad = self.producers[p]
        y = pad.inputs[0]
        xn, o = self.name(x), eqn.outputs[0]
        out.append(f"    {xn}_w = {xn}[{self.embed_index(pad)}]")
        out.append(f"    _np.add({xn}_w, {self.atom(y)}, out={xn}_w)")
        out.append(f"    {self.name(o)} = {xn}")
        dead = [f"{xn}_w", xn]
        if type(y) is Var and last_use.get(y) == i and y not in keep:
            dead.append(self.name(y))
        out.append(f"    del {', '.join(dead)}")
        fresh.add(o)
        return True
