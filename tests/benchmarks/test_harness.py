"""The benchmark harness measures what it says, and the plan it runs means the regional plan."""

import json

import numpy as np
import pytest

from benchmarks import floor, report
from benchmarks.measure import measure, measure_kanwil
from benchmarks.plan import REGIONAL_PLAN
from benchmarks.sweep import sweep
from model import EnrollmentModel
from model.streams import Streams

TINY = dict(scale=0.002, data_set="office-2024-08", seed=1)


def test_the_benchmarked_plan_is_the_library_plan():
    """The benchmarks run the built-in regional plan itself: the history to 2027-01, then the plan."""
    from experiments.scenario import load_scenario
    kwargs = load_scenario("regional_plan").model_kwargs()
    assert REGIONAL_PLAN == {k: v for k, v in kwargs.items()
                             if k not in ("scale", "seed", "data_set", "horizon")}
    model = EnrollmentModel(horizon="2026-03", **TINY, **REGIONAL_PLAN)
    budget = model.lever_values["subsidy_budget_idr"]
    at = {month: dict(zip(model.regency_names, budget[t], strict=True))
          for t, month in enumerate(model.month_labels)}
    assert at["2024-12"]["Musi Banyuasin"] == pytest.approx(2.2176e9)        # status quo
    october = at["2025-10"]
    assert (october["OKU Timur"], october["Musi Banyuasin"], october["Muara Enim"]) == \
        (1.6e9, 9.072e9, 1.34946e9)
    assert october["Lahat"] == pytest.approx(4.35456e9)                     # kept from the status quo
    # the history's OKI: 76,000 from Sep 2025 for 12 months, 8 of them in 2026 (the plan's own
    # budgets act from the decision month, 2027-01, after this run)
    assert at["2026-01"]["Muara Enim"] == 0 and at["2026-01"]["Ogan Komering Ilir"] == 76_000 * 16_800 * 8


@pytest.mark.parametrize("kind, settings", [("model", "regional_plan"),
                                            ("reference", "reference_rules")])
def test_a_measurement_reports_consistent_figures(kind, settings):
    result = measure({"kind": kind, "settings": settings, **TINY})
    assert result["months"] == 76 and result["workers"] > 0
    assert result["worker_months_per_s"] == pytest.approx(
        result["workers"] * result["months"] / result["run_s"])
    assert result["total_s"] == pytest.approx(result["build_s"] + result["run_s"])
    assert result["peak_rss_gb"] >= (result["rss_after_imports_gb"] or 0) > 0
    if kind == "reference":            # the reference holds the informal workers only
        assert result["workers"] == result["informal_workers"]


@pytest.mark.parametrize("clock", ["wall", "cpu"])
def test_the_floor_runs_beside_the_model_on_its_population(clock):
    result = measure({"kind": "model", "settings": "regional_plan", "floor": True, "clock": clock, **TINY})
    assert result["floor_s"] > 0
    assert result["floor_ratio"] == pytest.approx(result["floor_s"] / result["run_s"])


@pytest.mark.parametrize("n", [0, 1, 5, 32_768, 70_001])       # empty, one, and across its blocks
def test_the_floors_numpy_hash_draws_the_models_numbers(n):
    streams = Streams(11)
    ids = np.arange(3, 3 + 2 * n, 2)
    assert np.array_equal(floor.uniform(streams, "take_up", 9, ids), streams.uniform("take_up", 9, ids))
    if n:
        assert not np.array_equal(floor.uniform(streams, "take_up", 10, ids), streams.uniform("take_up", 9, ids))


def test_the_kanwil_measurement_runs_the_three_provinces():
    result = measure_kanwil({"kind": "kanwil", "settings": "regional_plan", "scale": 0.002,
                             "seed": 1, "floor": True})
    single = measure({"kind": "model", "settings": "regional_plan", "scale": 0.002, "seed": 1,
                      "data_set": None})
    assert result["workers"] > single["workers"]      # South Sumatra and two more provinces
    assert 70 < result["months"] < 76                 # Bengkulu starts four months later
    assert result["worker_months_per_s"] == pytest.approx(
        result["workers"] * result["months"] / result["run_s"])
    assert result["floor_ratio"] == pytest.approx(result["floor_s"] / result["run_s"])


def test_sweep_counts_every_run_and_its_overhead():
    result = sweep(runs=4, scale=0.002, workers=2, serial_runs=1)
    assert result["runs"] == 4
    assert result["runs_per_minute"] == pytest.approx(60 * 4 / result["wall_s"])
    assert result["executor_overhead"] < 1


def test_compare_prints_old_and_new_figures(tmp_path, capsys):
    row = {"data_set": "article", "scale": 1.0, "total_s": 10.0, "build_s": 1.0,
           "peak_rss_gb": 0.6}
    old = {"machine": {"date": "then", "commit": "abc"}, "runs": [{**row, "total_s": 20.0}],
           "reference": {"ratio": 26.0, "model": {"scale": 0.25}},
           "sweep": {"runs": 200, "scale": 0.01, "runs_per_minute": 400}}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    report.compare({"runs": [row], "reference": {"ratio": 57.0, "model": {"scale": 0.25}},
                    "sweep": {"runs": 20, "scale": 0.01, "runs_per_minute": 300}}, str(path))
    out = capsys.readouterr().out
    assert "20.00 -> " in out and "(x2.00)" in out and "26x -> 57x" in out
    assert "sweep: not compared" in out        # 20 runs now, 200 then
    assert np.isfinite(report.machine()["cores"])
