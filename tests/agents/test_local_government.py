"""The payers' month as worked out for all of them at once equals each payer's own rule."""

import numpy as np
import pytest

from agents import local_government
from agents.local_government import LocalGovernment
from model import EnrollmentModel, months
from model.population import FARMER, SELF_PAYER


@pytest.fixture(scope="module")
def model():
    """Mid-run, with subsidies offered and ended in several regencies and the palm fund."""
    m = EnrollmentModel(scale=0.01, seed=4, horizon="2025-04", subsidy_budget_idr=3e10,
                        subsidy_months=3, palm_subsidy_budget_idr=[{"to": "2025-01", "value": 5e9}])
    return m.run()


def test_all_beneficiaries_are_each_payers_own(model):
    ids, bounds = local_government.all_beneficiaries(model)
    governments = list(model.agents_by_type[LocalGovernment])
    assert len(governments) == len(bounds) - 1 == len(model.regency_names) + 1
    assert sum(len(g.beneficiaries()) for g in governments) > 100
    for g in governments:
        assert np.array_equal(ids[bounds[g.code]:bounds[g.code + 1]], g.beneficiaries())


def _plain_active_months(budget, start, t):
    """The rule before issue 15: active months in t's calendar year, clipped to the run."""
    first = t - (months.calendar_month(start, t) - 1)
    idx = np.clip(np.arange(first, first + 12), 0, len(budget) - 1)
    return max(1, int((budget[idx] > 0).sum()))


def test_allowance_is_the_years_budget_over_its_active_months(model):
    for g in model.agents_by_type[LocalGovernment]:
        for t in range(model.n_months + 1):
            expected = 0.0 if g.budget[t] <= 0 else float(g.budget[t]) / _plain_active_months(
                g.budget, model.start, t)
            assert g.allowance[t] == expected
            assert model.calendar.month[t] == months.calendar_month(model.start, t)
            assert model.calendar.year[t] == months.year(model.start, t)


@pytest.mark.parametrize("limit", [0, 3])
def test_first_free_on_the_waiting_list_is_the_plain_selection(model, limit):
    """The compiled scan of `_admit` picks the first `room` admissible workers, as the whole
    waiting-list mask did: self-payers, informal, not offered this year, months left."""
    pop, year = model.pop, int(model.calendar.year[model.t])
    g = max(model.agents_by_type[LocalGovernment], key=lambda g: len(g.waiting_list))
    wl = g.waiting_list
    free = (pop.payer[wl] == SELF_PAYER) & (pop.segment[wl] >= FARMER) & (pop.offer_year[wl] != year)
    if limit:
        free &= pop.subsidy_used[wl] < limit
    plain = wl[free]
    assert len(plain) > 50 and not free.all()         # some are taken: a real selection
    for room in (1, 37, len(plain), len(wl) + 5):
        got = local_government._first_free(wl, room, pop.payer, pop.segment, pop.offer_year,
                                           pop.subsidy_used, year, limit)
        assert np.array_equal(got, plain[:room])


def test_kept_lists_are_the_fresh_pass_every_month(monkeypatch):
    """The beneficiaries kept from month to month (only the workers whose payer was set are
    moved) equal a full pass each month, with subsidies admitted, ended and lost to wage jobs;
    most months take the kept path, not the full one."""
    updates = []
    update = local_government.BeneficiaryLists._update
    monkeypatch.setattr(local_government.BeneficiaryLists, "_update",
                        lambda self, changed: updates.append(len(changed)) or update(self, changed))
    m = EnrollmentModel(scale=0.03, seed=6, horizon="2027-12", subsidy_budget_idr=4e10,
                        subsidy_months=4, palm_subsidy_budget_idr=[{"to": "2025-03", "value": 8e9}])
    while m.running:
        m.step()
        kept, fresh = m.beneficiary_lists.current(), local_government.all_beneficiaries(m)
        assert np.array_equal(kept[0], fresh[0]) and np.array_equal(kept[1], fresh[1])
    assert len(kept[0]) > 200
    assert sum(n > 0 for n in updates) > m.n_months / 2, updates    # the kept path, with changes
