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
    ("perisai_agents", "-5", "outside 0 to 20,000 agents"),
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
    assert text == "set by regency (2 entries, total Rp 10 bn a year)"
    assert describe(budget, [{"from": "2025-01", "value": 1.5e9}, {"from": "2025-10", "to": "2025-12",
                                                                     "value": 2e9}], "id") == \
        "dari Jan 2025: Rp 1,5 miliar setahun; Okt 2025 sampai Des 2025: Rp 2 miliar setahun"


def test_a_scheduled_lever_shows_its_schedule_and_its_typed_value():
    from viz.lever_edit import typed_value
    agents = control_for(PARAMETERS["perisai_agents"])
    schedule = [{"from": "2025-01", "value": 1500}]
    assert describe(agents, schedule) == "from Jan 2025: 1,500 agents"
    assert typed_value(schedule) == 1500 and typed_value([{"to": "2025-01", "value": 5}]) is None


def test_labels_name_rupiah_once_and_choices_by_their_meaning():
    from experiments.i18n import translator
    from viz.controls import choice_label, field_label
    id_ = translator("id")
    budget = control_for(PARAMETERS["subsidy_budget_idr"])
    assert field_label(budget, id_).endswith("(Rp setahun)")
    assert describe(budget, 2e10, "id") == "Rp 20 miliar setahun"          # not "Rp 20 miliar rupiah per tahun"
    assert choice_label("vulnerable", id_) == "pekerja rentan" and choice_label("list", id_) != "list"


@pytest.mark.parametrize("lang, raw, value", [("id", "20.000.000.000", 2e10), ("en", "20,000,000,000", 2e10),
                                              ("id", "Rp 1,5 triliun", 1.5e12), ("en", "1.5 bn", 1.5e9)])
def test_a_number_field_reads_the_languages_way_of_writing(lang, raw, value):
    assert coerce(control_for(PARAMETERS["subsidy_budget_idr"]), raw, lang) == value


def test_a_bad_number_is_refused_in_the_sessions_language():
    with pytest.raises(ControlError, match="^Anggaran bantuan iuran: 'nan' bukan angka"):
        coerce(control_for(PARAMETERS["subsidy_budget_idr"]), "nan", "id")


def test_every_field_label_fits_one_line_in_both_languages():
    from experiments.i18n import translator
    from viz.controls import MAX_FIELD_LABEL, field_label
    for lang in ("en", "id"):
        t = translator(lang)
        for controls in lever_controls().values():
            for c in controls:
                label = field_label(c, t)
                assert len(label) <= MAX_FIELD_LABEL or label == t(c.label), label
