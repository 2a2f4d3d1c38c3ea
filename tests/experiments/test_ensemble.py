"""The parameter ensemble, replicates that carry seed r and draw r, the split of intervals into
chance and parameter parts, and the ranking of what drives a policy's effect."""

import numpy as np
import pandas as pd
import pytest

from experiments import draws as stored, ensemble, summary
from experiments.runner import ExperimentError, plan, replicate_seeds
from experiments.scenario import load_scenario
from model.parameters import COSTS, PARAMETERS, UNCERTAIN


# ---------------------------------------------------------------- importance sampling
def test_equal_losses_give_full_effective_sample_size():
    w = ensemble.weights(np.zeros(10))
    assert ensemble.effective_sample_size(w) == pytest.approx(10)


def test_one_good_point_dominates_and_is_resampled():
    w = ensemble.weights(np.array([0.0, 40.0, 40.0, 40.0]))
    assert ensemble.effective_sample_size(w) == pytest.approx(1, abs=1e-6)
    assert set(ensemble.resample(w, 8, seed=1)) == {0}


def test_resampling_follows_the_weights():
    w = np.array([0.75, 0.25])
    picked = ensemble.resample(w, 100, seed=3)
    assert (picked == 0).sum() == 75


def test_every_uncertain_parameter_and_cost_has_a_prior_inside_its_bounds():
    from experiments.calibration import load_targets

    ranges = ensemble.prior_ranges(load_targets())
    assert set(ranges) == set(UNCERTAIN) | set(COSTS)
    for name, (low, high) in ranges.items():
        lo, hi = PARAMETERS[name].bounds
        assert lo <= low < high <= hi, name


def test_the_stored_ensemble_covers_every_parameter_within_its_prior():
    from experiments.calibration import load_targets

    draws, info = stored.draws(), stored.diagnostics()
    ranges = ensemble.prior_ranges(load_targets())
    assert set(draws.columns) == {"draw", *ranges}
    for name, (low, high) in ranges.items():
        assert draws[name].between(low, high).all(), name
    assert 1 <= info["effective_sample_size"] <= info["proposals"]
    assert set(info["targets"]) and all(0 <= t["met_posterior"] <= 1 for t in info["targets"].values())


def test_a_missing_ensemble_is_a_clear_error(tmp_path):
    with pytest.raises(stored.EnsembleError, match="cakupan ensemble"):
        stored.draws(tmp_path / "none.csv")


def test_the_build_resumes_without_rerunning_finished_runs(tmp_path):
    first, info = ensemble.build(proposals=2, keep=2, scale=0.002, folder=tmp_path)
    log = (tmp_path / "runs.jsonl").read_text().splitlines()
    again, _ = ensemble.build(proposals=2, keep=2, scale=0.002, folder=tmp_path)
    assert (tmp_path / "runs.jsonl").read_text().splitlines() == log
    pd.testing.assert_frame_equal(first, again)
    assert info["proposals"] == 2 and len(first) == 2


# ---------------------------------------------------------------- replicates carry both
def scenarios():
    return [load_scenario("baseline"), load_scenario("regional_plan")]


def test_replicate_r_uses_seed_r_and_draw_r_in_every_scenario():
    specs = plan(scenarios(), 3, seed=1, uncertainty="both")
    seeds = replicate_seeds(1, 3)
    for spec in specs:
        assert spec.seed == seeds[spec.replicate] and spec.draw == spec.replicate
        drawn = stored.draw_values(spec.replicate)
        assert spec.kwargs["stop_rate"] == drawn["stop_rate"]
        assert spec.kwargs["village_monthly_cost_idr"] == drawn["village_monthly_cost_idr"]


def test_chance_keeps_the_calibrated_values_and_parameters_keeps_one_seed():
    chance = plan(scenarios(), 3, seed=1, uncertainty="chance")
    assert {s.kwargs.get("stop_rate") for s in chance} == {None}   # the model's calibrated default
    params = plan(scenarios(), 3, seed=1, uncertainty="parameters")
    assert len({s.seed for s in params}) == 1 and len({s.kwargs["stop_rate"] for s in params}) == 3


def test_a_value_the_scenario_sets_is_not_replaced_by_a_draw():
    scenario = load_scenario("baseline").with_settings(stop_rate=0.05)
    assert {s.kwargs["stop_rate"] for s in plan([scenario], 4, 1, uncertainty="both")} == {0.05}


def test_an_unknown_uncertainty_names_the_allowed_values():
    with pytest.raises(ExperimentError, match="chance, parameters, both"):
        plan(scenarios(), 2, 1, uncertainty="everything")


# ---------------------------------------------------------------- the split
def runs(scenario, coverages, month="2027-12"):       # the default target month
    return pd.DataFrame({"scenario": scenario, "replicate": range(len(coverages)), "seed": range(len(coverages)),
                         "month": month, "coverage": coverages, "active": [1000 * c for c in coverages],
                         "spend_idr": 0.0})


def test_the_parameter_part_is_the_variance_left_after_chance():
    both = pd.concat([runs("baseline", [0.30, 0.34, 0.38, 0.42]), runs("plan", [0.40, 0.44, 0.48, 0.52])])
    chance = pd.concat([runs("baseline", [0.35, 0.37, 0.35, 0.37]), runs("plan", [0.45, 0.47, 0.45, 0.47])])
    base = summary.scenario_summary(both)
    out = summary.split(base, both, chance, "both").set_index("scenario")
    z = 1.6448536269514722
    total, c = np.var([0.30, 0.34, 0.38, 0.42], ddof=1), np.var([0.35, 0.37, 0.35, 0.37], ddof=1)
    assert out.loc["plan", "coverage_chance_pm"] == pytest.approx(z * np.sqrt(c))
    assert out.loc["plan", "coverage_parameter_pm"] == pytest.approx(z * np.sqrt(total - c))
    only_chance = summary.split(base, both, chance, "chance").set_index("scenario")
    assert np.isnan(only_chance.loc["plan", "coverage_parameter_pm"])


# ---------------------------------------------------------------- drivers
def test_the_parameter_that_moves_the_effect_ranks_first():
    strength = np.array([0.1, 0.5, 0.2, 0.9, 0.3, 0.7])
    noise = np.array([0.4, 0.1, 0.9, 0.3, 0.6, 0.2])
    table = pd.concat([runs("baseline", [0.3] * 6), runs("plan", list(0.3 + 0.1 * strength))])
    draws = pd.DataFrame({"draw": range(6), "strength": strength, "noise": noise, "fixed": 1.0})
    ranked = summary.drivers(table, draws)
    assert list(ranked["parameter"]) == ["strength", "noise"]
    assert ranked.iloc[0]["spearman"] == pytest.approx(1.0)


def test_an_interrupted_calibration_resumes_from_its_stored_runs(tmp_path):
    from experiments import calibration

    spec = calibration.load_targets(scale=0.002, replicates=1, initial_points=1, max_evaluations=2,
                                    profile_points=0)
    first = calibration.calibrate(spec, folder=tmp_path)
    log = (tmp_path / "runs.jsonl").read_text().splitlines()
    again = calibration.calibrate(spec, folder=tmp_path)
    assert (tmp_path / "runs.jsonl").read_text().splitlines() == log   # nothing run twice
    assert again.best.values == first.best.values and again.loss == first.loss
