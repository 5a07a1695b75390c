"""Complex parts: ``real``, ``imag``, ``conj`` and ``complex`` (``x + 1j*y`` of real parts).

Derivatives of complex values follow JAX's conventions. A tangent of a complex value is a
complex number of the same dtype, and every jvp is the R-linear map ``t ↦ J t`` (for a
holomorphic function, multiplication by ``f'(z)``). Transposes are taken with respect to the
real pairing ``⟨u, v⟩ = Re Σ u·v`` (no conjugation), so the transpose of ``t ↦ y·t`` is
``ct ↦ ct·y``, with the constant ``y`` not conjugated, and for a real-valued ``f`` of complex
``z = x + iy`` the gradient is ``∂f/∂x − i ∂f/∂y``: ``grad(lambda z: abs(z)**2)(3+4j)`` is
``6-8j``. The rules below follow from that pairing:

- ``real``: jvp ``Re t``; transpose ``ct ↦ ct + 0j`` (since ``Re(ct·Re t) = Re(ct·t)`` for a
  real ``ct``);
- ``imag``: jvp ``Im t``; transpose ``ct ↦ -1j·ct`` (``Re(-i·ct·t) = ct·Im t``);
- ``conj``: jvp and transpose ``conj``;
- ``complex(x, y)``: jvp ``complex(ẋ, ẏ)``; transpose ``ct ↦ (Re ct, −Im ct)``.

None of them is fused into C or CUDA kernels: equations on complex values run NumPy's (or
CuPy's) own functions (``backends/cfuse.py``, ``backends/cuda_codegen.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import Primitive, Zero, aval_of, register
from ..ir import ShapedArray, complex_dtype, is_complex_dtype, real_dtype
from . import ops
from .families import elementwise_aval, elementwise_batch, is_undef, linear_jvp, unbroadcast
from .shape import convert_element_type


def _declare(name: str, impl: Any, abstract_eval: Any) -> Primitive:
    p = register(Primitive(name))
    p.family = "elementwise"
    p.impl = impl
    p.abstract_eval = abstract_eval
    p.jvp = linear_jvp(p)
    p.batch = elementwise_batch(p)
    return p


def _part_aval(name: str) -> Any:
    def abstract_eval(x: ShapedArray) -> ShapedArray:
        if not is_complex_dtype(x.dtype):
            raise TypeError(f"{name} takes a complex operand, got {x.dtype.name}")
        return ShapedArray(x.shape, real_dtype(x.dtype))
    return abstract_eval


real_p = _declare("real", lambda xp, x: xp.real(x), _part_aval("real"))
real_p.transpose = lambda ct, x: [convert_element_type(ct, x.aval.dtype)]
real_p.view = True  # NumPy returns a view

imag_p = _declare("imag", lambda xp, x: xp.imag(x), _part_aval("imag"))
imag_p.view = True  # NumPy returns a view


def _imag_transpose(ct: Any, x: Any) -> list[Any]:
    dt = x.aval.dtype
    return [convert_element_type(ct, dt) * np.asarray(-1j, dt)[()]]


imag_p.transpose = _imag_transpose

conj_p = _declare("conj", lambda xp, x: xp.conj(x), elementwise_aval("conj"))
conj_p.ufunc = "conjugate"
conj_p.transpose = lambda ct, x: [conj_p.bind(ct)]


def _complex_impl(xp: Any, x: Any, y: Any) -> Any:
    """``x + 1j*y`` part by part: ``complex(0, inf)`` is ``infj``, not ``nan+infj``."""
    x, y = xp.asarray(x), xp.asarray(y)
    out = xp.empty(np.broadcast_shapes(x.shape, y.shape), complex_dtype(x.dtype))
    out.real[...] = x
    out.imag[...] = y
    return out[()] if xp is np and out.ndim == 0 else out


def _complex_aval(x: ShapedArray, y: ShapedArray) -> ShapedArray:
    out = elementwise_aval("complex")(x, y)
    if out.dtype.kind != "f":
        raise TypeError(f"complex takes real floating-point parts, got "
                        f"{x.dtype.name} and {y.dtype.name}")
    return ShapedArray(out.shape, complex_dtype(out.dtype))


def _complex_jvp(primals: Any, out: Any, tangents: Any) -> Any:
    tx, ty = tangents
    if type(tx) is Zero and type(ty) is Zero:
        return Zero(aval_of(out))
    x, y = primals
    tx = _zeros_like(x, out) if type(tx) is Zero else tx
    ty = _zeros_like(y, out) if type(ty) is Zero else ty
    return complex_p.bind(tx, ty)


def _zeros_like(x: Any, out: Any) -> Any:
    return ops.zeros_like(x) if aval_of(x).shape == aval_of(out).shape else \
        np.zeros(aval_of(out).shape, real_dtype(aval_of(out).dtype))


def _complex_transpose(ct: Any, x: Any, y: Any) -> list[Any]:
    return [unbroadcast(real_p.bind(ct), x.aval) if is_undef(x) else None,
            unbroadcast(-imag_p.bind(ct), y.aval) if is_undef(y) else None]


complex_p = register(Primitive("complex"))
complex_p.family = "elementwise"
complex_p.impl = _complex_impl
complex_p.abstract_eval = _complex_aval
complex_p.jvp = _complex_jvp
complex_p.transpose = _complex_transpose
complex_p.batch = elementwise_batch(complex_p)


def real(x: Any) -> Any:
    """The real part of ``x`` (``x`` itself when it is real).

    >>> real(np.complex128(3 + 4j))
    3.0
    """
    return real_p.bind(x) if is_complex_dtype(aval_of(x).dtype) else x


def imag(x: Any) -> Any:
    """The imaginary part of a complex ``x``.

    >>> imag(np.complex128(3 + 4j))
    4.0
    """
    return imag_p.bind(x)


def conj(x: Any) -> Any:
    """The complex conjugate of ``x`` (``x`` itself when it is real).

    >>> conj(np.complex128(3 + 4j))
    (3-4j)
    """
    return conj_p.bind(x) if is_complex_dtype(aval_of(x).dtype) else x
