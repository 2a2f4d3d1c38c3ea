"""One pool of worker processes shared by every browser session, dispatched fairly.

Why one shared pool and round-robin dispatch (and not a pool per session): the machine has a
few cores and several planners. A pool per session would start its own processes and let the
sessions with more runs take more cores; here at most `workers` runs execute at any time, and
whenever a core frees up the next run comes from the next session in turn that has runs
waiting. So a planner's heavy comparison (hundreds of runs) only delays another planner's small
one by about one run per core, however much work the heavy one holds. Each session may also
hold only one comparison at a time (state.py), which bounds what waits here.

A session's waiting runs are dropped when it cancels or its browser session closes; a run
already on a worker finishes (a few seconds) and its result is discarded.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import threading
from collections import OrderedDict, deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterable, Iterator

from experiments.errors import UserError
from experiments.executors import Lifetime, _worker_start


class Cancelled(UserError):
    """The planner cancelled the comparison, or closed the page."""


class FairPool:
    """Worker processes shared by sessions; `executor(owner)` gives the runner's interface."""

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._waiting: OrderedDict[str, deque] = OrderedDict()  # owner -> (fn, task, job) waiting
        self._jobs: dict[str, Job] = {}    # owner -> its one job in progress
        self._closed: set[str] = set()     # owners whose page has closed: they submit nothing
        self._running = 0
        self._pool: ProcessPoolExecutor | None = None

    # ------------------------------------------------------------------ sessions' side
    def executor(self, owner: str) -> "SessionExecutor":
        return SessionExecutor(self, owner)

    def submit(self, owner: str, fn: Callable, tasks: list, job: "Job") -> None:
        """Queue a job's runs; an owner holds one job at a time (the cap on a session's work)."""
        with self._lock:
            if owner in self._closed or job.cancelled.is_set():
                raise Cancelled("comparison cancelled before it started")
            if owner in self._jobs:
                raise UserError("this page already has a comparison running: wait for it or "
                                "press Cancel before starting another")
            self._jobs[owner] = job
            self._waiting.setdefault(owner, deque()).extend((fn, task, job) for task in tasks)
            self._dispatch()

    def release(self, owner: str, job: "Job") -> None:
        """The job is over (finished, failed or cancelled): the owner may start another."""
        with self._lock:
            if self._jobs.get(owner) is job:
                del self._jobs[owner]
                self._waiting.pop(owner, None)

    def cancel(self, owner: str) -> int:
        """Stop the owner's job: its waiting runs are dropped; returns how many."""
        with self._lock:
            dropped = self._waiting.pop(owner, deque())
            job = self._jobs.get(owner)
        if job is not None:
            job.cancelled.set()
        return len(dropped)

    def close_owner(self, owner: str) -> int:
        """The owner's page has closed: stop its job and refuse any later one."""
        with self._lock:
            self._closed.add(owner)
        return self.cancel(owner)

    def waiting(self, owner: str | None = None) -> int:
        with self._lock:
            if owner is not None:
                return len(self._waiting.get(owner, ()))
            return sum(map(len, self._waiting.values()))

    @property
    def running(self) -> int:
        return self._running

    # ------------------------------------------------------------------ dispatch
    def _next(self):
        """The next waiting run, taking owners in turn (the owner served goes to the back)."""
        for owner in list(self._waiting):
            runs = self._waiting[owner]
            if not runs:
                del self._waiting[owner]
                continue
            item = runs.popleft()
            self._waiting.move_to_end(owner)
            if not runs:
                del self._waiting[owner]
            return item
        return None

    def _dispatch(self) -> None:
        """Fill free workers (call with the lock held)."""
        while self._running < self.workers:
            item = self._next()
            if item is None:
                return
            fn, task, job = item
            pool = self._ensure_pool()
            try:
                future = pool.submit(fn, task)
            except (BrokenProcessPool, RuntimeError) as error:
                self._pool = None
                job.results.put((task, error))
                continue
            self._running += 1
            future.add_done_callback(lambda f, t=task, j=job, p=pool: self._finished(f, t, j, p))

    def _finished(self, future: Future, task: Any, job: "Job", pool: ProcessPoolExecutor) -> None:
        try:
            result = future.result()
        except BrokenProcessPool as error:
            result = error
            with self._lock:
                if self._pool is pool:        # a worker died: the next run gets a new pool
                    self._pool = None
                    pool.shutdown(wait=False, cancel_futures=True)
        except BaseException as error:  # noqa: BLE001 - reported as the run's failure
            result = error
        job.results.put((task, result))
        with self._lock:
            self._running -= 1
            self._dispatch()

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            method = "forkserver" if sys.platform.startswith("linux") else "spawn"
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                context.set_forkserver_preload(["experiments.runner"])
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_worker_start,
                                             initargs=(os.getpid(),))  # workers die with the app
        return self._pool

    def close(self) -> None:
        with self._lock:
            self._waiting.clear()
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


class Job:
    """One imap_unordered call: its results arrive on a queue, in the order runs finish."""

    def __init__(self, cancelled: threading.Event):
        self.results: queue.Queue = queue.Queue()
        self.cancelled = cancelled


class SessionExecutor(Lifetime):
    """The experiments executor interface (imap_unordered, cancel, close) for one session's
    comparison. A cancel is kept: one that comes before the runs are queued still stops them."""

    name = "app pool"

    def __init__(self, pool: FairPool, owner: str):
        self.pool, self.owner, self.workers = pool, owner, pool.workers
        self.cancelled = threading.Event()

    def imap_unordered(self, fn: Callable, tasks: Iterable) -> Iterator[tuple[Any, Any]]:
        tasks = list(tasks)
        job = Job(self.cancelled)
        self.pool.submit(self.owner, fn, tasks, job)
        try:
            for _ in tasks:
                yield self._next_result(job)
        finally:
            self.pool.release(self.owner, job)

    @staticmethod
    def _next_result(job: Job):
        while not job.cancelled.is_set():
            try:
                return job.results.get(timeout=0.2)
            except queue.Empty:
                continue
        raise Cancelled("comparison cancelled: the runs not yet started were dropped")

    def cancel(self) -> int:
        """Stop this comparison; returns how many waiting runs were dropped."""
        self.cancelled.set()
        return self.pool.cancel(self.owner)

    def close(self) -> None:
        pass
