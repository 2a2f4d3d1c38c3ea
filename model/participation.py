"""The one owner of a worker's informal (BPU) participation: every change of it happens here.

A worker's participation is eight arrays of the Population, written by no other module
(tests/model/test_imports.py checks the source), and three derived ones kept here with them:

    registered    has a BPJS number (can resume by paying)
    inf_active    active participant
    active_by_group  active participants by peer group (the month's peer coverage reads it):
                  kept here wherever inf_active changes, so it never needs a pass over every
                  worker; a worker's peer group changes only while they are not active
    stopped       stopped paying (still active until `lapse_months` unpaid months)
    unpaid        consecutive unpaid months
    payer         who pays: SELF_PAYER, regency r's local government (r), the province or a pilot
    payer_in_order  the same payers in subsidy waiting-list order (payer_in_order[k] is the
                  payer of worker by_priority[k]): every payer's beneficiaries, already in
                  waiting-list order, come from one pass over it (local_government.py)
    payer_changes  the workers whose payer was set since `take_payer_changes` was last called
                  (so those lists can be kept from month to month)
    subsidy_used  months a government has paid so far
    payer_since   the month the current payer took the worker on (how long they were covered)
    paid_own_before  the worker was paying their own premium when the payer took them on

The transitions, each with the reason a newly active worker is credited to (a channel of
model/channels.py, the month's `EnrollmentModel.channel`):

    enrol        join (or resume) and pay; `reasons` per worker (self, campaign, village, Perisai,
                 subsidy, pilot)
    pay          a payer pays this month: active again, arrears cleared (`reason` for re-activated)
    stop         a self-payer stops paying
    month_end    every unpaid participant moves a month toward lapsing; lapse at `lapse_months`
    end_subsidy  the payer stops paying: the worker pays themselves or stops
    set_payer    a government or pilot takes the worker on
    leave        the worker takes a wage job: BPU membership and any subsidy end
    start_*      the month-0 state (model/population.py draws who)

Behaviours decide (draws, rules) and ask this module to carry the decision out; they read the
arrays freely. Payer codes follow from the region's regency count (`Payers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numba
import numpy as np

from model import channels

if TYPE_CHECKING:
    from model.model import EnrollmentModel
    from model.population import Population

SELF_PAYER = -1   # the worker pays their own premium


@dataclass(frozen=True)
class Payers:
    """Payer codes of a run: regency r's local government is r (0..n_regencies - 1), then the
    province, then a pilot. Worked out from the region, never fixed in code."""

    n_regencies: int

    @property
    def province(self) -> int:
        return self.n_regencies

    @property
    def pilot(self) -> int:
        return self.n_regencies + 1

    @property
    def governments(self) -> int:
        """Government payer codes are 0..governments - 1 (the regencies and the province)."""
        return self.n_regencies + 1


# -------------------------------------------------------------------- month 0
def allocate(pop: Population) -> None:
    """Empty participation arrays (nobody registered, everybody a self-payer)."""
    n = pop.n
    pop.registered = np.zeros(n, dtype=bool)
    pop.inf_active = np.zeros(n, dtype=bool)
    pop.active_by_group = np.zeros(pop.places.n_groups, dtype=np.int64)
    pop.stopped = np.zeros(n, dtype=bool)
    pop.unpaid = np.zeros(n, dtype=np.int8)
    pop.payer = np.full(n, SELF_PAYER, dtype=np.int8)
    pop.payer_in_order = np.full(n, SELF_PAYER, dtype=np.int8)
    pop.payer_changes = []
    pop.subsidy_used = np.zeros(n, dtype=np.int16)
    pop.payer_since = np.zeros(n, dtype=np.int16)
    pop.paid_own_before = np.zeros(n, dtype=bool)


def _flip(pop: Population, changed: np.ndarray, active: bool) -> None:
    """inf_active = active for `changed`, workers whose inf_active is not `active` (in any order,
    perhaps repeated), and the count by peer group with it."""
    if len(changed) == 0:                # most calls (a payer's month re-activates nobody)
        return
    if len(changed) > 1 and not (changed[1:] > changed[:-1]).all():
        changed = np.sort(changed)       # each counted once (np.unique costs 40 us a call)
        changed = changed[np.concatenate(([True], changed[1:] != changed[:-1]))]
    pop.inf_active[changed] = active
    by_group = np.bincount(pop.peer_group[changed], minlength=len(pop.active_by_group))
    if active:
        pop.active_by_group += by_group
    else:
        pop.active_by_group -= by_group


def start_active(pop: Population, ids: np.ndarray) -> None:
    """Self-paying participants at month 0."""
    _flip(pop, ids[~pop.inf_active[ids]], True)


def start_registered(pop: Population, lapsed: np.ndarray) -> None:
    """Lapsed registrations at month 0; every active participant is registered too."""
    pop.registered[lapsed] = True
    pop.registered |= pop.inf_active


def start_in_arrears(pop: Population, ids: np.ndarray, unpaid: np.ndarray) -> None:
    """Participants who had already stopped paying `unpaid` months before month 0."""
    pop.stopped[ids] = True
    pop.unpaid[ids] = unpaid


# -------------------------------------------------------------------- transitions
def enrol(m: EnrollmentModel, ids: np.ndarray, reasons: np.ndarray) -> None:
    """Make `ids` paying informal participants; credit newly active ones to their reason."""
    pop = m.pop
    newly = ~pop.inf_active[ids]
    joining = ids[newly]
    m.channel[joining] = reasons[newly]
    _flip(pop, joining, True)
    pop.registered[ids] = True
    pop.aware[ids] = True
    pop.stopped[ids] = False
    pop.unpaid[ids] = 0


def pay(m: EnrollmentModel, ids: np.ndarray, reason: int | None = channels.SUBSIDY,
        subsidised_month: bool = True) -> None:
    """A payer pays this month for `ids` (distinct workers): active (re-activated ones credited
    to `reason`, or to nobody when None), arrears cleared; `subsidised_month` counts the month
    in `subsidy_used`."""
    pop = m.pop
    reactivated = _paid(ids, pop.inf_active, pop.unpaid, pop.stopped, pop.subsidy_used, subsidised_month)
    if reason is not None:
        m.channel[reactivated] = reason
    _flip(pop, reactivated, True)


@numba.njit(cache=True)
def _paid(ids, inf_active, unpaid, stopped, subsidy_used, subsidised_month):
    """`pay`'s arrays in one pass over `ids` (distinct workers): arrears cleared, the month
    counted if subsidised; returns the inactive ones (to re-activate), in the order of `ids`."""
    inactive = np.empty(len(ids), dtype=np.int64)
    n = 0
    for w in ids:
        if not inf_active[w]:
            inactive[n] = w
            n += 1
        unpaid[w] = 0
        stopped[w] = False
        if subsidised_month:
            subsidy_used[w] += 1
    return inactive[:n]


def stop(m: EnrollmentModel, ids: np.ndarray) -> None:
    """Self-payers `ids` stop paying (they stay active until they lapse)."""
    m.pop.stopped[ids] = True


def month_end(m: EnrollmentModel, unpaid_beneficiaries: np.ndarray,
              stopped: np.ndarray | None = None) -> None:
    """Everyone unpaid this month (stopped self-payers and the beneficiaries whose payer has not
    paid) moves one month toward lapsing; at `lapse_months` they become inactive. `stopped`: the
    active participants who have stopped paying (inf_active & stopped, each once) if the caller
    has them; otherwise one pass finds them."""
    pop = m.pop
    if stopped is None:
        stopped = _stopped_active(pop.inf_active, pop.stopped)
    _month_end(unpaid_beneficiaries, stopped, pop.inf_active, pop.stopped, pop.unpaid, pop.peer_group,
               pop.active_by_group, float(m.params["lapse_months"]))


@numba.njit(cache=True)
def _stopped_active(inf_active, stopped):
    """The ids (ascending, int64) of the active participants who have stopped paying."""
    active, stop = inf_active.view(np.uint8), stopped.view(np.uint8)
    out = np.empty(inf_active.size, dtype=np.int64)
    k = 0
    for i in range(inf_active.size):
        out[k] = i
        k += active[i] & stop[i]
    return out[:k].copy()


@numba.njit(cache=True)
def _month_end(beneficiaries, stopped_ids, inf_active, stopped, unpaid, peer_group, active_by_group,
               lapse):
    """In place: each worker of `stopped_ids` (each once) and of `beneficiaries` (in any order, maybe
    repeated; one active and stopped is among `stopped_ids`) counts one unpaid month, once; at
    `lapse` months a worker is reset (not stopped, unpaid 0) and, if active, inactive (one fewer
    active in their peer group). Branch-free: a branch on a value not yet read from memory
    would wait for each read in turn (three times slower at full scale)."""
    active, stop = inf_active.view(np.uint8), stopped.view(np.uint8)
    ids = np.empty(beneficiaries.size + stopped_ids.size, dtype=np.int64)
    k = 0
    if beneficiaries.size:
        seen = np.zeros(active.size, dtype=np.uint8)     # marks, not a sort (5 ms for 140,000)
        for i in beneficiaries:
            ids[k] = i
            k += (seen[i] | (active[i] & stop[i])) ^ 1
            seen[i] = 1
    ids[k:k + stopped_ids.size] = stopped_ids
    k += stopped_ids.size
    lapsed = np.empty(k, dtype=np.int64)
    n_lapsed = 0
    for j in range(k):
        i = ids[j]
        unpaid[i] += 1
        lapsed[n_lapsed] = i
        n_lapsed += unpaid[i] >= lapse
    for j in range(n_lapsed):
        i = lapsed[j]
        active_by_group[peer_group[i]] -= active[i]
        active[i] = 0
        stop[i] = 0
        unpaid[i] = 0


def set_payer(m: EnrollmentModel, ids: np.ndarray, code: int, subsidised_month: bool = False) -> None:
    """Payer `code` takes `ids` on (counting this month as subsidised if it pays for it now);
    remembers the month and whether each was paying their own premium until now."""
    pop = m.pop
    pop.paid_own_before[ids] = pop.inf_active[ids] & ~pop.stopped[ids] & (pop.payer[ids] == SELF_PAYER)
    pop.payer_since[ids] = m.t
    _set_payer_code(pop, ids, code)
    if subsidised_month:
        pop.subsidy_used[ids] += 1


def end_subsidy(m: EnrollmentModel, ids: np.ndarray, keeps: np.ndarray) -> None:
    """The payer stops paying for `ids`: they pay themselves again; active ones that do not
    `keep` paying stop (and lapse later)."""
    pop = m.pop
    _set_payer_code(pop, ids, SELF_PAYER)
    pop.paid_own_before[ids] = False
    active = pop.inf_active[ids]
    pop.stopped[ids[active & ~keeps]] = True


def leave(m: EnrollmentModel, ids: np.ndarray) -> None:
    """`ids` take wage jobs: their BPU membership and any subsidy end (registration stays)."""
    pop = m.pop
    _flip(pop, ids[pop.inf_active[ids]], False)
    pop.stopped[ids] = False
    pop.unpaid[ids] = 0
    _set_payer_code(pop, ids, SELF_PAYER)
    pop.paid_own_before[ids] = False


def _set_payer_code(pop: Population, ids: np.ndarray, code: int) -> None:
    """payer = code for `ids`, its copy in waiting-list order with it, and the change logged
    (only for those whose payer it changes: a worker taking a job is mostly a self-payer)."""
    moved = ids[pop.payer[ids] != code]
    pop.payer[moved] = code
    pop.payer_in_order[pop.priority_rank[moved]] = code
    if len(moved):
        pop.payer_changes.append(moved.astype(np.int64))


def take_payer_changes(pop: Population) -> np.ndarray:
    """The workers whose payer was set since the last call (perhaps repeated, in any order),
    and the log emptied: whoever keeps lists by payer updates them from it."""
    changed = np.concatenate(pop.payer_changes) if pop.payer_changes else np.zeros(0, dtype=np.int64)
    pop.payer_changes = []
    return changed


def rejoin_registered(m: EnrollmentModel, ids: np.ndarray) -> None:
    """Wage earners `ids` become informal workers: they keep the BPJS number their employer gave."""
    m.pop.registered[ids] = True
