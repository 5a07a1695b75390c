"""The public transformations: jvp, linearize, vjp, grad, Jacobians, Hessians, vmap,
make_jaxpr. Derivative APIs trace the user's function once, concretely, then work on jaxprs.
"""

from __future__ import annotations

import functools
import inspect
import weakref
from typing import Any, Callable, Sequence

import numpy as np

from .backends.owned import owned
from .core import (
    Trace,
    Tracer,
    Zero,
    aval_of,
    check_int64,
    eval_jaxpr,
    instantiate,
    trace_to_jaxpr,
)
from .device import (
    check_same_backend,
    is_gpu_array,
    on_device,
    require_gpu,
    to_call_device,
    to_host,
)
from .distributed.dask_arrays import is_dask_array, vmap_blocks
from .distributed.engine import Remote, remote_for
from .ir import ClosedJaxpr, Jaxpr, Literal, ShapedArray, is_float_dtype
from .prims.shape import reshape, transpose
from .prims.slicing import concatenate, slice_
from .transforms.batch import batch_jaxpr_eval, move_batch_axis
from .transforms.jvp import jvp_jaxpr_eval
from .transforms.linearize import linearize_jaxpr
from .transforms.transpose import backward_pass, transpose_jaxpr
from .tree_util import PyTreeDef, _node_of, tree_flatten, tree_unflatten

# ----------------------------------------------------------------------------- helpers

_SCALARS = (bool, int, float, complex)


_PARAMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _param_names(fun: Callable) -> list[str]:
    """``fun``'s parameter names (cached: inspect.signature is slow on the hot path)."""
    try:
        return _PARAMS[fun]
    except (KeyError, TypeError):
        pass
    try:
        params = list(inspect.signature(fun).parameters)
    except (TypeError, ValueError):
        params = []
    try:
        _PARAMS[fun] = params
    except TypeError:
        pass
    return params


def _arg_name(fun: Callable, i: int) -> str:
    params = _param_names(fun)
    if i < len(params):
        return f"argument {i} ({params[i]!r})"
    return f"argument {i}"


def _fun_name(fun: Callable) -> str:
    return getattr(fun, "__name__", type(fun).__name__)


def _as_value(x: Any, where: str) -> Any:
    """An input leaf as an array value; Python scalars become NumPy 0-d arrays."""
    if isinstance(x, Tracer):
        return x
    if isinstance(x, _SCALARS):
        if type(x) is int:
            check_int64(x, where)
        return np.asarray(x)
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        if np.dtype(x.dtype).kind in "OSUV":
            raise TypeError(f"{where}: arrays of dtype {x.dtype} are not supported")
        return x
    raise TypeError(f"{where}: expected an array or a Python number, got "
                    f"{type(x).__name__} {x!r:.60}")


def _finalize(x: Any, xp: Any = np) -> Any:
    """Results on NumPy inputs are NumPy values: 0-d arrays become NumPy scalars, read-only
    broadcast views writable copies. A symbolic zero becomes zeros of the array module
    ``xp`` (CuPy for computations on the GPU)."""
    if type(x) is Zero:
        x = instantiate(x) if xp is np else xp.zeros(x.aval.shape, x.aval.dtype)
    if type(x) is np.ndarray:
        if x.ndim == 0:
            return x[()]
        if not x.flags.writeable:  # a broadcast view (broadcast_in_dim): the caller owns
            return x.copy()        # what it gets back, as with any NumPy result
    return x


def _check_diff_dtype(x: Any, where: str, api: str) -> None:
    dtype = aval_of(x).dtype
    if not is_float_dtype(dtype):
        raise TypeError(f"{api} requires real- or complex-valued inputs (input dtype that is a "
                        f"sub-dtype of np.inexact), but {where} has dtype {dtype.name}. "
                        "Convert it with .astype(float)"
                        + (", or leave it out of argnums." if api not in _NO_ARGNUMS else "."))


_NO_ARGNUMS = ("jvp", "vjp", "linearize")


# ----------------------------------------------------------------------------- complex values
# JAX's rules: grad and jacrev need real outputs, jacfwd real inputs, unless the function is
# holomorphic (holomorphic=True: complex inputs and outputs); jvp and vjp take anything.

def _is_complex(dtype: np.dtype) -> bool:
    return dtype.kind == "c"


def _check_holomorphic_input(x: Any, where: str, api: str) -> None:
    dtype = aval_of(x).dtype
    if not _is_complex(dtype):
        raise TypeError(f"{api} with holomorphic=True requires inputs with complex dtype, but "
                        f"{where} has dtype {dtype.name}. Convert it with .astype(complex), "
                        "or drop holomorphic=True for a real input.")


def _check_real_input(x: Any, where: str, api: str) -> None:
    dtype = aval_of(x).dtype
    if _is_complex(dtype):
        raise TypeError(f"{api} requires real-valued inputs (input dtype that is a sub-dtype of "
                        f"np.floating), but {where} has dtype {dtype.name}. For holomorphic "
                        "differentiation, pass holomorphic=True. For differentiation of "
                        "non-holomorphic functions involving complex inputs, use ftrans.jvp "
                        "directly (or jacrev, whose rows are gradients).")


def _check_output_dtype(dtype: np.dtype, fun: Callable, api: str, holomorphic: bool,
                        k: int | None = None) -> None:
    """A reverse-mode API's output dtype rule, or with ``holomorphic`` any API's (``k``:
    which output, for messages)."""
    if not holomorphic and dtype.kind == "f":
        return  # the usual case, first
    what = f"output {k} of {_fun_name(fun)}" if k is not None else _fun_name(fun)
    if holomorphic:
        if not _is_complex(dtype):
            raise TypeError(f"{api} with holomorphic=True requires outputs with complex dtype, "
                            f"but {what} has dtype {dtype.name}")
    elif _is_complex(dtype):
        raise TypeError(f"{api} requires real-valued outputs (output dtype that is a "
                        f"sub-dtype of np.floating), but {what} has dtype {dtype.name}. For "
                        "holomorphic differentiation, pass holomorphic=True. For "
                        "differentiation of non-holomorphic functions involving complex "
                        "outputs, use ftrans.vjp directly (or take the real part, "
                        "fnp.real, or abs).")
    elif not is_float_dtype(dtype):
        raise TypeError(f"{api} requires real-valued outputs (output dtype that is a "
                        f"sub-dtype of np.floating), but {what} returned {dtype.name}")


def _check_input_dtypes(args: tuple, nums: Sequence[int], names: Sequence[str], api: str,
                        holomorphic: bool, real_inputs: bool = False) -> None:
    """Differentiated inputs are inexact; complex with ``holomorphic``; real with
    ``real_inputs`` (forward-mode Jacobians) otherwise."""
    for i, name in zip(nums, names):
        for leaf in tree_flatten(args[i])[0]:
            x = _as_value(leaf, f"{api}: {name}")
            _check_diff_dtype(x, name, api)
            if holomorphic:
                _check_holomorphic_input(x, name, api)
            elif real_inputs:
                _check_real_input(x, name, api)


def _normalize_argnums(argnums: int | Sequence[int], nargs: int, api: str) -> tuple[int, ...]:
    if not isinstance(argnums, (int, np.integer, tuple, list)):
        raise TypeError(f"{api}: argnums must be an int or a tuple of ints, got "
                        f"{type(argnums).__name__} {argnums!r}")
    nums = (argnums,) if isinstance(argnums, (int, np.integer)) else tuple(argnums)
    out = []
    for a in nums:
        if not isinstance(a, (int, np.integer)):
            raise TypeError(f"{api}: argnums must be ints, got {a!r}")
        if not -nargs <= a < nargs:
            raise ValueError(f"{api}: argnums {a} is out of range for a function called with "
                             f"{nargs} positional argument(s)")
        out.append(int(a) % nargs)
    if len(set(out)) != len(out):
        raise ValueError(f"{api}: argnums must not repeat an argument, got argnums={argnums!r}")
    return tuple(out)


class _Traced:
    """The result of tracing a function concretely: jaxpr, recorded values, outputs."""

    __slots__ = ("jaxpr", "values", "out_vals", "out_tree", "aux", "in_tree", "xp", "avoid")

    def __init__(self, jaxpr: Jaxpr, values: dict, out_vals: list, out_tree: PyTreeDef,
                 aux: Any, in_tree: PyTreeDef, xp: Any, avoid: list):
        self.jaxpr, self.values, self.out_vals = jaxpr, values, out_vals
        self.out_tree, self.aux, self.in_tree = out_tree, aux, in_tree
        self.xp = xp  # the array module of the call's device: numpy, or cupy on the GPU
        # what results must not alias (owned): the inputs, captured constants, aux's arrays
        self.avoid = avoid


def _owned_tree(tree: PyTreeDef, flat: list, avoid: Sequence[Any]) -> Any:
    """The pytree of ``flat`` results, each array the caller's own (``owned``)."""
    return tree_unflatten(tree, owned(flat, avoid))


def _strip(trace: Trace, tree: Any) -> Any:
    leaves, treedef = tree_flatten(tree)
    return tree_unflatten(treedef, [_finalize(trace.value_of(x)) for x in leaves])


def _trace_concrete(fun: Callable, primals: tuple, has_aux: bool, api: str,
                    arg_names: Sequence[str]) -> _Traced:
    """Trace ``fun(*primals)`` concretely, with each leaf of ``primals`` a tracer."""
    flat, in_tree = tree_flatten(primals)
    flat = [_as_value(x, f"{api}: {arg_names[0] if len(arg_names) == 1 else 'an input'}")
            for x in flat]
    # the arguments not differentiated (``_wrt``) also say where the call runs
    fixed = getattr(fun, "fixed_args", ())
    avoid = [*flat, *fixed]
    flat, xp = to_call_device(flat, api, fixed)
    with Trace(concrete=True) as trace:
        tracers = [trace.new_arg(aval_of(x), x) for x in flat]
        out = fun(*tree_unflatten(in_tree, tracers))
        aux = None
        if has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError(f"{api} with has_aux=True: {_fun_name(fun)} must return a pair "
                                f"(output, aux), got {type(out).__name__}")
            out, aux = out
            aux = _strip(trace, aux)
            aux_flat, aux_tree = tree_flatten(aux)
            if aux_flat:  # aux is a result too, and later results must not alias it
                aux_flat = owned(aux_flat, avoid + [c for _, c in trace.consts.values()])
                aux = tree_unflatten(aux_tree, aux_flat)
                avoid += aux_flat
        out_flat, out_tree = tree_flatten(out)
        for o in out_flat:
            if not (isinstance(o, (Tracer, np.ndarray, np.generic) + _SCALARS)
                    or hasattr(o, "__cuda_array_interface__")):
                raise TypeError(f"{api}: {_fun_name(fun)} returned a {type(o).__name__} "
                                f"({o!r:.60}); outputs must be arrays or numbers")
        jaxpr, _ = trace.to_jaxpr(out_flat)
        values = trace.values
    if xp is not np:  # captured NumPy arrays meet device values in the derivative rules
        for v, c in zip(jaxpr.constvars, on_device(xp, [values[v] for v in jaxpr.constvars])):
            values[v] = c
    out_vals = [a.val if type(a) is Literal else values[a] for a in jaxpr.outvars]
    if jaxpr.constvars:
        avoid += [values[v] for v in jaxpr.constvars]
    return _Traced(jaxpr, values, out_vals, out_tree, aux, in_tree, xp, avoid)


def _wrt(fun: Callable, args: tuple, kwargs: dict, argnums: tuple[int, ...]) -> Callable:
    """``fun`` as a function of the arguments in ``argnums`` only (named as ``fun``, for
    error messages)."""
    @functools.wraps(fun)
    def partial_fun(*diff_args: Any) -> Any:
        full = list(args)
        for i, a in zip(argnums, diff_args):
            full[i] = a
        return fun(*full, **kwargs)
    partial_fun.fixed_args = [  # type: ignore[attr-defined]
        a for i, a in enumerate(args) if i not in argnums] + list(kwargs.values())
    return partial_fun


def _check_tangent(p: Any, t: Any, where: str) -> None:
    pa, ta = aval_of(p), aval_of(t)
    if pa.shape != ta.shape:
        raise ValueError(f"{where}: tangent has shape {ta.shape} but its primal has shape "
                         f"{pa.shape}; they must match")
    if ta.dtype != pa.dtype and (not ta.weak_type or (_is_complex(ta.dtype)
                                                       and not _is_complex(pa.dtype))):
        raise ValueError(f"{where}: tangent has dtype {ta.dtype.name} but its primal has dtype "
                         f"{pa.dtype.name}; they must match"
                         + (" (a real primal has real tangents)" if _is_complex(ta.dtype)
                            else ""))


# ----------------------------------------------------------------------------- forward mode

def jvp(fun: Callable, primals: Sequence[Any], tangents: Sequence[Any],
        has_aux: bool = False) -> tuple[Any, ...]:
    """Forward mode: ``(fun(*primals), J·tangents)`` in one pass.

    >>> import ftrans, ftrans.numpy as fnp
    >>> ftrans.jvp(fnp.sin, (0.0,), (2.0,))
    (0.0, 2.0)
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
        p, t = _as_value(p, f"jvp: primal {i}"), _as_value(t, f"jvp: tangent {i}")
        _check_diff_dtype(p, f"primal {i}", "jvp")
        _check_tangent(p, t, f"jvp: tangent {i}")
    names = [f"primal {i}" for i in range(len(p_flat))]
    check_same_backend(p_flat + t_flat, "jvp")
    tr = _trace_concrete(fun, tuple(primals), has_aux, "jvp", names)
    t_vals = on_device(tr.xp, [_as_value(t, "jvp") for t in t_flat])
    t_vals = [t.astype(aval_of(p).dtype) if not isinstance(t, Tracer)
              and aval_of(t).dtype != aval_of(p).dtype else t for p, t in zip(p_flat, t_vals)]
    t_out = jvp_jaxpr_eval(tr.jaxpr, tr.values, t_vals)
    n = len(tr.out_vals)
    flat = owned([_finalize(o) for o in tr.out_vals] + [_finalize(t, tr.xp) for t in t_out],
                 tr.avoid + t_flat + t_vals)
    out, t_out = tree_unflatten(tr.out_tree, flat[:n]), tree_unflatten(tr.out_tree, flat[n:])
    return (out, t_out, tr.aux) if has_aux else (out, t_out)


def _linearized(fun: Callable, primals: tuple, has_aux: bool, api: str,
                names: Sequence[str]) -> tuple[_Traced, Jaxpr, list[Any]]:
    tr = _trace_concrete(fun, primals, has_aux, api, names)
    values, tr.values = tr.values, {}  # handed over: only residuals outlive linearization
    lin_jaxpr, lin_consts = linearize_jaxpr(tr.jaxpr, values, [True] * len(tr.jaxpr.invars),
                                            consume=True)
    del values
    if tr.xp is not np:  # residuals made from NumPy constants (closures, literals) too
        lin_consts = on_device(tr.xp, lin_consts)
    return tr, lin_jaxpr, lin_consts


def linearize(fun: Callable, *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """``(fun(*primals), f_jvp)`` where ``f_jvp(*tangents)`` is the linear map J·t, evaluated
    without retracing ``fun`` (tangents are cast to their primals' dtypes). With
    ``has_aux``, ``fun`` returns ``(output, aux)`` and the result is ``(output, f_jvp, aux)``.

    >>> import ftrans, ftrans.numpy as fnp
    >>> y, f_jvp = ftrans.linearize(fnp.exp, 0.0)
    >>> f_jvp(3.0)
    3.0
    """
    for i, p in enumerate(tree_flatten(primals)[0]):
        _check_diff_dtype(_as_value(p, f"linearize: primal {i}"), f"primal {i}", "linearize")
    tr, lin_jaxpr, lin_consts = _linearized(fun, primals, has_aux, "linearize",
                                            [_arg_name(fun, i) for i in range(len(primals))])
    in_avals = lin_jaxpr.in_avals

    def f_jvp(*tangents: Any) -> Any:
        t_flat, t_tree = tree_flatten(tangents)
        if t_tree != tr.in_tree:
            raise ValueError(f"linearize: tangents have structure {t_tree}, expected "
                             f"{tr.in_tree}")
        vals = on_device(tr.xp, _leaf_values(t_flat, in_avals, "linearize", "tangent",
                                             "primal"))
        outs = eval_jaxpr(lin_jaxpr, lin_consts, *vals)
        return _owned_tree(tr.out_tree, [_finalize(o) for o in outs],
                           [*t_flat, *vals, *lin_consts])

    out = _owned_tree(tr.out_tree, [_finalize(o) for o in tr.out_vals], tr.avoid)
    tr.avoid = []
    return (out, f_jvp, tr.aux) if has_aux else (out, f_jvp)


# ----------------------------------------------------------------------------- reverse mode

def _leaf_values(flat: Sequence[Any], avals: Sequence[ShapedArray], api: str,
                 what: str = "cotangent", whose: str = "output") -> list[Any]:
    """Tangent or cotangent leaves as values of ``avals``' shapes (checked) and dtypes
    (cast)."""
    vals = []
    for i, (c, av) in enumerate(zip(flat, avals)):
        c = _as_value(c, f"{api}: {what} {i}")
        ca = aval_of(c)
        if ca.shape != av.shape:
            raise ValueError(f"{api}: {what} {i} has shape {ca.shape}, but the {whose} has "
                             f"shape {av.shape}")
        if ca.dtype != av.dtype and not isinstance(c, Tracer):
            if _is_complex(ca.dtype) and not _is_complex(av.dtype):
                raise ValueError(f"{api}: {what} {i} has dtype {ca.dtype.name}, but the "
                                 f"{whose} is real ({av.dtype.name}): its {what}s are real "
                                 "too (take the real part if that is what you mean)")
            c = c.astype(av.dtype)
        vals.append(c)
    return vals


def vjp(fun: Callable, *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """Reverse mode: ``(fun(*primals), vjp_fun)``, where ``vjp_fun(ct)`` returns the tuple of
    cotangents ``ctᵀ·J`` for each primal.

    >>> import ftrans, ftrans.numpy as fnp
    >>> y, f_vjp = ftrans.vjp(fnp.sin, 0.0)
    >>> f_vjp(1.0)
    (1.0,)
    """
    names = [_arg_name(fun, i) for i in range(len(primals))]
    for i, p in enumerate(primals):
        for leaf in tree_flatten(p)[0]:
            _check_diff_dtype(_as_value(leaf, f"vjp: {names[i]}"), names[i], "vjp")
    tr, lin_jaxpr, lin_consts = _linearized(fun, primals, has_aux, "vjp", names)
    out_avals = [aval_of(o) for o in tr.out_vals]
    in_tree, out_tree, xp = tr.in_tree, tr.out_tree, tr.xp  # vjp_fun keeps residuals only

    def vjp_fun(ct: Any) -> tuple[Any, ...]:
        ct_flat, ct_tree = tree_flatten(ct)
        if ct_tree != out_tree:
            raise ValueError(f"vjp: the cotangent has structure {ct_tree}, but the function's "
                             f"output has structure {out_tree}")
        vals = on_device(xp, _leaf_values(ct_flat, out_avals, "vjp"))
        cts = backward_pass(lin_jaxpr, lin_consts, vals)
        return _owned_tree(in_tree, [_finalize(c, xp) for c in cts],
                           [*ct_flat, *vals, *lin_consts])

    out = _owned_tree(tr.out_tree, [_finalize(o) for o in tr.out_vals], tr.avoid)
    return (out, vjp_fun, tr.aux) if has_aux else (out, vjp_fun)


def linear_transpose(fun: Callable, *primals: Any) -> Callable:
    """The transpose of a linear ``fun``; ``primals`` give the input shapes and dtypes.

    >>> import ftrans
    >>> t = ftrans.linear_transpose(lambda x: 3.0 * x, 1.0)
    >>> t(2.0)
    (6.0,)
    """
    flat, in_tree = tree_flatten(primals)
    avals = [aval_of(_as_value(x, "linear_transpose")).strip_weak() for x in flat]
    out_tree_box: list[PyTreeDef] = []

    def flat_fun(*xs: Any) -> list[Any]:
        out = fun(*tree_unflatten(in_tree, xs))
        out_flat, out_tree = tree_flatten(out)
        out_tree_box.append(out_tree)
        return out_flat

    jaxpr, consts = trace_to_jaxpr(flat_fun, avals, "linear_transpose")
    on_gpu = any(is_gpu_array(x) for x in flat)

    def transposed(ct: Any) -> tuple[Any, ...]:
        ct_flat, ct_tree = tree_flatten(ct)
        if ct_tree != out_tree_box[0]:
            raise ValueError(f"linear_transpose: cotangent has structure {ct_tree}, expected "
                             f"{out_tree_box[0]}")
        vals = _leaf_values(ct_flat, jaxpr.out_avals, "linear_transpose")
        vals, xp = to_call_device(vals, "linear_transpose")
        if xp is np and on_gpu:  # the primals were CuPy arrays: so are the results
            xp = require_gpu()
            vals = on_device(xp, vals)
        dev_consts = on_device(xp, consts)
        cts = backward_pass(jaxpr, dev_consts, vals)
        return _owned_tree(in_tree, [_finalize(c, xp) for c in cts],
                           [*ct_flat, *vals, *consts, *dev_consts])

    return transposed


def value_and_grad(fun: Callable, argnums: int | Sequence[int] = 0,
                   has_aux: bool = False, holomorphic: bool = False) -> Callable:
    """A function returning ``(fun(*args), ∇fun(*args))`` for a scalar-valued ``fun``.

    ``fun`` must return a real number; for complex inputs the gradient is JAX's,
    ``∂f/∂x − i ∂f/∂y`` at ``z = x + iy`` (``docs/complex.md``). With ``holomorphic=True``,
    ``fun`` is a holomorphic function of complex inputs with a complex output, and the
    result is its complex derivative ``f'(z)``.

    >>> import ftrans, ftrans.numpy as fnp
    >>> ftrans.value_and_grad(lambda x: x * x)(3.0)
    (9.0, 6.0)
    >>> ftrans.value_and_grad(lambda z: z * z, holomorphic=True)(1 + 2j)
    ((-3+4j), (2+4j))
    """
    @functools.wraps(fun)
    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        nums = _normalize_argnums(argnums, len(args), "grad")
        names = [_arg_name(fun, i) for i in nums]
        _check_input_dtypes(args, nums, names, "grad", holomorphic)
        diff_args = tuple(args[i] for i in nums)
        tr, lin_jaxpr, lin_consts = _linearized(_wrt(fun, args, kwargs, nums), diff_args,
                                                has_aux, "grad", names)
        if tr.out_tree.num_leaves != 1 or tr.out_tree.node_type is not None:
            raise TypeError(f"grad requires {_fun_name(fun)} to return a scalar, but it "
                            f"returned a pytree with structure {tr.out_tree}")
        (out,) = tr.out_vals
        av = aval_of(out)
        if av.shape != ():
            raise TypeError(_non_scalar_message(fun, av.shape))
        _check_output_dtype(av.dtype, fun, "grad", holomorphic)
        tr.values = {}  # primal intermediates: only the residuals in lin_consts are needed
        xp = tr.xp
        # a NumPy scalar seed, not a 0-d array: scalar arithmetic in the rules is ~10x cheaper
        seed = av.dtype.type(1) if xp is np else xp.ones((), av.dtype)
        cts = backward_pass(lin_jaxpr, lin_consts, [seed], consume=True)
        g = _owned_tree(tr.in_tree, [_finalize(c, xp) for c in cts], tr.avoid)
        g = g[0] if isinstance(argnums, (int, np.integer)) else g
        value = _finalize(out)
        return ((value, tr.aux), g) if has_aux else (value, g)

    return value_and_grad_f


def _non_scalar_message(fun: Callable, shape: tuple) -> str:
    """JAX's words for a non-scalar output of ``grad``, and what to do about it."""
    fix = ("index it (out[0]) or sum it (out.sum()) to get the scalar; ftrans, like JAX, "
           "does not treat a size-1 array as a scalar (autograd does)"
           if int(np.prod(shape)) == 1 else
           "reduce it to a scalar (out.sum(), say), or use ftrans.jacrev / ftrans.vjp for "
           "the derivative of every output")
    return (f"Gradient only defined for scalar-output functions. Output had shape: {shape}. "
            f"{_fun_name(fun)} returned an array of shape {shape}: {fix}.")


def grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
         holomorphic: bool = False) -> Callable:
    """The gradient of a scalar-valued ``fun`` with respect to the arguments in ``argnums``.

    ``fun`` must return a real number, unless ``holomorphic=True`` (complex inputs and
    output, result ``f'(z)``); see ``value_and_grad`` and ``docs/complex.md``.

    >>> import ftrans, ftrans.numpy as fnp
    >>> ftrans.grad(fnp.sin)(0.0)
    1.0
    >>> ftrans.grad(lambda z: fnp.abs(z) ** 2)(3 + 4j)  # JAX's convention: conj of 2z
    (6-8j)
    """
    vg = value_and_grad(fun, argnums, has_aux, holomorphic)

    @functools.wraps(fun)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        (value, g) = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_f


# ----------------------------------------------------------------------------- Jacobians

def _check_chunk_size(chunk_size: Any, api: str) -> int | str | None:
    if chunk_size is None or (isinstance(chunk_size, str) and chunk_size == "auto"):
        return chunk_size
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)):
        raise ValueError(f"{api}: chunk_size must be a positive integer, 'auto' or None, got "
                         f"{chunk_size!r}")
    if chunk_size < 1:
        raise ValueError(f"{api}: chunk_size must be a positive integer, got {chunk_size}")
    return int(chunk_size)


def _resolve_chunk(chunk: int | str | None, jaxpr: Jaxpr, consts: list,
                   in_avals: Sequence[ShapedArray], count: int, max_memory: int | None,
                   api: str, xp: Any = np, remote: Remote | None = None) -> int | str | None:
    """``chunk_size="auto"``: the largest chunk whose estimated peak fits ``max_memory``
    (by default a share of the memory of the computation's device, ``xp``'s). With an
    executor, the workers' memory decides (``distributed.engine``)."""
    if chunk != "auto" or (remote is not None and remote.applies(consts)):
        return chunk  # type: ignore[return-value]
    from .memory import auto_chunk_size
    return auto_chunk_size(jaxpr, consts, in_avals, count, max_memory, api, xp is not np)


def _chunks(n: int, chunk_size: int | None) -> list[tuple[int, int]]:
    step = n if chunk_size is None or chunk_size >= n else chunk_size
    # n == 0: one empty chunk, so the outputs still get their (empty) leading axis and shape
    return [(i, min(i + step, n)) for i in range(0, max(n, 1), max(step, 1))]


def _basis_chunk(n: int, rows: Sequence[int], dtype: np.dtype, gpu: bool, lo: int, hi: int
                 ) -> np.ndarray:
    """Basis vectors ``rows[lo:hi]`` (seeds that pickle: executors ship them to workers)."""
    return _basis(n, rows[lo:hi], dtype, require_gpu() if gpu else np)


def _basis(n: int, rows: Sequence[int], dtype: np.dtype, xp: Any = np) -> np.ndarray:
    """Rows ``rows`` of the n×n identity (with ``xp``: on the inputs' device)."""
    b = np.zeros((len(rows), n), dtype)
    b[np.arange(len(rows)), rows] = 1
    return b if xp is np else xp.asarray(b)


def _split_basis(basis: np.ndarray, avals: Sequence[ShapedArray]) -> list[np.ndarray]:
    """Columns of ``basis`` (k × n_total) split per leaf and shaped (k, *leaf_shape)."""
    out, off = [], 0
    for av in avals:
        out.append(basis[:, off:off + av.size].reshape((basis.shape[0],) + av.shape)
                   .astype(av.dtype, copy=False))
        off += av.size
    return out


def _batched_over_basis(jaxpr: Jaxpr, consts: list, in_avals: Sequence[ShapedArray],
                        rows: Sequence[int], chunk_size: int | str | None,
                        xp: Any = np, remote: Remote | None = None) -> list[Any]:
    """Evaluate linear ``jaxpr`` on the basis vectors ``rows`` of its flattened input space,
    in chunks; each output gets a leading axis of len(rows)."""
    n = sum(av.size for av in in_avals)
    dtype = np.result_type(*[av.dtype for av in in_avals]) if in_avals else np.float64
    seeds = functools.partial(_basis_chunk, n, rows, dtype, xp is not np)
    outs = _batched_over_seeds(jaxpr, consts, in_avals, len(rows), seeds, chunk_size, remote)
    return on_device(xp, outs)  # outputs that are constants (zero derivatives) too


def _batched_over_seeds(jaxpr: Jaxpr, consts: list, in_avals: Sequence[ShapedArray],
                        count: int, seeds: Callable[[int, int], np.ndarray],
                        chunk_size: int | str | None, remote: Remote | None = None
                        ) -> list[Any]:
    """Evaluate linear ``jaxpr`` on ``count`` seed vectors of its flattened input space,
    ``seeds(lo, hi)`` giving rows lo..hi as a (hi - lo, n) array, ``chunk_size`` at a time.
    Each output gets a leading axis of ``count``. Chunks of NumPy results are written into one
    preallocated array, so chunking bounds the peak at the result plus one chunk. With an
    executor (``remote``), each chunk is a task on a worker (``distributed.engine``)."""
    if remote is not None and remote.applies(consts):
        return remote.map_chunks(jaxpr, consts, in_avals, count, seeds, chunk_size)
    out: list[Any] | None = None
    per_chunk = []
    for lo, hi in _chunks(count, chunk_size):
        basis = _split_basis(seeds(lo, hi), in_avals)
        outs, dims = batch_jaxpr_eval(jaxpr, consts, basis, [0] * len(basis))
        del basis
        outs = [move_batch_axis(o, d, 0, hi - lo) for o, d in zip(outs, dims)]
        if hi - lo == count:
            return outs
        if all(type(o) is np.ndarray for o in outs) and not per_chunk:
            if out is None:
                out = [np.empty((count,) + o.shape[1:], o.dtype) for o in outs]
            for j in range(len(outs)):
                out[j][lo:hi] = outs[j]
        else:
            per_chunk.append(outs)
        del outs, dims
    if out is not None:
        return out
    return [concatenate([c[i] for c in per_chunk], 0) for i in range(len(jaxpr.outvars))]


def _flat_size(avals: Sequence[ShapedArray]) -> int:
    return sum(av.size for av in avals)


def _leaf_block(full: Any, off: int, size: int, lead_shape: tuple, tail_shape: tuple) -> Any:
    """Rows off..off+size of a (n, *tail) array, reshaped to (*lead, *tail)."""
    n = aval_of(full).shape[0]
    if off or size != n:
        start = [0] * len(aval_of(full).shape)
        limit = list(aval_of(full).shape)
        start[0], limit[0] = off, off + size
        full = slice_(full, start, limit)
    return reshape(full, lead_shape + tail_shape)


def _to_front(x: Any, n_lead: int, n_tail: int) -> Any:
    """(*lead, *tail) -> (*tail, *lead)."""
    perm = tuple(range(n_lead, n_lead + n_tail)) + tuple(range(n_lead))
    return transpose(x, perm)


def _jac_setup(fun: Callable, args: tuple, kwargs: dict, argnums: Any, has_aux: bool,
               api: str, holomorphic: bool = False
               ) -> tuple[_Traced, Jaxpr, list, tuple[int, ...]]:
    """Check the inputs, trace and linearize; then check the outputs' dtypes: ``jacfwd``
    (and ``jacobian_columns``) needs real inputs, ``jacrev`` (and ``jacobian_rows``) real
    outputs, unless ``holomorphic``; ``jacobian`` picks the mode that allows its dtypes."""
    nums = _normalize_argnums(argnums, len(args), api)
    names = [_arg_name(fun, i) for i in nums]
    _check_input_dtypes(args, nums, names, api, holomorphic,
                        real_inputs=api in ("jacfwd", "jacobian_columns"))
    tr, lin_jaxpr, lin_consts = _linearized(_wrt(fun, args, kwargs, nums),
                                            tuple(args[i] for i in nums), has_aux, api, names)
    if holomorphic or api in ("jacrev", "jacobian_rows"):
        for k, av in enumerate(lin_jaxpr.out_avals):
            if holomorphic or _is_complex(av.dtype):
                _check_output_dtype(av.dtype, fun, api, holomorphic,
                                    k if len(lin_jaxpr.out_avals) > 1 else None)
    return tr, lin_jaxpr, lin_consts, nums


def _forward_mode(lin: Jaxpr, holomorphic: bool, fun: Callable) -> bool:
    """``jacobian``'s choice: forward mode when the inputs have fewer elements than the
    outputs; without ``holomorphic``, complex inputs need reverse mode and complex outputs
    forward mode."""
    complex_in = any(_is_complex(av.dtype) for av in lin.in_avals)
    complex_out = any(_is_complex(av.dtype) for av in lin.out_avals)
    if not holomorphic and complex_in and complex_out:
        raise TypeError(f"jacobian of {_fun_name(fun)}, which has complex inputs and complex "
                        "outputs: for a holomorphic function pass holomorphic=True; otherwise "
                        "use ftrans.jvp or ftrans.vjp directly (or split the values with "
                        "fnp.real and fnp.imag)")
    if not holomorphic and (complex_in or complex_out):
        return complex_out
    return _flat_size(lin.in_avals) < _flat_size(lin.out_avals)


def _assemble(tr: _Traced, blocks: list[list[Any]], argnums: Any) -> Any:
    """blocks[i][j] is d out_i / d in_j: nest as out structure of (argnums structure)."""
    flat = owned([_finalize(b, tr.xp) for row in blocks for b in row], tr.avoid)
    per_out = []
    for i, row in enumerate(blocks):
        inner = tree_unflatten(tr.in_tree, flat[i * len(row):(i + 1) * len(row)])
        per_out.append(inner[0] if isinstance(argnums, (int, np.integer)) else inner)
    return tree_unflatten(tr.out_tree, per_out)


def jacfwd(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           chunk_size: int | str | None = None, max_memory: int | None = None,
           holomorphic: bool = False, executor: Any = None, out: str | None = None
           ) -> Callable:
    """The Jacobian by forward mode: the linearized function batched over all input basis
    vectors (``chunk_size`` of them at a time; ``"auto"``: as many as fit ``max_memory``
    bytes, by default half the available RAM). Shape: output shape + input shape.
    Inputs must be real (outputs may be complex), unless ``holomorphic=True``: complex
    inputs and outputs, the Jacobian of complex derivatives.

    ``executor``: a ``concurrent.futures.Executor`` or a ``dask.distributed.Client``; each
    chunk is then a task on a worker (``ftrans.distributed``: ``chunk_size`` per task,
    ``"auto"`` from the workers' memory, ``max_memory`` per task), with results equal to the
    single-process ones for the same ``chunk_size``. ``out="dask"``: a lazy
    ``dask.array.Array`` whose blocks are computed on the Dask workers and stay there.

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.jacfwd(lambda x: x * x)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    chunk = _check_chunk_size(chunk_size, "jacfwd")
    remote = remote_for(executor, out, max_memory, "jacfwd")

    @functools.wraps(fun)
    def jacfun(*args: Any, **kwargs: Any) -> Any:
        tr, lin, consts, _ = _jac_setup(fun, args, kwargs, argnums, has_aux, "jacfwd",
                                        holomorphic)
        jac = _jacfwd_of(tr, lin, consts, argnums, chunk, max_memory, "jacfwd", remote)
        return (jac, tr.aux) if has_aux else jac

    return jacfun


def _jacfwd_of(tr: _Traced, lin: Jaxpr, consts: list, argnums: Any, chunk: Any,
               max_memory: int | None, api: str, remote: Remote | None = None) -> Any:
    in_avals = lin.in_avals
    n = _flat_size(in_avals)
    k = _resolve_chunk(chunk, lin, consts, in_avals, n, max_memory, api, tr.xp, remote)
    cols = _batched_over_basis(lin, consts, in_avals, list(range(n)), k, tr.xp, remote)
    blocks = []
    for col, out_av in zip(cols, lin.out_avals):
        row, off = [], 0
        for av in in_avals:
            b = _leaf_block(col, off, av.size, av.shape, out_av.shape)
            row.append(_to_front(b, av.ndim, out_av.ndim))
            off += av.size
        blocks.append(row)
    return _assemble(tr, blocks, argnums)


def jacrev(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           chunk_size: int | str | None = None, max_memory: int | None = None,
           holomorphic: bool = False, executor: Any = None, out: str | None = None
           ) -> Callable:
    """The Jacobian by reverse mode: the transposed linear function batched over all output
    basis vectors (``chunk_size`` at a time; ``"auto"``: as many as fit ``max_memory``
    bytes). Shape: output shape + input shape. Outputs must be real (inputs may be complex:
    each row is then a gradient, as ``grad`` gives it), unless ``holomorphic=True``.
    ``executor``, ``out``: as for ``jacfwd``.

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.jacrev(lambda x: x * x)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    chunk = _check_chunk_size(chunk_size, "jacrev")
    remote = remote_for(executor, out, max_memory, "jacrev")

    @functools.wraps(fun)
    def jacfun(*args: Any, **kwargs: Any) -> Any:
        tr, lin, consts, _ = _jac_setup(fun, args, kwargs, argnums, has_aux, "jacrev",
                                        holomorphic)
        jac = _jacrev_of(tr, lin, consts, argnums, chunk, max_memory, "jacrev", remote)
        return (jac, tr.aux) if has_aux else jac

    return jacfun


def _jacrev_of(tr: _Traced, lin: Jaxpr, consts: list, argnums: Any, chunk: Any,
               max_memory: int | None, api: str, remote: Remote | None = None) -> Any:
    ct_jaxpr, ct_consts = transpose_jaxpr(lin, consts)
    out_avals, in_avals = lin.out_avals, lin.in_avals
    m = _flat_size(out_avals)
    k = _resolve_chunk(chunk, ct_jaxpr, ct_consts, out_avals, m, max_memory, api, tr.xp,
                       remote)
    rows = _batched_over_basis(ct_jaxpr, ct_consts, out_avals, list(range(m)), k, tr.xp,
                               remote)
    blocks = []
    off = 0
    for out_av in out_avals:
        blocks.append([_leaf_block(r, off, out_av.size, out_av.shape, av.shape)
                       for r, av in zip(rows, in_avals)])
        off += out_av.size
    return _assemble(tr, blocks, argnums)


def jacobian(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
             chunk_size: int | str | None = None, max_memory: int | None = None,
             holomorphic: bool = False, executor: Any = None, out: str | None = None
             ) -> Callable:
    """The Jacobian, by forward mode when the inputs have fewer elements than the outputs,
    by reverse mode otherwise (complex inputs: reverse; complex outputs: forward, unless
    ``holomorphic=True``). ``executor``, ``out``: as for ``jacfwd``.

    >>> import ftrans, numpy as np
    >>> ftrans.jacobian(lambda x: 2.0 * x)(np.ones(2))
    array([[2., 0.],
           [0., 2.]])
    """
    chunk = _check_chunk_size(chunk_size, "jacobian")
    remote = remote_for(executor, out, max_memory, "jacobian")

    @functools.wraps(fun)
    def jacfun(*args: Any, **kwargs: Any) -> Any:
        tr, lin, consts, _ = _jac_setup(fun, args, kwargs, argnums, has_aux, "jacobian",
                                        holomorphic)
        forward = _forward_mode(lin, holomorphic, fun)
        jac = (_jacfwd_of if forward else _jacrev_of)(tr, lin, consts, argnums, chunk,
                                                      max_memory, "jacobian", remote)
        return (jac, tr.aux) if has_aux else jac

    return jacfun


def _concat_flat(parts: list[Any], axis: int) -> Any:
    return concatenate(parts, axis) if len(parts) > 1 else parts[0]


def _check_indices(idx: Sequence[int], n: int, what: str, api: str) -> list[int]:
    arr = np.atleast_1d(to_host(idx) if is_gpu_array(idx) else np.asarray(idx))
    if arr.dtype == np.bool_:
        raise TypeError(f"{api}: {what} must be integers, got booleans {idx!r:.60}; for a "
                        f"mask use np.flatnonzero(mask)")
    out = []
    for i in arr.tolist():
        if not isinstance(i, int):
            raise TypeError(f"{api}: {what} must be integers, got {i!r}")
        if not -n <= i < n:
            raise IndexError(f"{api}: {what[:-1]} index {i} is out of range for a flattened "
                             f"size of {n}")
        out.append(i % n)
    return out


def jacobian_columns(fun: Callable, cols: Sequence[int], argnums: int | Sequence[int] = 0,
                     chunk_size: int | str | None = None, has_aux: bool = False,
                     max_memory: int | None = None, executor: Any = None,
                     out: str | None = None) -> Callable:
    """Chosen Jacobian columns by forward mode (one jvp per column, batched). ``cols`` index
    the flattened inputs (those of ``argnums``, one after another); the result has shape
    (flattened output size, len(cols)). ``chunk_size``, ``max_memory``, ``executor``,
    ``out`` as for ``jacfwd``.

    >>> import ftrans, numpy as np
    >>> ftrans.jacobian_columns(lambda x: x * np.array([1.0, 2.0, 3.0]), [2])(np.ones(3))
    array([[0.],
           [0.],
           [3.]])
    """
    chunk = _check_chunk_size(chunk_size, "jacobian_columns")
    remote = remote_for(executor, out, max_memory, "jacobian_columns")

    @functools.wraps(fun)
    def columns(*args: Any, **kwargs: Any) -> Any:
        tr, lin, consts, _ = _jac_setup(fun, args, kwargs, argnums, has_aux,
                                        "jacobian_columns")
        chosen = _check_indices(cols, _flat_size(lin.in_avals), "cols", "jacobian_columns")
        k = _resolve_chunk(chunk, lin, consts, lin.in_avals, len(chosen), max_memory,
                           "jacobian_columns", tr.xp, remote)
        outs = _batched_over_basis(lin, consts, lin.in_avals, chosen, k, tr.xp, remote)
        flat = [reshape(o, (len(chosen), av.size)) for o, av in zip(outs, lin.out_avals)]
        out = owned([_finalize(transpose(_concat_flat(flat, 1), (1, 0)))], tr.avoid)[0]
        return (out, tr.aux) if has_aux else out

    return columns


def jacobian_rows(fun: Callable, rows: Sequence[int], argnums: int | Sequence[int] = 0,
                  chunk_size: int | str | None = None, has_aux: bool = False,
                  max_memory: int | None = None, executor: Any = None,
                  out: str | None = None) -> Callable:
    """Chosen Jacobian rows by reverse mode (one vjp per row, batched). ``rows`` index the
    flattened outputs; the result has shape (len(rows), flattened input size, the inputs of
    ``argnums`` one after another). ``chunk_size``, ``max_memory``, ``executor``, ``out`` as
    for ``jacrev``.

    >>> import ftrans, numpy as np
    >>> ftrans.jacobian_rows(lambda x: x * np.array([1.0, 2.0, 3.0]), [1])(np.ones(3))
    array([[0., 2., 0.]])
    """
    chunk = _check_chunk_size(chunk_size, "jacobian_rows")
    remote = remote_for(executor, out, max_memory, "jacobian_rows")

    @functools.wraps(fun)
    def rows_fun(*args: Any, **kwargs: Any) -> Any:
        tr, lin, consts, _ = _jac_setup(fun, args, kwargs, argnums, has_aux, "jacobian_rows")
        chosen = _check_indices(rows, _flat_size(lin.out_avals), "rows", "jacobian_rows")
        ct_jaxpr, ct_consts = transpose_jaxpr(lin, consts)
        k = _resolve_chunk(chunk, ct_jaxpr, ct_consts, lin.out_avals, len(chosen), max_memory,
                           "jacobian_rows", tr.xp, remote)
        outs = _batched_over_basis(ct_jaxpr, ct_consts, lin.out_avals, chosen, k, tr.xp,
                                   remote)
        flat = [reshape(o, (len(chosen), av.size)) for o, av in zip(outs, lin.in_avals)]
        out = owned([_finalize(_concat_flat(flat, 1))], tr.avoid)[0]
        return (out, tr.aux) if has_aux else out

    return rows_fun


def hessian(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
            chunk_size: int | str | None = None, max_memory: int | None = None,
            holomorphic: bool = False, executor: Any = None, out: str | None = None
            ) -> Callable:
    """The Hessian, as ``jacfwd(jacrev(fun))``; ``chunk_size`` and ``max_memory`` bound both.
    ``executor``, ``out``: as for ``jacfwd``, for the outer ``jacfwd`` (its columns are the
    work; the inner ``jacrev`` is part of the forward pass, traced in the caller).

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.hessian(lambda x: fnp.sum(x ** 3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    return jacfwd(jacrev(fun, argnums, has_aux, chunk_size, max_memory, holomorphic), argnums,
                  has_aux, chunk_size, max_memory, holomorphic, executor, out)


def hvp(fun: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> Any:
    """The Hessian-vector product H·v by forward-over-reverse, never forming H.

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.hvp(lambda x: fnp.sum(x ** 3), (np.array([1.0, 2.0]),), (np.ones(2),))
    array([ 6., 12.])
    """
    primals, tangents = tuple(primals), tuple(tangents)
    g = grad(fun, argnums=tuple(range(len(primals))))
    _, out = jvp(g, primals, tangents)
    return out[0] if len(primals) == 1 else out


# ----------------------------------------------------------------------------- vmap

def _prefix_leaves(prefix: Any, tree: Any, what: str) -> list[Any]:
    """Broadcast a pytree prefix (``in_axes``/``out_axes``) to the leaves of ``tree``."""
    if prefix is None or isinstance(prefix, (int, np.integer)):
        return [prefix] * len(tree_flatten(tree)[0])
    if isinstance(prefix, (tuple, list)) and isinstance(tree, (tuple, list)) \
            and not hasattr(tree, "_fields"):
        if len(prefix) != len(tree):
            raise ValueError(f"vmap {what} has {len(prefix)} entries but the value has "
                             f"{len(tree)}: {what}={prefix!r}")
        return [x for p, t in zip(prefix, tree) for x in _prefix_leaves(p, t, what)]
    if isinstance(prefix, dict) and type(tree) is dict:
        if set(prefix) != set(tree):
            raise ValueError(f"vmap {what} has keys {sorted(prefix)} but the value has keys "
                             f"{sorted(tree)}")
        return [x for k in sorted(tree) for x in _prefix_leaves(prefix[k], tree[k], what)]
    p_node, t_node = _node_of(prefix), _node_of(tree)
    if p_node is not None and t_node is not None and p_node[0] is t_node[0]:
        # a namedtuple or registered node: its children are prefixes (None: not mapped)
        (p_kids, p_aux), (t_kids, t_aux) = p_node[1].flatten(prefix), t_node[1].flatten(tree)
        p_kids, t_kids = list(p_kids), list(t_kids)
        if p_aux == t_aux and len(p_kids) == len(t_kids):
            return [x for p, t in zip(p_kids, t_kids) for x in _prefix_leaves(p, t, what)]
    p_def, t_def = tree_flatten(prefix)[1], tree_flatten(tree)[1]
    if p_def == t_def:
        return tree_flatten(prefix)[0]
    raise ValueError(f"vmap {what} structure {p_def} does not match the value's structure "
                     f"{t_def}")


def _check_axes_spec(spec: Any, what: str) -> None:
    """``in_axes``/``out_axes`` leaves must be ints or None."""
    for leaf in tree_flatten(spec)[0] if spec is not None else []:
        if isinstance(leaf, bool) or not isinstance(leaf, (int, np.integer)):
            raise ValueError(f"vmap {what} must be an int, None, or a pytree of them, got "
                             f"{what}={spec!r}")


def _batched_shape(shape: tuple, dim: int | None, size: int) -> tuple:
    return shape if dim is not None else (size,) + shape


def vmap(fun: Callable, in_axes: Any = 0, out_axes: Any = 0,
         axis_size: int | None = None, executor: Any = None) -> Callable:
    """Vectorize ``fun`` over a batch axis of its inputs.

    ``in_axes``: an int, None, or a pytree prefix of the positional arguments (a tuple with
    one entry per argument); keyword arguments are mapped over their axis 0, as in JAX.
    ``out_axes`` likewise for the outputs. Negative axes count from the end.
    ``axis_size`` gives the batch size when no input is mapped. ``executor``: a
    ``concurrent.futures.Executor`` or a ``dask.distributed.Client``; ``fun`` is traced once
    here and the mapped axis is split into shards (of 16 rows at least), each a compiled
    batched call on a worker (``ftrans.distributed``; matrix products may differ from the
    single-process ones in the last bits, as BLAS picks kernels by shape). Given Dask arrays
    (mapped along axis 0), the result is lazy Dask arrays: ``ftrans.distributed.map_blocks``.

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.vmap(lambda x: fnp.sum(x * x))(np.arange(6.0).reshape(2, 3))
    array([ 5., 50.])
    """
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    _check_axes_spec(in_axes, "in_axes")
    _check_axes_spec(out_axes, "out_axes")
    if axis_size is not None and (isinstance(axis_size, bool) or not isinstance(
            axis_size, (int, np.integer)) or axis_size < 0):
        raise ValueError(f"vmap: axis_size must be a non-negative integer or None, got "
                         f"{axis_size!r}")
    remote = remote_for(executor, None, None, "vmap")

    @functools.wraps(fun)
    def vmapped(*args: Any, **kwargs: Any) -> Any:
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError(f"vmap in_axes has {len(in_axes)} entries but "
                             f"{_fun_name(fun)} was called with {len(args)} positional "
                             "arguments")
        leaves, in_tree = tree_flatten((args, kwargs))
        axes = (_prefix_leaves(in_axes, args, "in_axes")
                + [0] * len(tree_flatten(kwargs)[0]))
        owners = [_arg_name(fun, a) for a, arg in enumerate(args)
                  for _ in range(len(tree_flatten(arg)[0]))]
        owners += [f"keyword argument {k!r}" for k in sorted(kwargs)
                   for _ in range(len(tree_flatten(kwargs[k])[0]))]
        if any(is_dask_array(x) for x in leaves):  # lazily, one batched program per block
            return vmap_blocks(vmap(fun, in_axes, out_axes), args, kwargs, axes, out_axes,
                               owners)
        leaves, xp = to_call_device(leaves, "vmap")
        values, dims, sizes = [], [], []
        for i, (x, ax) in enumerate(zip(leaves, axes)):
            if ax is None:
                values.append(x)
                dims.append(None)
                continue
            x = _as_value(x, f"vmap: input leaf {i} ({owners[i]})")
            nd = len(aval_of(x).shape)
            if not -nd <= ax < max(nd, 1) or nd == 0:
                raise ValueError(f"vmap: in_axes={ax} is out of range for input leaf {i} "
                                 f"({owners[i]}) with shape {aval_of(x).shape}")
            ax = int(ax) % nd
            values.append(x)
            dims.append(ax)
            sizes.append((i, aval_of(x).shape[ax]))
        size_set = {s for _, s in sizes}
        if axis_size is not None:
            size_set.add(axis_size)
        if len(size_set) > 1:
            detail = ", ".join(f"leaf {i}: {s} ({owners[i]})" for i, s in sizes)
            raise ValueError(f"vmap got inconsistent sizes for the array axes to be mapped "
                             f"({detail}" + (f", axis_size={axis_size}" if axis_size else "")
                             + ")")
        if not size_set:
            raise ValueError("vmap needs at least one mapped input (an in_axes entry that is "
                             "not None) or an explicit axis_size")
        size = size_set.pop()

        out_tree_box: list[PyTreeDef] = []
        mapped = [i for i, d in enumerate(dims) if d is not None]

        def flat_fun(*tracers: Any) -> list[Any]:
            full = list(values)
            for i, t in zip(mapped, tracers):
                full[i] = t
            f_args, f_kwargs = tree_unflatten(in_tree, full)
            out = fun(*f_args, **f_kwargs)
            out_flat, out_tree = tree_flatten(out)
            out_tree_box.append(out_tree)
            return out_flat

        avals = []
        for i in mapped:
            av = aval_of(values[i])
            d = dims[i]
            avals.append(ShapedArray(av.shape[:d] + av.shape[d + 1:], av.dtype))
        jaxpr, consts = trace_to_jaxpr(flat_fun, avals, "vmap")
        m_values, m_dims = [values[i] for i in mapped], [dims[i] for i in mapped]
        if remote is not None and m_values and remote.applies([*consts, *m_values]):
            outs, out_dims = remote.map_shards(jaxpr, consts, m_values, m_dims, size)
        else:
            outs, out_dims = batch_jaxpr_eval(jaxpr, consts, m_values, m_dims)
        out_tree = out_tree_box[0]
        out_ax = _prefix_leaves(out_axes, tree_unflatten(out_tree, outs), "out_axes")
        results = []
        for i, (o, d, ax) in enumerate(zip(outs, out_dims, out_ax)):
            o = _as_value(o, "vmap output")
            nd = len(aval_of(o).shape) + (d is None)
            if ax is not None and not -nd <= ax < nd:
                raise ValueError(f"vmap: out_axes={ax} is out of range for output leaf {i}, "
                                 f"which has {nd} axes with the batch axis (shape "
                                 f"{_batched_shape(aval_of(o).shape, d, size)})")
            # an output that is a constant (a NumPy value) is broadcast on the host: moved
            results.append(_finalize(on_device(xp, [move_batch_axis(o, d, ax, size)])[0]))
        return _owned_tree(out_tree, results, [*tree_flatten((args, kwargs))[0], *leaves,
                                               *consts])

    return vmapped


# ----------------------------------------------------------------------------- make_jaxpr

def make_jaxpr(fun: Callable, static_argnums: int | Sequence[int] = ()) -> Callable:
    """The jaxpr of ``fun`` at the shapes and dtypes of the given arguments.

    >>> import ftrans, ftrans.numpy as fnp
    >>> print(ftrans.make_jaxpr(lambda x, y: fnp.sin(x / y))(1.5, 0.5))
    { lambda ; a:f64[] b:f64[]. let
        c:f64[] = div a b
        d:f64[] = sin c
      in (d,) }
    """
    statics = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

    @functools.wraps(fun)
    def make(*args: Any, **kwargs: Any) -> ClosedJaxpr:
        dyn = [i for i in range(len(args)) if i not in statics]
        leaves, in_tree = tree_flatten(tuple(args[i] for i in dyn))
        avals = [aval_of(_as_value(x, f"make_jaxpr: {_arg_name(fun, 0)}")).strip_weak()
                 for x in leaves]

        def flat_fun(*xs: Any) -> list[Any]:
            full = list(args)
            for i, a in zip(dyn, tree_unflatten(in_tree, xs)):
                full[i] = a
            return tree_flatten(fun(*full, **kwargs))[0]

        jaxpr, consts = trace_to_jaxpr(flat_fun, avals, "make_jaxpr")
        return ClosedJaxpr(jaxpr, consts)

    return make


__all__ = ["jvp", "linearize", "vjp", "linear_transpose", "grad", "value_and_grad", "jacfwd",
           "jacrev", "jacobian", "jacobian_columns", "jacobian_rows", "hessian", "hvp", "vmap",
           "make_jaxpr"]

