"""An interrupted sweep resumes: killed mid-way (crash) or stopped with Ctrl-C, the same command
skips the runs already saved, loses none and duplicates none."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.runner import Results

CAKUPAN = [sys.executable, "-m", "experiments.cli"]
SWEEP = """
name = "resume"
scenarios = ["baseline", "market_ecosystem"]
replicates = 2
scale = 0.01
horizon = "2030-12"
design = "grid"
[factors.stop_rate]
values = [0.05, 0.07, 0.09]
[factors.perisai_agents]
values = [600, 1800]
"""
TOTAL = 3 * 2 * 2 * 2


def start(sweep_file: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([*CAKUPAN, "sweep", str(sweep_file), "--out", str(out), "--workers", "2", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def saved(out: Path) -> int:
    folder = out / "outputs"
    return len(list(folder.glob("*.parquet"))) if folder.is_dir() else 0


def wait_for_runs(process: subprocess.Popen, out: Path, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while saved(out) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the sweep saved too few runs in time"
        time.sleep(0.02)


def finish(sweep_file: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*CAKUPAN, "sweep", str(sweep_file), "--out", str(out), "--workers", "2", "-q"],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sweep") / "resume.toml"
    path.write_text(SWEEP)
    return path


@pytest.fixture(scope="module")
def reference(sweep_file, tmp_path_factory) -> Results:
    """The same sweep run without interruption."""
    out = tmp_path_factory.mktemp("reference")
    assert finish(sweep_file, out).returncode == 0
    return Results.load(out)


def check_complete(out: Path, reference: Results) -> None:
    results = Results.load(out)
    runs = results.table.groupby(["scenario", "point", "replicate"]).size()
    assert len(runs) == TOTAL and (runs == runs.iloc[0]).all()      # none lost, none twice
    pd.testing.assert_frame_equal(results.table, reference.table, check_exact=True)
    assert not list((out / "outputs").glob(".*.tmp"))


def test_a_killed_sweep_resumes_without_loss_or_duplicates(sweep_file, reference, tmp_path):
    process = start(sweep_file, tmp_path)
    wait_for_runs(process, tmp_path, 5)
    os.killpg(process.pid, signal.SIGKILL)               # the whole process group: parent and workers
    process.wait()
    done_before = saved(tmp_path)
    assert 5 <= done_before < TOTAL
    rerun = finish(sweep_file, tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    check_complete(tmp_path, reference)
    session = json.loads((tmp_path / "manifest.json").read_text())["sessions"][-1]
    assert session["runs_skipped"] == done_before
    assert session["runs_done"] == TOTAL - done_before


def test_ctrl_c_saves_what_finished_and_says_how_to_resume(sweep_file, reference, tmp_path):
    process = start(sweep_file, tmp_path)
    wait_for_runs(process, tmp_path, 3)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "rerun the same command to resume" in stderr and "Traceback" not in stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["sessions"][-1]["status"] == "interrupted"
    assert finish(sweep_file, tmp_path).returncode == 0
    check_complete(tmp_path, reference)
