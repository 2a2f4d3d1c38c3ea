"""Where a month's time goes: CPU ms a month of each phase of `EnrollmentModel.step`, over whole
runs, and each phase's first and last ten months (a cost that grows over a run - segments mixed
by job moves, more agents, more beneficiaries - does not show in a microbenchmark of one month).

    python -m benchmarks.phases [scale] [seeds] [region]       # defaults: 1.0 1 sumsel
    PYTHONPATH=/other/tree python benchmarks/phases.py ...     # another tree's model

The phases are timed where the model calls them (each is wrapped for the run, so the month's
order is the model's own, and the run's results are unchanged: tests/benchmarks/). A warm-up run
comes first (numba loads its compiled loops). CPU seconds (`time.process_time`); on a shared
machine compare trees side by side, alternating.
"""
from __future__ import annotations

import contextlib
import sys
import time
from collections import defaultdict

import numpy as np

# Functions the month calls through their module (module, name) and methods of the model's
# actors (attribute of the model, method); `_begin_month` is the model's own.
MODULE_PHASES = (("agents.local_government", "step_all"), ("model.behaviour.awareness", "step"),
                 ("model.behaviour.take_up", "step"), ("model.behaviour.payment", "step"),
                 ("model.behaviour.formal", "firm_dynamics"), ("model.behaviour.formal", "turnover"),
                 ("model.behaviour.formal", "construction"))
ACTOR_PHASES = (("pilot", "step"), ("branch", "step"), ("perisai", "visit"), ("perisai", "settle"),
                ("collector", "record"), ("datacollector", "collect"))


def _timed(name: str, f, times: dict[str, list[float]]):
    def wrapper(*args, **kwargs):
        start = time.process_time()
        out = f(*args, **kwargs)
        times[name].append(time.process_time() - start)
        return out
    return wrapper


@contextlib.contextmanager
def timing(model, times: dict[str, list[float]]):
    """While inside: every phase of `model`'s month appends its CPU seconds to times[phase]."""
    import importlib

    saved = []
    for module_name, name in MODULE_PHASES:
        module = importlib.import_module(module_name)
        saved.append((module, name, getattr(module, name)))
        setattr(module, name, _timed(f"{module_name.rsplit('.', 1)[-1]}.{name}", getattr(module, name), times))
    for actor, name in ACTOR_PHASES:
        setattr(getattr(model, actor), name, _timed(f"{actor}.{name}", getattr(getattr(model, actor), name), times))
    model._begin_month = _timed("model._begin_month", model._begin_month, times)
    try:
        yield
    finally:
        for module, name, f in saved:
            setattr(module, name, f)
        for actor, name in ACTOR_PHASES:
            delattr(getattr(model, actor), name)       # the class's method again
        del model._begin_month


def phases(scale: float = 1.0, seeds: int = 1, region: str = "sumsel") -> tuple[list[dict], float, int]:
    """(for each run, the CPU seconds of each call by phase; CPU seconds of all the months;
    months) of the regional plan's runs (the region's part of it) at `scale`, seeds 1..seeds."""
    from benchmarks.plan import REGIONAL_PLAN
    from experiments.office import localize
    from model import EnrollmentModel

    EnrollmentModel(scale=0.005, seed=99, horizon="2025-06", **REGIONAL_PLAN).run()   # warm-up
    runs: list[dict[str, list[float]]] = []
    total, months = 0.0, 0
    for seed in range(1, seeds + 1):
        model = EnrollmentModel(scale=scale, seed=seed, region=region, **localize(REGIONAL_PLAN, region))
        runs.append(defaultdict(list))
        with timing(model, runs[-1]):
            start = time.process_time()
            model.run()
            total += time.process_time() - start
        months += model.n_months
    return runs, total, months


def main(argv: list[str]) -> None:
    scale = float(argv[0]) if argv else 1.0
    seeds = int(argv[1]) if len(argv) > 1 else 1
    region = argv[2] if len(argv) > 2 else "sumsel"
    runs, total, months = phases(scale, seeds, region)
    print(f"{region} at scale {scale}, {seeds} seed(s): CPU ms a month, and in a run's first and last ten months")
    print(f"{'the month':26s} {total / months * 1e3:8.2f}")
    for name in sorted(runs[0], key=lambda name: -sum(sum(run[name]) for run in runs)):
        ms = [np.array(run[name]) * 1e3 for run in runs]
        first, last = np.mean([m[:10].mean() for m in ms]), np.mean([m[-10:].mean() for m in ms])
        print(f"{name:26s} {sum(m.sum() for m in ms) / months:8.2f}   {first:7.2f} -> {last:7.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
