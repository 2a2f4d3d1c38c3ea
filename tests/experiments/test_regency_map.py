"""The regency choropleth (experiments/regency_map.py) on the real boundaries
(experiments/boundaries.py): joined on BPS code, the value on hover in both languages, the
attribution on the figure, nothing that needs a CDN."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from experiments import boundaries, html_report, regency_map
from experiments.i18n import translator
from model import data
from tests.helpers import run
from tests.regions.checks import ATTRIBUTION

MONTH = "2025-06"


@pytest.fixture(scope="module")
def regency():
    """Two scenarios' regency tables from real runs (seeds 1 and 2 as the two replicates); the
    plan's coverage is the baseline's plus a known amount per regency."""
    tables = []
    for replicate, seed in enumerate((1, 2)):
        table = run(seed=seed, horizon=MONTH).regency_table()
        lift = 0.01 * (np.arange(len(table)) % 17) / 16
        tables.append(table.assign(scenario="baseline", replicate=replicate))
        tables.append(table.assign(scenario="plan", replicate=replicate, coverage=table["coverage"] + lift))
    return pd.concat(tables, ignore_index=True)


def fills(fig):
    return {trace.name: trace for trace in fig.data if trace.fill == "toself"}


def test_every_region_has_its_regencies_outlined():
    assert boundaries.regions() == ["bengkulu", "jambi", "sumsel"]
    counts = {region: len(boundaries.outlines(region)) for region in boundaries.regions()}
    assert counts == {"bengkulu": 10, "jambi": 11, "sumsel": 17}
    codes = {o.bps_code for o in boundaries.outlines("sumsel")}
    assert codes == set(data.regencies()["bps_code"].astype(str))


def test_outlines_are_largest_first_so_an_enclave_is_drawn_over_its_surroundings():
    jambi = boundaries.outlines("jambi")
    areas = [o.area for o in jambi]
    assert areas == sorted(areas, reverse=True)
    order = [o.name for o in jambi]
    assert order.index("Kota Jambi") > order.index("Muaro Jambi")   # Kota Jambi is a hole in Muaro Jambi


@pytest.mark.parametrize("region", ["../sumsel", "SUMSEL", "", "sumsel/..", "atlantis", "/etc/passwd", None, 16])
def test_a_region_is_a_name_never_a_path(region):
    with pytest.raises(boundaries.UnknownRegionError, match="regions with boundaries: bengkulu, jambi, sumsel"):
        boundaries.outlines(region)


def test_coverage_map_fills_each_regency_with_its_value_on_hover(regency):
    fig = regency_map.regency_choropleth_figure(regency, data.regencies(), boundaries.outlines(), MONTH, "plan")
    rows = regency[(regency["month"] == MONTH) & (regency["scenario"] == "plan")]
    expected = rows.groupby("regency")["coverage"].mean()
    shapes = fills(fig)
    assert set(shapes) == set(data.regencies()["regency"])   # names from regencies.csv, joined on bps_code
    t = translator("en")
    for name, trace in shapes.items():
        assert trace.text == f"{name}: {t.percent(expected[name])}"
        assert trace.hoveron == "fills" and len(trace.x) > 20   # a real outline, not a dot
    colours = {name: trace.fillcolor for name, trace in shapes.items()}
    assert colours[expected.idxmax()] != colours[expected.idxmin()]
    dots = fig.data[-1]
    assert len(dots.customdata) == 17 and dots.marker.colorbar.ticksuffix == "%"
    assert {trace.type for trace in fig.data} == {"scatter"}   # no geo or map trace: nothing from a CDN
    assert fig.layout.yaxis.scaleanchor == "x"


def test_the_attribution_is_on_the_map_in_both_languages(regency):
    assert regency_map.MAP_ATTRIBUTION == ATTRIBUTION   # the text shared/data/geo/SOURCE.md asks for
    for lang in ("en", "id"):
        fig = regency_map.regency_choropleth_figure(regency, data.regencies(), boundaries.outlines(), MONTH,
                                                    "plan", lang=lang)
        shown = [a.text for a in fig.layout.annotations if a.name == "attribution"]
        assert shown == ["<br>".join(textwrap.wrap(translator(lang)(ATTRIBUTION), 120))]
    assert "CC BY 3.0 IGO" in shown[0] and shown[0].startswith("Batas administrasi")


def test_change_against_the_baseline_in_points_on_a_centred_scale(regency):
    fig = regency_map.regency_choropleth_figure(regency, data.regencies(), boundaries.outlines(), MONTH, "plan",
                                                "change", lang="id")
    at = regency[regency["month"] == MONTH].groupby(["scenario", "regency"])["coverage"].mean()
    change = at["plan"] - at["baseline"]
    assert change["PALI"] == pytest.approx(0.01)   # the last regency gets the full lift
    assert fills(fig)["PALI"].text == "PALI: +1,0 poin"
    assert fills(fig)["Kota Palembang"].text == "Kota Palembang: 0,0 poin"   # no lift: no sign
    marker = fig.data[-1].marker
    assert marker.cmin == pytest.approx(-marker.cmax) and marker.cmax == pytest.approx(change.abs().max() * 100)


def test_spend_map_only_when_the_table_has_spend(regency):
    no_spend = regency.drop(columns="spend_idr")
    assert regency_map.metrics(no_spend, "plan") == ["coverage", "change"]
    assert regency_map.metrics(no_spend, "baseline") == ["coverage"]
    assert regency_map.metrics(regency, "plan") == ["coverage", "change", "spend"]
    with pytest.raises(ValueError, match="metric: 'spend' cannot be drawn for 'plan'; possible: coverage, change"):
        regency_map.regency_choropleth_figure(no_spend, data.regencies(), boundaries.outlines(), MONTH, "plan", "spend")
    months = sorted(regency["month"].unique())
    with_spend = regency.assign(spend_idr=0.5e9)     # a month's spend: the map shows the sum to MONTH
    fig = regency_map.regency_choropleth_figure(with_spend, data.regencies(), boundaries.outlines(), months[2],
                                                "plan", "spend")
    assert fills(fig)["Lahat"].text == "Lahat: Rp 1.5 bn"


def test_the_spend_map_sums_the_model_spend_to_the_month(regency):
    """Lahat's value is its own budget's spend summed over months, the mean of the replicates."""
    plan = regency[regency["scenario"] == "plan"]
    lahat = plan[plan["regency"] == "Lahat"]
    expected = lahat.groupby("replicate")["spend_idr"].sum().mean()
    assert expected > 0
    values = regency_map.regency_values(regency, MONTH, "plan", "spend")
    assert values["Lahat"] == pytest.approx(expected)
    assert values.sum() == pytest.approx(plan.groupby("replicate")["spend_idr"].sum().mean())


def test_a_regency_without_a_value_is_grey_and_says_so(regency):
    without = regency[regency["regency"] != "Lahat"]
    fig = regency_map.regency_choropleth_figure(without, data.regencies(), boundaries.outlines(), MONTH, "plan")
    assert fills(fig)["Lahat"].fillcolor == regency_map.NO_VALUE_COLOUR
    assert fills(fig)["Lahat"].text == "Lahat: no value"
    assert len(fig.data[-1].customdata) == 16


def test_scenario_names_are_text_not_markup(regency):
    odd = regency.replace({"scenario": {"plan": "<b>plan</b>"}})
    fig = regency_map.regency_choropleth_figure(odd, data.regencies(), boundaries.outlines(), MONTH, "<b>plan</b>")
    assert "<b>" not in fig.layout.title.text and "&lt;b&gt;plan&lt;/b&gt;" in fig.layout.title.text


def test_the_live_run_map_shows_its_latest_month():
    model = run(seed=1, horizon=MONTH)
    fig = regency_map.run_choropleth_figure(model.regency_table(), data.regencies(), boundaries.outlines(), "id")
    assert fig.layout.title.text == "simulasi ini: cakupan per kabupaten/kota, Jun 2025"


def test_the_report_draws_the_maps(regency):
    maps = html_report.regency_maps(regency, MONTH, "en")
    assert [title for title, _ in maps] == ["Coverage by regency on the map", "Change against the baseline by regency",
                                            "Spend by regency"]
    spend = maps[2][1]
    assert spend.layout.title.text == "plan: spend by regency to Jun 2025"
    assert fills(spend)["Lahat"].text.startswith("Lahat: Rp ")
    without = html_report.regency_maps(regency.drop(columns="spend_idr"), MONTH, "en")
    assert [title for title, _ in without] == [title for title, _ in maps[:2]]
