"""Reading the parameter ensemble: the draws `cakupan ensemble` stored in model/data/ensemble.csv.

Replicate r of a scenario run with parameter uncertainty uses draw r (`draw_values`); the runner
reads them here, and experiments/ensemble.py (which needs the runner) builds them.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.errors import UserError
from experiments.layout import diagnostics_file, draws_file
from model.parameters import PARAMETERS


class EnsembleError(UserError, ValueError):
    """No ensemble file, or an ensemble that cannot be built as asked."""


@lru_cache(maxsize=4)
def _read_draws(path: str, stamp: float) -> pd.DataFrame:
    return pd.read_csv(path)


def draws(path: str | Path | None = None) -> pd.DataFrame:
    """The stored draws: one row per draw (column `draw`), one column per parameter."""
    path = Path(path or draws_file())
    if not path.is_file():
        raise EnsembleError(f"{path}: no parameter ensemble; build one with `cakupan ensemble`")
    return _read_draws(str(path), path.stat().st_mtime).copy()


def draw_values(r: int, path: str | Path | None = None) -> dict[str, Any]:
    """Parameter values of draw r (replicate r; the draws repeat when there are more replicates
    than draws, so replicate r and r + n_draws share a parameter set but not a seed)."""
    table = draws(path)
    row = table.iloc[r % len(table)]
    return {n: typed(n, row[n]) for n in table.columns if n != "draw"}


def typed(name: str, value: float) -> float:
    """A parameter's value as stored in a draw: integer parameters rounded."""
    return float(round(value)) if PARAMETERS[name].integer else float(value)


def diagnostics(path: str | Path | None = None) -> dict[str, Any]:
    path = Path(path or diagnostics_file())
    if not path.is_file():
        raise EnsembleError(f"{path}: no ensemble diagnostics; build one with `cakupan ensemble`")
    return tomllib.loads(path.read_text(encoding="utf-8"))
