"""Dual numbers for the NumPy-only special functions: ``Dual(v, d)`` is a value and its
derivative in one parameter, both float64 arrays, so an algorithm written once on numbers
that may be dual gives a value and its derivative together (forward mode), and
``converged`` waits for both parts.

>>> x = Dual(2.0, 1.0)
>>> y = log(x) * x
>>> float(y.v), float(y.d)  # x log x and its derivative 1 + log x
(1.3862943611198906, 1.6931471805599454)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import special_numpy as snp

EPS = 1e-16  # a term below EPS times the sum (value and derivative) has converged


class Dual:
    """A value and its derivative in one parameter, both float64 arrays of one shape."""

    __slots__ = ("v", "d")
    __array_ufunc__ = None  # ndarray (op) Dual defers to Dual's reflected operator

    def __init__(self, v: Any, d: Any = 0.0):
        self.v = np.asarray(v, dtype=np.float64)
        self.d = np.broadcast_to(np.asarray(d, dtype=np.float64), self.v.shape).copy() \
            if np.ndim(d) < self.v.ndim else np.asarray(d, dtype=np.float64)

    def __getitem__(self, idx: Any) -> Dual:
        return Dual(self.v[idx], self.d[idx])

    def __neg__(self) -> Dual:
        return Dual(-self.v, -self.d)

    def __add__(self, o: Any) -> Dual:
        return Dual(self.v + o.v, self.d + o.d) if type(o) is Dual else Dual(self.v + o, self.d)

    __radd__ = __add__

    def __sub__(self, o: Any) -> Dual:
        return Dual(self.v - o.v, self.d - o.d) if type(o) is Dual else Dual(self.v - o, self.d)

    def __rsub__(self, o: Any) -> Dual:
        return Dual(o - self.v, -self.d)

    def __mul__(self, o: Any) -> Dual:
        if type(o) is Dual:
            return Dual(self.v * o.v, self.d * o.v + self.v * o.d)
        return Dual(self.v * o, self.d * o)

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> Dual:
        if type(o) is Dual:
            q = self.v / o.v
            return Dual(q, (self.d - q * o.d) / o.v)
        return Dual(self.v / o, self.d / o)

    def __rtruediv__(self, o: Any) -> Dual:
        q = o / self.v
        return Dual(q, -q * self.d / self.v)


def val(x: Any) -> Any:
    """The value part of ``x`` (``x`` itself when it is not dual)."""
    return x.v if type(x) is Dual else x


def _chain(fn: Any, dfn: Any) -> Any:
    def f(x: Any) -> Any:
        if type(x) is Dual:
            return Dual(fn(x.v), dfn(x.v) * x.d)
        return fn(x)
    return f


exp = _chain(np.exp, np.exp)
sqrt = _chain(np.sqrt, lambda v: 0.5 / np.sqrt(v))
erfc = _chain(snp.erfc, lambda v: -2 / np.sqrt(np.pi) * np.exp(-v * v))
expm1 = _chain(np.expm1, np.exp)
log = _chain(np.log, lambda v: 1 / v)
log1p = _chain(np.log1p, lambda v: 1 / (1 + v))
lgamma = _chain(snp.lgamma, snp.digamma)


def where(c: np.ndarray, x: Any, y: Any) -> Any:
    if type(x) is Dual or type(y) is Dual:
        x = x if type(x) is Dual else Dual(x)
        y = y if type(y) is Dual else Dual(y)
        return Dual(np.where(c, x.v, y.v), np.where(c, x.d, y.d))
    return np.where(c, x, y)


def put(out: Any, idx: np.ndarray, value: Any) -> None:
    """``out[idx] = value`` for arrays and duals."""
    if type(out) is Dual:
        value = value if type(value) is Dual else Dual(value)
        out.v[idx], out.d[idx] = value.v, value.d
    else:
        out[idx] = val(value)


def converged(delta: Any, total: Any) -> np.ndarray:
    """A term ``delta`` is negligible beside ``total``, in value and in derivative."""
    ok = np.abs(val(delta)) <= EPS * np.abs(val(total))
    if type(delta) is Dual:
        ok &= np.abs(delta.d) <= EPS * np.abs(total.d) + 1e-300
    return ok
