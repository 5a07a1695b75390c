"""Classes as pytree nodes: ``register_pytree_node_class``, ``register_dataclass``, ``Partial``."""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable

from ._nodes import register_pytree_node


def register_pytree_node_class(cls: type) -> type:
    """Class decorator: ``cls`` becomes a pytree node through its method
    ``tree_flatten(self) -> (children, aux)`` and classmethod ``tree_unflatten(cls, aux,
    children)``.

    Parameters
    ----------
    cls : type

    Returns
    -------
    type
        ``cls`` itself.

    Raises
    ------
    TypeError
        If ``cls`` lacks ``tree_flatten`` or ``tree_unflatten``.

    Examples
    --------
    >>> from ftrans.tree_util import register_pytree_node_class, tree_leaves
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

    Parameters
    ----------
    nodetype : type
    data_fields : iterable of str
        Attributes that are subtrees (differentiated, batched...).
    meta_fields : iterable of str
        Attributes that are static (hashable, part of the structure).

    Returns
    -------
    type
        ``nodetype`` itself.

    Raises
    ------
    AttributeError
        When an instance lacking one of the fields is flattened.

    Examples
    --------
    >>> import dataclasses
    >>> from ftrans.tree_util import register_dataclass, tree_map
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
    """``functools.partial`` as a pytree: the bound arguments are its leaves and the function its
    static part, so a ``Partial`` can be passed to and returned from transformed functions
    (JAX's ``tree_util.Partial``).

    Parameters
    ----------
    func : callable
    *args, **kw
        The bound arguments (pytrees).

    Examples
    --------
    >>> import ftrans
    >>> from ftrans.tree_util import Partial, tree_leaves
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
