"""Operations on pytrees and their structures: map, reduce, transpose, treedef helpers."""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable

from ._nodes import (
    _LEAF,
    PyTreeDef,
    _node_of,
    tree_flatten,
    tree_leaves,
    tree_structure,
    tree_unflatten,
)


def tree_map(f: Callable[..., Any], tree: Any, *rest: Any,
             is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """Apply ``f`` leafwise to ``tree`` and to the trees in ``rest``.

    Parameters
    ----------
    f : callable
        Called with one leaf of ``tree`` and the matching subtree of each tree in ``rest``.
    tree : pytree
    *rest : pytree
        Trees with the structure of ``tree``, or having it as a prefix (then ``f`` gets their
        whole subtrees).
    is_leaf : callable or None, default None
        ``is_leaf(x) -> bool``: subtrees to treat as leaves.

    Returns
    -------
    pytree
        ``f``'s results, in the structure of ``tree``.

    Raises
    ------
    ValueError
        If a tree in ``rest`` does not have ``tree``'s structure as a prefix.

    Examples
    --------
    >>> from ftrans.tree_util import tree_map
    >>> tree_map(lambda x, y: x + y, (1, [2]), (10, [20]))
    (11, [22])
    >>> tree_map(lambda x, y: (x, y), [1, 2], [(3, 4), None])
    [(1, (3, 4)), (2, None)]
    """
    leaves, treedef = tree_flatten(tree, is_leaf)
    others = [_flatten_up_to(treedef, r, f"tree_map: tree {i + 1}")
              for i, r in enumerate(rest)]
    return tree_unflatten(treedef, [f(*xs) for xs in zip(leaves, *others)])


def treedef_children(treedef: PyTreeDef) -> tuple[PyTreeDef, ...]:
    """The structures of the root's children.

    Parameters
    ----------
    treedef : PyTreeDef

    Returns
    -------
    tuple of PyTreeDef

    Examples
    --------
    >>> from ftrans.tree_util import tree_structure, treedef_children
    >>> treedef_children(tree_structure((1.0, [2.0, 3.0])))
    (PyTreeDef(*), PyTreeDef([*, *]))
    """
    return treedef.children


# ----------------------------------------------------------------------------- more of JAX's API

def treedef_is_leaf(treedef: PyTreeDef) -> bool:
    """Whether ``treedef`` is a single leaf.

    Parameters
    ----------
    treedef : PyTreeDef

    Returns
    -------
    bool

    Examples
    --------
    >>> from ftrans.tree_util import tree_structure, treedef_is_leaf
    >>> treedef_is_leaf(tree_structure(1.0)), treedef_is_leaf(tree_structure((1.0,)))
    (True, False)
    """
    return treedef.node_type is None


def treedef_tuple(treedefs: Iterable[PyTreeDef]) -> PyTreeDef:
    """The structure of a tuple whose children have the structures ``treedefs``.

    Parameters
    ----------
    treedefs : iterable of PyTreeDef

    Returns
    -------
    PyTreeDef

    Raises
    ------
    TypeError
        If an element is not a ``PyTreeDef``.

    Examples
    --------
    >>> from ftrans.tree_util import tree_structure, treedef_tuple
    >>> treedef_tuple([tree_structure(1), tree_structure([1, 2])])
    PyTreeDef((*, [*, *]))
    """
    children = tuple(treedefs)
    for i, td in enumerate(children):
        if not isinstance(td, PyTreeDef):
            raise TypeError(f"treedef_tuple: element {i} must be a PyTreeDef "
                            f"(tree_structure(...)), got {type(td).__name__} {td!r:.60}")
    return PyTreeDef(tuple, None, children)


def all_leaves(iterable: Iterable[Any], is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """Whether every element of ``iterable`` is a leaf.

    Parameters
    ----------
    iterable : iterable
    is_leaf : callable or None, default None
        ``is_leaf(x) -> bool``: subtrees to treat as leaves.

    Returns
    -------
    bool

    Examples
    --------
    >>> from ftrans.tree_util import all_leaves
    >>> all_leaves([1.0, "a"]), all_leaves([1.0, (2.0,)])
    (True, False)
    """
    return all(tree_structure(x, is_leaf) == _LEAF for x in iterable)


def _flatten_up_to(treedef: PyTreeDef, tree: Any, what: str = "tree") -> list[Any]:
    """The subtrees of ``tree`` at the leaves of ``treedef`` (a prefix of its structure)."""
    out: list[Any] = []

    def walk(td: PyTreeDef, x: Any) -> None:
        if td.node_type is None:
            out.append(x)
            return
        found = _node_of(x)
        if found is None or found[0] is not td.node_type:
            raise ValueError(f"{what} has structure {tree_structure(tree)}, which does not "
                             f"have {treedef} as a prefix: expected a {td.node_type.__name__} "
                             f"node, got {type(x).__name__} {x!r:.60}")
        children, aux = found[1].flatten(x)
        children = list(children)
        if aux != td.aux or len(children) != len(td.children):
            raise ValueError(f"{what} has structure {tree_structure(tree)}, which does not "
                             f"have {treedef} as a prefix")
        for c_td, c in zip(td.children, children):
            walk(c_td, c)

    walk(treedef, tree)
    return out


def _compose(outer: PyTreeDef, inner: PyTreeDef) -> PyTreeDef:
    """``outer`` with each of its leaves replaced by ``inner``."""
    if outer.node_type is None:
        return inner
    return PyTreeDef(outer.node_type, outer.aux, tuple(_compose(c, inner)
                                                       for c in outer.children))


def tree_reduce(function: Callable[[Any, Any], Any], tree: Any, *initializer: Any,
                is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """``functools.reduce(function, leaves)`` over the leaves of ``tree``.

    Parameters
    ----------
    function : callable
        ``function(accumulated, leaf)``.
    tree : pytree
    *initializer
        At most one: the starting value.
    is_leaf : callable or None, default None
        ``is_leaf(x) -> bool``: subtrees to treat as leaves.

    Returns
    -------
    object
        The reduction.

    Raises
    ------
    TypeError
        For more than one initializer, or a tree with no leaves and no initializer.

    Examples
    --------
    >>> from ftrans.tree_util import tree_reduce
    >>> tree_reduce(lambda a, b: a + b, {"x": 1, "y": (2, 3)})
    6
    >>> tree_reduce(max, [], 0)
    0
    """
    if len(initializer) > 1:
        raise TypeError(f"tree_reduce takes at most one initializer, got {len(initializer)}")
    leaves = tree_leaves(tree, is_leaf)
    if not leaves and not initializer:
        raise TypeError("tree_reduce of a tree with no leaves needs an initializer")
    return functools.reduce(function, leaves, *initializer)


def tree_all(tree: Any, *, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """Whether every leaf of ``tree`` is true.

    Parameters
    ----------
    tree : pytree
    is_leaf : callable or None, default None
        ``is_leaf(x) -> bool``: subtrees to treat as leaves.

    Returns
    -------
    bool

    Examples
    --------
    >>> from ftrans.tree_util import tree_all
    >>> tree_all([True, (1, 2)]), tree_all({"a": True, "b": 0})
    (True, False)
    """
    return all(tree_leaves(tree, is_leaf))


def tree_transpose(outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None,
                   pytree_to_transpose: Any) -> Any:
    """Turn a tree of structure ``outer`` of trees of structure ``inner`` into a tree ``inner``
    of trees ``outer``.

    Parameters
    ----------
    outer_treedef : PyTreeDef
    inner_treedef : PyTreeDef or None
        None: read it from the first subtree.
    pytree_to_transpose : pytree
        Of structure ``outer_treedef`` composed with ``inner_treedef``.

    Returns
    -------
    pytree

    Raises
    ------
    TypeError
        If a treedef is not a ``PyTreeDef``, or the tree does not have the composed structure.
    ValueError
        If ``inner_treedef`` is None and the tree has no subtree to read it from.

    Examples
    --------
    >>> from ftrans.tree_util import tree_structure, tree_transpose
    >>> outer, inner = tree_structure([0, 0]), tree_structure((0, 0))
    >>> tree_transpose(outer, inner, [(1, 2), (3, 4)])
    ([1, 3], [2, 4])
    """
    if inner_treedef is None:
        subtrees = _flatten_up_to(outer_treedef, pytree_to_transpose, "tree_transpose: the tree")
        if not subtrees:
            raise ValueError("tree_transpose: cannot infer inner_treedef of a tree with no "
                             "subtrees; pass it")
        inner_treedef = tree_structure(subtrees[0])
    for name, td in (("outer_treedef", outer_treedef), ("inner_treedef", inner_treedef)):
        if not isinstance(td, PyTreeDef):
            raise TypeError(f"tree_transpose: {name} must be a PyTreeDef (tree_structure(...)), "
                            f"got {type(td).__name__}")
    flat, treedef = tree_flatten(pytree_to_transpose)
    expected = _compose(outer_treedef, inner_treedef)
    if treedef != expected:
        raise TypeError(f"tree_transpose: the tree has structure {treedef}, expected "
                        f"{expected} (outer {outer_treedef} of inner {inner_treedef})")
    n_inner = inner_treedef.num_leaves
    rows = [flat[i * n_inner:(i + 1) * n_inner] for i in range(outer_treedef.num_leaves)]
    columns = zip(*rows) if rows else [()] * n_inner
    return tree_unflatten(inner_treedef, [tree_unflatten(outer_treedef, c) for c in columns])
