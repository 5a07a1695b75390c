"""``ftrans.tree_util``: JAX's pytree functions (values from hand-worked cases; JAX, when
installed, as an oracle for key paths and transposes)."""

from __future__ import annotations

import collections
import dataclasses
import functools

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans import tree_util as tu

Point = collections.namedtuple("Point", "x y")


def test_leaves_structure_and_is_leaf():
    tree = {"b": [1.0, (2.0, None)], "a": Point(3.0, 4.0)}
    assert tu.tree_leaves(tree) == [3.0, 4.0, 1.0, 2.0]
    assert tu.tree_structure(tree).num_leaves == 4
    # is_leaf stops the descent: the tuple stays whole
    assert tu.tree_leaves(tree, is_leaf=lambda x: isinstance(x, tuple)
                          and not hasattr(x, "_fields")) == [3.0, 4.0, 1.0, (2.0, None)]
    assert tu.tree_structure([1, 2], is_leaf=lambda x: isinstance(x, list)) \
        == tu.tree_structure(0)


def test_tree_map_prefix_and_is_leaf():
    assert tu.tree_map(lambda x, y: x * y, [1.0, 2.0], [3.0, 4.0]) == [3.0, 8.0]
    # the second tree may continue below the first one's leaves
    out = tu.tree_map(lambda x, sub: (x, sub), {"a": 1, "b": 2}, {"a": (5, 6), "b": [7]})
    assert out == {"a": (1, (5, 6)), "b": (2, [7])}
    with pytest.raises(ValueError, match="does not have .* as a prefix"):
        tu.tree_map(lambda x, y: x, [1, 2], (1, 2))
    with pytest.raises(ValueError, match="as a prefix"):
        tu.tree_map(lambda x, y: x, [1, 2], [1, 2, 3])
    assert tu.tree_map(len, [[1, 2], [3]], is_leaf=lambda x: isinstance(x, list)
                       and not isinstance(x[0], list)) == [2, 1]


def test_tree_reduce_and_all():
    assert tu.tree_reduce(lambda a, b: a + b, [1, (2, {"k": 3})]) == 6
    assert tu.tree_reduce(lambda a, b: a * b, [2, 3], 10) == 60
    assert tu.tree_reduce(max, [], -1) == -1
    with pytest.raises(TypeError, match="needs an initializer"):
        tu.tree_reduce(max, [None])
    assert tu.tree_all([True, (1, np.True_)])
    assert not tu.tree_all({"a": True, "b": [0]})
    assert tu.tree_all([])


def test_tree_transpose():
    outer = tu.tree_structure([0, 0, 0])
    inner = tu.tree_structure({"a": 0, "b": 0})
    tree = [{"a": 1, "b": 2}, {"a": 3, "b": 4}, {"a": 5, "b": 6}]
    assert tu.tree_transpose(outer, inner, tree) == {"a": [1, 3, 5], "b": [2, 4, 6]}
    assert tu.tree_transpose(outer, None, tree) == {"a": [1, 3, 5], "b": [2, 4, 6]}
    with pytest.raises(TypeError, match="expected"):
        tu.tree_transpose(outer, tu.tree_structure((0, 0)), tree)
    with pytest.raises(TypeError, match="must be a PyTreeDef"):
        tu.tree_transpose([0, 0, 0], inner, tree)


def test_treedef_helpers():
    assert tu.treedef_is_leaf(tu.tree_structure(np.ones(3)))
    assert not tu.treedef_is_leaf(tu.tree_structure([1]))
    assert tu.treedef_tuple([tu.tree_structure(1)] * 2) == tu.tree_structure((1, 2))
    assert tu.all_leaves([1.0, np.ones(2), "s"]) and not tu.all_leaves([[1.0]])


def test_register_pytree_node_class_through_grad_and_jit():
    @tu.register_pytree_node_class
    class Affine:
        def __init__(self, w, b, name="layer"):
            self.w, self.b, self.name = w, b, name

        def tree_flatten(self):
            return (self.w, self.b), self.name

        @classmethod
        def tree_unflatten(cls, name, children):
            return cls(*children, name=name)

    layer = Affine(np.array([1.0, 2.0]), 0.5, "dense")
    g = ftrans.grad(lambda p, x: fnp.sum(p.w * x) + p.b)(layer, np.array([3.0, 4.0]))
    assert isinstance(g, Affine) and g.name == "dense"
    np.testing.assert_allclose(g.w, [3.0, 4.0])
    assert g.b == 1.0
    out = ftrans.jit(lambda p: Affine(p.w * 2, p.b, p.name))(layer)
    np.testing.assert_allclose(out.w, [2.0, 4.0])
    with pytest.raises(TypeError, match="needs a tree_flatten method"):
        tu.register_pytree_node_class(type("NoMethods", (), {}))


def test_register_dataclass():
    @dataclasses.dataclass
    class Params:
        w: np.ndarray
        scale: float
        kind: str

    tu.register_dataclass(Params, ["w", "scale"], ["kind"])
    p = Params(np.array([1.0, -2.0]), 3.0, "l2")
    g = ftrans.grad(lambda p: p.scale * fnp.sum(p.w ** 2))(p)
    assert g.kind == "l2"
    np.testing.assert_allclose(g.w, [6.0, -12.0])
    assert g.scale == 5.0


def test_partial_is_a_pytree():
    def f(a, x, *, b):
        return a * x + b

    p = tu.Partial(f, 2.0, b=1.0)
    assert p(3.0) == 7.0
    assert tu.tree_leaves(p) == [2.0, 1.0]
    # a Partial passes through jit and grad: its bound arguments are traced
    assert ftrans.jit(lambda p, x: p(x))(p, 3.0) == 7.0
    g = ftrans.grad(lambda p: p(3.0))(p)
    assert isinstance(g, tu.Partial) and g.func is f
    assert g.args == (3.0,) and g.keywords == {"b": 1.0}
    # jit caches on the function (static) and traces the arguments
    calls = []

    def h(p):
        calls.append(1)
        return p(1.0)

    jh = ftrans.jit(h)
    assert jh(tu.Partial(f, 1.0, b=0.0)) == 1.0 and jh(tu.Partial(f, 5.0, b=1.0)) == 6.0
    assert len(calls) == 1
    # nested partials flatten into one, as functools.partial does
    q = tu.Partial(tu.Partial(f, 2.0), b=4.0)
    assert q.func is f and q.args == (2.0,) and q(1.0) == 6.0
    assert tu.tree_leaves(q) == [2.0, 4.0]
    assert isinstance(tu.Partial(functools.partial(f, 1.0), b=2.0), tu.Partial)


def test_key_paths():
    tree = {"w": [1.0, Point(2.0, 3.0)], "b": (4.0,)}
    paths = [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(tree)]
    assert paths == ["['b'][0]", "['w'][0]", "['w'][1].x", "['w'][1].y"]
    out = tu.tree_map_with_path(lambda p, x: len(p) * x, tree)
    assert out == {"w": [2.0, Point(6.0, 9.0)], "b": (8.0,)}
    leaves, td = tu.tree_flatten_with_path(tree)
    assert td == tu.tree_structure(tree) and [x for _, x in leaves] == tu.tree_leaves(tree)
    assert tu.keystr((tu.DictKey("w"), tu.SequenceKey(1), tu.GetAttrKey("x")), simple=True,
                     separator="/") == "w/1/x"
    od = collections.OrderedDict([("z", 1), ("a", 2)])
    assert [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(od)] == ["['z']", "['a']"]
    # custom nodes: flat indices
    p = tu.Partial(lambda a, b: a, 1.0, 2.0)
    assert [tu.keystr(k) for k, _ in tu.tree_leaves_with_path(p)][0].startswith("[<flat index 0>]")


def test_key_paths_match_jax():
    jtu = pytest.importorskip("jax.tree_util")
    tree = {"w": [1.0, Point(2.0, 3.0)], "b": (4.0, {"c": 5.0})}
    ours = [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(tree)]
    theirs = [jtu.keystr(p) for p, _ in jtu.tree_leaves_with_path(tree)]
    assert ours == theirs
    outer = tu.tree_structure([0, 0])
    inner = tu.tree_structure((0, {"a": 0}))
    tree = [(1, {"a": 2}), (3, {"a": 4})]
    assert tu.tree_transpose(outer, inner, tree) == jtu.tree_transpose(
        jtu.tree_structure([0, 0]), jtu.tree_structure((0, {"a": 0})), tree)


def test_unflatten_with_the_wrong_number_of_leaves_says_so():
    from ftrans.tree_util import tree_structure, tree_unflatten
    td = tree_structure({"a": 1.0, "b": (2.0, 3.0)})
    with pytest.raises(ValueError, match=r"too few leaves for PyTreeDef\(\{'a': \*, 'b': "
                                         r"\(\*, \*\)\}\), which has 3"):
        tree_unflatten(td, [1.0, 2.0])
    with pytest.raises(ValueError, match="too many leaves .* which has 3"):
        tree_unflatten(td, [1.0, 2.0, 3.0, 4.0])
    assert tree_unflatten(td, iter([1.0, 2.0, 3.0])) == {"a": 1.0, "b": (2.0, 3.0)}


# ----------------------------------------------------------------------------- standard containers


def test_ordereddict_and_defaultdict_are_pytree_nodes():
    import collections

    od = collections.OrderedDict([("b", 1.0), ("a", 2.0)])
    g = ftrans.grad(lambda d: d["a"] * d["b"] ** 2)(od)
    assert type(g) is collections.OrderedDict and list(g) == ["b", "a"]
    assert g["b"] == 4.0 and g["a"] == 1.0
    dd = collections.defaultdict(float, a=1.0, b=2.0)
    g = ftrans.grad(lambda d: d["a"] * d["b"])(dd)
    assert type(g) is collections.defaultdict and g.default_factory is float
    assert g["a"] == 2.0 and g["b"] == 1.0
    j = ftrans.jacfwd(lambda x: collections.OrderedDict([("z", x), ("a", 2.0 * x)]))(1.0)
    assert list(j) == ["z", "a"] and j["a"] == 2.0
    x = collections.OrderedDict([("b", np.ones((2, 3))), ("a", np.arange(3.0))])
    axes = collections.OrderedDict([("b", 0), ("a", None)])
    out = ftrans.vmap(lambda d: d["b"] * d["a"], in_axes=(axes,))(x)
    np.testing.assert_array_equal(out, np.ones((2, 3)) * np.arange(3.0))


def test_flat_tuple_fast_path_matches_general_path():
    """A tuple of plain leaves (floats, ints, arrays) takes a fast path: same leaves, same
    structure as nesting it, rebuilt as a tuple, with the general path's errors."""
    x = np.arange(3.0)
    leaves, td = tu.tree_flatten((1.0, 2, x, np.float64(3.0)))
    assert leaves[:2] == [1.0, 2] and leaves[2] is x and td.num_leaves == 4
    general = tu.tree_flatten((1.0, 2, x, object()))[1]  # an object leaf: the general path
    assert td == general and hash(td) == hash(general)
    assert str(td) == "PyTreeDef((*, *, *, *))"
    assert tu.tree_unflatten(td, [5, 6, 7, 8]) == (5, 6, 7, 8)
    assert tu.tree_flatten((1.0, [2.0]))[1] != td
    with pytest.raises(ValueError, match="too few leaves for PyTreeDef"):
        tu.tree_unflatten(td, [1, 2])
    with pytest.raises(ValueError, match="too many leaves for PyTreeDef"):
        tu.tree_unflatten(td, range(5))
