"""Key paths: where each leaf sits in its pytree (JAX's ``tree_flatten_with_path`` family)."""

from __future__ import annotations

import collections
from typing import Any, Callable, Hashable, NamedTuple

from ._nodes import PyTreeDef, _node_of, tree_structure, tree_unflatten
from ._ops import _flatten_up_to

# ----------------------------------------------------------------------------- key paths

class SequenceKey(NamedTuple):
    """The position of a child in a tuple or list.

    Attributes
    ----------
    idx : int
        The child's index.

    Examples
    --------
    >>> import ftrans.tree_util as tu
    >>> [str(p[0]) for p, _ in tu.tree_flatten_with_path((1, 2))[0]]
    ['[0]', '[1]']
    """
    idx: int

    def __str__(self) -> str:
        return f"[{self.idx!r}]"


class DictKey(NamedTuple):
    """The key of a child in a dict.

    Attributes
    ----------
    key : hashable
        The child's key.

    Examples
    --------
    >>> import ftrans.tree_util as tu
    >>> tu.tree_flatten_with_path({'a': 1})[0][0][0]
    (DictKey(key='a'),)
    """
    key: Hashable

    def __str__(self) -> str:
        return f"[{self.key!r}]"


class GetAttrKey(NamedTuple):
    """The attribute name of a child (namedtuple fields, dataclass fields).

    Attributes
    ----------
    name : str
        The attribute's name.

    Examples
    --------
    >>> import collections, ftrans.tree_util as tu
    >>> P = collections.namedtuple('P', 'x y')
    >>> str(tu.tree_flatten_with_path(P(1, 2))[0][1][0][0])
    '.y'
    """
    name: str

    def __str__(self) -> str:
        return f".{self.name}"


class FlattenedIndexKey(NamedTuple):
    """The position of a child among the children a node type's ``flatten`` gives.

    Attributes
    ----------
    key : int
        The child's position in the node's flattened children.

    Examples
    --------
    >>> str(FlattenedIndexKey(2))
    '[<flat index 2>]'
    """
    key: int

    def __str__(self) -> str:
        return f"[<flat index {self.key}>]"


def _child_keys(x: Any, node_type: type, aux: Any, n: int) -> list[Any]:
    if node_type in (tuple, list):
        return [SequenceKey(i) for i in range(n)]
    if node_type is dict:
        return [DictKey(k) for k in aux]
    if node_type is collections.OrderedDict:
        return [DictKey(k) for k in aux]
    if node_type is collections.defaultdict:
        return [DictKey(k) for k in aux[1]]
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return [GetAttrKey(f) for f in x._fields]
    return [FlattenedIndexKey(i) for i in range(n)]


def tree_flatten_with_path(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                           ) -> tuple[list[tuple[tuple, Any]], PyTreeDef]:
    """``tree_flatten``, each leaf paired with its key path (a tuple of ``SequenceKey``,
    ``DictKey``, ``GetAttrKey``, ``FlattenedIndexKey``).

    Parameters
    ----------
    tree : pytree
    is_leaf : callable or None, default None
        ``is_leaf(x) -> bool``: subtrees to treat as leaves.

    Returns
    -------
    tuple
        ``(list of (path, leaf), treedef)``.

    Examples
    --------
    >>> from ftrans.tree_util import tree_flatten_with_path
    >>> tree_flatten_with_path({"a": [1.0]})[0]
    [((DictKey(key='a'), SequenceKey(idx=0)), 1.0)]
    """
    out: list[tuple[tuple, Any]] = []

    def walk(x: Any, path: tuple) -> None:
        if is_leaf is not None and is_leaf(x):
            out.append((path, x))
            return
        found = _node_of(x)
        if found is None:
            out.append((path, x))
            return
        children, aux = found[1].flatten(x)
        children = list(children)
        for k, c in zip(_child_keys(x, found[0], aux, len(children)), children):
            walk(c, path + (k,))

    walk(tree, ())
    return out, tree_structure(tree, is_leaf)


def tree_leaves_with_path(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                          ) -> list[tuple[tuple, Any]]:
    """The leaves of ``tree`` with their key paths.

    Parameters
    ----------
    tree : pytree
    is_leaf : callable or None, default None
        ``is_leaf(x) -> bool``: subtrees to treat as leaves.

    Returns
    -------
    list of (tuple, object)
        ``(path, leaf)`` pairs, in ``tree_flatten``'s order.

    Examples
    --------
    >>> from ftrans.tree_util import keystr, tree_leaves_with_path
    >>> [keystr(p) for p, _ in tree_leaves_with_path({"w": (1.0, 2.0)})]
    ["['w'][0]", "['w'][1]"]
    """
    return tree_flatten_with_path(tree, is_leaf)[0]


def tree_map_with_path(f: Callable[..., Any], tree: Any, *rest: Any,
                       is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """``tree_map`` where ``f`` also gets each leaf's key path first: ``f(path, x, *ys)``.

    Parameters
    ----------
    f : callable
    tree : pytree
    *rest : pytree
        Trees with ``tree``'s structure as a prefix.
    is_leaf : callable or None, default None
        ``is_leaf(x) -> bool``: subtrees to treat as leaves.

    Returns
    -------
    pytree

    Raises
    ------
    ValueError
        If a tree in ``rest`` does not have ``tree``'s structure as a prefix.

    Examples
    --------
    >>> from ftrans.tree_util import keystr, tree_map_with_path
    >>> tree_map_with_path(lambda p, x: f"{keystr(p)}={x}", {"a": [1.0, None], "b": 2.0})
    {'a': ["['a'][0]=1.0", None], 'b': "['b']=2.0"}
    """
    pairs, treedef = tree_flatten_with_path(tree, is_leaf)
    others = [_flatten_up_to(treedef, r, f"tree_map_with_path: tree {i + 1}")
              for i, r in enumerate(rest)]
    return tree_unflatten(treedef, [f(p, x, *ys) for (p, x), *ys in zip(pairs, *others)])


def keystr(keys: tuple, *, simple: bool = False, separator: str = "") -> str:
    """A key path as a string.

    Parameters
    ----------
    keys : tuple
        A key path, from ``tree_flatten_with_path``.
    simple : bool, default False
        Just the keys, joined by ``separator``, instead of Python's indexing syntax.
    separator : str, default ""
        The joiner with ``simple``.

    Returns
    -------
    str

    Examples
    --------
    >>> from ftrans.tree_util import DictKey, GetAttrKey, SequenceKey, keystr
    >>> keystr((DictKey("w"), SequenceKey(0))), keystr((DictKey("w"), GetAttrKey("b")),
    ...                                               simple=True, separator="/")
    ("['w'][0]", 'w/b')
    """
    if not simple:
        return separator.join(str(k) for k in keys)
    return separator.join(str(k[0]) for k in keys)
