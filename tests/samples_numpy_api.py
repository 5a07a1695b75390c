"""Sample rows for the wrappers of the NumPy API (see ``samples.py``): elementwise functions,
reductions, shape manipulation, products, indexing and sorting, with the primitives they
brought; composite wrappers are named by the primitive they are built on."""

from __future__ import annotations

import numpy as np
from samples_core import Sample, pos, r

import ftrans.numpy as fnp

_SPREAD = np.array([-1.3, 0.2, 0.9, 2.1])  # distinct, well separated: no ties
_SORTED = np.array([-2.0, 0.0, 2.0, 4.0])
_IDX = np.array([2, 0, 2, 1])


_SPECIAL = np.array([np.nan, 1.0, np.inf, -np.inf])
_HOLES = np.array([False, True, False, False])
_SIGNED = np.array([-0.0, 0.0, 3.0, -2.0])  # signbit set, unset, unset, set

ELEMENTWISE = [
    Sample("pow", fnp.float_power, (pos(3), r(3))),
    Sample("div", fnp.reciprocal, (pos(3),)),
    Sample("exp2", fnp.exp2, (r(3),)),
    Sample("log2", fnp.log2, (pos(3),)),
    Sample("log10", fnp.log10, (pos(3),)),
    Sample("cbrt", fnp.cbrt, (pos(3),)),
    Sample("cbrt", fnp.cbrt, (-pos(3),)),
    Sample("hypot", fnp.hypot, (r(3), pos(3))),
    Sample("logaddexp", fnp.logaddexp, (r(2, 3), r(3))),
    Sample("logaddexp2", fnp.logaddexp2, (r(3), r(3))),
    Sample("mul", fnp.deg2rad, (r(3),), linear=True),
    Sample("mul", fnp.rad2deg, (r(3),), linear=True),
    Sample("sin", fnp.sinc, (r(3),)),
    Sample("asinh", fnp.arcsinh, (r(3),)),
    Sample("acosh", fnp.arccosh, (pos(3) + 1,)),
    Sample("atanh", fnp.arctanh, (r(3, lo=-0.8, hi=0.8),)),
    Sample("select_n", fnp.fmax, (_SPREAD, _SPREAD[::-1].copy())),
    Sample("select_n", fnp.fmin, (_SPREAD, _SPREAD[::-1].copy())),
    Sample("copysign", fnp.copysign, (r(4), _SPREAD)),
    Sample("max", lambda x: fnp.clip(x, -0.5, 0.5), (_SPREAD * 0.4,)),
    Sample("min", lambda x, lo, hi: fnp.clip(x, lo, hi), (_SPREAD, r(4) - 2, r(4) + 3)),
    Sample("select_n", lambda x: fnp.heaviside(x, 0.5) * x, (np.array([-1.0, 0.5, 2.0]),)),
    Sample("select_n", lambda h: fnp.heaviside(np.array([-1.0, 0.0, 2.0]), h), (r(3),)),
    Sample("select_n", lambda x: fnp.nan_to_num(fnp.where(_HOLES, x, _SPECIAL)), (r(4),)),
    Sample("floor", lambda x: fnp.floor(x * 3) * x, (r(3),)),
    Sample("ceil", lambda x: fnp.ceil(x * 3) * x, (r(3),)),
    Sample("trunc", lambda x: fnp.trunc(x * 3) * x, (r(3),)),
    Sample("rint", lambda x: fnp.round(x * 3) * x, (r(3),)),
    Sample("rint", lambda x: fnp.round(x, 1), (np.array([0.123, -0.78]),), smooth=False),
    Sample("isnan", lambda x: fnp.where(fnp.isnan(x * _SPECIAL), 0.0, x), (r(4),)),
    Sample("isinf", lambda x: fnp.where(fnp.isinf(x * _SPECIAL), 1.0, x), (pos(4),)),
    Sample("isfinite", lambda x: fnp.where(fnp.isfinite(x * _SPECIAL), x, 1.0), (r(4),)),
    Sample("signbit", lambda x: fnp.where(fnp.signbit(x * _SIGNED), x, 2.0 * x), (pos(4),)),
    Sample("and", lambda x, y: fnp.where(fnp.logical_and(x > 0, y > 0), x, y), (r(4), r(4))),
    Sample("or", lambda x, y: fnp.where(fnp.logical_or(x > 0, y), x, y), (r(4), r(4))),
    Sample("xor", lambda x, y: fnp.where(fnp.logical_xor(x > 0, y > 0), x, y), (r(4), r(4))),
    Sample("not", lambda x: fnp.where(fnp.logical_not(x > 0), x, 2 * x), (r(4),)),
]

REDUCTIONS = [
    Sample("reduce_prod", lambda x: fnp.prod(x, axis=1), (r(3, 4),)),
    Sample("reduce_prod", lambda x: fnp.prod(x, axis=(0, 2), keepdims=True), (r(2, 3, 2),)),
    Sample("reduce_prod", fnp.prod, (np.array([2.0, 0.0, 3.0, -1.0]),)),
    Sample("reduce_prod", fnp.prod, (np.array([2.0, 0.0, 3.0, 0.0]),)),
    Sample("reduce_sum", lambda x: fnp.var(x, axis=0), (r(4, 3),)),
    Sample("reduce_sum", lambda x: fnp.var(x, ddof=1), (r(2, 3),)),
    Sample("sqrt", lambda x: fnp.std(x, axis=-1, keepdims=True), (r(2, 4),)),
    Sample("argmax", lambda x: x * fnp.argmax(x, axis=0), (r(3, 4),)),
    Sample("argmax", lambda x: x * fnp.argmax(x), (r(3, 4),)),
    Sample("argmin", lambda x: x * fnp.argmin(x, axis=1, keepdims=True), (r(3, 4),)),
    Sample("cumsum", lambda x: fnp.cumsum(x, axis=1), (r(2, 5),), linear=True),
    Sample("cumsum", fnp.cumsum, (r(2, 3),), linear=True),
    Sample("mul", lambda x: fnp.cumprod(x, axis=0), (r(5, 2),)),
    Sample("mul", fnp.cumprod, (np.array([1.5, 0.0, -2.0, 0.5, 3.0]),)),
    Sample("reduce_max", lambda x: fnp.ptp(x, axis=0), (r(4, 3),)),
    Sample("reduce_sum", lambda x: fnp.average(x, axis=1), (r(3, 4),), linear=True),
    Sample("div", lambda x, w: fnp.average(x, axis=1, weights=w), (r(3, 4), pos(4))),
    Sample("reduce_min", lambda x: fnp.where(fnp.all(x > 0, axis=0), x, 2 * x), (r(3, 4),)),
    Sample("reduce_max", lambda x: fnp.where(fnp.any(x > 0.5, axis=1, keepdims=True), x, -x),
           (r(3, 4),)),
    Sample("reduce_sum", lambda x: x * fnp.count_nonzero(x > 0), (r(5),)),
]

SHAPE = [
    Sample("reshape", fnp.ravel, (r(2, 3),), linear=True),
    Sample("reshape", lambda x: x.flatten(), (r(2, 3),), linear=True),
    Sample("broadcast_in_dim", lambda x, y: fnp.multiply(*fnp.broadcast_arrays(x, y)),
           (r(3), r(2, 1))),
    Sample("reshape", lambda x: fnp.atleast_2d(x), (r(3),), linear=True),
    Sample("reshape", lambda x: fnp.atleast_3d(x), (r(2, 3),), linear=True),
    Sample("reshape", lambda x: fnp.atleast_1d(fnp.sum(x)), (r(3),), linear=True),
    Sample("concatenate", lambda x, y: fnp.concatenate([x, y], axis=0), (r(2, 3), r(1, 3)),
           linear=True),
    Sample("concatenate", lambda x, y: fnp.concatenate([x, y], axis=None), (r(2, 2), r(3)),
           linear=True),
    Sample("concatenate", lambda x, y: fnp.stack([x, y], axis=-1), (r(2, 3), r(2, 3)),
           linear=True),
    Sample("concatenate", lambda x, y: fnp.hstack([x, y]), (r(2), r(3)), linear=True),
    Sample("concatenate", lambda x, y: fnp.vstack([x, y]), (r(3), r(2, 3)), linear=True),
    Sample("concatenate", lambda x, y: fnp.dstack([x, y]), (r(2, 3), r(2, 3)), linear=True),
    Sample("slice", lambda x: fnp.split(x, 2, axis=1)[1], (r(2, 4),), linear=True),
    Sample("slice", lambda x: fnp.split(x, [1, 3])[1], (r(5),), linear=True),
    Sample("slice", lambda x: fnp.array_split(x, 3)[0] * fnp.sum(fnp.array_split(x, 3)[2]),
           (r(7),)),
    Sample("broadcast_in_dim", lambda x: fnp.tile(x, (2, 1, 3)), (r(2, 2),), linear=True),
    Sample("broadcast_in_dim", lambda x: fnp.repeat(x, 2, axis=1), (r(2, 3),), linear=True),
    Sample("gather", lambda x: fnp.repeat(x, [1, 0, 2]), (r(3),), linear=True),
    Sample("rev", lambda x: fnp.flip(x, axis=(0, 2)), (r(2, 3, 2),), linear=True),
    Sample("roll", lambda x: fnp.roll(x, 2, axis=1), (r(2, 5),), linear=True),
    Sample("roll", lambda x: fnp.roll(x, -1), (r(2, 3),), linear=True),
    Sample("roll", lambda x: fnp.roll(x, (1, -2, 3), axis=(0, 2, 0)), (r(3, 2, 4),),
           linear=True),
    Sample("roll", lambda x: fnp.sin(fnp.roll(x, 1, axis=0)) * x, (r(4, 2),)),
    Sample("pad", lambda x: fnp.pad(x, ((1, 2), (0, 1)), constant_values=1.5), (r(2, 3),)),
    Sample("pad", lambda x, v: fnp.pad(x, 2, constant_values=v), (r(3), r())),
    Sample("gather", lambda x: fnp.pad(x, ((2, 1), (1, 3)), mode="edge"), (r(2, 3),),
           linear=True),
    Sample("gather", lambda x: fnp.pad(x, (2, 3), mode="reflect"), (r(4),), linear=True),
    Sample("gather", lambda x: fnp.pad(x, 1, mode="symmetric"), (r(3),), linear=True),
    Sample("scatter_add", fnp.diag, (r(3),), linear=True),
    Sample("scatter_add", lambda x: fnp.diag(x, k=-1), (r(2),), linear=True),
    Sample("gather", lambda x: fnp.diag(x, 1), (r(3, 4),), linear=True),
    Sample("gather", lambda x: fnp.diagonal(x, 0, 0, 2), (r(3, 2, 3),), linear=True),
    Sample("gather", fnp.trace, (r(3, 3),), linear=True),
    Sample("select_n", fnp.tril, (r(3, 4),), linear=True),
    Sample("select_n", lambda x: fnp.triu(x, -1), (r(2, 3, 3),), linear=True),
    Sample("broadcast_in_dim", lambda x, y: fnp.meshgrid(x, y)[0] * fnp.meshgrid(x, y)[1],
           (r(3), r(2))),
    Sample("broadcast_in_dim", lambda x, y: fnp.sum(fnp.meshgrid(x, y, indexing="ij")[1]),
           (r(3), r(2)), linear=True),
    Sample("mul", fnp.kron, (r(2, 3), r(2, 2))),
    Sample("mul", fnp.kron, (r(3), r(2))),
    Sample("slice", lambda x: fnp.diff(x, 2, axis=0), (r(5, 2),), linear=True),
    Sample("concatenate", lambda x, y: fnp.diff(x, prepend=y, append=0.5), (r(4), r())),
]

PRODUCTS = [
    Sample("dot_general", lambda x, y: fnp.tensordot(x, y, axes=2), (r(2, 3, 4), r(3, 4, 2))),
    Sample("dot_general", lambda x, y: fnp.tensordot(x, y, axes=([0, 2], [2, 0])),
           (r(2, 3, 4), r(4, 3, 2))),
    Sample("dot_general", lambda x, y: fnp.einsum("ij,jk->ik", x, y), (r(2, 3), r(3, 4))),
    Sample("dot_general", lambda x, y, z: fnp.einsum("ij,jk,kl->il", x, y, z),
           (r(2, 3), r(3, 4), r(4, 2))),
    Sample("dot_general", lambda x, y: fnp.einsum("bij,bjk->bik", x, y),
           (r(2, 2, 3), r(2, 3, 2))),
    Sample("dot_general", lambda x, y: fnp.einsum("...ij,...j", x, y), (r(2, 3, 4), r(4))),
    Sample("gather", lambda x: fnp.einsum("ii->i", x), (r(3, 3),), linear=True),
    Sample("reduce_sum", lambda x: fnp.einsum("ijk->ki", x), (r(2, 3, 4),), linear=True),
    Sample("dot_general", lambda x, y: fnp.einsum("ij,ij->", x, y), (r(2, 3), r(2, 3))),
    Sample("dot_general", lambda x, y: fnp.einsum("i,j", x, y), (r(2), r(3))),
    Sample("dot_general", lambda x, y: fnp.einsum("iij,jk->ik", x, y), (r(2, 2, 3), r(3, 2))),
    Sample("dot_general", fnp.matmul, (r(2, 1, 3, 4), r(3, 4, 2))),
]

INDEXING = [
    Sample("slice", lambda x: x[1:3, ::2], (r(4, 5),), linear=True),
    Sample("rev", lambda x: x[::-2, -1], (r(5, 3),), linear=True),
    Sample("reshape", lambda x: x[None, ..., 1, None], (r(2, 3),), linear=True),
    Sample("static_index", lambda x: x[-2], (r(3, 2),), linear=True),
    Sample("gather", lambda x: x[_IDX], (r(3, 2),), linear=True),
    Sample("gather", lambda x: x[:, np.array([[0, 1], [1, 1]])], (r(2, 3),), linear=True),
    Sample("gather", lambda x: x[np.array([0, 2]), np.array([1, 0])], (r(3, 2),), linear=True),
    Sample("gather", lambda x: x[np.array([True, False, True])], (r(3, 2),), linear=True),
    Sample("gather", lambda x: fnp.take(x, [2, -1, 0], axis=1), (r(2, 3),), linear=True),
    Sample("gather", lambda x: fnp.take_along_axis(x, np.array([[1, 0], [2, 2]]), 1),
           (r(2, 3),), linear=True),
    Sample("static_index", lambda x: fnp.at(x)[1:, 0].get(), (r(3, 2),), linear=True),
    Sample("scatter", lambda x, v: fnp.at(x)[_IDX].set(v), (r(3), r(4))),
    Sample("scatter", lambda x, v: fnp.at(x)[1, ::2].set(v), (r(3, 4), r())),
    Sample("scatter_add", lambda x, v: fnp.at(x)[_IDX].add(v), (r(3), r(4)), linear=True),
    Sample("scatter_add", lambda x, v: fnp.at(x)[:, np.array([0, 0])].add(v), (r(2, 3), r(2, 2)),
           linear=True),
    Sample("scatter", lambda x, v: fnp.at(x)[_IDX].multiply(v), (r(3), r(4))),
    Sample("scatter", lambda x, v: fnp.at(x)[_IDX].min(v), (_SPREAD[:3], _SPREAD[::-1] * 0.9)),
    Sample("scatter", lambda x, v: fnp.at(x)[_IDX].max(v), (_SPREAD[:3], _SPREAD[::-1] * 0.9)),
]

SORTING = [
    Sample("argsort", fnp.sort, (_SPREAD[::-1] * np.array([1.0, -1.0, 1.0, -1.0]),)),
    Sample("argsort", lambda x: fnp.sort(x, axis=0), (np.array([[1.0, -2.0], [0.0, 3.0]]),)),
    Sample("argsort", lambda x: x * fnp.argsort(x), (_SPREAD[::-1].copy(),)),
    Sample("searchsorted", lambda a, v: v * fnp.searchsorted(a, v), (_SORTED, _SPREAD)),
    Sample("searchsorted", lambda a, v: v * fnp.searchsorted(a, v, side="right"),
           (_SORTED, np.array([-3.0, 0.5, 5.0]))),
    Sample("select_n", lambda x, y: fnp.where(x > y, x, y), (r(3), r(3))),
    Sample("select_n", lambda x, y: fnp.select([x > 0.5, x < -0.5], [x, y], 0.0),
           (r(5), r(5))),
]

NUMPY_API_SAMPLES = ELEMENTWISE + REDUCTIONS + SHAPE + PRODUCTS + INDEXING + SORTING

# fmod, and remainder/floor_divide built on it (points away from the jumps at multiples)
_NUM, _DEN = np.array([5.3, -4.1, 2.9]), np.array([1.7, 1.3, -0.8])
NUMPY_API_SAMPLES += [
    Sample("rem", fnp.fmod, (_NUM, _DEN)),
    Sample("rem", fnp.remainder, (_NUM, _DEN)),
    Sample("rem", lambda x, y: x % y + (x // y) * x, (_NUM, _DEN)),
    Sample("rem", lambda x: fnp.divmod(x, 0.7)[1] * 2.0, (_NUM,)),
]
