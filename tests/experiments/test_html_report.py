"""`cakupan report`: the self-contained HTML report and charts that never drop a series."""

import html
import json
import re

import pytest
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from experiments import cli, figures, html_report, report, run, sweep
from experiments.executors import SerialExecutor
from experiments.runner import Results

SIXTEEN_POINTS = """
name = "sixteen"
scenarios = ["market_ecosystem", "baseline"]
replicates = 1
seed = 3
scale = 0.003
horizon = "2025-06"
decision_month = "none"
design = "grid"

[factors.perisai_agents]
values = [100, 400, 800, 1200, 1600, 2000, 3000, 4000]
"""


@pytest.fixture(scope="module")
def comparison_dir(tmp_path_factory):
    """A comparison folder as `cakupan run --out` writes it, one scenario named with markup."""
    from experiments.scenario import load_scenario

    out = tmp_path_factory.mktemp("cmp") / "results"
    odd = load_scenario("market_ecosystem").model_copy(update={"name": "<script>alert(1)</script>"})
    run(["baseline", odd], replicates=2, seed=5, scale=0.003, horizon="2025-06", decision_month="none",
        executor=SerialExecutor(), progress=False, out=out)
    return out


@pytest.fixture(scope="module")
def comparison(comparison_dir):
    return Results.load(comparison_dir)


@pytest.fixture(scope="module")
def sixteen(tmp_path_factory):
    root = tmp_path_factory.mktemp("sixteen")
    (root / "sweep.toml").write_text(SIXTEEN_POINTS, encoding="utf-8")
    sweep(root / "sweep.toml", out=root / "results", executor=SerialExecutor(), progress=False)
    return Results.load(root / "results")


def figure_data(page: str) -> list[list[dict]]:
    """The traces of every chart in a report page, as plotly.js receives them."""
    calls = re.findall(r'Plotly\.newPlot\(\s*"chart-\d+",\s*(\[.*?\]),\s*\{', page, flags=re.S)
    return [json.loads(call) for call in calls]


def test_the_report_carries_everything_to_redo_the_comparison_and_loads_nothing(comparison):
    page = html_report.render(comparison, target_month="2025-06")
    manifest = comparison.manifest
    assert manifest["code_version"] in page
    for seed in {r["seed"] for r in manifest["runs"]}:
        assert str(seed) in page
    assert "<dd>0.003</dd>" in page and "<dd>office-2024-08</dd>" in page  # scale and data set as run
    for text in manifest["scenarios"].values():  # every scenario's TOML, as text
        assert html.escape(text) in page
    assert "<script>alert(1)</script>" not in page  # a name is data, never markup
    assert page.count(get_plotlyjs()) == 1  # plotly.js inlined, once
    ours = page.replace(get_plotlyjs(), "")
    assert "http://" not in ours and "https://" not in ours  # no link out (browser test: no request)
    # 5 charts, the regencies with an observed figure, and the regency maps: coverage, the change and spend
    assert page.count('class="js-plotly-plot"') == 0 and len(figure_data(page)) == 9


def test_the_report_table_and_charts_agree_and_share_colours(comparison):
    page = html_report.render(comparison, target_month="2025-06")
    summary = comparison.summary("2025-06")
    baseline = summary[summary["scenario"] == "baseline"].iloc[0]
    assert f"{baseline['coverage_mean']:.1%}" in page
    coverage = figure_data(page)[0]
    line = next(t for t in coverage if t.get("name") == "baseline" and t.get("hovertemplate"))
    assert f"baseline, Jun 2025: {baseline['coverage_mean']:.1%} " in line["text"][-1]
    assert line["line"]["color"] == figures.BASELINE_COLOUR
    assert f'data-colour="{figures.BASELINE_COLOUR}"' in page  # the table's swatch


def test_the_report_coverage_chart_shows_the_observed_points_with_their_sources(comparison):
    page = html_report.render(comparison, target_month="2025-06")
    observed = next(t for t in figure_data(page)[0] if t.get("name") == "Observed (source in hover)")
    # South Sumatra to Jun 2025: month 0 (2024-08) and the figures of 2024-09 and 2025-04 (2025-08 is after the run)
    assert observed["x"] == ["Aug 2024", "Sep 2024", "Apr 2025"] and observed["mode"] == "markers"
    assert observed["y"] == pytest.approx([34.0, 32.72, 36.7])
    assert "Sriwijaya Media" in observed["text"][1] and "32.7%" in observed["text"][1]
    assert "No observed figure after Apr 2025: after it the band is the model ensemble" in page
    # the regency section: OKU Selatan's two figures to Jun 2025, against the baseline's band there
    assert "Regencies: observed and simulated" in page
    regencies = next(data for data in figure_data(page)
                     if any(t.get("name") == "baseline, OKU Selatan" for t in data))
    points = next(t for t in regencies if t.get("name") == "Observed (source in hover)")
    assert points["x"] == ["Dec 2024", "Apr 2025"] and points["y"] == pytest.approx([39.0, 25.77])
    assert "BPJS TK OKU Raya" in points["text"][1] and "OKU Selatan" in points["text"][1]
    indonesian = html_report.render(comparison, target_month="2025-06", lang="id")
    assert any(t.get("name") == "Teramati (sumber saat kursor di atas titik)" for t in figure_data(indonesian)[0])


def test_the_report_speaks_indonesian(comparison):
    page = html_report.render(comparison, target_month="2025-06", lang="id")
    assert "Ringkasan" in page and "Cakupan Jun 2025" in page and "lang='id'" in page
    assert re.search(r"Rp \d+(,\d)? (miliar|juta)", page)
    # its facts in the language too: the scale with a decimal comma, the time as a date, not ISO
    assert "<dd>0,003</dd>" in page and "<dd>0.003</dd>" not in page
    created = comparison.manifest["created"]
    assert created not in page and re.search(r"<dd>\d{1,2} \w{3} \d{4}, \d{2}[.:]\d{2} UTC</dd>", page)


def test_the_report_says_what_two_replicates_cannot_tell(comparison):
    page = html_report.render(comparison, target_month="2025-06", lang="id")
    assert "class='small-sample'" in page and "Dengan 2 ulangan per skenario" in page


def test_sixteen_series_are_all_drawn_best_and_worst_coloured(sixteen, tmp_path):
    summary = sixteen.summary("2025-06")
    assert len(summary) == 16
    paths = report.write(sixteen, tmp_path, target_month="2025-06")
    assert {p.name for p in paths} >= {"coverage.png", "spend.png", "report.html", "factors.png"}
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    coverage = figure_data(page)[0]
    lines = [t for t in coverage if t.get("hovertemplate") and t["mode"] == "lines"]   # not the observed points
    drawn = {t["name"] for t in lines}
    labels = set(figures.series_labels(summary, sixteen.by))
    assert drawn == labels  # every series, the best included
    best = summary.loc[summary["coverage_mean"].idxmax()]
    best_label = f"{best['scenario']}, {best['point']}"
    assert next(t for t in coverage if t.get("name") == best_label and t.get("hovertemplate"))["line"]["color"] \
        == figures.BEST_COLOUR
    colours = [t["line"]["color"] for t in lines]
    assert len(set(colours) - {figures.OTHER_COLOUR}) == len([c for c in colours if c != figures.OTHER_COLOUR])
    assert "first 12" not in page


def test_cli_report_writes_the_html_report_in_the_chosen_language(comparison_dir, tmp_path):
    result = CliRunner().invoke(cli.app, ["report", str(comparison_dir), "--target-month", "2025-06",
                                          "--into", str(tmp_path), "--lang", "id"])
    assert result.exit_code == 0, result.output
    assert "Ringkasan" in (tmp_path / "report.html").read_text(encoding="utf-8")
    bad = CliRunner().invoke(cli.app, ["report", str(comparison_dir), "--lang", "fr"])
    assert bad.exit_code == 2 and "en, id" in bad.output
