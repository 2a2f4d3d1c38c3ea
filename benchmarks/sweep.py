"""Sweep throughput: many small runs on all local cores, and what the executor costs.

Each run builds the model, runs it to the horizon and returns its monthly table to the parent,
as a sweep's runs do. Figures:

* runs per minute = runs / wall time of the whole sweep;
* executor overhead = the share of the cores' wall time not spent inside runs,
  1 - sum(seconds inside each run) / (wall x workers): starting the processes (a fork server that
  imports the model once), pickling the jobs and the tables back, scheduling, idle cores at the
  end;
* contention = mean seconds of a run inside the pool / mean seconds of the same run alone in
  this process: what running runs side by side costs (shared memory bandwidth and caches), which
  is not the executor's doing.

The executor is `experiments.executors.LocalExecutor` when the experiments layer provides one
with a `map(function, items)` method, else a `concurrent.futures.ProcessPoolExecutor`
(`executor_map` is the one place that chooses).
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

from benchmarks.plan import REGIONAL_PLAN


def one_run(job: tuple[float, int]):
    """Build and run one regional-plan model; returns (seconds inside the run, monthly table)."""
    from model import EnrollmentModel

    scale, seed = job
    start = time.perf_counter()
    table = EnrollmentModel(scale=scale, seed=seed, **REGIONAL_PLAN).run().results()
    return time.perf_counter() - start, table


def executor_map(function, items: list, workers: int) -> tuple[list, str]:
    """Results of `function` over `items` on `workers` local processes, and the executor's name."""
    executor = _local_executor(workers)
    if executor is not None:
        return list(executor.map(function, items)), "experiments.executors.LocalExecutor"
    # A fork server (imports the model once, then forks a clean process per worker) rather than
    # forking this process, which may hold threads; the experiments layer does the same.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["model", "benchmarks.sweep"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(function, items)), "concurrent.futures.ProcessPoolExecutor (forkserver)"


def _local_executor(workers: int):
    """The experiments layer's local executor, if it exists and takes `workers`, else None."""
    try:
        from experiments.executors import LocalExecutor
    except ImportError:
        return None
    if not hasattr(LocalExecutor, "map"):
        return None
    try:
        return LocalExecutor(workers=workers)
    except TypeError:
        return None


def sweep(runs: int = 200, scale: float = 0.01, workers: int | None = None,
          serial_runs: int = 10) -> dict:
    """Time `runs` regional-plan runs (seeds 1..runs) on `workers` processes (default: all cores)."""
    workers = workers or os.cpu_count() or 1
    jobs = [(scale, seed) for seed in range(1, runs + 1)]
    serial = [one_run(job)[0] for job in jobs[:serial_runs]]
    start = time.perf_counter()
    results, executor = executor_map(one_run, jobs, workers)
    wall = time.perf_counter() - start
    inside = [seconds for seconds, _ in results]
    return {
        "runs": runs, "scale": scale, "workers": workers, "executor": executor,
        "wall_s": wall, "runs_per_minute": 60 * runs / wall,
        "mean_run_s_in_pool": statistics.fmean(inside),
        "mean_run_s_alone": statistics.fmean(serial),
        "executor_overhead": 1 - sum(inside) / (wall * workers),
        "contention": statistics.fmean(inside) / statistics.fmean(serial),
    }
