"""Sparse Jacobians and Hessians by coloring.

Two columns of a Jacobian that have no row in common (*structurally orthogonal*) can share
one jvp: seeding both inputs at once gives their sum, and each row of the sum comes from one
of them. Greedily coloring the columns so that columns sharing a row get different colors,
one jvp per color (all batched in one vmapped pass over the linearized function) recovers
every structural nonzero: ``J[r, j] = (J s_c)[r]`` where ``c`` is the color of column ``j``.
Rows colored the same way share one vjp. A tridiagonal Jacobian needs 3 colors, whatever
its size. A few dense rows would force a color per column; they are set apart and taken one
vjp each (dense columns: one jvp each), so an arrowhead Jacobian takes 3 passes, not n. For
a Hessian, symmetric, a dense row is a column: one more Hessian-vector product.

The pattern comes from the user (a boolean mask, or ``(rows, cols)``) or from
``jacobian_sparsity``, which propagates dependency patterns through the function's jaxpr
(``ftrans.deps``). Indices are those of the flattened output (rows) and input (columns).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, NamedTuple

import numpy as np

from .api.checks import as_value, check_chunk_size, check_diff_dtype, fun_name
from .api.derivatives import Traced, grad, trace_concrete
from .api.jacobians import BasisRows, batched_over_seeds, resolve_chunk
from .core import aval_of
from .deps import jaxpr_deps, ranges, unique_sorted
from .device import to_host
from .distributed.engine import remote_for
from .ir import ShapedArray
from .transforms.transpose import transpose_jaxpr

# ----------------------------------------------------------------------------- patterns


class Sparsity(NamedTuple):
    """A sparsity pattern: the nonzeros ``(rows[k], cols[k])`` of a ``shape`` matrix (a
    named tuple, as ``jacobian_sparsity`` returns; ``sparse_jacobian`` accepts it).

    Parameters
    ----------
    rows, cols : ndarray of int
        The row and column of each structural nonzero.
    shape : tuple of int
        ``(rows, columns)`` of the matrix: flattened output size × flattened input size.

    Examples
    --------
    >>> import numpy as np
    >>> Sparsity(np.array([0, 1]), np.array([1, 0]), (2, 2)).todense().tolist()
    [[False, True], [True, False]]
    """

    rows: np.ndarray
    cols: np.ndarray
    shape: tuple[int, int]

    def todense(self) -> np.ndarray:
        """The pattern as a boolean mask of shape ``shape``.

        Returns
        -------
        mask : ndarray of bool
            True at the structural nonzeros.
        """
        mask = np.zeros(self.shape, bool)
        mask[self.rows, self.cols] = True
        return mask


class SparseJacobian:
    """A Jacobian in COO form: ``values[k]`` is ``J[rows[k], cols[k]]``. Unpacks as
    ``rows, cols, values``; ``num_passes`` is the number of jvps (``mode="forward"``) or
    vjps (``mode="reverse"``) it took, both counted for ``"forward+reverse"`` (columns
    colored, dense rows by vjp) and ``"reverse+forward"``.

    Parameters
    ----------
    rows, cols : ndarray of int
        The row (flattened output index) and column (flattened input index) of each value.
    values : ndarray
        The Jacobian's entries there.
    shape : tuple of int
        ``(output size, input size)``.
    num_passes : int
        The jvps and vjps it took.
    mode : str
        ``"forward"``, ``"reverse"``, ``"forward+reverse"`` or ``"reverse+forward"``.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> J = ftrans.sparse_jacobian(fnp.sin)(np.zeros(3))
    >>> J.num_passes, J.todense().tolist()
    (1, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    """

    __slots__ = ("rows", "cols", "values", "shape", "num_passes", "mode")

    def __init__(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
                 shape: tuple[int, int], num_passes: int, mode: str):
        self.rows, self.cols, self.values, self.shape = rows, cols, values, shape
        self.num_passes, self.mode = num_passes, mode

    def __iter__(self):
        return iter((self.rows, self.cols, self.values))

    def todense(self) -> np.ndarray:
        """The Jacobian as a dense ``shape`` array (zeros off the pattern).

        Returns
        -------
        out : ndarray
            Of shape ``shape`` and the values' dtype.
        """
        out = np.zeros(self.shape, self.values.dtype)
        out[self.rows, self.cols] = self.values
        return out

    def __repr__(self) -> str:
        return (f"SparseJacobian(shape={self.shape}, nnz={len(self.values)}, "
                f"{self.mode} mode, {self.num_passes} passes)")


def _single_array(x: Any, api_name: str) -> Any:
    if isinstance(x, (tuple, list, dict)):
        raise TypeError(f"{api_name}: x must be a single array, got a {type(x).__name__}")
    return as_value(x, f"{api_name}: x")


def _traced_single_output(fun: Callable, x: Any, api_name: str) -> Traced:
    tr = trace_concrete(fun, (x,), False, api_name, ["x"])
    if tr.out_tree.num_leaves != 1 or tr.out_tree.node_type is not None:
        raise TypeError(f"{api_name}: {fun_name(fun)} must return a single array, but it "
                        f"returned a pytree with structure {tr.out_tree}")
    return tr


def jacobian_sparsity(fun: Callable, x: Any) -> Sparsity:
    """The structural sparsity pattern of the Jacobian of ``fun`` at ``x``, found by
    following which inputs each output element depends on through ``fun``'s jaxpr. Rows
    index the flattened output, columns the flattened input. Structural: an entry that is
    zero at this ``x`` but not everywhere is in the pattern.

    Parameters
    ----------
    fun : callable
        A function of one array returning one array.
    x : array_like
        The point it is traced at.

    Returns
    -------
    pattern : Sparsity
        The nonzeros of the ``(output size, input size)`` Jacobian.

    Raises
    ------
    TypeError
        If ``x`` is not a single array (or number), or ``fun`` does not return one array.

    Examples
    --------
    >>> import ftrans, numpy as np
    >>> p = ftrans.jacobian_sparsity(lambda x: 2.0 * x, np.ones(3))
    >>> p.rows.tolist(), p.cols.tolist(), p.shape
    ([0, 1, 2], [0, 1, 2], (3, 3))
    """
    x = _single_array(x, "jacobian_sparsity")
    tr = _traced_single_output(fun, x, "jacobian_sparsity")
    (d,) = jaxpr_deps(tr.jaxpr)
    shape = (d.size, d.n)
    if d.dense:
        rows, cols = np.nonzero(np.ones(shape, bool))
        return Sparsity(rows, cols, shape)
    return Sparsity(*d.coo(), shape)


def hessian_sparsity(fun: Callable, x: Any) -> Sparsity:
    """The structural sparsity pattern of the Hessian of scalar ``fun`` at ``x``: that of
    the Jacobian of its gradient.

    Parameters
    ----------
    fun : callable
        A scalar-valued function of one array.
    x : array_like
        The point, of a float dtype.

    Returns
    -------
    pattern : Sparsity
        The nonzeros of the ``(n, n)`` Hessian, ``n = x.size``.

    Raises
    ------
    TypeError
        If ``x`` is not a single float array, or ``fun`` does not return a scalar.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.hessian_sparsity(lambda x: fnp.sum(fnp.sin(x)), np.ones(2)).todense().tolist()
    [[True, False], [False, True]]
    """
    return jacobian_sparsity(grad(fun), x)


def _as_pattern(sparsity: Any, shape: tuple[int, int], api_name: str) -> tuple[np.ndarray,
                                                                                np.ndarray]:
    """Validated ``(rows, cols)`` from a mask, a ``(rows, cols)`` pair or a scipy-like
    matrix (``.row``/``.col`` or ``.tocoo()``)."""
    given_shape = getattr(sparsity, "shape", None)
    if hasattr(sparsity, "tocoo") and not hasattr(sparsity, "row"):
        sparsity = sparsity.tocoo()
    if hasattr(sparsity, "row") and hasattr(sparsity, "col"):
        sparsity = (sparsity.row, sparsity.col)
    elif isinstance(sparsity, Sparsity):
        sparsity = (sparsity.rows, sparsity.cols)
    if isinstance(sparsity, tuple) and len(sparsity) == 2:
        rows, cols = (to_host(a).reshape(-1) for a in sparsity)
        if given_shape is not None and tuple(given_shape) != shape:
            raise ValueError(f"{api_name}: sparsity has shape {tuple(given_shape)}, but the "
                             f"Jacobian has shape {shape} (flattened outputs × inputs)")
        if len(rows) != len(cols):
            raise ValueError(f"{api_name}: sparsity (rows, cols) have different lengths "
                             f"{len(rows)} and {len(cols)}")
        for name, idx, bound in (("rows", rows, shape[0]), ("cols", cols, shape[1])):
            if len(idx) and (idx.dtype.kind not in "iu" or idx.min() < 0 or idx.max() >= bound):
                raise ValueError(f"{api_name}: sparsity {name} must be integers in "
                                 f"[0, {bound}) for a Jacobian of shape {shape}, got "
                                 f"dtype {idx.dtype} and range [{idx.min()}, {idx.max()}]")
        keys = unique_sorted(rows.astype(np.int64) * shape[1] + cols)
        return keys // shape[1], keys % shape[1]
    mask = to_host(sparsity)
    if mask.dtype != bool:
        raise TypeError(f"{api_name}: sparsity must be a boolean mask or a (rows, cols) pair, "
                        f"got an array of dtype {mask.dtype}")
    if mask.shape != shape:
        raise ValueError(f"{api_name}: sparsity mask has shape {mask.shape}, but the Jacobian "
                         f"has shape {shape} (flattened outputs × inputs)")
    rows, cols = np.nonzero(mask)
    return rows.astype(np.int64), cols.astype(np.int64)


# ----------------------------------------------------------------------------- coloring

_MAX_COLORING_WORK = 100_000_000


def color_columns(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Greedy coloring (largest degree first) of the columns of a pattern so that columns
    sharing a row get different colors: columns of one color can share one jvp.

    Parameters
    ----------
    rows, cols : ndarray of int
        The pattern's nonzeros.
    shape : tuple of int
        The matrix's ``(rows, columns)``.

    Returns
    -------
    colors : ndarray of int
        Each column's color, from 0 (one color per column when the pattern is too dense to
        be worth coloring).

    Examples
    --------
    >>> color_columns(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 2]), (2, 3)).tolist()
    [1, 0, 1]
    """
    m, n = shape
    row_deg = np.bincount(rows, minlength=m).astype(np.int64)
    if int((row_deg ** 2).sum()) > _MAX_COLORING_WORK:
        return np.arange(n)  # too dense to be worth it: one color per column
    # the column intersection graph: every pair of columns that share a row
    order = np.lexsort((cols, rows))
    r_sorted, c_sorted = rows[order], cols[order]
    row_ptr = np.concatenate(([0], np.cumsum(row_deg)))
    left = np.repeat(c_sorted, row_deg[r_sorted])
    right = c_sorted[ranges(row_ptr, r_sorted)]
    keys = unique_sorted(left * n + right)
    a, b = keys // n, keys % n
    a, b = a[a != b], b[a != b]
    ptr = np.concatenate(([0], np.cumsum(np.bincount(a, minlength=n)))).tolist()
    neighbors = b.tolist()
    degree = np.diff(ptr)
    colors = [-1] * n
    for j in np.argsort(-degree, kind="stable").tolist():
        used = {colors[k] for k in neighbors[ptr[j]:ptr[j + 1]]}
        c = 0
        while c in used:
            c += 1
        colors[j] = c
    return np.asarray(colors, np.int64)


def _color_seeds(colors: np.ndarray, dtype: np.dtype, lo: int, hi: int) -> np.ndarray:
    """Seeds ``lo..hi``: seed ``c`` is the sum of the basis vectors of color ``c``."""
    s = np.zeros((hi - lo, len(colors)), dtype)
    mine = np.nonzero((colors >= lo) & (colors < hi))[0]
    s[colors[mine] - lo, mine] = 1
    return s


class _Plan(NamedTuple):
    """How to get a Jacobian: one pass per color of ``colors`` (of columns for ``"forward"``,
    of rows for ``"reverse"``) plus one pass the other way per index in ``dense`` (rows for
    forward, columns for reverse): a few dense rows would otherwise need a color per column."""

    mode: str
    colors: np.ndarray
    dense: np.ndarray

    @property
    def passes(self) -> int:
        return int(self.colors.max(initial=-1)) + 1 + len(self.dense)


def _dense_candidates(idx: np.ndarray, size: int) -> list[np.ndarray]:
    """Sets of unusually dense rows worth taking one at a time: none, then the rows of
    degree at least each outlying degree (above twice the median), densest first."""
    deg = np.bincount(idx, minlength=size)
    out = [np.zeros(0, np.int64)]
    nonzero = deg[deg > 0]
    if len(nonzero):
        cut = max(2.0 * float(np.median(nonzero)), 2.0)
        for t in np.unique(deg[deg > cut])[::-1][:8]:
            out.append(np.nonzero(deg >= t)[0])
    return out


def _plan(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], mode: str | None,
          symmetric: bool, api_name: str) -> _Plan:
    """The plan with the fewest passes; ties go to forward mode and to fewer dense rows."""
    if mode not in (None, "forward", "reverse"):
        raise ValueError(f"{api_name}: mode must be 'forward', 'reverse' or None, got "
                         f"{mode!r}")
    options = []
    for md, a, b, shp in (("forward", rows, cols, shape), ("reverse", cols, rows, shape[::-1])):
        if mode not in (None, md) or (symmetric and md == "reverse"):
            continue
        for dense in _dense_candidates(a, shp[0]):
            keep = ~np.isin(a, dense)
            colors = color_columns(a[keep], b[keep], shp)
            colors[np.bincount(b[keep], minlength=shp[1]) == 0] = -1  # nothing left to seed
            options.append(_Plan(md, colors, dense))
    return min(options, key=lambda p: p.passes)


def _run(jaxpr: Any, consts: list, count: int, seeds: Callable, chunk_size: Any,
         max_memory: int | None, api_name: str, remote: Any = None) -> np.ndarray:
    """The linear ``jaxpr`` on ``count`` seeds, as a (count, flattened output) array."""
    in_avals = jaxpr.in_avals
    k = resolve_chunk(chunk_size, jaxpr, consts, in_avals, count, max_memory, api_name,
                      remote=remote)
    (out,) = batched_over_seeds(jaxpr, consts, in_avals, count, seeds, k, remote)
    return to_host(out).reshape(count, -1)  # the COO result is assembled on the host


def _sparse_from_linear(lin: Any, consts: list, rows: np.ndarray, cols: np.ndarray,
                        shape: tuple[int, int], mode: str | None, chunk_size: Any,
                        max_memory: int | None, api_name: str, symmetric: bool = False,
                        remote: Any = None) -> SparseJacobian:
    """Values at ``(rows, cols)`` from the compressed passes of a plan. With ``a`` the index
    the colored passes come out along (rows forward, columns reverse) and ``b`` the colored
    one: ``J[a, b]`` is entry ``a`` of the pass of ``b``'s color, or, for ``a`` dense,
    entry ``b`` of ``a``'s own pass the other way (for a symmetric J, the same way)."""
    plan = _plan(rows, cols, shape, mode, symmetric, api_name)
    forward = (lin, consts)
    reverse = transpose_jaxpr(lin, consts) if (plan.mode == "reverse" or (
        len(plan.dense) and not symmetric)) else None
    primary, other = (forward, reverse) if plan.mode == "forward" else (reverse, forward)
    if symmetric:
        other = primary
    a, b = (rows, cols) if plan.mode == "forward" else (cols, rows)
    values = np.zeros(len(rows), np.result_type(*[av.dtype for av in lin.out_avals]))
    n_colors = int(plan.colors.max(initial=-1)) + 1
    dense = np.isin(a, plan.dense)
    if n_colors:
        assert primary is not None  # the plan's mode's pass: forward, or reverse (built)
        p_jaxpr, p_consts = primary
        dtype = np.result_type(*[av.dtype for av in p_jaxpr.in_avals])
        out = _run(p_jaxpr, p_consts, n_colors,
                   functools.partial(_color_seeds, plan.colors, dtype),
                   chunk_size, max_memory, api_name, remote)
        values[~dense] = out[plan.colors[b[~dense]], a[~dense]]
    if len(plan.dense):
        n_a = shape[0] if plan.mode == "forward" else shape[1]
        assert other is not None  # dense lines: reverse (built) or, symmetric, primary
        o_jaxpr, o_consts = other
        dtype = np.result_type(*[av.dtype for av in o_jaxpr.in_avals])
        out = _run(o_jaxpr, o_consts, len(plan.dense),
                   BasisRows(n_a, plan.dense.tolist(), dtype, False),
                   chunk_size, max_memory, api_name, remote)
        position = np.searchsorted(plan.dense, a[dense])
        values[dense] = out[position, b[dense]]
    label = plan.mode if not len(plan.dense) or symmetric else \
        f"{plan.mode}+{'reverse' if plan.mode == 'forward' else 'forward'}"
    return SparseJacobian(rows, cols, values, shape, plan.passes, label)


def _real_only(x: ShapedArray, out: ShapedArray, api_name: str) -> None:
    """Sparse Jacobians take real values: a complex input or output would need two passes
    per color (real and imaginary directions) that the coloring does not make."""
    for what, av in (("x", x), ("the output", out)):
        if av.dtype.kind == "c":
            raise TypeError(f"{api_name}: {what} has dtype {av.dtype.name}; sparse Jacobians "
                            "of complex values are not supported. Split them into real and "
                            "imaginary parts (fnp.real, fnp.imag), or use jacfwd/jacrev.")


def sparse_jacobian(fun: Callable, sparsity: Any = None, mode: str | None = None,
                    chunk_size: int | str | None = None, max_memory: int | None = None,
                    executor: Any = None) -> Callable:
    """The Jacobian of ``fun`` (one array in, one array out) in COO form, from one jvp per
    color of its columns or one vjp per color of its rows, whichever needs fewer (or as
    ``mode`` says). ``sparsity`` is a boolean mask of shape (output size, input size), a
    ``(rows, cols)`` pair or a scipy-like sparse matrix; ``None`` finds it with
    ``jacobian_sparsity``. ``chunk_size`` and ``max_memory`` bound the colors evaluated at
    once, as for ``jacfwd``. The result is NumPy arrays on the host, also for CuPy inputs
    (the passes run on the GPU; only the compressed values are copied back). ``executor``:
    the passes run as tasks on its workers, as for ``jacfwd`` (``ftrans.distributed``).

    Parameters
    ----------
    fun : callable
        A function of one real array returning one real array.
    sparsity : array_like of bool, tuple, Sparsity or sparse matrix, optional
        The pattern (default None: ``jacobian_sparsity`` at each call's ``x``).
    mode : {None, "forward", "reverse"}, optional
        Color columns (jvps) or rows (vjps); None (default) takes the fewer passes.
    chunk_size : int or "auto", optional
        Colors evaluated at once (default None: all).
    max_memory : int, optional
        With ``chunk_size="auto"``: the bytes the batched passes may use.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Run the passes as tasks on its workers (default None: in this process).

    Returns
    -------
    sparse_jac : callable
        ``sparse_jac(x)`` returns a ``SparseJacobian`` (unpacks as ``rows, cols, values``).

    Raises
    ------
    ValueError
        If ``mode`` or ``chunk_size`` is invalid, or (at the call) ``sparsity`` does not fit
        the Jacobian's shape.
    TypeError
        At the call: if ``x`` is not one real float array, ``fun`` does not return one real
        array, or ``sparsity`` is not a boolean mask nor a ``(rows, cols)`` pair.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> rows, cols, values = ftrans.sparse_jacobian(lambda x: x * x)(np.array([1.0, 2.0]))
    >>> rows.tolist(), cols.tolist(), values.tolist()
    ([0, 1], [0, 1], [2.0, 4.0])
    """
    chunk = check_chunk_size(chunk_size, "sparse_jacobian")
    if mode not in (None, "forward", "reverse"):
        raise ValueError(f"sparse_jacobian: mode must be 'forward', 'reverse' or None, got "
                         f"{mode!r}")
    remote = remote_for(executor, None, max_memory, "sparse_jacobian")

    @functools.wraps(fun)
    def sparse_jac(x: Any) -> SparseJacobian:
        x = _single_array(x, "sparse_jacobian")
        check_diff_dtype(x, "x", "sparse_jacobian")
        tr = _traced_single_output(fun, x, "sparse_jacobian")
        _real_only(aval_of(x), aval_of(tr.out_vals[0]), "sparse_jacobian")
        shape = (aval_of(tr.out_vals[0]).size, aval_of(x).size)
        if sparsity is None:
            (d,) = jaxpr_deps(tr.jaxpr)
            rows, cols = d.coo() if not d.dense else \
                tuple(a.astype(np.int64) for a in np.nonzero(np.ones(shape, bool)))
        else:
            rows, cols = _as_pattern(sparsity, shape, "sparse_jacobian")
        from .transforms.linearize import linearize_jaxpr
        lin, consts = linearize_jaxpr(tr.jaxpr, tr.values, [True])
        return _sparse_from_linear(lin, consts, rows, cols, shape, mode, chunk, max_memory,
                                   "sparse_jacobian", remote=remote)

    return sparse_jac


def sparse_hessian(fun: Callable, sparsity: Any = None, chunk_size: int | str | None = None,
                   max_memory: int | None = None, executor: Any = None) -> Callable:
    """The Hessian of scalar ``fun`` in COO form, by forward-over-reverse Hessian-vector
    products, one per color of its columns. ``sparsity`` as for ``sparse_jacobian``;
    ``None`` finds it with ``hessian_sparsity``. ``executor`` as for ``sparse_jacobian``.

    Parameters
    ----------
    fun : callable
        A scalar-valued function of one real array.
    sparsity : array_like of bool, tuple, Sparsity or sparse matrix, optional
        The pattern of the ``(n, n)`` Hessian (default None: ``hessian_sparsity``).
    chunk_size : int or "auto", optional
        Colors evaluated at once (default None: all).
    max_memory : int, optional
        With ``chunk_size="auto"``: the bytes the batched passes may use.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Run the passes as tasks on its workers (default None: in this process).

    Returns
    -------
    sparse_hess : callable
        ``sparse_hess(x)`` returns a ``SparseJacobian`` holding the Hessian.

    Raises
    ------
    ValueError
        If ``chunk_size`` is invalid, or (at the call) ``sparsity`` does not fit ``(n, n)``.
    TypeError
        At the call: if ``x`` is not one real float array or ``fun`` is not scalar-valued.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> H = ftrans.sparse_hessian(lambda x: fnp.sum(x ** 3))(np.array([1.0, 2.0]))
    >>> H.num_passes, H.todense().tolist()
    (1, [[6.0, 0.0], [0.0, 12.0]])
    """
    chunk = check_chunk_size(chunk_size, "sparse_hessian")
    remote = remote_for(executor, None, max_memory, "sparse_hessian")

    @functools.wraps(fun)
    def sparse_hess(x: Any) -> SparseJacobian:
        x = _single_array(x, "sparse_hessian")
        check_diff_dtype(x, "x", "sparse_hessian")
        _real_only(aval_of(x), aval_of(x), "sparse_hessian")
        n = aval_of(x).size
        tr = _traced_single_output(grad(fun), x, "sparse_hessian")
        if sparsity is None:
            (d,) = jaxpr_deps(tr.jaxpr)
            rows, cols = d.coo() if not d.dense else \
                tuple(a.astype(np.int64) for a in np.nonzero(np.ones((n, n), bool)))
        else:
            rows, cols = _as_pattern(sparsity, (n, n), "sparse_hessian")
        from .transforms.linearize import linearize_jaxpr
        lin, consts = linearize_jaxpr(tr.jaxpr, tr.values, [True])
        return _sparse_from_linear(lin, consts, rows, cols, (n, n), "forward", chunk,
                                   max_memory, "sparse_hessian", symmetric=True, remote=remote)

    return sparse_hess


__all__ = ["Sparsity", "SparseJacobian", "jacobian_sparsity", "hessian_sparsity",
           "color_columns", "sparse_jacobian", "sparse_hessian"]
