"""Sample rows for control flow and custom-rule primitives (see ``samples.py``)."""

from __future__ import annotations

import types
from typing import Any

import numpy as np
from samples_core import Sample, pos, r

import ftrans
import ftrans.lax as lax
import ftrans.numpy as fnp


def _item(x: Any, i: int) -> Any:
    return lax.reshape(lax.slice(x, (i,), (i + 1,)), ())


def _cond_on_first(x: Any, y: Any) -> Any:
    return lax.cond(fnp.sum(x) > 0, lambda a, b: fnp.sin(a) * b, lambda a, b: a - b * b, x, y)


def _cond_on_second(x: Any, y: Any) -> Any:
    return lax.cond(_item(y, 0) > 0, lambda a: fnp.exp(a) * y, lambda a: a * a, x)


def _switch(x: Any) -> Any:
    index = (lax.convert_element_type(_item(x, 0) > 0, np.int32)
             + lax.convert_element_type(_item(x, 1) > 0, np.int32))
    return lax.switch(index, [lambda a: -a, lambda a: fnp.sin(a), lambda a: a * a * a], x)


def _while(x: Any) -> Any:
    return lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, fnp.sin(c[1]) * 1.5),
                          (0, x))[1]


def _scan(c0: Any, xs: Any) -> Any:
    c, ys = lax.scan(lambda c, x: (fnp.tanh(c * x + 0.5), c * x), c0, xs)
    return ys + c


def _scan_reverse(c0: Any, xs: Any) -> Any:
    c, ys = lax.scan(lambda c, x: (fnp.sin(c) * x, c + x), c0, xs, reverse=True)
    return ys * c


@ftrans.custom_jvp
def _sin(x: Any) -> Any:
    return fnp.sin(x)


@_sin.defjvp
def _sin_jvp(primals: Any, tangents: Any) -> Any:
    (x,), (t,) = primals, tangents
    return _sin(x), fnp.cos(x) * t


@ftrans.custom_vjp
def _mul(x: Any, y: Any) -> Any:
    return x * y


_mul.defvjp(lambda x, y: (x * y, (x, y)), lambda res, g: (g * res[1], g * res[0]))

def _like(x: Any) -> Any:
    """A ShapeDtypeStruct-like description of ``x`` (anything with shape and dtype)."""
    return types.SimpleNamespace(shape=x.shape, dtype=x.dtype)


@ftrans.custom_jvp
def _host_sin(x: Any) -> Any:  # NumPy on the host, one call per batch element under vmap
    return ftrans.pure_callback(np.sin, _like(x), x, vmap_method="sequential")


_host_sin.defjvp(lambda p, t: (_host_sin(p[0]), fnp.cos(p[0]) * t[0]))


@ftrans.custom_jvp
def _host_mul(x: Any, y: Any) -> Any:  # one call on the whole batch under vmap
    return ftrans.pure_callback(np.multiply, _like(x), x, y, vmap_method="expand_dims")


_host_mul.defjvps(lambda t, out, x, y: t * y, lambda t, out, x, y: x * t)

_X0 = r(3)


def _custom_lin(t: Any) -> Any:
    return ftrans.jvp(lambda x: _mul(fnp.sin(x), x), (_X0.astype(t.dtype),), (t,))[1]


def _affine_scan(a: Any, b: Any) -> Any:  # h_k = a_k h_{k-1} + b_k, a non-commutative fn
    return lax.associative_scan(lambda p, q: (q[0] * p[0], q[0] * p[1] + q[1]), (a, b))[1]


def _elementwise_newton(f: Any, x: Any) -> Any:
    for _ in range(12):
        x = x - f(x) / ftrans.jvp(f, (x,), (fnp.ones_like(x),))[1]
    return x


def _cubic_root(a: Any) -> Any:  # x**3 + x = a, elementwise
    return lax.custom_root(lambda x: x ** 3 + x - a, fnp.zeros_like(a), _elementwise_newton,
                           lambda g, y: y / g(fnp.ones_like(y)))


CONTROL_SAMPLES: list[Sample] = [
    Sample("cond", _cond_on_first, (pos(3), r(3))),
    Sample("cond", _cond_on_first, (-pos(3), r(3))),
    Sample("cond", _cond_on_second, (r(3), pos(3))),
    Sample("cond", _switch, (np.array([0.7, 0.4, -0.2]),)),
    Sample("cond", _switch, (np.array([0.7, -0.4, -0.2]),)),
    Sample("while", _while, (r(3),)),
    Sample("scan", _scan, (r(3), r(4, 3))),
    Sample("scan", _scan_reverse, (r(2), r(5, 2))),
    Sample("scan", lambda xs: lax.map(fnp.sin, xs), (r(4, 2),)),
    Sample("custom_jvp_call", lambda x: _sin(x) * x, (r(3),)),
    Sample("custom_vjp_call", lambda x, y: _mul(fnp.sin(x), y), (r(3), r(3))),
    Sample("custom_lin", _custom_lin, (r(3),), linear=True),
    Sample("pure_callback", lambda x: _host_sin(x) * x, (r(3),)),
    Sample("pure_callback", lambda x, y: _host_mul(fnp.sin(x), y), (r(2, 3), r(2, 3))),
    Sample("remat", ftrans.checkpoint(lambda x, y: fnp.sin(x * y) * x), (r(3), r(3))),
    Sample("slice", _affine_scan, (r(5), r(5))),
    Sample("slice", lambda x: lax.associative_scan(lax.mul, x, reverse=True, axis=1),
           (r(2, 6),)),
    Sample("custom_jvp_call", lambda a: _cubic_root(a) * a, (r(3),)),
    Sample("stop_gradient", lambda x: fnp.sin(x) + ftrans.stop_gradient(x - x), (r(3),)),
]
