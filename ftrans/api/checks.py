"""What the API functions check on the way in and finish on the way out: argument names,
values and dtypes, ``argnums``, tangents and cotangents, chunk sizes and indices; results
as NumPy values the caller owns. Every error names the argument, what was expected and
what was given.

>>> arg_name(lambda x, y: x, 1)
"argument 1 ('y')"
"""

from __future__ import annotations

import inspect
import weakref
from typing import Any, Callable, Sequence

import numpy as np

from ..backends.owned import owned
from ..core import Tracer, Zero, aval_of, check_int64, instantiate
from ..device import is_gpu_array, to_host
from ..ir import ShapedArray, is_float_dtype
from ..tree_util import PyTreeDef, tree_flatten, tree_unflatten

SCALARS = (bool, int, float, complex)


_PARAMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def param_names(fun: Callable) -> list[str]:
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


def arg_name(fun: Callable, i: int) -> str:
    params = param_names(fun)
    if i < len(params):
        return f"argument {i} ({params[i]!r})"
    return f"argument {i}"


def fun_name(fun: Callable) -> str:
    return getattr(fun, "__name__", type(fun).__name__)


def as_value(x: Any, where: str) -> Any:
    """An input leaf as an array value; Python scalars become NumPy 0-d arrays."""
    if isinstance(x, Tracer):
        return x
    if isinstance(x, SCALARS):
        if type(x) is int:
            check_int64(x, where)
        return np.asarray(x)
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        if np.dtype(x.dtype).kind in "OSUV":
            raise TypeError(f"{where}: arrays of dtype {x.dtype} are not supported")
        return x
    raise TypeError(f"{where}: expected an array or a Python number, got "
                    f"{type(x).__name__} {x!r:.60}")


def finalize(x: Any, xp: Any = np) -> Any:
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


def check_diff_dtype(x: Any, where: str, api: str) -> None:
    dtype = aval_of(x).dtype
    if not is_float_dtype(dtype):
        raise TypeError(f"{api} requires real- or complex-valued inputs (input dtype that is a "
                        f"sub-dtype of np.inexact), but {where} has dtype {dtype.name}. "
                        "Convert it with .astype(float)"
                        + (", or leave it out of argnums." if api not in _NO_ARGNUMS else "."))


_NO_ARGNUMS = ("jvp", "vjp", "linearize")


def is_complex(dtype: np.dtype) -> bool:
    return dtype.kind == "c"


def _check_holomorphic_input(x: Any, where: str, api: str) -> None:
    dtype = aval_of(x).dtype
    if not is_complex(dtype):
        raise TypeError(f"{api} with holomorphic=True requires inputs with complex dtype, but "
                        f"{where} has dtype {dtype.name}. Convert it with .astype(complex), "
                        "or drop holomorphic=True for a real input.")


def _check_real_input(x: Any, where: str, api: str) -> None:
    dtype = aval_of(x).dtype
    if is_complex(dtype):
        raise TypeError(f"{api} requires real-valued inputs (input dtype that is a sub-dtype of "
                        f"np.floating), but {where} has dtype {dtype.name}. For holomorphic "
                        "differentiation, pass holomorphic=True. For differentiation of "
                        "non-holomorphic functions involving complex inputs, use ftrans.jvp "
                        "directly (or jacrev, whose rows are gradients).")


def check_output_dtype(dtype: np.dtype, fun: Callable, api: str, holomorphic: bool,
                       k: int | None = None) -> None:
    """A reverse-mode API's output dtype rule, or with ``holomorphic`` any API's (``k``:
    which output, for messages)."""
    if not holomorphic and dtype.kind == "f":
        return  # the usual case, first
    what = f"output {k} of {fun_name(fun)}" if k is not None else fun_name(fun)
    if holomorphic:
        if not is_complex(dtype):
            raise TypeError(f"{api} with holomorphic=True requires outputs with complex dtype, "
                            f"but {what} has dtype {dtype.name}")
    elif is_complex(dtype):
        raise TypeError(f"{api} requires real-valued outputs (output dtype that is a "
                        f"sub-dtype of np.floating), but {what} has dtype {dtype.name}. For "
                        "holomorphic differentiation, pass holomorphic=True. For "
                        "differentiation of non-holomorphic functions involving complex "
                        "outputs, use ftrans.vjp directly (or take the real part, "
                        "fnp.real, or abs).")
    elif not is_float_dtype(dtype):
        raise TypeError(f"{api} requires real-valued outputs (output dtype that is a "
                        f"sub-dtype of np.floating), but {what} returned {dtype.name}")


def check_input_dtypes(args: tuple, nums: Sequence[int], names: Sequence[str], api: str,
                       holomorphic: bool, real_inputs: bool = False) -> None:
    """Differentiated inputs are inexact; complex with ``holomorphic``; real with
    ``real_inputs`` (forward-mode Jacobians) otherwise."""
    for i, name in zip(nums, names):
        for leaf in tree_flatten(args[i])[0]:
            x = as_value(leaf, f"{api}: {name}")
            check_diff_dtype(x, name, api)
            if holomorphic:
                _check_holomorphic_input(x, name, api)
            elif real_inputs:
                _check_real_input(x, name, api)


def normalize_argnums(argnums: int | Sequence[int], nargs: int, api: str) -> tuple[int, ...]:
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


def check_tangent(p: Any, t: Any, where: str) -> None:
    pa, ta = aval_of(p), aval_of(t)
    if pa.shape != ta.shape:
        raise ValueError(f"{where}: tangent has shape {ta.shape} but its primal has shape "
                         f"{pa.shape}; they must match")
    if ta.dtype != pa.dtype and (not ta.weak_type or (is_complex(ta.dtype)
                                                      and not is_complex(pa.dtype))):
        raise ValueError(f"{where}: tangent has dtype {ta.dtype.name} but its primal has dtype "
                         f"{pa.dtype.name}; they must match"
                         + (" (a real primal has real tangents)" if is_complex(ta.dtype)
                            else ""))


def leaf_values(flat: Sequence[Any], avals: Sequence[ShapedArray], api: str,
                what: str = "cotangent", whose: str = "output") -> list[Any]:
    """Tangent or cotangent leaves as values of ``avals``' shapes (checked) and dtypes
    (cast)."""
    vals = []
    for i, (c, av) in enumerate(zip(flat, avals)):
        c = as_value(c, f"{api}: {what} {i}")
        ca = aval_of(c)
        if ca.shape != av.shape:
            raise ValueError(f"{api}: {what} {i} has shape {ca.shape}, but the {whose} has "
                             f"shape {av.shape}")
        if ca.dtype != av.dtype and not isinstance(c, Tracer):
            if is_complex(ca.dtype) and not is_complex(av.dtype):
                raise ValueError(f"{api}: {what} {i} has dtype {ca.dtype.name}, but the "
                                 f"{whose} is real ({av.dtype.name}): its {what}s are real "
                                 "too (take the real part if that is what you mean)")
            c = c.astype(av.dtype)
        vals.append(c)
    return vals


def owned_tree(tree: PyTreeDef, flat: list, avoid: Sequence[Any]) -> Any:
    """The pytree of ``flat`` results, each array the caller's own (``owned``)."""
    return tree_unflatten(tree, owned(flat, avoid))


def check_chunk_size(chunk_size: Any, api: str) -> int | str | None:
    if chunk_size is None or (isinstance(chunk_size, str) and chunk_size == "auto"):
        return chunk_size
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)):
        raise ValueError(f"{api}: chunk_size must be a positive integer, 'auto' or None, got "
                         f"{chunk_size!r}")
    if chunk_size < 1:
        raise ValueError(f"{api}: chunk_size must be a positive integer, got {chunk_size}")
    return int(chunk_size)


def check_indices(idx: Sequence[int], n: int, what: str, api: str) -> list[int]:
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
