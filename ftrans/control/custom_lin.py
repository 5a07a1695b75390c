"""``custom_lin``: a linear primitive given by two functions, ``fwd(residuals, tangents)``
(the tangent map: its forward evaluation) and ``bwd(residuals, cotangents)`` (its transpose).
Custom rules (``custom_jvp``, ``custom_vjp``), ``checkpoint`` and the abstract ``while``
linearize to it.

>>> import numpy as np
>>> out = custom_lin_p.bind(np.float64(3.0), np.float64(1.0), num_res=1,
...                         fwd=lambda r, t: [r[0] * t[0]], bwd=lambda r, c: [r[0] * c[0]],
...                         out_avals=(ShapedArray((), np.float64),), name="times")
>>> print(float(out[0]))
3.0
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..core import Primitive, aval_of, instantiate, register
from ..ir import ShapedArray
from ..prims.families import is_undef
from ..transforms.closed import trace_closed
from ..transforms.jvp import jvp_call
from ._common import as_array, batched, force_batched

custom_lin_p = register(Primitive("custom_lin", multiple_results=True))
custom_lin_p.family = "control"


def _custom_lin_impl(xp: Any, *args: Any, num_res: int, fwd: Callable, bwd: Callable,
                     out_avals: tuple[ShapedArray, ...], name: str) -> list[Any]:
    return [as_array(instantiate(o), xp)
            for o in fwd(list(args[:num_res]), list(args[num_res:]))]


def _custom_lin_aval(*avals: ShapedArray, num_res: int, fwd: Callable, bwd: Callable,
                     out_avals: tuple[ShapedArray, ...], name: str) -> list[ShapedArray]:
    return list(out_avals)


def _custom_lin_transpose(ct: Sequence[Any], *args: Any, num_res: int, fwd: Callable,
                          bwd: Callable, out_avals: tuple[ShapedArray, ...], name: str
                          ) -> list[Any]:
    res = args[:num_res]
    if any(is_undef(r) for r in res):
        raise TypeError(f"{name}: custom_lin is not linear in its residuals")
    cts = bwd(list(res), list(ct))
    return [None] * num_res + list(cts)


def _custom_lin_jvp(primals: Sequence[Any], outs: Sequence[Any], tangents: Sequence[Any], *,
                    num_res: int, fwd: Callable, bwd: Callable,
                    out_avals: tuple[ShapedArray, ...], name: str) -> list[Any]:
    # differentiate the forward tangent map itself (its residuals may carry tangents)
    avals = [aval_of(p).strip_weak() for p in primals]
    cj = trace_closed(lambda *a: fwd(list(a[:num_res]), list(a[num_res:])), avals)
    return jvp_call(cj, primals, tangents)[1]


def _custom_lin_batch(args: Sequence[Any], dims: Sequence[int | None], *, num_res: int,
                      fwd: Callable, bwd: Callable, out_avals: tuple[ShapedArray, ...],
                      name: str) -> tuple[list[Any], list[int]]:
    args, size = force_batched(args, dims)
    b_fwd, b_bwd = batched(fwd), batched(bwd)
    b_avals = tuple(ShapedArray((size, *a.shape), a.dtype) for a in out_avals)
    out = custom_lin_p.bind(*args, num_res=num_res, fwd=b_fwd, bwd=b_bwd, out_avals=b_avals,
                            name=name)
    return out, [0] * len(out)


custom_lin_p.impl = _custom_lin_impl
custom_lin_p.abstract_eval = _custom_lin_aval
custom_lin_p.transpose = _custom_lin_transpose
custom_lin_p.jvp = _custom_lin_jvp
custom_lin_p.batch = _custom_lin_batch
