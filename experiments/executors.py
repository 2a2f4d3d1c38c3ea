"""Where runs execute: this process, a pool of local processes, or a Dask cluster.

Every executor satisfies the `Executor` protocol, so the runner never knows where a run happens:

    executor.imap_unordered(fn, tasks)  ->  yields (task, result) as runs finish, where result
                                            is fn(task) or the exception that lost the task
    executor.cancel()                   ->  drop queued tasks (Ctrl-C)
    executor.close()                    ->  release the workers (a pool, a Dask client)
    with executor: ...                  ->  close() when the block ends, however it ends

An executor lives as long as the work that uses it (EMA Workbench's evaluators): a calibration,
a sensitivity analysis or an optimisation opens one and sends every batch to it, so a local pool
starts once, not once per batch. `using(executor)` lends a caller's executor (the caller closes
it) or makes a local one for the block. `kill()` (local, Dask, serial) stops now, runs in flight
included; a running imap_unordered then raises Stopped. (The app does not call it: its pool is
viz/pool.FairPool, whose sessions cancel their waiting runs, and `python -m viz` stops the app's
whole process group on SIGTERM/SIGINT.)

`fn` must be a module-level function of an importable module (the workers import it by name).
Tasks are submitted a few at a time, so an interrupted sweep has little in flight and memory
stays flat however many runs a sweep has.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

from experiments.errors import UserError

MAX_ATTEMPTS = 3  # a task that kills its worker process when run alone is tried this many times


class ExecutorError(UserError, RuntimeError):
    """The executor cannot run anything (e.g. an unreachable scheduler): a user error."""


class Stopped(RuntimeError):
    """The executor was killed (`kill()`) while tasks were running: what finished is kept."""


class WorkerDied(RuntimeError):
    """A worker process died while running the task, on every attempt."""


@runtime_checkable
class Executor(Protocol):
    """What the runner needs of an executor: a name and worker count (recorded in the manifest's
    sessions), results as they finish, cancel, and a lifetime (close, or a `with` block)."""

    name: str
    workers: int

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]: ...

    def cancel(self) -> Any: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None: ...


class Lifetime:
    """`with executor:` closes it when the block ends (the executors' shared context manager)."""

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


@contextmanager
def using(executor: Executor | None, workers: int | None = None) -> Iterator[Executor]:
    """The caller's executor, left open (its owner closes it), or a LocalExecutor of `workers`
    for the block, closed after it: the one rule for who ends an executor's lifetime."""
    if executor is not None:
        yield executor
        return
    with LocalExecutor(workers) as local:
        yield local


class SerialExecutor(Lifetime):
    """Runs tasks one after the other in this process (debugging, tiny runs)."""

    name = "serial"
    workers = 1

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        for task in tasks:
            yield task, fn(task)

    def cancel(self) -> None:
        pass

    def kill(self) -> None:
        pass


PARENT_POLL_SECONDS = 1.0  # how often a worker checks that the process that started it lives


def _worker_start(parent: int) -> None:
    """Workers leave Ctrl-C to the parent, which cancels the queue and saves what is done, and
    never outlive it: on Linux the kernel kills a worker when its parent (the forkserver, which
    exits with the main process) dies (PR_SET_PDEATHSIG); everywhere a daemon thread watches
    the main process `parent` and ends the worker when it is gone (SIGKILL leaves no cleanup)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)   # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return


def _watch_parent(parent: int) -> None:
    while _alive(parent):
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:   # a killed parent not yet reaped by its own parent is a zombie: gone for us
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


class LocalExecutor(Lifetime):
    """A pool of worker processes on this machine (all cores by default).

    Uses the forkserver start method on Linux (spawn elsewhere): workers start from a clean
    interpreter that has imported the runner once, never from a copy of a busy parent. The pool
    starts on the first imap_unordered and serves every later call until close() (or the end of
    a `with` block): a calibration's hundred batches share one pool. If a worker process dies
    (killed, out of memory) the pool is rebuilt and its tasks retried.
    """

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        if self.workers < 1:
            raise ExecutorError(f"workers must be at least 1; got {workers}")
        method = "forkserver" if sys.platform.startswith("linux") else "spawn"
        self._context = multiprocessing.get_context(method)
        if method == "forkserver":
            self._context.set_forkserver_preload(["experiments.runner"])
        self._pool: ProcessPoolExecutor | None = None
        self._stopped = False

    def _ready_pool(self) -> ProcessPoolExecutor:
        """The running pool, started if there is none yet (first call, or after cancel/kill)."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=self._context, initializer=_worker_start,
                                             initargs=(os.getpid(),))
        return self._pool

    def _replace_pool(self) -> ProcessPoolExecutor:
        """A worker died, so the pool is broken: drop it and start another."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        return self._ready_pool()

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """When a worker dies the pool cannot say which task killed it, so every task then in
        flight becomes a suspect; suspects are rerun one at a time, where a crash names its
        task, and only a task that crashes alone MAX_ATTEMPTS times is given up. Tasks still
        queued when the caller stops early are cancelled; the pool stays for the next call."""
        queue: Iterator[Any] = iter(tasks)
        pending: dict[Future[Any], Any] = {}
        suspects: list[Any] = []
        crashes: dict[int, int] = {}
        alone = None  # the suspect running by itself, if any
        self._stopped = False
        pool = self._ready_pool()
        try:
            self._fill(pool, fn, queue, pending)
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                if self._stopped:
                    raise Stopped(f"stopped with {len(pending)} runs in flight")
                broken = False
                for future in done:
                    task = pending.pop(future)
                    try:
                        yield task, future.result()
                    except BrokenProcessPool:
                        broken = True
                        if task is alone:
                            crashes[id(task)] = crashes.get(id(task), 0) + 1
                            if crashes[id(task)] >= MAX_ATTEMPTS:
                                yield task, WorkerDied(f"a worker process died running this task"
                                                       f" alone {MAX_ATTEMPTS} times")
                                continue
                        suspects.append(task)
                    except Exception as error:  # noqa: BLE001 - reported with the task
                        yield task, error
                if broken:
                    suspects += pending.values()
                    pending.clear()
                    pool = self._replace_pool()
                alone = None
                if suspects and not pending:
                    alone = suspects.pop(0)
                    pending[pool.submit(fn, alone)] = alone
                elif not suspects:
                    self._fill(pool, fn, queue, pending)
        finally:
            for future in pending:   # the caller stopped early: nothing of this call stays queued
                future.cancel()

    def _fill(self, pool: ProcessPoolExecutor, fn: Callable[[Any], Any], queue: Iterator[Any],
              pending: dict[Future[Any], Any]) -> None:
        while len(pending) < 2 * self.workers:
            task = next(queue, None)
            if task is None:
                return
            pending[pool.submit(fn, task)] = task

    def cancel(self) -> None:
        """Drop the queued tasks; runs in flight finish. The next call starts a new pool."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def kill(self) -> None:
        """Stop now: drop queued tasks and kill the worker processes, runs in flight included
        (the app calls this on SIGTERM/SIGINT and when a session closes; a results folder
        keeps what was saved, so a rerun resumes)."""
        self._stopped = True
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.kill()
        for process in processes:
            process.join(timeout=5)

    def close(self) -> None:
        """End the pool: wait for runs in flight, then its worker processes exit."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Lifetime):
    """Tasks on a Dask distributed cluster: `DaskExecutor("tcp://HOST:8786")`.

    The workers need the same cakupan installed (e.g. `pip install -e .` on each machine); the
    results come back to this process, which writes them, so no shared disk is needed. Dask
    reschedules the tasks of a worker that dies.
    """

    name = "dask"

    def __init__(self, address: str, timeout: float = 10.0):
        from distributed import Client

        _probe(address, timeout)
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError, AssertionError) as error:
            raise _unreachable(address, timeout, error) from None
        self.address = address
        self.workers = max(1, sum(self.client.nthreads().values()))
        self._pending: dict[Any, tuple[Any, Any]] = {}   # future key -> (future, task)

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        from distributed import as_completed

        queue, pending = iter(tasks), self._pending
        completed = as_completed(loop=self.client.loop)
        self._submit(fn, queue, pending, completed, 2 * self.workers + 2)
        for future in completed:
            _, task = pending.pop(future.key)
            try:
                yield task, future.result()
            except Exception as error:  # noqa: BLE001 - reported with the task
                yield task, error
            future.release()
            self._submit(fn, queue, pending, completed, 1)

    def _submit(self, fn: Callable[[Any], Any], queue: Iterator[Any], pending: dict[Any, tuple[Any, Any]],
                completed: Any, count: int) -> None:
        for _ in range(count):
            task = next(queue, None)
            if task is None:
                return
            future = self.client.submit(fn, task, pure=False)
            pending[future.key] = (future, task)
            completed.add(future)

    def cancel(self) -> None:
        self.client.cancel([future for future, _ in self._pending.values()])
        self._pending.clear()

    def close(self) -> None:
        self.client.close()

    def kill(self) -> None:
        """Stop now: cancel this client's tasks and disconnect (the cluster's workers are not
        ours to kill)."""
        self.cancel()
        self.close()


def _probe(address: str, timeout: float) -> None:
    """Check, within `timeout` seconds in all, that `address` is a Dask scheduler: a valid
    address, a connection, and an answer to the `identity` request. A port that accepts
    connections and never answers would otherwise hang the client far past its timeout, and a
    client that failed to start prints "Exception ignored" tracebacks when collected."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:
        scheme, location = parse_address(address)
        get_backend(scheme)
        if scheme in ("tcp", "ws"):
            _, port = parse_host_port(location)
            if not 0 < int(port) < 65536:
                raise ValueError(f"port {port} is not between 1 and 65535")
    except (ValueError, TypeError) as error:
        raise ExecutorError(f"--scheduler {address!r} is not a Dask address ({error}); write it as"
                            " tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786") from None
    if scheme not in ("tcp", "ws"):
        return   # tls and others need security settings the client itself brings

    async def identity() -> Any:
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity"})
            return await comm.read()
        finally:
            await comm.close()

    def ask() -> Any:
        return asyncio.run(asyncio.wait_for(identity(), timeout))

    with ThreadPoolExecutor(1) as thread:   # a fresh event loop, whatever runs in this thread
        try:
            answer = thread.submit(ask).result()
        except (OSError, TimeoutError, ValueError, OverflowError, asyncio.TimeoutError) as error:
            raise _unreachable(address, timeout, error) from None
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        kind = answer.get("type") if isinstance(answer, dict) else None
        raise ExecutorError(f"{address!r} answered, but is {'a Dask ' + kind if kind else 'not a Dask scheduler'};"
                            " give the scheduler's address (`dask scheduler` prints it)")


def _unreachable(address: str, timeout: float, error: BaseException) -> ExecutorError:
    reason = f" ({error})" if str(error) else " (no answer)"
    return ExecutorError(f"cannot reach the Dask scheduler at {address!r} within {timeout:g} s{reason}."
                         f" Start one with `dask scheduler` and workers with `dask worker {address}`,"
                         " or leave out --scheduler to use this machine's cores.")


def make_executor(workers: int | None = None, scheduler: str | None = None, timeout: float = 10.0) -> Executor:
    """The executor a command line asks for: Dask if a scheduler is given, else local processes.
    Use it as `with make_executor(...) as executor:` so its workers end with the command."""
    if scheduler:
        return DaskExecutor(scheduler, timeout)
    return LocalExecutor(workers)
