"""The ``executor=`` argument: a Dask client, or any ``concurrent.futures.Executor``.

``Target`` hides the difference. It ships a program once and runs its tasks:

- a Dask ``Client`` (or a client's ``get_executor()``, unwrapped to its client): the program
  object is scattered to every worker (``scatter(..., broadcast=True)``; Dask sends its
  arrays as frames, without copying them into a pickle) and each task names it, so it
  travels once per worker and is deserialized once per worker. A worker killed in the
  middle is replaced by Dask, which reschedules its tasks: the result is the same.
- any other executor (``ProcessPoolExecutor``, ``mpi4py.futures.MPIPoolExecutor``, a
  ``ThreadPoolExecutor``...): the program is pickled once, in the caller, and keyed by its
  digest. The first tasks carry its bytes (one per worker not yet known to hold them, at
  most twice the number of workers in all); the others carry only the digest, and a
  worker that lacks the program answers with a miss, so that task is sent again with the
  bytes. Each worker keeps the program (``worker.run_keyed``). At most ``WINDOW`` tasks
  per worker are in flight, so a worker that missed sees its bytes soon.
  If the executor breaks (a worker process killed), ``ChunksLostError`` says which tasks
  were lost; nothing is returned.

Dask is imported only when a Dask client is given.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..errors import DocumentedError
from . import worker
from .pickling import checked_size, digest, dumps

if TYPE_CHECKING:
    import concurrent.futures as cf

WINDOW = 2  # tasks in flight per worker (plain executors)


class ChunksLostError(DocumentedError, RuntimeError):
    """The executor failed while tasks were running (a worker process died, the pool broke):
    the message names the chunks that were lost. Nothing was returned partially.

    With a Dask client, Dask reschedules the chunks of a dead worker itself; this error
    comes when it gives up (``KilledWorker``) or when a plain executor's pool breaks
    (``BrokenProcessPool``). It is a ``RuntimeError``; run the call again.

    Examples
    --------
    >>> print(ChunksLostError("jacfwd: the pool failed").anchor)
    chunks-lost-error
    """


_local = threading.local()


def last_run() -> dict[str, Any]:
    """Figures of this thread's last distributed run.

    Returns
    -------
    dict
        ``tasks``, ``workers``, ``payload_bytes`` (the pickled program), ``payload_sends``
        (how many times it was sent: once per worker), ``misses``, ``ship_s`` (seconds to
        pickle and send or scatter it), ``submitted_s`` (from the start of the run until
        every task was submitted, on Dask), ``first_result_s`` (until the first result
        came), ``wall_s`` (the whole run) and ``chunk_size``; empty before the first run in
        this thread.

    Examples
    --------
    >>> isinstance(last_run(), dict)
    True
    """
    return dict(getattr(_local, "stats", {}))


def _is_dask_client(x: Any) -> bool:
    t = type(x)
    return t.__module__.startswith("distributed") and hasattr(x, "scatter") \
        and hasattr(x, "submit") and hasattr(x, "scheduler_info")


def client_of(executor: Any) -> Any:
    """The Dask client behind ``executor`` (a client, or a client's ``get_executor()``), or
    ``None``.

    >>> from concurrent.futures import ThreadPoolExecutor
    >>> client_of(ThreadPoolExecutor(1)) is None
    True
    """
    if _is_dask_client(executor):
        return executor
    inner = getattr(executor, "_client", None)
    if type(executor).__module__.startswith("distributed") and _is_dask_client(inner):
        return inner
    return None


def check_executor(executor: Any, api: str) -> None:
    """``TypeError`` naming ``executor=`` unless it is an executor or a Dask client (the
    standard library's ``concurrent.futures`` is imported only when one is given).

    >>> check_executor(4, "jacfwd")
    Traceback (most recent call last):
      ...
    TypeError: jacfwd: executor must be a concurrent.futures.Executor ...
    """
    import concurrent.futures as cf
    if isinstance(executor, cf.Executor) or client_of(executor) is not None:
        return
    raise TypeError(f"{api}: executor must be a concurrent.futures.Executor "
                    "(ProcessPoolExecutor, mpi4py.futures.MPIPoolExecutor, a Dask client's "
                    "get_executor()) or a dask.distributed.Client, got "
                    f"{type(executor).__name__} {executor!r:.60}")


def _direct(client: Any) -> bool | None:
    """Whether the caller sends programs to Dask workers and gathers results from them
    directly: as the client says (``Client(direct_to_workers=...)``); else yes when this
    process started the cluster (a ``LocalCluster``: its workers are on this machine, and
    its scheduler shares this process's event loop, which would otherwise carry every
    byte twice); else through the scheduler (Dask's default: workers may be out of the
    caller's reach)."""
    said = getattr(client, "direct_to_workers", None)
    if said is not None:
        return bool(said)
    cluster = getattr(client, "cluster", None)
    if cluster is None:
        return None
    from distributed import LocalCluster
    return True if isinstance(cluster, LocalCluster) else None


def _describe(args: tuple) -> str:
    return f"{args[0]}..{args[1]}" if len(args) == 2 and all(
        isinstance(a, int) for a in args) else "shard"


class Target:
    """Where tasks run: ``executor`` (checked by ``check_executor``)."""

    def __init__(self, executor: Any, api: str):
        self.api = api
        self.client = client_of(executor)
        self.executor = None if self.client is not None else executor
        self.direct = _direct(self.client) if self.client is not None else None
        self._t0 = 0.0  # the start of the current run

    def n_workers(self) -> int:
        """How many workers run tasks at once."""
        if self.client is not None:
            workers = self.client.scheduler_info().get("workers", {})
            return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
        for attr in ("num_workers", "_max_workers"):  # MPIPoolExecutor, the stdlib pools
            n = getattr(self.executor, attr, None)
            if isinstance(n, int) and n > 0:
                return n
        return os.cpu_count() or 1

    def budget(self, gpu: bool) -> int:
        """The bytes one task may use on the most constrained worker (``worker.memory_budget``:
        its device memory, or RAM under the Dask worker's memory limit), divided by the
        tasks each runs at once."""
        if self.client is not None:
            per = self.client.run(worker.memory_budget, gpu)
            info = self.client.scheduler_info().get("workers", {})
            budgets = []
            for a, b in per.items():
                w = info.get(a, {})
                limit = 0 if gpu else int(w.get("memory_limit") or 0)  # 0: no limit
                budgets.append((min(b, limit) if limit else b) // max(1, int(w.get("nthreads",
                                                                                 1))))
            return min(budgets)
        assert self.executor is not None
        return int(self.executor.submit(worker.memory_budget, gpu).result())

    # --- running tasks
    def run(self, prog: worker.Program, what: str, tasks: Sequence[tuple],
            on_result: Callable[[int, Any], None]) -> dict[str, Any]:
        """Run ``what`` (``"chunk"``: ``worker.run_chunk(prog, lo, hi)``; ``"shard"``:
        ``worker.run_shard(prog, shard)``) for each argument tuple of ``tasks``, calling
        ``on_result(i, result)`` in the caller as results arrive; the run's figures
        (``last_run``)."""
        t0 = self._t0 = time.perf_counter()
        stats: dict[str, Any] = {"tasks": len(tasks), "payload_sends": 0, "misses": 0}
        _local.stats = stats
        try:
            if self.client is not None:
                self._run_dask(prog, what, tasks, on_result, stats)
            else:
                self._run_plain(prog, what, tasks, on_result, stats)
        finally:
            stats["wall_s"] = time.perf_counter() - t0
        return stats

    def _run_dask(self, prog: worker.Program, what: str, tasks: Sequence[tuple],
                  on_result: Callable[[int, Any], None], stats: dict) -> None:
        """Run ``tasks`` on the Dask cluster. Dask reschedules the tasks of a worker that
        dies; the scattered program, though, is plain data that Dask cannot recompute: when
        its last copy goes with a worker (Dask's memory manager may keep one copy only),
        the scheduler cancels the tasks that need it. Then the program is scattered again
        and the tasks not yet done resubmitted (``_RESCATTERS`` times at most)."""
        done: set[int] = set()
        for attempt in range(_RESCATTERS + 1):
            todo = [i for i in range(len(tasks)) if i not in done]
            try:
                self._run_dask_once(prog, what, tasks, todo, on_result, stats, done)
                return
            except Exception as e:
                if type(e).__name__ == "KilledWorker":
                    raise self._lost(what, tasks, done, e) from e
                if not _lost_program(e) or attempt == _RESCATTERS:
                    _note(e, f"(in a {what} task of {self.api} on a Dask worker)")
                    raise
                stats["rescatters"] = attempt + 1

    def _run_dask_once(self, prog: worker.Program, what: str, tasks: Sequence[tuple],
                       todo: list[int], on_result: Callable[[int, Any], None], stats: dict,
                       done: set[int]) -> None:
        from distributed import as_completed
        client = self.client
        key, fut = self.scatter(prog, stats)
        token = uuid.uuid4().hex[:12]
        n = len(todo)  # one graph for all tasks: a submit per task costs the scheduler more
        futures = client.map(worker.run_keyed, [key] * n, [fut] * n, [what] * n,
                             *zip(*[tasks[i] for i in todo]),
                             key=[f"ftrans-{what}-{token}-{i}" for i in todo], pure=False)
        stats["submitted_s"] = time.perf_counter() - self._t0
        stats["workers"] = stats["payload_sends"] = \
            len(client.scheduler_info().get("workers", {}))
        index = {f.key: i for f, i in zip(futures, todo)}
        try:  # results gathered as they come, straight from the workers where possible
            for batch in as_completed(futures).batches():
                for f, (_, result) in zip(batch, client.gather(batch, direct=self.direct)):
                    stats.setdefault("first_result_s", time.perf_counter() - self._t0)
                    i = index[f.key]
                    on_result(i, result)
                    done.add(i)
                    f.release()
        except BaseException:
            for f in futures:
                f.cancel()
            raise

    def scatter(self, prog: worker.Program, stats: dict | None = None) -> tuple[str, Any]:
        """Scatter ``prog`` to every Dask worker: ``(key, future)``. Dask serializes it once
        (its arrays without copies, as frames of their own) and each worker deserializes it
        once; ``worker.run_keyed`` keeps it under ``key``. Checked first: a program that
        cannot be pickled raises ``dumps``'s ``TypeError``."""
        t0 = time.perf_counter()
        size = checked_size(prog, f"{self.api}: the program")
        key = f"ftrans-program-{uuid.uuid4().hex}"
        fut = self.client.scatter({key: prog}, broadcast=True, hash=False,
                                  direct=self.direct)[key]
        if stats is not None:
            stats.update(payload_bytes=size, ship_s=time.perf_counter() - t0)
        return key, fut

    def _run_plain(self, prog: worker.Program, what: str, tasks: Sequence[tuple],
                   on_result: Callable[[int, Any], None], stats: dict) -> None:
        import concurrent.futures as cf
        t0 = time.perf_counter()
        payload = dumps(prog, f"{self.api}: the program")
        key = digest(payload)  # a worker that kept the same program needs no bytes again
        stats["payload_bytes"] = len(payload)
        stats["ship_s"] = time.perf_counter() - t0
        n_workers = self.n_workers()
        loaded: set[str] = set()  # workers known to hold the program
        in_flight: dict[cf.Future, tuple[int, bool]] = {}
        awaiting: dict[cf.Future, str] = {}  # tasks carrying the bytes to a worker that missed
        todo = list(range(len(tasks)))[::-1]
        retry: list[tuple[int, str]] = []
        done: set[int] = set()

        executor = self.executor
        assert executor is not None

        def submit(i: int, with_payload: bool) -> cf.Future:
            stats["payload_sends"] += with_payload
            f = executor.submit(worker.run_keyed, key, payload if with_payload else None,
                                     what, *tasks[i])
            in_flight[f] = (i, with_payload)
            return f

        try:
            while todo or retry or in_flight:
                while (retry or todo) and len(in_flight) < WINDOW * n_workers:
                    if retry:  # the bytes again, unless already on their way to that worker
                        i, who = retry.pop()
                        if who in awaiting.values():
                            submit(i, False)
                        else:
                            awaiting[submit(i, True)] = who
                    else:  # the bytes go with a task while workers may still lack them
                        carrying = sum(p for _, p in in_flight.values())
                        submit(todo.pop(), len(loaded) + carrying < n_workers
                               and stats["payload_sends"] < 2 * n_workers)
                finished, _ = cf.wait(list(in_flight), return_when=cf.FIRST_COMPLETED)
                for f in finished:
                    i, _ = in_flight.pop(f)
                    awaiting.pop(f, None)
                    who, result = f.result()
                    if who == worker.MISS:
                        stats["misses"] += 1
                        retry.append((i, result))  # result: the id of the worker that missed
                        continue
                    loaded.add(who)
                    stats.setdefault("first_result_s", time.perf_counter() - self._t0)
                    on_result(i, result)
                    done.add(i)
        except Exception as e:
            for f in in_flight:
                f.cancel()
            if isinstance(e, (cf.BrokenExecutor, cf.CancelledError)) or (
                    isinstance(e, RuntimeError) and "shutdown" in str(e)):
                raise self._lost(what, tasks, done, e) from e
            _note(e, f"(in a {what} task of {self.api} on a worker of "
                     f"{type(self.executor).__name__})")
            raise
        finally:
            stats["workers"] = max(len(loaded), 1)

    def _lost(self, what: str, tasks: Sequence[tuple], done: set[int], e: BaseException
              ) -> ChunksLostError:
        lost = [i for i in range(len(tasks)) if i not in done]
        shown = ", ".join(_describe(tasks[i]) if what == "chunk" else str(i)
                          for i in lost[:20]) + (", ..." if len(lost) > 20 else "")
        rows = " (seed vectors lo..hi)" if what == "chunk" else ""
        where = "the Dask cluster" if self.client is not None else \
            f"the {type(self.executor).__name__}"
        return ChunksLostError(
            f"{self.api}: {where} failed ({type(e).__name__}: {e}) with {len(lost)} of "
            f"{len(tasks)} {what}s not computed: {shown}{rows}. Nothing was returned: no "
            "partial result. A broken pool runs no more tasks: make a new executor and call "
            "again.")


_RESCATTERS = 3


def _lost_program(e: BaseException) -> bool:
    """Whether ``e`` is a cancellation: Dask's ``FutureCancelledError`` (a
    ``concurrent.futures.CancelledError``), which the scheduler raises for tasks whose data
    was lost."""
    from concurrent.futures import CancelledError
    return isinstance(e, CancelledError)


def _note(e: BaseException, note: str) -> None:
    add = getattr(e, "add_note", None)  # Python 3.11+
    if add is not None:
        add(note)


__all__ = ["Target", "ChunksLostError", "check_executor", "client_of", "last_run"]
