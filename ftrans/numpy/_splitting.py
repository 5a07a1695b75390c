"""Array manipulation: splitting (array_split, split, hsplit, vsplit, dsplit) into static
slices, and repeating (tile, repeat) by broadcasts and gathers — linear, so their derivatives
are the primitives'.

>>> import ftrans.numpy as fnp, numpy as np
>>> [p.shape for p in fnp.split(np.ones(4), 2)]
[(2,), (2,)]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..prims import shape as sh
from ..prims.indexing import gather
from ._manip import one_axis, slice_axis
from ._promote import is_tracer
from ._shape import ravel

# ----------------------------------------------------------------------------- splitting


def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    """NumPy's ``array_split``: sections may differ in length by one.

    Parameters
    ----------
    ary : array_like
        The array to split.
    indices_or_sections : int or sequence of int
        A number of sections (the first ``len % n`` one longer), or the indices to split at.
    axis : int, optional
        The axis to split along (default 0).

    Returns
    -------
    out : list of ndarray
        The pieces; differentiable (each is a slice).

    Raises
    ------
    ValueError
        If the number of sections is not positive.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> [p.shape for p in fnp.array_split(np.ones(5), 2)]
    [(3,), (2,)]
    """
    if not is_tracer(ary):
        return np.array_split(ary, indices_or_sections, axis)
    ax = one_axis(axis, ary.ndim, "array_split")
    n = ary.shape[ax]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0:
            raise ValueError("number sections must be larger than 0.")
        each, extra = divmod(n, k)
        sizes = [0] + extra * [each + 1] + (k - extra) * [each]
        bounds = list(np.cumsum(sizes))
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    out = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        lo = min(max(lo + n if lo < 0 else lo, 0), n)
        hi = min(max(hi + n if hi < 0 else hi, 0), n)
        out.append(slice_axis(ary, ax, lo, max(lo, hi)))
    return out


def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    """NumPy's ``split``: equal sections, or at the given indices.

    Parameters
    ----------
    ary : array_like
        The array to split.
    indices_or_sections : int or sequence of int
        A number of equal sections, or the (static) indices to split at.
    axis : int, optional
        The axis to split along (default 0).

    Returns
    -------
    out : list of ndarray
        The pieces; differentiable (each is a slice).

    Raises
    ------
    ValueError
        If an integer ``indices_or_sections`` does not divide the axis' length.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> [p.shape for p in fnp.split(np.ones(4), 2)]
    [(2,), (2,)]
    """
    if not is_tracer(ary):
        return np.split(ary, indices_or_sections, axis)
    if isinstance(indices_or_sections, (int, np.integer)):
        n = ary.shape[one_axis(axis, ary.ndim, "split")]
        if n % int(indices_or_sections):
            raise ValueError("array split does not result in an equal division")
    return array_split(ary, indices_or_sections, axis)


def _split_at(name: str, axis: int, min_dim: int):
    def fn(ary: Any, indices_or_sections: Any) -> list[Any]:
        if not is_tracer(ary):
            return getattr(np, name)(ary, indices_or_sections)
        if ary.ndim < min_dim:
            raise ValueError(f"{name} only works on arrays of {min_dim} or more dimensions")
        ax = 0 if (name == "hsplit" and ary.ndim == 1) else axis
        return split(ary, indices_or_sections, ax)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"NumPy's ``{name}``: ``split`` along axis {axis}"
                  f"{' (axis 0 for 1-D arrays)' if name == 'hsplit' else ''}.\n\n"
                  f"Parameters\n----------\nary : array_like\n    An array of at least "
                  f"{min_dim} dimension(s).\nindices_or_sections : int or sequence of int\n"
                  f"    A number of equal sections, or the indices to split at.\n\n"
                  f"Returns\n-------\nout : list of ndarray\n    The pieces.\n\n"
                  f"Raises\n------\nValueError\n    If ``ary`` has fewer than {min_dim} "
                  f"dimension(s), or the sections are not equal.\n\nExamples\n--------\n"
                  f">>> import ftrans.numpy as fnp, numpy as np\n"
                  f">>> len(fnp.{name}(np.ones((2, 2, 2)), 2))\n2\n")
    return fn


hsplit = _split_at("hsplit", 1, 1)
vsplit = _split_at("vsplit", 0, 2)
dsplit = _split_at("dsplit", 2, 3)

# ----------------------------------------------------------------------------- repeating


def tile(A: Any, reps: Any) -> Any:
    """NumPy's ``tile``.

    Parameters
    ----------
    A : array_like
        The array repeated.
    reps : int or sequence of int
        The number of repetitions along each axis (constants).

    Returns
    -------
    out : ndarray
        ``A`` tiled, with ``max(A.ndim, len(reps))`` dimensions; differentiable (its
        derivative sums the tiles).

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.tile(np.array([1.0, 2.0]), 2)
    array([1., 2., 1., 2.])
    """
    if not is_tracer(A):
        return np.tile(A, reps)
    reps = (int(reps),) if isinstance(reps, (int, np.integer)) else tuple(int(r) for r in reps)
    nd = max(len(reps), A.ndim)
    reps = (1,) * (nd - len(reps)) + reps
    a = sh.reshape(A, (1,) * (nd - A.ndim) + A.shape)
    s = a.shape
    big = tuple(x for r, n in zip(reps, s) for x in (r, n))
    b = sh.broadcast_in_dim(a, big, tuple(range(1, 2 * nd, 2)))
    return sh.reshape(b, tuple(r * n for r, n in zip(reps, s)))


def repeat(a: Any, repeats: Any, axis: int | None = None) -> Any:
    """NumPy's ``repeat`` (``repeats`` a constant).

    Parameters
    ----------
    a : array_like
        The input.
    repeats : int or sequence of int
        How many times each element repeats; must be a constant, not a traced value.
    axis : int or None, optional
        The axis to repeat along; None (default) flattens ``a`` first.

    Returns
    -------
    out : ndarray
        The repeated array; differentiable in ``a``.

    Raises
    ------
    NotImplementedError
        If ``repeats`` is traced (the output's shape would depend on values).
    ValueError
        If ``repeats`` is a sequence whose length differs from the axis' length.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.repeat(np.array([1.0, 2.0]), 2)
    array([1., 1., 2., 2.])
    """
    if not is_tracer(a):
        return np.repeat(a, repeats, axis)
    if is_tracer(repeats):
        raise NotImplementedError("repeat with traced repeats: the output shape would depend "
                                  "on the values; pass repeats as a constant")
    if axis is None:
        a, axis = ravel(a), 0
    ax = one_axis(axis, a.ndim, "repeat")
    n = a.shape[ax]
    reps = np.asarray(repeats)
    if reps.ndim == 0:
        r = int(reps)
        s = a.shape
        b = sh.broadcast_in_dim(a, s[:ax + 1] + (r,) + s[ax + 1:],
                                tuple(range(ax + 1)) + tuple(range(ax + 2, len(s) + 1)))
        return sh.reshape(b, s[:ax] + (n * r,) + s[ax + 1:])
    idx = np.repeat(np.arange(n), reps)  # NumPy checks the lengths
    return gather(a, idx, ax)
