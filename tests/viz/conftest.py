import pandas as pd
import pytest

from tests.helpers import run

SCENARIOS = {"baseline": {}, "more_agents": {"perisai_agents": 3000.0, "villages_per_month": 80.0}}


def tidy(replicates=3, horizon="2026-06"):
    """Results and regency tables in the experiments layer's tidy schema: scenario, replicate,
    seed, month, outputs (replicate r uses seed r+1 in every scenario)."""
    results, regency = [], []
    for name, settings in SCENARIOS.items():
        for r in range(replicates):
            model = run(seed=r + 1, horizon=horizon, **settings)
            keys = {"scenario": name, "replicate": r, "seed": r + 1}
            results.append(model.results().assign(**keys))
            regency.append(model.regency_table().assign(**keys))
    return pd.concat(results, ignore_index=True), pd.concat(regency, ignore_index=True)


@pytest.fixture(scope="session")
def tables():
    return tidy()


SWEEP_TOML = """
name = "test_sweep"
scenarios = ["baseline", "market_ecosystem"]
replicates = 1
seed = 1
scale = 0.005
horizon = "2027-12"      # the target month: the levers act from the decision month, 2027-01
design = "grid"

[factors.perisai_agents]
values = [500, 2000]
from = "2027-01"

[factors.stop_rate]
values = [0.05, 0.09]
"""


@pytest.fixture(scope="session")
def sweep_folder(tmp_path_factory):
    """A results folder as `cakupan sweep SWEEP.toml --out FOLDER` writes it (8 small runs)."""
    from experiments import sweep
    from experiments.executors import SerialExecutor

    root = tmp_path_factory.mktemp("sweep")
    spec = root / "sweep.toml"
    spec.write_text(SWEEP_TOML, encoding="utf-8")
    sweep(spec, out=root / "results", executor=SerialExecutor(), progress=False)
    return root / "results"


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory):
    """A results folder of `cakupan run` (not a sweep)."""
    from experiments import run
    from experiments.executors import SerialExecutor

    out = tmp_path_factory.mktemp("run") / "results"
    run(["baseline"], replicates=1, scale=0.005, horizon="2025-06", executor=SerialExecutor(),
        progress=False, out=out)
    return out
