"""The regency choropleth: one scenario's coverage, its change against the baseline, or its
spend, per regency, on the regencies' real boundaries (experiments/boundaries.py), joined on the
BPS code, with the value on hover in the page's language and the boundaries' attribution on the
figure. Drawn as filled scatter traces on plain axes with equal aspect, so it needs no map tiles
or world outline from a CDN and works offline (app and report.html).

Input: the runner's regency table (one row per scenario, replicate, month and regency; a
`spend_idr` column, the month's rupiah paid by the regency's local budget, enables the spend map
of the cumulative spend), the
regencies table (`regency`, `bps_code`: model/data regencies.csv) and the outlines.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from experiments.boundaries import Outline
from experiments.figures import (BASELINE, BILLION, MAP_HEIGHT, MAP_LABEL_FONT, label_places, plain,
                                 regency_coverage, style_figure)
from experiments.i18n import N_, Translator, translator

MAP_ATTRIBUTION = N_("Administrative boundaries: BPS - Statistics Indonesia and OCHA ROAP, via HDX (Indonesia "
                     "COD-AB, 2020), distributed by geoBoundaries (Runfola et al. 2020), licensed CC BY 3.0 IGO. "
                     "Subset and simplified.")
METRICS = {"coverage": N_("coverage"), "change": N_("change against the baseline"), "spend": N_("spend")}
SCALES = {"coverage": "Viridis", "change": "RdBu", "spend": "Cividis"}
NO_VALUE_COLOUR = "#e0e0e0"
DOT_SIZE = 7              # px, the dot at each regency's centre (its value on hover)
HALO = "1px 1px 2px #fff, -1px -1px 2px #fff, 1px -1px 2px #fff, -1px 1px 2px #fff"   # names readable on any fill
ATTRIBUTION_WIDTH = 120   # characters per line of the attribution under the map


def metrics(regency: pd.DataFrame, scenario: str, baseline: str = BASELINE) -> list[str]:
    """The maps this table can draw for `scenario`: coverage always, the change when the
    baseline was run beside it, spend when the table attributes spend to regencies."""
    found = ["coverage"]
    if scenario != baseline and baseline in set(regency["scenario"]):
        found.append("change")
    if "spend_idr" in regency:
        found.append("spend")
    return found


def regency_values(regency: pd.DataFrame, month: str, scenario: str, metric: str,
                   baseline: str = BASELINE) -> pd.Series:
    """Per regency (by name): mean coverage, coverage minus the baseline's (a share), or mean
    cumulative spend in rupiah, at `month`."""
    if metric not in metrics(regency, scenario, baseline):
        raise ValueError(f"metric: {metric!r} cannot be drawn for {scenario!r}; possible: "
                         f"{', '.join(metrics(regency, scenario, baseline))}")
    if metric == "spend":     # the monthly spend_idr summed to `month`, then the replicates' mean
        rows = regency[(regency["month"] <= month) & (regency["scenario"] == scenario)]
        by = ["replicate", "regency"] if "replicate" in rows else ["regency"]
        return rows.groupby(by)["spend_idr"].sum().groupby("regency").mean()
    table = regency_coverage(regency, month)
    return table[scenario] - table[baseline] if metric == "change" else table[scenario]


def _formatted(t: Translator, metric: str):
    if metric == "change":
        return lambda v: t("{value} points", value=("+" if v > 0 else "") + t.number(v * 100, 1))
    return t.rupiah if metric == "spend" else t.percent


def _range(values: pd.Series, metric: str) -> tuple[float, float]:
    if values.empty:
        return 0.0, 1.0
    low, high = float(values.min()), float(values.max())
    if metric == "change":
        bound = max(abs(low), abs(high)) or 1e-9
        return -bound, bound
    return (low, high) if high > low else (low - 0.5 * (abs(low) or 1), high + 0.5 * (abs(high) or 1))


def _label_places(dots: dict[str, list]) -> list[str]:
    """Where each regency's name goes beside its dot so that no name covers another
    (figures.label_places, in pixels: both axes share one scale, set by the taller extent)."""
    if not dots["x"]:
        return []
    span = max(max(dots["y"]) - min(dots["y"]), (max(dots["x"]) - min(dots["x"])) / 1.6) or 1.0
    scale = (MAP_HEIGHT - 130) / (span * 1.25)
    return label_places([x * scale for x in dots["x"]], [y * scale for y in dots["y"]], dots["name"],
                        [DOT_SIZE] * len(dots["x"]))


def regency_choropleth_figure(regency: pd.DataFrame, places: pd.DataFrame, shapes: tuple[Outline, ...],
                              month: str, scenario: str, metric: str = "coverage", baseline: str = BASELINE,
                              lang: str = "en") -> go.Figure:
    """The map: each regency filled by its value and named beside the dot at its centre, the
    value on hover (over the area and over the dot), a colour bar, the attribution under it."""
    t = translator(lang)
    values = regency_values(regency, month, scenario, metric, baseline)
    code_of = dict(zip(places["regency"], places["bps_code"].astype(str), strict=True))
    by_code = {code_of[name]: (name, float(v)) for name, v in values.items() if name in code_of and pd.notna(v)}
    low, high = _range(pd.Series([v for _, v in by_code.values()], dtype=float), metric)
    fmt = _formatted(t, metric)
    traces = []
    dots: dict[str, list] = {"x": [], "y": [], "value": [], "text": [], "name": []}
    for shape in shapes:
        name, value = by_code.get(shape.bps_code, (shape.name, None))
        text = t("{regency}: {value}", regency=plain(name), value=t("no value") if value is None else fmt(value))
        colour = NO_VALUE_COLOUR if value is None else \
            sample_colorscale(SCALES[metric], [min(1.0, max(0.0, (value - low) / (high - low)))])[0]
        traces.append(go.Scatter(x=shape.lon, y=shape.lat, mode="lines", fill="toself", fillcolor=colour,
                                 line={"color": "white", "width": 0.8}, hoveron="fills", text=text, hoverinfo="text",
                                 name=plain(name), showlegend=False))
        if value is not None:
            dots["x"].append(shape.centroid[0])
            dots["y"].append(shape.centroid[1])
            dots["value"].append(value)
            dots["text"].append(text)
            dots["name"].append(plain(name))
    scale = 1 / BILLION if metric == "spend" else 100
    bar = {"coverage": {"title": t("coverage, %"), "ticksuffix": "%"},
           "change": {"title": t("points against {baseline}", baseline=plain(baseline))},
           "spend": {"title": t("billion rupiah, cumulative")}}[metric]
    traces.append(go.Scatter(x=dots["x"], y=dots["y"], mode="markers+text", customdata=dots["text"],
                             text=dots["name"], textposition=_label_places(dots),
                             textfont={"size": MAP_LABEL_FONT, "color": "#111111", "shadow": HALO},
                             hovertemplate="%{customdata}<extra></extra>", showlegend=False, name="",
                             marker={"size": DOT_SIZE, "color": [v * scale for v in dots["value"]], "cmin": low * scale,
                                     "cmax": high * scale, "colorscale": SCALES[metric], "colorbar": bar,
                                     "line": {"color": "black", "width": 0.6}}))
    fig = go.Figure(traces)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    attribution = "<br>".join(textwrap.wrap(t(MAP_ATTRIBUTION), ATTRIBUTION_WIDTH))
    fig.add_annotation(text=attribution, xref="paper", yref="paper", x=0, y=0, yshift=-8, xanchor="left",
                       yanchor="top", showarrow=False, align="left", font={"size": 10, "color": "#555555"},
                       name="attribution")
    titles = {"coverage": t("{scenario}: coverage by regency, {month}", scenario=plain(scenario), month=t.month(month)),
              "change": t("{scenario}: coverage against {baseline} by regency, {month}", scenario=plain(scenario),
                          baseline=plain(baseline), month=t.month(month)),
              "spend": t("{scenario}: spend by regency to {month}", scenario=plain(scenario), month=t.month(month))}
    fig = style_figure(fig, t, titles[metric], None, height=MAP_HEIGHT)
    fig.update_layout(margin={"l": 20, "r": 20, "t": 60, "b": 70}, plot_bgcolor="white")
    return fig


def run_choropleth_figure(regency_table: pd.DataFrame, places: pd.DataFrame, shapes: tuple[Outline, ...],
                          lang: str = "en") -> go.Figure:
    """One live run's coverage by regency in its latest month (the model's own regency_table,
    without scenario or replicate columns: the Explore page)."""
    t = translator(lang)
    month = regency_table["month"].iloc[-1]
    table = regency_table.assign(scenario=t("this run"), replicate=0)
    return regency_choropleth_figure(table, places, shapes, month, t("this run"), "coverage", lang=lang)
