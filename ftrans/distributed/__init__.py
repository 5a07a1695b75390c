"""Beyond one machine: Jacobians and batched derivatives on an existing distributed engine.

Every Jacobian function (``jacfwd``, ``jacrev``, ``jacobian``, ``jacobian_columns``,
``jacobian_rows``, ``hessian``, ``sparse_jacobian``, ``sparse_hessian``) and ``vmap`` take
``executor=``: any ``concurrent.futures.Executor`` (``ProcessPoolExecutor``,
``mpi4py.futures.MPIPoolExecutor``, a Dask client's ``get_executor()``) or a
``dask.distributed.Client``. The caller traces the function and runs the forward pass once;
the linear (or transposed) program and its residuals are shipped to each worker once, and
each task evaluates one chunk of basis vectors (``engine``, ``executors``, ``worker``). The
Jacobian functions also take ``out="dask"``: a lazy ``dask.array.Array`` whose blocks are
computed on the workers and stay there (``dask_arrays``). ``map_blocks`` runs a batched
derivative on each block of Dask arrays.

Dask is optional (``pip install 'ftrans[distributed]'``) and imported only when used.

>>> import ftrans, numpy as np
>>> from concurrent.futures import ThreadPoolExecutor
>>> with ThreadPoolExecutor(2) as ex:
...     J = ftrans.jacfwd(lambda x: x ** 2, executor=ex, chunk_size=2)(np.arange(3.0))
>>> J.diagonal().tolist()
[0.0, 2.0, 4.0]
"""

from __future__ import annotations

from .dask_arrays import map_blocks
from .executors import ChunksLostError, last_run
from .worker import stats, worker_id

__all__ = ["map_blocks", "ChunksLostError", "last_run", "stats", "worker_id"]
