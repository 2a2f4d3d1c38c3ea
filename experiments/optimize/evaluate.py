"""Evaluating candidates: their paired replicates run on any executor (`runner.execute`, no
store), and each candidate's tables become its metrics (experiments/outcomes.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from experiments import office, summary as stats
from experiments.optimize.constraints import Metrics
from experiments.optimize.problem import OptProblem, Rung
from experiments.optimize.space import scenario_of
from experiments.outcomes import COVERAGE, P_TARGET, SPEND_YEAR
from experiments.runner import RunSpec, execute, plan
from experiments.scenario import Scenario

Evaluator = Callable[[list[Scenario], Rung], list[Metrics]]
LOCAL_SPEND = ("spend_subsidy_idr",)
"""Spend paid by local governments (regency subsidy budgets and the province's palm fund); every
other spend item (agents, campaigns, villages, firms, pilots) is the office's."""


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
        uncertainty = "chance" if self.draws is not None else self.problem.objective.uncertainty
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
        if rung not in self.status_quo and self.problem.constraints.no_regency_below_status_quo:
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
        return [(_office_rows(s, pd.concat([o for o, _ in by_name[s.name]], ignore_index=True)),
                 pd.concat([r for _, r in by_name[s.name]], ignore_index=True)) for s in scenarios]

    def regency_coverage(self, tables: tuple[pd.DataFrame, pd.DataFrame]) -> pd.Series:
        regency = tables[1]
        month = self.problem.objective.month
        return regency[regency["month"] == month].groupby("regency")[COVERAGE.column].mean()

    def metrics(self, tables: tuple[pd.DataFrame, pd.DataFrame], rung: Rung) -> Metrics:
        out = outcome_metrics(self.problem, tables[0])
        if self.problem.constraints.no_regency_below_status_quo:
            gap = self.status_quo[rung] - self.regency_coverage(tables)
            out["regency_shortfall"] = float(max(0.0, gap.max()))
        return out


def _office_rows(scenario: Scenario, table: pd.DataFrame) -> pd.DataFrame:
    """A Kanwil candidate's runs (one block per province) as the office's rows (office.office_table)."""
    if scenario.region != office.OFFICE:
        return table
    return office.office_table(table.sort_values(["replicate", "month"], kind="stable"))


def outcome_metrics(problem: OptProblem, table: pd.DataFrame) -> Metrics:
    """Per candidate (one scenario's runs): coverage at the month (the problem's statistic, the
    mean and the 1-p quantile), P(target), and yearly spend in total and by payer (means over
    replicates), each as experiments/outcomes.py computes it."""
    objective = problem.objective
    rows = stats.per_replicate(table, objective.month, objective.target, baseline=None)
    upto = problem.plan_months(table)            # from the decision month: the plan's own spend
    yearly = 12.0 / problem.spend_months
    per_rep = upto.groupby("replicate")
    local = sum(per_rep[c].sum() for c in LOCAL_SPEND) if all(c in upto for c in LOCAL_SPEND) else 0.0
    total = per_rep[SPEND_YEAR.column].sum()
    coverage = COVERAGE.per_replicate(rows)
    statistic = coverage.mean() if objective.statistic == "mean" else np.quantile(coverage, float(objective.statistic))
    return {
        COVERAGE.name: float(statistic),
        "coverage_mean": float(coverage.mean()),
        "coverage_at_p": float(np.quantile(coverage, 1 - objective.probability)),
        P_TARGET.name: P_TARGET.mean(rows),
        SPEND_YEAR.name: float(total.mean() * yearly),
        "local_year_idr": float(np.mean(local) * yearly),
        "office_year_idr": float((total - local).mean() * yearly),
        "replicates": int(len(rows)),
    }
