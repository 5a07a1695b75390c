"""Sample rows for ``ftrans.lax``'s dynamic slices, ``clamp``, ``conv_general_dilated``,
``reduce_window`` and cumulative scans (see ``samples.py``).

Start indices come from a float argument (``_idx``: piecewise constant, negative values
included so the wrap-around and the clamping are exercised), so ``vmap`` sees batched
starts (one ``gather``/``scatter`` for the batch) as well as unbatched ones.
"""

from __future__ import annotations

import numpy as np
from samples_core import Sample, r

import ftrans.lax as lax
import ftrans.numpy as fnp


def _idx(s, scale=3.0, offset=-0.5):
    """An int32 start that steps with ``s`` (about -3..2 for ``s`` in [-1, 1])."""
    return fnp.astype(s * scale + offset, np.int32)


_W1 = r(4, 3, 3)  # (O, I, W): a fixed window
_X2 = r(2, 4, 5, 4)  # (N, C, H, W): a fixed image batch
_GAPPED = np.array([[-1.5, 0.2, 1.7, -0.1], [0.9, -2.2, 0.4, 2.5]])  # away from 0.5 and -0.5


def _conv2d(x, w):
    return lax.conv_general_dilated(x, w, (2, 1), [(1, 0), (1, 2)], rhs_dilation=(1, 2))


DYNAMIC = [
    Sample("dynamic_slice", lambda x: lax.dynamic_slice(x, (1, np.int32(-2)), (2, 2)),
           (r(3, 4),), linear=True),
    Sample("dynamic_slice", lambda x, s: lax.dynamic_slice(x, (_idx(s), 1), (2, 3)),
           (r(4, 5), np.float64(0.3))),
    Sample("dynamic_slice", lambda x, s: lax.dynamic_index_in_dim(x, _idx(s, 2.0, 0.5), 1,
                                                                  keepdims=False),
           (r(2, 4), np.float64(-0.6))),
    Sample("dynamic_update_slice", lambda x, u: lax.dynamic_update_slice(x, u, (2, 0)),
           (r(3, 4), r(2, 3)), linear=True),
    Sample("dynamic_update_slice",
           lambda x, u, s: lax.dynamic_update_slice(x, u, (_idx(s), np.int32(1))),
           (r(4, 5), r(2, 2), np.float64(0.7))),
    Sample("dynamic_update_slice",
           lambda x, u, s: lax.dynamic_update_index_in_dim(x, u, _idx(s, 1.0, 1.5), 0),
           (r(3, 2), r(2), np.float64(-0.2))),
]

CLAMP = [
    Sample("clamp", lambda x: lax.clamp(-0.5, x, 0.5), (_GAPPED,)),
    Sample("clamp", lambda lo, x, hi: lax.clamp(lo, x, hi),
           (np.float64(-0.5), _GAPPED, np.float64(1.0))),
    Sample("clamp", lambda lo, x, hi: lax.clamp(lo, x, hi),
           (_GAPPED * 0.0 - 0.6, _GAPPED, _GAPPED * 0.0 + 0.8)),
]

CONV = [
    Sample("conv_general_dilated",
           lambda x: lax.conv_general_dilated(x, _W1.astype(x.dtype), (1,), "SAME"),
           (r(2, 3, 6),), linear=True),
    Sample("conv_general_dilated",
           lambda w: lax.conv_general_dilated(_X2.astype(w.dtype), w, (1, 2), "VALID",
                                             feature_group_count=2),
           (r(4, 2, 2, 3),), linear=True),
    Sample("conv_general_dilated", _conv2d, (r(2, 3, 5, 4), r(2, 3, 2, 2))),
    Sample("conv_general_dilated",
           lambda x, w: lax.conv_general_dilated(x, w, (1,), [(2, -1)], lhs_dilation=(2,),
                                                 batch_group_count=2),
           (r(4, 2, 3), r(4, 2, 2))),
    Sample("conv_general_dilated",
           lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "SAME",
                                                 dimension_numbers=("NHWC", "HWIO", "NHWC")),
           (r(1, 4, 3, 2), r(2, 2, 2, 3))),
]

WINDOWED = [
    Sample("reduce_max", lambda x: lax.reduce_window(x, -np.inf, lax.max, (2, 2), (1, 2),
                                                     "SAME"), (r(3, 5),)),
    Sample("reduce_sum", lambda x: lax.reduce_window(x, 0.0, lax.add, (2, 3), (2, 1),
                                                     [(1, 0), (1, 1)], window_dilation=(1, 2)),
           (r(4, 5),), linear=True),
    Sample("reduce_min", lambda x, i: lax.reduce_window(x, i, lax.min, (3,), (1,), "VALID",
                                                        base_dilation=(2,)),
           (r(4), np.float64(0.25))),
    Sample("reduce_prod", lambda x: lax.reduce_window(x, 1.0, lax.mul, (1, 2), (1, 1),
                                                      "VALID"), (r(2, 4),)),
    Sample("max", lambda x: lax.cummax(x, axis=1, reverse=True), (r(2, 5),)),
    Sample("min", lambda x: lax.cummin(x), (r(5, 2),)),
    Sample("logaddexp", lambda x: lax.cumlogsumexp(x, axis=0), (r(6, 2),)),
    Sample("logaddexp", lambda x: lax.cumlogsumexp(x, reverse=True), (r(5),)),
]

LAX_SAMPLES = DYNAMIC + CLAMP + CONV + WINDOWED
