"""The pinned regression runs: small fixed runs whose exact outputs are stored beside this file
(as Starsim's baseline tests do). tests/model/test_pinned.py compares a fresh run with them value
for value; a change that moves them must update the files on purpose (python -m tests.model.pinned).

Two runs cover the mechanisms: the status quo (list-enrolled subsidies, Perisai agents, firms),
and a run with every strategy on, subsidies by offer and a worker pilot with a subsidy offer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import EnrollmentModel

HERE = Path(__file__).resolve().parent
RUNS: dict[str, dict[str, Any]] = {
    "status_quo": dict(scale=0.005, seed=7, horizon="2025-09"),
    "all_levers": dict(scale=0.005, seed=7, horizon="2025-09", villages_per_month=60.0,
                       perisai_agents=1500.0, firms_per_month=300.0, campaign_reach_per_month=150_000.0,
                       subsidy_budget_idr=2e10, subsidy_mechanism="offer", registration_assistance=0.3,
                       pilot_unit="worker", pilot_subsidy_share=1.0, pilot_sample="uncovered"),
}


def outputs(name: str) -> pd.DataFrame:
    return EnrollmentModel(**RUNS[name]).run().results().reset_index(drop=True)


def path(name: str) -> Path:
    return HERE / f"{name}.csv"


def read(name: str) -> pd.DataFrame:
    """The stored run. Numbers are parsed by Python's float, which rounds correctly, so the
    17-digit text gives back exactly the float written (pandas' own parser does not promise
    that, and its round-trip option is deprecated)."""
    table = pd.read_csv(path(name), dtype=str, keep_default_na=False)
    for column in table.columns.drop("month"):
        table[column] = np.array([float(v) if v else np.nan for v in table[column]])
    return table


def write() -> list[Path]:
    written = []
    for name in RUNS:
        outputs(name).to_csv(path(name), index=False, float_format="%.17g")
        written.append(path(name))
    return written
