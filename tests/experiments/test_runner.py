"""Replicates, paired seeds, run keys, executors that agree value by value, recorded failures."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from experiments import run
from experiments.executors import LocalExecutor, SerialExecutor, WorkerDied
from experiments.runner import (ExperimentError, Results, RunSpec, execute, plan, replicate_seeds,
                                run_key)
from experiments.scenario import load_scenario
from experiments.store import Store
from tests.experiments import tasks

TINY = {"scale": 0.003, "horizon": "2025-03", "progress": False}


def test_replicate_seeds_come_from_seed_sequence_and_keep_their_prefix():
    assert replicate_seeds(1, 5)[:3] == replicate_seeds(1, 3)
    assert len(set(replicate_seeds(1, 50))) == 50
    assert replicate_seeds(1, 3) != replicate_seeds(2, 3)


def test_replicate_r_of_every_scenario_has_the_same_seed():
    specs = plan([load_scenario("baseline"), load_scenario("regional_plan")], 3, seed=4)
    seeds = {s.scenario: [x.seed for x in specs if x.scenario == s.scenario] for s in specs}
    assert seeds["baseline"] == seeds["regional_plan"] == replicate_seeds(4, 3)
    assert all(s.kwargs["seed"] == s.seed for s in specs)


def test_run_keys_are_stable_and_distinguish_scenario_settings_and_seed():
    kwargs = {"scale": 0.01, "seed": 3, "perisai_agents": 10.0}
    assert run_key("a", kwargs) == run_key("a", dict(reversed(kwargs.items())))
    code = ("from experiments.runner import run_key; "
            "print(run_key('a', {'scale': 0.01, 'seed': 3, 'perisai_agents': 10.0}))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": "123"}, check=True)
    assert other.stdout.strip() == run_key("a", kwargs)   # same key in another process
    assert len({run_key("a", kwargs), run_key("b", kwargs), run_key("a", {**kwargs, "seed": 4}),
                run_key("a", {**kwargs, "perisai_agents": 11.0})}) == 4


def test_results_are_tidy_and_paired():
    # TINY ends before the decision month: levers as written from month 0 (decision_month "none")
    scenarios = [load_scenario(n).override(decision_month="none") for n in ("baseline", "market_ecosystem")]
    results = run(scenarios, replicates=2, executor=SerialExecutor(), **TINY)
    table = results.table
    assert set(table["scenario"]) == {"baseline", "market_ecosystem"}
    assert len(table) == 2 * 2 * 8  # scenarios x replicates x months 0..7
    assert {"scenario", "replicate", "seed", "month", "coverage", "spend_idr", "new_via_perisai"} <= set(table)
    assert len(results.regency) == 2 * 2 * 8 * 17
    month0 = table[table["month"] == "2024-08"].pivot(index="replicate", columns="scenario", values="active")
    assert (month0["baseline"] == month0["market_ecosystem"]).all()   # same seed, same start
    summary = results.summary(target_month="2025-03").set_index("scenario")
    assert summary.loc["market_ecosystem", "extra_active_mean"] > 0


def test_process_pool_and_serial_runs_are_identical():
    scenarios = ["baseline", "village_ecosystem"]
    serial = run(scenarios, replicates=2, executor=SerialExecutor(), **TINY)
    pooled = run(scenarios, replicates=2, executor=LocalExecutor(2), **TINY)
    pd.testing.assert_frame_equal(serial.table, pooled.table, check_exact=True)
    pd.testing.assert_frame_equal(serial.regency, pooled.regency, check_exact=True)


def test_duplicate_scenario_names_are_refused():
    with pytest.raises(ExperimentError, match="unique"):
        run(["baseline", "baseline"], replicates=1, **TINY)


def test_a_failing_run_is_recorded_and_the_others_complete(tmp_path):
    good = plan([load_scenario("baseline").override(scale=0.003, horizon="2024-12")], 2, seed=1)
    bad = RunSpec("broken", 0, 5, {**good[0].kwargs, "horizon": "2024-05"})  # before month 0
    store = Store(tmp_path).create()
    kept, session = execute([good[0], bad, good[1]], LocalExecutor(2), store, progress=False)
    assert (session.runs_done, session.runs_failed) == (2, 1)
    assert store.completed() == {good[0].key, good[1].key}
    records = store.records()
    assert records[bad.key]["status"] == "failed"
    assert "horizon" in records[bad.key]["error"] and "Traceback" in records[bad.key]["traceback"]


def test_failures_show_in_results_and_manifest(tmp_path):
    results = run([load_scenario("baseline")], replicates=1, out=tmp_path, executor=SerialExecutor(),
                  scale=0.003, horizon="2024-10", progress=False)
    assert results.failures.empty
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["errors"] == [] and manifest["sessions"][-1]["runs_done"] == 1
    assert manifest["code_version"] and "baseline" in manifest["scenarios"]
    assert Results.load(tmp_path).table.equals(results.table)


def test_a_dead_worker_process_loses_only_its_task():
    executor = LocalExecutor(2)
    outcomes = dict(executor.imap_unordered(tasks.square_or_die, [1, 2, -1, 3, 4]))
    assert {k: v for k, v in outcomes.items() if k >= 0} == {1: 1, 2: 4, 3: 9, 4: 16}
    assert isinstance(outcomes[-1], WorkerDied)


def test_rerunning_into_a_folder_skips_completed_runs(tmp_path):
    first = run(["baseline"], replicates=2, out=tmp_path, executor=SerialExecutor(), **TINY)
    again = run(["baseline"], replicates=3, out=tmp_path, executor=SerialExecutor(), **TINY)
    sessions = json.loads((tmp_path / "manifest.json").read_text())["sessions"]
    assert [s["runs_skipped"] for s in sessions] == [0, 2]
    assert [s["runs_done"] for s in sessions] == [2, 1]
    pd.testing.assert_frame_equal(again.table[again.table["replicate"] < 2].reset_index(drop=True),
                                  first.table, check_exact=True)


def test_a_folder_of_another_experiment_is_refused(tmp_path):
    run(["baseline"], replicates=1, out=tmp_path, executor=SerialExecutor(), **TINY)
    with pytest.raises(Exception, match="holds the results of run 'baseline'"):
        run(["socialization"], replicates=1, out=tmp_path, executor=SerialExecutor(), **TINY)
