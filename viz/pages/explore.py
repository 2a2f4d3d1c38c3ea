"""Explore one run in detail: step, play or reset one EnrollmentModel and watch it month by month.

The model is built inside the page component, so every browser session steps its own model
(a model built at import time would be shared by all sessions). Small scale keeps each step
instant. The levers are the registry's controls (viz/controls.py), with value and unit; changing
one restarts the run from the data set's first month with the new value. A built-in scenario
can be chosen as the starting point (its levers and schedule, at the page's scale and seed);
besides the sliders, the agent count and the subsidy budget are typed (province-wide), read by
the same parser as every number field (experiments/typed_numbers.py). The page is our own
rather than Mesa's SolaraViz, whose generic panels ("PAGE 0", "Time: 6.0") a planner cannot read
and which cannot be translated.

The province is chosen with the shared region select (viz/region_choice.py, checked on the
server): changing it rebuilds the model there, the levers back at that province's defaults and
within its bounds (`model.parameters.registry(region)`), and the regency map shows its regencies.
Provinces only: the whole office (Kanwil) is three province runs summed (experiments/office.py),
not one EnrollmentModel that could be stepped month by month.
"""

from __future__ import annotations

import time

import solara
import solara.lab

from experiments import observed
from experiments.i18n import N_
from experiments.office import target
from model import EnrollmentModel, data
from model.parameters import registry
from viz import backend, charts, explore_charts, state
from viz.charts import Plot
from viz.controls import ControlInput, control_for, lever_controls
from viz.language import use_translator
from viz.region_choice import RegionSelect

EXPLORE_SCALE = 0.01
EXPLORE_SEED = 1
SEEDS = (1, 100)
PLAY_INTERVAL_S = 0.15  # pause between months while playing, so each month can be read
# Levers offered here: those a slider can set (shares, rates, counts of months); budgets and
# campaign reach stay at the status quo here, the compare page edits every lever.
SLIDER_MAX = 20_000
PAGE_TITLE = N_("Explore one run (1% of workers)")
# Typed levers besides the sliders: the Perisai force and the local governments' subsidy budget.
TYPED_LEVERS = ("perisai_agents", "subsidy_budget_idr")
DEFAULT_SCENARIO = "baseline"


def explore_controls(region: str = data.DEFAULT_REGION):
    """The registry's controls that fit a slider, in LEVER_GROUPS order, then the typed ones,
    with `region`'s defaults and bounds."""
    own = registry(region)
    sliders = [control_for(own[c.name]) for controls in lever_controls().values() for c in controls
               if c.widget == "slider" and c.max <= SLIDER_MAX and isinstance(c.default, (int, float))]
    return [*[control_for(own[name]) for name in TYPED_LEVERS], *sliders]


def build_model(seed: int, levers: dict, scenario: str = DEFAULT_SCENARIO,
                region: str = data.DEFAULT_REGION) -> EnrollmentModel:
    """The run shown: a built-in scenario (its levers and schedule) in `region`, at the page's
    scale and seed, with the levers set on the page on top."""
    chosen = state.BUILTINS[scenario].override(region=region)
    kwargs = {**chosen.model_kwargs(), "scale": EXPLORE_SCALE, "seed": seed}
    return EnrollmentModel(**{**kwargs, **levers})


def lever_value(name: str, levers: dict, scenario: str, region: str = data.DEFAULT_REGION):
    """What a control shows: the page's value, else the scenario's, else the region's status quo."""
    if name in levers:
        return levers[name]
    return state.BUILTINS[scenario].settings.get(name, registry(region)[name].default)


@solara.component
def StatusCard(model, version: int):
    """Month, coverage and Perisai agents' activity of the current month."""
    t = use_translator()
    with solara.Card(t("This month")):
        with solara.Column(gap="2px", classes=["explore-status"]):
            for name, value in explore_charts.status(model, t.lang).items():
                solara.Text(f"{name}: {value}")


@solara.component
def Charts(model, version: int):
    """The charts (the last one the regency map), rebuilt after each month (`version`) or language switch."""
    t = use_translator()
    with solara.Card():
        Plot(lambda: explore_charts.coverage_so_far(model.results(), target(model.region.id)[0], t.lang,
                                                    observed=observed.points(model.region.id),
                                                    decision_month=model.region.decision_month),
             [id(model), version, t.lang])
    with solara.Card():
        Plot(lambda: explore_charts.perisai_activity(model.results(), t.lang), [id(model), version, t.lang])
        solara.Text(explore_charts.perisai_caption(EXPLORE_SCALE, t.lang), classes=["perisai-caption"],
                    style={"font-size": "0.85em", "color": "#555"})
    with solara.Card():
        Plot(lambda: explore_charts.regency_now(model.regency_table(), target(model.region.id)[0], t.lang),
             [id(model), version, t.lang])
    with solara.Card():
        Plot(lambda: charts.run_choropleth_figure(model.regency_table(), *backend.region_places(model.region.id),
                                                  t.lang), [id(model), version, t.lang])


@solara.component
def Page():
    t = use_translator()
    seed = solara.use_reactive(EXPLORE_SEED)
    levers = solara.use_reactive({})
    scenario = solara.use_reactive(DEFAULT_SCENARIO)
    region = solara.use_reactive(data.DEFAULT_REGION)
    model = solara.use_reactive(None)
    version = solara.use_reactive(0)   # months stepped since the model was built, to redraw
    playing = solara.use_reactive(False)
    if model.value is None:
        model.value = build_model(seed.value, levers.value, scenario.value, region.value)

    def reset(new_seed: int | None = None, new_levers: dict | None = None, new_scenario: str | None = None,
              new_region: str | None = None) -> None:
        playing.set(False)
        if new_seed is not None:
            seed.set(new_seed)
        if new_scenario is not None:   # a new starting point: its own levers, the page's cleared
            scenario.set(new_scenario)
            levers.set({})
        if new_region is not None:     # another province: its own defaults and bounds
            region.set(new_region)
            levers.set({})
        if new_levers is not None:
            levers.set(new_levers)
        model.set(build_model(seed.value, levers.value, scenario.value, region.value))
        version.set(0)

    def step() -> None:
        if model.value.running:
            model.value.step()
            version.set(version.value + 1)
        if not model.value.running:
            playing.set(False)

    def play() -> None:
        while playing.value and model.value.running:
            time.sleep(PLAY_INTERVAL_S)
            step()

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)
    solara.Title("cakupan: " + t("Explore"))
    with solara.ColumnsResponsive(default=[12], large=[4, 8]):   # stacked below 1264 px
        with solara.Column():
            with solara.Card(t(PAGE_TITLE)):
                with solara.Row():
                    solara.Button(t("Step"), on_click=step, disabled=playing.value or not model.value.running)
                    solara.Button(t("Pause") if playing.value else t("Play"), color="primary",
                                  on_click=lambda: playing.set(not playing.value),
                                  disabled=not model.value.running)
                    solara.Button(t("Reset"), on_click=lambda: reset())
                if not model.value.running:
                    solara.Info(t("The run reached its last month; press Reset to start again."), dense=True)
                solara.Text(t("Changing a lever restarts the run from its first month."),
                            style={"font-size": "0.85em"})
                RegionSelect(region.value, lambda r: reset(new_region=r), with_office=False,
                             classes=["region-select", "explore-region"])
                solara.Select(t("Scenario"), value=scenario.value, values=list(state.BUILTINS),
                              on_value=lambda name: reset(new_scenario=name), classes=["explore-scenario"])
                solara.SliderInt(t("Seed"), value=seed.value, min=SEEDS[0], max=SEEDS[1],
                                 on_value=lambda s: reset(new_seed=s))
                solara.Text(t("Seed: {value}", value=seed.value), style={"font-size": "0.85em"})
            with solara.Card(t("Levers"), subtitle=t("A value set here holds in every month of the run.")):
                for control in explore_controls(region.value):
                    ControlInput(control, lever_value(control.name, levers.value, scenario.value, region.value),
                                 lambda v, name=control.name: reset(new_levers={**levers.value, name: v}))
            StatusCard(model.value, version.value)
        with solara.Column():
            Charts(model.value, version.value)
