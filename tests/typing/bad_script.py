"""Type errors mypy must find (tests/test_typing.py): each line marked ``# E: code`` has one,
and no other line has any. Never run."""

from __future__ import annotations

import numpy as np

import ftrans
import ftrans.numpy as fnp
from ftrans.typing import Array, ArrayLike


def loss(w: ArrayLike, x: ArrayLike, scale: float = 1.0) -> Array:
    return fnp.sum(fnp.dot(x, w)) * scale


w, x = np.ones(3), np.ones((2, 3))
ftrans.grad(loss)(w)  # E: call-arg
ftrans.jit(loss)(w, x, 1.0, 2.0)  # E: call-arg
ftrans.vmap(loss)("w", x)  # E: arg-type
ftrans.jit(loss).lower(w, x, scale="big")  # E: arg-type
y, f_vjp, aux = ftrans.vjp(loss, w, x)  # E: misc
ftrans.jacrev(loss)(w, x, nonsense=1)  # E: call-arg
