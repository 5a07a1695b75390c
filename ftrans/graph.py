"""Drawings of the computation graph, like the tutorial's figure: one node per input, one
per equation (named as in the derivative tables, with its value when known), edges from each
value to its uses; optionally the derivative program beside it.

DOT text always; SVG, PNG or PDF through Graphviz's ``dot`` program when it is on ``PATH``.

>>> import ftrans, ftrans.numpy as fnp
>>> print(to_dot(ftrans.make_jaxpr(lambda x: fnp.sin(x) * 2.0)(1.0)))  # doctest: +ELLIPSIS
digraph ftrans {
  rankdir=LR;
...
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any, Callable, Mapping

from .ir import ClosedJaxpr, Jaxpr, Literal, Var

_FORMATS = ("svg", "png", "pdf")


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _short(params: Mapping[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in sorted(params.items())]
    parts = [p if len(p) <= 28 else p[:25] + "..." for p in parts]
    return "\n".join(parts)


def _cluster(jaxpr: Jaxpr, prefix: str, title: str, values: Mapping[Var, Any] | None,
             in_labels: list[str] | None, out_labels: list[str] | None,
             consts: list[Any] | None) -> list[str]:
    from .explain import _names, summarize
    names = _names(jaxpr)
    if prefix != "p":  # the derivative program: d1, d2, … so names differ from the primal's
        names = {v: "d" + n[1:] for v, n in names.items()}
    node: dict[Var, str] = {}
    lines = [f"  subgraph cluster_{prefix} {{", f"    label={_q(title)};",
             "    style=rounded; color=gray60;"]

    def shown(v: Var) -> str:
        if values is not None and v in values and values[v] is not None:
            return "\n= " + summarize(values[v])
        return "\n" + v.aval.str_short()

    for i, v in enumerate(jaxpr.constvars):
        node[v] = f"{prefix}_c{i}"
        val = "\n= " + summarize(consts[i]) if consts is not None else shown(v)
        lines.append(f"    {node[v]} [label={_q(names[v] + val)}, shape=note];")
    for i, v in enumerate(jaxpr.invars):
        node[v] = f"{prefix}_in{i}"
        lab = in_labels[i] if in_labels else f"x{i + 1}"
        lines.append(f"    {node[v]} [label={_q(f'{names[v]} = {lab}' + shown(v))}, "
                     "shape=ellipse, style=filled, fillcolor=lightblue];")
    for k, eqn in enumerate(jaxpr.eqns):
        eid = f"{prefix}_e{k}"
        outs = ", ".join(names[v] for v in eqn.outputs)
        params = _short(eqn.params)
        label = f"{outs} = {eqn.prim.name}" + (f"\n{params}" if params else "")
        if len(eqn.outputs) == 1:
            label += shown(eqn.outputs[0])
        lines.append(f"    {eid} [label={_q(label)}, shape=box];")
        for j, a in enumerate(eqn.inputs):
            if type(a) is Literal:
                lid = f"{eid}_lit{j}"
                lines.append(f"    {lid} [label={_q(summarize(a.val))}, shape=plaintext];")
                lines.append(f"    {lid} -> {eid};")
            else:
                edge = f" [label={_q(names[a])}]" if a in node and "_e" in node[a] and \
                    len(_outs_of(jaxpr, a)) > 1 else ""
                lines.append(f"    {node[a]} -> {eid}{edge};")
        for v in eqn.outputs:
            node[v] = eid
    for i, a in enumerate(jaxpr.outvars):
        oid = f"{prefix}_out{i}"
        lab = out_labels[i] if out_labels else ("f" if len(jaxpr.outvars) == 1 else f"f[{i}]")
        lines.append(f"    {oid} [label={_q(lab)}, shape=doublecircle];")
        if type(a) is Literal:
            lines.append(f"    {oid}_lit [label={_q(summarize(a.val))}, shape=plaintext];")
            lines.append(f"    {oid}_lit -> {oid};")
        else:
            lines.append(f"    {node[a]} -> {oid};")
    lines.append("  }")
    return lines


def _outs_of(jaxpr: Jaxpr, v: Var) -> tuple[Var, ...]:
    for eqn in jaxpr.eqns:
        if v in eqn.outputs:
            return tuple(eqn.outputs)
    return ()


def to_dot(jaxpr: Jaxpr | ClosedJaxpr, values: Mapping[Var, Any] | None = None,
           title: str = "f", in_labels: list[str] | None = None,
           derivative: tuple[str, Jaxpr, list[Any], list[str], list[str]] | None = None
           ) -> str:
    """The computation graph of ``jaxpr`` in Graphviz's DOT language: inputs as ellipses,
    each equation as a box named like the derivative tables (``v1 = div``), its value when
    ``values`` has it, else its type; outputs as double circles.

    ``derivative`` = ``(title, jaxpr, consts, in_labels, out_labels)`` draws a second program
    (e.g. the backward pass ``draw`` builds) beside the first.

    >>> import ftrans
    >>> dot = to_dot(ftrans.make_jaxpr(lambda x, y: x / y)(1.5, 0.5))
    >>> "v1 = div" in dot and "v-1 = x1" in dot
    True
    """
    consts = None
    if isinstance(jaxpr, ClosedJaxpr):
        consts = list(jaxpr.consts)
        jaxpr = jaxpr.jaxpr
    if not isinstance(jaxpr, Jaxpr):
        raise TypeError(f"to_dot: expected a Jaxpr or ClosedJaxpr (e.g. from "
                        f"ftrans.make_jaxpr(f)(*args)), got {type(jaxpr).__name__}")
    lines = ["digraph ftrans {", "  rankdir=LR;", '  node [fontname="Helvetica"];',
             '  edge [color=gray30];']
    lines += _cluster(jaxpr, "p", title, values, in_labels, None, consts)
    if derivative is not None:
        d_title, d_jaxpr, d_consts, d_in, d_out = derivative
        lines += _cluster(d_jaxpr, "d", d_title, None, d_in, d_out, d_consts)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _derivative(f: Callable, args: tuple, kind: str, tr: Any, labels: list[str]
                ) -> tuple[str, Jaxpr, list[Any], list[str], list[str]]:
    from .transforms.linearize import linearize_jaxpr
    from .transforms.transpose import transpose_jaxpr
    lin, consts = linearize_jaxpr(tr.jaxpr, tr.values, [True] * len(tr.jaxpr.invars))
    n_out = len(lin.outvars)
    outs = ["f"] if n_out == 1 else [f"f[{i}]" for i in range(n_out)]
    if kind == "fwd":
        return ("forward-mode derivative program (jvp): tangents in, tangents out", lin,
                consts, [f"ẋ{lab[1:]}" if lab.startswith("x") else lab for lab in labels],
                [f"ḟ{o[1:]}" for o in outs])
    t_jaxpr, t_consts = transpose_jaxpr(lin, consts)
    return ("reverse-mode derivative program (vjp): adjoint of f in, gradient out", t_jaxpr,
            t_consts, [f"{o}̄" for o in outs], [f"∂f/∂{lab}" for lab in labels])


def draw(f: Callable, *args: Any, path: str | os.PathLike | None = None,
         derivative: bool | str = False) -> str:
    """Draw ``f``'s computation graph at ``args`` (values in the nodes, as in the tutorial's
    figure) and return its DOT text. ``derivative=True`` (or ``"rev"``) draws the reverse-mode
    derivative program beside it, ``"fwd"`` the forward-mode one.

    ``path`` ending in ``.dot`` or ``.gv`` gets the DOT text; ``.svg``, ``.png`` or ``.pdf``
    is rendered by Graphviz's ``dot`` program, which must be on ``PATH``.

    >>> import ftrans.numpy as fnp
    >>> dot = draw(lambda x1, x2: fnp.sin(x1 / x2), 1.5, 0.5, derivative=True)
    >>> "v1 = div" in dot and "reverse-mode" in dot
    True
    """
    from .explain import _trace, input_labels
    if derivative not in (False, True, "fwd", "rev"):
        raise ValueError(f"draw: derivative must be False, True, 'fwd' or 'rev', got "
                         f"{derivative!r}")
    fmt = None
    if path is not None:
        ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
        if ext not in ("dot", "gv") + _FORMATS:
            raise ValueError(f"draw: path must end in .dot, .gv, .svg, .png or .pdf, got "
                             f"{os.fspath(path)!r}")
        fmt = None if ext in ("dot", "gv") else ext
        if fmt is not None and shutil.which("dot") is None:
            raise RuntimeError(
                f"draw: writing {os.fspath(path)!r} needs Graphviz's `dot` program, which is "
                "not on PATH. Install Graphviz (apt-get install graphviz, brew install "
                "graphviz or conda install graphviz), or give a path ending in .dot to write "
                "the DOT text and render it elsewhere.")
    tr = _trace(f, args, "draw")
    labels = input_labels(args)
    deriv = None
    if derivative:
        deriv = _derivative(f, args, "fwd" if derivative == "fwd" else "rev", tr, labels)
    dot = to_dot(tr.jaxpr, tr.values, getattr(f, "__name__", "f"), labels, deriv)
    if path is not None:
        if fmt is None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(dot)
        else:
            done = subprocess.run(["dot", f"-T{fmt}", "-o", os.fspath(path)], input=dot,
                                  text=True, capture_output=True)
            if done.returncode != 0:
                raise RuntimeError(f"draw: Graphviz's dot failed on {os.fspath(path)!r}: "
                                   f"{done.stderr.strip()}")
    return dot
