"""viz/region_choice.py: the region select shared by Compare, Explore and Plan: its labels (each
province's region.toml name, the office in the session's language), the server's check of what
the page sends (a forged value refused with one message naming the allowed, nothing changed)."""

import ipyvuetify as v
import pytest
import solara

from experiments.i18n import translator
from model import data
from viz import planner
from viz.region_choice import RegionError, RegionSelect, chosen, region_labels, region_name

EN, ID = translator("en"), translator("id")


def test_the_labels_are_the_provinces_names_then_the_office_in_the_language():
    assert region_labels(EN) == {"Bengkulu": "bengkulu", "Jambi": "jambi", "Sumatera Selatan": "sumsel",
                                 "Kanwil Sumbagsel (all three)": "kanwil"}
    assert list(region_labels(ID))[-1] == "Kanwil Sumbagsel (ketiga provinsi)"
    assert region_labels(EN, with_office=False) == {data.load(r).name: r for r in data.region_ids()}
    assert region_name("jambi", ID) == "Jambi" and region_name("kanwil", EN) == "Kanwil Sumbagsel (all three)"


def test_a_label_or_an_id_is_the_region_id():
    assert chosen("Jambi", EN) == "jambi" and chosen("sumsel", EN) == "sumsel"
    assert chosen("Kanwil Sumbagsel (ketiga provinsi)", ID) == "kanwil"


@pytest.mark.parametrize("forged", ["../x", "<b>", "SUMSEL", "", None, 3, ["jambi"]])
def test_a_forged_region_is_refused_with_one_message_naming_the_allowed(forged):
    with pytest.raises(RegionError) as error:
        chosen(forged, EN)
    message = str(error.value)
    assert message.startswith("Region: ") and "\n" not in message
    assert message.endswith("allowed: Bengkulu, Jambi, Sumatera Selatan, Kanwil Sumbagsel (all three)")


def test_the_office_is_refused_where_only_provinces_are_offered():
    with pytest.raises(RegionError, match="allowed: Bengkulu, Jambi, Sumatera Selatan$"):
        chosen("kanwil", EN, with_office=False)
    with pytest.raises(RegionError, match="yang boleh: Bengkulu, Jambi, Sumatera Selatan$"):
        chosen("Kanwil Sumbagsel (ketiga provinsi)", ID, with_office=False)


def test_the_select_refuses_a_forged_value_and_changes_nothing():
    got = []
    _, rc = solara.render(RegionSelect("sumsel", got.append, with_office=False), handle_error=False)
    select = rc.find(v.Select).widget
    assert select.v_model == "Sumatera Selatan" and select.items == ["Bengkulu", "Jambi", "Sumatera Selatan"]
    select.v_model = "../etc"
    assert got == []
    assert "is not offered; allowed: Bengkulu, Jambi, Sumatera Selatan" in str(rc.find(v.Alert).widget.children)
    rc.find(v.Select).widget.v_model = "Jambi"     # the page re-rendered: the select as it is now
    assert got == ["jambi"]
    assert not rc.find(v.Alert).widgets


def test_the_plan_form_takes_the_regions_own_target_and_refuses_a_forged_one(monkeypatch):
    monkeypatch.delenv(planner.PROBLEM_ENV, raising=False)   # the default problem, not a browser test's tiny one
    form = planner.in_region(planner.default_form(), "jambi")
    assert (form.region, form.target, form.month) == ("jambi", 0.55, "2027-12")
    assert planner.problem(form).base.region == "jambi"
    bengkulu = planner.problem(planner.in_region(form, "bengkulu"))   # its rungs checked in Bengkulu's data set
    assert (bengkulu.base.region, bengkulu.objective.target) == ("bengkulu", 0.48)
    assert planner.problem(planner.in_region(form, "kanwil")).base.region == "kanwil"
    with pytest.raises(planner.UserError, match="region: '../x' is not offered; allowed: bengkulu, jambi"):
        planner.in_region(form, "../x")
    forged = planner.Form(**{**form.__dict__, "region": "<b>"})
    with pytest.raises(planner.UserError, match="is not offered"):
        planner.problem(forged)
