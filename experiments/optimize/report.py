"""The search's report: every candidate of the last rung, its front, the recommended plan (or
the closest when nothing fits), its levers by regency, and the files of a search folder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.optimize.constraints import over_budget
from experiments.optimize.problem import OptProblem
from experiments.optimize.space import scenario_of
from experiments.scenario import Scenario
from experiments.store import write_atomic

WORLDS = {"both": "seed r and parameter draw r of the ensemble",
          "parameters": "parameter draw r of the ensemble, one seed",
          "chance": "seed r at the calibrated parameter values"}


@dataclass
class Outcome:
    """The report: every candidate of the last rung, its front, the recommended plan (or the
    closest when the target cannot be reached or nothing fits the budget), its levers by
    regency and its sensitivity."""

    problem: OptProblem
    candidates: pd.DataFrame
    front: pd.DataFrame
    recommended: dict[str, Any] | None
    reachable: bool
    closest: pd.DataFrame
    scenarios: dict[int, Scenario]
    by_regency: pd.DataFrame = field(default_factory=pd.DataFrame)
    spend_by_year: pd.DataFrame = field(default_factory=pd.DataFrame)   # payers.spend_by_year of the plan
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    folder: Path | None = None

    @property
    def over_budget(self) -> list[str]:
        """Payers ("total", "office", "local") whose budget the closest plan exceeds, when no
        plan fits (for max_coverage and max_p_target: no plan fits the budget)."""
        if self.reachable or self.recommended is None:
            return []
        return over_budget(self.problem, self.recommended)

    def message(self) -> str:
        """The verdict, then which statistic it reports."""
        return f"{self.verdict()}\n{statistic_note(self.problem)}"

    def verdict(self) -> str:
        p, o = self.problem, self.problem.objective
        if self.recommended is None:
            return "no candidate satisfies the budget and constraints; the closest plans are listed"
        r = self.recommended
        if o.goal == "min_spend":
            if not self.reachable:
                return (f"{o.target:.0%} by {o.month} with probability {o.probability:.0%} cannot be "
                        f"reached within the budget and bounds; the closest plans are listed "
                        f"(best: P = {r['p_target']:.0%}, coverage {r['coverage_mean']:.1%})")
            return (f"cheapest plan reaching {o.target:.0%} by {o.month} with P >= {o.probability:.0%}: "
                    f"trial {r['trial']}, Rp {r['spend_year_idr'] / 1e9:,.1f} billion a year, "
                    f"P = {r['p_target']:.0%}, coverage {r['coverage_mean']:.1%}")
        if not self.reachable:
            if self.over_budget:
                caps = ", ".join(f"{payer} Rp {(p.budget.cap(payer) or 0.0) / 1e9:,.1f} billion"
                                 for payer in self.over_budget)
                return (f"no plan fits the budget ({caps} a year): the closest, trial {r['trial']}, "
                        f"spends Rp {r['spend_year_idr'] / 1e9:,.1f} billion a year; the closest plans are listed")
            return "no candidate satisfies the budget and constraints; the closest plans are listed"
        return (f"best plan within the budget: trial {r['trial']}, {objective_label(p)} "
                f"{r['objective']:.3g}, Rp {r['spend_year_idr'] / 1e9:,.1f} billion a year")


def statistic_note(problem: OptProblem) -> str:
    """Which statistic the numbers are, over which replicates (the CLI's and summary.json's)."""
    o, last = problem.objective, problem.search.rungs[-1]
    stat = "mean" if o.statistic == "mean" else f"{o.statistic:g} quantile"
    return (f"P(target) = share of the last rung's {last.replicates} replicates at or above {o.target:.0%} at "
            f"{o.month}; coverage = their {stat}; spend = their mean (replicate r: "
            f"{WORLDS[o.uncertainty]}). Budgets are ceilings: spend is what is paid out.")


def objective_label(problem: OptProblem) -> str:
    o = problem.objective
    if o.goal == "max_p_target":
        return f"P({o.target:.0%} by {o.month})"
    stat = "mean" if o.statistic == "mean" else f"q{o.statistic:g}"
    return f"coverage at {o.month} ({stat})"


def choose(problem: OptProblem, table: pd.DataFrame) -> tuple[pd.DataFrame, bool, pd.DataFrame]:
    """(the recommended row or none, whether it fits every constraint, the five closest)."""
    ok = table[table["feasible"]]
    if problem.objective.goal == "min_spend":
        best = ok.sort_values(["spend_year_idr", "trial"]).head(1)
        closest = table.sort_values(["p_target", "coverage_at_p", "spend_year_idr"],
                                    ascending=[False, False, True]).head(5)
    else:
        best = ok.sort_values(["objective", "spend_year_idr", "trial"], ascending=[False, True, True]).head(1)
        closest = table.sort_values(["violation", "objective"], ascending=[True, False]).head(5)
    reachable = not best.empty
    return (best if reachable else closest.head(1)), reachable, closest


EXPECTED_SPEND = "expected_spend_year_idr"
"""by_regency's column of the plan's expected yearly spend of each regency's own budget."""


def lever_columns(table: pd.DataFrame) -> list[str]:
    """by_regency's lever columns (each has a "<lever> (status quo)" beside it)."""
    return [c for c in table if c not in ("regency", EXPECTED_SPEND) and not c.endswith(" (status quo)")]


def by_regency(problem: OptProblem, plan: Scenario, spend: pd.Series | None = None) -> pd.DataFrame:
    """The plan's moving levers at the objective's month, one row per regency (as the model
    spreads province-wide counts and budgets), next to the status quo; with `spend`
    (`expected_spend`, by regency name) the column EXPECTED_SPEND (rupiah a year)."""
    from model import EnrollmentModel

    rung0 = problem.search.rungs[0]

    def values(scenario: Scenario) -> pd.DataFrame:      # one province block after another
        parts = []
        for block in scenario.blocks():
            model = EnrollmentModel(**{**block.model_kwargs(), "scale": rung0.scale})
            parts.append(pd.DataFrame({"regency": list(model.regency_names),
                                       **{lever.name: model.lever_values[lever.name][-1] for lever in problem.levers}}))
        return pd.concat(parts, ignore_index=True)

    plan_values = values(plan)
    base_values = values(scenario_of(problem, {}, rung0, "status_quo"))
    table = pd.DataFrame({"regency": plan_values["regency"]})
    for lever in problem.levers:
        table[lever.name] = plan_values[lever.name]
        table[f"{lever.name} (status quo)"] = base_values[lever.name]
    if spend is not None:
        table[EXPECTED_SPEND] = table["regency"].map(spend).fillna(0.0).to_numpy(float)
    return table


def expected_spend(problem: OptProblem, regency: pd.DataFrame) -> pd.Series:
    """Per regency (by name): the mean yearly subsidy spend of its own local budget in a plan's
    runs (the regency table's monthly `spend_idr`, summed to the objective's month per
    replicate, averaged over the replicates, times 12 / the months simulated), as
    evaluate.outcome_metrics makes `local_year_idr`. The province's palm fund is not any
    regency's budget and is not included, so these add up to local_year_idr less the palm fund."""
    upto = problem.plan_months(regency)
    per_replicate = upto.groupby(["replicate", "regency"], sort=False)["spend_idr"].sum()
    return per_replicate.groupby("regency", sort=False).mean() * (12.0 / problem.spend_months)


def write(outcome: Outcome, folder: Path) -> None:
    """front.csv, candidates.csv, recommended_by_regency.csv, sensitivity.csv, summary.json and
    one scenario file per front point (plans/), each written by rename (never half a file)."""
    plans = folder / "plans"
    plans.mkdir(exist_ok=True)
    keep = set(outcome.front["trial"].astype(int)) | set(outcome.closest["trial"].astype(int))
    if outcome.recommended is not None:
        keep.add(int(outcome.recommended["trial"]))
    for n in sorted(keep):
        write_atomic(plans / f"{outcome.scenarios[n].name}.toml", outcome.scenarios[n].to_toml())
    for name, frame in [("front", outcome.front), ("candidates", outcome.candidates),
                        ("closest", outcome.closest), ("recommended_by_regency", outcome.by_regency),
                        ("recommended_spend_by_year", outcome.spend_by_year),
                        ("sensitivity", outcome.sensitivity)]:
        write_atomic(folder / f"{name}.csv", frame.to_csv(index=False))
    summary = {"problem": outcome.problem.name, "message": outcome.message(), "reachable": outcome.reachable,
               "over_budget": outcome.over_budget, "recommended": _plain(outcome.recommended),
               "recommended_file": str(plans / f"{outcome.scenarios[int(outcome.recommended['trial'])].name}.toml")
               if outcome.recommended is not None else None}
    write_atomic(folder / "summary.json", json.dumps(summary, indent=2))


def plan_file(outcome: Outcome, trial: int) -> Path | None:
    return outcome.folder / "plans" / f"{outcome.scenarios[trial].name}.toml" if outcome.folder else None


def _plain(row: dict | None) -> dict | None:
    return None if row is None else {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
