"""Every model input in one registry: levers (what the planner chooses), uncertain behavioural
parameters (what we do not know), costs and programme rules, each with default, unit, bounds,
a one-line explanation and its source or rationale.

The EnrollmentModel's keyword arguments are exactly these names; the scenario schema, the CLI
and the app's controls are generated from this table, so a new input is added here once.

Lever values can be one province-wide number, a table by regency, or windows of months (see
model/levers.py). Status-quo defaults describe Aug 2024 carried forward unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

from model import data
from model.premium import schedule as premium_schedule

Kind = Literal["lever", "uncertain", "cost", "rule", "pilot"]
Group = Literal["village", "market", "firms", "socialization", "subsidy", "payment",   # levers
                "take-up", "perisai", "formal", "pilot"]
# How a province-wide lever value is spread over regencies (model/model.py: _resolve_levers).
Spread = Literal["eligible", "villages", "informal", "firms", "subsidy", "palm"]
# A value's form: a number (the usual), a list of SUBSIDY_GROUPS, one of `choices`, or a month
# (YYYY-MM, empty for the first simulated month).
ValueType = Literal["number", "groups", "choice", "month"]

# Groups a subsidy programme can target (union of the named groups, informal workers only).
SUBSIDY_GROUPS: dict[str, str] = {
    "vulnerable": "poor and vulnerable informal workers (the Dinas Sosial lists)",
    "farmer": "farmers, fishers and other village workers",
    "trader": "traders in traditional markets",
    "urban": "other urban informal workers (ojek drivers, street vendors...)",
    "palm_smallholder": "palm-oil smallholders in the region's palm regencies",
    "village_official": "village heads, apparatus and BPD members",
    "informal": "every informal worker",
}

# Strategy groups in the order the app shows them.
LEVER_GROUPS = {
    "village": "Village ecosystem",
    "market": "Market ecosystem (Perisai agents)",
    "firms": "SME and company partnerships",
    "socialization": "Socialization and education",
    "subsidy": "Local-government subsidies",
    "payment": "Easier registration and payment",
}


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    kind: Kind
    group: Group
    unit: str
    bounds: tuple[float, float]
    help: str
    source: str
    # Levers only: how a province-wide number is spread over regencies, or None when the same
    # value applies everywhere.
    spread: Spread | None = None
    integer: bool = False
    type: ValueType = "number"
    choices: tuple[str, ...] = ()
    # Levers only: False for a national setting a scenario may change but no office decides (the
    # premium's discounts): the optimiser does not move it.
    planner: bool = True

    @property
    def is_lever(self) -> bool:
        return self.kind == "lever"


def _p(name: str, default: Any, kind: Kind, group: Group, unit: str, bounds: tuple[float, float],
       help: str, source: str, spread: Spread | None = None, integer: bool = False,
       type: ValueType = "number", choices: tuple[str, ...] = (), planner: bool = True) -> Parameter:
    return Parameter(name, default, kind, group, unit, bounds, help, source, spread, integer,
                     type, choices, planner)


def _entries(region: data.Region) -> list[Parameter]:
    """The registry's entries for one region: defaults and bounds that depend on its data (its
    status-quo programmes, its villages, the premium) are worked out here, when a model or a
    caller asks for that region, never at import."""
    short = region.short_name
    regs = region.regencies
    desa, kelurahan = int(regs["desa"].sum()), int(regs["kelurahan"].sum())
    province = region.province_programme
    premium = region.premium_idr()
    return [
        # ---------------------------------------------------------------- levers: village ecosystem
        _p("villages_per_month", 0.0, "lever", "village", "villages per month", (0, region.villages),
           "Villages newly activated each month: officials promote, help register and collect.",
           "Status quo 0: the village ecosystem is a new strategy (Kanwil plan, 2 Aug 2024). "
           f"{short} has {region.villages:,} villages ({desa:,} desa + {kelurahan:,} kelurahan).", spread="villages"),
        # ---------------------------------------------------------------- levers: market ecosystem
        _p("perisai_agents", 300.0, "lever", "market", "agents", (0, 20_000),
           "Target number of active Perisai agents; the branch hires toward it.",
           f"Assumption: no published {short} count. About 8 branches x 38 productive agents "
           "(Sampit branch 2025: 62 agents, 38 productive).", spread="informal"),
        _p("perisai_recruits_per_month", 30.0, "lever", "market", "workers per agent per month",
           (0, 500), "Monthly recruitment target per agent; an agent stops visiting once it is met.",
           "2018 roll-out: about 2,000 agents recruited 144,745 participants in two months "
           "(36 per agent-month), BPJS TK 2018."),
        _p("perisai_commission", 0.075, "lever", "market", "share of contributions", (0, 0.5),
           "Agents' commission on the contributions they collect each month.",
           "BPJS TK 2018: 7.5% of contributions collected from the participants they recruited."),
        # ---------------------------------------------------------------- levers: firms
        _p("firms_per_month", 20.0, "lever", "firms", "firms per month", (0, 20_000),
           "Firms signing a partnership to register all their workers each month.",
           "Assumption for the status quo (no published count).", spread="firms"),
        _p("inspections_per_month", 10.0, "lever", "firms", "firms per month", (0, 20_000),
           "Compliance inspections of firms that register none or part of their workers.",
           "Assumption for the status quo (no published count).", spread="firms"),
        # ---------------------------------------------------------------- levers: socialization
        _p("campaign_reach_per_month", 20_000.0, "lever", "socialization", "workers per month",
           (0, 3_000_000), "Workers reached by socialization and education each month.",
           "Assumption for the status quo (no published count).", spread="eligible"),
        # ---------------------------------------------------------------- levers: subsidies
        _p("subsidy_budget_idr", region.status_quo_regency_budgets(), "lever", "subsidy",
           "rupiah per year", (0, 1e13),
           "Local governments' yearly budget for paying the Rp 16,800 package; stops when spent.",
           f"Status quo: the regency programmes running at month 0 (model/data/regions/{region.id}/subsidies.toml), "
           f"beneficiaries x Rp {premium:,} x 12.", spread="subsidy"),
        _p("subsidy_share", 1.0, "lever", "subsidy", "share of the premium", (0, 1),
           "Share of the Rp 16,800 monthly package the local government pays.",
           "Local programmes pay the whole Rp 16,800 package (e.g. Penajam Paser Utara 2025, Bangka "
           "2025, Seluma 2025; Sumsel's DBH Sawit programme for palm smallholders, 2024)."),
        _p("subsidy_months", 0.0, "lever", "subsidy", "months per beneficiary (0 = no limit)",
           (0, 120), "Months each beneficiary is paid for; 0 renews for as long as the budget lasts.",
           "Status-quo programmes renew yearly; time-limited subsidies as in Banerjee et al. (2021).",
           integer=True),
        _p("subsidy_eligible", ("vulnerable",), "lever", "subsidy", "groups", (0, 0),
           "Groups the local governments' subsidy may enrol (union of the named groups).",
           "Status-quo programmes mostly target vulnerable workers (the regency programmes of subsidies.toml).",
           type="groups"),
        _p("palm_subsidy_budget_idr", region.status_quo_province_budget(), "lever", "subsidy",
           "rupiah per year", (0, 1e13),
           "The province's yearly budget for its own premium programme (the workers it pays for at month 0, "
           "e.g. palm smallholders from a palm fund).",
           f"Status quo: {region.province_payer}, {province['beneficiaries']:,} beneficiaries "
           f"({', '.join(province['eligible'])}) x Rp {premium:,} x 12 (subsidies.toml [province]).",
           spread="palm"),
        _p("subsidy_mechanism", "list", "lever", "subsidy", "mechanism", (0, 0),
           "How the local governments' and the palm fund's subsidies reach workers: list (the payer "
           "registers its listed beneficiaries) or offer (each worker must take the offer up and "
           "register, with friction, awareness and assistance).",
           "Status-quo programmes register named beneficiaries (village funds, DBH Sawit through 120 "
           "institutions); offers are how field pilots work (Banerjee et al. 2021).",
           type="choice", choices=("list", "offer")),
        # ---------------------------------------------------------------- levers: payment
        _p("digital_payment_share", 0.2, "lever", "payment", "share of participants", (0, 1),
           "Share of self-paying informal participants paying digitally or by auto-debit.",
           "Assumption for the status quo (no published figure)."),
        _p("registration_assistance", 0.0, "lever", "payment", "share of friction removed", (0, 1),
           "How much easier self-registration is made (0 = today, 1 = no failed attempts).",
           "Banerjee et al. (2021): more than half of attempted registrations failed on friction."),
        _p("premium_discount_transport", premium_schedule()["transport"], "lever", "payment",
           "share of the premium", (0, 1),
           "Share of the JKK+JKM premium waived nationally for informal transport workers, by month.",
           "Status quo PP 50/2025: Rp 16,800 -> Rp 8,400 from Jan 2026 to Mar 2027 (model/data/premium.toml; "
           "Antara Jateng, Dec 2025).", planner=False),
        _p("premium_discount_other", premium_schedule()["other"], "lever", "payment",
           "share of the premium", (0, 1),
           "Share of the JKK+JKM premium waived nationally for informal workers of other sectors, by month.",
           "Status quo PP 50/2025: Rp 16,800 -> Rp 8,400 from Apr 2026 to Dec 2026 (model/data/premium.toml; "
           "Antara Jateng, Dec 2025).", planner=False),
        # ---------------------------------------------------------------- uncertain: take-up
        _p("initial_awareness", 0.4, "uncertain", "take-up", "share", (0, 1),
           "Share of never-registered informal workers who know BPU coverage and how to join at month 0.",
           "Assumption; informal coverage of about 20% after years of campaigns suggests awareness "
           "is far from complete."),
        _p("take_up_rate", 0.006, "uncertain", "take-up", "probability per month", (0, 1),
           "Monthly chance an aware, uncovered informal worker of average valuation joins on their own.",
           "Hand-set so the status-quo baseline stays inside the 2024-2025 spread of coverage figures."),
        _p("valuation_sd", 1.0, "uncertain", "take-up", "log-odds", (0, 5),
           "Spread of perceived value of coverage across workers.",
           "Assumption; makes take-up and retention concentrate in the same workers."),
        _p("price_sensitivity", 0.3, "uncertain", "take-up", "log-odds per % of income", (0, 5),
           "Fall in the log-odds of joining per percentage point of income the premium costs.",
           "Rp 16,800 is about 1% of a median informal income, so price matters less than friction "
           "and awareness; Banerjee et al. (2021) found large subsidy effects mostly via enrolment offers."),
        _p("imitation", 0.03, "uncertain", "take-up", "probability per month", (0, 1),
           "Extra monthly chance of joining per unit of coverage among village or market peers (Bass q).",
           "Bass-model imitation rates of about 0.3-0.4 a year for new services (Bass 1969 and later)."),
        _p("peer_awareness", 0.1, "uncertain", "take-up", "probability per month", (0, 1),
           "Monthly chance an unaware worker learns about coverage per unit of peer coverage.",
           "Assumption."),
        _p("friction", 0.5, "uncertain", "take-up", "probability", (0, 1),
           "Share of self-registration attempts that fail on administrative friction.",
           "Banerjee et al. (2021): more than half of attempted registrations failed."),
        _p("assisted_friction", 0.2, "uncertain", "take-up", "probability", (0, 1),
           "Share of attempts that fail when a Perisai agent or village promoter registers the worker.",
           "Assumption: agents register on the spot with the app; lower than self-registration."),
        _p("perisai_visit_effect", 2.7, "uncertain", "take-up", "log-odds", (0, 8),
           "Boost to the log-odds of joining in the month a Perisai agent visits.",
           "Set so agents sign about 13 workers a month, as in 2018 (400,000 participants by about "
           "3,500 active agents in the programme's first year; 36 a month in its first two months)."),
        _p("village_contact_rate", 0.1, "uncertain", "take-up", "probability per month", (0, 1),
           "Monthly chance an uncovered resident of an activated village is approached by its promoter.",
           "Assumption."),
        _p("village_contact_effect", 2.5, "uncertain", "take-up", "log-odds", (0, 8),
           "Boost to the log-odds of joining when approached by the village promoter.",
           "Assumption: personal contact from a known official, a little below a Perisai visit."),
        _p("campaign_effect", 0.3, "uncertain", "take-up", "log-odds", (0, 6),
           "Boost to the log-odds of joining in the month a campaign reaches the worker.",
           "Banerjee et al. (2021): information alone had little effect on enrolment."),
        _p("list_enrolment_success", 0.9, "uncertain", "take-up", "probability", (0.75, 0.98),
           "Share of listed beneficiaries a payer registers (mechanism list) who end up active.",
           "Assumption, range 0.75-0.98: lists fail on data (invalid or duplicate NIK, outdated DTKS "
           f"entries); no published {short} rejection rate. The worker takes no step."),
        _p("offer_effect", 2.0, "uncertain", "take-up", "log-odds", (0, 8),
           "Boost to the log-odds of registering in the month a worker receives a subsidy offer "
           "(mechanism offer, pilots): the prompt of a time-limited offer.",
           "Calibrated to the full-subsidy arm of Banerjee et al. (AER 2021); the offer still passes "
           "through registration friction."),
        _p("post_subsidy_retention", 0.3, "uncertain", "payment", "probability", (0, 1),
           "Chance a worker keeps paying on their own when their subsidy ends.",
           "Banerjee et al. (2021): coverage stayed higher after subsidies ended, but well below its "
           "subsidised level; Pematangsiantar officials expect workers not to continue (2025)."),
        _p("retention_duration_effect", 0.5, "uncertain", "payment", "log-odds per log-month", (0, 3),
           "How retention after a subsidy grows with the months covered: logit(keep) moves by this times "
           "ln(months covered / 12).",
           "Assumption, range 0-1: Banerjee et al. (2021) tested one duration (12 months); habits of paying "
           "grow with time covered, so shorter subsidies keep fewer (0 = duration does not matter)."),
        _p("transport_share_of_urban", 0.3, "uncertain", "payment", "share", (0, 1),
           "Share of urban informal workers who are transport workers (ojek, ojol, angkot, becak): the "
           "sector PP 50/2025 discounts longest.",
           "Assumption, range 0.15-0.5: no Sumsel figure found; drivers are the largest urban informal "
           "group named in the local programmes (Kepahiang, Kaur, Pro Jambi Tangguh)."),
        # ---------------------------------------------------------------- uncertain: payment
        _p("stop_rate", 0.07, "uncertain", "payment", "probability per month", (0, 1),
           "Monthly chance a self-paying informal participant stops paying.",
           "Hand-set; informal active counts fell 16% nationally Dec 2024-May 2025 (Kontan, 2025)."),
        _p("collector_effect", 0.5, "uncertain", "payment", "share of stops avoided", (0, 1),
           "How much a contribution collector (Perisai agent, village promoter) cuts stopping.",
           "Assumption; collecting contributions is the agents' stated role (BPJS TK 2018)."),
        _p("digital_effect", 0.4, "uncertain", "payment", "share of stops avoided", (0, 1),
           "How much digital or automatic payment cuts stopping.",
           "Assumption."),
        _p("subsidy_disbursement_lag", 3.0, "uncertain", "payment", "months", (0, 6),
           "Months at the start of each year before government premium payments are disbursed.",
           "Budgets are paid once or twice a year, so active counts dip early in the year until the "
           "new budget is disbursed (BPJS TK to parliament, May 2025).", integer=True),
        _p("list_enrolment_throughput", 10_000.0, "uncertain", "payment", "workers per month per payer",
           (1, 1e7),
           "Listed beneficiaries one payer (a regency or the province) can register in a month.",
           "Assumption, range 3,000-20,000: lists are registered over weeks to months (Lebong 2025: few of "
           "13,300 registered by mid-October, waiting for village data); Muara Enim listed 26,775 for Oct-Dec 2025."),
        _p("list_enrolment_lead_months", 1.0, "uncertain", "payment", "months", (0, 12),
           "Months from a payer's new budget (a programme starting or growing) to its first new enrolments.",
           "Assumption, range 0-3: the list is compiled and checked (DTKS, NIK) after the budget passes "
           "(Lebong 2025; Kepahiang funded Oct 2025 for its first 3 months).", integer=True),
        _p("apbd_p_month", 10.0, "uncertain", "payment", "calendar month", (1, 12),
           "Month the revised local budget (APBD-P) takes effect: local budgets change only in January "
           "and in this month.",
           "Assumption, range 9-11: APBD-P is passed late in the year; Muara Enim paid Oct-Dec 2025 and "
           "Kepahiang from Oct 2025 from their revised budgets.", integer=True),
        _p("history_duration_shift", 0.0, "uncertain", "subsidy", "share of the range", (-1, 1),
           "Where the history's programmes of uncertain duration end within their months_range "
           "(history.toml): 0 = the files' months, -1 = every one at its shortest, +1 at its longest.",
           "Assumption: most programme durations are not stated (history.toml months_basis = "
           "'assumption', each with its range); a run with a decision month reads it (model/history.py)."),
        # ---------------------------------------------------------------- uncertain: Perisai agents
        _p("perisai_visit_capacity", 150.0, "uncertain", "perisai", "visits per agent per month",
           (0, 2000), "Uncovered workers an agent can approach in a month.", "Assumption.",
           integer=True),
        _p("perisai_reservation_income_idr", 300_000.0, "uncertain", "perisai", "rupiah per month",
           (0, 1e8), "Earnings below which an agent considers quitting (3-month average).",
           "Assumption: agents are unsalaried community members (BPJS TK 2018)."),
        _p("perisai_quit_rate", 0.15, "uncertain", "perisai", "probability per month", (0, 1),
           "Monthly chance an agent earning below the reservation income quits.",
           "Assumption; Sampit 2025: 38 of 62 agents productive."),
        _p("perisai_hiring_rate", 0.25, "uncertain", "perisai", "share of gap per month", (0, 1),
           "Share of the gap to the agent target the branches fill each month.", "Assumption."),
        _p("perisai_hiring_capacity", 300.0, "uncertain", "perisai", "agents per month", (0, 1e6),
           "Agents the branches can recruit and train in a month (the whole region); more hires wait.",
           "Assumption, range 150-600: the 2018 roll-out put about 2,000 agents to work in two months "
           "nationally (about 1,000 a month); a Kanwil recruits and trains a few hundred a month at most."),
        _p("village_activation_capacity", 100.0, "uncertain", "village", "villages per month", (0, 1e5),
           "Villages the branches can activate (train a promoter) in a month (the whole region); more wait.",
           "Assumption, range 50-200: no published pace; about a branch's eight staff training two to three "
           "villages a week each."),
        # ---------------------------------------------------------------- uncertain: formal sector
        _p("job_separation_rate", 0.02, "uncertain", "formal", "probability per month", (0, 1),
           "Monthly chance a wage earner leaves their job.", "Assumption (about 24% a year)."),
        _p("formal_exit_share", 0.3, "uncertain", "formal", "share", (0, 1),
           "Share of job leavers who move to informal work (as many informal workers move in).",
           "Assumption; keeps the formal and informal pools at their data-set sizes."),
        _p("firm_dropout_rate", 0.004, "uncertain", "formal", "probability per month", (0, 1),
           "Monthly chance a registered firm stops paying and its workers become inactive.",
           "Assumption; wage earners become inactive after 3 unpaid months (BPJS TK 2025)."),
        _p("firm_registration_rate", 0.003, "uncertain", "formal", "probability per month", (0, 1),
           "Monthly chance a non-compliant firm registers all its workers without outreach.",
           "Hand-set with firm_dropout_rate so formal coverage is about steady without new effort."),
        _p("partnership_success", 0.5, "uncertain", "formal", "probability", (0, 1),
           "Chance a partnership leads the firm to register all its workers.", "Assumption."),
        _p("inspection_success", 0.4, "uncertain", "formal", "probability", (0, 1),
           "Chance an inspected firm registers all its workers.", "Assumption."),
        _p("construction_project_months", 6.0, "uncertain", "formal", "months", (1, 60),
           "Average length of a construction project's registration.",
           "Assumption; construction workers are registered per project (Jasa Konstruksi)."),
        # ---------------------------------------------------------------- costs
        _p("campaign_cost_per_worker_idr", 10_000.0, "cost", "socialization", "rupiah per worker",
           (0, 1e7), "Cost of reaching one worker with socialization.", "Assumption."),
        _p("village_activation_cost_idr", 25_000_000.0, "cost", "village", "rupiah per village",
           (0, 1e10), "One-off cost of activating a village (training, materials).", "Assumption."),
        _p("village_monthly_cost_idr", 1_000_000.0, "cost", "village", "rupiah per village per month",
           (0, 1e9), "Monthly honorarium of an activated village's promoter and collector.",
           "Assumption."),
        _p("partnership_cost_per_firm_idr", 2_000_000.0, "cost", "firms", "rupiah per firm",
           (0, 1e10), "Cost of signing a partnership with one firm.", "Assumption."),
        _p("inspection_cost_idr", 1_500_000.0, "cost", "firms", "rupiah per inspection", (0, 1e10),
           "Cost of one compliance inspection.", "Assumption."),
        _p("perisai_allowance_idr", 500_000.0, "cost", "market", "rupiah per agent-month", (0, 1e8),
           "Transport allowance in a month with at least the threshold of new participants.",
           "BPJS TK 2018: Rp 500,000 in a month with at least 50 new participants."),
        # ---------------------------------------------------------------- pilots (model/pilot.py)
        _p("pilot_unit", "none", "pilot", "pilot", "unit", (0, 0),
           "Unit randomised in a pilot: none (no pilot), worker, village or market.",
           "Randomised field experiments as in Banerjee et al. (2021).", type="choice",
           choices=("none", "worker", "village", "market")),
        _p("pilot_units", 0.0, "pilot", "pilot", "units (0 = all)", (0, 1e7),
           "Units in the pilot, treated and control together.", "Planner's design choice.",
           integer=True),
        _p("pilot_share", 0.5, "pilot", "pilot", "share of units", (0, 1),
           "Share of the pilot's units that are treated.", "Planner's design choice."),
        _p("pilot_start", "", "pilot", "pilot", "month", (0, 0),
           "First month of treatment (empty: the first simulated month).", "Planner's design choice.",
           type="month"),
        _p("pilot_months", 12.0, "pilot", "pilot", "months", (1, 120),
           "Months the treatment lasts.", "Planner's design choice.", integer=True),
        _p("pilot_subsidy_share", 0.0, "pilot", "pilot", "share of the premium", (0, 1),
           "Subsidy offered to treated workers for the pilot's months.",
           "Time-limited subsidies as in Banerjee et al. (2021)."),
        _p("pilot_sample", "all", "pilot", "pilot", "workers", (0, 0),
           "Whose coverage the pilot reports: all informal workers of the sampled units, or only "
           "those not covered when it starts (as a field experiment samples non-enrolled households).",
           "Banerjee et al. (2021) sampled households not enrolled in JKN.", type="choice",
           choices=("all", "uncovered")),
        _p("pilot_assistance", 0.0, "pilot", "pilot", "share of friction removed", (0, 1),
           "Registration assistance for treated workers during the pilot.",
           "Assistance arm of Banerjee et al. (2021)."),
        _p("pilot_information", 0.0, "pilot", "pilot", "0 or 1", (0, 1),
           "An information visit to treated workers at the start (1 = yes).",
           "Information arm of Banerjee et al. (2021).", integer=True),
        # ---------------------------------------------------------------- programme rules
        _p("premium_idr", float(premium), "rule", "payment", "rupiah per month", (0, 1e7),
           "Minimum BPU package: JKK Rp 10,000 + JKM Rp 6,800.", "PP 44/2015."),
        _p("lapse_months", 3.0, "rule", "payment", "months", (1, 12),
           "Unpaid months after which a participant becomes inactive.",
           "BPJS TK rule for BPU (official site, 2024-2025) and for employers (2025).", integer=True),
        _p("perisai_allowance_threshold", 50.0, "rule", "market", "new participants", (0, 10_000),
           "New participants in a month that earn an agent the transport allowance.",
           "BPJS TK 2018.", integer=True),
        _p("perisai_idle_months", 3.0, "rule", "market", "months", (1, 24),
           "Months without a new participant or a contribution after which an agent is inactive.",
           "Bali branch, 2018.", integer=True),
    ]



def _calibrated(p: Parameter, fitted: dict[str, dict]) -> Parameter:
    """The registry entry with its default from the region's calibration.toml, if it was fitted."""
    if p.name not in fitted:
        return p
    fit = fitted[p.name]
    interval = f"90% interval {fit['low90']:.3g} to {fit['high90']:.3g}"
    identified = "" if fit["identified"] else ", not pinned down by the targets"
    return replace(p, default=float(fit["value"]), source=(
        f"Calibrated (docs/calibration.md): {interval}{identified}. Prior {fit['prior']:g}: {p.source}"))


def registry(region: str = data.DEFAULT_REGION) -> dict[str, Parameter]:
    """Every parameter of a run in `region`, with that region's defaults and bounds (its status
    quo, its villages, its calibration.toml's fitted values). Worked out once per region."""
    return _registry(data.load(region))


def priors(region: str = data.DEFAULT_REGION) -> dict[str, Any]:
    """Hand-set defaults before calibration (the calibration's priors and starting point)."""
    return _priors(data.load(region))


@cache
def _registry(region: data.Region) -> dict[str, Parameter]:
    fitted = region.calibration.get("parameters", {})
    return {p.name: _calibrated(p, fitted) for p in _regional(region)}


@cache
def _priors(region: data.Region) -> dict[str, Any]:
    return {p.name: p.default for p in _regional(region)}


def _regional(region: data.Region) -> list[Parameter]:
    """The region's entries, with the defaults its region.toml [parameters.<name>] sets (an
    uncertain parameter the region's own data decide, with its source)."""
    entries = _entries(region)
    own = region.parameters
    unknown = sorted(set(own) - {p.name for p in entries if p.kind == "uncertain"})
    if unknown:
        raise data.RegionError(f"region {region.id!r}: region.toml [parameters]: {', '.join(unknown)} "
                               "is not an uncertain parameter")
    return [_own(p, own[p.name], region.id) if p.name in own else p for p in entries]


OWN_FORM = "value = a number, prior = [low, high], source = a text"


def _own(p: Parameter, entry: Any, region_id: str) -> Parameter:
    where = f"region {region_id!r}: region.toml [parameters.{p.name}]"
    if not isinstance(entry, dict) or set(entry) != {"value", "prior", "source"}:
        raise data.RegionError(f"{where}: needs exactly {OWN_FORM}")
    numbers = [entry["value"], *entry["prior"]] if isinstance(entry["prior"], list) else []
    if (len(numbers) != 3 or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in numbers)
            or not all(math.isfinite(x) for x in numbers) or not isinstance(entry["source"], str)
            or not entry["source"].strip()):
        raise data.RegionError(f"{where}: needs {OWN_FORM} (finite numbers, a source that is not empty)")
    value, low, high = (float(x) for x in numbers)
    if not (p.bounds[0] <= low <= value <= high <= p.bounds[1]):
        raise data.RegionError(f"{where}: value {value:g} and "
                               f"prior [{low:g}, {high:g}] must lie in order within {p.bounds}")
    source = f"{region_id}: {entry['source']} (national default {p.default:g}: {p.source})"
    return replace(p, default=value, source=source)


def prior_range(name: str, region: str = data.DEFAULT_REGION) -> tuple[float, float]:
    """The ensemble's prior range of an uncertain parameter or cost in `region`: the region's
    own (region.toml [parameters.<name>].prior) if it sets one, else PRIOR_RANGES."""
    own = data.load(region).parameters.get(name)
    if own is not None:
        low, high = own["prior"]
        return float(low), float(high)
    return PRIOR_RANGES[name]


def names(kind: Kind) -> list[str]:
    """The parameters of one kind, in registry order (the same for every region)."""
    return [name for name, p in registry().items() if p.kind == kind]


class _DefaultRegion(Mapping[str, Any]):
    """A read-only view of the default region's registry (or priors), built on first use: the
    historical module-level names work without reading a data file at import."""

    def __init__(self, build: Callable[[], dict[str, Any]]):
        self._build = build

    def __getitem__(self, name: str) -> Any:
        return self._build()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())


PARAMETERS: Mapping[str, Parameter] = _DefaultRegion(registry)
PRIORS: Mapping[str, Any] = _DefaultRegion(priors)


def __getattr__(name: str) -> list[str]:
    """LEVERS, UNCERTAIN and COSTS: the parameters' names by kind (the same in every region)."""
    kinds: dict[str, Kind] = {"LEVERS": "lever", "UNCERTAIN": "uncertain", "COSTS": "cost"}
    if name in kinds:
        return names(kinds[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def table(region: str = data.DEFAULT_REGION) -> list[dict[str, Any]]:
    """The registry as rows, for docs and the app."""
    return [
        {"name": p.name, "kind": p.kind, "group": p.group, "default": p.default, "unit": p.unit,
         "min": p.bounds[0], "max": p.bounds[1], "help": p.help, "source": p.source}
        for p in registry(region).values()
    ]


def markdown() -> str:
    """docs/parameters.md, generated from this registry (tests check it is up to date)."""
    lines = ["# Model inputs", "",
             "Generated from `model/parameters.py` by `python -m model.parameters > docs/parameters.md`.",
             "Levers are what a planner chooses (status-quo defaults); uncertain parameters are what we",
             "do not know (the sensitivity analysis varies them); costs and rules complete the model.", ""]
    for kind, title in [("lever", "Levers"), ("uncertain", "Uncertain behavioural parameters"),
                        ("cost", "Costs"), ("rule", "Programme rules"), ("pilot", "Pilot design")]:
        lines += [f"## {title}", "", "| name | default | unit | range | meaning | source or rationale |",
                  "|---|---|---|---|---|---|"]
        for p in registry().values():
            if p.kind != kind:
                continue
            default = p.default
            if isinstance(default, dict):
                default = "; ".join(f"{k}: {v:,.0f}" for k, v in default.items())
            elif isinstance(default, tuple):
                default = ", ".join(default)
            elif isinstance(default, list):
                default = "; ".join(f"{w['from']} to {w['to']}: {w['value']:g}" for w in default)
            elif isinstance(default, float):
                default = f"{default:,.10g}"
            span = "" if p.type != "number" else f"{p.bounds[0]:,.10g} to {p.bounds[1]:,.10g}"
            if p.choices:
                span = ", ".join(p.choices)
            lines.append(f"| `{p.name}` | {default} | {p.unit} | {span} | {p.help} | {p.source} |")
        lines.append("")
    lines += ["Subsidy groups: " + "; ".join(f"`{k}` ({v})" for k, v in SUBSIDY_GROUPS.items()) + ".", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(), end="")


# Prior ranges for the parameter ensemble (experiments/ensemble.py): every uncertain parameter
# and every cost is drawn uniformly in its range. Parameters fitted by the calibration use its
# searched range instead (model/data/targets.toml). Each range is an assumption around the
# documented default unless the source above says more; costs are +-50% of an assumed default.
PRIOR_RANGES: dict[str, tuple[float, float]] = {
    "initial_awareness": (0.3, 0.5),            # assumption: default +-0.1
    "valuation_sd": (0.5, 1.5),                 # assumption
    "price_sensitivity": (0.15, 0.45),          # assumption: default +-50%
    "imitation": (0.015, 0.045),                # Bass q of 0.2-0.5 a year
    "peer_awareness": (0.05, 0.15),             # assumption: default +-50%
    "friction": (0.4, 0.6),                     # Banerjee et al. (2021): over half of attempts failed
    "assisted_friction": (0.1, 0.3),            # assumption
    "village_contact_rate": (0.05, 0.15),       # assumption: default +-50%
    "village_contact_effect": (1.5, 3.5),       # assumption: at most about a Perisai visit's effect + 1
    "campaign_effect": (0.0, 0.6),              # Banerjee et al. (2021): information had no effect
    "list_enrolment_success": (0.8, 0.98),      # assumption: data-quality failures of 2-20%
    "collector_effect": (0.3, 0.7),             # assumption
    "digital_effect": (0.2, 0.6),               # assumption
    "subsidy_disbursement_lag": (2, 4),         # BPJS TK to parliament (2025): early-year dip
    "perisai_visit_capacity": (100, 200),       # assumption
    "perisai_hiring_capacity": (150, 600),      # assumption: see the registry's source
    "village_activation_capacity": (50, 200),   # assumption
    "list_enrolment_throughput": (3_000, 20_000),   # assumption (Lebong, Muara Enim 2025)
    "list_enrolment_lead_months": (0, 3),       # assumption
    "apbd_p_month": (9, 11),                    # assumption: APBD-P late in the year
    "history_duration_shift": (-1.0, 1.0),      # the history.toml months_range of each programme
    "retention_duration_effect": (0.0, 1.0),    # assumption: Banerjee et al. tested 12 months only
    "transport_share_of_urban": (0.15, 0.5),    # assumption: no Sumsel figure
    "perisai_reservation_income_idr": (200_000, 400_000),   # assumption
    "perisai_quit_rate": (0.1, 0.2),            # assumption; Sampit 2025: 38 of 62 productive
    "perisai_hiring_rate": (0.15, 0.35),        # assumption
    "job_separation_rate": (0.015, 0.025),      # assumption: 18-30% a year
    "formal_exit_share": (0.2, 0.4),            # assumption
    "firm_dropout_rate": (0.003, 0.005),        # assumption, paired in size with registration
    "firm_registration_rate": (0.002, 0.004),   # assumption
    "partnership_success": (0.3, 0.7),          # assumption
    "inspection_success": (0.25, 0.55),         # assumption
    "construction_project_months": (4, 9),      # assumption
    "campaign_cost_per_worker_idr": (5_000, 20_000),                # assumption
    "village_activation_cost_idr": (12_500_000, 50_000_000),        # assumption
    "village_monthly_cost_idr": (500_000, 2_000_000),               # assumption
    "partnership_cost_per_firm_idr": (1_000_000, 4_000_000),        # assumption
    "inspection_cost_idr": (750_000, 3_000_000),                    # assumption
    "perisai_allowance_idr": (500_000, 750_000),  # BPJS TK 2018 Rp 500,000; may have risen since
}
