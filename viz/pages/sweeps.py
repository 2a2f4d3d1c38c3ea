"""Sweeps page: open a results folder written by `cakupan sweep --out FOLDER` and plot a summary
output against one swept input, coloured by a second.

Labels, the outputs and the swept inputs (named as the lever panels name them) are in the
session's language. The folder is read on the machine running the app (the planner's own machine: the app serves
127.0.0.1 by default), with the experiments layer's store, exactly as `cakupan report` reads it.
"""

from __future__ import annotations

import solara

from experiments.figures import SWEEP_LABELS, factor_label
from experiments.i18n import Translator, translator
from viz import backend, charts
from viz.language import use_translator

folder = solara.reactive("")
problem = solara.reactive(None)
loaded = solara.reactive(None)  # (folder, Results)


def open_folder() -> None:
    """Open the typed folder; any problem (a corrupt folder included) is one message, and the
    sweep already open stays open."""
    try:
        loaded.value = (folder.value, backend.load_sweep_results(folder.value))
        problem.value = None
    except Exception as error:  # noqa: BLE001 - unexpected errors are logged with an id
        problem.value = backend.explain(error)


def describe(path: str, manifest: dict, t: Translator | None = None) -> str:
    """One line about the sweep. Everything in it comes from the folder's files: the page shows
    it as text, never as HTML or Markdown."""
    t = t or translator("en")
    scenarios = manifest.get("scenarios", {})
    design = manifest.get("design", {})
    return t("{name} ({path}): {runs} runs, scenarios {scenarios}, design {design}.",
             name=manifest.get("name"), path=path, runs=t.number(len(manifest.get("runs", []))),
             scenarios=", ".join(map(str, scenarios)),
             design=design.get("kind") if isinstance(design, dict) else design)


@solara.component
def SweepPlot(results):
    t = use_translator()
    lang = t.lang
    factors = backend.sweep_factors(results)
    summary = results.summary()
    outputs = {t(SWEEP_LABELS[c]): c for c in charts.SWEEP_OUTPUTS if c in summary}
    inputs = {factor_label(f, t): f for f in factors}
    name_of = {f: label for label, f in inputs.items()}
    x = solara.use_reactive(factors[0])
    colour = solara.use_reactive(factors[1] if len(factors) > 1 else None)
    y = solara.use_reactive(next(iter(outputs.values())))
    with solara.Row():
        solara.Select(t("Output"), value=t(SWEEP_LABELS[y.value]), values=list(outputs),
                      on_value=lambda label: y.set(outputs[label]))
        solara.Select(t("Swept input (x axis)"), value=name_of[x.value], values=list(inputs),
                      on_value=lambda label: x.set(inputs[label]))
        if len(factors) > 1:
            solara.Select(t("Second input (colour)"), value=name_of.get(colour.value),
                          values=[label for label, f in inputs.items() if f != x.value],
                          on_value=lambda label: colour.set(inputs[label]))
    second = colour.value if colour.value != x.value else None
    # every point drawn, best and worst highlighted (experiments/figures.py)
    charts.Plot(lambda: charts.sweep_figure(summary, x.value, y.value, second, lang),
                [id(results), x.value, y.value, second, lang])
    solara.FileDownload(lambda: summary.to_csv(index=False).encode("utf-8"),
                        filename="sweep_summary.csv", label=t("Download sweep summary (CSV)"))


@solara.component
def Page():
    t = use_translator()
    solara.Title("cakupan: " + t("sweeps"))
    with solara.Card(t("Open a sweep results folder"),
                     subtitle=t("Made by `cakupan sweep SWEEP.toml --out FOLDER` on this machine.")):
        solara.InputText(t("Results folder"), value=folder, continuous_update=False)
        solara.Button(t("Open"), color="primary", on_click=open_folder)
        if problem.value:
            solara.Error(children=[solara.Text(problem.value)], classes=["sweep-problem"])
    if loaded.value is not None:
        path, results = loaded.value
        solara.Text(describe(path, results.manifest, t), classes=["sweep-description"])
        SweepPlot(results)
