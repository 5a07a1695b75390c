"""tensordot and einsum, as ``dot_general`` contractions.

``einsum`` takes repeated labels within an operand as diagonals, sums out each label as soon
as no later operand or the output needs it, and contracts the operands pairwise in the
order NumPy's greedy ``einsum_path`` picks from the shapes alone — so intermediates stay
small (no operand is ever broadcast to the full index space).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..prims.dot import dot_general
from ..prims.reduce import reduce_sum
from ..prims.shape import squeeze, transpose
from ._keywords import traced_only
from ._promote import any_tracer, result_dtype, shape_of, to_dtype, traced_where


def tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    """NumPy's ``tensordot``.

    Parameters
    ----------
    a, b : array_like
        The tensors.
    axes : int or (sequence of int, sequence of int), optional
        The last ``axes`` axes of ``a`` contracted with the first of ``b`` (default 2), or
        the two lists of axes contracted.

    Returns
    -------
    out : ndarray
        The contraction, in the operands' promoted dtype; differentiable in both.

    Raises
    ------
    ValueError
        If an integer ``axes`` is negative or exceeds a dimension, the two lists differ in
        length, or contracted axes differ in length.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.tensordot(np.ones((2, 3)), np.ones((3, 4)), axes=1).shape
    (2, 4)
    """
    if not any_tracer((a, b)):
        return np.tensordot(a, b, axes)
    dt = result_dtype(a, b)
    a, b = to_dtype(a, dt), to_dtype(b, dt)
    sa, sb = shape_of(a), shape_of(b)
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > len(sa) or n > len(sb):
            raise ValueError(f"tensordot: axes={n} is invalid for shapes {sa} and {sb}")
        ca, cb = list(range(len(sa) - n, len(sa))), list(range(n))
    else:
        ca, cb = axes
        ca = [int(ca)] if isinstance(ca, (int, np.integer)) else list(ca)
        cb = [int(cb)] if isinstance(cb, (int, np.integer)) else list(cb)
        if len(ca) != len(cb):
            raise ValueError("shape-mismatch for sum")
        ca = [int(c) % len(sa) for c in ca]
        cb = [int(c) % len(sb) for c in cb]
    for i, j in zip(ca, cb):
        if sa[i] != sb[j]:
            raise ValueError("shape-mismatch for sum")
    return dot_general(a, b, ((tuple(ca), tuple(cb)), ((), ())))


# ----------------------------------------------------------------------------- einsum


def _parse(subscripts: str, shapes: list[tuple]) -> tuple[list[list[str]], list[str]]:
    """Each operand's labels and the output's, with ``...`` spelled as digit labels."""
    subscripts = subscripts.replace(" ", "")
    lhs, arrow, rhs = subscripts.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: {len(terms)} operand subscripts for {len(shapes)} operands")
    ell_rank = 0
    labels = []
    for term, shape in zip(terms, shapes):
        explicit = term.replace("...", "")
        if not all(c.isalpha() for c in explicit):
            raise ValueError(f"einsum: invalid subscript in {term!r}")
        if "..." in term:
            k = len(shape) - len(explicit)
            if k < 0:
                raise ValueError(f"einsum: operand has {len(shape)} axes, fewer than {term!r}")
            ell_rank = max(ell_rank, k)
            head, _, tail = term.partition("...")
            labels.append(list(head) + [str(k - i - 1) for i in range(k)] + list(tail))
        else:
            if len(term) != len(shape):
                raise ValueError(f"einsum: operand with shape {shape} does not match "
                                 f"subscripts {term!r}")
            labels.append(list(term))
    ell = [str(ell_rank - i - 1) for i in range(ell_rank)]
    if arrow:
        head, dots, tail = rhs.partition("...")
        out = list(head) + (ell if dots else []) + list(tail)
        known = {c for ls in labels for c in ls}
        for c in out:
            if c not in known and not c.isdigit():
                raise ValueError(f"einsum: output subscript {c!r} does not appear in the "
                                 "input")
        if len(set(out)) != len(out):
            raise ValueError("einsum: output subscripts repeat a label")
    else:
        counts: dict[str, int] = {}
        for ls in labels:
            for c in ls:
                if not c.isdigit():
                    counts[c] = counts.get(c, 0) + 1
        out = ell + sorted(c for c, n in counts.items() if n == 1)
    return labels, out


def _take_diagonals(x: Any, labels: list[str]) -> tuple[Any, list[str]]:
    from ._diagonals import diagonal
    while len(set(labels)) != len(labels):
        c = next(c for c in labels if labels.count(c) > 1)
        p = labels.index(c)
        q = labels.index(c, p + 1)
        x = diagonal(x, 0, p, q)
        labels = [lab for i, lab in enumerate(labels) if i not in (p, q)] + [c]
    return x, labels


def _sum_out(x: Any, labels: list[str], keep: set[str]) -> tuple[Any, list[str]]:
    axes = [i for i, c in enumerate(labels) if c not in keep]
    if axes:
        x = reduce_sum(x, axes)
    return x, [c for c in labels if c in keep]


def _contract(x: Any, lx: list[str], y: Any, ly: list[str], keep: set[str]
              ) -> tuple[Any, list[str]]:
    x, lx = _sum_out(x, lx, keep | set(ly))
    y, ly = _sum_out(y, ly, keep | set(lx))
    both = [c for c in lx if c in ly]
    batch = [c for c in both if c in keep]
    contract = [c for c in both if c not in keep]
    dn = ((tuple(lx.index(c) for c in contract), tuple(ly.index(c) for c in contract)),
          (tuple(lx.index(c) for c in batch), tuple(ly.index(c) for c in batch)))
    out = dot_general(x, y, dn)
    return out, batch + [c for c in lx if c not in both] + [c for c in ly if c not in both]


def _sublist_letters(sub: Any, where: str) -> str:
    out = []
    for k in sub:
        if k is Ellipsis:
            out.append("...")
            continue
        if not isinstance(k, (int, np.integer)) or not 0 <= int(k) < 52:
            raise ValueError(f"einsum: {where} must hold integers in [0, 52) or Ellipsis, got "
                             f"{k!r}")
        k = int(k)
        out.append(chr(ord("a") + k) if k < 26 else chr(ord("A") + k - 26))
    return "".join(out)


def _from_sublists(args: tuple) -> tuple[str, tuple]:
    """NumPy's interleaved form ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` as a subscripts
    string and the operands.

    >>> _from_sublists((1.0, [0, 1], 2.0, [1, Ellipsis], [0]))
    ('ab,b...->a', (1.0, 2.0))
    """
    pairs, rest = args[:len(args) // 2 * 2], args[len(args) // 2 * 2:]
    ops = pairs[0::2]
    inputs = [_sublist_letters(sub, f"the sublist of operand {i}")
              for i, sub in enumerate(pairs[1::2])]
    spec = ",".join(inputs)
    if rest:
        spec += "->" + _sublist_letters(rest[0], "the output sublist")
    return spec, tuple(ops)


def einsum(subscripts: str, *operands: Any, optimize: Any = "greedy", **kwargs: Any) -> Any:
    """NumPy's ``einsum`` (any subscripts, ``...`` included, or the interleaved form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``), differentiable; pairwise contractions in
    NumPy's greedy order.

    Parameters
    ----------
    subscripts : str
        The labels of the operands' axes, ``'ij,jk->ik'``.
    *operands : array_like
        The operands.
    optimize : bool or str, optional
        NumPy's contraction order; traced operands always use the greedy order.
    **kwargs
        NumPy's ``out``, ``dtype``, ``order`` and ``casting``, for plain operands only.

    Returns
    -------
    out : ndarray
        The contraction, in the operands' promoted dtype.

    Raises
    ------
    ValueError
        If the subscripts do not match the operands, or a label has two sizes.
    TypeError
        If one of ``kwargs`` is given with traced operands
        (``ftrans.errors.UnsupportedKeywordError``).

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4))).shape
    (2, 4)
    """
    if not isinstance(subscripts, str) and any_tracer((subscripts, *operands)):
        subscripts, operands = _from_sublists((subscripts, *operands))
    if not any_tracer(operands):
        return np.einsum(subscripts, *operands, optimize=optimize, **kwargs)
    if kwargs:
        raise traced_only("einsum", sorted(kwargs)[0])
    dt = result_dtype(*operands)
    ops = [to_dtype(o, dt) for o in operands]
    labels, out = _parse(subscripts, [shape_of(o) for o in ops])
    sizes: dict[str, int] = {}
    for o, ls in zip(ops, labels):
        for c, n in zip(ls, shape_of(o)):
            if n != 1:
                if sizes.get(c, n) != n:
                    raise ValueError(f"einsum: operands could not be broadcast together: "
                                     f"label {c!r} has sizes {sizes[c]} and {n}"
                                     f"{traced_where(ops)}")
                sizes[c] = n
    # diagonals; drop broadcast (size-1) axes whose label is larger elsewhere
    for i, (o, ls) in enumerate(zip(ops, labels)):
        o, ls = _take_diagonals(o, ls)
        ones = [k for k, (c, n) in enumerate(zip(ls, shape_of(o))) if n == 1
                and sizes.get(c, 1) != 1]
        if ones:
            o, ls = squeeze(o, ones), [c for k, c in enumerate(ls) if k not in ones]
        ops[i], labels[i] = o, ls
    # sum out labels used by one operand only, then contract pairwise
    for i in range(len(ops)):
        others = {c for j, ls in enumerate(labels) if j != i for c in ls}
        ops[i], labels[i] = _sum_out(ops[i], labels[i], others | set(out))
    if len(ops) > 1:
        letters = {c: chr(ord("a") + k) if k < 26 else chr(ord("A") + k - 26)
                   for k, c in enumerate(sorted({c for ls in labels for c in ls}))}
        spec = ",".join("".join(letters[c] for c in ls) for ls in labels)
        views = [np.broadcast_to(np.empty((), np.float64), shape_of(o)) for o in ops]
        path = np.einsum_path(spec, *views, optimize="greedy")[0][1:]
    else:
        path = []
    for step in path:
        picked = sorted(step)
        group = [(ops[k], labels[k]) for k in picked]
        for k in reversed(picked):
            ops.pop(k)
            labels.pop(k)
        x, lx = group[0]
        for n, (y, ly) in enumerate(group[1:], 2):
            keep = set(out) | {c for ls in labels for c in ls} | {
                c for _, ls in group[n:] for c in ls}
            x, lx = _contract(x, lx, y, ly, keep)
        ops.append(x)
        labels.append(lx)
    (x,), (lx,) = ops, labels
    x, lx = _sum_out(x, lx, set(out))
    missing = [c for c in out if c not in lx]
    if missing:  # output labels of size 1 everywhere that were squeezed out
        from ._shape import expand_dims
        x = expand_dims(x, tuple(range(len(missing))))
        lx = missing + lx
    return transpose(x, [lx.index(c) for c in out])


def einsum_path(subscripts: str, *operands: Any, optimize: Any = "greedy") -> Any:
    """NumPy's ``einsum_path`` (shapes only, so traced operands are fine).

    Parameters
    ----------
    subscripts : str
        The labels of the operands' axes.
    *operands : array_like
        The operands (only their shapes are read).
    optimize : bool, str or list, optional
        The strategy (default 'greedy').

    Returns
    -------
    path : list
        The contraction order, as NumPy's.
    report : str
        NumPy's printable description (for float64 operands of these shapes).

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.einsum_path("ij,jk", np.ones((2, 3)), np.ones((3, 4)))[0]
    ['einsum_path', (0, 1)]
    """
    views = [np.broadcast_to(np.empty((), np.float64), shape_of(o)) for o in operands]
    return np.einsum_path(subscripts, *views, optimize=optimize)
