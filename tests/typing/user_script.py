"""A user's script on ftrans's public API: it type-checks under ``mypy --strict`` and pyright
(tests/test_typing.py runs mypy on it, and runs it).

The transformations keep the signature of the function they transform (``ParamSpec``): a
call with a missing or extra argument, or a string for an array, is a type error
(``bad_script.py`` has one of each).
"""

from __future__ import annotations

from functools import partial

import numpy as np

import ftrans
import ftrans.lax as lax
import ftrans.numpy as fnp
from ftrans.tree_util import tree_flatten, tree_map, tree_unflatten
from ftrans.typing import Array, ArrayLike, DTypeLike, PyTree


def loss(w: ArrayLike, x: ArrayLike, scale: float = 1.0) -> Array:
    return fnp.sum(fnp.tanh(fnp.dot(x, w)) ** 2) * scale


def model(params: PyTree, x: ArrayLike) -> Array:
    return fnp.tanh(fnp.dot(x, params["w"]) + params["b"])


def cast(x: ArrayLike, dtype: DTypeLike) -> Array:
    return fnp.asarray(x, dtype=dtype)


def halve(a: Array) -> Array:
    return a / 2


w, x = np.ones(3), np.arange(6.0).reshape(2, 3)
loss_w = partial(loss, x=x)

g: Array = ftrans.grad(loss)(w, x)
value, gw = ftrans.value_and_grad(loss)(w, x, scale=2.0)
gx = ftrans.grad(loss, argnums=1)(w, x)

fast = ftrans.jit(loss)
y: Array = fast(w, x)
print(fast.lower(w, x))
fast.clear_cache()
scaled = partial(ftrans.jit, static_argnums=2)(loss)
z = scaled(w, x, 3.0)

primal, tangent = ftrans.jvp(loss_w, (w,), (np.ones(3),))
out, f_vjp = ftrans.vjp(loss, w, x)
cw, cx = f_vjp(1.0)
out2, f_jvp = ftrans.linearize(loss_w, w)
dy = f_jvp(np.ones(3))

batched = ftrans.vmap(loss, in_axes=(0, None))(np.ones((4, 3)), x)
jf = ftrans.jacfwd(model, argnums=1)
params = {"w": np.ones((3, 2)), "b": np.zeros(2)}
jac = jf(params, np.ones(3))
jr = ftrans.jacrev(model)(params, np.ones(3))
hess = ftrans.hessian(loss)(w, x)
jaxpr = ftrans.make_jaxpr(loss)(w, x)
print(jaxpr)

leaves, treedef = tree_flatten(params)
rebuilt = tree_unflatten(treedef, leaves)
halved = tree_map(halve, params)


@ftrans.custom_jvp
def soft(v: ArrayLike) -> Array:
    return fnp.log1p(fnp.exp(v))


@soft.defjvp
def soft_jvp(primals: tuple[Array], tangents: tuple[Array]) -> tuple[Array, Array]:
    (v,), (t,) = primals, tangents
    return soft(v), t / (1 + fnp.exp(-v))


ds = ftrans.grad(soft)(0.5)
remat = ftrans.checkpoint(loss)(w, x)
total = lax.fori_loop(0, 3, lambda i, c: c + lax.sin(c), 0.5)
s = lax.add(np.float64(1.0), np.float64(2.0))
c = cast(np.array([1, 2]), np.float32)
print(float(g[0]), float(value), float(y), float(z), float(tangent), float(hess[0, 0]),
      float(ds), float(remat), float(total), float(s), c.dtype, batched.shape, jac.shape,
      jr["w"].shape, float(cw[0]), float(cx[0, 0]), float(dy), float(out), float(out2),
      float(primal), gx.shape, float(gw[0]), rebuilt["b"].shape, halved["w"][0, 0])
