"""The Plan page's backend without a browser: the page's fields become a problem file the CLI
accepts; bad fields get a message naming the field; one search at a time per server."""

import pytest

from experiments import optimize as opt
from viz import planner


@pytest.fixture(autouse=True)
def _the_default_problem(monkeypatch):
    """The Plan page starts from reach_50 here, even when tests/viz/browser/test_plan.py set the
    variable for the browser tests' server."""
    monkeypatch.delenv(planner.PROBLEM_ENV, raising=False)


def test_the_default_form_is_the_default_problem_and_round_trips():
    form = planner.default_form()
    assert (form.goal, form.month, form.target, form.total_bn, form.max_agents) == \
        ("min_spend", "2025-12", 0.5, 1000, 1500)
    chosen = planner.problem(form)
    assert opt.fingerprint(chosen) == opt.fingerprint(opt.load_problem("reach_50"))
    assert chosen.trials == 200


def test_fields_are_written_into_the_problem():
    form = planner.Form(goal="max_coverage", month="2025-06", total_bn=None, office_bn=200.0, local_bn=None,
                        max_agents=800.0, no_regency_below=False, trials=20)
    chosen = planner.problem(form)
    assert (chosen.goal, chosen.month, chosen.trials) == ("max_coverage", "2025-06", 20)
    assert chosen.budget == {"total_idr": None, "office_idr": 2e11, "local_idr": None}
    assert next(lever.high for lever in chosen.levers if lever.name == "perisai_agents") == 800
    assert not chosen.no_regency_below_status_quo


@pytest.mark.parametrize("fields, words", [
    ({"trials": 5000}, "candidates: 5,000 is outside the allowed range; allowed: 1 to 400"),
    ({"month": "2025-13"}, "objective.month"),
    ({"month": "<script>"}, "objective.month"),
    ({"total_bn": -1.0}, "total_bn: -1.0 is not allowed"),
    ({"max_agents": 1e9}, "levers.perisai_agents"),
    ({"target": 1.5}, "objective.target"),
])
def test_bad_fields_name_the_field(fields, words):
    with pytest.raises(planner.UserError) as error:
        planner.problem(planner.Form(**fields))
    assert words in str(error.value)


def test_a_second_search_on_the_server_is_refused_while_one_runs():
    chosen = planner.problem(planner.Form(trials=2))
    with planner._ONE_SEARCH:
        with pytest.raises(planner.Busy, match="another planner's search"):
            planner.search(chosen, lambda p: None, lambda: False)


@pytest.mark.parametrize("lang, regency, sensitivity", [
    ("en", {"Regency": "A", "Perisai agents": "1,402 (300)", "Subsidy budget": "Rp 2.5 bn (Rp 0)"},
     {"Lever": "Perisai agents", "objective, down": "-0.51 points", "yearly spend, down": "-Rp 100 m",
      "objective, up": "+0.35 points", "yearly spend, up": "+Rp 100 m"}),
    ("id", {"Kabupaten/kota": "A", "agen Perisai": "1.402 (300)", "Anggaran bantuan iuran": "Rp 2,5 miliar (Rp 0)"},
     {"Kebijakan": "agen Perisai", "tujuan, turun": "-0,51 poin", "belanja per tahun, turun": "-Rp 100 juta",
      "tujuan, naik": "+0,35 poin", "belanja per tahun, naik": "+Rp 100 juta"}),
])
def test_display_tables_show_plan_and_status_quo_as_text_in_the_pages_language(lang, regency, sensitivity):
    import pandas as pd

    table = pd.DataFrame({"regency": ["A"], "perisai_agents": [1402.0], "perisai_agents (status quo)": [300.0],
                          "subsidy_budget_idr": [2.5e9], "subsidy_budget_idr (status quo)": [0.0]})
    assert planner.regency_rows(table, lang).to_dict("records") == [regency]
    sens = pd.DataFrame({"lever": ["perisai_agents"], "objective_down": [-0.0051], "objective_up": [0.0035],
                         "spend_year_idr_down": [-1e8], "spend_year_idr_up": [1e8]})
    assert planner.sensitivity_rows(sens, lang).to_dict("records") == [sensitivity]


def test_a_stopped_search_resumes_in_its_folder(tmp_path, monkeypatch):
    calls = []

    def fake(chosen, folder, executor, on_progress, stop):
        calls.append(folder)
        if stop():
            raise opt.Stopped("stopped; what finished is saved")
        return "done"

    monkeypatch.setattr(opt, "optimize", fake)
    chosen = planner.problem(planner.Form(trials=2))
    with pytest.raises(opt.Stopped):
        planner.search(chosen, lambda p: None, lambda: True, tmp_path, workers=1)
    assert planner.search(chosen, lambda p: None, lambda: False, tmp_path, workers=1) == "done"
    assert calls == [tmp_path, tmp_path]
