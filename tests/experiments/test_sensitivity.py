"""Sensitivity analysis (SALib) on cheap run sets: finite indices with CIs, zero for a factor the
output ignores, the default spec, resuming, and the CLI end to end."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments import cli
from experiments import sensitivity as sa
from experiments.executors import SerialExecutor

runner = CliRunner()
# A take-up parameter, a lever of the policy only, and a cost that cannot change coverage. (The
# lever is one no capacity limits: at scale 0.003 over 7 months the Perisai hiring capacity caps
# any agent target above the status quo alike.)
FACTORS = {"take_up_rate": (0.003, 0.012), "campaign_reach_per_month": (100_000, 400_000),
           "village_monthly_cost_idr": (500_000, 2_000_000)}
TINY = {"scale": 0.003, "replicates": 1, "horizon": "2025-03", "decision_month": "none"}  # levers from month 0


def analysed(method, samples, out=None):
    spec = sa.load_spec(None, method, samples, FACTORS, **TINY)
    return sa.sensitivity(spec, out, SerialExecutor(), progress=False, target_month="2025-03")


@pytest.fixture(scope="module")
def sobol():
    return analysed("sobol", 8)


@pytest.fixture(scope="module")
def morris():
    return analysed("morris", 4)


def indices(result, output):
    return result.indices[result.indices["output"] == output].set_index("factor")


def test_sobol_indices_are_finite_with_confidence_intervals(sobol):
    assert not sobol.notes
    assert len(sobol.results.manifest["design"]["points"]) == 8 * (3 + 2)
    for output in ("coverage", "cost_per_additional_idr"):
        table = indices(sobol, output)
        assert np.isfinite(table[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy()).all()
        assert (table["ST_conf"] > 0).any()


def test_a_cost_has_zero_sobol_total_index_for_coverage_but_not_for_cost(sobol):
    coverage = indices(sobol, "coverage")
    assert coverage.loc["village_monthly_cost_idr", "ST"] == pytest.approx(0, abs=1e-12)
    assert coverage.loc["take_up_rate", "ST"] > 0.05
    cost = indices(sobol, "cost_per_additional_idr")
    assert cost.loc["campaign_reach_per_month", "ST"] > 0.05


def test_morris_mu_star_and_sigma_have_intervals_and_zero_for_an_ignored_factor(morris):
    coverage = indices(morris, "coverage")
    assert np.isfinite(coverage[["mu", "mu_star", "mu_star_conf", "sigma", "sigma_low", "sigma_high"]].to_numpy()).all()
    assert coverage.loc["village_monthly_cost_idr", "mu_star"] == 0
    assert coverage.loc["village_monthly_cost_idr", "sigma"] == 0
    assert coverage.loc["take_up_rate", "mu_star"] > 0.005     # share of workers over the range
    assert (coverage["sigma_low"] <= coverage["sigma"] + 1e-12).all()
    assert (coverage["sigma"] <= coverage["sigma_high"] + 1e-12).all()
    assert indices(morris, "cost_per_additional_idr").loc["village_monthly_cost_idr", "mu_star"] > 0


def test_the_baseline_keeps_its_levers_but_takes_the_uncertain_parameters(morris):
    table = morris.results.table
    base = table[(table["scenario"] == "baseline") & (table["month"] == "2025-03")]
    assert base["perisai_agents_active"].nunique() <= 2       # status quo agents, whatever the point
    assert base["coverage"].nunique() > 2                      # take_up_rate varies it


def test_the_shipped_default_spec_is_a_sobol_design_of_the_regional_plan():
    spec = sa.load_spec()
    assert spec.design == "saltelli" and sa.policy(spec) == "regional_plan"
    assert spec.samples & (spec.samples - 1) == 0
    assert len(spec.points()) == spec.samples * (len(spec.factors) + 2)
    assert "village_monthly_cost_idr" in spec.factors
    for name, (low, high) in spec.ranges().items():
        assert low < high, name


def test_a_new_factor_without_a_range_varies_half_either_side_of_its_default():
    spec = sa.load_spec(None, "morris", 2, {"campaign_effect": (None, None), "take_up_rate": (0.003, 0.01)})
    from model.parameters import PARAMETERS

    default = PARAMETERS["campaign_effect"].default           # not in the shipped spec
    assert spec.ranges()["campaign_effect"] == pytest.approx((default * 0.5, default * 1.5))


def test_rerunning_into_the_same_folder_resumes(tmp_path):
    first = analysed("morris", 2, tmp_path / "sa")
    again = analysed("morris", 2, tmp_path / "sa")
    session = again.results.manifest["sessions"][-1]
    assert session["runs_skipped"] == session["runs_planned"] > 0 and session["runs_done"] == 0
    pd.testing.assert_frame_equal(first.indices, again.indices)


@pytest.mark.parametrize("args, message", [
    (["--factor", "stop_rat=0.01:0.1", "--factor", "take_up_rate"], "Did you mean 'stop_rate'"),
    (["--factor", "stop_rate=0.2:0.1", "--factor", "take_up_rate"],
     "factors.stop_rate: range [0.2, 0.1] must have min < max"),
    (["--factor", "stop_rate=0.01:2", "--factor", "take_up_rate"], "within the allowed 0 to 1"),
    (["--factor", "stop_rate=0.1", "--factor", "take_up_rate"], "NAME=MIN:MAX"),
    (["--factor", "stop_rate"], "at least two factors"),
    (["--method", "fast"], "unknown method 'fast'; allowed: sobol, morris"),
    (["--method", "sobol", "--samples", "10"], "power of two"),
    (["--scenario", "regional_plna"], "Did you mean 'regional_plan'"),
])
def test_bad_sensitivity_input_exits_2_naming_the_field(tmp_path, args, message):
    result = runner.invoke(cli.app, ["sensitivity", "--out", str(tmp_path / "o"), "--scale", "0.003", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_a_sweep_file_with_a_plain_design_is_not_a_sensitivity_spec(tmp_path):
    from experiments.layout import ROOT

    result = runner.invoke(cli.app, ["sensitivity", str(ROOT / "experiments/examples/perisai_sweep.toml"),
                                     "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "design = 'saltelli' or 'morris'" in result.output


def test_cakupan_sensitivity_runs_end_to_end_on_a_tiny_design(tmp_path):
    result = runner.invoke(cli.app, [
        "sensitivity", "--out", str(tmp_path / "sa"), "--method", "morris", "--samples", "2",
        "--factor", "take_up_rate=0.003:0.012", "--factor", "village_monthly_cost_idr",
        "-r", "1", "--scale", "0.003", "--target-month", "2025-03", "--decision-month", "none", "--workers", "1",
        "--quiet"])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(tmp_path / "sa" / "sensitivity" / "indices.csv")
    assert set(written["factor"]) == {"take_up_rate", "village_monthly_cost_idr"}
    assert set(written["output"]) == {"coverage", "cost_per_additional_idr"}
    assert (tmp_path / "sa" / "sensitivity" / "sensitivity.png").stat().st_size > 10_000
    assert "mu_star" in result.output
