"""See the derivatives: the tutorial's tables of primals with tangents (forward mode) and
with adjoints (reverse mode), for any function, one row per jaxpr variable.

>>> import ftrans.numpy as fnp
>>> print(forward_table(lambda x: fnp.sin(x) * x, (1.0,), (1.0,)))
var  equation      primal  tangent
---  ------------  ------  -------
v0   x1            1.000   1.000
v1   sin(v0)       0.841   0.540
v2   mul(v1, v0)   0.841   1.382
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from .core import Tracer, Zero, bind
from .ir import Jaxpr, Literal, Var
from .transforms.jvp import jvp_jaxpr_eval
from .tree_util import tree_flatten


class Row(NamedTuple):
    """One variable of the program: its name, the equation defining it, and its values."""

    name: str
    equation: str
    primal: Any
    derivative: Any


class Table:
    """Rows of a derivative table; ``str()`` gives plain text, ``.markdown()`` Markdown."""

    def __init__(self, rows: list[Row], kind: str, outputs: list[str]):
        self.rows = rows
        self.kind = kind  # "tangent" or "adjoint"
        self.outputs = outputs

    def _cells(self) -> tuple[list[str], list[list[str]]]:
        head = ["var", "equation", "primal", self.kind]
        body = [[r.name, r.equation, summarize(r.primal), summarize(r.derivative)]
                for r in self.rows]
        return head, body

    def __str__(self) -> str:
        head, body = self._cells()
        widths = [max(len(x) for x in col) for col in zip(head, *body)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in body]
        return "\n".join(lines)

    __repr__ = __str__

    def markdown(self) -> str:
        """The table in Markdown."""
        head, body = self._cells()
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """``{name: (primal, derivative)}``."""
        return {r.name: (r.primal, r.derivative) for r in self.rows}


def summarize(x: Any, digits: int = 3) -> str:
    """A value in a few characters: scalars to ``digits`` decimals, arrays by shape and a few
    entries."""
    if x is None:
        return ""
    if type(x) is Zero:
        return "0"
    if isinstance(x, Tracer):
        return f"<traced {x.aval.str_short()}>"
    a = np.asarray(x)
    if a.ndim == 0:
        return f"{a.item():.{digits}f}" if np.issubdtype(a.dtype, np.inexact) else str(a.item())
    flat = a.ravel()
    shown = ", ".join(f"{v:.{digits}f}" if np.issubdtype(a.dtype, np.inexact) else str(v)
                      for v in flat[:3])
    more = ", ..." if flat.size > 3 else ""
    return f"{a.dtype.name}{list(a.shape)} [{shown}{more}]"


def _names(jaxpr: Jaxpr) -> dict[Var, str]:
    """The tutorial's naming: inputs v_{1-n} … v0, then v1, v2, … for each equation."""
    n = len(jaxpr.invars)
    names = {v: f"v{i - n + 1}" for i, v in enumerate(jaxpr.invars)}
    for i, v in enumerate(jaxpr.constvars):
        names[v] = f"c{i}"
    k = 1
    for eqn in jaxpr.eqns:
        for v in eqn.outputs:
            names[v] = f"v{k}"
            k += 1
    return names


def _equation(eqn: Any, names: dict[Var, str]) -> str:
    args = ", ".join(names[a] if type(a) is Var else summarize(a.val) for a in eqn.inputs)
    params = ", ".join(f"{k}={v}" for k, v in sorted(eqn.params.items()))
    return f"{eqn.prim.name}({args}{', ' + params if params else ''})"


def _trace(f: Callable, primals: Sequence[Any]) -> Any:
    from .api import _trace_concrete
    return _trace_concrete(f, tuple(primals), False, "explain",
                           [f"argument {i}" for i in range(len(primals))])


def _input_rows(jaxpr: Jaxpr, names: dict[Var, str], values: dict, derivs: dict) -> list[Row]:
    return [Row(names[v], f"x{i + 1}", values[v], derivs.get(v, Zero(v.aval)))
            for i, v in enumerate(jaxpr.invars)]


def forward_table(f: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> Table:
    """Each variable's primal and tangent for the input direction ``tangents``
    (forward mode, as in the tutorial's first table). Pytrees of arrays are accepted."""
    tr = _trace(f, primals)
    t_flat, t_tree = tree_flatten(tuple(tangents))
    if t_tree != tr.in_tree:
        raise ValueError(f"forward_table: tangents have structure {t_tree}, but primals have "
                         f"{tr.in_tree}")
    env: dict[Var, Any] = {}
    jvp_jaxpr_eval(tr.jaxpr, tr.values, [np.asarray(t) for t in t_flat], env)
    names = _names(tr.jaxpr)
    rows = _input_rows(tr.jaxpr, names, tr.values, env)
    for eqn in tr.jaxpr.eqns:
        for v in eqn.outputs:
            rows.append(Row(names[v], _equation(eqn, names), tr.values[v],
                            env.get(v, Zero(v.aval))))
    return Table(rows, "tangent", [names.get(a, "const") for a in tr.jaxpr.outvars])


def _eqn_vjp(eqn: Any, invals: list[Any], ct: Any) -> list[Any]:
    from .api import vjp
    diff = [i for i, a in enumerate(eqn.inputs)
            if type(a) is Var and np.issubdtype(a.aval.dtype, np.inexact)]
    if not diff:
        return [None] * len(invals)

    def local(*xs: Any) -> Any:
        full = list(invals)
        for i, x in zip(diff, xs):
            full[i] = x
        return bind(eqn.prim, full, eqn.params)

    _, pullback = vjp(local, *[invals[i] for i in diff])
    cts = pullback(ct)
    out: list[Any] = [None] * len(invals)
    for i, c in zip(diff, cts):
        out[i] = c
    return out


def reverse_table(f: Callable, primals: Sequence[Any], cotangent: Any = None) -> Table:
    """Each variable's primal and adjoint ∂(cotangent·f)/∂v (reverse mode, as in the
    tutorial's second table). ``cotangent`` defaults to 1 for a scalar output."""
    tr = _trace(f, primals)
    jaxpr = tr.jaxpr
    outs = tr.out_vals
    if cotangent is None:
        if len(outs) != 1 or np.shape(outs[0]) != ():
            raise ValueError("reverse_table: the function's output is not a scalar, so give a "
                             "cotangent of the output's shape")
        cts = [np.ones((), np.asarray(outs[0]).dtype)]
    else:
        cts, ct_tree = tree_flatten(cotangent)
        if ct_tree != tr.out_tree:
            raise ValueError(f"reverse_table: cotangent has structure {ct_tree}, output has "
                             f"{tr.out_tree}")
        cts = [np.asarray(c) for c in cts]
    adj: dict[Var, Any] = {}
    for a, c in zip(jaxpr.outvars, cts):
        if type(a) is Var:
            adj[a] = adj[a] + c if a in adj else c
    for eqn in reversed(jaxpr.eqns):
        ct = adj.get(eqn.outputs[0])
        if ct is None or eqn.prim.multiple_results:
            continue
        invals = [a.val if type(a) is Literal else tr.values[a] for a in eqn.inputs]
        for a, c in zip(eqn.inputs, _eqn_vjp(eqn, invals, ct)):
            if c is not None and type(a) is Var:
                adj[a] = adj[a] + c if a in adj else c
    names = _names(jaxpr)
    rows = _input_rows(jaxpr, names, tr.values, adj)
    for eqn in jaxpr.eqns:
        for v in eqn.outputs:
            rows.append(Row(names[v], _equation(eqn, names), tr.values[v],
                            adj.get(v, Zero(v.aval))))
    return Table(rows, "adjoint", [names.get(a, "const") for a in jaxpr.outvars])
