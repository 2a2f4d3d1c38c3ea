"""Monthly outputs: the DataCollector's model reporters and the regency table.

All counts are in real persons (simulated count x the population weight); spend in rupiah.
New enrollments and lapses are transitions of a worker's active status between the end of the
previous month and the end of this one, so active(t) = active(t-1) + new(t) - lapses(t) exactly,
and each new enrollment is credited to one channel (channels.py).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import mesa
import numba
import numpy as np
import pandas as pd

from model import channels, pilot
from model.population import CONSTRUCTION, FARMER, WAGE

if TYPE_CHECKING:
    from model.model import EnrollmentModel

SPEND_ITEMS = ("subsidy", "perisai", "campaign", "village", "firms", "pilot")
TALLIES = (("perisai_visits", "subsidy_offers", "subsidies_ended", "unmet_list_enrolment", "unmet_perisai_hires")
           + tuple(f"spend_{i}" for i in SPEND_ITEMS))
# What a plan asked for this month that capacity or the budget calendar left undone (real units):
# listed workers affordable but not registered (throughput, lead time), Perisai hires beyond the
# hiring capacity, villages waiting beyond the activation pace, and yearly budget rupiah asked for
# but not in force until the next budget boundary (negative: a cut that waits).
UNMET_OUTPUTS = ("unmet_list_enrolment", "unmet_perisai_hires", "unmet_village_activations",
                 "budget_deferred_idr")
CHANNEL_OUTPUTS = tuple(f"new_via_{name}" for name in channels.CHANNEL_NAMES.values())
PILOT_OUTPUTS = pilot.OUTPUTS

OUTPUTS = (
    "month", "workers", "active", "coverage",
    "active_formal", "active_informal", "coverage_formal", "coverage_informal",
    "active_wage", "active_construction", "registered_informal", "subsidised",
    "new_enrollments", "lapses", *CHANNEL_OUTPUTS,
    "perisai_agents_active", "perisai_visits", "villages_active", "subsidy_offers",
    "subsidies_ended", *UNMET_OUTPUTS,
    "spend_idr", *(f"spend_{i}_idr" for i in SPEND_ITEMS),
    *PILOT_OUTPUTS,
)


def empty_tally() -> dict[str, float]:
    return dict.fromkeys(TALLIES, 0.0)


def _report(model, key: str):
    return model.collector.current[key]


def reporters() -> dict:
    """DataCollector model reporters, one per output (picklable partials, no lambdas)."""
    return {name: partial(_report, key=name) for name in OUTPUTS}


class OutputCollector(mesa.DataCollector):
    """mesa's DataCollector over the model's outputs (`reporters()`), with a cheaper `collect`.

    mesa's `collect` calls each of the ~40 reporters and deep-copies its value every month. The
    month's row (`Collector.current`) holds only Python numbers and strings, which are immutable,
    so `collect` appends them as they are: the same `model_vars` (and so the same DataFrame, and
    what `mesa.batch_run` reads) for about 3% less of a run.
    """

    def __init__(self) -> None:
        super().__init__(model_reporters=reporters())

    def collect(self, model) -> None:
        self._collection_steps.append(model.time)
        row = model.collector.current
        for name, values in self.model_vars.items():
            values.append(row[name])


class Collector:
    """Computes one month's outputs and keeps the regency history."""

    def __init__(self, model: EnrollmentModel):
        self.model = model
        pop = model.pop
        self.regency_workers = np.diff(pop.regency_start)
        self.regency_active: list[np.ndarray] = []
        self.regency_active_informal: list[np.ndarray] = []
        self.regency_spend: list[np.ndarray] = []
        self.province_spend: list[float] = []
        self.previous: np.ndarray | None = None
        # `active` by turns: this month's is written over the month before last's
        self._buffers = (np.zeros(pop.n, dtype=bool), np.zeros(pop.n, dtype=bool))
        self._scratch = np.zeros(pop.n, dtype=bool)
        self.group_regency = pop.places.group_regency()
        self.previous_count = 0           # how many `previous` holds
        self.current: dict = {}

    def record(self) -> None:
        m = self.model
        pop, w = m.pop, m.pop.weight
        wage_active = pop.wage_active(m.partial_share)
        n_wage = int(np.count_nonzero(wage_active))
        active = self._buffers[self.previous is self._buffers[0]]     # not last month's
        previous = active if self.previous is None else self.previous       # month 0: none new
        new = self._scratch                  # active now and not last month
        u8 = [a.view(np.uint8) for a in (wage_active, pop.inf_active, pop.con_active, previous, active, new)]
        regency_active = _active_by_regency(u8[0], u8[1], u8[2], u8[3], u8[4], u8[5], pop.regency_start)
        n_informal, n_registered, n_subsidised = _informal_counts(
            pop.segment, pop.registered.view(np.uint8), pop.payer)
        formal_workers = pop.n - n_informal
        # the peer groups' kept counts: every group lies in one regency, as its members do
        n_con, n_inf = int(np.count_nonzero(pop.con_active)), int(pop.active_by_group.sum())
        out: dict[str, Any] = {
            "month": m.month_labels[m.t],
            "workers": pop.n * w,
            "active": (n_wage + n_con + n_inf) * w,
            "coverage": (n_wage + n_con + n_inf) / pop.n,
            "active_formal": (n_wage + n_con) * w,
            "active_informal": n_inf * w,
            "coverage_formal": (n_wage + n_con) / max(formal_workers, 1),
            "coverage_informal": n_inf / max(n_informal, 1),
            "active_wage": n_wage * w,
            "active_construction": n_con * w,
            "registered_informal": n_registered * w,
            "subsidised": n_subsidised * w,
            "perisai_agents_active": np.count_nonzero(m.perisai.active) * w,
            "villages_active": np.count_nonzero(m.branch.village_active),
        }
        n_active = int(regency_active.sum())
        out.update(self._transitions(new, n_active))
        tally = m.tally
        out["perisai_visits"] = tally["perisai_visits"] * w
        out["subsidy_offers"] = tally["subsidy_offers"] * w
        out["subsidies_ended"] = tally["subsidies_ended"] * w
        out["unmet_list_enrolment"] = tally["unmet_list_enrolment"] * w
        out["unmet_perisai_hires"] = tally["unmet_perisai_hires"] * w
        out["unmet_village_activations"] = m.branch.village_backlog()
        out["budget_deferred_idr"] = float(m.budget_deferred[m.t])
        for item in SPEND_ITEMS:
            out[f"spend_{item}_idr"] = tally[f"spend_{item}"] * w
        out["spend_idr"] = sum(out[f"spend_{item}_idr"] for item in SPEND_ITEMS)
        out.update(m.pilot.outputs())
        # Python scalars, not numpy ones: OutputCollector.collect appends these values as they
        # are (no copy), so the collected rows and the table built from them hold plain numbers.
        self.current = {k: v.item() if isinstance(v, np.generic) else v for k, v in out.items()}
        self.regency_active.append(regency_active)
        informal_by_regency = np.bincount(self.group_regency, weights=pop.active_by_group,
                                          minlength=len(regency_active))
        self.regency_active_informal.append(informal_by_regency.astype(np.int64))
        self.regency_spend.append(m.subsidy_spend[:m.payers.n_regencies] * w)
        self.province_spend.append(float(m.subsidy_spend[m.payers.province] * w))
        self.previous, self.previous_count = active, n_active

    def _transitions(self, newly_active: np.ndarray, n_active: int) -> dict[str, float]:
        m, w = self.model, self.model.pop.weight
        out = dict.fromkeys(CHANNEL_OUTPUTS, 0.0)
        if self.previous is None:
            return {"new_enrollments": 0.0, "lapses": 0.0, **out}
        new = np.flatnonzero(newly_active)
        # active last month and not now: last month's active but those active in both months
        lapses = self.previous_count - (n_active - len(new))
        pop = m.pop
        channel = m.channel[new].copy()
        segment = pop.segment[new]
        wage = segment == WAGE
        firm_event = m.firm_channel[np.maximum(pop.firm[new], 0)]
        channel[wage] = np.where(firm_event[wage] == channels.FIRMS, channels.FIRMS, channels.JOBS)
        channel[segment == CONSTRUCTION] = channels.JOBS
        channel[(segment >= FARMER) & (channel == channels.UNSET)] = channels.SELF
        counts = np.bincount(channel, minlength=len(channels.CHANNEL_NAMES) + 1)
        for code, name in channels.CHANNEL_NAMES.items():
            out[f"new_via_{name}"] = counts[code] * w
        return {"new_enrollments": len(new) * w, "lapses": lapses * w, **out}

    def regency_table(self) -> pd.DataFrame:
        """Month x regency: workers, active, active_informal, coverage and `spend_idr`.

        `spend_idr` is what the regency's own local government (its APBD subsidy budget) paid in
        premiums that month, rupiah in real persons. The province's own programme (South
        Sumatra's palm fund, `palm_subsidy_budget_idr`) is NOT included: it is one payer for the
        whole province, kept in `province_spend` (rupiah a month). So each month the regencies'
        spend_idr plus province_spend is the run's `spend_subsidy_idr`.
        """
        m = self.model
        w = m.pop.weight
        n_months = len(self.regency_active)
        active = np.array(self.regency_active)
        informal_active = np.array(self.regency_active_informal)
        workers = np.tile(self.regency_workers, (n_months, 1))
        return pd.DataFrame({
            "month": np.repeat(m.month_labels[:n_months], len(m.regency_names)),
            "regency": np.tile(m.regency_names, n_months),
            "workers": (workers * w).ravel(),
            "active": (active * w).ravel(),
            "active_informal": (informal_active * w).ravel(),
            "coverage": (active / workers).ravel(),
            "spend_idr": np.array(self.regency_spend).ravel(),
        })


@numba.njit(cache=True)
def _informal_counts(segment, registered, payer):
    """Informal workers (segment >= FARMER), those of them registered, and subsidised workers
    (payer >= 0): one flat pass the compiler vectorizes (registered as uint8)."""
    informal = informal_registered = subsidised = 0
    for i in range(segment.size):
        is_informal = np.uint8(segment[i] >= FARMER)
        informal += is_informal
        informal_registered += registered[i] & is_informal
        subsidised += payer[i] >= 0
    return informal, informal_registered, subsidised


@numba.njit(cache=True)
def _active_by_regency(wage, informal, construction, previous, active, new, starts):
    """In place: active = wage | informal | construction, new = active and not `previous` (all
    uint8 views of bool arrays); returns the active by regency (int64), a flat loop per regency
    (_active_slice) the compiler vectorizes."""
    counts = np.zeros(starts.size - 1, dtype=np.int64)
    for r in range(starts.size - 1):
        lo, hi = starts[r], starts[r + 1]
        counts[r] = _active_slice(wage[lo:hi], informal[lo:hi], construction[lo:hi], previous[lo:hi],
                                  active[lo:hi], new[lo:hi])
    return counts


@numba.njit(cache=True)
def _active_slice(wage, informal, construction, previous, active, new):
    """_active_by_regency over one regency's slices: how many are active."""
    count = 0
    for j in range(wage.size):
        a = wage[j] | informal[j] | construction[j]
        active[j] = a
        new[j] = a > previous[j]
        count += a
    return count
