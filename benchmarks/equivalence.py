"""Does the array model implement the plain rules? Compare it with the object-per-agent reference.

Both run the same informal rules from the same month 0 (benchmarks/reference_model.py; the
array model with REFERENCE_RULES). Their random numbers differ, so they agree in distribution:
for each count (active, aware, registered informal workers) at each checkpoint month, the mean
over reference runs must lie within sampling error of the mean over model runs.

The sampling error comes from the model runs: with seeds 1..n each run has its own population and
draws, so the spread of a count over those runs is the spread any run of either implementation
has if they are equivalent. The z-score of a difference of means is then
    z = (mean_reference - mean_model) / (sd_model * sqrt(1 / n_reference + 1 / n_model)),
and the comparison fails when any |z| exceeds the Bonferroni bound for a family-wise false alarm
rate `alpha` over all counts and checkpoints.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks.plan import REFERENCE_RULES
from benchmarks.reference_model import InformalWorker, ReferenceModel
from model import EnrollmentModel

COUNTS = ("active", "aware", "registered")


def model_counts(model: EnrollmentModel) -> dict[str, int]:
    """The array model's informal counts now, in the reference's terms."""
    pop = model.pop
    informal = pop.informal()
    return {"active": int(np.count_nonzero(pop.inf_active)),
            "aware": int(np.count_nonzero(pop.aware & informal)),
            "registered": int(np.count_nonzero(pop.registered & informal))}


def model_trajectory(scale: float, seed: int, horizon: str) -> pd.DataFrame:
    """Counts by month (rows 0..n_months) of the array model with the reference rules."""
    model = EnrollmentModel(scale=scale, seed=seed, horizon=horizon, **REFERENCE_RULES)
    rows = [model_counts(model)]
    while model.running:
        model.step()
        rows.append(model_counts(model))
    return pd.DataFrame(rows[:model.n_months + 1])


def reference_trajectory(scale: float, seed: int, horizon: str,
                         worker_class: type[InformalWorker] = InformalWorker) -> pd.DataFrame:
    """Counts by month of the reference built from the array model's month 0 (same seed)."""
    model = EnrollmentModel(scale=scale, seed=seed, horizon=horizon, **REFERENCE_RULES)
    reference = ReferenceModel.from_model(model, seed=seed, worker_class=worker_class).run()
    return reference.results()[list(COUNTS)].reset_index(drop=True)


def z_scores(reference_runs: list[pd.DataFrame], model_runs: list[pd.DataFrame],
             months: list[int]) -> pd.DataFrame:
    """z of the difference of mean counts (reference - model), one row per checkpoint month."""
    ref = np.stack([run.loc[months, list(COUNTS)].to_numpy(float) for run in reference_runs])
    mod = np.stack([run.loc[months, list(COUNTS)].to_numpy(float) for run in model_runs])
    error = mod.std(axis=0, ddof=1) * np.sqrt(1 / len(ref) + 1 / len(mod))
    z = (ref.mean(axis=0) - mod.mean(axis=0)) / error
    return pd.DataFrame(z, index=pd.Index(months, name="month"), columns=list(COUNTS))


def critical_z(n_checks: int, alpha: float) -> float:
    """Two-sided Bonferroni bound: |z| above it for any check has probability <= alpha."""
    return float(stats.norm.isf(alpha / (2 * n_checks)))
