"""N-d convolution: ``conv_general_dilated`` (JAX's ``lax.conv_general_dilated``).

The primitive works in one layout: ``lhs (N, C, *spatial)``, ``rhs (O, I, *window)``, output
``(N, O, *out)``; the wrapper transposes other ``dimension_numbers`` into it and back. Per
spatial axis, with the lhs dilated by ``ld`` (zeros between elements), padded by ``(lo, hi)``
(negative crops) and the window dilated by ``rd``::

    out[p] = sum_k lhs_padded[p * s + k * rd] * rhs[k]

``feature_group_count = G`` splits the input channels into G groups (``C = G * I``), each seen
by ``O / G`` outputs; ``batch_group_count = B`` splits the batch instead (``N = B * N'``,
output ``(N', O)``).

The impl is im2col: every window gathered at once (a strided view in NumPy, a ``take`` on
CuPy), laid out as columns ``(N, features * window, out)``, then one batched ``matmul`` with
the window ``(O, features * window)`` per group gives the output in its own layout. The
primitive is bilinear; both transposes are convolutions again, so derivatives of every order
follow:

- the lhs cotangent is the output cotangent dilated by ``s`` and correlated with the window
  flipped (channels swapped within each group), at stride ``ld``;
- the rhs cotangent correlates the lhs (batch and channels swapped) with the output
  cotangent as the window, at stride ``rd`` and window dilation ``s``; feature groups become
  batch groups and batch groups feature groups.

``vmap`` folds the batch axis into the lhs batch, the output channels, or (both batched) the
groups, so one convolution serves the whole batch.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np

from ..core import Primitive, Zero, aval_of, register
from ..ir import ShapedArray
from .families import is_undef, ndim_of, shape_of
from .shape import convert_element_type, moveaxis, reshape, transpose
from .slicing import rev
from .windowed import padtype_to_pads, window_positions

conv_p = register(Primitive("conv_general_dilated"))
conv_p.family = "conv"


def _out_size(n: int, k: int, s: int, lo: int, hi: int, ld: int, rd: int) -> int:
    dilated = (n - 1) * ld + 1 if n else 0
    extent = (k - 1) * rd + 1 if k else 0
    padded = lo + dilated + hi
    return max((padded - extent) // s + 1, 0) if padded >= extent else 0


def _conv_aval(lhs: ShapedArray, rhs: ShapedArray, *, window_strides: tuple, padding: tuple,
               lhs_dilation: tuple, rhs_dilation: tuple, feature_group_count: int,
               batch_group_count: int) -> ShapedArray:
    where = "conv_general_dilated"
    if lhs.ndim != rhs.ndim or lhs.ndim < 2:
        raise TypeError(f"{where}: lhs and rhs need the same rank (at least 2), got "
                        f"{lhs.str_short()} and {rhs.str_short()}")
    if lhs.dtype != rhs.dtype:
        raise TypeError(f"{where} requires arguments to have the same dtypes, got "
                        f"{lhs.dtype} and {rhs.dtype}")
    n, c = lhs.shape[:2]
    o, i = rhs.shape[:2]
    g, b = feature_group_count, batch_group_count
    if g > 1 and b > 1:
        raise ValueError(f"{where}: at most one of feature_group_count ({g}) and "
                         f"batch_group_count ({b}) may exceed 1")
    if c != i * g:
        raise ValueError(f"{where}: the lhs has {c} input features, but the rhs expects "
                         f"{i} per group times feature_group_count {g} = {i * g}")
    if o % g or o % b:
        raise ValueError(f"{where}: the rhs's {o} output features must be a multiple of "
                         f"feature_group_count {g} and batch_group_count {b}")
    if n % b:
        raise ValueError(f"{where}: the lhs batch size {n} must be a multiple of "
                         f"batch_group_count {b}")
    spatial = [_out_size(*args) for args in zip(lhs.shape[2:], rhs.shape[2:], window_strides,
                                                 [p[0] for p in padding],
                                                 [p[1] for p in padding], lhs_dilation,
                                                 rhs_dilation)]
    return ShapedArray((n // b, o, *spatial), lhs.dtype)


# ----------------------------------------------------------------------------- impl

def _dilate_pad(xp: Any, x: Any, padding: tuple, dilation: tuple) -> Any:
    """``x`` (N, C, *spatial) dilated with zeros and padded (negative padding crops)."""
    spatial = x.shape[2:]
    if all(d == 1 for d in dilation) and all(lo == 0 and hi == 0 for lo, hi in padding):
        return x
    dilated = [(n - 1) * d + 1 if n else 0 for n, d in zip(spatial, dilation)]
    grown = [max(lo, 0) + m + max(hi, 0) for m, (lo, hi) in zip(dilated, padding)]
    out = xp.zeros(x.shape[:2] + tuple(grown), x.dtype)
    out[(slice(None),) * 2 + tuple(slice(max(lo, 0), max(lo, 0) + m, d)
                                   for m, (lo, _), d in zip(dilated, padding, dilation))] = x
    crop = tuple(slice(max(-lo, 0), g - max(-hi, 0)) for g, (lo, hi) in zip(grown, padding))
    return out[(slice(None),) * 2 + crop]


def _windows(xp: Any, x: Any, window: tuple, strides: tuple, dilation: tuple) -> Any:
    """Every window of ``x`` (N, C, *spatial): an array (N, C, *out, *window)."""
    spatial = x.shape[2:]
    out = [max((n - (w - 1) * d - 1) // s + 1, 0) for n, w, s, d in zip(spatial, window,
                                                                         strides, dilation)]
    if xp is np:
        x = np.ascontiguousarray(x)
        st = x.strides
        return np.lib.stride_tricks.as_strided(
            x, x.shape[:2] + tuple(out) + tuple(window),
            st[:2] + tuple(a * s for a, s in zip(st[2:], strides))
            + tuple(a * d for a, d in zip(st[2:], dilation)), writeable=False)
    pos = window_positions(spatial, window, strides, dilation)
    flat = xp.reshape(x, x.shape[:2] + (-1,))
    return xp.take(flat, xp.asarray(pos), axis=2)


def _conv_impl(xp: Any, lhs: Any, rhs: Any, *, window_strides: tuple, padding: tuple,
               lhs_dilation: tuple, rhs_dilation: tuple, feature_group_count: int,
               batch_group_count: int) -> Any:
    out_aval = _conv_aval(aval_of(lhs), aval_of(rhs), window_strides=window_strides,
                          padding=padding, lhs_dilation=lhs_dilation, rhs_dilation=rhs_dilation,
                          feature_group_count=feature_group_count,
                          batch_group_count=batch_group_count)
    if out_aval.size == 0 or lhs.size == 0 or rhs.size == 0:
        return xp.zeros(out_aval.shape, out_aval.dtype)
    rank = lhs.ndim - 2
    window = rhs.shape[2:]
    x = _dilate_pad(xp, lhs, padding, lhs_dilation)
    w = _windows(xp, x, window, window_strides, rhs_dilation)  # (N, C, *out, *window)
    n, c = lhs.shape[:2]
    o, i = rhs.shape[:2]
    out_sp = out_aval.shape[2:]
    n_out, k_win = int(np.prod(out_sp, dtype=np.int64)), int(np.prod(window, dtype=np.int64))
    # columns (..., features * window, out): the spatial axes stay last (a cheap copy) and
    # one matmul per group gives (..., O, out) in the output's own layout
    order = (0, 1) + tuple(range(2 + rank, 2 + 2 * rank)) + tuple(range(2, 2 + rank))
    cols = xp.transpose(w, order)  # (N, C, *win, *out)
    if batch_group_count > 1:
        b = batch_group_count
        cols = xp.reshape(cols, (b, n // b, c * k_win, n_out))
        kern = xp.reshape(rhs, (b, 1, o // b, c * k_win))
        y = xp.matmul(kern, cols)  # (B, N', O', out)
        y = xp.transpose(y, (1, 0, 2, 3))
        return xp.reshape(y, (n // b, o) + out_sp)
    g = feature_group_count
    cols = xp.reshape(cols, (n, g, i * k_win, n_out))
    kern = xp.reshape(rhs, (g, o // g, i * k_win))
    y = xp.matmul(kern, cols)  # (N, G, O / G, out)
    return xp.reshape(y, (n, o) + out_sp)


# ----------------------------------------------------------------------------- rules

def conv(lhs: Any, rhs: Any, *, window_strides: Sequence[int], padding: Sequence[tuple],
         lhs_dilation: Sequence[int], rhs_dilation: Sequence[int], feature_group_count: int = 1,
         batch_group_count: int = 1) -> Any:
    """The primitive in its layout: lhs (N, C, ...), rhs (O, I, ...), out (N, O, ...)."""
    return conv_p.bind(lhs, rhs, window_strides=tuple(int(s) for s in window_strides),
                       padding=tuple((int(lo), int(hi)) for lo, hi in padding),
                       lhs_dilation=tuple(int(d) for d in lhs_dilation),
                       rhs_dilation=tuple(int(d) for d in rhs_dilation),
                       feature_group_count=int(feature_group_count),
                       batch_group_count=int(batch_group_count))


def _conv_jvp(primals: Any, out: Any, tangents: Any, **params: Any) -> Any:
    (lhs, rhs), (tl, tr) = primals, tangents
    total = None
    if type(tl) is not Zero:
        total = conv_p.bind(tl, rhs, **params)
    if type(tr) is not Zero:
        part = conv_p.bind(lhs, tr, **params)
        total = part if total is None else total + part
    return Zero(aval_of(out)) if total is None else total


def _flip(x: Any) -> Any:
    return rev(x, tuple(range(2, ndim_of(x))))


def _transpose_lhs(ct: Any, rhs: Any, lhs_aval: ShapedArray, *, window_strides: tuple,
                   padding: tuple, lhs_dilation: tuple, rhs_dilation: tuple,
                   feature_group_count: int, batch_group_count: int) -> Any:
    o, i, *window = shape_of(rhs)
    n, c, *spatial = lhs_aval.shape
    out_sp = shape_of(ct)[2:]
    if 0 in out_sp or 0 in spatial or 0 in window:
        return np.zeros(lhs_aval.shape, lhs_aval.dtype)
    pads = []
    for n_in, k, s, (lo, _), ld, rd, m in zip(spatial, window, window_strides, padding,
                                             lhs_dilation, rhs_dilation, out_sp):
        extent = (k - 1) * rd + 1
        pads.append((extent - 1 - lo, (n_in - 1) * ld + lo - (m - 1) * s))
    if batch_group_count > 1:
        b = batch_group_count
        kern = reshape(transpose(reshape(rhs, (b, o // b, i, *window)),
                                 (0, 2, 1) + tuple(range(3, 3 + len(window)))),
                       (b * i, o // b, *window))
        y = conv(ct, _flip(kern), window_strides=lhs_dilation, padding=pads,
                 lhs_dilation=window_strides, rhs_dilation=rhs_dilation, feature_group_count=b)
        y = reshape(y, (n // b, b, c, *spatial))
        return reshape(moveaxis(y, 1, 0), (n, c, *spatial))
    g = feature_group_count
    kern = reshape(transpose(reshape(rhs, (g, o // g, i, *window)),
                             (0, 2, 1) + tuple(range(3, 3 + len(window)))),
                   (g * i, o // g, *window))
    return conv(ct, _flip(kern), window_strides=lhs_dilation, padding=pads,
                lhs_dilation=window_strides, rhs_dilation=rhs_dilation, feature_group_count=g)


def _transpose_rhs(ct: Any, lhs: Any, rhs_aval: ShapedArray, *, window_strides: tuple,
                   padding: tuple, lhs_dilation: tuple, rhs_dilation: tuple,
                   feature_group_count: int, batch_group_count: int) -> Any:
    o, i, *window = rhs_aval.shape
    spatial = shape_of(lhs)[2:]
    out_sp = shape_of(ct)[2:]
    if 0 in out_sp or 0 in spatial or 0 in window:
        return np.zeros(rhs_aval.shape, rhs_aval.dtype)
    pads = []
    for n_in, k, s, (lo, _), ld, rd, m in zip(spatial, window, window_strides, padding,
                                             lhs_dilation, rhs_dilation, out_sp):
        dilated = (n_in - 1) * ld + 1
        pads.append((lo, (k - 1) * rd + (m - 1) * s + 1 - lo - dilated))
    swap = (1, 0) + tuple(range(2, 2 + len(window)))
    y = conv(transpose(lhs, swap), transpose(ct, swap), window_strides=rhs_dilation,
             padding=pads, lhs_dilation=lhs_dilation, rhs_dilation=window_strides,
             feature_group_count=batch_group_count, batch_group_count=feature_group_count)
    return transpose(y, swap)


def _conv_transpose(ct: Any, lhs: Any, rhs: Any, **params: Any) -> list[Any]:
    if type(ct) is Zero:
        return [None, None]
    if is_undef(lhs) and is_undef(rhs):
        raise TypeError("conv_general_dilated is bilinear: transpose it in one argument at a "
                        "time")
    if is_undef(lhs):
        return [_transpose_lhs(ct, rhs, lhs.aval, **params), None]
    return [None, _transpose_rhs(ct, lhs, rhs.aval, **params)]


def _conv_batch(args: Sequence[Any], dims: Sequence[Any], **params: Any) -> tuple[Any, int]:
    (lhs, rhs), (dl, dr) = args, dims
    g, b = params["feature_group_count"], params["batch_group_count"]
    if dr is None:  # the batch joins the lhs batch (inside each batch group)
        lhs = moveaxis(lhs, dl, 0)
        bv, n, *rest = shape_of(lhs)
        lhs = reshape(lhs, (bv, b, n // b, *rest))
        lhs = reshape(moveaxis(lhs, 0, 1), (b * bv * (n // b), *rest))
        y = conv_p.bind(lhs, rhs, **params)
        return reshape(y, (bv, n // b) + shape_of(y)[1:]), 0
    rhs = moveaxis(rhs, dr, 0)
    bv, o, *rest = shape_of(rhs)
    if dl is None:  # the batch joins the output features (inside each group)
        groups = g * b
        rhs = reshape(rhs, (bv, groups, o // groups, *rest))
        rhs = reshape(moveaxis(rhs, 0, 1), (groups * bv * (o // groups), *rest))
        y = conv_p.bind(lhs, rhs, **params)
        n2, _, *out_sp = shape_of(y)
        y = reshape(y, (n2, groups, bv, o // groups, *out_sp))
        y = moveaxis(y, 2, 0)
        return reshape(y, (bv, n2, o, *out_sp)), 0
    lhs = moveaxis(lhs, dl, 0)
    _, n, c, *sp = shape_of(lhs)
    new = dict(params)
    if b == 1:  # the batch multiplies the feature groups
        lhs = reshape(moveaxis(lhs, 0, 1), (n, bv * c, *sp))
        new["feature_group_count"] = g * bv
    else:  # ... or the batch groups
        lhs = reshape(lhs, (bv * n, c, *sp))
        new["batch_group_count"] = b * bv
    y = conv_p.bind(lhs, reshape(rhs, (bv * o, *rest)), **new)
    n2, _, *out_sp = shape_of(y)
    return reshape(y, (n2, bv, o, *out_sp)), 1


def _conv_cost(in_avals: Sequence[ShapedArray], out_avals: Sequence[ShapedArray], /,
               **params: Any) -> int:
    rhs = in_avals[1]
    per_output = int(np.prod(rhs.shape[1:], dtype=np.int64))  # I * window
    return 2 * out_avals[0].size * per_output


conv_p.impl = _conv_impl
conv_p.abstract_eval = _conv_aval
conv_p.jvp = _conv_jvp
conv_p.transpose = _conv_transpose
conv_p.batch = _conv_batch
conv_p.cost = _conv_cost


# ----------------------------------------------------------------------------- the lax function

class ConvDimensionNumbers(NamedTuple):
    """Where the batch/feature and spatial axes are, as axis positions (JAX's
    ``ConvDimensionNumbers``): for lhs and output ``(N, C, *spatial)``, for rhs
    ``(O, I, *spatial)``.

    Parameters
    ----------
    lhs_spec, rhs_spec, out_spec : tuple of int

    Examples
    --------
    >>> import ftrans.lax as lax
    >>> lax.ConvDimensionNumbers((0, 1, 2), (0, 1, 2), (0, 1, 2)).lhs_spec
    (0, 1, 2)
    """
    lhs_spec: tuple
    rhs_spec: tuple
    out_spec: tuple


def conv_general_permutations(dimension_numbers: Sequence[str]
                              ) -> tuple[tuple, tuple, tuple]:
    """Axis permutations into the (N, C, ...), (O, I, ...), (N, C, ...) layout for specs
    like ``('NHWC', 'HWIO', 'NHWC')``; spatial axes in the order the rhs spec lists them.

    >>> conv_general_permutations(("NHWC", "HWIO", "NHWC"))
    ((0, 3, 1, 2), (3, 2, 0, 1), (0, 3, 1, 2))
    """
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    pairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for k, (spec, (a, b)) in enumerate(zip(dimension_numbers, pairs)):
        if spec.count(a) != 1 or spec.count(b) != 1:
            raise TypeError(f"convolution dimension_numbers[{k}] must contain the characters "
                            f"'{a}' and '{b}' exactly once, got {spec}")
        if len(set(spec)) != len(spec):
            raise TypeError(f"convolution dimension_numbers[{k}] cannot have duplicate "
                            f"characters, got {spec}")
    if not (set(lhs_spec) - {"N", "C"} == set(rhs_spec) - {"O", "I"}
            == set(out_spec) - {"N", "C"}):
        raise TypeError(f"convolution dimension_numbers elements must each have the same set "
                        f"of spatial characters, got {tuple(dimension_numbers)}")

    def perm(spec: str, pair: tuple[str, str]) -> tuple:
        spatial = [i for i, ch in enumerate(spec) if ch not in pair]
        if spec is not rhs_spec:
            spatial.sort(key=lambda i: rhs_spec.index(spec[i]))
        return (spec.index(pair[0]), spec.index(pair[1])) + tuple(spatial)

    return perm(lhs_spec, pairs[0]), perm(rhs_spec, pairs[1]), perm(out_spec, pairs[2])


def conv_dimension_numbers(lhs_shape: Sequence[int], rhs_shape: Sequence[int],
                           dimension_numbers: Any) -> ConvDimensionNumbers:
    """``dimension_numbers`` (None, three layout strings, or a ``ConvDimensionNumbers``) as axis
    permutations.

    Parameters
    ----------
    lhs_shape, rhs_shape : sequence of int
    dimension_numbers : None, (str, str, str) or ConvDimensionNumbers
        None: ``('NCHW', 'OIHW', 'NCHW')``-like defaults.

    Returns
    -------
    ConvDimensionNumbers

    Raises
    ------
    TypeError
        If a layout string does not fit the shapes' ranks.

    Examples
    --------
    >>> import ftrans.lax as lax
    >>> lax.conv_dimension_numbers((1, 4, 4, 3), (3, 3, 3, 8), ("NHWC", "HWIO", "NHWC"))
    ConvDimensionNumbers(lhs_spec=(0, 3, 1, 2), rhs_spec=(3, 2, 0, 1), out_spec=(0, 3, 1, 2))
    """
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return dimension_numbers
    if len(lhs_shape) != len(rhs_shape):
        raise TypeError(f"convolution requires lhs and rhs ndim to be equal, got "
                        f"{len(lhs_shape)} and {len(rhs_shape)}")
    if dimension_numbers is None:
        iota = tuple(range(len(lhs_shape)))
        return ConvDimensionNumbers(iota, iota, iota)
    if not isinstance(dimension_numbers, (list, tuple)) or len(dimension_numbers) != 3 \
            or not all(isinstance(s, str) for s in dimension_numbers):
        raise TypeError(f"convolution dimension_numbers must be None, three strings like "
                        f"('NCHW', 'OIHW', 'NCHW') or a ConvDimensionNumbers, got "
                        f"{dimension_numbers!r}")
    for k, spec in enumerate(dimension_numbers):
        if len(spec) != len(lhs_shape):
            raise TypeError(f"convolution dimension_numbers[{k}] must have len equal to the "
                            f"ndim of lhs and rhs, got {len(spec)} for lhs and rhs shapes "
                            f"{tuple(lhs_shape)} and {tuple(rhs_shape)}")
    return ConvDimensionNumbers(*conv_general_permutations(dimension_numbers))


def _positive(values: Sequence[int] | None, n: int, name: str) -> tuple[int, ...]:
    if values is None:
        return (1,) * n
    out = tuple(int(v) for v in values)
    if len(out) != n or any(v < 1 for v in out):
        raise ValueError(f"conv_general_dilated: {name} needs {n} positive integers (one per "
                         f"spatial axis), got {tuple(values)}")
    return out


def conv_general_dilated(lhs: Any, rhs: Any, window_strides: Sequence[int], padding: Any,
                         lhs_dilation: Sequence[int] | None = None,
                         rhs_dilation: Sequence[int] | None = None,
                         dimension_numbers: Any = None, feature_group_count: int = 1,
                         batch_group_count: int = 1, precision: Any = None,
                         preferred_element_type: Any = None) -> Any:
    """JAX's general convolution (cross-correlation, as in deep learning).

    Differentiable in both arguments to any order; ``precision`` is accepted and ignored
    (NumPy's matmul is used).

    Parameters
    ----------
    lhs : ArrayLike
        The input.
    rhs : ArrayLike
        The kernel.
    window_strides : sequence of int
    padding : str or sequence of (int, int)
        ``'SAME'``, ``'SAME_LOWER'``, ``'VALID'`` or ``(low, high)`` pairs.
    lhs_dilation : sequence of int or None, default None
        Transposed-convolution dilation of the input.
    rhs_dilation : sequence of int or None, default None
        Atrous dilation of the kernel.
    dimension_numbers : None, (str, str, str) or ConvDimensionNumbers, default None
        The layouts; default ``('NCHW', 'OIHW', 'NCHW')``.
    feature_group_count, batch_group_count : int, default 1
        Grouped convolutions.
    precision, preferred_element_type : optional
        As JAX's.

    Returns
    -------
    Array

    Raises
    ------
    ValueError
        If the feature counts do not match the groups, or the shapes do not fit.
    TypeError
        If ``dimension_numbers`` does not fit the ranks.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> x = np.arange(5.0).reshape(1, 1, 5)
    >>> lax.conv_general_dilated(x, np.array([[[1.0, 0.0, -1.0]]]), (1,), "VALID")
    array([[[-2., -2., -2.]]])
    """
    dnums = conv_dimension_numbers(shape_of(lhs), shape_of(rhs), dimension_numbers)
    lhs_perm, rhs_perm, out_perm = dnums
    rank = ndim_of(lhs) - 2
    if rank < 0:
        raise TypeError(f"conv_general_dilated: lhs needs a batch and a feature axis, got "
                        f"shape {shape_of(lhs)}")
    strides = _positive(window_strides, rank, "window_strides")
    ld = _positive(lhs_dilation, rank, "lhs_dilation")
    rd = _positive(rhs_dilation, rank, "rhs_dilation")
    for name, v in (("feature_group_count", feature_group_count),
                    ("batch_group_count", batch_group_count)):
        if int(v) < 1:
            raise ValueError(f"conv_general_dilated: {name} must be a positive integer, "
                             f"got {v}")
    lhs_c = transpose(lhs, lhs_perm) if tuple(lhs_perm) != tuple(range(rank + 2)) else lhs
    rhs_c = transpose(rhs, rhs_perm) if tuple(rhs_perm) != tuple(range(rank + 2)) else rhs
    if isinstance(padding, str):
        if any(d != 1 for d in ld):
            raise ValueError("String padding is not implemented for transposed convolution "
                             "using this op. Please either exactly specify the required "
                             "padding or use conv_transpose.")
        window = [(k - 1) * d + 1 for k, d in zip(shape_of(rhs_c)[2:], rd)]
        pads = padtype_to_pads(shape_of(lhs_c)[2:], window, strides, padding)
    else:
        try:
            pads = [(int(lo), int(hi)) for lo, hi in padding]
        except (TypeError, ValueError):
            raise ValueError(f"padding argument to conv_general_dilated should be a string or "
                             f"a sequence of (low, high) pairs, got {padding!r}") from None
        if len(pads) != rank:
            raise ValueError(f"conv_general_dilated: padding needs {rank} (low, high) pairs, "
                             f"got {len(pads)}")
    if preferred_element_type is not None:
        dt = np.dtype(preferred_element_type)
        lhs_c, rhs_c = convert_element_type(lhs_c, dt), convert_element_type(rhs_c, dt)
    out = conv(lhs_c, rhs_c, window_strides=strides, padding=pads, lhs_dilation=ld,
               rhs_dilation=rd, feature_group_count=feature_group_count,
               batch_group_count=batch_group_count)
    back = tuple(int(a) for a in np.argsort(out_perm))
    return transpose(out, back) if back != tuple(range(rank + 2)) else out
