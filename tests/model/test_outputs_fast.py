"""The outputs' kept wage_active (population.wage_active_kept, caught up from the firms that
changed state and the workers set_firm moved) is the plain rule, month after month of a run, and
the month's outputs are the plain numpy counts."""

import numpy as np
import pytest

from model import EnrollmentModel, channels
from model.population import FARMER, WAGE, _link_all


@pytest.fixture(scope="module")
def mid_run():
    model = EnrollmentModel(scale=0.03, seed=5, horizon="2026-06")
    for _ in range(6):
        model.step()
    return model


def _members(kept, f):
    """The workers in firm f's list, each once (a list may hold some who left)."""
    out, k = set(), kept.head[f]
    while k >= 0:
        out.add(int(kept.node_worker[k]))
        k = kept.node_next[k]
    return out


def test_kept_wage_active_is_the_plain_rule_each_month(mid_run):
    m, pop = mid_run, mid_run.pop
    for _ in range(4):          # job moves and firm state changes between the outputs' reads
        before, state = pop.wage_active_plain(m.partial_share), pop.firms.state.copy()
        m.step()
        plain = pop.wage_active_plain(m.partial_share)
        assert np.count_nonzero(plain != before) > 20 and np.count_nonzero(pop.firms.state != state) > 5
        assert pop.wage_kept is not None and pop.wage_kept.slot is pop.firm_slot
        kept, count = pop.wage_active_kept(m.partial_share)
        assert np.array_equal(kept, plain) and count == np.count_nonzero(plain)
    assert 0 < np.count_nonzero(plain) < np.count_nonzero(pop.segment == WAGE)
    assert np.array_equal(pop.wage_active_kept(0.0)[0], pop.wage_active_plain(0.0))


def test_kept_firm_lists_hold_the_firms_workers(mid_run):
    pop = mid_run.pop
    pop.wage_active_kept(mid_run.partial_share)
    kept = pop.wage_kept
    assert kept.n_nodes > np.count_nonzero(pop.firm >= 0)        # moves since it was built
    for f in np.flatnonzero(pop.firms.workers > 3)[:300]:
        expected = set(np.flatnonzero(pop.firm == f).tolist())
        assert len(expected) > 0 and expected <= _members(kept, f)
    ids = np.flatnonzero(pop.firm >= 0)[:5]
    moved, to = np.array([ids[0], ids[1], ids[0], ids[2], ids[3], ids[3]]), np.array([7, 7, 9, -1, 9, -1])
    pop.set_firm(moved, to)                      # a worker listed twice ends in the last firm
    assert pop.firm[ids[0]] == 9 and pop.firm[ids[1]] == 7 and pop.firm[ids[2]] == pop.firm[ids[3]] == -1
    assert {int(ids[0]), int(ids[1])} <= _members(kept, 7) and int(ids[0]) in _members(kept, 9)
    pop.firms.state[[7, 9]] = 2 - pop.firms.state[[7, 9]]        # and their firms change state
    assert pop.wage_kept.count == np.count_nonzero(pop.wage_kept.wage)
    fast, count = pop.wage_active_kept(mid_run.partial_share)
    plain = pop.wage_active_plain(mid_run.partial_share)
    assert np.array_equal(fast, plain) and count == np.count_nonzero(plain)
    assert not fast[ids[2]] and not fast[ids[3]]
    head, node_worker, _, n_nodes = _link_all(pop.firm, pop.firms.n, pop.n)
    assert n_nodes == np.count_nonzero(pop.firm >= 0) and np.all(head[pop.firm[ids[:2]]] >= 0)


def test_record_is_the_plain_numpy_outputs(mid_run):
    m, pop, w = mid_run, mid_run.pop, mid_run.pop.weight
    previous = m.collector.previous.copy()
    m.step()
    out, wage = m.collector.current, pop.wage_active_plain(m.partial_share)
    active, informal = wage | pop.inf_active | pop.con_active, pop.segment >= FARMER
    assert out["active_wage"] == np.count_nonzero(wage) * w > 0
    assert out["active"] == np.count_nonzero(active) * w
    assert out["active_informal"] == np.count_nonzero(pop.inf_active) * w > 0
    assert out["coverage_informal"] == np.count_nonzero(pop.inf_active) / np.count_nonzero(informal)
    assert out["registered_informal"] == np.count_nonzero(pop.registered & informal) * w > 0
    assert out["subsidised"] == np.count_nonzero(pop.payer >= 0) * w
    new = np.flatnonzero(active & ~previous)
    assert out["new_enrollments"] == len(new) * w > 0
    assert out["lapses"] == np.count_nonzero(previous & ~active) * w > 0
    assert sum(out[f"new_via_{n}"] for n in channels.CHANNEL_NAMES.values()) == pytest.approx(len(new) * w)
    assert np.array_equal(m.collector.regency_active[-1], pop.regency_counts(active))
    assert np.array_equal(m.collector.regency_active_informal[-1], pop.regency_counts(pop.inf_active))
