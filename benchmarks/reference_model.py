"""The object-per-agent reference: the informal workers' rules written the plain Mesa way.

One `mesa.Agent` per informal worker, `model.agents.shuffle_do("step")` once a month, plain Python
attributes and `self.random` draws - the way Mesa's tutorials write a model. It implements the
rules of docs/model.md that concern an informal worker on their own (steps 5-7 of a month):

* awareness from peers: an unaware worker learns with probability `peer_awareness * F_g`;
* take-up: an aware worker who is not covered, or who stopped paying, joins (or resumes) with
  probability `h = (1 - phi) * min(1, b + imitation * F_g)`, where
  `logit(b) = logit(take_up_rate) + valuation_sd * v - price_sensitivity * (c - c_ref)` and
  `phi = friction * (1 - registration_assistance)` for a first registration, 0 for a resumer;
* payment and lapse: a paying participant who did not decide this month stops with probability
  `stop_rate`; a stopped participant accrues an unpaid month and is inactive after `lapse_months`.

`F_g` is the share of the worker's peer group (village, or market for traders) covered at the
start of the month, so one month does not depend on the order `shuffle_do` visits the workers.

It exists for two reasons: to measure how much faster the array model is (benchmarks/__main__),
and to show, in tests/benchmarks/test_reference_equivalence.py, that the array model implements
these plain rules. It is built from the array model's own month 0 (the same population, state
and parameters, `from_model`), and compared with the array model run with `REFERENCE_RULES`
(every other channel off). Its random numbers are its own, so the two agree in distribution,
not draw for draw.
"""

from __future__ import annotations

import math
from collections import Counter

import mesa
import numpy as np

from model.population import FARMER

# Outputs per month (counts of simulated informal workers).
OUTPUTS = ("active", "aware", "registered", "stopped", "joined", "lapsed")


class InformalWorker(mesa.Agent):
    """One informal worker: their static motivation, peer group and coverage state."""

    def __init__(self, model: "ReferenceModel", group: int, own_motivation: float,
                 aware: bool, registered: bool, active: bool, stopped: bool, unpaid: int):
        super().__init__(model)
        self.group = group
        self.own_motivation = own_motivation   # b: static (income and valuation never change)
        self.aware = aware
        self.registered = registered
        self.active = active
        self.stopped = stopped
        self.unpaid = unpaid

    def step(self) -> None:
        """One month: learn from peers, decide to join or resume, then pay, stop or lapse."""
        m = self.model
        peers = m.peer_coverage[self.group]
        if not self.aware and self.random.random() < m.peer_awareness * peers:
            self.aware = True
        decided = self.aware and (not self.active or self.stopped)
        if decided and self.random.random() < self.join_probability(peers):
            self.join()
        if self.active and not self.stopped and not decided:
            if self.random.random() < m.stop_rate:
                self.stopped = True
        if self.active and self.stopped:
            self.unpaid += 1
            if self.unpaid >= m.lapse_months:
                self.lapse()

    def join_probability(self, peers: float) -> float:
        m = self.model
        friction = 0.0 if self.registered else m.self_friction
        return (1.0 - friction) * min(1.0, self.own_motivation + m.imitation * peers)

    def join(self) -> None:
        if not self.active:
            self.model.joined += 1
        self.active = self.registered = True
        self.stopped = False
        self.unpaid = 0

    def lapse(self) -> None:
        self.active = self.stopped = False
        self.unpaid = 0
        self.model.lapsed += 1


class ReferenceModel(mesa.Model):
    """Informal workers as individual agents. Build it with `ReferenceModel.from_model`.

    Args:
        workers: per-worker columns (group, own_motivation, aware, registered, active, stopped,
            unpaid), one list or array each, of equal length.
        params: the array model's parameters (model/parameters.py names).
        n_months: months to simulate.
        seed: seed of the model's own random numbers.
        worker_class: the agent class (a subclass can change a rule, as the tests do).
    """

    def __init__(self, workers: dict, params: dict, n_months: int, seed: int = 0,
                 worker_class: type[InformalWorker] = InformalWorker):
        super().__init__(rng=seed)
        self.peer_awareness = params["peer_awareness"]
        self.imitation = params["imitation"]
        self.stop_rate = params["stop_rate"]
        self.lapse_months = params["lapse_months"]
        self.self_friction = params["friction"] * (1 - params["registration_assistance"])
        self.n_months = n_months
        self.t = 0
        self.joined = self.lapsed = 0
        for row in zip(*(workers[key] for key in _COLUMNS), strict=True):
            worker_class(self, *row)
        self.group_size = Counter(worker.group for worker in self.agents)
        self.datacollector = mesa.DataCollector(model_reporters={
            "active": lambda m: sum(w.active for w in m.agents),
            "aware": lambda m: sum(w.aware for w in m.agents),
            "registered": lambda m: sum(w.registered for w in m.agents),
            "stopped": lambda m: sum(w.stopped for w in m.agents),
            "joined": "joined", "lapsed": "lapsed",
        })
        self.datacollector.collect(self)

    @classmethod
    def from_model(cls, model, seed: int = 0, **kwargs) -> "ReferenceModel":
        """The informal workers of an EnrollmentModel at month 0, with its parameters."""
        if not isinstance(model.params["registration_assistance"], float):
            raise ValueError("the reference takes one province-wide registration_assistance")
        return cls(month0_workers(model), model.params, model.n_months, seed, **kwargs)

    def step(self) -> None:
        self.t += 1
        self.joined = self.lapsed = 0
        self.peer_coverage = self._peer_coverage()
        self.agents.shuffle_do("step")
        self.datacollector.collect(self)
        self.running = self.t < self.n_months

    def _peer_coverage(self) -> dict[int, float]:
        """Share of each peer group covered at the start of the month (F_g)."""
        covered = Counter(worker.group for worker in self.agents if worker.active)
        return {g: covered[g] / size for g, size in self.group_size.items()}

    def run(self) -> "ReferenceModel":
        while self.running:
            self.step()
        return self

    def results(self):
        """One row per month from month 0, columns OUTPUTS."""
        return self.datacollector.get_model_vars_dataframe()


_COLUMNS = ("group", "own_motivation", "aware", "registered", "active", "stopped", "unpaid")


def month0_workers(model) -> dict:
    """Per-worker columns of an EnrollmentModel's informal workers at month 0, as Python lists.

    `own_motivation` is b of the take-up rule, from the worker's income and valuation and the
    model's parameters and reference price (EnrollmentModel.ref_price_pct).
    """
    pop, par = model.pop, model.params
    ids = np.flatnonzero(pop.segment >= FARMER)
    base = min(max(par["take_up_rate"], 1e-9), 1 - 1e-9)
    price_pct = 100.0 * par["premium_idr"] / pop.income[ids].astype(float)
    logit = (math.log(base / (1 - base)) + par["valuation_sd"] * pop.valuation[ids].astype(float)
             - par["price_sensitivity"] * (price_pct - model.ref_price_pct))
    columns = {
        "group": pop.peer_group[ids], "own_motivation": 1.0 / (1.0 + np.exp(-logit)),
        "aware": pop.aware[ids], "registered": pop.registered[ids], "active": pop.inf_active[ids],
        "stopped": pop.stopped[ids], "unpaid": pop.unpaid[ids],
    }
    return {key: values.tolist() for key, values in columns.items()}
