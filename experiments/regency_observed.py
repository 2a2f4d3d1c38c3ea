"""The regencies with an observed coverage figure: the baseline's band over time in each, against
the observed points (issue 22 item 2; the points from experiments/observed.py). Used by the HTML
report's regency section; None when no regency of the run has an observed figure in its months."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from experiments import figures, observed
from experiments.i18n import translator

COLUMNS = 3
PANEL_HEIGHT = 220


def regency_observed_figure(regency: pd.DataFrame, region_id: str, lang: str = "en",
                            baseline: str = figures.BASELINE) -> go.Figure | None:
    """One small panel per regency with observed points inside the run's months: the baseline's
    (else the first scenario's) mean and 90% band of the regency's coverage, and the points."""
    t = translator(lang)
    months = sorted(regency["month"].unique())
    points = observed.points(region_id, observed.REGENCIES)
    points = points[points["month"].isin(months) & points["scope"].isin(set(regency["regency"]))]
    names = list(dict.fromkeys(points.sort_values("scope")["scope"]))
    if not names:
        return None
    series = baseline if baseline in set(regency["scenario"]) else regency["scenario"].iloc[0]
    rows = math.ceil(len(names) / COLUMNS)
    fig = make_subplots(rows=rows, cols=min(COLUMNS, len(names)), subplot_titles=names, shared_yaxes=True,
                        vertical_spacing=0.5 / rows, horizontal_spacing=0.04)
    for i, name in enumerate(names):
        where = {"row": i // COLUMNS + 1, "col": i % COLUMNS + 1}
        own = regency[(regency["regency"] == name) & (regency["scenario"] == series)]
        band = figures.bands(own, "coverage")
        colour = figures.BASELINE_COLOUR if series == baseline else figures.SCENARIO_COLOURS[0]
        figures.add_band(fig, band, f"{figures.plain(series)}, {name}", colour, t.percent, t, 100, **where)
        observed.overlay(fig, points[points["scope"] == name], months, t, note=False, showlegend=i == 0,
                         row=where["row"], col=where["col"])
        figures.month_axis(fig, months, t, ticks=4, **where)
    for trace in fig.data:
        if trace.mode == "lines":
            trace.showlegend = False
    fig.update_yaxes(ticksuffix="%", rangemode="tozero")
    figures.style_figure(fig, t, t("Regencies with an observed figure: {series} (line: mean; band: 90% of "
                                   "replicates) and the observed points", series=figures.plain(series)),
                         None, height=PANEL_HEIGHT * rows + 150)
    return fig.update_layout(margin={"t": fig.layout.margin.t + 30})   # room for the panels' titles
