"""The compiled loops of behaviour/take_up.py and awareness.py give exactly what the plain numpy
computation they replaced gives, on a model in mid-run (some workers contacted or decided)."""

import numpy as np
import pytest

from model import EnrollmentModel
from model.behaviour import awareness, take_up
from model.population import FARMER, SELF_PAYER
from tests.helpers import month_started


@pytest.fixture
def mid_run():
    """A model at the start of month 7, scratch arrays reset, some workers contacted and some
    already decided (as a Perisai visit leaves them)."""
    model = month_started(EnrollmentModel(scale=0.03, seed=7, horizon="2026-06"), 6)
    rng = np.random.default_rng(3)
    model.contact[:] = rng.choice(4, model.pop.n, p=[0.85, 0.05, 0.05, 0.05])
    model.decided[:] = rng.random(model.pop.n) < 0.05
    return model


@pytest.fixture
def discount_month():
    """The same at the start of a month of the national premium discount (PP 50/2025)."""
    model = EnrollmentModel(scale=0.02, seed=5, horizon="2026-06")
    while not model.premium.any[model.t + 1]:
        model.step()
    model.t += 1
    model._begin_month()
    model.contact[:] = np.random.default_rng(4).choice(4, model.pop.n, p=[0.85, 0.05, 0.05, 0.05])
    return model


def _at_risk_near(m, decided):
    pop = m.pop
    peers_max = m.params["imitation"] * m.peer_coverage.max()
    return take_up._at_risk_near(pop.segment, pop.aware, pop.inf_active, pop.stopped, pop.payer,
                                 decided, m.contact, m.take_up_ceiling,
                                 m.streams.key_u64("take_up", m.t), peers_max,
                                 *take_up.contacted_bound(m, peers_max))


def test_at_risk_near_is_the_plain_mask_draws_and_bound(mid_run):
    m = mid_run
    mask = take_up.at_risk_mask(m)
    ids = np.flatnonzero(mask)
    u = m.streams.uniform("take_up", m.t, ids)
    contact, ceiling = m.contact[ids], m.take_up_ceiling[ids]
    peers_max = m.params["imitation"] * m.peer_coverage.max()
    scale, add = take_up.contacted_bound(m, peers_max)
    # the uncontacted as `decide` bounds them, the contacted below the `contacted_bound`
    kept = np.where(contact == 0, u < ceiling + peers_max, u < ceiling * scale + add)
    decided = m.decided.copy()
    near, u_near = _at_risk_near(m, decided)
    assert len(near) > 100 and len(near) < len(ids)
    assert (m.contact[near] == 0).sum() > 20 and (m.contact[near] != 0).sum() > 20
    assert (contact != 0).sum() > (m.contact[near] != 0).sum()
    assert near.dtype == np.int64 and u_near.dtype == np.float64
    assert np.array_equal(near, ids[kept])
    assert np.array_equal(u_near, u[kept])
    assert np.array_equal(decided, m.decided | mask) and (decided != m.decided).any()


@pytest.mark.parametrize("month", ["mid_run", "discount_month"])
def test_contacted_bound_bounds_the_join_probability(month, request):
    m = request.getfixturevalue(month)
    ids = np.flatnonzero(m.pop.informal())
    scale, add = take_up.contacted_bound(m, m.params["imitation"] * m.peer_coverage.max())
    for code in (1, 2, 3):
        h = take_up.join_probability(m, ids, np.full(len(ids), code, dtype=np.uint8))
        assert np.all(h <= m.take_up_ceiling[ids] * scale + add)


def test_at_risk_near_keeps_everyone_when_all_are_near():
    n = 4096 * 2 + 13          # two full blocks and a short one
    segment = np.full(n, FARMER, dtype=np.uint8)
    false, true = np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
    near, u = take_up._at_risk_near(segment, true, false, false, np.full(n, SELF_PAYER, dtype=np.int8),
                                    false.copy(), np.zeros(n, dtype=np.uint8),
                                    np.ones(n, dtype=np.float32), np.uint64(99),
                                    np.float32(0), np.float32(1), np.float32(0))
    assert np.array_equal(near, np.arange(n)) and np.all((u >= 0) & (u < 1))


@pytest.mark.parametrize("month", ["mid_run", "discount_month"])
def test_step_enrols_the_plain_joiners(month, request, monkeypatch):
    m = request.getfixturevalue(month)
    ids = take_up.at_risk(m)
    contact = m.contact[ids]
    plain = ids[m.streams.uniform("take_up", m.t, ids) < take_up.join_probability(m, ids, contact)]
    enrolled = []
    monkeypatch.setattr(take_up.participation, "enrol", lambda _m, joined, reasons: enrolled.append(joined))
    take_up.step(m)
    assert len(plain) > 20 and (m.contact[plain] != 0).any()
    assert len(enrolled) == 1 and np.array_equal(enrolled[0], plain)


def test_awareness_is_the_plain_rule(mid_run):
    m, pop = mid_run, mid_run.pop
    ids = np.flatnonzero(~pop.aware & (pop.segment >= FARMER))
    u = m.streams.uniform("awareness", m.t, ids)
    rate = m.params["peer_awareness"]
    learn = (u < rate * m.peer_coverage.max()) & (u < rate * m.peer_coverage[pop.peer_group[ids]])
    expected = pop.aware.copy()
    expected[ids[learn]] = True
    awareness.step(m)
    assert learn.sum() > 5 and len(ids) > 100
    assert np.array_equal(pop.aware, expected)


def test_below_is_the_plain_bound_of_joins_after_contact(mid_run):
    m = mid_run
    ids = np.random.default_rng(5).permutation(np.flatnonzero(m.pop.informal()))   # a route's order
    u = m.streams.uniform("take_up", m.t, ids)
    scale, add = 3.7, m.params["imitation"] * float(m.peer_coverage.max()) + 1e-5
    plain = np.flatnonzero(u < m.take_up_ceiling[ids] * scale + add)
    near = take_up._below(ids, u, m.take_up_ceiling, np.float32(scale), np.float32(add))
    assert 20 < len(plain) < len(ids) and np.array_equal(near, plain)


@pytest.mark.parametrize("month", ["mid_run", "discount_month"])
def test_gathers_of_own_and_join_probability_are_the_plain_ones(month, request):
    m = request.getfixturevalue(month)
    pop, par = m.pop, m.params
    ids = np.random.default_rng(6).permutation(np.flatnonzero(pop.informal()))[:5000]
    contact = m.contact[ids]
    z = take_up._own_logit(ids, contact, m.take_up_logit, take_up.contact_effects(m))
    assert z.dtype == np.float32
    assert np.array_equal(z, m.take_up_logit[ids] + take_up.contact_effects(m)[contact])
    self_friction = par["friction"] * (1.0 - m.lever("registration_assistance"))
    peers, friction = take_up._peers_and_friction(
        ids, contact, pop.peer_group, m.peer_coverage, np.float32(par["imitation"]), pop.regency,
        self_friction, float(par["assisted_friction"]), pop.registered)
    plain = np.where(contact >= 2, par["assisted_friction"], self_friction[pop.regency[ids]])
    plain = np.where(pop.registered[ids], 0.0, plain)
    assert peers.dtype == np.float32 and (peers > 0).sum() > 100
    assert np.array_equal(peers, par["imitation"] * m.peer_coverage[pop.peer_group[ids]])
    assert pop.registered[ids].any() and (contact >= 2).any() and len(np.unique(plain)) > 2
    assert np.array_equal(friction, plain)
