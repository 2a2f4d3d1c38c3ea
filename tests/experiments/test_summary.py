"""Summary statistics against values computed by hand on a small table."""

import math

import pandas as pd
import pytest

from experiments import summary

MONTHS = ["2024-08", "2024-09", "2024-10"]


def rows(scenario, replicate, seed, coverage, active, spend):
    return [{"scenario": scenario, "replicate": replicate, "seed": seed, "month": m,
             "coverage": c, "active": a, "spend_idr": s}
            for m, c, a, s in zip(MONTHS, coverage, active, spend, strict=True)]


@pytest.fixture
def table():
    return pd.DataFrame(
        rows("baseline", 0, 11, [.30, .40, .55], [300, 400, 550], [0, 10, 10])
        + rows("baseline", 1, 22, [.30, .35, .45], [300, 350, 450], [0, 10, 10])
        + rows("plan", 0, 11, [.30, .52, .60], [300, 520, 600], [0, 30, 30])
        + rows("plan", 1, 22, [.30, .45, .51], [300, 450, 510], [0, 30, 30])
        + rows("worse", 0, 11, [.30, .40, .40], [300, 400, 400], [0, 15, 15])
        + rows("worse", 1, 22, [.30, .30, .30], [300, 300, 300], [0, 15, 15]))


def result(table, **kwargs):
    out = summary.scenario_summary(table, target_month="2024-09", target=0.5, **kwargs)
    return out.set_index("scenario")


def test_coverage_mean_and_interval_at_the_target_month(table):
    plan = result(table).loc["plan"]
    assert plan["coverage_mean"] == pytest.approx(0.485)
    assert plan["coverage_low"] == pytest.approx(0.45 + 0.05 * 0.07)   # linear quantiles
    assert plan["coverage_high"] == pytest.approx(0.45 + 0.95 * 0.07)


def test_probability_and_month_of_reaching_the_target(table):
    out = result(table)
    assert out.loc["plan", "p_target"] == 0.5            # replicate 0 by 2024-09, 1 only later
    assert out.loc["baseline", "p_target"] == 0.0
    assert out.loc["plan", "median_month_reached"] == "2024-09"
    assert out.loc["baseline", "median_month_reached"] == "2024-10"   # half reached it by then
    assert out.loc["worse", "median_month_reached"] is None


def test_first_reached_per_replicate(table):
    first = summary.first_reached(table, 0.5)
    assert first[("baseline", 0)] == "2024-10" and first[("baseline", 1)] is None
    assert first[("plan", 0)] == "2024-09" and first[("plan", 1)] == "2024-10"


def test_spend_is_summed_through_the_target_month(table):
    assert result(table).loc["plan", "spend_idr_mean"] == 30
    assert result(table).loc["baseline", "spend_idr_mean"] == 10


def test_cost_per_additional_participant_is_paired_by_replicate(table):
    per = summary.per_replicate(table, "2024-09", 0.5).set_index(["scenario", "replicate"])
    assert per.loc[("plan", 0), "extra_active"] == 120 and per.loc[("plan", 1), "extra_active"] == 100
    assert per.loc[("plan", 0), "cost_per_additional_idr"] == pytest.approx(20 / 120)
    assert per.loc[("plan", 1), "cost_per_additional_idr"] == pytest.approx(20 / 100)
    plan = result(table).loc["plan"]
    assert plan["extra_active_mean"] == 110
    assert plan["cost_per_additional_idr"] == pytest.approx(20 / 110)  # ratio of the means
    assert plan["replicates_without_gain"] == 0


def test_cost_is_undefined_without_a_gain(table):
    worse = result(table).loc["worse"]
    per = summary.per_replicate(table, "2024-09", 0.5).set_index(["scenario", "replicate"])
    assert per.loc[("worse", 0), "extra_active"] == 0 and per.loc[("worse", 1), "extra_active"] == -50
    assert math.isnan(per.loc[("worse", 0), "cost_per_additional_idr"])
    assert math.isnan(worse["cost_per_additional_idr"])
    assert worse["replicates_without_gain"] == 2


def test_no_baseline_means_no_cost(table):
    out = result(table[table["scenario"] != "baseline"])
    assert out["cost_per_additional_idr"].isna().all()


def test_unpaired_seeds_are_refused(table):
    table.loc[(table["scenario"] == "plan") & (table["replicate"] == 1), "seed"] = 99
    with pytest.raises(ValueError, match="not paired"):
        result(table)


def test_bands_per_month(table):
    bands = summary.bands(table, ["coverage"]).set_index(["scenario", "month", "output"])
    row = bands.loc[("baseline", "2024-10", "coverage")]
    assert row["mean"] == pytest.approx(0.50)
    assert row["low"] == pytest.approx(0.455) and row["high"] == pytest.approx(0.545)


def test_target_month_after_the_horizon_gives_missing_coverage(table):
    out = summary.scenario_summary(table, target_month="2025-12", target=0.5).set_index("scenario")
    assert out["coverage_mean"].isna().all()
