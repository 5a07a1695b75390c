"""Sample rows for control flow and custom-rule primitives (see ``samples.py``)."""

from __future__ import annotations

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

_X0 = r(3)


def _custom_lin(t: Any) -> Any:
    return ftrans.jvp(lambda x: _mul(fnp.sin(x), x), (_X0.astype(t.dtype),), (t,))[1]


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
    Sample("remat", ftrans.checkpoint(lambda x, y: fnp.sin(x * y) * x), (r(3), r(3))),
    Sample("stop_gradient", lambda x: fnp.sin(x) + ftrans.stop_gradient(x - x), (r(3),)),
]
