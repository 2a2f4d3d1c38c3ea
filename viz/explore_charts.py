"""Figures for the explore page: one live EnrollmentModel, redrawn after each step.

Pure functions of the model's own tables (results() and regency_table()), so they are tested
without a browser like viz/charts.py.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from viz.charts import _figure, colour


def status(model) -> dict[str, str]:
    """The headline numbers of the current month, formatted for the page."""
    row = model.results().iloc[-1]
    return {
        "Month": str(row["month"]),
        "Coverage": f"{row['coverage']:.1%}",
        "Active participants": f"{row['active']:,.0f}",
        "Perisai agents active": f"{row['perisai_agents_active']:,.0f}",
        "Perisai visits this month": f"{row['perisai_visits']:,.0f}",
        "New via Perisai this month": f"{row['new_via_perisai']:,.0f}",
        "Villages active": f"{row['villages_active']:,.0f}",
    }


def _x(results: pd.DataFrame):
    return range(len(results))


def coverage_so_far(results: pd.DataFrame, target: float) -> Figure:
    """Total, formal and informal coverage from month 0 to now."""
    fig = _figure(6.5, 3.6)
    ax = fig.subplots()
    for i, (column, label) in enumerate([("coverage", "total"), ("coverage_formal", "formal"),
                                         ("coverage_informal", "informal")]):
        ax.plot(_x(results), results[column] * 100, color=colour(i), label=label)
    ax.axhline(target * 100, color="black", linestyle="--", linewidth=1, label=f"target {target:.0%}")
    ax.set_xlabel(f"months since {results['month'].iloc[0]} (now {results['month'].iloc[-1]})")
    ax.set_ylabel("% of workers")
    ax.set_title("Coverage")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    return fig


def perisai_activity(results: pd.DataFrame) -> Figure:
    """Perisai agents active, their visits and the workers they enrolled, month by month."""
    fig = _figure(6.5, 3.6)
    ax = fig.subplots()
    ax.plot(_x(results), results["perisai_agents_active"], color=colour(0), label="agents active")
    ax.set_ylabel("agents", color=colour(0))
    right = ax.twinx()
    right.plot(_x(results), results["perisai_visits"] / 1000, color=colour(1), label="visits")
    right.plot(_x(results), results["new_via_perisai"] / 1000, color=colour(2), label="new participants")
    right.set_ylabel("thousand workers per month")
    ax.set_xlabel("months since start")
    ax.set_title("Perisai agents' activity")
    right.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    return fig


def regency_now(regency_table: pd.DataFrame, target: float) -> Figure:
    """Coverage by regency in the latest month, ranked."""
    month = regency_table["month"].iloc[-1]
    now = regency_table[regency_table["month"] == month].sort_values("coverage")
    fig = _figure(6.5, 5)
    ax = fig.subplots()
    ax.barh([str(r).removeprefix("Kota ") for r in now["regency"]], now["coverage"] * 100,
            color=colour(0))
    ax.axvline(target * 100, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel("% of workers")
    ax.set_title(f"Coverage by regency, {month}")
    ax.tick_params(axis="y", labelsize=8)
    return fig
