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
