"""The office (Kanwil Sumbagsel): its provinces, a scenario's settings for one of them, and the
office's results summed over them.

A run with `region = "kanwil"` is three blocks: one run per province per replicate (the same seed
r and each province's own parameter draw r; runner.plan), labelled with a `region` column. Its
office rows sum each count over the provinces, and each coverage is recomputed as the sum of its
numerator over the sum of its denominator (coverage = sum of active / sum of workers), over the
months every province simulates (Bengkulu's month 0 is 2024-12, the others' 2024-08, so the
office's first month is 2024-12).

A scenario's settings are written once for the office and each province takes its part
(`localize`):
  * a lever given as a table keyed by region ids, `perisai_agents = { sumsel = 1500, jambi = 500 }`,
    is each named province's value (a number, a regency table or windows); a province not named
    keeps its own default;
  * a regency table's entries (also inside windows) that name a regency of ANOTHER province of the
    office are left to that province; a window left without entries is dropped, and a lever left
    without windows keeps the province's default. A name that is no regency of any province stays
    in the table, so the province's own check reports it with the closest names.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from model import data
from model.parameters import PARAMETERS

OFFICE = "kanwil"           # the run field `region` of the three provinces together
REGION_COLUMN = "region"    # the province of each row of a Kanwil run


def provinces() -> list[str]:
    """The office's provinces: every region folder of model/data/regions/."""
    return data.region_ids()


def region_choices() -> list[str]:
    """The values of the run field `region`: each province and the office."""
    return [*provinces(), OFFICE]


def first_month(regions: list[str] | None = None) -> str:
    """The first month every province simulates (the latest month 0)."""
    from model import months

    return max((data.load(r).data_set().month0 for r in regions or provinces()), key=months.ordinal)


# ---------------------------------------------------------------- a province's settings
def localize(settings: dict[str, Any], region: str) -> dict[str, Any]:
    """The settings of a scenario written for the office, as they apply in `region` (module doc)."""
    others = _other_regencies(region)
    kept: dict[str, Any] = {}
    for name, value in settings.items():
        param = PARAMETERS.get(name)
        if param is None or not param.is_lever or param.type != "number":
            kept[name] = value
            continue
        if _by_region(value):
            if region not in value:
                continue
            value = value[region]
        value = _own_entries(value, others)
        if value is not None:
            kept[name] = value
    return kept


def unknown_regencies(settings: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, message) of every regency-table key naming no regency of any province of the office,
    with the closest name among all of them (an office scenario's check, before each province's)."""
    import difflib

    names = {n.casefold(): n for r in provinces() for n in data.load(r).regency_names}
    known = set(names) | {n for r in provinces() for n in _names_of(r)}
    problems = []

    def check(path: str, table: dict) -> None:
        for key in table:
            if str(key).strip().casefold() not in known | {"others"}:
                close = difflib.get_close_matches(str(key).casefold(), list(names), n=1)
                hint = f" Did you mean {names[close[0]]!r}?" if close else ""
                problems.append((f"{path}.{key}", f"unknown regency {key!r} in any province of the office "
                                                  f"({', '.join(provinces())}).{hint}"))

    for name, value in settings.items():
        param = PARAMETERS.get(name)
        if param is None or not param.is_lever or param.type != "number":
            continue
        parts = value.items() if _by_region(value) else [(None, value)]
        for region, part in parts:
            path = name if region is None else f"{name}.{region}"
            if isinstance(part, dict):
                check(path, part)
            elif isinstance(part, list):
                for i, window in enumerate(part):
                    if isinstance(window, dict) and isinstance(window.get("value"), dict):
                        check(f"{path}[{i}].value", window["value"])
    return problems


def _by_region(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(str(k) in region_choices() for k in value)


def _own_entries(value: Any, others: set[str]) -> Any:
    """A lever value without the regency entries of other provinces (None: nothing left)."""
    if isinstance(value, dict):
        table = {k: v for k, v in value.items() if str(k).strip().casefold() not in others}
        return table if table or not value else None
    if isinstance(value, list):
        windows = []
        for window in value:
            inner = window.get("value") if isinstance(window, dict) else None
            if isinstance(inner, dict):
                inner = _own_entries(inner, others)
                if inner is None:
                    continue
                window = {**window, "value": inner}
            windows.append(window)
        return windows if windows or not value else None
    return value


def _other_regencies(region: str) -> set[str]:
    """Names and aliases (case-folded) of the regencies of the office's other provinces that are
    not also a name in `region`."""
    own = _names_of(region) if region in provinces() else set()
    return {n for r in provinces() if r != region for n in _names_of(r)} - own


def _names_of(region: str) -> set[str]:
    loaded = data.load(region)
    names = {str(n).casefold() for n in loaded.regency_names}
    for aliases in loaded.regencies["aliases"]:
        names |= {a.strip().casefold() for a in str(aliases or "").split(";") if a.strip()}
    return names


# ---------------------------------------------------------------- the office's results
def office_table(table: pd.DataFrame, regions: list[str] | None = None) -> pd.DataFrame:
    """Office rows of a Kanwil table (one row per run of each province, column `region`): counts
    summed, each coverage_X recomputed as sum(active_X) / sum(active_X / coverage_X), over the
    months every province simulates."""
    if table.empty or REGION_COLUMN not in table:
        return table
    start = first_month(regions or sorted(table[REGION_COLUMN].unique()))
    table = table[table["month"] >= start]
    ids = [c for c in ("scenario", "point", "replicate", "seed") if c in table]
    ratios = {c: _numerator(c) for c in table if c.startswith("coverage") and _numerator(c) in table}
    numeric = [c for c in table.columns if c not in (*ids, "month", "run_key", REGION_COLUMN, *ratios)
               and pd.api.types.is_numeric_dtype(table[c])]
    work = table.copy()
    for ratio, count in ratios.items():
        work[f"_den_{ratio}"] = (work[count] / work[ratio]).where(work[ratio] > 0, 0.0)
    dens = [f"_den_{r}" for r in ratios]
    keys = [c for c in ids if c != "seed"] + ["month"]
    summed = work.groupby(keys, sort=False)[numeric + dens].sum()
    for ratio, count in ratios.items():
        den = summed.pop(f"_den_{ratio}")
        summed[ratio] = (summed[count] / den).where(den > 0, 0.0)
    if "seed" in table:
        summed["seed"] = work.groupby(keys, sort=False)["seed"].first()
    summed["run_key"] = work.groupby(keys, sort=False)["run_key"].apply(lambda k: "+".join(sorted(k)))
    columns = [c for c in table.columns if c in summed.columns or c in keys]
    return summed.reset_index()[columns].reset_index(drop=True)


def _numerator(ratio: str) -> str:
    return "active" + ratio.removeprefix("coverage")


# ---------------------------------------------------------------- targets
def target(region: str | None = None) -> tuple[float, str]:
    """(coverage, month) of a run's region: the province's region.toml [target]; for the office,
    the provinces' targets weighted by their eligible workers at month 0 (the share of the
    office's workers the three targets together ask to be active), by the latest target month."""
    from model import months

    region = region or data.DEFAULT_REGION
    if region != OFFICE:
        loaded = data.load(region).target
        return loaded.coverage, loaded.month
    workers = {r: data.load(r).data_set().eligible_workers for r in provinces()}
    coverage = sum(data.load(r).target.coverage * w for r, w in workers.items()) / sum(workers.values())
    month = max((data.load(r).target.month for r in provinces()), key=months.ordinal)
    return round(coverage, 4), month


def region_of(manifest: dict) -> str:
    """The region a results folder's runs are of (its manifest; older folders: the default)."""
    region = manifest.get("region")
    return region if isinstance(region, str) and region in region_choices() else data.DEFAULT_REGION
