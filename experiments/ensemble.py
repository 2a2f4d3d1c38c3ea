"""The parameter ensemble: parameter sets consistent with the calibration targets.

    cakupan ensemble --proposals 160 --keep 40       # writes model/data/ensemble.{csv,toml}

An approximate posterior by importance sampling on the calibration objective:

1. Prior: every uncertain parameter and every cost uniform on a range - the calibration's searched
   range for the fitted ones (model/data/targets.toml), model.parameters.PRIOR_RANGES for the
   others (each a source or a marked assumption).
2. Proposal: a scrambled Sobol design over the prior, except that the fitted parameters are drawn
   in their calibrated 90% profile interval (model/data/calibration.toml), where nearly all the
   likelihood is: outside it the posterior is truncated (an approximation, said in
   docs/calibration.md).
3. Weight: w = exp(-data_loss / 2), the calibration's sum of squared misses reading each
   tolerance as one standard deviation (the prior's density is flat on the proposal's support).
   Costs do not enter any target, so they keep their prior.
4. Resample `keep` equally weighted draws (systematic resampling, seeded) and store them with
   diagnostics: the effective sample size (sum w)^2 / sum w^2 and how often each target is met
   under the prior proposals and under the posterior.

Every proposal's runs go through experiments.runner.execute into a results folder keyed by the
runs' settings, so an interrupted build resumes where it stopped and runs on any executor.

Replicate r of a scenario run with parameter uncertainty uses draw r (experiments/draws.py reads
the draws; this module, which needs the runner, builds them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w
from scipy.stats import qmc

from experiments import calibration
from experiments.draws import EnsembleError, typed
from experiments.executors import Executor, using
from experiments.layout import diagnostics_file, draws_file, ensemble_build, promote, staged
from experiments.runner import execute
from experiments.store import OUTPUTS, REGENCY, Store, code_version, now
from model import data
from model.parameters import COSTS, PARAMETERS, PRIOR_RANGES, UNCERTAIN, prior_range

# ---------------------------------------------------------------- building
def prior_ranges(spec=None) -> dict[str, tuple[float, float]]:
    """Uniform prior range of every uncertain parameter and cost (fitted: the searched range)."""
    fitted = dict(spec.settings.fit) if spec is not None else {}
    region = spec.region if spec is not None else data.DEFAULT_REGION
    ranges: dict[str, tuple[float, float]] = {}
    for name in [*UNCERTAIN, *COSTS]:
        if name in fitted or name in PRIOR_RANGES:
            low, high = fitted[name] if name in fitted else prior_range(name, region)
            ranges[name] = (float(low), float(high))
        else:
            raise EnsembleError(f"{name}: no prior range in model.parameters.PRIOR_RANGES")
    return ranges


def proposal_ranges(spec) -> dict[str, tuple[float, float]]:
    """The prior, with each fitted parameter narrowed to its calibrated 90% interval."""
    ranges = prior_ranges(spec)
    for name, fit in data.calibration(spec.region).get("parameters", {}).items():
        if name in ranges:
            ranges[name] = (float(fit["low90"]), float(fit["high90"]))
    return ranges


def propose(ranges: dict[str, tuple[float, float]], n: int, seed: int) -> list[dict[str, float]]:
    """n parameter sets from a scrambled Sobol design over `ranges` (integers rounded)."""
    names = list(ranges)
    unit = qmc.Sobol(d=len(names), scramble=True, rng=np.random.default_rng(seed)).random(n)
    low = np.array([ranges[k][0] for k in names])
    high = np.array([ranges[k][1] for k in names])
    values = low + unit * (high - low)
    return [{k: typed(k, v) for k, v in zip(names, row, strict=True)} for row in values]


def weights(data_losses: np.ndarray) -> np.ndarray:
    """Normalised importance weights exp(-loss / 2) (shifted by the minimum for precision)."""
    losses = np.asarray(data_losses, dtype=float)
    w = np.exp(-(losses - np.nanmin(losses)) / 2)
    w = np.where(np.isfinite(w), w, 0.0)
    return w / w.sum()


def effective_sample_size(w: np.ndarray) -> float:
    return float(w.sum() ** 2 / (w ** 2).sum())


def resample(w: np.ndarray, keep: int, seed: int) -> np.ndarray:
    """Indices of `keep` equally weighted draws: systematic resampling (low variance)."""
    u = (np.random.default_rng(seed).random() + np.arange(keep)) / keep
    return np.minimum(np.searchsorted(np.cumsum(w), u), len(w) - 1)


def build(proposals: int = 160, keep: int = 40, seed: int = 11, scale: float | None = None,
          replicates: int = 1, executor: Executor | None = None, folder: str | Path | None = None,
          progress: bool | None = False, region: str | None = None,
          targets: str | Path | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Propose, run (resumable in `folder`, default layout.ensemble_build(region)), weight and
    resample against `region`'s targets (or the `targets` file); returns (draws, diagnostics)."""
    if proposals < 2 or keep < 1:
        raise EnsembleError(f"proposals must be at least 2 and keep at least 1; got {proposals}, {keep}")
    overrides: dict[str, Any] = {"replicates": replicates, "scale": scale}
    spec = calibration.load_targets(targets, None, region, **overrides)
    folder = folder if folder is not None else ensemble_build(spec.region)
    points = propose(proposal_ranges(spec), proposals, seed)
    objective = calibration.Objective(spec, executor, progress)
    specs = objective.plan(points)
    keys = [s.key for s in specs]
    store = Store(folder)
    with store.writing(), using(executor) as running:
        store.discard_damaged(set(keys))     # a truncated or damaged run file is recomputed
        execute(specs, running, store, progress, label="ensemble")
        missing = set(keys) - store.completed()
        if missing:
            raise EnsembleError(f"{len(missing)} ensemble runs failed (see {Path(folder) / 'runs.jsonl'}); "
                                "rerun `cakupan ensemble` to retry them")
        table = store.read(OUTPUTS, keys)
        regency = store.read(REGENCY, keys) if spec.regency_arms else None
    evaluations = objective.score_table(points, table, regency)
    table, info = summarise(spec, points, evaluations, keep, seed)
    return table, {"region": spec.region, "missed_by_calibration": missed_by_calibration(spec.region), **info}


def missed_by_calibration(region: str) -> list[str]:
    """The fitted targets the region's calibration (calibration.toml) itself misses: the best fit
    cannot reach them, so the ensemble is not required to (docs/calibration.md says why, per region)."""
    return sorted(f["target"] for f in data.calibration(region).get("fit", [])
                  if f.get("fitted", True) and not f.get("within", True))


def summarise(spec, points: list[dict[str, float]], evaluations, keep: int, seed: int
              ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Weights, resampled draws and the diagnostics of evaluated proposals."""
    w = weights(np.array([e.data_loss for e in evaluations]))
    chosen = resample(w, keep, seed)
    table = pd.DataFrame([points[i] for i in chosen])
    table.insert(0, "draw", range(keep))
    met = pd.DataFrame([{t.name: t.within(e.simulated[t.name]) for t in spec.targets} for e in evaluations])
    ranges, proposal = prior_ranges(spec), proposal_ranges(spec)
    info = {
        "method": "importance sampling on the calibration objective, w = exp(-data_loss/2), "
                  "systematic resampling (experiments/ensemble.py)",
        "proposals": len(points), "draws": keep, "seed": seed,
        "scale": spec.settings.scale, "replicates": spec.settings.replicates,
        "effective_sample_size": round(effective_sample_size(w), 2),
        "distinct_draws": int(len(set(chosen.tolist()))),
        "targets": {t.name: {"met_prior": round(float(met[t.name].mean()), 3),
                             "met_posterior": round(float((met[t.name] * w).sum()), 3),
                             "fitted": t.fitted} for t in spec.targets},
        "parameters": {n: {"prior": list(ranges[n]), "proposal": list(proposal[n]),
                           "kind": PARAMETERS[n].kind,
                           "posterior_mean": float(table[n].mean()),
                           "posterior_low90": float(table[n].quantile(0.05)),
                           "posterior_high90": float(table[n].quantile(0.95))}
                       for n in ranges},
    }
    return table, info


# The checks a built ensemble must pass before it replaces the shipped one (assumptions of this
# module, not data): fewer than 2 effective draws means one proposal carries nearly all the
# weight; a fitted target that no posterior draw meets means the runs cannot reproduce the data
# (e.g. a scale so small that every run stays at coverage 0).
MIN_EFFECTIVE_SAMPLE_SIZE = 2.0


def check(table: pd.DataFrame, info: dict[str, Any]) -> list[str]:
    """Why these draws must not become the model's ensemble; empty when they pass."""
    problems = []
    ess = info.get("effective_sample_size")
    if not isinstance(ess, (int, float)) or not np.isfinite(ess) or ess < MIN_EFFECTIVE_SAMPLE_SIZE:
        problems.append(f"effective sample size {ess} is below {MIN_EFFECTIVE_SAMPLE_SIZE:g}")
    missed = set(info.get("missed_by_calibration", []))
    unmet = [name for name, t in info.get("targets", {}).items()
             if t["fitted"] and not t["met_posterior"] > 0 and name not in missed]
    if unmet:
        problems.append("no posterior draw meets the fitted target(s) " + ", ".join(repr(n) for n in unmet))
    numbers = table.drop(columns="draw", errors="ignore").to_numpy(dtype=float)
    if table.empty or not np.isfinite(numbers).all():
        problems.append("the draws are empty or hold non-finite values")
    return problems


def write(table: pd.DataFrame, info: dict[str, Any], draws_path: str | Path | None = None,
          diagnostics_path: str | Path | None = None, region: str | None = None) -> tuple[Path, Path]:
    """The draws (CSV) and diagnostics (TOML): written beside the files first (layout.staged) and
    moved over them only when `check` passes; otherwise EnsembleError, the old files unchanged
    and the candidate kept beside them."""
    draws_path = Path(draws_path) if draws_path is not None else draws_file(region)
    diagnostics_path = Path(diagnostics_path) if diagnostics_path is not None else diagnostics_file(region)
    draws_path.parent.mkdir(parents=True, exist_ok=True)
    diagnostics_path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(staged(draws_path), index=False, float_format="%.6g")
    header = ("# Written by `cakupan ensemble` (experiments/ensemble.py); see docs/calibration.md.\n"
              "# The draws are in ensemble.csv; rebuild after recalibrating.\n")
    doc = {"created": now(), "code_version": code_version(), **info}
    staged(diagnostics_path).write_text(header + tomli_w.dumps(doc), encoding="utf-8")
    problems = check(table, info)
    if problems:
        raise EnsembleError(f"the new ensemble fails its checks ({'; '.join(problems)}), so {draws_path} and "
                            f"{diagnostics_path} are unchanged; the candidate is beside them in "
                            f"{staged(draws_path)} and {staged(diagnostics_path)}. Rebuild with more "
                            "--proposals or a larger --scale")
    promote(draws_path, diagnostics_path)
    return draws_path, diagnostics_path


def describe(info: dict[str, Any]) -> str:
    """A few lines for the terminal: ESS and how often each target is met."""
    lines = [f"ensemble: {info['draws']} draws resampled from {info['proposals']} proposals; "
             f"effective sample size {info['effective_sample_size']:.1f} "
             f"({info['distinct_draws']} distinct)",
             "targets met: share of prior proposals -> share under the posterior"]
    for name, t in info["targets"].items():
        lines.append(f"  {t['met_prior']:5.0%} -> {t['met_posterior']:5.0%}  {name}")
    return "\n".join(lines)
