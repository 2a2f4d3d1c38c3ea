"""viz/plan_map.py: the recommended plan's expected yearly spend per regency on the map: every
regency of the region drawn with its value on hover, the attribution under the map."""

import pandas as pd
import pytest

from experiments import optimize as opt
from experiments.i18n import translator
from model import data
from viz import backend, plan_map


def recommended(region: str) -> pd.DataFrame:
    """A by_regency table as optimize writes it, each regency its own expected spend."""
    places, _ = backend.region_places(region)
    names = list(places["regency"])
    return pd.DataFrame({"regency": names, "subsidy_budget_idr": 2e10, "subsidy_budget_idr (status quo)": 1e10,
                         opt.EXPECTED_SPEND: [(i + 1) * 1e9 for i in range(len(names))]})


@pytest.mark.parametrize("region", ["jambi", "kanwil"])
def test_every_regency_of_the_region_is_drawn_with_its_value(region):
    table = recommended(region)
    fig = plan_map.plan_spend_figure(table, region, 12, "2025-12")
    filled = [t for t in fig.data if t.fill == "toself"]
    assert len(filled) == len(table)
    dots = fig.data[-1]
    t = translator("en")
    expected = {f"{r}: {t.rupiah(v)}" for r, v in zip(table["regency"], table[opt.EXPECTED_SPEND], strict=True)}
    assert set(dots.customdata) == expected and set(dots.text) == set(table["regency"])
    assert {t.text for t in filled} == expected
    assert fig.layout.title.text == "Plan 12: expected subsidy spend a year by regency"
    assert fig.data[-1].marker.colorbar.title.text == "billion rupiah a year"
    assert any("CC BY 3.0 IGO" in a.text for a in fig.layout.annotations)


def test_in_bahasa_indonesia():
    fig = plan_map.plan_spend_figure(recommended("jambi"), "jambi", 3, "2025-12", "id")
    assert fig.layout.title.text.startswith("Rencana 3: perkiraan belanja")
    assert "Kota Jambi: Rp " in " ".join(fig.data[-1].customdata) and "miliar" in fig.data[-1].customdata[0]
    assert fig.layout.annotations[0].text.startswith("Batas administrasi: BPS")
    assert "Kota Palembang" not in fig.data[-1].text


def test_a_table_without_the_expected_spend_draws_no_map():
    table = recommended("jambi").drop(columns=[opt.EXPECTED_SPEND])
    assert not plan_map.has_map(table) and not plan_map.has_map(None)
    assert plan_map.has_map(recommended("bengkulu"))
    with pytest.raises(ValueError, match="expected_spend_year_idr"):
        plan_map.plan_spend_figure(table, "jambi", 1, "2025-12")
    assert len(recommended("bengkulu")) == len(data.regencies("bengkulu"))
