"""Successive halving over rungs: how many candidates each rung keeps, the work a search plans
(runs, core-seconds from limits' run-time model) and the progress a caller is shown."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import pandas as pd

from experiments import limits
from experiments.optimize.problem import OptProblem, Rung

LOG_BYTES = 2_000
"""Disk per candidate in a search folder (its lines in evaluations.jsonl, its parameters included)."""


def promoted(n: int, share: float) -> int:
    """Candidates kept for the next rung: the share, at least 3 (or all when fewer)."""
    return min(n, max(3, math.ceil(n * share)))


def planned_runs(problem: OptProblem) -> int:
    """Runs the search plans at most (every rung, the status quo, the sensitivity)."""
    search = problem.search
    n, total = search.trials, 0
    for rung in search.rungs:
        total += (n + 1) * rung.replicates
        n = promoted(n, search.promote)
    if search.sensitivity:
        total += 2 * len(problem.levers) * search.rungs[-1].replicates
    return total


@dataclass
class Progress:
    """What the CLI's and the app's progress shows: the phase, candidates evaluated of those
    planned, seconds so far and left (from the work done so far), and the front at this rung."""

    phase: str
    done: float
    total: float
    seconds: float
    seconds_left: float | None
    front: pd.DataFrame = field(default_factory=pd.DataFrame)


class Clock:
    """Time left from work units (each rung's runs weighted by limits' run-time model) done so far."""

    def __init__(self, problem: OptProblem):
        self.problem, self.start, self.done_units, self.done_before = problem, time.perf_counter(), 0.0, 0.0
        self.plan(problem.search.trials)

    def plan(self, trials: int) -> None:
        """The work of a search of `trials` candidates (again with the count searched, when the
        local search converged before search.trials)."""
        search, n = self.problem.search, trials
        self.total_units = 0.0
        for rung in search.rungs:
            self.total_units += self.units(n, rung)     # (the status quo's runs are not counted)
            n = promoted(n, search.promote)
        if search.sensitivity:
            self.total_units += self.units(2 * len(self.problem.levers), search.rungs[-1])

    def units(self, candidates: int, rung: Rung) -> float:
        return limits.estimate_short_runs(candidates * rung.replicates, rung.scale,
                                          self.problem.n_months).core_seconds

    def add(self, candidates: int, rung: Rung, ran: bool = True) -> None:
        self.done_units += self.units(candidates, rung)
        if not ran:
            self.done_before += self.units(candidates, rung)

    def left(self) -> tuple[float, float | None]:
        elapsed = time.perf_counter() - self.start
        measured = self.done_units - self.done_before
        if measured <= 0:
            return elapsed, None
        return elapsed, max(0.0, elapsed / measured * (self.total_units - self.done_units))


def estimate(problem: OptProblem, workers: int = 1) -> limits.Estimate:
    """Runs, core-seconds and wall time of the whole search at most (limits' run-time model)."""
    clock = Clock(problem)
    return limits.Estimate(planned_runs(problem), clock.total_units, clock.total_units / max(1, workers),
                           LOG_BYTES * problem.search.trials)
