"""Awareness: an unaware informal worker cannot join. Workers learn from peers, and from any
outreach that reaches them (campaigns, village activation, Perisai visits, set in outreach.py).

    P(aware this month | unaware) = peer_awareness x F_g

with F_g the coverage of the worker's village or market peers at the start of the month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.population import FARMER

if TYPE_CHECKING:
    from model.model import EnrollmentModel


def step(m: EnrollmentModel) -> None:
    pop = m.pop
    ids = np.flatnonzero(~pop.aware & (pop.segment >= FARMER))
    u = m.streams.uniform("awareness", m.t, ids)
    # Only a draw below peer_awareness x the largest F_g can succeed: look up F_g for those.
    maybe = np.flatnonzero(u < m.params["peer_awareness"] * m.peer_coverage.max())
    ids, u = ids[maybe], u[maybe]
    p = m.params["peer_awareness"] * m.peer_coverage[pop.peer_group[ids]]
    pop.aware[ids[u < p]] = True
