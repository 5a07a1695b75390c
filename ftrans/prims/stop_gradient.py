"""``stop_gradient``: the identity, with a zero derivative."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import Primitive, Zero, aval_of, register
from ..tree_util import tree_flatten, tree_unflatten

stop_gradient_p = register(Primitive("stop_gradient"))
stop_gradient_p.family = "control"  # no flops of its own (ftrans.cost), no CUDA expression
stop_gradient_p.impl = lambda xp, x: x
stop_gradient_p.abstract_eval = lambda x: x.strip_weak()
stop_gradient_p.jvp = lambda primals, out, tangents: Zero(aval_of(out))
stop_gradient_p.batch = lambda args, dims: (stop_gradient_p.bind(*args), dims[0])


def stop_gradient(x: Any) -> Any:
    """``x`` unchanged, but with zero derivative.

    Parameters
    ----------
    x : array, number or pytree of them
        The value to hold constant for every derivative (each leaf of a pytree).

    Returns
    -------
    same structure as ``x``
        ``x``'s values; under ``grad``/``jvp``/``vjp`` and their compositions its derivative
        is zero, so nothing flows back through it.

    Examples
    --------
    >>> import ftrans
    >>> print(ftrans.grad(lambda x: x * ftrans.stop_gradient(x))(3.0))
    3.0
    """
    leaves, tree = tree_flatten(x)
    return tree_unflatten(tree, [stop_gradient_p.bind(
        np.asarray(v) if isinstance(v, (bool, int, float, complex)) else v) for v in leaves])
