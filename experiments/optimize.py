"""What it takes to reach a target: search lever values for the cheapest plans (Pareto front of
yearly spend against an objective), with Optuna, on the existing runner and executors.

    problem = load_problem("reach_50")            # a built-in name or a problem .toml file
    outcome = optimize(problem, out="results/opt") # resumable in that folder
    outcome.recommended, outcome.front, outcome.by_regency, outcome.sensitivity

Method (docs/optimize.md): every candidate is a scenario (the problem's base with the moving
levers set); replicate r of every candidate runs with seed r and parameter draw r of the
ensemble (paired, and robust across plausible worlds; `uncertainty`). The search evaluates
each candidate on the first rung (small scale, few replicates); the most promising share is
re-evaluated on each next rung (larger scale, more replicates: successive halving), and only
the last rung's numbers are reported, so noise at small scale cannot pick the winner.
Constraints (budgets by payer, no regency below its status quo, P(target) >= p) are Optuna
constraints: a violating plan is never on the reported front. The study lives in memory;
evaluations.jsonl (metrics and parameters, one write per batch) is the stored state a rerun
replays.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NoReturn

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from experiments import limits
from experiments import summary as stats
from experiments.errors import InputFileError, UserError, parse_toml, read_text_file
from experiments.runner import RunSpec, execute, plan
from experiments.scenario import Problem as Located
from experiments.scenario import Scenario, _line_of, is_path, load_scenario
from model import data, months
from model.parameters import PARAMETERS
from model.settings import dotted

GOALS = ("min_spend", "max_coverage", "max_p_target")
LOCAL_SPEND = ("spend_subsidy_idr",)
"""Spend paid by local governments (regency subsidy budgets and the province's palm fund); every
other spend item (agents, campaigns, villages, firms, pilots) is the office's."""
STATUS_QUO = -1
"""Trial number under which the base scenario's own evaluations are recorded."""
MAX_TRIALS = 5000


class ProblemError(UserError, ValueError):
    """An invalid problem file: each problem with its file, line and key."""

    def __init__(self, problems: list[Located]):
        self.problems = problems
        super().__init__("invalid optimisation problem:\n" + "\n".join(f"  {p}" for p in problems))


class Stopped(UserError, RuntimeError):
    """The search was stopped (cancel in the app, Ctrl-C); what finished is saved."""


# ---------------------------------------------------------------- the problem file
Fail = Callable[[tuple, str], NoReturn]
"""Raises the ProblemError of one key (path) of the file being checked."""
_STRICT = ConfigDict(extra="forbid", strict=True)


class _Objective(BaseModel):
    model_config = _STRICT
    goal: Literal["min_spend", "max_coverage", "max_p_target"] = "min_spend"
    month: str = Field(default=stats.TARGET_MONTH, pattern=months.PATTERN)
    target: float = Field(default=stats.TARGET_COVERAGE, gt=0, le=1)
    probability: float = Field(default=0.5, gt=0, le=1)
    statistic: Literal["mean"] | float = "mean"
    uncertainty: Literal["chance", "parameters", "both"] = "both"


class _Budget(BaseModel):
    model_config = _STRICT
    total_idr: float | None = Field(default=None, ge=0)
    office_idr: float | None = Field(default=None, ge=0)
    local_idr: float | None = Field(default=None, ge=0)


class _Lever(BaseModel):
    model_config = _STRICT
    low: float | None = None
    high: float | None = None
    by_regency: bool = False


class _Constraints(BaseModel):
    model_config = _STRICT
    no_regency_below_status_quo: bool = False
    regency_tolerance: float = Field(default=0.0, ge=0, le=1)


class _Rung(BaseModel):
    model_config = _STRICT
    scale: float
    replicates: int


class _Search(BaseModel):
    model_config = _STRICT
    trials: int = 200
    sampler: Literal["nsga2", "tpe"] = "nsga2"
    batch: int | None = Field(default=None, ge=2, le=1000)
    promote: float = Field(default=0.25, gt=0, le=1)
    polish: float = Field(default=0.4, ge=0, lt=1)
    patience: int = Field(default=5, ge=1, le=1000)
    rungs: list[_Rung] = [_Rung(scale=0.005, replicates=2), _Rung(scale=0.01, replicates=4),
                          _Rung(scale=0.02, replicates=8)]
    sensitivity: bool = True
    step: float = Field(default=0.1, gt=0, le=1)


class _Document(BaseModel):
    model_config = _STRICT
    name: str | None = Field(default=None, min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_\-]+$")
    description: str = ""
    base: str = "baseline"
    start: str | None = Field(default=None, pattern=months.PATTERN)
    seed: int = Field(default=1, ge=0, lt=2**32)
    objective: _Objective = Field(default_factory=_Objective)
    budget: _Budget = Field(default_factory=_Budget)
    levers: dict[str, _Lever] | None = None
    constraints: _Constraints = Field(default_factory=_Constraints)
    search: _Search = Field(default_factory=_Search)


@dataclass(frozen=True)
class Lever:
    """One moving lever: its bounds and whether each regency gets its own value."""

    name: str
    low: float
    high: float
    by_regency: bool = False

    @property
    def integer(self) -> bool:
        return PARAMETERS[self.name].integer


@dataclass(frozen=True)
class Rung:
    scale: float
    replicates: int


@dataclass(frozen=True)
class OptProblem:
    """A checked problem file (see docs/optimize.md for each field)."""

    name: str
    description: str
    base: Scenario
    start: str | None
    seed: int
    goal: str
    month: str
    target: float
    probability: float
    statistic: str | float
    uncertainty: str
    budget: dict[str, float | None]
    levers: tuple[Lever, ...]
    no_regency_below_status_quo: bool
    regency_tolerance: float
    trials: int
    sampler: str
    batch: int | None
    promote: float
    polish: float
    patience: int
    rungs: tuple[Rung, ...]
    sensitivity: bool
    step: float
    text: str = ""

    @property
    def n_months(self) -> int:
        return months.index(self.month, data.data_set(self.base.data_set).month0)

    def runs(self) -> int:
        """Runs the search plans at most (every rung, the status quo, the sensitivity)."""
        n, total = self.trials, 0
        for rung in self.rungs:
            total += (n + 1) * rung.replicates
            n = promoted(n, self.promote)
        if self.sensitivity:
            total += 2 * len(self.levers) * self.rungs[-1].replicates
        return total


def promoted(n: int, share: float) -> int:
    """Candidates kept for the next rung: the share, at least 3 (or all when fewer)."""
    return min(n, max(3, math.ceil(n * share)))


def problem_names() -> list[str]:
    folder = resources.files("experiments").joinpath("problems")
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def load_problem(ref: str | Path) -> OptProblem:
    """A problem from a built-in name ("reach_50") or a TOML file path."""
    if is_path(ref):
        path = Path(ref)
        try:   # a regular file, at most 1 MB, UTF-8: the same door as scenario and sweep files
            text = read_text_file(path, "problem")
        except InputFileError as problem:
            raise ProblemError([Located(problem.path, problem.line, "", problem.message)]) from None
        return parse_problem(text, str(ref), path.parent)
    if ref not in problem_names():
        raise ProblemError([Located(str(ref), None, "", "unknown built-in problem; built-ins: "
                                    f"{', '.join(problem_names())} (or give a path to a .toml file)")])
    text = resources.files("experiments").joinpath("problems", f"{ref}.toml").read_text(encoding="utf-8")
    return parse_problem(text, f"{ref} (built-in)")


def parse_problem(text: str, source: str = "<text>", directory: Path | None = None) -> OptProblem:
    """Check a problem file's text: structure, lever names and bounds, limits; errors name the
    file, line and key."""
    try:
        raw = parse_toml(text)      # also refuses nesting deeper than errors.MAX_NESTING
    except ValueError as error:
        raise ProblemError([Located(source, None, "", f"not valid TOML: {error}")]) from None
    try:
        doc = _Document.model_validate(raw)
    except ValidationError as error:
        raise ProblemError([_located(text, source, e) for e in error.errors()]) from None

    def fail(path: tuple, message: str) -> NoReturn:
        raise ProblemError([Located(source, _line_of(text, path), dotted(path), message)])

    base = _base(doc.base, directory, fail)
    month0 = data.data_set(base.data_set).month0
    _limit(fail, ("objective", "month"), limits.check_horizon, doc.objective.month, base.data_set)
    if doc.start and not months.ordinal(month0) < months.ordinal(doc.start) <= months.ordinal(doc.objective.month):
        fail(("start",), f"{doc.start} must be after month 0 ({month0}) and no later than the "
                         f"objective's month ({doc.objective.month})")
    statistic = doc.objective.statistic
    if statistic != "mean" and not 0 < statistic < 1:
        fail(("objective", "statistic"), f"{statistic!r}: allowed: \"mean\" or a quantile between 0 and 1")
    _limit(fail, ("search", "trials"), limits.check_count, doc.search.trials, 1, MAX_TRIALS, "search.trials")
    rungs = _rungs(doc.search.rungs, base.data_set, fail)
    levers = _levers(doc.levers, fail)
    name = doc.name or (Path(source).stem if source.endswith(".toml") else "plan")
    return OptProblem(
        name=name, description=doc.description, base=base, start=doc.start, seed=doc.seed,
        goal=doc.objective.goal, month=doc.objective.month, target=doc.objective.target,
        probability=doc.objective.probability, statistic=statistic,
        uncertainty=doc.objective.uncertainty,
        budget=doc.budget.model_dump(), levers=levers,
        no_regency_below_status_quo=doc.constraints.no_regency_below_status_quo,
        regency_tolerance=doc.constraints.regency_tolerance, trials=doc.search.trials,
        sampler=doc.search.sampler, batch=doc.search.batch, promote=doc.search.promote,
        polish=doc.search.polish, patience=doc.search.patience, rungs=rungs,
        sensitivity=doc.search.sensitivity, step=doc.search.step, text=text)


def _located(text: str, source: str, error: Mapping[str, Any]) -> Located:
    path = tuple(p for p in error["loc"] if not (isinstance(p, str) and (
        p.startswith("function-") or p in ("str", "float", "int", "literal['mean']", "constrained-str"))))
    message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
    return Located(source, _line_of(text, path), dotted(path), f"{message}; got {error['input']!r}")


def _limit(fail: Fail, path: tuple, check: Callable[..., Any], *args: Any) -> Any:
    try:
        return check(*args)
    except limits.LimitError as error:
        fail(path, str(error))


def _base(ref: str, directory: Path | None, fail: Fail) -> Scenario:
    try:
        if is_path(ref) and directory is not None and not Path(ref).is_absolute():
            ref = str(directory / ref)
        return load_scenario(ref)
    except UserError as error:
        fail(("base",), str(error))


def _rungs(rungs: list[_Rung], data_set: str, fail: Fail) -> tuple[Rung, ...]:
    if not rungs:
        fail(("search", "rungs"), "at least one rung {scale, replicates} is needed")
    out: list[Rung] = []
    for i, rung in enumerate(rungs):
        scale = _limit(fail, ("search", "rungs"), limits.check_scale, rung.scale, data_set, f"search.rungs[{i}].scale")
        reps = _limit(fail, ("search", "rungs"), limits.check_replicates, rung.replicates,
                      limits.MAX_REPLICATES, f"search.rungs[{i}].replicates")
        if out and (scale < out[-1].scale or reps < out[-1].replicates):
            fail(("search", "rungs"), f"search.rungs[{i}]: each rung needs at least the previous "
                                      "rung's scale and replicates (the seeds are shared)")
        out.append(Rung(scale, reps))
    return tuple(out)


def movable() -> list[str]:
    """Levers the search can move: the registry's number levers."""
    return [n for n, p in PARAMETERS.items() if p.is_lever and p.type == "number"]


def _levers(given: dict[str, _Lever] | None, fail: Fail) -> tuple[Lever, ...]:
    """The moving levers; none given: every movable lever in its registry range, the subsidy
    budgets per regency."""
    if given is None:
        return tuple(Lever(n, *PARAMETERS[n].bounds, by_regency=PARAMETERS[n].spread == "subsidy")
                     for n in movable())
    if not given:
        fail(("levers",), f"name at least one lever; allowed: {', '.join(movable())}")
    out = []
    for name, spec in given.items():
        if name not in movable():
            fail(("levers", name), f"{name!r} is not a lever the search can move; allowed: {', '.join(movable())}")
        param = PARAMETERS[name]
        low = param.bounds[0] if spec.low is None else spec.low
        high = param.bounds[1] if spec.high is None else spec.high
        if not param.bounds[0] <= low <= high <= param.bounds[1]:
            fail(("levers", name), f"bounds {low:g} to {high:g}: allowed: low <= high within "
                                   f"{param.bounds[0]:g} to {param.bounds[1]:g} ({param.unit})")
        if spec.by_regency and param.spread is None:
            fail(("levers", name, "by_regency"), f"{name} is a rate that applies in every regency; "
                                                  "by_regency is allowed only for counts and budgets")
        out.append(Lever(name, float(low), float(high), spec.by_regency))
    return tuple(out)


# ---------------------------------------------------------------- candidates
def regency_names() -> list[str]:
    return list(data.regencies()["regency"])


def space(problem: OptProblem) -> dict[str, tuple[float, float, bool]]:
    """Optuna parameter name -> (low, high, integer): one per lever, or per (lever, regency)."""
    out = {}
    for lever in problem.levers:
        keys = [f"{lever.name}[{r}]" for r in regency_names()] if lever.by_regency else [lever.name]
        out.update({k: (lever.low, lever.high, lever.integer) for k in keys})
    return out


def lever_values(problem: OptProblem, params: dict[str, float]) -> dict[str, Any]:
    """Model settings of a candidate from its Optuna parameters (regency tables as tables)."""
    out: dict[str, Any] = {}
    for lever in problem.levers:
        if lever.by_regency:
            out[lever.name] = {r: _value(lever, params[f"{lever.name}[{r}]"]) for r in regency_names()}
        else:
            out[lever.name] = _value(lever, params[lever.name])
    return out


def _value(lever: Lever, x: float) -> float:
    """Clipped to the bounds and rounded to 4 significant digits (readable scenario files)."""
    x = min(max(float(x), lever.low), lever.high)
    return float(round(x)) if lever.integer else float(f"{x:.4g}")


def scenario_of(problem: OptProblem, settings: dict[str, Any], rung: Rung, label: str,
                description: str = "") -> Scenario:
    """The candidate as a scenario file's content: what `cakupan run` and Compare accept."""
    base = problem.base.override(scale=rung.scale, horizon=problem.month, seed=problem.seed,
                                 start=problem.start)
    return base.with_settings(**settings).model_copy(update={
        "name": label, "description": description or f"Candidate plan of {problem.name}",
        "rationale": f"Found by `cakupan optimize` ({problem.name}); evaluated at scale "
                     f"{rung.scale:g} with {rung.replicates} replicates."})


def status_quo_params(problem: OptProblem) -> dict[str, float]:
    """The base scenario's own lever values as search parameters (clipped to the bounds), so
    the status quo is the first candidate; a lever given as windows starts at its low bound."""
    settings = {**{n: PARAMETERS[n].default for n in movable()}, **problem.base.settings}
    out = {}
    for lever in problem.levers:
        value = settings[lever.name]
        if lever.by_regency:
            table = value if isinstance(value, dict) else {}
            for r in regency_names():
                out[f"{lever.name}[{r}]"] = _value(lever, table.get(r, lever.low))
        else:
            out[lever.name] = _value(lever, value if isinstance(value, (int, float)) else lever.low)
    return out


def distributions(dims: dict[str, tuple[float, float, bool]]) -> dict[str, Any]:
    """Optuna distributions of the search space (integers for count levers)."""
    from optuna.distributions import FloatDistribution, IntDistribution

    return {k: IntDistribution(int(math.ceil(low)), int(math.floor(high))) if integer else FloatDistribution(low, high)
            for k, (low, high, integer) in dims.items()}


def _values(problem: OptProblem, m: Metrics) -> list[float]:
    """The study's two objectives: yearly spend (Rp billion, minimised) and the objective."""
    return [m["spend_year_idr"] / 1e9, objective_value(problem, m)]


# ---------------------------------------------------------------- evaluating candidates
Metrics = dict[str, float]
Evaluator = Callable[[list[Scenario], Rung], list[Metrics]]


class ModelEvaluator:
    """Runs candidates on an executor and turns the tables into metrics. Replicate r runs as
    `cakupan run --uncertainty U` runs it (runner.plan): with the problem's `uncertainty` "both"
    (the default), seed r and parameter draw r of the ensemble, so every candidate faces the
    same worlds (paired) and the statistics are over replicate x draw. `draws` replaces the
    ensemble's draws (draw r % len(draws) for replicate r; tests and other ensembles)."""

    def __init__(self, problem: OptProblem, executor=None, draws: Sequence[dict[str, Any]] | None = None):
        from experiments.executors import SerialExecutor

        self.problem, self.executor, self.draws = problem, executor or SerialExecutor(), draws
        self.status_quo: dict[Rung, pd.Series] = {}

    def specs(self, scenario: Scenario, rung: Rung) -> list[RunSpec]:
        """Paired runs of one candidate: the same seeds and draws for every candidate. A value
        the scenario sets itself (a moving lever, the base's settings) is never replaced by a
        draw, as in runner.plan."""
        uncertainty = "chance" if self.draws is not None else self.problem.uncertainty
        specs = plan([scenario], rung.replicates, self.problem.seed, uncertainty=uncertainty)
        draws = self.draws
        if not draws:
            return specs
        out = []
        for spec in specs:
            world = {k: v for k, v in draws[spec.replicate % len(draws)].items()
                     if k not in scenario.settings}
            out.append(dataclasses.replace(spec, kwargs={**spec.kwargs, **world}, draw=spec.replicate))
        return out

    def __call__(self, scenarios: list[Scenario], rung: Rung) -> list[Metrics]:
        if rung not in self.status_quo and self.problem.no_regency_below_status_quo:
            base = scenario_of(self.problem, {}, rung, "status_quo")
            self.status_quo[rung] = self.regency_coverage(self.run([base], rung)[0])
        return [self.metrics(tables, rung) for tables in self.run(scenarios, rung)]

    def run(self, scenarios: list[Scenario], rung: Rung) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
        specs = [s for scenario in scenarios for s in self.specs(scenario, rung)]
        results, _ = execute(specs, self.executor, progress=False, label="candidates")
        failed = [r for r in results if r.error]
        if failed:
            raise RuntimeError(f"{len(failed)} candidate runs failed; first: {failed[0].error}")
        by_name: dict[str, list[tuple[pd.DataFrame, pd.DataFrame]]] = {}
        for result in results:
            if result.outputs is None or result.regency is None:     # only a failed run has none
                raise RuntimeError(f"candidate run {result.key} returned no tables")
            by_name.setdefault(result.outputs["scenario"].iat[0], []).append((result.outputs, result.regency))
        return [(pd.concat([o for o, _ in by_name[s.name]], ignore_index=True),
                 pd.concat([r for _, r in by_name[s.name]], ignore_index=True)) for s in scenarios]

    def regency_coverage(self, tables: tuple[pd.DataFrame, pd.DataFrame]) -> pd.Series:
        regency = tables[1]
        return regency[regency["month"] == self.problem.month].groupby("regency")["coverage"].mean()

    def metrics(self, tables: tuple[pd.DataFrame, pd.DataFrame], rung: Rung) -> Metrics:
        table = tables[0]
        out = outcome_metrics(self.problem, table)
        if self.problem.no_regency_below_status_quo:
            gap = self.status_quo[rung] - self.regency_coverage(tables)
            out["regency_shortfall"] = float(max(0.0, gap.max()))
        return out


def outcome_metrics(problem: OptProblem, table: pd.DataFrame) -> Metrics:
    """Per candidate: coverage at the month (the problem's statistic, the mean and the
    1-p quantile), P(target), and yearly spend in total and by payer (means over replicates)."""
    rows = stats.per_replicate(table, problem.month, problem.target, baseline=None)
    upto = table[table["month"].map(months.ordinal) <= months.ordinal(problem.month)]
    per_rep = upto.groupby("replicate")
    yearly = 12.0 / problem.n_months
    local = sum(per_rep[c].sum() for c in LOCAL_SPEND) if all(c in upto for c in LOCAL_SPEND) else 0.0
    total = per_rep["spend_idr"].sum()
    coverage = rows["coverage"].to_numpy(float)
    statistic = coverage.mean() if problem.statistic == "mean" else np.quantile(coverage, float(problem.statistic))
    return {
        "coverage": float(statistic),
        "coverage_mean": float(coverage.mean()),
        "coverage_at_p": float(np.quantile(coverage, 1 - problem.probability)),
        "p_target": float(rows["reached_target"].mean()),
        "spend_year_idr": float(total.mean() * yearly),
        "local_year_idr": float(np.mean(local) * yearly),
        "office_year_idr": float((total - local).mean() * yearly),
        "replicates": int(len(rows)),
    }


def objective_value(problem: OptProblem, m: Metrics) -> float:
    """What the front plots against spend: P(target) when the goal is P, else coverage."""
    return m["p_target"] if problem.goal == "max_p_target" else m["coverage"]


def violations(problem: OptProblem, m: Metrics) -> dict[str, float]:
    """Optuna constraints (<= 0 is satisfied), scaled so they are comparable: budgets as a share
    of the budget, coverage gaps in coverage points. For min_spend the target enters as the
    coverage quantile 1-p (graded, so the search is guided toward it); the report then checks
    P(target) >= p itself."""
    out = {}
    for payer in ("total", "office", "local"):
        cap = problem.budget[f"{payer}_idr"]
        if cap is not None:
            spend = m["spend_year_idr" if payer == "total" else f"{payer}_year_idr"]
            out[f"{payer}_budget"] = (spend - cap) / max(cap, 1.0)
    if problem.no_regency_below_status_quo:
        out["regency"] = m.get("regency_shortfall", 0.0) - problem.regency_tolerance
    if problem.goal == "min_spend":
        out["target"] = problem.target - m["coverage_at_p"]
    return out


def feasible(problem: OptProblem, m: Metrics) -> bool:
    """Within every constraint; for min_spend, P(target) >= p measured over the replicates."""
    ok = all(v <= 1e-12 for k, v in violations(problem, m).items() if k != "target")
    return ok and (problem.goal != "min_spend" or m["p_target"] >= problem.probability - 1e-12)


# ---------------------------------------------------------------- progress
@dataclass
class Progress:
    """What the CLI's and the app's progress shows: the phase, candidates evaluated of those
    planned, seconds so far and left (from the work done so far), and the front at this rung."""

    phase: str
    done: int
    total: int
    seconds: float
    seconds_left: float | None
    front: pd.DataFrame = field(default_factory=pd.DataFrame)


class _Clock:
    """Time left from work units (each rung's runs weighted by limits' run-time model) done so far."""

    def __init__(self, problem: OptProblem):
        self.problem, self.start, self.done_units, self.done_before = problem, time.perf_counter(), 0.0, 0.0
        self.plan(problem.trials)

    def plan(self, trials: int) -> None:
        """The work of a search of `trials` candidates (again with the count searched, when the
        local search converged before problem.trials)."""
        problem, n = self.problem, trials
        self.total_units = 0.0
        for rung in problem.rungs:
            self.total_units += self.units(n, rung)     # (the status quo's runs are not counted)
            n = promoted(n, problem.promote)
        if problem.sensitivity:
            self.total_units += self.units(2 * len(problem.levers), problem.rungs[-1])

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


# ---------------------------------------------------------------- the search
@dataclass
class Outcome:
    """The report: every candidate of the last rung, its front, the recommended plan (or the
    closest when the target cannot be reached), its levers by regency and its sensitivity."""

    problem: OptProblem
    candidates: pd.DataFrame
    front: pd.DataFrame
    recommended: dict[str, Any] | None
    reachable: bool
    closest: pd.DataFrame
    scenarios: dict[int, Scenario]
    by_regency: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    folder: Path | None = None

    def message(self) -> str:
        """The verdict, then which statistic it reports."""
        return f"{self.verdict()}\n{statistic_note(self.problem)}"

    def verdict(self) -> str:
        p = self.problem
        if self.recommended is None:
            return "no candidate satisfies the budget and constraints; the closest plans are listed"
        r = self.recommended
        if p.goal == "min_spend":
            if not self.reachable:
                return (f"{p.target:.0%} by {p.month} with probability {p.probability:.0%} cannot be "
                        f"reached within the budget and bounds; the closest plans are listed "
                        f"(best: P = {r['p_target']:.0%}, coverage {r['coverage_mean']:.1%})")
            return (f"cheapest plan reaching {p.target:.0%} by {p.month} with P >= {p.probability:.0%}: "
                    f"trial {r['trial']}, Rp {r['spend_year_idr'] / 1e9:,.1f} billion a year, "
                    f"P = {r['p_target']:.0%}, coverage {r['coverage_mean']:.1%}")
        return (f"best plan within the budget: trial {r['trial']}, {objective_label(p)} "
                f"{r['objective']:.3g}, Rp {r['spend_year_idr'] / 1e9:,.1f} billion a year")


WORLDS = {"both": "seed r and parameter draw r of the ensemble",
          "parameters": "parameter draw r of the ensemble, one seed",
          "chance": "seed r at the calibrated parameter values"}


def statistic_note(problem: OptProblem) -> str:
    """Which statistic the numbers are, over which replicates (the CLI's and summary.json's)."""
    last = problem.rungs[-1]
    stat = "mean" if problem.statistic == "mean" else f"{problem.statistic:g} quantile"
    return (f"P(target) = share of the last rung's {last.replicates} replicates at or above {problem.target:.0%} at "
            f"{problem.month}; coverage = their {stat}; spend = their mean (replicate r: "
            f"{WORLDS[problem.uncertainty]}). Budgets are ceilings: spend is what is paid out.")


def objective_label(problem: OptProblem) -> str:
    if problem.goal == "max_p_target":
        return f"P({problem.target:.0%} by {problem.month})"
    stat = "mean" if problem.statistic == "mean" else f"q{problem.statistic:g}"
    return f"coverage at {problem.month} ({stat})"


def optimize(problem: OptProblem, out: str | Path | None = None, executor=None,
             evaluator: Evaluator | None = None, draws: Sequence[dict[str, Any]] | None = None,
             on_progress: Callable[[Progress], None] | None = None,
             stop: Callable[[], bool] | None = None) -> Outcome:
    """Search, re-evaluate the promising on each rung, and report; resumable in `out`.

    `evaluator` replaces the model (tests use an analytic one); `draws` are parameter draws
    applied to replicate r (the parameter ensemble); `stop` is polled between batches."""
    import optuna
    from filelock import FileLock, Timeout

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    evaluator = evaluator or ModelEvaluator(problem, executor, draws)
    workers = getattr(executor, "workers", 1) or 1
    batch = problem.batch or max(8, 2 * workers)
    folder = Path(out) if out is not None else None
    lock = None
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(folder / ".optimize.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise UserError(f"{folder} is in use by another `cakupan optimize`; wait for it or "
                            "choose another folder") from None
    try:
        search = _Run(problem, folder, evaluator, batch, on_progress, stop)
        return search.run()
    finally:
        if lock:
            lock.release()


class _Run:
    """One invocation of the search (state: the study, the evaluation log, the clock)."""

    def __init__(self, problem, folder, evaluator, batch, on_progress, stop):
        self.problem, self.folder, self.evaluate, self.batch = problem, folder, evaluator, batch
        self.on_progress, self.stop = on_progress, stop or (lambda: False)
        self.clock = _Clock(problem)
        self.log = _Log(folder / "evaluations.jsonl" if folder else None, problem)
        self.dims = space(problem)
        self.dists = distributions(self.dims)
        self.study = self._study()

    def _study(self):
        """An Optuna study in memory, replaying the candidates of evaluations.jsonl (their
        parameters and first-rung metrics): the log is the one stored state, written once per
        batch (a journal storage wrote and fsynced every parameter of every candidate)."""
        import optuna

        p = self.problem
        if self.folder:
            self._check_problem()
        if p.sampler == "nsga2":
            sampler: optuna.samplers.BaseSampler = optuna.samplers.NSGAIISampler(population_size=self.batch,
                                                                                 seed=p.seed)
        else:
            sampler = optuna.samplers.TPESampler(seed=p.seed, multivariate=True, constant_liar=True,
                                                 n_startup_trials=max(10, self.batch))
        study = optuna.create_study(study_name=p.name, sampler=sampler, directions=["minimize", "maximize"])
        for number in sorted(self.log.params):
            m = self.log.metrics.get((number, 0))
            if number != len(study.trials) or m is None:
                break        # a gap (a damaged line): the rest is searched again
            study.add_trial(optuna.trial.create_trial(
                params=self.log.params[number], distributions=self.dists, values=_values(p, m),
                constraints=violations(p, m)))
        self.log.forget(from_trial=len(study.trials))
        return study

    def _check_problem(self) -> None:
        """Only search.trials may change between runs into one folder (problem.json)."""
        assert self.folder is not None
        path = self.folder / "problem.json"
        if not path.exists() and (self.folder / "study.log").exists():
            raise UserError(f"{self.folder} holds a search of an older cakupan (study.log); choose another "
                            "folder (or delete it to start over)")
        if path.exists() and path.read_text(encoding="utf-8") != fingerprint(self.problem):
            raise UserError(f"{self.folder} holds a search of another problem; choose another "
                            "folder (or delete it to start over). Only search.trials may change "
                            "between runs into one folder")
        _atomic(path, fingerprint(self.problem))

    def run(self) -> Outcome:
        p = self.problem
        rung0 = p.rungs[0]
        done = len(self.study.trials)           # the candidates replayed from the log
        if not done:
            self.study.enqueue_trial(status_quo_params(p))
        self.clock.add(done, rung0, ran=False)
        local_from, step, best, stalled = int(p.trials * (1 - p.polish)), 0.1, None, 0
        converged = self.log.converged == p.trials
        while done < p.trials and not converged:
            self._check_stop()
            n = min(self.batch, p.trials - done)
            if done >= local_from:
                incumbent = self.log.incumbent(0)
                if incumbent is not None and best is not None:
                    stalled = stalled + 1 if incumbent == best else 0
                    step = max(step / 2, 1e-3) if incumbent == best else min(step * 1.5, 0.3)
                best = incumbent
                if stalled >= p.patience:
                    converged = True         # `patience` batches of the local search found nothing better
                    self.log.add_converged(p.trials)
                    break
                if incumbent is not None:
                    for x in neighbours(self.dims, self.log.params[incumbent], step, n, p.seed + done):
                        self.study.enqueue_trial(x)
            trials = [self.study.ask(self.dists) for _ in range(n)]
            self._tell(trials, [t.params for t in trials], rung0)
            done += n
        self.clock.plan(done)
        candidates = {n: self.log.params[n] for n in range(done)}
        ranked = [t for t in self.log.ranking(0) if t in candidates]
        for level, rung in enumerate(p.rungs[1:], 1):
            ranked = ranked[:promoted(len(ranked), p.promote)]
            self._evaluate_logged(ranked, candidates, rung, level)
            ranked = [t for t in self.log.ranking(level) if t in ranked]
        return self._report(candidates, len(p.rungs) - 1)

    def _tell(self, trials, params, rung0: Rung) -> None:
        p = self.problem
        scenarios = [scenario_of(p, lever_values(p, x), rung0, _label(p, t.number))
                     for t, x in zip(trials, params, strict=True)]
        metrics = self.evaluate(scenarios, rung0)
        self.log.add_many([(t.number, 0, m, x) for t, x, m in zip(trials, params, metrics, strict=True)])
        for trial, m in zip(trials, metrics, strict=True):
            for key, value in violations(p, m).items():
                trial.set_constraint(key, value)
            self.study.tell(trial.number, _values(p, m))
        self.clock.add(len(trials), rung0)
        self._progress("search", 0)

    def _evaluate_logged(self, numbers: list[int], candidates, rung: Rung, level: int) -> None:
        p = self.problem
        todo = [n for n in numbers if (n, level) not in self.log.metrics]
        self.clock.add(len(numbers) - len(todo), rung, ran=False)
        for i in range(0, len(todo), self.batch):
            self._check_stop()
            chunk = todo[i:i + self.batch]
            scenarios = [scenario_of(p, lever_values(p, candidates[n]), rung, _label(p, n)) for n in chunk]
            self.log.add_many([(n, level, m, None) for n, m in zip(chunk, self.evaluate(scenarios, rung), strict=True)])
            self.clock.add(len(chunk), rung)
            self._progress(f"re-evaluation {level}/{len(p.rungs) - 1}", level)

    def _check_stop(self) -> None:
        if self.stop():
            raise Stopped("stopped; what finished is saved" + (
                f" in {self.folder}: run the same command to resume" if self.folder else ""))

    def _progress(self, phase: str, level: int) -> None:
        if not self.on_progress:
            return
        elapsed, left = self.clock.left()
        done = self.clock.done_units
        self.on_progress(Progress(phase, round(done, 6), round(self.clock.total_units, 6), elapsed, left,
                                  self.log.front(level)))

    def _report(self, candidates: dict[int, dict], level: int) -> Outcome:
        p = self.problem
        rung = p.rungs[level]
        table = self.log.table(level)
        scenarios = {int(n): scenario_of(p, lever_values(p, candidates[n]), rung, _label(p, n))
                     for n in table["trial"]}
        front = self.log.front(level)
        ok = table[table["feasible"]]
        if p.goal == "min_spend":
            best = ok.sort_values(["spend_year_idr", "trial"]).head(1)
            reachable = not best.empty
            closest = table.sort_values(["p_target", "coverage_at_p", "spend_year_idr"],
                                        ascending=[False, False, True]).head(5)
            if best.empty:
                best = closest.head(1)
        else:
            best = ok.sort_values(["objective", "spend_year_idr", "trial"], ascending=[False, True, True]).head(1)
            reachable = not best.empty
            closest = table.sort_values(["violation", "objective"], ascending=[True, False]).head(5)
            if best.empty:
                best = closest.head(1)
        recommended = best.iloc[0].to_dict() if not best.empty else None
        outcome = Outcome(p, table, front, recommended, reachable, closest, scenarios, folder=self.folder)
        if recommended is not None:
            plan = scenarios[int(recommended["trial"])]
            outcome.by_regency = by_regency(p, plan)
            if p.sensitivity:
                outcome.sensitivity = self._sensitivity(candidates[int(recommended["trial"])], rung, recommended)
        if self.folder:
            write(outcome, self.folder)
        return outcome

    def _sensitivity(self, params: dict[str, float], rung: Rung, at: dict) -> pd.DataFrame:
        """One lever at a time, down and up by `step` of its range from the recommended plan (a
        regency table moves as a whole): the change in the objective and in yearly spend."""
        p = self.problem
        cached = self.log.sensitivity
        todo, labels = [], []
        for lever in p.levers:
            keys = [k for k in params if k == lever.name or k.startswith(f"{lever.name}[")]
            for sign in (-1, 1):
                moved = {**params, **{k: params[k] + sign * p.step * (lever.high - lever.low) for k in keys}}
                label = f"{lever.name}:{'down' if sign < 0 else 'up'}"
                labels.append((lever.name, sign, label))
                if label not in cached:
                    name = f"{p.name}_{label.replace(':', '_')}"
                    todo.append((label, scenario_of(p, lever_values(p, moved), rung, name)))
        for i in range(0, len(todo), self.batch):
            self._check_stop()
            chunk = todo[i:i + self.batch]
            metrics = self.evaluate([s for _, s in chunk], rung)
            self.log.add_sensitivity([(label, m) for (label, _), m in zip(chunk, metrics, strict=True)])
            self.clock.add(len(chunk), rung)
            self._progress("sensitivity", len(p.rungs) - 1)
        rows: dict[str, dict[str, Any]] = {}
        for name, sign, label in labels:
            m = self.log.sensitivity[label]
            row = rows.setdefault(name, {"lever": name})
            side = "down" if sign < 0 else "up"
            row[f"objective_{side}"] = objective_value(p, m) - at["objective"]
            row[f"spend_year_idr_{side}"] = m["spend_year_idr"] - at["spend_year_idr"]
        table = pd.DataFrame(list(rows.values()))
        table["effect"] = table[["objective_down", "objective_up"]].abs().max(axis=1)
        return table.sort_values("effect", ascending=False, kind="stable").reset_index(drop=True)


def neighbours(dims: dict[str, tuple[float, float, bool]], at: dict[str, float], step: float,
               n: int, seed: int) -> list[dict[str, float]]:
    """The local phase's candidates: the incumbent with one to three parameters moved by a
    normal step (sd = `step` of their range), a (1+n) evolution strategy. TPE finds the region;
    this walks along the constraint's edge, where the cheapest plans lie."""
    rng = np.random.default_rng(seed)
    keys = list(dims)
    out = []
    for _ in range(n):
        x = dict(at)
        for key in rng.choice(keys, size=min(len(keys), int(rng.integers(1, 4))), replace=False):
            low, high, integer = dims[key]
            moved = min(high, max(low, x[key] + rng.normal() * step * (high - low)))
            x[key] = int(round(moved)) if integer else float(moved)
        out.append(x)
    return out


def fingerprint(problem: OptProblem) -> str:
    """What a stored search depends on: everything but the number of trials (more trials
    extend a search; anything else would mix candidates of two problems)."""
    fields = {f.name: getattr(problem, f.name) for f in dataclasses.fields(problem)
              if f.name not in ("trials", "text", "description", "base")}
    return json.dumps({**fields, "base": problem.base.to_toml()}, sort_keys=True, default=str)


def _label(problem: OptProblem, number: int) -> str:
    return f"{problem.name}_{number:04d}"


class _Log:
    """Every evaluation (trial, rung, metrics), appended to evaluations.jsonl so a resumed search
    skips what is done; the ranking and the front of a rung come from it."""

    def __init__(self, path: Path | None, problem: OptProblem):
        self.path, self.problem = path, problem
        self.metrics: dict[tuple[int, int], Metrics] = {}
        self.params: dict[int, dict[str, float]] = {}     # each candidate's search parameters
        self.sensitivity: dict[str, Metrics] = {}
        self.converged: int | None = None                  # search.trials of a search that converged
        if path and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    self._load(json.loads(line))
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue        # a line cut short by a killed process: evaluated again

    def _load(self, row: dict) -> None:
        if "sensitivity" in row:
            self.sensitivity[row["sensitivity"]] = row["metrics"]
        elif "converged" in row:
            self.converged = row["converged"]
        else:
            self.metrics[(row["trial"], row["rung"])] = row["metrics"]
            if "params" in row:
                self.params[row["trial"]] = row["params"]

    def _append(self, rows: list[dict]) -> None:
        """One write and one fsync per batch: a killed process loses at most its last batch."""
        if self.path and rows:
            with self.path.open("a", encoding="utf-8") as f:
                f.write("".join(json.dumps(row) + "\n" for row in rows))
                f.flush()
                os.fsync(f.fileno())

    def add_many(self, rows: list[tuple[int, int, Metrics, dict[str, float] | None]]) -> None:
        """Evaluations (trial, rung, metrics, search parameters or None above the first rung)."""
        lines = []
        for trial, rung, m, params in rows:
            line: dict[str, Any] = {"trial": trial, "rung": rung, "metrics": m}
            if params is not None:
                line["params"] = params
            self._load(line)
            lines.append(line)
        self._append(lines)

    def add_sensitivity(self, rows: list[tuple[str, Metrics]]) -> None:
        lines = [{"sensitivity": label, "metrics": m} for label, m in rows]
        for line in lines:
            self._load(line)
        self._append(lines)

    def add_converged(self, trials: int) -> None:
        """The local search stopped improving: a resumed search with the same trials reports."""
        self._append([{"converged": trials}])
        self.converged = trials

    def forget(self, from_trial: int) -> None:
        """Drop candidates from `from_trial` on (after a gap in the log they are searched again)."""
        self.params = {n: x for n, x in self.params.items() if n < from_trial}
        self.metrics = {k: m for k, m in self.metrics.items() if k[0] < from_trial}

    def table(self, rung: int) -> pd.DataFrame:
        p = self.problem
        rows = [{"trial": t, **m, "objective": objective_value(p, m),
                 "violation": max([0.0, *violations(p, m).values()]), "feasible": feasible(p, m)}
                for (t, r), m in sorted(self.metrics.items()) if r == rung]
        columns = ["trial", "objective", "spend_year_idr", "office_year_idr", "local_year_idr",
                   "coverage", "coverage_mean", "coverage_at_p", "p_target", "violation", "feasible"]
        table = pd.DataFrame(rows)
        if table.empty:
            return pd.DataFrame(columns=columns)
        return table[[*columns, *[c for c in table if c not in columns]]]

    def incumbent(self, rung: int) -> int | None:
        """The best candidate so far within every constraint (for min_spend: the target's
        graded constraint too): the cheapest, or the highest objective for the other goals."""
        table = self.table(rung)
        ok = table[table["violation"] <= 0] if not table.empty else table
        if ok.empty:
            return None
        if self.problem.goal == "min_spend":
            ok = ok.sort_values(["spend_year_idr", "trial"])
        else:
            ok = ok.sort_values(["objective", "spend_year_idr", "trial"], ascending=[False, True, True])
        return int(ok["trial"].iloc[0])

    def ranking(self, rung: int) -> list[int]:
        """Trials best first: within the constraints, then by Pareto layer, then objective."""
        table = self.table(rung)
        if table.empty:
            return []
        table = table.assign(layer=pareto_layers(table["spend_year_idr"].to_numpy(), table["objective"].to_numpy()))
        order = table.sort_values(["violation", "layer", "objective", "spend_year_idr"],
                                  ascending=[True, True, False, True], kind="stable")
        return [int(t) for t in order["trial"]]

    def front(self, rung: int) -> pd.DataFrame:
        """Non-dominated candidates (less spend, more objective) among the feasible of a rung;
        all candidates when none is feasible."""
        table = self.table(rung)
        ok = table[table["feasible"].astype(bool)] if not table.empty else table
        pool = ok if not ok.empty else table
        if pool.empty:
            return pool
        layer = pareto_layers(pool["spend_year_idr"].to_numpy(), pool["objective"].to_numpy())
        return pool[layer == 0].sort_values("spend_year_idr").reset_index(drop=True)


def pareto_layers(spend: np.ndarray, objective: np.ndarray) -> np.ndarray:
    """Non-dominated sorting of (min spend, max objective): layer 0 is the front."""
    n = len(spend)
    layer = np.full(n, -1)
    remaining = set(range(n))
    level = 0
    while remaining:
        current = [i for i in remaining if not any(
            spend[j] <= spend[i] and objective[j] >= objective[i]
            and (spend[j] < spend[i] or objective[j] > objective[i])
            for j in remaining)]
        for i in current:
            layer[i] = level
        remaining -= set(current)
        level += 1
    return layer


# ---------------------------------------------------------------- report
def by_regency(problem: OptProblem, plan: Scenario) -> pd.DataFrame:
    """The plan's moving levers at the objective's month, one row per regency (as the model
    spreads province-wide counts and budgets), next to the status quo."""
    from model import EnrollmentModel

    def values(scenario: Scenario) -> dict[str, np.ndarray]:
        model = EnrollmentModel(**{**scenario.model_kwargs(), "scale": problem.rungs[0].scale})
        return {lever.name: model.lever_values[lever.name][-1] for lever in problem.levers}

    plan_values = values(plan)
    base_values = values(scenario_of(problem, {}, problem.rungs[0], "status_quo"))
    table = pd.DataFrame({"regency": regency_names()})
    for lever in problem.levers:
        table[lever.name] = plan_values[lever.name]
        table[f"{lever.name} (status quo)"] = base_values[lever.name]
    return table


def write(outcome: Outcome, folder: Path) -> None:
    """front.csv, candidates.csv, recommended_by_regency.csv, sensitivity.csv, summary.json and
    one scenario file per front point (plans/), each written by rename (never half a file)."""
    plans = folder / "plans"
    plans.mkdir(exist_ok=True)
    keep = set(outcome.front["trial"].astype(int)) | set(outcome.closest["trial"].astype(int))
    if outcome.recommended is not None:
        keep.add(int(outcome.recommended["trial"]))
    for n in sorted(keep):
        _atomic(plans / f"{outcome.scenarios[n].name}.toml", outcome.scenarios[n].to_toml())
    for name, frame in [("front", outcome.front), ("candidates", outcome.candidates),
                        ("closest", outcome.closest), ("recommended_by_regency", outcome.by_regency),
                        ("sensitivity", outcome.sensitivity)]:
        _atomic(folder / f"{name}.csv", frame.to_csv(index=False))
    summary = {"problem": outcome.problem.name, "message": outcome.message(), "reachable": outcome.reachable,
               "recommended": _plain(outcome.recommended),
               "recommended_file": str(plans / f"{outcome.scenarios[int(outcome.recommended['trial'])].name}.toml")
               if outcome.recommended is not None else None}
    _atomic(folder / "summary.json", json.dumps(summary, indent=2))


def plan_file(outcome: Outcome, trial: int) -> Path | None:
    return outcome.folder / "plans" / f"{outcome.scenarios[trial].name}.toml" if outcome.folder else None


def _plain(row: dict | None) -> dict | None:
    return None if row is None else {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def estimate(problem: OptProblem, workers: int = 1) -> limits.Estimate:
    """Runs, core-seconds and wall time of the whole search at most (limits' run-time model)."""
    clock = _Clock(problem)
    runs = problem.runs()
    return limits.Estimate(runs, clock.total_units, clock.total_units / max(1, workers),
                           _LOG_BYTES * problem.trials)


_LOG_BYTES = 2_000
"""Disk per candidate in a search folder (its lines in evaluations.jsonl, its parameters included)."""
