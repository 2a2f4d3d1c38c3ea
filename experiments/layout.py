"""Where the commands read and write inside the repository: the one module that knows its layout.

    model/data/regions/<id>/targets.toml     calibration targets (read by `cakupan calibrate`)
    model/data/regions/<id>/calibration.toml fitted defaults (`cakupan calibrate`; the registry reads it)
    model/data/regions/<id>/ensemble.*       the parameter ensemble (`cakupan ensemble`; draws.py reads it)
    docs/calibration_fit.png         the fit-versus-targets plot (docs/calibration.md shows it)
    results/<name>/                  results folders of the commands that keep their runs

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

# The default region's files (model/data/regions/<id>/, read as model.data.Region); another
# region's are the same properties of data.load(id).
TARGETS_FILE = data.load().targets_file
CALIBRATION_FILE = data.load().calibration_file
DRAWS_FILE = data.load().ensemble_file
DIAGNOSTICS_FILE = data.load().ensemble_diagnostics_file
CALIBRATION_PLOT = DOCS / "calibration_fit.png"
ENSEMBLE_BUILD = RESULTS / "ensemble-build"
CALIBRATION_RUNS = RESULTS / "calibration-runs"


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
