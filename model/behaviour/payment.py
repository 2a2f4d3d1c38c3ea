"""Paying, stopping and lapsing for informal (BPU) participants.

Each month a self-paying participant stops paying with probability

    s_i = stop_rate x (1 - collector_effect x collector_i) x (1 - digital_effect x digital_i)

where collector_i = a Perisai agent who recruited i is still active, or i's village is activated
(its promoter collects), and digital_i = i pays digitally or by auto-debit (a static draw below
`digital_payment_share`). A stopped participant stays active until `lapse_months` (3) unpaid
months, then becomes inactive (the BPJS TK rule); they can resume by paying (take_up.py, no
friction). Government-paid beneficiaries lapse the same way when their payer has not paid
(the early-year disbursement gap).

When a subsidy ends, a worker who was paying their own premium before the payer took them on
goes back to paying it (the subsidy changed who paid, not their habit). Any other worker keeps
paying with probability

    logit(k_i) = logit(post_subsidy_retention) + retention_duration_effect x ln(d_i / 12)
                 - price_sensitivity x (c_i - c_ref)

d_i = months the payer covered them (at least 1), c_i = 100 x the premium they now face / income
(model/premium.py: halved in the PP 50/2025 windows) and c_ref its median at the base premium,
so a worker covered for 12 months at the median price share keeps paying with probability
`post_subsidy_retention` (fitted to Banerjee et al. 2021's coverage left after a 12-month
subsidy). The others stop: the jump in lapses three months after a programme ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from model import arrays, participation
from model.behaviour.take_up import logit
from model.population import FARMER, SELF_PAYER
from model.streams import draw

if TYPE_CHECKING:
    from model.model import EnrollmentModel


def has_collector(m: EnrollmentModel, ids: np.ndarray) -> np.ndarray:
    pop = m.pop
    recruiter = pop.recruiter[ids]
    return m.perisai.has_collector(recruiter) | m.branch.in_active_village[ids]


def stop_probability(m: EnrollmentModel, ids: np.ndarray) -> np.ndarray:
    pop, par = m.pop, m.params
    digital = pop.digital_u[ids] < m.lever("digital_payment_share")[pop.regency[ids]]
    collector = has_collector(m, ids)
    return (par["stop_rate"] * (1 - par["collector_effect"] * collector)
            * (1 - par["digital_effect"] * digital))


def step(m: EnrollmentModel) -> None:
    """Self-payers may stop; everyone unpaid this month moves one month toward lapsing."""
    pop = m.pop
    # s_i <= stop_rate (both effects are in [0, 1]), so only a draw below stop_rate can stop:
    # the pass keeps those alone (and the stopped participants, for the month's end).
    ids, u, stopped = _at_risk(pop.segment, pop.inf_active, pop.stopped, pop.payer, m.decided,
                               m.streams.key_u64("stop_paying", m.t), m.params["stop_rate"])
    stops = ids[u < stop_probability(m, ids)]
    participation.stop(m, stops)
    participation.month_end(m, m.unpaid_beneficiaries(), np.concatenate((stopped, stops)))


@numba.njit(cache=True)
def _at_risk(segment, inf_active, stopped, payer, decided, key, stop_rate):
    """The active participants who have stopped paying, and of the informal self-payers still
    paying and not decided those whose "stop_paying" draw (key) is below stop_rate, with their
    draws; ids ascending (int64). A flag per worker and their count (a loop the compiler
    vectorizes), then one branch-free gather of the flagged (two gathers in one loop run three
    times slower). Arrays are sized to what they hold: every page a pass first writes costs a
    page fault (4,400 a month, 9 ms, late in a full-scale run when sized to the population)."""
    active, stop, fresh = inf_active.view(np.uint8), stopped.view(np.uint8), decided.view(np.uint8)
    flags = np.empty(active.size, dtype=np.uint8)
    total = 0
    for i in range(active.size):
        paying = np.uint8(segment[i] >= FARMER) & np.uint8(payer[i] == SELF_PAYER) & (fresh[i] ^ 1)
        flags[i] = active[i] & (stop[i] | paying)
        total += flags[i]
    ids = np.empty(total + 1, dtype=np.int64)           # the last entry: a branch-free write past
    k = 0
    for i in range(active.size):
        ids[k] = i
        k += flags[i]
    ids = ids[:total]
    stopped_ids = arrays.compress(stop[ids], ids)
    out = np.empty(total - stopped_ids.size + 1, dtype=np.int64)
    draws = np.empty(out.size, dtype=np.float64)
    k = 0
    for i in ids:
        u = draw(key, i)                # the stopped draw too (discarded): no branch
        out[k] = i
        draws[k] = u
        k += (u < stop_rate) & (stop[i] ^ 1)
    return out[:k].copy(), draws[:k].copy(), stopped_ids




def keep_probability(m: EnrollmentModel, ids: np.ndarray) -> np.ndarray:
    """k_i: the chance each of `ids` keeps paying on their own when their subsidy ends now."""
    pop, par = m.pop, m.params
    covered = np.maximum(1, m.t - pop.payer_since[ids].astype(np.int64))
    price_pct = 100.0 * m.premium.price(ids) / pop.income[ids]
    z = (logit(par["post_subsidy_retention"]) + par["retention_duration_effect"] * np.log(covered / 12.0)
         - par["price_sensitivity"] * (price_pct - m.ref_price_pct))
    return 1.0 / (1.0 + np.exp(-z))


def end_subsidy(m: EnrollmentModel, ids: np.ndarray) -> None:
    """Subsidy over for `ids`: those who paid their own premium before go back to it; of the
    others some keep paying themselves (k_i), the rest stop (and lapse later)."""
    keeps = m.streams.uniform("subsidy_end", m.t, ids) < keep_probability(m, ids)
    keeps |= m.pop.paid_own_before[ids]
    participation.end_subsidy(m, ids, keeps)
    m.tally["subsidies_ended"] += len(ids)
