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
from typing import Any, Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import tomli_w  # noqa: E402

from experiments import optimize as opt  # noqa: E402
from experiments.errors import UserError  # noqa: E402
from experiments.executors import LocalExecutor  # noqa: E402
from experiments.limits import LimitError, check_count  # noqa: E402

DEFAULT_PROBLEM = "reach_50"
PROBLEM_ENV = "CAKUPAN_PLAN_PROBLEM"
"""Set by whoever starts the server (not by a planner): a problem file the page starts from
instead of the built-in reach_50, e.g. a tiny one for the browser tests."""
MAX_TRIALS = 400
"""Candidates one search from the app may evaluate (the CLI allows optimize.MAX_TRIALS)."""
DEFAULT_TRIALS = 200
WORKERS = 2
GOALS = {"min_spend": "Cheapest plan reaching the target with probability p",
         "max_coverage": "Highest coverage at the month within the budget",
         "max_p_target": "Highest P(target) at the month within the budget"}
_ONE_SEARCH = threading.Lock()
"""One search at a time on this server: a search takes the machine's cores for minutes."""

__all__ = ["UserError", "Form", "problem", "search", "GOALS"]


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
    agents = next((l.high for l in p.levers if l.name == "perisai_agents"), 1500.0)
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


def front_rows(front: pd.DataFrame, label: str) -> list[dict[str, Any]]:
    """The front as display rows, cheapest first (numbers formatted here, never markup)."""
    rows = []
    for _, r in front.iterrows():
        rows.append({"trial": int(r["trial"]), "Rp bn / year": f"{r['spend_year_idr'] / 1e9:,.1f}",
                     "office": f"{r['office_year_idr'] / 1e9:,.1f}",
                     "local gov.": f"{r['local_year_idr'] / 1e9:,.1f}",
                     label: f"{r['objective']:.3f}", "P(target)": f"{r['p_target']:.0%}"})
    return rows


def regency_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The recommended plan by regency for display: each lever as "plan (status quo)"."""
    levers = [c for c in table if c != "regency" and not c.endswith(" (status quo)")]
    rows = pd.DataFrame({"regency": table["regency"]})
    for lever in levers:
        rows[lever] = [f"{v:,.4g} ({q:,.4g})" for v, q in zip(table[lever], table[f"{lever} (status quo)"])]
    return rows


def sensitivity_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Sensitivity for display: objective change with 4 decimals, spend in Rp billion."""
    rows = pd.DataFrame({"lever": table["lever"]})
    for side in ("down", "up"):
        rows[f"objective {side}"] = table[f"objective_{side}"].map(lambda v: f"{v:+.4f}")
        rows[f"Rp bn/yr {side}"] = (table[f"spend_year_idr_{side}"] / 1e9).map(lambda v: f"{v:+,.1f}")
    return rows


def front_figure(front: pd.DataFrame, candidates: pd.DataFrame | None, label: str,
                 recommended: dict | None = None):
    """Yearly spend against the objective: every candidate (grey), the front (line), the
    recommended plan (star)."""
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    if candidates is not None and not candidates.empty:
        ax.scatter(candidates["spend_year_idr"] / 1e9, candidates["objective"], s=12, color="0.75",
                   label="candidates")
    if not front.empty:
        ax.plot(front["spend_year_idr"] / 1e9, front["objective"], "o-", color="tab:blue", label="front")
    if recommended is not None:
        ax.plot([recommended["spend_year_idr"] / 1e9], [recommended["objective"]], "*", ms=16,
                color="tab:red", label="recommended")
    ax.set_xlabel("yearly spend (Rp billion)")
    ax.set_ylabel(label)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    plt.close(fig)
    return fig
