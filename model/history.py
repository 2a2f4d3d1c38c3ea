"""A region's history as lever windows: what the status quo was from month 0 to the decision month.

history.toml (model/data/regions/<id>/, docs/regions.md) lists the programmes announced or
observed after month 0. A run with a decision month (EnrollmentModel(decision_month=...); the
scenario run field `decision_month`) runs through them up to the month before it, then keeps the
budgets in force in that month; the run's own levers act from the decision month on (the model
stacks them on these windows: model.py `_resolve_levers`). The rules, each written in
docs/model.md ("History and the decision month"):

- A **regency** programme pays its regency's budget (`subsidy_budget_idr`) in its months, from
  `start` for `months`; in those months it replaces the regency's month-0 programme
  (subsidies.toml), as the sources say of the growing ones ("replaces the 11,000"). Programmes of
  one regency running in the same month add up. Outside every programme's months the regency's
  month-0 budget applies.
- A **province** programme pays the province's own budget (`palm_subsidy_budget_idr`) when its
  groups are among the groups of the province's month-0 programme (the one payer the model has
  for a province); otherwise it is not modelled, with that reason.
- A programme's money: `budget_idr` when the source states it, spread over its months; otherwise
  beneficiaries x `premium_idr` (Rp 16,800) a month, the way an APBD appropriates it. In the PP
  50/2025 months that money pays for up to twice the worker-months, as every budget does in the
  model (model/premium.py).
- The model spreads a year's budget evenly over the months of that year with a budget > 0
  (agents/local_government.py), so each month's lever value is the month's money times the
  number of such months in its calendar year; the windows therefore reproduce each month's money.
- Not modelled, each with its reason (`not_modelled`): programmes with no count of beneficiaries
  and no budget, `level = "other"` (no payer the model has), `status = "planned"` (not known to
  have started), `superseded_by` another entry, groups no payer of the model enrols (wage earners,
  `eligible = []`), and province programmes for other groups than the province payer's.
- The groups a history programme enrols join `subsidy_eligible` (one list for every payer of the
  model): `eligible_groups`.
- The durations are the files' `months`; a programme whose duration has a `months_range` (most
  are assumptions) moves within it by the uncertain parameter `history_duration_shift` (0: the
  files' months; -1: every such programme at its range's low end; +1 at its high end), which the
  ensemble draws, so what the status quo gives after the history carries the durations' range.

Budgets before the decision month are in force in the months the history gives them (they are what
was paid); from the decision month on they change only at budget boundaries (model/levers.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model import data, months
from model.data.region import Region

REGENCY_LEVER = "subsidy_budget_idr"
PROVINCE_LEVER = "palm_subsidy_budget_idr"
APPLIED_STATUS = ("observed", "announced")


@dataclass(frozen=True)
class History:
    """A region's history up to a decision month, as lever windows."""

    region: str
    decision_month: str
    levers: dict[str, list[dict]]                   # lever -> windows {from, to, value}
    eligible_groups: tuple[str, ...]                # groups the applied programmes enrol
    applied: list[str] = field(default_factory=list)         # programme names
    not_modelled: list[tuple[str, str]] = field(default_factory=list)   # (name, reason)


def history(region_id: str, decision_month: str | None = None, data_set: str | None = None,
            duration_shift: float = 0.0) -> History:
    """The history of `region_id` from its data set's month 0 to the month before
    `decision_month` (default: the region's, Region.decision_month), each ranged duration moved
    by `duration_shift` (-1 to 1: `months`)."""
    region = data.load(region_id)
    decision = decision_month or region.decision_month
    month0 = region.data_set(data_set).month0
    if months.ordinal(decision) <= months.ordinal(month0):
        raise ValueError(f"decision_month {decision} must be after the data set's month 0 ({month0})")
    applied, skipped = [], []
    for programme in region.history.get("programme", []):
        reason = _not_modelled(programme, region)
        if reason:
            skipped.append((str(programme["name"]), reason))
        else:
            applied.append({**programme, "written_months": programme["months"],
                            "months": months_of(programme, duration_shift)})
    first_year = months.ordinal(month0) // 12
    n_years = months.ordinal(decision) // 12 - first_year + (months.ordinal(decision) % 12 > 0)
    calendar = months.label(first_year * 12), 12 * n_years      # whole calendar years
    levers = {}
    regency = [p for p in applied if p["level"] == "regency"]
    levers[REGENCY_LEVER] = _windows(
        {name: [p for p in regency if region.resolve_regency(p["regency"]) == name]
         for name in region.regency_names},
        region.status_quo_regency_budgets(), region, calendar, month0, decision)
    province = [p for p in applied if p["level"] == "province"]
    province_windows = _windows({"": province}, {"": region.status_quo_province_budget()},
                                region, calendar, month0, decision)
    levers[PROVINCE_LEVER] = [{**w, "value": w["value"][""]} for w in province_windows]
    groups = sorted({g for p in regency for g in p["eligible"]})
    return History(region.id, decision, levers, tuple(groups), [str(p["name"]) for p in applied], skipped)


def _not_modelled(programme: dict, region: Region) -> str | None:
    if programme.get("superseded_by"):
        return f"superseded by {programme['superseded_by']!r}"
    if programme.get("status") not in APPLIED_STATUS:
        return f"status {programme.get('status')!r}: not known to have started"
    if programme.get("level") not in ("regency", "province"):
        return "paid by no payer the model has (level 'other')"
    if not programme.get("beneficiaries") and not programme.get("budget_idr"):
        return "no count of beneficiaries and no budget published"
    if not programme.get("eligible"):
        return "wage earners (eligible = []): no informal group to enrol"
    own = set(region.province_programme["eligible"])
    if programme["level"] == "province" and not set(programme["eligible"]) <= own:
        return (f"a province programme for {', '.join(programme['eligible'])}: the model's province payer "
                f"enrols {', '.join(sorted(own))} only")
    return None


def months_of(programme: dict, shift: float) -> int:
    """A programme's duration: its `months`, moved toward the low (shift < 0) or high (shift > 0)
    end of its `months_range` by |shift| of the way, rounded; without a range, its `months`."""
    written = int(programme["months"])
    if "months_range" not in programme or shift == 0:
        return written
    low, high = (int(x) for x in programme["months_range"])
    moved = written + shift * ((written - low) if shift < 0 else (high - written))
    return max(1, int(round(moved)))


def monthly_money(programme: dict, premium_idr: int) -> float:
    """Rupiah a programme pays in each of its months."""
    if programme.get("budget_idr"):     # a stated budget pays its written months' worth a month
        return float(programme["budget_idr"]) / int(programme.get("written_months", programme["months"]))
    return float(programme["beneficiaries"]) * premium_idr


def _windows(programmes: dict[str, list[dict]], status_quo: dict[str, float], region: Region,
             calendar: tuple[str, int], month0: str, decision: str) -> list[dict]:
    """Windows {from, to, value: {payer: yearly value}} reproducing each payer's money month by
    month from month 1 to the month before `decision`, then the money in force in that month
    carried on from `decision` (open window). Payers with no programme get no window."""
    first, n = calendar
    base = months.ordinal(first)
    start, stop = months.ordinal(month0) - base, months.ordinal(decision) - base   # index range
    windows: list[dict] = []
    for payer, own in programmes.items():
        if not own:
            continue
        money = np.full(n, np.nan)                      # NaN: no programme -> month-0 budget
        for p in own:
            lo = months.ordinal(p["start"]) - base
            hi = min(lo + int(p["months"]), n)
            money[lo:hi] = np.nan_to_num(money[lo:hi]) + monthly_money(p, region.premium_idr())
        sq_month = status_quo.get(payer, 0.0) / 12
        paid = np.where(np.isnan(money), sq_month, money)
        paid[:start] = paid[start]                      # months before month 0 count as month 0's
        active = (paid.reshape(-1, 12) > 0).sum(axis=1).repeat(12)
        value = np.where(np.isnan(money), np.nan, money * active)
        value[:start + 1] = np.nan                      # levers act from month 1
        value[stop:] = np.nan
        for lo, hi, v in _runs(value):
            windows.append({"from": months.label(base + lo), "to": months.label(base + hi),
                            "value": {payer: v}})
        if not np.isnan(money[stop - 1]):               # in force before the decision: carried on
            windows.append({"from": decision, "value": {payer: float(money[stop - 1] * 12)}})
    return sorted(windows, key=lambda w: months.ordinal(w["from"]))


def _runs(values: np.ndarray):
    """(first, last, value) of each run of equal, non-NaN values."""
    i, n = 0, len(values)
    while i < n:
        if np.isnan(values[i]):
            i += 1
            continue
        j = i
        while j + 1 < n and values[j + 1] == values[i]:
            j += 1
        yield i, j, float(values[i])
        i = j + 1
