"""The provinces and the office: each province's own target, calibration files and share of a
scenario's settings, and the Kanwil run (three blocks, office rows)."""

import json
import shutil
import tomllib

import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments import cli, layout, office, runner as experiment_runner
from experiments.executors import SerialExecutor
from experiments.optimize import load_problem, parse_problem
from experiments.optimize.space import lever_values, scenario_of, space
from experiments.scenario import ScenarioError, load_scenario, parse_scenario
from model import data

runner = CliRunner()
TINY = 0.002


# ---------------------------------------------------------------- layout and targets
def test_each_region_has_its_own_files_and_the_default_keeps_its_names():
    assert layout.calibration_plot() == layout.DOCS / "calibration_fit.png"
    assert layout.calibration_plot("jambi") == layout.DOCS / "calibration_fit_jambi.png"
    for region in ("sumsel", "jambi", "bengkulu"):
        folder = data.load(region).folder
        assert layout.targets_file(region) == folder / "targets.toml"
        assert layout.calibration_file(region) == folder / "calibration.toml"
        assert layout.draws_file(region) == folder / "ensemble.csv"
    assert layout.ensemble_build("bengkulu").name == "ensemble-build-bengkulu"
    assert layout.calibration_runs().name == "calibration-runs"


def test_the_target_belongs_to_the_region():
    assert office.target("jambi") == (0.55, "2027-12")      # the 2025 targets carried to 2027-12
    assert office.target("bengkulu") == (0.48, "2027-12")
    assert office.target() == (data.load().target.coverage, data.load().target.month)
    coverage, month = office.target("kanwil")
    workers = {r: data.load(r).data_set().eligible_workers for r in office.provinces()}
    expected = sum(data.load(r).target.coverage * w for r, w in workers.items()) / sum(workers.values())
    assert coverage == pytest.approx(expected, abs=1e-4) and month == "2027-12"
    assert 0.48 < coverage < 0.55


def test_the_optimiser_takes_the_bases_region_target_unless_the_file_sets_one():
    text = 'base = "baseline"\nregion = "jambi"\n[search]\ntrials = 2\nrungs = [{ scale = 0.005, replicates = 1 }]\n'
    problem = parse_problem(text)
    assert (problem.objective.target, problem.objective.month) == (0.55, "2027-12")
    assert parse_problem(text + "[objective]\ntarget = 0.6\n").objective.target == 0.6
    assert load_problem("reach_50").objective.target == 0.5


def test_optimize_region_replaces_the_files_region_and_names_the_allowed_when_unknown(tmp_path):
    assert load_problem("reach_50").base.region == "sumsel"
    kanwil = load_problem("reach_50", "kanwil")
    assert kanwil.base.region == "kanwil" and len(space(kanwil)) > len(space(load_problem("reach_50")))
    text = ('base = "baseline"\nregion = "jambi"\n[objective]\ngoal = "max_coverage"\n[levers.perisai_agents]\n'
            'low = 0\nhigh = 100\n[search]\ntrials = 2\nrungs = [{ scale = 0.005, replicates = 1 }]\n')
    path = tmp_path / "tiny.toml"
    path.write_text(text)
    assert load_problem(path).base.region == "jambi"
    refused = CliRunner().invoke(cli.app, ["optimize", str(path), "--region", "jambai", "-o", str(tmp_path / "x")])
    assert refused.exit_code == 2 and "jambi" in refused.output and "kanwil" in refused.output
    assert not (tmp_path / "x").exists()                                  # nothing started
    done = CliRunner().invoke(cli.app, ["optimize", str(path), "--region", "bengkulu", "-o", str(tmp_path / "o"),
                                        "--workers", "1", "-q"])
    assert done.exit_code == 0, done.output
    plans = list((tmp_path / "o" / "plans").glob("*.toml"))
    assert plans and all(tomllib.loads(f.read_text())["region"] == "bengkulu" for f in plans)


def test_a_kanwil_problem_splits_a_lever_across_the_provinces():
    text = ('base = "baseline"\nregion = "kanwil"\n[levers.perisai_agents]\nlow = 0\nhigh = 1500\n'
            'by_region = true\n[search]\ntrials = 2\nrungs = [{ scale = 0.005, replicates = 1 }]\n')
    problem = parse_problem(text)
    assert set(space(problem)) == {f"perisai_agents[{r}]" for r in office.provinces()}
    values = lever_values(problem, {f"perisai_agents[{r}]": 100.0 * (i + 1)
                                          for i, r in enumerate(office.provinces())})
    blocks = {b.region: b.model_kwargs()["perisai_agents"]
              for b in scenario_of(problem, values, problem.search.rungs[0], "c").blocks()}
    # each from the decision month (the history before it)
    assert blocks == {r: [{"from": "2027-01", "value": v}] for r, v in
                      {"bengkulu": 100.0, "jambi": 200.0, "sumsel": 300.0}.items()}
    with pytest.raises(Exception, match="by_region"):
        parse_problem(text.replace('region = "kanwil"\n', ""))


# ---------------------------------------------------------------- a province's share of a scenario
def test_regional_plan_runs_in_every_province_each_taking_its_own_regencies():
    plan = load_scenario("regional_plan")
    sumsel = plan.model_kwargs()["subsidy_budget_idr"]
    assert {k for w in sumsel for k in w["value"]} >= {"OKU Timur", "PALI", "Musi Banyuasin"}
    for region in ("jambi", "bengkulu"):
        kwargs = plan.override(region=region).model_kwargs()
        assert "subsidy_budget_idr" not in kwargs      # no Jambi or Bengkulu regency named (the model adds the history)
        assert kwargs["perisai_agents"] == plan.model_kwargs()["perisai_agents"]   # numbers apply everywhere


def test_a_regency_table_of_the_office_and_a_lever_keyed_by_province():
    scenario = parse_scenario('name = "office"\nregion = "kanwil"\n[levers.market]\n'
                              'perisai_agents = { sumsel = 1500, jambi = 500 }\n[levers.subsidy]\n'
                              'subsidy_budget_idr = { "Kota Jambi" = 1e9, "OKU Timur" = 2e9, others = 0 }\n')
    kwargs = {b.region: b.model_kwargs() for b in scenario.blocks()}
    assert kwargs["sumsel"]["subsidy_budget_idr"] == {"OKU Timur": 2e9, "others": 0}
    assert kwargs["jambi"]["subsidy_budget_idr"] == {"Kota Jambi": 1e9, "others": 0}
    assert kwargs["bengkulu"]["subsidy_budget_idr"] == {"others": 0}
    assert (kwargs["sumsel"]["perisai_agents"], kwargs["jambi"]["perisai_agents"]) == (1500, 500)
    assert "perisai_agents" not in kwargs["bengkulu"]      # not named: Bengkulu's default


@pytest.mark.parametrize("region", ["jambi", "kanwil"])
def test_a_regency_of_no_province_stays_an_error_with_the_closest_name(region):
    with pytest.raises(ScenarioError, match="Did you mean 'Kota Jambi'"):
        parse_scenario(f'name = "x"\nregion = "{region}"\n[levers.subsidy]\n'
                       'subsidy_budget_idr = { "Kota Jambo" = 1e9 }\n')
    with pytest.raises(ScenarioError, match="Allowed: .*kanwil"):
        parse_scenario('name = "x"\nregion = "kanwill"\n')


# ---------------------------------------------------------------- the Kanwil run
@pytest.fixture(scope="module")
def kanwil():
    scenarios = [load_scenario(n).override(region="kanwil") for n in ("baseline", "regional_plan")]
    return experiment_runner.run(scenarios, replicates=2, scale=TINY, horizon="2025-12",
                                 executor=SerialExecutor(), uncertainty="chance")


def test_a_kanwil_run_is_one_block_per_province_and_office_rows(kanwil):
    raw = kanwil.by_region
    assert kanwil.region == "kanwil" and kanwil.provinces() == ["bengkulu", "jambi", "sumsel"]
    assert set(raw.groupby(["scenario", "replicate"])["region"].nunique()) == {3}
    assert set(raw.groupby(["region", "replicate"])["seed"].first().groupby("replicate").nunique()) == {1}
    assert kanwil.table["month"].min() == "2024-12"         # Bengkulu's month 0
    month = raw[raw["month"] == "2025-06"]
    office_row = kanwil.table[kanwil.table["month"] == "2025-06"]
    for (scenario, r), group in month.groupby(["scenario", "replicate"]):
        row = office_row[(office_row["scenario"] == scenario) & (office_row["replicate"] == r)].iloc[0]
        assert row["coverage"] == pytest.approx(group["active"].sum() / group["workers"].sum())
        assert row["spend_idr"] == pytest.approx(group["spend_idr"].sum())
    sumsel = kanwil.province("sumsel")
    assert sumsel.target == (0.5, "2027-12") and sumsel.table["month"].min() == "2024-08"
    assert len(kanwil.summary()) == 2 and kanwil.target == office.target("kanwil")


def test_a_kanwil_replicate_uses_each_provinces_own_draw():
    scenario = load_scenario("baseline").override(region="kanwil", scale=TINY)
    specs = experiment_runner.plan([scenario], 1, 1, uncertainty="parameters")
    for spec in specs:
        draw = pd.read_csv(data.load(spec.block).ensemble_file).iloc[0]
        assert spec.kwargs["take_up_rate"] == pytest.approx(draw["take_up_rate"])


def test_cakupan_run_and_report_show_the_office_and_each_province(tmp_path):
    out = tmp_path / "kanwil"
    result = runner.invoke(cli.app, ["run", "baseline", "--region", "kanwil", "--scale", str(TINY), "-r", "1",
                                     "--horizon", "2025-12", "--target-month", "2025-12", "--uncertainty",
                                     "chance", "--workers", "1", "--quiet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for text in ("Kanwil (the office", "from 2024-12", "jambi (target 55% by 2027-12)",
                 "bengkulu (target 48%", "sumsel (target 50%"):
        assert text in result.output
    assert json.loads((out / "manifest.json").read_text())["region"] == "kanwil"
    report = runner.invoke(cli.app, ["report", str(out)])
    assert report.exit_code == 0, report.output
    assert "jambi (target 55%" in report.output
    provinces = pd.read_csv(out / "report" / "summary_provinces.csv")
    assert sorted(provinces["region"]) == ["bengkulu", "jambi", "sumsel"]
    assert "Province jambi" in (out / "report" / "report.html").read_text()


def test_a_province_run_reports_at_its_own_target(tmp_path):
    result = runner.invoke(cli.app, ["run", "baseline", "--region", "jambi", "--scale", str(TINY), "-r", "1",
                                     "--horizon", "2025-12", "--target-month", "2025-12", "--uncertainty",
                                     "chance", "--workers", "1", "--quiet", "--out", str(tmp_path / "j")])
    assert result.exit_code == 0, result.output
    assert "P(>=55%)" in result.output and "coverage 2025-12" in result.output
    assert json.loads((tmp_path / "j" / "manifest.json").read_text())["region"] == "jambi"


# ---------------------------------------------------------------- calibrate / ensemble --region
@pytest.fixture
def bengkulu_copy(tmp_path, monkeypatch):
    """A temporary copy of Bengkulu's folder as region 'bk-copy' (CAKUPAN_REGIONS): the commands
    write into it, never into the shipped files."""
    root = tmp_path / "regions"
    shutil.copytree(data.load("bengkulu").folder, root / "bk-copy")
    meta = root / "bk-copy" / "region.toml"
    meta.write_text(meta.read_text().replace('id = "bengkulu"', 'id = "bk-copy"', 1))
    monkeypatch.setenv(data.region.ENVIRONMENT, str(root))
    # In this process: a forkserver started earlier in the session would not see the variable.
    monkeypatch.setattr(cli, "_executor", lambda *args: SerialExecutor())
    return root / "bk-copy"


def test_calibrate_and_ensemble_of_a_region_write_that_regions_files(bengkulu_copy, tmp_path):
    shipped = {p: p.read_bytes() for p in data.load("bengkulu").folder.iterdir() if p.is_file()}
    result = runner.invoke(cli.app, [
        "calibrate", "--region", "bk-copy", "--fit", "take_up_rate,stop_rate", "--scale", "0.01", "-r", "1",
        "--initial-points", "2", "--max-evaluations", "2", "--profile-points", "2",
        "--plot", str(tmp_path / "fit.png"), "--folder", str(tmp_path / "cal-runs"), "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    written = tomllib.loads((bengkulu_copy / "calibration.toml").read_text())
    assert written["targets"].endswith("bk-copy/targets.toml") and written["scale"] == 0.01
    assert "month 0 coverage" in result.output and "coverage 2025-08" in result.output
    ensemble = runner.invoke(cli.app, ["ensemble", "--region", "bk-copy", "--proposals", "4", "--keep", "2",
                                       "--scale", "0.01", "--folder", str(tmp_path / "ens"), "--workers", "1",
                                       "--quiet"])
    written = list(bengkulu_copy.glob("ensemble*.toml"))
    assert written, ensemble.output                  # the region's ensemble (or its checked candidate)
    info = tomllib.loads(written[0].read_text())
    assert info["region"] == "bk-copy" and "missed_by_calibration" in info
    assert {p: p.read_bytes() for p in shipped} == shipped
    bad = runner.invoke(cli.app, ["calibrate", "--region", "jamby"])
    assert bad.exit_code == 2 and "Did you mean 'jambi'" in bad.output
