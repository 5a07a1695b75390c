"""Primitives pickle by name: a jaxpr pickled in one process (``ftrans.distributed`` ships
linear programs to workers) finds the same primitive in the registry of the process that
unpickles it, which imported ftrans, so every primitive is registered there too.

>>> import pickle, ftrans
>>> pickle.loads(pickle.dumps(ftrans.prims.sin_p)) is ftrans.prims.sin_p
True
"""

from __future__ import annotations

import copyreg

from ..core import PRIMITIVES, Primitive


def primitive_named(name: str) -> Primitive:
    """The registered primitive ``name`` (how pickled jaxprs name their primitives).

    >>> primitive_named("sin").name
    'sin'
    """
    try:  # unpickling imported ftrans (this module's package), which registers them all
        return PRIMITIVES[name]
    except KeyError:
        raise KeyError(f"no primitive named {name!r} is registered in this process: is the "
                       "same version of ftrans installed where the jaxpr was pickled?") from None


def _by_name(prim: Primitive) -> tuple:
    return primitive_named, (prim.name,)


copyreg.pickle(Primitive, _by_name)
