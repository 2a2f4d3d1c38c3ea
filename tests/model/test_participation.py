"""The owner of a worker's participation: each transition does what it says, and only that."""

from __future__ import annotations

import numpy as np
import pytest

from model import EnrollmentModel, channels, participation
from model.population import SELF_PAYER


@pytest.fixture
def model():
    return EnrollmentModel(scale=0.005, seed=2, horizon="2024-10")


def _fresh(m):
    """Two never-registered informal workers and two active self-payers."""
    pop = m.pop
    informal = pop.informal() & (pop.payer == SELF_PAYER)
    out = np.flatnonzero(informal & ~pop.registered)[:2]
    active = np.flatnonzero(informal & pop.inf_active & ~pop.stopped)[:2]
    return out, active


def test_enrol_credits_only_the_newly_active_to_their_reason(model):
    out, active = _fresh(model)
    model.channel[:] = channels.UNSET
    ids = np.concatenate([out, active])
    participation.enrol(model, ids, np.full(4, channels.PERISAI, dtype=np.uint8))
    pop = model.pop
    assert pop.inf_active[ids].all() and pop.registered[ids].all() and pop.aware[ids].all()
    assert model.channel[out].tolist() == [channels.PERISAI] * 2
    assert model.channel[active].tolist() == [channels.UNSET] * 2


def test_a_stopped_payer_lapses_after_lapse_months_and_a_payment_reactivates(model):
    _, active = _fresh(model)
    pop, lapse = model.pop, int(model.params["lapse_months"])
    participation.stop(model, active)
    for month in range(1, lapse + 1):
        participation.month_end(model, np.zeros(0, dtype=np.int64))
        assert pop.inf_active[active].all() == (month < lapse)
    assert not pop.stopped[active].any() and (pop.unpaid[active] == 0).all()
    assert pop.registered[active].all()                 # they can resume by paying
    model.channel[:] = channels.UNSET
    participation.pay(model, active, channels.SUBSIDY)
    assert pop.inf_active[active].all() and model.channel[active].tolist() == [channels.SUBSIDY] * 2
    assert (pop.subsidy_used[active] == 1).all()


def test_unpaid_beneficiaries_accrue_months_without_stopping(model):
    _, active = _fresh(model)
    pop = model.pop
    participation.month_end(model, active)
    assert (pop.unpaid[active] == 1).all() and not pop.stopped[active].any() and pop.inf_active[active].all()


def test_payer_changes_and_the_end_of_a_subsidy(model):
    _, active = _fresh(model)
    pop, province = model.pop, model.payers.province
    assert province == len(model.regency_names) and model.payers.pilot == province + 1
    participation.set_payer(model, active, province, subsidised_month=True)
    assert (pop.payer[active] == province).all() and (pop.subsidy_used[active] == 1).all()
    participation.end_subsidy(model, active, keeps=np.array([True, False]))
    assert (pop.payer[active] == SELF_PAYER).all()
    assert pop.stopped[active].tolist() == [False, True]


def test_leaving_for_a_wage_job_ends_membership_and_subsidy(model):
    _, active = _fresh(model)
    pop = model.pop
    participation.set_payer(model, active, 0)
    participation.leave(model, active)
    assert not pop.inf_active[active].any() and (pop.payer[active] == SELF_PAYER).all()
    assert (pop.unpaid[active] == 0).all() and not pop.stopped[active].any()


def test_active_by_peer_group_counts_each_worker_once_whatever_the_order(model):
    """Workers given in any order, even repeated, flip and are counted once."""
    pop = model.pop
    out = np.flatnonzero(pop.informal() & ~pop.inf_active & (pop.payer == SELF_PAYER))[:40]
    ids = np.concatenate([out[::-1], out[:7]])             # out of order, seven twice
    participation.enrol(model, ids, np.full(len(ids), channels.SELF, dtype=np.uint8))
    fresh = np.bincount(pop.peer_group[pop.inf_active], minlength=pop.places.n_groups)
    assert np.array_equal(pop.active_by_group, fresh)
    participation.leave(model, np.concatenate([out[:5], out[:5]]))
    fresh = np.bincount(pop.peer_group[pop.inf_active], minlength=pop.places.n_groups)
    assert np.array_equal(pop.active_by_group, fresh)
