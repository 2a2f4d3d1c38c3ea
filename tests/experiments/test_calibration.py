"""Calibration: the targets file, the deterministic objective, the shipped fit and `cakupan calibrate`."""

import tomllib

import pytest
from typer.testing import CliRunner

from experiments import calibration as cal
from experiments import cli, layout
from experiments.executors import SerialExecutor
from model import data
from model.parameters import PARAMETERS, PRIORS

runner = CliRunner()


def tiny_spec(**overrides):
    """The real targets at a toy size: 1 replicate at scale 0.003 (a few seconds in all)."""
    return cal.load_targets(layout.targets_file(), scale=0.003, replicates=1, **overrides)


def write_targets(tmp_path, text):
    path = tmp_path / "targets.toml"
    path.write_text(layout.targets_file().read_text() + text)
    return path


# ---------------------------------------------------------------- targets
def test_every_target_has_a_source_and_a_tolerance_or_range():
    spec = cal.load_targets()
    kinds = {t.kind for t in spec.targets}
    assert {"month0", "coverage", "regency", "dip", "perisai", "pilot"} <= kinds
    for t in spec.targets:
        assert t.source
        assert (t.value is not None and t.tolerance > 0) or (t.low < t.high), t.name
    assert not any(t.fitted for t in spec.targets if t.kind == "month0")   # checked, not fitted


@pytest.mark.parametrize("region", data.region_ids())
def test_every_observed_regency_point_is_a_target(region):
    """Issue 22: calibrate to every observed point of the history, province and regency. A
    regency point at month 0 is checked (the population's start), every later one fitted."""
    spec = cal.load_targets(region=region)
    targets = {(t.read["month"], t.read["regency"], t.read["output"]): t for t in spec.targets if t.kind == "regency"}
    month0 = data.load(region).data_set().month0
    points = [p for p in data.load(region).history.get("observed", [])
              if p.get("scope", "province") != "province" and ("coverage" in p or "active" in p)]
    assert points
    for p in points:
        output = "coverage" if "coverage" in p else "active"
        t = targets.pop((p["month"], p["scope"], output))
        assert t.value == pytest.approx(p[output]) and t.source and t.tolerance > 0
        assert t.fitted is (p["month"] != month0)
    assert not targets, f"regency targets with no observed point in history.toml: {sorted(targets)}"


def test_a_regency_target_reads_the_regency_table():
    spec = cal.load_targets(scale=0.003, replicates=1)
    evaluation = cal.Objective(spec, SerialExecutor()).evaluate([spec.prior()])[0]
    regency = [t for t in spec.targets if t.kind == "regency"]
    assert {t.read["output"] for t in regency} == {"coverage", "active"}
    for t in regency:
        x = evaluation.simulated[t.name]
        assert (0 < x < 1) if t.read["output"] == "coverage" else x > 1_000, (t.name, x)


def test_pilot_targets_share_their_simulated_experiments():
    spec = cal.load_targets()
    pilots = [t for t in spec.targets if t.kind == "pilot"]
    assert len(pilots) == 4 and len(spec.arms) == 4          # baseline + 3 treatments
    assert spec.horizons["baseline"] == "2025-12"    # Muara Enim's regency figure (the province's last is 2025-08)
    subsidy = next(a for a in spec.arms if "subsidy" in a)
    assert spec.arms[subsidy]["pilot_unit"] == "worker" and spec.horizons[subsidy] == "2026-08"


@pytest.mark.parametrize("simulated, miss, within", [(0.35, 1.0, True), (0.30, -1.5, False), (0.33, 0.0, True)])
def test_point_targets_miss_in_tolerance_units(simulated, miss, within):
    target = cal.Target("t", "coverage", "baseline", "2025-01", "s", value=0.33, tolerance=0.02)
    assert target.miss(simulated) == pytest.approx(miss)
    assert target.within(simulated) is within


@pytest.mark.parametrize("simulated, miss, within", [(0.2, 0.0, True), (0.5, 0.0, True), (0.6, 0.5, False),
                                                     (0.9, 2.0, False), (0.0, -0.5, False)])
def test_range_targets_miss_only_outside_the_range(simulated, miss, within):
    target = cal.Target("t", "pilot", "arm", "2025-01", "s", low=0.1, high=0.5)
    assert target.miss(simulated) == pytest.approx(miss)
    assert target.within(simulated) is within


# ---------------------------------------------------------------- the objective
def test_the_objective_is_deterministic_and_responds_to_the_parameters():
    spec = tiny_spec(fit=["take_up_rate", "stop_rate"])
    point = {"take_up_rate": 0.006, "stop_rate": 0.07}
    first = cal.Objective(spec, SerialExecutor()).evaluate([point])[0]
    again = cal.Objective(spec, SerialExecutor()).evaluate([point])[0]
    assert first.loss == again.loss and first.simulated == again.simulated
    more = cal.Objective(spec, SerialExecutor()).evaluate([{**point, "take_up_rate": 0.02}])[0]
    assert more.simulated["coverage 2025-08"] > first.simulated["coverage 2025-08"] + 0.005


# ---------------------------------------------------------------- the shipped calibration
def test_the_registry_takes_its_defaults_from_the_calibration_file():
    fitted = data.calibration()["parameters"]
    assert {"take_up_rate", "stop_rate", "perisai_visit_effect"} <= set(fitted)
    for name, fit in fitted.items():
        assert PARAMETERS[name].default == fit["value"]
        assert PARAMETERS[name].source.startswith("Calibrated (docs/calibration.md)")
        assert fit["prior"] == PRIORS[name]
        low, high = fit["search"]
        assert low <= fit["low90"] <= fit["value"] <= fit["high90"] <= high


def test_the_shipped_calibration_reproduces_its_recorded_fit():
    recorded = tomllib.loads(layout.calibration_file().read_text())
    table = cal.check(executor=SerialExecutor())
    assert len(table) == len(recorded["fit"])
    for row in table.itertuples():
        width = row.tolerance if row.tolerance == row.tolerance else (row.max - row.min) / 2
        assert abs(row.simulated - row.recorded) <= 0.1 * width, row.target
    fitted = table[table["fitted"]]
    assert (fitted["miss"] ** 2).sum() == pytest.approx(recorded["data_loss"], abs=0.05)
    assert int(fitted["within"].sum()) == recorded["targets_met"]
    # Every target met or missed as recorded (the shipped fit, refit through the history of issue
    # 22 with the regency figures, meets all but the Governor's 2025-08 figure, which falls while
    # the history's programmes enrol, and Musi Rawas's 45.94% of Aug 2025, about 15 points above
    # its regency: docs/calibration.md, "The current fit").
    assert list(table["within"]) == [f["within"] for f in recorded["fit"]]
    assert list(table.loc[~table["within"], "target"]) == ["coverage 2025-08", "coverage 2025-08 Musi Rawas"]
    assert 0.31 <= table.set_index("target").loc["coverage 2025-04", "simulated"] <= 0.37


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("change, message", [
    ({"fit": ["take_up_rat"]}, "Did you mean 'take_up_rate'"),
    ({"fit": ["perisai_agents"]}, "not an uncertain parameter"),
    ({"scale": 2.0}, "calibration.scale"),
])
def test_bad_calibration_settings_name_the_field(change, message):
    with pytest.raises(cal.CalibrationError, match=message):
        cal.load_targets(layout.targets_file(), **change)


@pytest.mark.parametrize("text, message", [
    ('\n[[coverage]]\nmonth = "2025-13"\nvalue = 0.3\ntolerance = 0.01\nsource = "x"\n', "coverage[3].month"),
    ('\n[[coverage]]\nmonth = "2025-10"\nvalue = 0.3\ntolerance = 0.01\n', "coverage[3].source"),
    ('\n[[pilot]]\nname = "p"\ntreatment = { pilot_subsidy_share = 1.0 }\nmonth = "2025-02"\nmin = 0.5\nmax = 0.1\n'
     'source = "x"\n', "min (0.5) must be below max"),
    ('\n[[pilot]]\nname = "p"\ntreatment = { pilot_subsidy = 1.0 }\nmonth = "2025-02"\nmin = 0\nmax = 1\n'
     'source = "x"\n', "pilot_subsidy"),
    ('\n[[coverag]]\nmonth = "2025-10"\n', "coverag: unknown key"),
    ('\n[[regency]]\nmonth = "2025-10"\nregency = "Muara Enin"\nvalue = 0.3\ntolerance = 0.05\nsource = "x"\n'
     'quality = "B"\n', "unknown regency 'Muara Enin'"),
    ('\n[[coverage]]\nmonth = "2023-12"\nvalue = 0.3\ntolerance = 0.01\nsource = "x"\n',
     "month 2023-12 is before the model's month 0 (2024-08)"),
])
def test_bad_targets_files_name_the_field(tmp_path, text, message):
    with pytest.raises(cal.CalibrationError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        cal.load_targets(write_targets(tmp_path, text))


def test_calibrate_with_a_bad_range_exits_2_naming_the_allowed_values(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(layout.targets_file().read_text().replace("stop_rate = [0.02, 0.15]", "stop_rate = [0.2, 1.5]"))
    result = runner.invoke(cli.app, ["calibrate", "--targets", str(path), "--out", str(tmp_path / "c.toml")])
    assert result.exit_code == 2
    assert "calibration.fit.stop_rate" in result.output and "within the allowed 0 to 1" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- end to end
def test_cakupan_calibrate_runs_end_to_end_on_a_tiny_budget(tmp_path):
    out = tmp_path / "calibration.toml"
    result = runner.invoke(cli.app, [
        "calibrate", "--fit", "take_up_rate,stop_rate", "--scale", "0.003", "-r", "1",
        "--initial-points", "2", "--max-evaluations", "3", "--profile-points", "2",
        "--out", str(out), "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    written = tomllib.loads(out.read_text())
    assert set(written["parameters"]) == {"take_up_rate", "stop_rate"}
    for fit in written["parameters"].values():
        low, high = fit["search"]
        assert low <= fit["value"] <= high
    assert written["scale"] == 0.003 and written["evaluations"] >= 3
    assert len(written["fit"]) == len(cal.load_targets().targets)
    assert out.with_suffix(".png").stat().st_size > 10_000
    assert "take_up_rate" in result.output and "coverage 2025-04" in result.output
