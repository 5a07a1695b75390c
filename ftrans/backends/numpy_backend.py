"""The NumPy backend: each jaxpr becomes one straight-line Python function.

The generated function unpacks ``consts`` and ``args``, then runs one line per equation:
elementwise primitives call their NumPy ufunc directly, the rest call the primitive's
``impl(np, ...)``. After its last use each intermediate is deleted (``del``) so its buffer is
freed as early as the interpreter allows; when an elementwise equation's input dies there,
was produced by an earlier ufunc (so it is a fresh array no view shares) and has the
output's shape and dtype, the result is written into it with ``out=``. Variables are named
like the jaxpr printer names them (never a Python keyword or builtin: ``var_name``); a
program of more than ``SEGMENT`` equations becomes several functions called in turn, so that
Python's compiler never holds a huge one (memory and time stay proportional to the program).

A loop (``prim.loop``: ``scan``) is written inline (``cloop.py``: a Python ``for``, or one C
function); other bodies (``while_loop``, ``cond``) reach their impls compiled
(``CompiledJaxpr``); ``prim.py_expr`` forms (``x.reshape(...)``, ``np.dot``) replace impl calls.

With ``fuse=True`` (backend ``"numpy+c"``) runs of elementwise equations on large arrays
become fused C kernels (``cfuse.py``), compiled once by the system compiler. With
``fuse="background"`` (backend ``"auto"``, ``jit``'s default on the CPU) the first call runs
the NumPy code; then a background thread compiles the kernels (or finds them on disk) and
the fused code replaces the NumPy code.

Set ``FTRANS_DUMP=dir`` (or ``FTRANS_DUMP=-`` for stderr) to write every generated function
for reading (``dir`` is created 0700; one that is a symbolic link, another user's or
writable by others is replaced by a private temporary directory, with a warning).

>>> import ftrans, ftrans.numpy as fnp, numpy as np
>>> cj = ftrans.make_jaxpr(lambda x: fnp.sin(x) * 2.0)(np.ones(3))
>>> print(compile_source(cj.jaxpr))  # doctest: +NORMALIZE_WHITESPACE
def run(consts, args):
    (a,) = args
    b = _np.sin(a)
    c = _np.multiply(b, _l0, out=b)
    del b
    return [c]
"""

from __future__ import annotations

import builtins
import functools
import itertools
import keyword
import math as _m
import os
import sys
from typing import Any, Callable

import numpy as np

from ..ir import ClosedJaxpr, Jaxpr, Literal, Var, _nth_name, last_uses
from ..transforms.closed import CompiledJaxpr
from . import owned
from .files import dump_text
from .inline import Inline

# Scalar float64 programs run on Python floats, through each primitive's ``scalar_math``
# form: ``math`` is ~10x cheaper per call than a ufunc on a 0-d array. Any exception (x/0,
# log(0), overflow) reruns the NumPy version, so results, infinities and NaNs stay NumPy's.
_F64 = np.dtype(np.float64)

_counter = itertools.count(1)  # next() is atomic: threads get distinct numbers
# generated variable names are letters (a, b, ..., ba, ...); those that Python reserves or
# that would shadow a builtin get a trailing underscore
_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))


def scalar_source(jaxpr: Jaxpr) -> str | None:
    """``run_scalar(consts, args)`` on Python floats, when every value of ``jaxpr`` is a
    float64 scalar and every primitive has a ``math`` form; else None."""
    functions = scalar_functions(jaxpr)
    return None if functions is None else "\n\n\n".join(functions)


def scalar_functions(jaxpr: Jaxpr) -> list[str] | None:
    """The functions of ``scalar_source`` (several for a long program, see ``SEGMENT``)."""
    names: dict[int, str] = {}

    def name(a: Any) -> str:
        if type(a) is Literal:
            v = float(a.val)
            return repr(v) if v == v and abs(v) != _m.inf else \
                "_m.nan" if v != v else "_m.inf" if v > 0 else "(-_m.inf)"
        return names.setdefault(id(a), f"v{len(names)}")

    for v in (*jaxpr.constvars, *jaxpr.invars, *jaxpr.outvars):  # outputs: literals too
        if v.aval.shape or v.aval.dtype != _F64:
            return None
    head = []
    for group, src in ((jaxpr.constvars, "consts"), (jaxpr.invars, "args")):
        if group:
            head.append(f"    ({', '.join(name(v) for v in group)},) = "
                        f"[float(x) for x in {src}]")
    units = []
    for i, eqn in enumerate(jaxpr.eqns):
        form = eqn.prim.scalar_math
        if callable(form):
            form = form(**eqn.params)
        o = eqn.outputs[0]
        if form is None or o.aval.shape or o.aval.dtype != _F64 or \
                any(a.aval.shape or a.aval.dtype != _F64 for a in eqn.inputs):
            return None
        units.append((i, i + 1, [f"    {name(o)} = {form.format(*[name(a) for a in eqn.inputs])}"],
                      [a for a in eqn.inputs if type(a) is Var], [o]))
    outs = "), _to64(".join(name(a) for a in jaxpr.outvars)
    return _functions("run_scalar", jaxpr, head, units, [f"    return [_to64({outs})]"],
                      _last_uses(jaxpr), name, "float({})")


SEGMENT = 4000  # equations per generated function at most: see _functions


def _last_uses(jaxpr: Jaxpr) -> dict[Var, int]:
    return last_uses(jaxpr.eqns)  # the outputs' last reads only: results are kept apart


Unit = tuple  # (first equation, end equation, lines, variables read, variables written)


def _functions(name: str, jaxpr: Jaxpr, head: list[str], units: list[Unit],
               tail: list[str], last_use: dict[Var, int], name_of: Callable[[Any], str],
               load: str = "{}") -> list[str]:
    """The sources of ``name(consts, args)`` running ``units`` (the lines of the equations,
    in order) after ``head`` (unpacking the arguments), then ``tail`` (the return).

    Up to ``SEGMENT`` equations this is one function. A longer program becomes segment
    functions of about ``SEGMENT`` equations each, which ``name`` calls in turn: Python's
    compiler holds a whole function at once (some 5 KB per line while compiling), so a
    200,000-equation program compiled as one function would peak at gigabytes. A segment
    reads the arguments and constants it needs from ``args``/``consts`` (through ``load``)
    and the values of earlier segments from the dict ``_e``, popping those that die in it
    (so that ``del`` still frees them), and leaves the values later ones need in ``_e``."""
    n_eqns = units[-1][1] - units[0][0] if units else 0
    if n_eqns <= SEGMENT:
        lines = [f"def {name}(consts, args):", *head]
        for unit in units:
            lines += unit[2]
        return ["\n".join(lines + tail)]
    segments: list[list[Unit]] = [[]]
    for unit in units:
        if segments[-1] and unit[1] - segments[-1][0][0] > SEGMENT:
            segments.append([])
        segments[-1].append(unit)
    position = {v: f"consts[{k}]" for k, v in enumerate(jaxpr.constvars)}
    position.update({v: f"args[{k}]" for k, v in enumerate(jaxpr.invars)})
    results = dict.fromkeys(v for v in jaxpr.outvars if type(v) is Var)  # ordered
    functions, calls = [], []
    for s, seg in enumerate(segments):
        end, last = seg[-1][1], s == len(segments) - 1
        written = [v for unit in seg for v in unit[4]]
        mine = set(written)
        needed = dict.fromkeys(v for unit in seg for v in unit[3] if v not in mine)
        if last:
            needed.update((v, None) for v in results if v not in mine)
        lines = [f"def _{name}_{s}(_e, consts, args):"]
        for v in needed:
            n = name_of(v)
            if v in position:
                lines.append(f"    {n} = {load.format(position[v])}")
            elif last_use.get(v, -1) < end and v not in results:
                lines.append(f"    {n} = _e.pop({n!r})")
            else:
                lines.append(f"    {n} = _e[{n!r}]")
        for unit in seg:
            lines += unit[2]
        if last:
            lines += tail
        else:
            lines += [f"    _e[{name_of(v)!r}] = {name_of(v)}" for v in dict.fromkeys(written)
                      if last_use.get(v, -1) >= end or v in results]
        functions.append("\n".join(lines))
        calls.append(f"    {'return ' if last else ''}_{name}_{s}(_e, consts, args)")
    return functions + ["\n".join([f"def {name}(consts, args):", "    _e = {}", *calls])]


def var_name(n: int) -> str:
    """The name of the ``n``-th variable of a generated function: letters, as the jaxpr
    printer names them, never a Python keyword or builtin (those get a trailing ``_``).

    >>> var_name(0), var_name(26), [var_name(n) for n in (11950, 8255, 96231)]
    ('a', 'aa', ['qqq', 'len_', 'elif_'])
    """
    n_ = _nth_name(n)
    return n_ + "_" if n_ in _RESERVED else n_


class _Gen(Inline):
    def __init__(self, jaxpr: Jaxpr, fuse: bool = False, own: bool = True):
        self.jaxpr = jaxpr
        self.fuse = fuse
        self.own = own
        self._spread_literals: dict[Var, Any]
        self.names: dict[int, str] = {}
        self.globals: dict[str, Any] = {"_np": np}
        self.lines: list[str] = []

    def name(self, v: Var) -> str:
        n = self.names.get(id(v))
        if n is None:
            n = self.names[id(v)] = var_name(len(self.names))
        return n

    def const(self, prefix: str, value: Any) -> str:
        key = f"_{prefix}{len(self.globals) - 1}"
        self.globals[key] = value
        return key

    def atom(self, a: Any) -> str:
        return self.const("l", a.val) if type(a) is Literal else self.name(a)

    def source(self) -> str:
        return "\n\n\n".join(self.functions())

    def functions(self) -> list[str]:
        """The generated source, function by function (see ``_functions``)."""
        j = self.jaxpr
        last_use = _last_uses(j)
        keep = {a for a in j.outvars if type(a) is Var} | set(j.invars) | set(j.constvars)
        head = []
        if j.constvars:
            head.append(f"    ({', '.join(self.name(v) for v in j.constvars)},) = consts")
        if j.invars:
            head.append(f"    ({', '.join(self.name(v) for v in j.invars)},) = args")
        units = self.units(last_use, keep)
        # the caller owns what it gets back: an output that is (or may view) an argument, a
        # constant or another output is copied (owned.py), so that writing into it changes
        # neither the argument nor later calls
        outs = ", ".join(self.atom(a) for a in j.outvars)
        steps = owned.plan(j)
        if not self.own:  # a body: only its constants must not escape (see compile_body)
            steps = tuple((i, h) for i, h in steps if h != "copy" or j.outvars[i] in
                          set(j.constvars)) if j.constvars else ()
            steps = tuple((i, h if h == "copy" else tuple(r for r in h if r[0] == "consts"))
                          for i, h in steps)
            steps = tuple((i, h) for i, h in steps if h)
        if steps:
            tail = [f"    return {self.const('own', owned.apply)}("
                    f"{self.const('own', steps)}, [{outs}], consts, args)"]
        else:
            tail = [f"    return [{outs}]"]
        return _functions("run", j, head, units, tail, last_use, self.name)

    def units(self, last_use: dict, keep: set) -> list[Unit]:
        """The lines of the equations, one unit per equation or fused group. A pad that an
        add may write in place (``deferred_embeds``) keeps its operand alive until that add
        (``last_use`` is updated)."""
        j = self.jaxpr
        self.defer_embeds(last_use, keep)
        self.find_implicit_broadcasts(last_use, keep)
        fresh: set[Var] = set()  # ufunc outputs: arrays no view shares
        viewed: set[Var] = set()
        units: list[Unit] = []
        groups = self.fusion_groups() if self.fuse else {}
        skip_until = -1
        for i, eqn in enumerate(j.eqns):
            if i < skip_until:
                continue
            out: list[str] = []
            if i in groups:
                end = groups[i]
                if self.emit_group(out, i, end, last_use, keep, fresh, viewed):
                    skip_until = end
                    group = j.eqns[i:end]
                    units.append((i, end, out, [a for e in group for a in e.inputs
                                                if type(a) is Var],
                                  [v for e in group for v in e.outputs]))
                    continue
            ufunc = eqn.prim.ufunc
            reads = [a for a in self.operands(eqn) if type(a) is Var]
            if eqn.outputs[0] in self.deferred or eqn.outputs[0] in self.implicit:
                units.append((i, i + 1, out, reads, list(eqn.outputs)))
                continue
            if ufunc is not None and self.emit_pending(out, i, last_use, keep, fresh, viewed,
                                                       reads):
                units.append((i, i + 1, out, reads, list(eqn.outputs)))
                continue
            ins = [self.atom(a) if ufunc is None else self.ufunc_atom(a, eqn)
                   for a in eqn.inputs]
            outs = ", ".join(self.name(v) for v in eqn.outputs)
            dying = list(dict.fromkeys(a for a in self.operands(eqn) if type(a) is Var
                                       and last_use.get(a) == i and a not in keep))
            if ufunc is not None:
                o = eqn.outputs[0]
                target = next((a for a in dying if a in fresh and a not in viewed
                               and a.aval.shape == o.aval.shape and a.aval.ndim
                               and a.aval.dtype == o.aval.dtype), None)
                dest = f", out={self.name(target)}" if target is not None else ""
                out.append(f"    {outs} = _np.{ufunc}({', '.join(ins)}{dest})")
                if o.aval.ndim:
                    fresh.add(o)
            elif self.fuse and eqn.prim.contraction and self.emit_outer(out, eqn, ins, outs):
                fresh.add(eqn.outputs[0])
            elif eqn.prim.embed is not None and self.emit_embed(out, eqn, fresh):
                pass
            elif eqn.prim.loop is not None and self.emit_loop(out, eqn):
                # a carry may come out as it went in: no writing into an input later
                viewed.update(a for a in eqn.inputs if type(a) is Var)
            else:
                for a in eqn.inputs:
                    if type(a) is Var:
                        viewed.add(a)  # impls may return views of their inputs
                form = eqn.prim.py_expr
                if callable(form):
                    form = form([a.aval for a in eqn.inputs], **eqn.params)
                if form is not None and not eqn.prim.multiple_results and \
                        all(type(a) is Var for a in eqn.inputs):
                    call = form.format(*ins)
                else:
                    f = self.const("f", eqn.prim.impl)
                    kw = ""
                    if eqn.params:
                        kw = ", **" + self.const("p", self.params(eqn.params))
                    call = f"{f}(_np, {', '.join(ins)}{kw})"
                if eqn.prim.multiple_results:
                    out.append(f"    ({outs},) = {call}")
                else:
                    out.append(f"    {outs} = {call}")
                    # a new array no view shares: written over after its last use, like
                    # a ufunc's result
                    if eqn.prim.new_buffer and eqn.outputs[0].aval.ndim:
                        fresh.add(eqn.outputs[0])
            if dying:
                out.append(f"    del {', '.join(self.name(a) for a in dying)}")
            units.append((i, i + 1, out, reads, list(eqn.outputs)))
        return units

    def emit_loop(self, out: list[str], eqn: Any) -> bool:
        """A loop (``prim.loop``) written inline (``cloop.emit_loop``)."""
        from .cloop import emit_loop
        return emit_loop(self, out, eqn, SEGMENT)

    def sub(self, jaxpr: Jaxpr) -> "_Gen":
        """A generator for a body written inside this program: one namespace, so that
        names stay unique."""
        sub = _Gen(jaxpr, self.fuse, own=False)
        sub.names, sub.globals = self.names, self.globals
        return sub

    def params(self, params: Any) -> dict[str, Any]:
        """``params`` with every body (a closed jaxpr, alone or in a tuple) compiled: a
        higher-order primitive's ``impl`` then runs generated code at each step of a loop
        (``transforms.closed.call``) instead of binding the body's equations one by one."""
        def body(v: Any) -> Any:
            if isinstance(v, ClosedJaxpr) and not isinstance(v, CompiledJaxpr):
                return compile_body(v, self.fuse)
            if type(v) is tuple and any(isinstance(b, ClosedJaxpr) for b in v):
                return tuple(body(b) for b in v)
            return v
        return {k: body(v) for k, v in params.items()}

    # --- optional fused C kernels (cfuse.py)
    def fusion_groups(self) -> dict[int, int]:
        """Runs [start, end) of consecutive fusable equations of one shape and dtype."""
        from .cfuse import MAX_EQNS, MIN_SIZE, fusable
        groups, eqns, i = {}, self.jaxpr.eqns, 0
        # broadcasts are stride-0 views: a kernel would first copy them whole (NumPy reads
        # them in place), so equations reading one stay on NumPy, unless it spreads a
        # literal: then the kernel reads the number
        spread = {e.outputs[0] for e in eqns if e.prim.broadcasts
                  and e.outputs[0] not in self.spread_literals()}

        def ok(e: Any) -> bool:
            return fusable(e) and not any(a in spread for a in e.inputs if type(a) is Var)

        while i < len(eqns):
            e = eqns[i]
            if not ok(e) or e.outputs[0].aval.size < MIN_SIZE:
                i += 1
                continue
            av = e.outputs[0].aval
            end = i + 1
            while end < len(eqns) and ok(eqns[end]) and eqns[end].outputs[0].aval == av:
                end += 1
            # a run of up to 2 * MAX_EQNS is one kernel (a split writes out every value
            # that crosses it: the grad of a 100-op chain runs 1.5x faster unsplit); a
            # longer one is cut every MAX_EQNS equations
            step = end - i if end - i <= 2 * MAX_EQNS else MAX_EQNS
            for start in range(i, end, step):
                if min(start + step, end) - start >= 2:
                    groups[start] = min(start + step, end)
            i = end
        return groups

    def emit_outer(self, out: list[str], eqn: Any, ins: list[str], outs: str) -> bool:
        """A contraction (``dot_general``) that is an outer product, as one C loop nest
        (``cfuse.py``)."""
        from .cfuse import load_kernel, outer_fits, outer_product, outer_source
        x, y = eqn.inputs
        o = eqn.outputs[0].aval
        if type(x) is not Var or type(y) is not Var or \
                not outer_fits(x.aval, y.aval, o, eqn.params["dimension_numbers"]):
            return False
        fn = load_kernel(outer_source(o.dtype.name), 6, n_sizes=3)
        if fn is None:
            return False
        call = self.const("f", outer_product)
        out.append(f"    {outs} = {call}({self.const('k', fn)}, {', '.join(ins)}, "
                   f"**{self.const('p', dict(eqn.params))})")
        return True

    def spread_literals(self) -> dict[Var, Any]:
        """The outputs of broadcasts (``broadcast_in_dim``) of a literal, with the literal's
        value."""
        if not hasattr(self, "_spread_literals"):
            self._spread_literals = {e.outputs[0]: e.inputs[0].val for e in self.jaxpr.eqns
                                     if e.prim.broadcasts and type(e.inputs[0]) is Literal}
        return self._spread_literals

    def emit_group(self, out: list[str], start: int, end: int, last_use: dict, keep: set,
                   fresh: set, viewed: set) -> bool:
        from .cfuse import c_form, kernel_source, load_kernel
        eqns = self.jaxpr.eqns[start:end]
        index = {e.outputs[0]: k for k, e in enumerate(eqns)}
        literals = self.spread_literals()
        inputs: list[Var] = []
        operands = []
        for e in eqns:
            ops: list[Any] = []
            for a in e.inputs:
                if type(a) is Literal:
                    ops.append(a.val)
                elif a in literals:
                    ops.append(literals[a])
                elif a in index:
                    ops.append(None)  # placeholder: resolved below
                    ops[-1] = ("eqn", index[a])
                else:
                    if a not in inputs:
                        inputs.append(a)
                    ops.append(("in", inputs.index(a)))
            operands.append(ops)
        n_in = len(inputs)
        resolved = [[(o[1] if o[0] == "in" else n_in + o[1]) if isinstance(o, tuple) else o
                     for o in ops] for ops in operands]
        outputs = [k for k, e in enumerate(eqns)
                   if e.outputs[0] in keep or last_use.get(e.outputs[0], -1) >= end]
        av = eqns[0].outputs[0].aval
        src = kernel_source([c_form(e) for e in eqns], resolved, n_in, outputs, av.dtype.name)
        fn = load_kernel(src, 1 + n_in + len(outputs))
        if fn is None:
            return False
        kname = self.const("k", fn)
        shape = self.const("s", av.shape)
        dt = self.const("d", av.dtype)
        in_names = []
        for v in inputs:
            n = self.name(v)
            out.append(f"    {n}_c = _np.ascontiguousarray({n})")
            in_names.append(f"{n}_c")
        out_names = [self.name(eqns[k].outputs[0]) for k in outputs]
        # outputs go into the buffers of inputs that die here, as ``out=`` does for ufuncs
        # (the kernel reads each element of an input before writing that of an output)
        spare = [f"{self.name(v)}_c" for v in inputs
                 if v in fresh and v not in viewed and v not in keep
                 and last_use.get(v, -1) < end and v.aval.shape == av.shape
                 and v.aval.dtype == av.dtype]
        for n in out_names:
            out.append(f"    {n} = {spare.pop(0)}" if spare else
                       f"    {n} = _np.empty({shape}, {dt})")
        ptrs = [f"{n}.ctypes.data" for n in in_names + out_names]
        out.append(f"    {kname}({av.size}, {', '.join(ptrs)})")
        out.append(f"    del {', '.join(in_names)}")
        for k in outputs:
            fresh.add(eqns[k].outputs[0])
        dying = [v for v in inputs if last_use.get(v, -1) < end and v not in keep]
        if dying:
            out.append(f"    del {', '.join(self.name(v) for v in dying)}")
        return True


def compile_body(cj: ClosedJaxpr, fuse: bool = False) -> CompiledJaxpr:
    """``cj`` (the body of a loop or a branch) compiled, as a ``CompiledJaxpr`` whose
    ``run(args)`` runs the generated code (``jit``'s optimizer has optimized it, see
    ``opt.rules``).

    >>> import ftrans, numpy as np
    >>> body = compile_body(ftrans.make_jaxpr(lambda x: x * 2.0)(1.0))
    >>> body.run([np.float64(3.0)])
    [6.0]
    """
    jaxpr, consts = cj.jaxpr, cj.consts
    # its results may be its arguments or each other (a loop never writes into them, and
    # the enclosing program's ownership plan covers what the primitive returns), never its
    # constants
    run = _compile(jaxpr, fuse, own=False)
    body = functools.partial(run, consts)
    body.source = run.source  # type: ignore[attr-defined]
    return CompiledJaxpr(cj, body)


def compile_source(jaxpr: Jaxpr, fuse: bool = False) -> str:
    """The Python source the NumPy backend generates for ``jaxpr`` (see the module doc)."""
    return _Gen(jaxpr, fuse).source()


def _dump(src: str, number: int) -> None:
    where = os.environ.get("FTRANS_DUMP")
    if not where:
        return
    if where == "-":
        print(src, file=sys.stderr)
        return
    dump_text("FTRANS_DUMP", where, f"jaxpr_{os.getpid()}_{number}.py", src + "\n")


def compile_numpy(jaxpr: Jaxpr, fuse: bool | str = False) -> Callable[[Any, Any], list[Any]]:
    """``run(consts, args) -> outs``: the generated function for ``jaxpr``, compiled.

    ``fuse``: False (NumPy only), True (fused C kernels, compiled now) or ``"background"``
    (see the module doc; the returned function switches to the fused code when ready).

    >>> import ftrans, numpy as np
    >>> cj = ftrans.make_jaxpr(lambda x: x + 1.0)(np.zeros(2))
    >>> compile_numpy(cj.jaxpr)(cj.consts, [np.ones(2)])
    [array([2., 2.])]
    """
    if fuse != "background":
        return _compile(jaxpr, bool(fuse))
    from .cfuse import background_enabled, submit
    first = _compile(jaxpr, False)
    if not background_enabled() or not _has_fusion(jaxpr):
        return first
    current = [first]
    pending = [True]

    def run(consts: Any, args: Any) -> list[Any]:
        outs = current[0](consts, args)
        if pending:  # after the first call, so that compiling does not slow it down
            try:
                pending.pop()  # atomic: of threads calling at once, one submits
            except IndexError:
                return outs
            submit(swap)
        return outs

    def swap() -> None:  # in the background thread
        fused = _compile(jaxpr, True)
        if fused.source != first.source:  # type: ignore[attr-defined]
            run.source = fused.source  # type: ignore[attr-defined]
            current[0] = fused

    run.source = first.source  # type: ignore[attr-defined]
    return run


def _has_fusion(jaxpr: Jaxpr) -> bool:
    """Whether the fused code of ``jaxpr`` may hold a C kernel: two consecutive fusable
    equations of one type, or an outer product. A quick scan that stops at the first (the
    first call waits for it); the fused code decides for good."""
    from .cfuse import MIN_SIZE, fusable, outer_fits
    prev = None
    for e in jaxpr.eqns:
        o = e.outputs[0].aval
        if e.prim.contraction and outer_fits(
                e.inputs[0].aval, e.inputs[1].aval, o, e.params["dimension_numbers"]):
            return True
        if o.size >= MIN_SIZE and fusable(e):
            if prev == o:
                return True
            prev = o
        else:
            prev = None
    return False


def _compile(jaxpr: Jaxpr, fuse: bool, own: bool = True) -> Callable[[Any, Any], list[Any]]:
    gen = _Gen(jaxpr, fuse, own)
    functions = gen.functions()
    scalar = scalar_functions(jaxpr) if jaxpr.outvars else None
    if scalar is not None:
        functions = scalar + functions
    src = "\n\n\n".join(functions)
    number = next(_counter)
    _dump(src, number)
    namespace = dict(gen.globals, _m=_m, _to64=np.float64)  # no _<letter><n>: consts
    for f in functions:  # one at a time: the compiler's memory is per function
        exec(compile(f, f"<ftrans-numpy-{number}>", "exec"), namespace)
    run = namespace["run"]
    if scalar is not None:
        run_np, run_scalar = run, namespace["run_scalar"]

        def run(consts: Any, args: Any) -> list[Any]:
            try:
                return run_scalar(consts, args)
            except (ArithmeticError, ValueError):
                return run_np(consts, args)
    run.source = src  # type: ignore[attr-defined]
    return run
