"""Opening a sweep results folder and plotting an output against the swept inputs."""

import numpy as np
import pytest

from viz import backend, charts


def test_sweep_folder_opens_with_its_factors(sweep_folder):
    results = backend.load_sweep_results(str(sweep_folder))
    assert backend.sweep_factors(results) == ["perisai_agents", "stop_rate"]
    summary = results.summary()
    assert len(summary) == 8 and {"perisai_agents", "stop_rate", "coverage_mean"} <= set(summary.columns)


def test_sweep_figure_draws_every_point_and_names_the_best_and_worst(sweep_folder):
    summary = backend.load_sweep_results(str(sweep_folder)).summary()
    fig = charts.sweep_figure(summary, "perisai_agents", "coverage_mean", "stop_rate")
    points = fig.data[0]
    assert len(points.x) == len(summary) == 8  # every point, none dropped
    assert np.allclose(points.x, summary["perisai_agents"]) and np.allclose(points.y, 100 * summary["coverage_mean"])
    assert np.allclose(points.marker.color, summary["stop_rate"]) and points.marker.showscale  # second input
    best, worst = summary["coverage_mean"].idxmax(), summary["coverage_mean"].idxmin()
    highlighted = {trace.name.split(":")[0]: trace for trace in fig.data[1:]}
    assert set(highlighted) == {"best", "worst"}
    assert highlighted["best"].y[0] == pytest.approx(100 * summary.loc[best, "coverage_mean"])
    assert highlighted["worst"].y[0] == pytest.approx(100 * summary.loc[worst, "coverage_mean"])
    assert f"{summary.loc[best, 'coverage_mean']:.1%}" in highlighted["best"].name
    spend = charts.sweep_figure(summary, "stop_rate", "spend_idr_mean")  # less spend is better
    best_spend = {t.name.split(":")[0]: t for t in spend.data[1:]}["best"]
    assert best_spend.y[0] == summary["spend_idr_mean"].min()
    assert spend.layout.xaxis.title.text == "stop_rate"


@pytest.mark.parametrize("folder, words", [("", "type the path"), ("/no/such/folder", "no such folder")])
def test_bad_folders_are_refused_with_a_message(folder, words):
    with pytest.raises(backend.UserError, match=words):
        backend.load_sweep_results(folder)


def test_a_run_folder_is_not_a_sweep(run_folder):
    with pytest.raises(backend.UserError, match="not of a sweep"):
        backend.load_sweep_results(str(run_folder))


def test_an_empty_folder_names_what_is_missing(tmp_path):
    with pytest.raises(backend.UserError, match="no manifest.json"):
        backend.load_sweep_results(str(tmp_path))
