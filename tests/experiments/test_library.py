"""Every built-in scenario validates, has a rationale, and runs."""

import pytest

from experiments.scenario import library, library_names, load_scenario
from model import EnrollmentModel

STRATEGIES = ["village_ecosystem", "market_ecosystem", "sme_partnerships", "socialization",
              "easier_payment", "palm_smallholders_2025"]


def test_the_library_has_the_scenarios_the_planners_need():
    names = set(library_names())
    assert {"baseline", "regional_plan", "vulnerable_subsidy", "palm_smallholders_2025",
            *STRATEGIES} <= names
    assert all(description for description in library().values())


@pytest.mark.parametrize("name", library_names())
def test_built_in_validates_and_runs_two_months(name):
    scenario = load_scenario(name)
    assert scenario.name == name and scenario.rationale.strip()
    kwargs = {**scenario.model_kwargs(), "scale": 0.002, "horizon": "2024-10"}
    results = EnrollmentModel(**kwargs).run().results()
    assert list(results["month"]) == ["2024-08", "2024-09", "2024-10"]


def test_the_baseline_is_the_status_quo():
    assert load_scenario("baseline").settings == {}


@pytest.mark.parametrize("name", STRATEGIES)
def test_each_strategy_alone_has_the_regional_plans_magnitude(name):
    plan = load_scenario("regional_plan").settings
    for setting, value in load_scenario(name).settings.items():
        assert plan[setting] == value, setting


def test_palm_budget_is_36000_smallholders_a_year():
    value = load_scenario("palm_smallholders_2025").settings["palm_subsidy_budget_idr"]
    assert value == [{"from": "2025-01", "value": 36_000 * 16_800 * 12}]


def test_muara_enim_is_paid_for_three_months_only():
    windows = load_scenario("local_programmes_2025").settings["subsidy_budget_idr"]
    paying = [(w["from"], w.get("to")) for w in windows if "Muara Enim" in w["value"]]
    assert paying == [("2025-10", "2025-12")]
