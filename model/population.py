"""The synthetic workforce: one numpy array per attribute, index = worker id (the Starsim pattern).

Workers are laid out in contiguous blocks by regency, so a regency is a slice. Villages, markets
and firms are groups of workers with their own arrays. Everything here depends only on the data
set, the scale, the seed and the uncertain parameters - never on a lever - so two scenarios with
the same seed start from the same population and the same month-0 state.

This module holds the one place for dtypes. Month-0 coverage (the data set's figures) is set by
`initial_formal`, `initial_construction` and `initial_informal` (their draws use the stream
"initial_state"); subsidised beneficiaries at month 0 are enrolled by the local governments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np

from model import data, participation
from model.streams import Streams

# Segments (uint8 codes). Wage earners and construction-project workers are formal.
WAGE, CONSTRUCTION, FARMER, TRADER, URBAN = range(5)
SEGMENT_NAMES = ("wage", "construction", "farmer", "trader", "urban")

# Firm compliance states (uint8).
NONE, PARTIAL, FULL = 0, 1, 2

# Payer codes (int8 `Population.payer`): SELF_PAYER, or a government or pilot code of the run's
# `participation.Payers` (from the region's regency count).
SELF_PAYER = participation.SELF_PAYER


@dataclass
class Firms:
    regency: np.ndarray      # uint8
    size_class: np.ndarray   # uint8, index into workforce.toml [firms].classes
    state: np.ndarray        # uint8: NONE, PARTIAL, FULL
    partnered: np.ndarray    # bool: signed a partnership already (not approached again)
    workers: np.ndarray      # int32: wage earners at month 0 (for weighting job moves)
    partial_share: float = 0.5  # share of its workers a PARTIAL firm registers (initial_formal)

    @property
    def n(self) -> int:
        return len(self.regency)


@dataclass
class Places:
    village_regency: np.ndarray   # int16 per village
    village_is_desa: np.ndarray   # bool per village
    market_regency: np.ndarray    # int16 per market

    @property
    def n_villages(self) -> int:
        return len(self.village_regency)

    @property
    def n_groups(self) -> int:
        """Peer groups: villages first, then markets."""
        return len(self.village_regency) + len(self.market_regency)

    def group_regency(self) -> np.ndarray:
        """The regency of each peer group (villages first, then markets)."""
        return np.concatenate([self.village_regency, self.market_regency])


@dataclass
class Population:
    """All workers. Static attributes first, then the state that behaviours change."""

    weight: float                 # real persons per simulated worker
    regency_start: np.ndarray     # int64 [n_regencies + 1]: regency r is workers[regency_start[r]:regency_start[r+1]]
    regency: np.ndarray           # uint8
    segment: np.ndarray           # uint8 (changes only by job turnover)
    village: np.ndarray           # int32 global village id (residence)
    market: np.ndarray            # int32 market id, -1 if not a trader
    peer_group: np.ndarray        # int32: market group for traders, village otherwise
    firm: np.ndarray              # int32 firm id, -1 unless a wage earner
    income: np.ndarray            # float32 rupiah per month
    valuation: np.ndarray         # float32 standard normal; times valuation_sd = log-odds
    vulnerable: np.ndarray        # bool (Dinas Sosial poor and vulnerable)
    palm: np.ndarray              # bool palm smallholder
    official: np.ndarray          # bool village official
    digital_u: np.ndarray         # float32 static draw: pays digitally if below the share
    partial_u: np.ndarray         # float32 static draw: registered in a PDS firm if below the share
    subsidy_priority: np.ndarray  # float32 static draw: order on a subsidy waiting list
    firms: Firms
    places: Places
    # --- derived from subsidy_priority at build (static): the waiting-list order of all workers
    by_priority: np.ndarray = field(init=False)     # int32 worker ids in waiting-list order
    priority_rank: np.ndarray = field(init=False)   # int32 each worker's place in by_priority
    # --- dynamic informal state (participation: written only by model/participation.py)
    aware: np.ndarray = field(init=False)          # bool knows BPU and how to join
    registered: np.ndarray = field(init=False)     # bool has a BPJS number (can resume by paying)
    inf_active: np.ndarray = field(init=False)     # bool active informal (BPU) participant
    active_by_group: np.ndarray = field(init=False)  # int64 [n_groups]: inf_active by peer group, kept
    stopped: np.ndarray = field(init=False)        # bool self-payer who stopped paying
    unpaid: np.ndarray = field(init=False)         # int8 consecutive unpaid months
    payer: np.ndarray = field(init=False)          # int8 SELF_PAYER or a government payer code
    payer_in_order: np.ndarray = field(init=False)  # int8 payer[by_priority]: in waiting-list order
    payer_changes: list = field(init=False)          # int64 arrays: workers whose payer was set since
    subsidy_used: np.ndarray = field(init=False)   # int16 months subsidised so far
    payer_since: np.ndarray = field(init=False)    # int16 month index the current payer took the worker on
    paid_own_before: np.ndarray = field(init=False)  # bool was a paying self-payer when a payer took them on
    offer_year: np.ndarray = field(init=False)     # int16 last year offered a subsidy (0 never)
    recruiter: np.ndarray = field(init=False)      # int32 Perisai agent index, -1 none
    treated: np.ndarray = field(init=False)        # bool in a pilot's treatment arm
    # --- dynamic formal state
    con_active: np.ndarray = field(init=False)     # bool construction project registered
    # int32, derived from `firm` (written only through set_firm, so the two never disagree):
    # 2 x firm + (partial_u < firms.partial_share), or 2 x firms.n for a worker without a firm.
    # Read by compiled loops only (a numpy gather would copy int32 indices to intp each time).
    firm_slot: np.ndarray = field(init=False)

    @property
    def n(self) -> int:
        return len(self.regency)

    def informal(self) -> np.ndarray:
        return self.segment >= FARMER

    def regency_counts(self, mask: np.ndarray) -> np.ndarray:
        """How many workers of each regency `mask` selects (regencies are contiguous slices)."""
        return _slice_counts(mask.view(np.uint8), self.regency_start)

    def regency_ids(self, r: int) -> np.ndarray:
        return np.arange(self.regency_start[r], self.regency_start[r + 1])

    def set_firm(self, ids: np.ndarray, firm: np.ndarray | int) -> None:
        """Workers `ids` now work for `firm` (-1: no firm), their firm slot with it."""
        firms = firm if isinstance(firm, np.ndarray) else np.full(len(ids), firm, dtype=np.int64)
        _set_firm(ids, firms, self.firm, self.firm_slot, self.partial_u,
                  np.float32(self.firms.partial_share), self.firms.n)

    def _firm_slots(self, ids: np.ndarray) -> np.ndarray:
        firm, below = self.firm[ids], self.partial_u[ids] < self.firms.partial_share
        return np.where(firm >= 0, 2 * firm + below, 2 * self.firms.n).astype(np.int32)

    def wage_active(self, partial_share: float) -> np.ndarray:
        """Wage earners registered by their firm: all in FULL firms, a share in PARTIAL ones."""
        if partial_share != self.firms.partial_share:      # not the share the slots were set with
            return self.wage_active_plain(partial_share)
        return _wage_active(self.firm_slot, self.firms.state)

    def wage_active_plain(self, partial_share: float) -> np.ndarray:
        """wage_active from the firms' states directly (firm -1 picks the appended NONE)."""
        state = np.append(self.firms.state, NONE)[self.firm]
        return (state == FULL) | ((state == PARTIAL) & (self.partial_u < partial_share))


# --------------------------------------------------------------------------- _kernels
@numba.njit(cache=True)
def _slice_counts(mask, starts):
    """The number of nonzero bytes of `mask` in each slice [starts[r], starts[r + 1]) (int64)."""
    counts = np.zeros(starts.size - 1, dtype=np.int64)
    for r in range(starts.size - 1):
        counts[r] = _nonzero(mask[starts[r]:starts[r + 1]])
    return counts


@numba.njit(cache=True)
def _nonzero(a):
    """Nonzero bytes of `a`: a flat loop the compiler vectorizes (one over a slice of a larger
    array, indexed from its start, is not)."""
    c = 0
    for i in range(a.size):
        c += a[i] != 0
    return c


@numba.njit(cache=True)
def _set_firm(ids, firms, firm, firm_slot, partial_u, partial_share, n_firms):
    """In place: firm[ids[j]] = firms[j] and its slot, 2 x firm + (partial_u < partial_share)
    (both float32, as numpy compares a float32 array with a float), or 2 x n_firms for -1."""
    for j in range(ids.size):
        i, f = ids[j], firms[j]
        firm[i] = f
        firm_slot[i] = 2 * f + (partial_u[i] < partial_share) if f >= 0 else 2 * n_firms


@numba.njit(cache=True)
def _wage_active(firm_slot, state):
    """Whether each worker's firm registers them, from their slot: slot 2f (partial_u at or
    above the share) if firm f is FULL, slot 2f + 1 (below it) if f is FULL or PARTIAL; the
    last slot (no firm) never: a table of the 2 n_firms + 1 slots, then one pass over the workers."""
    registers = np.zeros(2 * state.size + 1, dtype=np.bool_)
    for f in range(state.size):
        registers[2 * f] = state[f] == FULL
        registers[2 * f + 1] = state[f] != NONE
    out = np.empty(firm_slot.size, dtype=np.bool_)
    for i in range(firm_slot.size):
        out[i] = registers[firm_slot[i]]
    return out


# --------------------------------------------------------------------------- pool sizes
def regency_pools(ds: data.DataSet, scale: float, region: data.Region | None = None) -> tuple[np.ndarray, float]:
    """Simulated workers by (regency, segment) and the weight (real persons per simulated one)."""
    region = region or data.load()
    reg = region.regencies
    wf = region.workforce
    real_total = ds.eligible_workers
    sim_total = max(1, int(round(real_total * scale)))
    pop = reg["population"].to_numpy(float)
    eligible = real_total * pop / pop.sum()
    kind_share = reg["kind"].map(wf["pools"]["wage_share_by_kind"]).to_numpy(float)
    wage = kind_share * pop
    wage *= wf["pools"]["wage"] * real_total / wage.sum()
    construction = wf["pools"]["construction"] * eligible
    informal = eligible - wage - construction
    mix = np.array([wf["informal_mix"][kind] for kind in reg["kind"]])
    real = np.column_stack([wage, construction, informal[:, None] * mix])
    if (real < 0).any():
        raise ValueError("workforce.toml shares leave a negative informal pool in some regency")
    counts = data.largest_remainder(sim_total, real.ravel()).reshape(real.shape)
    return counts, real_total / sim_total


# --------------------------------------------------------------------------- build
def build(ds: data.DataSet, scale: float, streams: Streams, region: data.Region) -> Population:
    """The static population of `region` (no coverage yet)."""
    counts, weight = regency_pools(ds, scale, region)
    n_reg, n_seg = counts.shape
    per_regency = counts.sum(axis=1)
    regency_start = np.concatenate([[0], np.cumsum(per_regency)]).astype(np.int64)
    n = int(regency_start[-1])
    regency = np.repeat(np.arange(n_reg, dtype=np.uint8), per_regency)
    segment = np.repeat(np.tile(np.arange(n_seg, dtype=np.uint8), n_reg), counts.ravel())
    rng = streams.generator("population", 0)
    places = _places(region.regencies, region.workforce)
    village, market = _residence(regency, segment, places, regency_start, rng)
    peer_group = np.where(market >= 0, places.n_villages + market, village).astype(np.int32)
    firms, firm = _firms(regency, segment, regency_start, rng, region.workforce["firms"])
    income = _income(segment, streams.generator("income", 0), region.workforce["income"])
    valuation = streams.generator("valuation", 0).standard_normal(n).astype(np.float32)
    static = streams.generator("population", 0, 1)
    pop = Population(
        weight=weight, regency_start=regency_start, regency=regency, segment=segment,
        village=village, market=market, peer_group=peer_group, firm=firm, income=income,
        valuation=valuation,
        vulnerable=_vulnerable(regency, segment, income, regency_start, weight, rng, region),
        palm=_palm(regency, segment, rng, region),
        official=_officials(regency, segment, village, places, regency_start, weight, rng, region),
        digital_u=static.random(n, dtype=np.float32),
        partial_u=static.random(n, dtype=np.float32),
        subsidy_priority=static.random(n, dtype=np.float32),
        firms=firms, places=places,
    )
    _priority_order(pop)
    _empty_state(pop)
    return pop


def _places(reg, wf) -> Places:
    villages = (reg["desa"] + reg["kelurahan"]).to_numpy()
    village_regency = np.repeat(np.arange(len(reg), dtype=np.int16), villages)
    is_desa = np.concatenate([np.arange(v) < d for v, d in zip(villages, reg["desa"], strict=True)])
    markets = reg["kecamatan"].to_numpy() * int(wf["markets"]["per_kecamatan"])
    market_regency = np.repeat(np.arange(len(reg), dtype=np.int16), markets)
    return Places(village_regency, is_desa, market_regency)


def _residence(regency, segment, places, regency_start, rng):
    """Each worker lives in a village of their regency; traders also work in one of its markets."""
    n = len(regency)
    village = np.empty(n, dtype=np.int32)
    market = np.full(n, -1, dtype=np.int32)
    v_start = np.searchsorted(places.village_regency, np.arange(len(regency_start)), side="left")
    m_start = np.searchsorted(places.market_regency, np.arange(len(regency_start)), side="left")
    for r in range(len(regency_start) - 1):
        lo, hi = regency_start[r], regency_start[r + 1]
        village[lo:hi] = rng.integers(v_start[r], v_start[r + 1], hi - lo)
        traders = lo + np.flatnonzero(segment[lo:hi] == TRADER)
        market[traders] = rng.integers(m_start[r], m_start[r + 1], len(traders))
    return village, market


def _firms(regency, segment, regency_start, rng, spec: dict) -> tuple[Firms, np.ndarray]:
    """Scaled firms of four size classes; wage earners spread over their regency's firms."""
    share, size = np.array(spec["worker_share"]), np.array(spec["mean_size"], dtype=float)
    firm = np.full(len(regency), -1, dtype=np.int32)
    f_regency, f_class, n_firms = [], [], 0
    for r in range(len(regency_start) - 1):
        wage = regency_start[r] + np.flatnonzero(segment[regency_start[r]:regency_start[r + 1]] == WAGE)
        in_class = data.largest_remainder(len(wage), share)
        order = rng.permutation(wage)
        start = 0
        for c, k in enumerate(in_class):
            if k == 0:
                continue
            count = max(1, int(round(k / size[c])))
            firm[order[start:start + k]] = n_firms + rng.integers(0, count, k)
            f_regency += [r] * count
            f_class += [c] * count
            n_firms += count
            start += k
    workers = np.bincount(firm[firm >= 0], minlength=n_firms).astype(np.int32)
    firms = Firms(
        regency=np.array(f_regency, dtype=np.uint8), size_class=np.array(f_class, dtype=np.uint8),
        state=np.zeros(n_firms, dtype=np.uint8), partnered=np.zeros(n_firms, dtype=bool),
        workers=workers,
    )
    return firms, firm


def _income(segment, rng, spec: dict) -> np.ndarray:
    medians = np.array([spec[f"{name}_median"] for name in SEGMENT_NAMES], dtype=float)
    z = rng.standard_normal(len(segment))
    return (medians[segment] * np.exp(spec["log_sd"] * z)).astype(np.float32)


def _vulnerable(regency, segment, income, regency_start, weight, rng, region: data.Region) -> np.ndarray:
    """The Dinas Sosial count, by regency in proportion to informal workers x poverty rate,
    given to the lowest-income informal workers (with noise: income is not all of poverty)."""
    spec = region.workforce["vulnerable"]
    poverty = region.regencies["poverty_pct"].to_numpy()
    informal = segment >= FARMER
    per_regency = np.bincount(regency[informal], minlength=len(poverty)) * poverty
    quota = data.largest_remainder(int(round(spec["count"] / weight)), per_regency)
    flag = np.zeros(len(regency), dtype=bool)
    noisy = np.log(income) + 0.5 * rng.standard_normal(len(income)).astype(np.float32)
    for r, k in enumerate(quota):
        ids = regency_start[r] + np.flatnonzero(informal[regency_start[r]:regency_start[r + 1]])
        k = min(k, len(ids))
        if k:
            flag[ids[np.argpartition(noisy[ids], k - 1)[:k]]] = True
    return flag


def _palm(regency, segment, rng, region: data.Region) -> np.ndarray:
    """Palm smallholders: a share of the farmers of the region's palm regencies (none without
    a [palm] section in workforce.toml)."""
    spec = region.workforce.get("palm", {"share_of_farmers": 0.0})
    in_palm_regency = np.isin(regency, [region.regency_index(n) for n in region.palm_regencies()])
    return in_palm_regency & (segment == FARMER) & (rng.random(len(regency)) < spec["share_of_farmers"])


def _officials(regency, segment, village, places, regency_start, weight, rng, region: data.Region) -> np.ndarray:
    """Village officials: a fixed number per desa, drawn from farmers living in a desa."""
    per_desa = region.workforce["village_officials"]["per_desa"]
    desa = region.regencies["desa"].to_numpy()
    quota = data.largest_remainder(int(round(desa.sum() * per_desa / weight)), desa)
    flag = np.zeros(len(regency), dtype=bool)
    lives_in_desa = places.village_is_desa[village]
    for r, k in enumerate(quota):
        lo, hi = regency_start[r], regency_start[r + 1]
        ids = lo + np.flatnonzero((segment[lo:hi] == FARMER) & lives_in_desa[lo:hi])
        if k and len(ids):
            flag[rng.choice(ids, size=min(k, len(ids)), replace=False)] = True
    return flag


def _empty_state(pop: Population) -> None:
    n = pop.n
    pop.aware = np.zeros(n, dtype=bool)
    participation.allocate(pop)
    pop.offer_year = np.zeros(n, dtype=np.int16)
    pop.recruiter = np.full(n, -1, dtype=np.int32)
    pop.treated = np.zeros(n, dtype=bool)
    pop.con_active = np.zeros(n, dtype=bool)


def _priority_order(pop: Population) -> None:
    """Every worker's place on a subsidy waiting list: by subsidy_priority, ties by worker id
    (one sort of a uint64 key - the priority's bits above the worker id; the bits of a
    non-negative float32 order like the float - which is a stable argsort of the priorities)."""
    ids = np.arange(pop.n, dtype=np.uint64)
    key = (pop.subsidy_priority.view(np.uint32).astype(np.uint64) << np.uint64(32)) | ids
    pop.by_priority = (np.sort(key) & np.uint64(0xFFFFFFFF)).astype(np.int32)
    pop.priority_rank = np.empty(pop.n, dtype=np.int32)
    pop.priority_rank[pop.by_priority] = np.arange(pop.n, dtype=np.int32)


def in_priority_order(pop: Population, ids: np.ndarray) -> np.ndarray:
    """`ids` in subsidy waiting-list order: by subsidy_priority, ties by worker id (sorts their
    int32 places in `pop.by_priority`)."""
    ids = np.asarray(ids, dtype=np.int64)
    if len(ids) < 2:                 # most payers have no beneficiaries in most months
        return ids.copy()
    return pop.by_priority[np.sort(pop.priority_rank[ids])].astype(np.int64)


# --------------------------------------------------------------------------- month 0
def weighted_pick(candidates: np.ndarray, k: int, weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """k candidates without replacement, inclusion rising with weight (Efraimidis-Spirakis keys)."""
    k = min(k, len(candidates))
    if k <= 0:
        return candidates[:0]
    keys = np.log(np.maximum(u, 1e-300)) / weights
    return candidates[np.argpartition(-keys, k - 1)[:k]]


def initial_formal(pop: Population, ds: data.DataSet, streams: Streams, spec: dict) -> None:
    """Firm compliance so that registered wage earners match the data set.

    Firms are ranked by compliance_slope x log(size) plus Gumbel noise; the top k register
    everyone, the next `partial_band` share of the rest register part of their workers (PDS).
    k is the largest cut that stays below the target with `partial_registered_share`; the share
    PDS firms register is then raised so the target is met exactly (sampling noise aside).
    """
    firms = pop.firms
    target = ds.active_wage / pop.weight
    share = spec["partial_registered_share"]
    size = np.maximum(firms.workers, 1).astype(float)
    u = streams.uniform("firm_priority", -1, np.arange(firms.n))
    score = spec["compliance_slope"] * np.log(size) - np.log(-np.log(np.maximum(u, 1e-300)))
    order = np.argsort(-score, kind="stable")
    full_cum = np.concatenate([[0.0], np.cumsum(firms.workers[order].astype(float))])
    k = np.arange(firms.n + 1)
    band_end = np.minimum(firms.n, k + np.floor(spec["partial_band"] * (firms.n - k)).astype(int))
    covered = full_cum + share * (full_cum[band_end] - full_cum)
    cut = max(0, int(np.searchsorted(covered, target, side="right")) - 1)
    firms.state[order[:cut]] = FULL
    firms.state[order[cut:band_end[cut]]] = PARTIAL
    in_band = full_cum[band_end[cut]] - full_cum[cut]
    firms.partial_share = float(np.clip((target - full_cum[cut]) / in_band, 0, 1)) if in_band else share
    pop.firm_slot = pop._firm_slots(np.arange(pop.n))


def initial_informal(pop: Population, ds: data.DataSet, params: dict, streams: Streams, workforce: dict) -> None:
    """Self-paying active, lapsed and aware informal workers at month 0.

    Subsidised beneficiaries are already enrolled; the rest of the data set's informal total are
    self-payers drawn with inclusion rising in perceived value (exp(valuation_sd x valuation)),
    so month 0 is consistent with the decision rule. Workers already in arrears (1 or 2 unpaid
    months) are set at the steady-state share `stop_rate` per month so lapses start smoothly.
    """
    informal = pop.informal()
    u = streams.uniform("initial_state", -1, np.arange(pop.n))
    value = np.exp(params["valuation_sd"] * pop.valuation)
    free = np.flatnonzero(informal & ~pop.inf_active)
    n_self = int(round(ds.active_informal / pop.weight)) - int(pop.inf_active.sum())
    chosen = weighted_pick(free, n_self, value[free], u[free])
    participation.start_active(pop, chosen)
    lapsed_per_active = workforce["lapsed"]["registered_inactive_informal_per_active"]
    rest = np.flatnonzero(informal & ~pop.inf_active)
    n_lapsed = int(round(lapsed_per_active * ds.active_informal / pop.weight))
    u_lapsed = streams.uniform("initial_state", -4, rest)
    lapsed = weighted_pick(rest, n_lapsed, value[rest], u_lapsed)
    participation.start_registered(pop, lapsed)
    u2 = streams.uniform("initial_state", -2, np.arange(pop.n))
    pop.aware = pop.registered | (informal & (u2 < params["initial_awareness"]))
    in_arrears = chosen[u2[chosen] < 2 * params["stop_rate"]]
    participation.start_in_arrears(pop, in_arrears,
                                   np.where(u2[in_arrears] < params["stop_rate"], 1, 2).astype(np.int8))


def initial_construction(pop: Population, ds: data.DataSet, streams: Streams) -> None:
    workers = np.flatnonzero(pop.segment == CONSTRUCTION)
    k = int(round(ds.active_construction / pop.weight))
    u = streams.uniform("initial_state", -3, workers)
    pop.con_active[workers[np.argsort(u)[:k]]] = True
