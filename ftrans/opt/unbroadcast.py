"""Broadcast constants made explicit.

A large constant whose value is a broadcast view (some strides 0: the seed cotangent of a
``sum``, a scalar spread over a shape) becomes its compact value — a literal when that is a
single number — and a ``broadcast_in_dim`` equation. Code that reads it then sees the small
value: the fused C path (``backends/cfuse.py``) writes the number into its loop instead of
first copying the whole view into a contiguous buffer. Constants of at most
``MAX_FOLD_SIZE`` elements stay as they are (constant folding would fold them back).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..ir import Eqn, Jaxpr, Literal, ShapedArray, Var
from ..prims.shape import broadcast_in_dim_p
from .fold import MAX_FOLD_SIZE


def unbroadcast(jaxpr: Jaxpr, consts: Sequence[Any]) -> tuple[Jaxpr, list[Any]]:
    """``jaxpr`` with each large broadcast-view constant as ``broadcast_in_dim`` of its
    compact value.

    >>> import ftrans, numpy as np
    >>> from ftrans.ir import Jaxpr
    >>> j = ftrans.make_jaxpr(lambda c, x: x * c)(np.ones(10 ** 5), np.ones(10 ** 5)).jaxpr
    >>> j = Jaxpr(j.invars[:1], j.invars[1:], j.eqns, j.outvars)  # c as a constant
    >>> j, c = unbroadcast(j, [np.broadcast_to(2.0, (10 ** 5,))])
    >>> print(j)
    { lambda ; a:f64[100000]. let
        b:f64[100000] = broadcast_in_dim[broadcast_dimensions=() shape=(100000,)] 2.0:f64[]
        c:f64[100000] = mul a b
      in (c,) }
    """
    constvars: list[Var] = []
    new_consts: list[Any] = []
    eqns: list[Eqn] = []
    for v, c in zip(jaxpr.constvars, consts):
        if type(c) is not np.ndarray or c.size <= MAX_FOLD_SIZE or 0 not in c.strides:
            constvars.append(v)
            new_consts.append(c)
            continue
        dims = tuple(d for d, s in enumerate(c.strides) if s != 0)
        compact = c[tuple(slice(None) if d in dims else 0 for d in range(c.ndim))]
        operand: Any
        if compact.ndim == 0:
            operand = Literal(compact[()], ShapedArray((), c.dtype))
        else:
            operand = Var(ShapedArray(compact.shape, c.dtype))
            constvars.append(operand)
            new_consts.append(compact)
        eqns.append(Eqn(broadcast_in_dim_p, [operand], [v],
                        {"shape": c.shape, "broadcast_dimensions": dims}))
    if not eqns:
        return jaxpr, list(consts)
    return (Jaxpr(constvars, jaxpr.invars, eqns + list(jaxpr.eqns), jaxpr.outvars),
            new_consts)
