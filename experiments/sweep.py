"""Parameter sweeps: a design (full grid, Latin hypercube or Sobol) over levers and uncertain
parameters, applied to one or more scenarios, with replicates. Defined in a TOML sweep file:

    name = "perisai_sensitivity"
    scenarios = ["baseline", "market_ecosystem"]   # built-ins or paths relative to this file
    replicates = 4
    seed = 1
    scale = 0.01                # optional: overrides the scenarios' scale and horizon
    horizon = "2026-12"
    decision_month = "none"     # optional: overrides the scenarios' (the built-ins': "default")
    design = "lhs"              # "grid", "lhs", "sobol", or for sensitivity analysis (SALib)
                                # "saltelli" (Sobol indices) or "morris" (screening)
    samples = 16                # lhs, sobol, saltelli (base samples N, a power of two: N(k+2)
                                # points) and morris (trajectories r: r(k+1) points)
    design_seed = 7             # randomisation of lhs and sobol

    [factors.perisai_agents]    # any numeric model setting (model/parameters.py)
    min = 500                   # default: the registry's bounds
    max = 3000
    from = "2025-01"            # levers only: the value holds from this month

    [factors.stop_rate]
    values = [0.05, 0.07, 0.09] # grid only; or `levels = 3` between min and max

Every design point runs for every scenario and replicate, with the same replicate seeds
everywhere, so scenarios are compared at the same point and seeds. The `baseline` scenario
(default "baseline", if it is among the scenarios) keeps its own levers at every point: lever
factors vary the policies, the other factors vary the world every policy faces. A complete example is
experiments/examples/perisai_sweep.toml.
"""

from __future__ import annotations

import itertools
import math
import os
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy.stats import qmc

from experiments import limits
from experiments.errors import MAX_LISTED, UserError, listing, read_toml_file, shown
from experiments.runner import Results, as_scenarios, experiment, plan, replicate_seeds
from experiments.scenario import DECISION_PATTERN, is_path
from model import data, months
from model.settings import closest, dotted, idle_windows
from model.parameters import PARAMETERS

DEFAULT_LEVELS = 3
SALIB_DESIGNS = ("saltelli", "morris")   # sensitivity-analysis designs (experiments/sensitivity.py)


class SweepError(UserError, ValueError):
    """An invalid sweep file; the message names the file and key."""


class Factor(BaseModel):
    """One varied setting: a range (min, max) or, in a grid, explicit values or levels."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)
    min: float | None = None
    max: float | None = None
    values: list[float] | None = Field(default=None, min_length=1)
    levels: int | None = Field(default=None, ge=2)
    start: str | None = Field(default=None, alias="from", pattern=months.PATTERN)
    end: str | None = Field(default=None, alias="to", pattern=months.PATTERN)


class Sweep(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(min_length=1)
    description: str = ""
    scenarios: list[str] = Field(min_length=1)
    baseline: str = "baseline"   # "" for none
    replicates: int = Field(default=4, ge=1)
    seed: int = Field(default=1, ge=0)
    scale: float | None = Field(default=None, gt=0, le=1)
    horizon: str | None = Field(default=None, pattern=months.PATTERN)
    decision_month: str | None = Field(default=None, pattern=DECISION_PATTERN)
    design: Literal["grid", "lhs", "sobol", "saltelli", "morris"] = "grid"
    samples: int | None = Field(default=None, ge=1)
    design_seed: int = Field(default=0, ge=0)
    morris_levels: int = Field(default=4, ge=2)   # grid levels of a Morris design (SALib's p)
    factors: dict[str, Factor] = Field(min_length=1)
    directory: Path = Field(default=Path("."), exclude=True)

    # ------------------------------------------------------------ the design
    def ranges(self) -> dict[str, tuple[float, float]]:
        """Each factor's (low, high): as given, else the registry's bounds."""
        out = {}
        for name, factor in self.factors.items():
            low, high = PARAMETERS[name].bounds
            out[name] = (low if factor.min is None else factor.min, high if factor.max is None else factor.max)
        return out

    def size(self) -> int:
        """Number of design points, computed without building them (a huge grid is refused
        before it fills memory)."""
        k = len(self.factors)
        if self.design == "grid":
            return math.prod(len(f.values) if f.values is not None else f.levels or DEFAULT_LEVELS
                             for f in self.factors.values())
        return (self.samples or 0) * {"saltelli": k + 2, "morris": k + 1}.get(self.design, 1)

    def points(self) -> list[dict[str, float]]:
        """The design: one dict of factor values per point."""
        names = list(self.factors)
        if self.design == "grid":
            grid = [self._levels(name) for name in names]
            rows = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid)]
        elif self.design in SALIB_DESIGNS:
            rows = [dict(zip(names, map(float, row), strict=True)) for row in self._salib_sample()]
        else:
            rng = np.random.default_rng(self.design_seed)
            if self.design == "lhs":
                unit = qmc.LatinHypercube(d=len(names), rng=rng).random(self.samples)
            else:
                assert self.samples is not None, "parse_sweep requires samples for a sobol design"
                unit = qmc.Sobol(d=len(names), scramble=True, rng=rng).random_base2(int(math.log2(self.samples)))
            low, high = zip(*(self.ranges()[n] for n in names), strict=True)
            scaled = qmc.scale(unit, low, high) if len(names) else unit
            rows = [dict(zip(names, map(float, row), strict=True)) for row in scaled]
        return [{n: as_setting(n, v) for n, v in row.items()} for row in rows]

    def problem(self) -> dict[str, Any]:
        """The factors as a SALib problem (names and bounds, in the file's order)."""
        names = list(self.factors)
        return {"num_vars": len(names), "names": names, "bounds": [list(self.ranges()[n]) for n in names]}

    def _salib_sample(self) -> np.ndarray:
        """Saltelli's scheme for first- and total-order Sobol indices (scrambled Sobol sequence,
        N(k+2) points, no second order) or Morris trajectories (r(k+1) points on a p-level grid)."""
        from SALib.sample import morris, sobol

        if self.design == "saltelli":
            return sobol.sample(self.problem(), self.samples, calc_second_order=False, seed=self.design_seed)
        return morris.sample(self.problem(), self.samples, num_levels=self.morris_levels, seed=self.design_seed)

    def _levels(self, name: str) -> list[float]:
        factor = self.factors[name]
        if factor.values is not None:
            return [float(v) for v in factor.values]
        low, high = self.ranges()[name]
        levels = np.linspace(low, high, factor.levels or DEFAULT_LEVELS)
        return list(dict.fromkeys(as_setting(name, float(v)) for v in levels))

    def settings(self, point: dict[str, float]) -> dict[str, Any]:
        """Model settings of a design point: a lever with from/to becomes a window."""
        out: dict[str, Any] = {}
        for name, value in point.items():
            factor = self.factors[name]
            if factor.start or factor.end:
                window: dict[str, Any] = {"value": value}
                window.update({k: v for k, v in (("from", factor.start), ("to", factor.end)) if v})
                out[name] = [window]
            else:
                out[name] = value
        return out

    def describe(self) -> dict[str, Any]:
        """The design as stored in the manifest."""
        return {"kind": self.design, "samples": self.samples, "design_seed": self.design_seed,
                "morris_levels": self.morris_levels,
                "factors": {n: {**f.model_dump(by_alias=True, exclude_none=True), "range": self.ranges()[n]}
                            for n, f in self.factors.items()},
                "points": self.points()}


def as_setting(name: str, value: float) -> float:
    """A design's value as the setting takes it: whole for an integer parameter (sweep points,
    calibration points)."""
    return float(round(value)) if PARAMETERS[name].integer else value


# ---------------------------------------------------------------- loading and checks
def load_sweep(path: str | Path) -> Sweep:
    """A sweep file, checked: structure, factor names, ranges against the registry's bounds."""
    path = Path(path)
    return parse_sweep(read_toml_file(path, SweepError, "sweep"), str(path), path.parent)


def parse_sweep(raw: dict, source: str = "<sweep>", directory: Path = Path(".")) -> Sweep:
    try:
        sweep = Sweep.model_validate({**raw, "directory": directory})
    except ValidationError as error:
        raise SweepError(_first_problem(source, error)) from None
    problems, more = _check(sweep)
    if problems:
        raise SweepError(listing("invalid sweep:", [f"{source}: {p}" for p in problems], more))
    return sweep


def _first_problem(source: str, error: ValidationError) -> str:
    """The first MAX_LISTED problems described (each may search for the closest name) and how
    many more: time linear in the number of problems, output bounded."""
    lines = []
    errors = error.errors()
    for e in errors[:MAX_LISTED]:
        path = dotted(e["loc"])
        if e["type"] == "extra_forbidden":
            valid = [*Factor.model_fields, "from", "to"] if path.startswith("factors.") else \
                [f for f in Sweep.model_fields if f != "directory"]
            key = str(e["loc"][-1])
            lines.append(f"{source}: {path}: unknown key.{closest(key, valid)}"
                         f" Valid keys: {', '.join(dict.fromkeys(valid))}")
        else:
            lines.append(f"{source}: {path}: {e['msg']}; got {shown(e.get('input'))}")
    return listing("invalid sweep:", lines, len(errors) - len(lines))


def _check(sweep: Sweep) -> tuple[list[str], int]:
    """The first MAX_LISTED problems of a structurally valid sweep and how many more there are
    (those are counted, not described: an unknown name's closest match is the slow part)."""
    problems = []
    if sweep.baseline and sweep.baseline != "baseline" and sweep.baseline not in sweep.scenarios:
        problems.append(f"baseline: {sweep.baseline!r} is not one of the scenarios ({', '.join(sweep.scenarios)})")
    if sweep.design != "grid" and sweep.samples is None:
        problems.append(f"samples: a {sweep.design} design needs the number of samples")
    if sweep.design in ("sobol", "saltelli") and sweep.samples and sweep.samples & (sweep.samples - 1):
        power = 2 ** math.ceil(math.log2(sweep.samples))
        problems.append(f"samples: a {sweep.design} design needs a power of two (e.g. {power}); got {sweep.samples}")
    if sweep.design == "grid" and sweep.samples is not None:
        problems.append("samples: a grid has no samples; give values or levels per factor")
    factors = list(sweep.factors.items())
    for i, (name, factor) in enumerate(factors):
        if len(problems) >= MAX_LISTED:
            rest = sum(1 if n not in PARAMETERS else len(_check_factor(sweep, n, f)) for n, f in factors[i:])
            return problems[:MAX_LISTED], len(problems) - MAX_LISTED + rest   # (counted without hints)
        problems += [f"factors.{name}: {p}" for p in _check_factor(sweep, name, factor)]
    return problems[:MAX_LISTED], max(len(problems) - MAX_LISTED, 0)


def _check_factor(sweep: Sweep, name: str, factor: Factor) -> list[str]:
    param = PARAMETERS.get(name)
    if param is None:
        return [f"unknown setting.{closest(name, list(PARAMETERS))} Factors are model settings,"
                " see `cakupan parameters`"]
    if param.type != "number":
        return [f"only numeric settings can be swept; {name} is a {param.type} setting"]
    problems = []
    low, high = param.bounds
    lo = low if factor.min is None else factor.min     # this factor's range alone: another
    hi = high if factor.max is None else factor.max    # factor's name may be unknown
    if not low <= lo < hi <= high:
        problems.append(f"range [{lo:g}, {hi:g}] must have min < max within the allowed {low:g} to {high:g}"
                        f" ({param.unit})")
    if factor.values is not None:
        if sweep.design != "grid":
            problems.append(f"values are for grid designs; a {sweep.design} design samples between min and max")
        bad = [v for v in factor.values if not low <= v <= high]
        if bad:
            problems.append(f"values {bad} are outside the allowed {low:g} to {high:g} ({param.unit})")
    if factor.levels is not None and sweep.design != "grid":
        problems.append(f"levels are for grid designs; a {sweep.design} design samples between min and max")
    if (factor.start or factor.end) and not param.is_lever:
        problems.append("from/to apply to levers only (uncertain parameters are constant)")
    if factor.start and factor.end and months.ordinal(factor.start) > months.ordinal(factor.end):
        problems.append(f"'from' ({factor.start}) is after 'to' ({factor.end})")
    return problems


# ---------------------------------------------------------------- running
def sweep(spec: Sweep | str | Path, out: str | Path | None = None, executor=None,
          progress: bool | None = None, yes: bool = False) -> Results:
    """Run a sweep (a Sweep or a sweep file path); with `out`, resumable in that folder.
    `yes` confirms a design above limits.CONFIRM_RUNS runs."""
    spec = spec if isinstance(spec, Sweep) else load_sweep(spec)
    refs = [spec.directory / s if is_path(s) else s for s in spec.scenarios]
    scenarios = as_scenarios(refs)
    _check_windows(spec, scenarios)
    _check_size(spec, scenarios, executor, yes)
    points = spec.points()
    overrides = {k: v for k, v in {"scale": spec.scale, "horizon": spec.horizon,
                                   "decision_month": spec.decision_month}.items() if v is not None}
    specs = plan(scenarios, spec.replicates, spec.seed, [(p, spec.settings(p)) for p in points],
                 overrides, baseline=spec.baseline or None)
    details = {"description": spec.description, "baseline": spec.baseline, "replicates": spec.replicates,
               "seed": spec.seed,
               "seeds": replicate_seeds(spec.seed, spec.replicates), "overrides": overrides,
               "design": spec.describe()}
    return experiment("sweep", spec.name, scenarios, specs, out, executor, progress, details, yes)


def _check_windows(spec: Sweep, scenarios: list) -> None:
    """A lever factor's from/to must overlap the simulated months of every scenario."""
    for name, factor in spec.factors.items():
        if not (factor.start or factor.end):
            continue
        for scenario in scenarios:
            month0 = data.data_set(scenario.data_set).month0
            idle = idle_windows([{"from": factor.start, "to": factor.end}], month0, spec.horizon or scenario.horizon)
            if idle:
                raise SweepError(f"invalid sweep:\n  factors.{name}: from/to: {idle} (scenario {scenario.name})")


def _check_size(spec: Sweep, scenarios: list, executor, yes: bool) -> None:
    """The design's size against experiments/limits.py before its points are built."""
    limits.check_replicates(spec.replicates)
    first = scenarios[0]
    scale = limits.check_scale(spec.scale or first.scale, first.data_set)
    n_months = limits.check_horizon(spec.horizon or first.horizon, first.data_set)
    workers = executor.workers if executor else os.cpu_count() or 1
    limits.check_runs(spec.size() * len(scenarios) * spec.replicates, scale, n_months, workers, yes)
