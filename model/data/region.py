"""A province as data: one folder `model/data/regions/<id>/`, loaded as one `Region`.

The folder's files (docs/architecture.md, "Regions", and REGION-FORMAT in the repository's
history): region.toml (name, BPS province code, office, default data set, the office's target),
regencies.csv (regencies with BPS codes, villages, kecamatan, population), datasets.toml
(month-0 readings), workforce.toml, subsidies.toml (status-quo programmes and payers),
targets.toml (calibration targets), and, once `cakupan calibrate` / `cakupan ensemble` have
run, calibration.toml, ensemble.csv and ensemble.toml. Every figure carries its source.

A region id is any folder found under model/data/regions/ or under a folder named in the
environment variable CAKUPAN_REGIONS (os.pathsep-separated; set by whoever runs the program,
never by a scenario), so a fourth province is a folder, not code.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd

from model import months

REGIONS_DIR = Path(__file__).resolve().parent / "regions"
DEFAULT_REGION = "sumsel"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ENVIRONMENT = "CAKUPAN_REGIONS"     # extra folders of region folders (e.g. a test's temporary one)
REQUIRED = ("region.toml", "regencies.csv", "datasets.toml", "workforce.toml", "subsidies.toml")
_INTEGER_COLUMNS = ["population", "population_year", "kecamatan", "desa", "kelurahan"]
_FLOAT_COLUMNS = ["poverty_pct", "lat", "lon"]


class UnknownNameError(ValueError):
    """An unknown region, regency, data set or group name; the message lists the valid ones."""


class RegionError(ValueError):
    """A region folder that does not follow the format; the message names the file and field."""


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


@dataclass(frozen=True)
class Target:
    """The office's coverage target for the region: `coverage` (a share) by `month` (YYYY-MM)."""

    coverage: float
    month: str
    source: str = ""
    note: str = ""
    published_month: str = ""      # the month the office named, when `month` carries the target on


@dataclass(frozen=True, eq=False)
class Region:
    """One province's data, read once from its folder. Regency r of a model run is row r of
    `regencies` (the file's order); payer codes follow from it (model/participation.py)."""

    id: str
    name: str
    short_name: str
    province_code: str
    office: str
    default_data_set: str
    target: Target
    folder: Path
    regencies: pd.DataFrame = field(repr=False)
    data_sets: dict[str, dict] = field(repr=False)
    workforce: dict = field(repr=False)
    subsidies: dict = field(repr=False)
    targets: dict = field(repr=False)
    calibration: dict = field(repr=False)    # empty until `cakupan calibrate --region <id>`
    history: dict = field(default_factory=dict, repr=False)   # history.toml (issue 22): programmes, observed points
    # region.toml [parameters.<name>]: an uncertain parameter whose value the region's own data
    # decide (value, prior = [low, high] for the ensemble, source); model/parameters.py applies it.
    parameters: dict[str, dict] = field(default_factory=dict, repr=False)

    # ---------------------------------------------------------------- history
    @property
    def history_through(self) -> str | None:
        """The last month the region's history (history.toml `through`) covers, or None."""
        through = self.history.get("through")
        return str(through) if through else None

    @property
    def decision_month(self) -> str:
        """The default decision month: the first month of the next budget year after the
        history's last month (history.toml `through`), i.e. January of the following year; without
        a history, the month after the default data set's month 0."""
        if self.history_through:
            year, _ = months.parse(self.history_through)
            return f"{year + 1:04d}-01"
        return months.label(months.ordinal(self.data_set().month0) + 1)

    # ---------------------------------------------------------------- files
    @property
    def targets_file(self) -> Path:
        return self.folder / "targets.toml"

    @property
    def calibration_file(self) -> Path:
        return self.folder / "calibration.toml"

    @property
    def ensemble_file(self) -> Path:
        return self.folder / "ensemble.csv"

    @property
    def ensemble_diagnostics_file(self) -> Path:
        return self.folder / "ensemble.toml"

    # ---------------------------------------------------------------- regencies
    @cached_property
    def regency_names(self) -> list[str]:
        return self.regencies["regency"].tolist()

    @property
    def n_regencies(self) -> int:
        return len(self.regencies)

    @cached_property
    def bps_codes(self) -> list[str]:
        return self.regencies["bps_code"].tolist()

    @cached_property
    def villages(self) -> int:
        """Villages of the province (desa + kelurahan), the bound of `villages_per_month`."""
        return int((self.regencies["desa"] + self.regencies["kelurahan"]).sum())

    @cached_property
    def _lookup(self) -> dict[str, str]:
        lookup = {}
        for row in self.regencies.itertuples():
            for name in [row.regency, *filter(None, str(row.aliases).split(";"))]:
                lookup[name.strip().casefold()] = row.regency
        return lookup

    def resolve_regency(self, name: str, where: str = "regency") -> str:
        """Official name of a regency given its name or an alias (case-insensitive)."""
        found = self._lookup.get(str(name).strip().casefold())
        if found is None:
            close = difflib.get_close_matches(str(name).casefold(), list(self._lookup), n=1)
            hint = f" Did you mean {self._lookup[close[0]]!r}?" if close else ""
            aliases = [str(a).split(";")[0] for a in self.regencies["aliases"] if a][:4]
            also = f" (short names such as {', '.join(repr(a) for a in aliases)} also work)" if aliases else ""
            raise UnknownNameError(
                f"{where}: unknown regency {name!r} in {self.name}.{hint} Valid regencies: "
                f"{', '.join(self.regency_names)}{also}.")
        return found

    def regency_index(self, name: str) -> int:
        return self.regency_names.index(self.resolve_regency(name))

    # ---------------------------------------------------------------- data sets
    def data_set_names(self) -> list[str]:
        return list(self.data_sets)

    def data_set(self, name: str | None = None) -> DataSet:
        name = self.default_data_set if name is None else name
        if name not in self.data_sets:
            raise UnknownNameError(f"data_set: unknown data set {name!r} for region {self.id!r}; "
                                   f"valid: {', '.join(self.data_sets)}")
        return DataSet(name=name, **self.data_sets[name])

    # ---------------------------------------------------------------- programmes and payers
    def premium_idr(self) -> int:
        """The minimum BPU package (JKK Rp 10,000 + JKM Rp 6,800 a month), PP 44/2015."""
        return int(self.subsidies["premium_idr"])

    @property
    def regency_programmes(self) -> list[dict]:
        return list(self.subsidies.get("regency", []))

    @property
    def province_programme(self) -> dict:
        """The province's own status-quo programme (beneficiaries 0 when it pays nothing)."""
        spec = self.subsidies.get("province", {})
        return {"beneficiaries": 0, "eligible": ["vulnerable"], **spec}

    @property
    def province_payer(self) -> str:
        """The province's payer as shown to planners (subsidies.toml [province].payer)."""
        return str(self.province_programme.get("payer", f"Province ({self.short_name})"))

    def status_quo_regency_budgets(self) -> dict[str, float]:
        """Yearly rupiah budgets of the regency programmes running at month 0."""
        return {self.resolve_regency(p["regency"]): float(p["beneficiaries"] * self.premium_idr() * 12)
                for p in self.regency_programmes}

    def status_quo_province_budget(self) -> float:
        return float(self.province_programme["beneficiaries"] * self.premium_idr() * 12)

    def palm_regencies(self) -> list[str]:
        return [self.resolve_regency(n) for n in self.workforce.get("palm", {}).get("regencies", [])]


# -------------------------------------------------------------------- finding and loading
def _roots() -> list[Path]:
    extra = [Path(p) for p in os.environ.get(ENVIRONMENT, "").split(os.pathsep) if p]
    return [REGIONS_DIR, *extra]


def region_ids() -> list[str]:
    """Every region folder found (model/data/regions/ and CAKUPAN_REGIONS), sorted."""
    found = {p.name for root in _roots() if root.is_dir() for p in root.iterdir()
             if p.is_dir() and ID_PATTERN.match(p.name) and (p / "region.toml").is_file()}
    return sorted(found)


def folder_of(region_id: str) -> Path:
    if not isinstance(region_id, str) or not ID_PATTERN.match(region_id):
        raise UnknownNameError(f"region: {region_id!r} is not a region id (lower-case letters, digits "
                               f"and '-'); valid: {', '.join(region_ids())}")
    for root in _roots():
        if (root / region_id / "region.toml").is_file():
            return root / region_id
    close = difflib.get_close_matches(region_id, region_ids(), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise UnknownNameError(f"region: unknown region {region_id!r}.{hint} Valid: {', '.join(region_ids())}")


def load(region_id: str = DEFAULT_REGION) -> Region:
    """The region of that id (read once per process and folder)."""
    return _load(folder_of(region_id))


@cache
def _load(folder: Path) -> Region:
    return from_folder(folder)


def _toml(folder: Path, name: str, required: bool = True) -> dict:
    path = folder / name
    if not path.is_file():
        if required:
            raise RegionError(f"region {folder.name!r}: {name} is missing")
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RegionError(f"region {folder.name!r}: {name}: {error}") from error


def _regencies(folder: Path) -> pd.DataFrame:
    path = folder / "regencies.csv"
    if not path.is_file():
        raise RegionError(f"region {folder.name!r}: regencies.csv is missing")
    table = pd.read_csv(StringIO(path.read_text(encoding="utf-8")), keep_default_na=False,
                        dtype={"bps_code": str})
    missing = [c for c in ["regency", "bps_code", "aliases", "kind", *_INTEGER_COLUMNS, *_FLOAT_COLUMNS]
               if c not in table.columns]
    if missing:
        raise RegionError(f"region {folder.name!r}: regencies.csv lacks the columns {', '.join(missing)}")
    try:
        table[_INTEGER_COLUMNS] = table[_INTEGER_COLUMNS].astype("int64")
        table[_FLOAT_COLUMNS] = table[_FLOAT_COLUMNS].astype(float)
    except ValueError as error:
        raise RegionError(f"region {folder.name!r}: regencies.csv: {error}") from error
    if table.empty or table["regency"].duplicated().any() or table["bps_code"].duplicated().any():
        raise RegionError(f"region {folder.name!r}: regencies.csv must list distinct regencies and BPS codes")
    if not table["bps_code"].str.fullmatch(r"\d{4}").all():
        raise RegionError(f"region {folder.name!r}: regencies.csv: bps_code must be 4 digits")
    if not table["kind"].isin(["kota", "kabupaten"]).all():
        raise RegionError(f"region {folder.name!r}: regencies.csv: kind must be kota or kabupaten")
    return table


def from_folder(folder: str | Path) -> Region:
    """Read one region folder (checks the shape of its files; sources travel with the data)."""
    folder = Path(folder)
    meta = _toml(folder, "region.toml")
    if not isinstance(meta.get("parameters", {}), dict):
        raise RegionError(f"region {folder.name!r}: region.toml: parameters must be tables "
                          "[parameters.<name>] (value, prior = [low, high], source)")
    try:
        target = Target(**meta["target"])
        region = Region(
            id=str(meta["id"]), name=str(meta["name"]), short_name=str(meta.get("short_name", meta["name"])),
            province_code=str(meta["province_code"]), office=str(meta.get("office", "")),
            default_data_set=str(meta["default_data_set"]), target=target, folder=folder,
            regencies=_regencies(folder), data_sets=_toml(folder, "datasets.toml"),
            workforce=_toml(folder, "workforce.toml"), subsidies=_toml(folder, "subsidies.toml"),
            targets=_toml(folder, "targets.toml", required=False),
            calibration=_toml(folder, "calibration.toml", required=False),
            history=_toml(folder, "history.toml", required=False),
            parameters=dict(meta.get("parameters", {})))
    except (KeyError, TypeError) as error:
        raise RegionError(f"region {folder.name!r}: region.toml: missing or unexpected field {error}") from error
    if region.id != folder.name:
        raise RegionError(f"region {folder.name!r}: region.toml says id = {region.id!r}; it must be the folder's name")
    if not 0 < region.target.coverage <= 1:
        raise RegionError(f"region {region.id!r}: region.toml: target.coverage must be in (0, 1]")
    region.data_set()     # the default data set exists
    return region


def describe(region: Region) -> dict[str, Any]:
    """The region's facts for reports: id, name, office, regencies, target."""
    return {"id": region.id, "name": region.name, "office": region.office,
            "regencies": region.n_regencies, "target_coverage": region.target.coverage,
            "target_month": region.target.month}
