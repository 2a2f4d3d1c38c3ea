"""The compare page's session state: copies are selected and opened, a rejected edit is
reported and loses nothing, uploads cannot shadow a built-in."""

import pytest

from viz import backend, state


@pytest.fixture(autouse=True)
def fresh_state():
    yield
    state.scenarios.value = dict(state.BUILTINS)
    state.selected.value = state.DEFAULT_SELECTION
    state.editing.value = state.message.value = state.last_edit.value = None
    state.origins.value = {}


def test_duplicate_selects_and_opens_the_copy():
    state.duplicate("socialization")
    assert state.editing.value == "socialization_copy"
    assert state.selected.value == (*state.DEFAULT_SELECTION, "socialization_copy")
    assert state.scenarios.value["socialization_copy"].settings == state.BUILTINS["socialization"].settings
    state.toggle("socialization_copy", False)
    assert "socialization_copy" not in state.selected.value


def test_a_rejected_edit_is_reported_and_keeps_the_last_good_value():
    state.duplicate("market_ecosystem")
    state.set_lever("market_ecosystem_copy", "perisai_agents", 2500.0)
    state.set_lever("market_ecosystem_copy", "perisai_agents", 99_999.0)
    assert "perisai_agents" in state.message.value and "above the maximum" in state.message.value
    # typed from the decision month (Jan 2027): a window from it; retyped, it replaces that window
    assert state.scenarios.value["market_ecosystem_copy"].settings["perisai_agents"] == \
        [{"from": "2025-01", "value": 1500}, {"from": "2027-01", "value": 2500.0}]
    assert state.scenarios.value["market_ecosystem"] is state.BUILTINS["market_ecosystem"]


def test_a_typed_value_holds_from_the_editors_month_and_the_months_before_keep_the_status_quo():
    from model.parameters import PARAMETERS
    from viz import lever_edit

    state.duplicate("baseline")
    assert state.from_month.value == lever_edit.default_from_month(state.BUILTINS["baseline"]) == "2027-01"
    state.set_lever("baseline_copy", "subsidy_budget_idr", 20e9)
    copy = state.scenarios.value["baseline_copy"]
    assert copy.settings["subsidy_budget_idr"] == [{"value": PARAMETERS["subsidy_budget_idr"].default},
                                                   {"from": "2027-01", "value": 20e9}]
    effect = lever_edit.regency_effect(copy, "subsidy_budget_idr", "2027-01", 0.01).set_index("regency")
    assert effect.loc["Musi Rawas Utara", "lower"]          # 20 bn spread by workers: less than its own
    assert not effect.loc["Kota Palembang", "lower"]
    before = lever_edit.regency_effect(copy, "subsidy_budget_idr", "2026-12", 0.01)
    assert not before["lower"].any()                         # the months before keep the status quo
    state.undo_edit()
    assert state.scenarios.value["baseline_copy"].settings == state.BUILTINS["baseline"].settings
    state.from_month.value = "2027-07"
    state.set_lever("baseline_copy", "perisai_agents", 900.0)
    assert state.scenarios.value["baseline_copy"].settings["perisai_agents"] == [
        {"value": 300.0}, {"from": "2027-07", "value": 900.0}]


def test_an_upload_cannot_replace_a_built_in():
    upload = backend.parse_upload("b.toml", b'name = "baseline"\nbase = "baseline"\n')
    with pytest.raises(backend.UserError, match="name of a built-in scenario"):
        state.add_scenario(upload)
    assert state.scenarios.value["baseline"] is state.BUILTINS["baseline"]
