"""Plotting a sweep's output against the swept inputs (the app and the report), and what the
report says of a partial sweep."""

import numpy as np
import pytest

from experiments.runner import Results
from viz import backend, charts
from viz import sweep_folders as folders


def test_sweep_folder_opens_with_its_factors(sweep_folder):
    results = Results.load(sweep_folder)
    assert backend.sweep_factors(results) == ["perisai_agents", "stop_rate"]
    summary = results.summary()
    assert len(summary) == 8 and {"perisai_agents", "stop_rate", "coverage_mean"} <= set(summary.columns)


def test_sweep_figure_draws_every_point_and_names_the_best_and_worst(sweep_folder):
    summary = Results.load(sweep_folder).summary()
    fig = charts.sweep_figure(summary, "perisai_agents", "coverage_mean", "stop_rate")
    policies = summary[summary["scenario"] != "baseline"].reset_index(drop=True)
    points = fig.data[0]
    assert len(points.x) == len(policies) == 4  # every policy point, none dropped
    assert np.allclose(points.x, policies["perisai_agents"]) and np.allclose(points.y, 100 * policies["coverage_mean"])
    assert np.allclose(points.marker.color, policies["stop_rate"]) and points.marker.showscale  # second input
    # the baseline keeps its own levers: against a lever it is a line, never points at swept values
    line = fig.data[1]
    assert line.mode == "lines" and line.name.startswith("baseline (its own levers")
    base = summary[summary["scenario"] == "baseline"]
    assert line.y[0] == pytest.approx(100 * base["coverage_mean"].mean())
    best, worst = policies["coverage_mean"].idxmax(), policies["coverage_mean"].idxmin()
    highlighted = {trace.name.split(":")[0]: trace for trace in fig.data[2:]}
    assert set(highlighted) == {"best", "worst"}
    assert highlighted["best"].y[0] == pytest.approx(100 * policies.loc[best, "coverage_mean"])
    assert highlighted["worst"].y[0] == pytest.approx(100 * policies.loc[worst, "coverage_mean"])
    assert f"{policies.loc[best, 'coverage_mean']:.1%}" in highlighted["best"].name
    assert "baseline" not in highlighted["best"].name + highlighted["worst"].name
    spend = charts.sweep_figure(summary, "stop_rate", "spend_idr_mean")  # less spend is better
    # against an uncertain parameter the baseline's points are drawn (it used those values), hollow
    assert len(spend.data[0].x) == 4 and len(spend.data[1].x) == 4 and spend.data[1].marker.color == "white"
    best_spend = {t.name.split(":")[0]: t for t in spend.data[2:]}["best"]
    assert best_spend.y[0] == summary["spend_idr_mean"].min()
    assert spend.layout.xaxis.title.text == "stop_rate"


@pytest.mark.parametrize("lang, name, value, text", [
    ("id", "perisai_agents", 2785.4318243177, "2.785"), ("en", "perisai_agents", 2785.4318243177, "2,785"),
    ("id", "stop_rate", 0.073421, "0,0734"), ("en", "perisai_visit_effect", 2.85431, "2.85"),
    ("id", "villages_per_month", 45.6, "46"), ("en", "village_monthly_cost_idr", 1_234_567.8, "Rp 1.2 m"),
    ("id", "not_a_setting", 0.123456, "0,123"), ("en", "stop_rate", float("nan"), "–")])
def test_swept_values_have_their_units_precision(lang, name, value, text):
    from experiments.figures import setting_text
    from experiments.i18n import translator

    assert setting_text(name, value, translator(lang)) == text


def test_best_and_worst_labels_are_formatted_in_the_sessions_language(sweep_folder):
    summary = Results.load(sweep_folder).summary()
    summary["perisai_agents"] = summary["perisai_agents"] + 0.4318243177  # an LHS-like value
    fig = charts.sweep_figure(summary, "perisai_agents", "coverage_mean", "stop_rate", lang="id")
    names = [trace.name for trace in fig.data[2:]]
    assert names and all(",4318" not in name and "agen Perisai = " in name for name in names)
    assert any(name.startswith("terbaik: market_ecosystem, agen Perisai = 2.000") for name in names)


def test_an_empty_folder_names_what_is_missing(tmp_path):
    with pytest.raises(folders.SweepPageError, match="no manifest.json"):
        folders.open_sweep(tmp_path)


def test_a_partial_sweep_is_called_partial_by_the_report_and_the_cli(sweep_folder, tmp_path):
    import json
    import shutil

    from typer.testing import CliRunner

    from experiments import html_report, report
    from experiments.cli import app
    from experiments.i18n import translator
    from experiments.runner import Results

    folder = tmp_path / "partial"
    shutil.copytree(sweep_folder, folder)
    complete = Results.load(folder)
    assert html_report.points_complete(complete) == (4, 4, 8, 8) and report.design_progress(complete) == ""
    manifest = json.loads((folder / "manifest.json").read_text())
    for run in manifest["runs"]:
        if run["point"] >= 2 and run["scenario"] == "market_ecosystem":
            (folder / "outputs" / f"{run['key']}.parquet").unlink()
    partial = Results.load(folder)
    assert html_report.points_complete(partial) == (2, 4, 6, 8)
    assert report.design_progress(partial).startswith("note: partial sweep: 2 of 4 design points complete (6 of 8")
    facts = dict(html_report.facts(partial, translator("id")))
    assert facts["Titik desain lengkap"].startswith("2 dari 4 (6 dari 8 simulasi) sebagian")
    result = CliRunner().invoke(app, ["report", str(folder), "--into", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "note: partial sweep: 2 of 4 design points complete" in result.output
