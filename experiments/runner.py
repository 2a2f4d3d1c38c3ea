"""Replicated runs of scenarios: plan, execute anywhere, store, and collect tidy tables.

    from experiments import run
    results = run(["baseline", "regional_plan"], replicates=10, scale=0.02)
    results.summary()        # coverage at 2025-12, P(50%), cost per additional participant...

Replicate r of every scenario runs with the same seed (common random numbers), derived from the
root seed with numpy's SeedSequence, so comparisons are paired. With parameter uncertainty
(`uncertainty="both"`, the default of `run` for comparisons) replicate r also uses draw r of the
parameter ensemble (experiments/ensemble.py) - still paired - and companion runs at the calibrated
values measure the chance part of each interval (experiments/summary.py splits it). Each run is keyed by a stable
hash of (scenario name, model keyword arguments including the seed): the key names its files in
the results folder, which is how an interrupted experiment resumes.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from experiments import limits, office, summary as stats
from experiments.draws import draw_values
from experiments.errors import UserError
from experiments.executors import Executor, SerialExecutor, Stopped, using
from experiments.scenario import Scenario, load_scenario
from experiments.store import OUTPUTS, REGENCY, Store, StoreError, code_version, now
from model import EnrollmentModel, data
from model.parameters import PARAMETERS

ID_COLUMNS = ("scenario", "point", "replicate", "seed", "run_key")


class ExperimentError(UserError, ValueError):
    """An experiment that cannot be planned as asked (e.g. two scenarios with one name)."""


# ---------------------------------------------------------------- one run
@dataclass(frozen=True)
class RunSpec:
    """Everything one model run needs; picklable, so any executor can ship it."""

    scenario: str
    replicate: int
    seed: int
    kwargs: dict[str, Any]
    point: int = 0
    factors: dict[str, float] = field(default_factory=dict)
    # Parameter draw of this run (experiments/draws.py; None: the calibrated values) and the
    # uncertainty it carries: "chance", "parameters" or "both".
    draw: int | None = None
    uncertainty: str = "chance"
    block: str | None = None      # the province of a Kanwil run's block (its rows' `region`)

    @property
    def key(self) -> str:
        return run_key(self.scenario, self.kwargs, self.factors)


def run_key(scenario: str, kwargs: dict[str, Any], factors: dict[str, Any] | None = None) -> str:
    """Stable across processes and machines: a hash of canonical JSON. The design point's
    factor values are part of it, since a baseline that ignores a lever factor runs the same
    model at several points and each point keeps its own copy."""
    text = json.dumps({"scenario": scenario, "kwargs": kwargs, "factors": factors or {}},
                      sort_keys=True, default=_json_value)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _json_value(value: Any) -> Any:
    """numpy scalars and tuples as plain JSON values, so equal settings hash equally."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, set)):
        return list(value)
    return str(value)


@dataclass
class RunResult:
    key: str
    outputs: pd.DataFrame | None
    regency: pd.DataFrame | None
    seconds: float
    host: str
    pid: int
    error: str | None = None
    traceback: str | None = None


def simulate(spec: RunSpec) -> RunResult:
    """Run one model; a model error is returned with the result, never raised (the task
    function of every executor, so it lives here, importable by name)."""
    start = time.perf_counter()
    host, pid = socket.gethostname(), os.getpid()
    try:
        model = EnrollmentModel(**spec.kwargs).run()
        outputs, regency = _label(spec, model.results()), _label(spec, model.regency_table(), factors=False)
    except Exception as error:  # noqa: BLE001 - recorded with the run, the sweep goes on
        return RunResult(spec.key, None, None, time.perf_counter() - start, host, pid,
                         error=f"{type(error).__name__}: {error}", traceback=traceback.format_exc())
    return RunResult(spec.key, outputs, regency, time.perf_counter() - start, host, pid)


def _label(spec: RunSpec, frame: pd.DataFrame, factors: bool = True) -> pd.DataFrame:
    ids = {"scenario": spec.scenario, "point": spec.point, "replicate": spec.replicate,
           "seed": spec.seed, "run_key": spec.key, **(spec.factors if factors else {}),
           **({office.REGION_COLUMN: spec.block} if spec.block else {})}
    labels = pd.DataFrame({k: [v] * len(frame) for k, v in ids.items()}, index=frame.index)
    return pd.concat([labels, frame], axis=1).reset_index(drop=True)


# ---------------------------------------------------------------- planning
def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """Seed of replicate r: the r-th child of SeedSequence(seed), whatever the count, so adding
    replicates keeps the earlier ones (and their stored results)."""
    return [int(np.random.SeedSequence(seed, spawn_key=(r,)).generate_state(1)[0])
            for r in range(replicates)]


def as_scenarios(items: Scenario | str | Path | Iterable[Scenario | str | Path]) -> list[Scenario]:
    """Scenario objects from objects, built-in names or file paths; names must be unique."""
    listed: list[Scenario | str | Path]
    if isinstance(items, (Scenario, str, Path)):
        listed = [items]
    else:
        listed = list(items)
    scenarios = [s if isinstance(s, Scenario) else load_scenario(s) for s in listed]
    names = [s.name for s in scenarios]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ExperimentError(f"scenario names must be unique in one experiment; repeated: {', '.join(duplicates)}")
    return scenarios


UNCERTAINTY = ("chance", "parameters", "both")


def plan(scenarios: Sequence[Scenario], replicates: int, seed: int,
         points: Sequence[tuple[dict, dict]] = (({}, {}),),
         overrides: dict[str, Any] | None = None, baseline: str | None = None,
         uncertainty: str = "chance") -> list[RunSpec]:
    """Run specs for every design point x scenario x replicate (the same seeds everywhere).
    A point is (labels, settings): the factor values to report and the settings they become.
    The `baseline` scenario keeps its own levers at every point (only uncertain parameters and
    other non-lever settings apply to it), so it stays the reference policy.

    uncertainty: "chance" - replicate r uses seed r at the calibrated values; "parameters" - one
    seed, parameter draw r; "both" - seed r and draw r. A value the scenario or the design point
    sets explicitly is never replaced by a draw."""
    if replicates < 1:
        raise ExperimentError(f"replicates must be at least 1; got {replicates}")
    if uncertainty not in UNCERTAINTY:
        raise ExperimentError(f"uncertainty must be one of {', '.join(UNCERTAINTY)}; got {uncertainty!r}")
    seeds = replicate_seeds(seed, replicates)
    if uncertainty == "parameters":
        seeds = seeds[:1] * replicates
    scenarios = [s.override(**(overrides or {})) for s in scenarios]
    specs = []
    blocks = [(scenario, block) for scenario in scenarios for block in scenario.blocks()]
    for point, (labels, settings) in enumerate(points):
        for scenario, block in blocks:
            applied = settings if scenario.name != baseline else \
                {k: v for k, v in settings.items() if not PARAMETERS[k].is_lever}
            kwargs = block.with_settings(**applied).model_kwargs()
            explicit = set(office.localize(block.settings, block.region)) | set(applied)
            label = block.region if scenario.region == office.OFFICE else None
            for r, s in enumerate(seeds):
                draw = None if uncertainty == "chance" else r
                drawn = {} if draw is None else \
                    {k: v for k, v in draw_values(draw, _ensemble_of(block.region)).items() if k not in explicit}
                specs.append(RunSpec(scenario.name, r, s, {**kwargs, **drawn, "seed": s}, point,
                                     dict(labels), draw, uncertainty, label))
    return specs


def with_companions(specs: list[RunSpec], scenarios: Sequence[Scenario], replicates: int, seed: int,
                    overrides: dict[str, Any] | None, uncertainty: str, **kwargs) -> list[RunSpec]:
    """With uncertainty "both", the same plan at the calibrated values ("chance" runs): their
    spread is the chance part of each interval, the rest is the parameters' (summary.split)."""
    if uncertainty != "both":
        return specs
    return specs + plan(scenarios, replicates, seed, overrides=overrides, uncertainty="chance", **kwargs)


# ---------------------------------------------------------------- execution
class Interrupted(RuntimeError):
    """Ctrl-C during an experiment; what finished is saved."""

    def __init__(self, done: int, remaining: int, folder: Path | None):
        self.done, self.remaining, self.folder = done, remaining, folder
        where = f" in {folder}; rerun the same command to resume" if folder else ""
        super().__init__(f"interrupted: {done} runs saved, {remaining} not run{where}")


@dataclass
class Session:
    """Timings of one invocation: where runs went and what the executor cost."""

    executor: str
    workers: int
    started: str = field(default_factory=now)
    runs_planned: int = 0
    runs_skipped: int = 0
    runs_done: int = 0
    runs_failed: int = 0
    runs_repaired: int = 0
    run_seconds: float = 0.0
    wall_seconds: float = 0.0
    status: str = "running"

    def as_dict(self) -> dict[str, Any]:
        capacity = self.wall_seconds * self.workers
        return {**self.__dict__, "finished": now(),
                "overhead_seconds": round(max(0.0, self.wall_seconds - self.run_seconds / self.workers), 3),
                "efficiency": round(self.run_seconds / capacity, 3) if capacity else None,
                "runs_per_minute": round(60 * (self.runs_done + self.runs_failed) / self.wall_seconds, 1)
                if self.wall_seconds else None}


def execute(specs: list[RunSpec], executor: Executor | None = None, store: Store | None = None,
            progress: bool | None = None, on_session: Callable[[Session], None] | None = None,
            label: str = "runs") -> tuple[list[RunResult], Session]:
    """Run every spec not already in the store; failures are recorded and do not stop the rest.
    Returns the results run in memory (empty when a store keeps them) and the session. Without
    an executor, a local pool on all cores runs this call and ends with it."""
    with using(executor) as running:
        return _execute(specs, running, store, progress, on_session, label)


def _execute(specs: list[RunSpec], executor: Executor, store: Store | None, progress: bool | None,
             on_session: Callable[[Session], None] | None, label: str) -> tuple[list[RunResult], Session]:
    done = store.completed() if store else set()
    todo = [s for s in specs if s.key not in done]
    session = Session(executor.name, executor.workers, runs_planned=len(specs),
                      runs_skipped=len(specs) - len(todo))
    kept: list[RunResult] = []
    start = time.perf_counter()
    bar = tqdm(total=len(todo), desc=label, unit="run", disable=not _show_progress(progress),
               dynamic_ncols=True)
    try:
        for spec, result in executor.imap_unordered(simulate, todo) if todo else ():
            result = _as_result(spec, result)
            _record(spec, result, store, session, kept)
            bar.update(1)
            if session.runs_failed:
                bar.set_postfix(failed=session.runs_failed)
    except (KeyboardInterrupt, Stopped):
        executor.cancel()
        session.status = "interrupted"
        raise Interrupted(session.runs_done, len(todo) - session.runs_done - session.runs_failed,
                          store.folder if store else None) from None
    except BaseException:
        executor.cancel()       # e.g. a full disk: stop the workers, keep what is saved
        session.status = "crashed"
        raise
    finally:
        bar.close()
        session.wall_seconds = round(time.perf_counter() - start, 3)
        if session.status == "running":
            session.status = "complete"
        if on_session:
            on_session(session)
    return kept, session


def _show_progress(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


def _as_result(spec: RunSpec, result: Any) -> RunResult:
    """An exception from the executor (a lost worker) becomes a failed run of that spec."""
    if isinstance(result, RunResult):
        return result
    return RunResult(spec.key, None, None, 0.0, "?", 0, error=f"{type(result).__name__}: {result}",
                     traceback="".join(traceback.format_exception(result)))


def _record(spec: RunSpec, result: RunResult, store: Store | None, session: Session,
            kept: list[RunResult]) -> None:
    session.run_seconds += result.seconds
    if result.error:
        session.runs_failed += 1
    else:
        session.runs_done += 1
        if store:
            files = store.save_run(spec.key, result.outputs, result.regency)
        else:
            kept.append(result)
    if store:
        store.log({"key": spec.key, "scenario": spec.scenario, "point": spec.point,
                   "replicate": spec.replicate, "seed": spec.seed,
                   "status": "failed" if result.error else "ok", "seconds": round(result.seconds, 4),
                   "host": result.host, "pid": result.pid, "finished": now(),
                   "error": result.error, "traceback": result.traceback,
                   "files": None if result.error else files})
    elif result.error:
        kept.append(result)


# ---------------------------------------------------------------- results
@dataclass
class Results:
    """Tidy tables of an experiment and the statistics over them (experiments/summary.py)."""

    table: pd.DataFrame
    regency: pd.DataFrame
    failures: pd.DataFrame
    manifest: dict[str, Any]
    # Runs at the calibrated values beside "both" runs: the chance part of each interval.
    companion: pd.DataFrame = field(default_factory=pd.DataFrame)
    damaged: list[Path] = field(default_factory=list)   # files whose runs are left out
    # A Kanwil run: every province's rows (column `region`); `table` and `companion` then hold
    # the office's rows (office.office_table), and `province(id)` one province's results.
    by_region: pd.DataFrame = field(default_factory=pd.DataFrame)
    companion_by_region: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __post_init__(self) -> None:
        if self.region == office.OFFICE and self.by_region.empty and office.REGION_COLUMN in self.table:
            self.by_region, self.table = self.table, office.office_table(self.table)
            self.companion_by_region, self.companion = self.companion, office.office_table(self.companion)

    @property
    def uncertainty(self) -> str:
        return self.manifest.get("uncertainty", "chance")

    @property
    def region(self) -> str:
        """The runs' region (manifest `region`): a province id or office.OFFICE."""
        return office.region_of(self.manifest)

    @property
    def target(self) -> tuple[float, str]:
        """(coverage, month) of the region's target (office.target)."""
        return office.target(self.region)

    def provinces(self) -> list[str]:
        """The provinces of a Kanwil run (empty for one province's)."""
        return sorted(self.by_region[office.REGION_COLUMN].unique()) if not self.by_region.empty else []

    def province(self, region: str) -> "Results":
        """One province's results of a Kanwil run (its rows, draws and target)."""
        if region not in self.provinces():
            raise ExperimentError(f"no province {region!r} in these results; they hold: "
                                  f"{', '.join(self.provinces()) or 'one province only'}")
        def rows(frame: pd.DataFrame) -> pd.DataFrame:
            if frame.empty or office.REGION_COLUMN not in frame:
                return frame
            return frame[frame[office.REGION_COLUMN] == region].drop(columns=office.REGION_COLUMN) \
                .reset_index(drop=True)
        manifest = {**self.manifest, "region": region,
                    "draws": (self.manifest.get("draws_by_region") or {}).get(region, [])}
        return Results(rows(self.by_region), rows(self.regency), self.failures, manifest,
                       rows(self.companion_by_region), self.damaged)

    def repair_hint(self) -> str:
        """The damaged files and the command that recomputes their runs (for `report`)."""
        if not self.damaged:
            return ""
        names = ", ".join(str(p) for p in self.damaged[:5]) + (" ..." if len(self.damaged) > 5 else "")
        argv = [str(a) for a in self.manifest.get("command") or []]
        if argv and Path(argv[0]).name in ("cakupan", "cli.py", "__main__.py"):
            argv[0] = "cakupan"
        command = " ".join(argv) or "the command that wrote it"
        runs = len({p.stem for p in self.damaged})
        return (f"{len(self.damaged)} damaged files ({names}): their {runs} runs are left out;"
                f" to recompute them rerun: {command}")

    def completeness(self) -> dict[str, int]:
        """Runs (and, in a sweep, design points) the manifest plans and how many are done:
        {"runs", "runs_done", "points", "points_done"}; a point is done when all its runs are."""
        main, _ = _main_and_companion_keys(self.manifest)
        runs_table = self.by_region if not self.by_region.empty else self.table
        done = set(runs_table["run_key"]) if "run_key" in runs_table else set()
        runs = [r for r in self.manifest.get("runs", []) if isinstance(r, dict) and r.get("key") in set(main)]
        by_point: dict[Any, bool] = {}
        for r in runs:
            by_point[r.get("point")] = by_point.get(r.get("point"), True) and r["key"] in done
        return {"runs": len(runs), "runs_done": sum(r["key"] in done for r in runs),
                "points": len(by_point), "points_done": sum(by_point.values())}

    def check_baseline(self, baseline: str | None) -> None:
        """StoreError naming the damaged files and the repairing command when runs of the
        reference scenario are left out: every comparison pairs replicate r with the baseline's."""
        if baseline is None or not self.damaged or set(self.table.get("scenario", ())) <= {baseline}:
            return      # nothing is compared with the baseline
        scenario_of = {r.get("key"): r.get("scenario") for r in self.manifest.get("runs", []) if isinstance(r, dict)}
        hit = sorted(str(p) for p in self.damaged if scenario_of.get(p.stem) == baseline)
        if hit:
            raise StoreError(f"the baseline {baseline!r} has damaged run files ({', '.join(hit[:5])}"
                             f"{' ...' if len(hit) > 5 else ''}), and every comparison is paired with it; "
                             + self.repair_hint())

    @property
    def by(self) -> tuple[str, ...]:
        """Grouping of runs: per scenario, and per design point in a sweep (or a pilot design)."""
        return ("scenario", "point") if self.manifest.get("design") else ("scenario",)

    def bands(self, outputs: list[str] | None = None) -> pd.DataFrame:
        """Mean and 90% interval over replicates per scenario, month and output."""
        return stats.bands(self.table, outputs, by=self.by)

    def per_replicate(self, target_month: str | None = None, target: float | None = None,
                      baseline: str | None = stats.BASELINE):
        target, target_month = target or self.target[0], target_month or self.target[1]
        self.check_baseline(baseline)
        return stats.per_replicate(self.table, target_month, target, self.by, baseline)

    def summary(self, target_month: str | None = None, target: float | None = None,
                baseline: str | None = stats.BASELINE) -> pd.DataFrame:
        """Per scenario: coverage at the target month, P(target), month reached, spend and
        cost per additional active participant versus the baseline (paired by replicate).
        The target and its month default to the region's (`target`)."""
        if self.table.empty:
            return pd.DataFrame()
        target, target_month = target or self.target[0], target_month or self.target[1]
        self.check_baseline(baseline)
        table = stats.scenario_summary(self.table, target_month, target, self.by, baseline)
        table = stats.split(table, self.table, self.companion, self.uncertainty, target_month, self.by, baseline)
        factors = self.manifest.get("design", {}).get("factors")
        if factors and "point" in table:
            points = pd.DataFrame(self.manifest["design"]["points"]).rename_axis("point").reset_index()
            table = table.merge(points, on="point", how="left")
        return table

    def drivers(self, target_month: str | None = None, baseline: str | None = stats.BASELINE,
                top: int | None = None) -> pd.DataFrame:
        """Uncertain parameters ranked by how much they move each scenario's paired effect
        (summary.drivers); empty unless the runs carried parameter uncertainty."""
        draws = pd.DataFrame(self.manifest.get("draws") or [])
        if self.uncertainty == "chance" or draws.empty or self.table.empty:
            return stats.drivers(self.table.iloc[0:0], None)
        self.check_baseline(baseline)
        return stats.drivers(self.table, draws, target_month or self.target[1], baseline, self.by, top)

    @classmethod
    def load(cls, folder: str | Path) -> "Results":
        """The results of the latest experiment written to a folder."""
        store = Store(folder)
        manifest = store.read_manifest()
        if manifest is None:
            raise StoreError(f"{folder} holds no results (no manifest.json); run `cakupan run` or "
                             "`cakupan sweep` with --out first")
        keys, companion = _main_and_companion_keys(manifest)
        check = store.verify(set(keys + companion))
        failures = _failures(store.records(), set(keys + companion) - check.good)
        good, good_companion = check.good.intersection(keys), check.good.intersection(companion)
        return cls(_sorted(store.read_runs(OUTPUTS, good)), _sorted(store.read_runs(REGENCY, good)),
                   failures, manifest,
                   _sorted(store.read_runs(OUTPUTS, good_companion)) if companion else pd.DataFrame(),
                   check.damaged)


def _main_and_companion_keys(manifest: dict) -> tuple[list[str], list[str]]:
    """Run keys of the experiment's own runs and of its chance companions (uncertainty "both")."""
    main_kind = manifest.get("uncertainty", "chance")
    runs = [r for r in manifest["runs"] if isinstance(r, dict) and "key" in r]
    main = [r["key"] for r in runs if r.get("uncertainty", "chance") == main_kind]
    companion = [r["key"] for r in runs if r.get("uncertainty", "chance") != main_kind]
    return main, companion


def _failures(records: dict[str, dict], missing: set[str]) -> pd.DataFrame:
    rows = [r for k, r in records.items() if k in missing and r.get("status") == "failed"]
    columns = ["key", "scenario", "point", "replicate", "seed", "error", "traceback"]
    return pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    keys = [c for c in ("scenario", "point", "replicate", "month", "regency") if c in frame]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def collect(results: list[RunResult], manifest: dict) -> Results:
    """Results of runs kept in memory (no results folder)."""
    main, companion = (set(k) for k in _main_and_companion_keys(manifest))
    ok = [r for r in results if not r.error and r.key in main]
    extra = [r.outputs for r in results if not r.error and r.key in companion and r.key not in main]
    table = pd.concat([r.outputs for r in ok], ignore_index=True) if ok else pd.DataFrame()
    regency = pd.concat([r.regency for r in ok], ignore_index=True) if ok else pd.DataFrame()
    by_key = {r["key"]: r for r in manifest["runs"]}
    failures = _failures({r.key: {**by_key[r.key], "status": "failed", "error": r.error,
                                  "traceback": r.traceback} for r in results if r.error},
                         {r.key for r in results if r.error})
    companions = _sorted(pd.concat(extra, ignore_index=True)) if extra else pd.DataFrame()
    return Results(_sorted(table), _sorted(regency), failures, manifest, companions)


# ---------------------------------------------------------------- the experiment
def check_plan(specs: list[RunSpec], workers: int = 1, yes: bool = False) -> limits.Estimate:
    """Everything about a plan that can fail, checked before the first run (experiments/limits.py):
    each scale and horizon, and the size (above limits.CONFIRM_RUNS only with `yes`)."""
    for scale, data_set, region in {(s.kwargs["scale"], s.kwargs["data_set"],
                                     s.kwargs.get("region", data.DEFAULT_REGION)) for s in specs}:
        limits.check_scale(scale, data_set, region=region)
    n_months = max([limits.check_horizon(h, d, region=g) for h, d, g in
                    {(s.kwargs["horizon"], s.kwargs["data_set"], s.kwargs.get("region", data.DEFAULT_REGION))
                     for s in specs}], default=1)
    scale = max([float(s.kwargs["scale"]) for s in specs], default=0.0)
    return limits.check_runs(len(specs), scale, n_months, workers, yes)


def experiment(kind: str, name: str, scenarios: list[Scenario], specs: list[RunSpec],
               out: str | Path | None, executor: Executor | None, progress: bool | None,
               details: dict[str, Any], yes: bool = False) -> Results:
    """Execute a plan into a results folder (resumable) or in memory, with its manifest.
    Every check (limits, the folder's owner and settings) happens before the first run."""
    check_plan(specs, executor.workers if executor else os.cpu_count() or 1, yes)
    manifest = {"kind": kind, "name": name, "code_version": code_version(), "created": now(),
                "command": sys.argv, **details,
                "settings": {**run_settings(specs, details.get("replicates", 0), details.get("seed", 0)),
                             "uncertainty": details.get("uncertainty", "chance")},
                "scenarios": {s.name: s.to_toml() for s in scenarios},
                "runs": [{"key": s.key, "scenario": s.scenario, "point": s.point,
                          "replicate": s.replicate, "seed": s.seed, "draw": s.draw,
                          "uncertainty": s.uncertainty} for s in specs],
                "sessions": []}
    if out is None:
        kept, _ = execute(specs, executor, None, progress, lambda session: manifest["sessions"].append(
            session.as_dict()), label=name)
        return collect(kept, manifest)
    store = Store(out)
    with store.writing():
        previous = store.read_manifest(strict=False)
        _check_same_experiment(store, previous, manifest)
        repaired = len(store.discard_damaged({s.key for s in specs}))
        manifest["sessions"] = (previous or {}).get("sessions", [])
        store.write_manifest(manifest)

        def finish(session: Session) -> None:
            session.runs_repaired = repaired
            manifest["sessions"].append(session.as_dict())
            manifest["updated"] = now()
            keys = {s.key for s in specs}
            manifest["files"] = {path: record for path, record in store.file_records().items()
                                 if Path(path).stem in keys}
            manifest["errors"] = _failures(store.records(), keys - store.completed()) \
                .drop(columns="traceback").to_dict("records")
            store.write_manifest(manifest)

        execute(specs, executor, store, progress, finish, label=name)
    return Results.load(store.folder)


def run_settings(specs: list[RunSpec], replicates: int, seed: int) -> dict[str, Any]:
    """What makes the runs of a folder comparable: scale, horizon, data set, replicates, seed
    and the model's version (stored in the manifest, compared on resume)."""
    values = {field: sorted({str(s.kwargs.get(field)) for s in specs}) for field in ("scale", "horizon", "data_set")}
    return {**{k: v[0] if len(v) == 1 else v for k, v in values.items()},
            "replicates": replicates, "seed": seed, "model_version": code_version()}


def _check_same_experiment(store: Store, previous: dict | None, manifest: dict) -> None:
    """A folder holds one experiment: refuse another one, other settings, or a plan that would
    drop saved runs (more replicates or samples of the same experiment extend it)."""
    if previous is None:
        return
    out = store.folder
    if (previous.get("kind"), previous.get("name")) != (manifest["kind"], manifest["name"]):
        raise StoreError(f"{out} holds the results of {previous.get('kind')} {previous.get('name')!r};"
                         f" choose another folder for {manifest['kind']} {manifest['name']!r}")
    old, new = previous.get("settings") or {}, manifest.get("settings") or {}
    changed = [f"{k}: {old[k]} there, {new.get(k)} now" for k in old if k in new and old[k] != new[k]
               and not (k == "replicates" and new[k] > old[k])]
    old_keys = {r.get("key") for r in previous.get("runs", []) if isinstance(r, dict)}
    if not changed and not old_keys <= {r["key"] for r in manifest["runs"]}:
        changed = ["the runs it holds are not all part of this command's plan"]
    if changed:
        raise StoreError(f"{out} holds {manifest['kind']} {manifest['name']!r} written with other"
                         f" settings ({'; '.join(changed)}); results are never mixed: choose another"
                         " --out folder, or rerun with the folder's settings")


def run(scenarios: Scenario | str | Path | Iterable, replicates: int = 10, seed: int | None = None,
        scale: float | None = None, horizon: str | None = None, executor: Executor | None = None,
        progress: bool | None = None, out: str | Path | None = None,
        uncertainty: str = "chance", yes: bool = False, decision_month: str | None = None) -> Results:
    """Run `replicates` replicates of each scenario with paired seeds.

    Args:
        scenarios: Scenario objects, built-in names or TOML paths (one or a list).
        seed, scale: shared by all scenarios so replicates are paired (default: the first
            scenario's).
        horizon: last month for every scenario (default: each scenario's own).
        executor: LocalExecutor() (default: all cores), DaskExecutor(address) or SerialExecutor().
        progress: progress bar (default: when stderr is a terminal).
        out: results folder; makes the run resumable and keeps its tables on disk.
        uncertainty: "chance" (seeds only: checking a model change), "parameters" (ensemble
            draws, one seed) or "both" (seed r and draw r, plus chance companions to split the
            intervals; the CLI's default for comparisons).
        yes: confirm a request above limits.CONFIRM_RUNS runs.
        decision_month: for every scenario, a month, "default" or "none" (default: each scenario's
            own; the built-ins': "default", the history to 2027-01).
    """
    limits.check_replicates(replicates)
    scenarios = as_scenarios(scenarios)
    seed = scenarios[0].seed if seed is None else seed
    scale = scenarios[0].scale if scale is None else scale
    overrides = {k: v for k, v in {"scale": scale, "horizon": horizon, "decision_month": decision_month}.items()
                 if v is not None}
    specs = plan(scenarios, replicates, seed, overrides=overrides, uncertainty=uncertainty)
    specs = with_companions(specs, scenarios, replicates, seed, overrides, uncertainty)
    name = "+".join(s.name for s in scenarios)
    details = {"replicates": replicates, "seed": seed, "seeds": replicate_seeds(seed, replicates),
               "overrides": overrides, "uncertainty": uncertainty, **_region_details(scenarios, specs)}
    return experiment("run", name, scenarios, specs, out, executor, progress, details, yes)


def _region_details(scenarios: Sequence[Scenario], specs: list[RunSpec]) -> dict[str, Any]:
    """The manifest's `region` (the scenarios' one region, province or office) and the draws the
    runs used (the ensemble file may change): `draws`, or for the office `draws_by_region`."""
    regions = sorted({s.region for s in scenarios})
    if len(regions) > 1:
        raise ExperimentError(f"the scenarios of one experiment run in one region; these name {', '.join(regions)}:"
                              " set --region, or the same region in each file")
    region = regions[0] if regions else data.DEFAULT_REGION
    if region != office.OFFICE:
        return {"region": region, "draws": _draws_used(specs)}
    by_region = {r: _draws_used([s for s in specs if s.block == r]) for r in office.provinces()}
    return {"region": region, "draws": [], "draws_by_region": by_region}


def _draws_used(specs: list[RunSpec]) -> list[dict[str, Any]]:
    """The parameter draws the runs used, kept in the manifest (the ensemble file may change)."""
    used = sorted({s.draw for s in specs if s.draw is not None})
    region = specs[0].kwargs.get("region", data.DEFAULT_REGION) if specs else data.DEFAULT_REGION
    return [{"draw": d, **draw_values(d, _ensemble_of(region))} for d in used]


def _ensemble_of(region: str) -> Path:
    """The region's ensemble (model/data/regions/<id>/ensemble.csv): its draws, never another's."""
    return data.load(region).ensemble_file


__all__ = ["RunSpec", "RunResult", "Results", "Interrupted", "run", "simulate", "plan",
           "replicate_seeds", "execute", "SerialExecutor"]
