"""EnrollmentModel: BPJS Ketenagakerjaan coverage of one province's workforce, month by month.

    model = EnrollmentModel(scale=0.05, seed=1, region="sumsel", perisai_agents=1500)
    while model.running:
        model.step()
    model.datacollector.get_model_vars_dataframe()   # one row per month from month 0
    model.regency_table()                            # tidy: month x regency coverage

The province is data: a `Region` (model/data/region.py) read from model/data/regions/<id>/ -
its regencies, workforce, villages, markets, firms, status-quo programmes and payers, fitted
defaults and target. Workers are numpy arrays (model/population.py) whose participation has one
owner (model/participation.py); Perisai agents, the branch office and the payers (one local
government per regency and the province) are mesa Agents (agents/). The model only builds,
orders the month and collects; each rule lives in model/behaviour/ or agents/.

Order of a month (step):
  1. pilot treatment (model/pilot.py)
  2. local governments and the province pay, end and offer subsidies (agents/local_government.py;
     budgets in force change only in January and the APBD-P month, lists are registered at a
     throughput after a lead time; the premium is this month's, model/premium.py)
  3. branch office: Perisai hiring, campaigns, village activation and contacts, partnerships,
     inspections (agents/branch_office.py)
  4. Perisai visits (agents/perisai.py)
  5. awareness from peers (behaviour/awareness.py)
  6. take-up decisions of everyone else at risk (behaviour/take_up.py)
  7. payment, stopping and lapsing (behaviour/payment.py)
  8. formal sector: firms, job turnover, construction projects (behaviour/formal.py)
  9. Perisai agents are paid and may quit
 10. outputs are collected (model/outputs.py)
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from agents import local_government
from agents.branch_office import BranchOffice
from agents.local_government import LocalGovernment
from agents.perisai import PerisaiForce
from model import arrays, data, history, levers, months, outputs, participation, population, settings
from model.premium import Premium
from model.behaviour import awareness, formal, payment, take_up
from model.parameters import registry
from model.pilot import Pilot
from model.population import FARMER, TRADER, URBAN
from model.streams import Streams

DEFAULT_HORIZON = "2030-12"

# Count levers that are converted to whole simulated counts per month, and whether they scale
# with the population (villages are real places; firms, agents and workers are scaled).
_MONTHLY_COUNTS = {"villages_per_month": False, "firms_per_month": True,
                   "inspections_per_month": True, "campaign_reach_per_month": True}


class EnrollmentModel(mesa.Model):
    """Agent-based model of informal and formal workers taking up, keeping and dropping coverage.

    Args:
        scale: fraction of the workforce simulated (0 < scale <= 1); outputs are in real persons.
        seed: integer seed; same seed -> identical population and paired random draws.
        data_set: a key of the region's datasets.toml (default: its region.toml's
            default_data_set; South Sumatra: "office-2024-08", or "article").
        horizon: last month simulated, "YYYY-MM" (default 2030-12).
        region: a region id, any folder of model/data/regions/ (default "sumsel").
        rng: accepted for mesa.batch_run; an integer is used as the seed.
        scenario: Mesa's Scenario (passed back by SolaraViz's Reset); ignored - cakupan's
            scenarios are experiments.Scenario files that become these keyword arguments.
        **settings: levers, uncertain parameters, costs and rules (model/parameters.py).
    """

    # Every attribute, in one place (set in __init__ and the _build_* steps).
    # Inputs and time
    seed: int
    region: data.Region                    # the province simulated (its data files)
    payers: participation.Payers           # payer codes of this region
    params: dict[str, Any]                 # every parameter, validated (model/parameters.py)
    data_set: data.DataSet
    scale: float
    start: str                             # month 0, "YYYY-MM"
    n_months: int
    month_labels: list[str]
    calendar: months.Calendar
    regency_names: list[str]
    streams: Streams
    t: int                                 # month index, 0 = start
    # Workers and their static derived values
    pop: population.Population
    construction_share0: float
    construction_workers: np.ndarray       # their ids: nobody joins or leaves construction
    ref_price_pct: float
    take_up_logit: np.ndarray
    take_up_ceiling: np.ndarray            # a static upper bound of b_i without contact (take_up.own_ceiling)
    peer_members: np.ndarray               # informal workers per peer group (kept by turnover)
    partial_share: float
    firm_hiring_cdf: np.ndarray
    job_move_states: np.ndarray
    _village_residents: np.ndarray
    _village_bounds: np.ndarray
    # Levers resolved to [month, regency] arrays and whole simulated counts
    lever_values: dict[str, np.ndarray]
    counts: dict[str, np.ndarray]
    budget_asked: dict[str, np.ndarray]    # budget levers as asked for, before the budget boundaries
    budget_deferred: np.ndarray            # per month: yearly rupiah asked for, not yet in force
    premium: Premium                       # the premium each worker faces each month
    # Actors (each owns its state: the branch its outreach, the force its agents)
    governments: mesa.agent.AgentSet
    beneficiary_lists: local_government.BeneficiaryLists   # the payers' beneficiaries, kept monthly
    branch: BranchOffice
    perisai: PerisaiForce
    pilot: Pilot
    # This month's scratch, reset by _begin_month
    contact: np.ndarray
    decided: np.ndarray
    channel: np.ndarray
    firm_channel: np.ndarray
    unpaid_ids: list[np.ndarray]
    tally: dict[str, float]
    subsidy_spend: np.ndarray              # this month's subsidy spend by payer code (simulated)
    peer_coverage: np.ndarray
    # Outputs
    collector: outputs.Collector
    datacollector: outputs.OutputCollector

    def __init__(self, scale: float = 0.05, seed: int | None = None,
                 data_set: str | None = None, horizon: str = DEFAULT_HORIZON,
                 rng=None, scenario=None, region: str = data.DEFAULT_REGION,
                 decision_month: str | None = None, **settings_):
        # `scenario`: Mesa's own Scenario object, which SolaraViz's Reset passes back; it holds
        # only an rng, and cakupan's inputs are keyword arguments, so it is accepted and unused.
        seed = _seed(seed, rng)
        super().__init__(rng=seed)
        self.seed = seed
        self.region = data.load(region)
        self.payers = participation.Payers(self.region.n_regencies)
        self.params = settings.validate(settings_, self.region.id)
        self.data_set = self.region.data_set(data_set)
        self.scale = _check_scale(scale)
        self.start = self.data_set.month0
        self.n_months = _check_horizon(horizon, self.start)
        # The decision month (None: none): months before it are history, whose budgets are in
        # force as paid; from it on budgets change only at budget boundaries (issue 22).
        self.decision_month = decision_month
        self.decision_index = _check_decision(decision_month, self.start, self.n_months)
        self.month_labels = months.labels(self.start, self.n_months)
        self.calendar = months.Calendar(self.start, self.n_months)
        self.regency_names = list(self.region.regency_names)
        self.streams = Streams(seed)
        self.t = 0
        self._build_population()
        self._resolve_levers()
        self.premium = Premium(self)
        self._build_actors()
        self.pilot = Pilot(self)
        self._begin_month()
        self.collector = outputs.Collector(self)
        self.datacollector = outputs.OutputCollector()
        self.collector.record()
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ set-up
    def _build_population(self) -> None:
        ds, par = self.data_set, self.params
        self.pop = pop = population.build(ds, self.scale, self.streams, self.region)
        population.initial_formal(pop, ds, self.streams, self.region.workforce["firms"])
        population.initial_construction(pop, ds, self.streams)
        # Job turnover moves workers only between wage jobs and informal work (formal.py).
        self.construction_workers = construction = np.flatnonzero(pop.segment == population.CONSTRUCTION)
        self.construction_share0 = float(pop.con_active[construction].mean()) if len(construction) else 0.0
        informal = pop.segment >= FARMER
        self.ref_price_pct = float(np.median(100 * par["premium_idr"] / pop.income[informal]))
        self.take_up_logit = take_up.own_logit(self)
        self.take_up_ceiling = take_up.own_ceiling(self)
        self.peer_members = self.peer_group_sizes()
        self.partial_share = pop.firms.partial_share
        self.firm_hiring_cdf = formal.hiring_cdf(self)
        self.job_move_states = self.streams.generator_states("job_move", np.arange(self.n_months + 1))
        # Worker ids as int32 (the population's index type: pop.n < 2**31), half of argsort's int64.
        self._village_residents = np.argsort(pop.village, kind="stable").astype(np.int32)
        self._village_bounds = np.searchsorted(pop.village[self._village_residents],
                                               np.arange(pop.places.n_villages + 1))
        # Month scratch arrays, reset by _begin_month (channel is used while enrolling at month 0).
        self.contact = np.zeros(pop.n, dtype=np.uint8)
        self.decided = np.zeros(pop.n, dtype=bool)
        self.channel = np.zeros(pop.n, dtype=np.uint8)
        self.firm_channel = np.zeros(pop.firms.n, dtype=np.uint8)

    def _resolve_levers(self) -> None:
        """Every lever as a [month, regency] array, and whole simulated counts per month."""
        past = self._history()       # first: its groups join subsidy_eligible, a base below
        pop = self.pop
        reg = self.region.regencies
        n_regencies = self.region.n_regencies
        informal = pop.segment >= FARMER
        province_eligible = self.eligible(self.region.province_programme["eligible"])
        bases = {
            "eligible": np.diff(pop.regency_start).astype(float),
            "villages": (reg["desa"] + reg["kelurahan"]).to_numpy(float),
            "informal": np.bincount(pop.regency[informal], minlength=n_regencies).astype(float),
            "firms": np.bincount(pop.firms.regency, minlength=n_regencies).astype(float),
            "subsidy": np.bincount(pop.regency[self.eligible(self.params["subsidy_eligible"])],
                                   minlength=n_regencies).astype(float),
            # the province programme's eligible workers (South Sumatra: palm smallholders)
            "palm": np.bincount(pop.regency[province_eligible], minlength=n_regencies).astype(float),
        }
        self.lever_values = {}
        parameters = registry(self.region.id)
        for name, p in parameters.items():
            if p.is_lever and p.type == "number":
                value = self.params[name]
                if name in past:         # the history's windows, the run's own from the decision month on top
                    own = value if isinstance(value, list) else (
                        [] if value == p.default else [{"from": self.decision_month, "value": value}])
                    value = [*past[name], *own]
                self.lever_values[name] = levers.resolve(
                    value, p.default, self.n_months, self.start, self.regency_names,
                    bases[p.spread] if p.spread else None)
        # Local budgets change only at budget boundaries (January and the APBD-P month).
        apbd_p = int(self.params["apbd_p_month"])
        self.budget_asked = {}
        self.budget_deferred = np.zeros(self.n_months + 1)
        for name in ("subsidy_budget_idr", "palm_subsidy_budget_idr"):
            p = parameters[name]
            status_quo = levers.resolve(p.default, p.default, 0, self.start, self.regency_names,
                                        bases[p.spread] if p.spread else None)[0]
            asked = self.budget_asked[name] = self.lever_values[name]
            self.lever_values[name] = levers.at_budget_boundaries(asked, self.calendar.month, apbd_p, status_quo,
                                                                  first=self.decision_index)
            self.budget_deferred += (asked - self.lever_values[name]).sum(axis=1)
        self.budget_deferred[0] = 0.0        # levers act from month 1
        per_sim = 1.0 / pop.weight
        self.counts = {name: levers.cumulative_counts(self.lever_values[name], per_sim if scaled else 1.0)
                       for name, scaled in _MONTHLY_COUNTS.items()}
        agents = self.lever_values["perisai_agents"] * per_sim
        self.counts["perisai_agents"] = np.array(
            [data.largest_remainder(int(round(row.sum())), row) for row in agents])
        # Capacities (whole simulated agents / real villages a month, the whole region).
        ones = np.ones(self.n_months + 1)
        self.counts["perisai_hiring_capacity"] = levers.cumulative_counts(
            ones * self.params["perisai_hiring_capacity"], per_sim)
        self.counts["village_activation_capacity"] = levers.cumulative_counts(
            ones * self.params["village_activation_capacity"], 1.0)

    def _history(self) -> dict[str, list[dict]]:
        """With a decision month: the region's history as budget windows (model/history.py), and
        its programmes' groups added to `subsidy_eligible`; without one, nothing."""
        if self.decision_month is None:
            return {}
        past = history.history(self.region.id, self.decision_month, self.data_set.name,
                               float(self.params["history_duration_shift"]))
        if past.eligible_groups:
            self.params["subsidy_eligible"] = tuple(sorted({*self.params["subsidy_eligible"], *past.eligible_groups}))
        return {lever: windows for lever, windows in past.levers.items() if windows}

    def _build_actors(self) -> None:
        """Payers with their status-quo beneficiaries, self-payers, the branch, Perisai agents."""
        pop = self.pop
        budget = self.lever_values["subsidy_budget_idr"] * pop.weight ** -1
        eligible = self.eligible(self.params["subsidy_eligible"])
        for r, name in enumerate(self.regency_names):
            ids = pop.regency_ids(r)
            LocalGovernment(
                self, r, name, ids[eligible[ids]], budget[:, r],
                self.lever_values["subsidy_share"][:, r], self.lever_values["subsidy_months"][:, r])
        province = np.flatnonzero(self.eligible(self.region.province_programme["eligible"]))
        ones = np.ones(self.n_months + 1)
        LocalGovernment(
            self, self.payers.province, self.region.province_payer, province,
            self.lever_values["palm_subsidy_budget_idr"].sum(axis=1) / pop.weight, ones, 0 * ones)
        self.governments = self.agents_by_type[LocalGovernment]
        self.beneficiary_lists = local_government.BeneficiaryLists(self)
        self._enrol_status_quo()
        population.initial_informal(pop, self.data_set, self.params, self.streams, self.region.workforce)
        self.branch = BranchOffice(self)
        self.perisai = PerisaiForce(self)

    def _enrol_status_quo(self) -> None:
        """Month-0 beneficiaries of the region's programmes (subsidies.toml; independent of levers)."""
        pop, region = self.pop, self.region
        by_code = {g.code: g for g in self.governments}
        for programme in region.regency_programmes:
            r = region.regency_index(programme["regency"])
            ids = pop.regency_ids(r)
            ids = ids[self.eligible(programme["eligible"])[ids]]
            by_code[r].enrol_status_quo(ids, int(round(programme["beneficiaries"] / pop.weight)))
        province = region.province_programme
        candidates = np.flatnonzero(self.eligible(province["eligible"]))
        by_code[self.payers.province].enrol_status_quo(
            candidates, int(round(province["beneficiaries"] / pop.weight)))

    def eligible(self, groups) -> np.ndarray:
        """Informal workers in any of the named subsidy groups (parameters.SUBSIDY_GROUPS)."""
        pop = self.pop
        informal = pop.segment >= FARMER
        masks = {"vulnerable": pop.vulnerable, "farmer": pop.segment == FARMER,
                 "trader": pop.segment == TRADER, "urban": pop.segment == URBAN,
                 "palm_smallholder": pop.palm, "village_official": pop.official,
                 "informal": informal}
        out = np.zeros(pop.n, dtype=bool)
        for group in groups:
            out |= masks[group]
        return out & informal

    # The branch office's outreach state, read here as before (it owns and changes it).
    @property
    def village_active(self) -> np.ndarray:
        return self.branch.village_active

    @property
    def in_active_village(self) -> np.ndarray:
        """= village_active[pop.village]."""
        return self.branch.in_active_village

    @property
    def campaign_audiences(self) -> list[np.ndarray | None]:
        """By month, drawn at build (None: drawn in its month)."""
        return self.branch.campaign_audiences

    # ------------------------------------------------------------------ helpers for behaviours
    def lever(self, name: str) -> np.ndarray:
        """This month's value of a lever in each regency."""
        return self.lever_values[name][self.t]

    def residents_of(self, villages: np.ndarray) -> np.ndarray:
        """Workers living in the given villages."""
        lo = self._village_bounds[villages]
        return self._village_residents[arrays.ranges(lo, self._village_bounds[villages + 1] - lo)]

    def unpaid_beneficiaries(self) -> np.ndarray:
        return np.concatenate(self.unpaid_ids) if self.unpaid_ids else np.zeros(0, dtype=np.int64)

    def _begin_month(self) -> None:
        """Reset the month's scratch arrays (in place) and take the peers' coverage F_g."""
        self.contact.fill(0)
        self.decided.fill(False)
        self.channel.fill(0)
        self.firm_channel.fill(0)
        self.unpaid_ids = []
        self.tally = outputs.empty_tally()
        self.subsidy_spend = np.zeros(self.payers.governments)   # this month's, by payer code
        self.peer_coverage = self._peer_coverage()

    def peer_group_sizes(self) -> np.ndarray:
        """Informal workers in each peer group (villages, then markets), counted afresh."""
        pop = self.pop
        informal = np.flatnonzero(pop.segment >= FARMER)
        return np.bincount(pop.peer_group[informal], minlength=pop.places.n_groups)

    def _peer_coverage(self) -> np.ndarray:
        """Share of each peer group's informal workers who are active (float32 per group).

        Group sizes (`peer_members`) change only when workers change jobs, and job turnover
        (behaviour/formal.py) updates them; the active workers by group are counted where they
        change (participation.py), so nothing here passes over the workers.
        """
        covered = self.pop.active_by_group
        return (covered / np.maximum(self.peer_members, 1)).astype(np.float32)

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        if self.t >= self.n_months:
            self.running = False
            return
        self.t += 1
        self._begin_month()
        self.pilot.step()
        local_government.step_all(self, self.governments)
        self.branch.step()
        self.perisai.visit()
        awareness.step(self)
        take_up.step(self)
        payment.step(self)
        formal.firm_dynamics(self)
        formal.turnover(self)
        formal.construction(self)
        self.tally["spend_perisai"] += self.perisai.settle()
        self.collector.record()
        self.datacollector.collect(self)
        if self.t >= self.n_months:
            self.running = False

    def run(self) -> "EnrollmentModel":
        """Step to the horizon; returns self for chaining."""
        while self.running:
            self.step()
        return self

    # ------------------------------------------------------------------ results
    def results(self):
        """The DataCollector's table: one row per month from month 0, `month` as a column."""
        return self.datacollector.get_model_vars_dataframe()

    def regency_table(self):
        """Tidy table: one row per (month, regency) with workers, active and coverage."""
        return self.collector.regency_table()


def _seed(seed, rng) -> int:
    if seed is not None and rng is not None:
        raise ValueError("give either seed or rng, not both")
    value = seed if seed is not None else rng
    if value is None:
        entropy = np.random.SeedSequence().entropy    # an int when no entropy is given
        assert isinstance(entropy, int)
        return entropy % (2**32)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"seed must be a non-negative integer; got {value!r}")
    return int(value)


def _check_scale(scale) -> float:
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.floating, np.integer)) \
            or not 0 < float(scale) <= 1:
        raise ValueError(f"scale must be a number in (0, 1] (fraction of workers simulated); got {scale!r}")
    return float(scale)


def _check_decision(decision_month: str | None, start: str, n_months: int) -> int:
    """The decision month's index (1 without one: the budget rule acts from month 1; after the
    horizon: the run is all history)."""
    if decision_month is None:
        return 1
    t = months.index(decision_month, start)
    if t < 1:
        raise ValueError(f"decision_month {decision_month!r} must be after the data set's month 0 ({start})")
    return min(t, n_months + 1)


def _check_horizon(horizon: str, start: str) -> int:
    n = months.index(horizon, start)
    if n < 1:
        raise ValueError(f"horizon {horizon!r} must be after the data set's month 0 ({start})")
    return n
