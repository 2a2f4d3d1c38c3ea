"""The fit plot (docs/calibration_fit.png): baseline coverage against the coverage targets, and
every target's simulated value against its tolerance or range. Drawn on a figure with its own Agg
canvas (report.figure), so plotting never changes matplotlib's global backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.calibration.fit import Calibration
from experiments.layout import calibration_plot
from experiments.report import figure


def plot(calibration: Calibration, path: str | Path | None = None) -> Path:
    """Baseline coverage over time (mean and 90% band of the replicates) against the coverage
    targets, and every target's simulated value against its tolerance or range."""
    fig, (left, right) = figure((14, 6.5), 1, 2, gridspec_kw={"width_ratios": [1, 1]})
    _coverage_panel(left, calibration)
    _targets_panel(right, calibration)
    fig.suptitle(f"Calibration ({calibration.spec.region}): status-quo baseline at the fitted values "
                 "versus the targets")
    fig.tight_layout()
    path = Path(path) if path is not None else calibration_plot(calibration.spec.region)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


def _coverage_panel(ax: Any, calibration: Calibration) -> None:
    runs = calibration.best.baseline_runs
    if runs is None:
        raise ValueError("the fit's best evaluation has no baseline runs to plot (calibrate keeps them)")
    by_month = runs.groupby("month")["coverage"]
    x = pd.to_datetime(by_month.mean().index)
    ax.plot(x, 100 * by_month.mean(), color="C0", label="baseline, mean of replicates")
    ax.fill_between(x, 100 * by_month.quantile(0.05), 100 * by_month.quantile(0.95), color="C0",
                    alpha=0.2, label="90% of replicates")
    for t in calibration.spec.targets:
        point = t.point()
        if t.kind in ("coverage", "month0") and t.read["output"] == "coverage" and point is not None:
            ax.errorbar(pd.to_datetime(t.read["month"]), 100 * point[0], yerr=100 * point[1], fmt="o",
                        color="black" if t.fitted else "grey", capsize=4)
    ax.plot([], [], "o", color="black", label="published figure ± tolerance")
    ax.set(ylabel="% of eligible workers active", xlabel="month", title="Provincial coverage")
    ax.tick_params(axis="x", labelrotation=30)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")


def _targets_panel(ax: Any, calibration: Calibration) -> None:
    fit = calibration.fit
    spec = {t.name: t for t in calibration.spec.targets}
    y = np.arange(len(fit))[::-1]
    ax.barh(y, 2, left=-1, color="#dddddd", height=0.6, label="tolerance or range")
    positions = [spec[name].position(x) for name, x in zip(fit["target"], fit["simulated"], strict=True)]
    colours = ["C2" if w else "C3" for w in fit["within"]]
    ax.scatter(np.clip(positions, -3, 3), y, color=colours, zorder=3, label="simulated")
    labels = [f"{row.target}{'' if row.fitted else ' (check)'}\n{_describe(row)}" for row in fit.itertuples()]
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlim(-3, 3)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set(xlabel="(simulated - centre) / half-width (clipped at ±3)", title="Every target")
    ax.grid(alpha=0.3, axis="x")


def _describe(row: Any) -> str:
    if pd.notna(row.value):
        return f"{row.simulated:,.4g} vs {row.value:,.4g} ± {row.tolerance:,.3g}"
    return f"{row.simulated:,.3g}, range [{row.min:g}, {row.max:g}]"
