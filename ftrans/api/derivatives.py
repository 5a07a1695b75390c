"""The derivative API: ``jvp``, ``linearize``, ``vjp``, ``linear_transpose``, ``grad``,
``value_and_grad``, ``hvp``, ``saved_residuals``. Each traces the user's function once,
concretely (``trace_concrete``), then works on jaxprs only.
"""

from __future__ import annotations

import functools
import gc
from typing import Any, Callable, ParamSpec, Sequence, overload
from typing import Literal as Lit

import numpy as np

from ..backends.owned import owned
from ..core import Trace, Tracer, aval_of, eval_jaxpr
from ..device import check_same_backend, on_device, to_call_device
from ..errors import describe
from ..ir import Jaxpr, Literal
from ..transforms.jvp import jvp_jaxpr_eval
from ..transforms.linearize import LINEARIZE_WHY, linearize_jaxpr
from ..transforms.online import OnlineTrace, TangentTrace
from ..transforms.transpose import backward_pass
from ..tree_util import PyTreeDef, refill, tree_flatten, tree_unflatten
from .checks import (
    SCALARS,
    arg_name,
    as_value,
    check_diff_dtype,
    check_input_dtypes,
    check_output_dtype,
    check_tangent,
    finalize,
    fun_name,
    leaf_values,
    normalize_argnums,
    owned_tree,
)

_P = ParamSpec("_P")


class Traced:
    """The result of tracing a function concretely: jaxpr, recorded values, outputs."""

    __slots__ = ("jaxpr", "values", "out_vals", "out_tree", "aux", "in_tree", "xp", "avoid",
                 "online")

    def __init__(self, jaxpr: Jaxpr, values: dict, out_vals: list, out_tree: PyTreeDef,
                 aux: Any, in_tree: PyTreeDef, xp: Any, avoid: list, online: Any = None):
        self.jaxpr, self.values, self.out_vals = jaxpr, values, out_vals
        self.out_tree, self.aux, self.in_tree = out_tree, aux, in_tree
        self.xp = xp  # the array module of the call's device: numpy, or cupy on the GPU
        # what results must not alias (owned): the inputs, captured constants, aux's arrays
        self.avoid = avoid
        # derivatives taken during the trace (OnlineTrace; ``values`` is then empty): the
        # linear jaxpr and its residuals, or the output tangents (forward mode); else None
        self.online = online


def _strip(trace: Trace, tree: Any) -> Any:
    leaves, treedef = tree_flatten(tree)
    return tree_unflatten(treedef, [finalize(trace.value_of(x)) for x in leaves])


def trace_concrete(fun: Callable, primals: tuple, has_aux: bool, api: str,
                   arg_names: Sequence[str], online: str = "",
                   tangents: Sequence[Any] = ()) -> Traced:
    """Trace ``fun(*primals)`` concretely, with each leaf of ``primals`` a tracer.

    ``online="linearize"`` (or ``"jvp"``, with the inputs' ``tangents``) takes the
    derivative during the trace where the call runs on NumPy (``OnlineTrace``): the result's
    ``online`` is then the linear jaxpr and its residuals (or the output tangents), and its
    ``values`` empty; elsewhere (the GPU) ``online`` is None and ``values`` the recorded
    primal values, as without ``online``."""
    collecting = gc.isenabled()
    gc.disable()  # tracing makes many small objects: collect after it (as jit's compile)
    try:
        return _trace_concrete(fun, primals, has_aux, api, arg_names, online, tangents)
    finally:
        if collecting:
            gc.enable()


def _trace_concrete(fun: Callable, primals: tuple, has_aux: bool, api: str,
                    arg_names: Sequence[str], online: str, tangents: Sequence[Any]) -> Traced:
    flat, in_tree = tree_flatten(primals)
    flat = [np.asarray(x) if type(x) is float else x  # as_value, its commonest cases first
            if type(x) is np.ndarray and x.dtype.kind not in "OSUV" else
            as_value(x, f"{api}: {arg_names[0] if len(arg_names) == 1 else 'an input'}")
            for x in flat]
    # the arguments not differentiated (``wrt``) also say where the call runs
    fixed = getattr(fun, "fixed_args", ())
    avoid = [*flat, *fixed]
    flat, xp = to_call_device(flat, api, fixed)
    if online and xp is np:
        trace: Trace = OnlineTrace(TangentTrace(LINEARIZE_WHY)
                                   if online == "linearize" else None)
    else:
        trace, online = Trace(concrete=True), ""
    with trace:
        if online == "jvp":
            tracers = [trace.new_arg(aval_of(x), x, t)  # type: ignore[call-arg]
                       for x, t in zip(flat, tangents)]
        else:
            tracers = [trace.new_arg(aval_of(x), x) for x in flat]
        out = fun(*tree_unflatten(in_tree, tracers))
        aux = None
        if has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError(f"{api} with has_aux=True: {fun_name(fun)} must return a pair "
                                f"(output, aux), but it returned {describe(out)}")
            out, aux = out
            aux = _strip(trace, aux)
            aux_flat, aux_tree = tree_flatten(aux)
            if aux_flat:  # aux is a result too, and later results must not alias it
                aux_flat = owned(aux_flat, avoid + [c for _, c in trace.consts.values()])
                aux = tree_unflatten(aux_tree, aux_flat)
                avoid += aux_flat
        out_flat, out_tree = tree_flatten(out)
        for o in out_flat:
            if not (isinstance(o, (Tracer, np.ndarray, np.generic) + SCALARS)
                    or hasattr(o, "__cuda_array_interface__")):
                raise TypeError(f"{api}: {fun_name(fun)} returned a {type(o).__name__} "
                                f"({o!r:.60}); outputs must be arrays or numbers")
        if online:  # no primal program: the outputs' values and the derivative
            assert isinstance(trace, OnlineTrace)
            atoms = [trace.to_atom(o) for o in out_flat]
            if trace.stale:
                trace.check_stale(atoms)
            out_vals = [a.val if type(a) is Literal else trace.value_of(o)
                        for a, o in zip(atoms, out_flat)]
            done = (trace.linear_jaxpr(out_flat) if online == "linearize"
                    else trace.output_tangents(atoms))
            if trace.consts:
                avoid += [c for _, c in trace.consts.values()]
            return Traced(_ONLINE, {}, out_vals, out_tree, aux, in_tree, xp, avoid, done)
        jaxpr, _ = trace.to_jaxpr(out_flat)
        values = trace.values
    if xp is not np:  # captured NumPy arrays meet device values in the derivative rules
        for v, c in zip(jaxpr.constvars, on_device(xp, [values[v] for v in jaxpr.constvars])):
            values[v] = c
    out_vals = [a.val if type(a) is Literal else values[a]  # type: ignore[index]
                for a in jaxpr.outvars]
    if jaxpr.constvars:
        avoid += [values[v] for v in jaxpr.constvars]
    return Traced(jaxpr, values, out_vals, out_tree, aux, in_tree, xp, avoid)


_ONLINE = Jaxpr((), (), (), ())  # Traced.jaxpr of an online trace: it records no program


def wrt(fun: Callable, args: tuple, kwargs: dict, argnums: tuple[int, ...]) -> Callable:
    """``fun`` as a function of the arguments in ``argnums`` only (named as ``fun``, for
    error messages): ``fun`` itself when ``argnums`` are all its arguments, in order."""
    if not kwargs and argnums == tuple(range(len(args))) \
            and getattr(fun, "fixed_args", None) is None:
        return fun  # nothing fixed: no wrapper (a per-call cost of small gradients)
    return _Wrt(fun, args, kwargs, argnums)


class _Wrt:
    """``wrt``'s function: ``fun`` with the arguments not in ``argnums`` fixed
    (``fixed_args``, which also say where the call runs); a slotted object, cheaper to make
    per call than a ``functools.wraps`` closure."""

    __slots__ = ("__wrapped__", "args", "kwargs", "argnums", "fixed_args")

    def __init__(self, fun: Callable, args: tuple, kwargs: dict, argnums: tuple[int, ...]):
        self.__wrapped__, self.args, self.kwargs, self.argnums = fun, args, kwargs, argnums
        self.fixed_args = [a for i, a in enumerate(args) if i not in argnums]
        if kwargs:
            self.fixed_args += kwargs.values()

    @property
    def __name__(self) -> str:  # type: ignore[override]
        return fun_name(self.__wrapped__)

    def __call__(self, *diff_args: Any) -> Any:
        return self.__wrapped__(*refill(self.args, self.argnums, diff_args), **self.kwargs)


@overload
def jvp(fun: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any],
        has_aux: Lit[False] = False) -> tuple[Any, Any]: ...
@overload
def jvp(fun: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any],
        has_aux: Lit[True]) -> tuple[Any, Any, Any]: ...
@overload
def jvp(fun: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any],
        has_aux: bool) -> tuple[Any, ...]: ...
def jvp(fun: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any],
        has_aux: bool = False) -> tuple[Any, ...]:
    """Forward mode: ``fun(*primals)`` and the Jacobian-vector product ``J·tangents``, in one
    pass.

    Parameters
    ----------
    fun : callable
        The function, of arrays, scalars or pytrees of them.
    primals : tuple or list
        The point: one entry per positional argument of ``fun``.
    tangents : tuple or list
        The direction: the structure, shapes and dtypes of ``primals``.
    has_aux : bool, default False
        ``fun`` returns ``(output, aux)``; ``aux`` is returned as it is, not differentiated.

    Returns
    -------
    tuple
        ``(output, tangent_out)``, or ``(output, tangent_out, aux)`` with ``has_aux``.

    Raises
    ------
    TypeError
        If ``primals`` or ``tangents`` is not a tuple or list, or a primal is not a float or
        complex array or number.
    ValueError
        If the tangents' structure, shapes or dtypes differ from the primals'.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp
    >>> ftrans.jvp(fnp.sin, (0.0,), (2.0,))
    (0.0, 2.0)
    >>> ftrans.jvp(lambda x, y: x * y, (3.0, 4.0), (1.0, 0.0))  # d/dx of x*y at (3, 4)
    (12.0, 4.0)
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: primals and tangents must be tuples or lists, got "
                        f"{type(primals).__name__} and {type(tangents).__name__}")
    p_flat, p_tree = tree_flatten(tuple(primals))
    t_flat, t_tree = tree_flatten(tuple(tangents))
    if p_tree != t_tree:
        raise ValueError(f"jvp: primals have structure {p_tree} but tangents have structure "
                         f"{t_tree}; they must match")
    for i, (p, t) in enumerate(zip(p_flat, t_flat)):
        p, t = as_value(p, f"jvp: primal {i}"), as_value(t, f"jvp: tangent {i}")
        check_diff_dtype(p, f"primal {i}", "jvp")
        check_tangent(p, t, f"jvp: tangent {i}")
    names = [f"primal {i}" for i in range(len(p_flat))]
    check_same_backend(p_flat + t_flat, "jvp")
    t_vals = [as_value(t, "jvp") for t in t_flat]
    t_vals = [t.astype(aval_of(p).dtype) if not isinstance(t, Tracer)
              and aval_of(t).dtype != aval_of(p).dtype else t for p, t in zip(p_flat, t_vals)]
    tr = trace_concrete(fun, tuple(primals), has_aux, "jvp", names, "jvp", t_vals)
    if tr.online is not None:  # the tangents were pushed during the trace
        t_out, tr.online = tr.online, None
    else:
        t_vals = on_device(tr.xp, t_vals)
        t_out = jvp_jaxpr_eval(tr.jaxpr, tr.values, t_vals)
    n = len(tr.out_vals)
    flat = owned([finalize(o) for o in tr.out_vals] + [finalize(t, tr.xp) for t in t_out],
                 tr.avoid + t_flat + t_vals)
    out, t_out = tree_unflatten(tr.out_tree, flat[:n]), tree_unflatten(tr.out_tree, flat[n:])
    return (out, t_out, tr.aux) if has_aux else (out, t_out)


def linearized(fun: Callable, primals: tuple, has_aux: bool, api: str,
               names: Sequence[str]) -> tuple[Traced, Jaxpr, list[Any]]:
    tr = trace_concrete(fun, primals, has_aux, api, names, online="linearize")
    if tr.online is not None:  # linearized during the trace
        (lin_jaxpr, lin_consts), tr.online = tr.online, None
        return tr, lin_jaxpr, lin_consts
    values, tr.values = tr.values, {}  # handed over: only residuals outlive linearization
    lin_jaxpr, lin_consts = linearize_jaxpr(tr.jaxpr, values, [True] * len(tr.jaxpr.invars),
                                            consume=True)
    del values
    if tr.xp is not np:  # residuals made from NumPy constants (closures, literals) too
        lin_consts = on_device(tr.xp, lin_consts)
    return tr, lin_jaxpr, lin_consts


@overload
def linearize(fun: Callable[..., Any], *primals: Any,
              has_aux: Lit[False] = False) -> tuple[Any, Callable[..., Any]]: ...
@overload
def linearize(fun: Callable[..., Any], *primals: Any,
              has_aux: Lit[True]) -> tuple[Any, Callable[..., Any], Any]: ...
@overload
def linearize(fun: Callable[..., Any], *primals: Any, has_aux: bool) -> tuple[Any, ...]: ...
def linearize(fun: Callable[..., Any], *primals: Any, has_aux: bool = False
              ) -> tuple[Any, ...]:
    """``fun(*primals)`` and its linear map ``f_jvp(*tangents) = J·tangents``, evaluated
    without retracing ``fun`` (tangents are cast to their primals' dtypes).

    Parameters
    ----------
    fun : callable
        The function, of arrays, scalars or pytrees of them.
    *primals
        The point, one value per positional argument of ``fun``.
    has_aux : bool, default False
        ``fun`` returns ``(output, aux)``; ``aux`` is returned as it is.

    Returns
    -------
    tuple
        ``(output, f_jvp)``, or ``(output, f_jvp, aux)`` with ``has_aux``.

    Raises
    ------
    TypeError
        If a primal is not a float or complex array or number.
    ValueError
        When ``f_jvp`` is called with tangents whose structure, shapes or dtypes differ from the
        primals'.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp
    >>> y, f_jvp = ftrans.linearize(fnp.exp, 0.0)
    >>> y, f_jvp(3.0)
    (1.0, 3.0)
    """
    for i, p in enumerate(tree_flatten(primals)[0]):
        check_diff_dtype(as_value(p, f"linearize: primal {i}"), f"primal {i}", "linearize")
    tr, lin_jaxpr, lin_consts = linearized(fun, primals, has_aux, "linearize",
                                           [arg_name(fun, i) for i in range(len(primals))])
    in_avals = lin_jaxpr.in_avals

    def f_jvp(*tangents: Any) -> Any:
        t_flat, t_tree = tree_flatten(tangents)
        if t_tree != tr.in_tree:
            raise ValueError(f"linearize: tangents have structure {t_tree}, expected "
                             f"{tr.in_tree}")
        vals = on_device(tr.xp, leaf_values(t_flat, in_avals, "linearize", "tangent",
                                            "primal"))
        outs = eval_jaxpr(lin_jaxpr, lin_consts, *vals)
        return owned_tree(tr.out_tree, [finalize(o) for o in outs],
                          [*t_flat, *vals, *lin_consts])

    out = owned_tree(tr.out_tree, [finalize(o) for o in tr.out_vals], tr.avoid)
    tr.avoid = []
    return (out, f_jvp, tr.aux) if has_aux else (out, f_jvp)


@overload
def vjp(fun: Callable[..., Any], *primals: Any, has_aux: Lit[False] = False
        ) -> tuple[Any, Callable[[Any], tuple[Any, ...]]]: ...
@overload
def vjp(fun: Callable[..., Any], *primals: Any, has_aux: Lit[True]
        ) -> tuple[Any, Callable[[Any], tuple[Any, ...]], Any]: ...
@overload
def vjp(fun: Callable[..., Any], *primals: Any, has_aux: bool) -> tuple[Any, ...]: ...
def vjp(fun: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """Reverse mode: ``fun(*primals)`` and ``vjp_fun``, where ``vjp_fun(ct)`` returns the
    tuple of cotangents ``ctᵀ·J``, one per primal.

    Parameters
    ----------
    fun : callable
        The function, of arrays, scalars or pytrees of them.
    *primals
        The point, one value per positional argument of ``fun``.
    has_aux : bool, default False
        ``fun`` returns ``(output, aux)``; ``aux`` is returned as it is.

    Returns
    -------
    tuple
        ``(output, vjp_fun)``, or ``(output, vjp_fun, aux)`` with ``has_aux``.

    Raises
    ------
    TypeError
        If a primal is not a float or complex array or number.
    ValueError
        When ``vjp_fun`` is called with a cotangent whose structure, shapes or dtypes differ
        from the output's.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp
    >>> y, f_vjp = ftrans.vjp(fnp.sin, 0.0)
    >>> f_vjp(1.0)
    (1.0,)
    >>> y, f_vjp = ftrans.vjp(lambda x, y: x * y, 3.0, 4.0)
    >>> f_vjp(1.0)
    (4.0, 3.0)
    """
    names = [arg_name(fun, i) for i in range(len(primals))]
    for i, p in enumerate(primals):
        for leaf in tree_flatten(p)[0]:
            check_diff_dtype(as_value(leaf, f"vjp: {names[i]}"), names[i], "vjp")
    tr, lin_jaxpr, lin_consts = linearized(fun, primals, has_aux, "vjp", names)
    out_avals = [aval_of(o) for o in tr.out_vals]
    in_tree, out_tree, xp = tr.in_tree, tr.out_tree, tr.xp  # vjp_fun keeps residuals only

    def vjp_fun(ct: Any) -> tuple[Any, ...]:
        ct_flat, ct_tree = tree_flatten(ct)
        if ct_tree != out_tree:
            raise ValueError(f"vjp: the cotangent has structure {ct_tree}, but the function's "
                             f"output has structure {out_tree}")
        vals = on_device(xp, leaf_values(ct_flat, out_avals, "vjp"))
        cts = backward_pass(lin_jaxpr, lin_consts, vals)
        return owned_tree(in_tree, [finalize(c, xp) for c in cts],
                          [*ct_flat, *vals, *lin_consts])

    out = owned_tree(tr.out_tree, [finalize(o) for o in tr.out_vals], tr.avoid)
    return (out, vjp_fun, tr.aux) if has_aux else (out, vjp_fun)


def value_and_grad(fun: Callable[_P, Any], argnums: int | Sequence[int] = 0,
                   has_aux: bool = False, holomorphic: bool = False
                   ) -> Callable[_P, tuple[Any, Any]]:
    """A function returning ``(fun(*args), ∇fun(*args))``, for a scalar-valued ``fun``.

    For complex inputs the gradient is JAX's, ``∂f/∂x − i ∂f/∂y`` at ``z = x + iy``
    (``docs/complex.md``).

    Parameters
    ----------
    fun : callable
        The function: it returns a real scalar (a complex one with ``holomorphic``).
    argnums : int or sequence of int, default 0
        The positional arguments to differentiate with respect to; a sequence gives a tuple of
        gradients.
    has_aux : bool, default False
        ``fun`` returns ``(output, aux)``; ``aux`` is returned as it is, not differentiated.
    holomorphic : bool, default False
        ``fun`` is a holomorphic function of complex inputs with a complex output: the result
        is its complex derivative ``f'(z)``.

    Returns
    -------
    callable
        With ``fun``'s signature, returning ``(value, gradient)`` (``((value, aux), gradient)``
        with ``has_aux``); the gradient has the structure, shapes and dtypes of the arguments in
        ``argnums``.

    Raises
    ------
    TypeError
        When called: if ``fun`` returns a non-scalar or a non-real value (without
        ``holomorphic``), or a differentiated argument is not a float (complex) array or number.
    ValueError
        When called: if ``argnums`` names an argument out of range, or repeats one.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp
    >>> ftrans.value_and_grad(lambda x: x * x)(3.0)
    (9.0, 6.0)
    >>> ftrans.value_and_grad(lambda z: z * z, holomorphic=True)(1 + 2j)
    ((-3+4j), (2+4j))
    """
    checked: dict[int, tuple[tuple[int, ...], list[str], bool]] = {}  # by the number of args

    @functools.wraps(fun)
    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        known = checked.get(len(args))
        if known is None:
            nums = normalize_argnums(argnums, len(args), "grad")
            known = checked[len(args)] = (nums, [arg_name(fun, i) for i in nums],
                                          nums == tuple(range(len(args))))
        nums, names, every = known
        for i in nums:
            x = args[i]  # a Python float or a NumPy float array needs no dtype check
            if holomorphic or not (type(x) is float
                                   or (type(x) is np.ndarray and x.dtype.kind == "f")):
                check_input_dtypes(args, nums, names, "grad", holomorphic)
                break
        diff_args = args if every else tuple(args[i] for i in nums)
        tr, lin_jaxpr, lin_consts = linearized(wrt(fun, args, kwargs, nums), diff_args,
                                               has_aux, "grad", names)
        if tr.out_tree.num_leaves != 1 or tr.out_tree.node_type is not None:
            shown = describe(tree_unflatten(tr.out_tree, tr.out_vals))
            raise TypeError(f"grad requires {fun_name(fun)} to return a scalar, but it "
                            f"returned {shown}: return one scalar (has_aux=True returns "
                            "(scalar, aux)), or use ftrans.jacrev for the derivatives of "
                            "several outputs")
        (out,) = tr.out_vals
        av = aval_of(out)
        if av.shape != ():
            raise TypeError(_non_scalar_message(fun, av.shape))
        check_output_dtype(av.dtype, fun, "grad", holomorphic)
        tr.values = {}  # primal intermediates: only the residuals in lin_consts are needed
        xp = tr.xp
        # a NumPy scalar seed, not a 0-d array: scalar arithmetic in the rules is ~10x cheaper
        seed = av.dtype.type(1) if xp is np else xp.ones((), av.dtype)
        collecting = gc.isenabled()
        gc.disable()
        try:
            cts = backward_pass(lin_jaxpr, lin_consts, [seed], consume=True)
        finally:
            if collecting:
                gc.enable()
        g = owned_tree(tr.in_tree, [finalize(c, xp) for c in cts], tr.avoid)
        g = g[0] if isinstance(argnums, (int, np.integer)) else g
        value = finalize(out)
        return ((value, tr.aux), g) if has_aux else (value, g)

    return value_and_grad_f


def _non_scalar_message(fun: Callable, shape: tuple) -> str:
    """JAX's words for a non-scalar output of ``grad``, and what to do about it."""
    fix = ("index it (out[0]) or sum it (out.sum()) to get the scalar; ftrans, like JAX, "
           "does not treat a size-1 array as a scalar (autograd does)"
           if int(np.prod(shape)) == 1 else
           "for the derivative of every output use ftrans.jacrev(f) or ftrans.jacobian(f) "
           "(the Jacobian, one row per output; ftrans.vjp for one weighted sum of rows), or "
           "reduce it to a scalar: ftrans.grad(lambda x: f(x).sum()) is the sum of the rows")
    return (f"Gradient only defined for scalar-output functions. Output had shape: {shape}. "
            f"{fun_name(fun)} returned an array of shape {shape}: {fix}.")


def grad(fun: Callable[_P, Any], argnums: int | Sequence[int] = 0, has_aux: bool = False,
         holomorphic: bool = False) -> Callable[_P, Any]:
    """The gradient of a scalar-valued ``fun`` with respect to the arguments in ``argnums``.

    For complex inputs the gradient is JAX's (``value_and_grad``, ``docs/complex.md``).

    Parameters
    ----------
    fun : callable
        The function: it returns a real scalar (a complex one with ``holomorphic``).
    argnums : int or sequence of int, default 0
        The positional arguments to differentiate with respect to; a sequence gives a tuple of
        gradients.
    has_aux : bool, default False
        ``fun`` returns ``(output, aux)``; ``aux`` is returned as it is, not differentiated.
    holomorphic : bool, default False
        ``fun`` is a holomorphic function of complex inputs with a complex output: the result
        is its complex derivative ``f'(z)``.

    Returns
    -------
    callable
        With ``fun``'s signature, returning the gradient (``(gradient, aux)`` with
        ``has_aux``): the structure, shapes and dtypes of the arguments in ``argnums``.

    Raises
    ------
    TypeError
        When called: if ``fun`` returns a non-scalar or a non-real value (without
        ``holomorphic``), or a differentiated argument is not a float (complex) array or number.
    ValueError
        When called: if ``argnums`` names an argument out of range, or repeats one.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp
    >>> ftrans.grad(fnp.sin)(0.0)
    1.0
    >>> ftrans.grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 4.0)
    (4.0, 3.0)
    >>> ftrans.grad(lambda z: fnp.abs(z) ** 2)(3 + 4j)  # JAX's convention: conj of 2z
    (6-8j)
    """
    vg = value_and_grad(fun, argnums, has_aux, holomorphic)

    @functools.wraps(fun)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        (value, g) = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_f
