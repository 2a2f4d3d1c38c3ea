"""Awareness: an unaware informal worker cannot join. Workers learn from peers, and from any
outreach that reaches them (campaigns, village activation, Perisai visits, set in outreach.py).

    P(aware this month | unaware) = peer_awareness x F_g

with F_g the coverage of the worker's village or market peers at the start of the month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from model.population import FARMER
from model.streams import draw

if TYPE_CHECKING:
    from model.model import EnrollmentModel


def step(m: EnrollmentModel) -> None:
    """Unaware informal workers learn from their peers (one "awareness" draw each)."""
    rate = m.params["peer_awareness"]
    # Only a draw below peer_awareness x the largest F_g can succeed: F_g is looked up for those.
    _learn(m.pop.segment, m.pop.aware, m.pop.peer_group, m.peer_coverage,
           m.streams.key_u64("awareness", m.t), rate * m.peer_coverage.max(), np.float32(rate))


# The workers are visited in blocks of _BLOCK, each in loops the compiler vectorizes (flags, then
# draws against the bound), then its few candidates looked at word by word (8 flags at a time).
_BLOCK = 4096


@numba.njit(cache=True)
def _learn(segment, aware, peer_group, coverage, key, bound, rate):
    """One pass over the workers: an unaware informal worker becomes aware if their draw (key)
    is below `bound` and below rate x coverage of their peer group (a float32 product, as numpy
    multiplies the python rate by the float32 coverage). In a block with anyone unaware,
    everyone's draw is worked out (vectorized); a draw depends only on its worker."""
    n = segment.size
    aware = aware.view(np.uint8)
    flag = np.zeros(_BLOCK, dtype=np.uint8)
    words = flag.view(np.uint64)
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        seg, aw = segment[lo:hi], aware[lo:hi]
        anyone = np.uint8(0)
        for j in range(hi - lo):
            f = np.uint8(seg[j] >= FARMER) & (aw[j] ^ np.uint8(1))
            flag[j] = f
            anyone |= f
        if anyone == 0:
            continue
        for j in range(hi - lo):
            flag[j] &= np.uint8(draw(key, lo + j) < bound)
        flag[hi - lo:] = 0
        for w in range(_BLOCK >> 3):
            if words[w] != 0:
                for b in range(8):
                    i = lo + 8 * w + b
                    if flag[8 * w + b] and draw(key, i) < rate * coverage[peer_group[i]]:
                        aware[i] = 1
