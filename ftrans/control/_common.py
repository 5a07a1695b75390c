"""What the control-flow and custom-rule primitives share: user functions traced into their
bodies (pytrees in and out, checked), bodies and rules batched with every batch axis at the
front, and small helpers on operand lists.

>>> split([1, 2, 3, 4], 1, 2)
[[1], [2, 3], [4]]
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import Tracer, aval_of, trace_to_jaxpr
from ..ir import ClosedJaxpr, Jaxpr, ShapedArray, Var, is_float_dtype
from ..prims.families import shape_of
from ..prims.shape import move_batch_axis
from ..transforms.batch import batch_fun, batch_jaxpr_eval
from ..transforms.closed import close_jaxpr, trace_closed
from ..tree_util import PyTreeDef, tree_flatten, tree_unflatten

PY_SCALARS = (bool, int, float, complex)


# ----------------------------------------------------------------------------- operands

def as_array(x: Any, xp: Any = np) -> Any:
    """A result of a body as an array of ``xp`` (Python numbers, and NumPy constants on the
    GPU, become arrays of the computation's device)."""
    if isinstance(x, PY_SCALARS) or (xp is not np and type(x) is np.ndarray):
        return xp.asarray(x)
    return x


def to_front(x: Any, d: int | None, size: int) -> Any:
    """``x`` with its batch axis (``d``; ``None``: unbatched, broadcast) at the front."""
    return move_batch_axis(as_array(x), d, 0, size)


def batch_size(args: Sequence[Any], dims: Sequence[int | None]) -> int:
    return next(shape_of(a)[d] for a, d in zip(args, dims) if d is not None)


def force_batched(args: Sequence[Any], dims: Sequence[int | None]) -> tuple[list[Any], int]:
    """Every operand batched at the front (unbatched ones broadcast), and the batch size."""
    size = batch_size(args, dims)
    return [to_front(a, d, size) for a, d in zip(args, dims)], size


def types(avals: Sequence[ShapedArray]) -> str:
    return "(" + ", ".join(a.str_short() for a in avals) + ")"


def split(xs: Sequence[Any], *sizes: int) -> list[list[Any]]:
    """``xs`` cut into pieces of ``sizes``, and the rest."""
    out, i = [], 0
    for n in sizes:
        out.append(list(xs[i:i + n]))
        i += n
    out.append(list(xs[i:]))
    return out


def is_float(aval: ShapedArray) -> bool:
    return is_float_dtype(aval.dtype)


def with_invars(cj: ClosedJaxpr, invars: Sequence[Var], outvars: Sequence[Any] | None = None
                ) -> ClosedJaxpr:
    j = cj.jaxpr
    return ClosedJaxpr(Jaxpr(j.constvars, invars, j.eqns,
                             j.outvars if outvars is None else outvars), cj.consts)


# ----------------------------------------------------------------------------- batching

def batch_closed(cj: ClosedJaxpr, dims: Sequence[int | None], size: int) -> ClosedJaxpr:
    """``cj`` batched: inputs batched at axis 0 where ``dims`` says so; every output at 0."""
    avals = [ShapedArray((size, *av.shape), av.dtype) if d is not None else av
             for av, d in zip(cj.in_avals, dims)]

    def batched(*args: Any) -> list[Any]:
        outs, out_dims = batch_jaxpr_eval(cj.jaxpr, cj.consts, args, dims)
        return [to_front(o, d, size) for o, d in zip(outs, out_dims)]

    return trace_closed(batched, avals)


def batched(fun: Callable[..., Any]) -> Callable[..., Any]:
    """``fun`` (pytrees of arrays in and out) on arguments batched at axis 0, with every
    result batched at axis 0: a rule's ``vmap`` (a user's rule inside a batched custom
    function)."""
    def run(*args: Any) -> Any:
        leaves, in_tree = tree_flatten(args)
        size = shape_of(leaves[0])[0]
        outs, out_dims, out_tree, _ = batch_fun(
            lambda *xs: fun(*tree_unflatten(in_tree, xs)), leaves, [0] * len(leaves), "vmap")
        return tree_unflatten(out_tree, [to_front(o, d, size) for o, d in zip(outs, out_dims)])
    return run


# ----------------------------------------------------------------------------- user functions

TRACED_AS = {"cond": "a branch of lax.cond", "switch": "a branch of lax.switch",
             "scan": "the body of lax.scan", "while_loop": "the body of lax.while_loop"}


def fname(f: Any) -> str:
    return getattr(f, "__name__", type(f).__name__)


def leaf(x: Any, where: str) -> Any:
    """An operand or result leaf as an array (a Python number as a NumPy one), checked."""
    if isinstance(x, Tracer):
        return x
    if isinstance(x, PY_SCALARS):
        return np.asarray(x)
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return x
    raise TypeError(f"{where}: expected arrays or numbers, got {type(x).__name__} {x!r:.60}")


def flat_args(tree: Any, where: str) -> tuple[list, PyTreeDef, list[ShapedArray]]:
    """The leaves of ``tree`` as arrays, its structure, and their (strong) avals."""
    leaves, treedef = tree_flatten(tree)
    leaves = [leaf(x, where) for x in leaves]
    return leaves, treedef, [aval_of(x).strip_weak() for x in leaves]


def trace_fun(fun: Any, in_tree: PyTreeDef, avals: list, where: str, why: str = ""
              ) -> tuple[ClosedJaxpr, list[Any], PyTreeDef, list[bool]]:
    """Trace ``fun`` (pytree arguments) abstractly: (ClosedJaxpr, hoisted consts, out tree,
    which outputs were Python scalars). ``why`` (by default from ``where``) is what a
    ``ConcretizationError`` inside it names."""
    box: list = []

    def flat(*xs: Any) -> list:
        out = fun(*tree_unflatten(in_tree, xs))
        leaves, tree = tree_flatten(out)
        box.append(tree)
        box.append([isinstance(x, PY_SCALARS) for x in leaves])
        return [leaf(x, f"{where}: {fname(fun)} returned") for x in leaves]

    jaxpr, consts = trace_to_jaxpr(flat, avals, why or TRACED_AS.get(where, where))
    closed, hoisted = close_jaxpr(jaxpr, consts)
    return closed, hoisted, box[0], box[1]
