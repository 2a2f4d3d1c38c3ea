"""The BPJS Ketenagakerjaan branch offices of the region's Kanwil, as one actor.

Each month it carries out the outreach levers: hires Perisai agents toward the target, runs
socialization campaigns, activates villages (village ecosystem), signs firm partnerships and
inspects firms; and books their cost. The branch-level split is not modelled (no published
branch figures): every lever can instead be set by regency.

Its state is its own, as `PerisaiForce`'s is (the rules that change it are in
model/behaviour/outreach.py and formal.py): the villages in activation order and how far each
regency's queue has gone, which villages are active (and so which workers live in one), the
campaign streams and the audiences drawn at build, each regency's firms in partnership order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.behaviour import formal, outreach

if TYPE_CHECKING:
    from model.model import EnrollmentModel


class BranchOffice(mesa.Agent):
    model: EnrollmentModel

    def __init__(self, model: EnrollmentModel):
        super().__init__(model)
        pop, n_regencies = model.pop, len(model.regency_names)
        # Villages: activation order by regency (queue[bounds[r]:bounds[r + 1]]), progress, state.
        self.village_queue, self.village_queue_bounds = outreach.village_queue(model)
        self.villages_queued = np.zeros(n_regencies, dtype=np.int64)      # activated so far
        self.villages_asked = np.zeros(n_regencies, dtype=np.int64)       # asked for so far (lever)
        self.village_active = np.zeros(pop.places.n_villages, dtype=bool)
        self.in_active_village = np.zeros(pop.n, dtype=bool)               # = village_active[pop.village]
        # Campaigns: the streams of every month and regency, and the audiences drawn at build.
        self.campaign_states = outreach.campaign_states(model)
        self.campaign_audiences = outreach.campaign_audiences(model, self.campaign_states)
        # Firms: each regency's firms in partnership order.
        self.firm_queue = formal.partnership_queue(model)

    def village_backlog(self) -> int:
        """Villages asked for so far and still waiting (the activation pace), as far as any are left."""
        left = np.diff(self.village_queue_bounds) - self.villages_queued
        return int(np.minimum(self.villages_asked - self.villages_queued, left).sum())

    def step(self) -> None:
        m, par = self.model, self.model.params
        m.perisai.hire()
        reached = outreach.campaign(m)
        activated = outreach.activate_villages(m)
        outreach.village_contacts(m)
        partnered = formal.partnerships(m)
        inspected = formal.inspections(m)
        # Tallies are in simulated rupiah (reported x weight). Villages are real, not scaled.
        w = m.pop.weight
        m.tally["spend_campaign"] += reached * par["campaign_cost_per_worker_idr"]
        m.tally["spend_village"] += (activated * par["village_activation_cost_idr"]
                                     + self.village_active.sum() * par["village_monthly_cost_idr"]) / w
        m.tally["spend_firms"] += (partnered * par["partnership_cost_per_firm_idr"]
                                   + inspected * par["inspection_cost_idr"])
