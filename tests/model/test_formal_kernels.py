"""The compiled loops of behaviour/formal.py and population.py give exactly what the plain numpy
computation they replaced gives, on a model in mid-run (segments mixed by months of turnover)."""

import numpy as np
import pytest

from model import EnrollmentModel
from model.behaviour import formal
from model.population import CONSTRUCTION, FARMER, FULL, NONE, WAGE


@pytest.fixture(scope="module")
def mid_run():
    model = EnrollmentModel(scale=0.03, seed=7, horizon="2026-06")
    for _ in range(12):
        model.step()
    model.t += 1
    return model


def test_separations_are_the_plain_draws_and_pool(mid_run):
    m, pop, par = mid_run, mid_run.pop, mid_run.params
    rate, exit_rate = par["job_separation_rate"], par["job_separation_rate"] * par["formal_exit_share"]
    wage = np.flatnonzero(pop.segment == WAGE)
    u = m.streams.uniform("separation", m.t, wage)
    leavers, u = wage[u < rate], u[u < rate]
    to_informal, movers, pool_start = formal._separations(
        pop.segment, pop.official, m.streams.key_u64("separation", m.t), rate, exit_rate)
    assert len(to_informal) > 20 and len(movers) > 20
    assert np.array_equal(to_informal, leavers[u < exit_rate])
    assert np.array_equal(movers, leavers[u >= exit_rate])
    pool = np.flatnonzero((pop.segment >= FARMER) & ~pop.official)
    assert pool_start[-1] == len(pool)
    ranks = np.random.default_rng(1).permutation(len(pool))      # every member, in any order
    members = formal._pool_members(pop.segment, pop.official, pool_start, ranks, np.argsort(ranks))
    assert np.array_equal(members, pool[ranks])


def test_entrants_are_generator_choice_of_the_pool(mid_run):
    m, pop = mid_run, mid_run.pop
    pool = np.flatnonzero((pop.segment >= FARMER) & ~pop.official)
    *_, pool_start = formal._separations(pop.segment, pop.official, np.uint64(5), 0.1, 0.05)
    for k in [1, 300, len(pool) + 10]:
        plain, fast = m.streams.generator("job_move", 3), m.streams.generator("job_move", 3)
        expected = plain.choice(pool, size=min(k, len(pool)), replace=False)
        assert np.array_equal(formal._entrants(m, k, fast, pool_start), expected)
        assert fast.random() == plain.random()


def test_firm_dynamics_is_the_plain_rule(mid_run):
    m = mid_run
    firms = m.pop.firms
    saved = firms.state.copy()
    ids = np.arange(firms.n)
    drop = (firms.state != NONE) & (
        m.streams.uniform("firm_dropout", m.t, ids) < m.params["firm_dropout_rate"])
    join = (firms.state != FULL) & ~drop & (
        m.streams.uniform("firm_registration", m.t, ids) < m.params["firm_registration_rate"])
    expected = firms.state.copy()
    expected[drop] = NONE
    expected[join] = FULL
    formal.firm_dynamics(m)
    assert np.array_equal(firms.state, expected) and not np.array_equal(expected, saved)
    firms.state[:] = saved


def test_construction_is_the_plain_rule(mid_run):
    m, pop = mid_run, mid_run.pop
    saved = pop.con_active.copy()
    ids = m.construction_workers
    assert np.array_equal(ids, np.flatnonzero(pop.segment == CONSTRUCTION))
    u = m.streams.uniform("construction", m.t, ids)
    end_rate = 1.0 / m.params["construction_project_months"]
    start_rate = end_rate * m.construction_share0 / max(1e-9, 1.0 - m.construction_share0)
    expected = pop.con_active.copy()
    active = expected[ids]
    expected[ids[active & (u < end_rate)]] = False
    expected[ids[~active & (u < start_rate)]] = True
    formal.construction(m)
    assert np.array_equal(pop.con_active, expected) and not np.array_equal(expected, saved)
    pop.con_active[:] = saved


def test_set_firm_slots_are_the_plain_formula(mid_run):
    pop = mid_run.pop
    firm, slot = pop.firm.copy(), pop.firm_slot.copy()
    rng = np.random.default_rng(2)
    ids = rng.choice(pop.n, 500, replace=False)
    new = rng.integers(-1, pop.firms.n, 500)
    pop.set_firm(ids, new)
    below = pop.partial_u[ids] < pop.firms.partial_share         # float32, as numpy compares
    assert np.array_equal(pop.firm[ids], new)
    assert np.array_equal(pop.firm_slot[ids], np.where(new >= 0, 2 * new + below, 2 * pop.firms.n))
    assert pop.firm_slot.dtype == np.int32
    pop.set_firm(ids[:10], -1)
    assert np.all(pop.firm[ids[:10]] == -1) and np.all(pop.firm_slot[ids[:10]] == 2 * pop.firms.n)
    pop.firm[:], pop.firm_slot[:] = firm, slot


def test_a_partial_share_between_float32_values_is_compared_in_float32(mid_run):
    """numpy compares float32 partial_u with the share rounded to float32; so does _set_firm."""
    pop = mid_run.pop
    firm, slot, share = pop.firm.copy(), pop.firm_slot.copy(), pop.firms.partial_share
    i = int(np.flatnonzero(pop.firm >= 0)[0])
    value = float(pop.partial_u[i])
    for pop.firms.partial_share in [value + 1e-12, value - 1e-12, value]:
        pop.set_firm(np.array([i]), np.array([3]))
        assert pop.firm_slot[i] == pop._firm_slots(np.array([i]))[0]
    pop.firms.partial_share = share
    pop.firm[:], pop.firm_slot[:] = firm, slot


@pytest.mark.parametrize("k", [0, 1, 7, 300, 20_000])
def test_firms_at_is_searchsorted_right_with_ties(k):
    rng = np.random.default_rng(k)
    weights = rng.integers(0, 4, 2_000).astype(float)      # firms of size 0: repeated cdf entries
    cdf = (weights / weights.sum()).cumsum()
    cdf /= cdf[-1]
    u = np.concatenate([rng.random(k), rng.choice(cdf, k // 2)])   # some draws on an entry
    assert np.array_equal(formal._firms_at(cdf, u, np.argsort(u)), cdf.searchsorted(u, side="right"))


def test_regency_counts_count_each_regency_slice(mid_run):
    pop = mid_run.pop
    mask = np.random.default_rng(4).random(pop.n) < 0.3
    starts = pop.regency_start
    plain = [np.count_nonzero(mask[lo:hi]) for lo, hi in zip(starts[:-1], starts[1:], strict=True)]
    assert np.array_equal(pop.regency_counts(mask), plain)
    assert np.array_equal(pop.regency_counts(pop.inf_active), np.bincount(pop.regency[pop.inf_active],
                                                                          minlength=len(plain)))


def test_lowest_is_the_head_of_the_argsort():
    """Inspections choose each regency's firms by the k lowest draws, lowest first."""
    values = np.random.default_rng(5).random(2_000)
    for k in (1, 7, 1_999, 2_000, 2_500):
        assert np.array_equal(formal._lowest(values, k), np.argsort(values)[:k])
    assert not np.array_equal(formal._lowest(values, 7), np.arange(7))
