"""``ftrans.numpy.asarray``/``array`` as users call them: inside an abstract transformation
(``jit``, ``vmap``, ``make_jaxpr``) a NumPy array they make is a traced constant
(``ftrans.core.lift_constant``), so ``fnp.asarray(table)[i]`` works with a traced ``i``, as
``jnp.asarray(table)[i]`` does in JAX. Elsewhere (and inside ftrans) they return NumPy arrays.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from ..core import lift_constant


def lifted(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with its NumPy result lifted into the innermost abstract trace.

    >>> import ftrans, numpy as np
    >>> from ftrans.numpy._shape import asarray
    >>> ftrans.jit(lambda i: lifted(asarray)(np.arange(5.0) * 10)[i])(3)
    30.0
    """
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return lift_constant(fn(*args, **kwargs))
    return wrapper
