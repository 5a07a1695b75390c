"""Sample rows for ``ftrans.numpy.fft`` and ``ftrans.scipy.signal`` (see ``samples.py``).

The ``fft`` primitive through every wrapper, with ``n``/``s`` padding and cutting,
``axis``/``axes`` moved, each ``norm``, repeated axes, odd and even real lengths, real and
complex inputs, single precision; the shifts and frequencies built on other primitives. Every
transform is linear over the reals (``linear=True``: its transpose rule is checked by the
dot-product identity too). Then SciPy's convolutions, in both inputs: the direct method (a
gather of windows and a contraction) and the FFT method, each mode, the 2-D boundary rules,
a traced ``fillvalue``.
"""

from __future__ import annotations

import numpy as np
from samples_core import Sample

import ftrans.numpy as fnp
import ftrans.scipy.signal as fss

_rng = np.random.default_rng(4096)
F = fnp.fft


def r(*shape: int) -> np.ndarray:
    return _rng.uniform(-1.0, 1.0, shape)


def c(*shape: int) -> np.ndarray:
    return r(*shape) + 1j * r(*shape)


FFT_SAMPLES: list[Sample] = [
    # complex to complex
    Sample("fft", F.fft, (c(3, 5),), linear=True),
    Sample("fft", lambda z: F.fft(z, n=7, axis=0, norm="ortho"), (c(4, 3),), linear=True),
    Sample("fft", lambda x: F.fft(x, n=3), (r(2, 5),), linear=True),  # real in, cut
    Sample("fft", lambda z: F.ifft(z, norm="forward"), (c(6),), linear=True),
    Sample("fft", lambda z: F.ifft(z, n=4, axis=1), (c(2, 6),), linear=True),
    Sample("fft", lambda z: F.fft2(z, s=(3, 6)), (c(2, 4, 5),), linear=True),
    Sample("fft", lambda z: F.ifft2(z, axes=(0, 2), norm="ortho"), (c(3, 2, 4),), linear=True),
    Sample("fft", lambda z: F.fftn(z, s=(5, 2), axes=(2, 0)), (c(3, 2, 4),), linear=True),
    Sample("fft", F.ifftn, (c(2, 3, 4),), linear=True),
    Sample("fft", lambda z: F.fftn(z, axes=(0, 0)), (c(3, 2),), linear=True),  # repeated
    Sample("fft", lambda z: F.fft(z, axis=0), (c(4, 3).astype(np.complex64),), linear=True),
    # real to complex
    Sample("fft", F.rfft, (r(6),), linear=True),
    Sample("fft", lambda x: F.rfft(x, n=5, norm="ortho"), (r(2, 7),), linear=True),
    Sample("fft", lambda x: F.rfft(x, axis=0, norm="forward"), (r(4, 3),), linear=True),
    Sample("fft", lambda x: F.rfft(x, n=8), (r(3, 5).astype(np.float32),), linear=True),
    Sample("fft", F.rfft2, (r(4, 6),), linear=True),
    Sample("fft", lambda x: F.rfftn(x, axes=(2, 0)), (r(3, 2, 5),), linear=True),
    Sample("fft", lambda x: F.rfftn(x, s=(3, 4), axes=(0, 1), norm="ortho"), (r(4, 3),),
           linear=True),
    Sample("fft", lambda x: F.ihfft(x, norm="ortho"), (r(2, 5),), linear=True),
    # complex to real
    Sample("fft", F.irfft, (c(2, 4),), linear=True),
    Sample("fft", lambda z: F.irfft(z, n=7), (c(4),), linear=True),
    Sample("fft", lambda z: F.irfft(z, n=3, axis=0, norm="ortho"), (c(4, 2),), linear=True),
    Sample("fft", lambda z: F.irfft(z, norm="forward"), (c(3, 5).astype(np.complex64),),
           linear=True),
    Sample("fft", lambda z: F.irfft2(z, s=(3, 5)), (c(3, 4),), linear=True),
    Sample("fft", lambda z: F.irfftn(z, axes=(0, 2)), (c(3, 2, 4),), linear=True),
    Sample("fft", lambda z: F.irfftn(z, norm="forward"), (c(2, 3, 3),), linear=True),
    Sample("fft", lambda z: F.hfft(z, n=7), (c(4),), linear=True),
    Sample("fft", lambda x: F.hfft(x, axis=0), (r(3, 2),), linear=True),  # real in
    # in compositions: a spectrum's power, a circular convolution
    Sample("fft", lambda z: fnp.abs(F.fft2(z)) ** 2, (c(3, 4),)),
    Sample("fft", lambda x, k: F.irfft(F.rfft(x) * F.rfft(k), n=6), (r(6), r(6))),
    # shifts (rolls) and frequencies (differentiable in the spacing d)
    Sample("roll", F.fftshift, (c(5, 4),), linear=True),
    Sample("roll", lambda x: F.ifftshift(x, axes=0), (r(5, 3),), linear=True),
    Sample("div", lambda d: F.fftfreq(5, d), (np.array(0.7),)),
    Sample("div", lambda d: F.rfftfreq(6, d), (np.array(1.3),)),
    # scipy.signal: bilinear in (in1, in2); linear rows keep one input constant
    Sample("gather", lambda a, v: fss.convolve(a, v, method="direct"), (r(6), r(3))),
    Sample("gather", lambda a, v: fss.convolve(a, v, "valid", "direct"), (r(3, 2), r(4, 4))),
    Sample("gather", lambda a, v: fss.correlate(a, v, "same", "direct"), (c(5), c(4))),
    Sample("gather", lambda a: fss.convolve(a, np.array([1.0, -2.0, 0.5])), (r(5),),
           linear=True),
    Sample("fft", lambda a, v: fss.convolve(a, v, "same", "fft"), (r(4, 5), r(3, 2))),
    Sample("fft", lambda a, v: fss.fftconvolve(a, v, "valid"), (r(5, 4), r(2, 3))),
    Sample("fft", lambda a, v: fss.fftconvolve(a, v, axes=1), (c(3, 4), c(1, 3))),
    Sample("fft", lambda a: fss.correlate(a, np.ones((3, 3)), "same", "fft"), (r(4, 4),),
           linear=True),
    Sample("gather", lambda a, v: fss.convolve2d(a, v, "same", "wrap"), (r(4, 5), r(3, 2))),
    Sample("gather", lambda a, v: fss.correlate2d(a, v, "full", "symm"), (r(3, 4), r(2, 3))),
    Sample("pad", lambda a, v, f: fss.convolve2d(a, v, "same", "fill", f),
           (r(3, 4), r(2, 2), np.array(0.3))),
]
