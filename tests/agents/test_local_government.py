"""The payers' month as worked out for all of them at once equals each payer's own rule."""

import numpy as np
import pytest

from agents import local_government
from agents.local_government import LocalGovernment
from model import EnrollmentModel, months


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
