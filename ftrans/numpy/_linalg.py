"""Products: dot, matmul, vdot, inner, outer, as dot_general with NumPy's axis rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..prims.dot import dot_general
from ..prims.shape import broadcast_in_dim, reshape
from ._elementwise import multiply
from ._promote import any_tracer, broadcast_to_shape, result_dtype, shape_of, to_dtype


def _promote_pair(a: Any, b: Any) -> tuple[Any, Any]:
    dtype = result_dtype(a, b)
    a, b = to_dtype(a, dtype), to_dtype(b, dtype)
    return a, b


def dot(a: Any, b: Any) -> Any:
    """NumPy's ``dot``: the last axis of ``a`` against the second-to-last of ``b``.

    Parameters
    ----------
    a, b : array_like
        The operands.

    Returns
    -------
    out : ndarray
        The product (a scalar for two vectors).

    Raises
    ------
    ValueError
        If the contracted axes differ in length.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.dot(np.ones(3), np.ones(3))
    3.0
    """
    if not any_tracer((a, b)):
        return np.dot(a, b)
    a, b = _promote_pair(a, b)
    sa, sb = shape_of(a), shape_of(b)
    if not sa or not sb:
        return multiply(a, b)
    rc = 0 if len(sb) == 1 else len(sb) - 2
    if sa[-1] != sb[rc]:
        raise ValueError(f"shapes {sa} and {sb} not aligned: {sa[-1]} (dim {len(sa) - 1}) "
                         f"!= {sb[rc]} (dim {rc})")
    return dot_general(a, b, (((len(sa) - 1,), (rc,)), ((), ())))


def matmul(a: Any, b: Any) -> Any:
    """NumPy's ``matmul`` (``@``), with broadcast batch dimensions.

    Parameters
    ----------
    a, b : array_like
        The operands.

    Returns
    -------
    out : ndarray
        The matrix product, batch dimensions broadcast.

    Raises
    ------
    ValueError
        If the contracted axes differ in length or the batch dimensions do not broadcast.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.matmul(np.ones((4, 2, 3)), np.ones((3, 5))).shape
    (4, 2, 5)
    """
    if not any_tracer((a, b)):
        return np.matmul(a, b)
    a, b = _promote_pair(a, b)
    sa, sb = shape_of(a), shape_of(b)
    for i, s in enumerate((sa, sb)):
        if not s:
            raise ValueError(f"matmul: Input operand {i} does not have enough dimensions "
                             "(has 0, gufunc core with signature (n?,k),(k,m?)->(n?,m?) "
                             "requires 1)")
    if len(sa) == 1 and len(sb) == 1:
        return dot(a, b)
    a2 = reshape(a, (1,) + sa) if len(sa) == 1 else a
    b2 = reshape(b, sb + (1,)) if len(sb) == 1 else b
    sa2, sb2 = shape_of(a2), shape_of(b2)
    if sa2[-1] != sb2[-2]:
        raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0, "
                         f"with gufunc signature (n?,k),(k,m?)->(n?,m?) (size {sb2[-2]} is "
                         f"different from {sa2[-1]})")
    batch = tuple(np.broadcast_shapes(sa2[:-2], sb2[:-2]))
    nb = len(batch)
    a3 = broadcast_to_shape(a2, batch + sa2[-2:]) if sa2[:-2] != batch else a2
    b3 = broadcast_to_shape(b2, batch + sb2[-2:]) if sb2[:-2] != batch else b2
    if nb == 0:
        out = dot_general(a3, b3, (((1,), (0,)), ((), ())))
    else:
        dims = tuple(range(nb))
        out = dot_general(a3, b3, (((nb + 1,), (nb,)), (dims, dims)))
    if len(sa) == 1:
        out = reshape(out, shape_of(out)[:-2] + shape_of(out)[-1:])
    if len(sb) == 1:
        out = reshape(out, shape_of(out)[:-1])
    return out


def vdot(a: Any, b: Any) -> Any:
    """NumPy's ``vdot``: the dot product of the flattened arrays, the first one conjugated.

    Parameters
    ----------
    a, b : array_like
        The operands.

    Returns
    -------
    out : ndarray
        A scalar: ``sum(conj(a) * b)`` over the flattened arrays.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.vdot(np.ones((2, 2)), np.ones((2, 2)))
    4.0
    >>> fnp.vdot(1j, 1j)
    (1+0j)
    """
    if not any_tracer((a, b)):
        return np.vdot(a, b)
    from ._complex import conjugate
    from ._shape import ravel
    return dot(ravel(conjugate(a)), ravel(b))


def inner(a: Any, b: Any) -> Any:
    """NumPy's ``inner``: contraction over the last axes.

    Parameters
    ----------
    a, b : array_like
        The operands.

    Returns
    -------
    out : ndarray
        The contraction over the last axes.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.inner(np.ones(3), np.ones(3))
    3.0
    """
    if not any_tracer((a, b)):
        return np.inner(a, b)
    a, b = _promote_pair(a, b)
    sa, sb = shape_of(a), shape_of(b)
    if not sa or not sb:
        return multiply(a, b)
    return dot_general(a, b, (((len(sa) - 1,), (len(sb) - 1,)), ((), ())))


def outer(a: Any, b: Any) -> Any:
    """NumPy's ``outer`` of the flattened arrays.

    Parameters
    ----------
    a, b : array_like
        The operands.

    Returns
    -------
    out : ndarray
        ``a.ravel()[:, None] * b.ravel()[None, :]``.

    Examples
    --------
    >>> import ftrans.numpy as fnp, numpy as np
    >>> fnp.outer(np.ones(2), np.ones(3)).shape
    (2, 3)
    """
    if not any_tracer((a, b)):
        return np.outer(a, b)
    from ._shape import ravel
    a, b = ravel(a), ravel(b)
    n, m = shape_of(a)[0], shape_of(b)[0]
    return multiply(broadcast_in_dim(a, (n, m), (0,)), broadcast_in_dim(b, (n, m), (1,)))
