"""Chosen Jacobian columns (``jacobian_columns``: forward mode, one jvp per column) and rows
(``jacobian_rows``: reverse mode, one vjp per row), on the engine of ``jacobians``."""

from __future__ import annotations

import functools
from typing import Any, Callable, ParamSpec, Sequence

from ..backends.owned import owned
from ..distributed.engine import remote_for
from ..prims.shape import reshape, transpose
from ..prims.slicing import concatenate
from ..transforms.transpose import transpose_jaxpr
from .checks import check_chunk_size, check_indices, finalize
from .jacobians import _flat_size, batched_over_basis, jac_setup, resolve_chunk

_P = ParamSpec("_P")


def _concat_flat(parts: list[Any], axis: int) -> Any:
    return concatenate(parts, axis) if len(parts) > 1 else parts[0]


def jacobian_columns(fun: Callable[_P, Any], cols: Sequence[int],
                     argnums: int | Sequence[int] = 0,
                     chunk_size: int | str | None = None, has_aux: bool = False,
                     max_memory: int | None = None, executor: Any = None,
                     out: str | None = None) -> Callable[_P, Any]:
    """Chosen columns of the Jacobian, by forward mode (one jvp per column, batched).

    Parameters
    ----------
    fun : callable
        The function.
    cols : sequence of int
        Indices into the flattened differentiated inputs.
    argnums : int or sequence of int, default 0
        The positional arguments differentiated; their flattened elements are numbered one
        argument after another.
    chunk_size : int, "auto" or None, default None
        How many of the chosen vectors to push through at a time, as for ``jacfwd``.
    has_aux : bool, default False
        ``fun`` returns ``(output, aux)``; the result is then ``(block, aux)``.
    max_memory : int or None, default None
        The bytes "auto" may use.
    executor, out : optional
        As for ``jacfwd``.

    Returns
    -------
    callable
        With ``fun``'s signature, returning an array of shape
        ``(flattened output size, len(cols))``.

    Raises
    ------
    TypeError
        When called: if ``cols`` holds booleans or non-integers, or an input is not a float
        array or number.
    IndexError
        When called: if an index in ``cols`` is out of range.

    Examples
    --------
    >>> import ftrans, numpy as np
    >>> ftrans.jacobian_columns(lambda x: x * np.array([1.0, 2.0, 3.0]), [2])(np.ones(3))
    array([[0.],
           [0.],
           [3.]])
    """
    chunk = check_chunk_size(chunk_size, "jacobian_columns")
    remote = remote_for(executor, out, max_memory, "jacobian_columns")

    @functools.wraps(fun)
    def columns(*args: Any, **kwargs: Any) -> Any:
        tr, lin, consts, _ = jac_setup(fun, args, kwargs, argnums, has_aux,
                                       "jacobian_columns")
        chosen = check_indices(cols, _flat_size(lin.in_avals), "cols", "jacobian_columns")
        k = resolve_chunk(chunk, lin, consts, lin.in_avals, len(chosen), max_memory,
                          "jacobian_columns", tr.xp, remote)
        outs = batched_over_basis(lin, consts, lin.in_avals, chosen, k, tr.xp, remote)
        flat = [reshape(o, (len(chosen), av.size)) for o, av in zip(outs, lin.out_avals)]
        out = owned([finalize(transpose(_concat_flat(flat, 1), (1, 0)))], tr.avoid)[0]
        return (out, tr.aux) if has_aux else out

    return columns


def jacobian_rows(fun: Callable[_P, Any], rows: Sequence[int],
                  argnums: int | Sequence[int] = 0,
                  chunk_size: int | str | None = None, has_aux: bool = False,
                  max_memory: int | None = None, executor: Any = None,
                  out: str | None = None) -> Callable[_P, Any]:
    """Chosen rows of the Jacobian, by reverse mode (one vjp per row, batched).

    Parameters
    ----------
    fun : callable
        The function.
    rows : sequence of int
        Indices into the flattened outputs.
    argnums : int or sequence of int, default 0
        The positional arguments differentiated; their flattened elements are numbered one
        argument after another.
    chunk_size : int, "auto" or None, default None
        How many of the chosen vectors to push through at a time, as for ``jacfwd``.
    has_aux : bool, default False
        ``fun`` returns ``(output, aux)``; the result is then ``(block, aux)``.
    max_memory : int or None, default None
        The bytes "auto" may use.
    executor, out : optional
        As for ``jacfwd``.

    Returns
    -------
    callable
        With ``fun``'s signature, returning an array of shape
        ``(len(rows), flattened size of the differentiated inputs)``.

    Raises
    ------
    TypeError
        When called: if ``rows`` holds booleans or non-integers, or an output is not real.
    IndexError
        When called: if an index in ``rows`` is out of range.

    Examples
    --------
    >>> import ftrans, numpy as np
    >>> ftrans.jacobian_rows(lambda x: x * np.array([1.0, 2.0, 3.0]), [1])(np.ones(3))
    array([[0., 2., 0.]])
    """
    chunk = check_chunk_size(chunk_size, "jacobian_rows")
    remote = remote_for(executor, out, max_memory, "jacobian_rows")

    @functools.wraps(fun)
    def rows_fun(*args: Any, **kwargs: Any) -> Any:
        tr, lin, consts, _ = jac_setup(fun, args, kwargs, argnums, has_aux, "jacobian_rows")
        chosen = check_indices(rows, _flat_size(lin.out_avals), "rows", "jacobian_rows")
        ct_jaxpr, ct_consts = transpose_jaxpr(lin, consts)
        k = resolve_chunk(chunk, ct_jaxpr, ct_consts, lin.out_avals, len(chosen), max_memory,
                          "jacobian_rows", tr.xp, remote)
        outs = batched_over_basis(ct_jaxpr, ct_consts, lin.out_avals, chosen, k, tr.xp,
                                  remote)
        flat = [reshape(o, (len(chosen), av.size)) for o, av in zip(outs, lin.in_avals)]
        out = owned([finalize(_concat_flat(flat, 1))], tr.avoid)[0]
        return (out, tr.aux) if has_aux else out

    return rows_fun
