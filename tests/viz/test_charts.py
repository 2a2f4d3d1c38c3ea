"""Chart and table builders from tidy tables, checked against numbers computed directly."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from model import data
from viz import charts, explore_charts
from tests.helpers import run


def test_bands_are_mean_and_central_90_percent_of_replicates(tables):
    results, _ = tables
    band = charts.bands(results, "coverage")
    row = band[(band.scenario == "more_agents") & (band.month == "2026-01")].iloc[0]
    values = results.query("scenario == 'more_agents' and month == '2026-01'")["coverage"]
    assert row["mean"] == pytest.approx(values.mean())
    assert row["low"] == pytest.approx(np.quantile(values, 0.05))
    assert row["high"] == pytest.approx(np.quantile(values, 0.95))
    assert (band["low"] <= band["mean"]).all() and (band["mean"] <= band["high"]).all()


def test_coverage_figure_has_a_band_per_scenario_the_target_line_and_target_month(tables):
    results, _ = tables
    fig = charts.coverage_figure(charts.bands(results, "coverage"), 0.5, "2025-12")
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["baseline", "more_agents"]
    assert "target 50%" in labels and "target month 2025-12" in labels
    target = next(line for line in ax.get_lines() if line.get_label() == "target 50%")
    assert target.get_ydata()[0] == 50
    assert len(ax.collections) == 2  # one shaded 90% band per scenario
    months = sorted(results["month"].unique())
    marker = next(line for line in ax.get_lines() if line.get_label().startswith("target month"))
    assert marker.get_xdata()[0] == months.index("2025-12")


def test_channel_totals_sum_to_new_enrollments(tables):
    results, _ = tables
    totals = charts.channel_totals(results)
    expected = results.groupby(["scenario", "replicate"])["new_enrollments"].sum().groupby("scenario").mean()
    assert totals.sum(axis=1).to_dict() == pytest.approx(expected.to_dict())
    assert "perisai" in totals.columns


def test_cumulative_spend_ends_at_the_total(tables):
    results, _ = tables
    spend = charts.cumulative_spend(results)
    last = spend.groupby(["scenario", "replicate"])["spend_idr"].last()
    total = results.groupby(["scenario", "replicate"])["spend_idr"].sum()
    assert last.to_dict() == pytest.approx(total.to_dict())
    assert isinstance(charts.spend_figure(results), Figure)


def test_regency_coverage_is_ranked_and_matches_the_model(tables):
    _, regency = tables
    table = charts.regency_coverage(regency, "2025-12")
    assert len(table) == 17 and list(table.columns) == ["baseline", "more_agents"]
    assert table["baseline"].is_monotonic_decreasing
    direct = np.mean([run(seed=s, horizon="2026-06").regency_table()
                      .query("month == '2025-12' and regency == 'Lahat'")["coverage"].iloc[0]
                      for s in (1, 2, 3)])
    assert table.loc["Lahat", "baseline"] == pytest.approx(direct)
    fig = charts.regency_figure(regency, "2025-12", 0.5)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][0] == table.index[0]


def test_regency_map_places_the_17_regencies_at_their_coordinates(tables):
    _, regency = tables
    places = data.regencies()
    fig = charts.regency_map_figure(regency, places, "2025-12", "baseline")
    offsets = fig.axes[0].collections[0].get_offsets()
    assert len(offsets) == 17
    assert sorted(map(tuple, np.asarray(offsets))) == sorted(zip(places["lon"], places["lat"]))


def test_other_figures_build(tables):
    results, _ = tables
    for fig in (charts.formal_informal_figure(results), charts.channels_figure(results)):
        assert isinstance(fig, Figure) and fig.axes


SUMMARY_COLUMNS = {"scenario": ("Scenario", "{}"), "coverage": ("Coverage", "{:.1%}"),
                   "p_target": ("P(target)", "{:.0%}"), "month_reached": ("Month reached", "{}"),
                   "total_spend_idr": ("Spend", "{:,.0f}"),
                   "cost_per_additional_idr": ("Cost per extra", "{:,.0f}")}


def test_best_value_of_each_column_is_highlighted_missing_values_never_win():
    summary = pd.DataFrame({
        "scenario": ["baseline", "a", "b"],
        "coverage": [0.34, 0.41, 0.39],
        "p_target": [0.0, 0.2, 0.2],
        "month_reached": [None, "2026-03", "2025-11"],
        "total_spend_idr": [1e9, 5e9, 3e9],
        "cost_per_additional_idr": [np.nan, 2e6, 1e6],
    })
    best = charts.best_rows(summary)
    assert best == {"coverage": [1], "p_target": [1, 2], "month_reached": [2],
                    "total_spend_idr": [0], "cost_per_additional_idr": [2]}
    html = charts.summary_html(summary, SUMMARY_COLUMNS)
    assert html.count('class="best"') == 6
    same = charts.best_rows(summary.assign(p_target=0.0, coverage=[0.3, np.nan, np.nan]))
    assert same["p_target"] == [] and same["coverage"] == []
    assert '<td data-column="coverage" class="best">41.0%</td>' in html
    assert '<td data-column="cost_per_additional_idr">–</td>' in html
    assert '<td data-column="month_reached">–</td>' in html  # never reached


def test_explore_status_and_figures_follow_the_live_model():
    model = run(horizon="2025-06")
    status = explore_charts.status(model)
    last = model.results().iloc[-1]
    assert status["Month"] == "2025-06" and status["Coverage"] == f"{last['coverage']:.1%}"
    assert status["Perisai agents active"] == f"{last['perisai_agents_active']:,.0f}"
    fig = explore_charts.regency_now(model.regency_table(), 0.5)
    assert "2025-06" in fig.axes[0].get_title() and len(fig.axes[0].patches) == 17
    for fig in (explore_charts.coverage_so_far(model.results(), 0.5),
                explore_charts.perisai_activity(model.results())):
        assert isinstance(fig, Figure)
