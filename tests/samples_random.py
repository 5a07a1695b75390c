"""Sample rows for the integer bitwise primitives, ``threefry2x32`` and the samplers of
``ftrans.random`` (see ``samples.py``).

Integer primitives have zero derivatives, so each row multiplies a float argument by an
integer result computed from the arguments (piecewise constant in them: the sample points
sit away from its jumps) -- the derivative then checks that the integer part contributes
nothing, and vmap that the integer primitive batches. Counts of shifts and Threefry keys and
counters come from the arguments too, so their batch rules see batched operands.
"""

from __future__ import annotations

import numpy as np
from samples_core import Sample, pos, r

import ftrans.lax as lax
import ftrans.numpy as fnp
import ftrans.random as fr
from ftrans.prims.random import threefry2x32_p
from ftrans.prims.random_gamma import random_gamma_grad_p

_KEY = fr.PRNGKey(1234)


def _ints(x, scale=8.0, offset=20.0, dtype=np.int64):
    """Integers that step with ``x`` (piecewise constant)."""
    return fnp.astype(x * scale + offset, dtype)


def _times(x, i):
    return x * fnp.astype(i, x.dtype)


def _unit(bits):
    """uint64 bits as floats in [0, 1)."""
    return fnp.astype(fnp.right_shift(bits, np.uint64(11)), np.float64) * 2.0 ** -53


BITWISE_SAMPLES = [
    Sample("bitwise_and", lambda x, y: _times(x, _ints(x) & _ints(y, 5.0)), (pos(3), pos(3))),
    Sample("bitwise_or", lambda x: _times(x, _ints(x) | 5), (r(4),)),
    Sample("bitwise_xor", lambda x, y: _times(x - y, _ints(x, dtype=np.uint8)
                                              ^ _ints(y, dtype=np.uint8)), (r(3), r(3))),
    Sample("bitwise_not", lambda x: _times(x, ~_ints(x, dtype=np.int16)), (r(3),)),
    Sample("bitwise_not", lambda x: _times(x, lax.bitwise_not(_ints(x, dtype=np.uint32))),
           (r(3),)),
    Sample("shift_left", lambda x: _times(x, _ints(x, dtype=np.int32) << 3), (r(3),)),
    Sample("shift_left", lambda x, y: _times(x, _ints(x, dtype=np.uint32)
                                             << _ints(y, 4.0, 10.0, np.uint32)),
           (r(3), r(3))),
    Sample("shift_right_arithmetic", lambda x: _times(x, _ints(x, 40.0, 0.0, np.int32) >> 2),
           (r(4),)),
    Sample("shift_right_arithmetic", lambda x, y: _times(x, lax.shift_right_arithmetic(
        _ints(x, 40.0, 0.0, np.int64), _ints(y, 20.0, 30.0, np.int64))), (r(3), r(3))),
    Sample("shift_right_logical", lambda x: _times(x, lax.shift_right_logical(
        _ints(x, 40.0, 0.0, np.int32), np.int32(28))), (r(3),)),
    Sample("shift_right_logical", lambda x: _times(x, _ints(x, dtype=np.uint64) >> 1),
           (pos(3),)),
]

THREEFRY_SAMPLES = [
    # keys and counters from the arguments: batched keys, batched counters
    Sample("threefry2x32", lambda x, y: x * _unit(threefry2x32_p.bind(
        _ints(y, 1000.0, 5000.0, np.uint32), np.uint32(7), np.uint32(0),
        _ints(x, 1000.0, 5000.0, np.uint32))), (r(3), r(3))),
    Sample("threefry2x32", lambda x, k: x * _unit(threefry2x32_p.bind(
        _ints(k, 1000.0, 5000.0, np.uint32), np.uint32(3), np.uint32(1), np.uint32(2))),
           (r(3), np.float64(0.3137))),
    # the samplers (composites, named by a primitive they use on the parameters):
    # reparameterised draws are differentiable in their parameters
    Sample("mul", lambda mu, s: mu + s * fr.normal(_KEY, (3,)), (r(3), pos(3))),
    Sample("max", lambda lo, hi: fr.uniform(_KEY, (2, 3), minval=lo, maxval=hi),
           (r(3, lo=-2.0, hi=-1.0), r(2, 3, lo=1.0, hi=2.0))),
    Sample("erf", lambda lo, hi: fr.truncated_normal(_KEY, lo, hi, (4,)),
           (r(4, lo=-1.5, hi=-0.5), r(4, lo=0.5, hi=1.5))),
    Sample("cholesky", lambda m, c: fr.multivariate_normal(
        _KEY, m, c @ c.T + 3.0 * np.eye(2), (3,)), (r(2), r(2, 2))),
    Sample("exp", lambda s: fr.lognormal(_KEY, s, (3,)), (pos(3),)),
]

# Gamma draws: the shape parameter steps with the argument (a zero tangent: the implicit
# derivative in the shape is tested in test_random.py, against SciPy and JAX, and has no
# second derivative to check here), the keys are batched by vmap.
GAMMA_SAMPLES = [
    Sample("random_gamma", lambda x: x * fr.gamma(_KEY, fnp.floor(x * 4.0) + 2.5), (pos(3),)),
    Sample("random_gamma", lambda x: x * fr.loggamma(_KEY, fnp.floor(x * 4.0) * 0.1 + 0.05),
           (pos(3),)),
    Sample("random_gamma", lambda x, y: x * fr.beta(_KEY, fnp.floor(x * 4.0) + 0.5,
                                                    fnp.floor(y * 4.0) + 1.5), (pos(3), pos(3))),
    # dx/da as a function of the draw x: its x-derivative, to any order
    Sample("random_gamma_grad", lambda x: random_gamma_grad_p.bind(
        np.full(3, 2.5, fnp.result_type(x)), x),
           (pos(3),)),
    Sample("random_gamma_grad", lambda x: random_gamma_grad_p.bind(0.7, x * 4.0),
           (pos(3),)),
]

POISSON_SAMPLES = [
    Sample("random_poisson", lambda x: x * fnp.astype(
        fr.poisson(_KEY, fnp.floor(x * 4.0) * 6.0 + 0.5), x.dtype), (pos(4),)),
]

RANDOM_SAMPLES = BITWISE_SAMPLES + THREEFRY_SAMPLES + GAMMA_SAMPLES + POISSON_SAMPLES
