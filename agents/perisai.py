"""Perisai agents (Penggerak Jaminan Sosial Indonesia): community members who recruit informal
workers, register them on the spot and collect their contributions. Not salaried.

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

import mesa
import numpy as np

from model import channels
from model.behaviour import take_up
from model.population import FARMER, SELF_PAYER, TRADER


class PerisaiAgent(mesa.Agent):
    def __init__(self, model, index: int, regency: int):
        super().__init__(model)
        self.index = index
        self.regency = regency
        self.hired_month = model.t
        self.recruits_total = 0
        self.earnings: list[float] = []   # rupiah, last three months
        self.idle_months = 0

    def end_month(self) -> None:
        """Book this month's recruits and pay, then apply the quit rules."""
        m = self.model
        recruits = int(m.perisai_month_recruits[self.index])
        pay = float(m.perisai_month_pay[self.index])
        self.recruits_total += recruits
        self.earnings = (self.earnings + [pay])[-3:]
        collected = m.perisai_month_collected[self.index] > 0
        self.idle_months = 0 if (recruits or collected) else self.idle_months + 1
        if self.idle_months >= m.params["perisai_idle_months"]:
            self.leave()
        elif len(self.earnings) == 3 and _mean3(self.earnings) < m.params["perisai_reservation_income_idr"]:
            if m.perisai_quit_u[self.index] < m.params["perisai_quit_rate"]:
                self.leave()

    def leave(self) -> None:
        self.model.perisai_active[self.index] = False
        self.remove()


def _mean3(values: list[float]) -> float:
    """Mean of three numbers, summed left to right as np.mean does, in a tenth of its time."""
    a, b, c = values
    return (a + b + c) / 3


def routes(m) -> list[np.ndarray]:
    """Per regency, the order in which its agents walk: traders first, each group shuffled."""
    pop = m.pop
    out = []
    for r in range(len(m.regency_names)):
        ids = pop.regency_ids(r)
        ids = ids[pop.segment[ids] >= FARMER]
        order = np.argsort(m.streams.uniform("perisai_route", -1, ids))
        ids = ids[order]
        out.append(np.concatenate([ids[pop.segment[ids] == TRADER], ids[pop.segment[ids] != TRADER]]))
    return out


def visit(m) -> None:
    """All active agents' visits this month, one regency at a time, vectorised over agents."""
    m.perisai_month_recruits = np.zeros(len(m.perisai_active), dtype=np.int64)
    if not m.perisai_active.any():
        return
    capacity = int(m.params["perisai_visit_capacity"])
    targets = m.lever("perisai_recruits_per_month")
    for r in range(len(m.regency_names)):
        agents = np.flatnonzero(m.perisai_active & (m.perisai_regency == r))
        if len(agents) and capacity and targets[r] > 0:
            _visit_regency(m, r, agents, capacity, targets[r])


def _open_positions(m, route: np.ndarray, start: int, k: int) -> np.ndarray:
    """Positions on `route` of the next k workers open to a visit, from `start` round to the end
    and then from the route's beginning: uncovered (or stopped) informal self-payers not yet
    decided this month. Reads the route in growing chunks, so a month's cost follows the visits
    the agents can make, not the length of the route."""
    pop = m.pop
    parts, found, chunk = [], 0, max(2 * k, 1024)
    for lo, hi in ((start, len(route)), (0, min(start, len(route)))):
        while lo < hi and found < k:
            ids = route[lo:min(lo + chunk, hi)]
            open_ = ((pop.segment[ids] >= FARMER) & (~pop.inf_active[ids] | pop.stopped[ids])
                     & (pop.payer[ids] == SELF_PAYER) & ~m.decided[ids])
            pos = lo + np.flatnonzero(open_)[:k - found]
            parts.append(pos)
            found += len(pos)
            lo, chunk = lo + len(ids), 2 * chunk
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _visit_regency(m, r, agents, capacity, target) -> None:
    route = m.perisai_routes[r]
    take = _open_positions(m, route, int(m.route_pointer[r]), len(agents) * capacity)
    if not len(take):
        return
    ids = route[take]
    slot = np.arange(len(ids)) // capacity           # which of this regency's agents
    u = m.streams.uniform("take_up", m.t, ids)
    contact = np.full(len(ids), channels.PERISAI_CONTACT, dtype=np.uint8)
    join = u < take_up.join_probability(m, ids, contact)
    signed = np.cumsum(join) - join                  # joins before this visit, all agents
    block_start = np.concatenate([[0], np.cumsum(join)])[slot * capacity]
    visited = (signed - block_start) < target        # stop once the target is met
    ids, join, agent = ids[visited], join[visited], agents[slot[visited]]
    m.decided[ids] = True
    m.pop.aware[ids] = True
    m.contact[ids] = channels.PERISAI_CONTACT
    joined = ids[join]
    take_up.enrol(m, joined, np.full(len(joined), channels.PERISAI, dtype=np.uint8))
    m.pop.recruiter[joined] = agent[join]
    m.perisai_month_recruits += np.bincount(agent[join], minlength=len(m.perisai_active))
    m.tally["perisai_visits"] += len(ids)
    m.route_pointer[r] = take[-1] + 1


def settle(m) -> float:
    """Pay agents for this month and apply their quit rules; returns the rupiah paid."""
    pop, par = m.pop, m.params
    n = len(m.perisai_active)
    paying = np.flatnonzero(pop.inf_active & ~pop.stopped & (pop.payer == SELF_PAYER)
                            & (pop.recruiter >= 0))
    collected = np.bincount(pop.recruiter[paying], minlength=n) * par["premium_idr"]
    collected = np.where(m.perisai_active, collected, 0.0)
    rate = m.lever("perisai_commission")[m.perisai_regency]
    allowance = np.where(m.perisai_month_recruits >= par["perisai_allowance_threshold"],
                         par["perisai_allowance_idr"], 0.0)
    m.perisai_month_collected = collected
    m.perisai_month_pay = np.where(m.perisai_active, collected * rate + allowance, 0.0)
    # Each agent's quit draw, keyed by its index: drawn for all at once (same values, one call).
    m.perisai_quit_u = m.streams.uniform("perisai_quit", m.t, np.arange(n))
    agents = m.agents_by_type.get(PerisaiAgent)
    if agents:
        agents.do("end_month")
    return float(m.perisai_month_pay.sum())


def hire(m) -> None:
    """Branches move each regency's active agents toward the target: hire a share of the gap,
    or let go of the least productive agents when the target falls."""
    target = m.counts["perisai_agents"][m.t]
    active = np.bincount(m.perisai_regency[m.perisai_active], minlength=len(target))
    for r, gap in enumerate(target - active):
        if gap > 0:
            for _ in range(int(np.ceil(gap * m.params["perisai_hiring_rate"]))):
                add_agent(m, r)
        elif gap < 0:
            agents = [a for a in m.agents_by_type.get(PerisaiAgent, []) if a.regency == r]
            for agent in sorted(agents, key=lambda a: (a.recruits_total, a.index))[:-gap]:
                agent.leave()


def add_agent(m, regency: int) -> PerisaiAgent:
    index = len(m.perisai_active)
    m.perisai_active = np.append(m.perisai_active, True)
    m.perisai_regency = np.append(m.perisai_regency, np.int16(regency))
    return PerisaiAgent(m, index, regency)
