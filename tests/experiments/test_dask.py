"""The same experiment on a real Dask scheduler with two worker processes (started here on
127.0.0.1) and on the local process pool gives identical results, value by value."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments import run
from experiments.executors import DaskExecutor, ExecutorError, LocalExecutor
from experiments.store import Store
from experiments.sweep import parse_sweep, sweep

ROOT = Path(__file__).resolve().parents[2]
DASK = str(Path(sys.executable).with_name("dask"))
EXPERIMENT = {"replicates": 3, "scale": 0.004, "horizon": "2025-12", "decision_month": "none", "progress": False}


def wait_for(path: Path, timeout: float = 60) -> dict:
    """The scheduler file's contents, once it is complete (it is created before it is written)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            assert time.monotonic() < deadline, f"{path} did not appear"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """`dask scheduler` and two `dask worker` processes (one thread each) on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("dask")
    file = folder / "scheduler.json"
    logs = open(folder / "dask.log", "w")
    processes = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                   "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(file)],
                                  cwd=folder, stdout=logs, stderr=logs)]
    try:
        wait_for(file)
        for _ in range(2):
            processes.append(subprocess.Popen(
                [DASK, "worker", "--scheduler-file", str(file), "--nworkers", "1", "--nthreads", "1",
                 "--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0",
                 "--local-directory", str(folder)], cwd=folder, stdout=logs, stderr=logs))
        address = wait_for(file)["address"]
        executor = DaskExecutor(address, timeout=30)
        executor.client.wait_for_workers(2, timeout=60)
        executor.close()
        yield address
    finally:
        for process in processes[1:]:
            process.kill()                     # workers hold nothing worth a graceful close
        processes[0].terminate()
        for process in processes:
            process.wait(timeout=30)
        logs.close()


def test_dask_and_the_process_pool_give_identical_results(scheduler, tmp_path):
    scenarios = ["baseline", "regional_plan"]
    on_dask = run(scenarios, executor=DaskExecutor(scheduler), out=tmp_path / "dask", **EXPERIMENT)
    on_pool = run(scenarios, executor=LocalExecutor(2), **EXPERIMENT)
    assert len(on_dask.table) == 2 * 3 * 17
    pd.testing.assert_frame_equal(on_dask.table, on_pool.table, check_exact=True)
    pd.testing.assert_frame_equal(on_dask.regency, on_pool.regency, check_exact=True)
    pids = {r["pid"] for r in Store(tmp_path / "dask").records().values()}
    assert len(pids) == 2                      # both worker processes ran some


def test_a_sweep_on_dask_matches_the_pool(scheduler, tmp_path):
    spec = parse_sweep({"name": "d", "scenarios": ["baseline", "socialization"], "replicates": 2,
                        "scale": 0.003, "horizon": "2025-06", "decision_month": "none", "design": "lhs", "samples": 3,
                        "factors": {"take_up_rate": {"min": 0.003, "max": 0.01},
                                    "campaign_reach_per_month": {"min": 1e5, "max": 5e5}}})
    on_dask = sweep(spec, tmp_path / "dask", DaskExecutor(scheduler), progress=False)
    on_pool = sweep(spec, tmp_path / "pool", LocalExecutor(2), progress=False)
    pd.testing.assert_frame_equal(on_dask.table, on_pool.table, check_exact=True)
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["sessions"][-1]["executor"] == "dask" and manifest["sessions"][-1]["workers"] == 2


def test_a_sensitivity_analysis_on_dask_matches_the_serial_one(scheduler, tmp_path):
    from experiments import sensitivity as sa
    from experiments.executors import SerialExecutor

    spec = sa.load_spec(None, "morris", 2, {"take_up_rate": (0.003, 0.012), "perisai_agents": (750, 3000)},
                        scale=0.003, replicates=1, horizon="2027-03")   # the example's levers act from 2027-01
    on_dask = sa.sensitivity(spec, tmp_path / "dask", DaskExecutor(scheduler), False, "2027-03")
    serial = sa.sensitivity(spec, None, SerialExecutor(), False, "2027-03")
    pd.testing.assert_frame_equal(on_dask.indices, serial.indices, check_exact=True)
    assert json.loads((tmp_path / "dask" / "manifest.json").read_text())["sessions"][-1]["executor"] == "dask"


def test_an_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(ExecutorError, match="cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"):
        DaskExecutor("tcp://127.0.0.1:9", timeout=1)
