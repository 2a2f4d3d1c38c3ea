"""Sweep files: designs, ranges from the registry, checks, and runs keyed for resume."""

import pytest

from experiments.executors import SerialExecutor
from experiments.sweep import SweepError, load_sweep, parse_sweep, sweep
from model.parameters import PARAMETERS

EXAMPLE = "experiments/examples/perisai_sweep.toml"


def spec(**changes):
    raw = {"name": "s", "scenarios": ["baseline", "market_ecosystem"], "replicates": 2,
           "scale": 0.003, "horizon": "2025-02", "decision_month": "none", "design": "grid",
           "factors": {"stop_rate": {"values": [0.05, 0.09]}, "perisai_agents": {"min": 100, "max": 900, "levels": 3}}}
    raw.update(changes)
    return parse_sweep(raw)


def test_grid_is_every_combination():
    points = spec().points()
    assert len(points) == 6
    assert {(p["stop_rate"], p["perisai_agents"]) for p in points} == \
        {(s, a) for s in (0.05, 0.09) for a in (100.0, 500.0, 900.0)}


@pytest.mark.parametrize("design", ["lhs", "sobol"])
def test_sampled_designs_stay_in_range_and_are_reproducible(design):
    factors = {"take_up_rate": {"min": 0.003, "max": 0.012}, "perisai_visit_capacity": {}}
    s = spec(design=design, samples=8, design_seed=3, factors=factors)
    points = s.points()
    assert len(points) == 8 and points == s.points()
    assert all(0.003 <= p["take_up_rate"] <= 0.012 for p in points)
    low, high = PARAMETERS["perisai_visit_capacity"].bounds        # registry bounds by default
    assert all(low <= p["perisai_visit_capacity"] <= high for p in points)
    assert all(p["perisai_visit_capacity"] == int(p["perisai_visit_capacity"]) for p in points)


def test_latin_hypercube_puts_one_point_in_each_stratum():
    s = spec(design="lhs", samples=10, factors={"stop_rate": {"min": 0.0, "max": 1.0}})
    strata = sorted(int(p["stop_rate"] * 10) for p in s.points())
    assert strata == list(range(10))


def test_a_lever_factor_with_from_becomes_a_window():
    s = spec(factors={"villages_per_month": {"values": [30], "from": "2025-01"}})
    assert s.settings({"villages_per_month": 30}) == {"villages_per_month": [{"value": 30, "from": "2025-01"}]}


@pytest.mark.parametrize("changes, text", [
    ({"factors": {"stop_rat": {"min": 0.1, "max": 0.2}}}, "Did you mean 'stop_rate'"),
    ({"factors": {"stop_rate": {"min": 0.1, "max": 2.0}}}, "within the allowed 0 to 1"),
    ({"factors": {"stop_rate": {"min": 0.3, "max": 0.2}}}, "min < max"),
    ({"factors": {"stop_rate": {"mni": 0.1}}}, "Did you mean 'min'"),
    ({"factors": {"subsidy_eligible": {}}}, "only numeric settings"),
    ({"factors": {"stop_rate": {"min": 0.1, "max": 0.2, "from": "2025-01"}}}, "levers only"),
    ({"design": "sobol", "samples": 10, "factors": {"stop_rate": {}}}, "power of two"),
    ({"design": "lhs", "factors": {"stop_rate": {}}}, "needs the number of samples"),
    ({"design": "lhs", "samples": 4, "factors": {"stop_rate": {"values": [0.1]}}}, "grid designs"),
    ({"design": "halton"}, "design"),
    ({"replicates": 0}, "replicates"),
    ({"desing": "grid"}, "Did you mean 'design'"),
    ({"baseline": "other"}, "not one of the scenarios"),
])
def test_bad_sweeps_name_the_key(changes, text):
    with pytest.raises(SweepError, match=text):
        spec(**changes)


def test_the_shipped_example_is_valid():
    example = load_sweep(EXAMPLE)
    assert example.design == "lhs" and len(example.points()) == example.samples


def test_sweep_runs_each_point_for_each_scenario_and_keeps_the_baselines_levers(tmp_path):
    s = spec(factors={"perisai_agents": {"values": [0, 2000]}, "stop_rate": {"values": [0.05]}})
    results = sweep(s, out=tmp_path, executor=SerialExecutor(), progress=False)
    runs = results.table.groupby(["scenario", "point", "replicate"]).size()
    assert len(runs) == 2 * 2 * 2
    summary = results.summary(target_month="2025-02").set_index(["scenario", "point"])
    base = summary.xs("baseline")
    assert base.loc[0, "coverage_mean"] == base.loc[1, "coverage_mean"]  # levers not applied
    market = summary.xs("market_ecosystem")
    assert market.loc[1, "extra_active_mean"] > market.loc[0, "extra_active_mean"]
    assert {"perisai_agents", "stop_rate"} <= set(summary.columns)
