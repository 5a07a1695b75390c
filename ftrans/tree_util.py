"""Pytrees: nested tuples, lists, dicts, None, namedtuples and registered node types.

>>> leaves, tree = tree_flatten({"w": (1.0, 2.0), "b": None})
>>> leaves
[1.0, 2.0]
>>> tree_unflatten(tree, [3.0, 4.0])
{'b': None, 'w': (3.0, 4.0)}
"""

from __future__ import annotations

import collections
import functools
from typing import Any, Callable, Hashable, Iterable, NamedTuple, Sequence


class _NodeType(NamedTuple):
    flatten: Callable[[Any], tuple[Iterable[Any], Hashable]]
    unflatten: Callable[[Any, list[Any]], Any]


_registry: dict[type, _NodeType] = {}


def register_pytree_node(node_type: type, flatten: Callable[[Any], tuple[Iterable[Any],
                                                                        Hashable]],
                         unflatten: Callable[[Any, list[Any]], Any]) -> None:
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

    >>> tree_structure((1, [2, 3]))
    PyTreeDef((*, [*, *]))
    """
    return tree_flatten(tree, is_leaf)[1]


def tree_leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list[Any]:
    """The leaves of ``tree``.

    >>> tree_leaves({"a": 1, "b": (2, 3)})
    [1, 2, 3]
    """
    return tree_flatten(tree, is_leaf)[0]


def tree_map(f: Callable[..., Any], tree: Any, *rest: Any,
             is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """Apply ``f`` leafwise to ``tree`` and to the trees in ``rest``, which have the
    structure of ``tree`` or have it as a prefix (then ``f`` gets their whole subtrees).

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
    return treedef.children


# ----------------------------------------------------------------------------- more of JAX's API

def treedef_is_leaf(treedef: PyTreeDef) -> bool:
    """Whether ``treedef`` is a single leaf.

    >>> treedef_is_leaf(tree_structure(1.0)), treedef_is_leaf(tree_structure((1.0,)))
    (True, False)
    """
    return treedef.node_type is None


def treedef_tuple(treedefs: Iterable[PyTreeDef]) -> PyTreeDef:
    """The structure of a tuple whose children have the structures ``treedefs``.

    >>> treedef_tuple([tree_structure(1), tree_structure([1, 2])])
    PyTreeDef((*, [*, *]))
    """
    return PyTreeDef(tuple, None, tuple(treedefs))


def all_leaves(iterable: Iterable[Any], is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """Whether every element of ``iterable`` is a leaf.

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
    """``functools.reduce(function, leaves)`` over the leaves of ``tree`` (starting from
    ``initializer`` when given).

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

    >>> tree_all([True, (1, 2)]), tree_all({"a": True, "b": 0})
    (True, False)
    """
    return all(tree_leaves(tree, is_leaf))


def tree_transpose(outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None,
                   pytree_to_transpose: Any) -> Any:
    """Turn a tree of structure ``outer`` of trees of structure ``inner`` into a tree
    ``inner`` of trees ``outer`` (``inner_treedef=None``: read it from the first subtree).

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


def register_pytree_node_class(cls: type) -> type:
    """Class decorator: ``cls`` becomes a pytree node through its method
    ``tree_flatten(self) -> (children, aux)`` and classmethod
    ``tree_unflatten(cls, aux, children)``.

    >>> @register_pytree_node_class
    ... class Box:
    ...     def __init__(self, v): self.v = v
    ...     def tree_flatten(self): return (self.v,), None
    ...     @classmethod
    ...     def tree_unflatten(cls, aux, children): return cls(*children)
    >>> tree_leaves([Box(1.0), Box(2.0)])
    [1.0, 2.0]
    """
    for method in ("tree_flatten", "tree_unflatten"):
        if not callable(getattr(cls, method, None)):
            raise TypeError(f"register_pytree_node_class: {cls.__name__} needs a {method} "
                            "method")
    register_pytree_node(cls, lambda x: x.tree_flatten(), getattr(cls, "tree_unflatten"))
    return cls


def register_dataclass(nodetype: type, data_fields: Iterable[str],
                       meta_fields: Iterable[str]) -> type:
    """Make a class (a dataclass, say) a pytree node whose children are the attributes
    ``data_fields`` and whose static part is the (hashable) attributes ``meta_fields``.

    >>> import dataclasses
    >>> @dataclasses.dataclass
    ... class Layer:
    ...     w: float
    ...     name: str
    >>> _ = register_dataclass(Layer, ["w"], ["name"])
    >>> tree_map(lambda v: 2 * v, Layer(1.5, "dense"))
    Layer(w=3.0, name='dense')
    """
    data, meta = tuple(data_fields), tuple(meta_fields)

    def unflatten(aux: Any, children: list[Any]) -> Any:
        obj: Any = object.__new__(nodetype)
        for k, v in (*zip(meta, aux), *zip(data, children)):
            object.__setattr__(obj, k, v)
        return obj

    register_pytree_node(nodetype, lambda x: ([getattr(x, k) for k in data],
                                              tuple(getattr(x, k) for k in meta)), unflatten)
    return nodetype


class Partial(functools.partial):
    """``functools.partial`` as a pytree: the bound arguments are its leaves and the
    function its static part, so a ``Partial`` can be passed to and returned from
    transformed functions (JAX's ``tree_util.Partial``).

    >>> import ftrans
    >>> scale = Partial(lambda s, x: s * x, 3.0)
    >>> tree_leaves(scale), scale(2.0)
    ([3.0], 6.0)
    >>> print(ftrans.grad(lambda p: p(2.0))(scale).args[0])  # d(s * 2)/ds
    2.0
    """

    def __new__(cls, func: Callable[..., Any], *args: Any, **kw: Any) -> Partial:
        if isinstance(func, functools.partial):  # flatten: the leaves are all the arguments
            args = func.args + args
            kw = {**func.keywords, **kw}
            func = func.func
        return super().__new__(cls, func, *args, **kw)


def _partial_unflatten(func: Any, children: list[Any]) -> Partial:
    return Partial(func, *children[0], **children[1])


register_pytree_node(Partial, lambda p: ((p.args, p.keywords), p.func), _partial_unflatten)


# ----------------------------------------------------------------------------- key paths

class SequenceKey(NamedTuple):
    """The position of a child in a tuple or list."""
    idx: int

    def __str__(self) -> str:
        return f"[{self.idx!r}]"


class DictKey(NamedTuple):
    """The key of a child in a dict."""
    key: Hashable

    def __str__(self) -> str:
        return f"[{self.key!r}]"


class GetAttrKey(NamedTuple):
    """The attribute name of a child (namedtuple fields, dataclass fields)."""
    name: str

    def __str__(self) -> str:
        return f".{self.name}"


class FlattenedIndexKey(NamedTuple):
    """The position of a child among the children a node type's ``flatten`` gives."""
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

    >>> [keystr(p) for p, _ in tree_leaves_with_path({"w": (1.0, 2.0)})]
    ["['w'][0]", "['w'][1]"]
    """
    return tree_flatten_with_path(tree, is_leaf)[0]


def tree_map_with_path(f: Callable[..., Any], tree: Any, *rest: Any,
                       is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """``tree_map`` where ``f`` also gets each leaf's key path first: ``f(path, x, *ys)``.

    >>> tree_map_with_path(lambda p, x: f"{keystr(p)}={x}", {"a": [1.0, None], "b": 2.0})
    {'a': ["['a'][0]=1.0", None], 'b': "['b']=2.0"}
    """
    pairs, treedef = tree_flatten_with_path(tree, is_leaf)
    others = [_flatten_up_to(treedef, r, f"tree_map_with_path: tree {i + 1}")
              for i, r in enumerate(rest)]
    return tree_unflatten(treedef, [f(p, x, *ys) for (p, x), *ys in zip(pairs, *others)])


def keystr(keys: tuple, *, simple: bool = False, separator: str = "") -> str:
    """A key path as a string: ``"['w'][0]"``; with ``simple=True`` just the keys, joined
    by ``separator``.

    >>> keystr((DictKey("w"), SequenceKey(0))), keystr((DictKey("w"), GetAttrKey("b")),
    ...                                               simple=True, separator="/")
    ("['w'][0]", 'w/b')
    """
    if not simple:
        return separator.join(str(k) for k in keys)
    return separator.join(str(k[0]) for k in keys)

__all__ = ["register_pytree_node", "PyTreeDef", "tree_flatten", "tree_unflatten", "tree_structure",
           "tree_leaves", "tree_map", "treedef_children", "treedef_is_leaf", "treedef_tuple",
           "all_leaves", "tree_reduce", "tree_all", "tree_transpose", "register_pytree_node_class",
           "register_dataclass", "Partial", "SequenceKey", "DictKey", "GetAttrKey",
           "FlattenedIndexKey", "tree_flatten_with_path", "tree_leaves_with_path",
           "tree_map_with_path", "keystr"]
