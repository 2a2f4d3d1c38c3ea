"""Explore one run in detail: Mesa's SolaraViz (play / step / reset) on one EnrollmentModel.

The model is built inside the page component, so every browser session steps its own model
(a model built at import time would be shared by all sessions). Small scale keeps each step
instant; the controls are generated from the registry like the compare page's.
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

from model import EnrollmentModel
from viz import explore_charts
from viz.backend import TARGET
from viz.controls import lever_controls

EXPLORE_SCALE = 0.01
EXPLORE_SEED = 1
# Levers offered as sliders in the explore sidebar: Mesa's parameter panel has only sliders and
# selects, so levers whose range is too wide for a slider (budgets, campaign reach) stay at the
# status quo here; the compare page edits every lever.
SLIDER_MAX = 20_000


def model_params() -> dict:
    """Mesa user parameters: fixed scale and seed slider, plus the levers that fit a slider."""
    params = {
        "scale": EXPLORE_SCALE,
        "seed": {"type": "SliderInt", "value": EXPLORE_SEED, "min": 1, "max": 100, "step": 1,
                 "label": "Seed"},
    }
    for controls in lever_controls().values():
        for control in controls:
            if control.widget not in ("slider", "number") or control.max > SLIDER_MAX \
                    or not isinstance(control.default, (int, float)):
                continue
            integer = control.integer or control.max - control.min > 100
            params[control.name] = {
                "type": "SliderInt" if integer else "SliderFloat",
                "value": int(control.default) if integer else control.default,
                "min": int(control.min) if integer else control.min,
                "max": int(control.max) if integer else control.max,
                "step": 1 if integer else control.step,
                "label": control.label,
            }
    return params


def StatusCard(model):
    """Month, coverage and Perisai agents' activity of the current month."""
    with solara.Card("This month") as card:
        with solara.Column(gap="2px"):
            for name, value in explore_charts.status(model).items():
                solara.Text(f"{name}: {value}")
    return card


def CoverageChart(model):
    return solara.FigureMatplotlib(explore_charts.coverage_so_far(model.results(), TARGET),
                                   format="png")


def PerisaiChart(model):
    return solara.FigureMatplotlib(explore_charts.perisai_activity(model.results()), format="png")


def RegencyChart(model):
    return solara.FigureMatplotlib(explore_charts.regency_now(model.regency_table(), TARGET),
                                   format="png")


@solara.component
def Page():
    params = solara.use_memo(model_params, [])
    model = solara.use_memo(lambda: EnrollmentModel(scale=EXPLORE_SCALE, seed=EXPLORE_SEED), [])
    SolaraViz(model, components=[StatusCard, CoverageChart, PerisaiChart, RegencyChart],
              model_params=params, name="Explore one run (1% of workers)", play_interval=150)
