"""Checks that a region folder (model/data/regions/<id>/, REGION-FORMAT in docs/regions.md) is
well formed, read with tomllib and pandas directly (the Region loader is model/'s, not this).

`region_problems(files)` returns every problem found as one sentence naming the file and field;
`office_problems(all_files)` the checks across the office's provinces (aliases, codes)."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.calibration.targets import TargetsFile
from model import months
from model.parameters import SUBSIDY_GROUPS
from tests.regions.history_checks import history_problems
from tests.regions.names import is_month, is_text, names_of

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "model" / "data"
REGIONS = DATA / "regions"
ID_PATTERN = re.compile(r"^[a-z0-9-]+$")
# Today's columns (model/data/regencies.csv on main) with bps_code right after regency.
REGENCY_COLUMNS = ["regency", "bps_code", "aliases", "kind", "population", "population_year",
                   "population_source", "kecamatan", "desa", "kelurahan", "poverty_pct", "lat", "lon", "note"]
INTEGER_COLUMNS = ["population", "population_year", "kecamatan", "desa", "kelurahan"]
DATA_SET_KEYS = {"label", "month0", "coverage", "active_wage", "active_informal", "active_construction",
                 "source", "note"}
REGION_KEYS = {"id", "name", "province_code", "office", "default_data_set", "target"}
OPTIONAL_REGION_KEYS = {"short_name", "parameters"}   # parameters: a region's own uncertain values
PARAMETER_KEYS = {"value", "prior", "source"}
TARGET_KEYS = {"coverage", "month", "source", "note"}   # and optionally published_month
# South Sumatra's workforce.toml predates the "assumption carries a range" rule: its ranges are the
# ensemble's priors (model/parameters.py); it moves unchanged into its region folder.
LEGACY_WITHOUT_RANGES = {"sumsel"}
# Until `core` moves South Sumatra's files, its region.toml is what the code says today
# (model/settings.py: 50% by 2025-12; the office's figures of Aug 2024).
LEGACY_REGIONS = {"sumsel": {"id": "sumsel", "name": "Sumatera Selatan", "province_code": "16",
                             "office": "Kanwil Sumbagsel", "default_data_set": "office-2024-08",
                             "target": {"coverage": 0.5, "month": "2025-12", "note": "",
                                        "source": "Kanwil Sumbagsel press conference, 2 Aug 2024"}}}
# The attribution shared/data/geo/SOURCE.md asks for wherever the map is shown.
ATTRIBUTION = ("Administrative boundaries: BPS - Statistics Indonesia and OCHA ROAP, via HDX "
               "(Indonesia COD-AB, 2020), distributed by geoBoundaries (Runfola et al. 2020), licensed CC BY 3.0 IGO. "
               "Subset and simplified.")


@dataclass(frozen=True)
class RegionFiles:
    """Where one province's files are: its folder, or today's model/data for South Sumatra until
    its files move (the boundaries are in its folder already)."""

    id: str
    folder: Path          # region.toml, regencies.geojson, GEO-SOURCE.md, history.toml
    tables: Path          # regencies.csv, datasets.toml, workforce.toml, subsidies.toml, targets.toml

    def path(self, name: str) -> Path:
        return (self.tables if name in TABLES else self.folder) / name

    @property
    def legacy(self) -> bool:
        return self.tables != self.folder

    def region(self) -> dict:
        """region.toml; for South Sumatra before its move, what today's code says (settings.py)."""
        if not self.path("region.toml").is_file() and self.legacy and self.id in LEGACY_REGIONS:
            return LEGACY_REGIONS[self.id]
        return read_toml(self.path("region.toml"))


TABLES = ("regencies.csv", "datasets.toml", "workforce.toml", "subsidies.toml", "targets.toml")


def all_regions(regions: Path = REGIONS, legacy: Path = DATA) -> list[RegionFiles]:
    found = []
    for folder in sorted(p for p in regions.iterdir() if p.is_dir()):
        moved = (folder / "regencies.csv").is_file()
        found.append(RegionFiles(folder.name, folder, folder if moved else legacy))
    return found


def read_toml(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def regency_table(files: RegionFiles) -> pd.DataFrame:
    text = files.path("regencies.csv").read_text(encoding="utf-8")
    return pd.read_csv(StringIO(text), keep_default_na=False, dtype=str)


def geo_features(files: RegionFiles) -> dict[str, dict]:
    doc = json.loads(files.path("regencies.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["bps_code"]: f for f in doc.get("features", [])}


def _bbox(geometry: dict) -> tuple[float, float, float, float]:
    rings = geometry["coordinates"] if geometry["type"] == "Polygon" else \
        [ring for polygon in geometry["coordinates"] for ring in polygon]
    points = np.array([point for ring in rings for point in ring])
    return points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max()


# ------------------------------------------------------------------------------ one province
def region_problems(files: RegionFiles) -> list[str]:
    problems: list[str] = []
    for name in ("region.toml", "regencies.geojson", "GEO-SOURCE.md", *TABLES):
        if not files.path(name).is_file() and not (name == "region.toml" and files.id in LEGACY_REGIONS
                                                   and files.legacy):
            problems.append(f"{files.id}: {name} is missing")
    if problems:
        return problems
    region = files.region()
    data_sets = read_toml(files.path("datasets.toml"))
    table = regency_table(files)
    features = geo_features(files)
    problems += _region(files, region, data_sets)
    problems += _regencies(files, region, table, features)
    problems += _geo(files, region, features)
    problems += _data_sets(files, data_sets)
    workforce = read_toml(files.path("workforce.toml"))
    problems += _workforce(files, workforce, table)
    default = data_sets.get(region.get("default_data_set"), {})
    problems += _pools(files, workforce, table, default)
    problems += _subsidies(files, read_toml(files.path("subsidies.toml")), table, workforce)
    problems += _targets(files, read_toml(files.path("targets.toml")), default)
    if files.path("history.toml").is_file():
        problems += history_problems(files, read_toml(files.path("history.toml")), table, default)
    return problems


def _region(files, region, data_sets) -> list[str]:
    p = []
    if not REGION_KEYS <= set(region) <= REGION_KEYS | OPTIONAL_REGION_KEYS:
        p.append(f"{files.id}: region.toml has keys {sorted(region)}, expected {sorted(REGION_KEYS)}"
                 f" (optional: {sorted(OPTIONAL_REGION_KEYS)})")
    if region.get("id") != files.id or not ID_PATTERN.match(files.id):
        p.append(f"{files.id}: region.toml id {region.get('id')!r} must be the folder name (a-z, 0-9, '-')")
    if region.get("default_data_set") not in data_sets:
        p.append(f"{files.id}: region.toml default_data_set {region.get('default_data_set')!r} is not in datasets.toml")
    target = region.get("target", {})
    keys = set(target) - {"published_month"}
    if keys != TARGET_KEYS or not 0 < target.get("coverage", 0) < 1 or not is_month(target.get("month")) \
            or not is_text(target.get("source")):
        p.append(f"{files.id}: region.toml [target] needs coverage in (0, 1), month YYYY-MM, source and note")
    for name, entry in region.get("parameters", {}).items():
        prior = entry.get("prior")
        if set(entry) != PARAMETER_KEYS or not is_text(entry.get("source")) or not isinstance(prior, list) \
                or len(prior) != 2 or not prior[0] <= entry["value"] <= prior[1]:
            p.append(f"{files.id}: region.toml [parameters.{name}] needs value, prior = [low, high] holding it, "
                     "and source")
    return p


def _regencies(files, region, table, features) -> list[str]:
    p = []
    where = f"{files.id}: regencies.csv"
    if list(table.columns) != REGENCY_COLUMNS:
        return [f"{where}: columns {list(table.columns)}, expected {REGENCY_COLUMNS}"]
    for column in INTEGER_COLUMNS:
        bad = table.loc[~table[column].str.fullmatch(r"\d+"), "regency"].tolist()
        if bad:
            p.append(f"{where}: {column} must be a whole number >= 0 (rows {bad})")
    for column in ("poverty_pct", "lat", "lon"):
        if pd.to_numeric(table[column], errors="coerce").isna().any():
            p.append(f"{where}: {column} must be a number in every row")
    if p:
        return p
    codes = table["bps_code"]
    if not codes.str.fullmatch(r"\d{4}").all() or not codes.str.startswith(str(region.get("province_code"))).all():
        p.append(f"{where}: bps_code must be 4 digits starting with the province code {region.get('province_code')}")
    if codes.duplicated().any() or table["regency"].duplicated().any():
        p.append(f"{where}: regency names and bps codes must be unique")
    if set(codes) != set(features):
        p.append(f"{where}: bps codes {sorted(set(codes) ^ set(features))} are not in both the table and "
                 "regencies.geojson")
    if not table["kind"].isin(["kota", "kabupaten"]).all():
        p.append(f"{where}: kind must be kota or kabupaten")
    if (table["population"].astype(int) <= 0).any() or not table["population_source"].map(is_text).all():
        p.append(f"{where}: every regency needs a population (workers) > 0 and its population_source")
    for row in table.itertuples():
        feature = features.get(row.bps_code)
        if feature is None:
            continue
        props = feature["properties"]
        known = {n.casefold() for n in [row.regency, *row.aliases.split(";")]}
        if props["name"].casefold() not in known:
            p.append(f"{where}: {row.regency} ({row.bps_code}) is {props['name']!r} in regencies.geojson: "
                     "that name must be the regency or one of its aliases")
        if props["type"].casefold() != row.kind:
            p.append(f"{where}: {row.regency} is a {row.kind} but a {props['type']} in regencies.geojson")
        lo_x, lo_y, hi_x, hi_y = _bbox(feature["geometry"])
        if not (lo_x <= float(row.lon) <= hi_x and lo_y <= float(row.lat) <= hi_y):
            p.append(f"{where}: {row.regency}: lat/lon ({row.lat}, {row.lon}) lies outside its boundary")
    return p


def _geo(files, region, features) -> list[str]:
    p = []
    doc = json.loads(files.path("regencies.geojson").read_text(encoding="utf-8"))
    if doc.get("type") != "FeatureCollection" or not is_text(doc.get("attribution")):
        p.append(f"{files.id}: regencies.geojson must be a FeatureCollection with its attribution member")
    if any(f["properties"].get("province_code") != region.get("province_code") for f in features.values()):
        p.append(f"{files.id}: regencies.geojson has features of another province")
    if any(f["geometry"]["type"] not in ("Polygon", "MultiPolygon") for f in features.values()):
        p.append(f"{files.id}: regencies.geojson features must be polygons")
    text = " ".join(files.path("GEO-SOURCE.md").read_text(encoding="utf-8").replace(">", " ").split())
    if ATTRIBUTION not in text or "https://creativecommons.org/licenses/by/3.0/igo/" not in text:
        p.append(f"{files.id}: GEO-SOURCE.md lacks the attribution text or the licence link")
    return p


def stated_total(total: int, text: str) -> bool:
    """The data set's text states its active total: '518,632' or '1.033 M' (to its rounding)."""
    if f"{total:,}" in text:
        return True
    for number in re.findall(r"(\d+(?:\.\d+)?) ?M\b", text):
        decimals = len(number.split(".")[1]) if "." in number else 0
        if abs(float(number) * 1e6 - total) <= 0.5 * 10 ** (6 - decimals):
            return True
    return False


def _data_sets(files, data_sets) -> list[str]:
    p = []
    if not data_sets:
        p.append(f"{files.id}: datasets.toml has no data set")
    for name, ds in data_sets.items():
        where = f"{files.id}: datasets.toml [{name}]"
        if set(ds) != DATA_SET_KEYS:
            p.append(f"{where}: keys {sorted(ds)}, expected {sorted(DATA_SET_KEYS)}")
            continue
        counts = [ds["active_wage"], ds["active_informal"], ds["active_construction"]]
        if not all(isinstance(c, int) and c >= 0 for c in counts) or not 0 < ds["coverage"] < 1 \
                or not is_month(ds["month0"]) or not (is_text(ds["source"]) and is_text(ds["label"])):
            p.append(f"{where}: counts >= 0, coverage in (0, 1), month0 YYYY-MM, label and source are required")
            continue
        if not stated_total(sum(counts), " ".join([ds["label"], ds["source"], ds["note"]])):
            p.append(f"{where}: the segments add up to {sum(counts):,}, a total its label, source or note "
                     "does not state")
    return p


def _workforce(files, workforce, table) -> list[str]:
    p = []
    schema = next((read_toml(path) for path in (DATA / "workforce.toml", REGIONS / "sumsel" / "workforce.toml")
                   if path.is_file()), workforce)   # today's schema: South Sumatra's file
    for section, keys in schema.items():
        mine = workforce.get(section)
        if not isinstance(mine, dict):
            p.append(f"{files.id}: workforce.toml has no [{section}]")
            continue
        missing = [k for k in keys if k not in mine]
        if missing:
            p.append(f"{files.id}: workforce.toml [{section}] lacks {missing}")
    for section, mine in workforce.items():
        for part, spec in [(section, mine), *((f"{section}.{k}", v) for k, v in mine.items() if isinstance(v, dict)
                                             and "source" in v)]:
            if not (is_text(spec.get("source")) and "note" in spec):
                p.append(f"{files.id}: workforce.toml [{part}] needs a source and a note")
            elif "assumption" in spec["source"] and "range" not in spec and files.id not in LEGACY_WITHOUT_RANGES:
                p.append(f"{files.id}: workforce.toml [{part}] is an assumption without a range = [low, high]")
            p += _ranges(files, part, spec)
    names = names_of(table)
    for regency in workforce.get("palm", {}).get("regencies", []):
        if regency.casefold() not in names:
            p.append(f"{files.id}: workforce.toml [palm] names {regency!r}, not a regency of this province")
    return p


def _ranges(files, part, spec) -> list[str]:
    ranges = spec.get("range")
    if ranges is None:
        return []
    pairs = ranges.items() if isinstance(ranges, dict) else [("range", ranges)]
    p = []
    for key, pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2 and pair[0] <= pair[1]):
            p.append(f"{files.id}: workforce.toml [{part}] {key} must be [low, high] with low <= high")
            continue
        value = spec.get(key) if key != "range" else next((spec[k] for k in ("count", "share_of_farmers", "per_desa",
                                                            "per_kecamatan", "registered_inactive_informal_per_active")
                                                           if k in spec), None)
        if isinstance(value, (int, float)) and not pair[0] <= value <= pair[1]:
            p.append(f"{files.id}: workforce.toml [{part}] {key} {value} lies outside its range {pair}")
    return p


def pools(workforce, table, ds) -> pd.DataFrame:
    """Eligible workers by regency and segment as model/population.py splits them (real persons)."""
    eligible_total = sum(ds[f"active_{s}"] for s in ("wage", "informal", "construction")) / ds["coverage"]
    weight = table["population"].astype(float).to_numpy()
    eligible = eligible_total * weight / weight.sum()
    wage = table["kind"].map(workforce["pools"]["wage_share_by_kind"]).to_numpy(float) * weight
    wage *= workforce["pools"]["wage"] * eligible_total / wage.sum()
    construction = workforce["pools"]["construction"] * eligible
    return pd.DataFrame({"wage": wage, "construction": construction, "informal": eligible - wage - construction},
                        index=table["regency"])


def _pools(files, workforce, table, ds) -> list[str]:
    shares = workforce["pools"]
    p = []
    if abs(shares["wage"] + shares["construction"] + shares["informal"] - 1) > 1e-9:
        p.append(f"{files.id}: workforce.toml [pools] wage + construction + informal must be 1")
    if not ds:
        return p
    table_pools = pools(workforce, table, ds)
    if (table_pools["informal"] < 0).any():
        p.append(f"{files.id}: workforce.toml shares leave a negative informal pool in some regency")
    for segment in ("wage", "informal", "construction"):
        if ds[f"active_{segment}"] > table_pools[segment].sum():
            p.append(f"{files.id}: {ds[f'active_{segment}']:,} active {segment} workers at month 0 exceed the "
                     f"{table_pools[segment].sum():,.0f} eligible in workforce.toml's pool")
    if workforce["vulnerable"]["count"] > table_pools["informal"].sum():
        p.append(f"{files.id}: the vulnerable count exceeds the informal workers")
    return p


def _subsidies(files, subsidies, table, workforce) -> list[str]:
    p = []
    names = names_of(table)
    if subsidies.get("premium_idr") != 16_800 or not is_text(subsidies.get("premium_source")):
        p.append(f"{files.id}: subsidies.toml premium_idr must be the 16,800 package with its premium_source")
    programmes = list(subsidies.get("regency", []))
    seen = set()
    for programme in programmes:
        regency = names.get(str(programme.get("regency", "")).casefold())
        if regency is None:
            p.append(f"{files.id}: subsidies.toml names {programme.get('regency')!r}, not a regency of this province")
        elif regency in seen:
            p.append(f"{files.id}: subsidies.toml has two programmes for {regency} (one payer per regency)")
        seen.add(regency)
    if "province" in subsidies:
        programmes.append(subsidies["province"])
    vulnerable_only = 0
    for programme in programmes:
        b, groups = programme.get("beneficiaries"), programme.get("eligible")
        if not (isinstance(b, int) and b >= 0 and isinstance(groups, list) and set(groups) <= set(SUBSIDY_GROUPS)
                and is_text(programme.get("source")) and "note" in programme):
            p.append(f"{files.id}: subsidies.toml programme {programme.get('regency', 'province')!r} needs "
                     f"beneficiaries >= 0, eligible of {sorted(SUBSIDY_GROUPS)}, a source and a note")
        elif groups == ["vulnerable"]:
            vulnerable_only += b
    if vulnerable_only > workforce["vulnerable"]["count"]:
        p.append(f"{files.id}: subsidies.toml pays for {vulnerable_only:,} vulnerable workers, more than the "
                 f"{workforce['vulnerable']['count']:,} in workforce.toml")
    return p


def _targets(files, targets, ds) -> list[str]:
    try:
        doc = TargetsFile.model_validate(targets)
    except ValueError as error:
        return [f"{files.id}: targets.toml: {error}"]
    p = []
    month0 = ds.get("month0", "")
    dated = [t.month for t in doc.coverage] + [t.month for t in doc.pilot] + [t.start for t in doc.dip + doc.perisai] \
        + [t.reference for t in doc.dip]
    if ds and any(months.ordinal(m) < months.ordinal(month0) for m in dated):
        p.append(f"{files.id}: targets.toml reads a month before month 0 ({month0})")
    coverage0 = [t for t in doc.month0 if t.name == "coverage"]
    if ds and (not coverage0 or abs(coverage0[0].value - ds["coverage"]) > 1e-9):
        p.append(f"{files.id}: targets.toml [[month0]] coverage must be the default data set's ({ds.get('coverage')})")
    return p


# ------------------------------------------------------------------------------ the office
def office_problems(regions: list[RegionFiles]) -> list[str]:
    p = []
    owner: dict[str, str] = {}
    for files in regions:
        region = files.region()
        for reserved in (files.id, region.get("name", "")):
            owner.setdefault(reserved.casefold(), f"the province {files.id}")
    for files in regions:
        for name, regency in names_of(regency_table(files)).items():
            mine = f"{files.id}/{regency}"
            other = owner.setdefault(name, mine)
            if other != mine:
                p.append(f"the name {name!r} of {mine} is also {other}: names and aliases must be unique across "
                         "the office's provinces")
    codes = [c for files in regions for c in regency_table(files)["bps_code"]]
    if len(codes) != len(set(codes)):
        p.append("a bps_code appears in two provinces")
    return p
