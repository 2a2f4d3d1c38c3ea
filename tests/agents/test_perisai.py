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


@pytest.mark.parametrize("start_share, k", [(0.0, 150), (0.5, 1500), (0.97, 3000),
                                            (0.3, 10**6), (1.0, 40)])
def test_open_positions_are_the_next_k_open_workers_round_the_route(model, start_share, k):
    route = model.perisai_routes[0]
    start = int(start_share * len(route))
    model.decided[route[::5]] = True      # some decided already this month: not open
    fast = perisai._open_positions(model, route, start, k)
    assert np.array_equal(fast, _plain_open_positions(model, route, start, k))
    assert len(fast) == min(k, len(_plain_open_positions(model, route, 0, 10**9)))
