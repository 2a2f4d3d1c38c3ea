"""Calibration: fit the uncertain behavioural parameters the targets can identify.

    from experiments.calibration import calibrate, write, plot
    fit = calibrate()                     # targets and settings from model/data/targets.toml
    write(fit)                            # model/data/calibration.toml: the model's new defaults
    plot(fit)                             # docs/calibration_fit.png

The targets (model/data/targets.toml, each with its source and tolerance) are the provincial
coverage figures of 2024-2025, the national early-year dip of informal actives, Perisai recruits
per agent-month (2018) and the shape of Banerjee et al. (2021) as simulated pilot experiments
whose effects must fall in stated ranges. Month 0 is matched by construction and only checked.

The objective is the sum of squared misses in units of each target's tolerance, averaged over a
fixed set of replicate seeds: with common random numbers (model/streams.py) the same parameter
values give the same number, so a deterministic optimiser applies. The search starts from a
scrambled Sobol design over the fitted ranges (plus the current defaults), evaluated as one batch
on an executor, then runs scipy's bounded Nelder-Mead from the best point. Every evaluation runs
its replicates on the experiments executors (experiments/runner.py), so it parallelises like a
sweep. Afterwards each parameter gets an approximate 90% interval (the evaluated values whose loss
is within 2.71 of the best) that says which fitted parameters the targets pin down.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy import optimize
from scipy.stats import chi2, qmc

from experiments.errors import UserError, read_toml_file
from experiments.runner import execute, plan
from experiments.scenario import _closest, load_scenario
from experiments.store import code_version, now
from model import data, months
from model.parameters import PARAMETERS, PRIORS, UNCERTAIN

ROOT = Path(__file__).resolve().parents[1]
TARGETS_FILE = ROOT / "model" / "data" / "targets.toml"
CALIBRATION_FILE = ROOT / "model" / "data" / "calibration.toml"
PLOT_FILE = ROOT / "docs" / "calibration_fit.png"
SIMPLEX_STEP = 0.1      # Nelder-Mead's first simplex: 10% of each searched range from the start
CHI2_90 = float(chi2.ppf(0.90, 1))  # 2.71: loss increase bounding a one-parameter 90% interval
SIGNIFICANT = 3         # digits kept of a fitted value (far finer than its interval); refit there
IDENTIFIED_SHARE = 0.5  # identified: the 90% interval spans less than half the searched range
_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class CalibrationError(UserError, ValueError):
    """A bad targets or calibration file, or a fit asked for parameters that cannot be fitted."""


# ---------------------------------------------------------------- the targets file
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class Settings(_Strict):
    fit: dict[str, Annotated[list[float], Field(min_length=2, max_length=2)]] = Field(min_length=1)
    scale: float = Field(gt=0, le=1)
    replicates: int = Field(ge=1)
    seed: int = Field(ge=0)
    initial_points: int = Field(ge=0)
    max_evaluations: int = Field(ge=0)
    design_seed: int = Field(ge=0)
    profile_points: int = Field(default=0, ge=0)
    prior_sd: float = Field(default=0.0, ge=0)
    pilot_design: dict[str, Any] = {}


class Month0(_Strict):
    name: str
    value: float
    tolerance: float = Field(gt=0)
    source: str
    note: str = ""


class CoverageTarget(_Strict):
    month: str = Field(pattern=_MONTH)
    value: float = Field(ge=0, le=1)
    tolerance: float = Field(gt=0)
    source: str
    note: str = ""


class DipTarget(_Strict):
    name: str
    output: str
    reference: str = Field(pattern=_MONTH)
    start: str = Field(alias="from", pattern=_MONTH)
    end: str = Field(alias="to", pattern=_MONTH)
    value: float
    tolerance: float = Field(gt=0)
    source: str
    note: str = ""


class PerisaiTarget(_Strict):
    name: str
    start: str = Field(alias="from", pattern=_MONTH)
    end: str = Field(alias="to", pattern=_MONTH)
    value: float = Field(gt=0)
    tolerance: float = Field(gt=0)
    source: str
    note: str = ""


class PilotTarget(_Strict):
    name: str
    treatment: dict[str, Any] = Field(min_length=1)
    month: str = Field(pattern=_MONTH)
    relative_to: str | None = Field(default=None, pattern=_MONTH)
    # "effect": treated minus control coverage; "ratio": treated / control coverage (as papers
    # report "eightfold", "twice as high").
    measure: Literal["effect", "ratio"] = "effect"
    # A published figure with its interval as tolerance (value, tolerance), or a range (min, max).
    value: float | None = None
    tolerance: float | None = Field(default=None, gt=0)
    min: float | None = None
    max: float | None = None
    source: str
    note: str = ""


class TargetsFile(_Strict):
    calibration: Settings
    month0: list[Month0] = []
    coverage: list[CoverageTarget] = []
    dip: list[DipTarget] = []
    perisai: list[PerisaiTarget] = []
    pilot: list[PilotTarget] = []
    qualitative: dict[str, Any] = {}


@dataclass(frozen=True)
class Target:
    """One target: a point value with a tolerance, or a range [low, high]."""

    name: str
    kind: str                       # month0, coverage, dip, perisai or pilot
    arm: str                        # the simulated experiment it reads ("baseline" or a pilot)
    last_month: str                 # the arm must run at least to here
    source: str
    value: float | None = None
    tolerance: float | None = None
    low: float | None = None
    high: float | None = None
    fitted: bool = True
    read: dict[str, Any] = field(default_factory=dict)   # how to read it from the arm's means

    def miss(self, simulated: float) -> float:
        """Signed miss in units of the tolerance; for a range, the distance outside it in units
        of half its width (0 inside). NaN (e.g. a ratio of a zero effect) counts as a large miss."""
        if not np.isfinite(simulated):
            return 10.0
        if self.value is not None:
            return (simulated - self.value) / self.tolerance
        half = (self.high - self.low) / 2
        return max(0.0, simulated - self.high) / half - max(0.0, self.low - simulated) / half

    def within(self, simulated: float) -> bool:
        if self.value is not None:
            return bool(abs(simulated - self.value) <= self.tolerance)
        return bool(self.low <= simulated <= self.high)

    def position(self, simulated: float) -> float:
        """(simulated - centre) / half-width: inside the target when within [-1, 1] (for plots)."""
        if self.value is not None:
            return (simulated - self.value) / self.tolerance
        return (simulated - (self.low + self.high) / 2) / ((self.high - self.low) / 2)

    def simulate(self, means: dict[str, pd.DataFrame]) -> float:
        """The simulated statistic from the replicate means (by month) of each arm."""
        frame, r = means[self.arm], self.read
        if self.kind in ("month0", "coverage"):
            return float(frame.loc[r["month"], r["output"]])
        if self.kind == "dip":
            window = frame.loc[r["start"]:r["end"], r["output"]]
            return float(window.min() / frame.loc[r["reference"], r["output"]] - 1)
        if self.kind == "perisai":
            window = frame.loc[r["start"]:r["end"]]
            return float(window["new_via_perisai"].sum() / window["perisai_agents_active"].sum())
        if r.get("measure") == "ratio":
            return float(frame.loc[r["month"], "pilot_treated_coverage"]
                         / frame.loc[r["month"], "pilot_control_coverage"])
        effect = float(frame.loc[r["month"], "pilot_effect"])
        if r.get("relative_to"):
            return effect / float(frame.loc[r["relative_to"], "pilot_effect"])
        return effect


@dataclass
class Spec:
    """What to fit and to what: the settings and targets of a targets file."""

    settings: Settings
    targets: list[Target]
    arms: dict[str, dict[str, Any]]      # arm -> model settings of its simulated experiment
    horizons: dict[str, str]             # arm -> last month it must run to
    source: str

    @property
    def names(self) -> list[str]:
        return list(self.settings.fit)

    @property
    def ranges(self) -> np.ndarray:
        return np.array([self.settings.fit[n] for n in self.names], dtype=float)

    def to_values(self, unit: np.ndarray) -> dict[str, float]:
        low, high = self.ranges.T
        values = low + np.clip(unit, 0, 1) * (high - low)
        return {n: _round(n, float(v)) for n, v in zip(self.names, values)}

    def to_unit(self, values: dict[str, float]) -> np.ndarray:
        low, high = self.ranges.T
        return (np.array([values[n] for n in self.names]) - low) / (high - low)

    def prior(self) -> dict[str, float]:
        """The hand-set defaults (model.parameters.PRIORS), inside the searched ranges."""
        return {n: float(np.clip(PRIORS[n], *self.settings.fit[n])) for n in self.names}

    def prior_penalty(self, values: dict[str, float]) -> float:
        """A weak Gaussian prior at the hand-set defaults, one standard deviation = `prior_sd` of
        each searched range: it only decides where the targets leave a ridge (take-up against
        stopping), and 0 turns it off."""
        sd = self.settings.prior_sd
        if not sd:
            return 0.0
        return float((((self.to_unit(values) - self.to_unit(self.prior())) / sd) ** 2).sum())


def _round(name: str, value: float) -> float:
    return float(round(value)) if PARAMETERS[name].integer else value


def load_targets(path: str | Path = TARGETS_FILE, fit: list[str] | None = None,
                 **overrides: Any) -> Spec:
    """The targets file, checked; `fit` narrows the fitted parameters to some of the file's (or
    adds others over their registry bounds); `overrides` replace [calibration] settings."""
    path = Path(path)
    raw = read_toml_file(path, CalibrationError, "targets")
    raw.setdefault("calibration", {}).update({k: v for k, v in overrides.items() if v is not None})
    if fit:
        ranges = raw["calibration"].get("fit", {})
        raw["calibration"]["fit"] = {n: ranges.get(n, list(PARAMETERS[n].bounds) if n in PARAMETERS else [0, 0])
                                     for n in fit}
    try:
        doc = TargetsFile.model_validate(raw)
    except ValidationError as error:
        raise CalibrationError(_problems(str(path), error)) from None
    problems = _check_fit(doc.calibration)
    if problems:
        raise CalibrationError(f"{path}: invalid calibration settings:\n" + "\n".join(f"  {p}" for p in problems))
    return _spec(doc, str(path))


def _problems(source: str, error: ValidationError) -> str:
    lines = []
    for e in error.errors():
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"]).lstrip(".")
        if e["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown key")
        else:
            lines.append(f"{where}: {e['msg']}; got {e.get('input')!r}")
    sections = ", ".join(f for f in TargetsFile.model_fields)
    return f"{source}: invalid targets file (sections: {sections}):\n" + "\n".join(f"  {line}" for line in lines)


def _check_fit(settings: Settings) -> list[str]:
    """Fitted names must be numeric uncertain parameters, ranges inside the registry's bounds."""
    problems = []
    for name, (low, high) in settings.fit.items():
        param = PARAMETERS.get(name)
        if param is None or param.kind != "uncertain":
            hint = _closest(name, UNCERTAIN)
            problems.append(f"calibration.fit.{name}: not an uncertain parameter.{hint} "
                            f"Allowed: {', '.join(UNCERTAIN)}")
            continue
        lo, hi = param.bounds
        if not lo <= low < high <= hi:
            problems.append(f"calibration.fit.{name}: range [{low:g}, {high:g}] must have min < max "
                            f"within the allowed {lo:g} to {hi:g} ({param.unit})")
    return problems


def _spec(doc: TargetsFile, source: str) -> Spec:
    pilot_design = doc.calibration.pilot_design
    arms: dict[str, dict[str, Any]] = {"baseline": {}}
    month0 = data.data_set().month0
    targets = [Target(f"month 0 {t.name}", "month0", "baseline", month0, t.source, t.value, t.tolerance,
                      fitted=False, read={"month": month0, "output": t.name}) for t in doc.month0]
    targets += [Target(f"coverage {t.month}", "coverage", "baseline", t.month, t.source, t.value,
                       t.tolerance, read={"month": t.month, "output": "coverage"}) for t in doc.coverage]
    targets += [Target(t.name, "dip", "baseline", t.end, t.source, t.value, t.tolerance,
                       read={"output": t.output, "reference": t.reference, "start": t.start, "end": t.end})
                for t in doc.dip]
    targets += [Target(t.name, "perisai", "baseline", t.end, t.source, t.value, t.tolerance,
                       read={"start": t.start, "end": t.end}) for t in doc.perisai]
    for t in doc.pilot:
        _check_pilot_target(t, source)
        arm = "pilot " + ", ".join(f"{k}={v}" for k, v in sorted(t.treatment.items()))
        arms[arm] = {**pilot_design, **t.treatment}
        last = max([t.month, t.relative_to or t.month], key=months.ordinal)
        targets.append(Target(t.name, "pilot", arm, last, t.source, t.value, t.tolerance, t.min, t.max,
                              read={"month": t.month, "relative_to": t.relative_to, "measure": t.measure}))
    _check_months(targets, month0, source)
    horizons = {arm: max((t.last_month for t in targets if t.arm == arm), key=months.ordinal)
                for arm in arms}
    for arm, settings in arms.items():
        try:
            load_scenario("baseline").with_settings(**settings)
        except UserError as error:
            raise CalibrationError(f"{source}: {arm}: {error}") from None
    return Spec(doc.calibration, targets, arms, horizons, source)


def _check_pilot_target(t: PilotTarget, source: str) -> None:
    """A pilot target is a point (value and tolerance) or a range (min below max), not both."""
    point, span = (t.value, t.tolerance), (t.min, t.max)
    if all(v is not None for v in point) and all(v is None for v in span):
        return
    if all(v is not None for v in span) and all(v is None for v in point):
        if t.min >= t.max:
            raise CalibrationError(f"{source}: pilot {t.name!r}: min ({t.min:g}) must be below max ({t.max:g})")
        return
    raise CalibrationError(f"{source}: pilot {t.name!r}: give either value and tolerance (a published "
                           "figure and its interval) or min and max (a range), not a mix")


def _check_months(targets: list[Target], month0: str, source: str) -> None:
    """Every month a target reads must be simulated: month 0 or later, windows in order."""
    for t in targets:
        read = {k: v for k, v in t.read.items() if k in ("month", "reference", "start", "end", "relative_to") and v}
        early = [f"{k} {v}" for k, v in read.items() if months.ordinal(v) < months.ordinal(month0)]
        if early:
            raise CalibrationError(f"{source}: {t.kind} {t.name!r}: {', '.join(early)} is before the model's"
                                   f" month 0 ({month0}) and cannot be simulated")
        if "start" in read and months.ordinal(read["start"]) > months.ordinal(read["end"]):
            raise CalibrationError(f"{source}: {t.kind} {t.name!r}: 'from' ({read['start']}) is after 'to' ({read['end']})")


# ---------------------------------------------------------------- the objective
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

    def __init__(self, spec: Spec, executor=None, progress: bool | None = False,
                 folder: str | Path | None = None):
        self.spec, self.executor, self.progress = spec, executor, progress
        # A results folder keeps every run by its key: an interrupted fit, rerun, skips them (the
        # optimiser is deterministic, so it asks for the same parameter sets again).
        self.folder = folder
        self.history: list[Evaluation] = []
        self._cache: dict[tuple, Evaluation] = {}

    def evaluate(self, points: list[dict[str, float]], keep_runs: bool = False) -> list[Evaluation]:
        todo = [p for p in points if _key(p) not in self._cache]
        if todo:
            for values, evaluation in zip(todo, self._run(todo, keep_runs)):
                self._cache[_key(values)] = evaluation
                self.history.append(evaluation)
        return [self._cache[_key(p)] for p in points]

    def __call__(self, unit: np.ndarray) -> float:
        return self.evaluate([self.spec.to_values(np.asarray(unit))])[0].loss

    def plan(self, points: list[dict[str, float]]) -> list:
        """Run specs of every arm x point x replicate: design point i is parameter set i."""
        s = self.spec.settings
        specs = []
        for arm, settings in self.spec.arms.items():
            scenario = load_scenario("baseline").override(scale=s.scale, horizon=self.spec.horizons[arm])
            scenario = scenario.with_settings(**settings).model_copy(update={"name": arm})
            specs += plan([scenario], s.replicates, s.seed, [(p, p) for p in points])
        return specs

    def score_table(self, points: list[dict[str, float]], table: pd.DataFrame) -> list[Evaluation]:
        """Evaluations of parameter sets from a table of their runs (column `point` = index)."""
        return [self._score(values, table[table["point"] == i], False) for i, values in enumerate(points)]

    def _run(self, points: list[dict[str, float]], keep_runs: bool) -> list[Evaluation]:
        specs = self.plan(points)
        if self.folder is not None:
            table = self._run_stored(specs)
        else:
            results, _ = execute(specs, self.executor, None, self.progress, label="calibration")
            failed = [r for r in results if r.error]
            if failed:
                raise RuntimeError(f"a calibration run failed: {failed[0].error}\n{failed[0].traceback}")
            table = pd.concat([r.outputs for r in results], ignore_index=True)
        return [self._score(values, table[table["point"] == i], keep_runs) for i, values in enumerate(points)]

    def _run_stored(self, specs: list) -> pd.DataFrame:
        """Run what the folder does not hold yet; the table of every spec's outputs."""
        from experiments.store import OUTPUTS, Store

        store = Store(self.folder).create()
        execute(specs, self.executor, store, self.progress, label="calibration")
        keys = [s.key for s in specs]
        missing = set(keys) - store.completed()
        if missing:
            raise RuntimeError(f"{len(missing)} calibration runs failed; see {Path(self.folder) / 'runs.jsonl'}")
        return store.read(OUTPUTS, keys)

    def _score(self, values: dict[str, float], runs: pd.DataFrame, keep_runs: bool) -> Evaluation:
        numeric = runs.select_dtypes("number").columns.difference(["point", "replicate", "seed"])
        means = {arm: frame.groupby("month")[list(numeric)].mean()
                 for arm, frame in runs.groupby("scenario")}
        simulated = {t.name: t.simulate(means) for t in self.spec.targets}
        misses = {t.name: t.miss(simulated[t.name]) for t in self.spec.targets}
        data_loss = float(sum(misses[t.name] ** 2 for t in self.spec.targets if t.fitted))
        baseline = runs[runs["scenario"] == "baseline"] if keep_runs else None
        return Evaluation(values, simulated, misses, data_loss + self.spec.prior_penalty(values),
                          data_loss, means, baseline)


def _key(values: dict[str, float]) -> tuple:
    return tuple(sorted((k, round(v, 12)) for k, v in values.items()))


# ---------------------------------------------------------------- fitting
@dataclass
class Calibration:
    """A finished fit: parameter values with approximate uncertainty, and the fit per target."""

    spec: Spec
    best: Evaluation
    parameters: pd.DataFrame      # name, value, search range, prior, 90% interval, identified
    fit: pd.DataFrame             # one row per target
    evaluations: int
    history: pd.DataFrame
    method: str

    @property
    def loss(self) -> float:
        return self.best.loss

    @property
    def data_loss(self) -> float:
        return self.best.data_loss


def calibrate(targets: str | Path | Spec = TARGETS_FILE, executor=None, progress: bool | None = False,
              folder: str | Path | None = None, **overrides: Any) -> Calibration:
    """Fit the file's parameters to its targets (see the module docstring for the method).

    overrides: fit (list of names), scale, replicates, seed, initial_points, max_evaluations,
    design_seed - replacing the file's [calibration] settings, e.g. for a quick trial."""
    fit = overrides.pop("fit", None)
    spec = targets if isinstance(targets, Spec) else load_targets(targets, fit, **overrides)
    objective = Objective(spec, executor, progress, folder)
    start = _initial_search(spec, objective)
    best = _nelder_mead(spec, objective, start)
    rounded = {n: float(f"{v:.{SIGNIFICANT}g}") for n, v in best.values.items()}
    final = _keep_runs(objective, objective.evaluate([rounded], keep_runs=True)[0])
    parameters = _uncertainty(spec, objective, final)
    s = spec.settings
    method = (f"{s.initial_points} scrambled Sobol points, the current defaults and the priors, then "
              f"bounded Nelder-Mead (scipy.optimize.minimize, at most {s.max_evaluations} evaluations); "
              f"{s.replicates} replicates at scale {s.scale:g} with common random numbers; weak prior "
              f"at the hand-set defaults, sd {s.prior_sd:g} of each searched range")
    history = pd.DataFrame([{**e.values, "loss": e.loss, "data_loss": e.data_loss} for e in objective.history])
    return Calibration(spec, final, parameters, fit_table(spec, final), len(objective.history),
                       history, method)


def _initial_search(spec: Spec, objective: Objective) -> Evaluation:
    """The best of the current defaults, the priors and a scrambled Sobol design, in one batch."""
    current = {n: float(np.clip(PARAMETERS[n].default, *spec.settings.fit[n])) for n in spec.names}
    points = [current, spec.prior()]
    n = spec.settings.initial_points
    if n:
        sobol = qmc.Sobol(d=len(spec.names), scramble=True, rng=np.random.default_rng(spec.settings.design_seed))
        points += [spec.to_values(u) for u in sobol.random(n)]
    return min(objective.evaluate(points), key=lambda e: e.loss)


def _nelder_mead(spec: Spec, objective: Objective, start: Evaluation) -> Evaluation:
    budget = spec.settings.max_evaluations
    if budget == 0:
        return start
    x0 = spec.to_unit(start.values)
    simplex = [x0] + [_step(x0, i, SIMPLEX_STEP) for i in range(len(x0))]
    optimize.minimize(objective, x0, method="Nelder-Mead", bounds=[(0, 1)] * len(x0),
                      options={"initial_simplex": np.array(simplex), "maxfev": budget,
                               "xatol": 1e-3, "fatol": 1e-3})
    return min(objective.history, key=lambda e: e.loss)


def _step(x: np.ndarray, i: int, size: float) -> np.ndarray:
    """x moved by `size` along axis i, away from the nearer bound."""
    out = x.copy()
    out[i] = x[i] + size if x[i] + size <= 1 else x[i] - size
    return out


def _keep_runs(objective: Objective, evaluation: Evaluation) -> Evaluation:
    """The best evaluation with its baseline runs kept (for the plot): rerun if cached without."""
    if evaluation.baseline_runs is not None:
        return evaluation
    objective._cache.pop(_key(evaluation.values))
    return objective.evaluate([evaluation.values], keep_runs=True)[0]


def _uncertainty(spec: Spec, objective: Objective, best: Evaluation) -> pd.DataFrame:
    """Approximate 90% intervals of what the targets allow: the range of each parameter over every
    evaluated point whose data loss (the prior left out) is within the chi-square(1) 90% quantile
    of the smallest (a likelihood-ratio set, reading tolerances as one standard deviation). Besides the initial design and the optimiser's path,
    each parameter is scanned over its searched range with the others at the optimum, so a
    parameter that only range targets constrain gets the sub-range where they hold."""
    n = spec.settings.profile_points
    x = spec.to_unit(best.values)
    scans = [spec.to_values(_set(x, i, u)) for i in range(len(x)) for u in np.linspace(0, 1, n)] if n else []
    objective.evaluate(scans)
    near = pd.DataFrame([{**e.values, "data_loss": e.data_loss} for e in objective.history])
    near = near[near["data_loss"] <= near["data_loss"].min() + CHI2_90]
    rows = []
    for name in spec.names:
        low, high = spec.settings.fit[name]
        lo90, hi90 = float(near[name].min()), float(near[name].max())
        rows.append({"name": name, "value": best.values[name], "search_low": low, "search_high": high,
                     "prior": PRIORS[name], "low90": lo90, "high90": hi90,
                     "identified": bool(hi90 - lo90 < IDENTIFIED_SHARE * (high - low))})
    return pd.DataFrame(rows)


def _set(x: np.ndarray, i: int, value: float) -> np.ndarray:
    out = x.copy()
    out[i] = value
    return out


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


# ---------------------------------------------------------------- the calibration file
def write(calibration: Calibration, path: str | Path = CALIBRATION_FILE) -> Path:
    """The fitted values and fit quality as TOML; model/parameters.py reads it for defaults."""
    s, fit = calibration.spec.settings, calibration.fit
    doc: dict[str, Any] = {
        "created": now(), "code_version": code_version(), "targets": _relative(calibration.spec.source),
        "method": calibration.method, "evaluations": calibration.evaluations,
        "scale": s.scale, "replicates": s.replicates, "seed": s.seed,
        "loss": round(calibration.loss, 6), "data_loss": round(calibration.data_loss, 6),
        "prior_sd": s.prior_sd,
        "targets_met": int(fit.loc[fit["fitted"], "within"].sum()), "targets_fitted": int(fit["fitted"].sum()),
        "parameters": {}, "fixed": {n: PARAMETERS[n].default for n in UNCERTAIN if n not in calibration.spec.names},
        "fit": []}
    for row in calibration.parameters.itertuples():
        doc["parameters"][row.name] = {
            "value": _clean(row.value), "search": [row.search_low, row.search_high],
            "prior": _clean(row.prior), "low90": _clean(row.low90),
            "high90": _clean(row.high90), "identified": row.identified}
    for row in fit.itertuples():
        entry = {"target": row.target, "kind": row.kind, "simulated": _clean(row.simulated),
                 "miss": _clean(row.miss), "within": row.within, "fitted": row.fitted}
        entry.update({k: _clean(getattr(row, k)) for k in ("value", "tolerance", "min", "max")
                      if pd.notna(getattr(row, k))})
        doc["fit"].append(entry)
    header = ("# Written by `cakupan calibrate` (experiments/calibration.py); see docs/calibration.md.\n"
              "# model/parameters.py takes [parameters.*].value as the registry defaults. Do not edit\n"
              "# by hand: rerun `cakupan calibrate` after changing the model or model/data/targets.toml.\n")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + tomli_w.dumps(doc), encoding="utf-8")
    return path


def _clean(value: Any) -> Any:
    value = float(value)
    return value if np.isfinite(value) else (1e300 if value > 0 else -1e300)


def _relative(source: str) -> str:
    try:
        return str(Path(source).resolve().relative_to(ROOT))
    except ValueError:
        return source


def read(path: str | Path = CALIBRATION_FILE) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise CalibrationError(f"{path}: no such calibration file; run `cakupan calibrate`")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def check(path: str | Path = CALIBRATION_FILE, targets: str | Path = TARGETS_FILE,
          executor=None) -> pd.DataFrame:
    """Re-run the objective at a calibration file's values with its recorded scale, replicates and
    seed: the fit table now, with the recorded simulated value of each target beside it."""
    recorded = read(path)
    values = {n: p["value"] for n, p in recorded["parameters"].items()}
    spec = load_targets(targets, list(values), scale=recorded["scale"],
                        replicates=recorded["replicates"], seed=recorded["seed"])
    evaluation = Objective(spec, executor).evaluate([values])[0]
    table = fit_table(spec, evaluation)
    before = {f["target"]: f["simulated"] for f in recorded["fit"]}
    table["recorded"] = table["target"].map(before)
    return table


# ---------------------------------------------------------------- the plot
def plot(calibration: Calibration, path: str | Path = PLOT_FILE) -> Path:
    """Baseline coverage over time (mean and 90% band of the replicates) against the coverage
    targets, and every target's simulated value against its tolerance or range."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6.5), gridspec_kw={"width_ratios": [1, 1]})
    _coverage_panel(left, calibration)
    _targets_panel(right, calibration)
    fig.suptitle("Calibration: status-quo baseline at the fitted values versus the targets")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _coverage_panel(ax, calibration: Calibration) -> None:
    runs = calibration.best.baseline_runs
    by_month = runs.groupby("month")["coverage"]
    x = pd.to_datetime(by_month.mean().index)
    ax.plot(x, 100 * by_month.mean(), color="C0", label="baseline, mean of replicates")
    ax.fill_between(x, 100 * by_month.quantile(0.05), 100 * by_month.quantile(0.95), color="C0",
                    alpha=0.2, label="90% of replicates")
    for t in calibration.spec.targets:
        if t.kind in ("coverage", "month0") and t.read["output"] == "coverage":
            ax.errorbar(pd.to_datetime(t.read["month"]), 100 * t.value, yerr=100 * t.tolerance, fmt="o",
                        color="black" if t.fitted else "grey", capsize=4)
    ax.plot([], [], "o", color="black", label="published figure ± tolerance")
    ax.set(ylabel="% of eligible workers active", xlabel="month", title="Provincial coverage")
    ax.tick_params(axis="x", labelrotation=30)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")


def _targets_panel(ax, calibration: Calibration) -> None:
    fit = calibration.fit
    spec = {t.name: t for t in calibration.spec.targets}
    y = np.arange(len(fit))[::-1]
    ax.barh(y, 2, left=-1, color="#dddddd", height=0.6, label="tolerance or range")
    positions = [spec[name].position(x) for name, x in zip(fit["target"], fit["simulated"])]
    colours = ["C2" if w else "C3" for w in fit["within"]]
    ax.scatter(np.clip(positions, -3, 3), y, color=colours, zorder=3, label="simulated")
    labels = [f"{row.target}{'' if row.fitted else ' (check)'}\n{_describe(row)}" for row in fit.itertuples()]
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlim(-3, 3)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set(xlabel="(simulated - centre) / half-width (clipped at ±3)", title="Every target")
    ax.grid(alpha=0.3, axis="x")


def _describe(row) -> str:
    if pd.notna(row.value):
        return f"{row.simulated:,.4g} vs {row.value:,.4g} ± {row.tolerance:,.3g}"
    return f"{row.simulated:,.3g}, range [{row.min:g}, {row.max:g}]"
