"""Interactive charts (Plotly) of an experiment's tidy tables, and the colours every chart shares.

Each chart is built here once, from the runner's tidy tables, and used by the app (through
solara.FigurePlotly) and by the HTML report (`cakupan report`), so the two never disagree.
Hover text is formatted in Python with the same formatters as the summary table
(experiments/i18n.py), so a hovered value reads exactly as the table's cell, in either language.

Colours: `series_colours` gives every scenario one colour across every chart and table of a
comparison, in the order the scenarios were chosen, the baseline always the same neutral grey.
When there are more series than colours (a sweep's points), only the best and worst are
coloured and every other series is drawn thin and grey, with one legend entry for all of them:
nothing is ever left out.

Input schemas (experiments/runner.py): results has one row per (scenario, replicate, month) with
the model's outputs (model/outputs.py); bands one row per (series, month) with mean, low, high;
regency one row per (scenario, replicate, month, regency) with coverage.
"""

from __future__ import annotations

import html
import math
import re
from typing import Callable

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from experiments import observed as observed_points
from experiments import outcomes
from experiments import summary as stats
from experiments.i18n import N_, Translator, lever_label, translator
from experiments.summary import cumulative_spend
from model import channels, months
from model.parameters import PARAMETERS

BASELINE = "baseline"
BASELINE_COLOUR = "#6e6e6e"     # neutral grey: the reference, never a policy's colour
OTHER_COLOUR = "#c4c4c4"        # series neither best nor worst when there are too many to colour
BEST_COLOUR = "#1b7837"
WORST_COLOUR = "#b2182b"
# Okabe-Ito's colour-blind-safe palette (without its yellow, unreadable as a line on white and
# its grey, kept for the baseline): at most 6 scenarios are compared, plus the baseline.
SCENARIO_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#882255",
                    "#117733")
BAND_OPACITY = 0.18
BILLION = 1e9
LEVEL = 0.9  # central interval over replicates shown as a band
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

CHANNEL_LABELS = {"self": N_("self-registration"), "campaign": N_("socialization"),
                  "village": N_("village officials"), "perisai": N_("Perisai agents"),
                  "subsidy": N_("local-government subsidy"), "firms": N_("firm partnerships"),
                  "jobs": N_("new formal jobs"), "pilot": N_("pilot")}
CHANNEL_COLUMNS = {f"new_via_{name}": name for name in channels.CHANNEL_NAMES.values()}


# ---------------------------------------------------------------------------------- colours
def series_colours(names, baseline: str = BASELINE) -> dict[str, str]:
    """One colour per name, in the given order; the baseline neutral grey. More names than
    colours: none coloured here (use `highlight_colours`), so a colour never means two series."""
    names = list(dict.fromkeys(names))
    others = [n for n in names if n != baseline]
    if len(others) > len(SCENARIO_COLOURS):
        return {n: BASELINE_COLOUR for n in names if n == baseline}
    colours = dict(zip(others, SCENARIO_COLOURS, strict=False))  # fewer names than colours (checked above)
    if baseline in names:
        colours[baseline] = BASELINE_COLOUR
    return {n: colours[n] for n in names}


def highlight_colours(values: pd.Series, better: str = "max", baseline: str = BASELINE) -> dict[str, str]:
    """For many series: the best and worst (by `values`, indexed by series) coloured, the
    baseline grey; every other series is drawn in OTHER_COLOUR by the charts."""
    colours = {}
    values = values.dropna().drop(baseline, errors="ignore")  # the baseline is the reference
    if not values.empty:
        best, worst = (values.idxmax(), values.idxmin()) if better == "max" else (values.idxmin(), values.idxmax())
        colours[worst] = WORST_COLOUR
        colours[best] = BEST_COLOUR
    colours[baseline] = BASELINE_COLOUR
    return colours


def series_labels(frame: pd.DataFrame, by: tuple[str, ...]) -> list[str]:
    """One label per line drawn: the scenario, and the point in a sweep ('baseline, 3')."""
    if "point" in by:
        return [f"{s}, {p}" for s, p in zip(frame["scenario"], frame["point"], strict=True)]
    return list(frame["scenario"])


def series_table(table: pd.DataFrame, by: tuple[str, ...]) -> pd.DataFrame:
    """`table` with its `series` label (see series_labels)."""
    return table.assign(series=series_labels(table, by))


def experiment_colours(summary: pd.DataFrame, by: tuple[str, ...], order: list[str],
                       baseline: str = BASELINE) -> dict[str, str]:
    """Colours of a results folder's series: one per scenario when they fit the palette (in
    `order`); else the best and worst by coverage at the target month, the rest grey."""
    labels = series_labels(summary, by)
    names = [n for n in order if n in set(labels)] + labels
    colours = series_colours(names, baseline)
    if len(colours) == len(set(names)):
        return colours
    return highlight_colours(pd.Series(summary["coverage_mean"].to_numpy(), index=labels), "max", baseline)


def colour_of(colours: dict[str, str], name: str) -> str:
    return colours.get(name, OTHER_COLOUR)


def plain(name) -> str:
    """A scenario's name as text: Plotly reads a few HTML tags in labels, and a name is data."""
    return html.escape(str(name), quote=False)


def _rgba(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


# ---------------------------------------------------------------------------------- tables
def bands(results: pd.DataFrame, column: str, level: float = LEVEL, by: str = "scenario") -> pd.DataFrame:
    """Mean and central `level` interval of `column` across replicates, per series and month
    (experiments.summary.bands of one column, series in the order they come)."""
    tail = (1 - level) / 2
    return stats.bands(results, [column], (by,), tail, 1 - tail, sort=False).drop(columns="output")


def channel_totals(results: pd.DataFrame) -> pd.DataFrame:
    """Mean over replicates of new enrollments summed over the run, scenario x channel."""
    columns = [c for c in CHANNEL_COLUMNS if c in results]
    per_run = results.groupby(["scenario", "replicate"], sort=False)[columns].sum()
    totals = per_run.groupby(level="scenario", sort=False).mean()
    totals.columns = [CHANNEL_COLUMNS[c] for c in totals.columns]
    return totals


def regency_coverage(regency: pd.DataFrame, month: str) -> pd.DataFrame:
    """Mean coverage by regency at `month`, regencies as rows and scenarios as columns (in
    their order), ranked by the first scenario (highest first)."""
    rows = regency[regency["month"] == month]
    order = list(dict.fromkeys(rows["scenario"]))
    table = rows.groupby(["regency", "scenario"])["coverage"].mean().unstack("scenario")[order]
    return table.sort_values(order[0], ascending=False)


def month_shown(table: pd.DataFrame, preferred: str) -> str:
    """`preferred` (the target month) if the runs reach it, else their last month."""
    available = table["month"].unique()
    return preferred if preferred in available else max(available)


# ---------------------------------------------------------------------------------- drawing
# Plotly's decimal and thousands separators per language (axis ticks; hover text is Babel's).
SEPARATORS = {"en": ".,", "id": ",."}


TITLE_WIDTH = 60  # characters on a line of a chart's title (a chart on the Compare page at 1400 px)


def wrap_title(title: str, width: int = TITLE_WIDTH) -> str:
    """A chart title in lines of at most `width` characters, broken between words (plotly never
    wraps a title: a long one was cut at the chart's edge)."""
    lines: list[str] = []
    for word in title.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def style_figure(fig: go.Figure, t: Translator, title: str, y_title: str | None, x_title: str = "",
                 height: int = 420) -> go.Figure:
    """The look every chart shares, with the language's number separators on the axes;
    `y_title` None leaves the y axes' titles as the builder set them."""
    title = wrap_title(title)
    fig.update_layout(title=title, height=height, template="plotly_white", hovermode="closest",
                      legend={"orientation": "h", "y": -0.18},
                      margin={"l": 60, "r": 20, "t": 60 + 22 * title.count("<br>"), "b": 40},
                      font={"family": "Roboto, Arial, sans-serif"}, separators=SEPARATORS.get(t.lang, ".,"))
    if y_title is not None:
        fig.update_yaxes(title=y_title)
    if x_title:
        fig.update_xaxes(title=x_title)
    return fig


MONTH_TICKS = 10  # at most this many month labels on an axis: 'Des 2025' written whole, level


def month_axis(fig: go.Figure, month_labels: list[str], t: Translator, ticks: int = MONTH_TICKS, **where) -> None:
    """Months as ordered categories in the page's language (every series shares one axis),
    labelled every few months so no label is cut or overlaps (hover names every month)."""
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=[t.month(m) for m in month_labels],
                     dtick=max(1, math.ceil(len(month_labels) / ticks)), tickangle=0, **where)


def add_band(fig: go.Figure, band: pd.DataFrame, name: str, colour: str | None, value, t: Translator,
             scale: float = 1.0, **where) -> None:
    """One series' mean line (hover: the value as the tables write it) and shaded interval.
    `colour` None: a thin grey line without band, in the shared 'other' legend group."""
    name = plain(name)
    x = [t.month(m) for m in band["month"]]
    text = [t("{series}, {month}: {value} (90% of replicates: {low} to {high})", series=name,
              month=t.month(m), value=value(v), low=value(lo), high=value(hi))
            for m, v, lo, hi in zip(band["month"], band["mean"], band["low"], band["high"], strict=True)]
    if colour is None:
        fig.add_trace(go.Scatter(x=x, y=band["mean"] * scale, mode="lines", name=name, text=text,
                                 hovertemplate="%{text}<extra></extra>", legendgroup="others",
                                 line={"color": OTHER_COLOUR, "width": 1}, showlegend=False), **where)
        return
    fig.add_trace(go.Scatter(x=x, y=band["high"] * scale, mode="lines", line={"width": 0},
                             legendgroup=name, showlegend=False, hoverinfo="skip", name=name), **where)
    fig.add_trace(go.Scatter(x=x, y=band["low"] * scale, mode="lines", line={"width": 0},
                             fill="tonexty", fillcolor=_rgba(colour, BAND_OPACITY), legendgroup=name,
                             showlegend=False, hoverinfo="skip", name=name), **where)
    fig.add_trace(go.Scatter(x=x, y=band["mean"] * scale, mode="lines", name=name, text=text,
                             hovertemplate="%{text}<extra></extra>", legendgroup=name,
                             line={"color": colour, "width": 2.5}, meta={"series": name}), **where)


def _others_legend(fig: go.Figure, count: int, t: Translator) -> None:
    """One legend entry for every grey series (clicking it hides or shows them all)."""
    if count:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", legendgroup="others",
                                 line={"color": OTHER_COLOUR, "width": 1},
                                 name=t("{count} other series (grey)", count=count)))


def band_traces(fig: go.Figure, table: pd.DataFrame, colours: dict[str, str], value, t: Translator,
                scale: float = 1.0, by: str = "scenario", **where) -> int:
    """Every series of `table` (bands) in order: coloured ones with bands, the rest grey;
    returns how many were grey. Grey ones are drawn first so coloured lines stay on top."""
    names = list(dict.fromkeys(table[by]))
    grey = [n for n in names if n not in colours]
    for name in grey + [n for n in names if n in colours]:
        add_band(fig, table[table[by] == name], str(name), colours.get(name), value, t, scale, **where)
    return len(grey)


def coverage_figure(coverage_bands: pd.DataFrame, colours: dict[str, str], target: float,
                    target_month: str, lang: str = "en", by: str = "scenario",
                    observed: pd.DataFrame | None = None, decision_month: str | None = None) -> go.Figure:
    """Coverage over time: each series' mean and 90% band, the target line and month; with
    `observed` (experiments.observed.points) the observed points, where they end, and the
    decision month (experiments.observed.overlay)."""
    t = translator(lang)
    fig = go.Figure()
    grey = band_traces(fig, coverage_bands, colours, t.percent, t, scale=100, by=by)
    _others_legend(fig, grey, t)
    month_labels = sorted(coverage_bands["month"].unique())
    month_axis(fig, month_labels, t)
    fig.add_hline(y=target * 100, line={"color": "black", "dash": "dash", "width": 1},
                  annotation_text=t("target {share}", share=t.percent(target, 0)),
                  annotation_position="top left")
    if target_month in month_labels:
        fig.add_vline(x=month_labels.index(target_month), line={"color": "grey", "dash": "dot", "width": 1})
    observed_points.overlay(fig, observed, month_labels, t, decision_month)
    fig.update_yaxes(ticksuffix="%", rangemode="tozero")
    return style_figure(fig, t, t("Coverage over time (line: mean; band: 90% of replicates)"),
                   t("active participants, % of workers"))


def formal_informal_figure(results: pd.DataFrame, colours: dict[str, str], lang: str = "en") -> go.Figure:
    """Formal and informal coverage side by side, each with its 90% band (one legend)."""
    t = translator(lang)
    fig = make_subplots(rows=1, cols=2, subplot_titles=[t("Formal (wage and construction)"),
                                                        t("Informal (BPU)")])
    for col, column in ((1, "coverage_formal"), (2, "coverage_informal")):
        band_traces(fig, bands(results, column), colours, t.percent, t, scale=100, row=1, col=col)
        month_axis(fig, sorted(results["month"].unique()), t, MONTH_TICKS // 2, row=1, col=col)  # half width
    seen = set()
    for trace in fig.data:  # the second panel's lines share the first's legend entries
        if trace.showlegend is not False and trace.name in seen:
            trace.showlegend = False
        seen.add(trace.name)
    fig.update_yaxes(ticksuffix="%")
    return style_figure(fig, t, t("Formal and informal coverage"), t("% of the sector's workers"))


def channels_figure(results: pd.DataFrame, colours: dict[str, str], lang: str = "en") -> go.Figure:
    """New enrollments over the run by channel (grouped bars), one colour per scenario."""
    t = translator(lang)
    totals = channel_totals(results)
    labels = [t(CHANNEL_LABELS.get(c, c)) for c in totals.columns]
    fig = go.Figure()
    for scenario, row in totals.iterrows():
        text = [t("{series}, {channel}: {value} workers", series=plain(scenario), channel=label,
                  value=t.number(v)) for label, v in zip(labels, row, strict=True)]
        fig.add_trace(go.Bar(x=labels, y=row.to_numpy(), name=plain(scenario), text=text,
                             textposition="none", hovertemplate="%{text}<extra></extra>",
                             marker_color=colour_of(colours, scenario)))
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=",d")   # 200.000 / 200,000 in the language, not plotly's "0,2M"
    return style_figure(fig, t, t("New enrollments by channel over the run (mean of replicates)"), t("workers"))


def spend_figure(results: pd.DataFrame, colours: dict[str, str], lang: str = "en", by: str = "scenario") -> go.Figure:
    """Cumulative spend over time, mean and 90% band per series (axis in billion rupiah)."""
    t = translator(lang)
    fig = go.Figure()
    grey = band_traces(fig, bands(cumulative_spend(results, by), "spend_idr", by=by), colours, t.rupiah,
                       t, scale=1 / BILLION, by=by)
    _others_legend(fig, grey, t)
    month_axis(fig, sorted(results["month"].unique()), t)
    return style_figure(fig, t, t("Spend over time (all items: subsidies, Perisai, campaigns, villages, firms, pilot)"),
                   t("billion rupiah, cumulative"))


def regency_figure(regency: pd.DataFrame, month: str, target: float, colours: dict[str, str],
                   lang: str = "en") -> go.Figure:
    """Coverage by regency at `month`: one row per regency (ranked), one dot per scenario."""
    t = translator(lang)
    table = regency_coverage(regency, month)
    names = list(table.index)[::-1]  # highest at the top
    fig = go.Figure()
    for regency_name in names:
        values = table.loc[regency_name] * 100
        fig.add_trace(go.Scatter(x=[values.min(), values.max()], y=[regency_name] * 2, mode="lines",
                                 line={"color": "#bbbbbb", "width": 1}, showlegend=False, hoverinfo="skip"))
    for scenario in table.columns:
        text = [t("{series}, {regency}: {value}", series=plain(scenario), regency=r,
                  value=t.percent(table.loc[r, scenario])) for r in names]
        fig.add_trace(go.Scatter(x=table.loc[names, scenario] * 100, y=names, mode="markers", name=plain(scenario),
                                 text=text, hovertemplate="%{text}<extra></extra>",
                                 marker={"color": colour_of(colours, scenario), "size": 9}))
    fig.add_vline(x=target * 100, line={"color": "black", "dash": "dash", "width": 1})
    fig.update_xaxes(ticksuffix="%", title=t("coverage in {month}, % of workers (mean of replicates)",
                                             month=t.month(month)))
    return style_figure(fig, t, t("Coverage by regency, {month}", month=t.month(month)), "",
                   height=26 * len(names) + 160)


MAP_HEIGHT = 520
MAP_LABEL_FONT = 10          # px; a character is about 0.6 of it wide
# Where a regency's name may go around its dot, tried in this order (Plotly textposition names).
LABEL_PLACES = ("top center", "bottom center", "middle right", "middle left", "top right", "top left",
                "bottom right", "bottom left")


def _label_box(place: str, x: float, y: float, r: float, w: float, h: float) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) in pixels of a label of size w x h beside a dot of radius r."""
    vertical, horizontal = place.split()
    left = {"center": x - w / 2, "right": x + r * (0.7 if vertical != "middle" else 1), "left": None}[horizontal]
    if left is None:
        left = x - r * (0.7 if vertical != "middle" else 1) - w
    bottom = {"top": y + r * (0.7 if horizontal != "center" else 1), "middle": y - h / 2, "bottom": None}[vertical]
    if bottom is None:
        bottom = y - r * (0.7 if horizontal != "center" else 1) - h
    return left, bottom, left + w, bottom + h


def _overlap(a, b) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def label_places(x: list[float], y: list[float], names: list[str], sizes: list[float]) -> list[str]:
    """A place for each name beside its dot (x, y and sizes in pixels) so that no name covers
    another name or a dot: largest dots first, each taking the first free place (else the least
    covered one)."""
    dots = [(xi - s / 2, yi - s / 2, xi + s / 2, yi + s / 2) for xi, yi, s in zip(x, y, sizes, strict=True)]
    taken: list[tuple[float, float, float, float]] = []
    places = [LABEL_PLACES[0]] * len(names)
    for i in sorted(range(len(names)), key=lambda i: -sizes[i]):
        boxes = {place: _label_box(place, x[i], y[i], sizes[i] / 2 + 2, 0.6 * MAP_LABEL_FONT * len(names[i]),
                                   1.2 * MAP_LABEL_FONT) for place in LABEL_PLACES}
        covered = {place: sum(_overlap(box, other) for other in taken + dots) for place, box in boxes.items()}
        places[i] = min(LABEL_PLACES, key=lambda place: (covered[place] > 0, covered[place]))
        taken.append(boxes[places[i]])
    return places


# ---------------------------------------------------------------------------------- sweeps
# Summary outputs a sweep can be plotted by (experiments.summary.scenario_summary columns),
# with the direction that is better and how a value is written.
SWEEP_OUTPUTS = {"coverage_mean": ("max", "percent"), "p_target": ("max", "percent"),
                 "spend_idr_mean": ("min", "rupiah"), "extra_active_mean": ("max", "number"),
                 "cost_per_additional_idr": ("min", "rupiah")}
SWEEP_LABELS = {"coverage_mean": N_("coverage at the target month"), "p_target": N_("chance of reaching the target"),
                "spend_idr_mean": N_("spend to the target month"), "extra_active_mean": N_("extra active participants"),
                "cost_per_additional_idr": N_("cost per additional active participant")}
SWEEP_INTERVALS = {"coverage_mean": ("coverage_low", "coverage_high"),
                   "cost_per_additional_idr": ("cost_per_additional_low", "cost_per_additional_high")}


def factor_label(name: str, t: Translator) -> str:
    """A swept input as the app's lever panels name it ('Perisai agents'), else as the sweep file does."""
    parameter = PARAMETERS.get(name)
    return t(lever_label(name)) if parameter is not None and parameter.is_lever else name


def formatter(t: Translator, kind: str):
    return {"percent": t.percent, "rupiah": t.rupiah}.get(kind, t.number)


# Units counted in whole things: a swept value in one of them is written as a whole number.
WHOLE_UNITS = {"agents", "villages per month", "workers", "new participants", "firms per month",
               "workers per month", "months", "visits per agent per month", "workers per agent per month",
               "units (0 = all)", "months per beneficiary (0 = no limit)"}
SIGNIFICANT = 3  # digits of a swept value in any other unit (shares, probabilities, log-odds)


def setting_text(name: str, value, t: Translator) -> str:
    """A swept input's value with its unit's precision in the session's language: whole agents
    ("2.785", not "2.785,4318243177"), rupiah as the summary writes them, anything else to
    three significant digits ("0,0734")."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if not math.isfinite(value):
        return t.decimal(value)
    parameter = PARAMETERS.get(name)
    unit = parameter.unit if parameter is not None else ""
    if "rupiah" in unit:
        return t.rupiah(value)
    if (parameter is not None and parameter.integer) or unit in WHOLE_UNITS or abs(value) >= 10 ** SIGNIFICANT:
        return t.number(round(value))
    return t.decimal(float(f"{value:.{SIGNIFICANT}g}"))


def best_and_worst(summary: pd.DataFrame, y: str) -> tuple[int | None, int | None]:
    """Row labels of the best and worst value of output `y` (None when all are missing)."""
    values = summary[y].astype(float).dropna()
    if values.empty:
        return None, None
    better = SWEEP_OUTPUTS.get(y, ("max", "number"))[0]
    return (values.idxmax(), values.idxmin()) if better == "max" else (values.idxmin(), values.idxmax())


def _is_lever(name: str | None) -> bool:
    parameter = PARAMETERS.get(name) if name else None
    return parameter is not None and parameter.is_lever


def sweep_figure(summary: pd.DataFrame, x: str, y: str, colour_by: str | None = None,
                 lang: str = "en", baseline: str | None = BASELINE) -> go.Figure:
    """A sweep's output against one swept input, every point drawn: the best and worst
    highlighted and named, the rest grey (or shaded by a second input), 90% intervals as bars.

    The baseline keeps its own levers at every point (experiments/sweep.py), so it is never
    drawn at a swept lever value: against a lever it is a dashed line (its mean over the
    points), against an uncertain parameter its points are hollow and name no lever value, and
    it is best or worst only where it is drawn at a value it used."""
    t = translator(lang)
    kind = SWEEP_OUTPUTS.get(y, ("max", "number"))[1]
    value = formatter(t, kind)
    scale = 100 if kind == "percent" else 1
    summary = summary.reset_index(drop=True)
    is_base = summary["scenario"] == baseline if baseline else pd.Series(False, index=summary.index)
    policies, base = summary[~is_base], summary[is_base]
    shown = policies if _is_lever(x) else summary
    best, worst = best_and_worst(shown, y)
    x_name = factor_label(x, t)
    y_name = t(SWEEP_LABELS.get(y, y))

    def second(row) -> str:
        if not colour_by:
            return ""
        if bool(is_base[row.name]) and _is_lever(colour_by):
            return t(", {input}: its own", input=factor_label(colour_by, t))
        return t(", {input} = {value}", input=factor_label(colour_by, t),
                 value=setting_text(colour_by, row[colour_by], t))
    text = {i: t("{series}: {x} = {xv}{second}; {y} = {value}", series=plain(row["scenario"]), x=x_name,
                 xv=setting_text(x, row[x], t), y=y_name, value=value(row[y]), second=second(row))
            for i, row in summary.iterrows()}

    def error(rows: pd.DataFrame):
        if y not in SWEEP_INTERVALS:
            return None
        low, high = SWEEP_INTERVALS[y]
        return {"type": "data", "symmetric": False, "array": (rows[high] - rows[y]) * scale,
                "arrayminus": (rows[y] - rows[low]) * scale, "color": "#999999", "thickness": 1}
    marker = {"color": OTHER_COLOUR, "size": 8, "line": {"color": "#888888", "width": 1}}
    if colour_by:
        marker.update(color=policies[colour_by], colorscale="Greys", showscale=True,
                      colorbar={"title": factor_label(colour_by, t)})
    fig = go.Figure(go.Scatter(x=policies[x], y=policies[y] * scale, mode="markers",
                               text=[text[i] for i in policies.index], error_y=error(policies),
                               hovertemplate="%{text}<extra></extra>", marker=marker,
                               name=t("{count} points", count=t.number(len(policies)))))
    if not base.empty and not _is_lever(x):
        fig.add_trace(go.Scatter(x=base[x], y=base[y] * scale, mode="markers", text=[text[i] for i in base.index],
                                 error_y=error(base), hovertemplate="%{text}<extra></extra>",
                                 name=t("{series} ({count} points, its own levers)", series=plain(baseline),
                                        count=t.number(len(base))),
                                 marker={"color": "white", "size": 8, "line": {"color": BASELINE_COLOUR, "width": 2}}))
    elif not base.empty and base[y].notna().any() and not policies.empty:
        level = float(base[y].astype(float).mean())
        fig.add_trace(go.Scatter(x=[policies[x].min(), policies[x].max()], y=[level * scale] * 2, mode="lines",
                                 line={"color": BASELINE_COLOUR, "dash": "dash", "width": 2}, hoverinfo="skip",
                                 name=t("{series} (its own levers, mean over the points): {value}",
                                        series=plain(baseline), value=value(level))))
    for index, label, colour in ((best, t("best"), BEST_COLOUR), (worst, t("worst"), WORST_COLOUR)):
        if index is None or (label == t("worst") and index == best):
            continue
        row = summary.loc[index]
        fig.add_trace(go.Scatter(x=[row[x]], y=[row[y] * scale], mode="markers", text=[text[index]],
                                 hovertemplate="%{text}<extra></extra>",
                                 name=f"{label}: {plain(row['scenario'])}, {x_name} = {setting_text(x, row[x], t)},"
                                      f" {value(row[y])}",
                                 marker={"color": colour, "size": 14, "symbol": "diamond",
                                         "line": {"color": "black", "width": 1}}))
    if kind == "percent":
        fig.update_yaxes(ticksuffix="%")
    return style_figure(fig, t, t("{y} against {x}", y=y_name, x=x_name), y_name, x_name, height=460)


# ---------------------------------------------------------------------------------- summary table
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# Which way is better for each summary column: the best cell of each is highlighted.
BETTER = {"coverage": "max", "p_target": "max", "month_reached": "min", "total_spend_idr": "min",
          "cost_per_additional_idr": "min"}
# The same for the scenario summary (experiments.summary.scenario_summary): the app and the report.
SUMMARY_BETTER = {"coverage_mean": outcomes.COVERAGE.better, "p_target": outcomes.P_TARGET.better,
                  "median_month_reached": "min", "spend_idr_mean": outcomes.SPEND_YEAR.better,
                  outcomes.COST_PER_EXTRA.name: outcomes.COST_PER_EXTRA.better}   # (experiments/outcomes.py)


def _comparable(value) -> float:
    """A number to compare cells by: month labels ('2025-11') by their order, others as numbers."""
    if isinstance(value, str):
        try:
            return float(months.ordinal(value))
        except ValueError:
            return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def best_rows(summary: pd.DataFrame, better: dict[str, str] = BETTER) -> dict[str, list[int]]:
    """For each column in `better`, the row positions holding its best value (ties all win).
    Missing values (never reached, no baseline) never win; a column whose values are all the
    same has no best."""
    out: dict[str, list[int]] = {}
    for column, direction in better.items():
        if column not in summary:
            continue
        values = summary[column].map(_comparable)
        if values.nunique() < 2:  # nothing to tell apart: all missing or all the same
            out[column] = []
            continue
        best = values.max() if direction == "max" else values.min()
        out[column] = [i for i, v in enumerate(values) if v == best]
    return out


def _cell(value, fmt: str | Callable) -> str:
    """A cell's text, HTML-escaped: `fmt` is a format string or a formatter (experiments.i18n)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, str):
        return html.escape(value)
    return html.escape(fmt(value) if callable(fmt) else fmt.format(value))


def _swatch(colour: str | None) -> str:
    """The scenario's chart colour as a small square (only well-formed #rrggbb is written)."""
    if not colour or not HEX_COLOUR.fullmatch(colour):
        return ""
    return (f'<span class="swatch" data-colour="{colour}" style="display:inline-block;width:0.8em;'
            f'height:0.8em;margin-right:0.4em;background:{colour}"></span>')


def summary_html(summary: pd.DataFrame, columns: dict[str, tuple[str, str | Callable[..., str]]],
                 better: dict[str, str] = BETTER, colours: dict[str, str] | None = None,
                 ranked_by: pd.DataFrame | None = None) -> str:
    """An HTML table of `summary` with the best value of each column highlighted.

    `columns` maps column name -> (header, format string or formatter). Best cells get class
    "best" (bold on green) so the page and the browser test can find them; with `colours`, the
    scenario cell starts with the scenario's chart colour. `ranked_by` (same rows) holds the
    values to rank when `summary` has some as text already (a month written in Bahasa Indonesia).
    """
    best = best_rows(summary if ranked_by is None else ranked_by.reset_index(drop=True), better)
    head = "".join(f"<th>{html.escape(header)}</th>" for header, _ in columns.values())
    body = []
    for i, (_, row) in enumerate(summary.iterrows()):
        cells = []
        for column, (_, fmt) in columns.items():
            css = ' class="best"' if i in best.get(column, []) else ""
            swatch = _swatch((colours or {}).get(row[column])) if column == "scenario" else ""
            cells.append(f'<td data-column="{column}"{css}>{swatch}{_cell(row[column], fmt)}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    style = ("<style>table.summary{border-collapse:collapse;font-size:0.9em}"
             "table.summary td,table.summary th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
             "table.summary td:first-child{text-align:left}"
             "table.summary td.best{background:#c8e6c9;font-weight:bold}</style>")
    return (f'{style}<table class="summary"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


# ---------------------------------------------------------------------------------- export
def html_fragment(fig: go.Figure, div_id: str | None = None) -> str:
    """The figure as a <div> for a page that carries plotly.js once (experiments/html_report.py)."""
    return fig.to_html(full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG, div_id=div_id)


# ---------------------------------------------------------------------------------- optimisation
def front_cells(row, label: str, lang: str = "en") -> dict[str, str]:
    """One plan of `cakupan optimize` (a row of its front or candidates table) as the Plan
    page's table writes it; the front chart's hover shows the same cells."""
    t = translator(lang)
    return {t("plan"): str(int(row["trial"])), t(outcomes.SPEND_YEAR.label): t.rupiah(row["spend_year_idr"]),
            t("office"): t.rupiah(row["office_year_idr"]), t("local governments"): t.rupiah(row["local_year_idr"]),
            label: t.percent(row["objective"]), t(outcomes.P_TARGET.label): t.percent(row["p_target"], 0)}


def front_figure(front: pd.DataFrame, candidates: pd.DataFrame | None, label: str,
                 recommended: dict | None = None, lang: str = "en") -> go.Figure:
    """Yearly spend against the objective: every candidate (grey), the Pareto front (line), the
    recommended plan (star); hovering a point shows its row of the Plan page's table."""
    t = translator(lang)

    def hover(table: pd.DataFrame) -> list[str]:
        return ["<br>".join(f"{k}: {html.escape(v)}" for k, v in front_cells(row, label, lang).items())
                for _, row in table.iterrows()]

    fig = go.Figure()
    layers = [(candidates, t("candidates"), "markers", {"color": OTHER_COLOUR, "size": 7}),
              (front, t("Pareto front"), "lines+markers", {"color": SCENARIO_COLOURS[0], "size": 9}),
              (pd.DataFrame([recommended]) if recommended is not None else None, t("recommended plan"),
               "markers", {"color": WORST_COLOUR, "size": 18, "symbol": "star",
                           "line": {"color": "black", "width": 1}})]
    for table, name, mode, marker in layers:
        if table is None or table.empty:
            continue
        fig.add_trace(go.Scatter(x=table["spend_year_idr"] / BILLION, y=table["objective"] * 100, mode=mode,
                                 name=name, marker=marker, text=hover(table), customdata=table["trial"],
                                 hovertemplate="%{text}<extra></extra>"))
    fig.update_yaxes(ticksuffix="%")
    return style_figure(fig, t, t("Yearly spend against the objective"), label,
                        t("yearly spend (Rp billion)"), height=440)
