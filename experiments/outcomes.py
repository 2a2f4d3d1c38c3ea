"""The scalar outcomes of a run, declared once (as EMA Workbench declares its ScalarOutcomes):
name, direction, unit, label, and how each is computed from the per-replicate rows that
`summary.per_replicate` makes of a run's tidy table. The summary, the optimiser, the figures
and the app read them from here, so "coverage at the month" or "cost per extra participant"
means one computation everywhere.

Pure declarations and arithmetic (numpy and pandas only): summary.py imports this module, so it
imports nothing of experiments/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd

Direction = Literal["maximise", "minimise"]
MAXIMISE: Final = "maximise"
MINIMISE: Final = "minimise"


def N_(message: str) -> str:
    """Marks a label for the catalog (experiments.i18n.N_; defined here so this module imports
    nothing of experiments/)."""
    return message


@dataclass(frozen=True)
class ScalarOutcome:
    """One number per run (replicate) and its mean over replicates.

    `column` is the per-replicate column it is read from (summary.per_replicate); `yearly`
    spreads a total from month 1 through the target month over a year."""

    name: str
    direction: Direction
    unit: str
    label: str
    column: str
    yearly: bool = False

    @property
    def better(self) -> str:
        """"max" or "min": which way is better (the summary table's best cell)."""
        return "max" if self.direction == MAXIMISE else "min"

    def per_replicate(self, rows: pd.DataFrame, n_months: int | None = None) -> np.ndarray:
        values = rows[self.column].to_numpy(float)
        return values * (12.0 / n_months) if self.yearly and n_months else values

    def mean(self, rows: pd.DataFrame, n_months: int | None = None) -> float:
        """The mean over replicates (a share of replicates for a yes/no column: P(target))."""
        if self.yearly and n_months:
            return float(rows[self.column].mean() * (12.0 / n_months))
        return float(rows[self.column].mean())


COVERAGE = ScalarOutcome("coverage", MAXIMISE, "share of eligible workers",
                         N_("coverage at the target month"), "coverage")
P_TARGET = ScalarOutcome("p_target", MAXIMISE, "share of replicates",
                         N_("P(target)"), "reached_target")
SPEND_YEAR = ScalarOutcome("spend_year_idr", MINIMISE, "rupiah a year",
                           N_("yearly spend"), "spend_idr", yearly=True)
EXTRA_ACTIVE = ScalarOutcome("extra_active", MAXIMISE, "active participants",
                             N_("extra active participants"), "extra_active")
COST_PER_EXTRA = ScalarOutcome("cost_per_additional_idr", MINIMISE, "rupiah per participant",
                               N_("cost per extra participant"), "cost_per_additional_idr")
OUTCOMES = {o.name: o for o in (COVERAGE, P_TARGET, SPEND_YEAR, EXTRA_ACTIVE, COST_PER_EXTRA)}


def cost_per_extra(extra_spend: pd.Series, extra_active: pd.Series) -> pd.Series:
    """Extra spend / extra active participants; undefined (NaN) where the scenario adds no
    active participant (extra active <= 0). Per replicate, or of the means over replicates."""
    return (extra_spend / extra_active).where(extra_active > 0)
