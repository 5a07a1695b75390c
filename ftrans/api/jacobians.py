"""The Jacobian engine: ``jacfwd``, ``jacrev``, ``jacobian``, ``jacobian_columns``,
``jacobian_rows``, ``hessian``. The function is traced and linearized once; the linear (or
transposed) jaxpr is then evaluated batched over basis vectors (``batched_over_seeds``),
``chunk_size`` of them at a time, and the columns or rows assembled into the result.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, ParamSpec, Sequence

import numpy as np

from ..backends.owned import owned
from ..core import Tracer, aval_of
from ..device import on_device, require_gpu
from ..distributed.engine import Remote, remote_for
from ..ir import Jaxpr, ShapedArray
from ..memory import auto_chunk_size
from ..prims.shape import move_batch_axis, reshape, transpose
from ..prims.slicing import concatenate, slice_
from ..transforms.batch import batch_jaxpr_eval
from ..transforms.transpose import transpose_jaxpr
from ..tree_util import tree_unflatten
from .checks import (
    arg_name,
    check_chunk_size,
    check_input_dtypes,
    check_output_dtype,
    finalize,
    fun_name,
    is_complex,
    normalize_argnums,
)
from .derivatives import Traced, linearized, wrt

_P = ParamSpec("_P")


def resolve_chunk(chunk: int | str | None, jaxpr: Jaxpr, consts: list,
                  in_avals: Sequence[ShapedArray], count: int, max_memory: int | None,
                  api: str, xp: Any = np, remote: Remote | None = None) -> int | str | None:
    """``chunk_size="auto"``: the largest chunk whose estimated peak fits ``max_memory``
    (by default a share of the memory of the computation's device, ``xp``'s). With an
    executor, the workers' memory decides (``distributed.engine``)."""
    if chunk != "auto" or (remote is not None and remote.applies(consts)):
        return chunk  # type: ignore[return-value]
    return auto_chunk_size(jaxpr, consts, in_avals, count, max_memory, api, xp is not np)


def _chunks(n: int, chunk_size: int | None) -> list[tuple[int, int]]:
    step = n if chunk_size is None or chunk_size >= n else chunk_size
    # n == 0: one empty chunk, so the outputs still get their (empty) leading axis and shape
    return [(i, min(i + step, n)) for i in range(0, max(n, 1), max(step, 1))]


class BasisRows:
    """Seeds ``rows[lo:hi]`` of the n×n identity: ``seeds(lo, hi)`` makes them;
    ``write(buf, lo, hi, 1)`` sets the ones of that chunk in a zeroed (hi - lo, n) buffer and
    ``write(buf, lo, hi, 0)`` clears them again, so that one buffer serves every chunk. A
    fresh chunk of 1,000 seeds of 20,000 inputs is 160 MB of new zeroed pages, which cost the
    kernel more time to fault in than most programs take on them.
    Pickles small (executors ship it to workers).

    >>> s = BasisRows(3, [0, 2], np.dtype(np.float64), False)
    >>> s(1, 2)
    array([[0., 0., 1.]])
    >>> buf = np.zeros((1, 3)); s.write(buf, 1, 2, 1); buf
    array([[0., 0., 1.]])
    """

    __slots__ = ("n", "rows", "dtype", "gpu")

    def __init__(self, n: int, rows: Sequence[int], dtype: Any, gpu: bool):
        self.n, self.rows = n, np.asarray(rows, dtype=np.intp).reshape(-1)
        self.dtype, self.gpu = np.dtype(dtype), gpu

    def __call__(self, lo: int, hi: int) -> np.ndarray:
        b = np.zeros((hi - lo, self.n), self.dtype)
        self.write(b, lo, hi, 1)
        return require_gpu().asarray(b) if self.gpu else b

    def buffer(self, k: int) -> np.ndarray:
        """A zeroed (k, n) host buffer for ``write``: zeroed here at once, not page by page.
        (``np.zeros`` maps untouched pages that the kernel zeroes on the first write, one
        4 KiB fault at a time as the chunks reach them: 0.3 s for W10's 160 MB; NumPy asks
        for huge pages for the large arrays it allocates itself.)"""
        buf = np.empty((k, self.n), self.dtype)
        buf.fill(0)
        return buf

    def write(self, buf: np.ndarray, lo: int, hi: int, value: int) -> None:
        """Set (1) or clear (0) the ones of seeds ``lo..hi`` in ``buf`` (hi - lo rows)."""
        buf[np.arange(hi - lo), self.rows[lo:hi]] = value

    def __getstate__(self) -> tuple:
        return self.n, self.rows, self.dtype, self.gpu

    def __setstate__(self, state: tuple) -> None:
        self.n, self.rows, self.dtype, self.gpu = state


def basis(n: int, rows: Sequence[int], dtype: np.dtype, xp: Any = np) -> np.ndarray:
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


def batched_over_basis(jaxpr: Jaxpr, consts: list, in_avals: Sequence[ShapedArray],
                       rows: Sequence[int], chunk_size: int | str | None,
                       xp: Any = np, remote: Remote | None = None) -> list[Any]:
    """Evaluate linear ``jaxpr`` on the basis vectors ``rows`` of its flattened input space,
    in chunks; each output gets a leading axis of len(rows)."""
    n = sum(av.size for av in in_avals)
    dtype = np.result_type(*[av.dtype for av in in_avals]) if in_avals else np.float64
    seeds = BasisRows(n, rows, dtype, xp is not np)
    outs = batched_over_seeds(jaxpr, consts, in_avals, len(rows), seeds, chunk_size, remote)
    return on_device(xp, outs)  # outputs that are constants (zero derivatives) too


def batched_over_seeds(jaxpr: Jaxpr, consts: list, in_avals: Sequence[ShapedArray],
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
    per_chunk: list[Any] = []
    chunks = _chunks(count, None if isinstance(chunk_size, str) else chunk_size)
    # several chunks of host basis vectors, evaluated (not traced: a trace would keep the
    # buffer as a constant): one zeroed buffer for all (BasisRows.write)
    buf = seeds.buffer(chunks[0][1] - chunks[0][0]) \
        if len(chunks) > 1 and isinstance(seeds, BasisRows) and not seeds.gpu \
        and not any(isinstance(c, Tracer) for c in consts) else None
    for lo, hi in chunks:
        if buf is not None:
            seeds.write(buf[:hi - lo], lo, hi, 1)  # type: ignore[attr-defined]
        basis = _split_basis(seeds(lo, hi) if buf is None else buf[:hi - lo], in_avals)
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
        else:  # kept: copies of what may view the buffer, which the next chunk rewrites
            per_chunk.append(outs if buf is None else
                             [o.copy() if np.may_share_memory(o, buf) else o for o in outs])
        if buf is not None:
            seeds.write(buf[:hi - lo], lo, hi, 0)  # type: ignore[attr-defined]
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


def jac_setup(fun: Callable, args: tuple, kwargs: dict, argnums: Any, has_aux: bool,
              api: str, holomorphic: bool = False
               ) -> tuple[Traced, Jaxpr, list, tuple[int, ...]]:
    """Check the inputs, trace and linearize; then check the outputs' dtypes: ``jacfwd``
    (and ``jacobian_columns``) needs real inputs, ``jacrev`` (and ``jacobian_rows``) real
    outputs, unless ``holomorphic``; ``jacobian`` picks the mode that allows its dtypes."""
    nums = normalize_argnums(argnums, len(args), api)
    names = [arg_name(fun, i) for i in nums]
    check_input_dtypes(args, nums, names, api, holomorphic,
                       real_inputs=api in ("jacfwd", "jacobian_columns"))
    tr, lin_jaxpr, lin_consts = linearized(wrt(fun, args, kwargs, nums),
                                           tuple(args[i] for i in nums), has_aux, api, names)
    if holomorphic or api in ("jacrev", "jacobian_rows"):
        for k, av in enumerate(lin_jaxpr.out_avals):
            if holomorphic or is_complex(av.dtype):
                check_output_dtype(av.dtype, fun, api, holomorphic,
                                   k if len(lin_jaxpr.out_avals) > 1 else None)
    return tr, lin_jaxpr, lin_consts, nums


def _forward_mode(lin: Jaxpr, holomorphic: bool, fun: Callable) -> bool:
    """``jacobian``'s choice: forward mode when the inputs have fewer elements than the
    outputs; without ``holomorphic``, complex inputs need reverse mode and complex outputs
    forward mode."""
    complex_in = any(is_complex(av.dtype) for av in lin.in_avals)
    complex_out = any(is_complex(av.dtype) for av in lin.out_avals)
    if not holomorphic and complex_in and complex_out:
        raise TypeError(f"jacobian of {fun_name(fun)}, which has complex inputs and complex "
                        "outputs: for a holomorphic function pass holomorphic=True; otherwise "
                        "use ftrans.jvp or ftrans.vjp directly (or split the values with "
                        "fnp.real and fnp.imag)")
    if not holomorphic and (complex_in or complex_out):
        return complex_out
    return _flat_size(lin.in_avals) < _flat_size(lin.out_avals)


def _assemble(tr: Traced, blocks: list[list[Any]], argnums: Any) -> Any:
    """blocks[i][j] is d out_i / d in_j: nest as out structure of (argnums structure)."""
    flat = owned([finalize(b, tr.xp) for row in blocks for b in row], tr.avoid)
    per_out = []
    for i, row in enumerate(blocks):
        inner = tree_unflatten(tr.in_tree, flat[i * len(row):(i + 1) * len(row)])
        per_out.append(inner[0] if isinstance(argnums, (int, np.integer)) else inner)
    return tree_unflatten(tr.out_tree, per_out)


def jacfwd(fun: Callable[_P, Any], argnums: int | Sequence[int] = 0, has_aux: bool = False,
           chunk_size: int | str | None = None, max_memory: int | None = None,
           holomorphic: bool = False, executor: Any = None, out: str | None = None
           ) -> Callable[_P, Any]:
    """The Jacobian by forward mode: the linearized function batched over the input basis.

    Inputs must be real (outputs may be complex), unless ``holomorphic=True``: complex inputs
    and outputs, the Jacobian of complex derivatives.

    Parameters
    ----------
    fun : callable
        The function, of arrays, scalars or pytrees of them.
    argnums : int or sequence of int, default 0
        The positional arguments to differentiate with respect to; a sequence gives a tuple of
        Jacobians, one per argument.
    has_aux : bool, default False
        ``fun`` returns ``(output, aux)``; the result is then ``(jacobian, aux)``.
    chunk_size : int, "auto" or None, default None
        How many basis vectors to push through at a time: all at once (None), that many, or as
        many as fit ``max_memory`` ("auto").
    max_memory : int or None, default None
        The bytes "auto" may use; by default half the available memory (per task with
        ``executor``).
    executor : Executor, dask Client or None, default None
        Each chunk a task on a worker (``ftrans.distributed``), results equal to the
        single-process ones for the same ``chunk_size``.
    out : {None, "dask"}, default None
        "dask": a lazy ``dask.array.Array`` whose blocks stay on the Dask workers.
    holomorphic : bool, default False
        ``fun`` is holomorphic in complex inputs.

    Returns
    -------
    callable
        With ``fun``'s signature, returning the Jacobian: for each output leaf and each
        differentiated input leaf, an array of shape ``output.shape + input.shape``, in the
        output's pytree structure.

    Raises
    ------
    TypeError
        When called: if a differentiated argument is not a float (complex) array or number, or
        an output (input) is complex where the mode needs it real (see above).
    ValueError
        When called: if ``argnums`` is out of range or repeats an argument, or ``chunk_size``
        is not a positive integer, "auto" or None.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.jacfwd(lambda x: x * x)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    >>> ftrans.jacfwd(lambda x: x * x, chunk_size=1)(np.array([1.0, 2.0]))[1]
    array([0., 4.])
    """
    chunk = check_chunk_size(chunk_size, "jacfwd")
    remote = remote_for(executor, out, max_memory, "jacfwd")

    @functools.wraps(fun)
    def jacfun(*args: Any, **kwargs: Any) -> Any:
        tr, lin, consts, _ = jac_setup(fun, args, kwargs, argnums, has_aux, "jacfwd",
                                       holomorphic)
        jac = _jacfwd_of(tr, lin, consts, argnums, chunk, max_memory, "jacfwd", remote)
        return (jac, tr.aux) if has_aux else jac

    return jacfun


def _jacfwd_of(tr: Traced, lin: Jaxpr, consts: list, argnums: Any, chunk: Any,
               max_memory: int | None, api: str, remote: Remote | None = None) -> Any:
    in_avals = lin.in_avals
    n = _flat_size(in_avals)
    k = resolve_chunk(chunk, lin, consts, in_avals, n, max_memory, api, tr.xp, remote)
    cols = batched_over_basis(lin, consts, in_avals, list(range(n)), k, tr.xp, remote)
    blocks = []
    for col, out_av in zip(cols, lin.out_avals):
        row, off = [], 0
        for av in in_avals:
            b = _leaf_block(col, off, av.size, av.shape, out_av.shape)
            row.append(_to_front(b, av.ndim, out_av.ndim))
            off += av.size
        blocks.append(row)
    return _assemble(tr, blocks, argnums)


def jacrev(fun: Callable[_P, Any], argnums: int | Sequence[int] = 0, has_aux: bool = False,
           chunk_size: int | str | None = None, max_memory: int | None = None,
           holomorphic: bool = False, executor: Any = None, out: str | None = None
           ) -> Callable[_P, Any]:
    """The Jacobian by reverse mode: the transposed linear function batched over the output
    basis.

    Outputs must be real (inputs may be complex: each row is then a gradient, as ``grad``
    gives it), unless ``holomorphic=True``.

    Parameters
    ----------
    fun : callable
        The function, of arrays, scalars or pytrees of them.
    argnums : int or sequence of int, default 0
        The positional arguments to differentiate with respect to; a sequence gives a tuple of
        Jacobians, one per argument.
    has_aux : bool, default False
        ``fun`` returns ``(output, aux)``; the result is then ``(jacobian, aux)``.
    chunk_size : int, "auto" or None, default None
        How many basis vectors to push through at a time: all at once (None), that many, or as
        many as fit ``max_memory`` ("auto").
    max_memory : int or None, default None
        The bytes "auto" may use; by default half the available memory (per task with
        ``executor``).
    executor : Executor, dask Client or None, default None
        Each chunk a task on a worker (``ftrans.distributed``), results equal to the
        single-process ones for the same ``chunk_size``.
    out : {None, "dask"}, default None
        "dask": a lazy ``dask.array.Array`` whose blocks stay on the Dask workers.
    holomorphic : bool, default False
        ``fun`` is holomorphic in complex inputs.

    Returns
    -------
    callable
        With ``fun``'s signature, returning the Jacobian: shape ``output.shape + input.shape``
        per output leaf and differentiated input leaf, in the output's pytree structure.

    Raises
    ------
    TypeError
        When called: if a differentiated argument is not a float (complex) array or number, or
        an output (input) is complex where the mode needs it real (see above).
    ValueError
        When called: if ``argnums`` is out of range or repeats an argument, or ``chunk_size``
        is not a positive integer, "auto" or None.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.jacrev(lambda x: x * x)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    >>> ftrans.jacrev(lambda x, y: x * y, argnums=(0, 1))(2.0, 3.0)
    (3.0, 2.0)
    """
    chunk = check_chunk_size(chunk_size, "jacrev")
    remote = remote_for(executor, out, max_memory, "jacrev")

    @functools.wraps(fun)
    def jacfun(*args: Any, **kwargs: Any) -> Any:
        tr, lin, consts, _ = jac_setup(fun, args, kwargs, argnums, has_aux, "jacrev",
                                       holomorphic)
        jac = _jacrev_of(tr, lin, consts, argnums, chunk, max_memory, "jacrev", remote)
        return (jac, tr.aux) if has_aux else jac

    return jacfun


def _jacrev_of(tr: Traced, lin: Jaxpr, consts: list, argnums: Any, chunk: Any,
               max_memory: int | None, api: str, remote: Remote | None = None) -> Any:
    ct_jaxpr, ct_consts = transpose_jaxpr(lin, consts)
    out_avals, in_avals = lin.out_avals, lin.in_avals
    m = _flat_size(out_avals)
    k = resolve_chunk(chunk, ct_jaxpr, ct_consts, out_avals, m, max_memory, api, tr.xp,
                      remote)
    rows = batched_over_basis(ct_jaxpr, ct_consts, out_avals, list(range(m)), k, tr.xp,
                              remote)
    blocks = []
    off = 0
    for out_av in out_avals:
        blocks.append([_leaf_block(r, off, out_av.size, out_av.shape, av.shape)
                       for r, av in zip(rows, in_avals)])
        off += out_av.size
    return _assemble(tr, blocks, argnums)


def jacobian(fun: Callable[_P, Any], argnums: int | Sequence[int] = 0, has_aux: bool = False,
             chunk_size: int | str | None = None, max_memory: int | None = None,
             holomorphic: bool = False, executor: Any = None, out: str | None = None
             ) -> Callable[_P, Any]:
    """The Jacobian, by forward mode when the inputs have fewer elements than the outputs, by
    reverse mode otherwise (complex inputs: reverse; complex outputs: forward, unless
    ``holomorphic=True``).

    Parameters
    ----------
    fun : callable
        The function, of arrays, scalars or pytrees of them.
    argnums : int or sequence of int, default 0
        The positional arguments to differentiate with respect to; a sequence gives a tuple of
        Jacobians, one per argument.
    has_aux : bool, default False
        ``fun`` returns ``(output, aux)``; the result is then ``(jacobian, aux)``.
    chunk_size : int, "auto" or None, default None
        How many basis vectors to push through at a time: all at once (None), that many, or as
        many as fit ``max_memory`` ("auto").
    max_memory : int or None, default None
        The bytes "auto" may use; by default half the available memory (per task with
        ``executor``).
    executor : Executor, dask Client or None, default None
        Each chunk a task on a worker (``ftrans.distributed``), results equal to the
        single-process ones for the same ``chunk_size``.
    out : {None, "dask"}, default None
        "dask": a lazy ``dask.array.Array`` whose blocks stay on the Dask workers.
    holomorphic : bool, default False
        ``fun`` is holomorphic in complex inputs.

    Returns
    -------
    callable
        With ``fun``'s signature, returning the Jacobian, as ``jacfwd`` and ``jacrev`` do.

    Raises
    ------
    TypeError
        When called: if a differentiated argument is not a float (complex) array or number, or
        both inputs and outputs are complex without ``holomorphic``.
    ValueError
        When called: if ``argnums`` is out of range or repeats an argument, or ``chunk_size``
        is not a positive integer, "auto" or None.

    Examples
    --------
    >>> import ftrans, numpy as np
    >>> ftrans.jacobian(lambda x: 2.0 * x)(np.ones(2))
    array([[2., 0.],
           [0., 2.]])
    """
    chunk = check_chunk_size(chunk_size, "jacobian")
    remote = remote_for(executor, out, max_memory, "jacobian")

    @functools.wraps(fun)
    def jacfun(*args: Any, **kwargs: Any) -> Any:
        tr, lin, consts, _ = jac_setup(fun, args, kwargs, argnums, has_aux, "jacobian",
                                       holomorphic)
        forward = _forward_mode(lin, holomorphic, fun)
        jac = (_jacfwd_of if forward else _jacrev_of)(tr, lin, consts, argnums, chunk,
                                                      max_memory, "jacobian", remote)
        return (jac, tr.aux) if has_aux else jac

    return jacfun



def hessian(fun: Callable[_P, Any], argnums: int | Sequence[int] = 0, has_aux: bool = False,
            chunk_size: int | str | None = None, max_memory: int | None = None,
            holomorphic: bool = False, executor: Any = None, out: str | None = None
            ) -> Callable[_P, Any]:
    """The Hessian of a scalar ``fun``, as ``jacfwd(jacrev(fun))``.

    Parameters
    ----------
    fun : callable
        A scalar-valued function.
    argnums : int or sequence of int, default 0
        The positional arguments to differentiate with respect to; a sequence gives a tuple of
        Jacobians, one per argument.
    has_aux : bool, default False
        ``fun`` returns ``(output, aux)``; the result is then ``(jacobian, aux)``.
    chunk_size : int, "auto" or None, default None
        How many basis vectors to push through at a time: all at once (None), that many, or as
        many as fit ``max_memory`` ("auto").
    max_memory : int or None, default None
        The bytes "auto" may use; by default half the available memory (per task with
        ``executor``).
    executor : Executor, dask Client or None, default None
        Each chunk a task on a worker (``ftrans.distributed``), results equal to the
        single-process ones for the same ``chunk_size``.
    out : {None, "dask"}, default None
        "dask": a lazy ``dask.array.Array`` whose blocks stay on the Dask workers.
    holomorphic : bool, default False
        ``fun`` is holomorphic in complex inputs.

    Returns
    -------
    callable
        With ``fun``'s signature, returning the Hessian: shape ``input.shape + input.shape``
        for one array argument (nested tuples for several ``argnums``).

    Raises
    ------
    TypeError
        When called: if a differentiated argument is not a float (complex) array or number, or
        an output (input) is complex where the mode needs it real (see above).
    ValueError
        When called: if ``argnums`` is out of range or repeats an argument, or ``chunk_size``
        is not a positive integer, "auto" or None.

    Examples
    --------
    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> ftrans.hessian(lambda x: fnp.sum(x ** 3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    return jacfwd(jacrev(fun, argnums, has_aux, chunk_size, max_memory, holomorphic), argnums,
                  has_aux, chunk_size, max_memory, holomorphic, executor, out)
