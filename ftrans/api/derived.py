"""Derivative tools built on ``derivatives``: ``linear_transpose`` (the transpose of a linear
function), ``hvp`` (Hessian-vector products, forward over reverse) and ``saved_residuals`` /
``print_saved_residuals`` (what reverse mode keeps).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import aval_of, trace_to_jaxpr
from ..device import is_gpu_array, on_device, require_gpu, to_call_device
from ..ir import ShapedArray
from ..transforms.transpose import backward_pass
from ..tree_util import PyTreeDef, tree_flatten, tree_unflatten
from .checks import as_value, finalize, leaf_values, owned_tree
from .derivatives import grad, jvp, linearized


def linear_transpose(fun: Callable[..., Any], *primals: Any
                     ) -> Callable[[Any], tuple[Any, ...]]:
    """The transpose of a linear function: ``t(ct)`` returns ``Aᵀ·ct`` for ``fun(x) = A·x``.

    Parameters
    ----------
    fun : callable
        A function linear in its arguments.
    *primals
        Values with the shapes and dtypes of ``fun``'s arguments (their values are not used).

    Returns
    -------
    callable
        ``t(ct)``, returning a tuple with one cotangent per primal.

    Raises
    ------
    ValueError
        When ``t`` is called with a cotangent whose structure differs from ``fun``'s output.

    Examples
    --------
    >>> import ftrans
    >>> t = ftrans.linear_transpose(lambda x: 3.0 * x, 1.0)
    >>> t(2.0)
    (6.0,)
    """
    flat, in_tree = tree_flatten(primals)
    avals = [aval_of(as_value(x, "linear_transpose")).strip_weak() for x in flat]
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
        vals = leaf_values(ct_flat, jaxpr.out_avals, "linear_transpose")
        vals, xp = to_call_device(vals, "linear_transpose")
        if xp is np and on_gpu:  # the primals were CuPy arrays: so are the results
            xp = require_gpu()
            vals = on_device(xp, vals)
        dev_consts = on_device(xp, consts)
        cts = backward_pass(jaxpr, dev_consts, vals)
        return owned_tree(in_tree, [finalize(c, xp) for c in cts],
                          [*ct_flat, *vals, *consts, *dev_consts])

    return transposed


def hvp(fun: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Any:
    """The Hessian-vector product ``H·v`` of a scalar ``fun``, by forward-over-reverse, never
    forming ``H``.

    Parameters
    ----------
    fun : callable
        A scalar-valued function.
    primals : sequence
        The point, one value per positional argument of ``fun``.
    tangents : sequence
        The vector ``v``: the structure, shapes and dtypes of ``primals``.

    Returns
    -------
    array or tuple
        ``H·v``: like the single primal, or a tuple with one entry per primal.

    Raises
    ------
    TypeError
        If ``fun`` does not return a real scalar.
    ValueError
        If the tangents do not match the primals.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.hvp(lambda x: fnp.sum(x ** 3), (np.array([1.0, 2.0]),), (np.ones(2),))
    array([ 6., 12.])
    """
    primals, tangents = tuple(primals), tuple(tangents)
    g = grad(fun, argnums=tuple(range(len(primals))))
    _, out = jvp(g, primals, tangents)
    return out[0] if len(primals) == 1 else out


def saved_residuals(fun: Callable[..., Any], *args: Any) -> list[tuple[ShapedArray, int]]:
    """The residuals a ``vjp`` of ``fun`` at ``args`` keeps for its backward pass.

    Parameters
    ----------
    fun : callable
        The function.
    *args
        The point.

    Returns
    -------
    list of (ShapedArray, int)
        Each residual's shape and dtype, and its size in bytes.

    Raises
    ------
    TypeError
        If an argument is not a float or complex array or number.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.saved_residuals(lambda x: fnp.sum(fnp.sin(x)), np.ones(3))
    [(f64[3], 24)]
    """
    _, _, consts = linearized(fun, args, False, "saved_residuals", ["args"])
    out = []
    for c in consts:
        av = aval_of(c)
        out.append((av.strip_weak(), int(av.size * av.dtype.itemsize)))
    return out


def print_saved_residuals(fun: Callable[..., Any], *args: Any) -> int:
    """Print what a ``vjp`` of ``fun`` at ``args`` keeps (shape, dtype, bytes) and the total.

    Parameters
    ----------
    fun : callable
        The function.
    *args
        The point.

    Returns
    -------
    int
        The total size of the residuals, in bytes.

    Raises
    ------
    TypeError
        If an argument is not a float or complex array or number.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.print_saved_residuals(lambda x: fnp.sum(fnp.sin(x)), np.ones(3))
    f64[3]  24 bytes
    total: 1 residual(s), 24 bytes
    24
    """
    res = saved_residuals(fun, *args)
    for av, nbytes in res:
        print(f"{av.str_short()}  {nbytes} bytes")
    total = sum(b for _, b in res)
    print(f"total: {len(res)} residual(s), {total} bytes")
    return total
