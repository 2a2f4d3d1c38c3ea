"""Lever controls are generated from the registry: every lever once, in its strategy group,
with the registry's unit, help and bounds; typed values are checked against the same bounds."""

import pytest

from model.parameters import LEVER_GROUPS, LEVERS, PARAMETERS
from viz.controls import ControlError, coerce, control_for, describe, lever_controls


def test_every_lever_appears_once_in_its_strategy_group():
    groups = lever_controls()
    names = [c.name for controls in groups.values() for c in controls]
    assert sorted(names) == sorted(LEVERS)
    assert list(groups) == [g for g in LEVER_GROUPS if g in groups]
    for group, controls in groups.items():
        assert all(PARAMETERS[c.name].group == group for c in controls)


def test_control_carries_unit_help_and_bounds_from_the_registry():
    for controls in lever_controls().values():
        for c in controls:
            p = PARAMETERS[c.name]
            assert (c.unit, c.help, (c.min, c.max), c.default) == (p.unit, p.help, p.bounds, p.default)
            assert c.label and "_" not in c.label


def test_widget_follows_the_kind_of_value():
    assert control_for(PARAMETERS["subsidy_share"]).widget == "slider"          # a share 0..1
    assert control_for(PARAMETERS["subsidy_months"]).widget == "slider"         # whole months
    assert control_for(PARAMETERS["subsidy_budget_idr"]).widget == "number"     # rupiah up to 1e13
    assert control_for(PARAMETERS["perisai_agents"]).widget == "number"
    eligible = control_for(PARAMETERS["subsidy_eligible"])
    assert eligible.widget == "multiselect" and "vulnerable" in eligible.choices
    assert control_for(PARAMETERS["pilot_unit"]).widget == "select"


def test_coerce_accepts_values_in_bounds_and_whole_numbers_for_integer_levers():
    assert coerce(control_for(PARAMETERS["perisai_agents"]), "1500") == 1500.0
    assert coerce(control_for(PARAMETERS["subsidy_months"]), 6.0) == 6
    assert coerce(control_for(PARAMETERS["subsidy_eligible"]), ["farmer", "trader"]) == ["farmer", "trader"]


@pytest.mark.parametrize("name, raw, words", [
    ("perisai_agents", "lots", "not a number"),
    ("perisai_agents", "-5", "outside 0 to 20,000"),
    ("subsidy_months", 2.5, "whole number"),
    ("subsidy_eligible", ["martians"], "choose one or more"),
    ("subsidy_eligible", [], "choose one or more"),
])
def test_coerce_rejects_bad_values_naming_the_lever(name, raw, words):
    control = control_for(PARAMETERS[name])
    with pytest.raises(ControlError) as error:
        coerce(control, raw)
    assert control.label in str(error.value) and words in str(error.value)


def test_structured_values_are_described_not_lost():
    budget = control_for(PARAMETERS["subsidy_budget_idr"])
    text = describe(budget, {"Musi Banyuasin": 9e9, "others": 1e9})
    assert "by regency" in text and "10,000,000,000" in text
    assert "2 windows" in describe(budget, [{"from": "2025-01", "value": 1}, {"value": 2}])
