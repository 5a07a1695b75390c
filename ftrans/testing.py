"""Checking derivatives: central finite differences, the jvp/vjp dot-product identity, and
``check_grads`` that runs them to a chosen order in both modes.

>>> import ftrans.numpy as fnp
>>> check_grads(fnp.sin, (0.3,), order=2)
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .tree_util import tree_flatten, tree_unflatten

_EPS = {np.dtype(np.float64): 1e-6, np.dtype(np.float32): 1e-3, np.dtype(np.float16): 1e-1}
_RTOL = {np.dtype(np.float64): 1e-5, np.dtype(np.float32): 2e-2, np.dtype(np.float16): 1e-1}


def _dtype(args: Sequence[Any], f: Callable | None = None) -> np.dtype:
    """The least precise float dtype among the arguments (and ``f``'s outputs)."""
    leaves = tree_flatten(tuple(args))[0]
    if f is not None:
        leaves = leaves + tree_flatten(f(*args))[0]
    floats = [np.asarray(x).dtype for x in leaves if np.issubdtype(np.asarray(x).dtype,
                                                                    np.floating)]
    return min(floats, key=lambda d: d.itemsize) if floats else np.dtype(np.float64)


def _axpy(a: float, xs: Any, ys: Any) -> Any:
    xl, tree = tree_flatten(xs)
    yl, _ = tree_flatten(ys)
    return tree_unflatten(tree, [np.asarray(y) + a * np.asarray(x, dtype=np.asarray(y).dtype)
                                 for x, y in zip(xl, yl)])


def _vdot(xs: Any, ys: Any) -> float:
    xl = tree_flatten(xs)[0]
    yl = tree_flatten(ys)[0]
    return float(sum(np.vdot(np.asarray(x, np.float64), np.asarray(y, np.float64))
                     for x, y in zip(xl, yl)))


def numerical_jvp(f: Callable, primals: Sequence[Any], tangents: Sequence[Any],
                  eps: float | None = None) -> Any:
    """(f(x + εt) − f(x − εt)) / 2ε, leafwise over the output pytree.

    >>> import ftrans.numpy as fnp
    >>> round(float(numerical_jvp(fnp.sin, (0.0,), (1.0,))), 6)
    1.0
    """
    eps = eps or _EPS.get(_dtype(primals, f), 1e-6)
    hi = f(*_axpy(eps, tangents, tuple(primals)))
    lo = f(*_axpy(-eps, tangents, tuple(primals)))
    hl, tree = tree_flatten(hi)
    ll = tree_flatten(lo)[0]
    return tree_unflatten(tree, [(np.asarray(h, np.float64) - np.asarray(lv, np.float64))
                                 / (2 * eps) for h, lv in zip(hl, ll)])


def _random_like(tree: Any, rng: np.random.Generator) -> Any:
    leaves, treedef = tree_flatten(tree)
    return tree_unflatten(treedef, [rng.standard_normal(np.shape(x)).astype(np.asarray(x).dtype)
                                    for x in leaves])


def _assert_close(actual: Any, expected: Any, rtol: float, atol: float, what: str) -> None:
    al = tree_flatten(actual)[0]
    el = tree_flatten(expected)[0]
    if len(al) != len(el):
        raise AssertionError(f"{what}: {len(al)} outputs vs {len(el)}")
    for i, (a, e) in enumerate(zip(al, el)):
        a64, e64 = np.asarray(a, np.float64), np.asarray(e, np.float64)
        if a64.shape != e64.shape:
            raise AssertionError(f"{what}: output {i} has shape {a64.shape}, expected "
                                 f"{e64.shape}")
        if not np.allclose(a64, e64, rtol=rtol, atol=atol, equal_nan=True):
            err = np.max(np.abs(a64 - e64)) if a64.size else 0.0
            raise AssertionError(f"{what}: output {i} differs by up to {err:.3g} "
                                 f"(rtol={rtol}, atol={atol})\nactual:   {a64}\nexpected: {e64}")


def check_jvp(f: Callable, primals: Sequence[Any], order: int = 1, eps: float | None = None,
              rtol: float | None = None, seed: int = 0) -> None:
    """jvp of ``f`` against central finite differences, recursively up to ``order``."""
    from .api import jvp
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
    recursively up to ``order``."""
    from .api import jvp, vjp
    rng = np.random.default_rng(seed)
    dt = _dtype(primals, f)
    rtol = rtol or _RTOL.get(dt, 1e-5)
    out, f_vjp = vjp(f, *primals)
    v = _random_like(tuple(primals), rng)
    u = _random_like(out, rng)
    (_, jv) = jvp(f, tuple(primals), v)
    ju = f_vjp(u)
    lhs, rhs = _vdot(u, jv), _vdot(ju, v)
    num = _vdot(u, numerical_jvp(f, primals, v, eps))
    scale = max(1.0, abs(lhs), abs(rhs))
    if abs(lhs - rhs) > rtol * scale:
        raise AssertionError(f"jvp/vjp disagree: <u, Jv> = {lhs!r} but <J^T u, v> = {rhs!r}")
    if abs(rhs - num) > 10 * rtol * scale:
        raise AssertionError(f"vjp disagrees with finite differences: <J^T u, v> = {rhs!r}, "
                             f"numerical {num!r}")
    if order > 1:
        check_vjp(lambda *x: vjp(f, *x)[1](u), primals, order - 1, eps, rtol, seed + 1)


def check_grads(f: Callable, args: Sequence[Any], order: int = 2,
                modes: Sequence[str] = ("fwd", "rev"), eps: float | None = None,
                rtol: float | None = None) -> None:
    """Check ``f``'s derivatives up to ``order`` in the given modes against finite
    differences (and reverse against forward); raises ``AssertionError`` naming what differs.

    >>> import ftrans.numpy as fnp
    >>> check_grads(lambda x: x * fnp.exp(x), (0.5,), order=2)
    """
    for mode in modes:
        if mode not in ("fwd", "rev"):
            raise ValueError(f"check_grads: unknown mode {mode!r}; use 'fwd' and/or 'rev'")
    if "fwd" in modes:
        check_jvp(f, tuple(args), order, eps, rtol)
    if "rev" in modes:
        check_vjp(f, tuple(args), order, eps, rtol)
