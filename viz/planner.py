"""The Plan page's door into experiments/optimize/: the page's typed fields read as numbers
(one function, `read_number`), a problem from those fields, the search on the app's shared pool
in a folder the server owns, and the outcome as plain tables.

Plain Python (no Solara), like viz/backend.py, so it is tested without a browser. The page's
fields become a problem file's text, checked by `optimize.parse_problem` exactly as the CLI
checks a file; nothing the planner types is a path, markup or code.

Runs go to the app's shared pool (viz/backend.POOL, viz/pool.py) under the owner
"<page>:plan", so a search takes turns with every comparison like any other session's runs;
Stop and a closed page drop its waiting runs as Cancel does on Compare. Each page has one search
folder under the system's temporary folder (reused for its next problem, a stopped search
resumes in it) and it is removed when the page closes.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable

import pandas as pd
import tomli_w

from experiments import office
from experiments import optimize as opt
from experiments.errors import UserError
from experiments.figures import front_cells, front_figure  # noqa: F401 - the page's chart
from experiments.i18n import N_, Translator, lever_label, translator
from experiments.limits import check_count
from experiments.typed_numbers import NumberError, parse_number
from model.parameters import PARAMETERS
from model.settings import NotFinite, finite
from viz import backend
from viz.pool import Cancelled

DEFAULT_PROBLEM = "reach_50"
PROBLEM_ENV = "CAKUPAN_PLAN_PROBLEM"
"""Set by whoever starts the server (not by a planner): a problem file the page starts from
instead of the built-in reach_50, e.g. a tiny one for the browser tests."""
MAX_TRIALS = 400
"""Candidates one search from the app may evaluate (the CLI allows optimize.MAX_TRIALS)."""
DEFAULT_TRIALS = 200
FOLDERS = Path(tempfile.gettempdir()) / "cakupan-plan"
"""Parent of every page's search folder (one per open page, removed when it closes)."""

__all__ = ["UserError", "Cancelled", "Form", "FieldError", "read_number", "problem", "search"]


@dataclass(frozen=True)
class Field:
    """A number field of the page: its range (in the unit shown), how it is written."""

    low: float
    high: float
    percent: bool = False      # shown and typed as a percentage ("50%"), kept as a share
    integer: bool = False
    optional: bool = False     # empty = none (no budget of that kind)


FIELDS = {
    "target": Field(0.01, 1.0, percent=True),
    "probability": Field(0.01, 1.0, percent=True),
    "total_bn": Field(0.0, opt.MAX_BUDGET_IDR / 1e9, optional=True),
    "office_bn": Field(0.0, opt.MAX_BUDGET_IDR / 1e9, optional=True),
    "local_bn": Field(0.0, opt.MAX_BUDGET_IDR / 1e9, optional=True),
    "max_agents": Field(0.0, PARAMETERS["perisai_agents"].bounds[1], integer=True),
    "trials": Field(1.0, MAX_TRIALS, integer=True),
}


class FieldError(UserError):
    """A field the planner must fix: the message is in the session's language."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def show_number(value: float | None, field: str, t: Translator) -> str:
    """A field's value as the page writes it: "50%", "1.000" / "1,000", "" for none."""
    if value is None:
        return ""
    spec = FIELDS[field]
    if spec.percent:
        return t.decimal(round(value * 100, 6)) + "%"
    return t.number(value) if spec.integer else t.decimal(round(value, 6))


def read_number(text: object, field: str, t: Translator) -> float | None:
    """The page's one reading of a typed number (the session's way of writing numbers, "50%"
    in percent fields; budgets in Rp billion, or as an amount with its word, "20 miliar"), read by
    experiments.typed_numbers.parse_number: the value, None for an empty optional field, or
    FieldError in the session's language naming what is allowed. nan, inf and huge values are refused by
    model.settings.finite and the field's range."""
    spec = FIELDS[field]
    typed = " ".join(str(text if text is not None else "").split())[:100]   # shown on one line
    if not typed:
        if spec.optional:
            return None
        raise FieldError(field, t("Enter a number; {allowed}.", allowed=allowed(field, t)))
    raw = typed.removesuffix("%").strip() if spec.percent else typed
    try:
        value = parse_number(raw, t.lang)
    except NumberError:
        raise FieldError(field, t("{text} is not a number; {allowed}.", text=typed,
                                  allowed=allowed(field, t))) from None
    if field.endswith("_bn") and re.search(r"[^\d\s.,+-]", raw):
        value /= 1e9     # an amount with its word ("20 miliar", "Rp 1,5 triliun") is in rupiah, not billions
    return check_value(value / 100 if spec.percent else value, field, t, typed)


def allowed(field: str, t: Translator) -> str:
    spec = FIELDS[field]
    return t("allowed: {low} to {high}", low=show_number(spec.low, field, t), high=show_number(spec.high, field, t))


def check_value(value: object, field: str, t: Translator, typed: str | None = None) -> float:
    """A field's number within its range (a whole number where it must be one); FieldError."""
    spec = FIELDS[field]
    text = typed if typed is not None else str(value)
    try:
        number = finite(value, field)
    except NotFinite:
        raise FieldError(field, t("{text} is not a number; {allowed}.", text=text, allowed=allowed(field, t))) from None
    if not spec.low <= number <= spec.high:
        raise FieldError(field, t("{text} is outside the allowed range; {allowed}.", text=text,
                                  allowed=allowed(field, t)))
    if spec.integer and number != int(number):
        raise FieldError(field, t("{text} is not a whole number; {allowed}.", text=text, allowed=allowed(field, t)))
    return number


@dataclass(frozen=True)
class Form:
    """The Plan page's fields (budgets in Rp billion a year; None = no budget of that kind)."""

    goal: str = "min_spend"
    month: str = "2027-12"
    target: float = 0.5
    probability: float = 0.5
    total_bn: float | None = 1000.0
    office_bn: float | None = 500.0
    local_bn: float | None = 500.0
    max_agents: float = 1500.0
    no_regency_below: bool = True
    trials: int = DEFAULT_TRIALS
    region: str = "sumsel"       # a province id or the office ("kanwil"): the problem's `region`


def default_form() -> Form:
    """The page's starting fields: the default problem file's values."""
    p = opt.parse_problem(_starting_text(), source="plan page")
    agents = next((lever.high for lever in p.levers if lever.name == "perisai_agents"), 1500.0)
    bn = {payer: None if p.budget.cap(payer) is None else p.budget.cap(payer) / 1e9   # type: ignore[operator]
          for payer in ("total", "office", "local")}
    o = p.objective
    return Form(o.goal, o.month, o.target, o.probability, bn["total"], bn["office"], bn["local"], agents,
                p.constraints.no_regency_below_status_quo, min(p.search.trials, MAX_TRIALS), p.base.region)


def in_region(form: Form, region: object) -> Form:
    """The form for another region (checked: backend.check_region's LimitError names the allowed),
    its target and month that region's own (office.target: region.toml, the office's weighted)."""
    region = backend.check_region(region)
    coverage, month = office.target(region)
    return Form(**{**form.__dict__, "region": region, "target": coverage, "month": month})


def problem_text(form: Form) -> str:
    """The default problem file with the page's fields written in (a file the CLI accepts)."""
    doc = tomllib.loads(_starting_text())
    doc.setdefault("objective", {}).update(goal=form.goal, month=form.month, target=form.target,
                                           probability=form.probability)
    doc["budget"] = {k: v * 1e9 for k, v in [("total_idr", form.total_bn), ("office_idr", form.office_bn),
                                             ("local_idr", form.local_bn)] if v is not None}
    if "perisai_agents" in doc.get("levers", {}):
        doc["levers"]["perisai_agents"]["high"] = form.max_agents
    doc.setdefault("constraints", {})["no_regency_below_status_quo"] = form.no_regency_below
    doc.setdefault("search", {})["trials"] = form.trials
    doc["region"] = form.region
    return tomli_w.dumps(doc)


def _starting_text() -> str:
    path = os.environ.get(PROBLEM_ENV)
    if path:
        return Path(path).read_text(encoding="utf-8")
    return resources.files("experiments").joinpath("problems", f"{DEFAULT_PROBLEM}.toml").read_text("utf-8")


def problem(form: Form, t: Translator | None = None) -> opt.OptProblem:
    """The page's problem, checked like a file (a request can bypass the page's fields, so every
    number is read again here); FieldError names the field, UserError the problem's key."""
    t = t or translator("en")
    check_count(form.trials, 1, MAX_TRIALS, "candidates")
    backend.check_region(form.region)
    for name, spec in FIELDS.items():
        value = getattr(form, name)
        if not (value is None and spec.optional):
            check_value(value, name, t)
    return opt.parse_problem(problem_text(form), source="plan page")


# ---------------------------------------------------------------------------------- searches
class Session:
    """One page's search: its folder, and the executor (on the shared pool) of the running search."""

    def __init__(self, page: str):
        self.page = page
        self.folder = FOLDERS / re.sub(r"[^A-Za-z0-9_-]", "_", page)[:100]
        self.executor = None
        self.running = threading.Event()
        self.closed = False


_SESSIONS: dict[str, Session] = {}
_LOCK = threading.Lock()


def session(page: str) -> Session:
    with _LOCK:
        return _SESSIONS.setdefault(page, Session(page))


def owner(page: str) -> str:
    """The pool's owner of a page's search (its comparisons are owned by the page itself)."""
    return f"{page}:plan"


def search(chosen: opt.OptProblem, on_progress: Callable[[opt.Progress], None],
           stop: Callable[[], bool], page: str = "python", pool=None) -> opt.Outcome:
    """Run the search on the shared pool in this page's folder: the same problem resumes where
    it stopped, another problem clears the folder first (so a page never holds more than one)."""
    pool = pool or backend.POOL
    current = session(page)
    if current.closed:
        raise Cancelled("the page has closed")
    if current.running.is_set():
        raise UserError("this page already has a search running: wait for it or press Stop")
    current.running.set()
    try:
        folder = _prepared(current.folder, chosen)
        current.executor = pool.executor(owner(page))
        return opt.optimize(chosen, folder, current.executor, on_progress=on_progress, stop=stop)
    finally:
        current.executor = None
        current.running.clear()
        if current.closed:
            shutil.rmtree(current.folder, ignore_errors=True)


def _prepared(folder: Path, chosen: opt.OptProblem) -> Path:
    stored = folder / "problem.json"
    if stored.exists() and stored.read_text(encoding="utf-8", errors="replace") != opt.fingerprint(chosen):
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def cancel(page: str) -> int:
    """Stop: the search's waiting runs are dropped (as Cancel on Compare); what finished is kept."""
    executor = session(page).executor
    return executor.cancel() if executor is not None else 0


def close(page: str, pool=None) -> int:
    """The page has closed: its search stops and its folder is removed (now, or when the search
    thread ends)."""
    pool = pool or backend.POOL
    current = session(page)
    current.closed = True
    dropped = pool.close_owner(owner(page))
    if not current.running.is_set():
        shutil.rmtree(current.folder, ignore_errors=True)
    with _LOCK:
        _SESSIONS.pop(page, None)
    return dropped


# ---------------------------------------------------------------------------------- display
def plan_scenario(outcome: opt.Outcome, trial: int, t: Translator | None = None):
    """A front point as a scenario for the Compare page, named after its trial, described in
    the session's language."""
    scenario = outcome.scenarios[int(trial)]
    if t is None:
        return scenario
    return scenario.model_copy(update={"description": t("Plan {plan} of the search: {objective}", plan=int(trial),
                                                        objective=t(GOAL_TEXT[outcome.problem.objective.goal]))})


GOAL_TEXT = {"min_spend": "Cheapest plan reaching the target with probability p",
             "max_coverage": "Highest coverage at the month within the budget",
             "max_p_target": "Highest P(target) at the month within the budget"}


def front_rows(front: pd.DataFrame, label: str, lang: str = "en") -> list[tuple[int, dict[str, str]]]:
    """The front as (trial, display cells), cheapest first: the cells the chart's hover shows
    (experiments.figures.front_cells; formatted text, never markup)."""
    return [(int(r["trial"]), front_cells(r, label, lang)) for _, r in front.iterrows()]


EXPECTED_SPEND_HEADER = N_("Expected subsidy spend a year")
EXPECTED_SPEND_NOTE = N_("Expected spend: the plan's mean yearly premium subsidy paid from each regency's own "
                         "budget (the province's programme not included).")


def regency_rows(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The recommended plan by regency for display: each lever (its registry label) as
    "plan (status quo)" in the lever's unit (whole agents and villages, shares as
    percentages), numbers in the page's language; rows numbered from 1. The expected yearly
    subsidy spend of each regency's own budget (when the search measured it) stands next to
    the subsidy ceiling (or last when the plan does not move the ceiling)."""
    t = translator(lang)
    rows = pd.DataFrame({t("Regency"): list(table["regency"])})
    for lever in opt.lever_columns(table):
        rows[t(lever_label(lever))] = [f"{amount(v, lever, t)} ({amount(q, lever, t)})"
                                       for v, q in zip(table[lever], table[f"{lever} (status quo)"], strict=True)]
        if lever == "subsidy_budget_idr" and opt.EXPECTED_SPEND in table:
            rows[t(EXPECTED_SPEND_HEADER)] = [t.rupiah(v) for v in table[opt.EXPECTED_SPEND]]
    if opt.EXPECTED_SPEND in table and t(EXPECTED_SPEND_HEADER) not in rows:
        rows[t(EXPECTED_SPEND_HEADER)] = [t.rupiah(v) for v in table[opt.EXPECTED_SPEND]]
    rows.index = pd.RangeIndex(1, len(rows) + 1)
    return rows


def regency_note(table: pd.DataFrame, t: Translator) -> str:
    """What the expected-spend column is (a sentence after the card's subtitle), or nothing."""
    return " " + t(EXPECTED_SPEND_NOTE) if opt.EXPECTED_SPEND in table else ""


WHOLE_UNITS = ("agents", "villages", "firms", "workers", "months")
"""Lever units counted in whole numbers on the page (per regency a province-wide count spreads
into fractions: shown rounded)."""


def amount(value: float, lever: str, t: Translator) -> str:
    unit = PARAMETERS[lever].unit if lever in PARAMETERS else ""
    if lever.endswith("_idr"):
        return t.rupiah(value)
    if unit.startswith(WHOLE_UNITS):
        return t.number(round(float(value)))
    if unit.startswith("share"):
        return t.percent(value, 1)
    return t.decimal(float(f"{value:.4g}"))


def sensitivity_rows(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Sensitivity for display: the change of the objective (percentage points) and of yearly
    spend when one lever moves down or up; rows numbered from 1."""
    t = translator(lang)
    rows = pd.DataFrame({t("Lever"): [t(lever_label(n)) for n in table["lever"]]})
    for side, name in (("down", t("down")), ("up", t("up"))):
        rows[t("objective, {side}", side=name)] = list(table[f"objective_{side}"].map(
            lambda v: ("+" if v >= 0 else "") + t.number(v * 100, 2) + " " + t("points")))
        rows[t("yearly spend, {side}", side=name)] = list(table[f"spend_year_idr_{side}"].map(
            lambda v: ("+" if v >= 0 else "") + t.rupiah(v)))
    rows.index = pd.RangeIndex(1, len(rows) + 1)
    return rows
