"""The model's data: provinces as folders (model/data/regions/<id>/, read by `region.load`) and
the few helpers every loader shares.

Each province's files carry a source and a note for every figure (docs/model.md "Data" and
docs/architecture.md "Regions"). The functions below are the default region's view, kept for
callers that work on one province (the app, the CLI, tests); the model reads its own `Region`
(EnrollmentModel.region), chosen by the run field `region`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.data.region import (DEFAULT_REGION, DataSet, Region, RegionError, Target, UnknownNameError,
                               load, region_ids)

__all__ = ["DEFAULT_REGION", "DataSet", "Region", "RegionError", "Target", "UnknownNameError", "load",
           "region_ids", "DEFAULT_DATA_SET", "regencies", "regency_names", "resolve_regency", "data_set_names",
           "data_set", "workforce", "subsidies", "targets", "calibration", "premium_idr",
           "status_quo_regency_budgets", "status_quo_palm_budget", "palm_regencies", "largest_remainder"]



def regencies(region: str = DEFAULT_REGION) -> pd.DataFrame:
    """The region's regencies and cities in a fixed order (the index is the regency code)."""
    return load(region).regencies


def regency_names(region: str = DEFAULT_REGION) -> list[str]:
    return list(load(region).regency_names)


def resolve_regency(name: str, where: str = "regency", region: str = DEFAULT_REGION) -> str:
    """Official name of a regency given its name or a common alias (case-insensitive)."""
    return load(region).resolve_regency(name, where)


def data_set_names(region: str = DEFAULT_REGION) -> list[str]:
    return load(region).data_set_names()


def data_set(name: str | None = None, region: str = DEFAULT_REGION) -> DataSet:
    return load(region).data_set(name)


def workforce(region: str = DEFAULT_REGION) -> dict:
    return load(region).workforce


def subsidies(region: str = DEFAULT_REGION) -> dict:
    return load(region).subsidies


def targets(region: str = DEFAULT_REGION) -> dict:
    return load(region).targets


def calibration(region: str = DEFAULT_REGION) -> dict:
    """Fitted defaults written by `cakupan calibrate` (empty when the file is absent)."""
    return load(region).calibration


def premium_idr(region: str = DEFAULT_REGION) -> int:
    return load(region).premium_idr()


def status_quo_regency_budgets(region: str = DEFAULT_REGION) -> dict[str, float]:
    return load(region).status_quo_regency_budgets()


def status_quo_palm_budget(region: str = DEFAULT_REGION) -> float:
    """The province programme's yearly status-quo budget (South Sumatra: its palm fund)."""
    return load(region).status_quo_province_budget()


def palm_regencies(region: str = DEFAULT_REGION) -> list[str]:
    return load(region).palm_regencies()


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total into integer parts proportional to weights (Hamilton's method)."""
    weights = np.asarray(weights, dtype=float)
    if total == 0 or weights.sum() == 0:
        return np.zeros(len(weights), dtype=np.int64)
    exact = total * weights / weights.sum()
    parts = np.floor(exact).astype(np.int64)
    short = int(total - parts.sum())
    if short:
        parts[np.argsort(-(exact - parts), kind="stable")[:short]] += 1
    return parts


def __getattr__(name: str) -> str:
    """DEFAULT_DATA_SET: the default region's default data set (its region.toml), read on first use."""
    if name == "DEFAULT_DATA_SET":
        return load().default_data_set
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
