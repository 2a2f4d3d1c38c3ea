"""What a value typed in the lever editor does to a scenario: from which month it holds, and
what a province-wide value means for each regency.

A typed value is added to the lever's schedule as a window from the chosen month on (windows
stack in order, model/levers.py), so the months before keep what the scenario had: a 2025
programme typed in the editor does not backdate itself to the data set's month 0. The default
month is `default_from_month`, the one place that decides it. `regency_effect` compares, per
regency, the lever's value in that month with the status quo's (both as the model spreads
them, model/model.py `_resolve_levers`), so the page can warn before a regency is silently
lowered (a province-wide subsidy budget is spread by eligible workers, which can give a regency
less than its own programme).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from viz.backend import Scenario
from model import EnrollmentModel, data, months
from model.parameters import PARAMETERS

BUDGET_YEAR_START = 1  # January: local budgets (APBD) run by calendar year
# A regency is "below its status quo" when its value falls by more than this share (the
# model's spreading of counts is exact; this only ignores rounding in the last digit).
LOWER_TOLERANCE = 1e-6


def default_from_month(scenario: Scenario) -> str:
    """The month a typed value starts by default: the scenario's `start` if it has one, else its
    decision month (the built-ins': 2027-01, the first budget year after the history), else the
    first budget year (January) after the data set's month 0."""
    if scenario.start:
        return scenario.start
    if scenario.decision() and scenario.acts():
        return scenario.decision()
    year, month = months.parse(data.data_set(scenario.data_set).month0)
    return f"{year + 1 if month >= BUDGET_YEAR_START else year:04d}-{BUDGET_YEAR_START:02d}"


def from_month_choices(scenario: Scenario) -> list[str]:
    """Months a typed value may start in: from the scenario's start (or month 1) to its horizon."""
    month0 = data.data_set(scenario.data_set).month0
    first = months.ordinal(scenario.start) if scenario.start else months.ordinal(month0) + 1
    if scenario.decision() and scenario.acts():       # levers act from the decision month on
        first = max(first, months.ordinal(scenario.decision()))
    return [months.label(m) for m in range(first, months.ordinal(scenario.horizon) + 1)]


def scheduled(current: Any, value: Any, from_month: str | None) -> Any:
    """The lever's new value: `value` from `from_month` on, on top of what it was before
    (`from_month` None: `value` alone, in every month)."""
    if from_month is None:
        return value
    before = list(current) if isinstance(current, list) else [{"value": current}]
    if before and before[-1].get("from") == from_month and "to" not in before[-1]:
        before = before[:-1]   # typed again for the same month: replaces, the schedule does not grow
    return [*before, {"from": from_month, "value": value}]


def typed_value(value: Any) -> Any:
    """What a number field shows for a lever's value: the number itself, the value of a
    schedule's last window when it is an open-ended number (what the editor typed), else None."""
    if isinstance(value, list) and value and "to" not in value[-1]:
        value = value[-1].get("value")
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _resolved(scenario: Scenario, scale: float, settings: dict[str, Any]) -> EnrollmentModel:
    kwargs = {**scenario.model_copy(update={"settings": settings}).model_kwargs(), "scale": scale}
    return EnrollmentModel(**kwargs)


def regency_effect(scenario: Scenario, lever: str, month: str, scale: float) -> pd.DataFrame:
    """Per regency: the lever's value in `month` in `scenario` and in the status quo, and whether
    it is lower (columns regency, value, status_quo, lower), as the model spreads them at
    `scale` (the bases of the spread are the simulated workers, villages and firms)."""
    if PARAMETERS[lever].type != "number":
        raise ValueError(f"{lever} is not a number lever")
    edited = _resolved(scenario, scale, dict(scenario.settings))
    status_quo = _resolved(scenario, scale, {})
    at = months.index(month, edited.start)
    now, before = edited.lever_values[lever][at], status_quo.lever_values[lever][at]
    return pd.DataFrame({"regency": edited.regency_names, "value": now, "status_quo": before,
                         "lower": now < before * (1 - LOWER_TOLERANCE)})
