"""Pytree nodes: the registry of node types, ``PyTreeDef``, flattening and rebuilding."""

from __future__ import annotations

import collections
from typing import Any, Callable, Hashable, Iterable, NamedTuple, Sequence

import numpy as np


class _NodeType(NamedTuple):
    flatten: Callable[[Any], tuple[Iterable[Any], Hashable]]
    unflatten: Callable[[Any, list[Any]], Any]


_registry: dict[type, _NodeType] = {}


def register_pytree_node(node_type: type, flatten: Callable[[Any], tuple[Iterable[Any],
                                                                        Hashable]],
                         unflatten: Callable[[Any, list[Any]], Any]) -> None:
    """Make ``node_type`` a pytree node, flattened by ``flatten`` and rebuilt by ``unflatten``.

    Parameters
    ----------
    node_type : type
        The class.
    flatten : callable
        ``flatten(x) -> (children, aux)``: the children (pytrees) and the hashable static part.
    unflatten : callable
        ``unflatten(aux, children) -> x``.

    Returns
    -------
    None

    Examples
    --------
    >>> from ftrans.tree_util import register_pytree_node, tree_flatten
    >>> class Pair:
    ...     def __init__(self, a, b): self.a, self.b = a, b
    >>> register_pytree_node(Pair, lambda p: ((p.a, p.b), None), lambda _, c: Pair(*c))
    >>> tree_flatten(Pair(1.0, 2.0))[0]
    [1.0, 2.0]
    """
    _registry[node_type] = _NodeType(flatten, unflatten)
    _PLAIN.discard(node_type)


# leaf types: a tuple of them (a call's arguments) is flattened and rebuilt without recursion
_PLAIN = {float, int, complex, bool, np.ndarray, np.float64, np.float32, np.complex128}

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
    """The structure of a pytree, without its leaves; equal structures compare equal (and hash
    alike). Made by ``tree_flatten`` and ``tree_structure``, used by ``tree_unflatten``.
    Its attributes: ``node_type`` (the root's node type; None for a leaf), ``children`` (the
    structures of the root's children, a tuple of ``PyTreeDef``) and ``num_leaves``.

    Parameters
    ----------
    node_type : type or None
    aux : hashable
        The root's static part (a dict's keys...).
    children : tuple of PyTreeDef

    Examples
    --------
    >>> from ftrans.tree_util import tree_structure
    >>> td = tree_structure({"a": 1.0, "b": (2.0, 3.0)})
    >>> td, td.num_leaves, td == tree_structure({"a": 0, "b": (0, 0)})
    (PyTreeDef({'a': *, 'b': (*, *)}), 3, True)
    """

    __slots__ = ("node_type", "aux", "children", "num_leaves", "_hash")
    node_type: type | None
    aux: Any
    children: tuple[PyTreeDef, ...]
    num_leaves: int
    _hash: int

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


def _namedtuple_node(t: type) -> _NodeType:
    return _NodeType(lambda n: (tuple(n), None), lambda _, c: t(*c))


def _node_of(x: Any) -> tuple[type, _NodeType] | None:
    t = type(x)
    node = _registry.get(t)
    if node is not None:
        return t, node
    if isinstance(x, tuple) and hasattr(x, "_fields"):  # a namedtuple
        return t, _namedtuple_node(t)
    return None


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                 ) -> tuple[list[Any], PyTreeDef]:
    """The leaves of ``tree`` in order, and its structure.

    Dicts are flattened in sorted key order (as in JAX); ``None`` is a node with no children.

    Parameters
    ----------
    tree : pytree
        Nested tuples, lists, dicts, namedtuples, ``None`` and registered nodes.
    is_leaf : callable or None, default None
        ``is_leaf(x) -> bool``: subtrees to treat as leaves.

    Returns
    -------
    tuple
        ``(leaves, treedef)``: a list of leaves and a ``PyTreeDef``.

    Examples
    --------
    >>> from ftrans.tree_util import tree_flatten
    >>> tree_flatten({"w": (1.0, 2.0), "b": None})
    ([1.0, 2.0], PyTreeDef({'b': None, 'w': (*, *)}))
    """
    if type(tree) is tuple and is_leaf is None:  # fast path: a tuple of plain leaves
        for c in tree:
            if type(c) not in _PLAIN:
                break
        else:
            return list(tree), _flat_tuple(len(tree))
    leaves: list[Any] = []
    treedef = _flatten(tree, leaves, is_leaf)
    return leaves, treedef


_FLAT_TUPLES: dict[int, PyTreeDef] = {}


def _flat_tuple(n: int) -> PyTreeDef:
    """The structure of a tuple of ``n`` leaves (shared)."""
    td = _FLAT_TUPLES.get(n)
    if td is None:
        td = PyTreeDef(tuple, None, (_LEAF,) * n)
        if n <= 64:
            _FLAT_TUPLES[n] = td
    return td


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
    """Rebuild a pytree of structure ``treedef`` from ``leaves``.

    Parameters
    ----------
    treedef : PyTreeDef
        The structure.
    leaves : iterable
        One value per leaf, in ``tree_flatten``'s order.

    Returns
    -------
    pytree

    Raises
    ------
    ValueError
        If there are too few or too many leaves.

    Examples
    --------
    >>> from ftrans.tree_util import tree_flatten, tree_unflatten
    >>> leaves, treedef = tree_flatten({"w": (1.0, 2.0), "b": None})
    >>> tree_unflatten(treedef, [3.0, 4.0])
    {'b': None, 'w': (3.0, 4.0)}
    """
    if treedef.node_type is tuple and _FLAT_TUPLES.get(treedef.num_leaves) is treedef:
        out = tuple(leaves)  # fast path: a tuple of leaves
        if len(out) == treedef.num_leaves:
            return out
        raise ValueError(f"tree_unflatten: too {'few' if len(out) < treedef.num_leaves else 'many'}"
                         f" leaves for {treedef}, which has {treedef.num_leaves}")
    it = iter(leaves)
    try:
        out = _unflatten(treedef, it)
    except StopIteration:
        raise ValueError(f"tree_unflatten: too few leaves for {treedef}, which has "
                         f"{treedef.num_leaves}") from None
    if next(it, _NO_LEAF) is not _NO_LEAF:
        raise ValueError(f"tree_unflatten: too many leaves for {treedef}, which has "
                         f"{treedef.num_leaves}")
    return out


_NO_LEAF = object()


def _unflatten(treedef: PyTreeDef, it: Any) -> Any:
    if treedef.node_type is None:
        return next(it)
    children = [_unflatten(c, it) for c in treedef.children]
    node = _registry.get(treedef.node_type)
    if node is None:  # namedtuple
        return treedef.node_type(*children)
    return node.unflatten(treedef.aux, children)


def refill(full: Sequence[Any], positions: Sequence[int], values: Iterable[Any]) -> list[Any]:
    """``full`` as a list with ``values`` put at ``positions``: the arguments of a function
    of which only some are traced.

    >>> refill((1, 2, 3), [0, 2], ["a", "c"])
    ['a', 2, 'c']
    """
    out = list(full)
    for i, v in zip(positions, values):
        out[i] = v
    return out


def flatten_fun(fun: Callable[..., Any], args: Sequence[Any], dynamic: Sequence[int],
                in_tree: PyTreeDef, kwargs: dict | None = None
                ) -> tuple[Callable[..., list[Any]], list[PyTreeDef]]:
    """``fun(*args, **kwargs)`` as a function of the leaves of ``(dyn_args, dyn_kwargs)``
    (whose pytree is ``in_tree``): ``dyn_args`` replace the arguments at positions
    ``dynamic``, ``dyn_kwargs`` are more keyword arguments. It returns the leaves of
    ``fun``'s result, and each call appends the result's tree to the list returned with it
    (flatten and refill, once).

    >>> f, out_tree = flatten_fun(lambda a, b: {"s": a + b}, (1.0, 2.0), [1],
    ...                           tree_structure(((0.0,), {})))
    >>> f(5.0), out_tree[0]
    ([6.0], PyTreeDef({'s': *}))
    """
    box: list[PyTreeDef] = []

    def flat(*leaves: Any) -> list[Any]:
        dyn_args, dyn_kw = tree_unflatten(in_tree, leaves)
        out_leaves, out_tree = tree_flatten(fun(*refill(args, dynamic, dyn_args),
                                                **(kwargs or {}), **dyn_kw))
        box.append(out_tree)
        return out_leaves

    return flat, box


def tree_structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> PyTreeDef:
    """The structure of ``tree``.

    Parameters
    ----------
    tree : pytree
    is_leaf : callable or None, default None
        ``is_leaf(x) -> bool``: subtrees to treat as leaves.

    Returns
    -------
    PyTreeDef

    Examples
    --------
    >>> from ftrans.tree_util import tree_structure
    >>> tree_structure((1, [2, 3]))
    PyTreeDef((*, [*, *]))
    """
    return tree_flatten(tree, is_leaf)[1]


def tree_leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list[Any]:
    """The leaves of ``tree``, in ``tree_flatten``'s order.

    Parameters
    ----------
    tree : pytree
    is_leaf : callable or None, default None
        ``is_leaf(x) -> bool``: subtrees to treat as leaves.

    Returns
    -------
    list

    Examples
    --------
    >>> from ftrans.tree_util import tree_leaves
    >>> tree_leaves({"a": 1, "b": (2, 3)})
    [1, 2, 3]
    """
    return tree_flatten(tree, is_leaf)[0]
