"""Opening a sweep results folder and plotting an output against the swept inputs."""

import numpy as np
import pytest

from viz import backend, charts


def test_sweep_folder_opens_with_its_factors(sweep_folder):
    results = backend.load_sweep_results(str(sweep_folder))
    assert backend.sweep_factors(results) == ["perisai_agents", "stop_rate"]
    summary = results.summary()
    assert len(summary) == 8 and {"perisai_agents", "stop_rate", "coverage_mean"} <= set(summary.columns)


def test_sweep_figure_plots_each_point_against_the_swept_input(sweep_folder):
    summary = backend.load_sweep_results(str(sweep_folder)).summary()
    fig = charts.sweep_figure(summary, "perisai_agents", "coverage_mean", "stop_rate")
    ax = fig.axes[0]
    scatters = [c for c in ax.collections if c.get_label() in ("baseline", "market_ecosystem")]
    assert [c.get_label() for c in scatters] == ["baseline", "market_ecosystem"]
    market = summary[summary["scenario"] == "market_ecosystem"].sort_values("perisai_agents")
    offsets = np.asarray(scatters[1].get_offsets())
    assert np.allclose(offsets[:, 0], market["perisai_agents"]) and np.allclose(offsets[:, 1], market["coverage_mean"])
    assert len(fig.axes) == 2  # the colour bar of the second input
    assert charts.sweep_figure(summary, "stop_rate", "p_target").axes[0].get_xlabel() == "stop_rate"


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
