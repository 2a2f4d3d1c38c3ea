"""Perisai agents walk their regency's route from where they stopped last month."""

import numpy as np
import pytest

from agents.perisai import PerisaiAgent
from model import EnrollmentModel
from model.population import FARMER, SELF_PAYER


def _plain_open_positions(m, route, start, k):
    """Every open position on the route, those from `start` first, then the first k."""
    pop = m.pop
    open_ = ((pop.segment >= FARMER) & (~pop.inf_active | pop.stopped)
             & (pop.payer == SELF_PAYER) & ~m.decided)
    pos = np.flatnonzero(open_[route])
    first = np.searchsorted(pos, start)
    return np.concatenate([pos[first:], pos[:first]])[:k]


@pytest.fixture(scope="module")
def model():
    m = EnrollmentModel(scale=0.01, seed=2, perisai_agents=1000, horizon="2025-06")
    return m.run()


def _route(m, r):
    return m.perisai.route_ids[m.perisai.route_bounds[r]:m.perisai.route_bounds[r + 1]]


@pytest.mark.parametrize("start_share, k", [(0.0, 150), (0.5, 1500), (0.97, 3000),
                                            (0.3, 10**6), (1.0, 40)])
def test_open_workers_are_the_next_k_open_workers_round_the_route(model, start_share, k):
    force = model.perisai
    n_regencies = len(model.regency_names)
    routes = [_route(model, r) for r in range(n_regencies)]
    starts = np.array([int(start_share * len(route)) for route in routes])
    need = np.zeros(n_regencies, dtype=np.int64)
    need[[0, 3, 4, 16]] = [k, 1, 0, 2 * k]           # a regency that needs none gets none
    for route in routes:
        model.decided[route[::5]] = True           # some decided already this month: not open
    key = model.streams.key_u64("take_up", model.t)
    ids, u, take, ends = force.open_workers(starts, need, key)
    bounds = np.concatenate([[0], np.cumsum(take)])
    for r, route in enumerate(routes):
        plain = _plain_open_positions(model, route, starts[r], need[r])
        assert np.array_equal(ids[bounds[r]:bounds[r + 1]], route[plain])   # regency by regency
        assert len(plain) == min(need[r], len(_plain_open_positions(model, route, 0, 10**9)))
        assert ends[r] == (plain[-1] + 1 if len(plain) else starts[r])     # resumes after the last
    assert np.array_equal(u, model.streams.uniform("take_up", model.t, ids))


def _plain_end_month(m, index, record):
    """One agent's month, as a per-agent rule (the code before issue 15): returns whether it
    leaves and its new record (recruits_total, earnings, idle)."""
    total, earnings, idle = record
    recruits = int(m.perisai.month_recruits[index])
    earnings = (earnings + [float(m.perisai.month_pay[index])])[-3:]
    idle = 0 if (recruits or m.perisai.month_collected[index] > 0) else idle + 1
    par = m.params
    leaves = idle >= par["perisai_idle_months"] or (
        len(earnings) == 3 and sum(earnings) / 3 < par["perisai_reservation_income_idr"]
        and m.perisai.quit_u[index] < par["perisai_quit_rate"])
    return leaves, (total + recruits, earnings, idle)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_month_end_of_all_agents_is_each_agents_rule(seed):
    m = EnrollmentModel(scale=0.01, seed=5, perisai_agents=[{"from": "2024-09", "value": 3000}],
                        perisai_hiring_capacity=1e6, horizon="2024-12")   # many agents hired at once
    m.run()
    rng = np.random.default_rng(seed)
    n = len(m.perisai.active)
    m.perisai.month_recruits = rng.choice([0, 0, 1, 5], n)
    m.perisai.month_pay = rng.choice([0.0, 1e5, 3e5, 9e5], n)
    m.perisai.month_collected = rng.choice([0.0, 0.0, 16_800.0], n)
    m.perisai.quit_u = rng.random(n)
    live = np.flatnonzero(m.perisai.active)
    m.perisai.idle[live[::4]] = m.params["perisai_idle_months"] - 1     # some about to be idle
    assert len(live) > 10 and any(m.perisai.months_paid[live] < 3)   # new and older agents
    before = {i: (m.perisai.agents[i].recruits_total, m.perisai.agents[i].earnings,
                  m.perisai.agents[i].idle_months) for i in live}
    expected = {i: _plain_end_month(m, i, before[i]) for i in live}
    m.perisai.end_month()
    for i in live:
        leaves, record = expected[i]
        agent = m.perisai.agents[i]
        assert m.perisai.active[i] == (not leaves)
        assert (agent in m.agents) == (not leaves)
        assert (agent.recruits_total, agent.earnings, agent.idle_months) == record
    assert 0 < sum(leaves for leaves, _ in expected.values()) < len(live)


def test_the_force_owns_the_agents_state(model):
    """The agents' records, routes and month figures live on the force, not on the model."""
    assert not [name for name in vars(model) if name.startswith(("perisai_", "route_"))]
    force = model.perisai
    n = len(force.agents)
    assert n > 0 and all(len(a) == n for a in (force.active, force.regency, force.recruits_total,
                                               force.earnings, force.months_paid, force.idle))
    assert [a.index for a in force.agents] == list(range(n))
    assert force.active.sum() == len(model.agents_by_type[PerisaiAgent])


def test_a_falling_target_lets_agents_go_at_once():
    m = EnrollmentModel(scale=0.01, seed=3, horizon="2025-03",
                        perisai_agents=[{"from": "2024-08", "value": 3000}, {"from": "2025-02", "value": 300}])
    m.run()
    force = m.perisai
    for r in range(len(m.regency_names)):
        mine = np.flatnonzero(force.regency == r)
        kept = mine[force.active[mine]]
        assert len(kept) <= m.counts["perisai_agents"][m.t][r]
    assert len(force.agents) > 2 * m.counts["perisai_agents"][m.t].sum()   # many were let go
