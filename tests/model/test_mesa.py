"""The model behaves as Mesa users expect: batch_run, DataCollector, agents, no warnings."""

import warnings

import mesa

from agents.local_government import LocalGovernment
from agents.perisai import PerisaiAgent
from model import EnrollmentModel


def test_batch_run_sweeps_keyword_arguments():
    rows = mesa.batch_run(EnrollmentModel, parameters={"scale": 0.005, "perisai_agents": [0, 3000],
                                                       "horizon": "2025-06"},
                          rng=[1, 2], max_steps=100, data_collection_period=1,
                          number_processes=1, display_progress=False)
    assert len(rows) == 2 * 2 * 11
    last = {(r["perisai_agents"], r["rng"] if "rng" in r else r["iteration"]): r
            for r in rows if r["month"] == "2025-06"}
    assert len(last) == 4
    assert all(0 <= r["coverage"] <= 1 for r in rows)


def test_no_deprecation_warning_and_one_row_per_month():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = EnrollmentModel(scale=0.005, seed=3, horizon="2025-08")
        model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["month"].tolist()[0] == "2024-08" and frame["month"].tolist()[-1] == "2025-08"
    assert len(frame) == 13
    assert not model.running


def test_actors_are_mesa_agents():
    model = EnrollmentModel(scale=0.01, seed=3, horizon="2024-09", perisai_agents=400)
    assert len(model.agents_by_type[LocalGovernment]) == 18
    assert len(model.agents_by_type[PerisaiAgent]) == 4
