"""Speed-ups leave every result as it was: `results()` and `regency_table()` of 19 runs (each
library scenario, several seeds, scales, both data sets, short and long horizons, the reference
rules) match, column by column and bit for bit, the digests captured from the code before the
optimisations of issue 15 (benchmarks/golden.py; `python -m benchmarks.golden --save` re-captures
them after an intended change of the model's behaviour)."""

import copy

import numpy as np
import pytest

from benchmarks import golden

CASES = golden.cases()


@pytest.fixture(scope="module")
def saved():
    return golden.load()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_outputs_are_bit_identical_to_the_captured_ones(case, saved):
    assert golden.differences(saved[case["name"]], golden.digest(golden.run_case(case))) == []


def test_the_comparison_sees_a_one_ulp_change(saved):
    """The check can fail: one value moved by the smallest step is reported, by column."""
    case = next(c for c in CASES if c["scenario"] == "regional_plan")
    model = golden.run_case(case)
    now = golden.digest(model)
    table = model.regency_table()
    table.loc[100, "coverage"] = float(np.nextafter(table.loc[100, "coverage"], 2.0))
    changed = copy.deepcopy(now)
    changed["regency_table"] = golden.table_digest(table)
    assert golden.differences(now, changed) == [
        f"regency_table.coverage: sum {now['regency_table']['columns']['coverage']['sum']!r} -> "
        f"{changed['regency_table']['columns']['coverage']['sum']!r}"]
    assert golden.differences(saved[case["name"]], now) == []


def test_an_added_column_is_not_a_difference_but_a_lost_or_changed_one_is(saved):
    """Additive outputs (the regency table's spend_idr, captured before it existed) pass; every
    captured column must still be there and bit for bit."""
    case = next(c for c in CASES if c["scenario"] == "regional_plan")
    model = golden.run_case(case)
    table = model.regency_table()
    now = {"results": golden.table_digest(model.results()), "regency_table": golden.table_digest(table)}
    extra = copy.deepcopy(now)
    extra["regency_table"] = golden.table_digest(table.assign(new_output=1.0))
    assert golden.differences(now, extra) == []
    lost = copy.deepcopy(now)
    lost["regency_table"] = golden.table_digest(table.drop(columns="coverage"))
    assert golden.differences(now, lost) and "shape/columns" in golden.differences(now, lost)[0]
    moved = copy.deepcopy(now)
    moved["regency_table"] = golden.table_digest(table.assign(spend_idr=table["spend_idr"] + 1.0, new_output=1.0))
    assert golden.differences(now, moved) == [
        f"regency_table.spend_idr: sum {now['regency_table']['columns']['spend_idr']['sum']!r} -> "
        f"{moved['regency_table']['columns']['spend_idr']['sum']!r}"]
