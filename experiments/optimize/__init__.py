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
constraints: a violating plan is never on the reported front.

One module per concept; this package re-exports the public names:
    problem.py      the problem file's schema (pydantic sections), OptProblem, load / parse
    space.py        the search space, candidates as scenarios, the sampler and its state
    rungs.py        successive halving, the planned work, progress
    constraints.py  the study's objectives and constraints, feasibility
    local.py        the local phase (a (1+n) evolution strategy from the incumbent)
    evaluate.py     running candidates (ModelEvaluator) and their metrics (experiments/outcomes.py)
    evaluations.py  the store of evaluations (evaluations.jsonl), ranking and front
    sensitivity.py  one lever at a time around the recommended plan
    report.py       the Outcome, its verdict, by-regency table and the folder's files
    search.py       optimize(): the batches, the rungs, resume
"""

from experiments.executors import Stopped
from experiments.optimize.constraints import Metrics, feasible, objective_value, violations
from experiments.optimize.evaluate import Evaluator, ModelEvaluator, outcome_metrics
from experiments.optimize.evaluations import Evaluations, pareto_layers
from experiments.optimize.local import neighbours
from experiments.optimize.problem import (GOALS, MAX_BUDGET_IDR, MAX_TRIALS, Budget, Constraints, Lever,
                                          Objective, OptProblem, ProblemError, Rung, Search, fingerprint,
                                          load_problem, movable, parse_problem, problem_names)
from experiments.optimize.report import (EXPECTED_SPEND, Outcome, by_regency, expected_spend, lever_columns,
                                         objective_label, plan_file, statistic_note, write)
from experiments.optimize.rungs import Progress, estimate, planned_runs, promoted
from experiments.optimize.search import optimize
from experiments.optimize.space import (lever_values, regency_names, scenario_of, space, status_quo_params,
                                        upper_bound_params)
from experiments.errors import UserError

__all__ = ["EXPECTED_SPEND", "GOALS", "MAX_BUDGET_IDR", "MAX_TRIALS", "Budget", "Constraints", "Evaluations",
           "Evaluator", "Lever", "Metrics", "ModelEvaluator", "Objective", "OptProblem", "Outcome", "ProblemError",
           "Progress", "Rung", "Search", "Stopped", "UserError", "by_regency", "estimate", "expected_spend",
           "feasible", "fingerprint", "lever_columns", "lever_values", "load_problem", "movable", "neighbours",
           "objective_label", "objective_value", "optimize", "outcome_metrics", "pareto_layers", "parse_problem",
           "plan_file", "planned_runs", "problem_names", "promoted", "regency_names", "scenario_of", "space",
           "statistic_note", "status_quo_params", "upper_bound_params", "violations", "write"]
