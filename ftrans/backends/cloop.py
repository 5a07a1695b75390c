"""Optional fused CPU loops: a loop (``prim.loop``: a ``scan``) whose body is elementwise
arithmetic, reshapes, layout-free transposes, broadcasts of a scalar and small matrix
products on float32/float64 arrays becomes one C function running every step, compiled like
``cfuse.py``'s kernels (and only where they are). A recurrent net's step then costs its
matrix-vector product, not a dozen NumPy calls.

Every body value lives in a local array (a reshape or transpose that moves no element is a
pointer to its operand); products accumulate in the order of the contracted axis, or in 8
interleaved partial sums when both operands are contiguous along it (as BLAS does: results
may differ from NumPy's in the last bits). A body holding anything else, or values over
``MAX_LOCAL`` elements, stays Python (``numpy_backend.emit_loop``).

>>> import ftrans, ftrans.lax as lax, ftrans.numpy as fnp, numpy as np
>>> body = ftrans.make_jaxpr(lambda c, x: (fnp.tanh(c * 0.5 + x), c))(np.ones(4), np.ones(4))
>>> src = loop_source(body.jaxpr, 0, 1, reverse=False)
>>> "tanh(" in src and "for (long s = 0; s < T; s++)" in src
True
"""

from __future__ import annotations

import string
from typing import Any, Callable

import numpy as np

from ..ir import Jaxpr, Literal, Var, last_uses
from .cfuse import _CALL, _CTYPE, _MATH_DECLS, _literal, c_form

MAX_LOCAL = 1 << 15  # elements of all local arrays together (they live on the C stack)


def _strides(shape: tuple) -> list[int]:
    out, s = [], 1
    for d in reversed(shape):
        out.append(s)
        s *= d
    return out[::-1]


class _Writer:
    def __init__(self, ct: str):
        self.ct = ct
        self.suffix = "f" if ct == "float" else ""
        self.names: dict[Var, str] = {}
        self.lines: list[str] = []
        self.local = 0

    def ref(self, a: Any) -> str:
        """A C expression for element ``[j]`` of ``a`` (a literal: its value)."""
        if type(a) is Literal:
            return _literal(a.val, self.ct)
        return f"{self.names[a]}[j]" if a.aval.shape else f"{self.names[a]}[0]"

    def new(self, v: Var) -> str:
        n = self.names[v] = f"v{len(self.names)}"
        self.local += max(v.aval.size, 1)
        self.lines.append(f"    {self.ct} {n}[{max(v.aval.size, 1)}];")
        return n

    def elementwise(self, eqn: Any, form: str) -> bool:
        o = eqn.outputs[0]
        for a in eqn.inputs:
            if type(a) is Var and a.aval.shape != o.aval.shape:
                return False
        if self.suffix:  # float32: the float versions of the functions
            form = _CALL.sub(lambda m: f"{m.group(1)}{self.suffix}(", form)
        expr = form.format(*[self.ref(a) for a in eqn.inputs])
        n = self.new(o)
        self.lines.append(f"    for (long j = 0; j < {max(o.aval.size, 1)}; j++) "
                          f"{n}[j] = {expr};")
        return True

    def dot(self, eqn: Any) -> bool:
        (lc, rc), (lb, _) = eqn.params["dimension_numbers"]
        x, y = eqn.inputs
        o = eqn.outputs[0]
        if lb or len(lc) != 1 or type(x) is not Var or type(y) is not Var \
                or not 1 <= x.aval.ndim <= 2 or not 1 <= y.aval.ndim <= 2:
            return False
        sx, sy = _strides(x.aval.shape), _strides(y.aval.shape)
        K = x.aval.shape[lc[0]]
        xf = [d for d in range(x.aval.ndim) if d != lc[0]]
        yf = [d for d in range(y.aval.ndim) if d != rc[0]]
        M = x.aval.shape[xf[0]] if xf else 1
        N = y.aval.shape[yf[0]] if yf else 1
        xm, xk = (sx[xf[0]] if xf else 0), sx[lc[0]]
        yn, yk = (sy[yf[0]] if yf else 0), sy[rc[0]]
        X, Y, ct = self.names[x], self.names[y], self.ct
        n = self.new(o)
        L = self.lines
        if xk == 1 and yk == 1:  # both contiguous along k: 8 partial sums (vectorized)
            L.append(f"    for (long i = 0; i < {M}; i++) for (long jj = 0; jj < {N}; jj++) {{")
            L.append(f"      const {ct} *a = {X} + i * {xm}, *b = {Y} + jj * {yn};")
            L.append(f"      {ct} p[8] = {{0}}; long k = 0;")
            L.append(f"      for (; k + 8 <= {K}; k += 8) for (int u = 0; u < 8; u++) "
                     "p[u] += a[k + u] * b[k + u];")
            L.append(f"      for (; k < {K}; k++) p[0] += a[k] * b[k];")
            L.append(f"      {n}[i * {N} + jj] = ((p[0] + p[1]) + (p[2] + p[3])) + "
                     "((p[4] + p[5]) + (p[6] + p[7]));")
            L.append("    }")
        else:  # rows of the result accumulate over k (contiguous along the result's row)
            L.append(f"    for (long i = 0; i < {M}; i++) {{")
            L.append(f"      {ct} *r = {n} + i * {N};")
            L.append(f"      for (long jj = 0; jj < {N}; jj++) r[jj] = 0;")
            L.append(f"      for (long k = 0; k < {K}; k++) {{")
            L.append(f"        const {ct} a = {X}[i * {xm} + k * {xk}];")
            L.append(f"        for (long jj = 0; jj < {N}; jj++) r[jj] += a * {Y}[k * {yk} + "
                     f"jj * {yn}];")
            L.append("      }")
            L.append("    }")
        return True


def loop_source(jaxpr: Jaxpr, n_c: int, n_k: int, reverse: bool) -> str | None:
    """C source of ``k(T, consts.., carries.., xs.., ys..)`` running ``jaxpr`` (a loop
    body: consts, carries, slices -> carries, slices) ``T`` times; the carries are updated in
    place, ``ys`` written. ``None`` when the body holds what this cannot write."""
    avals = [v.aval for v in (*jaxpr.invars, *[e.outputs[0] for e in jaxpr.eqns])]
    if not avals or jaxpr.constvars:
        return None
    dt = avals[0].dtype.name
    if dt not in _CTYPE or any(a.dtype.name != dt for a in avals):
        return None
    ct = _CTYPE[dt]
    w = _Writer(ct)
    c_in, k_in, x_in = jaxpr.invars[:n_c], jaxpr.invars[n_c:n_c + n_k], jaxpr.invars[n_c + n_k:]
    args = ["long T"] + [f"const {ct} *c{i}" for i in range(n_c)] + \
        [f"{ct} *k{i}" for i in range(n_k)] + [f"const {ct} *x{i}" for i in range(len(x_in))] + \
        [f"{ct} *y{i}" for i in range(len(jaxpr.outvars) - n_k)]
    for i, v in enumerate(c_in):
        w.names[v] = f"c{i}"
    for i, v in enumerate(k_in):
        w.names[v] = f"k{i}"
    head = [f"    const {ct} *xv{i} = x{i} + t * {max(v.aval.size, 1)};"
            for i, v in enumerate(x_in)]
    for i, v in enumerate(x_in):
        w.names[v] = f"xv{i}"
    for e in jaxpr.eqns:
        if e.prim.multiple_results:
            return None
        o, x = e.outputs[0], e.inputs[0] if e.inputs else None
        form = c_form(e)
        if e.prim.same_order is not None and type(x) is Var and \
                e.prim.same_order(x.aval, **e.params):
            w.names[o] = w.names[x]  # the operand read in place
        elif e.prim.broadcasts and x is not None and not x.aval.shape:
            n = w.new(o)
            w.lines.append(f"    for (long j = 0; j < {o.aval.size}; j++) {n}[j] = {w.ref(x)};")
        elif form is not None:
            if not w.elementwise(e, form):
                return None
        elif e.prim.contraction:
            if not w.dot(e):
                return None
        else:
            return None
        if w.local > MAX_LOCAL:
            return None
    tail = []
    outs = jaxpr.outvars
    for i, a in enumerate(outs[n_k:]):
        size = max(a.aval.size, 1)
        tail.append(f"    for (long j = 0; j < {size}; j++) y{i}[t * {size} + j] = {w.ref(a)};")
    # new carries: into temporaries first (one may read another's old value), then back
    for i, a in enumerate(outs[:n_k]):
        size = max(a.aval.size, 1)
        tail.append(f"    {ct} n{i}[{size}];")
        tail.append(f"    for (long j = 0; j < {size}; j++) n{i}[j] = {w.ref(a)};")
    for i, a in enumerate(outs[:n_k]):
        size = max(a.aval.size, 1)
        tail.append(f"    for (long j = 0; j < {size}; j++) k{i}[j] = n{i}[j];")
    step = "T - 1 - s" if reverse else "s"
    # as in cfuse: the math functions declared ``simd`` (glibc's vector versions), no
    # <math.h>
    decl = string.Template(_MATH_DECLS).substitute(t=ct, s=w.suffix)
    return (decl + f"void k({', '.join(args)}) {{\n  for (long s = 0; s < T; s++) {{\n"
            f"    const long t = {step};\n" + "\n".join(head + w.lines + tail) + "\n  }\n}\n")


def run_loop(kernel: Callable, n_c: int, n_k: int, length: int, ys: list,
             *operands: Any) -> list[Any]:
    """Run a loop compiled by ``loop_source``: its carries (copies of the initial ones)
    and its stacked outputs ``ys`` (``(shape, dtype)`` each)."""
    cs = [np.ascontiguousarray(a) for a in operands[:n_c]]
    ks = [np.array(a, copy=True, order="C") for a in operands[n_c:n_c + n_k]]
    xs = [np.ascontiguousarray(a) for a in operands[n_c + n_k:]]
    out = [np.empty(shape, dtype) for shape, dtype in ys]
    kernel(length, *[a.ctypes.data for a in (*cs, *ks, *xs, *out)])
    return ks + out


def emit_loop(gen: Any, out: list[str], eqn: Any, segment: int) -> bool:
    """Write the loop ``eqn`` (``prim.loop``) into ``gen``'s program (the NumPy backend's
    generator): with fused C (``gen.fuse``) one C function when ``loop_source`` can write
    its body, else its body's lines in a Python ``for``, the stacked outputs written into
    buffers made before it. ``False`` (the impl runs it) for a body longer than
    ``segment`` equations or returning one of its constants."""
    cj, n_c, n_k, length, reverse = eqn.prim.loop(**eqn.params)
    jaxpr, consts = cj.jaxpr, cj.consts
    if len(jaxpr.eqns) > segment or any(a in set(jaxpr.constvars) for a in jaxpr.outvars):
        return False
    ops = [gen.atom(a) for a in eqn.inputs]
    names = ", ".join(gen.name(v) for v in eqn.outputs)
    if gen.fuse and all(type(a) is Var for a in eqn.inputs):
        src = loop_source(jaxpr, n_c, n_k, reverse)
        from .cfuse import load_kernel
        fn = load_kernel(src, 1 + len(eqn.inputs) + len(eqn.outputs) - n_k) \
            if src is not None else None
        if fn is not None:
            ys = [(o.aval.shape, o.aval.dtype) for o in eqn.outputs[n_k:]]
            out.append(f"    ({names},) = {gen.const('f', run_loop)}({gen.const('k', fn)}, "
                       f"{n_c}, {n_k}, {length}, {gen.const('p', ys)}, {', '.join(ops)})")
            return True
    sub = gen.sub(jaxpr)
    keep = {a for a in jaxpr.outvars if type(a) is Var} | {*jaxpr.invars, *jaxpr.constvars}
    units = sub.units(last_uses(jaxpr.eqns), keep)
    c_in, k_in, x_in = jaxpr.invars[:n_c], jaxpr.invars[n_c:n_c + n_k], jaxpr.invars[n_c + n_k:]
    for v, c in zip(jaxpr.constvars, consts):
        out.append(f"    {gen.name(v)} = {gen.const('c', c)}")
    for v, a in zip([*c_in, *k_in], ops[:n_c + n_k]):
        out.append(f"    {gen.name(v)} = {a}")
    bufs = []
    for o in eqn.outputs[n_k:]:
        b = gen.name(o)
        bufs.append(b)
        out.append(f"    {b} = _np.empty({o.aval.shape!r}, {gen.const('d', o.aval.dtype)})")
    counter = Var(eqn.outputs[0].aval)  # a fresh name for the counter; names are kept by
    gen.globals.setdefault("_counters", []).append(counter)  # id(): keep it alive
    i = gen.name(counter)
    steps = f"range({length - 1}, -1, -1)" if reverse else f"range({length})"
    out.append(f"    for {i} in {steps}:")
    for v, a in zip(x_in, ops[n_c + n_k:]):
        out.append(f"        {gen.name(v)} = {a}[{i}]")
    for unit in units:
        out.extend("    " + line for line in unit[2])
    res = [sub.atom(a) for a in jaxpr.outvars]
    for b, r in zip(bufs, res[n_k:]):
        out.append(f"        {b}[{i}] = {r}")
    if n_k:
        out.append(f"        {', '.join(gen.name(v) for v in k_in)}, = {', '.join(res[:n_k])},")
        out.append(f"    {', '.join(gen.name(v) for v in eqn.outputs[:n_k])}, = "
                   f"{', '.join(gen.name(v) for v in k_in)},")
    return True
