"""The fit: a scrambled Sobol start, bounded Nelder-Mead, and approximate 90% intervals.

The search starts from a scrambled Sobol design over the fitted ranges (plus the current
defaults and the priors), evaluated as one batch, then runs scipy's bounded Nelder-Mead from the
best point. Afterwards each parameter gets an approximate 90% interval (the evaluated values
whose loss is within 2.71 of the best) that says which fitted parameters the targets pin down.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.stats import chi2, qmc

from experiments.calibration.objective import Evaluation, Objective, fit_table
from experiments.calibration.targets import Spec, clip, load_targets
from experiments.executors import Executor, using
from model.parameters import PARAMETERS, PRIORS

SIMPLEX_STEP = 0.1      # Nelder-Mead's first simplex: 10% of each searched range from the start
CHI2_90 = float(chi2.ppf(0.90, 1))  # 2.71: loss increase bounding a one-parameter 90% interval
SIGNIFICANT = 3         # digits kept of a fitted value (far finer than its interval); refit there
IDENTIFIED_SHARE = 0.5  # identified: the 90% interval spans less than half the searched range


@dataclass
class Calibration:
    """A finished fit: parameter values with approximate uncertainty, and the fit per target."""

    spec: Spec
    best: Evaluation
    parameters: pd.DataFrame      # name, value, search range, prior, 90% interval, identified
    fit: pd.DataFrame             # one row per target
    evaluations: int
    history: pd.DataFrame
    method: str

    @property
    def loss(self) -> float:
        return self.best.loss

    @property
    def data_loss(self) -> float:
        return self.best.data_loss


def calibrate(targets: str | Path | Spec | None = None, executor: Executor | None = None,
              progress: bool | None = False, folder: str | Path | None = None, **overrides: Any) -> Calibration:
    """Fit the file's parameters to its targets (see experiments/calibration/__init__.py).

    Every evaluation runs on `executor` (kept open for the whole fit), or on one local pool that
    ends with the fit. overrides: fit (list of names), scale, replicates, seed, initial_points,
    max_evaluations, design_seed - replacing the file's [calibration] settings, e.g. for a quick trial."""
    fit, region = overrides.pop("fit", None), overrides.pop("region", None)
    spec = targets if isinstance(targets, Spec) else load_targets(targets, fit, region, **overrides)
    with using(executor) as running:
        objective = Objective(spec, running, progress, folder)
        with objective.writing():
            return _fit(spec, objective)


def _fit(spec: Spec, objective: Objective) -> Calibration:
    start = _initial_search(spec, objective)
    best = _nelder_mead(spec, objective, start)
    rounded = {n: float(f"{v:.{SIGNIFICANT}g}") for n, v in best.values.items()}
    final = _keep_runs(objective, objective.evaluate([rounded], keep_runs=True)[0])
    parameters = _uncertainty(spec, objective, final)
    s = spec.settings
    method = (f"{s.initial_points} scrambled Sobol points, the current defaults and the priors, then "
              f"bounded Nelder-Mead (scipy.optimize.minimize, at most {s.max_evaluations} evaluations); "
              f"{s.replicates} replicates at scale {s.scale:g} with common random numbers; weak prior "
              f"at the hand-set defaults, sd {s.prior_sd:g} of each searched range")
    history = pd.DataFrame([{**e.values, "loss": e.loss, "data_loss": e.data_loss} for e in objective.history])
    return Calibration(spec, final, parameters, fit_table(spec, final), len(objective.history),
                       history, method)


def _initial_search(spec: Spec, objective: Objective) -> Evaluation:
    """The best of the current defaults, the priors and a scrambled Sobol design, in one batch."""
    current = {n: clip(PARAMETERS[n].default, spec.settings.fit[n]) for n in spec.names}
    points = [current, spec.prior()]
    n = spec.settings.initial_points
    if n:
        sobol = qmc.Sobol(d=len(spec.names), scramble=True, rng=np.random.default_rng(spec.settings.design_seed))
        points += [spec.to_values(u) for u in sobol.random(n)]
    return min(objective.evaluate(points), key=lambda e: e.loss)


def _nelder_mead(spec: Spec, objective: Objective, start: Evaluation) -> Evaluation:
    budget = spec.settings.max_evaluations
    if budget == 0:
        return start
    x0 = spec.to_unit(start.values)
    simplex = [x0] + [_step(x0, i, SIMPLEX_STEP) for i in range(len(x0))]
    optimize.minimize(objective, x0, method="Nelder-Mead", bounds=[(0, 1)] * len(x0),
                      options={"initial_simplex": np.array(simplex), "maxfev": budget,
                               "xatol": 1e-3, "fatol": 1e-3})
    return min(objective.history, key=lambda e: e.loss)


def _step(x: np.ndarray, i: int, size: float) -> np.ndarray:
    """x moved by `size` along axis i, away from the nearer bound."""
    out = x.copy()
    out[i] = x[i] + size if x[i] + size <= 1 else x[i] - size
    return out


def _keep_runs(objective: Objective, evaluation: Evaluation) -> Evaluation:
    """The best evaluation with its baseline runs kept (for the plot): rerun if cached without."""
    if evaluation.baseline_runs is not None:
        return evaluation
    objective.forget(evaluation.values)
    return objective.evaluate([evaluation.values], keep_runs=True)[0]


def _uncertainty(spec: Spec, objective: Objective, best: Evaluation) -> pd.DataFrame:
    """Approximate 90% intervals of what the targets allow: the range of each parameter over every
    evaluated point whose data loss (the prior left out) is within the chi-square(1) 90% quantile
    of the smallest (a likelihood-ratio set, reading tolerances as one standard deviation).
    Besides the initial design and the optimiser's path,
    each parameter is scanned over its searched range with the others at the optimum, so a
    parameter that only range targets constrain gets the sub-range where they hold."""
    n = spec.settings.profile_points
    x = spec.to_unit(best.values)
    scans = [spec.to_values(_set(x, i, u)) for i in range(len(x)) for u in np.linspace(0, 1, n)] if n else []
    objective.evaluate(scans)
    near = pd.DataFrame([{**e.values, "data_loss": e.data_loss} for e in objective.history])
    near = near[near["data_loss"] <= near["data_loss"].min() + CHI2_90]
    rows = []
    for name in spec.names:
        low, high = spec.settings.fit[name]
        lo90, hi90 = float(near[name].min()), float(near[name].max())
        rows.append({"name": name, "value": best.values[name], "search_low": low, "search_high": high,
                     "prior": PRIORS[name], "low90": lo90, "high90": hi90,
                     "identified": bool(hi90 - lo90 < IDENTIFIED_SHARE * (high - low))})
    return pd.DataFrame(rows)


def _set(x: np.ndarray, i: int, value: float) -> np.ndarray:
    out = x.copy()
    out[i] = value
    return out
