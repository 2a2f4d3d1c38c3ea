"""The recommended plan as a timeline (Plan page): one row per lever (and per regency for a
lever by regency), one column per month from the decision month to the objective's, the
colour the lever's value in that month as a share of its row's largest, the value itself with
its unit on hover; and the plan's spend by budget year and payer as a display table
(experiments/optimize/payers.py).

Plain Python (no Solara): the page shows the figure with viz/charts.Plot.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from experiments import optimize as opt
from experiments.i18n import N_, Translator, lever_label, translator
from experiments.scenario import Scenario
from model import months
from viz.planner import amount

TITLE = N_("Plan {plan} month by month: each lever from the decision month")
HOVER = N_("{lever}, {month}: {value}")
COLOUR = N_("share of the row's largest value")
TOTAL = N_("Total {year}")
KINDS = {"office": N_("the office"), "province": N_("the province"), "regency": N_("regency government")}


def plan_months(problem: opt.OptProblem) -> list[str]:
    """The months the plan's levers act in: the decision month (or month 1) to the objective's."""
    return months.labels(problem.spend_from, problem.spend_months - 1)


def _at(value: Any, month: str) -> Any:
    """A lever setting's value in `month` (windows stack in order; None where none applies)."""
    if not isinstance(value, list):
        return value
    found = None
    for window in value:
        after = not window.get("from") or months.ordinal(window["from"]) <= months.ordinal(month)
        before = not window.get("to") or months.ordinal(month) <= months.ordinal(window["to"])
        if after and before:
            found = window["value"]
    return found


def rows(problem: opt.OptProblem, plan: Scenario) -> list[tuple[str, str, list[float]]]:
    """(lever, regency or "", value per plan month) of each moving lever; a lever by regency gives
    one row per regency it funds in some month."""
    out = []
    shown = plan_months(problem)
    for lever in problem.levers:
        value = plan.settings.get(lever.name)
        per_month = [_at(value, m) for m in shown]
        if any(isinstance(v, dict) for v in per_month):
            names = sorted({r for v in per_month if isinstance(v, dict) for r in v})
            for name in names:
                series = [float(v.get(name, 0.0)) if isinstance(v, dict) else 0.0 for v in per_month]
                if any(series):
                    out.append((lever.name, name, series))
        else:
            out.append((lever.name, "", [float(v) if v is not None else 0.0 for v in per_month]))
    return out


def timeline_figure(problem: opt.OptProblem, plan: Scenario, number: int, lang: str = "en") -> go.Figure:
    """The heatmap of the plan's levers by month (see the module's docstring)."""
    t = translator(lang)
    shown = plan_months(problem)
    found = rows(problem, plan)
    labels = [t(lever_label(name)) + (f": {regency}" if regency else "") for name, regency, _ in found]
    z, text = [], []
    for label, (name, _, series) in zip(labels, found, strict=True):
        top = max(series) or 1.0
        z.append([v / top for v in series])
        text.append([t(HOVER, lever=label, month=t.month(m), value=amount(v, name, t))
                     for m, v in zip(shown, series, strict=True)])
    fig = go.Figure(go.Heatmap(z=z, x=[t.month(m) for m in shown], y=labels, text=text,
                               hovertemplate="%{text}<extra></extra>", zmin=0, zmax=1, colorscale="Blues",
                               colorbar={"title": {"text": t(COLOUR)}}))
    fig.update_layout(title_text=t(TITLE, plan=number), height=max(320, 28 * len(labels) + 160),
                      yaxis={"autorange": "reversed", "automargin": True}, xaxis={"nticks": 10},
                      margin={"l": 10, "r": 10, "t": 60, "b": 40})
    return fig


def spend_rows(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The plan's spend by budget year and payer for display: a total row per year, then each
    payer (who pays, in rupiah in the page's language); rows numbered from 1."""
    t = translator(lang)
    out = []
    for year, group in table.groupby("year", sort=True):
        out.append({t("Budget year"): str(year), t("Payer"): t(TOTAL, year=year), t("Who"): "",
                    t("Spend"): t.rupiah(group["spend_idr"].sum())})
        for row in group.itertuples():
            out.append({t("Budget year"): str(year), t("Payer"): row.payer, t("Who"): t(KINDS[row.kind]),
                        t("Spend"): t.rupiah(row.spend_idr)})
    frame = pd.DataFrame(out, columns=[t("Budget year"), t("Payer"), t("Who"), t("Spend")])
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def spend_note(problem: opt.OptProblem, t: Translator) -> str:
    return t("Spend from {first} to {last}, mean of the replicates: what each payer's budget proposal needs; "
             "a year the plan covers in part shows its months only.",
             first=t.month(problem.spend_from), last=t.month(problem.objective.month))
