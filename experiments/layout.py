"""Where the commands read and write inside the repository: the one module that knows its layout.

    model/data/regions/<id>/targets.toml     calibration targets (read by `cakupan calibrate --region <id>`)
    model/data/regions/<id>/calibration.toml fitted defaults (`cakupan calibrate`; the registry reads it)
    model/data/regions/<id>/ensemble.*       the parameter ensemble (`cakupan ensemble`; draws.py reads it)
    docs/calibration_fit_<id>.png    the fit-versus-targets plot (docs/calibration.md shows it; the
                                     default region's is docs/calibration_fit.png)
    results/<name>/                  results folders of the commands that keep their runs (a region
                                     other than the default gets `<name>-<id>`)

Every region's file is a function of the region id (None: the default region).

A shipped file (model/data/, docs/) is replaced only through `staged`: the new content is
written next to it (`<name>.new<suffix>`) and moved over it only after the command has checked
its result, so a failed check leaves the shipped file as it was and the candidate beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

from model import data

ROOT = Path(__file__).resolve().parents[1]
MODEL_DATA = ROOT / "model" / "data"
DOCS = ROOT / "docs"
RESULTS = ROOT / "results"



def _region(region: str | None) -> str:
    return region or data.DEFAULT_REGION


def targets_file(region: str | None = None) -> Path:
    """model/data/regions/<id>/targets.toml (model.data.Region.targets_file)."""
    return data.load(_region(region)).targets_file


def calibration_file(region: str | None = None) -> Path:
    """model/data/regions/<id>/calibration.toml: the region's fitted defaults."""
    return data.load(_region(region)).calibration_file


def draws_file(region: str | None = None) -> Path:
    """model/data/regions/<id>/ensemble.csv: the region's parameter draws."""
    return data.load(_region(region)).ensemble_file


def diagnostics_file(region: str | None = None) -> Path:
    """model/data/regions/<id>/ensemble.toml: the diagnostics of the region's ensemble."""
    return data.load(_region(region)).ensemble_diagnostics_file


def _suffixed(name: str, region: str | None) -> str:
    region = _region(region)
    return name if region == data.DEFAULT_REGION else f"{name}-{region}"


def calibration_plot(region: str | None = None) -> Path:
    """docs/calibration_fit.png for the default region, docs/calibration_fit_<id>.png for another."""
    region = _region(region)
    return DOCS / ("calibration_fit.png" if region == data.DEFAULT_REGION else f"calibration_fit_{region}.png")


def ensemble_build(region: str | None = None) -> Path:
    """results/ensemble-build (default region) or results/ensemble-build-<id>."""
    return RESULTS / _suffixed("ensemble-build", region)


def calibration_runs(region: str | None = None) -> Path:
    """results/calibration-runs (default region) or results/calibration-runs-<id>."""
    return RESULTS / _suffixed("calibration-runs", region)


def relative(path: str | Path) -> str:
    """`path` relative to the repository when it lies inside it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def staged(path: str | Path) -> Path:
    """Where a candidate for `path` is written before it is checked: `<stem>.new<suffix>` beside it."""
    path = Path(path)
    return path.with_name(f"{path.stem}.new{path.suffix}")


def promote(*paths: str | Path) -> None:
    """Move each checked candidate (`staged(path)`) over its file, each by one atomic rename."""
    for path in paths:
        os.replace(staged(path), path)
