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
import numpy as np

from model import arrays, channels, data, participation
from model.behaviour import take_up
from model.population import FARMER, SELF_PAYER, TRADER

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
        what visiting one regency after another gives (tests/model/test_golden_outputs.py),
        without a dozen small array operations per regency per month.
        """
        m = self.model
        n_regencies = len(m.regency_names)
        self.month_recruits = np.zeros(len(self.active), dtype=np.int64)
        capacity = int(m.params["perisai_visit_capacity"])
        if not capacity or not self.active.any():
            return
        agents = np.flatnonzero(self.active)
        agents = agents[np.argsort(self.regency[agents], kind="stable")]   # by regency, then index
        per_regency = np.bincount(self.regency[agents], minlength=n_regencies)
        targets = m.lever("perisai_recruits_per_month")
        regs = np.flatnonzero((per_regency > 0) & (targets > 0) & (np.diff(self.route_bounds) > 0))
        if not len(regs):
            return
        visiting = np.zeros(n_regencies, dtype=bool)
        visiting[regs] = True
        agents = agents[visiting[self.regency[agents]]]
        pos, of = self.open_positions(regs, self.route_pointer[regs], per_regency[regs] * capacity)
        if len(pos):
            self._visit(regs, pos, of, agents, per_regency[regs], capacity, targets)

    def open_positions(self, regs: np.ndarray, starts: np.ndarray,
                       need: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each regency regs[j], the positions on its route of the next need[j] workers open
        to a visit, from starts[j] round to the end and then from the route's beginning:
        uncovered (or stopped) informal self-payers not yet decided this month. Returns the
        positions, regency by regency in walking order, and for each the index j of its regency.

        Open workers are found in one pass over all routes, and each regency's k-th open worker
        after its start is then an index into them: a few whole-array operations a month
        instead of a loop over regencies and route chunks (most of a route is covered after a
        year)."""
        m = self.model
        pop = m.pop
        flat, bounds = self.route_ids, self.route_bounds
        is_open = ((pop.segment >= FARMER) & (~pop.inf_active | pop.stopped)
                   & (pop.payer == SELF_PAYER) & ~m.decided)
        open_at = np.flatnonzero(is_open[flat])                 # open route positions, ascending
        first = np.searchsorted(open_at, bounds[regs])          # regency j's: open_at[first:last]
        total = np.searchsorted(open_at, bounds[regs + 1]) - first
        before = np.searchsorted(open_at, bounds[regs] + starts) - first   # open before its start
        take = np.minimum(need, total)
        of = np.repeat(np.arange(len(regs)), take)
        k = arrays.ranges(np.zeros(len(regs), dtype=np.int64), take)      # k-th visit of its regency
        at = open_at[first[of] + (before[of] + k) % total[of]]
        return at - bounds[regs][of], of

    def _visit(self, regs: np.ndarray, pos: np.ndarray, of: np.ndarray, agents: np.ndarray,
               per_regency: np.ndarray, capacity: int, targets: np.ndarray) -> None:
        """Visit the workers at route positions `pos` (of regency regs[of]): each regency's
        agents (`agents`, by regency then index) take `capacity` of them in turn and stop once
        they have signed their regency's target."""
        m = self.model
        ids = self.route_ids[self.route_bounds[regs][of] + pos]
        first = np.searchsorted(of, np.arange(len(regs)))        # each regency's first visit
        agent_base = np.concatenate([[0], np.cumsum(per_regency)[:-1]])
        slot = agent_base[of] + (np.arange(len(ids)) - first[of]) // capacity   # index into agents
        u = m.streams.uniform("take_up", m.t, ids)
        join = take_up.joins_after_contact(m, ids, channels.PERISAI_CONTACT, u)
        signed = np.cumsum(join) - join                  # joins before this visit, all agents
        block_first = first[of] + (slot - agent_base[of]) * capacity
        visited = (signed - signed[block_first]) < targets[regs][of]   # stop once the target is met
        last = np.flatnonzero(np.diff(np.append(of, len(regs))))          # each regency's last visit
        self.route_pointer[regs[of[last]]] = pos[last] + 1
        ids, join, agent = ids[visited], join[visited], agents[slot[visited]]
        m.decided[ids] = True
        m.pop.aware[ids] = True
        m.contact[ids] = channels.PERISAI_CONTACT
        joined = ids[join]
        participation.enrol(m, joined, np.full(len(joined), channels.PERISAI, dtype=np.uint8))
        m.pop.recruiter[joined] = agent[join]
        self.month_recruits += np.bincount(agent[join], minlength=len(self.active))
        m.tally["perisai_visits"] += len(ids)

    def settle(self) -> float:
        """Pay agents for this month and apply their quit rules; returns the rupiah paid."""
        m = self.model
        pop, par = m.pop, m.params
        n = len(self.active)
        paying = np.flatnonzero(pop.inf_active & ~pop.stopped & (pop.payer == SELF_PAYER)
                                & (pop.recruiter >= 0))
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
