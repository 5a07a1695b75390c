"""How ``explain`` and ``graph`` show a program: the concrete trace they both read, the
tutorial's variable names (inputs ``v-1``, ``v0``, then ``v1``, ``v2``, …), labels of input
leaves (paths into pytrees), and values in a few characters.

>>> summarize(3.14159), summarize(np.arange(5.0))
('3.142', 'float64[5] [0.000, 1.000, 2.000, ...]')
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .api.checks import arg_name
from .api.derivatives import Traced, trace_concrete
from .core import Tracer, Zero, bind
from .device import to_host
from .ir import Jaxpr, Literal, Var
from .tree_util import PyTreeDef, tree_flatten


def summarize(x: Any, digits: int = 3) -> str:
    """A value in a few characters: scalars to ``digits`` decimals, arrays by shape and a few
    entries."""
    if x is None:
        return ""
    if type(x) is Zero:
        return "0"
    if isinstance(x, Tracer):
        return f"<traced {x.aval.str_short()}>"
    a = to_host(x)
    if a.ndim == 0:
        return f"{a.item():.{digits}f}" if np.issubdtype(a.dtype, np.inexact) else str(a.item())
    flat = a.ravel()
    shown = ", ".join(f"{v:.{digits}f}" if np.issubdtype(a.dtype, np.inexact) else str(v)
                      for v in flat[:3])
    more = ", ..." if flat.size > 3 else ""
    return f"{a.dtype.name}{list(a.shape)} [{shown}{more}]"


def var_names(jaxpr: Jaxpr) -> dict[Var, str]:
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


def _leaf_paths(treedef: PyTreeDef, prefix: str) -> list[str]:
    """``x1['w']``, ``x1[0]``, ``x1.field``: a label for each leaf of an argument."""
    if treedef.node_type is None:
        return [prefix]
    if treedef.node_type is dict:
        keys = [f"[{k!r}]" for k in treedef.aux]
    elif hasattr(treedef.node_type, "_fields"):
        keys = [f".{k}" for k in treedef.node_type._fields]
    else:
        keys = [f"[{i}]" for i in range(len(treedef.children))]
    return [p for k, c in zip(keys, treedef.children) for p in _leaf_paths(c, prefix + k)]


def input_labels(primals: Sequence[Any]) -> list[str]:
    """The label of each input leaf: ``x1``, ``x2`` for arrays, paths into pytrees.

    >>> input_labels((1.0, {"w": 2.0, "b": (3.0, 4.0)}))
    ['x1', "x2['b'][0]", "x2['b'][1]", "x2['w']"]
    """
    return [p for i, a in enumerate(primals) for p in _leaf_paths(tree_flatten(a)[1],
                                                                    f"x{i + 1}")]


def check_primals(api: str, primals: Any) -> tuple:
    if not isinstance(primals, (tuple, list)):
        raise TypeError(f"{api}: primals must be a tuple of the function's arguments, got "
                        f"{type(primals).__name__} (write (x,) for one argument)")
    return tuple(primals)


def trace(f: Callable, primals: Sequence[Any], api: str = "explain") -> Traced:
    """``f`` traced concretely at ``primals`` (a tuple of its arguments): its jaxpr and the
    value of every variable, which the tables and drawings show."""
    primals = check_primals(api, primals)
    return trace_concrete(f, primals, False, api, [arg_name(f, i) for i in range(len(primals))])



def evaluate(jaxpr: Jaxpr, consts: Sequence[Any], args: Sequence[Any]) -> dict[Var, Any]:
    """The value of every variable of ``jaxpr`` at ``args``."""
    env: dict[Var, Any] = dict(zip(jaxpr.constvars, consts))
    env.update(zip(jaxpr.invars, args))
    for eqn in jaxpr.eqns:
        out = bind(eqn.prim, [a.val if isinstance(a, Literal) else env[a] for a in eqn.inputs],
                   eqn.params)
        env.update(zip(eqn.outputs, out if eqn.prim.multiple_results else (out,)))
    return env
