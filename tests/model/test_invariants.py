"""Invariants every month: counts add up, no worker counted twice, spend never negative."""

import numpy as np
import pytest

from agents import local_government
from model import EnrollmentModel, outputs
from model.population import CONSTRUCTION, FARMER, WAGE
from tests.helpers import run

PLAN = dict(perisai_agents=1500, villages_per_month=60, firms_per_month=400,
            inspections_per_month=100, campaign_reach_per_month=200_000,
            subsidy_budget_idr=30e9, subsidy_months=12, digital_payment_share=0.5,
            registration_assistance=0.5)


@pytest.mark.parametrize("settings", [{}, PLAN], ids=["baseline", "plan"])
def test_monthly_tables_add_up(settings):
    frame = run(seed=5, **settings).results()
    assert len(frame) == 77
    assert frame["active"].diff().iloc[1:].round(6).equals(
        (frame["new_enrollments"] - frame["lapses"]).iloc[1:].round(6))
    assert np.allclose(frame["active"], frame["active_formal"] + frame["active_informal"])
    assert np.allclose(frame["active_formal"], frame["active_wage"] + frame["active_construction"])
    channels = frame[list(outputs.CHANNEL_OUTPUTS)].sum(axis=1)
    assert np.allclose(channels, frame["new_enrollments"])
    for column in ["coverage", "coverage_formal", "coverage_informal"]:
        assert frame[column].between(0, 1).all()
    spend = frame[[c for c in frame if c.startswith("spend_")]]
    assert (spend >= 0).all().all()
    assert np.allclose(frame["spend_idr"], spend.drop(columns="spend_idr").sum(axis=1))
    assert frame["active"].le(frame["workers"]).all()


def test_no_worker_is_counted_twice_at_any_month():
    model = EnrollmentModel(scale=0.01, seed=9, **PLAN)
    while model.running:
        pop = model.pop
        wage = pop.wage_active(model.partial_share)
        informal = pop.segment >= FARMER
        assert not (wage & pop.inf_active).any()
        assert not (pop.con_active & pop.inf_active).any()
        assert not wage[pop.segment != WAGE].any()
        assert not pop.con_active[pop.segment != CONSTRUCTION].any()
        assert not pop.inf_active[~informal].any()
        assert (pop.payer[~informal] < 0).all()          # only informal workers are subsidised
        assert (pop.unpaid[pop.inf_active] < model.params["lapse_months"]).all()
        assert (pop.firm[pop.segment == WAGE] >= 0).all()
        model.step()


def test_counts_kept_between_months_match_a_fresh_count():
    """Peer-group sizes (kept by job turnover), the active participants by peer group and the
    payers in waiting-list order (kept by participation.py) and the activated-village flag of
    each worker (kept by village activation) equal what counting afresh gives, every month."""
    model = EnrollmentModel(scale=0.01, seed=9, job_separation_rate=0.1, **PLAN)
    pop = model.pop
    updates = 0
    while model.running:
        assert np.array_equal(model.peer_members, model.peer_group_sizes())
        assert np.array_equal(pop.active_by_group,
                              np.bincount(pop.peer_group[pop.inf_active], minlength=pop.places.n_groups))
        assert np.array_equal(model.in_active_village, model.village_active[model.pop.village])
        assert np.array_equal(pop.payer_in_order, pop.payer[pop.by_priority])
        kept, fresh = model.beneficiary_lists.current(), local_government.all_beneficiaries(model)
        assert np.array_equal(kept[0], fresh[0]) and np.array_equal(kept[1], fresh[1])
        updates += model.beneficiary_lists.keys is not None and len(kept[0]) > 0
        model.step()
    assert pop.active_by_group.sum() > 0
    assert (pop.payer_in_order >= 0).sum() > 100       # beneficiaries of several payers kept
    assert updates > 50                                 # the kept lists compared most months
    assert model.village_active.any()


def test_regency_table_sums_to_the_province(baseline):
    table = baseline.regency_table()
    frame = baseline.results()
    assert len(table) == 77 * 17
    by_month = table.groupby("month", sort=True)[["workers", "active", "active_informal"]].sum()
    assert np.allclose(by_month["active"].to_numpy(), frame["active"].to_numpy())
    assert np.allclose(by_month["active_informal"].to_numpy(), frame["active_informal"].to_numpy())
    assert np.allclose(by_month["workers"], frame["workers"].iloc[0])
    assert table["coverage"].between(0, 1).all()
    assert table["regency"].nunique() == 17


def test_regency_spend_adds_up_to_the_subsidy_spend():
    """Each month the regencies' spend_idr (their own local budgets) plus the province's palm
    fund is the run's spend_subsidy_idr; a regency whose budget is raised spends more, and
    only it."""
    budget = {"Lahat": 20e9}
    model = run(seed=5, subsidy_budget_idr=budget, palm_subsidy_budget_idr=10e9)
    table = model.regency_table()
    frame = model.results()
    assert (table["spend_idr"] >= 0).all()
    by_month = table.groupby("month", sort=True)["spend_idr"].sum().to_numpy()
    province = np.array(model.collector.province_spend)
    assert province.sum() > 0 and by_month.sum() > 0
    assert np.allclose(by_month + province, frame["spend_subsidy_idr"].to_numpy(), rtol=1e-12, atol=1e-3)
    base = run(seed=5, palm_subsidy_budget_idr=10e9).regency_table()
    diff = (table.set_index(["month", "regency"])["spend_idr"]
            - base.set_index(["month", "regency"])["spend_idr"]).unstack()
    assert diff["Lahat"].sum() > 1e9
    assert np.allclose(diff.drop(columns="Lahat"), 0)
