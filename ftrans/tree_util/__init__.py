"""Pytrees: nested tuples, lists, dicts, None, namedtuples and registered node types (JAX's
``jax.tree_util``). By job: ``_nodes`` (the registry, ``PyTreeDef``, flatten and rebuild),
``_ops`` (map, reduce, transpose, treedef helpers), ``_classes`` (classes as nodes,
``Partial``), ``_paths`` (key paths).

>>> from ftrans.tree_util import tree_flatten, tree_unflatten
>>> leaves, tree = tree_flatten({"w": (1.0, 2.0), "b": None})
>>> leaves
[1.0, 2.0]
>>> tree_unflatten(tree, [3.0, 4.0])
{'b': None, 'w': (3.0, 4.0)}
"""

from __future__ import annotations

from ._classes import Partial, register_dataclass, register_pytree_node_class
from ._nodes import (
    PyTreeDef,
    _node_of,  # noqa: F401  (api.batching reads node types)
    flatten_fun,  # noqa: F401  (jit, make_jaxpr, wrt and batch_fun share it)
    refill,  # noqa: F401
    register_pytree_node,
    tree_flatten,
    tree_leaves,
    tree_structure,
    tree_unflatten,
)
from ._ops import (
    all_leaves,
    tree_all,
    tree_map,
    tree_reduce,
    tree_transpose,
    treedef_children,
    treedef_is_leaf,
    treedef_tuple,
)
from ._paths import (
    DictKey,
    FlattenedIndexKey,
    GetAttrKey,
    SequenceKey,
    keystr,
    tree_flatten_with_path,
    tree_leaves_with_path,
    tree_map_with_path,
)

__all__ = ["register_pytree_node", "PyTreeDef", "tree_flatten", "tree_unflatten", "tree_structure",
           "tree_leaves", "tree_map", "treedef_children", "treedef_is_leaf", "treedef_tuple",
           "all_leaves", "tree_reduce", "tree_all", "tree_transpose", "register_pytree_node_class",
           "register_dataclass", "Partial", "SequenceKey", "DictKey", "GetAttrKey",
           "FlattenedIndexKey", "tree_flatten_with_path", "tree_leaves_with_path",
           "tree_map_with_path", "keystr"]
