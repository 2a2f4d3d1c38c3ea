"""The recommended plan's sensitivity: one lever at a time, down and up by `step` of its range
(a regency table moves as a whole), the change in the objective and in yearly spend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from experiments.optimize.constraints import Metrics, objective_value
from experiments.optimize.problem import OptProblem, Rung
from experiments.optimize.space import lever_values, scenario_of
from experiments.scenario import Scenario


def moves(problem: OptProblem, params: dict[str, float], rung: Rung) -> list[tuple[str, str, int, Scenario]]:
    """(label "lever:down" or "lever:up", lever, sign, scenario) of every one-lever move."""
    out = []
    for lever in problem.levers:
        keys = [k for k in params if k.split("@")[0].split("[")[0] == lever.name]   # every part and period
        for sign in (-1, 1):
            moved = {**params, **{k: params[k] + sign * problem.search.step * (lever.high - lever.low) for k in keys}}
            label = f"{lever.name}:{'down' if sign < 0 else 'up'}"
            name = f"{problem.name}_{label.replace(':', '_')}"
            out.append((label, lever.name, sign, scenario_of(problem, lever_values(problem, moved), rung, name)))
    return out


def sensitivity(problem: OptProblem, params: dict[str, float], rung: Rung, at: dict[str, Any],
                cached: dict[str, Metrics], evaluate_batch: Callable[[list[tuple[str, Scenario]]], None],
                batch: int) -> pd.DataFrame:
    """The sensitivity table; moves not in `cached` go to `evaluate_batch` (which adds them to
    `cached`) in chunks of `batch`."""
    todo = [(label, s) for label, _, _, s in moves(problem, params, rung) if label not in cached]
    for i in range(0, len(todo), batch):
        evaluate_batch(todo[i:i + batch])
    rows: dict[str, dict[str, Any]] = {}
    for label, name, sign, _ in moves(problem, params, rung):
        m = cached[label]
        row = rows.setdefault(name, {"lever": name})
        side = "down" if sign < 0 else "up"
        row[f"objective_{side}"] = objective_value(problem, m) - at["objective"]
        row[f"spend_year_idr_{side}"] = m["spend_year_idr"] - at["spend_year_idr"]
    table = pd.DataFrame(list(rows.values()))
    table["effect"] = table[["objective_down", "objective_up"]].abs().max(axis=1)
    return table.sort_values("effect", ascending=False, kind="stable").reset_index(drop=True)
