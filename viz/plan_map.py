"""The recommended plan on the regency map (Plan page): each regency's expected yearly subsidy
spend from its own budget (the `expected_spend_year_idr` column of optimize's by_regency
table), on the region's real boundaries, the value on hover and the boundaries' attribution
under the map (experiments/regency_map.py draws it, as on Compare and in the HTML report).

Plain Python (no Solara): the page shows the figure with viz/charts.Plot.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from experiments import optimize as opt
from experiments.i18n import N_, translator
from viz import backend, charts

TITLE = N_("Plan {plan}: expected subsidy spend a year by regency")
BAR_TITLE = N_("billion rupiah a year")


def has_map(table: pd.DataFrame | None) -> bool:
    """Whether the by_regency table carries what the map draws (the search measured the spend)."""
    return table is not None and not table.empty and opt.EXPECTED_SPEND in table


def plan_spend_figure(table: pd.DataFrame, region: str, plan: int, month: str, lang: str = "en") -> go.Figure:
    """The map of one plan's expected yearly spend per regency of `region` (a province or the
    office: its provinces' regencies together)."""
    if not has_map(table):
        raise ValueError(f"by_regency: no {opt.EXPECTED_SPEND} column to draw")
    t = translator(lang)
    name = t("plan {plan}", plan=plan)
    drawn = pd.DataFrame({"scenario": name, "month": month, "replicate": 0, "regency": table["regency"],
                          "spend_idr": table[opt.EXPECTED_SPEND].astype(float)})
    places, shapes = backend.region_places(region)
    fig = charts.regency_choropleth_figure(drawn, places, shapes, month, name, "spend", baseline=name, lang=lang)
    fig.update_layout(title_text=t(TITLE, plan=plan))
    fig.data[-1].marker.colorbar.title = t(BAR_TITLE)
    return fig
