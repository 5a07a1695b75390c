"""The APIs that trace a function abstractly: ``vmap`` (``in_axes``/``out_axes`` as pytree
prefixes, keyword arguments mapped over axis 0) and ``make_jaxpr``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

import numpy as np

from ..core import aval_of, trace_to_jaxpr
from ..device import on_device, to_call_device
from ..distributed.dask_arrays import is_dask_array, vmap_blocks
from ..distributed.engine import remote_for
from ..ir import ClosedJaxpr
from ..prims.shape import move_batch_axis
from ..transforms.batch import batch_fun, batch_jaxpr_eval
from ..tree_util import _node_of, flatten_fun, tree_flatten, tree_unflatten
from .checks import arg_name, as_value, finalize, fun_name, owned_tree


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
                             f"{fun_name(fun)} was called with {len(args)} positional "
                             "arguments")
        leaves, in_tree = tree_flatten((args, kwargs))
        axes = (_prefix_leaves(in_axes, args, "in_axes")
                + [0] * len(tree_flatten(kwargs)[0]))
        owners = [arg_name(fun, a) for a, arg in enumerate(args)
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
            x = as_value(x, f"vmap: input leaf {i} ({owners[i]})")
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

        def call(*full: Any) -> Any:
            f_args, f_kwargs = tree_unflatten(in_tree, full)
            return fun(*f_args, **f_kwargs)

        def evaluate(jaxpr: Any, consts: list, m_values: list, m_dims: list) -> Any:
            if remote is not None and m_values and remote.applies([*consts, *m_values]):
                return remote.map_shards(jaxpr, consts, m_values, m_dims, size)
            return batch_jaxpr_eval(jaxpr, consts, m_values, m_dims)

        outs, out_dims, out_tree, consts = batch_fun(call, values, dims, "vmap", evaluate)
        out_ax = _prefix_leaves(out_axes, tree_unflatten(out_tree, outs), "out_axes")
        results = []
        for i, (o, d, ax) in enumerate(zip(outs, out_dims, out_ax)):
            o = as_value(o, "vmap output")
            nd = len(aval_of(o).shape) + (d is None)
            if ax is not None and not -nd <= ax < nd:
                raise ValueError(f"vmap: out_axes={ax} is out of range for output leaf {i}, "
                                 f"which has {nd} axes with the batch axis (shape "
                                 f"{_batched_shape(aval_of(o).shape, d, size)})")
            # an output that is a constant (a NumPy value) is broadcast on the host: moved
            results.append(finalize(on_device(xp, [move_batch_axis(o, d, ax, size)])[0]))
        return owned_tree(out_tree, results, [*tree_flatten((args, kwargs))[0], *leaves,
                                              *consts])

    return vmapped


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
        leaves, in_tree = tree_flatten((tuple(args[i] for i in dyn), {}))
        avals = [aval_of(as_value(x, f"make_jaxpr: {arg_name(fun, 0)}")).strip_weak()
                 for x in leaves]
        flat_fun, _ = flatten_fun(fun, args, dyn, in_tree, kwargs)
        jaxpr, consts = trace_to_jaxpr(flat_fun, avals, "make_jaxpr")
        return ClosedJaxpr(jaxpr, consts)

    return make
