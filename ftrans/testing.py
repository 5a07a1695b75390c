"""Checking derivatives: central finite differences, the jvp/vjp dot-product identity, and
``check_grads`` that runs them to a chosen order in both modes.

Complex values are checked as JAX's ``check_grads`` checks them: directions (tangents and
cotangents) of complex inputs and outputs are complex, finite differences are taken along
them, and jvp and vjp are compared through the real pairing ``⟨u, v⟩ = Re Σ u·v`` (no
conjugation), for which ftrans's (JAX's) vjp is the transpose of the jvp
(``docs/complex.md``).

>>> import ftrans.numpy as fnp
>>> check_grads(fnp.sin, (0.3,), order=2)
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from .api.checks import arg_name
from .api.derivatives import jvp, vjp
from .core import ConcretizationError, TracerArrayConversionError, same_device
from .device import to_host
from .display import summarize
from .ir import is_complex_dtype, real_dtype
from .numpy._promote import dtype_of
from .tree_util import tree_flatten, tree_unflatten

__all__ = ["check_grads", "check_jvp", "check_vjp", "numerical_jvp", "pair"]

_EPS = {np.dtype(np.float64): 1e-6, np.dtype(np.float32): 1e-3, np.dtype(np.float16): 1e-1}
_RTOL = {np.dtype(np.float64): 1e-5, np.dtype(np.float32): 2e-2, np.dtype(np.float16): 1e-1}


def _dtype(args: Sequence[Any], f: Callable | None = None) -> np.dtype:
    """The least precise float dtype among the arguments (and ``f``'s outputs); a complex
    dtype counts as its parts' (complex64 as float32)."""
    leaves = tree_flatten(tuple(args))[0]
    if f is not None:
        leaves = leaves + tree_flatten(f(*args))[0]
    floats = [real_dtype(dtype_of(x)) for x in leaves
              if np.issubdtype(dtype_of(x), np.inexact)]
    return min(floats, key=lambda d: d.itemsize) if floats else np.dtype(np.float64)


def _host(x: Any) -> np.ndarray:
    """``x`` on the host in float64, or complex128 if it is complex."""
    return to_host(x, np.complex128 if is_complex_dtype(dtype_of(x)) else np.float64)


def _axpy(a: float, xs: Any, ys: Any) -> Any:
    xl, tree = tree_flatten(xs)
    yl, _ = tree_flatten(ys)
    return tree_unflatten(tree, [same_device(to_host(y) + a * to_host(x, dtype_of(y)), y)
                                 for x, y in zip(xl, yl)])


def pair(xs: Any, ys: Any) -> float:
    """The real pairing ``Re Σ x·y`` of two pytrees of arrays (no conjugation: for real
    arrays the dot product), under which vjp is the transpose of jvp: ``pair(u, J v) ==
    pair(vjp(u), v)``, complex values included.

    Parameters
    ----------
    xs, ys : pytree of array_like
        Two pytrees of the same structure and leaf sizes (arrays, numbers, on the host or
        the GPU).

    Returns
    -------
    out : float
        ``Re Σ x·y`` over all leaves, computed in float64 (complex128) on the host.

    Examples
    --------
    >>> pair(1 + 2j, 3 - 1j), pair([1.0, 2.0], [3.0, 4.0])
    (5.0, 11.0)
    """
    xl = tree_flatten(xs)[0]
    yl = tree_flatten(ys)[0]
    total = 0.0
    for x, y in zip(xl, yl):
        x, y = _host(x).ravel(), _host(y).ravel()
        total += float(np.real(np.dot(x, y))) if x.dtype.kind == "c" or y.dtype.kind == "c" \
            else float(np.vdot(x, y))
    return total



def numerical_jvp(f: Callable, primals: Sequence[Any], tangents: Sequence[Any],
                  eps: float | None = None) -> Any:
    """(f(x + εt) − f(x − εt)) / 2ε, leafwise over the output pytree: the directional
    derivative of ``f`` by central finite differences.

    Parameters
    ----------
    f : callable
        The function, of arrays (pytrees) to arrays (pytrees).
    primals : sequence
        Its arguments ``x``.
    tangents : sequence
        The direction ``t``, one per argument, of the arguments' shapes.
    eps : float, optional
        The step ``ε`` (default by the least precise float dtype among the arguments and
        outputs: 1e-6 for float64, 1e-3 for float32).

    Returns
    -------
    out : pytree of ndarray
        The estimate, shaped like ``f``'s output, in float64 (complex128) on the host.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> round(float(numerical_jvp(fnp.sin, (0.0,), (1.0,))), 6)
    1.0
    """
    eps = eps or _EPS.get(_dtype(primals, f), 1e-6)
    hi = f(*_axpy(eps, tangents, tuple(primals)))
    lo = f(*_axpy(-eps, tangents, tuple(primals)))
    hl, tree = tree_flatten(hi)
    ll = tree_flatten(lo)[0]
    return tree_unflatten(tree, [(_host(h) - _host(lv)) / (2 * eps) for h, lv in zip(hl, ll)])


def _random_like(tree: Any, rng: np.random.Generator) -> Any:
    """Standard normal directions shaped like ``tree``'s leaves; complex ones for complex
    leaves (real and imaginary parts independent)."""
    leaves, treedef = tree_flatten(tree)
    out = []
    for x in leaves:
        dt = dtype_of(x)
        v = rng.standard_normal(np.shape(x))
        if is_complex_dtype(dt):
            v = v + 1j * rng.standard_normal(np.shape(x))
        out.append(same_device(v.astype(dt), x))
    return tree_unflatten(treedef, out)


def _assert_close(actual: Any, expected: Any, rtol: float, atol: float, what: str) -> None:
    al = tree_flatten(actual)[0]
    el = tree_flatten(expected)[0]
    if len(al) != len(el):
        raise AssertionError(f"{what}: {len(al)} outputs vs {len(el)}")
    for i, (a, e) in enumerate(zip(al, el)):
        a64, e64 = _host(a), _host(e)
        if a64.shape != e64.shape:
            raise AssertionError(f"{what}: output {i} has shape {a64.shape}, expected "
                                 f"{e64.shape}")
        if not np.allclose(a64, e64, rtol=rtol, atol=atol, equal_nan=True):
            err = np.max(np.abs(a64 - e64)) if a64.size else 0.0
            raise AssertionError(f"{what}: output {i} differs by up to {err:.3g} "
                                 f"(rtol={rtol}, atol={atol})\nactual:   {a64}\nexpected: {e64}")


def check_jvp(f: Callable, primals: Sequence[Any], order: int = 1, eps: float | None = None,
              rtol: float | None = None, seed: int = 0) -> None:
    """jvp of ``f`` against central finite differences, recursively up to ``order``
    (the jvp of the jvp along the same random tangent, and so on).

    Parameters
    ----------
    f : callable
        The function, of arrays (pytrees) to arrays (pytrees).
    primals : sequence
        The point: its arguments, of a float (or complex) dtype.
    order : int, optional
        The highest order checked (default 1).
    eps : float, optional
        The finite-difference step (default by dtype, as ``numerical_jvp``).
    rtol : float, optional
        The relative and absolute tolerance (default 1e-5 for float64, 2e-2 for float32).
    seed : int, optional
        Seeds the random tangents (default 0).

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        If the jvp and the finite differences differ by more than ``rtol``.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> check_jvp(fnp.tanh, (0.4,), order=2)
    """
    rng = np.random.default_rng(seed)
    dt = _dtype(primals, f)
    rtol = rtol or _RTOL.get(dt, 1e-5)
    tangents = _random_like(tuple(primals), rng)
    _, t_out = jvp(f, tuple(primals), tangents)
    t_num = numerical_jvp(f, primals, tangents, eps)
    _assert_close(t_out, t_num, rtol, rtol, f"order-1 jvp of {getattr(f, '__name__', f)}")
    if order > 1:
        check_jvp(lambda *x: jvp(f, x, tangents)[1], primals, order - 1, eps, rtol, seed + 1)


def check_vjp(f: Callable, primals: Sequence[Any], order: int = 1, eps: float | None = None,
              rtol: float | None = None, seed: int = 0) -> None:
    """vjp of ``f`` against jvp by ⟨ū, J v⟩ = ⟨Jᵀ ū, v⟩, and against finite differences,
    recursively up to ``order`` (the vjp of the vjp along the same random cotangent ...).

    Parameters
    ----------
    f : callable
        The function, of arrays (pytrees) to arrays (pytrees).
    primals : sequence
        The point: its arguments, of a float (or complex) dtype.
    order : int, optional
        The highest order checked (default 1).
    eps : float, optional
        The finite-difference step (default by dtype, as ``numerical_jvp``).
    rtol : float, optional
        The tolerance relative to the pairings' size (default 1e-5 for float64, 2e-2 for
        float32; ten times as much against finite differences).
    seed : int, optional
        Seeds the random directions (default 0).

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        If ⟨ū, J v⟩ and ⟨Jᵀ ū, v⟩ disagree, or either disagrees with finite differences.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> check_vjp(lambda x, y: x * fnp.sin(y), (2.0, 0.3), order=2)
    """
    rng = np.random.default_rng(seed)
    dt = _dtype(primals, f)
    rtol = rtol or _RTOL.get(dt, 1e-5)
    out, f_vjp = vjp(f, *primals)
    v = _random_like(tuple(primals), rng)
    u = _random_like(out, rng)
    (_, jv) = jvp(f, tuple(primals), v)
    ju = f_vjp(u)
    lhs, rhs = pair(u, jv), pair(ju, v)
    num = pair(u, numerical_jvp(f, primals, v, eps))
    scale = max(1.0, abs(lhs), abs(rhs))
    if abs(lhs - rhs) > rtol * scale:
        raise AssertionError(f"jvp/vjp disagree: <u, Jv> = {lhs!r} but <J^T u, v> = {rhs!r}")
    if abs(rhs - num) > 10 * rtol * scale:
        raise AssertionError(f"vjp disagrees with finite differences: <J^T u, v> = {rhs!r}, "
                             f"numerical {num!r}")
    if order > 1:
        check_vjp(lambda *x: vjp(f, *x)[1](u), primals, order - 1, eps, rtol, seed + 1)


def _summary(x: Any) -> str:
    leaves = tree_flatten(x)[0]
    return summarize(leaves[0], 6) if len(leaves) == 1 else f"{len(leaves)} leaves"


class _Level(NamedTuple):
    """One function of a derivative chain: ``fn`` is f differentiated ``order - 1`` times."""

    fn: Callable
    order: int
    how: str  # e.g. "f", "jvp(f)", "vjp(jvp(f))"


def _compare(actual: Any, expected: Any, rtol: float, what: str) -> None:
    """Leafwise closeness with one tolerance scaled by the size of the expected values."""
    al, el = tree_flatten(actual)[0], tree_flatten(expected)[0]
    for k, (a, e) in enumerate(zip(al, el)):
        a64, e64 = to_host(a, np.complex128), to_host(e, np.complex128)
        if a64.shape != e64.shape:
            raise AssertionError(f"{what}: output {k} has shape {a64.shape}, finite differences "
                                 f"give {e64.shape}")
        scale = max(1.0, float(np.max(np.abs(e64)))) if e64.size else 1.0
        err = float(np.max(np.abs(a64 - e64))) if a64.size else 0.0
        if not err <= rtol * scale:  # also catches NaN
            out = f" output {k}" if len(al) > 1 else ""
            raise AssertionError(
                f"{what}{out}: differs by {err:.3g} (relative {err / scale:.3g}, tolerance "
                f"{rtol:.3g})\n  derivative:         {_summary(a)}\n  finite differences: "
                f"{_summary(e)}")


def _check_inputs(f: Callable, args: tuple, names: list[str]) -> Any:
    for i, a in enumerate(args):
        for leaf in tree_flatten(a)[0]:
            if not hasattr(leaf, "dtype") and not isinstance(leaf, (int, float, complex)):
                raise TypeError(f"check_grads: {names[i]} must be an array or a number, got "
                                f"{type(leaf).__name__}")
            dt = dtype_of(leaf)
            if not np.issubdtype(dt, np.inexact):
                raise TypeError(f"check_grads: {names[i]} has dtype {dt.name}; derivatives "
                                "need floating-point inputs. Pass it as a float (e.g. "
                                "np.float64(x) or x.astype(float)), or close over it: "
                                "check_grads(lambda y: f(n, y), (y,)).")
    out = f(*args)
    for k, leaf in enumerate(tree_flatten(out)[0]):
        dt = dtype_of(leaf)
        if not np.issubdtype(dt, np.inexact):
            raise TypeError(f"check_grads: output {k} of {_name(f)} has dtype {dt.name}; only "
                            "floating-point outputs have derivatives (is the function "
                            "piecewise constant, e.g. a comparison or a rounding?)")
    return out


def _name(f: Callable) -> str:
    return getattr(f, "__name__", type(f).__name__)


def _arg_names(f: Callable, n: int) -> list[str]:
    return [arg_name(f, i) for i in range(n)]


def _only(f: Callable, args: tuple, i: int) -> Callable:
    def fi(x: Any) -> Any:
        return f(*args[:i], x, *args[i + 1:])
    return fi


def _chain(f: Callable, x: Any, order: int, mode: str, rng: np.random.Generator
           ) -> list[_Level]:
    """f, then f differentiated once, twice… (along random directions, by ``mode``)."""
    levels = [_Level(f, 1, "f")]
    for k in range(2, order + 1):
        g = levels[-1].fn
        if mode == "fwd":
            v = _random_like(x, rng)
            levels.append(_Level(lambda y, g=g, v=v: jvp(g, (y,), (v,))[1], k,
                                 f"jvp({levels[-1].how})"))
        else:
            u = _random_like(g(x), rng)
            levels.append(_Level(lambda y, g=g, u=u: vjp(g, y)[1](u)[0], k,
                                 f"vjp({levels[-1].how})"))
    return levels


def _check_level(level: _Level, x: Any, modes: Sequence[str], eps: float, rtol: float,
                 rng: np.random.Generator, arg: str) -> None:
    g = level.fn
    v = _random_like(x, rng)
    where = (f"check_grads: order-{level.order} derivative with respect to {arg}, along the "
             f"random direction v = {_summary(v)}")
    if level.order > 1:
        where += f" (differentiating {level.how})"
    num = numerical_jvp(g, (x,), (v,), eps)
    jv = None
    if "fwd" in modes:
        out, jv = jvp(g, (x,), (v,))
        _compare(jv, num, rtol, f"{where}: forward mode (jvp)")
    if "rev" in modes:
        out, g_vjp = vjp(g, x)
        u = _random_like(out, rng)
        (ju,) = g_vjp(u)
        rhs = pair(ju, v)
        _compare(rhs, pair(u, num), rtol,
                 f"{where}, output cotangent u = {_summary(u)}: reverse mode <vjp(u), v>")
        if jv is not None:
            lhs = pair(u, jv)
            scale = max(1.0, abs(lhs), abs(rhs))
            if not abs(lhs - rhs) <= rtol * scale:
                raise AssertionError(
                    f"{where}: forward and reverse mode disagree: <u, jvp(v)> = {lhs!r} but "
                    f"<vjp(u), v> = {rhs!r}, off by {abs(lhs - rhs):.3g} (tolerance "
                    f"{rtol * scale:.3g})")


def check_grads(f: Callable, args: Sequence[Any], order: int = 2,
                modes: Sequence[str] = ("fwd", "rev"), eps: float | None = None,
                rtol: float | None = None, seed: int = 0) -> None:
    """Check ``f``'s derivatives with respect to each argument, for every order up to
    ``order``: forward mode (jvp) and reverse mode (vjp) against central finite differences,
    and against each other by ⟨u, J v⟩ = ⟨Jᵀ u, v⟩, along random directions. Higher orders
    differentiate the lower-order derivative again, in each mode (with both modes, reverse
    over forward is checked too). ``eps`` and ``rtol`` default by the least precise float
    dtype among the inputs and outputs (float64: 1e-6 and 1e-5; float32: 1e-3 and 2e-2).

    Parameters
    ----------
    f : callable
        The function, of arrays (pytrees) to arrays (pytrees).
    args : tuple or list
        Its arguments (``(x,)`` for one), arrays or numbers of a float or complex dtype.
    order : int, optional
        The highest order checked, ``>= 1`` (default 2).
    modes : sequence of str, optional
        ``"fwd"`` (jvp) and/or ``"rev"`` (vjp) (default both).
    eps : float, optional
        The finite-difference step (default by dtype, as above).
    rtol : float, optional
        The tolerance (default by dtype, as above).
    seed : int, optional
        Seeds the random directions (default 0).

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        Saying which argument, order, mode and direction disagree and by how much.
    TypeError
        If ``args`` is not a tuple or list, an input or output has an integer (or other
        non-float) dtype, or ``f`` cannot be differentiated (it needs a concrete value).
    ValueError
        If ``order`` is not an integer ``>= 1`` or a mode is unknown.

    Examples
    --------
    >>> import ftrans.numpy as fnp
    >>> check_grads(lambda x, y: x * fnp.exp(y), (0.5, 0.2), order=2)
    """
    for mode in modes:
        if mode not in ("fwd", "rev"):
            raise ValueError(f"check_grads: unknown mode {mode!r}; use 'fwd' and/or 'rev'")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"check_grads: order must be an integer >= 1, got {order!r}")
    if not isinstance(args, (tuple, list)):
        raise TypeError(f"check_grads: args must be a tuple of arguments, got "
                        f"{type(args).__name__} (write args=(x,) for one argument)")
    args = tuple(args)
    names = _arg_names(f, len(args))
    _check_inputs(f, args, names)
    dt = _dtype(args, f)
    eps = eps or _EPS.get(dt, 1e-6)
    rtol = rtol or _RTOL.get(dt, 1e-5)
    rng = np.random.default_rng(seed)
    for i in range(len(args)):
        fi = _only(f, args, i)
        try:
            _check_level(_Level(fi, 1, "f"), args[i], modes, eps, rtol, rng, names[i])
            for mode in modes:
                for level in _chain(fi, args[i], order, mode, rng)[1:]:
                    _check_level(level, args[i], modes, eps, rtol, rng, names[i])
        except (NotImplementedError, ConcretizationError, TracerArrayConversionError) as e:
            raise TypeError(f"check_grads: cannot differentiate {_name(f)} with respect to "
                            f"{names[i]}: {e}") from e

__all__ = ["pair", "numerical_jvp", "check_jvp", "check_vjp", "check_grads"]
