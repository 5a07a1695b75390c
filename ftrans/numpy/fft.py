"""``ftrans.numpy.fft``: NumPy's discrete Fourier transforms, differentiable.

``fft``, ``ifft``, ``fft2``, ``ifft2``, ``fftn``, ``ifftn``, ``rfft``, ``irfft``, ``rfft2``,
``irfft2``, ``rfftn``, ``irfftn``, ``hfft``, ``ihfft`` take NumPy's arguments (``n``/``s``,
``axis``/``axes``, ``norm`` = ``"backward"``, ``"ortho"`` or ``"forward"``) and give NumPy 2's
results and dtypes (``float32`` and ``complex64`` stay single precision). On plain arrays they
call NumPy; on traced arrays each becomes one ``fft`` primitive over the transformed axes
(``ftrans/prims/fft.py``, where its transpose rules are derived), after moving those axes
last and padding or slicing them to ``n``/``s``. ``fftshift``/``ifftshift`` are rolls;
``fftfreq``/``rfftfreq`` are constants (differentiable in ``d``). ``np.fft.fft(tracer)``
dispatches here.

>>> import ftrans, ftrans.numpy as fnp, numpy as np
>>> x = np.array([1.0, 2.0, 0.0, -1.0])
>>> np.allclose(fnp.fft.fft(x), np.fft.fft(x))
True
>>> ftrans.grad(lambda x: fnp.sum(fnp.abs(fnp.fft.fft(x)) ** 2))(x)  # Parseval: 2 N x
array([ 8., 16.,  0., -8.])
"""

from __future__ import annotations

import operator
import warnings
from typing import Any, Sequence

import numpy as np

from ..core import Tracer
from ..ir import complex_dtype
from ..prims import fft as pf
from ..prims import slicing as sl
from ..prims.shape import transpose
from . import _fft_docs
from ._complex import conj
from ._keywords import traced_only
from ._promote import shape_of, to_dtype
from ._reorder import roll

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2",
           "irfft2", "rfftn", "irfftn", "hfft", "ihfft", "fftshift", "ifftshift", "fftfreq",
           "rfftfreq"]
__test__: dict[str, Any]  # the guarded functions, for their doctests (set by ftrans.numpy)

_SWAP: dict[Any, str] = {None: "forward", **pf.DUAL_NORM}


# ----------------------------------------------------------------------------- arguments

def _traced(a: Any, out: Any, name: str) -> bool:
    """Whether ``a`` is traced (then ``out`` must be None); plain arrays go to NumPy."""
    if not isinstance(a, Tracer):
        return False
    if out is not None:
        raise traced_only(f"fft.{name}", "out")
    return True


def _numpy(name: str, a: Any, out: Any, *args: Any) -> Any:
    """NumPy's (or, through dispatch, CuPy's) own function; ``out`` only when given, as
    CuPy's functions have none."""
    fn = getattr(np.fft, name)
    return fn(a, *args) if out is None else fn(a, *args, out=out)


def _norm(norm: Any) -> str:
    if norm is None:
        return "backward"
    if norm not in pf.NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward","ortho" or '
                         '"forward".')
    return norm


def _swap(norm: Any) -> str:
    if norm not in _SWAP:
        _norm(norm)
    return _SWAP[norm]


def _points(n: Any, what: str) -> int:
    n = operator.index(n)  # NumPy's TypeError for 2.5
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return n


def _axis(axis: Any, ndim: int, what: str) -> int:
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(f"{what}: axis {axis} is out of bounds for array of "
                                      f"dimension {ndim}")
    return axis % ndim


def _cook(a: Any, s: Any, axes: Any, what: str, invreal: bool = False
          ) -> tuple[list[Any], list[int]]:
    """NumPy's ``_cook_nd_args``: the lengths (``None`` for a transform's default) and the
    axes (non-negative) of an n-dimensional transform, with NumPy's deprecation warnings."""
    shape = shape_of(a)
    if s is not None:
        s = list(s)
    if axes is None:
        if s is not None:
            warnings.warn("`axes` should not be `None` if `s` is not `None` (Deprecated in "
                          "NumPy 2.0): pass the axes explicitly", DeprecationWarning,
                          stacklevel=3)
        axes = list(range(-len(s), 0)) if s is not None else list(range(len(shape)))
    axes = [_axis(ax, len(shape), what) for ax in axes]
    if s is None:
        s = [shape[ax] for ax in axes]
        if invreal and axes:
            s[-1] = None  # the inverse real transform's own default, 2 (m - 1)
    elif len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    elif None in s:
        warnings.warn("Passing an array containing `None` values to `s` is deprecated in "
                      "NumPy 2.0", DeprecationWarning, stacklevel=3)
    s = [shape[ax] if n is not None and operator.index(n) == -1 else n
         for n, ax in zip(s, axes)]
    return s, axes


def _as_complex(a: Any) -> Any:
    """NumPy's operand of a complex transform: complex64 for float16/float32/complex64."""
    dt = np.dtype(a.aval.dtype)
    if dt.kind != "c":
        dt = np.dtype(np.complex64) if dt in (np.float16, np.float32) else \
            complex_dtype(np.float64)
    return to_dtype(a, dt)


def _as_real(a: Any, what: str) -> Any:
    dt = np.dtype(a.aval.dtype)
    if dt.kind == "c":
        raise TypeError(f"{what} takes real input, got {dt.name} (use fft for complex "
                        "input)")
    return to_dtype(a, np.dtype(np.float32) if dt in (np.float16, np.float32)
                    else np.dtype(np.float64))


def _resize(a: Any, axis: int, n: int) -> Any:
    """``a`` sliced or zero-padded at the end of ``axis`` to length ``n``."""
    shape = shape_of(a)
    m = shape[axis]
    if n < m:
        limit = list(shape)
        limit[axis] = n
        return sl.slice_(a, [0] * len(shape), limit)
    if n > m:
        config = [(0, 0, 0)] * len(shape)
        config[axis] = (0, n - m, 0)
        return sl.pad(a, np.zeros((), a.aval.dtype), config)
    return a


def _apply(a: Any, fft_type: str, lengths: Sequence[int], axes: Sequence[int], norm: str
           ) -> Any:
    """The primitive over distinct ``axes``: they are moved last (in their order), and back."""
    nd = len(shape_of(a))
    perm = [i for i in range(nd) if i not in axes] + list(axes)
    y = pf.fft(transpose(a, perm), fft_type, lengths, norm)
    return transpose(y, [int(i) for i in np.argsort(perm)])


# ----------------------------------------------------------------------------- transforms

def _c2c(a: Any, s: list, axes: list[int], norm: Any, fft_type: str) -> Any:
    if not axes:
        return a  # NumPy returns its input unchanged
    norm = _norm(norm)
    a = _as_complex(a)
    if len(set(axes)) < len(axes):  # repeated axes: 1-D transforms, the last axis first
        for n, ax in reversed(list(zip(s, axes))):
            a = _c2c(a, [n], [ax], norm, fft_type)
        return a
    shape = shape_of(a)
    lengths = [_points(shape[ax] if n is None else n, fft_type) for n, ax in zip(s, axes)]
    for n, ax in zip(lengths, axes):
        a = _resize(a, ax, n)
    return _apply(a, fft_type, lengths, axes, norm)


def _r2c(a: Any, s: list, axes: list[int], norm: Any, what: str) -> Any:
    if not axes:
        raise IndexError(f"{what}: axes must name at least one axis")
    norm = _norm(norm)
    a = _as_real(a, what)
    shape = shape_of(a)
    lengths = [_points(shape[ax] if n is None else n, what) for n, ax in zip(s, axes)]
    if len(set(axes)) < len(axes):  # NumPy: rfft along the last axis, then fft, last first
        a = _apply(_resize(a, axes[-1], lengths[-1]), "rfft", lengths[-1:], axes[-1:], norm)
        return _c2c(a, lengths[:-1], axes[:-1], norm, "fft")
    for n, ax in zip(lengths, axes):
        a = _resize(a, ax, n)
    return _apply(a, "rfft", lengths, axes, norm)


def _c2r(a: Any, s: list, axes: list[int], norm: Any, what: str) -> Any:
    if not axes:
        raise IndexError(f"{what}: axes must name at least one axis")
    norm = _norm(norm)
    in_dtype = np.dtype(a.aval.dtype)
    out_dtype = np.result_type(np.zeros((), in_dtype).real.dtype, 1.0)
    a = _as_complex(a)
    shape = shape_of(a)
    n_last = (2 * (shape[axes[-1]] - 1)) if s[-1] is None else s[-1]
    lengths = [_points(shape[ax] if n is None else n, what) for n, ax in zip(s[:-1], axes)]
    lengths.append(_points(n_last, what))
    if len(set(axes)) < len(axes):  # NumPy: ifft along each axis but the last, in order
        for n, ax in zip(lengths[:-1], axes[:-1]):
            a = _c2c(a, [n], [ax], norm, "ifft")
        lengths, axes = lengths[-1:], axes[-1:]
    for n, ax in zip(lengths[:-1], axes[:-1]):
        a = _resize(a, ax, n)
    a = _resize(a, axes[-1], pf.half_length(lengths[-1]))
    out = _apply(a, "irfft", lengths, axes, norm)
    return to_dtype(out, out_dtype)


def _one(n: Any) -> list:
    return [None if n is None else n]


def fft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    """NumPy's ``fft``: the one-dimensional discrete Fourier transform along ``axis``,
    zero-padded or cut to ``n`` points.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.fft(np.array([1.0, 0.0, 0.0, 0.0]))
    array([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    """
    if not _traced(a, out, "fft"):
        return _numpy("fft", a, out, n, axis, norm)
    return _c2c(a, _one(n), [_axis(axis, a.ndim, "fft")], norm, "fft")


def ifft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    """NumPy's ``ifft``: the inverse of ``fft``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.ifft(np.array([4.0, 0.0, 0.0, 0.0]))
    array([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    """
    if not _traced(a, out, "ifft"):
        return _numpy("ifft", a, out, n, axis, norm)
    return _c2c(a, _one(n), [_axis(axis, a.ndim, "ifft")], norm, "ifft")


def fftn(a: Any, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    """NumPy's ``fftn``: the n-dimensional transform over ``axes`` (all by default), with
    lengths ``s``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.fftn(np.ones((2, 2)))
    array([[4.+0.j, 0.+0.j],
           [0.+0.j, 0.+0.j]])
    """
    if not _traced(a, out, "fftn"):
        return _numpy("fftn", a, out, s, axes, norm)
    return _c2c(a, *_cook(a, s, axes, "fftn"), norm, "fft")


def ifftn(a: Any, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    """NumPy's ``ifftn``: the inverse of ``fftn``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.ifftn(np.array([[4.0, 0.0], [0.0, 0.0]])).real
    array([[1., 1.],
           [1., 1.]])
    """
    if not _traced(a, out, "ifftn"):
        return _numpy("ifftn", a, out, s, axes, norm)
    return _c2c(a, *_cook(a, s, axes, "ifftn"), norm, "ifft")


def fft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None) -> Any:
    """NumPy's ``fft2``: ``fftn`` over the last two axes by default.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> complex(fnp.fft.fft2(np.ones((2, 2)))[0, 0])
    (4+0j)
    """
    if not _traced(a, out, "fft2"):
        return _numpy("fft2", a, out, s, axes, norm)
    return _c2c(a, *_cook(a, s, axes, "fft2"), norm, "fft")


def ifft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None
          ) -> Any:
    """NumPy's ``ifft2``: ``ifftn`` over the last two axes by default.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> complex(fnp.fft.ifft2(np.full((2, 2), 4.0))[0, 0])
    (4+0j)
    """
    if not _traced(a, out, "ifft2"):
        return _numpy("ifft2", a, out, s, axes, norm)
    return _c2c(a, *_cook(a, s, axes, "ifft2"), norm, "ifft")


def rfft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    """NumPy's ``rfft``: the transform of real input, its ``n // 2 + 1`` non-negative
    frequencies.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.rfft(np.array([1.0, 2.0, 3.0, 4.0]))
    array([10.+0.j, -2.+2.j, -2.+0.j])
    """
    if not _traced(a, out, "rfft"):
        return _numpy("rfft", a, out, n, axis, norm)
    return _r2c(a, _one(n), [_axis(axis, a.ndim, "rfft")], norm, "rfft")


def irfft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    """NumPy's ``irfft``: the inverse of ``rfft``, ``n`` real points (``2 (m - 1)`` by
    default for ``m`` input frequencies).

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.irfft(np.array([10.0, -2.0 + 2.0j, -2.0]))
    array([1., 2., 3., 4.])
    """
    if not _traced(a, out, "irfft"):
        return _numpy("irfft", a, out, n, axis, norm)
    return _c2r(a, _one(n), [_axis(axis, a.ndim, "irfft")], norm, "irfft")


def rfftn(a: Any, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    """NumPy's ``rfftn``: ``rfft`` along the last of ``axes``, then ``fft`` along the others.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.rfftn(np.ones((2, 4))).shape
    (2, 3)
    """
    if not _traced(a, out, "rfftn"):
        return _numpy("rfftn", a, out, s, axes, norm)
    return _r2c(a, *_cook(a, s, axes, "rfftn"), norm, "rfftn")


def irfftn(a: Any, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    """NumPy's ``irfftn``: the inverse of ``rfftn``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.irfftn(np.fft.rfftn(np.eye(2)))
    array([[1., 0.],
           [0., 1.]])
    """
    if not _traced(a, out, "irfftn"):
        return _numpy("irfftn", a, out, s, axes, norm)
    return _c2r(a, *_cook(a, s, axes, "irfftn", invreal=True), norm, "irfftn")


def rfft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None
          ) -> Any:
    """NumPy's ``rfft2``: ``rfftn`` over the last two axes by default.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.rfft2(np.ones((2, 4))).shape
    (2, 3)
    """
    if not _traced(a, out, "rfft2"):
        return _numpy("rfft2", a, out, s, axes, norm)
    return _r2c(a, *_cook(a, s, axes, "rfft2"), norm, "rfft2")


def irfft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None
           ) -> Any:
    """NumPy's ``irfft2``: ``irfftn`` over the last two axes by default.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.irfft2(np.fft.rfft2(np.eye(2)))
    array([[1., 0.],
           [0., 1.]])
    """
    if not _traced(a, out, "irfft2"):
        return _numpy("irfft2", a, out, s, axes, norm)
    return _c2r(a, *_cook(a, s, axes, "irfft2", invreal=True), norm, "irfft2")


def hfft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    """NumPy's ``hfft``: the transform of a Hermitian-symmetric signal given by its first
    half, ``irfft(conj(a))`` with the opposite normalisation; real output.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.hfft(np.array([1.0, 2.0, 3.0]))
    array([ 8., -2.,  0., -2.])
    """
    if not _traced(a, out, "hfft"):
        return _numpy("hfft", a, out, n, axis, norm)
    return _c2r(conj(a), _one(n), [_axis(axis, a.ndim, "hfft")], _swap(norm), "hfft")


def ihfft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    """NumPy's ``ihfft``: the inverse of ``hfft``, ``conj(rfft(a))`` with the opposite
    normalisation.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.ihfft(np.array([8.0, -2.0, 0.0, -2.0]))
    array([1.-0.j, 2.-0.j, 3.-0.j])
    """
    if not _traced(a, out, "ihfft"):
        return _numpy("ihfft", a, out, n, axis, norm)
    return conj(_r2c(a, _one(n), [_axis(axis, a.ndim, "ihfft")], _swap(norm), "ihfft"))


# ----------------------------------------------------------------------------- helpers

def _shifts(x: Any, axes: Any, sign: int, what: str) -> tuple[Any, Any]:
    shape = shape_of(x)
    if axes is None:
        axes = tuple(range(len(shape)))
    if isinstance(axes, (int, np.integer)):
        return sign * (shape[_axis(axes, len(shape), what)] // 2), axes
    return [sign * (shape[_axis(ax, len(shape), what)] // 2) for ax in axes], axes


def fftshift(x: Any, axes: Any = None) -> Any:
    """NumPy's ``fftshift``: the zero frequency moved to the centre (a roll by half).

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.fftshift(np.fft.fftfreq(5))
    array([-0.4, -0.2,  0. ,  0.2,  0.4])
    """
    if not isinstance(x, Tracer):
        return np.fft.fftshift(x, axes)
    return roll(x, *_shifts(x, axes, 1, "fftshift"))


def ifftshift(x: Any, axes: Any = None) -> Any:
    """NumPy's ``ifftshift``: the inverse of ``fftshift``.

    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.fft.ifftshift(np.fft.fftshift(np.arange(5.0)))
    array([0., 1., 2., 3., 4.])
    """
    if not isinstance(x, Tracer):
        return np.fft.ifftshift(x, axes)
    return roll(x, *_shifts(x, axes, -1, "ifftshift"))


def _check_n(n: Any) -> int:
    if not isinstance(n, (int, np.integer)):
        raise ValueError(f"n should be an integer, got {n!r}")
    return int(n)


def _freq_dtype(out: Any, dtype: Any) -> Any:
    """``out`` in ``dtype`` when one is asked for (JAX's and the array API's ``dtype=``)."""
    if dtype is None:
        return out
    from ._elementwise import astype
    return astype(out, dtype)


def fftfreq(n: int, d: Any = 1.0, device: Any = None, *, dtype: Any = None) -> Any:
    """NumPy's ``fftfreq``: the sample frequencies ``[0, 1, ..., -1] / (n d)`` of an
    ``n``-point transform with sample spacing ``d`` (which may be traced); ``dtype`` as in
    JAX and the array API (float64 by default).

    >>> import ftrans, ftrans.numpy as fnp
    >>> fnp.fft.fftfreq(4, 0.5)
    array([ 0. ,  0.5, -1. , -0.5])
    >>> float(ftrans.grad(lambda d: fnp.fft.fftfreq(4, d)[1])(0.5))  # d/dd 1 / (4 d)
    -1.0
    """
    if not isinstance(d, Tracer):
        return _freq_dtype(np.fft.fftfreq(n, d, device=device), dtype)
    n = _check_n(n)
    k = np.concatenate([np.arange(0, (n - 1) // 2 + 1), np.arange(-(n // 2), 0)])
    return _freq_dtype(k * (1.0 / (n * d)), dtype)


def rfftfreq(n: int, d: Any = 1.0, device: Any = None, *, dtype: Any = None) -> Any:
    """NumPy's ``rfftfreq``: the ``n // 2 + 1`` non-negative frequencies of ``rfft``
    (``dtype`` as in ``fftfreq``).

    >>> import ftrans.numpy as fnp
    >>> fnp.fft.rfftfreq(5)
    array([0. , 0.2, 0.4])
    """
    if not isinstance(d, Tracer):
        return _freq_dtype(np.fft.rfftfreq(n, d, device=device), dtype)
    n = _check_n(n)
    return _freq_dtype(np.arange(0, n // 2 + 1) * (1.0 / (n * d)), dtype)


# the Parameters, Returns and Raises sections, shared by the transforms (numpy/_fft_docs.py)
_fft_docs.attach(globals(), __all__)
