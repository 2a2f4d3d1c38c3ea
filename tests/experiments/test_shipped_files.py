"""`cakupan ensemble` and `cakupan calibrate` write files the repository ships (model/data/,
docs/): only what passes its checks replaces them; their results folders have one writer and
survive damaged run files (issue 26, cases 10 and 11)."""

import hashlib

import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments import calibration, cli, ensemble, layout
from experiments.draws import EnsembleError, diagnostics
from experiments.store import OUTPUTS, Store

SHIPPED = [layout.draws_file(), layout.diagnostics_file(), layout.calibration_file(), layout.calibration_plot()]
TINY_ENSEMBLE = ["--proposals", "2", "--keep", "1", "--scale", "0.002", "--workers", "1", "-q"]
TINY_CALIBRATION = ["--scale", "0.002", "-r", "1", "--initial-points", "1", "--max-evaluations", "2",
                    "--profile-points", "0", "--workers", "1", "-q"]


def invoke(*args):
    return CliRunner().invoke(cli.app, [str(a) for a in args])


def fingerprints():
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None for p in SHIPPED}


@pytest.fixture
def shipped_untouched():
    before = fingerprints()
    yield
    assert fingerprints() == before
    assert not [p for p in SHIPPED if layout.staged(p).exists()]


@pytest.mark.parametrize("command", ["ensemble", "calibrate"])
@pytest.mark.parametrize("scale", ["1e-9", "0.0001", "0"])
def test_a_scale_run_refuses_is_refused_before_anything_runs(tmp_path, shipped_untouched, command, scale):
    result = invoke(command, "--scale", scale, "--folder", tmp_path / "runs", "--workers", "1", "-q",
                    *(["--proposals", "2", "--keep", "1"] if command == "ensemble" else []))
    assert result.exit_code == 2, result.output
    assert "calibration.scale" in result.output
    assert ("(--scale): " + scale + " is outside the allowed range" in result.output.replace("1e-09", "1e-9")
            if float(scale) > 0 else "greater than 0" in result.output)
    assert "Traceback" not in result.output
    assert not (tmp_path / "runs").exists()


def test_a_scale_in_the_targets_file_is_checked_the_same_way(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text(layout.targets_file().read_text().replace("scale = 0.02 ", "scale = 1e-9 "))
    with pytest.raises(calibration.CalibrationError, match="calibration.scale: 1e-09 is outside"):
        calibration.load_targets(path)


def test_an_ensemble_that_fails_its_checks_is_kept_beside_the_files_it_would_replace(tmp_path):
    draws, info = tmp_path / "ensemble.csv", tmp_path / "ensemble.toml"
    good, good_info = pd.read_csv(layout.draws_file()), diagnostics(layout.diagnostics_file())
    ensemble.write(good, good_info, draws, info)
    before = draws.read_bytes(), info.read_bytes()
    failing = {**good_info, "effective_sample_size": 1.0,
               "targets": {n: {**t, "met_posterior": 0.0} for n, t in good_info["targets"].items()}}
    with pytest.raises(EnsembleError) as raised:
        ensemble.write(good.head(1), failing, draws, info)
    message = str(raised.value)
    assert "effective sample size 1.0 is below 2" in message and "no posterior draw meets" in message
    assert str(layout.staged(draws)) in message and "unchanged" in message
    assert (draws.read_bytes(), info.read_bytes()) == before
    assert len(pd.read_csv(layout.staged(draws))) == 1
    ensemble.write(good, good_info, draws, info)          # a passing build replaces them
    assert not layout.staged(draws).exists() and not layout.staged(info).exists()


def test_the_shipped_ensemble_passes_its_own_checks():
    assert ensemble.check(pd.read_csv(layout.draws_file()), diagnostics(layout.diagnostics_file())) == []


@pytest.mark.parametrize("command", ["ensemble", "calibrate"])
def test_a_second_writer_of_the_runs_folder_is_refused(tmp_path, shipped_untouched, command):
    folder = tmp_path / "runs"
    with Store(folder).writing(["cakupan", command, "first"]):
        result = invoke(command, "--folder", folder, *(TINY_ENSEMBLE if command == "ensemble" else TINY_CALIBRATION))
    assert result.exit_code == 2, result.output
    assert "is being written by pid" in result.output and f"cakupan {command} first" in result.output
    assert not list((folder / OUTPUTS).glob("*.parquet"))


def _truncate_one_run(folder):
    victim = sorted((folder / OUTPUTS).glob("*.parquet"))[0]
    victim.write_bytes(victim.read_bytes()[:200])
    return victim


def test_an_ensemble_build_recomputes_a_truncated_run_file(tmp_path):
    first, info = ensemble.build(proposals=2, keep=2, scale=0.002, folder=tmp_path)
    victim = _truncate_one_run(tmp_path)
    again, again_info = ensemble.build(proposals=2, keep=2, scale=0.002, folder=tmp_path)
    pd.testing.assert_frame_equal(first, again)
    assert again_info["targets"] == info["targets"]
    assert Store(tmp_path).verify().damaged == [] and victim.stat().st_size > 200


def test_a_calibration_recomputes_a_truncated_run_file(tmp_path):
    spec = calibration.load_targets(scale=0.002, replicates=1, initial_points=1, max_evaluations=2,
                                    profile_points=0)
    first = calibration.calibrate(spec, folder=tmp_path)
    _truncate_one_run(tmp_path)
    again = calibration.calibrate(spec, folder=tmp_path)
    assert again.best.values == first.best.values and again.loss == first.loss
    assert Store(tmp_path).verify().damaged == []
