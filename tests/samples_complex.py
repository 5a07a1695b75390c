"""Sample rows with complex inputs, outputs or intermediates (see ``samples.py``).

Every primitive NumPy accepts complex values for has a row here, so ``test_primitives.py``
checks it on complex values under every transform: jvp along complex directions against
finite differences, vjp against jvp by the real pairing ``Re Σ u·v``, second order, vmap.
Points stay away from branch cuts (imaginary parts at least 0.2 from the real axis) and from
ties (lexicographic order of complex numbers in max, min, sort).

To add a row: ``Sample(prim, fun, args)`` with ``c(...)`` (complex128, parts in [-1, 1]),
``cpos(...)`` (real part in [0.5, 2]), ``.astype(np.complex64)`` for single precision, and
``linear=True`` where the function is linear over the reals in all its arguments.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from samples_core import Sample, r

import ftrans
import ftrans.lax as lax
import ftrans.numpy as fnp

_rng = np.random.default_rng(2024)


def _imag(shape: tuple[int, ...]) -> np.ndarray:
    """Imaginary parts of magnitude 0.2 to 1, either sign: away from the real axis."""
    return _rng.uniform(0.2, 1.0, shape) * _rng.choice([-1.0, 1.0], shape)


def c(*shape: int) -> np.ndarray:
    return _rng.uniform(-1.0, 1.0, shape) + 1j * _imag(shape)


def cpos(*shape: int) -> np.ndarray:
    return _rng.uniform(0.5, 2.0, shape) + 1j * _imag(shape)


def c64(*shape: int) -> np.ndarray:
    return c(*shape).astype(np.complex64)


# lexicographically ordered complex values with distinct real parts (no ties)
_SPREAD = np.array([0.3 + 0.5j, -1.2 - 0.4j, 2.0 + 0.3j, -0.6 + 1.1j])
_IDX = np.array([0, 2, 2, 1])


def _scan(c0: Any, xs: Any) -> Any:
    carry, ys = lax.scan(lambda cr, x: (cr * x + 0.5j, fnp.sin(cr) * x), c0, xs)
    return ys * carry


def _while(z: Any) -> Any:
    return lax.while_loop(lambda cr: cr[0] < 3, lambda cr: (cr[0] + 1, cr[1] * cr[1] * 0.5j),
                          (0, z))[1]


def _cond(z: Any) -> Any:
    return lax.cond(fnp.real(fnp.sum(z)) > 0, lambda a: fnp.exp(a) * 1j, fnp.conj, z)


@ftrans.custom_jvp
def _csin(z: Any) -> Any:
    return fnp.sin(z)


@_csin.defjvp
def _csin_jvp(primals: Any, tangents: Any) -> Any:
    (z,), (t,) = primals, tangents
    return _csin(z), fnp.cos(z) * t


COMPLEX_SAMPLES: list[Sample] = [
    # arithmetic (linear rows: linear over the reals)
    Sample("neg", fnp.negative, (c(3),), linear=True),
    Sample("add", fnp.add, (c(2, 3), c(3)), linear=True),
    Sample("add", lambda x, z: x + z, (r(3), c(3)), linear=True),  # real + complex
    Sample("sub", fnp.subtract, (c(3), c(3)), linear=True),
    Sample("mul", fnp.multiply, (c(2, 3), c(2, 3))),
    Sample("mul", lambda z: (2 - 1j) * z, (c(4),), linear=True),
    Sample("mul", lambda x: x * 1j, (r(3),), linear=True),  # real in, complex out
    Sample("mul", fnp.multiply, (c64(3), c64(3))),
    Sample("mul", lambda z, x: z * x, (c64(3), r(3))),  # complex64 * float64 -> complex128
    Sample("div", fnp.divide, (c(3), cpos(3))),
    Sample("div", lambda z: z / (2 + 1j), (c(3),), linear=True),
    # holomorphic functions
    Sample("exp", fnp.exp, (c(3),)),
    Sample("exp", fnp.exp, (c64(3),)),
    Sample("log", fnp.log, (cpos(3),)),
    Sample("log1p", fnp.log1p, (cpos(3),)),
    Sample("expm1", fnp.expm1, (c(3),)),
    Sample("exp2", fnp.exp2, (c(3),)),
    Sample("log2", fnp.log2, (cpos(3),)),
    Sample("log10", fnp.log10, (cpos(3),)),
    Sample("sin", fnp.sin, (c(2, 2),)),
    Sample("cos", fnp.cos, (c(3),)),
    Sample("tan", fnp.tan, (c(3),)),
    Sample("sinh", fnp.sinh, (c(3),)),
    Sample("cosh", fnp.cosh, (c(3),)),
    Sample("tanh", fnp.tanh, (c(3),)),
    Sample("asin", fnp.arcsin, (c(3),)),
    Sample("acos", fnp.arccos, (c(3),)),
    Sample("atan", fnp.arctan, (c(3),)),
    Sample("asinh", fnp.arcsinh, (c(3),)),
    Sample("acosh", fnp.arccosh, (c(3),)),
    Sample("acosh", fnp.arccosh, (-cpos(3),)),  # left half-plane: sqrt(z-1) sqrt(z+1)
    Sample("atanh", fnp.arctanh, (c(3),)),
    Sample("sqrt", fnp.sqrt, (c(3),)),
    Sample("sqrt", lambda x: fnp.sqrt(x + 0j), (-r(3) - 1.5,)),  # negative reals: 1j*sqrt
    Sample("integer_pow", lambda z: z ** 3, (c(3),)),
    Sample("integer_pow", lambda z: z ** -2, (cpos(3),)),
    Sample("integer_pow", fnp.square, (c64(3),)),
    Sample("pow", fnp.power, (cpos(3), c(3))),
    Sample("pow", lambda x, z: fnp.power(x, z), (r(3) + 1.5, c(3))),  # real base, complex y
    # non-holomorphic: |z|, sign, parts, conjugates, angles
    Sample("abs", fnp.abs, (c(3),)),
    Sample("abs", fnp.abs, (c64(2, 2),)),
    Sample("abs", lambda x: fnp.abs(x * (1 + 1j)), (r(3),)),  # issue 13's second example
    Sample("sign", fnp.sign, (c(3),)),
    Sample("real", fnp.real, (c(3),), linear=True),
    Sample("real", lambda z: z.real * 2, (c64(3),), linear=True),
    Sample("imag", fnp.imag, (c(3),), linear=True),
    Sample("imag", lambda z: z.imag, (c64(3),), linear=True),
    Sample("conj", fnp.conj, (c(3),), linear=True),
    Sample("conj", lambda z, w: z * w.conj(), (c(3), c(3))),
    Sample("complex", lax.complex, (r(3), r(3)), linear=True),
    Sample("mul", lambda x, y: x + 1j * y, (r(2, 2), r(2, 2)), linear=True),
    Sample("complex", lambda x, y: lax.complex(x, y), (r(3).astype(np.float32),
                                                     r(3).astype(np.float32)), linear=True),
    Sample("atan2", fnp.angle, (c(3),)),
    Sample("atan2", lambda z: fnp.angle(z, deg=True), (c64(3),)),
    # comparisons and selection (NumPy's lexicographic order of complex numbers)
    Sample("max", fnp.maximum, (_SPREAD[:3], _SPREAD[1:][::-1])),
    Sample("min", fnp.minimum, (_SPREAD[:3], _SPREAD[1:][::-1])),
    Sample("lt", lambda z, w: fnp.where(z < w, z, 2 * w), (_SPREAD[:3], _SPREAD[1:])),
    Sample("ge", lambda z, w: fnp.where(z >= w, z * w, w), (_SPREAD[:3], _SPREAD[1:])),
    Sample("eq", lambda z, w: fnp.equal(z, w) * z, (c(3), c(3)), smooth=False),
    Sample("ne", lambda z, w: fnp.not_equal(z, w) * z, (c(3), c(3)), smooth=False),
    Sample("select_n", lambda z, w: fnp.where(np.array([True, False, True]), z, w),
           (c(3), c(3)), linear=True),
    Sample("isfinite", lambda z: fnp.where(fnp.isfinite(z / 0.5), z, 0), (c(3),)),
    Sample("isnan", lambda z: fnp.where(fnp.isnan(z), 0, z * z), (c(3),)),
    Sample("isinf", lambda z: fnp.where(fnp.isinf(z), 0, z * 2), (c(3),)),
    Sample("not", lambda z: fnp.where(fnp.logical_not(z), 0, z), (c(3),)),
    Sample("rint", lambda z: fnp.round(z * 3) * z, (c(3),)),
    Sample("rint", fnp.rint, (c(3),), smooth=False),
    # conversions
    Sample("convert_element_type", lambda x: fnp.astype(x, np.complex128) * (1 + 2j), (r(3),),
           linear=True),
    Sample("convert_element_type", lambda z: fnp.astype(z, np.complex64) * 2, (c(3),),
           linear=True),
    Sample("convert_element_type", lambda z: fnp.astype(z, np.complex128), (c64(3),),
           linear=True),
    # shapes, indexing, reductions
    Sample("broadcast_in_dim", lambda z: fnp.broadcast_to(z, (2, 3)), (c(3),), linear=True),
    Sample("reshape", lambda z: fnp.reshape(z, (3, 2)), (c(2, 3),), linear=True),
    Sample("transpose", lambda z: fnp.transpose(z, (1, 0)), (c(2, 3),), linear=True),
    Sample("squeeze", lambda z: fnp.squeeze(z, 1), (c(3, 1),), linear=True),
    Sample("expand_dims", lambda z: fnp.expand_dims(z, 0), (c(3),), linear=True),
    Sample("slice", lambda z: z[1:, ::2], (c(3, 4),), linear=True),
    Sample("pad", lambda z: fnp.pad(z, (1, 2)), (c(3),), linear=True),
    Sample("pad", lambda z, v: lax.pad(z, v, ((1, 0, 1),)), (c(2), c())),
    Sample("concatenate", lambda z, w: fnp.concatenate([z, w]), (c(2), c(3)), linear=True),
    Sample("rev", fnp.flip, (c(3),), linear=True),
    Sample("gather", lambda z: z[_IDX], (c(3),), linear=True),
    Sample("scatter", lambda z, v: fnp.at(z)[_IDX].set(v), (c(3), c(4))),
    Sample("scatter_add", lambda z, v: fnp.at(z)[_IDX].add(v), (c(3), c(4)), linear=True),
    Sample("scatter", lambda z, v: fnp.at(z)[_IDX].multiply(v), (c(3), c(4))),
    Sample("reduce_sum", lambda z: fnp.sum(z, axis=1), (c(2, 3),), linear=True),
    Sample("reduce_sum", fnp.mean, (c64(2, 3),), linear=True),
    Sample("reduce_prod", lambda z: fnp.prod(z, axis=0), (c(3, 2),)),
    Sample("reduce_max", fnp.max, (_SPREAD,)),
    Sample("reduce_min", lambda z: fnp.min(z, axis=0), (np.stack([_SPREAD, _SPREAD[::-1]]),)),
    Sample("cumsum", lambda z: fnp.cumsum(z, axis=1), (c(2, 3),), linear=True),
    Sample("mul", fnp.cumprod, (c(4),)),
    Sample("reduce_sum", fnp.var, (c(2, 3),)),
    Sample("reduce_sum", lambda z: fnp.std(z, axis=0), (c(3, 2),)),
    Sample("argsort", fnp.sort, (_SPREAD,)),
    Sample("argmax", lambda z: z * fnp.argmax(z), (_SPREAD,)),
    Sample("argmin", lambda z: z * fnp.argmin(z), (_SPREAD,)),
    # products
    Sample("dot_general", fnp.matmul, (c(2, 3), c(3, 2))),
    Sample("dot_general", fnp.matmul, (c(2, 3), r(3, 2))),  # complex @ real
    Sample("dot_general", lambda x: x @ np.array([[1 + 1j, 2], [0.5j, -1]]), (r(3, 2),),
           linear=True),
    Sample("dot_general", lambda z, w: fnp.einsum("ij,jk->ik", z, w), (c64(2, 3), c64(3, 2))),
    Sample("dot_general", fnp.vdot, (c(3), c(3))),
    # control flow, custom rules, stop_gradient
    Sample("scan", _scan, (c(), c(4))),
    Sample("while", _while, (c(3),)),
    Sample("cond", _cond, (cpos(3),)),
    Sample("cond", _cond, (-cpos(3),)),
    Sample("custom_jvp_call", _csin, (c(3),)),
    Sample("stop_gradient", lambda z: fnp.exp(z) + ftrans.stop_gradient(z - z), (c(3),)),
    Sample("remat", ftrans.checkpoint(lambda z, w: fnp.sin(z * w) * z), (c(3), c(3))),
]
