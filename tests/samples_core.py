"""Sample rows for the core primitives (see ``samples.py``)."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

import ftrans.lax as lax
import ftrans.numpy as fnp


class Sample(NamedTuple):
    prim: str
    fun: Callable[..., Any]
    args: tuple[Any, ...]
    linear: bool = False  # linear in all its arguments: check the transpose rule
    smooth: bool = True  # differentiable at the sample point (False: zero derivative)


_rng = np.random.default_rng(1234)


def r(*shape: int, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    return _rng.uniform(lo, hi, size=shape)


def pos(*shape: int) -> np.ndarray:
    return r(*shape, lo=0.5, hi=2.0)


CORE_SAMPLES: list[Sample] = [
    Sample("neg", fnp.negative, (r(3),), linear=True),
    Sample("add", fnp.add, (r(2, 3), r(2, 3)), linear=True),
    Sample("add", fnp.add, (r(2, 3), r(3)), linear=True),
    Sample("sub", fnp.subtract, (r(3), r(3)), linear=True),
    Sample("mul", fnp.multiply, (r(2, 3), r(2, 3))),
    Sample("mul", lambda x: 3.0 * x, (r(4),), linear=True),
    Sample("div", fnp.divide, (r(3), pos(3))),
    Sample("div", lambda x: x / 4.0, (r(3),), linear=True),
    Sample("exp", fnp.exp, (r(3),)),
    Sample("log", fnp.log, (pos(3),)),
    Sample("log1p", fnp.log1p, (pos(3),)),
    Sample("expm1", fnp.expm1, (r(3),)),
    Sample("sin", fnp.sin, (r(2, 2),)),
    Sample("cos", fnp.cos, (r(3),)),
    Sample("tan", fnp.tan, (r(3),)),
    Sample("sinh", fnp.sinh, (r(3),)),
    Sample("cosh", fnp.cosh, (r(3),)),
    Sample("tanh", fnp.tanh, (r(3),)),
    Sample("asin", fnp.arcsin, (r(3, lo=-0.8, hi=0.8),)),
    Sample("acos", fnp.arccos, (r(3, lo=-0.8, hi=0.8),)),
    Sample("atan", fnp.arctan, (r(3),)),
    Sample("sqrt", fnp.sqrt, (pos(3),)),
    Sample("abs", fnp.abs, (np.array([-1.5, 0.7, 2.0]),)),
    Sample("sign", fnp.sign, (np.array([-1.5, 0.7, 2.0]),), smooth=False),
    Sample("logistic", lambda x: lax.logistic(x), (r(3),)),
    Sample("integer_pow", lambda x: x ** 3, (r(3),)),
    Sample("integer_pow", lambda x: x ** -2, (pos(3),)),
    Sample("pow", fnp.power, (pos(3), r(3))),
    Sample("max", fnp.maximum, (np.array([1.0, -2.0, 0.5]), np.array([0.0, 1.0, -0.5]))),
    Sample("min", fnp.minimum, (np.array([1.0, -2.0, 0.5]), np.array([0.0, 1.0, -0.5]))),
    Sample("atan2", fnp.arctan2, (r(3), pos(3))),
    Sample("eq", lambda x, y: fnp.equal(x, y) * x, (r(3), r(3)), smooth=False),
    Sample("ne", lambda x, y: fnp.not_equal(x, y) * x, (r(3), r(3)), smooth=False),
    Sample("lt", lambda x, y: fnp.where(x < y, x, 2 * y), (r(3), r(3))),
    Sample("le", lambda x, y: fnp.where(x <= y, x, 2 * y), (r(3), r(3))),
    Sample("gt", lambda x, y: fnp.where(x > y, x * y, y), (r(3), r(3))),
    Sample("ge", lambda x, y: fnp.where(x >= y, x * y, y), (r(3), r(3))),
    Sample("select_n", lambda x, y: fnp.where(np.array([True, False, True]), x, y),
           (r(3), r(3)), linear=True),
    Sample("convert_element_type", lambda x: fnp.astype(x, np.float32) * 2, (r(3),)),
    Sample("broadcast_in_dim", lambda x: fnp.broadcast_to(x, (2, 3)), (r(3),), linear=True),
    Sample("broadcast_in_dim", lambda x: lax.broadcast_in_dim(x, (2, 3), (0, 1)), (r(2, 1),),
           linear=True),
    Sample("reshape", lambda x: fnp.reshape(x, (3, 2)), (r(2, 3),), linear=True),
    Sample("transpose", lambda x: fnp.transpose(x, (2, 0, 1)), (r(2, 3, 4),), linear=True),
    Sample("squeeze", lambda x: fnp.squeeze(x, 1), (r(3, 1, 2),), linear=True),
    Sample("expand_dims", lambda x: fnp.expand_dims(x, 1), (r(3, 2),), linear=True),
    Sample("reduce_sum", lambda x: fnp.sum(x, axis=1), (r(2, 3, 2),), linear=True),
    Sample("reduce_sum", lambda x: fnp.sum(x, axis=(0, 2), keepdims=True), (r(2, 3, 2),),
           linear=True),
    Sample("reduce_max", lambda x: fnp.max(x, axis=0), (r(4, 3),)),
    Sample("reduce_min", lambda x: fnp.min(x, axis=1), (r(3, 4),)),
    Sample("dot_general", fnp.dot, (r(3, 4), r(4, 2))),
    Sample("dot_general", fnp.matmul, (r(2, 3, 4), r(2, 4, 5))),
    Sample("dot_general", fnp.matmul, (r(4), r(3, 4, 2))),
    Sample("dot_general", lambda x, y: lax.dot_general(x, y, (((0, 2), (2, 0)), ((1,), (1,)))),
           (r(2, 3, 4), r(4, 3, 2))),
    Sample("slice", lambda x: lax.slice(x, (1, 0), (3, 4), (1, 2)), (r(4, 4),), linear=True),
    Sample("static_index", lambda x: x[1, ::2], (r(3, 4),), linear=True),
    Sample("static_index", lambda x: x[-1], (r(3),), linear=True),
    Sample("static_index", lambda x: x[..., 2, 1:3], (r(2, 3, 4),), linear=True),
    Sample("pad", lambda x: lax.pad(x, np.float64(0.0), ((1, 2, 1), (0, 1, 0))), (r(2, 3),),
           linear=True),
    Sample("pad", lambda x, v: lax.pad(x, v, ((1, 0, 0),)), (r(2), r())),
    Sample("concatenate", lambda x, y: lax.concatenate([x, y], 1), (r(2, 2), r(2, 3)),
           linear=True),
    Sample("rev", lambda x: lax.rev(x, (0,)), (r(3, 2),), linear=True),
]
