"""Reordering and padding: flip, fliplr, flipud, roll, rot90, pad, from the static shape
primitives (rev, slice, concatenate, pad), so they are linear.

>>> import ftrans.numpy as fnp, numpy as np
>>> fnp.roll(np.arange(4.0), 1)
array([3., 0., 1., 2.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..prims import slicing as sl
from ..prims.indexing import gather
from ._keywords import traced_only
from ._literals import PadMode
from ._manip import one_axis
from ._promote import any_tracer, is_tracer, normalize_axes, to_dtype
from ._promote import as_array as _as_array
from ._shape import ravel, reshape

# ----------------------------------------------------------------------------- reordering


def flip(m: Any, axis: Any = None) -> Any:
    """NumPy's ``flip``.

    Parameters
    ----------
    m : array_like
        The input.
    axis : int or tuple of int, optional
        The axes reversed (default all).

    Returns
    -------
    out : ndarray
        ``m`` with the order of the elements reversed along ``axis``; differentiable.

    Raises
    ------
    numpy.exceptions.AxisError
        If an axis is out of bounds.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.flip(np.array([1.0, 2.0]))
    array([2., 1.])
    """
    if not is_tracer(m):
        return np.flip(m, axis)
    return sl.rev(m, normalize_axes(axis, m.ndim, "flip"))


def fliplr(m: Any) -> Any:
    """NumPy's ``fliplr``.

    Parameters
    ----------
    m : array_like
        An array of at least two dimensions.

    Returns
    -------
    out : ndarray
        ``m`` with its columns (axis 1) reversed.

    Raises
    ------
    numpy.exceptions.AxisError
        If ``m`` has fewer than two dimensions.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fliplr(np.eye(2))[0]
    array([0., 1.])
    """
    return flip(m, 1)


def flipud(m: Any) -> Any:
    """NumPy's ``flipud``.

    Parameters
    ----------
    m : array_like
        An array of at least one dimension.

    Returns
    -------
    out : ndarray
        ``m`` with its rows (axis 0) reversed.

    Raises
    ------
    numpy.exceptions.AxisError
        If ``m`` is 0-d.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.flipud(np.eye(2))[0]
    array([0., 1.])
    """
    return flip(m, 0)


def roll(a: Any, shift: Any, axis: Any = None) -> Any:
    """NumPy's ``roll``.

    Parameters
    ----------
    a : array_like
        The input.
    shift : int or tuple of int
        The number of places the elements move (a constant, not a traced value).
    axis : int or tuple of int, optional
        The axes rolled; None (default) rolls the flattened array.

    Returns
    -------
    out : ndarray
        The rolled array; differentiable in ``a``.

    Raises
    ------
    NotImplementedError
        If ``shift`` is traced.
    numpy.exceptions.AxisError
        If an axis is out of bounds.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.roll(np.array([1.0, 2.0, 3.0]), 1)
    array([3., 1., 2.])
    """
    if not is_tracer(a):
        return np.roll(a, shift, axis)
    if is_tracer(shift):
        raise NotImplementedError("roll with a traced shift: pass the shift as a constant")
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    if type(shift) is int and type(axis) is int:  # fast path: one axis
        return sl.roll(a, (shift,), (one_axis(axis, a.ndim, "roll"),))
    shifts = np.broadcast_to(np.asarray(shift), np.broadcast_shapes(np.shape(shift),
                                                                    np.shape(axis)))
    axes = np.broadcast_to(np.asarray(axis), shifts.shape)
    total: dict[int, int] = {}
    for s, ax in zip(shifts.ravel(), axes.ravel()):
        ax = one_axis(int(ax), a.ndim, "roll")
        total[ax] = total.get(ax, 0) + int(s)
    return sl.roll(a, tuple(total.values()), tuple(total))


def rot90(m: Any, k: int = 1, axes: tuple[int, int] = (0, 1)) -> Any:
    """NumPy's ``rot90``.

    Parameters
    ----------
    m : array_like
        An array of at least two dimensions.
    k : int, optional
        The number of quarter turns, from the first axis towards the second (default 1).
    axes : (int, int), optional
        The plane of the rotation (default (0, 1)).

    Returns
    -------
    out : ndarray
        The rotated array; differentiable.

    Raises
    ------
    numpy.exceptions.AxisError
        If ``m`` has fewer than two dimensions (or an axis is out of bounds).

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.rot90(np.array([[1.0, 2.0], [3.0, 4.0]]))[0]
    array([2., 4.])
    """
    if not is_tracer(m):
        return np.rot90(m, k, axes)
    from ._shape import swapaxes
    k %= 4
    a0, a1 = axes
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    if k == 1:
        return swapaxes(flip(m, a1), a0, a1)
    return flip(swapaxes(m, a0, a1), a1)


# ----------------------------------------------------------------------------- pad


def _pad_widths(pad_width: Any, ndim: int) -> list[tuple[int, int]]:
    w = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (ndim, 2))
    if (w < 0).any():
        raise ValueError("index can't contain negative values")
    return [(int(lo), int(hi)) for lo, hi in w]


def pad(array: Any, pad_width: Any, mode: PadMode = "constant", **kwargs: Any) -> Any:
    """NumPy's ``pad`` with ``mode`` 'constant', 'edge', 'reflect', 'symmetric' or 'wrap'.

    Parameters
    ----------
    array : array_like
        The input.
    pad_width : int or sequence
        The widths ``((before, after), ...)`` per axis, broadcast as NumPy's.
    mode : str, optional
        'constant' (default), 'edge', 'reflect', 'symmetric' or 'wrap' on traced arrays
        (NumPy's other modes on plain ones).
    **kwargs
        ``constant_values`` (may be a traced scalar) for 'constant'; ``reflect_type``
        'even' only, for 'reflect' and 'symmetric'.

    Returns
    -------
    out : ndarray
        The padded array; differentiable in ``array`` (and a traced ``constant_values``).

    Raises
    ------
    NotImplementedError
        If ``mode`` is another of NumPy's modes, with a traced array.
    ValueError
        If a width is negative, a keyword does not belong to ``mode``, or an empty axis is
        padded with a mode other than 'constant'.
    TypeError
        If ``reflect_type`` is 'odd', with a traced array
        (``ftrans.errors.UnsupportedKeywordError``).

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.pad(np.array([1.0, 2.0]), 1, mode="edge")
    array([1., 1., 2., 2.])
    """
    if not any_tracer((array, kwargs.get("constant_values", 0))):
        return np.pad(array, pad_width, mode=mode, **kwargs)
    array = _as_array(array)
    widths = _pad_widths(pad_width, array.ndim)
    extra = set(kwargs) - {"constant": {"constant_values"}, "reflect": {"reflect_type"},
                           "symmetric": {"reflect_type"}}.get(mode, set())
    if extra and mode in ("constant", "edge", "reflect", "symmetric", "wrap"):  # as NumPy
        raise ValueError(f"unsupported keyword arguments for mode {mode!r}: {extra}")
    if kwargs.get("reflect_type", "even") != "even":
        raise traced_only("pad", "reflect_type")
    if mode == "constant":
        cval = kwargs.get("constant_values", 0)
        if is_tracer(cval):  # one traced scalar value
            return sl.pad(array, to_dtype(cval, array.dtype), [(lo, hi, 0) for lo, hi in widths])
        values = np.broadcast_to(np.asarray(cval, dtype=object), (array.ndim, 2))
        for ax, (lo, hi) in enumerate(widths):
            for side, w in ((0, lo), (1, hi)):
                if w:
                    cfg = [(0, 0, 0)] * array.ndim
                    cfg[ax] = (w, 0, 0) if side == 0 else (0, w, 0)
                    array = sl.pad(array, np.asarray(values[ax, side], array.dtype), cfg)
        return array
    if mode not in ("edge", "reflect", "symmetric", "wrap"):
        raise NotImplementedError(f"pad mode {mode!r} on traced arrays: use 'constant', "
                                  "'edge', 'reflect', 'symmetric' or 'wrap'")
    for ax, (lo, hi) in enumerate(widths):
        n = array.shape[ax]
        if not (lo or hi):
            continue
        if n == 0:
            raise ValueError(f"can't extend empty axis {ax} using modes other than "
                             "'constant' or 'empty'")
        idx = np.pad(np.arange(n), (lo, hi), mode=mode)  # NumPy's own index pattern
        array = gather(array, idx, ax)
    return array
