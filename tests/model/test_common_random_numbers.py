"""Paired comparisons: with the same seed a policy difference is the policy's, not noise."""

import numpy as np
import pandas as pd

from tests.helpers import run

PLAN = dict(perisai_agents=1200, villages_per_month=40)
SEEDS = range(1, 9)


def _coverage_at(frame, month="2026-12"):
    return frame.set_index("month").loc[month, "coverage"]


def test_paired_spread_is_much_smaller_than_unpaired():
    paired = [_coverage_at(run(seed=s, **PLAN).results()) - _coverage_at(run(seed=s).results())
              for s in SEEDS]
    unpaired = [_coverage_at(run(seed=s, **PLAN).results()) - _coverage_at(run(seed=s + 100).results())
                for s in SEEDS]
    assert np.std(paired) < 0.5 * np.std(unpaired)
    assert np.mean(paired) > 0


def test_a_lever_that_reaches_nobody_changes_nothing(baseline):
    after_horizon = run(villages_per_month=[{"from": "2031-01", "value": 500}],
                        perisai_agents=[{"from": "2031-01", "value": 5000}])
    pd.testing.assert_frame_equal(after_horizon.results(), baseline.results())
    same_as_status_quo = run(subsidy_budget_idr={"Kota Palembang": 0.0})
    pd.testing.assert_frame_equal(same_as_status_quo.results(), baseline.results())


def test_a_policy_in_one_regency_leaves_the_others_identical(baseline):
    """Extra campaigns in OKU Selatan only: every other regency's numbers are unchanged, because
    each worker's draws are keyed by the worker, not by a shared generator's position."""
    local = run(campaign_reach_per_month={"OKU Selatan": 50_000})
    a, b = local.regency_table(), baseline.regency_table()
    others = a.regency != "OKU Selatan"
    pd.testing.assert_frame_equal(a[others], b[others])
    oku = ~others & (a.month == "2030-12")
    assert a[oku]["active_informal"].item() > b[oku]["active_informal"].item()
