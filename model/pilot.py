"""Randomised pilots, as planners actually test a policy before scaling it up.

A pilot samples `pilot_units` units (workers, villages or markets; 0 = all of them), assigns a
share `pilot_share` of them to treatment (by the seed, so replicate r of every scenario assigns
the same units) and, from `pilot_start` for `pilot_months`, gives treated informal workers:

* a subsidy of `pilot_subsidy_share` of the premium, offered once at the start: each worker
  decides and registers as in any take-up (take_up.offer_take_up: friction, awareness and the
  pilot's assistance apply), as in a field pilot; on ending, workers decide to keep paying as
  after any subsidy;
* registration assistance: their friction is cut by `pilot_assistance`;
* an information visit at the start if `pilot_information` is 1 (a campaign contact).

Each month the model reports treated and control coverage (informal workers of the sampled
units; with `pilot_sample = "uncovered"` only those not covered when the pilot starts, as a field
experiment samples non-enrolled households) and the effect, treated minus control, with a 90%
interval from the cluster-robust variance of a ratio estimator (units are the clusters). At
scale s a village or market holds s of its real workers, so the interval is wider than in the
field: design pilots at scale 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model import channels, months, participation
from model.behaviour import payment, take_up
from model.population import FARMER, SELF_PAYER, TRADER

if TYPE_CHECKING:
    from model.model import EnrollmentModel

# The pilot's monthly outputs (model/outputs.py reports them), NaN when there is no pilot.
OUTPUTS = ("pilot_treated_coverage", "pilot_control_coverage", "pilot_effect",
           "pilot_effect_low", "pilot_effect_high")
Z90 = 1.6448536269514722  # two-sided 90% normal quantile


class Pilot:
    def __init__(self, m: EnrollmentModel):
        par = m.params
        self.m = m
        self.unit = par["pilot_unit"]
        self.enabled = self.unit != "none"
        if not self.enabled:
            return
        self.first = 1 if not par["pilot_start"] else max(1, months.index(par["pilot_start"], m.start))
        self.last = self.first + int(par["pilot_months"]) - 1
        self.workers, self.cluster, treated_units, n_units = self._sample(m)
        self.n_units = n_units
        self.treated_cluster = treated_units
        m.pop.treated[self.workers[treated_units[self.cluster]]] = True

    # ---------------------------------------------------------------- design
    def _sample(self, m: EnrollmentModel):
        """Workers in the sampled units, their unit index, and which units are treated."""
        pop, par = m.pop, m.params
        informal = pop.segment >= FARMER
        if self.unit == "worker":
            unit_of = np.where(informal, np.arange(pop.n), -1)
            n_all, per_real = pop.n, 1 / pop.weight
        elif self.unit == "village":
            unit_of = np.where(informal, pop.village, -1)
            n_all, per_real = pop.places.n_villages, 1.0
        else:
            unit_of = np.where(informal & (pop.segment == TRADER), pop.market, -1)
            n_all, per_real = len(pop.places.market_regency), 1.0
        units = np.arange(n_all)
        order = np.argsort(m.streams.uniform("pilot", -1, units))
        wanted = par["pilot_units"]
        n_sample = n_all if wanted == 0 else min(n_all, max(2, int(round(wanted * per_real))))
        sampled = order[:n_sample]
        n_treated = int(round(par["pilot_share"] * n_sample))
        local = np.full(n_all, -1, dtype=np.int64)
        local[sampled] = np.arange(n_sample)
        treated_units = np.zeros(n_sample, dtype=bool)
        treated_units[:n_treated] = True          # `order` is already random
        workers = np.flatnonzero(unit_of >= 0)
        workers = workers[local[unit_of[workers]] >= 0]
        return workers, local[unit_of[workers]], treated_units, n_sample

    # ---------------------------------------------------------------- monthly
    def active(self, t: int) -> bool:
        return self.enabled and self.first <= t <= self.last

    def adjust_friction(self, ids: np.ndarray, friction: np.ndarray) -> np.ndarray:
        if not self.active(self.m.t) or self.m.params["pilot_assistance"] == 0:
            return friction
        return friction * (1 - self.m.params["pilot_assistance"] * self.m.pop.treated[ids])

    def step(self) -> None:
        """Start-of-month treatment: visits and offers at the start, payments, endings."""
        m = self.m
        if not self.enabled:
            return
        if m.t == self.first:
            self._start()
        paid = np.flatnonzero(m.pop.payer == m.payers.pilot)
        if m.t > self.last:
            if len(paid):
                payment.end_subsidy(m, paid)
            return
        if m.t > self.first and len(paid):
            participation.pay(m, paid, reason=None, subsidised_month=False)
            m.tally["spend_pilot"] += self._cost(paid)

    def _cost(self, ids: np.ndarray) -> float:
        """This month's bill for `ids`: the premium they face (model/premium.py) times the share."""
        return float(self.m.premium.price(ids).sum()) * self.m.params["pilot_subsidy_share"]

    def _start(self) -> None:
        m, pop, par = self.m, self.m.pop, self.m.params
        if par["pilot_sample"] == "uncovered":
            keep = ~pop.inf_active[self.workers]
            self.workers, self.cluster = self.workers[keep], self.cluster[keep]
        treated = self.workers[self.treated_cluster[self.cluster]]
        treated = treated[pop.segment[treated] >= FARMER]
        if par["pilot_information"]:
            pop.aware[treated] = True
            m.contact[treated] = np.maximum(m.contact[treated], channels.CAMPAIGN_CONTACT)
        if par["pilot_subsidy_share"] > 0:
            offered = treated[pop.payer[treated] == SELF_PAYER]
            p = take_up.offer_take_up(m, offered, par["pilot_subsidy_share"])
            accepted = offered[m.streams.uniform("subsidy_offer", m.t, offered, extra=m.payers.pilot) < p]
            participation.set_payer(m, accepted, m.payers.pilot)
            participation.enrol(m, accepted, np.full(len(accepted), channels.PILOT, dtype=np.uint8))
            m.tally["spend_pilot"] += self._cost(accepted)

    # ---------------------------------------------------------------- outputs
    def outputs(self) -> dict[str, float]:
        """Treated and control coverage and the effect with its 90% interval (NaN if no pilot)."""
        if not self.enabled:
            return dict.fromkeys(OUTPUTS, float("nan"))
        pop = self.m.pop
        still_informal = pop.segment[self.workers] >= FARMER
        members = np.bincount(self.cluster[still_informal], minlength=self.n_units).astype(float)
        covered = np.bincount(self.cluster[still_informal],
                              weights=pop.inf_active[self.workers[still_informal]],
                              minlength=self.n_units)
        (p_t, v_t), (p_c, v_c) = (_ratio(covered[arm], members[arm])
                                  for arm in (self.treated_cluster, ~self.treated_cluster))
        effect, half = p_t - p_c, Z90 * np.sqrt(v_t + v_c)
        return dict(zip(OUTPUTS, (p_t, p_c, effect, effect - half, effect + half), strict=True))


def _ratio(a: np.ndarray, n: np.ndarray) -> tuple[float, float]:
    """Ratio estimate sum(a)/sum(n) and its cluster-robust variance."""
    k, total = len(a), n.sum()
    if k < 2 or total == 0:
        return float("nan"), float("nan")
    p = a.sum() / total
    return p, float(((a - p * n) ** 2).sum() / total**2 * k / (k - 1))
