"""A comparison (or sweep) as one self-contained HTML file a planner can send or open in a meeting.

The file carries plotly.js inline (from the installed plotly package), the interactive charts of
experiments/figures.py (the app's own builders), the summary table, and what is needed to redo
the work: every scenario's TOML, the seeds, scale, replicates, data set and code version. It loads
nothing from the network, so it opens offline on another computer. Written by `cakupan report`
(report.html) and downloadable from the Compare page; in English or Bahasa Indonesia.
"""

from __future__ import annotations

import html
import tomllib
from pathlib import Path
from typing import Any, Callable

import pandas as pd
from plotly.offline import get_plotlyjs

from experiments import boundaries, figures, observed, regency_map
from experiments.i18n import N_, Translator, translator
from experiments.regency_observed import regency_observed_figure
from experiments.runner import Results
from experiments.summary import BASELINE
from model import data

MAX_SWEEP_CHARTS = 6  # swept inputs drawn against coverage (a design has a few)
STYLE = """body{font-family:Roboto,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
table.summary{border-collapse:collapse;font-size:0.9em}
table.summary td,table.summary th{border:1px solid #ccc;padding:4px 8px;text-align:right}
table.summary td:first-child{text-align:left}table.summary td.best{background:#c8e6c9;font-weight:bold}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 1em}dl.facts dt{font-weight:bold}
pre{background:#f6f6f6;padding:0.8em;overflow-x:auto;font-size:0.85em}"""


def summary_columns(t: Translator, target_month: str, target: float,
                    with_point: bool) -> dict[str, tuple[str, str | Callable[[Any], str]]]:
    """The summary table's columns as (header, formatter: a format string or a function) in the
    report's language."""
    columns: dict[str, tuple[str, str | Callable[[Any], str]]] = {"scenario": (t("Scenario"), "{}")}
    if with_point:
        columns["point"] = (t("Point"), "{}")
    columns.update({
        "replicates": (t("Replicates"), t.number),
        "coverage_mean": (t("Coverage {month}", month=t.month(target_month)), t.percent),
        "coverage_interval": (t("90% interval"), "{}"),
        "p_target": (t("Chance of {share} by {month}", share=t.percent(target, 0), month=t.month(target_month)),
                     lambda v: t.percent(v, 0)),
        "median_month_reached": (t("Month {share} reached (median)", share=t.percent(target, 0)), "{}"),
        "spend_idr_mean": (t("Spend to {month}", month=t.month(target_month)), t.rupiah),
        "cost_per_additional_idr": (t("Cost per additional active participant"), t.rupiah),
    })
    return columns


def shown_summary(summary: pd.DataFrame, t) -> pd.DataFrame:
    shown = summary.copy()
    shown["coverage_interval"] = [None if pd.isna(lo) else f"{t.percent(lo)} – {t.percent(hi)}"
                                  for lo, hi in zip(shown["coverage_low"], shown["coverage_high"], strict=True)]
    shown["median_month_reached"] = [t.month(m) if isinstance(m, str) else t("not reached")
                                     for m in shown["median_month_reached"]]
    return shown


def points_complete(results: Results) -> tuple[int, int, int, int]:
    """(design points with every planned run's results, design points, runs with results, runs
    planned) of a sweep's folder: a partial or running sweep is reported as such."""
    manifest = results.manifest
    runs = pd.DataFrame([r for r in manifest.get("runs", []) if isinstance(r, dict) and "key" in r])
    points = len((manifest.get("design") or {}).get("points") or [])

    def per_point(table: pd.DataFrame) -> pd.Series:
        if table.empty or "point" not in table:
            return pd.Series(dtype=int)
        return table[["point", "scenario", "replicate"]].drop_duplicates().groupby("point").size()
    planned, done = per_point(runs), per_point(results.table)
    complete = int(sum(done.get(point, 0) >= count for point, count in planned.items()))
    return complete, points or len(planned), int(done.sum()), len(runs)


def facts(results: Results, t) -> list[tuple[str, str]]:
    """What the comparison was run with, read from its manifest and scenarios."""
    manifest = results.manifest
    scenarios = {name: tomllib.loads(text) for name, text in manifest.get("scenarios", {}).items()}
    overrides = manifest.get("overrides") or {}

    def shown(value) -> str:
        return t.decimal(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)

    def values(key):
        """A run field as run: the command's override, else each scenario's own value (numbers
        in the language's separators)."""
        if overrides.get(key) is not None:
            return shown(overrides[key])
        found = sorted({shown(s.get(key)) for s in scenarios.values() if s.get(key) is not None})
        return ", ".join(found) or "–"
    seeds = sorted({r["seed"] for r in manifest.get("runs", [])})
    sets = {overrides.get("data_set") or s.get("data_set", data.DEFAULT_DATA_SET)
            for s in scenarios.values()} or {data.DEFAULT_DATA_SET}
    return [(t("Experiment"), str(manifest.get("name", "–"))),
            (t("Kind"), str(manifest.get("kind", "–"))),
            (t("Runs"), t.number(len(manifest.get("runs", [])))),
            (t("Replicates per scenario"), str(manifest.get("replicates", "–"))),
            (t("Seeds"), ", ".join(map(str, seeds)) or "–"),
            (t("Scale (fraction of workers simulated)"), values("scale")),
            (t("Horizon"), values("horizon")),
            (t("Data set"), ", ".join(sorted(sets))),
            (t("Run with (replacing the scenarios' values)"),
             ", ".join(f"{k} = {shown(v)}" for k, v in overrides.items() if v is not None) or "–"),
            *([(t("Design points complete"), _points_text(results, t))] if manifest.get("design") else []),
            (t("Code version"), str(manifest.get("code_version", "–"))),
            (t("Created"), t.moment(manifest["created"]) if manifest.get("created") else "–")]


def small_sample_note(summary: pd.DataFrame, t) -> str:
    """What the replicates cannot say yet (summary.MIN_SPLIT_REPLICATES): '' when enough ran."""
    from experiments.summary import MIN_SPLIT_REPLICATES

    if summary.empty or "replicates" not in summary or summary["replicates"].min() >= MIN_SPLIT_REPLICATES:
        return ""
    return t("With {count} replicates per scenario the 90% intervals are rough, and splitting them into "
             "chance and parameters or ranking what drives an effect needs at least {low}: run more "
             "replicates before reading those.", count=int(summary["replicates"].min()), low=MIN_SPLIT_REPLICATES)


def _points_text(results: Results, t) -> str:
    complete, points, done, runs = points_complete(results)
    text = t("{done} of {points} ({runs_done} of {runs} runs)", done=t.number(complete), points=t.number(points),
             runs_done=t.number(done), runs=t.number(runs))
    return text if complete >= points else text + " " + t("partial: the tables and charts show the runs that"
                                                           " finished")


def charts(results: Results, table: pd.DataFrame, summary: pd.DataFrame, colours: dict, lang: str,
           target_month: str, target: float) -> list[tuple[str, object]]:
    """(section title, figure) for each chart of the report."""
    t = translator(lang)
    found = [(N_("Coverage over time"), figures.coverage_figure(
        figures.bands(table, "coverage", by="series"), colours, target, target_month, lang, by="series",
        observed=observed.points(results.region), decision_month=observed.decision_month(results.region))),
        (N_("Spend over time"), figures.spend_figure(table, colours, lang, by="series"))]
    if "point" in results.by:
        factors = list(results.manifest.get("design", {}).get("factors", {}))[:MAX_SWEEP_CHARTS]
        baseline = results.manifest.get("baseline", BASELINE) or None  # keeps its own levers
        found += [(N_("Coverage across the design"), figures.sweep_figure(summary, f, "coverage_mean", lang=lang,
                                                                      baseline=baseline))
                  for f in factors if f in summary]
    else:
        found += [(N_("Formal and informal coverage"), figures.formal_informal_figure(table, colours, lang)),
                  (N_("New enrollments by channel"), figures.channels_figure(table, colours, lang))]
        month = figures.month_shown(results.regency, target_month)
        found.append((N_("Coverage by regency"), figures.regency_figure(results.regency, month, target, colours, lang)))
        tracked = regency_observed_figure(results.regency, results.region, lang)
        if tracked is not None:
            found.append((N_("Regencies: observed and simulated"), tracked))
        found += regency_maps(results.regency, month, lang, list(results.manifest.get("scenarios", {})))
    return [(t(title), fig) for title, fig in found]


def regency_maps(regency: pd.DataFrame, month: str, lang: str, order: list[str] | None = None,
                 baseline: str = BASELINE) -> list[tuple[str, object]]:
    """The regency map of the last scenario compared (in `order`, else the table's): its
    coverage, and its change against the baseline (and its spend) when the table allows
    (experiments/regency_map.py)."""
    run = set(regency["scenario"])
    scenarios = [s for s in order or [] if s in run] or list(dict.fromkeys(regency["scenario"]))
    if not scenarios:
        return []
    scenario, shapes, places = scenarios[-1], boundaries.outlines(), data.regencies()
    titles = {"coverage": N_("Coverage by regency on the map"), "change": N_("Change against the baseline by regency"),
              "spend": N_("Spend by regency")}
    return [(titles[metric], regency_map.regency_choropleth_figure(regency, places, shapes, month, scenario, metric,
                                                                   baseline, lang))
            for metric in regency_map.metrics(regency, scenario, baseline)]


def render(results: Results, target_month: str | None = None, target: float | None = None,
           baseline: str | None = BASELINE, lang: str = "en", order: list[str] | None = None) -> str:
    """The report as one HTML document (UTF-8 text); the target defaults to the region's
    (Results.target). A Kanwil run's report adds one summary per province."""
    t = translator(lang)
    target, target_month = target or results.target[0], target_month or results.target[1]
    order = order or list(results.manifest.get("scenarios", {}))
    summary = results.summary(target_month, target, baseline)
    rank = {name: i for i, name in enumerate(order)}
    summary = summary.sort_values("scenario", key=lambda s: s.map(lambda n: rank.get(n, len(rank))),
                                  kind="stable").reset_index(drop=True)
    table = figures.series_table(results.table, results.by)
    colours = figures.experiment_colours(summary, results.by, order, baseline or BASELINE)
    scenario_colours = colours if "point" not in results.by else {}
    title = t("cakupan: {name}", name=results.manifest.get("name", ""))
    parts = [f"<h1>{html.escape(title)}</h1>",
             "<dl class='facts'>" + "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>"
                                            for k, v in facts(results, t)) + "</dl>",
             f"<h2>{html.escape(t('Summary (best value in each column highlighted)'))}</h2>",
             figures.summary_html(shown_summary(summary, t), summary_columns(t, target_month, target,
                                                                              "point" in summary),
                                  figures.SUMMARY_BETTER, colours=scenario_colours, ranked_by=summary)]
    for region in results.provinces():
        own = results.province(region)
        own_target, own_month = own.target
        parts.append(f"<h2>{html.escape(t('Province {region}', region=region))}</h2>")
        parts.append(figures.summary_html(shown_summary(own.summary(own_month, own_target, baseline), t),
                                          summary_columns(t, own_month, own_target, False),
                                          figures.SUMMARY_BETTER, colours=scenario_colours))
    if not results.failures.empty:
        parts.append(f"<p>{html.escape(t('{count} runs failed and are left out.', count=len(results.failures)))}</p>")
    few = small_sample_note(summary, t)
    if few:
        parts.append(f"<p class='small-sample'>{html.escape(few)}</p>")
    for i, (section, fig) in enumerate(charts(results, table, summary, colours, lang, target_month, target)):
        parts.append(f"<h2>{html.escape(section)}</h2>" + figures.html_fragment(fig, div_id=f"chart-{i}"))
    parts.append(f"<h2>{html.escape(t('Scenarios'))}</h2>")
    for name, text in results.manifest.get("scenarios", {}).items():
        parts.append(f"<h3>{html.escape(name)}</h3><pre class='scenario-toml'>{html.escape(text)}</pre>")
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
            f"<script type='text/javascript'>{get_plotlyjs()}</script></head>"
            f"<body>{''.join(parts)}</body></html>")


def write(results: Results, path: str | Path, **options) -> Path:
    """Write the report to `path` (UTF-8) and return the path."""
    path = Path(path)
    path.write_text(render(results, **options), encoding="utf-8")
    return path
