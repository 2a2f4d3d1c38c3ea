"""Pilots in the experiments layer: summary, run output, report chart, and the design helper."""

import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments import cli, pilots, summary
from experiments.executors import SerialExecutor
from experiments.runner import run
from experiments.scenario import load_scenario

runner = CliRunner()


def invoke(*args):
    return runner.invoke(cli.app, list(args))


# ---------------------------------------------------------------- statistics by hand
def pilot_rows(replicate, effects, lows, highs):
    return [{"scenario": "p", "replicate": replicate, "seed": replicate, "month": m,
             "pilot_treated_coverage": 0.2 + e, "pilot_control_coverage": 0.2, "pilot_effect": e,
             "pilot_effect_low": lo, "pilot_effect_high": hi}
            for m, e, lo, hi in zip(["2025-01", "2025-02"], effects, lows, highs, strict=True)]


def test_pilot_summary_by_hand():
    table = pd.DataFrame(pilot_rows(0, [0.0, 0.10], [-0.02, 0.02], [0.02, 0.18])
                         + pilot_rows(1, [0.0, 0.30], [-0.04, -0.10], [0.04, 0.70]))
    out = summary.pilot_summary(table).set_index("month")
    end = out.loc["2025-02"]
    assert end["effect_mean"] == pytest.approx(0.20)
    assert end["treated_mean"] - end["control_mean"] == pytest.approx(0.20)
    assert end["effect_low_mean"] == pytest.approx(-0.04) and end["effect_high_mean"] == pytest.approx(0.44)
    se0, se1 = 0.08 / summary.Z_LEVEL, 0.40 / summary.Z_LEVEL      # half-widths / z_0.95
    assert end["se"] == pytest.approx(math.sqrt((se0**2 + se1**2) / 2))
    assert end["detected_share"] == 0.5                            # only replicate 0 excludes zero
    assert end["mde"] == pytest.approx(2.4865 * end["se"], rel=1e-4)
    assert out.loc["2025-01", "detected_share"] == 0


def test_mde_is_z95_plus_z80_times_the_standard_error():
    assert summary.minimum_detectable_effect(0.01) == pytest.approx((1.6449 + 0.8416) * 0.01, rel=1e-4)


def test_runs_without_a_pilot_give_an_empty_pilot_summary():
    table = pd.DataFrame(pilot_rows(0, [0.1, 0.1], [0, 0], [0.2, 0.2])).assign(pilot_effect=float("nan"))
    assert summary.pilot_summary(table).empty


# ---------------------------------------------------------------- the shipped pilot
def test_the_shipped_pilot_is_40_villages_half_treated_with_a_12_month_full_subsidy():
    scenario = load_scenario("pilot_village_subsidy")
    s = scenario.settings
    assert (s["pilot_unit"], s["pilot_units"], s["pilot_share"]) == ("village", 40, 0.5)
    assert (s["pilot_months"], s["pilot_subsidy_share"]) == (12, 1.0)
    assert scenario.scale == 1.0
    assert pilots.treatment_window(scenario) == ("2025-01", "2025-12")
    assert pilots.treatment_window(load_scenario("baseline")) is None


@pytest.fixture(scope="module")
def pilot_results():
    pilot = load_scenario("pilot_village_subsidy").override(scale=0.05, horizon="2025-06")
    return run([load_scenario("baseline"), pilot], replicates=3, scale=0.05, executor=SerialExecutor(),
               progress=False)


def test_a_subsidy_pilot_shows_a_large_effect_and_a_null_before_treatment(pilot_results):
    out = summary.pilot_summary(pilot_results.table).set_index("month")
    assert set(summary.pilot_summary(pilot_results.table)["scenario"]) == {"pilot_village_subsidy"}
    during = out.loc["2025-06"]
    # The offer passes through registration friction (about 22 points in Banerjee et al. 2021);
    # the old acceptance step gave over 30.
    assert 0.15 < during["effect_mean"] < 0.35 and during["effect_low"] > 0.1 and during["detected_share"] == 1
    before = out.loc["2024-12"]
    assert before["effect_low_mean"] < 0 < before["effect_high_mean"]


def test_run_output_and_report_show_the_pilot(tmp_path):
    result = invoke("run", "pilot_village_subsidy", "-r", "2", "--scale", "0.02", "--horizon", "2025-04",
                    "--workers", "1", "--target-month", "2025-04", "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert "pilot pilot_village_subsidy: treated 2025-01 to 2025-12" in result.output
    assert "MDE (80% power)" in result.output and "2024-12" in result.output
    report = invoke("report", str(tmp_path / "o"), "--target-month", "2025-04")
    assert report.exit_code == 0, report.output
    assert (tmp_path / "o" / "report" / "pilot.png").stat().st_size > 10_000
    csv = pd.read_csv(tmp_path / "o" / "report" / "pilot.csv")
    assert {"treated_mean", "control_mean", "effect_mean", "effect_low_mean", "effect_high_mean",
            "effect_low", "effect_high", "mde"} <= set(csv.columns)


def test_a_run_without_a_pilot_prints_no_pilot_table(tmp_path):
    result = invoke("run", "baseline", "-r", "1", "--scale", "0.003", "--horizon", "2024-10",
                    "--workers", "1", "--target-month", "2024-10")
    assert result.exit_code == 0 and "pilot" not in result.output


# ---------------------------------------------------------------- design
def test_more_villages_give_a_smaller_minimum_detectable_effect():
    table = pilots.design("pilot_village_subsidy", units=[20, 80], durations=[3], replicates=3,
                          scale=0.05, executor=SerialExecutor(), progress=False)
    assert list(table["pilot_units"]) == [20, 80] and set(table["month"]) == {"2025-03"}
    small, large = table.set_index("pilot_units").loc[20], table.set_index("pilot_units").loc[80]
    assert large["mde"] < 0.75 * small["mde"]
    assert (table["effect_mean"] > 0.15).all() and (table["mde"] < table["effect_mean"]).all()


def test_pilot_design_cli_prints_each_design_and_warns_about_scale(tmp_path):
    result = invoke("pilot-design", "pilot_village_subsidy", "--units", "20,40", "--months", "2,3",
                    "-r", "2", "--scale", "0.02", "--workers", "1", "--quiet", "--out", str(tmp_path / "d"))
    assert result.exit_code == 0, result.output
    assert "MDE = (z_0.95 + z_0.80) x SE" in result.output
    lines = [line for line in result.output.splitlines() if line.strip().startswith(("20 ", "40 "))]
    assert len(lines) == 4
    assert "use --scale 1" in result.output


def test_pilot_design_above_the_run_limit_needs_and_takes_yes(tmp_path, monkeypatch):
    """The limit's message says "add --yes": pilot-design takes it (as run and sweep do)."""
    from experiments import limits

    monkeypatch.setattr(limits, "CONFIRM_RUNS", 3)
    args = ["pilot-design", "pilot_village_subsidy", "--units", "20", "--months", "2", "-r", "4",
            "--scale", "0.02", "--workers", "1", "--quiet"]
    refused = invoke(*args)
    assert refused.exit_code == 2 and "add --yes" in refused.output
    assert invoke(*args, "--yes").exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["baseline"], "has no pilot"),
    (["pilot_village_subsidy", "--units", "0,40"], "pilot_units: give whole numbers"),
    (["pilot_village_subsidy", "--months", "6,x"], "--months: give comma-separated whole numbers"),
    (["pilot_village_subsidy", "--months", "200"], "pilot_months: give whole numbers from 1 to 120"),
])
def test_pilot_design_bad_input_exits_2(args, message):
    result = invoke("pilot-design", *args, "--scale", "0.003")
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
