"""``ftrans.scipy.signal``: SciPy's convolutions, differentiable in both inputs.

``convolve``, ``correlate`` (n-dimensional; ``method`` = ``auto``, ``direct`` or ``fft``),
``fftconvolve`` (with ``axes``), ``convolve2d`` and ``correlate2d`` (``boundary`` = ``fill``
with ``fillvalue``, ``wrap`` or ``symm``), with SciPy's modes (``full``, ``same``, ``valid``),
dtypes and errors. On plain NumPy arrays they call SciPy when it is installed; on traced
arrays (and without SciPy, or on CuPy arrays) they are compositions of primitives, so every
transform applies and both inputs are differentiable:

- **direct**: the windows of the (zero-, wrap- or mirror-extended) first input that the
  output needs are gathered by constant indices, one gather per convolved axis, and
  contracted with the kernel (``tensordot``): linear in each input, with scatter-add as the
  gather's transpose. Exact for integers.
- **fft**: ``irfftn(rfftn(a) * rfftn(v))`` (``ifftn``/``fftn`` for complex inputs) at a fast
  length (5-smooth) no smaller than the full output, then the mode's slice
  (``ftrans.numpy.fft``).

``method="auto"`` takes ``direct`` for integer inputs and for small floating ones (at most
4096 window elements), ``fft`` for larger floating ones: under ``jit(grad)`` the transforms
were faster from there on (a 64×64 image and a 3×3 kernel: 0.26 ms against 0.68 ms; 9×9:
0.24 against 14 ms). The two differ in rounding only.

>>> import ftrans, numpy as np
>>> import ftrans.scipy.signal as fss
>>> fss.convolve(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]))
array([0. , 1. , 2.5, 4. , 1.5])
>>> ftrans.grad(lambda v: fss.convolve(np.array([1.0, 2.0, 3.0]), v, "valid")[0])(np.ones(3))
array([3., 2., 1.])
"""

from __future__ import annotations

import math
import operator
from typing import Any, Sequence

import numpy as np

from ..core import Tracer, same_device
from ..numpy import _complex as cx
from ..numpy import fft as nfft
from ..numpy._products import tensordot
from ..numpy._promote import as_array, dtype_of, result_dtype, shape_of, to_dtype
from ..numpy._reorder import pad
from ..prims.indexing import gather
from ..prims.slicing import rev, slice_

__all__ = ["convolve", "correlate", "fftconvolve", "convolve2d", "correlate2d"]

_MODES = ("full", "same", "valid")
_BOUNDARIES = {"fill": "fill", "pad": "fill", "wrap": "wrap", "circular": "wrap",
               "symm": "symm", "symmetric": "symm"}
_DIRECT_LIMIT = 4096  # window elements up to which "auto" convolves floating inputs directly


# ----------------------------------------------------------------------------- dispatch

def _scipy_signal() -> Any:
    try:
        import scipy.signal
    except ImportError:  # SciPy is optional
        return None
    return scipy.signal


def _plain(*args: Any) -> Any:
    """SciPy's ``signal`` module when every argument is a plain host value, else None."""
    from ..device import is_gpu_array
    if any(isinstance(a, Tracer) or is_gpu_array(a) for a in args):
        return None
    return _scipy_signal()


def _mode(mode: Any, what: str) -> str:
    if not isinstance(mode, str) or mode not in _MODES:
        raise ValueError(f"{what}: acceptable mode flags are 'valid', 'same', or 'full', not "
                         f"mode={mode!r}")
    return mode


def _swap_needed(mode: str, s1: Sequence[int], s2: Sequence[int], axes: Sequence[int]) -> bool:
    """SciPy's rule: in ``valid`` mode one input must be at least as large as the other along
    every convolved axis; the larger one goes first (convolution commutes)."""
    if mode != "valid" or not s1:
        return False
    ok1 = all(s1[i] >= s2[i] for i in axes)
    ok2 = all(s2[i] >= s1[i] for i in axes)
    if not (ok1 or ok2):
        raise ValueError("For 'valid' mode, one must be at least as large as the other in "
                         f"every dimension (got shapes {tuple(s1)} and {tuple(s2)})")
    return not ok1


def _same_ndim(in1: Any, in2: Any, what: str) -> None:
    if len(shape_of(in1)) != len(shape_of(in2)):
        raise ValueError(f"{what}: in1 and in2 should have the same dimensionality, got "
                         f"shapes {shape_of(in1)} and {shape_of(in2)}")


def _reverse(x: Any) -> Any:
    nd = len(shape_of(x))
    if not nd:
        return x
    return rev(x, tuple(range(nd))) if isinstance(x, Tracer) else x[(slice(None, None, -1),) * nd]


def _reverse_and_conj(x: Any) -> Any:
    return cx.conj(_reverse(x))


def _span(mode: str, n1: int, n2: int, centre: int) -> tuple[int, int]:
    """Where a mode's output starts in the full one, and its length (``centre``: the start
    of ``same``)."""
    if mode == "full":
        return 0, n1 + n2 - 1
    if mode == "same":
        return centre, n1
    return n2 - 1, n1 - n2 + 1


# ----------------------------------------------------------------------------- direct

def _windows_dot(a: Any, w: Any, spans: Sequence[tuple[int, int]], boundary: str = "fill",
                 fillvalue: Any = 0) -> Any:
    """``out[q] = Σ_j ext(a)[start + q + j - (n2 - 1)] · w[j]`` over every axis, for
    ``q < length``, with ``(start, length)`` from ``spans`` and ``ext`` the boundary rule's
    extension of ``a`` (``fill``: ``fillvalue``; ``wrap``; ``symm``: mirrored, edge
    repeated). A convolution takes ``w`` reversed, a correlation conjugated."""
    s1, s2 = shape_of(a), shape_of(w)
    widths = []
    for n1, n2, (start, length) in zip(s1, s2, spans):
        off = n2 - 1
        widths.append((max(0, off - start), max(0, start + length - n1)))
    if any(lo or hi for lo, hi in widths):
        if boundary == "fill":
            a = pad(a, widths, mode="constant", constant_values=fillvalue)
        else:
            a = pad(a, widths, mode="wrap" if boundary == "wrap" else "symmetric")
    for axis, (n2, (start, length), (lo, _)) in enumerate(zip(s2, spans, widths)):
        first = start - (n2 - 1) + lo
        idx = (first + np.arange(length)[:, None] + np.arange(n2)[None, :]).astype(np.intp)
        a = gather(a, same_device(idx, a), 2 * axis)  # axis -> (output, window)
    nd = len(s1)
    return tensordot(a, w, axes=(list(range(1, 2 * nd, 2)), list(range(nd))))


def _window_size(s1: Sequence[int], s2: Sequence[int], mode: str) -> int:
    """Elements the direct method gathers (and its multiply-adds)."""
    spans = [_span(mode, n1, n2, (n2 - 1) // 2) for n1, n2 in zip(s1, s2)]
    return math.prod(length for _, length in spans) * math.prod(s2)


def _choose_method(in1: Any, in2: Any, mode: str) -> str:
    dt = result_dtype(in1, in2)
    if dt.kind not in "fc":
        return "direct"
    return "fft" if _window_size(shape_of(in1), shape_of(in2), mode) > _DIRECT_LIMIT \
        else "direct"


# ----------------------------------------------------------------------------- fft

def _fast_len(n: int) -> int:
    """The smallest 5-smooth number (2^a 3^b 5^c) at least ``n``: a fast FFT length.

    >>> _fast_len(7), _fast_len(11), _fast_len(1)
    (8, 12, 1)
    """
    best, p5 = 2 * n, 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p = p35
            while p < n:
                p *= 2
            best = min(best, p)
            p35 *= 3
        p5 *= 5
    return max(best, 1) if n > 1 else 1


def _freq_conv(in1: Any, in2: Any, axes: list[int], shape: list[int]) -> Any:
    """The full convolution over ``axes`` (broadcast along the others) by transforms."""
    from ..numpy._elementwise import multiply
    if not axes:
        return multiply(in1, in2)
    complex_result = dtype_of(in1).kind == "c" or dtype_of(in2).kind == "c"
    in1, in2 = (to_dtype(x, np.dtype(np.float64)) if dtype_of(x).kind in "biu" else x
                for x in (in1, in2))
    fshape = [_fast_len(shape[a]) for a in axes]
    if complex_result:
        ret = nfft.ifftn(multiply(nfft.fftn(in1, fshape, axes), nfft.fftn(in2, fshape, axes)),
                         fshape, axes)
    else:
        ret = nfft.irfftn(multiply(nfft.rfftn(in1, fshape, axes),
                                   nfft.rfftn(in2, fshape, axes)), fshape, axes)
    return _cut(ret, [(0, n) for n in shape])


def _cut(x: Any, ranges: Sequence[tuple[int, int]]) -> Any:
    if all(lo == 0 and hi == n for (lo, hi), n in zip(ranges, shape_of(x))):
        return x
    if isinstance(x, Tracer):
        return slice_(x, [lo for lo, _ in ranges], [hi for _, hi in ranges])
    return x[tuple(slice(lo, hi) for lo, hi in ranges)]


def _centered(x: Any, newshape: Sequence[int]) -> Any:
    """SciPy's ``_centered``: the centre ``newshape`` part of ``x``."""
    starts = [(n - m) // 2 for n, m in zip(shape_of(x), newshape)]
    return _cut(x, [(s, s + m) for s, m in zip(starts, newshape)])


def _fftconvolve(in1: Any, in2: Any, mode: str, axes: Any) -> Any:
    s1, s2 = shape_of(in1), shape_of(in2)
    nd = len(s1)
    if axes is None:
        axes = list(range(nd))
    else:
        axes = [axes] if isinstance(axes, (int, np.integer)) else list(axes)
        if not axes:
            raise ValueError("fftconvolve: when provided, axes cannot be empty")
        normal = []
        for ax in axes:
            ax = operator.index(ax)
            if not -nd <= ax < nd:
                raise np.exceptions.AxisError(f"fftconvolve: axis {ax} is out of bounds for "
                                              f"array of dimension {nd}")
            normal.append(ax % nd)
        if len(set(normal)) != len(normal):
            raise ValueError("fftconvolve: all axes must be unique")
        axes = normal
    axes = [a for a in axes if s1[a] != 1 and s2[a] != 1]  # length 1: broadcast
    if not all(s1[a] == s2[a] or s1[a] == 1 or s2[a] == 1 for a in range(nd) if a not in axes):
        raise ValueError(f"fftconvolve: incompatible shapes for in1 and in2: {s1} and {s2}")
    if _swap_needed(mode, s1, s2, axes):
        in1, in2, s1, s2 = in2, in1, s2, s1
    shape = [s1[i] + s2[i] - 1 if i in axes else max(s1[i], s2[i]) for i in range(nd)]
    ret = _freq_conv(in1, in2, axes, shape)
    if mode == "full":
        return ret
    if mode == "same":
        return _centered(ret, s1)
    return _centered(ret, [s1[a] - s2[a] + 1 if a in axes else shape_of(ret)[a]
                           for a in range(nd)])


# ----------------------------------------------------------------------------- API

def fftconvolve(in1: Any, in2: Any, mode: str = "full", axes: Any = None) -> Any:
    """SciPy's ``fftconvolve``: the n-dimensional convolution by FFTs, over ``axes`` (all by
    default; along the others the inputs broadcast), modes ``full``, ``same``, ``valid``.

    Parameters
    ----------
    in1 : array_like
        The first input.
    in2 : array_like
        The second input, of the same rank.
    mode : {'full', 'valid', 'same'}, optional
        The output's extent (default ``'full'``; ``'same'``: centred, the size of ``in1``).
    axes : int or sequence of int, optional
        The axes convolved (default all; along the others the inputs broadcast).

    Returns
    -------
    out : ndarray
        The convolution, in the inputs' common dtype (traced under a transformation).

    Raises
    ------
    ValueError
        If ``mode`` is not one of the three, the ranks differ, or in ``'valid'`` mode neither
        input is at least as large as the other along every axis.

    Examples
    --------
    >>> import ftrans.scipy.signal as fss, numpy as np
    >>> np.round(fss.fftconvolve(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0])), 12)
    array([1., 3., 5., 3.])
    """
    sig = _plain(in1, in2)
    if sig is not None:
        return sig.fftconvolve(in1, in2, mode=mode, axes=axes)
    in1, in2 = as_array(in1), as_array(in2)
    if not shape_of(in1) and not shape_of(in2):
        return in1 * in2
    _same_ndim(in1, in2, "fftconvolve")
    mode = _mode(mode, "fftconvolve")
    if not math.prod(shape_of(in1)) or not math.prod(shape_of(in2)):
        return np.array([])
    return _fftconvolve(in1, in2, mode, axes)


def convolve(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """SciPy's ``convolve`` of two n-dimensional arrays (of equal rank): ``full`` (default),
    ``same`` (centred, the size of ``in1``) or ``valid``; ``method`` ``auto``, ``direct`` or
    ``fft``. Integer inputs give exact integer results.

    Parameters
    ----------
    in1 : array_like
        The first input.
    in2 : array_like
        The second input, of the same rank.
    mode : {'full', 'valid', 'same'}, optional
        The output's extent (default ``'full'``; ``'same'``: centred, the size of ``in1``).
    method : {'auto', 'direct', 'fft'}, optional
        How it is computed (default ``'auto'``: by size).

    Returns
    -------
    out : ndarray
        The convolution, in the inputs' common dtype (traced under a transformation).

    Raises
    ------
    ValueError
        If ``mode`` is not one of the three, the ranks differ, or in ``'valid'`` mode neither
        input is at least as large as the other along every axis.

    Examples
    --------
    >>> import ftrans.scipy.signal as fss, numpy as np
    >>> fss.convolve(np.eye(2), np.ones((2, 2)), "same")
    array([[1., 1.],
           [1., 2.]])
    """
    sig = _plain(in1, in2)
    if sig is not None:
        return sig.convolve(in1, in2, mode=mode, method=method)
    in1, in2 = as_array(in1), as_array(in2)
    if not shape_of(in1) and not shape_of(in2):
        return in1 * in2
    _same_ndim(in1, in2, "convolve")
    mode = _mode(mode, "convolve")
    if method not in ("auto", "direct", "fft"):
        raise ValueError(f"convolve: acceptable method flags are 'auto', 'direct', or 'fft', "
                         f"not method={method!r}")
    s1, s2 = shape_of(in1), shape_of(in2)
    if _swap_needed(mode, s1, s2, range(len(s1))):
        in1, in2, s1, s2 = in2, in1, s2, s1
    if not math.prod(s1) or not math.prod(s2):
        raise ValueError(f"convolve: in1 and in2 cannot be empty (got shapes {s1} and {s2})")
    if method == "auto":
        method = _choose_method(in1, in2, mode)
    dt = result_dtype(in1, in2)
    if method == "fft":
        out = _fftconvolve(in1, in2, mode, None)
        if dt.kind in "biu":
            from ..numpy._ufuncs import round as round_
            out = round_(out)
        return to_dtype(out, dt)
    in1, in2 = to_dtype(in1, dt), to_dtype(in2, dt)
    spans = [_span(mode, n1, n2, (n2 - 1) // 2) for n1, n2 in zip(s1, s2)]
    return _windows_dot(in1, _reverse(in2), spans)


def correlate(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """SciPy's ``correlate``: ``z[k] = Σ_l in1[l + k - K] conj(in2[l])`` (``K`` centring the
    mode), i.e. ``convolve(in1, conj(in2[::-1, ...]))``.

    Parameters
    ----------
    in1 : array_like
        The first input.
    in2 : array_like
        The second input, of the same rank.
    mode : {'full', 'valid', 'same'}, optional
        The output's extent (default ``'full'``; ``'same'``: centred, the size of ``in1``).
    method : {'auto', 'direct', 'fft'}, optional
        How it is computed (default ``'auto'``: by size).

    Returns
    -------
    out : ndarray
        The cross-correlation, in the inputs' common dtype (traced under a transformation).

    Raises
    ------
    ValueError
        If ``mode`` is not one of the three, the ranks differ, or in ``'valid'`` mode neither
        input is at least as large as the other along every axis.

    Examples
    --------
    >>> import ftrans.scipy.signal as fss, numpy as np
    >>> fss.correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]), "valid")
    array([3.5])
    """
    sig = _plain(in1, in2)
    if sig is not None:
        return sig.correlate(in1, in2, mode=mode, method=method)
    in1, in2 = as_array(in1), as_array(in2)
    if not shape_of(in1) and not shape_of(in2):
        return in1 * cx.conj(in2)
    _same_ndim(in1, in2, "correlate")
    mode = _mode(mode, "correlate")
    if method not in ("auto", "direct", "fft"):
        raise ValueError(f"correlate: acceptable method flags are 'auto', 'direct', or "
                         f"'fft', not method={method!r}")
    return convolve(in1, _reverse_and_conj(in2), mode, method)


def _two_d(in1: Any, in2: Any, mode: Any, boundary: Any, fillvalue: Any, what: str
           ) -> tuple[Any, Any, str, str, Any, np.dtype]:
    in1, in2 = as_array(in1), as_array(in2)
    if not len(shape_of(in1)) == len(shape_of(in2)) == 2:
        raise ValueError(f"{what} inputs must both be 2-D arrays, got shapes "
                         f"{shape_of(in1)} and {shape_of(in2)}")
    mode = _mode(mode, what)
    if boundary not in _BOUNDARIES:
        raise ValueError(f"{what}: acceptable boundary flags are 'fill', 'circular' (or "
                         f"'wrap'), and 'symmetric' (or 'symm'), not {boundary!r}")
    dt = result_dtype(in1, in2)
    if isinstance(fillvalue, Tracer) and fillvalue.ndim or \
            not isinstance(fillvalue, Tracer) and np.size(fillvalue) != 1:
        raise ValueError(f"{what}: fillvalue must be a scalar or an array with one element, "
                         f"got shape {shape_of(fillvalue)}")
    if not isinstance(fillvalue, Tracer):
        fillvalue = np.asarray(fillvalue).reshape(())
    if dtype_of(fillvalue).kind == "c" and dt.kind != "c":
        raise ValueError(f"{what}: could not cast fillvalue {fillvalue!r} to the output type "
                         f"{dt.name}")
    return to_dtype(in1, dt), to_dtype(in2, dt), mode, _BOUNDARIES[boundary], fillvalue, dt


def convolve2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill",
               fillvalue: Any = 0) -> Any:
    """SciPy's ``convolve2d``: the 2-D convolution with a ``boundary`` rule for the values
    beyond ``in1``'s edges: ``fill`` (with ``fillvalue``, differentiable too), ``wrap``
    (``circular``) or ``symm`` (``symmetric``: mirrored, edge repeated).

    Parameters
    ----------
    in1 : array_like
        The first input, 2-D.
    in2 : array_like
        The second input, 2-D.
    mode : {'full', 'valid', 'same'}, optional
        The output's extent (default ``'full'``; ``'same'``: centred, the size of ``in1``).
    boundary : {'fill', 'wrap', 'symm'}, optional
        Values beyond ``in1``'s edges (default ``'fill'``; ``'circular'`` and ``'symmetric'`` too).
    fillvalue : scalar, optional
        The value for ``'fill'`` (default 0); differentiable.

    Returns
    -------
    out : ndarray
        The 2-D convolution, in the inputs' common dtype (traced under a transformation).

    Raises
    ------
    ValueError
        If ``mode`` is not one of the three, the ranks differ, or in ``'valid'`` mode neither
        input is at least as large as the other along every axis.

    Examples
    --------
    >>> import ftrans.scipy.signal as fss, numpy as np
    >>> fss.convolve2d(np.eye(2), np.ones((2, 2)), "same", "wrap")
    array([[2., 2.],
           [2., 2.]])
    """
    sig = _plain(in1, in2, fillvalue)
    if sig is not None:
        return sig.convolve2d(in1, in2, mode=mode, boundary=boundary, fillvalue=fillvalue)
    in1, in2, mode, boundary, fillvalue, _ = _two_d(in1, in2, mode, boundary, fillvalue,
                                                    "convolve2d")
    s1, s2 = shape_of(in1), shape_of(in2)
    if _swap_needed(mode, s1, s2, range(2)):
        in1, in2, s1, s2 = in2, in1, s2, s1
    spans = [_span(mode, n1, n2, (n2 - 1) // 2) for n1, n2 in zip(s1, s2)]
    return _windows_dot(in1, _reverse(in2), spans, boundary, fillvalue)


def correlate2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill",
                fillvalue: Any = 0) -> Any:
    """SciPy's ``correlate2d``: the 2-D cross-correlation with ``convolve2d``'s boundary rules
    (its ``same`` output starts at ``n2 // 2`` of the full one, as SciPy's; where ``valid``
    swaps the inputs, the output is reversed, as SciPy's).

    Parameters
    ----------
    in1 : array_like
        The first input, 2-D.
    in2 : array_like
        The second input, 2-D.
    mode : {'full', 'valid', 'same'}, optional
        The output's extent (default ``'full'``; ``'same'``: centred, the size of ``in1``).
    boundary : {'fill', 'wrap', 'symm'}, optional
        Values beyond ``in1``'s edges (default ``'fill'``; ``'circular'`` and ``'symmetric'`` too).
    fillvalue : scalar, optional
        The value for ``'fill'`` (default 0); differentiable.

    Returns
    -------
    out : ndarray
        The 2-D cross-correlation, in the inputs' common dtype (traced under a transformation).

    Raises
    ------
    ValueError
        If ``mode`` is not one of the three, the ranks differ, or in ``'valid'`` mode neither
        input is at least as large as the other along every axis.

    Examples
    --------
    >>> import ftrans.scipy.signal as fss, numpy as np
    >>> fss.correlate2d(np.eye(2), np.array([[1.0, 2.0]]), "same")
    array([[1., 0.],
           [2., 1.]])
    """
    sig = _plain(in1, in2, fillvalue)
    if sig is not None:
        return sig.correlate2d(in1, in2, mode=mode, boundary=boundary, fillvalue=fillvalue)
    in1, in2, mode, boundary, fillvalue, _ = _two_d(in1, in2, mode, boundary, fillvalue,
                                                    "correlate2d")
    s1, s2 = shape_of(in1), shape_of(in2)
    swapped = _swap_needed(mode, s1, s2, range(2))
    if swapped:
        in1, in2, s1, s2 = in2, in1, s2, s1
    spans = [_span(mode, n1, n2, n2 // 2) for n1, n2 in zip(s1, s2)]
    out = _windows_dot(in1, cx.conj(in2), spans, boundary, fillvalue)
    return _reverse(out) if swapped else out

