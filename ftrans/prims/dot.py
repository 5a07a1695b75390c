"""dot_general: contractions with batch dimensions, the one bilinear primitive.

``dimension_numbers = ((lhs_contract, rhs_contract), (lhs_batch, rhs_batch))``; the output's
axes are the batch axes, then the lhs free axes, then the rhs free axes (as in XLA).
Its transpose with respect to one operand is another dot_general with the cotangent.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .. import deps
from ..core import Primitive, Zero, aval_of, register
from ..ir import ShapedArray
from .families import is_undef, ndim_of
from .shape import _unbatched_axis, moveaxis, transpose

DimNums = tuple[tuple[tuple[int, ...], tuple[int, ...]], tuple[tuple[int, ...], tuple[int, ...]]]

dot_general_p = register(Primitive("dot_general"))
dot_general_p.family = "linear"
dot_general_p.contraction = True  # the CPU backend runs its outer products as C loops
dot_general_p.new_buffer = True  # matmul/tensordot results are fresh arrays, never views


def dot_general(x: Any, y: Any, dimension_numbers: DimNums) -> Any:
    """JAX's ``lax.dot_general``: a tensor contraction with batch axes.

    Parameters
    ----------
    x, y : ArrayLike
        Of one dtype.
    dimension_numbers : ((sequence of int, sequence of int), (sequence of int, sequence of int))
        ``((x_contracting, y_contracting), (x_batch, y_batch))``: the axes summed over and the
        axes paired as batch axes.

    Returns
    -------
    Array
        Batch axes, then ``x``'s free axes, then ``y``'s.

    Raises
    ------
    TypeError
        If the contracted or batch axes of ``x`` and ``y`` differ in size.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.dot_general(np.arange(6.0).reshape(2, 3), np.ones((3, 2)), (((1,), (0,)), ((), ())))
    array([[ 3.,  3.],
           [12., 12.]])
    """
    (lc, rc), (lb, rb) = dimension_numbers
    dn = ((tuple(lc), tuple(rc)), (tuple(lb), tuple(rb)))
    return dot_general_p.bind(x, y, dimension_numbers=dn)


def _free(ndim: int, contract: Sequence[int], batch: Sequence[int]) -> list[int]:
    return [d for d in range(ndim) if d not in contract and d not in batch]


def _dot_general_impl(xp: Any, x: Any, y: Any, *, dimension_numbers: DimNums) -> Any:
    (lc, rc), (lb, rb) = dimension_numbers
    xn, yn = xp.ndim(x), xp.ndim(y)
    if not lb:
        if 1 <= xn <= 2 and 1 <= yn <= 2 and lc == (xn - 1,) and rc == (0,):
            return xp.dot(x, y)
        if xn == 2 and yn == 2 and len(lc) == 1:  # transposed views: BLAS flags, no copies
            return xp.dot(x.T if lc == (0,) else x, y.T if rc == (1,) else y)
        return xp.tensordot(x, y, (list(lc), list(rc)))
    lf, rf = _free(xn, lc, lb), _free(yn, rc, rb)
    xs, ys = xp.shape(x), xp.shape(y)
    batch_shape = [xs[d] for d in lb]
    nb = math.prod(batch_shape)
    m = math.prod([xs[d] for d in lf])
    k = math.prod([xs[d] for d in lc])
    n = math.prod([ys[d] for d in rf])
    xt = xp.transpose(x, list(lb) + lf + list(lc)).reshape(nb, m, k)
    yt = xp.transpose(y, list(rb) + list(rc) + rf).reshape(nb, k, n)
    # a contraction of size 1 is an outer product: broadcasting beats a batched matmul
    out = xt * yt if k == 1 else xp.matmul(xt, yt)
    return out.reshape(batch_shape + [xs[d] for d in lf] + [ys[d] for d in rf])


def _dot_general_py(avals: Sequence[ShapedArray], *, dimension_numbers: DimNums
                    ) -> str | None:
    """The NumPy backend's inline form: ``_np.dot`` where the impl calls it (no batch axes,
    operands of one or two axes), else ``None`` (the impl)."""
    (lc, rc), (lb, rb) = dimension_numbers
    xn, yn = avals[0].ndim, avals[1].ndim
    if lb:
        return None
    if 1 <= xn <= 2 and 1 <= yn <= 2 and lc == (xn - 1,) and rc == (0,):
        return "_np.dot({0}, {1})"
    if xn == 2 and yn == 2 and len(lc) == 1:
        return f"_np.dot({{0}}{'.T' if lc == (0,) else ''}, {{1}}{'.T' if rc == (1,) else ''})"
    return None


def _dot_general_aval(x: ShapedArray, y: ShapedArray, *, dimension_numbers: DimNums
                      ) -> ShapedArray:
    (lc, rc), (lb, rb) = dimension_numbers
    if len(lc) != len(rc) or len(lb) != len(rb):
        raise TypeError(f"dot_general: dimension_numbers {dimension_numbers} pair up unequal "
                        "numbers of axes")
    for a, b in zip(lc + lb, rc + rb):
        if x.shape[a] != y.shape[b]:
            raise TypeError(f"dot_general: shapes {x.shape} and {y.shape} disagree on "
                            f"contracted or batch axes {dimension_numbers} "
                            f"({x.shape[a]} != {y.shape[b]})")
    if x.dtype != y.dtype:
        raise TypeError(f"dot_general got dtypes {x.dtype} and {y.dtype}; convert them first")
    shape = ([x.shape[d] for d in lb] + [x.shape[d] for d in _free(x.ndim, lc, lb)]
             + [y.shape[d] for d in _free(y.ndim, rc, rb)])
    return ShapedArray(shape, x.dtype)


def _dot_general_jvp(primals: Any, out: Any, tangents: Any, *, dimension_numbers: DimNums
                     ) -> Any:
    (x, y), (tx, ty) = primals, tangents
    total = None
    if type(tx) is not Zero:
        total = dot_general(tx, y, dimension_numbers)
    if type(ty) is not Zero:
        term = dot_general(x, ty, dimension_numbers)
        total = term if total is None else total + term
    return Zero(aval_of(out)) if total is None else total


def _transpose_operand(ct: Any, other: Any, operand_ndim: int, dn_self: tuple,
                       dn_other: tuple, self_is_lhs: bool) -> Any:
    """Cotangent of one operand: contract ``ct`` with ``other`` over ``other``'s free axes.

    ``dn_self = (contract, batch)`` of the operand being transposed, ``dn_other`` likewise.
    """
    (sc, sb), (oc, ob) = dn_self, dn_other
    other_ndim = ndim_of(other)
    nb = len(sb)
    s_free, o_free = _free(operand_ndim, sc, sb), _free(other_ndim, oc, ob)
    # ct axes: batch, then lhs free, then rhs free
    if self_is_lhs:
        ct_other_free = tuple(range(nb + len(s_free), nb + len(s_free) + len(o_free)))
    else:
        ct_other_free = tuple(range(nb, nb + len(o_free)))
    ct_batch = tuple(range(nb))
    res = dot_general(ct, other, ((ct_other_free, tuple(o_free)), (ct_batch, tuple(ob))))
    # res axes: batch, ct's remaining (self free, in order), other's remaining (sorted oc)
    other_rest = sorted(oc)
    perm = [0] * operand_ndim
    for i, d in enumerate(sb):
        perm[d] = i
    for j, d in enumerate(s_free):
        perm[d] = nb + j
    for k, d in enumerate(sc):
        perm[d] = nb + len(s_free) + other_rest.index(oc[k])
    return transpose(res, perm)


def _dot_general_transpose(ct: Any, x: Any, y: Any, *, dimension_numbers: DimNums
                           ) -> list[Any]:
    (lc, rc), (lb, rb) = dimension_numbers
    if is_undef(x) and is_undef(y):
        raise TypeError("dot_general of two linear values is not linear")
    if is_undef(x):
        return [_transpose_operand(ct, y, x.aval.ndim, (lc, lb), (rc, rb), True), None]
    return [None, _transpose_operand(ct, x, y.aval.ndim, (rc, rb), (lc, lb), False)]


def _dot_general_batch(args: Sequence[Any], dims: Sequence[Any], *,
                       dimension_numbers: DimNums) -> tuple[Any, int]:
    (x, y), (dx, dy) = args, dims
    (lc, rc), (lb, rb) = dimension_numbers
    if dx is not None and dy is not None:
        x, y = moveaxis(x, dx, 0), moveaxis(y, dy, 0)
        shift = lambda ds: tuple(d + 1 for d in ds)  # noqa: E731
        dn = ((shift(lc), shift(rc)), ((0,) + shift(lb), (0,) + shift(rb)))
        return dot_general(x, y, dn), 0
    if dx is not None:
        lc2 = tuple(_unbatched_axis(d, dx) for d in lc)
        lb2 = tuple(_unbatched_axis(d, dx) for d in lb)
        out_dim = len(lb) + _free(ndim_of(x), lc2, lb2).index(dx)
        return dot_general(x, y, ((lc2, rc), (lb2, rb))), out_dim
    rc2 = tuple(_unbatched_axis(d, dy) for d in rc)
    rb2 = tuple(_unbatched_axis(d, dy) for d in rb)
    x_free = len(_free(ndim_of(x), lc, lb))
    out_dim = len(lb) + x_free + _free(ndim_of(y), rc2, rb2).index(dy)
    return dot_general(x, y, ((lc, rc2), (lb, rb2))), out_dim


dot_general_p.impl = _dot_general_impl
dot_general_p.py_expr = _dot_general_py
dot_general_p.abstract_eval = _dot_general_aval
dot_general_p.jvp = _dot_general_jvp
dot_general_p.transpose = _dot_general_transpose
dot_general_p.batch = _dot_general_batch


def _dot_general_deps(prim: Any, ins: Sequence[Any], in_avals: Sequence[ShapedArray],
                      out_avals: Sequence[ShapedArray], /, *, dimension_numbers: DimNums
                      ) -> list[Any]:
    """Each operand reduced over its contracted axes onto (batch, free), then broadcast over
    the other operand's free axes."""
    (lc, rc), (lb, rb) = dimension_numbers
    (out,) = out_avals
    nb = len(lb)
    nxf = len(_free(in_avals[0].ndim, lc, lb))
    sides = [(ins[0], in_avals[0], lc, lb, list(range(nb + nxf))),
             (ins[1], in_avals[1], rc, rb, list(range(nb)) + list(range(nb + nxf, out.ndim)))]
    parts = []
    for d, av, contract, batch, out_axes in sides:
        if d.empty:
            continue
        kept = list(batch) + _free(av.ndim, contract, batch)
        inner = deps.scatter(d, deps.project(av.shape, kept),
                             math.prod([av.shape[k] for k in kept]))
        parts.append(deps.gather(inner, deps.project(out.shape, out_axes)))
    return [deps.union(parts)]


def _dot_general_cost(in_avals: Sequence[ShapedArray], out_avals: Sequence[ShapedArray], /, *,
                      dimension_numbers: DimNums) -> int:
    """A multiply and an add per output element and contracted index."""
    (lc, _), _ = dimension_numbers
    return 2 * out_avals[0].size * int(np.prod([in_avals[0].shape[d] for d in lc],
                                               dtype=np.int64))


dot_general_p.deps = _dot_general_deps
dot_general_p.cost = _dot_general_cost
