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

The executor is the experiments layer's `LocalExecutor` (a fork-server process pool), the one
`cakupan sweep` uses.
"""

from __future__ import annotations

import os
import statistics
import time

from benchmarks.plan import REGIONAL_PLAN


def one_run(job: tuple[float, int]):
    """Build and run one regional-plan model; returns (seconds inside the run, monthly table)."""
    from model import EnrollmentModel

    scale, seed = job
    start = time.perf_counter()
    table = EnrollmentModel(scale=scale, seed=seed, **REGIONAL_PLAN).run().results()
    return time.perf_counter() - start, table


def executor_map(function, items: list, workers: int) -> tuple[list, str]:
    """Results of `function` over `items` (in their order) on `workers` local processes, with
    the experiments layer's executor, as a sweep runs them."""
    from experiments.executors import LocalExecutor

    executor = LocalExecutor(workers=workers)
    try:
        done = dict(executor.imap_unordered(function, items))
    finally:
        executor.close()
    failed = [result for result in done.values() if isinstance(result, BaseException)]
    if failed:
        raise failed[0]
    return [done[item] for item in items], "experiments.executors.LocalExecutor"


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
