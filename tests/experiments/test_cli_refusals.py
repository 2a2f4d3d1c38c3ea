"""Hostile command lines refused with one message and exit 2, and `report` on a partial folder
saying how much of it is there (issue 26, cases 14 and 15)."""

import json

import pytest

from experiments.store import OUTPUTS, Store
from tests.experiments.test_store import invoke

SWEEP = """name = "partial"
scenarios = ["baseline", "socialization"]
replicates = 1
scale = 0.003
horizon = "2024-10"
design = "grid"
[factors.stop_rate]
values = [0.05, 0.09]
"""




@pytest.mark.parametrize("args", [["run", "baseline", "--out", ""], ["run", "baseline", "--out", "  "],
                                  ["sweep", "x.toml", "--out", ""], ["report", "x", "--into", ""],
                                  ["ensemble", "--folder", ""], ["calibrate", "--folder", ""]])
def test_an_empty_folder_name_is_refused_before_anything_is_written(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "an empty name" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, message", [
    (["--horizon", "2025-06", "--target-month", "2026-01"],
     "--target-month 2026-01 lies after --horizon 2025-06"),
    (["--horizon", "2024-09", "--target-month", "2025-12"], "--target-month 2025-12 lies after --horizon 2024-09"),
    (["--horizon", "2025-13"], "is not a month"),
])
def test_a_target_month_the_runs_never_reach_is_refused(tmp_path, args, message):
    result = invoke("run", "baseline", "-r", "1", "--scale", "0.003", "--out", tmp_path / "out", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "nan" not in result.output
    assert not (tmp_path / "out").exists()


def test_the_horizon_of_a_scenario_counts_when_no_horizon_is_given(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text('name = "short"\nhorizon = "2025-03"\n')
    result = invoke("run", path, "-r", "1", "--scale", "0.003", "--target-month", "2025-06")
    assert result.exit_code == 2 and "the horizon 2025-03 of short" in result.output, result.output


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    (folder / "partial.toml").write_text(SWEEP)
    result = invoke("sweep", folder / "partial.toml", "--out", folder / "out", "--workers", "1", "-q",
                    "--target-month", "2024-10")
    assert result.exit_code == 0, result.output
    return folder / "out"


def _copy_without_point(source, target, point):
    import shutil

    shutil.copytree(source, target)
    manifest = json.loads((target / "manifest.json").read_text())
    for run in manifest["runs"]:
        if run["point"] == point:
            (target / OUTPUTS / f"{run['key']}.parquet").unlink()
    return len(manifest["runs"])


def test_report_of_a_partial_sweep_says_how_many_points_of_how_many(finished_sweep, tmp_path):
    runs = _copy_without_point(finished_sweep, tmp_path / "out", point=1)
    result = invoke("report", tmp_path / "out", "--target-month", "2024-10")
    assert result.exit_code == 0, result.output
    assert (f"partial results: 1 of 2 design points complete ({runs // 2} of {runs} runs); rerun the command"
            in result.output)


def test_report_of_a_sweep_still_running_names_its_writer(finished_sweep, tmp_path):
    _copy_without_point(finished_sweep, tmp_path / "out", point=0)
    with Store(tmp_path / "out").writing(["cakupan", "sweep", "partial.toml"]):
        result = invoke("report", tmp_path / "out", "--target-month", "2024-10")
    assert result.exit_code == 0, result.output
    assert "partial results: 1 of 2 design points complete" in result.output
    assert "still being written by pid" in result.output and "cakupan sweep partial.toml" in result.output


def test_report_of_a_complete_sweep_says_nothing_of_parts(finished_sweep):
    result = invoke("report", finished_sweep, "--target-month", "2024-10")
    assert result.exit_code == 0 and "partial" not in result.output
