"""Figures and tables for the app, built from the experiments layer's tidy tables.

Every function takes plain pandas tables and returns a matplotlib Figure (or a table / HTML
string), so all of it is tested without a browser. Matplotlib renders on the server to a PNG:
the page needs no charting JavaScript, which keeps the app working offline.

Input schemas (see experiments/runner.py):
* results: one row per (scenario, replicate, month) with the model's outputs (model/outputs.py);
* bands: one row per (scenario, month) with mean, low, high of one output (experiments.summary);
* regency: one row per (scenario, replicate, month, regency) with coverage.
"""

from __future__ import annotations

import html
import math

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from model import channels, months
from model.outputs import SPEND_ITEMS

COLOURS = matplotlib.colormaps["tab10"].colors
BILLION = 1e9


def colour(i: int):
    return COLOURS[i % len(COLOURS)]


def _figure(width: float = 9, height: float = 4.2) -> Figure:
    """A Figure not registered with pyplot, so figures from many sessions never mix or leak."""
    return Figure(figsize=(width, height), layout="constrained")


def bands(results: pd.DataFrame, column: str, level: float = 0.9) -> pd.DataFrame:
    """Mean and central `level` interval of `column` across replicates, per scenario and month."""
    tail = (1 - level) / 2
    grouped = results.groupby(["scenario", "month"], sort=False)[column]
    out = grouped.agg(mean="mean").assign(low=grouped.quantile(tail), high=grouped.quantile(1 - tail))
    return out.reset_index()


def _month_axis(ax, labels: list[str]) -> None:
    """Label January of each year; months are positions so every scenario shares one axis."""
    ticks = [i for i, label in enumerate(labels) if label.endswith("-01")]
    ax.set_xticks(ticks, [labels[i][:4] for i in ticks])
    ax.set_xlim(0, len(labels) - 1)


def _scenario_order(table: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(table["scenario"]))


def band_axes(ax, band: pd.DataFrame, scale: float = 1.0, linestyle: str = "-",
              label_suffix: str = "") -> list[str]:
    """Draw each scenario's mean line and shaded interval; returns the month labels used."""
    labels = sorted(band["month"].unique())
    position = {label: i for i, label in enumerate(labels)}
    for i, scenario in enumerate(_scenario_order(band)):
        rows = band[band["scenario"] == scenario]
        x = rows["month"].map(position).to_numpy()
        ax.plot(x, rows["mean"] * scale, color=colour(i), linestyle=linestyle,
                label=f"{scenario}{label_suffix}")
        ax.fill_between(x, rows["low"] * scale, rows["high"] * scale, color=colour(i), alpha=0.18,
                        linewidth=0)
    _month_axis(ax, labels)
    return labels


def coverage_figure(coverage_bands: pd.DataFrame, target: float, target_month: str) -> Figure:
    """Coverage over time: mean and 90% band per scenario, the target line and target month."""
    fig = _figure()
    ax = fig.subplots()
    labels = band_axes(ax, coverage_bands, scale=100)
    ax.axhline(target * 100, color="black", linestyle="--", linewidth=1,
               label=f"target {target:.0%}")
    if target_month in labels:
        ax.axvline(labels.index(target_month), color="grey", linestyle=":", linewidth=1.2,
                   label=f"target month {target_month}")
    ax.set_ylabel("active participants, % of workers")
    ax.set_title("Coverage over time (line: mean; band: 90% of replicates)")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def formal_informal_figure(results: pd.DataFrame) -> Figure:
    """Formal and informal coverage side by side, each with its 90% band."""
    fig = _figure(11, 4)
    axes = fig.subplots(1, 2, sharey=False)
    for ax, column, title in [(axes[0], "coverage_formal", "Formal (wage and construction)"),
                              (axes[1], "coverage_informal", "Informal (BPU)")]:
        band_axes(ax, bands(results, column), scale=100)
        ax.set_title(title)
        ax.set_ylabel("% of the sector's workers")
        ax.grid(alpha=0.3)
    axes[0].legend(loc="best", fontsize=8)
    return fig


CHANNEL_COLUMNS = [f"new_via_{name}" for name in channels.CHANNEL_NAMES.values()]


def channel_totals(results: pd.DataFrame) -> pd.DataFrame:
    """Mean over replicates of new enrollments summed over the run, scenario x channel."""
    per_run = results.groupby(["scenario", "replicate"], sort=False)[CHANNEL_COLUMNS].sum()
    totals = per_run.groupby(level="scenario", sort=False).mean()
    totals.columns = [c.removeprefix("new_via_") for c in totals.columns]
    return totals


def channels_figure(results: pd.DataFrame) -> Figure:
    """New enrollments over the run by channel (grouped bars), one colour per scenario."""
    totals = channel_totals(results)
    fig = _figure()
    ax = fig.subplots()
    n = len(totals)
    width = 0.8 / max(n, 1)
    x = np.arange(len(totals.columns))
    for i, (scenario, row) in enumerate(totals.iterrows()):
        ax.bar(x + (i - (n - 1) / 2) * width, row.to_numpy() / 1000, width, color=colour(i),
               label=scenario)
    ax.set_xticks(x, list(totals.columns))
    ax.set_ylabel("thousand workers")
    ax.set_title("New enrollments by channel over the run (mean of replicates)")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return fig


SPEND_COLUMNS = [f"spend_{item}_idr" for item in SPEND_ITEMS]


def cumulative_spend(results: pd.DataFrame) -> pd.DataFrame:
    """Cumulative spend per (scenario, replicate, month), in rupiah, as column `spend_idr`."""
    ordered = results.sort_values(["scenario", "replicate", "month"], kind="stable")
    cumulative = ordered.groupby(["scenario", "replicate"], sort=False)["spend_idr"].cumsum()
    return ordered[["scenario", "replicate", "month"]].assign(spend_idr=cumulative)


def spend_figure(results: pd.DataFrame) -> Figure:
    """Cumulative spend over time (billion rupiah), mean and 90% band per scenario."""
    fig = _figure()
    ax = fig.subplots()
    band_axes(ax, bands(cumulative_spend(results), "spend_idr"), scale=1 / BILLION)
    ax.set_ylabel("billion rupiah, cumulative")
    ax.set_title("Spend over time (all items: subsidies, Perisai, campaigns, villages, firms, pilot)")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def month_shown(table: pd.DataFrame, preferred: str) -> str:
    """`preferred` (the target month) if the runs reach it, else their last month: a scenario
    may end before the target month."""
    available = table["month"].unique()
    return preferred if preferred in available else max(available)


def regency_coverage(regency: pd.DataFrame, month: str) -> pd.DataFrame:
    """Mean coverage by regency at `month`, regencies as rows and scenarios as columns,
    ranked by the first scenario (highest first)."""
    rows = regency[regency["month"] == month]
    order = _scenario_order(rows)
    table = rows.groupby(["regency", "scenario"])["coverage"].mean().unstack("scenario")[order]
    return table.sort_values(order[0], ascending=False)


def regency_figure(regency: pd.DataFrame, month: str, target: float) -> Figure:
    """Coverage by regency at `month`: one row per regency (ranked), one dot per scenario."""
    table = regency_coverage(regency, month)
    fig = _figure(9, 0.32 * len(table) + 1.4)
    ax = fig.subplots()
    y = np.arange(len(table))[::-1]
    for i, scenario in enumerate(table.columns):
        ax.scatter(table[scenario] * 100, y, color=colour(i), label=scenario, zorder=3)
    ax.hlines(y, table.min(axis=1) * 100, table.max(axis=1) * 100, color="grey", linewidth=1)
    ax.axvline(target * 100, color="black", linestyle="--", linewidth=1, label=f"target {target:.0%}")
    ax.set_yticks(y, list(table.index))
    ax.set_xlabel(f"coverage in {month}, % of workers (mean of replicates)")
    ax.set_title(f"Coverage by regency, {month}")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return fig


def regency_map_figure(regency: pd.DataFrame, places: pd.DataFrame, month: str,
                       scenario: str) -> Figure:
    """The 17 regencies at their coordinates (model/data/regencies.csv), sized by population and
    coloured by one scenario's coverage at `month`."""
    table = regency_coverage(regency, month)[scenario]
    joined = places.set_index("regency").join(table.rename("coverage"))
    fig = _figure(6, 5)
    ax = fig.subplots()
    points = ax.scatter(joined["lon"], joined["lat"], c=joined["coverage"] * 100, cmap="viridis",
                        s=joined["population"] / joined["population"].max() * 900,
                        edgecolors="black")
    for name, row in joined.iterrows():
        ax.annotate(str(name).removeprefix("Kota "), (row["lon"], row["lat"]), fontsize=7,
                    xytext=(4, 4), textcoords="offset points")
    fig.colorbar(points, ax=ax, label="coverage, %")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_aspect("equal")
    ax.set_title(f"{scenario}: coverage by regency, {month}")
    return fig


# ---------------------------------------------------------------------------------- summary table
# Which way is better for each summary column: the best cell of each is highlighted.
BETTER = {"coverage": "max", "p_target": "max", "month_reached": "min", "total_spend_idr": "min",
          "cost_per_additional_idr": "min"}


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
    out = {}
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


def _cell(value, fmt: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, str):
        return html.escape(value)
    return fmt.format(value)


def summary_html(summary: pd.DataFrame, columns: dict[str, tuple[str, str]],
                 better: dict[str, str] = BETTER) -> str:
    """An HTML table of `summary` with the best value of each column highlighted.

    `columns` maps column name -> (header, format string). Best cells get class "best"
    (bold on green) so the page and the browser test can find them.
    """
    best = best_rows(summary, better)
    head = "".join(f"<th>{html.escape(header)}</th>" for header, _ in columns.values())
    body = []
    for i, (_, row) in enumerate(summary.iterrows()):
        cells = []
        for column, (_, fmt) in columns.items():
            css = ' class="best"' if i in best.get(column, []) else ""
            cells.append(f'<td data-column="{column}"{css}>{_cell(row[column], fmt)}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    style = ("<style>table.summary{border-collapse:collapse;font-size:0.9em}"
             "table.summary td,table.summary th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
             "table.summary td:first-child{text-align:left}"
             "table.summary td.best{background:#c8e6c9;font-weight:bold}</style>")
    return (f'{style}<table class="summary"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")



# ---------------------------------------------------------------------------------- sweeps
# Summary outputs a sweep can be plotted by (experiments.summary.scenario_summary columns).
SWEEP_OUTPUTS = ("coverage_mean", "p_target", "spend_idr_mean", "extra_active_mean",
                 "cost_per_additional_idr")
SWEEP_INTERVALS = {"coverage_mean": ("coverage_low", "coverage_high"),
                   "cost_per_additional_idr": ("cost_per_additional_low", "cost_per_additional_high")}


def sweep_figure(summary: pd.DataFrame, x: str, y: str, colour_by: str | None = None) -> Figure:
    """A sweep's summary output against one swept input: one marker shape per scenario, the
    90% interval as error bars where the summary has one, coloured by a second input if given."""
    fig = _figure(9, 4.8)
    ax = fig.subplots()
    markers = "osD^v<>"
    points = None
    for i, scenario in enumerate(_scenario_order(summary)):
        rows = summary[summary["scenario"] == scenario].sort_values(x)
        if y in SWEEP_INTERVALS:
            low, high = SWEEP_INTERVALS[y]
            ax.errorbar(rows[x], rows[y], yerr=[rows[y] - rows[low], rows[high] - rows[y]],
                        fmt="none", ecolor="grey", alpha=0.5, zorder=1)
        style = {"c": rows[colour_by], "cmap": "viridis"} if colour_by else {"color": colour(i)}
        points = ax.scatter(rows[x], rows[y], marker=markers[i % len(markers)], label=scenario,
                            edgecolors="black", zorder=2, **style)
    if colour_by and points is not None:
        fig.colorbar(points, ax=ax, label=colour_by)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{y} against {x}" + (f", coloured by {colour_by}" if colour_by else ""))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig
