"""The NumPy backend: each jaxpr becomes one straight-line Python function.

The generated function unpacks ``consts`` and ``args``, then runs one line per equation:
elementwise primitives call their NumPy ufunc directly, the rest call the primitive's
``impl(np, ...)``. After its last use each intermediate is deleted (``del``) so its buffer is
freed as early as the interpreter allows; when an elementwise equation's input dies there,
was produced by an earlier ufunc (so it is a fresh array no view shares) and has the
output's shape and dtype, the result is written into it with ``out=``.

Set ``FTRANS_DUMP=dir`` (or ``FTRANS_DUMP=-`` for stderr) to write every generated function
for reading.

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

import os
import sys
from typing import Any, Callable

import numpy as np

from ..ir import Jaxpr, Literal, Var, _nth_name

# the elementwise primitives that are exactly one NumPy ufunc
UFUNCS = {
    "neg": "negative", "add": "add", "sub": "subtract", "mul": "multiply", "div": "divide",
    "exp": "exp", "log": "log", "log1p": "log1p", "expm1": "expm1", "sin": "sin", "cos": "cos",
    "tan": "tan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "asin": "arcsin",
    "acos": "arccos", "atan": "arctan", "sqrt": "sqrt", "abs": "absolute", "sign": "sign",
    "pow": "power", "max": "maximum", "min": "minimum", "atan2": "arctan2",
    "eq": "equal", "ne": "not_equal", "lt": "less", "le": "less_equal", "gt": "greater",
    "ge": "greater_equal",
}

_counter = [0]


class _Gen:
    def __init__(self, jaxpr: Jaxpr):
        self.jaxpr = jaxpr
        self.names: dict[int, str] = {}
        self.globals: dict[str, Any] = {"_np": np}
        self.lines: list[str] = []

    def name(self, v: Var) -> str:
        n = self.names.get(id(v))
        if n is None:
            n = self.names[id(v)] = _nth_name(len(self.names))
            if n in ("as", "if", "in", "is", "or", "and", "def", "del", "for", "not", "try"):
                n = self.names[id(v)] = n + "_"
        return n

    def const(self, prefix: str, value: Any) -> str:
        key = f"_{prefix}{len(self.globals) - 1}"
        self.globals[key] = value
        return key

    def atom(self, a: Any) -> str:
        return self.const("l", a.val) if type(a) is Literal else self.name(a)

    def source(self) -> str:
        j = self.jaxpr
        last_use: dict[Var, int] = {}
        for i, eqn in enumerate(j.eqns):
            for a in eqn.inputs:
                if type(a) is Var:
                    last_use[a] = i
        keep = {a for a in j.outvars if type(a) is Var} | set(j.invars) | set(j.constvars)
        fresh: set[Var] = set()  # ufunc outputs: arrays no view shares
        viewed: set[Var] = set()
        out = ["def run(consts, args):"]
        if j.constvars:
            out.append(f"    ({', '.join(self.name(v) for v in j.constvars)},) = consts")
        if j.invars:
            out.append(f"    ({', '.join(self.name(v) for v in j.invars)},) = args")
        for i, eqn in enumerate(j.eqns):
            ins = [self.atom(a) for a in eqn.inputs]
            outs = ", ".join(self.name(v) for v in eqn.outputs)
            ufunc = UFUNCS.get(eqn.prim.name)
            if ufunc is not None and getattr(eqn.prim.impl, "__defaults__", None) != (ufunc,):
                ufunc = None  # a custom impl: call it
            dying = list(dict.fromkeys(a for a in eqn.inputs if type(a) is Var
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
            else:
                for a in eqn.inputs:
                    if type(a) is Var:
                        viewed.add(a)  # impls may return views of their inputs
                f = self.const("f", eqn.prim.impl)
                kw = ""
                if eqn.params:
                    kw = ", **" + self.const("p", dict(eqn.params))
                call = f"{f}(_np, {', '.join(ins)}{kw})"
                if eqn.prim.multiple_results:
                    out.append(f"    ({outs},) = {call}")
                else:
                    out.append(f"    {outs} = {call}")
            if dying:
                out.append(f"    del {', '.join(self.name(a) for a in dying)}")
        outs = ", ".join(self.atom(a) for a in j.outvars)
        out.append(f"    return [{outs}]")
        return "\n".join(out)


def compile_source(jaxpr: Jaxpr) -> str:
    """The Python source the NumPy backend generates for ``jaxpr`` (see the module doc)."""
    return _Gen(jaxpr).source()


def _dump(src: str) -> None:
    where = os.environ.get("FTRANS_DUMP")
    if not where:
        return
    if where == "-":
        print(src, file=sys.stderr)
        return
    os.makedirs(where, exist_ok=True)
    with open(os.path.join(where, f"jaxpr_{os.getpid()}_{_counter[0]}.py"), "w") as f:
        f.write(src + "\n")


def compile_numpy(jaxpr: Jaxpr) -> Callable[[Any, Any], list[Any]]:
    """``run(consts, args) -> outs``: the generated function for ``jaxpr``, compiled.

    >>> import ftrans, numpy as np
    >>> cj = ftrans.make_jaxpr(lambda x: x + 1.0)(np.zeros(2))
    >>> compile_numpy(cj.jaxpr)(cj.consts, [np.ones(2)])
    [array([2., 2.])]
    """
    gen = _Gen(jaxpr)
    src = gen.source()
    _counter[0] += 1
    _dump(src)
    code = compile(src, f"<ftrans-numpy-{_counter[0]}>", "exec")
    namespace = dict(gen.globals)
    exec(code, namespace)
    run = namespace["run"]
    run.source = src  # type: ignore[attr-defined]
    return run
