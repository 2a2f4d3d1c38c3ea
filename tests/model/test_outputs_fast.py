"""The month's outputs (model/outputs.py's compiled passes and the kept counts by peer group) are
the plain numpy counts, on a model in mid-run."""

import numpy as np
import pytest

from model import EnrollmentModel, channels
from model.population import FARMER


@pytest.fixture(scope="module")
def mid_run():
    model = EnrollmentModel(scale=0.03, seed=5, horizon="2026-06")
    for _ in range(6):
        model.step()
    return model


def test_record_is_the_plain_numpy_outputs(mid_run):
    m, pop, w = mid_run, mid_run.pop, mid_run.pop.weight
    previous = m.collector.previous.copy()
    m.step()
    out, wage = m.collector.current, pop.wage_active_plain(m.partial_share)
    active, informal = wage | pop.inf_active | pop.con_active, pop.segment >= FARMER
    assert out["active_wage"] == np.count_nonzero(wage) * w > 0
    assert out["active"] == np.count_nonzero(active) * w
    assert out["active_informal"] == np.count_nonzero(pop.inf_active) * w > 0
    assert out["coverage_informal"] == np.count_nonzero(pop.inf_active) / np.count_nonzero(informal)
    assert out["registered_informal"] == np.count_nonzero(pop.registered & informal) * w > 0
    assert out["subsidised"] == np.count_nonzero(pop.payer >= 0) * w
    new = np.flatnonzero(active & ~previous)
    assert out["new_enrollments"] == len(new) * w > 0
    assert out["lapses"] == np.count_nonzero(previous & ~active) * w > 0
    assert sum(out[f"new_via_{n}"] for n in channels.CHANNEL_NAMES.values()) == pytest.approx(len(new) * w)
    assert np.array_equal(m.collector.regency_active[-1], pop.regency_counts(active))
    assert np.array_equal(m.collector.regency_active_informal[-1], pop.regency_counts(pop.inf_active))
