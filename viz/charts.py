"""Charts and the summary table for the app, built from the experiments layer's tidy tables.

The charts themselves are Plotly figures built in experiments/figures.py, the one builder shared
with `cakupan report`'s HTML report; this module re-exports them for the pages, renders them
(`Plot`, through solara.FigurePlotly: plotly.js comes inside the plotly package and reaches the
page over Solara's websocket, so the app stays offline) and writes the summary table as HTML with
each scenario's colour beside its name, the colour it has in every chart.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

import solara

from experiments.figures import (BETTER, BILLION, SWEEP_OUTPUTS, bands, best_rows, channel_totals,
                                 channels_figure, coverage_figure, cumulative_spend,
                                 formal_informal_figure, month_shown, regency_coverage, regency_figure,
                                 series_colours, spend_figure, summary_html,
                                 sweep_figure)
from experiments.boundaries import outlines
from experiments.regency_map import METRICS, metrics, regency_choropleth_figure, run_choropleth_figure

# Re-exported for the pages; the statistics behind `bands` and `cumulative_spend` are
# experiments/summary.py's (statistics live only there).
__all__ = ["BETTER", "BILLION", "METRICS", "SWEEP_OUTPUTS", "Plot", "bands", "best_rows", "channel_totals",
           "channels_figure", "coverage_figure", "cumulative_spend", "formal_informal_figure", "month_shown",
           "regency_coverage", "regency_figure", "series_colours", "spend_figure",
           "summary_html", "sweep_figure", "metrics", "outlines", "regency_choropleth_figure",
           "run_choropleth_figure"]


_BUILDS = itertools.count()  # a serial number per figure built (keys its widget)


@solara.component
def Plot(build: Callable[[], Any], dependencies: list[Any]) -> None:
    """A Plotly figure built once per change of `dependencies` (not on every render), shown
    with hover, zoom and legend toggling.

    Each new figure gets a new widget (keyed by its build): updating a widget in place with
    fewer traces than it had (a comparison re-run with fewer scenarios) makes plotly's
    `_handler_js2py_traceDeltas` fail with an IndexError in the server log."""
    figure, build_id = solara.use_memo(lambda: (build(), next(_BUILDS)), dependencies)
    solara.FigurePlotly(figure, dependencies=dependencies).key(f"figure-{build_id}")
