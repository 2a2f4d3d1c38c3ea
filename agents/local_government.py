"""Local governments (one per regency or city of the region) and the province: premium-subsidy
programmes.

Each payer holds a yearly budget (lever `subsidy_budget_idr` by regency; the province's
`palm_subsidy_budget_idr` for its own programme's eligible workers, subsidies.toml [province])
and pays `subsidy_share` of the Rp 16,800 package for its beneficiaries. Budget rule, one line:
*the year's budget is spread evenly over the months in which the programme is active that
year* (a full-year programme spends 1/12 a month; one funded for Oct-Dec only spends its
budget in those 3 months). Unspent money carries to the next month but not to the next year.

Each month a payer
1. ends subsidies it can no longer pay (budget gone, programme stopped, `subsidy_months` used up)
   - those workers decide whether to keep paying themselves (behaviour/payment.end_subsidy);
   every change of a worker's participation goes through model/participation.py;
2. pays its beneficiaries - except in the first `subsidy_disbursement_lag` months of a year,
   when the new budget has not been disbursed: beneficiaries then accrue unpaid months (and
   lapse at 3), and the arrears are paid when the money arrives;
3. admits the next eligible workers on its waiting list (vulnerable workers etc., in an order
   fixed by the seed) up to what it can afford, by the lever `subsidy_mechanism`:
   - "list": the payer registers them itself; a share `list_enrolment_success` (data quality)
     ends up active, lowered by any out-of-pocket part of the premium;
   - "offer": each worker is offered the subsidy and decides and registers as in any take-up
     (take_up.offer_take_up: friction, the regency's registration assistance, awareness).
   Either way a worker who does not end up covered may be admitted again next year.

Implementation takes time: a payer registers (or offers) at most `list_enrolment_throughput`
workers a month, and none in the first `list_enrolment_lead_months` months after its budget
rises (a programme starting or growing: the list is compiled and checked). Listed workers it
could afford but not register this month are the output `unmet_list_enrolment`. Budgets change
only at budget boundaries (model/levers.at_budget_boundaries: January and `apbd_p_month`), so a
budget set from Oct-Dec funds part of a year. Each beneficiary costs this month's premium
(model/premium.py) times the share paid: in the PP 50/2025 windows a budget buys twice the
worker-months.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import mesa
import numba
import numpy as np

from model import channels, levers, participation
from model.behaviour import payment, take_up
from model.population import FARMER, SELF_PAYER, in_priority_order

if TYPE_CHECKING:
    from model.model import EnrollmentModel


class LocalGovernment(mesa.Agent):
    def __init__(self, model: EnrollmentModel, code: int, name: str, eligible: np.ndarray,
                 budget: np.ndarray, share: np.ndarray, limit: np.ndarray):
        super().__init__(model)
        self.code, self.name = code, name
        self.budget, self.share, self.limit = budget, share, limit   # per month index
        # Per month index, worked out once: the bill per beneficiary-month and the month's share
        # of the year's budget (budget / active months that year; 0 when there is no budget).
        self.cost = model.params["premium_idr"] * share
        active_months = np.maximum(1, (budget[model.calendar.year_window] > 0).sum(axis=1))
        self.allowance = np.where(budget > 0, budget / active_months, 0.0)
        # Before the year's budget is disbursed, beneficiaries accrue unpaid months; the month it
        # arrives pays the gap months too.
        lag = int(model.params["subsidy_disbursement_lag"])
        self.in_gap = model.calendar.month <= lag
        self.months_due = 1 + np.where(model.calendar.month == lag + 1, lag, 0)
        # Registration throughput (simulated workers per month) and the lead time after each rise
        # of the budget in force (month 0's programmes are running already).
        n = len(budget)
        self.throughput = levers.cumulative_counts(
            np.full(n, float(model.params["list_enrolment_throughput"])), 1.0 / model.pop.weight)
        rise = np.zeros(n, dtype=bool)
        rise[1:] = budget[1:] > budget[:-1]
        last_rise = np.maximum.accumulate(np.where(rise, np.arange(n), -n - 13))
        self.admit_blocked = np.arange(n) - last_rise < int(model.params["list_enrolment_lead_months"])
        self.waiting_list = in_priority_order(model.pop, eligible)
        self.pot = 0.0

    # ---------------------------------------------------------------- month 0
    def enrol_status_quo(self, candidates: np.ndarray, count: int) -> None:
        """Beneficiaries already enrolled at month 0 (model/data/subsidies.toml), chosen from
        the status-quo eligible `candidates` in waiting-list order, whatever the levers say."""
        m = self.model
        candidates = in_priority_order(m.pop, candidates)
        free = candidates[m.pop.payer[candidates] == SELF_PAYER][:count]
        participation.set_payer(m, free, self.code)
        participation.enrol(m, free, np.full(len(free), channels.SUBSIDY, dtype=np.uint8))

    # ---------------------------------------------------------------- a month
    def step(self, ids: np.ndarray | None = None) -> None:
        """One month: `ids` are its beneficiaries in waiting-list order (`beneficiaries()` when
        not given; `step_all` finds every payer's at once)."""
        m, t = self.model, self.model.t
        calendar = m.calendar
        if calendar.month[t] == 1:
            self.pot = 0.0
        self.pot += self.allowance[t]
        cost = self.cost[t]
        if ids is None:
            ids = self.beneficiaries()
        if self.budget[t] <= 0 or cost <= 0:
            self._end(ids)
            return
        if self.in_gap[t]:
            m.unpaid_ids.append(ids)
            return
        bills = m.premium.price(ids, t) * self.share[t] * self.months_due[t]
        ids, bills = self._end_unaffordable(ids, bills)
        self._pay(ids, bills)
        self._admit(t)

    def beneficiaries(self) -> np.ndarray:
        """Current beneficiaries in waiting-list order (the last ones are ended first)."""
        pop = self.model.pop
        if self.code == self.model.payers.province:
            ids = np.flatnonzero(pop.payer == self.code)
        else:
            lo, hi = pop.regency_start[self.code], pop.regency_start[self.code + 1]
            ids = lo + np.flatnonzero(pop.payer[lo:hi] == self.code)
        return in_priority_order(pop, ids)

    def _end(self, ids: np.ndarray) -> None:
        if len(ids):
            payment.end_subsidy(self.model, ids)

    def _end_unaffordable(self, ids: np.ndarray, bills: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """End subsidies past their month limit or beyond what the pot can pay (last on the
        waiting list first). `bills` is this month's bill of each beneficiary."""
        pop, t = self.model.pop, self.model.t
        limit = self.limit[t]
        if limit > 0:
            over = pop.subsidy_used[ids] >= limit
            self._end(ids[over])
            ids, bills = ids[~over], bills[~over]
        affordable = int(np.searchsorted(np.cumsum(bills), self.pot, side="right"))
        if len(ids) > affordable:
            self._end(ids[affordable:])
            ids, bills = ids[:affordable], bills[:affordable]
        return ids, bills

    def _pay(self, ids: np.ndarray, bills: np.ndarray) -> None:
        # Lapsed beneficiaries are re-activated by the late payment (credited to the subsidy).
        participation.pay(self.model, ids, channels.SUBSIDY, subsidised_month=True)
        self._spend(float(bills.sum()))

    def _admit(self, t: int) -> None:
        m = self.model
        pop = m.pop
        lowest = m.premium.lowest(t) * self.share[t]
        room = int(self.pot // lowest) if lowest > 0 else 0
        if room <= 0:
            return
        year = m.calendar.year[t]
        candidates = _first_free(self.waiting_list, room, pop.payer, pop.segment, pop.offer_year,
                                 pop.subsidy_used, year, self.limit[t])
        costs = m.premium.price(candidates, t) * self.share[t]
        affordable = int(np.searchsorted(np.cumsum(costs), self.pot, side="right"))
        # Implementation takes time: at most the month's throughput, none during the lead time.
        n = 0 if self.admit_blocked[t] else min(affordable, int(self.throughput[t]))
        m.tally["unmet_list_enrolment"] += affordable - n
        offered, costs = candidates[:n], costs[:n]
        pop.offer_year[offered] = year     # offers are the payer's, not participation
        mechanism = m.params["subsidy_mechanism"]
        took = (m.streams.uniform("subsidy_offer", t, offered)
                < take_up.subsidy_take_up(m, offered, self.share[t], mechanism))
        accepted = offered[took]
        participation.set_payer(m, accepted, self.code, subsidised_month=True)
        participation.enrol(m, accepted, np.full(len(accepted), channels.SUBSIDY, dtype=np.uint8))
        m.tally["subsidy_offers"] += len(offered)
        self._spend(float(costs[took].sum()))

    def _spend(self, amount: float) -> None:
        self.pot -= amount
        self.model.tally["spend_subsidy"] += amount
        self.model.subsidy_spend[self.code] += amount


@numba.njit(cache=True)
def _first_free(waiting_list, room, payer, segment, offer_year, subsidy_used, year, limit):
    """The first `room` workers of the waiting list who can be admitted: self-payers, informal,
    not offered a subsidy this year, with subsidised months left under `limit` (if above 0)."""
    out = np.empty(min(room, len(waiting_list)), dtype=np.int64)
    n = 0
    for w in waiting_list:
        if n == len(out):
            break
        if (payer[w] == SELF_PAYER and segment[w] >= FARMER and offer_year[w] != year
                and (limit <= 0 or subsidy_used[w] < limit)):
            out[n] = w
            n += 1
    return out[:n]


def step_all(m: EnrollmentModel, governments: Iterable[LocalGovernment]) -> None:
    """Every payer's month, in order. A payer's month changes only its own beneficiaries (it
    admits self-payers and ends its own), so the lists found at the start are what
    `beneficiaries()` would give at each payer's turn. A payer with no budget this month and no
    beneficiaries has nothing to do but its pot (which gains nothing then, outside January)."""
    t = m.t
    ids, bounds = m.beneficiary_lists.current()
    for g in governments:
        lo, hi = bounds[g.code], bounds[g.code + 1]
        if lo == hi and g.budget[t] <= 0 and m.calendar.month[t] != 1:
            continue
        g.step(ids[lo:hi])


def all_beneficiaries(m: EnrollmentModel) -> tuple[np.ndarray, np.ndarray]:
    """Every government payer's beneficiaries in one pass: payer p's, in waiting-list order,
    are ids[bounds[p]:bounds[p + 1]] (the same as its `beneficiaries()`). The payers are read in
    waiting-list order (`payer_in_order`), so the places found are in that order already and a
    stable sort by payer code (a radix sort of int8) groups them."""
    keys, ids = _all_keyed(m.pop, m.payers.province)
    return ids, _bounds(keys, m.payers.province)


class BeneficiaryLists:
    """`all_beneficiaries`, kept from month to month: each month only the workers whose payer
    was set since (participation's log) are taken out and put back by payer and place; a full
    pass when they are many (at the first call, and when a quarter of the lists changed)."""

    def __init__(self, m: EnrollmentModel):
        self.m = m
        self.keys: np.ndarray | None = None   # int64 payer << 32 | place in waiting-list order, ascending
        self.ids = np.zeros(0, dtype=np.int64)
        self.changed = np.zeros(m.pop.n, dtype=bool)   # scratch, all False between calls

    def current(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, bounds) as `all_beneficiaries` gives them now."""
        pop, province = self.m.pop, self.m.payers.province
        changed = participation.take_payer_changes(pop)
        if self.keys is None or 4 * len(changed) > len(self.keys):
            self.keys, self.ids = _all_keyed(pop, province)
        else:
            self._update(changed)
        return self.ids, _bounds(self.keys, province)

    def _update(self, changed: np.ndarray) -> None:
        pop, province = self.m.pop, self.m.payers.province
        self.changed[changed] = True
        keep = ~self.changed[self.ids]
        changed = _distinct(changed, self.changed)      # and the marks cleared
        codes = pop.payer[changed]
        now = changed[codes.view(np.uint8) <= province]   # SELF_PAYER, -1, reads 255
        new = (pop.payer[now].astype(np.int64) << 32) | pop.priority_rank[now]
        order = np.argsort(new)
        self.keys, self.ids = _merge(self.keys, self.ids, keep, new[order], now[order])


@numba.njit(cache=True)
def _distinct(ids, marked):
    """`ids` without repeats (first occurrences, in order), clearing their marks (all set)."""
    out = np.empty(ids.size, dtype=np.int64)
    n = 0
    for w in ids:
        if marked[w]:
            marked[w] = False
            out[n] = w
            n += 1
    return out[:n]


@numba.njit(cache=True)
def _merge(keys, ids, keep, new_keys, new_ids):
    """The kept entries (keep) of ascending `keys` merged with the ascending `new_keys`, each
    with its id: (keys, ids) of the result, ascending (the keys are distinct)."""
    n = 0
    for k in keep:
        n += k
    out_keys = np.empty(n + new_keys.size, dtype=np.int64)
    out_ids = np.empty(n + new_keys.size, dtype=np.int64)
    j = o = 0
    for i in range(keys.size):
        if not keep[i]:
            continue
        while j < new_keys.size and new_keys[j] < keys[i]:
            out_keys[o], out_ids[o] = new_keys[j], new_ids[j]
            j += 1
            o += 1
        out_keys[o], out_ids[o] = keys[i], ids[i]
        o += 1
    out_keys[o:], out_ids[o:] = new_keys[j:], new_ids[j:]
    return out_keys, out_ids


def _all_keyed(pop, province: int) -> tuple[np.ndarray, np.ndarray]:
    """Every government payer's beneficiaries from one pass over `payer_in_order`: their keys
    (payer << 32 | place in waiting-list order), ascending, and their ids."""
    in_order = pop.payer_in_order
    places = np.flatnonzero(in_order.view(np.uint8) <= province)   # SELF_PAYER, -1, reads 255
    codes = in_order[places]
    by_code = np.argsort(codes, kind="stable")
    places = places[by_code]
    keys = (codes[by_code].astype(np.int64) << 32) | places
    return keys, pop.by_priority[places].astype(np.int64)


def _bounds(keys: np.ndarray, province: int) -> np.ndarray:
    """Where each payer's keys start (payer p's are keys[bounds[p]:bounds[p + 1]])."""
    return np.searchsorted(keys >> 32, np.arange(province + 2))
