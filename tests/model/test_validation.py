"""Sanity properties any planner would expect, over replicates, and the Bass-diffusion limit."""

import numpy as np
import pytest

from model import EnrollmentModel
from tests.helpers import run

SEEDS = (1, 2, 3, 4)
ALL_LEVERS_ZERO = dict(villages_per_month=0, perisai_agents=0, firms_per_month=0,
                       inspections_per_month=0, campaign_reach_per_month=0, subsidy_budget_idr=0,
                       palm_subsidy_budget_idr=0, digital_payment_share=0, registration_assistance=0)


def mean_coverage(month, **settings):
    return np.mean([run(seed=s, **settings).results().set_index("month").loc[month, "coverage"]
                    for s in SEEDS])


@pytest.mark.parametrize("lever, levels", [
    ("perisai_agents", [0, 300, 1500, 4000]),
    ("subsidy_budget_idr", [0, 10e9, 50e9, 150e9]),
    ("villages_per_month", [0, 20, 60, 200]),
])
@pytest.mark.parametrize("month", ["2025-12", "2030-12"])
def test_more_of_a_lever_never_lowers_mean_coverage(lever, levels, month):
    means = [mean_coverage(month, **{lever: level}) for level in levels]
    assert all(b >= a for a, b in zip(means[:-1], means[1:], strict=True)), means
    assert means[-1] > means[0]


def test_with_every_lever_at_zero_coverage_changes_only_slowly():
    for seed in SEEDS[:2]:
        coverage = run(seed=seed, **ALL_LEVERS_ZERO).results()["coverage"].to_numpy()
        assert np.abs(np.diff(coverage)).max() < 0.03      # the largest step: subsidies ending
        assert np.abs(coverage[12:] - coverage[:-12]).max() < 0.06


def test_a_pilot_without_treatment_shows_no_effect():
    covered, effects = 0, []
    for seed in range(10):
        row = run(scale=0.02, seed=seed, horizon="2025-08", pilot_unit="village",
                  pilot_units=400).results().iloc[-1]
        covered += row["pilot_effect_low"] <= 0 <= row["pilot_effect_high"]
        effects.append(row["pilot_effect"])
    assert covered >= 7                                     # a 90% interval: about 9 of 10
    assert abs(np.mean(effects)) < 2 * np.std(effects) / np.sqrt(len(effects)) + 0.005


def test_a_subsidy_pilot_shows_an_effect_that_outlasts_it_in_part():
    frames = [run(scale=0.02, seed=seed, horizon="2026-08", pilot_unit="village", pilot_units=400,
                  pilot_subsidy_share=1.0, pilot_months=12).results().set_index("month") for seed in (1, 2, 3)]
    during, after = frames[0].loc["2025-06"], frames[0].loc["2026-06"]
    # An offer passes through registration friction (Banerjee et al. 2021: about 22 points), far
    # below the 65 points the old acceptance step gave.
    assert 0.1 < during["pilot_effect_low"] and during["pilot_effect_high"] < 0.4
    assert 0 < after["pilot_effect"]
    # The share of the effect left a year later, over three seeds: one village pilot's share moves
    # from about 0.05 to 0.36 between seeds (400 villages at scale 0.02; 0.34, 0.22 and 0.19 for
    # seeds 1-3 with the Dec 2026 fit), so a single seed cannot hold it under a bound.
    share = (sum(f.loc["2026-06", "pilot_effect"] for f in frames)
             / sum(f.loc["2025-06", "pilot_effect"] for f in frames))
    assert 0 < share < 1 / 3


def test_list_enrolment_reaches_more_workers_than_offers_of_the_same_budget():
    """The payer registering its list needs no step from the worker; an offer does. Measured
    while the programme fills (its first months in force, from the APBD-P month 2024-10): later
    the budget, not the mechanism, bounds both."""
    def informal(mechanism):
        return run(scale=0.02, seed=1, horizon="2024-12", subsidy_budget_idr=2e10,
                   subsidy_mechanism=mechanism).results().iloc[-1]["active_informal"]
    assert informal("offer") < informal("list") - 5_000


def test_a_pilot_of_the_uncovered_starts_with_no_control_coverage():
    frame = run(scale=0.02, seed=1, horizon="2024-10", pilot_unit="worker", pilot_sample="uncovered",
                pilot_subsidy_share=1.0).results()
    first = frame.set_index("month").loc["2024-09"]   # the pilot's first month
    assert first["pilot_control_coverage"] < 0.02 < first["pilot_treated_coverage"]


def test_information_alone_moves_little_assistance_more():
    """The shape of Banerjee et al. (2021): information < assistance < subsidy."""
    def effect(**treatment):
        return np.mean([run(scale=0.02, seed=s, horizon="2025-08", pilot_unit="worker",
                            **treatment).results().iloc[-1]["pilot_effect"] for s in SEEDS[:2]])
    information = effect(pilot_information=1)
    assistance = effect(pilot_assistance=1.0)
    subsidy = effect(pilot_subsidy_share=1.0)
    assert information < assistance < subsidy
    assert information < 0.02


# ----------------------------------------------------------------------- Bass diffusion limit
def bass_curve(p, q, f0, t):
    """Closed-form solution of dF/dt = (p + qF)(1 - F) with F(0) = f0 (Bass 1969)."""
    k = (p + q * f0) / (1 - f0)
    growth = k * np.exp((p + q) * t)
    return (growth - p) / (growth + q)


def homogeneous_well_mixed_run(p, q):
    """One informal group where everyone is alike, aware, mixes with everyone and never lapses.

    Built from the real model by switching off heterogeneity, friction, outreach, lapses and job
    moves, and by putting every worker in one peer group (the well-mixed limit)."""
    model = EnrollmentModel(scale=0.05, seed=1, take_up_rate=p, imitation=q, valuation_sd=0,
                            price_sensitivity=0, friction=0, initial_awareness=1, stop_rate=0,
                            post_subsidy_retention=1, job_separation_rate=0, **ALL_LEVERS_ZERO)
    pop = model.pop
    pop.peer_group[:] = 0
    # the model keeps group sizes and active participants by group up to date: count afresh
    model.peer_members = model.peer_group_sizes()
    pop.active_by_group = np.bincount(pop.peer_group[pop.inf_active], minlength=pop.places.n_groups)
    model._begin_month()
    return model.run().results()["coverage_informal"].to_numpy()


def test_adoption_follows_the_bass_curve_in_the_homogeneous_limit():
    p, q = 0.01, 0.1
    simulated = homogeneous_well_mixed_run(p, q)
    t = np.arange(len(simulated))
    assert np.abs(simulated - bass_curve(p, q, simulated[0], t)).max() < 0.02
    # ...and not the curve of other imitation rates (the comparison can fail):
    for wrong_q in (0.08, 0.12):
        assert np.abs(simulated - bass_curve(p, wrong_q, simulated[0], t)).max() > 0.04
