"""Discrete Fourier transforms: one primitive, ``fft``, over the trailing axes of its operand.

``fft_p.bind(x, fft_type=..., fft_lengths=(n1, ..., nk), norm=...)`` transforms the last
``k`` axes of ``x``, as JAX's ``lax.fft`` (the ``ftrans.numpy.fft`` wrappers move other axes
there, and pad or slice for ``n``/``s``). ``fft_type`` is one of

- ``"fft"``, ``"ifft"``: complex to complex, shape kept;
- ``"rfft"``: real to complex, the last axis ``n`` becomes ``n // 2 + 1`` (the other half of
  the spectrum is its conjugate);
- ``"irfft"``: complex to real, the last axis ``n // 2 + 1`` becomes ``n``;

and ``norm`` NumPy's: ``"backward"`` (``ifft`` divides by ``N``), ``"ortho"`` (both by
``sqrt(N)``), ``"forward"`` (``fft`` divides by ``N``), with ``N = n1 * ... * nk``. The impl
is NumPy's (or CuPy's) ``fftn``, ``ifftn``, ``rfftn`` or ``irfftn`` itself.

Every transform is linear (over the reals), so its jvp is itself and its transpose, for the
pairing ``⟨u, v⟩ = Re Σ u·v`` of ``docs/complex.md``, is

- ``fft``, ``ifft``: the same transform. The DFT matrix ``F`` (``F[j, k] = ω^(jk)``) is
  symmetric, ``Fᵀ = F``, and the pairing conjugates nothing, so the transpose is not the
  inverse (that would be the adjoint ``Fᴴ``): ``fft``'s transpose is ``fft``, scaled alike.
- ``rfft``: ``x ↦ s·P F x`` on real ``x``, with ``P`` keeping the first ``m = n//2 + 1``
  entries of the last axis. For real ``x``, ``⟨u, s P F x⟩ = Σ s·Re(F Pᵀu)·x``, so the
  transpose is ``u ↦ s·Re(F Pᵀu)``: ``u`` zero-padded to ``n``, transformed, real part.
  ``irfft`` computes exactly such a real part (it reads the half spectrum ``w`` as the full
  Hermitian one, ``irfft(w) = Re(G Pᵀ(c·w)) / N`` with ``G = conj(F)`` and weights ``c = 1``
  at frequency 0 and at ``n/2`` for even ``n``, ``2`` between): with
  ``Re(F Pᵀu) = Re(G Pᵀ conj(u))`` the transpose is ``irfft(conj(u) / c)`` with the *dual*
  norm (``backward`` ↔ ``forward``, ``ortho`` kept), which supplies the factor ``N``.
- ``irfft``: ``w ↦ s'·Re(G Pᵀ(c·w))``; for real ``v``, ``⟨v, s' Re(G Pᵀ(c w))⟩ =
  Re Σ (s'·c·P G v)·w``, and ``P G v = conj(P F v) = conj(rfft(v))``: the transpose is
  ``c·conj(rfft(v))``, again with the dual norm.

``tests/test_fft.py`` checks these by the dot-product identity and against finite
differences; the sample rows check every wrapper under every transform. Batching keeps a
batch axis that is not among the transformed ones where it is, and otherwise moves it to the
front. Complex equations are never fused into C or CUDA kernels: on CuPy the impl is
``cupy.fft`` (cuFFT).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..core import Primitive, aval_of, register, same_device
from ..deps import gather, project, scatter
from ..ir import ShapedArray, complex_dtype, real_dtype
from .complex_parts import conj_p
from .families import linear_jvp, ndim_of
from .shape import moveaxis

FFT_TYPES = ("fft", "ifft", "rfft", "irfft")
NORMS = ("backward", "ortho", "forward")
DUAL_NORM = {"backward": "forward", "ortho": "ortho", "forward": "backward"}
_XP_NAMES = {"fft": "fftn", "ifft": "ifftn", "rfft": "rfftn", "irfft": "irfftn"}

fft_p = register(Primitive("fft"))
fft_p.family = "linear"
fft_p.jvp = linear_jvp(fft_p)


def fft(x: Any, fft_type: str, fft_lengths: Sequence[int], norm: str = "backward") -> Any:
    """The ``fft_type`` transform (``"fft"``, ``"ifft"``, ``"rfft"``, ``"irfft"``) of the
    trailing ``len(fft_lengths)`` axes of ``x`` (JAX's ``lax.fft``, with NumPy's ``norm``).

    >>> fft(np.array([1.0, 2.0, 3.0, 4.0]), "rfft", (4,))
    array([10.+0.j, -2.+2.j, -2.+0.j])
    """
    return fft_p.bind(x, fft_type=str(fft_type), fft_lengths=tuple(int(n) for n in fft_lengths),
                      norm=str(norm))


def _impl(xp: Any, x: Any, *, fft_type: str, fft_lengths: tuple, norm: str) -> Any:
    axes = tuple(range(-len(fft_lengths), 0))
    return getattr(xp.fft, _XP_NAMES[fft_type])(x, s=fft_lengths, axes=axes, norm=norm)


def half_length(n: int) -> int:
    """The length of the half spectrum of a real sequence of length ``n``: ``n // 2 + 1``."""
    return n // 2 + 1


def _aval(x: ShapedArray, *, fft_type: str, fft_lengths: tuple, norm: str) -> ShapedArray:
    if fft_type not in FFT_TYPES:
        raise ValueError(f"fft: fft_type must be one of {', '.join(FFT_TYPES)}, got "
                         f"{fft_type!r}")
    if norm not in NORMS:
        raise ValueError(f"fft: norm must be one of {', '.join(NORMS)}, got {norm!r}")
    k = len(fft_lengths)
    if not 1 <= k <= x.ndim:
        raise ValueError(f"fft: fft_lengths {fft_lengths} need an operand with at least "
                         f"{max(k, 1)} dimension(s), got shape {x.shape}")
    if any(n < 1 for n in fft_lengths):
        raise ValueError(f"fft: fft_lengths must be positive, got {fft_lengths}")
    lead, trailing, lengths = x.shape[:-k], x.shape[-k:], tuple(fft_lengths)
    if fft_type == "rfft":
        if x.dtype.kind != "f":
            raise TypeError(f"fft: rfft takes a real floating-point operand, got "
                            f"{x.dtype.name}")
        expected, out = lengths, lead + lengths[:-1] + (half_length(lengths[-1]),)
        dtype = complex_dtype(x.dtype)
    else:
        if x.dtype.kind != "c":
            raise TypeError(f"fft: {fft_type} takes a complex operand, got {x.dtype.name}")
        if fft_type == "irfft":
            expected = lengths[:-1] + (half_length(lengths[-1]),)
            out, dtype = lead + lengths, real_dtype(x.dtype)
        else:
            expected, out, dtype = lengths, x.shape, x.dtype
    if trailing != expected:
        raise ValueError(f"fft: {fft_type} with fft_lengths {lengths} needs trailing axes "
                         f"{expected}, got an operand of shape {x.shape}")
    return ShapedArray(out, dtype)


def _half_weights(n: int, like: Any) -> Any:
    """``c`` of the module docstring along the last axis: how often each entry of a half
    spectrum of length ``n // 2 + 1`` appears in the full one (1 at 0 and at ``n/2``, else 2)."""
    c = np.full(half_length(n), 2.0, real_dtype(aval_of(like).dtype))
    c[0] = 1.0
    if n % 2 == 0:
        c[-1] = 1.0
    return same_device(c, like)


def _transpose(ct: Any, x: Any, *, fft_type: str, fft_lengths: tuple, norm: str) -> list[Any]:
    if fft_type in ("fft", "ifft"):
        return [fft(ct, fft_type, fft_lengths, norm)]
    c = _half_weights(fft_lengths[-1], ct)
    if fft_type == "rfft":
        return [fft(conj_p.bind(ct) * (1.0 / c), "irfft", fft_lengths,
                    DUAL_NORM[norm])]
    return [conj_p.bind(fft(ct, "rfft", fft_lengths, DUAL_NORM[norm])) * c]


def _batch(args: Sequence[Any], dims: Sequence[Any], *, fft_type: str, fft_lengths: tuple,
           norm: str) -> tuple[Any, int]:
    (x,), (d,) = args, dims
    if d >= ndim_of(x) - len(fft_lengths):  # among the transformed axes: to the front
        x, d = moveaxis(x, d, 0), 0
    return fft(x, fft_type, fft_lengths, norm), d


def _deps(prim: Any, ins: Sequence[Any], in_avals: Sequence[ShapedArray],
          out_avals: Sequence[ShapedArray], /, **params: Any) -> list[Any]:
    """An output element depends on the input elements with the same leading index."""
    (x,), (av,), (out,) = ins, in_avals, out_avals
    lead = tuple(range(av.ndim - len(params["fft_lengths"])))
    n_lead = int(np.prod(av.shape[:len(lead)], dtype=np.int64))
    return [gather(scatter(x, project(av.shape, lead), n_lead), project(out.shape, lead))]


def _cost(in_avals: Sequence[ShapedArray], out_avals: Sequence[ShapedArray], /,
          **params: Any) -> int:
    """About ``5 N log2 L`` flops for ``N`` complex values in transforms of ``L`` points."""
    points = math.prod(params["fft_lengths"])
    size = max(in_avals[0].size, out_avals[0].size)
    return int(5 * size * max(1.0, math.log2(points)))


fft_p.impl = _impl
fft_p.abstract_eval = _aval
fft_p.transpose = _transpose
fft_p.batch = _batch
fft_p.deps = _deps
fft_p.cost = _cost
