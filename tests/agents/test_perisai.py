"""Perisai agents walk their regency's route from where they stopped last month."""

import numpy as np
import pytest

from agents import perisai
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
    return m.perisai_route_ids[m.perisai_route_bounds[r]:m.perisai_route_bounds[r + 1]]


@pytest.mark.parametrize("start_share, k", [(0.0, 150), (0.5, 1500), (0.97, 3000),
                                            (0.3, 10**6), (1.0, 40)])
def test_open_positions_are_the_next_k_open_workers_round_the_route(model, start_share, k):
    regs = np.array([0, 3, 4, 16])
    routes = [_route(model, r) for r in regs]
    starts = np.array([int(start_share * len(route)) for route in routes])
    need = np.array([k, 1, 0, 2 * k])               # a regency that needs none gets none
    for route in routes:
        model.decided[route[::5]] = True           # some decided already this month: not open
    pos, of = perisai._open_positions(model, regs, starts, need)
    for j, route in enumerate(routes):
        plain = _plain_open_positions(model, route, starts[j], need[j])
        assert np.array_equal(pos[of == j], plain)
        assert len(plain) == min(need[j], len(_plain_open_positions(model, route, 0, 10**9)))
    assert np.all(np.diff(of) >= 0)                 # regency by regency
