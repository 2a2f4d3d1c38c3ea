"""The Perisai force's compiled passes (agents/perisai.py, `_kernels`) give what the plain numpy
computation they replaced gives: the agents' order, the visits and their stop rule, the
recruits, the month's paying recruits."""

import numpy as np
import pytest

from agents import perisai
from model import EnrollmentModel, channels
from model.population import SELF_PAYER

PLAN = dict(perisai_agents=1500, villages_per_month=20, subsidy_budget_idr=30e9)


@pytest.fixture(scope="module")
def mid_run():
    """A model after 8 months (agents hired, some workers recruited), this month's decided reset."""
    model = EnrollmentModel(scale=0.03, seed=4, **PLAN)
    for _ in range(8):
        model.step()
    model.decided.fill(False)
    return model


@pytest.mark.parametrize("seed", [0, 1])
def test_agents_by_regency_is_a_stable_sort_and_the_visits_needed(seed):
    rng = np.random.default_rng(seed)
    n, n_regencies, capacity = 5_000, 17, 150
    active = rng.random(n) < 0.6
    regency = rng.integers(0, n_regencies, n).astype(np.int16)
    regency[active & (regency == 5)] = 6                       # a regency with no agent
    targets = rng.choice([0.0, 30.0, 2.5], n_regencies)
    bounds = np.concatenate([[0], np.cumsum(rng.integers(0, 3, n_regencies) * 100)]).astype(np.int64)
    agents, start, need = perisai._agents_by_regency(active, regency, targets, bounds, capacity)
    plain = np.flatnonzero(active)
    plain = plain[np.argsort(regency[plain], kind="stable")]
    per_regency = np.bincount(regency[plain], minlength=n_regencies)
    assert np.array_equal(agents, plain)
    assert np.array_equal(start, np.concatenate([[0], np.cumsum(per_regency)]))
    assert np.array_equal(need, np.where((targets > 0) & (np.diff(bounds) > 0), per_regency * capacity, 0))
    assert need[5] == 0 and (need > 0).any()


def _plain_visits(ids, join, take, capacity, targets, agents, agent_start):
    """The numpy code before the compiled pass: each agent's block of `capacity` visits, cut
    where the block's joins reach its regency's target. Returns visited and each one's agent."""
    n_regencies = len(take)
    of = np.repeat(np.arange(n_regencies), take)
    first = np.searchsorted(of, np.arange(n_regencies))         # each regency's first visit
    agent_base = agent_start[:-1]
    slot = agent_base[of] + (np.arange(len(ids)) - first[of]) // capacity
    signed = np.cumsum(join) - join                   # joins before this visit, all agents
    block_first = first[of] + (slot - agent_base[of]) * capacity
    visited = (signed - signed[block_first]) < targets[of]
    return visited, agents[slot]


@pytest.mark.parametrize("capacity, target, join_rate", [(150, 10.0, 0.1), (20, 3.0, 0.3), (7, 1.5, 0.5)])
def test_visits_stop_at_the_target_as_the_numpy_blocks_did(mid_run, capacity, target, join_rate):
    m, force = mid_run, mid_run.perisai
    n_regencies = len(m.regency_names)
    targets = np.full(n_regencies, target)
    targets[2] = 0.0                                             # a regency with no target
    agents, agent_start, need = perisai._agents_by_regency(force.active, force.regency, targets,
                                                           force.route_bounds, capacity)
    ids, _, take, _ = force.open_workers(force.route_pointer, need, m.streams.key_u64("take_up", m.t))
    assert len(ids) >= 40 * capacity and take[2] == 0
    join = np.random.default_rng(capacity).random(len(ids)) < join_rate
    visited, agent = _plain_visits(ids, join, take, capacity, targets, agents, agent_start)
    assert not visited.all()                                     # some agents stopped early

    decided, aware, contact = m.decided.copy(), m.pop.aware.copy(), m.contact.copy()
    recruiter, month_recruits = m.pop.recruiter.copy(), np.zeros(len(force.active), dtype=np.int64)
    joined, first_time, visits = perisai._visit_route(
        ids, join, take, capacity, targets, agents, agent_start, decided, aware, contact,
        channels.PERISAI_CONTACT, recruiter, month_recruits)

    signs = visited & join
    assert visits == visited.sum()
    assert np.array_equal(joined, ids[signs])                    # in walking order
    assert np.array_equal(first_time, ids[signs][m.pop.recruiter[ids[signs]] < 0])
    assert np.array_equal(np.flatnonzero(decided != m.decided), np.sort(ids[visited]))
    assert aware[ids[visited]].all() and (contact[ids[visited]] == channels.PERISAI_CONTACT).all()
    untouched = np.ones(m.pop.n, dtype=bool)
    untouched[ids[visited]] = False
    assert np.array_equal(aware[untouched], m.pop.aware[untouched])
    assert np.array_equal(contact[untouched], m.contact[untouched])
    expected = m.pop.recruiter.copy()
    expected[ids[signs]] = agent[signs]
    assert np.array_equal(recruiter, expected)
    assert np.array_equal(month_recruits, np.bincount(agent[signs], minlength=len(force.active)))


def test_the_month_pay_reads_the_paying_recruits_as_the_masks_did(mid_run):
    m, pop = mid_run, mid_run.pop
    assert np.array_equal(m.perisai.recruited, np.flatnonzero(pop.recruiter >= 0))   # kept up
    paying = perisai._paying(m.perisai.recruited, pop.inf_active, pop.stopped, pop.payer, SELF_PAYER)
    plain = np.flatnonzero(pop.inf_active & ~pop.stopped & (pop.payer == SELF_PAYER) & (pop.recruiter >= 0))
    assert len(plain) > 100 and np.array_equal(paying, plain)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_merged_is_the_sorted_union(seed):
    rng = np.random.default_rng(seed)
    values = rng.choice(100_000, 6_000, replace=False)
    ascending, new = np.sort(values[:5_000]), values[5_000:5_000 + seed * 400]   # seed 0: none new
    assert np.array_equal(perisai._merged(ascending, new), np.union1d(ascending, new))
    assert np.array_equal(perisai._merged(np.zeros(0, dtype=np.int64), new), np.sort(new))
