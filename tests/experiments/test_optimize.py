"""`cakupan optimize`: problem files, the search on a toy problem with a known optimum, the
reported objective against a plain run of the plan's scenario file, resume, stop, and limits."""

import json
import math
import re

import pandas as pd
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from experiments import cli, optimize as opt
from experiments.optimize import report as opt_report
from experiments.runner import run
from experiments.scenario import load_scenario
from model import months

TOY = """
name = "toy"
decision_month = "none"
[objective]
goal = "min_spend"
month = "2025-12"
target = 0.5
probability = 0.5
[levers.campaign_reach_per_month]
low = 0
high = 300000
[levers.villages_per_month]
low = 0
high = 200
[search]
trials = {trials}
batch = 8
rungs = [{{ scale = 0.005, replicates = 1 }}, {{ scale = 0.01, replicates = 2 }}]
sensitivity = false
"""


class Toy:
    """Analytic stand-in for the model: campaigns buy coverage twice as cheaply as villages, so
    the cheapest plan reaching 50% is 100,000 workers a month and no villages (Rp 10 bn a year)."""

    def __init__(self, target=0.5):
        self.calls, self.target = [], target

    def __call__(self, scenarios, rung):
        self.calls.append((len(scenarios), rung))
        out = []
        for s in scenarios:
            x, y = s.settings["campaign_reach_per_month"], s.settings["villages_per_month"]
            coverage = 0.3 + 0.2 * min(1.0, x / 100_000) + 0.1 * min(1.0, y / 100)
            spend = x * 1e5 + y * 1e8
            out.append({"coverage": coverage, "coverage_mean": coverage, "coverage_at_p": coverage,
                        "p_target": float(coverage >= self.target - 1e-12), "spend_year_idr": spend,
                        "office_year_idr": spend, "local_year_idr": 0.0, "replicates": rung.replicates})
        return out


def toy(trials=200):
    return opt.parse_problem(TOY.format(trials=trials), "toy.toml")


def test_the_toy_problems_known_optimum_is_found():
    outcome = opt.optimize(toy(), evaluator=Toy())
    best = outcome.recommended
    plan = outcome.scenarios[int(best["trial"])].settings
    assert outcome.reachable
    assert plan["campaign_reach_per_month"] == pytest.approx(100_000, rel=0.05)
    assert plan["villages_per_month"] < 10
    assert best["spend_year_idr"] == pytest.approx(1e10, rel=0.1)
    # the front is non-dominated and only holds plans within the constraints
    front = outcome.front
    assert front["feasible"].all() and front["spend_year_idr"].is_monotonic_increasing
    assert front["objective"].is_monotonic_increasing


def test_unreachable_target_says_so_and_lists_the_closest_plans():
    problem = opt.parse_problem(TOY.format(trials=12).replace("target = 0.5", "target = 0.9"), "toy.toml")
    outcome = opt.optimize(problem, evaluator=Toy(target=0.9))
    assert not outcome.reachable
    assert "cannot be reached" in outcome.message()
    assert len(outcome.closest) >= 1 and outcome.closest["p_target"].max() == 0


def test_successive_halving_re_evaluates_only_the_promising_and_reports_the_last_rung():
    toy_model = Toy()
    outcome = opt.optimize(toy(trials=16), evaluator=toy_model)
    first, last = toy().search.rungs
    evaluated_last = sum(n for n, rung in toy_model.calls if rung == last)
    assert evaluated_last == opt.promoted(16, 0.25) == 4
    assert len(outcome.candidates) == 4 and (outcome.candidates["replicates"] == 2).all()


def test_resume_extends_a_stored_search_and_keeps_its_candidates(tmp_path):
    toy_model = Toy()
    opt.optimize(toy(trials=8), out=tmp_path, evaluator=toy_model)
    before = (tmp_path / "evaluations.jsonl").read_text().splitlines()
    toy_model.calls.clear()
    outcome = opt.optimize(toy(trials=12), out=tmp_path, evaluator=toy_model)
    searched = sum(n for n, rung in toy_model.calls if rung == toy().search.rungs[0])
    assert searched == 4                                    # only the 4 new candidates
    after = (tmp_path / "evaluations.jsonl").read_text().splitlines()
    assert after[:len(before)] == before
    assert (tmp_path / "front.csv").exists() and (tmp_path / "summary.json").exists()
    plan = json.loads((tmp_path / "summary.json").read_text())["recommended_file"]
    assert load_scenario(plan).name == outcome.scenarios[int(outcome.recommended["trial"])].name


def test_a_line_cut_short_by_a_killed_process_is_evaluated_again(tmp_path):
    opt.optimize(toy(trials=8), out=tmp_path, evaluator=Toy())
    log = tmp_path / "evaluations.jsonl"
    log.write_text(log.read_text() + '{"trial": 3, "ru')
    outcome = opt.optimize(toy(trials=8), out=tmp_path, evaluator=Toy())
    assert outcome.recommended is not None


def test_another_problem_cannot_write_into_a_searchs_folder(tmp_path):
    opt.optimize(toy(trials=4), out=tmp_path, evaluator=Toy())
    other = opt.parse_problem(TOY.format(trials=4).replace("high = 200", "high = 100"), "toy.toml")
    with pytest.raises(opt.UserError, match="another problem"):
        opt.optimize(other, out=tmp_path, evaluator=Toy())


def test_a_second_writer_is_refused_while_the_first_holds_the_folder(tmp_path):
    from experiments.store import Store

    with Store(tmp_path).writing(["cakupan", "optimize"], runs=False):
        with pytest.raises(opt.UserError, match=r"being written by pid .* \(cakupan optimize\)"):
            opt.optimize(toy(trials=4), out=tmp_path, evaluator=Toy())


def test_stop_keeps_what_finished_and_the_next_run_resumes(tmp_path):
    calls = iter(range(100))
    with pytest.raises(opt.Stopped, match="resume"):
        opt.optimize(toy(trials=24), out=tmp_path, evaluator=Toy(), stop=lambda: next(calls) >= 1)
    rows = [json.loads(line) for line in (tmp_path / "evaluations.jsonl").read_text().splitlines()]
    assert len([r for r in rows if r.get("rung") == 0]) == 8      # the first batch
    assert rows[-1]["batch"] == 8 and rows[-1]["sampler"]         # and the sampler's state after it
    toy_model = Toy()
    opt.optimize(toy(trials=24), out=tmp_path, evaluator=toy_model)
    assert sum(n for n, rung in toy_model.calls if rung == toy().search.rungs[0]) == 16


def test_progress_reports_work_done_and_time_left():
    seen = []
    opt.optimize(toy(trials=16), evaluator=Toy(), on_progress=seen.append)
    assert [p.phase for p in seen][:2] == ["search", "search"]
    assert seen[-1].done == pytest.approx(seen[-1].total)
    assert seen[-1].seconds_left == pytest.approx(0, abs=1e-6)
    assert all(p.done <= p.total + 1e-9 for p in seen)


# ---------------------------------------------------------------- the real model
TINY = """
name = "tiny"
decision_month = "none"          # levers as written from month 0 (the objective month is 2024-11)
[objective]
goal = "max_coverage"
month = "2024-11"
[budget]
local_idr = 2e10
[levers.registration_assistance]
[levers.subsidy_budget_idr]
high = 2e9
by_regency = true
[constraints]
no_regency_below_status_quo = true
regency_tolerance = 0.02
[search]
trials = 4
batch = 4
promote = 0.5
rungs = [{ scale = 0.001, replicates = 1 }, { scale = 0.002, replicates = 2 }]
step = 0.2
"""


@pytest.fixture(scope="module")
def tiny_search(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    problem = opt.parse_problem(TINY, "tiny.toml")
    return opt.optimize(problem, out=folder), folder


def test_a_candidates_reported_objective_equals_a_plain_run_of_its_scenario_file(tiny_search):
    outcome, folder = tiny_search
    best = outcome.recommended
    path = opt.plan_file(outcome, int(best["trial"]))
    assert outcome.problem.objective.uncertainty == "both"           # the default: seed r and ensemble draw r
    summary = run(str(path), replicates=2, progress=False, uncertainty="both").summary(
        outcome.problem.objective.month, baseline=None)
    assert summary["coverage_mean"].iloc[0] == pytest.approx(best["coverage_mean"], abs=1e-12)
    assert summary["p_target"].iloc[0] == best["p_target"]
    yearly = summary["spend_idr_mean"].iloc[0] * 12 / outcome.problem.n_months
    assert yearly == pytest.approx(best["spend_year_idr"], rel=1e-9)
    # and the command line prints the same coverage
    printed = CliRunner().invoke(cli.app, ["run", str(path), "-r", "2", "--no-baseline", "--workers", "1",
                                           "--target-month", outcome.problem.objective.month, "-q",
                                           "--uncertainty", "both"])
    assert printed.exit_code == 0, printed.output
    assert f"{best['coverage_mean']:.1%}" in printed.output


def test_the_report_has_the_front_the_plan_by_regency_and_its_sensitivity(tiny_search):
    outcome, folder = tiny_search
    table = outcome.by_regency
    assert len(table) == 17 and "subsidy_budget_idr (status quo)" in table
    assert table["subsidy_budget_idr"].max() <= 2e9
    assert set(outcome.sensitivity["lever"]) == {"registration_assistance", "subsidy_budget_idr"}
    assert outcome.front["local_year_idr"].max() <= 2e10
    for trial in outcome.front["trial"]:
        assert load_scenario(str(opt.plan_file(outcome, int(trial)))).scale == 0.002


def test_the_plan_by_regency_has_the_expected_yearly_spend_of_each_regency(tiny_search):
    """The recommended plan's runs at the last rung again: each regency's own budget's yearly
    spend, never above the ceiling in force, within the plan's local spend (the rest is the
    province's palm fund)."""
    outcome, folder = tiny_search
    table = outcome.by_regency
    spend = table["expected_spend_year_idr"]
    assert (spend >= 0).all() and spend.sum() > 0
    assert spend.sum() <= outcome.recommended["local_year_idr"] * (1 + 1e-9)
    # what was spent in the simulated months (spend is a yearly rate) is within the year's budget
    # in force: the plan's from the APBD-P month (a draw of 9-11: September to November 2024 may
    # have passed one), the status quo's before; the year's budget is spread over the months left
    spent = spend * outcome.problem.n_months / 12
    ceiling = table[["subsidy_budget_idr", "subsidy_budget_idr (status quo)"]].max(axis=1)
    assert (spent <= ceiling * (1 + 1e-9)).all()
    written = pd.read_csv(folder / "recommended_by_regency.csv")
    assert written["expected_spend_year_idr"].to_numpy() == pytest.approx(spend.to_numpy())


def test_expected_spend_is_the_replicates_mean_yearly_spend_to_the_objective_month():
    problem = opt.parse_problem(TINY, "tiny.toml")
    n = problem.n_months
    start = months.label(months.ordinal(problem.objective.month) - n)
    rows = []
    for replicate, amount in ((0, 1e9), (1, 3e9)):
        for month in months.labels(start, n + 1):          # one month past the objective's, ignored
            past = month > problem.objective.month
            rows += [{"replicate": replicate, "month": month, "regency": "A", "spend_idr": 1e15 if past else amount},
                     {"replicate": replicate, "month": month, "regency": "B", "spend_idr": 0.0}]
    spend = opt_report.expected_spend(problem, pd.DataFrame(rows))
    # months 0..n summed (month 0 included, as outcome_metrics sums it; the model spends nothing then)
    assert spend["A"] == pytest.approx(2e9 * (n + 1) * 12 / n)
    assert spend["B"] == 0.0


def test_replicate_r_of_every_candidate_runs_with_seed_r_and_ensemble_draw_r():
    from experiments.draws import draw_values
    from experiments.runner import replicate_seeds

    problem = opt.parse_problem(TINY, "tiny.toml")
    rung = problem.search.rungs[-1]
    evaluator = opt.ModelEvaluator(problem)
    a = opt.scenario_of(problem, {"registration_assistance": 0.1}, rung, "a")
    b = opt.scenario_of(problem, {"registration_assistance": 0.9}, rung, "b")
    for specs in (evaluator.specs(a, rung), evaluator.specs(b, rung)):
        assert [s.seed for s in specs] == replicate_seeds(problem.seed, rung.replicates)
        assert [s.draw for s in specs] == list(range(rung.replicates))
        for r, spec in enumerate(specs):
            drawn = draw_values(r)
            assert all(spec.kwargs[k] == v for k, v in drawn.items() if k != "registration_assistance")
    assert evaluator.specs(a, rung)[1].kwargs["take_up_rate"] != evaluator.specs(a, rung)[0].kwargs["take_up_rate"]


def test_chance_only_replicates_use_the_calibrated_values():
    problem = opt.parse_problem(TINY.replace('goal = "max_coverage"', 'goal = "max_coverage"\nuncertainty = "chance"'),
                                "tiny.toml")
    rung = problem.search.rungs[-1]
    specs = opt.ModelEvaluator(problem).specs(opt.scenario_of(problem, {}, rung, "a"), rung)
    assert [s.draw for s in specs] == [None, None]
    same = [{k: v for k, v in s.kwargs.items() if k != "seed"} for s in specs]
    assert same[0] == same[1] and "take_up_rate" not in same[0]     # the model's calibrated value


def test_candidates_share_seeds_and_parameter_draws_are_applied_per_replicate():
    problem = opt.parse_problem(TINY, "tiny.toml")
    rung = problem.search.rungs[-1]
    draws = [{"take_up_rate": 0.01}, {"take_up_rate": 0.02}]
    evaluator = opt.ModelEvaluator(problem, draws=draws)
    a = opt.scenario_of(problem, {"registration_assistance": 0.1}, rung, "a")
    b = opt.scenario_of(problem, {"registration_assistance": 0.9}, rung, "b")
    specs_a, specs_b = evaluator.specs(a, rung), evaluator.specs(b, rung)
    assert [s.seed for s in specs_a] == [s.seed for s in specs_b]
    assert [s.kwargs["take_up_rate"] for s in specs_a] == [0.01, 0.02]


def test_the_command_prints_the_front_and_writes_the_plans(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.replace("trials = 4", "trials = 3").replace(
        "[constraints]\nno_regency_below_status_quo = true", "[constraints]\nno_regency_below_status_quo = false"))
    result = CliRunner().invoke(cli.app, ["optimize", str(path), "--out", str(tmp_path / "out"), "--workers", "1",
                                          "-q"])
    assert result.exit_code == 0, result.output
    assert "Pareto front" in result.output and "by regency" in result.output
    assert list((tmp_path / "out" / "plans").glob("tiny_*.toml"))


# ---------------------------------------------------------------- problem files
def test_the_default_problem_is_the_offices_question():
    problem = opt.load_problem("reach_50")
    assert (problem.objective.goal, problem.objective.month, problem.objective.target) == ("min_spend", "2027-12", 0.5)
    assert problem.base.decision() == "2027-01"           # levers from the next budget year
    assert opt.load_problem("reach_50_2029").objective.month == "2029-12"
    assert problem.search.trials == 200 and len(problem.search.rungs) >= 2
    assert dict((lever.name, lever.high) for lever in problem.levers)["perisai_agents"] == 1500
    assert opt.estimate(problem, 2).runs == opt.planned_runs(problem) < 5000


def test_without_levers_every_number_lever_moves_in_its_registry_range():
    problem = opt.parse_problem('[objective]\ngoal = "max_coverage"\n', "all.toml")
    names = [lever.name for lever in problem.levers]
    assert names == opt.movable() and "subsidy_eligible" not in names
    subsidy = next(lever for lever in problem.levers if lever.name == "subsidy_budget_idr")
    assert subsidy.by_regency and (subsidy.low, subsidy.high) == (0, 1e13)
    assert len(opt.space(problem)) == len(names) - 1 + 17


@pytest.mark.parametrize("text, where, words", [
    ('[objective]\ngoal = "cheapest"\n', "bad.toml:2: objective.goal", "min_spend"),
    ('[objective]\nmonth = "2050-01"\n', "bad.toml:2: objective.month", "no later than 2040-12"),
    ('[levers.take_up_rate]\nhigh = 0.1\n', "bad.toml:1: levers.take_up_rate", "allowed: villages_per_month"),
    ('[levers.perisai_agents]\nhigh = 50000\n', "bad.toml:1: levers.perisai_agents", "within 0 to 20000"),
    ('[levers.subsidy_share]\nby_regency = true\n', "bad.toml:2: levers.subsidy_share.by_regency",
     "counts and budgets"),
    ('[search]\ntrials = 100000\n', "bad.toml:2: search.trials", "allowed: 1 to 5,000"),
    ('[search]\nrungs = [{scale = 0.01, replicates = 4}, {scale = 0.005, replicates = 8}]\n',
     "bad.toml:2: search.rungs", "previous rung"),
    ('[search]\nrungs = [{scale = 0.00001, replicates = 1}]\n', "bad.toml:2: search.rungs", "smallest regency"),
    ('[budget]\ntotal = 5\n', "bad.toml:2: budget.total", "unknown key"),
    ('base = "../../no/such/scenario.toml"\n', "bad.toml:1: base", "no such scenario file"),
    ('[objective]\nstatistic = 1.5\n', "bad.toml:2: objective.statistic", "quantile between 0 and 1"),
    ('name = "<b>x</b>"\n', "bad.toml:1: name", "pattern"),
    ('[objective\n', "bad.toml", "not valid TOML"),
])
def test_bad_problem_files_name_the_file_line_key_and_what_is_allowed(text, where, words):
    with pytest.raises(opt.ProblemError) as error:
        opt.parse_problem(text, "bad.toml")
    assert where in str(error.value) and words in str(error.value)


def test_the_command_rejects_a_bad_problem_with_exit_code_2(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[levers.perisai_agent]\nhigh = 5\n')
    result = CliRunner().invoke(cli.app, ["optimize", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "levers.perisai_agent" in result.output and "Traceback" not in result.output


# ---------------------------------------------------------------- convergence and the front chart
def test_the_local_search_stops_when_patience_batches_bring_no_better_plan(tmp_path):
    text = TOY.format(trials=400).replace("sensitivity = false", "sensitivity = false\npatience = 2")
    problem = opt.parse_problem(text, "toy.toml")
    toy_model = Toy()
    outcome = opt.optimize(problem, out=tmp_path, evaluator=toy_model)
    searched = sum(n for n, rung in toy_model.calls if rung == problem.search.rungs[0])
    assert searched < 400 and outcome.reachable
    assert outcome.recommended["spend_year_idr"] == pytest.approx(1e10, rel=0.1)
    toy_model.calls.clear()                      # a converged search in its folder only reports again
    again = opt.optimize(problem, out=tmp_path, evaluator=toy_model)
    assert toy_model.calls == [] and again.recommended["trial"] == outcome.recommended["trial"]


def test_a_resumed_search_replays_its_candidates_from_the_log_alone(tmp_path):
    opt.optimize(toy(trials=16), out=tmp_path, evaluator=Toy())
    assert not (tmp_path / "study.log").exists()
    rows = [json.loads(line) for line in (tmp_path / "evaluations.jsonl").read_text().splitlines()]
    first = [r for r in rows if r.get("rung") == 0]
    assert len(first) == 16 and all(set(r["params"]) == set(opt.space(toy())) for r in first)
    toy_model = Toy()
    outcome = opt.optimize(toy(trials=16), out=tmp_path, evaluator=toy_model)
    assert toy_model.calls == [] and len(outcome.candidates) == 4


@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_front_charts_hover_shows_the_plan_pages_table_cells(lang):
    from experiments.figures import front_cells, front_figure

    outcome = opt.optimize(toy(trials=16), evaluator=Toy())
    label = opt.objective_label(outcome.problem)
    fig = front_figure(outcome.front, outcome.candidates, label, outcome.recommended, lang)
    front = next(trace for trace in fig.data if list(trace.customdata) == list(outcome.front["trial"]))
    for (_, row), hover in zip(outcome.front.iterrows(), front.text, strict=True):
        assert all(f"{k}: {v}" in hover for k, v in front_cells(row, label, lang).items())
    assert len(fig.data) == 3 and "<script" not in fig.to_json()


def test_the_verdict_says_which_statistic_it_reports():
    outcome = opt.optimize(toy(trials=8), evaluator=Toy())
    note = outcome.message().splitlines()[1]
    assert "share of the last rung's 2 replicates" in note and "parameter draw r of the ensemble" in note
    assert "Budgets are ceilings" in note


def test_a_folder_of_an_older_search_is_refused_not_mixed(tmp_path):
    (tmp_path / "study.log").write_text("{}\n")
    (tmp_path / "evaluations.jsonl").write_text('{"trial": 0, "rung": 1, "metrics": {}}\n')
    with pytest.raises(opt.UserError, match="older cakupan"):
        opt.optimize(toy(trials=4), out=tmp_path, evaluator=Toy())


@pytest.mark.parametrize("content, expected", [
    (b"\xff\xfe[objective]\n", "not UTF-8 text (byte 0)"),
    (b"a = " + b"[" * 300 + b"]" * 300 + b"\n", "nested deeper than 32 levels"),
    (b"#" * 1_000_001, "larger than 1,000,000 bytes"),
])
def test_a_hostile_problem_file_gets_one_clear_message(tmp_path, content, expected):
    path = tmp_path / "problem.toml"
    path.write_bytes(content)
    with pytest.raises(opt.ProblemError, match=re.escape(expected)):
        opt.load_problem(str(path))


def test_a_device_is_not_read_as_a_problem_file():
    with pytest.raises(opt.ProblemError, match="not a regular file"):
        opt.load_problem("/dev/zero")


# ---------------------------------------------------------------- resume gives the same search
def _search_rows(folder):
    rows = []
    for line in (folder / "evaluations.jsonl").read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue                            # the line a killed writer cut short
    return {r["trial"]: r["params"] for r in rows if r.get("rung") == 0}


@pytest.mark.parametrize("sampler", ["nsga2", "tpe"])
def test_a_search_stopped_after_every_batch_recommends_what_an_uninterrupted_one_does(tmp_path, sampler):
    text = TOY.format(trials=48).replace("batch = 8", f'batch = 8\nsampler = "{sampler}"\npolish = 0.5')
    problem = opt.parse_problem(text, "toy.toml")
    whole = opt.optimize(problem, out=tmp_path / "whole", evaluator=Toy())
    stops = 0
    while True:
        calls = iter(range(1000))
        try:
            resumed = opt.optimize(problem, out=tmp_path / "resumed", evaluator=Toy(),
                                   stop=lambda calls=calls: next(calls) >= 1)   # stop after one batch
            break
        except opt.Stopped:
            stops += 1
    assert stops >= 4
    assert _search_rows(tmp_path / "resumed") == _search_rows(tmp_path / "whole")
    assert resumed.recommended["trial"] == whole.recommended["trial"]
    assert resumed.recommended["spend_year_idr"] == whole.recommended["spend_year_idr"]


def test_a_search_killed_inside_a_batch_searches_that_batch_again_the_same_way(tmp_path):
    problem = toy(trials=32)
    whole = opt.optimize(problem, out=tmp_path / "whole", evaluator=Toy())
    folder = tmp_path / "killed"
    calls = iter(range(1000))
    with pytest.raises(opt.Stopped):
        opt.optimize(problem, out=folder, evaluator=Toy(), stop=lambda: next(calls) >= 2)
    log = folder / "evaluations.jsonl"
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:-3]) + lines[-3][:20])    # killed while writing the second batch
    resumed = opt.optimize(problem, out=folder, evaluator=Toy())
    assert _search_rows(folder) == _search_rows(tmp_path / "whole")
    assert resumed.recommended["trial"] == whole.recommended["trial"]


# ---------------------------------------------------------------- hostile numbers (one validator)
@pytest.mark.parametrize("key, value", [("budget.total_idr", "inf"), ("budget.office_idr", "-inf"),
                                        ("budget.local_idr", "nan"), ("budget.total_idr", "1e308"),
                                        ("objective.target", "nan"), ("constraints.regency_tolerance", "inf"),
                                        ("levers.perisai_agents.high", "inf"), ("search.step", "nan")])
def test_the_command_refuses_a_non_finite_or_huge_number_with_exit_2(tmp_path, key, value):
    section, _, name = key.rpartition(".")
    path = tmp_path / "bad.toml"
    path.write_text(f"[{section}]\n{name} = {value}\n")
    result = CliRunner().invoke(cli.app, ["optimize", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert f"bad.toml:2: {key}" in result.output
    assert "finite" in result.output or "less than or equal" in result.output
    assert not (tmp_path / "o").exists()


def test_the_command_refuses_an_out_that_is_an_existing_file_with_exit_2(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    taken = tmp_path / "results.txt"
    taken.write_text("mine")
    result = CliRunner().invoke(cli.app, ["optimize", str(path), "--out", str(taken), "-q"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "is a file" in result.output and taken.read_text() == "mine"


@pytest.mark.parametrize("goal", ["max_coverage", "max_p_target"])
def test_a_budget_below_the_status_quos_spend_says_no_plan_fits(tmp_path, goal):
    text = TOY.format(trials=16).replace('goal = "min_spend"', f'goal = "{goal}"')
    text = text.replace("[levers.campaign", "[budget]\ntotal_idr = 1e6\n[levers.campaign", 1)
    text = text.replace("[levers.villages_per_month]\nlow = 0", "[levers.villages_per_month]\nlow = 10")
    problem = opt.parse_problem(text, "toy.toml")           # every plan spends at least Rp 1 bn a year
    outcome = opt.optimize(problem, evaluator=Toy())
    assert not outcome.reachable and outcome.over_budget == ["total"]
    assert outcome.verdict().startswith("no plan fits the budget (total Rp 0.0 billion a year): the closest")
    assert "best plan within the budget" not in outcome.message()


def test_the_command_says_no_plan_fits_a_budget_below_the_status_quo(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.replace("trials = 4", "trials = 2").replace("local_idr = 2e10", "total_idr = 1e6")
                    .replace("sensitivity", "# sensitivity"))
    result = CliRunner().invoke(cli.app, ["optimize", str(path), "--out", str(tmp_path / "o"), "-q",
                                          "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "no plan fits the budget" in result.output and "best plan within the budget" not in result.output
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["over_budget"] == ["total"]


def test_a_file_with_many_bad_keys_lists_the_first_and_counts_the_rest():
    text = "".join(f"unknown_{i} = 1\n" for i in range(500))
    with pytest.raises(opt.ProblemError) as error:
        opt.parse_problem(text, "many.toml")
    lines = str(error.value).splitlines()
    assert len(error.value.problems) == 20 and lines[-1] == "  ... and 480 more problems"
    assert "many.toml:1: unknown_0: unknown key" in lines[1]


NUMBER_KEYS = [("objective", "target"), ("objective", "probability"), ("objective", "statistic"),
               ("budget", "total_idr"), ("budget", "office_idr"), ("budget", "local_idr"),
               ("constraints", "regency_tolerance"), ("search", "promote"), ("search", "polish"),
               ("search", "step"), ("levers.perisai_agents", "high"), ("levers.perisai_agents", "low"),
               ("search", "trials"), ("search", "batch"), ("search", "patience"), ("", "seed")]
hostile_numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30),
                            st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, 0, -0.0]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(NUMBER_KEYS), hostile_numbers), min_size=1, max_size=4))
def test_fuzz_any_number_in_a_problem_file_is_checked_or_named(pairs):
    doc: dict = {}
    for (section, key), value in pairs:
        table = doc
        for part in [p for p in section.split(".") if p]:
            table = table.setdefault(part, {})
        table[key] = value
    try:
        text = tomli_w.dumps(doc)
    except (ValueError, OverflowError):
        return                                  # not representable in TOML
    try:
        problem = opt.parse_problem(text, "fuzz.toml")
    except opt.ProblemError as error:
        assert str(error).startswith("invalid optimisation problem:") and "Traceback" not in str(error)
        return
    numbers = [*problem.budget.model_dump().values(), problem.objective.target, problem.objective.probability,
               problem.constraints.regency_tolerance, problem.search.step, problem.search.promote,
               *[x for lever in problem.levers for x in (lever.low, lever.high)]]
    assert all(math.isfinite(x) for x in numbers if x is not None)
    assert all(x <= opt.MAX_BUDGET_IDR for x in problem.budget.model_dump().values() if x is not None)


def test_a_plans_yearly_spend_is_its_own_from_the_decision_month():
    """With a decision month the history's months (the same in every candidate) are left out of a
    plan's yearly spend: the spend from 2027-01 to the objective month, as a yearly rate."""
    problem = opt.parse_problem(TOY.format(trials=2).replace('decision_month = "none"\n', "")
                                .replace('month = "2025-12"', 'month = "2027-12"'), "toy.toml")
    assert (problem.decision, problem.spend_from, problem.spend_months) == ("2027-01", "2027-01", 12)
    rows = [{"replicate": r, "month": m, "regency": "A", "spend_idr": 1e12 if m < "2027-01" else 5e8}
            for r in (0, 1) for m in months.labels("2024-08", problem.n_months)]
    assert opt_report.expected_spend(problem, pd.DataFrame(rows))["A"] == pytest.approx(5e8 * 12)
    # and the search's metrics read the same months
    table = pd.DataFrame([{**row, "scenario": "p", "seed": row["replicate"], "coverage": 0.5, "active": 1.0,
                           "workers": 2.0, "spend_subsidy_idr": 0.0, "spend_pilot_idr": 0.0} for row in rows])
    from experiments.optimize.evaluate import outcome_metrics
    assert outcome_metrics(problem, table)["spend_year_idr"] == pytest.approx(5e8 * 12)


# ---------------------------------------------------------------- a target at the bounds' reach (issue 24)
class Corner(Toy):
    """The toy with a target only plans near every lever's upper bound reach: coverage rises
    with both levers up to their upper bounds (0.6 at 300,000 workers and 200 villages)."""

    def __call__(self, scenarios, rung):
        out = super().__call__(scenarios, rung)
        for m, s in zip(out, scenarios, strict=True):
            x, y = s.settings["campaign_reach_per_month"], s.settings["villages_per_month"]
            coverage = 0.3 + 0.2 * x / 300_000 + 0.1 * y / 200
            m.update(coverage=coverage, coverage_mean=coverage, coverage_at_p=coverage,
                     p_target=float(coverage >= self.target - 1e-12))
        return out


def corner(trials=32):
    return opt.parse_problem(TOY.format(trials=trials).replace("target = 0.5", "target = 0.595"), "toy.toml")


def test_when_the_global_phase_finds_no_feasible_plan_the_local_phase_starts_at_the_upper_bounds():
    problem = corner()
    outcome = opt.optimize(problem, evaluator=Corner(target=0.595))
    assert outcome.reachable
    plan = outcome.scenarios[int(outcome.recommended["trial"])].settings
    assert plan["campaign_reach_per_month"] >= 0.95 * 300_000 and plan["villages_per_month"] >= 150
    # the upper-bound plan is a candidate, and nothing cheaper than the recommended one is feasible
    assert outcome.recommended["spend_year_idr"] <= 300_000 * 1e5 + 200 * 1e8
    ok = outcome.candidates[outcome.candidates["feasible"].astype(bool)]
    assert outcome.recommended["spend_year_idr"] == ok["spend_year_idr"].min()


def test_a_search_anchored_at_the_upper_bounds_resumes_on_the_same_path(tmp_path):
    problem = corner(trials=40)
    whole = opt.optimize(problem, out=tmp_path / "whole", evaluator=Corner(target=0.595))
    upper = opt.upper_bound_params(problem)
    assert upper in _search_rows(tmp_path / "whole").values()
    while True:
        calls = iter(range(1000))
        try:
            resumed = opt.optimize(problem, out=tmp_path / "resumed", evaluator=Corner(target=0.595),
                                   stop=lambda calls=calls: next(calls) >= 1)   # stop after one batch
            break
        except opt.Stopped:
            pass
    assert _search_rows(tmp_path / "resumed") == _search_rows(tmp_path / "whole")
    assert resumed.recommended["trial"] == whole.recommended["trial"]


def test_a_search_whose_global_phase_finds_a_feasible_plan_never_tries_the_upper_bounds():
    problem = toy(trials=48)
    outcome = opt.optimize(problem, evaluator=Toy())
    upper = opt.scenario_of(problem, opt.lever_values(problem, opt.upper_bound_params(problem)),
                            problem.search.rungs[0], "x").settings
    assert all(s.settings != upper for s in outcome.scenarios.values())
