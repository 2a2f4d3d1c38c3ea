"""Turn a lever's value into a (month x regency) array, the one form behaviours read.

A value can be
* one number: province-wide. Counts and budgets are spread over regencies by the lever's base
  (eligible workers, villages, informal workers, firms, or eligible beneficiaries); shares and
  per-agent values apply unchanged in every regency;
* a table by regency, ``{"Musi Banyuasin" = 9e9, others = 0}``: named regencies take their value,
  ``others`` (spread like a province-wide number) covers the rest, unnamed ones keep the status quo;
* a list of windows ``[{from = "2025-10", to = "2025-12", value = ...}]``: each window's value
  (a number or a table) holds in its months; outside every window the status quo holds. Windows
  apply in order, each on top of the ones before, so a table in a later window changes only the
  regencies it names and earlier windows' values stay for the others (plans stack up).
Month 0 is the observed start; levers act from month 1. A status quo (the lever's default) may
itself be a list of windows: windows given by a scenario then apply on top of it.

Local budgets change only at budget boundaries (`at_budget_boundaries`): January (APBD) and the
APBD-P month; a change asked for in another month waits for the next boundary.
"""

from __future__ import annotations

import numpy as np

from model import months
from model.settings import OTHERS


def _row(value, base_row: np.ndarray, weights: np.ndarray | None, names: list[str]) -> np.ndarray:
    """One month's values over regencies, starting from the status-quo row."""
    if isinstance(value, dict):
        row = base_row.copy()
        named = np.zeros(len(names), dtype=bool)
        for name, v in value.items():
            if name != OTHERS:
                i = names.index(name)
                row[i], named[i] = v, True
        if OTHERS in value:
            rest = ~named
            row[rest] = _spread(value[OTHERS], weights, rest)[rest]
        return row
    return _spread(float(value), weights, np.ones(len(names), dtype=bool))


def _spread(total: float, weights: np.ndarray | None, where: np.ndarray) -> np.ndarray:
    out = np.zeros(len(where))
    if weights is None:
        out[where] = total
        return out
    w = np.where(where, weights, 0.0)
    if w.sum() > 0:
        out = total * w / w.sum()
    return out


def resolve(value, default, n_months: int, start: str, names: list[str],
            weights: np.ndarray | None) -> np.ndarray:
    """Array [month 0..n_months, regency] of a validated lever value."""
    zero = np.zeros(len(names))
    if isinstance(default, list):   # a dated status quo (the premium's national discounts)
        out = resolve(default, 0.0, n_months, start, names, weights)
    else:
        out = np.tile(_row(default, zero, weights, names), (n_months + 1, 1))
    status_quo = out[0]
    if not isinstance(value, list):
        out[:] = _row(value, status_quo, weights, names)
        return out
    for window in value:
        first = 0 if window.get("from") is None else max(0, months.index(window["from"], start))
        last = n_months if window.get("to") is None else min(n_months, months.index(window["to"], start))
        for month in range(first, last + 1):
            out[month] = _row(window["value"], out[month], weights, names)
    return out


def at_budget_boundaries(asked: np.ndarray, calendar_month: np.ndarray, apbd_p_month: int,
                         status_quo: np.ndarray, first: int = 1) -> np.ndarray:
    """The budget in force each month ([month, regency]): what was asked for at the latest
    boundary month (January or the APBD-P month) up to it; before the run's first boundary, the
    status quo (the budgets running at month 0). Before month index `first` (a run's decision
    month: the months before it are history, what was paid) every month's asked budget is in force."""
    t = np.arange(len(asked))
    boundary = (calendar_month == 1) | (calendar_month == apbd_p_month)
    boundary[:first] = True
    boundary[0] = False
    latest = np.maximum.accumulate(np.where(boundary, t, 0))
    out = asked[latest]
    out[latest == 0] = status_quo
    return out


def cumulative_counts(per_month: np.ndarray, scale: float) -> np.ndarray:
    """Whole simulated counts per month whose running total tracks the scaled real total.

    floor(cumsum) differences: deterministic, no count lost to rounding over the months.
    """
    running = np.floor(np.cumsum(per_month * scale, axis=0) + 1e-9)
    return np.diff(running, axis=0, prepend=0).astype(np.int64)
