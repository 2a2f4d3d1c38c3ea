"""Compare page: choose 2-6 scenarios, copy and edit one, run replicates in the background,
and read coverage, spend and cost side by side.

Layout: the left column holds the choices (scenarios, upload, lever editor, run settings), the
right column the results of the last comparison, which stay on screen while a new one runs.
"""

from __future__ import annotations

import pandas as pd
import solara

from experiments import html_report
from model import data
from viz import backend, charts, state
from viz.controls import LeverPanel
from viz.language import use_translator
from viz.upload import FileInput

# Summary columns shown, as (header, format). The experiments layer computes them.
SUMMARY_COLUMNS = {
    "scenario": ("Scenario", "{}"),
    "coverage_mean": (f"Coverage {backend.TARGET_MONTH}", "{:.1%}"),
    "coverage_interval": ("90% interval", "{}"),
    "p_target": (f"P(≥{backend.TARGET:.0%} by {backend.TARGET_MONTH})", "{:.0%}"),
    "median_month_reached": (f"Month {backend.TARGET:.0%} reached (median)", "{}"),
    "spend_idr_mean": (f"Spend to {backend.TARGET_MONTH} (Rp bn)", "{:,.1f}"),
    "cost_per_additional_idr": ("Cost per additional active participant (Rp)", "{:,.0f}"),
    "coverage_parts": ("Coverage interval: ± chance / ± parameters", "{}"),
    "cost_parts": ("Cost interval (Rp): ± chance / ± parameters", "{}"),
}
BETTER = {"coverage_mean": "max", "p_target": "max", "median_month_reached": "min",
          "spend_idr_mean": "min", "cost_per_additional_idr": "min"}


def summary_for_display(summary: pd.DataFrame) -> pd.DataFrame:
    """The experiments summary in the units the page shows (billions, interval as text; missing
    when the runs end before the target month)."""
    shown = summary.copy()
    shown["spend_idr_mean"] = shown["spend_idr_mean"] / charts.BILLION
    shown["coverage_interval"] = [None if pd.isna(low) else f"{low:.1%} – {high:.1%}" for low, high
                                  in zip(shown["coverage_low"], shown["coverage_high"])]
    if "coverage_chance_pm" in shown:   # the split of each interval (experiments.summary.split)
        shown["coverage_parts"] = [_parts(c, p, "{:.1%}") for c, p in
                                   zip(shown["coverage_chance_pm"], shown["coverage_parameter_pm"])]
        shown["cost_parts"] = [_parts(c, p, "{:,.0f}") for c, p in
                               zip(shown["cost_per_additional_idr_chance_pm"],
                                   shown["cost_per_additional_idr_parameter_pm"])]
    return shown


def _parts(chance, parameters, fmt: str) -> str | None:
    if pd.isna(chance) and pd.isna(parameters):
        return None
    show = lambda v: "not varied" if pd.isna(v) else "±" + fmt.format(v)  # noqa: E731
    return f"{show(chance)} / {show(parameters)}"


def drivers_text(table: pd.DataFrame) -> list[str]:
    """One line per scenario: the parameters that move its effect most, with their Spearman rho."""
    return [f"{scenario}: " + ", ".join(f"{r.parameter} ({r.spearman:+.2f})" for r in group.itertuples())
            for scenario, group in table.groupby("scenario", sort=False)]


def coverage_caption(bands: pd.DataFrame, month: str) -> str:
    """Each series' value at the target month, as text beside the chart (also what tests read)."""
    rows = bands[bands["month"] == month]
    parts = [f"{r.scenario}: {r.mean:.1%} ({r.low:.1%} – {r.high:.1%})" for r in rows.itertuples()]
    return f"Coverage in {month}, mean (90% band): " + "; ".join(parts)


# ---------------------------------------------------------------------------------- choices
@solara.component
def ScenarioList():
    """Built-ins, copies and uploads with a checkbox each; copy, edit or download any of them."""
    with solara.Card("1. Scenarios to compare", subtitle="Choose 2 to 6. The baseline is added "
                     "as the reference for cost per additional participant."):
        for name, scenario in state.scenarios.value.items():
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="4px"):
                solara.Checkbox(label=name, value=name in state.selected.value,
                                on_value=lambda on, n=name: state.toggle(n, on))
                solara.Button("Duplicate", text=True, small=True,
                              on_click=state.guarded(lambda n=name: state.duplicate(n)),
                              classes=[f"duplicate-{name}"])
                if name not in state.BUILTINS:
                    solara.Button("Edit", text=True, small=True,
                                  on_click=lambda n=name: state.editing.set(n))
                solara.FileDownload(lambda s=scenario: s.to_toml(), filename=f"{name}.toml",
                                    children=[solara.Button("TOML", text=True, small=True,
                                                            icon_name="mdi-download")])
            if scenario.description:
                solara.Text(scenario.description, style={"font-size": "0.8em", "color": "#555"})
        count = len(state.selected.value)
        if not backend.MIN_SCENARIOS <= count <= backend.MAX_SCENARIOS:
            solara.Warning(f"{count} chosen: choose {backend.MIN_SCENARIOS} to "
                           f"{backend.MAX_SCENARIOS} scenarios.", dense=True)


@solara.component
def Upload():
    """A scenario file by picker, drag and drop, or pasted: all three go through one check
    (state.load_file), so a bad file gets the same message whichever way it came."""
    load = state.guarded(state.load_file)

    with solara.Card("2. Upload a scenario file (TOML, at most 1 MB)",
                     subtitle="`base` may name a built-in scenario or one already in the list."):
        FileInput("Choose a scenario .toml file", backend.MAX_UPLOAD_BYTES, on_file=load)
        solara.FileDrop(label="Drop a scenario .toml file here",
                        on_file=lambda f: load(f.get("name", ""), f.get("data"), f.get("size")), lazy=False)
        solara.InputTextArea("…or paste a scenario file here", value=state.pasted, rows=3)
        solara.Button("Load pasted scenario", text=True,
                      on_click=lambda: load("pasted.toml", state.pasted.value.encode("utf-8", "replace")))


@solara.component
def Editor():
    """The levers of the copy being edited, grouped by strategy (generated from the registry)."""
    name = state.editing.value
    if name is None or name not in state.scenarios.value:
        return
    scenario = state.scenarios.value[name]
    values = {lever: value for lever, value in scenario.settings.items()}
    with solara.Card(f"3. Levers of {name}", subtitle="Each change is checked like a scenario "
                     "file; open a strategy to see its levers."):
        LeverPanel(values, on_change=state.guarded(lambda lever, value: state.set_lever(name, lever, value)))
        with solara.Row():
            solara.FileDownload(lambda: scenario.to_toml(), filename=f"{name}.toml",
                                label=f"Download {name}.toml")
            solara.Button("Done", text=True, on_click=lambda: state.editing.set(None))


@solara.component
def RunSettings():
    chosen_count = len(state.selected.value)
    valid = backend.MIN_SCENARIOS <= chosen_count <= backend.MAX_SCENARIOS
    task = state.run_comparison
    with solara.Card("4. Run"):
        solara.InputInt("Replicates per scenario (same seeds in every scenario)",
                        value=state.replicates, continuous_update=False)
        solara.Select("Population scale (fraction of workers simulated)", value=state.scale,
                      values=list(state.SCALES))
        # What replicates vary: both for comparing policies, chance for checking a model change.
        solara.Select("Uncertainty in the bands", value=state.uncertainty,
                      values=["both", "chance", "parameters"])
        if not 1 <= state.replicates.value <= state.MAX_REPLICATES:
            solara.Error(f"Replicates: choose 1 to {state.MAX_REPLICATES}.", dense=True)
        # the disabled state is a convenience: state.start checks every limit on the server
        solara.Button("Run comparison", color="primary", on_click=state.guarded(state.start),
                      disabled=task.pending or not valid
                      or not 1 <= state.replicates.value <= state.MAX_REPLICATES)
        if task.pending:
            done, total = state.progress.value
            solara.ProgressLinear(100 * done / total if total else True)
            solara.Text(f"Running: {done} of {total} runs finished. The page stays usable.")
            solara.Button("Cancel", color="error", text=True, on_click=state.guarded(state.cancel),
                          classes=["cancel-run"])


# ---------------------------------------------------------------------------------- results
@solara.component
def Message(text: str, css_class: str):
    """An error message with its line breaks kept: one problem per line, as the CLI prints them."""
    solara.Error(children=[solara.Text(text, style={"white-space": "pre-wrap"})], classes=[css_class])


@solara.component
def Problems():
    if state.message.value:
        Message(state.message.value, "cakupan-message")
    if state.notice.value:
        solara.Info(f"{state.notice.value}. The results shown (if any) are those of the last "
                    "finished comparison.", classes=["run-cancelled"])
    result = state.comparison.value
    if result is not None and not result.failures.empty:
        lines = [f"{r.scenario} replicate {r.replicate}: {r.error}" for r in result.failures.itertuples()]
        solara.Error("Some runs failed (the others are shown): " + " | ".join(lines),
                     classes=["run-error"])


Chart = charts.Plot  # interactive Plotly charts, each built once per comparison and language


@solara.component
def Results():
    result: backend.Comparison | None = state.comparison.value
    if result is None or result.results.table.empty:
        solara.Info("Choose scenarios and press “Run comparison”. Results appear here.")
    else:
        ResultsView(result)


@solara.component
def ResultsView(result: backend.Comparison):
    """Every table and chart of one finished comparison (each built once per comparison)."""
    ordered = solara.use_memo(lambda: backend.order_rows(result.results.table, result.order), [id(result)])
    bands = solara.use_memo(lambda: backend.coverage_bands(result), [id(result)])
    summary = solara.use_memo(lambda: backend.summary(result), [id(result)])
    # One colour per scenario in every chart and the table; the baseline neutral grey.
    colours = solara.use_memo(lambda: charts.series_colours(result.order), [id(result)])
    lang = use_translator().lang
    # plain text, never Markdown: names come from uploaded files, and solara's Markdown loads
    # scripts (mermaid, KaTeX) from a CDN
    solara.Text(f"{len(result.order)} scenarios × {result.replicates} replicates at scale "
                f"{result.scale} (paired seeds: replicate r uses the same seed in every scenario)",
                style={"font-weight": "bold"})
    solara.Text(result.band_meaning, classes=["band-meaning"])
    with solara.Card("Summary (best value in each column highlighted)"):
        solara.HTML(tag="div", unsafe_innerHTML=charts.summary_html(
            summary_for_display(summary), SUMMARY_COLUMNS, BETTER, colours), classes=["summary-table"])
        with solara.Row():
            solara.FileDownload(lambda: backend.summary_csv(result), filename="summary.csv",
                                label="Download summary (CSV)")
            solara.FileDownload(lambda: backend.results_csv(result), filename="results.csv",
                                label="Download all runs, month by month (CSV)")
            solara.FileDownload(lambda: html_report.render(result.results, order=result.order, lang=lang)
                                .encode("utf-8"), filename="cakupan-report.html",
                                label="Download report (HTML, opens offline)")
    with solara.Card("Coverage over time"):
        Chart(lambda: charts.coverage_figure(bands, colours, backend.TARGET, backend.TARGET_MONTH, lang),
              [id(result), lang])
        solara.Text(coverage_caption(bands, backend.TARGET_MONTH), classes=["coverage-caption"])
    DriversView(result)
    with solara.Card("Formal and informal coverage"):
        Chart(lambda: charts.formal_informal_figure(ordered, colours, lang), [id(result), lang])
    with solara.Card("New enrollments by channel"):
        Chart(lambda: charts.channels_figure(ordered, colours, lang), [id(result), lang])
    with solara.Card("Spend over time"):
        Chart(lambda: charts.spend_figure(ordered, colours, lang), [id(result), lang])
    RegencyView(result)


@solara.component
def DriversView(result: backend.Comparison):
    """What drives each policy's effect: only when the runs carried parameter uncertainty."""
    table = solara.use_memo(lambda: backend.drivers(result), [id(result)])
    if table.empty:
        return
    with solara.Card(f"What drives each policy's effect on coverage in {backend.TARGET_MONTH}",
                     subtitle="Uncertain parameters ranked by the Spearman rank correlation of the "
                              "paired effect (scenario minus baseline, replicate by replicate) with "
                              "each replicate's parameter draw."):
        for line in drivers_text(table):
            solara.Text(line, classes=["drivers"])


@solara.component
def RegencyView(result: backend.Comparison):
    view = solara.use_reactive("ranked")
    scenario = solara.use_reactive(result.order[-1])
    regency = solara.use_memo(lambda: backend.order_rows(result.results.regency, result.order), [id(result)])
    colours = solara.use_memo(lambda: charts.series_colours(result.order), [id(result)])
    lang = use_translator().lang
    month = charts.month_shown(regency, backend.TARGET_MONTH)
    with solara.Card(f"Coverage by regency, {month}"):
        solara.ToggleButtonsSingle(value=view, values=["ranked", "map"])
        if view.value == "ranked":
            Chart(lambda: charts.regency_figure(regency, month, backend.TARGET, colours, lang), [id(result), lang])
        else:
            if scenario.value not in result.order:
                scenario.set(result.order[-1])
            solara.Select("Scenario on the map", value=scenario, values=result.order)
            Chart(lambda: charts.regency_map_figure(regency, data.regencies(), month, scenario.value, lang),
                  [id(result), scenario.value, lang])


@solara.component
def Page():
    solara.Title("cakupan: compare policies")
    with solara.Columns([4, 8]):
        with solara.Column():
            ScenarioList()
            Upload()
            Editor()
            RunSettings()
        with solara.Column():
            Problems()
            Results()
