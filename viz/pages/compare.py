"""Compare page: choose 2-6 scenarios, copy and edit one, run replicates in the background,
and read coverage, spend and cost side by side.

Layout: the left column holds the choices (scenarios, upload, lever editor, run settings), the
right column the results of the last comparison, which stay on screen while a new one runs.
Sections are numbered in the order shown (the lever editor appears only while a copy is edited).
Every string is in the session's language (experiments/i18n.py): labels and messages from the
catalog, numbers, percents, months and rupiah with the language's formatters.
"""

from __future__ import annotations

import pandas as pd
import solara

from experiments import html_report, observed
from experiments.figures import SUMMARY_BETTER
from experiments.i18n import N_, Translator, parameter_label, translator
from experiments.summary import MIN_DRIVER_REPLICATES, MIN_SPLIT_REPLICATES, spearman_interval
from experiments.office import OFFICE
from viz import backend, charts, state
from viz.editor import Editor
from viz.language import use_translator
from viz.region_choice import RegionSelect, region_name
from viz.upload import FileInput

BETTER = SUMMARY_BETTER  # which way is better in each summary column (the best cell is highlighted)
# What replicates vary (runner.UNCERTAINTY), as the select names it.
UNCERTAINTY_LABELS = {"both": N_("chance and parameters"), "chance": N_("chance only"),
                      "parameters": N_("parameters only")}
REGENCY_VIEWS = {"ranked": N_("ranked"), "map": N_("map")}


def summary_columns(t: Translator, target: tuple[float, str] | None = None) -> dict:
    """The summary table's columns: the HTML report's (one definition) and the split of the
    intervals when the runs varied both chance and parameters. `target`: (coverage, month) of
    the comparison's region (default: South Sumatra's)."""
    share, month = target or (backend.TARGET, backend.TARGET_MONTH)
    columns = html_report.summary_columns(t, month, share, with_point=False)
    columns.pop("replicates")  # the same for every scenario: said above the table
    columns["coverage_parts"] = (t("Coverage interval: ± chance / ± parameters"), "{}")
    columns["cost_parts"] = (t("Cost interval: ± chance / ± parameters"), "{}")
    return columns


SUMMARY_COLUMNS = summary_columns(translator("en"))


def summary_for_display(summary: pd.DataFrame, t: Translator | None = None) -> pd.DataFrame:
    """The experiments summary as the page writes it (intervals and months as text in the
    language; missing when the runs end before the target month)."""
    t = t or translator("en")
    shown = html_report.shown_summary(summary, t)
    if "coverage_chance_pm" in shown:   # the split of each interval (experiments.summary.split)
        counts = summary["replicates"] if "replicates" in summary else [None] * len(summary)
        shown["coverage_parts"] = [_parts(c, p, t.percent, t, n) for c, p, n in
                                   zip(shown["coverage_chance_pm"], shown["coverage_parameter_pm"], counts,
                                       strict=True)]
        shown["cost_parts"] = [_parts(c, p, t.rupiah, t, n) for c, p, n in
                               zip(shown["cost_per_additional_idr_chance_pm"],
                                   shown["cost_per_additional_idr_parameter_pm"], counts, strict=True)]
    return shown


def _parts(chance, parameters, value, t: Translator, replicates=None) -> str | None:
    """'±chance / ±parameters'; when both were varied but too few replicates ran for the split
    to mean anything (summary.MIN_SPLIT_REPLICATES), says so instead of printing noise."""
    if pd.isna(chance) and pd.isna(parameters):
        return None
    if pd.notna(chance) and pd.notna(parameters) and replicates is not None and \
            replicates < MIN_SPLIT_REPLICATES:
        return t("not split: {count} replicates, at least {low} needed", count=int(replicates),
                 low=MIN_SPLIT_REPLICATES)

    def show(v) -> str:
        return t("not varied") if pd.isna(v) else "±" + value(v)
    return f"{show(chance)} / {show(parameters)}"


def drivers_text(table: pd.DataFrame, t: Translator | None = None) -> list[str]:
    """One line per scenario: the parameters that move its effect most (named in the language),
    each with its Spearman rho and that rho's 90% interval; with fewer replicates than a rank
    correlation needs (summary.MIN_DRIVER_REPLICATES), a line saying so instead."""
    t = t or translator("en")
    rho = lambda v: ("+" if v >= 0 else "-") + t.number(abs(v), 2)  # noqa: E731
    lines = []
    for scenario, group in table.groupby("scenario", sort=False):
        n = int(group["replicates"].min()) if "replicates" in group else None
        if n is not None and n < MIN_DRIVER_REPLICATES:
            lines.append(t("{scenario}: not ranked: {count} replicates, at least {low} needed for a rank "
                           "correlation to tell a driver from chance", scenario=scenario, count=n,
                           low=MIN_DRIVER_REPLICATES))
            continue
        parts = []
        for r in group.itertuples():
            text = f"{t(parameter_label(r.parameter))} ({rho(r.spearman)}"
            if n is not None:
                low, high = spearman_interval(r.spearman, n)
                text += "; " + t("90%: {low} to {high}", low=rho(low), high=rho(high))
            parts.append(text + ")")
        lines.append(f"{scenario}: " + ", ".join(parts))
    return lines


def coverage_caption(bands: pd.DataFrame, month: str, t: Translator | None = None) -> str:
    """Each series' value at the target month, as text beside the chart (also what tests read)."""
    t = t or translator("en")
    rows = bands[bands["month"] == month]
    parts = [f"{r.scenario}: {t.percent(r.mean)} ({t.percent(r.low)} – {t.percent(r.high)})"
             for r in rows.itertuples()]
    return t("Coverage in {month}, mean (90% band): {values}", month=t.month(month), values="; ".join(parts))


def run_blocked(t: Translator, chosen: int, replicates, pending: bool) -> str | None:
    """Why "Run comparison" is greyed out, or None when it can be pressed (the server checks
    every limit again: this is the page's explanation, not the check)."""
    if pending:
        return t("A comparison is running: wait for it or press Cancel.")
    if chosen < backend.MIN_SCENARIOS:
        return t("Tick at least {low} scenarios to compare ({count} ticked).", low=backend.MIN_SCENARIOS,
                 count=chosen)
    if chosen > backend.MAX_SCENARIOS:
        return t("Tick at most {high} scenarios to compare ({count} ticked).", high=backend.MAX_SCENARIOS,
                 count=chosen)
    if not isinstance(replicates, int) or not 1 <= replicates <= state.MAX_REPLICATES:
        return t("Replicates: choose 1 to {high}.", high=state.MAX_REPLICATES)
    return None


def section_numbers() -> dict[str, int]:
    """The page's sections numbered in reading order: scenarios (each copy's lever editor opens
    under its row) and upload on the left, then Run at the top of the results' column."""
    return {name: i for i, name in enumerate(["scenarios", "upload", "run"], start=1)}


def display_order(names: list[str], origins: dict[str, str]) -> list[str]:
    """The list's order: each copy right under the scenario it was copied from (and its other
    copies), so the editor that opens under a new copy is next to the Duplicate pressed."""
    position = {name: i for i, name in enumerate(names)}
    return sorted(names, key=lambda n: (position.get(origins.get(n, n), position[n]), position[n]))


def description_text(name: str, description: str, origins: dict[str, str], t: Translator) -> str:
    """A scenario's description in the session's language: a built-in's from the catalog, a
    copy's as 'Copy of X.' with X's, an uploaded one as written."""
    if name in state.BUILTINS:
        return t(description)
    if name in origins:
        origin = origins[name]
        told = t(state.BUILTINS[origin].description) if origin in state.BUILTINS else ""
        return f"{t('Copy of {name}.', name=origin)} {told}".strip()
    return description


# ---------------------------------------------------------------------------------- choices
@solara.component
def ScenarioList(number: int):
    """Built-ins, copies and uploads with a checkbox each; copy, edit or download any of them."""
    t = use_translator()
    with solara.Card(t("{number}. Scenarios to compare", number=number),
                     subtitle=t("Choose {low} to {high}. The baseline is added as the reference for cost per "
                                "additional participant.", low=backend.MIN_SCENARIOS, high=backend.MAX_SCENARIOS)):
        origins = state.origins.value
        for name in display_order(list(state.scenarios.value), origins):
            scenario = state.scenarios.value[name]
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="4px"):
                solara.Checkbox(label=name, value=name in state.selected.value,
                                on_value=lambda on, n=name: state.toggle(n, on))
                solara.Button(t("Duplicate"), text=True, small=True,
                              on_click=state.guarded(lambda n=name: state.duplicate(n)),
                              classes=[f"duplicate-{name}"])
                if name not in state.BUILTINS:
                    solara.Button(t("Edit"), text=True, small=True,
                                  on_click=lambda n=name: state.open_editor(n))
                solara.FileDownload(lambda s=scenario: s.to_toml(), filename=f"{name}.toml",
                                    children=[solara.Button("TOML", text=True, small=True,
                                                            icon_name="mdi-download")])
            text = description_text(name, scenario.description, origins, t)
            if text:
                solara.Text(text, style={"font-size": "0.8em", "color": "#555"})
            if name == state.editing.value:
                Editor(name)


@solara.component
def Upload(number: int):
    """A scenario file by picker, drag and drop, or pasted: all three go through one check
    (state.load_file), so a bad file gets the same message whichever way it came."""
    t = use_translator()
    load = state.guarded(state.load_file)

    with solara.Card(t("{number}. Upload a scenario file (TOML, at most 1 MB)", number=number),
                     subtitle=t("`base` may name a built-in scenario or one already in the list.")):
        FileInput(t("Choose a scenario .toml file"), backend.MAX_UPLOAD_BYTES, on_file=load)
        solara.FileDrop(label=t("Drop a scenario .toml file here"),
                        on_file=lambda f: load(f.get("name", ""), f.get("data"), f.get("size")), lazy=False)
        solara.InputTextArea(t("…or paste a scenario file here"), value=state.pasted, rows=3)
        solara.Button(t("Load pasted scenario"), text=True,
                      on_click=lambda: load("pasted.toml", state.pasted.value.encode("utf-8", "replace")))


@solara.component
def RunSettings(number: int):
    t = use_translator()
    task = state.run_comparison
    blocked = run_blocked(t, len(state.selected.value), state.replicates.value, task.pending)
    scales = {t.decimal(s): s for s in state.SCALES}
    kinds = {t(label): kind for kind, label in UNCERTAINTY_LABELS.items()}
    with solara.Card(t("{number}. Run", number=number)):
        solara.InputInt(t("Replicates per scenario (same seeds in every scenario)"),
                        value=state.replicates, continuous_update=False)
        solara.Select(t("Population scale (fraction of workers simulated)"), value=t.decimal(state.scale.value),
                      values=list(scales), on_value=lambda label: state.scale.set(scales[label]))
        # What replicates vary: both for comparing policies, chance for checking a model change.
        solara.Select(t("Uncertainty in the bands"), value=t(UNCERTAINTY_LABELS[state.uncertainty.value]),
                      values=list(kinds), on_value=lambda label: state.uncertainty.set(kinds[label]))
        RegionSelect(state.region.value, state.region.set)
        # the disabled state is a convenience: state.start checks every limit on the server
        solara.Button(t("Run comparison"), color="primary", on_click=state.guarded(state.start),
                      disabled=blocked is not None)
        if blocked and not task.pending:
            solara.Warning(blocked, dense=True, classes=["run-blocked"])
        if task.pending:
            done, total = state.progress.value
            solara.ProgressLinear(100 * done / total if total else True)
            solara.Text(t("Running: {done} of {total} runs finished. The page stays usable.",
                          done=t.number(done), total=t.number(total)))
            solara.Button(t("Cancel"), color="error", text=True, on_click=state.guarded(state.cancel),
                          classes=["cancel-run"])


# ---------------------------------------------------------------------------------- results
@solara.component
def Message(text: str, css_class: str):
    """An error message with its line breaks kept: one problem per line, as the CLI prints them."""
    solara.Error(children=[solara.Text(text, style={"white-space": "pre-wrap"})], classes=[css_class])


@solara.component
def Problems():
    t = use_translator()
    if state.message.value:
        Message(state.message.value, "cakupan-message")
    if state.notice.value:
        done, runs = state.notice.value
        solara.Info(t("The comparison was cancelled ({done} of {runs} runs had finished). The results shown "
                      "(if any) are those of the last finished comparison.", done=t.number(done), runs=t.number(runs)),
                    classes=["run-cancelled"])
    result = state.comparison.value
    if result is not None and not result.failures.empty:
        lines = [t("{scenario} replicate {replicate}: {error}", scenario=r.scenario, replicate=r.replicate,
                   error=r.error) for r in result.failures.itertuples()]
        solara.Error(t("Some runs failed (the others are shown): {runs}", runs=" | ".join(lines)),
                     classes=["run-error"])


Chart = charts.Plot  # interactive Plotly charts, each built once per comparison and language


@solara.component
def Results():
    t = use_translator()
    result: backend.Comparison | None = state.comparison.value
    if result is None or result.results.table.empty:
        solara.Info(t("Choose scenarios and press “Run comparison”. Results appear here."))
    else:
        ResultsView(result)


@solara.component
def ResultsView(result: backend.Comparison):
    """Every table and chart of one finished comparison (each built once per comparison)."""
    t = use_translator()
    lang = t.lang
    ordered = solara.use_memo(lambda: backend.order_rows(result.results.table, result.order), [id(result)])
    bands = solara.use_memo(lambda: backend.coverage_bands(result), [id(result)])
    summary = solara.use_memo(lambda: backend.summary(result), [id(result)])
    # One colour per scenario in every chart and the table; the baseline neutral grey.
    colours = solara.use_memo(lambda: charts.series_colours(result.order), [id(result)])
    share, month = result.target
    table = solara.use_memo(lambda: charts.summary_html(summary_for_display(summary, t),
                                                        summary_columns(t, result.target), BETTER, colours,
                                                        ranked_by=summary), [id(result), lang])
    # plain text, never Markdown: names come from uploaded files, and solara's Markdown loads
    # scripts (mermaid, KaTeX) from a CDN
    solara.Text(t("{count} scenarios × {replicates} replicates at scale {scale} (paired seeds: replicate r uses "
                  "the same seed in every scenario)", count=len(result.order), replicates=result.replicates,
                  scale=t.decimal(result.scale)), style={"font-weight": "bold"})
    solara.Text(t(result.band_meaning), classes=["band-meaning"])
    solara.Text(target_line(result, t), classes=["region-target"], style={"display": "block"})
    with solara.Card(t("Summary (best value in each column highlighted)")):
        solara.HTML(tag="div", unsafe_innerHTML=table, classes=["summary-table"])
        ProvinceTables(result, colours)
        with solara.Row(style={"flex-wrap": "wrap", "margin-top": "8px"}):
            solara.FileDownload(lambda: backend.summary_csv(result), filename="summary.csv",
                                label=t("Download summary (CSV)"))
            solara.FileDownload(lambda: backend.results_csv(result), filename="results.csv",
                                label=t("Download all runs, month by month (CSV)"))
            solara.FileDownload(lambda: html_report.render(result.results, order=result.order, lang=lang)
                                .encode("utf-8"), filename="cakupan-report.html",
                                label=t("Download report (HTML, opens offline)"))
    with solara.Card(t("Coverage over time")):
        Chart(lambda: charts.coverage_figure(bands, colours, share, month, lang,
                                             observed=observed.points(result.region),
                                             decision_month=observed.decision_month(result.region)),
              [id(result), lang])
        solara.Text(coverage_caption(bands, month, t), classes=["coverage-caption"])
    DriversView(result)
    with solara.Card(t("Formal and informal coverage")):
        Chart(lambda: charts.formal_informal_figure(ordered, colours, lang), [id(result), lang])
    with solara.Card(t("New enrollments by channel")):
        Chart(lambda: charts.channels_figure(ordered, colours, lang), [id(result), lang])
    with solara.Card(t("Spend over time")):
        Chart(lambda: charts.spend_figure(ordered, colours, lang), [id(result), lang])
    RegencyView(result)


def target_line(result: backend.Comparison, t: Translator) -> str:
    """Where the runs are and the region's own target (its region.toml; the office's weighted)."""
    share, month = result.target
    if result.region == OFFICE:
        return t("Kanwil Sumbagsel: the three provinces summed, from {month}; target {share} by {end} "
                 "(the provinces' targets weighted by their workers)",
                 month=t.month(result.results.table["month"].min()), share=t.percent(share, 1), end=t.month(month))
    return t("{region}: target {share} by {month}", region=region_name(result.region, t), share=t.percent(share, 0),
             month=t.month(month))


@solara.component
def ProvinceTables(result: backend.Comparison, colours: dict):
    """Of a Kanwil comparison, each province's own summary under the office's (as the CLI prints)."""
    t = use_translator()
    provinces = solara.use_memo(lambda: backend.province_summaries(result), [id(result)])
    for region, (target, summary) in provinces.items():
        solara.Text(t("{region}: target {share} by {month}", region=region_name(region, t),
                      share=t.percent(target[0], 0), month=t.month(target[1])),
                    classes=["province-target"], style={"display": "block", "font-weight": "bold", "margin-top": "8px"})
        solara.HTML(tag="div", unsafe_innerHTML=charts.summary_html(summary_for_display(summary, t),
                                                                    summary_columns(t, target), BETTER, colours,
                                                                    ranked_by=summary),
                    classes=["province-summary"])


@solara.component
def DriversView(result: backend.Comparison):
    """What drives each policy's effect: only when the runs carried parameter uncertainty."""
    t = use_translator()
    table = solara.use_memo(lambda: backend.drivers(result), [id(result)])
    if table.empty:
        return
    with solara.Card(t("What drives each policy's effect on coverage in {month}",
                       month=t.month(result.target[1])),
                     subtitle=t("Uncertain parameters ranked by the Spearman rank correlation of the paired "
                                "effect (scenario minus baseline, replicate by replicate) with each replicate's "
                                "parameter draw.")):
        for line in drivers_text(table, t):   # one block per scenario, each on its own line
            solara.Text(line, classes=["drivers"], style={"display": "block", "margin-bottom": "6px"})


@solara.component
def RegencyView(result: backend.Comparison):
    t = use_translator()
    lang = t.lang
    view = solara.use_reactive("ranked")
    scenario = solara.use_reactive(result.order[-1])
    metric = solara.use_reactive("coverage")   # the map's value (experiments/regency_map.METRICS)
    regency = solara.use_memo(lambda: backend.order_rows(result.results.regency, result.order), [id(result)])
    colours = solara.use_memo(lambda: charts.series_colours(result.order), [id(result)])
    month = charts.month_shown(regency, result.target[1])
    places, shapes = solara.use_memo(lambda: backend.region_places(result.region), [id(result)])
    views = {t(label): key for key, label in REGENCY_VIEWS.items()}
    with solara.Card(t("Coverage by regency, {month}", month=t.month(month))):
        solara.ToggleButtonsSingle(value=t(REGENCY_VIEWS[view.value]), values=list(views),
                                   on_value=lambda label: view.set(views[label]))
        if view.value == "ranked":
            Chart(lambda: charts.regency_figure(regency, month, result.target[0], colours, lang), [id(result), lang])
        else:
            if scenario.value not in result.order:
                scenario.set(result.order[-1])
            solara.Select(t("Scenario on the map"), value=scenario, values=result.order)
            shown = {t(charts.METRICS[m]): m for m in charts.metrics(regency, scenario.value)}
            if metric.value not in shown.values():
                metric.set("coverage")
            solara.ToggleButtonsSingle(value=t(charts.METRICS[metric.value]), values=list(shown),
                                       on_value=lambda label: metric.set(shown[label]))
            Chart(lambda: charts.regency_choropleth_figure(regency, places, shapes, month,
                                                           scenario.value, metric.value, lang=lang),
                  [id(result), scenario.value, metric.value, lang])


@solara.component
def Page():
    t = use_translator()
    solara.Title("cakupan: " + t("compare policies"))
    number = section_numbers()
    with solara.ColumnsResponsive(default=[12], large=[4, 8]):   # stacked below 1264 px
        with solara.Column():
            ScenarioList(number["scenarios"])
            Upload(number["upload"])
        with solara.Column():
            RunSettings(number["run"])
            Problems()
            Results()
