"""The search's two objectives and its constraints (Optuna's convention: <= 0 is satisfied):
budgets by payer, no regency below its status quo and, for min_spend, the target."""

from __future__ import annotations

from experiments.optimize.problem import OptProblem

Metrics = dict[str, float]
"""One candidate's numbers at one rung (experiments.outcomes names them)."""
PAYERS = ("total", "office", "local")


def objective_value(problem: OptProblem, m: Metrics) -> float:
    """What the front plots against spend: P(target) when the goal is P, else coverage."""
    return m["p_target"] if problem.objective.goal == "max_p_target" else m["coverage"]


def study_values(problem: OptProblem, m: Metrics) -> list[float]:
    """The study's two objectives: yearly spend (Rp billion, minimised) and the objective."""
    return [m["spend_year_idr"] / 1e9, objective_value(problem, m)]


def violations(problem: OptProblem, m: Metrics) -> dict[str, float]:
    """Optuna constraints (<= 0 is satisfied), scaled so they are comparable: budgets as a share
    of the budget, coverage gaps in coverage points. For min_spend the target enters as the
    coverage quantile 1-p (graded, so the search is guided toward it); the report then checks
    P(target) >= p itself."""
    out = {}
    for payer in PAYERS:
        cap = problem.budget.cap(payer)
        if cap is not None:
            spend = m["spend_year_idr" if payer == "total" else f"{payer}_year_idr"]
            out[f"{payer}_budget"] = (spend - cap) / max(cap, 1.0)
    if problem.constraints.no_regency_below_status_quo:
        out["regency"] = m.get("regency_shortfall", 0.0) - problem.constraints.regency_tolerance
    if problem.objective.goal == "min_spend":
        out["target"] = problem.objective.target - m["coverage_at_p"]
    return out


def feasible(problem: OptProblem, m: Metrics) -> bool:
    """Within every constraint; for min_spend, P(target) >= p measured over the replicates."""
    ok = all(v <= 1e-12 for k, v in violations(problem, m).items() if k != "target")
    return ok and (problem.objective.goal != "min_spend" or m["p_target"] >= problem.objective.probability - 1e-12)


def over_budget(problem: OptProblem, m: Metrics) -> list[str]:
    """The payers whose budget this candidate's spend exceeds."""
    return [payer for payer in PAYERS if violations(problem, m).get(f"{payer}_budget", 0.0) > 1e-12]
