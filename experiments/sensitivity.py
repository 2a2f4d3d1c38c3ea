"""Global sensitivity analysis (SALib): which levers and assumptions drive the answer?

    from experiments.sensitivity import sensitivity
    result = sensitivity("experiments/examples/sensitivity.toml", out="results/sa")
    result.indices          # one row per (output, factor): Sobol S1, ST or Morris mu*, sigma, with CIs

A sensitivity analysis is a sweep (experiments/sweep.py) whose design is Saltelli's scheme for
Sobol indices (`design = "saltelli"`) or Morris trajectories (`design = "morris"`), so it runs on
the same executors, into the same resumable results folder, with the same paired seeds: every
design point runs the policy scenario and the baseline with the same replicate seeds, the
baseline keeping its own levers but taking the point's uncertain parameters. Two outputs are
analysed, from experiments.summary at the target month: the policy's coverage (mean over
replicates) and its cost per additional active participant versus the baseline (mean extra spend
/ mean extra active participants, paired by seed).

Sobol: first-order S1 (the share of the output's variance a factor explains alone) and total
ST (with all its interactions), with bootstrap confidence intervals (SALib.analyze.sobol).
Morris: mu* (mean absolute elementary effect, in the output's units over the factor's range) and
sigma (their spread: non-linearity or interactions); SALib bootstraps mu*'s interval, and sigma's
is bootstrapped here over trajectories.

Default factors and ranges (experiments/examples/sensitivity.toml) are documented there; a factor
given without a range gets DEFAULT_SPREAD either side of its registry default, inside its bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments import summary as stats
from experiments.errors import UserError
from experiments.runner import Results
from experiments.sweep import SALIB_DESIGNS, Sweep, load_sweep, parse_sweep, sweep
from model.parameters import PARAMETERS

DEFAULT_SPEC = Path(__file__).resolve().parent / "examples" / "sensitivity.toml"
OUTPUTS = {"coverage": "coverage_mean", "cost_per_additional_idr": "cost_per_additional_idr"}
METHODS = {"sobol": "saltelli", "morris": "morris"}
DEFAULT_SPREAD = 0.5      # a factor without a range varies ±50% around its default
CONF_LEVEL = 0.95         # SALib's bootstrap confidence level (its default)
RESAMPLES = 200           # bootstrap resamples for every interval


class SensitivityError(UserError, ValueError):
    """A sensitivity spec that cannot be analysed (wrong design, scenarios, ranges)."""


@dataclass
class Sensitivity:
    results: Results
    indices: pd.DataFrame
    notes: list[str]


# ---------------------------------------------------------------- the spec
def load_spec(path: str | Path | None = None, method: str | None = None, samples: int | None = None,
              factors: dict[str, tuple[float | None, float | None]] | None = None,
              **fields: Any) -> Sweep:
    """A sensitivity spec: a sweep file with a SALib design (default: the shipped example),
    optionally with another method, sample size, factor set (name -> (min, max), None for the
    default range) or sweep fields (scenarios, replicates, scale, horizon, seed...)."""
    spec = load_sweep(path or DEFAULT_SPEC)
    raw = spec.model_dump(by_alias=True, exclude_none=True, exclude={"directory"})
    if method is not None:
        if method not in METHODS:
            raise SensitivityError(f"method: unknown method {method!r}; allowed: {', '.join(METHODS)}")
        raw["design"] = METHODS[method]
        raw.pop("samples", None)
    if samples is not None:
        raw["samples"] = samples
    raw.setdefault("samples", _default_samples(raw["design"]))
    if factors:
        raw["factors"] = {name: _factor(name, low, high, raw["factors"].get(name, {}))
                          for name, (low, high) in factors.items()}
    raw.update({k: v for k, v in fields.items() if v is not None})
    checked = parse_sweep(raw, str(path or DEFAULT_SPEC), spec.directory)
    return _check(checked, str(path or DEFAULT_SPEC))


def _default_samples(design: str) -> int:
    """Saltelli base samples N (a power of two) or Morris trajectories r."""
    return 32 if design == "saltelli" else 10


def _factor(name: str, low: float | None, high: float | None, given: dict) -> dict:
    """A factor's range: as given, else the file's, else DEFAULT_SPREAD around the default
    (clipped to the registry's bounds). Given ranges are not clipped: the sweep's checks report
    one outside the bounds."""
    param = PARAMETERS.get(name)
    out = {k: v for k, v in given.items() if k not in ("min", "max")}
    if param is None or param.type != "number":
        return out     # the sweep's checks name the problem and the allowed settings
    default = param.default if isinstance(param.default, (int, float)) else 0.0
    spread = (max(default * (1 - DEFAULT_SPREAD), param.bounds[0]),
              min(default * (1 + DEFAULT_SPREAD), param.bounds[1]))
    out["min"] = float(low if low is not None else given.get("min", spread[0]))
    out["max"] = float(high if high is not None else given.get("max", spread[1]))
    return out


def _check(spec: Sweep, source: str) -> Sweep:
    policies = [s for s in spec.scenarios if s != spec.baseline]
    problems = []
    if spec.design not in SALIB_DESIGNS:
        problems.append(f"design: a sensitivity analysis needs design = {' or '.join(map(repr, SALIB_DESIGNS))};"
                        f" got {spec.design!r}")
    if len(policies) != 1 or not spec.baseline:
        problems.append(f"scenarios: give one policy scenario and the baseline {spec.baseline!r}"
                        f" (for the cost per additional participant); got {spec.scenarios}")
    if len(spec.factors) < 2:
        problems.append("factors: a sensitivity analysis needs at least two factors")
    if problems:
        raise SensitivityError(f"{source}: invalid sensitivity spec:\n" + "\n".join(f"  {p}" for p in problems))
    return spec


def policy(spec: Sweep) -> str:
    return next(s for s in spec.scenarios if s != spec.baseline)


# ---------------------------------------------------------------- running and analysing
def sensitivity(spec: Sweep | str | Path | None = None, out: str | Path | None = None, executor=None,
                progress: bool | None = None, target_month: str = stats.TARGET_MONTH,
                yes: bool = False) -> Sensitivity:
    """Run (or resume) the design and analyse both outputs; `yes` confirms a design above
    limits.CONFIRM_RUNS runs."""
    spec = spec if isinstance(spec, Sweep) else load_spec(spec)
    _check(spec, spec.name)
    results = sweep(spec, out, executor, progress, yes)
    indices, notes = analyse(results, spec, target_month)
    return Sensitivity(results, indices, notes)


def outputs(results: Results, spec: Sweep, target_month: str = stats.TARGET_MONTH) -> pd.DataFrame:
    """One row per design point: the policy's coverage and cost per additional participant."""
    summary = results.summary(target_month, baseline=spec.baseline)
    rows = summary[summary["scenario"] == policy(spec)].set_index("point").sort_index()
    frame = pd.DataFrame({name: rows[column] for name, column in OUTPUTS.items()})
    return frame.reindex(range(len(results.manifest["design"]["points"])))


def analyse(results: Results, spec: Sweep, target_month: str = stats.TARGET_MONTH) -> tuple[pd.DataFrame, list[str]]:
    """SALib indices of each output; an output undefined at some points is skipped with a note."""
    problem = spec.problem()
    x = pd.DataFrame(results.manifest["design"]["points"])[problem["names"]].to_numpy(float)
    frames, notes = [], []
    for name, y in outputs(results, spec, target_month).items():
        y = y.to_numpy(float)
        missing = int((~np.isfinite(y)).sum())
        if missing:
            notes.append(f"{name}: undefined at {missing} of {len(y)} design points (runs missing, or the"
                         " policy added no participant there), so it is not analysed")
            continue
        table = _sobol(problem, y, spec.design_seed) if spec.design == "saltelli" else \
            _morris(problem, x, y, spec.morris_levels, spec.design_seed)
        frames.append(table.assign(output=name))
    indices = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return indices, notes


def _sobol(problem: dict, y: np.ndarray, seed: int) -> pd.DataFrame:
    from SALib.analyze import sobol

    si = sobol.analyze(problem, y, calc_second_order=False, num_resamples=RESAMPLES,
                       conf_level=CONF_LEVEL, seed=seed)
    return pd.DataFrame({"method": "sobol", "factor": problem["names"], "S1": si["S1"],
                         "S1_conf": si["S1_conf"], "ST": si["ST"], "ST_conf": si["ST_conf"]})


def _morris(problem: dict, x: np.ndarray, y: np.ndarray, levels: int, seed: int) -> pd.DataFrame:
    from SALib.analyze import morris

    si = morris.analyze(problem, x, y, num_resamples=RESAMPLES, conf_level=CONF_LEVEL,
                        num_levels=levels, seed=seed)
    low, high = _sigma_interval(problem, x, y, levels, seed)
    return pd.DataFrame({"method": "morris", "factor": problem["names"], "mu": si["mu"],
                         "mu_star": si["mu_star"], "mu_star_conf": si["mu_star_conf"],
                         "sigma": si["sigma"], "sigma_low": low, "sigma_high": high})


def _sigma_interval(problem: dict, x: np.ndarray, y: np.ndarray, levels: int, seed: int):
    """Percentile bootstrap interval of Morris sigma, resampling whole trajectories."""
    from SALib.analyze import morris

    k = problem["num_vars"] + 1
    r = len(y) // k
    if r < 2:
        nan = np.full(problem["num_vars"], np.nan)
        return nan, nan
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(RESAMPLES):
        pick = np.concatenate([np.arange(t * k, (t + 1) * k) for t in rng.integers(0, r, r)])
        draws.append(morris.analyze(problem, x[pick], y[pick], num_resamples=2, num_levels=levels,
                                    seed=seed)["sigma"])
    alpha = (1 - CONF_LEVEL) / 2
    return np.nanquantile(draws, alpha, axis=0), np.nanquantile(draws, 1 - alpha, axis=0)


# ---------------------------------------------------------------- outputs
def write(result: Sensitivity, folder: str | Path) -> list[Path]:
    """indices.csv and sensitivity.png in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "indices.csv"]
    result.indices.to_csv(paths[0], index=False)
    if not result.indices.empty:
        paths.append(chart(result.indices, folder / "sensitivity.png"))
    return paths


def chart(indices: pd.DataFrame, path: str | Path) -> Path:
    """Horizontal bars per output: Sobol S1 and ST, or Morris mu* (and sigma), with their CIs."""
    from experiments.report import figure

    names = list(dict.fromkeys(indices["output"]))
    fig, axes = figure((7 * len(names), 0.45 * indices["factor"].nunique() + 2), 1, len(names), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        rows = indices[indices["output"] == name]
        if rows["method"].iloc[0] == "sobol":
            _bars(ax, rows, [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")], "ST")
            ax.set(xlabel="share of variance", title=f"Sobol indices: {name}")
        else:
            _bars(ax, rows, [("mu_star", "mu_star_conf", "mu*"), ("sigma", None, "sigma")], "mu_star")
            ax.set(xlabel=f"elementary effect over the factor's range ({_unit(name)})", title=f"Morris: {name}")
    fig.suptitle(f"{CONF_LEVEL:.0%} bootstrap confidence intervals")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return Path(path)


def _bars(ax, rows: pd.DataFrame, series, sort_by: str) -> None:
    rows = rows.sort_values(sort_by)
    y = np.arange(len(rows))
    height = 0.8 / len(series)
    for i, (column, conf, label) in enumerate(series):
        if conf:
            err = rows[conf].to_numpy()
        else:
            err = np.vstack([rows[column] - rows["sigma_low"], rows["sigma_high"] - rows[column]]).clip(0)
        ax.barh(y + i * height, rows[column], height, xerr=err, label=label, capsize=2)
    ax.set_yticks(y + height * (len(series) - 1) / 2, rows["factor"], fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=8)


def _unit(output: str) -> str:
    return "share of workers" if output == "coverage" else "rupiah"


def table(indices: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """The indices sorted by importance within each output (ST or mu*), optionally the top few."""
    if indices.empty:
        return indices
    key = "ST" if "ST" in indices else "mu_star"
    ordered = indices.sort_values(["output", key], ascending=[False, False])
    ordered = ordered[["output", *[c for c in ordered.columns if c != "output"]]]
    return ordered.groupby("output", sort=False).head(top) if top else ordered


__all__ = ["Sensitivity", "SensitivityError", "analyse", "chart", "load_spec", "outputs",
           "sensitivity", "table", "write"]
