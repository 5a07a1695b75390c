"""Default rules shared by families of primitives, so declaring one is a few lines.

- ``elementwise_jvp(partials)``: the tangent is the sum over non-zero input tangents of each
  input's partial derivative formula ``partial(t, *primals, out)``.
- ``elementwise_batch``: batch dims lined up (or broadcast in) so the primitive applies as is.
- ``unary`` / ``binary`` / ``comparison``: declare an elementwise primitive from its NumPy
  function, derivative formulas and CUDA expression.
- ``linear_jvp``: a linear primitive's tangent is the primitive applied to the tangent.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import Primitive, Tracer, UndefPrimal, Zero, aval_of, register
from ..ir import ShapedArray
from . import ops


def shape_of(x: Any) -> tuple[int, ...]:
    if type(x) is np.ndarray or isinstance(x, np.generic):
        return x.shape
    if isinstance(x, Tracer):
        return x.aval.shape
    return aval_of(x).shape


def ndim_of(x: Any) -> int:
    return len(shape_of(x))


def is_undef(x: Any) -> bool:
    return type(x) is UndefPrimal


# ----------------------------------------------------------------------------- jvp

def elementwise_jvp(partials: Sequence[Callable | None]) -> Callable:
    first = partials[0] if len(partials) == 1 else None
    if first is not None:  # unary: no loop (a per-op cost)
        partial: Callable = first

        def jvp1(primals: Sequence[Any], out: Any, tangents: Sequence[Any], **params: Any
                 ) -> Any:
            (t,) = tangents
            if type(t) is Zero:
                return Zero(aval_of(out))
            total = (partial(t, primals[0], out, **params) if params
                     else partial(t, primals[0], out))
            if type(total) is Tracer and (type(out) is np.ndarray or type(out) is np.float64) \
                    and total.aval.shape == out.shape:
                return total  # fast path: the usual case, nothing to broadcast
            out_shape = shape_of(out)
            if shape_of(total) != out_shape:
                total = ops.broadcast_in_dim(total, out_shape, ())
            return total
        return jvp1

    def jvp(primals: Sequence[Any], out: Any, tangents: Sequence[Any], **params: Any) -> Any:
        total = None
        for partial, t in zip(partials, tangents):
            if type(t) is Zero:
                continue
            if partial is None:
                raise TypeError("differentiating an argument that has no derivative")
            c = partial(t, *primals, out, **params)
            total = c if total is None else total + c
        if total is None:
            return Zero(aval_of(out))
        if type(total) is Tracer and (type(out) is np.ndarray or type(out) is np.float64) \
                and total.aval.shape == out.shape:
            return total  # fast path: the usual case, nothing to broadcast
        out_shape = shape_of(out)
        if shape_of(total) != out_shape:
            total = ops.broadcast_in_dim(total, out_shape, ())
        return total
    return jvp


def zero_jvp(primals: Sequence[Any], out: Any, tangents: Sequence[Any], **params: Any) -> Any:
    if isinstance(out, (list, tuple)):
        return [Zero(aval_of(o)) for o in out]
    return Zero(aval_of(out))


def linear_jvp(prim: Primitive) -> Callable:
    """jvp of a primitive linear in its only array argument: apply it to the tangent."""
    def jvp(primals: Sequence[Any], out: Any, tangents: Sequence[Any], **params: Any) -> Any:
        (t,) = tangents
        return Zero(aval_of(out)) if type(t) is Zero else prim.bind(t, **params)
    return jvp


# ----------------------------------------------------------------------------- batching

def elementwise_batch(prim: Primitive) -> Callable:
    """Line up the batch dims of an elementwise primitive's operands.

    Operands batched at the same dim with full rank keep it; unbatched full-rank operands are
    broadcast (a view in NumPy); unbatched scalars stay scalars.
    """
    def batch(args: Sequence[Any], dims: Sequence[int | None], **params: Any) -> Any:
        # fast path: the batched operands share their batch dim and rank, and the others
        # are scalars; nothing to line up (what the general case below would conclude)
        d0 = n0 = None
        for a, d in zip(args, dims):
            if d is None:
                if shape_of(a):
                    break
            elif d0 is None:
                d0, n0 = d, len(shape_of(a))
            elif d != d0 or len(shape_of(a)) != n0:
                break
        else:
            return prim.bind(*args, **params), d0
        full_rank = max(ndim_of(a) - (d is not None) for a, d in zip(args, dims))
        batched = [(a, d) for a, d in zip(args, dims) if d is not None]
        size = shape_of(batched[0][0])[batched[0][1]]
        full_shape: tuple[int, ...] = ()
        for a, d in zip(args, dims):
            s = shape_of(a)
            if len(s) - (d is not None) == full_rank:
                full_shape = s[:d] + s[d + 1:] if d is not None else s
                break
        same = {d for _, d in batched}
        out_dim = same.pop() if (len(same) == 1
                                 and all(ndim_of(a) - 1 == full_rank for a, _ in batched)) else 0
        new_args = []
        for a, d in zip(args, dims):
            if d is None:
                if ndim_of(a) == 0:
                    new_args.append(a)
                    continue
                out_shape = full_shape[:out_dim] + (size,) + full_shape[out_dim:]
                keep = tuple(i for i in range(len(out_shape)) if i != out_dim)
                new_args.append(ops.broadcast_in_dim(a, out_shape, keep))
            else:
                if d != out_dim:
                    a = ops.moveaxis(a, d, out_dim)
                if ndim_of(a) - 1 < full_rank:  # a batched scalar operand
                    a = ops.broadcast_in_dim(a, (size,) + full_shape, (0,))
                new_args.append(a)
        return prim.bind(*new_args, **params), out_dim
    return batch


def batch_at_front(args: Sequence[Any], dims: Sequence[int | None]) -> list[Any]:
    """Operands with their batch axis moved to the front; unbatched ones broadcast there."""
    size = next(shape_of(a)[d] for a, d in zip(args, dims) if d is not None)
    moved = []
    for a, d in zip(args, dims):
        if d is None:
            s = shape_of(a)
            a = ops.broadcast_in_dim(a, (size,) + s, tuple(range(1, len(s) + 1)))
        else:
            a = ops.moveaxis(a, d, 0)
        moved.append(a)
    return moved


# ----------------------------------------------------------------------------- avals

def elementwise_aval(name: str) -> Callable:
    def abstract_eval(*avals: ShapedArray, **params: Any) -> ShapedArray:
        a0 = avals[0]
        if not a0.weak_type:  # fast path: equal operands (avals are immutable: share it)
            s0, d0 = a0.shape, a0.dtype
            for a in avals:
                if a.shape != s0 or (a.dtype is not d0 and a.dtype != d0):
                    break
            else:
                return a0
        shapes = {a.shape for a in avals if a.ndim}
        if len(shapes) > 1:
            raise TypeError(f"{name} got operands of different shapes "
                            f"{', '.join(str(a.shape) for a in avals)}; broadcast them first")
        strong = {a.dtype for a in avals if not a.weak_type}
        if len(strong) > 1:
            raise TypeError(f"{name} got operands of different dtypes "
                            f"{', '.join(a.dtype.name for a in avals)}; convert them first")
        dtype = strong.pop() if strong else avals[0].dtype
        return ShapedArray(shapes.pop() if shapes else (), dtype)
    return abstract_eval


def unbroadcast(ct: Any, aval: ShapedArray) -> Any:
    """Sum a cotangent down to the shape of a scalar operand that was broadcast."""
    if (ct.shape if type(ct) is np.ndarray or type(ct) is np.float64 else shape_of(ct)) \
            == aval.shape:
        return ct
    return ops.reduce_sum(ct, tuple(range(ndim_of(ct))))


# ----------------------------------------------------------------------------- declaring

def any_dtype(in_avals: Sequence[ShapedArray], out_aval: ShapedArray, **params: Any) -> bool:
    """``cuda_fuses`` of a primitive whose CUDA expression is right for every dtype kernels
    support (integers and bools too), such as C's operators."""
    return True


def unary(name: str, np_name: str | None, deriv: Callable | None, cuda: str | None = None,
          impl: Callable | None = None, scalar_math: str | Callable | None = None,
          c: bool = False, cuda_fuses: Callable | None = None) -> Primitive:
    """An elementwise unary primitive. ``deriv(t, x, out)`` is its tangent; ``None`` means
    the output is piecewise constant (zero tangent). ``c``: the CUDA expression is plain C99
    too, for the CPU's fused loops (``c_expr``)."""
    p = register(Primitive(name))
    p.family = "elementwise"
    p.impl = impl or (lambda xp, x, _f=np_name: getattr(xp, _f)(x))
    p.ufunc = np_name if impl is None else None
    p.abstract_eval = elementwise_aval(name)
    p.jvp = elementwise_jvp([deriv]) if deriv is not None else zero_jvp
    p.batch = elementwise_batch(p)
    p.cuda = cuda
    p.cuda_fuses = cuda_fuses
    p.c_expr = cuda if c else None
    p.scalar_math = scalar_math
    return p


def binary(name: str, np_name: str | None, partials: Sequence[Callable] | None,
           cuda: str | None = None, impl: Callable | None = None,
           scalar_math: str | Callable | None = None, c: bool = False,
           cuda_fuses: Callable | None = None, commutative: bool = False) -> Primitive:
    """An elementwise binary primitive with ``partials = (d/dx, d/dy)``, each
    ``partial(t, x, y, out)``; ``c`` as for ``unary``."""
    p = register(Primitive(name))
    p.family = "elementwise"
    p.impl = impl or (lambda xp, x, y, _f=np_name: getattr(xp, _f)(x, y))
    p.ufunc = np_name if impl is None else None
    p.abstract_eval = elementwise_aval(name)
    p.jvp = elementwise_jvp(partials) if partials is not None else zero_jvp
    p.batch = elementwise_batch(p)
    p.cuda = cuda
    p.cuda_fuses = cuda_fuses
    p.c_expr = cuda if c else None
    p.scalar_math = scalar_math
    p.commutative = commutative
    return p


def comparison(name: str, np_name: str, cuda: str, commutative: bool = False) -> Primitive:
    """A binary elementwise test with a boolean result (C's operators: any dtype)."""
    p = binary(name, np_name, None, cuda, cuda_fuses=any_dtype, commutative=commutative)
    base = elementwise_aval(name)  # binary's

    def abstract_eval(x: ShapedArray, y: ShapedArray) -> ShapedArray:
        return ShapedArray(base(x, y).shape, np.bool_)
    p.abstract_eval = abstract_eval
    return p
