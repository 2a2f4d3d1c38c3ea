"""Perisai agents (Penggerak Jaminan Sosial Indonesia): community members who recruit informal
workers, register them on the spot and collect their contributions. Not salaried.

The branches hire at most `perisai_hiring_capacity` agents a month (the whole region, split over
regencies by their hires); hires beyond it wait, reported as `unmet_perisai_hires`.

Each agent works one regency. A month: it visits up to `perisai_visit_capacity` uncovered
informal workers along its regency's route (traders in traditional markets first - the market
ecosystem - then other informal workers), stopping once it has signed
`perisai_recruits_per_month`. A visit makes the worker aware and lets them decide with the
Perisai contact effect and assisted (low) friction, using the worker's own monthly take-up draw.

Pay (BPJS TK 2018): `perisai_commission` (7.5%) of the contributions its recruits paid this month,
plus Rp 500,000 in a month with at least 50 new participants. Quit rule: inactive after
`perisai_idle_months` (3) with no new participant and no contribution (Bali branch 2018); and an
agent whose average earnings over 3 months are below `perisai_reservation_income_idr` quits with
probability `perisai_quit_rate` a month.

At scale s < 1 one simulated agent stands for 1/s real agents and visits simulated workers
(each 1/s real ones), so its recruits and pay are those of one real agent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numba
import numpy as np

from model import channels, data, participation
from model.behaviour import take_up
from model.population import FARMER, SELF_PAYER, TRADER
from model.streams import draw

if TYPE_CHECKING:
    from model.model import EnrollmentModel


class PerisaiAgent(mesa.Agent):
    """One agent. Its month-to-month record (recruits, last three months' pay, idle months) is
    kept in the force's arrays at `index`, so the month's bookkeeping and quit rules run for all
    agents at once (`PerisaiForce.settle`); the attributes below read them."""

    model: EnrollmentModel

    def __init__(self, model: EnrollmentModel, index: int, regency: int):
        super().__init__(model)
        self.index = index
        self.regency = regency
        self.hired_month = model.t

    @property
    def recruits_total(self) -> int:
        return int(self.model.perisai.recruits_total[self.index])

    @property
    def earnings(self) -> list[float]:
        """Rupiah paid in its last (up to) three months, oldest first."""
        force = self.model.perisai
        return [float(x) for x in force.earnings[self.index, 3 - force.months_paid[self.index]:]]

    @property
    def idle_months(self) -> int:
        return int(self.model.perisai.idle[self.index])

    def leave(self) -> None:
        self.model.perisai.active[self.index] = False
        self.remove()


class PerisaiForce:
    """All Perisai agents of a run: their records as arrays indexed by agent (the
    `PerisaiAgent` at each index reads them), the regencies' routes, and the month's steps -
    hire (by the branch office), visit, settle. The state belongs here, not to the model."""

    def __init__(self, m: EnrollmentModel):
        self.model = m
        n_regencies = len(m.regency_names)
        self.route_ids, self.route_bounds = routes(m)
        self.route_pointer = np.zeros(n_regencies, dtype=np.int64)   # where each regency's walk resumes
        # Workers ever recruited (recruiter >= 0: set here only, never reset), ascending: the
        # month's pay looks at them, not at every worker.
        self.recruited = np.flatnonzero(m.pop.recruiter >= 0)
        # Agents' records, by index (agents who left keep their index, inactive).
        self.active = np.zeros(0, dtype=bool)
        self.regency = np.zeros(0, dtype=np.int16)
        self.recruits_total = np.zeros(0, dtype=np.int64)
        self.earnings = np.zeros((0, 3))                    # last three months, oldest first
        self.months_paid = np.zeros(0, dtype=np.int64)      # up to 3
        self.idle = np.zeros(0, dtype=np.int64)
        self.agents: list[PerisaiAgent] = []                # the PerisaiAgent at each index
        # This month's, by index: set by visit and settle, read by the month end.
        self.month_recruits = np.zeros(0, dtype=np.int64)
        self.month_collected = np.zeros(0)
        self.month_pay = np.zeros(0)
        self.quit_u = np.zeros(0)
        self.add(np.repeat(np.arange(n_regencies), m.counts["perisai_agents"][0]))

    def add(self, regencies: np.ndarray) -> None:
        """Hire one agent in each of `regencies`, in that order (indexes follow on)."""
        k = len(regencies)
        if not k:
            return
        self.active = np.concatenate([self.active, np.ones(k, dtype=bool)])
        self.regency = np.concatenate([self.regency, np.asarray(regencies, dtype=np.int16)])
        self.recruits_total = np.concatenate([self.recruits_total, np.zeros(k, dtype=np.int64)])
        self.earnings = np.concatenate([self.earnings, np.zeros((k, 3))])
        self.months_paid = np.concatenate([self.months_paid, np.zeros(k, dtype=np.int64)])
        self.idle = np.concatenate([self.idle, np.zeros(k, dtype=np.int64)])
        first = len(self.agents)
        self.agents.extend(PerisaiAgent(self.model, first + i, int(r)) for i, r in enumerate(regencies))

    def hire(self) -> None:
        """Branches move each regency's active agents toward the target: hire a share of the
        gap, or let go of the least productive agents when the target falls."""
        m = self.model
        target = m.counts["perisai_agents"][m.t]
        gap = target - np.bincount(self.regency[self.active], minlength=len(target))
        hires = np.where(gap > 0, np.ceil(gap * m.params["perisai_hiring_rate"]), 0).astype(np.int64)
        wanted, capacity = int(hires.sum()), int(m.counts["perisai_hiring_capacity"][m.t])
        if wanted > capacity:    # recruited and trained at capacity; the rest waits (and is reported)
            hires = np.minimum(hires, data.largest_remainder(capacity, hires))
            m.tally["unmet_perisai_hires"] += wanted - int(hires.sum())
        self.add(np.repeat(np.arange(len(target)), hires))
        for r in np.flatnonzero(gap < 0):
            agents = [self.agents[i] for i in np.flatnonzero(self.active & (self.regency == r))]
            for agent in sorted(agents, key=lambda a: (a.recruits_total, a.index))[:-gap[r]]:
                agent.leave()

    def visit(self) -> None:
        """All active agents' visits this month, every regency at once.

        Regencies share no workers and a visit reads only the visited worker's state and the
        peers' coverage taken at the start of the month, so working them out together gives
        what visiting one regency after another gives (tests/model/test_golden_outputs.py).
        Three compiled passes (`_kernels` below) and the take-up decision between them: the
        agents by regency, the open workers ahead on each route with their draws, the visits.
        """
        m = self.model
        pop = m.pop
        self.month_recruits = np.zeros(len(self.active), dtype=np.int64)
        capacity = int(m.params["perisai_visit_capacity"])
        targets = np.asarray(m.lever("perisai_recruits_per_month"), dtype=np.float64)
        agents, agent_start, need = _agents_by_regency(self.active, self.regency, targets,
                                                       self.route_bounds, capacity)
        ids, u, take, self.route_pointer = self.open_workers(self.route_pointer, need,
                                                             m.streams.key_u64("take_up", m.t))
        if not len(ids):
            return
        join = take_up.joins_after_contact(m, ids, channels.PERISAI_CONTACT, u)
        joined, first_time, visits = _visit_route(
            ids, join, take, capacity, targets, agents, agent_start, m.decided, pop.aware,
            m.contact, channels.PERISAI_CONTACT, pop.recruiter, self.month_recruits)
        self.recruited = _merged(self.recruited, first_time)
        participation.enrol(m, joined, np.full(len(joined), channels.PERISAI, dtype=np.uint8))
        m.tally["perisai_visits"] += visits

    def open_workers(self, starts: np.ndarray, need: np.ndarray,
                     key: np.uint64) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """For each regency r, the next need[r] workers on its route open to a visit, from
        position starts[r] round to the end and then from the route's beginning: uncovered (or
        stopped) informal self-payers not yet decided this month. Returns their ids, regency by
        regency in walking order, their draws of stream `key`, how many each regency has, and
        where each regency's walk resumes next month (after its last one; starts[r] if none)."""
        m = self.model
        pop = m.pop
        # Whether each worker is open, in one vectorized pass over the arrays (then one byte read
        # per position on the routes, which visit workers in a shuffled order, instead of five).
        is_open = (pop.segment >= FARMER) & (~pop.inf_active | pop.stopped) & (pop.payer == SELF_PAYER) & ~m.decided
        return _open_walk(self.route_ids, self.route_bounds, starts, need, is_open.view(np.uint8), key)

    def settle(self) -> float:
        """Pay agents for this month and apply their quit rules; returns the rupiah paid."""
        m = self.model
        pop, par = m.pop, m.params
        n = len(self.active)
        paying = _paying(self.recruited, pop.inf_active, pop.stopped, pop.payer, SELF_PAYER)
        collected = np.bincount(pop.recruiter[paying], weights=m.premium.price(paying), minlength=n)
        collected = np.where(self.active, collected, 0.0)
        rate = m.lever("perisai_commission")[self.regency]
        allowance = np.where(self.month_recruits >= par["perisai_allowance_threshold"],
                             par["perisai_allowance_idr"], 0.0)
        self.month_collected = collected
        self.month_pay = np.where(self.active, collected * rate + allowance, 0.0)
        # Each agent's quit draw, keyed by its index: drawn for all at once (same values, one call).
        self.quit_u = m.streams.uniform("perisai_quit", m.t, np.arange(n))
        self.end_month()
        return float(self.month_pay.sum())

    def end_month(self) -> None:
        """Every active agent books this month's recruits and pay, then the quit rules apply:
        idle for `perisai_idle_months` (no recruit, nothing collected), or, with three months
        of pay averaging below the reservation income, a quit draw below `perisai_quit_rate`.
        Each agent's rule reads only its own record, so all are applied at once."""
        par = self.model.params
        live = np.flatnonzero(self.active)
        recruits = self.month_recruits[live]
        self.recruits_total[live] += recruits
        earnings = self.earnings
        earnings[live, :2] = earnings[live, 1:]
        earnings[live, 2] = self.month_pay[live]
        self.months_paid[live] = np.minimum(self.months_paid[live] + 1, 3)
        worked = (recruits != 0) | (self.month_collected[live] > 0)
        idle = self.idle[live] = np.where(worked, 0, self.idle[live] + 1)
        mean3 = (earnings[live, 0] + earnings[live, 1] + earnings[live, 2]) / 3   # left to right
        quits = (idle >= par["perisai_idle_months"]) | (
            (self.months_paid[live] == 3) & (mean3 < par["perisai_reservation_income_idr"])
            & (self.quit_u[live] < par["perisai_quit_rate"]))
        for index in live[quits]:
            self.agents[index].leave()

    def has_collector(self, recruiter: np.ndarray) -> np.ndarray:
        """Whether each recruiter index (-1: none) is an active agent who collects premiums."""
        return np.append(self.active, False)[recruiter]


def routes(m: EnrollmentModel) -> tuple[np.ndarray, np.ndarray]:
    """All regencies' routes end to end, and where each starts (`bounds[r]:bounds[r + 1]`).

    A regency's route is the order in which its agents walk: traders first, each group shuffled.
    One flat array lets a month's visits in every regency be worked out together.
    """
    pop = m.pop
    out = []
    for r in range(len(m.regency_names)):
        ids = pop.regency_ids(r)
        ids = ids[pop.segment[ids] >= FARMER]
        order = np.argsort(m.streams.uniform("perisai_route", -1, ids))
        ids = ids[order]
        out.append(np.concatenate([ids[pop.segment[ids] == TRADER], ids[pop.segment[ids] != TRADER]]))
    bounds = np.concatenate([[0], np.cumsum([len(route) for route in out])]).astype(np.int64)
    # Worker ids as intp: the month's gather over every route (`is_open[flat]`) would convert an
    # int32 index to intp first, a copy of the whole route each month.
    return np.concatenate(out).astype(np.intp), bounds


# ---- _kernels: the month's compiled passes (arrays and numbers in, no Python objects) ----

@numba.njit(cache=True)
def _agents_by_regency(active, regency, targets, bounds, capacity):
    """The active agents by regency, then index (a counting sort: what a stable argsort of
    their regencies gives), where each regency's start in that list, and how many visits
    each regency needs: capacity per agent where it has a target and a route, else none."""
    n_regencies = len(bounds) - 1
    start = np.zeros(n_regencies + 1, dtype=np.int64)
    for i in range(len(active)):
        if active[i]:
            start[regency[i] + 1] += 1
    for r in range(n_regencies):
        start[r + 1] += start[r]
    agents = np.empty(start[n_regencies], dtype=np.int64)
    fill = start[:n_regencies].copy()
    for i in range(len(active)):
        if active[i]:
            agents[fill[regency[i]]] = i
            fill[regency[i]] += 1
    need = np.zeros(n_regencies, dtype=np.int64)
    for r in range(n_regencies):
        if targets[r] > 0 and bounds[r + 1] > bounds[r]:
            need[r] = (start[r + 1] - start[r]) * capacity
    return agents, start, need


@numba.njit(cache=True)
def _open_walk(route_ids, bounds, starts, need, is_open, key):
    """`PerisaiForce.open_workers`: each regency's route walked from its start, once round at
    most, taking open workers (is_open, a byte per worker) until it has need[r] of them; then
    their draws."""
    n_regencies = len(bounds) - 1
    ids = np.empty(need.sum() + 1, dtype=np.intp)          # + 1: each position is written
    after = np.empty(len(ids), dtype=np.int64)              # the position after each one
    take = np.zeros(n_regencies, dtype=np.int64)
    ends = starts.copy()
    n = 0
    for r in range(n_regencies):
        if need[r] == 0:
            continue
        length = bounds[r + 1] - bounds[r]
        n_before = n
        p = starts[r]
        for _ in range(length):
            if p == length:                                  # round to the beginning
                p = 0
            w = route_ids[bounds[r] + p]
            p += 1
            # Without a branch on openness (far from predictable): the worker is written at
            # ids[n], and kept by moving n on only if open.
            ids[n] = w
            after[n] = p
            n += is_open[w]
            if n - n_before == need[r]:
                break
        take[r] = n - n_before
        if take[r]:
            ends[r] = after[n - 1]
    u = np.empty(n)
    for i in range(n):
        u[i] = draw(key, ids[i])
    return ids[:n], u, take, ends


@numba.njit(cache=True)
def _visit_route(ids, join, take, capacity, targets, agents, agent_start, decided, aware,
                 contact, code, recruiter, month_recruits):
    """The visits to `ids` (take[r] of regency r, in walking order): the regency's agents take
    `capacity` of them in turn, each stopping once it has signed targets[r]. A visited worker
    is decided, aware and contacted (`code`); one who joins (`join`) is its agent's recruit.
    Returns the recruits' ids in walking order, those of them never recruited before, and the
    number of visits."""
    joined = np.empty(len(ids), dtype=ids.dtype)
    first_time = np.empty(len(ids), dtype=np.int64)
    n_joined = n_first = 0
    visits = 0
    i = 0
    for r in range(len(take)):
        signed = 0
        for k in range(take[r]):
            if k % capacity == 0:                            # the next agent's first visit
                signed = 0
            if signed < targets[r]:
                w = ids[i]
                decided[w] = True
                aware[w] = True
                contact[w] = code
                visits += 1
                if join[i]:
                    agent = agents[agent_start[r] + k // capacity]
                    if recruiter[w] < 0:
                        first_time[n_first] = w
                        n_first += 1
                    recruiter[w] = agent
                    month_recruits[agent] += 1
                    joined[n_joined] = w
                    n_joined += 1
                    signed += 1
            i += 1
    return joined[:n_joined], first_time[:n_first], visits


@numba.njit(cache=True)
def _merged(ascending, new):
    """`ascending` with the values `new` (none of them in it, in any order) in their places: the
    result ascending. Copies the runs between them (np.insert builds a mask as long as both)."""
    new = np.sort(new)
    at = np.searchsorted(ascending, new)
    out = np.empty(len(ascending) + len(new), dtype=ascending.dtype)
    prev = 0
    for j in range(len(new)):
        out[prev + j:at[j] + j] = ascending[prev:at[j]]
        out[at[j] + j] = new[j]
        prev = at[j]
    out[prev + len(new):] = ascending[prev:]
    return out


@numba.njit(cache=True)
def _paying(recruited, inf_active, stopped, payer, self_payer):
    """Those of `recruited` (in their order) who pay for themselves this month: active, not
    stopped, self-payers."""
    out = np.empty(len(recruited) + 1, dtype=np.int64)    # + 1: each worker is written
    n = 0
    for w in recruited:
        # Kept by moving n on, without a branch on each test (they are far from predictable).
        out[n] = w
        n += inf_active[w] & (not stopped[w]) & (payer[w] == self_payer)
    return out[:n]
