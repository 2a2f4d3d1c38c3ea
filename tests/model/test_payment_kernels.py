"""The compiled passes of behaviour/payment.py and participation.month_end give exactly what the
plain numpy computation they replaced gives, on a model in mid-run (participants paying,
stopped and in arrears; the regional plan's governments paying for beneficiaries)."""

import numpy as np
import pytest

from benchmarks.plan import REGIONAL_PLAN
from model import EnrollmentModel, participation
from model.behaviour import payment
from model.population import FARMER, SELF_PAYER
from tests.helpers import month_started

FIELDS = ("inf_active", "stopped", "unpaid", "active_by_group")


@pytest.fixture(scope="module")
def mid_run():
    """A model after 14 months, this month's first steps done up to payment."""
    return month_started(EnrollmentModel(scale=0.03, seed=3, **REGIONAL_PLAN), 14)


def _state(pop):
    return {name: getattr(pop, name).copy() for name in FIELDS}


def _restore(pop, state):
    for name, value in state.items():
        getattr(pop, name)[:] = value


def _plain_month_end(m, unpaid_beneficiaries):
    """participation.month_end as numpy masks (the code the compiled pass replaced)."""
    pop = m.pop
    unpaid = pop.inf_active & pop.stopped
    unpaid[unpaid_beneficiaries] = True
    unpaid = np.flatnonzero(unpaid)
    pop.unpaid[unpaid] += 1
    lapsed = unpaid[pop.unpaid[unpaid] >= m.params["lapse_months"]]
    changed = lapsed[pop.inf_active[lapsed]]
    pop.inf_active[changed] = False
    pop.active_by_group -= np.bincount(pop.peer_group[changed], minlength=len(pop.active_by_group))
    pop.stopped[lapsed] = False
    pop.unpaid[lapsed] = 0


def _plain_step(m):
    """payment.step as numpy masks and flatnonzero (the code the compiled pass replaced)."""
    pop = m.pop
    paying = (pop.segment >= FARMER) & pop.inf_active & ~pop.stopped & (pop.payer == SELF_PAYER)
    ids = np.flatnonzero(paying & ~m.decided)
    u = m.streams.uniform("stop_paying", m.t, ids)
    maybe = np.flatnonzero(u < m.params["stop_rate"])
    ids, u = ids[maybe], u[maybe]
    participation.stop(m, ids[u < payment.stop_probability(m, ids)])
    _plain_month_end(m, m.unpaid_beneficiaries())


def test_at_risk_is_the_plain_masks_and_draws(mid_run):
    m, pop = mid_run, mid_run.pop
    m.decided[::7] = True                         # some decided this month: not at risk
    key = m.streams.key_u64("stop_paying", m.t)
    ids, u, stopped = payment._at_risk(pop.segment, pop.inf_active, pop.stopped, pop.payer,
                                       m.decided, key, m.params["stop_rate"])
    paying = np.flatnonzero((pop.segment >= FARMER) & pop.inf_active & ~pop.stopped
                            & (pop.payer == SELF_PAYER) & ~m.decided)
    draws = m.streams.uniform("stop_paying", m.t, paying)
    below = draws < m.params["stop_rate"]
    assert below.sum() > 20 and len(stopped) > 20
    assert np.array_equal(ids, paying[below]) and np.array_equal(u, draws[below])
    assert np.array_equal(stopped, np.flatnonzero(pop.inf_active & pop.stopped))
    m.decided.fill(False)


def _beneficiaries(m):
    """Repeated, unordered ids: active and stopped, active and paying, inactive."""
    pop, rng = m.pop, np.random.default_rng(5)
    stopped = np.flatnonzero(pop.inf_active & pop.stopped)
    paying = np.flatnonzero(pop.inf_active & ~pop.stopped)
    inactive = np.flatnonzero(~pop.inf_active & pop.registered)
    picked = np.concatenate([rng.choice(group, 40, replace=False) for group in (stopped, paying, inactive)])
    return rng.permutation(np.concatenate([picked, picked[::3]]))


@pytest.mark.parametrize("with_beneficiaries", [False, True])
@pytest.mark.parametrize("given_stopped", [False, True])
def test_month_end_is_the_plain_rule(mid_run, with_beneficiaries, given_stopped):
    m, pop = mid_run, mid_run.pop
    before = _state(pop)
    paying = pop.inf_active & ~pop.stopped          # some beneficiaries already months in arrears
    pop.unpaid[paying] = np.random.default_rng(1).integers(0, 3, paying.sum())
    saved = _state(pop)
    beneficiaries = _beneficiaries(m) if with_beneficiaries else np.zeros(0, dtype=np.int64)
    _plain_month_end(m, beneficiaries)
    expected = _state(pop)
    _restore(pop, saved)
    stopped = np.flatnonzero(pop.inf_active & pop.stopped) if given_stopped else None
    participation.month_end(m, beneficiaries, stopped)
    lapsed = saved["inf_active"] & ~expected["inf_active"]
    assert lapsed.sum() > 10 and (expected["unpaid"] != saved["unpaid"]).sum() > 10
    for name in FIELDS:
        assert np.array_equal(getattr(pop, name), expected[name]), name
    _restore(pop, before)


def test_step_is_the_plain_step(mid_run):
    m, pop = mid_run, mid_run.pop
    saved = _state(pop)
    m.unpaid_ids = [_beneficiaries(m)]
    _plain_step(m)
    expected = _state(pop)
    _restore(pop, saved)
    payment.step(m)
    assert (expected["stopped"] & ~saved["stopped"]).sum() > 10
    for name in FIELDS:
        assert np.array_equal(getattr(pop, name), expected[name]), name
    _restore(pop, saved)
    m.unpaid_ids = []
