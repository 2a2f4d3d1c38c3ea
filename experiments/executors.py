"""Where runs execute: this process, a pool of local processes, or a Dask cluster.

Every executor has the same small interface, so the runner never knows where a run happens:

    executor.imap_unordered(fn, tasks)  ->  yields (task, result) as runs finish, where result
                                            is fn(task) or the exception that lost the task
    executor.cancel()                   ->  drop queued tasks (Ctrl-C)
    executor.close()

`fn` must be a module-level function of an importable module (the workers import it by name).
Tasks are submitted a few at a time, so an interrupted sweep has little in flight and memory
stays flat however many runs a sweep has.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from experiments.errors import UserError

MAX_ATTEMPTS = 3  # a task that kills its worker process when run alone is tried this many times


class ExecutorError(UserError, RuntimeError):
    """The executor cannot run anything (e.g. an unreachable scheduler): a user error."""


class WorkerDied(RuntimeError):
    """A worker process died while running the task, on every attempt."""


class SerialExecutor:
    """Runs tasks one after the other in this process (debugging, tiny runs)."""

    name = "serial"
    workers = 1

    def imap_unordered(self, fn: Callable, tasks: Iterable) -> Iterator[tuple[Any, Any]]:
        for task in tasks:
            yield task, fn(task)

    def cancel(self) -> None:
        pass

    def close(self) -> None:
        pass


def _worker_start() -> None:
    """Workers leave Ctrl-C to the parent, which cancels the queue and saves what is done."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class LocalExecutor:
    """A pool of worker processes on this machine (all cores by default).

    Uses the forkserver start method on Linux (spawn elsewhere): workers start from a clean
    interpreter that has imported the runner once, never from a copy of a busy parent. If a
    worker process dies (killed, out of memory) the pool is rebuilt and its tasks retried.
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

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=self._context, initializer=_worker_start)

    def imap_unordered(self, fn: Callable, tasks: Iterable) -> Iterator[tuple[Any, Any]]:
        """When a worker dies the pool cannot say which task killed it, so every task then in
        flight becomes a suspect; suspects are rerun one at a time, where a crash names its
        task, and only a task that crashes alone MAX_ATTEMPTS times is given up."""
        queue, pending, suspects, crashes = iter(tasks), {}, [], {}
        alone = None  # the suspect running by itself, if any
        self._pool = self._new_pool()
        self._fill(fn, queue, pending)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
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
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            alone = None
            if suspects and not pending:
                alone = suspects.pop(0)
                pending[self._pool.submit(fn, alone)] = alone
            elif not suspects:
                self._fill(fn, queue, pending)
        self.close()

    def _fill(self, fn: Callable, queue: Iterator, pending: dict) -> None:
        while len(pending) < 2 * self.workers:
            task = next(queue, None)
            if task is None:
                return
            pending[self._pool.submit(fn, task)] = task

    def cancel(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


class DaskExecutor:
    """Tasks on a Dask distributed cluster: `DaskExecutor("tcp://HOST:8786")`.

    The workers need the same cakupan installed (e.g. `pip install -e .` on each machine); the
    results come back to this process, which writes them, so no shared disk is needed. Dask
    reschedules the tasks of a worker that dies.
    """

    name = "dask"

    def __init__(self, address: str, timeout: float = 10.0):
        from distributed import Client

        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise ExecutorError(f"cannot reach the Dask scheduler at {address!r} within {timeout:g} s"
                                f" ({error}). Start one with `dask scheduler` and workers with"
                                f" `dask worker {address}`, or leave out --scheduler to use this"
                                f" machine's cores.") from None
        self.address = address
        self.workers = max(1, sum(self.client.nthreads().values()))
        self._pending: dict = {}

    def imap_unordered(self, fn: Callable, tasks: Iterable) -> Iterator[tuple[Any, Any]]:
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

    def _submit(self, fn, queue, pending, completed, count: int) -> None:
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


def make_executor(workers: int | None = None, scheduler: str | None = None, timeout: float = 10.0):
    """The executor a command line asks for: Dask if a scheduler is given, else local processes."""
    if scheduler:
        return DaskExecutor(scheduler, timeout)
    return LocalExecutor(workers)
