"""The machinery behind ``ftrans.scipy.stats``' distributions, as SciPy's ``rv_continuous``
and ``rv_discrete`` do it: a distribution is its standard functions (of ``z = (x - loc) /
scale``, or of ``k - loc`` for a discrete one) plus its support and the valid values of its
shape parameters; ``Continuous`` and ``Discrete`` turn them into SciPy's methods with SciPy's
signatures and edge values:

- arguments broadcast together and are computed in their common float dtype;
- invalid parameters (``scale <= 0``, shapes outside their domain, nan) give nan;
- outside the support: pdf/pmf 0, logpdf -inf, cdf 0 or 1 (logcdf -inf or 0), sf 1 or 0;
- logcdf and logsf, unless a distribution has its own: the log of the smaller tail, ``log1p``
  of minus the other beyond the median (SciPy's rule), so neither loses digits near 0;
  ``ppf(0)`` and ``ppf(1)`` are the support's ends (``a - 1`` for ``ppf(0)`` of a discrete
  distribution, as SciPy); q outside [0, 1] gives nan; a non-integer k has pmf 0.

Everything is built from ``ftrans.numpy`` and ``ftrans.scipy.special``, so each method is
differentiable in ``x`` and in every parameter (loc, scale, the shapes) and works under
``vmap``, ``jit`` and on CuPy. Where a branch is not taken its inputs are replaced by safe
values first (``safe.where``), so gradients stay finite.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Sequence

import numpy as np

from ... import numpy as fnp
from .._args import floats

Fn = Callable[..., Any]


def _quiet(fn: Fn) -> Fn:
    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    return wrapped


def _where(cond: Any, x: Any, y: Any) -> Any:
    return fnp.where(cond, x, y)


_FIRST = {"x": "The points, any shape (differentiable).",
          "k": "The integer points (a non-integer ``k`` has pmf 0).",
          "q": "The probabilities, in [0, 1] (outside it: nan; differentiable)."}
_DEFAULTS = {"loc": "The location (default {0}).",
             "scale": "The scale (default {0}); ``scale <= 0`` gives nan; differentiable."}


def _sections(first: str, shapes: Sequence[str], defaults: dict[str, float],
              summary: str) -> str:
    """The Parameters, Returns and Raises sections of a method's NumPy-style docstring."""
    lines = ["Parameters", "----------", f"{first} : array_like", "    " + _FIRST[first]]
    for s in shapes:
        lines += [f"{s} : array_like", "    A shape parameter (outside its domain: nan); "
                  "differentiable."]
    for k, v in defaults.items():
        lines += [f"{k} : array_like, optional",
                  "    " + _DEFAULTS.get(k, "Default {0}.").format(v)]
    lines += ["", "Returns", "-------", "out : ndarray",
              f"    {summary[0].upper()}{summary[1:]}, with the arguments broadcast together, in "
              "their common float dtype.", "", "Raises", "------", "TypeError",
              "    If the arguments do not fit the signature or are not real numbers.", ""]
    return "\n".join(lines) + "\n"


class _Family:
    """Shared: method construction with SciPy's signature, docstrings, argument handling."""

    kind = ""
    std: dict[str, Fn | None]  # the standard variable's functions, None where not given

    def __init__(self, name: str, shapes: Sequence[str], support: Callable[..., tuple],
                 shapes_ok: Callable[..., Any] | None, example: dict[str, tuple[str, str]]):
        self.name, self.shapes, self.support = name, tuple(shapes), support
        self.shapes_ok = shapes_ok or (lambda *s: True)
        self.example = example

    def _rule(self, name: str) -> Fn:
        """``self.std[name]``, one of the functions the constructor requires."""
        f = self.std[name]
        assert f is not None, f"{self.name}: {name} is required"
        return f

    def _make(self, method: str, first: str, body: Callable[..., Any], summary: str,
              defaults: dict[str, float]) -> Fn:
        params = [inspect.Parameter(first, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        params += [inspect.Parameter(s, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                   for s in self.shapes]
        params += [inspect.Parameter(k, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=v)
                   for k, v in defaults.items()]
        sig = inspect.Signature(params)
        qualname = f"{self.name}.{method}"

        def fn(*args: Any, **kwargs: Any) -> Any:
            try:
                bound = sig.bind(*args, **kwargs)
            except TypeError as e:
                raise TypeError(f"{qualname}{sig}: {e}") from None
            bound.apply_defaults()
            vals = floats(qualname, *bound.arguments.values(), names=tuple(bound.arguments))
            with np.errstate(all="ignore"):
                return body(*vals)
        fn.__name__, fn.__qualname__ = method, qualname
        fn.__signature__ = sig  # type: ignore[attr-defined]
        call = self.example.get(method)
        fn.__doc__ = (f"SciPy's ``stats.{self.name}.{method}{sig}``: {summary}.\n\n"
                      + _sections(first, self.shapes, defaults, summary)
                      + f"Examples\n--------\n>>> from ftrans.scipy.stats import {self.name}\n"
                      + (f">>> {call[0]}\n{call[1]}\n" if call else ""))
        fn.__module__ = f"ftrans.scipy.stats.{self.name}"
        return fn


class Continuous(_Family):
    """A location-scale family: ``logpdf(z, *shapes)`` (and optionally ``pdf``, ``cdf``,
    ``sf``, ``logcdf``, ``logsf``, ``ppf``, ``isf``) of the standard variable; ``support(
    *shapes)`` gives its ends ``(lo, hi)``; ``inside(*shapes)`` a point strictly inside (the
    safe value for branches not taken)."""

    def __init__(self, name: str, shapes: Sequence[str], logpdf: Fn, cdf: Fn,
                 support: Callable[..., tuple], inside: Callable[..., Any], ppf: Fn,
                 pdf: Fn | None = None, sf: Fn | None = None, logcdf: Fn | None = None,
                 logsf: Fn | None = None, isf: Fn | None = None,
                 shapes_ok: Callable[..., Any] | None = None,
                 example: dict[str, tuple[str, str]] | None = None):
        super().__init__(name, shapes, support, shapes_ok, example or {})
        self.std = {"logpdf": logpdf, "pdf": pdf, "cdf": cdf, "sf": sf, "logcdf": logcdf,
                    "logsf": logsf, "ppf": ppf, "isf": isf}
        self.inside = inside
        d = {"loc": 0.0, "scale": 1.0}
        self.logpdf = self._make("logpdf", "x", self._density(log=True),
                                 "the log of the probability density", d)
        self.pdf = self._make("pdf", "x", self._density(log=False),
                              "the probability density", d)
        self.cdf = self._make("cdf", "x", self._tail("cdf"), "the cumulative distribution", d)
        self.logcdf = self._make("logcdf", "x", self._tail("logcdf"), "the log of the cdf", d)
        self.sf = self._make("sf", "x", self._tail("sf"), "the survival function 1 - cdf", d)
        self.logsf = self._make("logsf", "x", self._tail("logsf"), "the log of the sf", d)
        self.ppf = self._make("ppf", "q", self._quantile(upper=False),
                              "the quantile function, the inverse of the cdf", d)
        self.isf = self._make("isf", "q", self._quantile(upper=True),
                              "the inverse of the survival function", d)

    def _standard(self, x: Any, shapes: tuple, loc: Any, scale: Any) -> tuple:
        ok = (scale > 0) & self.shapes_ok(*shapes)
        lo, hi = self.support(*shapes)
        z = (x - loc) / _where(ok, scale, 1.0)
        within = (z >= lo) & (z <= hi)
        safe = [_where(ok, s, 1.0) for s in shapes]
        zs = _where(within & ok, z, self.inside(*safe))
        return ok, lo, hi, z, within, safe, zs

    def _density(self, log: bool) -> Fn:
        def body(x: Any, *rest: Any) -> Any:
            *shapes, loc, scale = rest
            ok, lo, hi, z, within, safe, zs = self._standard(x, tuple(shapes), loc, scale)
            sc = _where(ok, scale, 1.0)
            if log:
                val = self._rule("logpdf")(zs, *safe) - fnp.log(sc)
                out = _where(within, val, -np.inf)
            else:
                pdf = self.std["pdf"]
                val = pdf(zs, *safe) if pdf else fnp.exp(self._rule("logpdf")(zs, *safe))
                out = _where(within, val / sc, 0.0)
            return _where(ok & ~fnp.isnan(z), out, np.nan)
        return body

    def _tail(self, which: str) -> Fn:
        below, above = {"cdf": (0.0, 1.0), "sf": (1.0, 0.0), "logcdf": (-np.inf, 0.0),
                        "logsf": (0.0, -np.inf)}[which]

        def standard(zs: Any, safe: list) -> Any:
            f = self.std[which]
            if f is not None:
                return f(zs, *safe)
            cdf = self._rule("cdf")(zs, *safe)
            sf = self.std["sf"](zs, *safe) if self.std["sf"] else 1 - cdf
            if which == "sf":
                return sf
            # as SciPy: the log of the smaller tail, log1p of minus the other above the median
            if which == "logcdf":
                return fnp.where(cdf < 0.5, fnp.log(cdf), fnp.log1p(-sf))
            return fnp.where(sf < 0.5, fnp.log(sf), fnp.log1p(-cdf))

        def body(x: Any, *rest: Any) -> Any:
            *shapes, loc, scale = rest
            ok, lo, hi, z, within, safe, zs = self._standard(x, tuple(shapes), loc, scale)
            out = _where(z < lo, below, _where(z > hi, above, standard(zs, safe)))
            return _where(ok & ~fnp.isnan(z), out, np.nan)
        return body

    def _quantile(self, upper: bool) -> Fn:
        def body(q: Any, *rest: Any) -> Any:
            *shapes, loc, scale = rest
            ok = (scale > 0) & self.shapes_ok(*shapes)
            safe = [_where(ok, s, 1.0) for s in shapes]
            lo, hi = self.support(*safe)
            inner = (q > 0) & (q < 1)
            qs = _where(inner, q, 0.5)
            f = self.std["isf" if upper else "ppf"]
            z = f(qs, *safe) if f is not None else self._rule("ppf")(1 - qs, *safe)
            first, last = (hi, lo) if upper else (lo, hi)
            z = _where(q == 0, first, _where(q == 1, last, z))
            out = loc + scale * z
            return _where(ok & (q >= 0) & (q <= 1), out, np.nan)
        return body

    def methods(self) -> tuple[Fn, ...]:
        return (self.pdf, self.logpdf, self.cdf, self.logcdf, self.sf, self.logsf, self.ppf,
                self.isf)


class Discrete(_Family):
    """A distribution on the integers: ``logpmf(k, *shapes)``, ``cdf(k, *shapes)`` (k an
    integer inside the support), optionally ``sf``; ``support(*shapes)``; ``ppf`` by
    bisection on the cdf up to ``upper_guess(*shapes)`` unless given."""

    def __init__(self, name: str, shapes: Sequence[str], logpmf: Fn, cdf: Fn,
                 support: Callable[..., tuple], sf: Fn | None = None, ppf: Fn | None = None,
                 upper_guess: Fn | None = None, shapes_ok: Callable[..., Any] | None = None,
                 example: dict[str, tuple[str, str]] | None = None):
        if ppf is None and upper_guess is None:
            raise TypeError(f"{name}: a Discrete family needs ppf or upper_guess")
        super().__init__(name, shapes, support, shapes_ok, example or {})
        self.std = {"logpmf": logpmf, "cdf": cdf, "sf": sf, "ppf": ppf}
        self.upper_guess = upper_guess
        d = {"loc": 0.0}
        self.logpmf = self._make("logpmf", "k", self._mass(log=True),
                                 "the log of the probability mass", d)
        self.pmf = self._make("pmf", "k", self._mass(log=False), "the probability mass", d)
        self.cdf = self._make("cdf", "k", self._tail("cdf"), "the cumulative distribution", d)
        self.logcdf = self._make("logcdf", "k", self._tail("logcdf"), "the log of the cdf", d)
        self.sf = self._make("sf", "k", self._tail("sf"), "the survival function 1 - cdf", d)
        self.logsf = self._make("logsf", "k", self._tail("logsf"), "the log of the sf", d)
        self.ppf = self._make("ppf", "q", self._quantile(), "the quantile function: the "
                              "smallest k with cdf(k) >= q", d)

    def _mass(self, log: bool) -> Fn:
        def body(k: Any, *rest: Any) -> Any:
            *shapes, loc = rest
            ok = self.shapes_ok(*shapes)
            safe = [_where(ok, s, 1.0) for s in shapes]
            lo, hi = self.support(*safe)
            j = k - loc
            keep = (j >= lo) & (j <= hi) & (j == fnp.floor(j))
            js = _where(keep, j, lo)
            val = self._rule("logpmf")(js, *safe)
            out = _where(keep, val, -np.inf) if log else _where(keep, fnp.exp(val), 0.0)
            return _where(ok & ~fnp.isnan(j), out, np.nan)
        return body

    def _tail(self, which: str) -> Fn:
        below, above = {"cdf": (0.0, 1.0), "sf": (1.0, 0.0), "logcdf": (-np.inf, 0.0),
                        "logsf": (0.0, -np.inf)}[which]

        def body(k: Any, *rest: Any) -> Any:
            *shapes, loc = rest
            ok = self.shapes_ok(*shapes)
            safe = [_where(ok, s, 1.0) for s in shapes]
            lo, hi = self.support(*safe)
            j = fnp.floor(k - loc)
            inner = (j >= lo) & (j < hi)
            js = _where(inner, j, lo)
            if which in ("cdf", "logcdf"):
                val = self._rule("cdf")(js, *safe)
            else:
                sf = self.std["sf"]
                val = sf(js, *safe) if sf else 1 - self._rule("cdf")(js, *safe)
            if which.startswith("log"):
                val = fnp.log(val)
            out = _where(j < lo, below, _where(j >= hi, above, val))
            return _where(ok & ~fnp.isnan(j), out, np.nan)
        return body

    def _quantile(self) -> Fn:
        def body(q: Any, *rest: Any) -> Any:
            *shapes, loc = rest
            ok = self.shapes_ok(*shapes)
            safe = [_where(ok, s, 1.0) for s in shapes]
            lo, hi = self.support(*safe)
            inner = (q > 0) & (q < 1)
            qs = _where(inner, q, 0.5)
            ppf = self.std["ppf"]
            if ppf is not None:
                k = ppf(qs, *safe)
            else:
                k = self._bisect(qs, safe, lo)
            k = _where(q == 0, lo - 1, _where(q == 1, hi, k))
            return _where(ok & (q >= 0) & (q <= 1), k + loc, np.nan)
        return body

    def _bisect(self, q: Any, safe: list, lo: Any) -> Any:
        """The smallest integer k with cdf(k) >= q: bisection on [lo - 1, upper_guess] (the
        cdf at lo - 1 is 0 < q, at the guess >= q), in a ``while_loop`` until every element's
        bracket is one wide."""
        from ... import lax
        low = fnp.zeros_like(q) + (lo - 1)
        assert self.upper_guess is not None  # the constructor's check, without ppf
        high = fnp.zeros_like(q) + self.upper_guess(*safe)
        shape_args = [fnp.zeros_like(q) + s for s in safe]

        def body(carry: tuple) -> tuple:
            low, high, *s = carry
            mid = fnp.floor(0.5 * (low + high))
            mid_c = _where(mid < lo, lo, mid)
            c = _where(mid < lo, 0.0, self._rule("cdf")(mid_c, *s))
            up = c >= q * (1 - 4e-16)  # a cdf one ulp low still inverts: ppf(cdf(k)) = k
            return (_where(up, low, mid), _where(up, mid, high), *s)

        def cond(carry: tuple) -> Any:
            low, high = carry[0], carry[1]
            return fnp.any(high - low > 1)

        out = lax.while_loop(cond, body, (low, high, *shape_args))
        return out[1]

    def methods(self) -> tuple[Fn, ...]:
        return (self.pmf, self.logpmf, self.cdf, self.logcdf, self.sf, self.logsf, self.ppf)


def quiet(fn: Fn) -> Fn:
    """``fn`` with NumPy's floating-point warnings off (concrete arrays meet inf and nan in
    the branches ``where`` discards)."""
    return _quiet(fn)
