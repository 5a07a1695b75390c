"""Modified Bessel functions of the first kind.

- ``bessel_iv(v, x, scaled)``: ``I_v(x)`` (SciPy's ``iv``), or ``e^-|x| I_v(x)`` with
  ``scaled`` (``ive``). ``∂I_v/∂x = (I_(v-1) + I_(v+1)) / 2``; scaled, minus
  ``sign(x) ive``. Not differentiable in ``v`` (an error: JAX has no ``iv`` at all).
- ``bessel_i01(x, order, scaled)``: ``i0``, ``i1``, ``i0e``, ``i1e`` — separate from
  ``bessel_iv`` for SciPy's faster ufuncs and their own edge values (``i0e(±inf) = 0``).
  ``i0' = i1``, ``i1' = (i0 + I_2) / 2``.

Values: SciPy's ufuncs when installed; ``cupyx.scipy.special`` has i0..i1e but no iv, so on
CuPy a lone ``iv`` runs on the host (inside a fused kernel it is ``kernels/ft_special.cuh``'s
``ft_iv``); else ``special_numpy.iv`` (power series, or Hankel's asymptotic series for
``x >= max(30, v²/2)``; accurate to about 1e-13 for ``|v| <= 100``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from . import special_numpy as snp
from .families import binary, unary
from .special import library, like_inputs, on_host


def _iv_impl(xp: Any, v: Any, x: Any, *, scaled: bool) -> Any:
    lib = library(xp)
    fn = getattr(lib, "ive" if scaled else "iv", None) if lib else None
    if fn is not None:
        out = xp.asarray(fn(v, x))
    else:
        out = on_host(xp, lambda v, x: snp.iv(np.asarray(v), np.asarray(x), scaled), v, x)
    return like_inputs(out, v, x)


def _iv_dv(t: Any, v: Any, x: Any, out: Any, *, scaled: bool) -> Any:
    raise NotImplementedError("iv/ive: not differentiable in the order v (only in x)")


def _iv_dx(t: Any, v: Any, x: Any, out: Any, *, scaled: bool) -> Any:
    d = 0.5 * (bessel_iv_p.bind(v - 1, x, scaled=scaled)
               + bessel_iv_p.bind(v + 1, x, scaled=scaled))
    return t * (d - ops.sign(x) * out if scaled else d)


bessel_iv_p = binary("bessel_iv", None, [_iv_dv, _iv_dx], "ft_iv({0}, {1}, {scaled})",
                     impl=_iv_impl)


def _i01_impl(xp: Any, x: Any, *, order: int, scaled: bool) -> Any:
    lib = library(xp)
    if lib:
        out = xp.asarray(getattr(lib, f"i{order}{'e' if scaled else ''}")(x))
    else:
        out = snp.bessel_i01(order, np.asarray(x), scaled)
    return like_inputs(out, x)


def _i01_dx(t: Any, x: Any, out: Any, *, order: int, scaled: bool) -> Any:
    if order == 0:
        d = bessel_i01_p.bind(x, order=1, scaled=scaled)
    else:
        two = ops.full_like(x, 2.0)
        d = 0.5 * (bessel_i01_p.bind(x, order=0, scaled=scaled)
                   + bessel_iv_p.bind(two, x, scaled=scaled))
    return t * (d - ops.sign(x) * out if scaled else d)


bessel_i01_p = unary("bessel_i01", None, _i01_dx, "ft_bessel_i01({order}, {0}, {scaled})",
                     impl=_i01_impl)
