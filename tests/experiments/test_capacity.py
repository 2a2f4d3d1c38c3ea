"""Issue 22 done-when: no month of any built-in scenario or recommended plan enrols more than the
stated capacity (list throughput x paying lists, Perisai hiring capacity, village activation pace).

No recommended plan is saved in the repository (`cakupan optimize` writes it to its results
folder), so the plans checked are the default problems' most demanding candidates: every moving
lever at its upper bound in every period. Any plan the search can recommend asks for no more.
"""

import pandas as pd
import pytest

from experiments import capacity
from experiments.scenario import library_names, load_scenario
from model import EnrollmentModel, data

SCALE = 0.02          # a weight of 50 real workers at most: capacities of 300 are 6 whole agents
CASES = [(region, name) for region in data.region_ids() for name in library_names()]


def check(scenario):
    model = EnrollmentModel(**scenario.model_kwargs())
    frame = capacity.monthly(model)
    assert not capacity.violations(frame, model.pop.weight), capacity.violations(frame, model.pop.weight)
    return frame


@pytest.mark.parametrize(("region", "name"), CASES)
def test_no_month_of_a_built_in_exceeds_the_capacities(region, name):
    frame = check(load_scenario(name).override(region=region, scale=SCALE))
    assert frame["paying_lists"].max() > 0 and frame["list_registered"].max() > 0   # the check has something to check


@pytest.mark.parametrize("region", data.region_ids())
@pytest.mark.parametrize("problem", capacity.PROBLEMS)
def test_the_default_problems_most_demanding_plan_is_carried_out_at_capacity(problem, region):
    frame = check(capacity.most_demanding_plan(problem, region, SCALE)).set_index("month")
    decision = load_scenario("baseline").override(region=region).decision()
    # It asks for more than the capacities at the decision month: hires and activations run at them.
    assert frame.loc[decision, "perisai_hired"] == pytest.approx(frame.loc[decision, "perisai_capacity"], rel=0.01)
    assert frame.loc[decision, "villages_activated"] == frame.loc[decision, "village_capacity"]


def test_a_month_above_capacity_is_reported():
    frame = pd.DataFrame({"month": ["2027-01", "2027-02"], "paying_lists": [2, 2],
                          "list_registered": [20_000.0, 20_050.0], "list_capacity": [20_000.0, 20_000.0],
                          "perisai_hired": [300.0, 350.0], "perisai_capacity": [300.0, 300.0],
                          "villages_activated": [100, 101], "village_capacity": [100.0, 100.0]})
    found = capacity.violations(frame, weight=50.0)
    assert [line.split(":")[0] for line in found] == ["2027-02"] * 3, found
