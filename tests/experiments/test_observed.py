"""Observed coverage points (experiments/observed.py) and their overlay on the coverage chart."""

import shutil

import pandas as pd
import plotly.graph_objects as go
import pytest

from experiments import figures, observed
from experiments.i18n import translator
from experiments.regency_observed import regency_observed_figure
from model import data
from model.data.region import from_folder

HISTORY = '''through = "2026-11"

[[observed]]
month = "2024-10"
scope = "province"
coverage = 0.30
source = "paper A"

[[observed]]
month = "2024-11"
scope = "province"
active = 300_000
denominator = 1_000_000
source = "paper B"

[[observed]]
month = "2024-12"
scope = "province"
denominator = 708_000
source = "a base without a count"

[[observed]]
month = "2025-04"
scope = "province"
coverage = 0.20
source = "paper C, on another base"

[[observed]]
month = "2025-01"
scope = "Lahat"
coverage = 0.41
source = "regency paper"
'''


@pytest.fixture
def region(tmp_path):
    folder = tmp_path / "sumsel"
    shutil.copytree(data.load("sumsel").folder, folder)
    (folder / "history.toml").write_text(HISTORY, encoding="utf-8")
    return from_folder(folder)


def test_points_compute_skip_and_merge_with_the_calibration_targets(region):
    frame = observed.region_points(region)
    assert list(frame.columns) == observed.COLUMNS
    # month 0 and the three targets (2024-09, 2025-04, 2025-08) plus 2024-10 and 2024-11 of the history
    assert list(frame["month"]) == ["2024-08", "2024-09", "2024-10", "2024-11", "2025-04", "2025-08"]
    by = frame.set_index("month")
    assert by.loc["2024-11", "coverage"] == pytest.approx(0.3)
    assert "computed from active / denominator" in by.loc["2024-11", "source"]
    assert "2024-12" not in by.index                      # neither a coverage nor active + denominator
    # the same month twice: the calibration target's value, both sources
    assert by.loc["2025-04", "coverage"] == pytest.approx(0.367)
    assert "paper C" in by.loc["2025-04", "source"] and "RMOL" in by.loc["2025-04", "source"]
    assert set(frame["region"]) == {"sumsel"} and set(frame["scope"]) == {"province"}


def test_a_regency_scope_has_only_its_own_points(region):
    frame = observed.region_points(region, "Lahat")
    assert list(frame["month"]) == ["2025-01"] and frame["coverage"].tolist() == [0.41]
    assert observed.region_points(region, "Nowhere").empty


def test_the_office_gets_each_province_points_and_no_office_figure():
    frame = observed.points("kanwil")
    assert set(frame["region"]) == {"sumsel", "jambi", "bengkulu"}
    for region_id in ("sumsel", "jambi", "bengkulu"):
        own = observed.points(region_id)
        assert own["month"].tolist() == frame[frame["region"] == region_id]["month"].tolist()
    # a regency of the real data
    assert observed.points("sumsel", "Musi Rawas")["coverage"].tolist() == [0.4594]


def _bands(months):
    return pd.DataFrame({"scenario": "baseline", "month": months, "mean": 0.35, "low": 0.3, "high": 0.4})


MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025, 2026, 2027) for m in range(1, 13)][7:]   # 2024-08 .. 2027-12


@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_coverage_chart_carries_the_observed_points_note_and_decision_month(lang):
    t = translator(lang)
    points = observed.points("sumsel")
    fig = figures.coverage_figure(_bands(MONTHS), {"baseline": "#6e6e6e"}, 0.5, "2027-12", lang,
                                  observed=points, decision_month="2027-01")
    trace = next(tr for tr in fig.data if tr.name == t("Observed (source in hover)"))
    assert trace.mode == "markers"
    assert list(trace.x) == [t.month(m) for m in ["2024-08", "2024-09", "2025-04", "2025-08"]]
    assert list(trace.y) == pytest.approx([34.0, 32.72, 36.7, 31.33])
    assert "Lahat Pos" in trace.text[-1] and t.percent(0.3133) in trace.text[-1] and t("province") in trace.text[-1]
    notes = [a.text for a in fig.layout.annotations]
    assert t("No observed figure after {month}: after it the band is the model ensemble's",
             month=t.month("2025-08")) in notes
    assert t("Decision month") in notes
    assert any(shape.x0 == MONTHS.index("2027-01") for shape in fig.layout.shapes)


def test_without_points_the_chart_is_as_before():
    plain = figures.coverage_figure(_bands(MONTHS), {"baseline": "#6e6e6e"}, 0.5, "2027-12")
    assert len(plain.data) == 3 and not plain.layout.annotations[1:]
    empty = go.Figure()
    observed.overlay(empty, observed.points("sumsel").iloc[0:0], MONTHS, translator("en"))
    assert not empty.data and not empty.layout.annotations


def _regency_table(names, months, scenario="baseline"):
    return pd.DataFrame([{"scenario": scenario, "replicate": r, "month": m, "regency": n, "coverage": 0.3 + 0.01 * r}
                         for n in names for m in months for r in range(3)])


def test_the_regency_chart_has_a_panel_per_regency_with_a_figure_in_the_run():
    table = _regency_table(["OKU Selatan", "Musi Rawas", "Lahat", "Muara Enim"], MONTHS[:12])   # to 2025-07
    fig = regency_observed_figure(table, "sumsel")
    assert [a.text for a in fig.layout.annotations] == ["OKU Selatan"]   # Musi Rawas: Aug 2025; Lahat: none
    points = [tr for tr in fig.data if tr.name == "Observed (source in hover)"]
    assert len(points) == 1 and list(points[0].x) == ["Dec 2024", "Apr 2025"]
    assert "BPJS TK OKU Raya" in points[0].text[0] and "OKU Selatan" in points[0].text[0]
    band = next(tr for tr in fig.data if tr.name == "baseline, OKU Selatan" and tr.hovertemplate)
    assert list(band.y) == pytest.approx([31.0] * 12)
    assert regency_observed_figure(_regency_table(["Lahat"], MONTHS[:12]), "sumsel") is None
    # a run without a baseline: the first scenario's band, in every province of the office
    office = regency_observed_figure(_regency_table(["OKU Selatan", "Bungo"], MONTHS[:6], "plan"), "kanwil", "id")
    assert [a.text for a in office.layout.annotations] == ["Bungo", "OKU Selatan"]
    assert any(tr.name == "plan, Bungo" for tr in office.data)
    assert any(tr.name == "Teramati (sumber saat kursor di atas titik)" for tr in office.data)
