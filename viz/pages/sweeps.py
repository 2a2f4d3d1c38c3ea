"""Sweeps page: open a results folder written by `cakupan sweep --out FOLDER` and plot a summary
output against one swept input, coloured by a second.

The folder is read on the machine running the app (the planner's own machine: the app serves
127.0.0.1 by default), with the experiments layer's store, exactly as `cakupan report` reads it.
"""

from __future__ import annotations

import solara

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


def describe(path: str, manifest: dict) -> str:
    """One line about the sweep. Everything in it comes from the folder's files: the page shows
    it as text, never as HTML or Markdown."""
    scenarios = manifest.get("scenarios", {})
    design = manifest.get("design", {})
    return (f"{manifest.get('name')} ({path}): {len(manifest.get('runs', []))} runs, scenarios "
            f"{', '.join(map(str, scenarios))}, design {design.get('kind') if isinstance(design, dict) else design}.")


@solara.component
def SweepPlot(results):
    factors = backend.sweep_factors(results)
    summary = results.summary()
    outputs = [c for c in charts.SWEEP_OUTPUTS if c in summary]
    lang = use_translator().lang
    x = solara.use_reactive(factors[0])
    colour = solara.use_reactive(factors[1] if len(factors) > 1 else None)
    y = solara.use_reactive(outputs[0])
    with solara.Row():
        solara.Select("Output", value=y, values=outputs)
        solara.Select("Swept input (x axis)", value=x, values=factors)
        if len(factors) > 1:
            solara.Select("Second input (colour)", value=colour, values=[f for f in factors if f != x.value])
    second = colour.value if colour.value != x.value else None
    # every point drawn, best and worst highlighted (experiments/figures.py)
    charts.Plot(lambda: charts.sweep_figure(summary, x.value, y.value, second, lang),
                [id(results), x.value, y.value, second, lang])
    solara.FileDownload(lambda: summary.to_csv(index=False).encode("utf-8"),
                        filename="sweep_summary.csv", label="Download sweep summary (CSV)")


@solara.component
def Page():
    solara.Title("cakupan: sweeps")
    with solara.Card("Open a sweep results folder",
                     subtitle="Made by `cakupan sweep SWEEP.toml --out FOLDER` on this machine."):
        solara.InputText("Results folder", value=folder, continuous_update=False)
        solara.Button("Open", color="primary", on_click=open_folder)
        if problem.value:
            solara.Error(children=[solara.Text(problem.value)], classes=["sweep-problem"])
    if loaded.value is not None:
        path, results = loaded.value
        solara.Text(describe(path, results.manifest), classes=["sweep-description"])
        SweepPlot(results)
