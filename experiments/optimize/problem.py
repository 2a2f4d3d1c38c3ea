"""The problem file: objective, budgets by payer, moving levers, constraints, search settings.

The file's sections are pydantic models (`Objective`, `Budget`, `Constraints`, `Search`), and the
checked problem (`OptProblem`) holds those same section models: nothing is copied field by
field. Every number is checked for being finite by `model.settings.finite` (the one validator
of every entry point), budgets are capped at MAX_BUDGET_IDR, and errors name the file, line and
key (at most MAX_LISTED of them, then how many more).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from experiments import limits
from experiments import office
from experiments.errors import InputFileError, UserError, parse_toml, read_text_file
from experiments.scenario import Problem as Located
from experiments.keylines import KeyLines
from experiments.scenario import Scenario, is_path, load_scenario
from model import data, months
from model.parameters import PARAMETERS
from model.settings import dotted, finite

GOALS = ("min_spend", "max_coverage", "max_p_target")
MAX_TRIALS = 5000
MAX_BUDGET_IDR = 1e15
"""The largest yearly budget a problem may name: Rp 1,000 trillion, about a third of Indonesia's
whole state budget (APBN 2025: Rp 3,621 trillion), so far above any regional plan; a larger
number is a typing error (and 1e308 bn overflows to inf when turned into rupiah)."""
MAX_LISTED = 20
"""Problems of one file listed at most (each needs its line); the rest are counted."""


class ProblemError(UserError, ValueError):
    """An invalid problem file: each problem with its file, line and key."""

    def __init__(self, problems: list[Located], more: int = 0):
        self.problems = problems
        tail = [f"  ... and {more:,} more problems"] if more else []
        super().__init__("invalid optimisation problem:\n" + "\n".join([*(f"  {p}" for p in problems), *tail]))


@lru_cache(maxsize=4)
def _index(text: str) -> KeyLines:
    return KeyLines(text)


def line_of(text: str, path: tuple) -> int | None:
    """The line of a key path in the file's text: one index per file (built in one pass), so
    reporting n problems is linear in the text plus n."""
    return _index(text).line(path)


def _finite(value: float) -> float:
    return finite(value)


Number = Annotated[float, AfterValidator(_finite)]
"""A float of a problem file: finite (nan, inf and -inf are refused)."""
Fail = Callable[[tuple, str], NoReturn]
"""Raises the ProblemError of one key (path) of the file being checked."""
_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


class Objective(BaseModel):
    model_config = _STRICT
    goal: Literal["min_spend", "max_coverage", "max_p_target"] = "min_spend"
    # Defaults: the base's region's target (office.target), filled in by parse_problem.
    month: str = Field(default_factory=lambda: office.target()[1], pattern=months.PATTERN)
    target: Number = Field(default_factory=lambda: office.target()[0], gt=0, le=1)
    probability: Number = Field(default=0.5, gt=0, le=1)
    statistic: Literal["mean"] | Number = "mean"
    uncertainty: Literal["chance", "parameters", "both"] = "both"


class Budget(BaseModel):
    model_config = _STRICT
    total_idr: Number | None = Field(default=None, ge=0, le=MAX_BUDGET_IDR)
    office_idr: Number | None = Field(default=None, ge=0, le=MAX_BUDGET_IDR)
    local_idr: Number | None = Field(default=None, ge=0, le=MAX_BUDGET_IDR)

    def cap(self, payer: str) -> float | None:
        """The yearly ceiling of a payer ("total", "office", "local"), None: no ceiling."""
        return getattr(self, f"{payer}_idr")


PERIODS = ("once", "budget_year", "half_year")   # a lever's value: one from the decision month, or one per period


class LeverBounds(BaseModel):
    model_config = _STRICT
    low: Number | None = None
    high: Number | None = None
    by_regency: bool = False
    by_region: bool = False          # region = "kanwil": one value per province (the office's split)
    periods: Literal["once", "budget_year", "half_year"] = "once"


class Constraints(BaseModel):
    model_config = _STRICT
    no_regency_below_status_quo: bool = False
    regency_tolerance: Number = Field(default=0.0, ge=0, le=1)


class Rung(BaseModel):
    """One rung of successive halving: the scale and replicates candidates are evaluated at."""

    model_config = _STRICT
    scale: Number
    replicates: int


class Search(BaseModel):
    model_config = _STRICT
    trials: int = 200
    sampler: Literal["nsga2", "tpe"] = "nsga2"
    batch: int | None = Field(default=None, ge=2, le=1000)
    promote: Number = Field(default=0.25, gt=0, le=1)
    polish: Number = Field(default=0.4, ge=0, lt=1)
    patience: int = Field(default=5, ge=1, le=1000)
    rungs: list[Rung] = [Rung(scale=0.005, replicates=2), Rung(scale=0.01, replicates=4),
                         Rung(scale=0.02, replicates=8)]
    sensitivity: bool = True
    step: Number = Field(default=0.1, gt=0, le=1)


class Document(BaseModel):
    """The problem file as written (docs/optimize.md explains every key)."""

    model_config = _STRICT
    name: str | None = Field(default=None, min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_\-]+$")
    description: str = ""
    base: str = "baseline"
    region: str | None = None        # the base's region replaced: a province id or "kanwil"
    decision_month: str | None = None   # the base's decision month replaced (a month, "default", "none")
    start: str | None = Field(default=None, pattern=months.PATTERN)
    seed: int = Field(default=1, ge=0, lt=2**32)
    objective: Objective = Field(default_factory=Objective)
    budget: Budget = Field(default_factory=Budget)
    levers: dict[str, LeverBounds] | None = None
    constraints: Constraints = Field(default_factory=Constraints)
    search: Search = Field(default_factory=Search)


class Lever(BaseModel):
    """One moving lever: its bounds and whether each regency gets its own value."""

    model_config = ConfigDict(frozen=True)
    name: str
    low: float
    high: float
    by_regency: bool = False
    by_region: bool = False
    periods: str = "once"            # PERIODS: "budget_year" and "half_year" give one value per period

    @property
    def integer(self) -> bool:
        return PARAMETERS[self.name].integer


class OptProblem(BaseModel):
    """A checked problem: the file's sections as they are, its base resolved to a scenario, the
    moving levers with their bounds filled in, and the file's text."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    name: str
    description: str
    base: Scenario
    start: str | None
    seed: int
    objective: Objective
    budget: Budget
    levers: tuple[Lever, ...]
    constraints: Constraints
    search: Search
    text: str = ""

    @property
    def n_months(self) -> int:
        """Months simulated after month 0, to the objective's month."""
        return months.index(self.objective.month, _month0(self.base))

    @property
    def decision(self) -> str | None:
        """The decision month from which the plan's levers act (None: levers as written)."""
        return self.base.decision() if self.base.acts() else None

    @property
    def spend_from(self) -> str:
        """The first month whose spend is the plan's: the decision month (the history before it
        is the same in every candidate), or month 0 without one."""
        return self.decision or _month0(self.base)

    @property
    def spend_months(self) -> int:
        """The months a yearly spend is a rate over: the decision month to the objective's
        (inclusive), or without one the months after month 0 (as since issue 13)."""
        if self.decision is None:
            return self.n_months
        return months.ordinal(self.objective.month) - months.ordinal(self.decision) + 1

    def plan_months(self, table):
        """The rows of `table` (a `month` column) in the plan's months: spend_from to the objective's."""
        ordinal = table["month"].map(months.ordinal)
        return table[(ordinal >= months.ordinal(self.spend_from)) & (ordinal <= months.ordinal(self.objective.month))]

    def periods(self, lever: Lever) -> list[tuple[str, str, str]]:
        """(label, first month, last month) of each period a lever's value holds in: from the
        decision month to the objective's, by budget year ("2027": January to December, the
        APBD's year) or by half-year ("2027H1", "2027H2"), clipped to those months; one period
        ("") for a lever set once."""
        if lever.periods == "once" or self.decision is None:
            return [("", self.decision or "", "")]
        first, last = months.ordinal(self.decision), months.ordinal(self.objective.month)
        size = 12 if lever.periods == "budget_year" else 6
        out, t = [], first
        while t <= last:
            end = min(last, t - t % size + size - 1)
            year, half = t // 12, (t % 12) // 6 + 1
            out.append((f"{year}" if size == 12 else f"{year}H{half}", months.label(t), months.label(end)))
            t = end + 1
        return out

    def with_trials(self, trials: int) -> OptProblem:
        """The same problem searching `trials` candidates (checked by the caller)."""
        return self.model_copy(update={"search": self.search.model_copy(update={"trials": trials})})


def fingerprint(problem: OptProblem) -> str:
    """What a stored search depends on: everything but the number of trials (more trials
    extend a search; anything else would mix candidates of two problems)."""
    fields = problem.model_dump(mode="json", exclude={"text": True, "description": True, "base": True,
                                                      "search": {"trials"}})
    return json.dumps({**fields, "base": problem.base.to_toml()}, sort_keys=True, default=str)


def problem_names() -> list[str]:
    folder = resources.files("experiments").joinpath("problems")
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def load_problem(ref: str | Path, region: str | None = None) -> OptProblem:
    """A problem from a built-in name ("reach_50") or a TOML file path; `region` (a province id or
    "kanwil") replaces the file's `region` key, as `cakupan optimize --region` does."""
    if is_path(ref):
        path = Path(ref)
        try:   # a regular file, at most 1 MB, UTF-8: the same door as scenario and sweep files
            text = read_text_file(path, "problem")
        except InputFileError as problem:
            raise ProblemError([Located(problem.path, problem.line, "", problem.message)]) from None
        return parse_problem(text, str(ref), path.parent, region)
    if ref not in problem_names():
        raise ProblemError([Located(str(ref), None, "", "unknown built-in problem; built-ins: "
                                    f"{', '.join(problem_names())} (or give a path to a .toml file)")])
    text = resources.files("experiments").joinpath("problems", f"{ref}.toml").read_text(encoding="utf-8")
    return parse_problem(text, f"{ref} (built-in)", region=region)


def parse_problem(text: str, source: str = "<text>", directory: Path | None = None,
                  region: str | None = None) -> OptProblem:
    """Check a problem file's text: structure, lever names and bounds, limits; errors name the
    file, line and key. `region`, when given, stands for the file's `region` key."""
    try:
        raw = parse_toml(text)      # also refuses nesting deeper than errors.MAX_NESTING
    except ValueError as error:
        raise ProblemError([Located(source, None, "", f"not valid TOML: {error}")]) from None
    try:
        doc = Document.model_validate(raw)
    except ValidationError as error:
        errors = error.errors()
        raise ProblemError([_located(text, source, e) for e in errors[:MAX_LISTED]],
                           max(0, len(errors) - MAX_LISTED)) from None

    def fail(path: tuple, message: str) -> NoReturn:
        raise ProblemError([Located(source, line_of(text, path), dotted(path), message)])

    base = _base(doc.base, directory, fail)
    if region is not None:
        doc = doc.model_copy(update={"region": region})
    if doc.region is not None:
        try:
            base = base.override(region=doc.region)
        except UserError as error:
            fail(("region",), str(error))
    if doc.decision_month is not None:
        try:
            base = base.override(decision_month=doc.decision_month)
        except UserError as error:
            fail(("decision_month",), str(error))
    month0 = _month0(base)
    written = raw.get("objective")
    given: dict[str, Any] = written if isinstance(written, dict) else {}
    coverage, month = office.target(base.region)      # the region's target, unless the file sets one
    objective = doc.objective.model_copy(update={k: v for k, v in (("month", month), ("target", coverage))
                                                 if k not in given})
    _limit(fail, ("objective", "month"), limits.check_horizon, objective.month, base.data_set, "horizon",
           data.DEFAULT_REGION if base.region == office.OFFICE else base.region)
    decision = base.decision()
    if decision and months.ordinal(objective.month) < months.ordinal(decision):
        fail(("objective", "month"), f"{objective.month} is before the decision month ({decision}), from which the "
                                     "plan's levers act: choose a later month, or decision_month = \"none\"")
    if doc.start and decision and months.ordinal(doc.start) < months.ordinal(decision):
        fail(("start",), f"{doc.start} is before the decision month ({decision}), from which the plan's levers act")
    if doc.start and not months.ordinal(month0) < months.ordinal(doc.start) <= months.ordinal(objective.month):
        fail(("start",), f"{doc.start} must be after month 0 ({month0}) and no later than the "
                         f"objective's month ({objective.month})")
    statistic = objective.statistic
    if statistic != "mean" and not 0 < statistic < 1:
        fail(("objective", "statistic"), f"{statistic!r}: allowed: \"mean\" or a quantile between 0 and 1")
    _limit(fail, ("search", "trials"), limits.check_count, doc.search.trials, 1, MAX_TRIALS, "search.trials")
    rungs = _rungs(doc.search.rungs, base.data_set, fail,
                   data.DEFAULT_REGION if base.region == office.OFFICE else base.region)
    name = doc.name or (Path(source).stem if source.endswith(".toml") else "plan")
    levers = _levers(doc.levers, fail, base.region == office.OFFICE)
    if doc.start and any(lever.periods != "once" for lever in levers):
        fail(("start",), "a problem with levers by period starts them at the decision month: leave start out")
    for lever in levers:
        if lever.periods != "once" and base.decision() is None:
            fail(("levers", lever.name, "periods"), f"periods = {lever.periods!r} counts periods from the decision "
                                                   "month: the base has none (decision_month = \"none\"); "
                                                   "allowed without one: \"once\"")
    return OptProblem(name=name, description=doc.description, base=base, start=doc.start, seed=doc.seed,
                      objective=objective, budget=doc.budget, levers=levers,
                      constraints=doc.constraints, search=doc.search.model_copy(update={"rungs": rungs}),
                      text=text)


def _located(text: str, source: str, error: Mapping[str, Any]) -> Located:
    path = tuple(p for p in error["loc"] if not (isinstance(p, str) and (
        p.startswith("function-") or p in ("str", "float", "int", "literal['mean']", "constrained-str"))))
    message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"].removeprefix("Value error, ")
    return Located(source, line_of(text, path), dotted(path), f"{message}; got {error['input']!r}")


def _limit(fail: Fail, path: tuple, check: Callable[..., Any], *args: Any) -> Any:
    try:
        return check(*args)
    except limits.LimitError as error:
        fail(path, str(error))


def _month0(base: Scenario) -> str:
    """Month 0 of the base's runs (the office's: the latest province's)."""
    if base.region == office.OFFICE:
        return office.first_month()
    return data.data_set(base.data_set, base.region).month0


def _base(ref: str, directory: Path | None, fail: Fail) -> Scenario:
    try:
        if is_path(ref) and directory is not None and not Path(ref).is_absolute():
            ref = str(directory / ref)
        return load_scenario(ref)
    except UserError as error:
        fail(("base",), str(error))


def _rungs(rungs: list[Rung], data_set: str, fail: Fail, region: str = data.DEFAULT_REGION) -> list[Rung]:
    """The rungs, each scale checked against `region`'s smallest regency (its own data set)."""
    if not rungs:
        fail(("search", "rungs"), "at least one rung {scale, replicates} is needed")
    out: list[Rung] = []
    for i, rung in enumerate(rungs):
        scale = _limit(fail, ("search", "rungs"), limits.check_scale, rung.scale, data_set, f"search.rungs[{i}].scale",
                       region)
        reps = _limit(fail, ("search", "rungs"), limits.check_replicates, rung.replicates,
                      limits.MAX_REPLICATES, f"search.rungs[{i}].replicates")
        if out and (scale < out[-1].scale or reps < out[-1].replicates):
            fail(("search", "rungs"), f"search.rungs[{i}]: each rung needs at least the previous "
                                      "rung's scale and replicates (the seeds are shared)")
        out.append(Rung(scale=scale, replicates=reps))
    return out


def movable() -> list[str]:
    """Levers the search can move: the registry's number levers an office decides (not the
    national premium's discounts)."""
    return [n for n, p in PARAMETERS.items() if p.is_lever and p.type == "number" and p.planner]


def _levers(given: dict[str, LeverBounds] | None, fail: Fail, kanwil: bool = False) -> tuple[Lever, ...]:
    """The moving levers; none given: every movable lever in its registry range, the subsidy
    budgets per regency."""
    if given is None:
        return tuple(Lever(name=n, low=PARAMETERS[n].bounds[0], high=PARAMETERS[n].bounds[1],
                           by_regency=PARAMETERS[n].spread == "subsidy") for n in movable())
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
        if spec.by_region and (not kanwil or spec.by_regency):
            fail(("levers", name, "by_region"), "by_region splits a lever across the provinces of a Kanwil "
                                                "problem (region = \"kanwil\"), and not together with by_regency")
        out.append(Lever(name=name, low=float(low), high=float(high), by_regency=spec.by_regency,
                         by_region=spec.by_region, periods=spec.periods))
    return tuple(out)
