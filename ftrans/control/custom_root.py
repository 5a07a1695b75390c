"""``lax.custom_root``: a root of ``f`` found by the user's ``solve``, differentiated by the
implicit function theorem rather than through the solver's iterations.

``f`` is traced once on ``initial_guess``'s shapes, and the values it closes over (``a`` in
``lambda x: x**2 - a``) become explicit arguments ``c``. ``solve`` runs once on ``f(c, .)``
with every derivative stopped (operands, results, what it closes over); its solution ``x*``
then goes through a ``custom_jvp`` identity ``root(c, x*) = x*`` whose rule is the implicit
function theorem: ``f(c, x*(c)) = 0``, so ``∂_x f · dx* + ∂_c f · dc = 0`` and
``dx* = -tangent_solve(∂_x f, ∂_c f · dc)``. Both ``∂_c f · dc`` and the linear map
``y -> ∂_x f · y`` handed to ``tangent_solve`` are jvps of ``f``'s jaxpr; reverse mode
transposes the rule (``tangent_solve`` must be linear in its right-hand side, as in JAX). The
initial guess and the auxiliary output of ``solve`` (``has_aux``) get no derivative.

>>> import ftrans, ftrans.lax as lax
>>> def newton(f, x):
...     for _ in range(20):
...         x = x - f(x) / ftrans.grad(f)(x)
...     return x
>>> sqrt = lambda a: lax.custom_root(lambda x: x * x - a, 1.0, newton, lambda g, y: y / g(1.0))
>>> print(round(float(sqrt(4.0)), 12), round(float(ftrans.grad(sqrt)(4.0)), 12))
2.0 0.25
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import aval_of, known_value
from ..ir import ClosedJaxpr, ShapedArray
from ..prims import ops
from ..prims.stop_gradient import stop_gradient
from ..symbolic import Zero, zeros
from ..transforms.closed import call
from ..transforms.jvp import jvp_call
from ..tree_util import PyTreeDef, tree_flatten, tree_unflatten
from ..xp import same_device
from ._common import flat_args, fname, trace_fun
from .custom_jvp import custom_jvp

WHERE = "lax.custom_root"


def _check_callable(name: str, fun: Any, expected: str) -> None:
    if not callable(fun):
        raise TypeError(f"{WHERE}: {name} must be a callable {expected}, got "
                        f"{type(fun).__name__} {fun!r:.60}")


class _Shaped:
    """Pytrees of the initial guess's structure and shapes: flattened, checked, rebuilt."""

    def __init__(self, tree: PyTreeDef, avals: Sequence[ShapedArray]):
        self.tree, self.avals = tree, list(avals)

    def leaves(self, x: Any, what: str) -> list[Any]:
        leaves, tree = tree_flatten(x)
        if tree != self.tree:
            raise TypeError(f"{WHERE}: {what} must have the structure of initial_guess "
                            f"{self.tree}, got {tree}")
        leaves = flat_args(leaves, f"{WHERE}: {what}")[0]
        for x_, av in zip(leaves, self.avals):
            if aval_of(x_).shape != av.shape:
                raise TypeError(f"{WHERE}: {what} must have the shapes of initial_guess "
                                f"{[a.shape for a in self.avals]}, got "
                                f"{[aval_of(v).shape for v in leaves]}")
        return leaves

    def tree_of(self, leaves: Sequence[Any]) -> Any:
        return tree_unflatten(self.tree, list(leaves))


def _describe(x: Any) -> str:
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return f"an array {aval_of(x).strip_weak().str_short()}"
    return f"{type(x).__name__} {x!r:.60}"


def _zeros(xs: Sequence[Any]) -> list[Any]:
    return [Zero(aval_of(x).strip_weak()) for x in xs]


def _on_device_of(xs: Sequence[Any], likes: Sequence[Any]) -> list[Any]:
    """Host values (NumPy arrays, Python numbers, symbolic zeros: ``g(1.0)``) on the device
    of the matching ``likes``, for the jvp rules that combine them with those."""
    out = []
    for x, like in zip(xs, likes):
        if type(x) is Zero:
            x = zeros(x.aval, known_value(like))
        elif isinstance(x, (np.ndarray, np.generic)):
            x = same_device(np.asarray(x), known_value(like))
        out.append(x)
    return out


def _solve(f: ClosedJaxpr, consts: list, guess: list, shaped: _Shaped, solve: Callable,
           has_aux: bool) -> tuple[list[Any], Any]:
    """``solve`` on ``f`` from the guess, without derivatives: on the plain values when they
    are known (under ``grad``, ``jvp``... without ``jit``/``vmap``: a host solver that calls
    ``float`` works), else in the caller's traces on operands passed through
    ``stop_gradient``; its results pass through ``stop_gradient`` too, so nothing is
    differentiated through its iterations, nor through what it closes over (JAX's meaning).
    The solution's derivative comes from ``_implicit``."""
    known = [known_value(x) for x in [*consts, *guess]]
    if all(v is not None for v in known):  # under grad, jvp...: on the values themselves
        c, guess = known[:len(consts)], known[len(consts):]
    else:
        c, guess = [stop_gradient(x) for x in consts], [stop_gradient(x) for x in guess]
    likes = [c[0] if c else None]

    def f_c(x: Any) -> Any:
        xs = shaped.leaves(x, f"the argument of f (called by solve {fname(solve)})")
        return shaped.tree_of(call(f, *c, *_on_device_of(xs, likes * len(xs))))

    out = solve(f_c, shaped.tree_of(guess))
    if has_aux:
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"{WHERE}: with has_aux=True, solve {fname(solve)} must return a "
                            f"pair (solution, aux), got {_describe(out)}")
        sol, aux = out
    else:
        sol, aux = out, None
    sol = shaped.leaves(sol, f"the solution returned by solve {fname(solve)}")
    return [stop_gradient(x) for x in sol], stop_gradient(aux)


def _implicit(f: ClosedJaxpr, shaped: _Shaped, tangent_solve: Callable) -> custom_jvp:
    """``root(c, x) = x`` (``x`` a root of ``f(c, .)``) with the implicit function theorem
    as its jvp rule: ``dx = -tangent_solve(∂_x f, ∂_c f · dc)``. The rule re-enters
    ``root`` for its primal output, so a second derivative differentiates it again."""

    def root(c: list, x: list) -> list:
        return x

    fn = custom_jvp(root)

    @fn.defjvp
    def root_jvp(primals: tuple, tangents: tuple) -> tuple[Any, Any]:
        c, x = primals
        dc, _ = tangents  # x is given by c: its own tangent (zero) plays no part
        sol = fn(c, x)
        args = [*c, *sol]
        rhs = jvp_call(f, args, [*dc, *_zeros(sol)])[1]  # ∂_c f · dc

        def linear(y: Any) -> Any:  # y -> ∂_x f · y at the root
            ys = shaped.leaves(y, f"the argument of g (called by tangent_solve "
                                  f"{fname(tangent_solve)})")
            t_out = jvp_call(f, args, [*_zeros(c), *_on_device_of(ys, sol)])[1]
            return shaped.tree_of(_on_device_of(t_out, sol))

        dx = tangent_solve(linear, shaped.tree_of(_on_device_of(rhs, sol)))
        dx = shaped.leaves(dx, f"the result of tangent_solve {fname(tangent_solve)}")
        return sol, [ops.neg(t) for t in _on_device_of(dx, sol)]

    return fn


def custom_root(f: Callable, initial_guess: Any, solve: Callable, tangent_solve: Callable,
                has_aux: bool = False) -> Any:
    """JAX's ``lax.custom_root``: ``solve(f, initial_guess)``, a root of ``f``, differentiated by
    the implicit function theorem with respect to the values ``f`` closes over, not through
    ``solve``'s iterations.

    ``solve`` runs once, never differentiated: under ``grad``/``jvp`` without ``jit``/``vmap``
    on the plain values (a Python convergence loop, even a host solver such as
    ``scipy.optimize.brentq``, works); under ``jit`` or ``vmap`` it is traced, so it must be
    traceable (``lax.while_loop``, ``lax.fori_loop`` or a fixed number of steps).

    Parameters
    ----------
    f : callable
        From a pytree of arrays to one of the same structure and shapes.
    initial_guess : pytree
    solve : callable
        ``solve(f, initial_guess)`` returning the root (``(root, aux)`` with ``has_aux``).
    tangent_solve : callable
        ``tangent_solve(g, y)`` returning ``x`` with ``g(x) = y`` for ``g``, the linear map
        ``f`` linearized at the root (for a scalar, ``lambda g, y: y / g(1.0)``; for a vector,
        ``lambda g, y: ftrans.numpy.linalg.solve(ftrans.jacfwd(g)(y), y)``).
    has_aux : bool, default False
        ``solve`` returns ``(solution, aux)`` and so does ``custom_root``; ``aux`` gets no
        derivative, nor does what ``solve`` closes over.

    Returns
    -------
    pytree
        The root (and ``aux`` with ``has_aux``).

    Raises
    ------
    TypeError
        If ``f``, ``solve`` or ``tangent_solve`` is not callable, or a function returns a
        structure or shapes other than ``initial_guess``'s.

    Examples
    --------
    >>> import ftrans, ftrans.lax as lax, ftrans.numpy as fnp, numpy as np
    >>> def newton(f, x):          # Newton's method for a vector root, Jacobian by jacfwd
    ...     for _ in range(30):
    ...         x = x - fnp.linalg.solve(ftrans.jacfwd(f)(x), f(x))
    ...     return x
    >>> lin = lambda g, y: fnp.linalg.solve(ftrans.jacfwd(g)(y), y)
    >>> def cube_roots(b):         # x_i**3 = b_i
    ...     return lax.custom_root(lambda x: x ** 3 - b, np.ones(2), newton, lin)
    >>> print(np.round(cube_roots(np.array([8.0, 27.0])), 10))
    [2. 3.]
    >>> print(np.round(ftrans.jacfwd(cube_roots)(np.array([8.0, 27.0])), 10) + 0.0)  # 1/(3x²)
    [[0.08333333 0.        ]
     [0.         0.03703704]]
    """
    _check_callable("f", f, "function f(x) whose root is sought")
    _check_callable("solve", solve, "solver solve(f, initial_guess)")
    _check_callable("tangent_solve", tangent_solve, "linear solver tangent_solve(g, y)")
    guess, args_tree, avals = flat_args((initial_guess,), f"{WHERE}: initial_guess")
    tree = tree_flatten(initial_guess)[1]
    cj, consts, out_tree, _ = trace_fun(f, args_tree, avals, f"{WHERE}: f",
                                        why=f"the function f of {WHERE}")
    out_avals = cj.out_avals
    if out_tree != tree or [a.shape for a in out_avals] != [a.shape for a in avals]:
        raise TypeError(f"{WHERE}: f must return a pytree of the structure and shapes of "
                        f"initial_guess, {tree} with shapes {[a.shape for a in avals]}; got "
                        f"{out_tree} with shapes {[a.shape for a in out_avals]}")
    shaped = _Shaped(tree, avals)
    sol, aux = _solve(cj, consts, guess, shaped, solve, has_aux)
    sol = tree_unflatten(tree, _implicit(cj, shaped, tangent_solve)(consts, sol))
    return (sol, aux) if has_aux else sol
