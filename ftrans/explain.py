"""See the derivatives: the tutorial's tables of primals with tangents (forward mode) and
with adjoints (reverse mode), for any function of pytrees, one row per jaxpr variable;
``explain(f)(*args)`` printing the jaxpr, the tables and the gradient; and drawings of the
computation graph (``to_dot``, ``draw``, from ``ftrans.graph``).

Variables are named as in the tutorial: the inputs ``v-1``, ``v0`` (for two inputs; ``v-n+1``
… ``v0`` for n), then ``v1``, ``v2``, … for each equation's output. Arrays are summarised by
dtype, shape and their first entries.

>>> import ftrans.numpy as fnp
>>> print(forward_table(lambda x: fnp.sin(x) * x, (1.0,), (1.0,)))
var  equation     primal  tangent
---  -----------  ------  -------
v0   x1           1.000   1.000
v1   sin(v0)      0.841   0.540
v2   mul(v1, v0)  0.841   1.382
"""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable, NamedTuple, Sequence, TextIO

import numpy as np

from .api.checks import arg_name, check_tangent
from .api.derivatives import vjp
from .core import Zero, bind, instantiate
from .device import default_backend, from_device
from .display import check_primals, input_labels, summarize, trace, var_names
from .graph import draw, to_dot  # noqa: F401  (re-exported: ftrans.explain.draw)
from .ir import Jaxpr, Literal, Var
from .transforms.jvp import jvp_jaxpr_eval
from .tree_util import tree_flatten, tree_unflatten


class Row(NamedTuple):
    """One variable of the program: its name, the equation defining it, and its values (a
    named tuple; ``Table.rows`` holds them).

    Parameters
    ----------
    name : str
        The variable's name (``"v1"``; inputs ``"v-1"``, ``"v0"`` ...).
    equation : str
        The equation defining it (``"sin(v0)"``), or the input's label (``"x1"``).
    primal : array_like
        Its value.
    derivative : array_like
        Its tangent (forward table) or adjoint (reverse table).

    Examples
    --------
    >>> forward_table(lambda x: 2.0 * x, (1.5,), (1.0,)).rows[1].equation
    'mul(2.000, v0)'
    """

    name: str
    equation: str
    primal: Any
    derivative: Any


class Table:
    """Rows of a derivative table; ``str()`` gives plain text, ``.markdown()`` Markdown.
    ``forward_table`` and ``reverse_table`` make them.

    Parameters
    ----------
    rows : list of Row
        One per variable, inputs first.
    kind : str
        ``"tangent"`` (forward mode) or ``"adjoint"`` (reverse mode).
    outputs : list of str
        The variables that are the function's outputs.

    Examples
    --------
    >>> t = forward_table(lambda x: 2.0 * x, (1.5,), (1.0,))
    >>> t.kind, len(t.rows), t.outputs_by_label
    ('tangent', 2, {'f': 'v1'})
    """

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
        """The table in Markdown.

        Returns
        -------
        text : str
            A Markdown table: var, equation, primal and the derivative's kind.

        Examples
        --------
        >>> print(forward_table(lambda x: 2.0 * x, (1.5,), (1.0,)).markdown())
        | var | equation | primal | tangent |
        |---|---|---|---|
        | v0 | x1 | 1.500 | 1.000 |
        | v1 | mul(2.000, v0) | 3.000 | 2.000 |
        """
        head, body = self._cells()
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """``{name: (primal, derivative)}``, zeros as arrays.

        >>> t = forward_table(lambda x: 2.0 * x, (1.5,), (1.0,))
        >>> t.as_dict()["v1"]
        (3.0, 2.0)
        """
        return {r.name: (r.primal, _value(r.derivative)) for r in self.rows}

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per row: ``var``, ``equation``, ``primal`` and the derivative's kind
        (``tangent`` or ``adjoint``), values as arrays (e.g. for ``pandas.DataFrame``).

        >>> forward_table(lambda x: 2.0 * x, (1.5,), (1.0,)).to_records()[0]["equation"]
        'x1'
        """
        return [{"var": r.name, "equation": r.equation, "primal": r.primal,
                 self.kind: _value(r.derivative)} for r in self.rows]

    def lookup(self, name: str) -> Row:
        """The row of variable ``name`` (``"v1"``), of input ``name`` (``"x1"``, or a path
        such as ``"x1['w']"`` for pytrees), or of output ``"f"`` (``"f[0]"``… for several).

        >>> forward_table(lambda x: 2.0 * x, (1.5,), (1.0,)).lookup("f").derivative
        2.0
        """
        if name in self.outputs_by_label:
            name = self.outputs_by_label[name]
        for r in self.rows:
            if r.name == name or r.equation == name:
                return r
        raise KeyError(f"{self.kind} table: no row named {name!r}; rows: "
                       f"{[r.name for r in self.rows]}, outputs: {list(self.outputs_by_label)}")

    @property
    def outputs_by_label(self) -> dict[str, str]:
        """``{"f": "v6"}``: which variable each output is."""
        if len(self.outputs) == 1:
            return {"f": self.outputs[0]}
        return {f"f[{i}]": v for i, v in enumerate(self.outputs)}


def _value(x: Any) -> Any:
    return instantiate(x) if type(x) is Zero else x


def _label(names: dict[Var, str], a: Var | Literal) -> str:
    """The name of an output: its variable's, or "const" for a literal (or a constant)."""
    return names.get(a, "const") if isinstance(a, Var) else "const"


def _equation(eqn: Any, names: dict[Var, str]) -> str:
    args = ", ".join(names[a] if type(a) is Var else summarize(a.val) for a in eqn.inputs)
    params = ", ".join(f"{k}={v}" for k, v in sorted(eqn.params.items()))
    return f"{eqn.prim.name}({args}{', ' + params if params else ''})"


def _on_host(tree: Any) -> Any:
    """CuPy leaves copied to NumPy: the tables are small and computed on the CPU."""
    leaves, treedef = tree_flatten(tree)
    return tree_unflatten(treedef, [from_device(x) for x in leaves])


def _on_cpu(table: Callable) -> Callable:
    """``table`` computed with NumPy on the CPU, also under ``default_backend('gpu')`` (which
    would otherwise move its NumPy values to the GPU)."""
    @functools.wraps(table)
    def on_cpu(*args: Any, **kwargs: Any) -> Any:
        before = default_backend()
        if before == "cpu":
            return table(*args, **kwargs)
        default_backend("cpu")
        try:
            return table(*args, **kwargs)
        finally:
            default_backend(before)
    return on_cpu


def _input_rows(jaxpr: Jaxpr, names: dict[Var, str], values: dict, derivs: dict,
                labels: list[str]) -> list[Row]:
    return [Row(names[v], lab, values[v], derivs.get(v, Zero(v.aval)))
            for v, lab in zip(jaxpr.invars, labels)]


@_on_cpu
def forward_table(f: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> Table:
    """Each variable's primal and tangent for the input direction ``tangents``
    (forward mode, as in the tutorial's first table). Pytrees of arrays are accepted; each
    input leaf gets a row labelled by its path (``x1['w']``).

    Parameters
    ----------
    f : callable
        The function, of arrays (pytrees) to arrays (pytrees).
    primals : tuple
        Its arguments, ``(x,)`` for one.
    tangents : tuple
        The input direction: the structure, shapes and dtypes of ``primals``.

    Returns
    -------
    table : Table
        One ``Row`` per variable (inputs, then each equation's outputs): its primal and its
        tangent.

    Raises
    ------
    TypeError
        If ``primals`` or ``tangents`` is not a tuple of arguments.
    ValueError
        If ``tangents`` does not match ``primals`` in structure or shape.

    Examples
    --------
    >>> t = forward_table(lambda p: p["a"] * p["b"], ({"a": 2.0, "b": 3.0},),
    ...                   ({"a": 1.0, "b": 0.0},))
    >>> [(r.equation, float(r.derivative)) for r in t.rows]
    [("x1['a']", 1.0), ("x1['b']", 0.0), ('mul(v-1, v0)', 3.0)]
    """
    primals = check_primals("forward_table", primals)
    tangents = check_primals("forward_table", tangents)
    primals, tangents = _on_host(primals), _on_host(tangents)
    tr = trace(f, primals, "forward_table")
    t_flat, t_tree = tree_flatten(tangents)
    if t_tree != tr.in_tree:
        raise ValueError(f"forward_table: tangents have structure {t_tree}, but primals have "
                         f"{tr.in_tree}; give one tangent per primal leaf")
    labels = input_labels(primals)
    t_vals = []
    for v, t, lab in zip(tr.jaxpr.invars, t_flat, labels):
        t = np.asarray(t)
        check_tangent(tr.values[v], t, f"forward_table: the tangent of {lab}")
        t_vals.append(t.astype(v.aval.dtype))
    env: dict[Var, Any] = {}
    jvp_jaxpr_eval(tr.jaxpr, tr.values, t_vals, env)
    names = var_names(tr.jaxpr)
    rows = _input_rows(tr.jaxpr, names, tr.values, env, labels)
    for eqn in tr.jaxpr.eqns:
        for v in eqn.outputs:
            rows.append(Row(names[v], _equation(eqn, names), tr.values[v],
                            env.get(v, Zero(v.aval))))
    return Table(rows, "tangent", [_label(names, a) for a in tr.jaxpr.outvars])


def _eqn_vjp(eqn: Any, invals: list[Any], ct: Any) -> list[Any]:
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


@_on_cpu
def reverse_table(f: Callable, primals: Sequence[Any], cotangent: Any = None) -> Table:
    """Each variable's primal and adjoint ∂(cotangent·f)/∂v (reverse mode, as in the
    tutorial's second table). ``cotangent`` defaults to 1 for a scalar output; give one of the
    output's structure otherwise. Pytrees of arrays are accepted.

    Parameters
    ----------
    f : callable
        The function, of arrays (pytrees) to arrays (pytrees).
    primals : tuple
        Its arguments, ``(x,)`` for one.
    cotangent : pytree of array_like, optional
        The output's adjoint, of the output's structure and shapes (default 1, for a scalar
        output only).

    Returns
    -------
    table : Table
        One ``Row`` per variable: its primal and its adjoint; the inputs' adjoints are the
        gradient (the vector-Jacobian product).

    Raises
    ------
    TypeError
        If ``primals`` is not a tuple of arguments.
    ValueError
        If ``cotangent`` is missing for a non-scalar output, or does not match the output
        in structure or shape.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> t = reverse_table(lambda x, y: fnp.sin(x) * y, (0.0, 2.0))
    >>> [(r.name, float(r.derivative)) for r in t.rows]
    [('v-1', 2.0), ('v0', 0.0), ('v1', 2.0), ('v2', 1.0)]
    """
    primals = _on_host(check_primals("reverse_table", primals))
    cotangent = _on_host(cotangent)
    tr = trace(f, primals, "reverse_table")
    jaxpr = tr.jaxpr
    outs = tr.out_vals
    if cotangent is None:
        if len(outs) != 1 or np.shape(outs[0]) != ():
            shapes = [np.shape(o) for o in outs]
            raise ValueError(f"reverse_table: the function's output is not a scalar (its "
                             f"shapes are {shapes}), so give a cotangent of the output's "
                             "structure and shape")
        cts = [np.ones((), np.asarray(outs[0]).dtype)]
    else:
        cts, ct_tree = tree_flatten(cotangent)
        if ct_tree != tr.out_tree:
            raise ValueError(f"reverse_table: cotangent has structure {ct_tree}, output has "
                             f"{tr.out_tree}")
        cts = [np.asarray(c) for c in cts]
        for i, (c, o) in enumerate(zip(cts, outs)):
            if c.shape != np.shape(o):
                raise ValueError(f"reverse_table: cotangent {i} has shape {c.shape}, but the "
                                 f"output has shape {np.shape(o)}")
    adj: dict[Var, Any] = {}
    for a, c in zip(jaxpr.outvars, cts):
        if type(a) is Var:
            adj[a] = adj[a] + c if a in adj else c
    for eqn in reversed(jaxpr.eqns):
        if not any(v in adj for v in eqn.outputs):
            continue
        if eqn.prim.multiple_results:
            ct: Any = [adj[v] if v in adj else np.zeros(v.aval.shape, v.aval.dtype)
                       for v in eqn.outputs]
        else:
            ct = adj[eqn.outputs[0]]
        invals = [a.val if type(a) is Literal else tr.values[a] for a in eqn.inputs]
        for a, c in zip(eqn.inputs, _eqn_vjp(eqn, invals, ct)):
            if c is not None and type(a) is Var:
                adj[a] = adj[a] + c if a in adj else c
    names = var_names(jaxpr)
    rows = _input_rows(jaxpr, names, tr.values, adj, input_labels(primals))
    for eqn in jaxpr.eqns:
        for v in eqn.outputs:
            rows.append(Row(names[v], _equation(eqn, names), tr.values[v],
                            adj.get(v, Zero(v.aval))))
    return Table(rows, "adjoint", [_label(names, a) for a in jaxpr.outvars])


# ----------------------------------------------------------------------------- explain

class Explanation:
    """What ``explain(f)(*args)`` found: the jaxpr, forward tables (one per direction), the
    reverse table and the gradient. ``str()`` is plain text, ``.markdown()`` Markdown.

    Parameters
    ----------
    name : str
        The function's name.
    jaxpr : Jaxpr
        Its program.
    forward : list of (str, Table)
        The forward tables, each with its title.
    reverse : (str, Table)
        The reverse table, with its title.
    gradient : pytree
        The vector-Jacobian product (the gradient for a scalar output), of the arguments'
        structure.

    Examples
    --------
    >>> e = explain(lambda x: 3.0 * x, file=None)(1.0)
    >>> e, e.gradient
    (<Explanation of <lambda>: 1 equations>, (3.0,))
    """

    def __init__(self, name: str, jaxpr: Jaxpr, forward: list[tuple[str, Table]],
                 reverse: tuple[str, Table], gradient: Any):
        self.name = name
        self.jaxpr = jaxpr
        self.forward = forward
        self.reverse = reverse
        self.gradient = gradient

    def _sections(self, md: bool) -> list[str]:
        def head(t: str) -> str:
            return f"### {t}" if md else f"{t}:"
        jaxpr = str(self.jaxpr)
        out = [head(f"The jaxpr of {self.name}"), f"```\n{jaxpr}\n```" if md else jaxpr]
        for title, table in self.forward + [self.reverse]:
            out += [head(title), table.markdown() if md else str(table)]
        leaves, tree = tree_flatten(self.gradient)
        grad = tree_unflatten(tree, [_Shown(summarize(x)) for x in leaves])
        out += [head("Gradient" if self.reverse[0].startswith("Reverse mode, adjoint of f = 1")
                     else "Vector-Jacobian product"), f"`{grad}`" if md else str(grad)]
        return out

    def __str__(self) -> str:
        return "\n\n".join(self._sections(False))

    def markdown(self) -> str:
        """All of it in Markdown: headings, the jaxpr as a code block, the tables.

        Returns
        -------
        text : str
            The Markdown text.

        Examples
        --------
        >>> explain(lambda x: 3.0 * x, file=None)(1.0).markdown().splitlines()[0]
        '### The jaxpr of <lambda>'
        """
        return "\n\n".join(self._sections(True))

    def __repr__(self) -> str:
        return f"<Explanation of {self.name}: {len(self.jaxpr.eqns)} equations>"


class _Shown:
    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def explain(f: Callable, tangents: Sequence[Any] | None = None, cotangent: Any = None,
            file: TextIO | None = sys.stdout) -> Callable[..., Explanation]:
    """``explain(f)(*args)`` prints ``f``'s jaxpr, its forward tables, its reverse table and
    its gradient at ``args``, and returns them as an ``Explanation``.

    Forward tables: one per input when all inputs are at most four scalars (as in the
    tutorial), else one along ``tangents`` (default: ones in every input). The reverse table
    and gradient use ``cotangent`` (default: 1 for a scalar output, else ones). ``file=None``
    prints nothing.

    Parameters
    ----------
    f : callable
        The function, of arrays (pytrees) to arrays (pytrees).
    tangents : tuple, optional
        One input direction for the forward table (default as above).
    cotangent : pytree, optional
        The output's adjoint for the reverse table (default as above).
    file : file-like or None, optional
        Where to print (default ``sys.stdout``; None: nowhere).

    Returns
    -------
    explained : callable
        ``explained(*args)`` prints and returns an ``Explanation``; it raises
        ``TypeError`` for an integer argument (no derivative), and the errors of
        ``forward_table`` and ``reverse_table`` for bad ``tangents`` or ``cotangent``.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> e = explain(lambda x, y: fnp.sin(x) * y, file=None)(0.0, 2.0)
    >>> e.gradient
    (2.0, 0.0)
    >>> print(e.reverse[1])
    var  equation     primal  adjoint
    ---  -----------  ------  -------
    v-1  x1           0.000   2.000
    v0   x2           2.000   0.000
    v1   sin(v-1)     0.000   2.000
    v2   mul(v1, v0)  0.000   1.000
    """
    @_on_cpu
    def explained(*args: Any) -> Explanation:
        args = _on_host(args)
        tr = trace(f, args, "explain")
        leaves, tree = tree_flatten(args)
        labels = input_labels(args)
        for i, a in enumerate(args):
            for leaf in tree_flatten(a)[0]:
                if not np.issubdtype(np.asarray(leaf).dtype, np.inexact):
                    raise TypeError(
                        f"explain: {arg_name(f, i)} has dtype {np.asarray(leaf).dtype.name}; "
                        "derivatives need floating-point inputs. Pass a float, or close over "
                        "it: explain(lambda x: f(x, n))(x).")
        forward: list[tuple[str, Table]] = []
        if tangents is not None:
            forward.append(("Forward mode, along the given tangents",
                            forward_table(f, args, tangents)))
        elif len(leaves) <= 4 and all(np.ndim(x) == 0 for x in leaves):
            for i, lab in enumerate(labels):
                basis = [np.ones_like(x) if j == i else np.zeros_like(x)
                         for j, x in enumerate(leaves)]
                forward.append((f"Forward mode, direction {lab} (tangent of {lab} = 1)",
                                forward_table(f, args, tree_unflatten(tree, basis))))
        else:
            ones = tree_unflatten(tree, [np.ones_like(x) for x in leaves])
            forward.append(("Forward mode, tangent ones in every input",
                            forward_table(f, args, ones)))
        outs = tr.out_vals
        if cotangent is not None:
            ct, title = cotangent, "Reverse mode, the given cotangent"
        elif len(outs) == 1 and np.shape(outs[0]) == ():
            ct, title = tree_unflatten(tr.out_tree, [np.ones_like(outs[0])]), \
                "Reverse mode, adjoint of f = 1"
        else:
            ct = tree_unflatten(tr.out_tree, [np.ones_like(o) for o in outs])
            title = "Reverse mode, cotangent ones for every output"
        reverse = (title, reverse_table(f, args, ct))
        grad = vjp(f, *args)[1](ct)
        name = getattr(f, "__name__", "f")
        e = Explanation(name, tr.jaxpr, forward, reverse, grad)
        if file is not None:
            print(e, file=file)
        return e
    return explained

__all__ = ["Row", "Table", "forward_table", "reverse_table", "Explanation", "explain"]
