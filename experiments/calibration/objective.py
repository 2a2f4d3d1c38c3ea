"""The calibration objective: loss of parameter values over fixed replicate seeds.

With common random numbers (model/streams.py) the same values give the same loss, so a
deterministic optimiser applies. Each batch of parameter sets is one plan of runs (every arm x
point x replicate) on the executor the objective was given, so a fit's hundred batches share one
pool; with a results folder every run is kept by its key and an interrupted fit resumes.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.calibration.targets import REGENCY_OUTPUTS, CalibrationError, Spec, regency_key
from experiments.executors import Executor
from experiments.runner import RunSpec, execute, plan
from experiments.scenario import load_scenario
from experiments.store import OUTPUTS, REGENCY, Store


@dataclass
class Evaluation:
    """The targets' simulated values and misses at one set of parameter values."""

    values: dict[str, float]
    simulated: dict[str, float]
    misses: dict[str, float]
    loss: float                  # data_loss + the prior's penalty: what the optimiser minimises
    data_loss: float             # sum of squared misses of the fitted targets
    means: dict[str, pd.DataFrame] = field(repr=False, default_factory=dict)
    baseline_runs: pd.DataFrame | None = field(repr=False, default=None)


class Objective:
    """Loss of parameter values over fixed replicate seeds: deterministic (common random numbers).

    `evaluate` runs a batch of parameter sets as one plan on the executor; calling the objective
    with a point of the unit cube (what scipy sees) evaluates one set, remembering earlier ones."""

    def __init__(self, spec: Spec, executor: Executor | None = None, progress: bool | None = False,
                 folder: str | Path | None = None):
        self.spec, self.executor, self.progress = spec, executor, progress
        # A results folder keeps every run by its key: an interrupted fit, rerun, skips them (the
        # optimiser is deterministic, so it asks for the same parameter sets again).
        self.folder = folder
        self.store = Store(folder) if folder is not None else None
        self.history: list[Evaluation] = []
        self._cache: dict[tuple, Evaluation] = {}

    def evaluate(self, points: list[dict[str, float]], keep_runs: bool = False) -> list[Evaluation]:
        todo = [p for p in points if _key(p) not in self._cache]
        if todo:
            for values, evaluation in zip(todo, self._run(todo, keep_runs), strict=True):
                self._cache[_key(values)] = evaluation
                self.history.append(evaluation)
        return [self._cache[_key(p)] for p in points]

    def __call__(self, unit: np.ndarray) -> float:
        return self.evaluate([self.spec.to_values(np.asarray(unit))])[0].loss

    def forget(self, values: dict[str, float]) -> None:
        """Drop a remembered evaluation, so the next `evaluate` of these values runs again."""
        self._cache.pop(_key(values), None)

    def plan(self, points: list[dict[str, float]]) -> list[RunSpec]:
        """Run specs of every arm x point x replicate: design point i is parameter set i."""
        s = self.spec.settings
        specs = []
        for arm, settings in self.spec.arms.items():
            scenario = load_scenario("baseline").override(region=self.spec.region, scale=s.scale,
                                                          horizon=self.spec.horizons[arm])
            scenario = scenario.with_settings(**settings).model_copy(update={"name": arm})
            specs += plan([scenario], s.replicates, s.seed, [(p, p) for p in points])
        return specs

    def score_table(self, points: list[dict[str, float]], table: pd.DataFrame,
                    regency: pd.DataFrame | None = None) -> list[Evaluation]:
        """Evaluations of parameter sets from a table of their runs (column `point` = index) and,
        when a target reads a regency, of their regency tables (the same `point` column)."""
        return [self._score(values, table[table["point"] == i], False, _point(regency, i))
                for i, values in enumerate(points)]

    def _run(self, points: list[dict[str, float]], keep_runs: bool) -> list[Evaluation]:
        specs = self.plan(points)
        regency = None
        if self.store is not None:
            table, regency = self._run_stored(specs, self.store)
        else:
            results, _ = execute(specs, self.executor, None, self.progress, label="calibration")
            failed = [r for r in results if r.error]
            if failed:
                raise RuntimeError(f"a calibration run failed: {failed[0].error}\n{failed[0].traceback}")
            table = pd.concat([r.outputs for r in results], ignore_index=True)
            if self.spec.regency_arms:
                regency = pd.concat([r.regency for r in results], ignore_index=True)
        return [self._score(values, table[table["point"] == i], keep_runs, _point(regency, i))
                for i, values in enumerate(points)]

    def writing(self) -> AbstractContextManager:
        """Hold the results folder's lock (if there is a folder) for as long as the block runs:
        a second fit or build on the same folder is refused (StoreError naming the holder)."""
        return self.store.writing() if self.store is not None else nullcontext()

    def _run_stored(self, specs: list[RunSpec], store: Store) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Run what the folder does not hold intact yet (damaged runs are deleted and rerun);
        the table of every spec's outputs and (when a target reads one) their regency tables.
        The caller holds the lock (`writing`)."""
        keys = [s.key for s in specs]
        store.discard_damaged(set(keys))
        execute(specs, self.executor, store, self.progress, label="calibration")
        missing = set(keys) - store.completed()
        if missing:
            raise CalibrationError(f"{len(missing)} calibration runs failed (see {store.folder / 'runs.jsonl'});"
                                   " rerun the command to retry them")
        # A run key does not hold the design point, so a run stored by an earlier batch (as another
        # point) is this batch's spec's: label each spec's rows with its own point.
        return labelled(store, OUTPUTS, specs), (labelled(store, REGENCY, specs) if self.spec.regency_arms else None)

    def _score(self, values: dict[str, float], runs: pd.DataFrame, keep_runs: bool,
               regency: pd.DataFrame | None = None) -> Evaluation:
        numeric = runs.select_dtypes("number").columns.difference(["point", "replicate", "seed"])
        means = {arm: frame.groupby("month")[list(numeric)].mean()
                 for arm, frame in runs.groupby("scenario")}
        if regency is not None:
            means.update({regency_key(arm): frame.groupby(["month", "regency"])[REGENCY_OUTPUTS].mean()
                          for arm, frame in regency.groupby("scenario") if arm in self.spec.regency_arms})
        simulated = {t.name: t.simulate(means) for t in self.spec.targets}
        misses = {t.name: t.miss(simulated[t.name]) for t in self.spec.targets}
        data_loss = float(sum(misses[t.name] ** 2 for t in self.spec.targets if t.fitted))
        baseline = runs[runs["scenario"] == "baseline"] if keep_runs else None
        return Evaluation(values, simulated, misses, data_loss + self.spec.prior_penalty(values),
                          data_loss, means, baseline)


def labelled(store: Store, kind: str, specs: list[RunSpec]) -> pd.DataFrame:
    """The stored tables (OUTPUTS or REGENCY) of `specs`, each run's rows labelled with its spec's
    design point: a run key does not hold the point, so a run stored by an earlier batch (as
    another point) is this batch's spec's."""
    by_key = dict(tuple(store.read(kind, [s.key for s in specs]).groupby("run_key")))
    return pd.concat([by_key[s.key].assign(point=s.point) for s in specs], ignore_index=True)


def _point(table: pd.DataFrame | None, i: int) -> pd.DataFrame | None:
    return None if table is None else table[table["point"] == i]


def _key(values: dict[str, float]) -> tuple:
    return tuple(sorted((k, round(v, 12)) for k, v in values.items()))


def fit_table(spec: Spec, evaluation: Evaluation) -> pd.DataFrame:
    """One row per target: simulated value, the target (value and tolerance, or range), the miss
    in tolerance units, whether it is met, whether it is fitted or only checked, and its source."""
    rows = []
    for t in spec.targets:
        x = evaluation.simulated[t.name]
        rows.append({"target": t.name, "kind": t.kind, "simulated": x, "value": t.value,
                     "tolerance": t.tolerance, "min": t.low, "max": t.high,
                     "miss": evaluation.misses[t.name], "within": t.within(x), "fitted": t.fitted,
                     "source": t.source})
    return pd.DataFrame(rows)
