"""Formal coverage: firms register all, part (PDS) or none of their wage earners; construction
workers are registered per project; job turnover moves workers between firms and sectors.

A wage earner is active when their firm is FULL, or PARTIAL and the worker is among the
`partial_registered_share` it registers (population.wage_active). Each month:

* partnerships: `firms_per_month` firms not yet approached and not FULL sign; each becomes FULL
  with probability `partnership_success`;
* inspections: `inspections_per_month` NONE or PARTIAL firms, chosen at random; each becomes FULL
  with probability `inspection_success`;
* registered firms stop paying with probability `firm_dropout_rate` (-> NONE), unregistered
  ones register on their own with probability `firm_registration_rate` (-> FULL);
* job turnover: wage earners leave with probability `job_separation_rate`; a share
  `formal_exit_share` of leavers become urban informal workers and as many informal workers take
  wage jobs; the rest move to another firm (chosen in proportion to its month-0 size);
* construction: a registered project ends with probability 1 / construction_project_months; an
  unregistered worker starts a registered project at the rate that keeps the month-0 share.
Turnover and construction never depend on coverage, so they are identical in every scenario.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from model import channels, participation
from model.population import FARMER, FULL, NONE, URBAN, WAGE
from model.streams import draw

if TYPE_CHECKING:
    from model.model import EnrollmentModel


def partnership_queue(m: EnrollmentModel) -> list[np.ndarray]:
    """Each regency's firms in the order the branch approaches them (a seeded shuffle)."""
    firms = m.pop.firms
    order = np.argsort(m.streams.uniform("firm_priority", -2, np.arange(firms.n)))
    return [order[firms.regency[order] == r] for r in range(len(m.regency_names))]


def partnerships(m: EnrollmentModel) -> int:
    """Sign this month's partnerships; returns how many firms signed."""
    firms = m.pop.firms
    chosen = []
    for r, k in enumerate(m.counts["firms_per_month"][m.t]):
        if k:
            queue = m.branch.firm_queue[r]
            open_ = queue[~firms.partnered[queue] & (firms.state[queue] != FULL)]
            chosen.append(open_[:k])
    if not chosen:
        return 0
    signed = np.concatenate(chosen)
    firms.partnered[signed] = True
    ok = signed[m.streams.uniform("partnership", m.t, signed) < m.params["partnership_success"]]
    _register(m, ok)
    return len(signed)


def _lowest(values: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the k lowest `values`, lowest first: `np.argsort(values)[:k]` (for distinct
    values, as draws are) without sorting the rest."""
    if k >= len(values):
        return np.argsort(values)
    part = np.argpartition(values, k - 1)[:k]
    return part[np.argsort(values[part])]


def inspections(m: EnrollmentModel) -> int:
    """Inspect this month's firms; returns how many were inspected."""
    firms = m.pop.firms
    counts = m.counts["inspections_per_month"][m.t]
    regencies = np.flatnonzero(counts)
    if not len(regencies):
        return 0
    # Firms are numbered regency by regency (population._firms), so the open firms, ascending,
    # are each regency's open firms in turn: one pass instead of one per regency.
    open_ = np.flatnonzero(firms.state != FULL)
    bounds = np.searchsorted(firms.regency[open_], np.arange(len(counts) + 1))
    chosen = []
    for r in regencies:
        candidates = open_[bounds[r]:bounds[r + 1]]
        order = m.streams.uniform("inspection", m.t, candidates, extra=1)
        chosen.append(candidates[_lowest(order, counts[r])])
    inspected = np.concatenate(chosen)
    ok = inspected[m.streams.uniform("inspection", m.t, inspected) < m.params["inspection_success"]]
    _register(m, ok)
    return len(inspected)


def _register(m: EnrollmentModel, firm_ids: np.ndarray) -> None:
    m.pop.firms.state[firm_ids] = FULL
    m.firm_channel[firm_ids] = channels.FIRMS


def firm_dynamics(m: EnrollmentModel) -> None:
    """Registered firms may stop paying; unregistered ones may register on their own."""
    _firm_dynamics(m.pop.firms.state, m.streams.key_u64("firm_dropout", m.t),
                   m.streams.key_u64("firm_registration", m.t),
                   m.params["firm_dropout_rate"], m.params["firm_registration_rate"])


@numba.njit(cache=True)
def _firm_dynamics(state, drop_key, join_key, drop_rate, join_rate):
    """In place: a firm not NONE drops (-> NONE) if its "firm_dropout" draw is below drop_rate;
    one not FULL that did not drop registers (-> FULL) if its "firm_registration" draw is below
    join_rate (drawn only for the firms at risk: each firm's draw is its own)."""
    for f in range(state.size):
        s = state[f]
        if s != NONE and draw(drop_key, f) < drop_rate:
            state[f] = NONE
        elif s != FULL and draw(join_key, f) < join_rate:
            state[f] = FULL


def turnover(m: EnrollmentModel) -> None:
    """Job separations, moves between firms, and swaps between wage and informal work."""
    pop, par = m.pop, m.params
    # u < separation rate: leaves; the lowest formal_exit_share of those go informal.
    to_informal, movers, pool_start = _separations(
        pop.segment, pop.official, m.streams.key_u64("separation", m.t),
        par["job_separation_rate"], par["job_separation_rate"] * par["formal_exit_share"])
    rng = m.streams.seeded(m.job_move_states[m.t])      # = generator("job_move", t), set up at build
    pop.set_firm(movers, _hiring_firms(m, len(movers), rng))
    entrants = _entrants(m, len(to_informal), rng, pool_start)
    _leave_for_informal(m, to_informal)
    _enter_wage_job(m, entrants, rng)


# The entrants' pool (informal workers, not village officials) is counted in blocks of 2**_POOL_SHIFT
# workers, so the k-th member is found by scanning one block.
_POOL_SHIFT = 7
_BLOCK = 1 << _POOL_SHIFT


@numba.njit(cache=True)
def _separations(segment, official, key, leave_rate, exit_rate):
    """One pass over the workers. Wage earners draw "separation" (key); a draw below exit_rate
    goes informal, one below leave_rate moves firm. Returns (to_informal, movers), ascending
    ids (int64), and pool_start: pool_start[b] = members of the entrants' pool among workers
    [0, b << _POOL_SHIFT) (so pool_start[-1] is the pool's size)."""
    n = segment.size
    to_informal = np.empty(n, dtype=np.int64)
    movers = np.empty(n, dtype=np.int64)
    n_blocks = (n >> _POOL_SHIFT) + 1
    pool_start = np.zeros(n_blocks + 1, dtype=np.int64)
    off = official.view(np.uint8)
    u = np.empty(_BLOCK)
    n_out = n_move = 0
    # Block by block. Every worker's draw is made (a wage earner's is the one used; the others
    # cost less than picking the wage earners out first): a fixed-length loop without branches
    # the compiler vectorizes counts the pool members and the block's leavers, and only a block
    # with a leaver (or the last, shorter one) is walked again to list them.
    for block in range(n_blocks):
        lo, hi = block << _POOL_SHIFT, min((block + 1) << _POOL_SHIFT, n)
        members = leaves = 0
        if hi - lo == _BLOCK:
            for k in range(_BLOCK):
                s, x = segment[lo + k], draw(key, lo + k)
                u[k] = x
                members += (s >= FARMER) & (off[lo + k] == 0)
                leaves += (x < leave_rate) & (s == WAGE)
        else:
            for i in range(lo, hi):
                u[i - lo] = draw(key, i)
                members += (segment[i] >= FARMER) & (off[i] == 0)
            leaves = 1
        pool_start[block + 1] = pool_start[block] + members
        if leaves:
            for i in range(lo, hi):
                # `&`, not `and`: the draw test is almost always false, so the branch is
                # predictable, while a test of the segment first is not once job moves mix them.
                if (u[i - lo] < leave_rate) & (segment[i] == WAGE):
                    if u[i - lo] < exit_rate:
                        to_informal[n_out] = i
                        n_out += 1
                    else:
                        movers[n_move] = i
                        n_move += 1
    return to_informal[:n_out].copy(), movers[:n_move].copy(), pool_start


@numba.njit(cache=True)
def _pool_members(segment, official, pool_start, ranks, order):
    """The worker id of each rank of the entrants' pool (0: its lowest id), the pool as
    `_separations` counted it into pool_start (segments not changed since). The ranks are
    visited in ascending order (`order`), so the blocks and workers are walked upward once."""
    out = np.empty(ranks.size, dtype=np.int64)
    block = 0
    for j in order:
        while pool_start[block + 1] <= ranks[j]:     # the block holding it
            block += 1
        i = block << _POOL_SHIFT
        left = ranks[j] - pool_start[block] + 1      # members up to and including it
        while True:
            left -= (segment[i] >= FARMER) & (not official[i])
            if left == 0:
                break
            i += 1
        out[j] = i
    return out


def hiring_cdf(m: EnrollmentModel) -> np.ndarray:
    """Cumulative hiring weights of the firms (their month-0 sizes), as numpy's
    `Generator.choice(n, p=weights)` builds it on every call: built once at build instead."""
    weights = m.pop.firms.workers.astype(float)
    cdf = (weights / weights.sum()).cumsum()
    cdf /= cdf[-1]
    return cdf


def _hiring_firms(m: EnrollmentModel, k: int, rng) -> np.ndarray:
    """Firms for k new hires, chosen in proportion to their month-0 size: the draws and firms of
    `rng.choice(n_firms, size=k, p=weights)` (tests/model/test_fast_paths.py), without checking
    and summing the weights each month. None drawn for k=0, which leaves `rng` where it was."""
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    u = rng.random(k)
    return _firms_at(m.firm_hiring_cdf, u, np.argsort(u))


@numba.njit(cache=True)
def _firms_at(cdf, u, order):
    """`cdf.searchsorted(u, side="right")` (intp): the draws in ascending order (`order`), each
    searched from the last one's firm up (galloping, then bisecting), so many draws walk the
    cdf about once and a few cost a bisection each."""
    firms = np.empty(u.size, dtype=np.intp)
    f, n = 0, cdf.size          # cdf[:f] <= every draw still to come
    for j in order:
        x, step, hi = u[j], 1, f
        while hi < n and cdf[hi] <= x:      # gallop to a bound hi with cdf[hi] > x (or the end)
            f, hi, step = hi + 1, hi + 1 + step, 2 * step
        hi = min(hi, n)
        f += np.searchsorted(cdf[f:hi], x, side="right")
        firms[j] = f
    return firms


def _entrants(m: EnrollmentModel, k: int, rng, pool_start: np.ndarray) -> np.ndarray:
    """Informal workers (not village officials) who take wage jobs, as many as left them:
    `rng.choice(pool, size, replace=False)`, which draws positions in the pool from its size
    alone (then `pool[positions]`), with the pool counted by `_separations`."""
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    size = int(pool_start[-1])
    ranks = rng.choice(size, size=min(k, size), replace=False)
    return _pool_members(m.pop.segment, m.pop.official, pool_start, ranks, np.argsort(ranks))


def _leave_for_informal(m: EnrollmentModel, ids: np.ndarray) -> None:
    pop = m.pop
    _join_informal(ids, pop.peer_group, m.peer_members, pop.segment, pop.aware)
    pop.set_firm(ids, -1)
    participation.rejoin_registered(m, ids)


@numba.njit(cache=True)
def _join_informal(ids, peer_group, peer_members, segment, aware):
    """In place, for wage earners `ids` going informal: one more member of their peer group
    (their village), segment URBAN, aware (they had a BPJS number through their employer)."""
    for i in ids:
        peer_members[peer_group[i]] += 1
        segment[i] = URBAN
        aware[i] = True


def _enter_wage_job(m: EnrollmentModel, ids: np.ndarray, rng) -> None:
    """An informal worker's BPU membership ends when they become a wage earner; a subsidy they
    had ends too (counted with the month's ended subsidies; their payer has no one to pay)."""
    pop = m.pop
    m.tally["subsidies_ended"] += _leave_informal(ids, pop.payer, pop.peer_group, m.peer_members)
    participation.leave(m, ids)          # before _join_wage: counted out of the peer group they leave
    _join_wage(ids, pop.segment, pop.market, pop.peer_group, pop.village)
    pop.set_firm(ids, _hiring_firms(m, len(ids), rng))


@numba.njit(cache=True)
def _leave_informal(ids, payer, peer_group, peer_members):
    """In place, for informal workers `ids` taking wage jobs: one member fewer in their peer
    group. Returns how many of them had a subsidy (payer >= 0)."""
    subsidised = 0
    for i in ids:
        subsidised += payer[i] >= 0
        peer_members[peer_group[i]] -= 1
    return subsidised


@numba.njit(cache=True)
def _join_wage(ids, segment, market, peer_group, village):
    """In place: `ids` are wage earners, with no market, their peer group their village."""
    for i in ids:
        segment[i] = WAGE
        market[i] = -1
        peer_group[i] = village[i]


def construction(m: EnrollmentModel) -> None:
    """Registered projects end; unregistered construction workers start registered ones."""
    par = m.params
    end_rate = 1.0 / par["construction_project_months"]
    start_rate = end_rate * m.construction_share0 / max(1e-9, 1.0 - m.construction_share0)
    _construction(m.pop.con_active, m.construction_workers, m.streams.key_u64("construction", m.t),
                  end_rate, start_rate)


@numba.njit(cache=True)
def _construction(con_active, ids, key, end_rate, start_rate):
    """In place: each worker of ids draws "construction" (key); a registered project ends if
    the draw is below end_rate, an unregistered worker starts one if it is below start_rate."""
    for j in range(ids.size):
        i = ids[j]
        u = draw(key, i)
        if con_active[i]:
            if u < end_rate:
                con_active[i] = False
        elif u < start_rate:
            con_active[i] = True
