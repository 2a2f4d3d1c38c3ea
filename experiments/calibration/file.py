"""The calibration file (model/data/calibration.toml): written after a fit, read by
model/parameters.py for the registry's defaults, and checked by re-running its objective."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from experiments.calibration.fit import Calibration
from experiments.calibration.objective import Objective, fit_table
from experiments.calibration.targets import CalibrationError, load_targets
from experiments.executors import Executor, using
from experiments.layout import calibration_file, promote, relative, staged
from experiments.store import code_version, now
from model.parameters import UNCERTAIN, registry

def write(calibration: Calibration, path: str | Path | None = None) -> Path:
    """The fitted values and fit quality as TOML (default: the fit's region's calibration.toml);
    model/parameters.py reads it for defaults.
    Written beside `path` first (layout.staged) and moved over it only when the fit passes its
    checks (`problems`); otherwise CalibrationError, and `path` stays as it was."""
    s, fit = calibration.spec.settings, calibration.fit
    path = Path(path) if path is not None else calibration_file(calibration.spec.region)
    fixed = registry(calibration.spec.region)     # the values the fit's runs held (the region's)
    doc: dict[str, Any] = {
        "created": now(), "code_version": code_version(), "targets": relative(calibration.spec.source),
        "method": calibration.method, "evaluations": calibration.evaluations,
        "scale": s.scale, "replicates": s.replicates, "seed": s.seed,
        "loss": round(calibration.loss, 6), "data_loss": round(calibration.data_loss, 6),
        "prior_sd": s.prior_sd,
        "targets_met": int(fit.loc[fit["fitted"], "within"].sum()), "targets_fitted": int(fit["fitted"].sum()),
        "parameters": {}, "fixed": {n: fixed[n].default for n in UNCERTAIN if n not in calibration.spec.names},
        "fit": []}
    for row in calibration.parameters.itertuples():
        doc["parameters"][row.name] = {
            "value": _clean(row.value), "search": [row.search_low, row.search_high],
            "prior": _clean(row.prior), "low90": _clean(row.low90),
            "high90": _clean(row.high90), "identified": row.identified}
    for row in fit.itertuples():
        entry = {"target": row.target, "kind": row.kind, "simulated": _clean(row.simulated),
                 "miss": _clean(row.miss), "within": row.within, "fitted": row.fitted}
        entry.update({k: _clean(getattr(row, k)) for k in ("value", "tolerance", "min", "max")
                      if pd.notna(getattr(row, k))})
        doc["fit"].append(entry)
    header = ("# Written by `cakupan calibrate` (experiments/calibration/); see docs/calibration.md.\n"
              "# model/parameters.py takes [parameters.*].value as the registry defaults. Do not edit\n"
              "# by hand: rerun `cakupan calibrate` after changing the model or model/data/targets.toml.\n")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staged(path).write_text(header + tomli_w.dumps(doc), encoding="utf-8")
    failed = problems(calibration)
    if failed:
        raise CalibrationError(f"the fit fails its checks ({'; '.join(failed)}), so {path} is unchanged; the"
                               f" candidate is beside it in {staged(path)}. Its runs are kept: rerun"
                               " `cakupan calibrate` with a larger --scale or more --replicates")
    promote(path)
    return path


def problems(calibration: Calibration) -> list[str]:
    """Why a fit must not become the model's defaults (empty when it passes): a non-finite loss
    or fitted value, or not one fitted target met (the runs cannot reproduce the data)."""
    found = []
    if not np.isfinite(calibration.loss):
        found.append(f"the loss is {calibration.loss}")
    values = calibration.parameters["value"].to_numpy(dtype=float) if len(calibration.parameters) else []
    if not np.isfinite(values).all():
        found.append("a fitted value is not a finite number")
    fit = calibration.fit
    if fit["fitted"].any() and not fit.loc[fit["fitted"], "within"].any():
        found.append("no fitted target is met")
    return found


def _clean(value: Any) -> Any:
    value = float(value)
    return value if np.isfinite(value) else (1e300 if value > 0 else -1e300)


def read(path: str | Path | None = None, region: str | None = None) -> dict[str, Any]:
    path = Path(path) if path is not None else calibration_file(region)
    if not path.is_file():
        raise CalibrationError(f"{path}: no such calibration file; run `cakupan calibrate`")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def check(path: str | Path | None = None, targets: str | Path | None = None,
          executor: Executor | None = None, region: str | None = None) -> pd.DataFrame:
    """Re-run the objective at a calibration file's values with its recorded scale, replicates and
    seed: the fit table now, with the recorded simulated value of each target beside it."""
    recorded = read(path, region)
    values = {n: p["value"] for n, p in recorded["parameters"].items()}
    spec = load_targets(targets, list(values), region, scale=recorded["scale"],
                        replicates=recorded["replicates"], seed=recorded["seed"])
    with using(executor) as running:
        evaluation = Objective(spec, running).evaluate([values])[0]
    table = fit_table(spec, evaluation)
    before = {f["target"]: f["simulated"] for f in recorded["fit"]}
    table["recorded"] = table["target"].map(before)
    return table
