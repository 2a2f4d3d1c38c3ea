"""The BPJS Ketenagakerjaan branch offices of Kanwil Sumbagsel in South Sumatra, as one actor.

Each month it carries out the outreach levers: hires Perisai agents toward the target, runs
socialization campaigns, activates villages (village ecosystem), signs firm partnerships and
inspects firms; and books their cost. The branch-level split is not modelled (no published
branch figures): every lever can instead be set by regency.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from model.behaviour import formal, outreach

if TYPE_CHECKING:
    from model.model import EnrollmentModel


class BranchOffice(mesa.Agent):
    def __init__(self, model: EnrollmentModel):
        super().__init__(model)
        self.villages_activated = 0
        self.firms_partnered = 0
        self.firms_inspected = 0

    def step(self) -> None:
        m, par = self.model, self.model.params
        m.perisai.hire()
        reached = outreach.campaign(m)
        activated = outreach.activate_villages(m)
        outreach.village_contacts(m)
        partnered = formal.partnerships(m)
        inspected = formal.inspections(m)
        self.villages_activated += activated
        self.firms_partnered += partnered
        self.firms_inspected += inspected
        # Tallies are in simulated rupiah (reported x weight). Villages are real, not scaled.
        w = m.pop.weight
        m.tally["spend_campaign"] += reached * par["campaign_cost_per_worker_idr"]
        m.tally["spend_village"] += (activated * par["village_activation_cost_idr"]
                                     + m.village_active.sum() * par["village_monthly_cost_idr"]) / w
        m.tally["spend_firms"] += (partnered * par["partnership_cost_per_firm_idr"]
                                   + inspected * par["inspection_cost_idr"])
