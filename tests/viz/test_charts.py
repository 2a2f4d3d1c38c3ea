"""Chart and table builders from tidy tables, checked against numbers computed directly."""

import numpy as np
import pandas as pd
import pytest
from experiments import figures, observed
from model import data
from viz import backend, charts, explore_charts
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


def mean_lines(fig):
    """The coloured series' mean lines (the traces that show a legend entry and hover text)."""
    return [t for t in fig.data if t.meta and "series" in t.meta]


def test_coverage_figure_has_a_band_per_scenario_the_target_line_and_target_month(tables):
    results, _ = tables
    colours = charts.series_colours(["baseline", "more_agents"])
    band = charts.bands(results, "coverage")
    fig = charts.coverage_figure(band, colours, 0.5, "2025-12")
    lines = mean_lines(fig)
    assert [t.name for t in lines] == ["baseline", "more_agents"]
    assert sum(t.fill == "tonexty" for t in fig.data) == 2  # one shaded 90% band per scenario
    rows = band[band.scenario == "more_agents"]
    assert np.allclose(lines[1].y, 100 * rows["mean"])
    assert [s.y0 for s in fig.layout.shapes if s.line.dash == "dash"] == [50]  # the target
    months = sorted(results["month"].unique())
    assert [s.x0 for s in fig.layout.shapes if s.line.dash == "dot"] == [months.index("2025-12")]
    # the hover text of the target month says the value as the summary table writes it
    at = list(rows["month"]).index("2025-12")
    mean = rows["mean"].iloc[at]
    assert f"more_agents, Dec 2025: {mean:.1%} (90% of replicates:" in lines[1].text[at]


def test_a_scenario_has_one_colour_in_every_chart_and_the_table_baseline_grey(tables):
    results, regency = tables
    order = ["more_agents", "baseline"]  # the planner's order, not alphabetical
    colours = charts.series_colours(order)
    assert colours["baseline"] == figures.BASELINE_COLOUR and colours["more_agents"] == figures.SCENARIO_COLOURS[0]
    ordered = backend.order_rows(results, order)
    built = [charts.coverage_figure(charts.bands(ordered, "coverage"), colours, 0.5, "2025-12"),
             charts.formal_informal_figure(ordered, colours), charts.spend_figure(ordered, colours)]
    for fig in built:
        seen = {t.name: t.line.color for t in mean_lines(fig)}
        assert seen == colours, fig.layout.title.text
    assert [t.name for t in mean_lines(built[2])][:2] == order  # spend keeps the order too
    bars = charts.channels_figure(ordered, colours)
    assert {t.name: t.marker.color for t in bars.data} == colours
    dots = charts.regency_figure(backend.order_rows(regency, order), "2025-12", 0.5, colours)
    assert {t.name: t.marker.color for t in dots.data if t.mode == "markers"} == colours
    table = charts.summary_html(pd.DataFrame({"scenario": order, "coverage": [0.4, 0.3]}),
                                {"scenario": ("Scenario", "{}"), "coverage": ("Coverage", "{:.1%}")},
                                colours=colours)
    assert f'data-colour="{colours["more_agents"]}"' in table and f'data-colour="{figures.BASELINE_COLOUR}"' in table


def test_more_series_than_colours_keep_every_series_with_best_and_worst_highlighted():
    names = ["baseline"] + [f"s{i}" for i in range(15)]
    assert charts.series_colours(names) == {"baseline": figures.BASELINE_COLOUR}  # no colour repeats
    coverage = pd.Series(np.linspace(0.3, 0.45, 16), index=names)
    colours = figures.highlight_colours(coverage)
    assert colours == {"s14": figures.BEST_COLOUR, "s0": figures.WORST_COLOUR, "baseline": figures.BASELINE_COLOUR}
    months = ["2025-01", "2025-02"]
    band = pd.DataFrame([{"scenario": n, "month": m, "mean": v, "low": v, "high": v}
                         for n, v in coverage.items() for m in months])
    fig = charts.coverage_figure(band, colours, 0.5, "2025-12")
    drawn = {t.name for t in fig.data if t.hovertemplate}
    assert drawn == set(names)  # all 16 series, none dropped
    assert any(t.name == "13 other series (grey)" for t in fig.data)


def test_charts_speak_the_chosen_language(tables):
    results, regency = tables
    colours = charts.series_colours(["baseline", "more_agents"])
    fig = charts.spend_figure(results, colours, lang="id")
    assert fig.layout.title.text.startswith("Belanja dari waktu ke waktu")
    text = mean_lines(fig)[0].text[-1]
    assert "Rp " in text and (" miliar" in text or " juta" in text) and "Jun 2026" in text
    fig = charts.regency_figure(regency, "2025-12", 0.5, colours, lang="id")
    assert fig.layout.title.text == "Cakupan per kabupaten/kota, Des 2025"
    assert "Kota Palembang" in fig.data[-1].y  # regencies named as everywhere else


def test_scenario_names_are_text_in_charts_and_table():
    band = pd.DataFrame({"scenario": ["<b onmouseover=x>a</b>"] * 2, "month": ["2025-01", "2025-02"],
                         "mean": 0.3, "low": 0.2, "high": 0.4})
    fig = charts.coverage_figure(band, {"<b onmouseover=x>a</b>": "#0072B2"}, 0.5, "2025-12")
    assert all("<b" not in (t.name or "") and "<b" not in "".join(t.text or []) for t in fig.data)
    table = charts.summary_html(band.head(1), {"scenario": ("Scenario", "{}")},
                                colours={band.scenario[0]: "red;background:url(x)"})
    assert "<b onmouseover" not in table and "url(x)" not in table


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


def test_regency_coverage_is_ranked_and_matches_the_model(tables):
    _, regency = tables
    table = charts.regency_coverage(regency, "2025-12")
    assert len(table) == 17 and list(table.columns) == ["baseline", "more_agents"]
    assert table["baseline"].is_monotonic_decreasing
    direct = np.mean([run(seed=s, horizon="2026-06").regency_table()
                      .query("month == '2025-12' and regency == 'Lahat'")["coverage"].iloc[0]
                      for s in (1, 2, 3)])
    assert table.loc["Lahat", "baseline"] == pytest.approx(direct)
    fig = charts.regency_figure(regency, "2025-12", 0.5, charts.series_colours(table.columns))
    assert fig.data[-1].y[-1] == table.index[0]  # the highest at the top


def test_regency_map_names_the_17_regencies_at_their_outlines(tables):
    _, regency = tables
    places = data.regencies()
    shapes = charts.outlines()
    fig = charts.regency_choropleth_figure(regency, places, shapes, "2025-12", "baseline")
    points = fig.data[-1]
    assert sorted(zip(points.x, points.y, strict=True)) == sorted(o.centroid for o in shapes)
    assert points.mode == "markers+text" and sorted(points.text) == sorted(places["regency"])  # named
    assert "Kota Palembang: " in points.customdata[list(points.text).index("Kota Palembang")]  # value on hover


def test_map_names_cover_no_other_name_or_dot():
    """Dots close together (Palembang and Banyuasin) get their names on different sides."""
    x, y, names, sizes = [0, 30, 200, 230], [0, 0, 0, 10], ["Kota Palembang", "Banyuasin", "Lahat", "Empat Lawang"], \
        [50, 20, 12, 12]
    where = figures.label_places(x, y, names, sizes)
    boxes = [figures._label_box(p, xi, yi, s / 2 + 2, 6 * len(n), 12)
             for p, xi, yi, s, n in zip(where, x, y, sizes, names, strict=True)]
    dots = [(xi - s / 2, yi - s / 2, xi + s / 2, yi + s / 2) for xi, yi, s in zip(x, y, sizes, strict=True)]
    for i, box in enumerate(boxes):
        assert all(figures._overlap(box, other) == 0 for other in boxes[:i] + boxes[i + 1:] + dots), where
    assert where[0] != where[1] or where[0] in ("top center", "bottom center")


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
    last = model.results().iloc[-1]
    status = explore_charts.status(model)
    assert status["Month"] == "Jun 2025" and status["Coverage"] == f"{last['coverage']:.1%}"
    assert status["Perisai agents active"] == f"{last['perisai_agents_active']:,.0f}"
    status = explore_charts.status(model, "id")
    assert status["Bulan"] == "Jun 2025" and status["Cakupan"] == f"{last['coverage']:.1%}".replace(".", ",")
    fig = explore_charts.regency_now(model.regency_table(), 0.5)
    assert "Jun 2025" in fig.layout.title.text and len(fig.data[0].y) == 17
    assert "Kota Palembang" in fig.data[0].y
    perisai = explore_charts.perisai_activity(model.results())
    assert perisai.layout.yaxis.range[0] == 0 and perisai.layout.yaxis2.range[0] == 0  # axes from zero
    assert perisai.layout.yaxis.range[1] >= last["perisai_agents_active"]
    coverage = explore_charts.coverage_so_far(model.results(), 0.5)
    assert [t.name for t in coverage.data] == ["total", "formal", "informal"]
    assert coverage.layout.yaxis.range[0] == 0
    with_points = explore_charts.coverage_so_far(model.results(), 0.5, observed=observed.points("sumsel"),
                                                 decision_month="2027-01")
    points = with_points.data[-1]
    assert points.name == "Observed (source in hover)" and list(points.x) == ["Aug 2024", "Sep 2024", "Apr 2025"]
    assert "RMOL" in points.text[-1]
    assert not any(a.text == "Decision month" for a in with_points.layout.annotations)   # not reached by Jun 2025
