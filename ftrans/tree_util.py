"""Pytrees: nested tuples, lists, dicts, None, namedtuples and registered node types.

>>> leaves, tree = tree_flatten({"w": (1.0, 2.0), "b": None})
>>> leaves
[1.0, 2.0]
>>> tree_unflatten(tree, [3.0, 4.0])
{'b': None, 'w': (3.0, 4.0)}
"""

from __future__ import annotations

import collections
from typing import Any, Callable, Hashable, Iterable, NamedTuple


class _NodeType(NamedTuple):
    flatten: Callable[[Any], tuple[Iterable[Any], Hashable]]
    unflatten: Callable[[Hashable, list[Any]], Any]


_registry: dict[type, _NodeType] = {}


def register_pytree_node(node_type: type, flatten: Callable[[Any], tuple[Iterable[Any],
                                                                        Hashable]],
                         unflatten: Callable[[Hashable, list[Any]], Any]) -> None:
    """Make ``node_type`` a pytree node: ``flatten(x) -> (children, aux)``,
    ``unflatten(aux, children) -> x``.

    >>> class Pair:
    ...     def __init__(self, a, b): self.a, self.b = a, b
    >>> register_pytree_node(Pair, lambda p: ((p.a, p.b), None), lambda _, c: Pair(*c))
    >>> tree_flatten(Pair(1.0, 2.0))[0]
    [1.0, 2.0]
    """
    _registry[node_type] = _NodeType(flatten, unflatten)


register_pytree_node(tuple, lambda t: (t, None), lambda _, c: tuple(c))
register_pytree_node(list, lambda t: (t, None), lambda _, c: list(c))
register_pytree_node(dict, lambda d: ([d[k] for k in sorted(d)], tuple(sorted(d))),
                     lambda keys, c: dict(zip(keys, c)))
register_pytree_node(type(None), lambda _: ((), None), lambda _, c: None)
# as in JAX: an OrderedDict keeps its order, a defaultdict sorts its keys like a dict
register_pytree_node(collections.OrderedDict, lambda d: (list(d.values()), tuple(d)),
                     lambda keys, c: collections.OrderedDict(zip(keys, c)))
register_pytree_node(collections.defaultdict,
                     lambda d: ([d[k] for k in sorted(d)], (d.default_factory, tuple(sorted(d)))),
                     lambda aux, c: collections.defaultdict(aux[0], zip(aux[1], c)))


class PyTreeDef:
    """The structure of a pytree, without its leaves. Equal structures compare equal."""

    __slots__ = ("node_type", "aux", "children", "num_leaves", "_hash")

    def __init__(self, node_type: type | None, aux: Any, children: tuple[PyTreeDef, ...]):
        self.node_type = node_type
        self.aux = aux
        self.children = children
        self.num_leaves = 1 if node_type is None else sum(c.num_leaves for c in children)
        self._hash = hash((node_type, aux, children))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, PyTreeDef) and self._hash == other._hash
                and self.node_type == other.node_type and self.aux == other.aux
                and self.children == other.children)

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"PyTreeDef({self._show()})"

    def _show(self) -> str:
        if self.node_type is None:
            return "*"
        inner = ", ".join(c._show() for c in self.children)
        if self.node_type is tuple:
            return f"({inner}{',' if len(self.children) == 1 else ''})"
        if self.node_type is list:
            return f"[{inner}]"
        if self.node_type is dict:
            return "{" + ", ".join(f"{k!r}: {c._show()}"
                                   for k, c in zip(self.aux, self.children)) + "}"
        if self.node_type is type(None):
            return "None"
        return f"{self.node_type.__name__}({inner})"


_LEAF = PyTreeDef(None, None, ())


def _node_of(x: Any) -> tuple[type, _NodeType] | None:
    t = type(x)
    node = _registry.get(t)
    if node is not None:
        return t, node
    if isinstance(x, tuple) and hasattr(x, "_fields"):  # a namedtuple
        return t, _NodeType(lambda n: (tuple(n), None), lambda _, c, t=t: t(*c))
    return None


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                 ) -> tuple[list[Any], PyTreeDef]:
    """The leaves of ``tree`` in order, and its structure."""
    leaves: list[Any] = []
    treedef = _flatten(tree, leaves, is_leaf)
    return leaves, treedef


def _flatten(x: Any, leaves: list[Any], is_leaf: Callable[[Any], bool] | None) -> PyTreeDef:
    if is_leaf is not None and is_leaf(x):
        leaves.append(x)
        return _LEAF
    found = _node_of(x)
    if found is None:
        leaves.append(x)
        return _LEAF
    node_type, node = found
    children, aux = node.flatten(x)
    return PyTreeDef(node_type, aux, tuple(_flatten(c, leaves, is_leaf) for c in children))


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable[Any]) -> Any:
    """Rebuild a pytree of structure ``treedef`` from ``leaves``."""
    it = iter(leaves)
    out = _unflatten(treedef, it)
    return out


def _unflatten(treedef: PyTreeDef, it: Any) -> Any:
    if treedef.node_type is None:
        return next(it)
    children = [_unflatten(c, it) for c in treedef.children]
    node = _registry.get(treedef.node_type)
    if node is None:  # namedtuple
        return treedef.node_type(*children)
    return node.unflatten(treedef.aux, children)


def tree_structure(tree: Any) -> PyTreeDef:
    """The structure of ``tree``.

    >>> tree_structure((1, [2, 3]))
    PyTreeDef((*, [*, *]))
    """
    return tree_flatten(tree)[1]


def tree_leaves(tree: Any) -> list[Any]:
    """The leaves of ``tree``.

    >>> tree_leaves({"a": 1, "b": (2, 3)})
    [1, 2, 3]
    """
    return tree_flatten(tree)[0]


def tree_map(f: Callable[..., Any], tree: Any, *rest: Any) -> Any:
    """Apply ``f`` leafwise to ``tree`` (and to trees of the same structure in ``rest``).

    >>> tree_map(lambda x, y: x + y, (1, [2]), (10, [20]))
    (11, [22])
    """
    leaves, treedef = tree_flatten(tree)
    others = []
    for i, r in enumerate(rest):
        r_leaves, r_def = tree_flatten(r)
        if r_def != treedef:
            raise ValueError(f"tree_map: tree {i + 1} has structure {r_def}, expected "
                             f"{treedef}")
        others.append(r_leaves)
    return tree_unflatten(treedef, [f(*xs) for xs in zip(leaves, *others)])


def treedef_children(treedef: PyTreeDef) -> tuple[PyTreeDef, ...]:
    return treedef.children
