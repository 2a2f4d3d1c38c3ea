"""Figures for the explore page: one live EnrollmentModel, redrawn after each step.

Pure functions of the model's own tables (results() and regency_table()), so they are tested
without a browser; Plotly figures in the page's language, styled as experiments/figures.py.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from experiments.figures import SCENARIO_COLOURS, month_axis, style_figure
from experiments.i18n import N_, translator
from experiments.observed import overlay

# Headline numbers of the current month: (label, column, kind of value).
STATUS = ((N_("Month"), "month", "month"), (N_("Coverage"), "coverage", "percent"),
          (N_("Active participants"), "active", "number"),
          (N_("Perisai agents active"), "perisai_agents_active", "number"),
          (N_("Perisai visits this month"), "perisai_visits", "number"),
          (N_("New via Perisai this month"), "new_via_perisai", "number"),
          (N_("Villages active"), "villages_active", "number"))


def status(model, lang: str = "en") -> dict[str, str]:
    """The headline numbers of the current month, labelled and formatted in `lang`."""
    t = translator(lang)
    row = model.results().iloc[-1]
    write = {"month": t.month, "percent": t.percent, "number": t.number}
    return {t(label): write[kind](row[column]) for label, column, kind in STATUS}


def _months(results: pd.DataFrame, t) -> list[str]:
    return [t.month(m) for m in results["month"]]




def _line(results, column, name, colour, t, value, scale=1.0, **where):
    text = [f"{name}, {t.month(m)}: {value(v)}" for m, v in zip(results["month"], results[column], strict=True)]
    return go.Scatter(x=_months(results, t), y=results[column] * scale, mode="lines+markers",
                      name=name, text=text, hovertemplate="%{text}<extra></extra>",
                      line={"color": colour, "width": 2}, marker={"size": 4}, **where)


def coverage_so_far(results: pd.DataFrame, target: float, lang: str = "en", observed: pd.DataFrame | None = None,
                    decision_month: str | None = None) -> go.Figure:
    """Total, formal and informal coverage from month 0 to now, with the target; with `observed`
    (experiments.observed.points) the observed points so far and the decision month once reached."""
    t = translator(lang)
    fig = go.Figure()
    for i, (column, label) in enumerate([("coverage", N_("total")), ("coverage_formal", N_("formal")),
                                         ("coverage_informal", N_("informal"))]):
        fig.add_trace(_line(results, column, t(label), SCENARIO_COLOURS[i], t, t.percent, 100))
    fig.add_hline(y=target * 100, line={"color": "black", "dash": "dash", "width": 1},
                  annotation_text=t("target {share}", share=t.percent(target, 0)),
                  annotation_position="top left")
    month_axis(fig, list(results["month"]), t)
    overlay(fig, observed, list(results["month"]), t, decision_month)
    fig.update_yaxes(ticksuffix="%", range=[0, max(100 * target, 100 * results[
        ["coverage", "coverage_formal", "coverage_informal"]].to_numpy().max()) * 1.1])
    return style_figure(fig, t, t("Coverage"), t("% of workers"), height=360)


def perisai_activity(results: pd.DataFrame, lang: str = "en") -> go.Figure:
    """Perisai agents active (left axis) and their visits and new participants per month (right);
    both axes start at zero, so a steady number of agents reads as the flat line it is."""
    t = translator(lang)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    # each line's legend entry names its axis; the left axis is drawn in the agents' colour
    fig.add_trace(_line(results, "perisai_agents_active", t("agents active (left axis)"), SCENARIO_COLOURS[0], t,
                        t.number), secondary_y=False)
    fig.add_trace(_line(results, "perisai_visits", t("visits (right axis)"), SCENARIO_COLOURS[1], t, t.number),
                  secondary_y=True)
    fig.add_trace(_line(results, "new_via_perisai", t("new participants (right axis)"), SCENARIO_COLOURS[2], t,
                        t.number), secondary_y=True)
    month_axis(fig, list(results["month"]), t)
    top = results["perisai_agents_active"].max()  # at least 0-10, so whole-number ticks stay distinct
    fig.update_yaxes(title=t("agents (left axis)"), range=[0, max(top, 10) * 1.15], secondary_y=False,
                     color=SCENARIO_COLOURS[0])
    top = results[["perisai_visits", "new_via_perisai"]].to_numpy().max()
    # its own round ticks (not lined up with the agents' gridlines, which gave "15,001")
    fig.update_yaxes(title=t("workers per month (right axis)"), range=[0, max(top, 10) * 1.15], secondary_y=True,
                     tickmode="auto", showgrid=False)
    fig.update_yaxes(tickformat=",d")  # whole numbers of agents and workers, not "45k"
    return style_figure(fig, t, t("Perisai agents' activity"), None, height=360)


def perisai_caption(scale: float, lang: str = "en") -> str:
    """Why the agents' line steps down and back (300 -> 100 -> 300 at 1% of workers): one
    simulated agent stands for 1/scale real ones (agents/perisai.py), so when one quits, at the
    end of a month, the line drops by that many; the branch hires toward its target at the
    start of the next month. Visits are made before the month's quits, so they do not dip."""
    t = translator(lang)
    return t("At this scale one simulated agent stands for {count} real agents. When one quits at the end of a "
             "month (three months earning below the reservation income, or three idle months), the agents' line "
             "drops by {count}; the branch hires a replacement at the start of the next month, so the line "
             "comes back. Visits are made before the month's quits and do not dip.",
             count=translator(lang).number(round(1 / scale)))


def regency_now(regency_table: pd.DataFrame, target: float, lang: str = "en") -> go.Figure:
    """Coverage by regency in the latest month, ranked; regencies named as on the Compare page."""
    t = translator(lang)
    month = regency_table["month"].iloc[-1]
    now = regency_table[regency_table["month"] == month].sort_values("coverage")
    text = [f"{r}: {t.percent(v)}" for r, v in zip(now["regency"], now["coverage"], strict=True)]
    fig = go.Figure(go.Bar(x=now["coverage"] * 100, y=list(now["regency"]), orientation="h", text=text,
                           textposition="none", hovertemplate="%{text}<extra></extra>",
                           marker_color=SCENARIO_COLOURS[0], name=t("Coverage")))
    fig.add_vline(x=target * 100, line={"color": "black", "dash": "dash", "width": 1})
    fig.update_xaxes(ticksuffix="%", range=[0, max(100 * target, 100 * now["coverage"].max()) * 1.1],
                     title=t("% of workers"))
    return style_figure(fig, t, t("Coverage by regency, {month}", month=t.month(month)), "", height=520)
