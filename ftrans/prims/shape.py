"""Shape primitives: broadcast_in_dim, reshape, transpose, squeeze, expand_dims, and
convert_element_type. All are linear; each transpose undoes the shape change."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..core import Primitive, Zero, aval_of, register
from ..ir import ShapedArray, is_float_dtype
from . import ops
from .families import elementwise_batch, linear_jvp, ndim_of, shape_of


def _declare(name: str) -> Primitive:
    p = register(Primitive(name))
    p.family = "shape"
    p.jvp = linear_jvp(p)
    return p


def _unbatched_axis(d: int, bdim: int) -> int:
    """Position in the batched array of the unbatched array's axis ``d``."""
    return d if d < bdim else d + 1


# ----------------------------------------------------------------------------- broadcast_in_dim

broadcast_in_dim_p = _declare("broadcast_in_dim")
broadcast_in_dim_p.broadcasts = True


@ops.export
def broadcast_in_dim(x: Any, shape: Sequence[int], broadcast_dimensions: Sequence[int]) -> Any:
    """Broadcast ``x`` to ``shape``; ``x``'s axis ``i`` becomes axis ``broadcast_dimensions[i]``
    (JAX's ``lax.broadcast_in_dim``: no implicit NumPy rules).

    Parameters
    ----------
    x : ArrayLike
    shape : sequence of int
        The result's shape.
    broadcast_dimensions : sequence of int
        For each axis of ``x``, its axis in the result (increasing); ``x``'s sizes there are
        1 or the result's.

    Returns
    -------
    Array
        Of shape ``shape`` and ``x``'s dtype.

    Raises
    ------
    TypeError
        If ``x``'s shape does not fit ``shape`` along ``broadcast_dimensions``.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.broadcast_in_dim(np.array([1.0, 2.0]), (3, 2), (1,))
    array([[1., 2.],
           [1., 2.],
           [1., 2.]])
    """
    shape, dims = tuple(int(s) for s in shape), tuple(broadcast_dimensions)
    if shape_of(x) == shape and dims == tuple(range(len(shape))):
        return x
    return broadcast_in_dim_p.bind(x, shape=shape, broadcast_dimensions=dims)


def _broadcast_in_dim_impl(xp: Any, x: Any, *, shape: tuple, broadcast_dimensions: tuple) -> Any:
    if xp is np and not broadcast_dimensions:  # a scalar (a sum's cotangent): the read-only
        a = np.asarray(x)                      # view broadcast_to makes, made directly
        if a.dtype.kind in "biufc":
            out = np.ndarray(shape, a.dtype, a, 0, (0,) * len(shape))
            out.flags.writeable = False
            return out
    expanded = [1] * len(shape)
    for src, dst in enumerate(broadcast_dimensions):
        expanded[dst] = x.shape[src] if hasattr(x, "shape") else 1
    return xp.broadcast_to(xp.reshape(x, expanded), shape)


def _broadcast_in_dim_aval(x: ShapedArray, *, shape: tuple, broadcast_dimensions: tuple
                           ) -> ShapedArray:
    if len(broadcast_dimensions) != x.ndim:
        raise TypeError(f"broadcast_in_dim: operand of rank {x.ndim} needs {x.ndim} "
                        f"broadcast_dimensions, got {broadcast_dimensions}")
    for src, dst in enumerate(broadcast_dimensions):
        if x.shape[src] not in (1, shape[dst]):
            raise TypeError(f"broadcast_in_dim: cannot broadcast shape {x.shape} to {shape} "
                            f"along dimensions {broadcast_dimensions}")
    return ShapedArray(shape, x.dtype)


def _broadcast_in_dim_transpose(ct: Any, x: Any, *, shape: tuple, broadcast_dimensions: tuple
                                ) -> list[Any]:
    summed = tuple(i for i in range(len(shape)) if i not in broadcast_dimensions)
    stretched = tuple(dst for src, dst in enumerate(broadcast_dimensions)
                      if x.aval.shape[src] == 1 and shape[dst] != 1)
    out = ops.reduce_sum(ct, tuple(sorted(summed + stretched))) if summed or stretched else ct
    return [reshape(out, x.aval.shape)]


def _broadcast_in_dim_batch(args: Sequence[Any], dims: Sequence[Any], *, shape: tuple,
                            broadcast_dimensions: tuple) -> tuple[Any, int]:
    (x,), (d,) = args, dims
    x = moveaxis(x, d, 0)
    size = shape_of(x)[0]
    return broadcast_in_dim(x, (size,) + shape, (0,) + tuple(b + 1 for b in
                                                             broadcast_dimensions)), 0


broadcast_in_dim_p.view = True  # NumPy returns a view
broadcast_in_dim_p.impl = _broadcast_in_dim_impl
broadcast_in_dim_p.abstract_eval = _broadcast_in_dim_aval
broadcast_in_dim_p.transpose = _broadcast_in_dim_transpose
broadcast_in_dim_p.batch = _broadcast_in_dim_batch

# ----------------------------------------------------------------------------- reshape

reshape_p = _declare("reshape")


@ops.export
def reshape(x: Any, new_sizes: Sequence[int]) -> Any:
    """``x`` with a new shape of the same size, in C order.

    Parameters
    ----------
    x : ArrayLike
    new_sizes : sequence of int
        The new shape (no ``-1``).

    Returns
    -------
    Array
        Of shape ``new_sizes`` and ``x``'s dtype.

    Raises
    ------
    TypeError
        Under a transformation, if the sizes differ (NumPy's ``ValueError`` on plain arrays).

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.reshape(np.arange(6.0), (2, 3))
    array([[0., 1., 2.],
           [3., 4., 5.]])
    """
    new_sizes = tuple(int(s) for s in new_sizes)
    if shape_of(x) == new_sizes:
        return x
    return reshape_p.bind(x, new_sizes=new_sizes)


def _reshape_aval(x: ShapedArray, *, new_sizes: tuple) -> ShapedArray:
    if math.prod(new_sizes) != x.size:
        raise TypeError(f"cannot reshape array of shape {x.shape} (size {x.size}) "
                        f"into shape {new_sizes}")
    return ShapedArray(new_sizes, x.dtype)


def _reshape_batch(args: Sequence[Any], dims: Sequence[Any], *, new_sizes: tuple
                   ) -> tuple[Any, int]:
    x = moveaxis(args[0], dims[0], 0)
    return reshape(x, (shape_of(x)[0],) + new_sizes), 0


reshape_p.view = True  # NumPy returns a view
reshape_p.impl = lambda xp, x, *, new_sizes: xp.reshape(x, new_sizes)
reshape_p.py_expr = lambda avals, *, new_sizes: f"{{0}}.reshape({tuple(new_sizes)!r})"
reshape_p.same_order = lambda aval, *, new_sizes: True
reshape_p.abstract_eval = _reshape_aval
reshape_p.transpose = lambda ct, x, *, new_sizes: [reshape(ct, x.aval.shape)]
reshape_p.batch = _reshape_batch

# ----------------------------------------------------------------------------- transpose

transpose_p = _declare("transpose")


@ops.export
def transpose(x: Any, permutation: Sequence[int]) -> Any:
    """``x`` with its axes permuted: result axis ``i`` is ``x``'s axis ``permutation[i]``.

    Parameters
    ----------
    x : ArrayLike
    permutation : sequence of int
        A permutation of ``range(x.ndim)``.

    Returns
    -------
    Array

    Raises
    ------
    ValueError
        If ``permutation`` is not a permutation of ``range(x.ndim)``.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.transpose(np.arange(6.0).reshape(2, 3), (1, 0)).shape
    (3, 2)
    """
    permutation = tuple(int(p) for p in permutation)
    if sorted(permutation) != list(range(ndim_of(x))):
        raise ValueError(f"transpose: permutation {permutation} is not a permutation of the "
                         f"axes of an array of shape {shape_of(x)}")
    if permutation == tuple(range(len(permutation))):
        return x
    return transpose_p.bind(x, permutation=permutation)


@ops.export
def moveaxis(x: Any, src: int, dst: int) -> Any:
    n = ndim_of(x)
    src, dst = src % n, dst % n
    if src == dst:
        return x
    perm = [i for i in range(n) if i != src]
    perm.insert(dst, src)
    return transpose(x, perm)


def move_batch_axis(x: Any, dim: int | None, out_axis: int | None, size: int) -> Any:
    """``x``'s batch axis (at ``dim``; ``None`` when ``x`` is the same for the whole batch)
    put at ``out_axis``, broadcasting an unbatched ``x``; ``out_axis=None`` keeps an
    unbatched ``x`` as it is.

    >>> move_batch_axis(np.ones(2), None, 0, 3).shape
    (3, 2)
    """
    if out_axis is None:
        if dim is not None:
            raise ValueError("vmap: out_axes=None requires the output to be unbatched, but it "
                             "depends on the mapped inputs")
        return x
    if dim is None:
        shape = shape_of(x)
        out_axis = out_axis % (len(shape) + 1)
        out_shape = shape[:out_axis] + (size,) + shape[out_axis:]
        keep = tuple(i for i in range(len(out_shape)) if i != out_axis)
        return broadcast_in_dim(x, out_shape, keep)
    return moveaxis(x, dim, out_axis)


def _transpose_aval(x: ShapedArray, *, permutation: tuple) -> ShapedArray:
    if sorted(permutation) != list(range(x.ndim)):
        raise TypeError(f"transpose permutation {permutation} is not a permutation of the "
                        f"{x.ndim} axes of {x.shape}")
    return ShapedArray(tuple(x.shape[p] for p in permutation), x.dtype)


def _transpose_batch(args: Sequence[Any], dims: Sequence[Any], *, permutation: tuple
                     ) -> tuple[Any, int]:
    (x,), (d,) = args, dims
    perm = (d,) + tuple(_unbatched_axis(p, d) for p in permutation)
    return transpose(x, perm), 0


transpose_p.view = True  # NumPy returns a view
transpose_p.impl = lambda xp, x, *, permutation: xp.transpose(x, permutation)
transpose_p.py_expr = lambda avals, *, permutation: f"{{0}}.transpose({tuple(permutation)!r})"
transpose_p.same_order = lambda aval, *, permutation: (
    [d for d in permutation if aval.shape[d] != 1] == [d for d in range(aval.ndim)
                                                       if aval.shape[d] != 1])
transpose_p.abstract_eval = _transpose_aval
transpose_p.transpose = lambda ct, x, *, permutation: [
    transpose(ct, tuple(np.argsort(permutation)))]
transpose_p.batch = _transpose_batch

# ----------------------------------------------------------------------------- squeeze

squeeze_p = _declare("squeeze")


def squeeze(x: Any, dimensions: Sequence[int]) -> Any:
    """``x`` without the axes ``dimensions``, each of size 1.

    Parameters
    ----------
    x : ArrayLike
    dimensions : sequence of int
        Axes of size 1.

    Returns
    -------
    Array

    Raises
    ------
    ValueError
        If one of the axes does not have size 1.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.squeeze(np.ones((1, 3)), (0,)).shape
    (3,)
    """
    n = ndim_of(x)
    dimensions = tuple(sorted(int(d) % n for d in dimensions)) if n else ()
    return squeeze_p.bind(x, dimensions=dimensions) if dimensions else x


def _squeeze_aval(x: ShapedArray, *, dimensions: tuple) -> ShapedArray:
    for d in dimensions:
        if x.shape[d] != 1:
            raise ValueError(f"cannot select an axis to squeeze out which has size not equal "
                             f"to one (axis {d} of shape {x.shape})")
    return ShapedArray(tuple(s for i, s in enumerate(x.shape) if i not in dimensions), x.dtype)


def _squeeze_batch(args: Sequence[Any], dims: Sequence[Any], *, dimensions: tuple
                   ) -> tuple[Any, int]:
    x = moveaxis(args[0], dims[0], 0)
    return squeeze(x, tuple(d + 1 for d in dimensions)), 0


squeeze_p.view = True  # NumPy returns a view
squeeze_p.impl = lambda xp, x, *, dimensions: xp.squeeze(x, dimensions)
squeeze_p.abstract_eval = _squeeze_aval
squeeze_p.transpose = lambda ct, x, *, dimensions: [reshape(ct, x.aval.shape)]
squeeze_p.batch = _squeeze_batch

# ----------------------------------------------------------------------------- expand_dims

expand_dims_p = _declare("expand_dims")


def expand_dims(x: Any, dimensions: Sequence[int]) -> Any:
    """``x`` with new axes of size 1 at the positions ``dimensions`` of the result.

    Parameters
    ----------
    x : ArrayLike
    dimensions : sequence of int
        Positions of the new axes in the result.

    Returns
    -------
    Array

    Raises
    ------
    ValueError
        If a position is out of range for the result's rank.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.expand_dims(np.ones(3), (0,)).shape
    (1, 3)
    """
    n = ndim_of(x) + len(dimensions)
    if any(not -n <= int(d) < n for d in dimensions):
        raise ValueError(f"expand_dims: dimensions {tuple(dimensions)} out of range for a "
                         f"result of rank {n}")
    dimensions = tuple(sorted(int(d) % n for d in dimensions))
    return expand_dims_p.bind(x, dimensions=dimensions) if dimensions else x


def _expand_dims_aval(x: ShapedArray, *, dimensions: tuple) -> ShapedArray:
    shape = list(x.shape)
    for d in dimensions:
        shape.insert(d, 1)
    return ShapedArray(shape, x.dtype)


def _expand_dims_batch(args: Sequence[Any], dims: Sequence[Any], *, dimensions: tuple
                       ) -> tuple[Any, int]:
    x = moveaxis(args[0], dims[0], 0)
    return expand_dims(x, tuple(d + 1 for d in dimensions)), 0


expand_dims_p.view = True  # NumPy returns a view


def _expand_dims_impl(xp: Any, x: Any, *, dimensions: tuple) -> Any:
    """A reshape to the shape with the new axes (cheaper than ``xp.expand_dims``)."""
    shape = list(x.shape)
    for d in dimensions:  # sorted, non-negative positions in the result
        shape.insert(d, 1)
    return xp.reshape(x, tuple(shape))


expand_dims_p.impl = _expand_dims_impl
expand_dims_p.abstract_eval = _expand_dims_aval
expand_dims_p.transpose = lambda ct, x, *, dimensions: [reshape(ct, x.aval.shape)]
expand_dims_p.batch = _expand_dims_batch

# ----------------------------------------------------------------------------- convert_element_type

convert_element_type_p = register(Primitive("convert_element_type"))
convert_element_type_p.family = "elementwise"


@ops.export
def convert_element_type(x: Any, new_dtype: Any) -> Any:
    """``x`` cast to ``new_dtype`` (floats to integers round towards zero, as NumPy's
    ``astype``); the derivative is cast back, and is zero into integers.

    Parameters
    ----------
    x : ArrayLike
    new_dtype : DTypeLike

    Returns
    -------
    Array
        Of ``x``'s shape.

    Raises
    ------
    TypeError
        If ``new_dtype`` is not a dtype.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.convert_element_type(np.array([1.5, -2.5]), np.int32)
    array([ 1, -2], dtype=int32)
    """
    new_dtype = np.dtype(new_dtype)
    if aval_of(x).dtype == new_dtype and not isinstance(x, (int, float, bool, complex)):
        return x
    return convert_element_type_p.bind(x, new_dtype=new_dtype)


def _convert_impl(xp: Any, x: Any, *, new_dtype: np.dtype) -> Any:
    if xp is np and not np.ndim(x):
        return new_dtype.type(x)
    return xp.asarray(x).astype(new_dtype)


def _convert_real(x: Any, dtype: np.dtype) -> Any:
    """``x`` in ``dtype``; from complex to real through ``real`` (NumPy's cast warns that it
    discards the imaginary part: here that is the derivative's meaning, not an accident)."""
    if aval_of(x).dtype.kind == "c" and dtype.kind != "c":
        x = ops.real(x)
    return convert_element_type(x, dtype)


def _convert_jvp(primals: Any, out: Any, tangents: Any, *, new_dtype: np.dtype) -> Any:
    (t,) = tangents
    if type(t) is Zero or not is_float_dtype(new_dtype):
        return Zero(aval_of(out))
    return _convert_real(t, new_dtype)


convert_element_type_p.impl = _convert_impl
convert_element_type_p.abstract_eval = lambda x, *, new_dtype: ShapedArray(x.shape, new_dtype)
convert_element_type_p.jvp = _convert_jvp
# real -> complex: the cotangent's real part (Re(ct·t) = Re(ct)·t for a real t)
convert_element_type_p.transpose = lambda ct, x, *, new_dtype: [
    _convert_real(ct, x.aval.dtype)]
convert_element_type_p.batch = elementwise_batch(convert_element_type_p)
convert_element_type_p.cuda = "(({new_dtype}){0})"
# C's float-to-integer cast is undefined out of range (NumPy's is not): those stay unfused
convert_element_type_p.cuda_fuses = lambda in_avals, out, *, new_dtype: not (
    in_avals[0].dtype.kind == "f" and out.dtype.kind not in "fb")
