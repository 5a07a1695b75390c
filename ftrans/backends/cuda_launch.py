"""Launch shapes of the generated CUDA kernels: blocks, grids, and how many blocks (or
threads) share one output of a reduction.

>>> elementwise_grid(1000), reduction_grid(3, 2)
(4, 6)
"""

from __future__ import annotations

BLOCK = 256
REDUCE_BLOCK = 256
MAX_GRID = 1 << 16


def elementwise_grid(n: int) -> int:
    """Blocks for an elementwise kernel over ``n`` elements (grid-stride beyond that).

    >>> elementwise_grid(1000), elementwise_grid(10 ** 9)
    (4, 65536)
    """
    return max(1, min(-(-n // BLOCK), MAX_GRID))


def reduction_parts(n_out: int, r_size: int) -> int:
    """How many blocks share one output's reduction: enough blocks to fill the device,
    at least 4 elements per thread.

    >>> reduction_parts(1, 10 ** 8), reduction_parts(1000, 100)
    (4096, 1)
    """
    want = -(-r_size // (REDUCE_BLOCK * 4))
    return max(1, min(want, max(1, 4096 // max(n_out, 1))))


COLUMN_MIN_OUTPUTS = 32  # reductions over leading axes with this many outputs: columns


def column_parts(n_out: int, r_size: int) -> int:
    """How many threads share one output of a column reduction: about 64K threads in
    all, each summing at least 8 elements.

    >>> column_parts(1024, 4096), column_parts(10 ** 6, 100)
    (64, 1)
    """
    return max(1, min(-(-(1 << 16) // n_out), r_size // 8))


def reduction_grid(n_out: int, parts: int) -> int:
    """Blocks for a reduction kernel: one per (output, part), grid-stride beyond that.

    >>> reduction_grid(3, 2)
    6
    """
    return max(1, min(n_out * parts, MAX_GRID))


__all__ = ["BLOCK", "REDUCE_BLOCK", "MAX_GRID", "COLUMN_MIN_OUTPUTS", "elementwise_grid",
           "reduction_parts", "column_parts", "reduction_grid"]
