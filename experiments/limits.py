"""Limits on the work one request may ask for, checked on the server before the first run.

One place for every bound that protects the machine (and, in the app, other planners): the CLI
and the app call the same functions, so a limit gives the same message wherever it is hit.
The model itself only requires a scale in (0, 1] and a horizon after month 0; these limits are
narrower because they are about what a run can mean and what a machine can hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from experiments.errors import UserError
from model import data, months
from model.population import regency_pools

MIN_WORKERS_PER_REGENCY = 50
"""Fewest simulated workers in the smallest regency: below this a regency's coverage is a handful
of agents and the province's figure is mostly rounding (the smallest regency holds about 1.7% of
the workers, so the minimum scale is about 0.001)."""

LAST_HORIZON = "2040-12"
"""Latest horizon: the data and the policies describe 2024-2030; ten more years is already a
long extrapolation, and each month costs run time."""

MAX_REPLICATES = 1000
"""Replicates per scenario in one request (the CLI; the app has its own, smaller cap)."""

CONFIRM_RUNS = 5000
"""Above this many runs a CLI request must be confirmed with --yes (it shows the estimate)."""

SECONDS_PER_MONTH = 0.0077
SECONDS_PER_MONTH_PER_SCALE = 0.17
"""Run time of one simulated month on one core: a fixed part (per-month work that does not grow
with the workers) and a part proportional to the scale. Measured on the reference machine
(2 cores): 76 months take 0.65 s at scale 0.01 and 1.3 s at scale 0.05."""

BYTES_PER_RUN = 60_000
"""Disk per stored run (outputs and regency tables, Parquet), measured on a 76-month run."""


class LimitError(UserError, ValueError):
    """A request over a limit: the message names the field and the allowed values."""


def min_scale(data_set: str = data.DEFAULT_DATA_SET, region: str = data.DEFAULT_REGION) -> float:
    """The smallest scale that gives every regency MIN_WORKERS_PER_REGENCY simulated workers."""
    counts, _ = regency_pools(data.data_set(data_set, region), 1.0, data.load(region))
    return MIN_WORKERS_PER_REGENCY / float(counts.sum(axis=1).min())


def check_scale(scale, data_set: str = data.DEFAULT_DATA_SET, field: str = "scale",
                region: str = data.DEFAULT_REGION) -> float:
    """`scale` as a float in [min_scale, 1]; LimitError naming the field and the range."""
    lowest = min_scale(data_set, region)
    allowed = f"a number from {lowest:.2g} ({MIN_WORKERS_PER_REGENCY} workers in the smallest regency) to 1"
    if isinstance(scale, bool) or not isinstance(scale, (int, float)):
        raise LimitError(f"{field}: {scale!r} is not a number; allowed: {allowed}")
    if not lowest <= float(scale) <= 1:
        raise LimitError(f"{field}: {scale:g} is outside the allowed range; allowed: {allowed}")
    return float(scale)


def check_horizon(horizon: str, data_set: str = data.DEFAULT_DATA_SET, field: str = "horizon",
                  region: str = data.DEFAULT_REGION) -> int:
    """Months simulated up to `horizon`; LimitError unless it lies after month 0 and by LAST_HORIZON."""
    start = data.data_set(data_set, region).month0
    allowed = f"a month YYYY-MM after {start} and no later than {LAST_HORIZON}"
    try:
        n = months.index(horizon, start)
    except ValueError:
        raise LimitError(f"{field}: {horizon!r} is not a month; allowed: {allowed}") from None
    if not 1 <= n <= months.index(LAST_HORIZON, start):
        raise LimitError(f"{field}: {horizon} is outside the allowed months; allowed: {allowed}")
    return n


def check_count(value, low: int, high: int, field: str) -> int:
    """An integer count within [low, high]; LimitError naming the field otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise LimitError(f"{field}: {value!r} is not a whole number; allowed: {low} to {high:,}")
    if not low <= value <= high:
        raise LimitError(f"{field}: {value:,} is outside the allowed range; allowed: {low} to {high:,}")
    return value


def check_replicates(value, maximum: int = MAX_REPLICATES, field: str = "replicates") -> int:
    return check_count(value, 1, maximum, field)


@dataclass(frozen=True)
class Estimate:
    """What a request will cost before it starts: runs, core-seconds, wall seconds, disk bytes."""

    runs: int
    core_seconds: float
    seconds: float
    disk_bytes: int

    def __str__(self) -> str:
        return (f"{self.runs:,} runs, about {_duration(self.seconds)} on this machine and "
                f"{self.disk_bytes / 1e6:,.0f} MB of results")


def estimate(runs: int, scale: float, n_months: int, workers: int = 1) -> Estimate:
    """Run time and disk of `runs` runs of `n_months` months at `scale` on `workers` cores."""
    per_run = n_months * (SECONDS_PER_MONTH + SECONDS_PER_MONTH_PER_SCALE * scale)
    core_seconds = runs * per_run
    return Estimate(runs, core_seconds, core_seconds / max(1, workers), runs * BYTES_PER_RUN)


def check_size(runs: int, scale: float, n_months: int, workers: int = 1, yes: bool = False,
               limit: int | None = None) -> Estimate:
    """The estimate of a request; LimitError above `limit` (default CONFIRM_RUNS) runs unless
    confirmed (`yes`)."""
    limit = CONFIRM_RUNS if limit is None else limit
    cost = estimate(runs, scale, n_months, workers)
    if runs > limit and not yes:
        raise LimitError(f"this request is {cost}; above {limit:,} runs it must be confirmed: "
                         "add --yes to start it, or use fewer points or replicates")
    return cost


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:,.0f} days"


MAX_RUNS = 200_000
"""Most runs one request may plan, even with --yes: every planned run holds its settings in
memory (about 2 kB), so this bounds the plan near 0.4 GB, the results near 12 GB, and the time
near two days at 1 s a run on 2 cores; bigger studies are split into several folders."""


def check_runs(runs: int, scale: float, n_months: int, workers: int = 1, yes: bool = False) -> Estimate:
    """check_size, and a hard cap (MAX_RUNS) that --yes does not lift; checked before a design
    is built, so a huge grid is refused before it fills memory."""
    if runs > MAX_RUNS:
        raise LimitError(f"this request is {estimate(runs, scale, n_months, workers)}; the most one"
                         f" request may plan is {MAX_RUNS:,} runs: use fewer points or replicates,"
                         " or split the study into several results folders")
    return check_size(runs, scale, n_months, workers, yes)


SECONDS_PER_BUILD = 0.11
"""Building one model (population and levers) before its first month, at scales up to 0.02:
0.11 s measured on the reference machine (2 cores). Negligible against a 76-month run, but a
third of a short run's time (the optimiser's 16-month runs)."""


def estimate_short_runs(runs: int, scale: float, n_months: int, workers: int = 1) -> Estimate:
    """`estimate` plus the model's build time per run, for requests of many short runs."""
    cost = estimate(runs, scale, n_months, workers)
    core_seconds = cost.core_seconds + runs * SECONDS_PER_BUILD
    return Estimate(runs, core_seconds, core_seconds / max(1, workers), cost.disk_bytes)
