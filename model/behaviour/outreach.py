"""Outreach by the branch offices: socialization campaigns and the village ecosystem.

Campaigns reach `campaign_reach_per_month` workers drawn at random in each regency (formal
workers reached are not at risk, so their reach is spent); reached informal workers become
aware and get a small take-up boost this month (campaign_effect).

Village activation: `villages_per_month` new villages a month, desa before kelurahan, in an
order fixed by the seed, at most `village_activation_capacity` a month in the whole region
(villages asked for beyond it wait for later months: the output `unmet_village_activations`).
At activation every informal resident becomes aware and is approached once; afterwards each
uncovered resident is approached with probability `village_contact_rate` a month (assisted
registration, village_contact_effect). Residents of activated villages have a contribution
collector (payment.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from model import arrays, channels, data, streams
from model.population import FARMER

if TYPE_CHECKING:
    from model.model import EnrollmentModel


def campaign_states(m: EnrollmentModel) -> np.ndarray:
    """The campaign streams of every month and regency, set up at build: [month, regency]."""
    return m.streams.generator_states("campaign", np.arange(m.n_months + 1),
                                      np.arange(len(m.regency_names)))


def campaign_audiences(m: EnrollmentModel, states: np.ndarray) -> list[np.ndarray | None]:
    """Each month's campaign audience (as `audience(m, t)` draws it), drawn at build for every
    month whose streams are all small enough to be drawn together (`Streams.integers_many`: one
    pass for the whole run instead of a generator set up per regency and month); None for the
    other months, drawn in their month. The draws depend only on the seed and the counts."""
    reach = m.counts["campaign_reach_per_month"]
    start = m.pop.regency_start
    small = ((reach + 9) // 2 <= streams.BATCH_OUTPUTS).all(axis=1)
    months, regs = np.nonzero(small[:, None] & (reach > 0))      # month by month, then regency
    k = reach[months, regs]
    drawn = m.streams.integers_many(states[months, regs], np.diff(start)[regs], k)
    drawn += np.repeat(start[regs], k)
    ends = np.concatenate(([0], np.cumsum(k)))      # where each stream's draws start in `drawn`
    bounds = ends[np.searchsorted(months, np.arange(len(reach) + 1))]
    return [drawn[bounds[t]:bounds[t + 1]] if ok else None for t, ok in enumerate(small.tolist())]


def audience(m: EnrollmentModel, t: int) -> np.ndarray:
    """Month t's campaign audience, regency by regency: regency r's is drawn from stream
    ("campaign", t, r), set up for the whole run at build (BranchOffice.campaign_states)."""
    pop = m.pop
    reach = m.counts["campaign_reach_per_month"][t]
    states, start = m.branch.campaign_states[t], pop.regency_start.tolist()   # Python ints: cheaper calls
    drawn = [start[r] + m.streams.integers(states[r], start[r + 1] - start[r], k)
             for r, k in enumerate(reach.tolist()) if k]
    return np.concatenate(drawn) if drawn else np.zeros(0, dtype=np.int64)


def campaign(m: EnrollmentModel) -> int:
    """Reach this month's campaign audience; returns simulated workers reached."""
    pop = m.pop
    reach = m.counts["campaign_reach_per_month"][m.t]
    ids = m.branch.campaign_audiences[m.t]
    if ids is None:
        ids = audience(m, m.t)
    if len(ids):                     # regencies share no workers: one pass over all reached
        _reach(ids, pop.segment, pop.aware, m.contact, channels.CAMPAIGN_CONTACT)
    return int(reach.sum())


@numba.njit(cache=True)
def _reach(ids, segment, aware, contact, code):
    """In place, for the informal workers among `ids` (formal ones reached are not at risk):
    aware, and contacted with at least `code`. One pass (a worker reached twice is the same)."""
    for w in ids:
        if segment[w] >= FARMER:
            aware[w] = True
            contact[w] = max(contact[w], code)


def activate_villages(m: EnrollmentModel) -> int:
    """Activate this month's villages; returns how many were activated.

    Villages are activated only here, in queue order, so each regency's waiting villages are
    its queue after the `villages_queued` already activated."""
    branch = m.branch
    queued, bounds = branch.villages_queued, branch.village_queue_bounds
    branch.villages_asked += m.counts["villages_per_month"][m.t]
    take = np.minimum(branch.villages_asked - queued, np.diff(bounds) - queued)
    if not take.any():
        return 0
    capacity = int(m.counts["village_activation_capacity"][m.t])
    if take.sum() > capacity:   # activated at the pace; the rest waits (BranchOffice.village_backlog)
        take = np.minimum(take, data.largest_remainder(capacity, take))
    newly = branch.village_queue[arrays.ranges(bounds[:-1] + queued, take)]
    branch.villages_queued += take
    branch.village_active[newly] = True
    residents = m.residents_of(newly)
    branch.in_active_village[residents] = True
    residents = residents[m.pop.segment[residents] >= FARMER]
    m.pop.aware[residents] = True
    _contact(m, residents, channels.VILLAGE_CONTACT)
    return len(newly)


def village_contacts(m: EnrollmentModel) -> None:
    """Monthly approaches by the promoters of villages activated earlier."""
    pop = m.pop
    if not m.branch.villages_queued.any():
        return
    ids = np.flatnonzero(m.branch.in_active_village & (pop.segment >= FARMER) & ~pop.inf_active)
    hit = ids[m.streams.uniform("village_contact", m.t, ids) < m.params["village_contact_rate"]]
    pop.aware[hit] = True
    _contact(m, hit, channels.VILLAGE_CONTACT)


def village_queue(m: EnrollmentModel) -> tuple[np.ndarray, np.ndarray]:
    """All villages in activation order, regency by regency (`bounds[r]:bounds[r + 1]`): desa
    first, then by a seeded priority."""
    places = m.pop.places
    ids = np.arange(places.n_villages)
    priority = m.streams.uniform("village_priority", -1, ids)
    order = np.lexsort((priority, ~places.village_is_desa, places.village_regency))
    bounds = np.searchsorted(places.village_regency[order], np.arange(len(m.regency_names) + 1))
    return order, bounds.astype(np.int64)


def _contact(m: EnrollmentModel, ids: np.ndarray, code: int) -> None:
    """Record the strongest contact per worker this month."""
    m.contact[ids] = np.maximum(m.contact[ids], code)
