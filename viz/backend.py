"""The app's one door into experiments/: scenarios, runs, summaries and sweep results.

The pages call experiments/ the same way the CLI does, through this module, so a change in the
experiments layer's names is absorbed here and nowhere else in viz/. Nothing here touches
Solara: it is plain Python, tested without a browser.
"""

from __future__ import annotations

import logging
import secrets
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from experiments import library_names, load_scenario, parse_scenario
from experiments import summary as stats
from experiments import limits, office
from experiments.errors import UserError
from experiments.executors import Executor, Lifetime
from experiments.runner import UNCERTAINTY, Results, run
from experiments.scenario import Scenario
from model import data
from viz import budget
from viz.pool import Cancelled, FairPool

TARGET = stats.TARGET_COVERAGE
TARGET_MONTH = stats.TARGET_MONTH
BASELINE = stats.BASELINE
DEFAULT_REGION = data.DEFAULT_REGION   # the Compare page's region until the planner picks another
MAX_UPLOAD_BYTES = 1_000_000  # 1 MB: a scenario file is a few hundred bytes
PARSE_SECONDS = 10.0   # budget of checking one upload; a 1 MB file of 77,000 entries takes about 1 s
MIN_SCENARIOS, MAX_SCENARIOS = 2, 6
SCALES = (0.005, 0.01, 0.02, 0.05, 0.1)  # the scales a planner can pick (the page's select)
MAX_REPLICATES = 50       # per scenario in one comparison: 7 x 50 = 350 runs at most per session
MAX_SESSION_SCENARIOS = 60  # built-ins, copies and uploads one page may hold

POOL = FairPool()  # shared by every session (viz/pool.py says why)
log = logging.getLogger("cakupan.app")
if not log.handlers:  # the server log is solara's stderr: the full reports go there
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)

__all__ = ["Scenario", "UserError", "Cancelled", "Results", "TARGET", "TARGET_MONTH", "BASELINE"]


# ---------------------------------------------------------------------------------- errors
class Reported(UserError):
    """An unexpected error already written to the server log; its message carries the id."""


def unexpected(error: BaseException) -> Reported:
    """Log the full traceback under a short id; the page shows only the id (no paths, no code)."""
    error_id = secrets.token_hex(4)
    log.error("error id %s: %s", error_id, type(error).__name__, exc_info=error)
    return Reported(f"Something went wrong (error id {error_id}; the full report is in the "
                    "server log). Nothing you had is lost; try again or change the input.")


def explain(error: BaseException) -> str:
    """The one message the page shows for an error: a UserError's own, else an error id."""
    return str(error) if isinstance(error, UserError) else str(unexpected(error))


# ---------------------------------------------------------------------------------- scenarios
def builtin_scenarios() -> dict[str, Scenario]:
    """The built-in library, name -> resolved scenario (experiments/library/*.toml)."""
    return {name: load_scenario(name) for name in library_names()}


def unique_name(base: str, taken: set[str]) -> str:
    """'market_ecosystem' -> 'market_ecosystem_copy', then '_copy2', ... (names key the runs)."""
    name, n = f"{base}_copy", 2
    while name in taken:
        name, n = f"{base}_copy{n}", n + 1
    return name


def duplicate(scenario: Scenario, taken: set[str]) -> Scenario:
    """An editable copy under a new name; its description says where it came from."""
    return scenario.model_copy(update={"name": unique_name(scenario.name, taken),
                                       "description": f"Copy of {scenario.name}. {scenario.description}"})


def set_lever(scenario: Scenario, name: str, value: Any) -> Scenario:
    """The scenario with one lever changed, validated like a scenario file (ScenarioError)."""
    return scenario.with_settings(**{name: value})


class UploadError(UserError):
    """An uploaded file the app refuses; the message says why and what is allowed."""


def parse_upload(filename: str, data: bytes | None, size: int | None = None,
                 bases: Mapping[str, Scenario] | None = None) -> Scenario:
    """A scenario from an uploaded or pasted file: at most 1 MB of UTF-8 TOML, validated exactly
    as the CLI validates a file (messages name the file, line and key), with a horizon within
    the limits. Its `base` may only name one of `bases` (built-ins and this session's own
    scenarios): a file from the browser is data, never a path into the server. Raises UserError.
    `data` is None when the browser did not send a file over the limit; `size` is its size."""
    filename = Path(str(filename)).name[:200] or "upload.toml"
    size = len(data) if data is not None else size or 0
    if data is None or size > MAX_UPLOAD_BYTES:
        raise UploadError(f"{filename}: {size:,} bytes is over the 1 MB limit for a scenario file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UploadError(f"{filename}: not a UTF-8 text file (byte {error.start}); "
                          "save the scenario as UTF-8 TOML") from None
    # checked in a child process with a time budget (viz/budget.py): the page may be abandoned
    return budget.run(_parse_text, (text, filename, dict(bases or builtin_scenarios())), PARSE_SECONDS, filename)


def _parse_text(text: str, filename: str, bases: dict[str, Scenario]) -> Scenario:
    """What parse_upload checks in its child process: the scenario exactly as the CLI reads a
    file (deep nesting refused by parse_scenario), with a horizon within the limits."""
    scenario = parse_scenario(text, source=filename, bases=bases)
    limits.check_horizon(scenario.horizon, scenario.data_set, field=f"{filename}: horizon")
    return scenario


# ---------------------------------------------------------------------------------- runs
class ProgressExecutor(Lifetime):
    """Wraps an executor to report each finished run, so the page can show progress.

    The runner only sees the executor protocol (experiments.executors.Executor), so progress
    needs no change in experiments/. Closing it closes the executor it wraps.
    """

    def __init__(self, inner: Executor, on_done: Callable[[int], None]):
        self.inner, self.on_done = inner, on_done
        self.name, self.workers = inner.name, inner.workers
        self.cancelled = threading.Event()

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        done = 0
        for item in self.inner.imap_unordered(fn, tasks):
            done += 1
            self.on_done(done)
            yield item
            if self.cancelled.is_set():
                self.inner.cancel()
                return

    def cancel(self) -> None:
        self.cancelled.set()
        self.inner.cancel()

    def close(self) -> None:
        self.inner.close()


@dataclass
class Comparison:
    """A finished comparison: the runner's Results and the names in the order they were asked."""

    results: Results
    order: list[str]
    replicates: int
    scale: float
    uncertainty: str = "chance"

    @property
    def band_meaning(self) -> str:
        """One line: what the 90% band means for these runs (experiments.summary.BAND_MEANING)."""
        return stats.BAND_MEANING[self.uncertainty]

    @property
    def failures(self) -> pd.DataFrame:
        return self.results.failures

    @property
    def region(self) -> str:
        """The runs' region: a province id or office.OFFICE (the runner's manifest)."""
        return self.results.region

    @property
    def target(self) -> tuple[float, str]:
        """(coverage, month) of the region's own target (its region.toml; the office's weighted)."""
        return self.results.target


def with_baseline(scenarios: list[Scenario], builtins: dict[str, Scenario]) -> list[Scenario]:
    """The chosen scenarios plus the baseline (as the reference for cost per additional
    participant) when it is not among them."""
    if any(s.name == BASELINE for s in scenarios):
        return scenarios
    return [builtins[BASELINE], *scenarios]


def region_choices() -> list[str]:
    """The regions a comparison may run in: each province of model/data/regions/ and the office."""
    return office.region_choices()


def check_region(region: Any) -> str:
    """The region of a comparison, checked on the server: a province id or the office, nothing
    else (a value from the page is data, never a path or markup). LimitError naming the allowed."""
    if not isinstance(region, str) or region not in region_choices():
        raise limits.LimitError(f"region: {str(region)[:40]!r} is not offered; allowed: {', '.join(region_choices())}")
    return region


def in_region(scenarios: list[Scenario], region: Any) -> list[Scenario]:
    """Every scenario run in `region` (checked), as `cakupan run --region` does."""
    region = check_region(region)
    return [s.override(region=region) for s in scenarios]


def _horizon_months(s: Scenario) -> int:
    """The scenario's horizon checked in its region (for the office, in each province)."""
    months = []
    for region in office.provinces() if s.region == office.OFFICE else [s.region]:
        data_set = s.data_set if s.data_set in data.data_set_names(region) else data.load(region).default_data_set
        months.append(limits.check_horizon(s.horizon, data_set, field=f"{s.name}: horizon", region=region))
    return max(months)


def check_request(chosen: int, replicates: Any, scale: Any, scenarios: list[Scenario],
                  uncertainty: Any = "chance", region: Any = data.DEFAULT_REGION) -> limits.Estimate:
    """Every limit of a comparison, checked on the server with the CLI's messages (the page's
    controls are only a convenience: a request can bypass them). `chosen` counts the planner's
    choices; `scenarios` may add the baseline."""
    check_region(region)
    limits.check_count(chosen, MIN_SCENARIOS, MAX_SCENARIOS, "scenarios")
    limits.check_replicates(replicates, MAX_REPLICATES)
    limits.check_scale(scale)
    if scale not in SCALES:
        raise limits.LimitError(f"scale: {scale!r} is not offered; allowed: {', '.join(map(str, SCALES))}")
    if uncertainty not in UNCERTAINTY:
        raise limits.LimitError(f"uncertainty: {uncertainty!r} is not offered; allowed: {', '.join(UNCERTAINTY)}")
    months = [_horizon_months(s) for s in scenarios]
    return limits.estimate(total_runs(len(scenarios), replicates, uncertainty), scale,
                           max(months, default=1), POOL.workers)


def compare(scenarios: list[Scenario], replicates: int, scale: float, seed: int = 1,
            executor: Executor | None = None, on_done: Callable[[int], None] | None = None,
            uncertainty: str = "chance", region: str | None = None) -> Comparison:
    """Run every scenario `replicates` times with paired seeds, as `cakupan run` does; with a
    `region`, every scenario runs there (as `cakupan run --region`).

    Runs go to the app's shared pool (POOL.executor) unless an executor is given.
    Failed runs are kept in results.failures; the others still give results.
    """
    if not MIN_SCENARIOS <= len(scenarios) <= MAX_SCENARIOS + 1:
        raise UserError(f"choose {MIN_SCENARIOS} to {MAX_SCENARIOS} scenarios to compare; got {len(scenarios)}")
    if region is not None:
        scenarios = in_region(scenarios, region)
    executor = ProgressExecutor(executor or POOL.executor("python"), on_done or (lambda done: None))
    results = run(scenarios, replicates=replicates, seed=seed, scale=scale, executor=executor,
                  progress=False, uncertainty=uncertainty)
    return Comparison(results, [s.name for s in scenarios], replicates, scale, uncertainty)


def total_runs(n_scenarios: int, replicates: int, uncertainty: str = "chance") -> int:
    """Runs of a comparison; "both" adds the chance companions that split the intervals."""
    return n_scenarios * replicates * (2 if uncertainty == "both" else 1)


def drivers(comparison: Comparison, top: int = 5) -> pd.DataFrame:
    """The uncertain parameters that move each scenario's effect most (experiments.summary.drivers)."""
    return comparison.results.drivers(comparison.target[1], BASELINE, top)


# ---------------------------------------------------------------------------------- tables
def coverage_bands(comparison: Comparison, output: str = "coverage") -> pd.DataFrame:
    """Mean and 90% band of one output per scenario and month (experiments.summary.bands),
    scenarios in the order they were chosen."""
    band = comparison.results.bands([output]).drop(columns="output")
    return order_rows(band, comparison.order)


def order_rows(table: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Rows sorted by scenario in the planner's order (stable within a scenario)."""
    rank = {name: i for i, name in enumerate(order)}
    return table.sort_values("scenario", key=lambda s: s.map(rank), kind="stable").reset_index(drop=True)


def summary(comparison: Comparison) -> pd.DataFrame:
    """experiments' scenario summary (coverage at the target month, P(target), month reached,
    spend, cost per additional active participant vs the baseline), in the planner's order;
    the target and its month are the region's (for the office, the office's rows)."""
    return order_rows(comparison.results.summary(), comparison.order)


def province_summaries(comparison: Comparison) -> dict[str, tuple[tuple[float, str], pd.DataFrame]]:
    """Of a Kanwil comparison, each province's target and summary (as `cakupan run --region
    kanwil` prints them under the office's); empty for one province's comparison."""
    results = comparison.results
    return {r: (results.province(r).target, order_rows(results.province(r).summary(), comparison.order))
            for r in results.provinces()}


def region_places(region: str) -> tuple[pd.DataFrame, tuple]:
    """The regencies (name, BPS code) and boundary outlines of a region's map: for the office, the
    three provinces' together (38 regencies on one map)."""
    from experiments.boundaries import outlines

    regions = office.provinces() if region == office.OFFICE else [region]
    places = pd.concat([data.regencies(r)[["regency", "bps_code"]] for r in regions], ignore_index=True)
    return places, tuple(o for r in regions for o in outlines(r))


def results_csv(comparison: Comparison) -> bytes:
    """Every run's monthly outputs (the tidy results table) as CSV."""
    return comparison.results.table.to_csv(index=False).encode("utf-8")


def summary_csv(comparison: Comparison) -> bytes:
    return summary(comparison).to_csv(index=False).encode("utf-8")


# ---------------------------------------------------------------------------------- sweeps
def sweep_factors(results: Results) -> list[str]:
    """The swept inputs, in the order of the sweep file (folders are opened by viz/sweeper.py)."""
    return list(results.manifest.get("design", {}).get("factors", {}))
