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

from model import arrays, channels
from model.behaviour import take_up
from model.population import FARMER, SELF_PAYER, TRADER


class PerisaiAgent(mesa.Agent):
    """One agent. Its month-to-month record (recruits, last three months' pay, idle months) is
    kept in the model's arrays at `index`, so the month's bookkeeping and quit rules run for all
    agents at once (`settle`); the attributes below read them."""

    def __init__(self, model, index: int, regency: int):
        super().__init__(model)
        self.index = index
        self.regency = regency
        self.hired_month = model.t

    @property
    def recruits_total(self) -> int:
        return int(self.model.perisai_recruits_total[self.index])

    @property
    def earnings(self) -> list[float]:
        """Rupiah paid in its last (up to) three months, oldest first."""
        m = self.model
        return [float(x) for x in m.perisai_earnings[self.index, 3 - m.perisai_months_paid[self.index]:]]

    @property
    def idle_months(self) -> int:
        return int(self.model.perisai_idle[self.index])

    def leave(self) -> None:
        self.model.perisai_active[self.index] = False
        self.remove()


def _end_month(m) -> None:
    """Every active agent books this month's recruits and pay, then the quit rules apply: idle
    for `perisai_idle_months` (no recruit, nothing collected), or, with three months of pay
    averaging below the reservation income, a quit draw below `perisai_quit_rate`. Each agent's
    rule reads only its own record, so all are applied at once."""
    par = m.params
    live = np.flatnonzero(m.perisai_active)
    recruits = m.perisai_month_recruits[live]
    m.perisai_recruits_total[live] += recruits
    earnings = m.perisai_earnings
    earnings[live, :2] = earnings[live, 1:]
    earnings[live, 2] = m.perisai_month_pay[live]
    m.perisai_months_paid[live] = np.minimum(m.perisai_months_paid[live] + 1, 3)
    worked = (recruits != 0) | (m.perisai_month_collected[live] > 0)
    idle = m.perisai_idle[live] = np.where(worked, 0, m.perisai_idle[live] + 1)
    mean3 = (earnings[live, 0] + earnings[live, 1] + earnings[live, 2]) / 3   # left to right
    quits = (idle >= par["perisai_idle_months"]) | (
        (m.perisai_months_paid[live] == 3) & (mean3 < par["perisai_reservation_income_idr"])
        & (m.perisai_quit_u[live] < par["perisai_quit_rate"]))
    for index in live[quits]:
        m.perisai_agents[index].leave()


def routes(m) -> tuple[np.ndarray, np.ndarray]:
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
    return np.concatenate(out), bounds


def visit(m) -> None:
    """All active agents' visits this month, every regency at once.

    Regencies share no workers and a visit reads only the visited worker's state and the peers'
    coverage taken at the start of the month, so working them out together gives what visiting
    one regency after another gives (tests/model/test_golden_outputs.py), without a dozen
    small array operations per regency per month.
    """
    n_regencies = len(m.regency_names)
    m.perisai_month_recruits = np.zeros(len(m.perisai_active), dtype=np.int64)
    capacity = int(m.params["perisai_visit_capacity"])
    if not m.perisai_active.any() or not capacity:
        return
    agents = np.flatnonzero(m.perisai_active)
    agents = agents[np.argsort(m.perisai_regency[agents], kind="stable")]   # by regency, then index
    per_regency = np.bincount(m.perisai_regency[agents], minlength=n_regencies)
    targets = m.lever("perisai_recruits_per_month")
    regs = np.flatnonzero((per_regency > 0) & (targets > 0)
                          & (np.diff(m.perisai_route_bounds) > 0))
    if not len(regs):
        return
    visiting = np.zeros(n_regencies, dtype=bool)
    visiting[regs] = True
    agents = agents[visiting[m.perisai_regency[agents]]]
    pos, of = _open_positions(m, regs, m.route_pointer[regs], per_regency[regs] * capacity)
    if len(pos):
        _visit(m, regs, pos, of, agents, per_regency[regs], capacity, targets)


def _open_positions(m, regs: np.ndarray, starts: np.ndarray, need: np.ndarray):
    """For each regency regs[j], the positions on its route of the next need[j] workers open to
    a visit, from starts[j] round to the end and then from the route's beginning: uncovered (or
    stopped) informal self-payers not yet decided this month. Returns the positions, regency by
    regency in walking order, and for each the index j of its regency.

    Open workers are found in one pass over all routes, and each regency's k-th open worker
    after its start is then an index into them: a few whole-array operations a month instead
    of a loop over regencies and route chunks (most of a route is covered after a year)."""
    pop = m.pop
    flat, bounds = m.perisai_route_ids, m.perisai_route_bounds
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


def _visit(m, regs, pos, of, agents, per_regency, capacity, targets) -> None:
    """Visit the workers at route positions `pos` (of regency regs[of]): each regency's agents
    (`agents`, by regency then index) take `capacity` of them in turn and stop once they have
    signed their regency's target."""
    ids = m.perisai_route_ids[m.perisai_route_bounds[regs][of] + pos]
    first = np.searchsorted(of, np.arange(len(regs)))        # each regency's first visit
    agent_base = np.concatenate([[0], np.cumsum(per_regency)[:-1]])
    slot = agent_base[of] + (np.arange(len(ids)) - first[of]) // capacity   # index into agents
    u = m.streams.uniform("take_up", m.t, ids)
    contact = np.full(len(ids), channels.PERISAI_CONTACT, dtype=np.uint8)
    join = u < take_up.join_probability(m, ids, contact)
    signed = np.cumsum(join) - join                  # joins before this visit, all agents
    block_first = first[of] + (slot - agent_base[of]) * capacity
    visited = (signed - signed[block_first]) < targets[regs][of]   # stop once the target is met
    last = np.flatnonzero(np.diff(np.append(of, len(regs))))          # each regency's last visit
    m.route_pointer[regs[of[last]]] = pos[last] + 1
    ids, join, agent = ids[visited], join[visited], agents[slot[visited]]
    m.decided[ids] = True
    m.pop.aware[ids] = True
    m.contact[ids] = channels.PERISAI_CONTACT
    joined = ids[join]
    take_up.enrol(m, joined, np.full(len(joined), channels.PERISAI, dtype=np.uint8))
    m.pop.recruiter[joined] = agent[join]
    m.perisai_month_recruits += np.bincount(agent[join], minlength=len(m.perisai_active))
    m.tally["perisai_visits"] += len(ids)


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
    _end_month(m)
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
    m.perisai_recruits_total = np.append(m.perisai_recruits_total, 0)
    m.perisai_earnings = np.vstack([m.perisai_earnings, np.zeros((1, 3))])
    m.perisai_months_paid = np.append(m.perisai_months_paid, 0)
    m.perisai_idle = np.append(m.perisai_idle, 0)
    agent = PerisaiAgent(m, index, regency)
    m.perisai_agents.append(agent)
    return agent
