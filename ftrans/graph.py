"""Drawings of the computation graph, like the tutorial's figure: one node per input, one
per equation (named as in the derivative tables, with its value when known), edges from each
value to its uses; optionally the derivative program to its right, read left to right: the
primal output seeds it, its constants are named by the primal values they are (``v5``) or the
local partial derivatives they are (``∂v2/∂v1``), linked to the primal nodes they come from,
and its nodes show their values (the reverse program's outputs are the gradient).

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
from typing import Any, Callable, Mapping, NamedTuple

import numpy as np

from .api.derivatives import jvp
from .core import bind
from .display import evaluate, input_labels, summarize, trace, var_names
from .ir import ClosedJaxpr, Eqn, Jaxpr, Literal, Var
from .transforms.linearize import linearize_jaxpr
from .transforms.transpose import transpose_jaxpr

_FORMATS = ("svg", "png", "pdf")


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _short(params: Mapping[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in sorted(params.items())]
    parts = [p if len(p) <= 28 else p[:25] + "..." for p in parts]
    return "\n".join(parts)


class Derivative(NamedTuple):
    """A derivative program drawn beside the primal one (``draw`` builds it): its title, jaxpr,
    constants, input and output labels, and, when known, the values of its variables.

    Parameters
    ----------
    title : str
        The caption of its cluster.
    jaxpr : Jaxpr
        The derivative program.
    consts : list
        The values of its constants.
    in_labels, out_labels : list of str
        Labels of its inputs and outputs.
    values : mapping of Var to array, optional
        The values of its variables, shown in the nodes (default None: types shown).

    Examples
    --------
    >>> import ftrans
    >>> j = ftrans.make_jaxpr(lambda t: 2.0 * t)(1.0)
    >>> d = Derivative("jvp", j.jaxpr, list(j.consts), ["ẋ1"], ["ḟ"])
    >>> "jvp" in to_dot(j, derivative=d)
    True
    """

    title: str
    jaxpr: Jaxpr
    consts: list[Any]
    in_labels: list[str]
    out_labels: list[str]
    values: Mapping[Var, Any] | None = None


class _Origins:
    """Where each constant of a derivative program comes from: a primal value (``v5``), or a
    local partial derivative of one equation (``∂v2/∂v1``, computed by the equation's jvp
    rule); with the primal variable whose node it is drawn from.

    Residuals are the primal values themselves (found by identity), or recomputed here by the
    same rules on the same values (found by equality): elementwise equations' partials, and
    inputs (tracing makes a new scalar of a 0-d input).
    """

    def __init__(self, jaxpr: Jaxpr, values: Mapping[Var, Any], names: Mapping[Var, str]):
        self.jaxpr, self.values, self.names = jaxpr, values, names
        self.by_id: dict[int, Var] = {}
        for v, x in values.items():
            if v in names and x is not None:
                self.by_id.setdefault(id(x), v)
        self._by_value: list[tuple[Any, Var, str]] | None = None

    def find(self, x: Any) -> tuple[Var, str] | None:
        """``(primal variable, label)`` of constant ``x``, or None."""
        v = self.by_id.get(id(x))
        if v is not None:
            return v, self.names[v]
        if self._by_value is None:  # computed once, when first needed
            self._by_value = [(d, eqn.outputs[0], label) for eqn in self.jaxpr.eqns
                              for d, label in _partials(eqn, self.values, self.names)]
            self._by_value += [(self.values[v], v, self.names[v]) for v in self.jaxpr.invars
                               if v in self.values]
        for value, v, label in self._by_value:
            if _same(value, x):
                return v, label
        return None


def _same(a: Any, b: Any) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b))


def _partials(eqn: Eqn, values: Mapping[Var, Any], names: Mapping[Var, str]
              ) -> list[tuple[Any, str]]:
    """An elementwise equation's partial derivatives by each input of its shape, with labels
    ``∂v2/∂v1``: the factors its jvp rule multiplies tangents by."""
    out = eqn.outputs[0]
    if eqn.prim.family != "elementwise" or len(eqn.outputs) != 1 or \
            not np.issubdtype(out.aval.dtype, np.inexact):
        return []
    ins = [a.val if isinstance(a, Literal) else values.get(a) for a in eqn.inputs]
    if any(x is None for x in ins):
        return []
    found = []
    for j, a in enumerate(eqn.inputs):
        if type(a) is not Var or a.aval.shape != out.aval.shape or \
                not np.issubdtype(a.aval.dtype, np.inexact):
            continue

        def local(x: Any, j: int = j) -> Any:
            return bind(eqn.prim, ins[:j] + [x] + ins[j + 1:], eqn.params)
        try:
            _, d = jvp(local, (ins[j],), (np.ones_like(ins[j]),))
        except Exception:  # noqa: BLE001 - a label the drawing can do without
            continue
        found.append((d, f"∂{names[out]}/∂{names[a]}"))
    return found


def _shown(values: Mapping[Var, Any] | None, v: Var) -> str:
    if values is not None and v in values and values[v] is not None:
        return "\n= " + summarize(values[v])
    return "\n" + v.aval.str_short()


def _cluster(jaxpr: Jaxpr, prefix: str, title: str, values: Mapping[Var, Any] | None,
             in_labels: list[str] | None, out_labels: list[str] | None,
             consts: list[Any] | None, origins: _Origins | None = None,
             primal_node: Mapping[Var, str] | None = None) -> tuple[list[str], list[str]]:
    """The lines of one program's cluster, and the edges from the primal program into it
    (``origins`` names the constants of a derivative program by the primal values they
    come from; ``primal_node`` says which node of the primal cluster draws each value)."""
    names = var_names(jaxpr)
    if prefix != "p":  # the derivative program: d0, d1, … so names differ from the primal's
        names = {v: "d" + n[1:] for v, n in names.items() if v not in jaxpr.constvars}
    node: dict[Var, str] = {}
    lines = [f"  subgraph cluster_{prefix} {{", f"    label={_q(title)};",
             "    style=rounded; color=gray60;"]
    if prefix != "p":  # links from the primal program come in over the top
        lines.append("    labelloc=b;")
    links: list[str] = []
    from_primal: dict[str, str] = {}  # label of a constant -> its node

    def constant(x: Any) -> str | None:
        """The node of a derivative constant that comes from the primal program (made once
        per origin, linked from its primal node), else None."""
        found = origins.find(x) if origins is not None else None
        if found is None or primal_node is None:
            return None
        v, label = found
        if label not in from_primal:
            nid = f"{prefix}_r{len(from_primal)}"
            from_primal[label] = nid
            lines.append(f"    {nid} [label={_q(label + chr(10) + '= ' + summarize(x))}, "
                         "shape=note, style=filled, fillcolor=lightyellow];")
            links.append(f"  {primal_node[v]} -> {nid} [style=dashed, color=gray50];")
        return from_primal[label]

    for i, v in enumerate(jaxpr.constvars):
        value = consts[i] if consts is not None else None
        nid = constant(value) if value is not None else None
        if nid is None:
            nid = f"{prefix}_c{i}"
            shown = "\n= " + summarize(value) if value is not None else _shown(values, v)
            lines.append(f"    {nid} [label={_q(names.get(v, f'c{i}') + shown)}, shape=note];")
        node[v] = nid
    for i, v in enumerate(jaxpr.invars):
        node[v] = f"{prefix}_in{i}"
        lab = in_labels[i] if in_labels else f"x{i + 1}"
        lines.append(f"    {node[v]} [label={_q(f'{names[v]} = {lab}' + _shown(values, v))}, "
                     "shape=ellipse, style=filled, fillcolor=lightblue];")
    for k, eqn in enumerate(jaxpr.eqns):
        eid = f"{prefix}_e{k}"
        outs = ", ".join(names[v] for v in eqn.outputs)
        params = _short(eqn.params)
        label = f"{outs} = {eqn.prim.name}" + (f"\n{params}" if params else "")
        if len(eqn.outputs) == 1:
            label += _shown(values, eqn.outputs[0])
        lines.append(f"    {eid} [label={_q(label)}, shape=box];")
        for j, a in enumerate(eqn.inputs):
            if isinstance(a, Literal):
                lid = constant(a.val)
                if lid is None:
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
        if values is not None and type(a) is Var and prefix != "p":
            lab += _shown(values, a)
        shape = "shape=doublecircle" if "\n" not in lab else "shape=ellipse, peripheries=2"
        lines.append(f"    {oid} [label={_q(lab)}, {shape}];")
        if isinstance(a, Literal):
            lines.append(f"    {oid}_lit [label={_q(summarize(a.val))}, shape=plaintext];")
            lines.append(f"    {oid}_lit -> {oid};")
        else:
            lines.append(f"    {node[a]} -> {oid};")
    lines.append("  }")
    return lines, links


def _outs_of(jaxpr: Jaxpr, v: Var) -> tuple[Var, ...]:
    for eqn in jaxpr.eqns:
        if v in eqn.outputs:
            return tuple(eqn.outputs)
    return ()


def _primal_nodes(jaxpr: Jaxpr) -> dict[Var, str]:
    """The node of the primal cluster that draws each variable (as ``_cluster`` names them)."""
    node = {v: f"p_c{i}" for i, v in enumerate(jaxpr.constvars)}
    node.update({v: f"p_in{i}" for i, v in enumerate(jaxpr.invars)})
    for k, eqn in enumerate(jaxpr.eqns):
        node.update({v: f"p_e{k}" for v in eqn.outputs})
    return node


def to_dot(jaxpr: Jaxpr | ClosedJaxpr, values: Mapping[Var, Any] | None = None,
           title: str = "f", in_labels: list[str] | None = None,
           derivative: Derivative | tuple | None = None) -> str:
    """The computation graph of ``jaxpr`` in Graphviz's DOT language: inputs as ellipses,
    each equation as a box named like the derivative tables (``v1 = div``), its value when
    ``values`` has it, else its type; outputs as double circles.

    ``derivative`` (a ``Derivative``, e.g. the backward pass ``draw`` builds) is drawn to the
    right of the program: the primal program's output feeds its seed, and each of its
    constants that is a primal value (``v5``) or an equation's local partial derivative
    (``∂v2/∂v1``) is named so, with a dashed edge from the primal node it comes from.

    Parameters
    ----------
    jaxpr : Jaxpr or ClosedJaxpr
        The program (``make_jaxpr(f)(*args)``).
    values : mapping of Var to array, optional
        Values of its variables, shown in the nodes (default None: their types).
    title : str, optional
        The caption (default ``"f"``).
    in_labels : list of str, optional
        Labels of the inputs (default ``x1``, ``x2`` ...).
    derivative : Derivative or tuple, optional
        A derivative program to draw beside it.

    Returns
    -------
    dot : str
        The DOT text (render it with Graphviz's ``dot -Tsvg``).

    Raises
    ------
    TypeError
        If ``jaxpr`` is not a Jaxpr or ClosedJaxpr.

    Examples
    --------
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
    p_lines, _ = _cluster(jaxpr, "p", title, values, in_labels, None, consts)
    lines += p_lines
    if derivative is not None:
        d = Derivative(*derivative)
        origins = _Origins(jaxpr, values, var_names(jaxpr)) if values is not None else None
        d_lines, links = _cluster(d.jaxpr, "d", d.title, d.values, d.in_labels, d.out_labels,
                                  d.consts, origins, _primal_nodes(jaxpr))
        lines += d_lines
        # the primal program's outputs seed the derivative program, read left to right
        if len(jaxpr.outvars) == len(d.jaxpr.invars):
            lines += [f"  p_out{i} -> d_in{i} [style=dashed, color=gray50];"
                      for i in range(len(jaxpr.outvars))]
        lines += links
    lines.append("}")
    return "\n".join(lines) + "\n"


def _derivative(f: Callable, args: tuple, kind: str, tr: Any, labels: list[str]
                ) -> Derivative:
    lin, consts = linearize_jaxpr(tr.jaxpr, tr.values, [True] * len(tr.jaxpr.invars))
    n_out = len(lin.outvars)
    outs = ["f"] if n_out == 1 else [f"f[{i}]" for i in range(n_out)]
    if kind == "fwd":
        return Derivative("forward-mode derivative program (jvp): tangents in, tangents out",
                          lin, consts,
                          [f"ẋ{lab[1:]}" if lab.startswith("x") else lab for lab in labels],
                          [f"ḟ{o[1:]}" for o in outs])
    t_jaxpr, t_consts = transpose_jaxpr(lin, consts)
    # the gradient: the adjoint of each output is 1 (ones for arrays), as in reverse_table
    seeds = [np.ones(a.aval.shape, a.aval.dtype) for a in t_jaxpr.invars]
    return Derivative("reverse-mode derivative program (vjp): adjoint of f in, gradient out",
                      t_jaxpr, t_consts, [f"{o}̄" for o in outs],
                      [f"∂f/∂{lab}" for lab in labels],
                      evaluate(t_jaxpr, t_consts, seeds))


def draw(f: Callable, *args: Any, path: str | os.PathLike | None = None,
         derivative: bool | str = False) -> str:
    """Draw ``f``'s computation graph at ``args`` (values in the nodes, as in the tutorial's
    figure) and return its DOT text. ``derivative=True`` (or ``"rev"``) draws the reverse-mode
    derivative program to its right, with the values of its variables at adjoint ``f̄ = 1``
    (its outputs are the gradient); ``"fwd"`` draws the forward-mode one. Their constants are
    named by the primal values (``v5``) or partial derivatives (``∂v2/∂v1``) they are.

    ``path`` ending in ``.dot`` or ``.gv`` gets the DOT text; ``.svg``, ``.png`` or ``.pdf``
    is rendered by Graphviz's ``dot`` program, which must be on ``PATH``.

    Parameters
    ----------
    f : callable
        The function, of arrays (pytrees) to arrays (pytrees).
    *args
        Its arguments; ``f`` runs on them.
    path : str or os.PathLike, optional
        A file to write (default None: none).
    derivative : {False, True, "rev", "fwd"}, optional
        Draw no derivative program (default), the reverse-mode one, or the forward-mode
        one.

    Returns
    -------
    dot : str
        The DOT text.

    Raises
    ------
    ValueError
        If ``derivative`` is not one of the values above, or ``path`` has another
        extension.
    RuntimeError
        If ``path`` needs Graphviz's ``dot`` and it is not on ``PATH``, or it fails.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> dot = draw(lambda x1, x2: fnp.sin(x1 / x2), 1.5, 0.5, derivative=True)
    >>> "v1 = div" in dot and "reverse-mode" in dot
    True
    """
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
    tr = trace(f, args, "draw")
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
