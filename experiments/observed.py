"""Observed coverage points of a region (issue 22 item 2), and their overlay on a coverage chart.

The points come from the region's history.toml `[[observed]]` entries and its targets.toml
calibration targets (`[[month0]]` coverage and `[[coverage]]`, both province-wide). A point
without a coverage but with `active` and `denominator` gets active / denominator (its source
says so); a point with neither is skipped. Two points of one month and scope are one: the
calibration target's value is kept (it is on the model's base) and the sources are joined. For
the Kanwil each province's own points are returned, with `region` naming it: no office-wide
figure is ever made up from them.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from experiments.i18n import Translator
from experiments.office import OFFICE, provinces
from model import data
from model.data.region import Region

COLUMNS = ["month", "coverage", "source", "scope", "region"]
PROVINCE = "province"
REGENCIES = "regencies"      # scope: every regency's points (each row's `scope` names its regency)
COMPUTED = "computed from active / denominator"
MARKER = {"symbol": "diamond", "size": 10, "color": "black", "line": {"color": "white", "width": 1}}


def points(region_id: str, scope: str = PROVINCE) -> pd.DataFrame:
    """The observed coverage points of `region_id` ("kanwil": each province's) in `scope`
    ("province", a regency's name, or REGENCIES: every regency's), sorted by month, with columns COLUMNS."""
    ids = provinces() if region_id == OFFICE else [region_id]
    frames = [region_points(data.load(r), scope) for r in ids]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def decision_month(region_id: str) -> str:
    """The region's default decision month (the Kanwil: its provinces' latest), until the
    scenario's own run field is wired here."""
    ids = provinces() if region_id == OFFICE else [region_id]
    return max(data.load(r).decision_month for r in ids)


def region_points(region: Region, scope: str = PROVINCE) -> pd.DataFrame:
    """One region's points in `scope` (see the module's docstring)."""
    found: dict[tuple[str, str], dict] = {}
    for point in _history_points(region):
        _merge(found, point, prefer=False)
    for point in _target_points(region):
        _merge(found, point, prefer=True)
    rows = [p for p in found.values() if p["scope"] == scope or (scope == REGENCIES and p["scope"] != PROVINCE)]
    frame = pd.DataFrame(rows, columns=COLUMNS).assign(region=region.id)
    return frame.sort_values("month", kind="stable").reset_index(drop=True)


def _history_points(region: Region):
    for entry in region.history.get("observed", []):
        coverage, source = entry.get("coverage"), str(entry.get("source", ""))
        active, denominator = entry.get("active"), entry.get("denominator")
        if coverage is None and active is not None and denominator:
            coverage, source = active / denominator, f"{source} ({COMPUTED})"
        if coverage is None or "month" not in entry:
            continue
        yield {"month": str(entry["month"]), "coverage": float(coverage), "source": source,
               "scope": str(entry.get("scope", PROVINCE))}


def _target_points(region: Region):
    for entry in region.targets.get("month0", []):
        if entry.get("name") == "coverage" and "value" in entry:
            yield {"month": region.data_set().month0, "coverage": float(entry["value"]),
                   "source": str(entry.get("source", "")), "scope": PROVINCE}
    for entry in region.targets.get("coverage", []):
        if "month" in entry and "value" in entry:
            yield {"month": str(entry["month"]), "coverage": float(entry["value"]),
                   "source": str(entry.get("source", "")), "scope": PROVINCE}


def _merge(found: dict, point: dict, prefer: bool) -> None:
    """Adds `point`; one already there for its month and scope keeps its place, the sources
    joined, and takes the new value when `prefer` (a calibration target)."""
    key = (point["month"], point["scope"])
    old = found.get(key)
    if old is None:
        found[key] = point
        return
    if point["source"] and point["source"] not in old["source"]:
        old["source"] = f"{old['source']}; {point['source']}" if old["source"] else point["source"]
    if prefer:
        old["coverage"] = point["coverage"]


# ------------------------------------------------------------------------------ on a chart
def overlay(fig: go.Figure, observed: pd.DataFrame | None, month_labels: list[str], t: Translator,
            decision_month: str | None = None, scale: float = 100, note: bool = True, showlegend: bool = True,
            **where) -> None:
    """The observed points inside the chart's months as black diamonds (hover: month, coverage,
    scope, source), a note on the months after the last one (the band there is the model
    ensemble's alone) and the decision month as a labelled vertical line."""
    if observed is not None and not observed.empty:
        shown = observed[observed["month"].isin(month_labels)]
        if not shown.empty:
            text = [t("Observed, {month}: {coverage} ({scope}{region}). Source: {source}", month=t.month(m),
                      coverage=t.percent(c), scope=t("province") if s == PROVINCE else s,
                      region=f", {r}" if len(set(shown["region"])) > 1 else "", source=src)
                    for m, c, s, r, src in zip(shown["month"], shown["coverage"], shown["scope"],
                                               shown["region"], shown["source"], strict=True)]
            y = [float(c) * scale for c in shown["coverage"]]      # plain numbers: readable in the report
            fig.add_trace(go.Scatter(x=[t.month(m) for m in shown["month"]], y=y, mode="markers",
                                     name=t("Observed (source in hover)"), text=text,
                                     hovertemplate="%{text}<extra></extra>", marker=MARKER,
                                     legendgroup="observed", showlegend=showlegend,
                                     meta={"observed": list(shown["month"])}), **where)
            last = max(shown["month"])
            if note and last != month_labels[-1]:
                fig.add_annotation(x=t.month(last), y=1, yref="paper", xanchor="left", yanchor="bottom",
                                   showarrow=False, font={"size": 11, "color": "#444"},
                                   text=t("No observed figure after {month}: after it the band is the model "
                                          "ensemble's", month=t.month(last)), name="observed-note")
    if decision_month and decision_month in month_labels:
        fig.add_vline(x=month_labels.index(decision_month), line={"color": "#444", "dash": "dash", "width": 1},
                      annotation_text=t("Decision month"), annotation_position="bottom right")
