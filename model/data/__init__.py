"""Loaders for the package data files. Each figure in them carries a source and a note.

Files: regencies.csv (17 regencies/cities), datasets.toml (the two readings of the Aug 2024
figures), workforce.toml (structure of the eligible workforce), subsidies.toml (status-quo local
programmes), targets.toml (calibration targets), calibration.toml (fitted defaults), ensemble.toml
and ensemble.csv (the parameter ensemble). docs/model.md and docs/calibration.md describe them.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

DEFAULT_DATA_SET = "office-2024-08"
N_REGENCIES = 17   # regencies and cities in regencies.csv; their codes are 0..N_REGENCIES - 1


def _text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


@cache
def _toml(name: str) -> dict:
    return tomllib.loads(_text(name))


@cache
def regencies() -> pd.DataFrame:
    """The 17 regencies and cities in a fixed order (the index is the regency code 0..16)."""
    from io import StringIO

    table = pd.read_csv(StringIO(_text("regencies.csv")), keep_default_na=False)
    numeric = ["population", "population_year", "kecamatan", "desa", "kelurahan"]
    table[numeric] = table[numeric].astype("int64")
    table[["poverty_pct", "lat", "lon"]] = table[["poverty_pct", "lat", "lon"]].astype(float)
    if len(table) != N_REGENCIES or table["regency"].duplicated().any():
        raise ValueError(f"regencies.csv must list {N_REGENCIES} distinct regencies")
    return table


def regency_names() -> list[str]:
    return regencies()["regency"].tolist()


class UnknownNameError(ValueError):
    """An unknown regency or group name; the message lists the valid ones."""


@cache
def _regency_lookup() -> dict[str, str]:
    lookup = {}
    for row in regencies().itertuples():
        for name in [row.regency, *filter(None, row.aliases.split(";"))]:
            lookup[name.strip().casefold()] = row.regency
    return lookup


def resolve_regency(name: str, where: str = "regency") -> str:
    """Official name of a regency given its name or a common alias (case-insensitive)."""
    found = _regency_lookup().get(str(name).strip().casefold())
    if found is None:
        close = difflib.get_close_matches(str(name).casefold(), list(_regency_lookup()), n=1)
        hint = f" Did you mean {_regency_lookup()[close[0]]!r}?" if close else ""
        raise UnknownNameError(
            f"{where}: unknown regency {name!r}.{hint} Valid regencies: {', '.join(regency_names())}"
            " (short names such as 'Palembang', 'OKI', 'Muba' or 'Muratara' also work)."
        )
    return found


def data_set_names() -> list[str]:
    return list(_toml("datasets.toml"))


@dataclass(frozen=True)
class DataSet:
    """One reading of the month-0 figures: active participants by segment and coverage."""

    name: str
    label: str
    month0: str
    coverage: float
    active_wage: int
    active_informal: int
    active_construction: int
    source: str
    note: str

    @property
    def active_total(self) -> int:
        return self.active_wage + self.active_informal + self.active_construction

    @property
    def eligible_workers(self) -> int:
        """Eligible workforce implied by active / coverage (the office's denominator)."""
        return int(round(self.active_total / self.coverage))


def data_set(name: str = DEFAULT_DATA_SET) -> DataSet:
    table = _toml("datasets.toml")
    if name not in table:
        raise UnknownNameError(f"data_set: unknown data set {name!r}; valid: {', '.join(table)}")
    return DataSet(name=name, **table[name])


def workforce() -> dict:
    return _toml("workforce.toml")


def subsidies() -> dict:
    return _toml("subsidies.toml")


def targets() -> dict:
    return _toml("targets.toml")


def calibration() -> dict:
    """Fitted defaults written by `cakupan calibrate` (empty when the file is absent)."""
    if not resources.files(__name__).joinpath("calibration.toml").is_file():
        return {}
    return _toml("calibration.toml")


def premium_idr() -> int:
    """The minimum BPU package (JKK Rp 10,000 + JKM Rp 6,800 a month), PP 44/2015."""
    return int(subsidies()["premium_idr"])


def status_quo_regency_budgets() -> dict[str, float]:
    """Yearly rupiah budgets of the regency programmes running at month 0."""
    return {
        p["regency"]: float(p["beneficiaries"] * premium_idr() * 12)
        for p in subsidies()["regency"]
    }


def status_quo_palm_budget() -> float:
    return float(subsidies()["province"]["beneficiaries"] * premium_idr() * 12)


def palm_regencies() -> list[str]:
    return [resolve_regency(n) for n in workforce()["palm"]["regencies"]]


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
