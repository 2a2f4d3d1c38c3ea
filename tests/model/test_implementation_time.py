"""Implementation takes time: list throughput and lead time, budget boundaries, hiring and village
capacities, each reported when a plan asks for more (issue 22, item 3)."""

import numpy as np

from model import EnrollmentModel, levers
from tests.helpers import run

SCALE = 0.05


def frame(horizon="2026-03", **settings):
    return run(scale=SCALE, seed=2, horizon=horizon, **settings).results().set_index("month")


def test_a_list_of_n_workers_becomes_active_over_n_over_throughput_months():
    """Banyuasin funds 12,000 listed workers from the APBD-P month 2025-10; its list is registered
    at 2,000 a month after a one-month lead, so it takes about 6 months, not one."""
    n, throughput = 12_000, 2_000
    common = dict(list_enrolment_throughput=throughput, list_enrolment_lead_months=1,
                  subsidy_disbursement_lag=0, subsidy_eligible=["informal"],
                  premium_discount_transport=0, premium_discount_other=0)
    plan = frame("2026-07", subsidy_budget_idr=[{"from": "2025-10", "value": {"Banyuasin": n * 16_800 * 12}}],
                 **common)
    base = frame("2026-07", **common)
    extra = (plan["subsidised"] - base["subsidised"]).loc["2025-09":]
    assert abs(extra.loc["2025-10"]) < 0.02 * n                 # the lead month: nothing yet
    steps = extra.diff().dropna()
    assert (steps <= 1.05 * throughput).all(), steps             # never more than the throughput
    assert steps.loc["2025-11":"2026-03"].min() > 0.7 * throughput   # at the throughput while the list lasts
    # n / throughput = 6 months after the lead, the list (those whose data pass) is active.
    assert extra.loc["2026-01"] < 0.5 * n
    assert extra.loc["2026-06"] > 0.8 * n
    assert plan.loc["2025-11", "unmet_list_enrolment"] > 0.5 * n      # the part left for later
    assert plan.loc["2026-03", "unmet_list_enrolment"] < plan.loc["2025-11", "unmet_list_enrolment"]


def test_a_budget_changed_mid_year_acts_at_the_next_boundary():
    budget = [{"from": "2025-05", "value": {"Banyuasin": 5e10}}]
    for apbd_p, first in ((10, "2025-10"), (7, "2025-07")):
        plan = frame(subsidy_budget_idr=budget, apbd_p_month=apbd_p, subsidy_eligible=["informal"])
        base = frame(apbd_p_month=apbd_p, subsidy_eligible=["informal"])
        extra = plan["spend_subsidy_idr"] - base["spend_subsidy_idr"]
        before = extra.loc["2025-05":first].iloc[:-1]
        assert before.abs().max() < 1e6, before                 # asked for, not yet in force
        assert (plan.loc[before.index, "budget_deferred_idr"] > 0).all()
        assert plan.loc[first, "budget_deferred_idr"] == 0
        assert extra.loc[first:"2025-12"].sum() > 1e8            # in force from the boundary


def test_budget_in_force_follows_the_boundaries():
    month = np.array([8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    asked = np.arange(15.0)[:, None] * 10
    out = levers.at_budget_boundaries(asked, month, 10, status_quo=np.array([-1.0]))
    assert out[:, 0].tolist() == [-1, -1, 20, 20, 20, 50, 50, 50, 50, 50, 50, 50, 50, 50, 140]


def test_an_agent_target_above_the_hiring_capacity_is_reached_at_capacity_and_reported():
    target = [{"from": "2025-01", "value": 3_000}]
    capped = frame(perisai_agents=target, perisai_hiring_capacity=200)
    free = frame(perisai_agents=target, perisai_hiring_capacity=1e6)
    growth = capped["perisai_agents_active"].diff().loc["2025-01":"2025-06"]
    assert (growth <= 200 + 1e-6).all() and growth.max() > 150, growth
    assert (capped.loc["2025-01":"2025-06", "unmet_perisai_hires"] > 0).all()
    assert free["unmet_perisai_hires"].sum() == 0
    assert free.loc["2025-01", "perisai_agents_active"] > capped.loc["2025-01", "perisai_agents_active"] + 300
    assert (capped.loc[:"2024-12", "unmet_perisai_hires"] == 0).all()     # status quo: nothing asked beyond


def test_villages_are_activated_at_the_pace_and_the_rest_waits():
    plan = frame(villages_per_month=[{"from": "2025-01", "value": 500}], village_activation_capacity=120)
    active = plan["villages_active"]
    assert active.loc["2024-12"] == 0
    assert (active.diff().loc["2025-01":"2025-06"] == 120).all()
    # asked 500 a month (whole villages by regency: up to one fewer in each of 17), 120 done: the
    # backlog grows by about 380 a month
    backlog = plan["unmet_village_activations"]
    assert 380 - 17 <= backlog.loc["2025-01"] <= 380
    assert 3 * (380 - 17) <= backlog.loc["2025-03"] <= 3 * 380


def test_month0_agents_and_programmes_are_not_limited():
    """The status quo at month 0 is observed, not implemented: no capacity applies to it."""
    m = EnrollmentModel(scale=SCALE, seed=2, horizon="2024-09", perisai_hiring_capacity=0)
    row = m.results().iloc[0]
    assert row["perisai_agents_active"] > 250 and row["unmet_perisai_hires"] == 0
