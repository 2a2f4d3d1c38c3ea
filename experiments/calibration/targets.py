"""The targets file (model/data/regions/<id>/targets.toml): its schema, its checks and the Spec it becomes.

A target is a point (published value and tolerance) or a range; each reads one statistic from
the replicate means of one simulated arm (the baseline, or a pilot experiment), so the objective
only needs to know which arms to run and to which month. A regency target (`[[regency]]`, an
observed regency figure of the history) reads the arm's regency table instead: the replicate means
of a regency's coverage or active count in a month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from experiments import layout, limits
from experiments.errors import UserError, read_toml_file, shown
from experiments.outcomes import COVERAGE
from experiments.scenario import load_scenario
from experiments.sweep import as_setting
from model import data, months
from model.parameters import PARAMETERS, PRIORS, UNCERTAIN
from model.settings import closest, dotted



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
    month: str = Field(pattern=months.PATTERN)
    value: float = Field(ge=0, le=1)
    tolerance: float = Field(gt=0)
    source: str
    note: str = ""


class RegencyTarget(_Strict):
    """An observed regency figure (history.toml `[[observed]]` with a regency `scope`): its
    coverage (active / workers of the regency) or its active count, with a tolerance that says
    how good the source is (`quality`: why that tolerance). A point at month 0 is built into the
    population's start, so it is checked, not fitted (as the province's month-0 figures)."""

    month: str = Field(pattern=months.PATTERN)
    regency: str = Field(min_length=1)
    output: Literal["coverage", "active"] = "coverage"
    value: float = Field(ge=0)
    tolerance: float = Field(gt=0)
    source: str
    quality: str = Field(min_length=1)
    note: str = ""


class DipTarget(_Strict):
    name: str
    output: str
    reference: str = Field(pattern=months.PATTERN)
    start: str = Field(alias="from", pattern=months.PATTERN)
    end: str = Field(alias="to", pattern=months.PATTERN)
    value: float
    tolerance: float = Field(gt=0)
    source: str
    note: str = ""


class PerisaiTarget(_Strict):
    name: str
    start: str = Field(alias="from", pattern=months.PATTERN)
    end: str = Field(alias="to", pattern=months.PATTERN)
    value: float = Field(gt=0)
    tolerance: float = Field(gt=0)
    source: str
    note: str = ""


class PilotTarget(_Strict):
    name: str
    treatment: dict[str, Any] = Field(min_length=1)
    month: str = Field(pattern=months.PATTERN)
    relative_to: str | None = Field(default=None, pattern=months.PATTERN)
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
    regency: list[RegencyTarget] = []
    dip: list[DipTarget] = []
    perisai: list[PerisaiTarget] = []
    pilot: list[PilotTarget] = []
    qualitative: dict[str, Any] = {}


@dataclass(frozen=True)
class Target:
    """One target: a point value with a tolerance, or a range [low, high]."""

    name: str
    kind: str                       # month0, coverage, regency, dip, perisai or pilot
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
        point = self.point()
        if point is not None:
            return (simulated - point[0]) / point[1]
        low, high = self.range()
        half = (high - low) / 2
        return max(0.0, simulated - high) / half - max(0.0, low - simulated) / half

    def within(self, simulated: float) -> bool:
        point = self.point()
        if point is not None:
            return bool(abs(simulated - point[0]) <= point[1])
        low, high = self.range()
        return bool(low <= simulated <= high)

    def position(self, simulated: float) -> float:
        """(simulated - centre) / half-width: inside the target when within [-1, 1] (for plots)."""
        point = self.point()
        if point is not None:
            return (simulated - point[0]) / point[1]
        low, high = self.range()
        return (simulated - (low + high) / 2) / ((high - low) / 2)

    def point(self) -> tuple[float, float] | None:
        """(value, tolerance) of a point target; None for a range."""
        if self.value is None:
            return None
        assert self.tolerance is not None, "a point target has a tolerance (load_targets checks)"
        return self.value, self.tolerance

    def range(self) -> tuple[float, float]:
        """(low, high) of a range target."""
        assert self.low is not None and self.high is not None, "a target is a point or a range"
        return self.low, self.high

    def simulate(self, means: dict[str, pd.DataFrame]) -> float:
        """The simulated statistic from the replicate means (by month) of each arm."""
        frame, r = means[self.arm], self.read
        if self.kind in ("month0", "coverage"):
            return float(frame.loc[r["month"], r["output"]])
        if self.kind == "regency":
            return float(means[regency_key(self.arm)].loc[(r["month"], r["regency"]), r["output"]])
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


REGENCY_OUTPUTS = ["coverage", "active"]   # what a regency target reads of the regency table


def regency_key(arm: str) -> str:
    """The key of an arm's regency means (by month and regency) among the objective's means."""
    return f"regency: {arm}"


@dataclass
class Spec:
    """What to fit and to what: the settings and targets of a targets file."""

    settings: Settings
    targets: list[Target]
    arms: dict[str, dict[str, Any]]      # arm -> model settings of its simulated experiment
    horizons: dict[str, str]             # arm -> last month it must run to
    source: str
    region: str = data.DEFAULT_REGION    # the province whose model the targets are fitted on

    @property
    def names(self) -> list[str]:
        return list(self.settings.fit)

    @property
    def regency_arms(self) -> set[str]:
        """The arms whose regency table a target reads (their runs' regency tables are scored)."""
        return {t.arm for t in self.targets if t.kind == "regency"}

    @property
    def ranges(self) -> np.ndarray:
        return np.array([self.settings.fit[n] for n in self.names], dtype=float)

    def to_values(self, unit: np.ndarray) -> dict[str, float]:
        low, high = self.ranges.T
        values = low + np.clip(unit, 0, 1) * (high - low)
        return {n: as_setting(n, float(v)) for n, v in zip(self.names, values, strict=True)}

    def to_unit(self, values: dict[str, float]) -> np.ndarray:
        low, high = self.ranges.T
        return (np.array([values[n] for n in self.names]) - low) / (high - low)

    def prior(self) -> dict[str, float]:
        """The hand-set defaults (model.parameters.PRIORS), inside the searched ranges."""
        return {n: clip(PRIORS[n], self.settings.fit[n]) for n in self.names}

    def prior_penalty(self, values: dict[str, float]) -> float:
        """A weak Gaussian prior at the hand-set defaults, one standard deviation = `prior_sd` of
        each searched range: it only decides where the targets leave a ridge (take-up against
        stopping), and 0 turns it off."""
        sd = self.settings.prior_sd
        if not sd:
            return 0.0
        return float((((self.to_unit(values) - self.to_unit(self.prior())) / sd) ** 2).sum())


def clip(value: float, bounds: list[float]) -> float:
    """`value` inside a searched range [low, high]."""
    low, high = bounds
    return float(np.clip(value, low, high))


def load_targets(path: str | Path | None = None, fit: list[str] | None = None,
                 region: str | None = None, **overrides: Any) -> Spec:
    """The targets file (default: the region's, layout.targets_file), checked; the fit runs the
    model of `region` (default: the default region); `fit` narrows the fitted parameters to some
    of the file's (or adds others over their registry bounds); `overrides` replace [calibration]
    settings."""
    region = region or data.DEFAULT_REGION
    if region not in data.region_ids():
        raise CalibrationError(f"unknown region {region!r}; allowed: {', '.join(data.region_ids())}")
    path = Path(path) if path is not None else layout.targets_file(region)
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
    problems = _check_fit(doc.calibration, "calibration.scale (--scale)" if overrides.get("scale") is not None
                          else "calibration.scale")
    if problems:
        raise CalibrationError(f"{path}: invalid calibration settings:\n" + "\n".join(f"  {p}" for p in problems))
    return _spec(doc, str(path), region)


def _problems(source: str, error: ValidationError) -> str:
    lines = []
    for e in error.errors():
        where = dotted(e["loc"])
        if e["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown key")
        else:
            lines.append(f"{where}: {e['msg']}; got {shown(e.get('input'))}")
    sections = ", ".join(f for f in TargetsFile.model_fields)
    return f"{source}: invalid targets file (sections: {sections}):\n" + "\n".join(f"  {line}" for line in lines)


def _check_fit(settings: Settings, scale_field: str = "calibration.scale") -> list[str]:
    """The scale within the limits `cakupan run` has; fitted names must be numeric uncertain
    parameters, ranges inside the registry's bounds."""
    problems = []
    try:
        limits.check_scale(settings.scale, field=scale_field)
    except limits.LimitError as error:
        problems.append(str(error))
    for name, (low, high) in settings.fit.items():
        param = PARAMETERS.get(name)
        if param is None or param.kind != "uncertain":
            hint = closest(name, UNCERTAIN)
            problems.append(f"calibration.fit.{name}: not an uncertain parameter.{hint} "
                            f"Allowed: {', '.join(UNCERTAIN)}")
            continue
        lo, hi = param.bounds
        if not lo <= low < high <= hi:
            problems.append(f"calibration.fit.{name}: range [{low:g}, {high:g}] must have min < max "
                            f"within the allowed {lo:g} to {hi:g} ({param.unit})")
    return problems


def _spec(doc: TargetsFile, source: str, region: str) -> Spec:
    pilot_design = doc.calibration.pilot_design
    arms: dict[str, dict[str, Any]] = {"baseline": {}}
    month0 = data.load(region).data_set().month0
    targets = [Target(f"month 0 {t.name}", "month0", "baseline", month0, t.source, t.value, t.tolerance,
                      fitted=False, read={"month": month0, "output": t.name}) for t in doc.month0]
    targets += [Target(f"coverage {t.month}", "coverage", "baseline", t.month, t.source, t.value,
                       t.tolerance, read={"month": t.month, "output": COVERAGE.column}) for t in doc.coverage]
    regencies = set(data.load(region).regency_names)
    for g in doc.regency:
        if g.regency not in regencies:
            raise CalibrationError(f"{source}: regency target {g.month}: unknown regency {g.regency!r}."
                                   f"{closest(g.regency, sorted(regencies))}")
    targets += [Target(f"{g.output} {g.month} {g.regency}", "regency", "baseline", g.month, g.source, g.value,
                       g.tolerance, fitted=g.month != month0,
                       read={"month": g.month, "regency": g.regency, "output": g.output}) for g in doc.regency]
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
            load_scenario("baseline").override(region=region).with_settings(**settings)
        except UserError as error:
            raise CalibrationError(f"{source}: {arm}: {error}") from None
    return Spec(doc.calibration, targets, arms, horizons, source, region)


def _check_pilot_target(t: PilotTarget, source: str) -> None:
    """A pilot target is a point (value and tolerance) or a range (min below max), not both."""
    point = t.value is not None and t.tolerance is not None
    no_point = t.value is None and t.tolerance is None
    if point and t.min is None and t.max is None:
        return
    if no_point and t.min is not None and t.max is not None:
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
            raise CalibrationError(f"{source}: {t.kind} {t.name!r}: 'from' ({read['start']}) is after"
                                   f" 'to' ({read['end']})")
