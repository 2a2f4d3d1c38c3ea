"""The Plan page's door into experiments/optimize.py: a problem from the page's fields, the
search in a results folder the server chooses, and the outcome as plain tables.

Plain Python (no Solara), like viz/backend.py, so it is tested without a browser. The page's
fields become a problem file's text, checked by `optimize.parse_problem` exactly as the CLI
checks a file; nothing the planner types is a path, markup or code.
"""

from __future__ import annotations

import os
import tempfile
import threading
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable

import pandas as pd
import tomli_w

from experiments import optimize as opt
from experiments.errors import UserError
from experiments.executors import LocalExecutor
from experiments.figures import front_cells, front_figure  # noqa: F401 - the page's chart
from experiments.i18n import lever_label, translator
from experiments.limits import LimitError, check_count

DEFAULT_PROBLEM = "reach_50"
PROBLEM_ENV = "CAKUPAN_PLAN_PROBLEM"
"""Set by whoever starts the server (not by a planner): a problem file the page starts from
instead of the built-in reach_50, e.g. a tiny one for the browser tests."""
MAX_TRIALS = 400
"""Candidates one search from the app may evaluate (the CLI allows optimize.MAX_TRIALS)."""
DEFAULT_TRIALS = 200
WORKERS = 2
_ONE_SEARCH = threading.Lock()
"""One search at a time on this server: a search takes the machine's cores for minutes."""

__all__ = ["UserError", "Form", "problem", "search"]


@dataclass(frozen=True)
class Form:
    """The Plan page's fields (budgets in Rp billion a year; None = no budget of that kind)."""

    goal: str = "min_spend"
    month: str = "2025-12"
    target: float = 0.5
    probability: float = 0.5
    total_bn: float | None = 1000.0
    office_bn: float | None = 500.0
    local_bn: float | None = 500.0
    max_agents: float = 1500.0
    no_regency_below: bool = True
    trials: int = DEFAULT_TRIALS


def default_form() -> Form:
    """The page's starting fields: the default problem file's values."""
    p = opt.parse_problem(_starting_text(), source="plan page")
    agents = next((lever.high for lever in p.levers if lever.name == "perisai_agents"), 1500.0)
    bn = {k: None if v is None else v / 1e9 for k, v in p.budget.items()}
    return Form(p.goal, p.month, p.target, p.probability, bn["total_idr"], bn["office_idr"],
                bn["local_idr"], agents, p.no_regency_below_status_quo, min(p.trials, MAX_TRIALS))


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
    return tomli_w.dumps(doc)


def _starting_text() -> str:
    path = os.environ.get(PROBLEM_ENV)
    if path:
        return Path(path).read_text(encoding="utf-8")
    return resources.files("experiments").joinpath("problems", f"{DEFAULT_PROBLEM}.toml").read_text("utf-8")


def problem(form: Form) -> opt.OptProblem:
    """The page's problem, checked like a file; UserError names the field and what is allowed."""
    check_count(form.trials, 1, MAX_TRIALS, "candidates")
    for name in ("total_bn", "office_bn", "local_bn", "target", "probability", "max_agents"):
        value = getattr(form, name)
        if value is not None and (not isinstance(value, (int, float)) or value != value or value < 0):
            raise LimitError(f"{name}: {value!r} is not allowed; allowed: a number of at least 0")
    return opt.parse_problem(problem_text(form), source="plan page")


class Busy(UserError):
    """Another session's search is running on this server."""


def search(chosen: opt.OptProblem, on_progress: Callable[[opt.Progress], None],
           stop: Callable[[], bool], folder: Path | None = None, workers: int = WORKERS) -> opt.Outcome:
    """Run the search in a folder of the server's choosing: a new temporary folder, or the one
    the page kept for the same problem (a stopped search then resumes where it stopped)."""
    if not _ONE_SEARCH.acquire(blocking=False):
        raise Busy("another planner's search is running on this server; start yours when it ends")
    try:
        folder = folder or new_folder(chosen)
        executor = LocalExecutor(workers)
        try:
            return opt.optimize(chosen, folder, executor, on_progress=on_progress, stop=stop)
        finally:
            executor.close()
    finally:
        _ONE_SEARCH.release()


def new_folder(chosen: opt.OptProblem) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"cakupan-plan-{chosen.name}-"))


def plan_scenario(outcome: opt.Outcome, trial: int):
    """A front point as a scenario (for the Compare page), named after its trial."""
    return outcome.scenarios[int(trial)]


def front_rows(front: pd.DataFrame, label: str, lang: str = "en") -> list[tuple[int, dict[str, str]]]:
    """The front as (trial, display cells), cheapest first: the cells the chart's hover shows
    (experiments.figures.front_cells; formatted text, never markup)."""
    return [(int(r["trial"]), front_cells(r, label, lang)) for _, r in front.iterrows()]


def regency_rows(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The recommended plan by regency for display: each lever (its registry label) as
    "plan (status quo)", numbers in the page's language."""
    t = translator(lang)
    levers = [c for c in table if c != "regency" and not c.endswith(" (status quo)")]
    rows = pd.DataFrame({t("Regency"): table["regency"]})
    for lever in levers:
        rows[t(lever_label(lever))] = [f"{_amount(v, lever, t)} ({_amount(q, lever, t)})"
                                       for v, q in zip(table[lever], table[f"{lever} (status quo)"], strict=True)]
    return rows


def _amount(value: float, lever: str, t) -> str:
    return t.rupiah(value) if lever.endswith("_idr") else t.decimal(float(f"{value:.4g}"))


def sensitivity_rows(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Sensitivity for display: the change of the objective (percentage points) and of yearly
    spend when one lever moves down or up."""
    t = translator(lang)
    rows = pd.DataFrame({t("Lever"): [t(lever_label(n)) for n in table["lever"]]})
    for side, name in (("down", t("down")), ("up", t("up"))):
        rows[t("objective, {side}", side=name)] = table[f"objective_{side}"].map(
            lambda v: ("+" if v >= 0 else "") + t.number(v * 100, 2) + " " + t("points"))
        rows[t("yearly spend, {side}", side=name)] = table[f"spend_year_idr_{side}"].map(
            lambda v: ("+" if v >= 0 else "") + t.rupiah(v))
    return rows
