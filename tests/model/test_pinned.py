"""Pinned regression: fresh runs equal the stored outputs exactly (tests/model/pinned/).

A change that moves them on purpose updates them with one command, reviewed in the diff:
    PYTHONPATH=. python -m tests.model.pinned
"""

import numpy as np
import pytest

from tests.model.pinned import runs


@pytest.mark.parametrize("name", list(runs.RUNS))
def test_outputs_equal_the_pinned_run_exactly(name):
    stored, fresh = runs.read(name), runs.outputs(name)
    assert list(fresh.columns) == list(stored.columns), "outputs added or removed: update the pinned files"
    assert len(fresh) == len(stored)
    for column in stored.columns:
        a, b = fresh[column].to_numpy(), stored[column].to_numpy()
        if a.dtype.kind in "fiub":
            same = (a.astype(float) == b.astype(float)) | (np.isnan(a.astype(float)) & np.isnan(b.astype(float)))
            assert same.all(), (f"{name}.{column} moved at months {list(fresh['month'][~same][:5])}; if "
                                "meant, run `PYTHONPATH=. python -m tests.model.pinned` and commit the diff")
        else:
            assert (a.astype(str) == b.astype(str)).all(), f"{name}.{column} moved"


def test_the_comparison_fails_when_a_value_moves(tmp_path, monkeypatch):
    """The check can fail: a stored value off by one part in 1e12 is caught."""
    stored = runs.read("status_quo")
    stored.loc[3, "coverage"] *= 1 + 1e-12
    monkeypatch.setattr(runs, "read", lambda name: stored)
    with pytest.raises(AssertionError, match="coverage moved"):
        test_outputs_equal_the_pinned_run_exactly("status_quo")
