"""The history (model/history.py) and the decision month (run field `decision_month`):
the history's programmes become budget windows that reproduce each month's money, budgets before
the decision month are in force as paid, and the scenario's own levers act from it on."""

import pytest

from model.history import history, months_of, monthly_money
from experiments.scenario import ScenarioError, load_scenario, parse_scenario
from model import data, months
from model.model import EnrollmentModel

PREMIUM = 16_800


def in_force(kwargs: dict, regency: str, month: str) -> float:
    """The yearly budget in force for `regency` in `month` of a 0.01-scale model of `kwargs`."""
    model = EnrollmentModel(**{**kwargs, "scale": 0.01, "horizon": "2028-12"})
    return float(model.lever_values["subsidy_budget_idr"][months.index(month, model.start),
                                                           model.regency_names.index(regency)])


def test_windows_reproduce_each_months_money():
    windows = history("sumsel").levers["subsidy_budget_idr"]
    oki = [w for w in windows if "Ogan Komering Ilir" in w["value"]]
    # 76,000 from Sep 2025 for 12 months: 4 months of 2025 and 8 of 2026, each a year of its own
    assert [(w["from"], w["to"]) for w in oki] == [("2025-09", "2025-12"), ("2026-01", "2026-08")]
    assert [w["value"]["Ogan Komering Ilir"] for w in oki] == [76_000 * PREMIUM * 4, 76_000 * PREMIUM * 8]
    muba = [w for w in windows if "Musi Banyuasin" in w["value"]]
    assert muba == [{"from": "2025-07", "to": "2026-06", "value": {"Musi Banyuasin": 45_000 * PREMIUM * 12}}]


def test_a_stated_budget_is_spread_over_its_months():
    bantu = next(p for p in data.load("bengkulu").history["programme"] if p["name"] == "Bantu Rakyat")
    assert monthly_money(bantu, PREMIUM) == 2e9 / 2
    province = history("bengkulu").levers["palm_subsidy_budget_idr"]
    # the province pays its month-0 programme all year, so a month's money is a twelfth of the
    # value; the unfunded 2025 target is superseded, so Bantu Rakyat's two months are the only window
    assert province == [{"from": "2025-12", "to": "2026-01", "value": 1e9 * 12}]


def test_what_is_not_modelled_says_why():
    reasons = dict(history("bengkulu").not_modelled)
    assert reasons["Pemprov 2025 vulnerable workers (target)"] == "superseded by 'Bantu Rakyat'"
    assert "level 'other'" in reasons["Linmas and religious workers"]
    assert "planned" in reasons["Bengkulu Tengah Perbup (draft)"]
    jambi = dict(history("jambi").not_modelled)
    assert "enrols vulnerable only" in jambi["Pemprov Disbun DBH sawit smallholders"]
    assert "no count" in jambi["BKBK 2025 onwards"]


def test_the_money_in_force_before_the_decision_month_carries_on():
    windows = history("sumsel", "2026-06").levers["subsidy_budget_idr"]
    assert {"from": "2026-06", "value": {"Musi Banyuasin": 45_000 * PREMIUM * 12}} in windows
    assert all(months.ordinal(w["to"]) <= months.ordinal("2026-05") for w in windows if "to" in w)
    assert not [w for w in history("sumsel").levers["subsidy_budget_idr"] if "to" not in w]  # all ended by 2026-11


def test_the_history_is_paid_when_it_was_and_the_budget_rule_acts_from_the_decision_month():
    plain = load_scenario("baseline").override(decision_month="none").model_kwargs()
    past = load_scenario("baseline").model_kwargs()          # the built-in baseline: "default"
    assert past["decision_month"] == "2027-01"
    # Musi Banyuasin's expansion from July 2025 is in force in July (history), not deferred to the APBD-P
    assert in_force(past, "Musi Banyuasin", "2025-07") == 45_000 * PREMIUM * 12
    assert in_force(plain, "Musi Banyuasin", "2025-07") == 11_000 * PREMIUM * 12
    # after the history's programmes end, the month-0 programme's budget again
    assert in_force(past, "Musi Banyuasin", "2026-07") == 11_000 * PREMIUM * 12
    # a scenario's own budget from April 2027 waits for the APBD-P month (October) after the decision month
    text = (load_scenario("baseline").to_toml()
            + '\n[levers.subsidy]\nsubsidy_budget_idr = [{from = "2027-04", value = {Lahat = 9e9}}]\n')
    own = parse_scenario(text.replace('name = "baseline"', 'name = "lahat"'))     # decision_month "default"
    kwargs = own.model_kwargs()
    assert in_force(kwargs, "Lahat", "2027-09") == 21_600 * PREMIUM * 12
    assert in_force(kwargs, "Lahat", "2027-10") == 9e9


def test_levers_act_from_the_decision_month():
    plan = load_scenario("local_programmes_2025").override(decision_month="2026-03")
    windows = [w for w in plan.model_kwargs()["subsidy_budget_idr"] if w.get("from", "") >= "2026-03"]
    # the file's windows ending in 2025 are dropped, its open 2026-01 window begins at the decision month
    assert {"from": "2026-03", "value": {"PALI": 1.3104e9, "Ogan Komering Ilir": 1.53216e10}} in windows
    assert "village_official" in plan.model_kwargs()["subsidy_eligible"]
    agents = load_scenario("market_ecosystem").override(decision_month="2027-01").model_kwargs()["perisai_agents"]
    assert all(months.ordinal(w["from"]) >= months.ordinal("2027-01") for w in agents)


@pytest.mark.parametrize("field, value, says", [
    ("decision_month", '"2024-08"', "must be after the data set's month 0 (2024-08)"),
    ("decision_month", '"2031-01"', "no later than the horizon (2030-12)"),
    ("decision_month", '"soon"', "decision_month: 'soon' is not a month; write it as YYYY-MM, e.g. "
                                 "'2025-10', 'default' (the region's) or 'none'"),
    ("start", '"2025-01"\ndecision_month = "2026-01"', "before the decision month (2026-01)"),
])
def test_a_bad_decision_month_is_one_clear_message(field, value, says):
    text = f'name = "x"\nbase = "baseline"\n{field} = {value}\n'
    with pytest.raises(ScenarioError) as error:
        parse_scenario(text, source="x.toml")
    assert says in str(error.value)


def test_the_decision_month_survives_a_round_trip_and_reaches_every_province_of_the_office():
    scenario = load_scenario("baseline").override(decision_month="default", region="kanwil")
    assert parse_scenario(scenario.to_toml()).decision_month == "default"
    for block in scenario.blocks():
        assert block.model_kwargs()["decision_month"] == data.load(block.region).decision_month


def test_a_ranged_duration_moves_within_its_range_and_the_ensemble_draws_it():
    muba = next(p for p in data.load("sumsel").history["programme"] if p["name"] == "Musi Banyuasin expansion")
    assert (muba["months"], muba["months_range"]) == (12, [6, 18])
    assert [months_of(muba, s) for s in (-1, -0.5, 0, 0.5, 1)] == [6, 9, 12, 15, 18]
    longest = [w for w in history("sumsel", duration_shift=1).levers["subsidy_budget_idr"]
               if "Musi Banyuasin" in w["value"]]
    assert longest[0] == {"from": "2025-07", "to": "2026-12", "value": {"Musi Banyuasin": 45_000 * PREMIUM * 12}}
    assert {"from": "2027-01", "value": {"Musi Banyuasin": 45_000 * PREMIUM * 12}} in longest   # carried on
    # a stated duration does not move (Muara Enim: Oct-Dec 2025, months_basis "stated")
    enim = next(p for p in data.load("sumsel").history["programme"] if p["name"] == "Muara Enim Oct-Dec 2025")
    assert months_of(enim, 1) == 3
    # the model reads the parameter: the longest durations keep Musi Banyuasin's 45,000 in 2027
    kwargs = load_scenario("baseline").model_kwargs()
    assert in_force({**kwargs, "history_duration_shift": 1.0}, "Musi Banyuasin", "2027-06") == 45_000 * PREMIUM * 12
    assert in_force(kwargs, "Musi Banyuasin", "2027-06") == 11_000 * PREMIUM * 12
    from model.parameters import PRIOR_RANGES
    assert PRIOR_RANGES["history_duration_shift"] == (-1.0, 1.0)
