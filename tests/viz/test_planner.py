"""The Plan page's backend without a browser: the page's fields become a problem file the CLI
accepts; typed numbers are read by one function (both languages, refusals in the session's
language); the search runs on the app's shared pool in one folder per page, removed when the
page closes."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from experiments import optimize as opt
from experiments.i18n import translator
from viz import planner
from viz.pool import FairPool


@pytest.fixture(autouse=True)
def _the_default_problem(monkeypatch, tmp_path):
    """The Plan page starts from reach_50 here, even when tests/viz/browser/test_plan.py set the
    variable for the browser tests' server; search folders go to a temporary folder."""
    monkeypatch.delenv(planner.PROBLEM_ENV, raising=False)
    monkeypatch.setattr(planner, "FOLDERS", tmp_path / "plans")


def test_the_default_form_is_the_default_problem_and_round_trips():
    form = planner.default_form()
    assert (form.goal, form.month, form.target, form.total_bn, form.max_agents) == \
        ("min_spend", "2027-12", 0.5, 1000, 1500)
    chosen = planner.problem(form)
    assert opt.fingerprint(chosen) == opt.fingerprint(opt.load_problem("reach_50"))
    assert chosen.search.trials == 200


def test_fields_are_written_into_the_problem():
    form = planner.Form(goal="max_coverage", month="2028-06", total_bn=None, office_bn=200.0, local_bn=None,
                        max_agents=800.0, no_regency_below=False, trials=20)
    chosen = planner.problem(form)
    assert (chosen.objective.goal, chosen.objective.month, chosen.search.trials) == ("max_coverage", "2028-06", 20)
    assert chosen.budget.model_dump() == {"total_idr": None, "office_idr": 2e11, "local_idr": None}
    assert next(lever.high for lever in chosen.levers if lever.name == "perisai_agents") == 800
    assert not chosen.constraints.no_regency_below_status_quo


@pytest.mark.parametrize("fields, words", [
    ({"trials": 5000}, "candidates: 5,000 is outside the allowed range; allowed: 1 to 400"),
    ({"month": "2025-13"}, "objective.month"),
    ({"month": "<script>"}, "objective.month"),
    ({"total_bn": -1.0}, "-1.0 is outside the allowed range; allowed: 0 to 1,000,000"),
    ({"total_bn": math.nan}, "nan is not a number"),
    ({"office_bn": math.inf}, "inf is not a number"),
    ({"local_bn": 1e308}, "outside the allowed range"),
    ({"max_agents": 1e9}, "allowed: 0 to 20,000"),
    ({"max_agents": 10.5}, "not a whole number"),
    ({"target": 1.5}, "allowed: 1% to 100%"),
])
def test_bad_fields_name_the_field(fields, words):
    with pytest.raises(planner.UserError) as error:
        planner.problem(planner.Form(**fields))
    assert words in str(error.value)


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


def test_a_stopped_search_resumes_in_its_pages_folder_and_another_problem_clears_it(monkeypatch):
    calls = []

    def fake(chosen, folder, executor, on_progress, stop):
        calls.append((folder, executor.owner))
        (folder / "problem.json").write_text(opt.fingerprint(chosen))
        (folder / "evaluations.jsonl").write_text("{}\n")
        if stop():
            raise opt.Stopped("stopped; what finished is saved")
        return "done"

    monkeypatch.setattr(opt, "optimize", fake)
    chosen = planner.problem(planner.Form(trials=2))
    pool = FairPool(1)
    with pytest.raises(opt.Stopped):
        planner.search(chosen, lambda p: None, lambda: True, "page-1", pool)
    assert planner.search(chosen, lambda p: None, lambda: False, "page-1", pool) == "done"
    folder = calls[0][0]
    assert calls == [(folder, "page-1:plan")] * 2 and folder.parent == planner.FOLDERS
    other = planner.problem(planner.Form(trials=2, max_agents=800.0))
    monkeypatch.setattr(opt, "optimize", lambda chosen, folder, *a, **k: sorted(p.name for p in folder.iterdir()))
    assert planner.search(other, lambda p: None, lambda: False, "page-1", pool) == []   # cleared, reused
    assert list(planner.FOLDERS.iterdir()) == [folder]                                # one folder per page
    planner.close("page-1", pool)
    assert not folder.exists()


def test_the_search_runs_on_the_shared_pool_and_stop_drops_its_waiting_runs():
    import threading
    import time

    pool = FairPool(1)
    chosen = planner.problem(planner.Form(trials=40))
    seen, result = [], {}
    stop = threading.Event()

    def searching():
        try:
            result["value"] = planner.search(chosen, seen.append, stop.is_set, "page-2", pool)
        except Exception as error:  # noqa: BLE001 - the test looks at it
            result["error"] = error

    thread = threading.Thread(target=searching)
    thread.start()
    deadline = time.time() + 60
    while pool.waiting("page-2:plan") == 0 and time.time() < deadline:
        time.sleep(0.05)
    assert pool.waiting("page-2:plan") > 0                      # its runs wait on the shared pool
    stop.set()
    assert planner.cancel("page-2") > 0                          # Stop drops them, as Cancel on Compare
    thread.join(60)
    assert not thread.is_alive() and isinstance(result.get("error"), planner.Cancelled)
    assert pool.waiting() == 0
    planner.close("page-2", pool)
    pool.close()


@pytest.mark.parametrize("lang, field, text, value", [
    ("en", "total_bn", "1,000", 1000.0), ("id", "total_bn", "1.000", 1000.0), ("id", "total_bn", "2,5", 2.5),
    ("en", "target", "50%", 0.5), ("id", "target", "50%", 0.5), ("id", "target", "37,5%", 0.375),
    ("en", "max_agents", "1,500", 1500.0), ("id", "max_agents", "1.500", 1500.0), ("en", "total_bn", "", None),
    ("id", "total_bn", "20 miliar", 20.0), ("id", "total_bn", "Rp 1,5 triliun", 1500.0),
    ("en", "local_bn", "1.5 bn", 1.5),
])
def test_read_number_reads_the_sessions_way_of_writing_numbers(lang, field, text, value):
    assert planner.read_number(text, field, translator(lang)) == value


@pytest.mark.parametrize("lang, text, words", [
    ("en", "nan", "nan is not a number; allowed: 0 to 1,000,000."),
    ("en", "inf", "inf is not a number"), ("en", "1e308", "1e308 is outside the allowed range"),
    ("en", "abc", "abc is not a number"), ("en", "-5", "-5 is outside the allowed range"),
    ("id", "nan", "nan bukan angka; boleh: 0 sampai 1.000.000."),
    ("id", "abc", "abc bukan angka"),
    ("id", "2000000", "2000000 di luar rentang yang diizinkan; boleh: 0 sampai 1.000.000."),
])
def test_read_number_refuses_with_one_message_in_the_sessions_language(lang, text, words):
    with pytest.raises(planner.FieldError) as error:
        planner.read_number(text, "total_bn", translator(lang))
    assert str(error.value) == words or words in str(error.value)
    assert error.value.field == "total_bn"


@pytest.mark.parametrize("lang", ["en", "id"])
def test_fields_are_shown_as_the_page_writes_numbers_and_read_back(lang):
    t = translator(lang)
    form = planner.default_form()
    shown = {name: planner.show_number(getattr(form, name), name, t) for name in planner.FIELDS}
    assert shown["target"] == "50%" and shown["max_agents"] == ("1,500" if lang == "en" else "1.500")
    assert shown["total_bn"] == ("1,000" if lang == "en" else "1.000")
    assert {name: planner.read_number(text, name, t) for name, text in shown.items()} == \
        {name: getattr(form, name) for name in planner.FIELDS}


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(sorted(planner.FIELDS)), lang=st.sampled_from(["en", "id"]),
       text=st.one_of(st.text(max_size=30), st.sampled_from(["nan", "inf", "-inf", "1e308", "NaN", "Infinity",
                                                            "1" + "0" * 400, "9" * 40, "-0", "50%%", "1.2.3"]),
                      st.floats(allow_nan=True, allow_infinity=True).map(repr)))
def test_fuzz_a_typed_field_is_a_number_in_its_range_or_one_message(field, lang, text):
    t = translator(lang)
    try:
        value = planner.read_number(text, field, t)
    except planner.FieldError as error:
        assert error.field == field and str(error).endswith(".") and "\n" not in str(error)
        return
    spec = planner.FIELDS[field]
    assert value is None and spec.optional or (math.isfinite(value) and spec.low <= value <= spec.high)


@settings(max_examples=60, deadline=None)
@given(field=st.sampled_from(sorted(planner.FIELDS)),
       value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**400, 10**400)))
def test_fuzz_a_forged_request_with_any_number_is_refused_with_a_message_or_checked(field, value):
    form = planner.Form(**{field: int(value) if field == "trials" and isinstance(value, int) else value})
    try:
        chosen = planner.problem(form)
    except planner.UserError as error:
        assert str(error) and "Traceback" not in str(error)
        return
    assert math.isfinite(chosen.objective.target) and chosen.search.trials <= planner.MAX_TRIALS


@pytest.mark.parametrize("lang, agents, villages, share", [("en", "188 (20)", "3 (0)", "39.2% (0.0%)"),
                                                          ("id", "188 (20)", "3 (0)", "39,2% (0,0%)")])
def test_the_regency_table_shows_whole_agents_and_villages_shares_as_percentages_and_rows_from_1(
        lang, agents, villages, share):
    import pandas as pd

    table = pd.DataFrame({"regency": ["A", "B"], "perisai_agents": [188.46, 1.0],
                          "perisai_agents (status quo)": [20.2, 0],
                          "villages_per_month": [3.312, 0.0], "villages_per_month (status quo)": [0.0, 0.0],
                          "registration_assistance": [0.3921, 0.1], "registration_assistance (status quo)": [0.0, 0]})
    rows = planner.regency_rows(table, lang)
    assert list(rows.index) == [1, 2]
    assert list(rows.iloc[0])[1:] == [agents, villages, share]
    assert list(planner.sensitivity_rows(pd.DataFrame({
        "lever": ["perisai_agents"], "objective_down": [0.0], "objective_up": [0.0],
        "spend_year_idr_down": [0.0], "spend_year_idr_up": [0.0]}), lang).index) == [1]


def test_a_plan_sent_to_compare_is_described_in_the_sessions_language():
    class Done:
        problem = planner.problem(planner.Form(trials=2))
        scenarios = {3: opt.scenario_of(problem, {}, problem.search.rungs[0], "reach_50_0003")}

    sent = planner.plan_scenario(Done(), 3, translator("id"))
    assert sent.description == "Rencana 3 dari pencarian: Rencana termurah yang mencapai target dengan peluang p"
    assert "reach_50" not in sent.description


@pytest.mark.parametrize("lang, budget, header, ceiling, spend", [
    ("en", "Subsidy budget", "Expected subsidy spend a year", "Rp 2.5 bn (Rp 0)", "Rp 1.2 bn"),
    ("id", "Anggaran bantuan iuran", "Perkiraan belanja bantuan iuran per tahun", "Rp 2,5 miliar (Rp 0)",
     "Rp 1,2 miliar")])
def test_the_regency_table_shows_the_expected_spend_next_to_the_ceiling(lang, budget, header, ceiling, spend):
    import pandas as pd

    table = pd.DataFrame({"regency": ["A", "B"], "subsidy_budget_idr": [2.5e9, 0.0],
                          "subsidy_budget_idr (status quo)": [0.0, 0.0],
                          "perisai_agents": [12.0, 3.0], "perisai_agents (status quo)": [0.0, 0.0],
                          opt.EXPECTED_SPEND: [1.2e9, 0.0]})
    rows = planner.regency_rows(table, lang)
    assert list(rows.columns)[1:3] == [budget, header]
    assert list(rows.iloc[0])[1:3] == [ceiling, spend] and rows.iloc[1][header] == "Rp 0"
    without_ceiling = planner.regency_rows(table.drop(columns=["subsidy_budget_idr",
                                                               "subsidy_budget_idr (status quo)"]), lang)
    assert list(without_ceiling.columns)[-1] == header
    assert header not in planner.regency_rows(table.drop(columns=opt.EXPECTED_SPEND), lang)
    note = planner.regency_note(table, translator(lang))
    assert note.startswith(" ") and ("own budget" if lang == "en" else "anggaran masing-masing") in note
    assert planner.regency_note(table.drop(columns=opt.EXPECTED_SPEND), translator(lang)) == ""
