"""viz/backend.py: uploads are validated as the CLI validates files, comparisons are the
experiments layer's runs (same numbers), failures are reported and the rest still shown."""

import re

import pytest

from experiments import parse_scenario, run
from experiments.executors import SerialExecutor
from experiments.scenario import ScenarioError
from viz import backend, charts
from viz.pages.compare import SUMMARY_COLUMNS, summary_for_display

TYPO = b'name = "typo"\nbase = "baseline"\n\n[levers.market]\nperisai_agent = 5\n'


def test_upload_refuses_files_over_one_megabyte():
    with pytest.raises(backend.UserError, match=r"big.toml: 1,000,001 bytes is over the 1 MB limit"):
        backend.parse_upload("big.toml", b"#" * 1_000_001)
    with pytest.raises(backend.UserError, match="over the 1 MB limit"):
        backend.parse_upload("big.toml", None, size=5_000_000)  # the browser did not send it


def test_upload_refuses_text_that_is_not_utf8():
    with pytest.raises(backend.UserError, match=r"latin.toml: not a UTF-8 text file \(byte 21\)"):
        backend.parse_upload("latin.toml", 'name = "x"\n# Perisai \xe9\n'.encode("latin-1"))


def test_upload_gives_the_clis_message_naming_file_line_and_key():
    with pytest.raises(ScenarioError) as from_app:
        backend.parse_upload("typo.toml", TYPO)
    with pytest.raises(ScenarioError) as from_cli:
        parse_scenario(TYPO.decode(), source="typo.toml")
    assert str(from_app.value) == str(from_cli.value)
    assert "typo.toml:5" in str(from_app.value) and "Did you mean 'perisai_agents'" in str(from_app.value)


def test_upload_of_invalid_toml_syntax_is_a_user_error():
    with pytest.raises(backend.UserError, match="broken.toml"):
        backend.parse_upload("broken.toml", b'name = "x\n')


def test_duplicate_gets_a_free_name_and_edits_are_validated():
    builtins = backend.builtin_scenarios()
    copy = backend.duplicate(builtins["market_ecosystem"], set(builtins))
    assert copy.name == "market_ecosystem_copy" and copy.settings == builtins["market_ecosystem"].settings
    assert backend.unique_name("market_ecosystem", set(builtins) | {copy.name}) == "market_ecosystem_copy2"
    edited = backend.set_lever(copy, "perisai_agents", 3000.0)
    assert edited.settings["perisai_agents"] == 3000.0 and copy.settings != edited.settings
    with pytest.raises(ScenarioError, match="perisai_agents"):
        backend.set_lever(copy, "perisai_agents", -1.0)


def test_baseline_is_added_as_reference_once():
    builtins = backend.builtin_scenarios()
    names = [s.name for s in backend.with_baseline([builtins["socialization"], builtins["sme_partnerships"]], builtins)]
    assert names == ["baseline", "socialization", "sme_partnerships"]
    assert len(backend.with_baseline([builtins["baseline"], builtins["socialization"]], builtins)) == 2


def small(scenarios):
    return [s.override(horizon="2027-12") for s in scenarios]     # the target month: a year after the decision


def test_comparison_is_the_runners_result_with_progress_per_run():
    builtins = backend.builtin_scenarios()
    chosen = small([builtins["baseline"], builtins["market_ecosystem"]])
    seen = []
    comparison = backend.compare(chosen, replicates=2, scale=0.005, executor=SerialExecutor(),
                                 on_done=seen.append)
    assert seen == [1, 2, 3, 4]
    direct = run(chosen, replicates=2, seed=1, scale=0.005, executor=SerialExecutor(), progress=False)
    assert backend.summary(comparison).equals(direct.summary())
    assert backend.results_csv(comparison).decode().splitlines()[0].startswith("scenario,")
    shown = summary_for_display(backend.summary(comparison))
    html = charts.summary_html(shown, SUMMARY_COLUMNS)
    assert f"{direct.summary().loc[1, 'coverage_mean']:.1%}" in html


def test_order_follows_the_planners_choice():
    builtins = backend.builtin_scenarios()
    chosen = small([builtins["socialization"], builtins["baseline"]])
    comparison = backend.compare(chosen, replicates=1, scale=0.005, executor=SerialExecutor())
    assert list(backend.summary(comparison)["scenario"]) == ["socialization", "baseline"]
    assert list(dict.fromkeys(backend.coverage_bands(comparison)["scenario"])) == ["socialization", "baseline"]


class LosesSocialization(SerialExecutor):
    """Loses every run of one scenario, as a worker process that dies would."""

    def imap_unordered(self, fn, tasks):
        for task in tasks:
            yield (task, RuntimeError("worker process died")) if task.scenario == "socialization" \
                else (task, fn(task))


def test_a_failing_run_is_reported_and_the_others_are_kept():
    builtins = backend.builtin_scenarios()
    chosen = small([builtins["baseline"], builtins["socialization"]])
    comparison = backend.compare(chosen, replicates=2, scale=0.005, executor=LosesSocialization())
    assert list(comparison.failures["scenario"]) == ["socialization", "socialization"]
    assert "worker process died" in comparison.failures["error"].iloc[0]
    assert set(comparison.results.table["scenario"]) == {"baseline"}


def test_an_invalid_scenario_stops_the_comparison_with_the_scenario_message():
    builtins = backend.builtin_scenarios()
    broken = builtins["socialization"].model_copy(update={"name": "broken",
                                                          "settings": {"perisai_agents": -5}})
    with pytest.raises(ScenarioError, match="perisai_agents: -5 is below the minimum 0"):
        backend.compare([builtins["baseline"], broken], 1, 0.005, executor=SerialExecutor())


def test_too_few_or_too_many_scenarios_are_refused():
    builtins = backend.builtin_scenarios()
    with pytest.raises(backend.UserError, match="choose 2 to 6"):
        backend.compare([builtins["baseline"]], 1, 0.005, executor=SerialExecutor())


def test_progress_executor_stops_after_cancel():
    done = []
    executor = backend.ProgressExecutor(SerialExecutor(), done.append)
    out = []
    for item in executor.imap_unordered(lambda x: x * 2, range(10)):
        out.append(item)
        if len(out) == 3:
            executor.cancel()
    assert out == [(0, 0), (1, 2), (2, 4)] and done == [1, 2, 3]


def test_a_comparison_with_both_uncertainties_splits_intervals_and_ranks_drivers():
    from viz.pages.compare import drivers_text

    builtins = backend.builtin_scenarios()
    chosen = [builtins["baseline"], builtins["regional_plan"]]
    done = []
    comparison = backend.compare(chosen, replicates=4, scale=0.002, executor=SerialExecutor(),
                                 on_done=done.append, uncertainty="both")
    assert len(done) == backend.total_runs(2, 4, "both") == 16   # draws + chance companions
    assert "own seed and its own parameter draw" in comparison.band_meaning
    shown = summary_for_display(backend.summary(comparison)).set_index("scenario")
    # 4 replicates are too few for the split or a rank correlation: said, not printed as noise
    assert shown.loc["regional_plan", "coverage_parts"] == "not split: 4 replicates, at least 16 needed"
    lines = drivers_text(backend.drivers(comparison))
    assert len(lines) == 1 and lines[0].startswith("regional_plan: not ranked: 4 replicates")


def test_a_chance_only_comparison_says_so_and_ranks_nothing():
    builtins = backend.builtin_scenarios()
    comparison = backend.compare([builtins["baseline"], builtins["regional_plan"]], replicates=2,
                                 scale=0.002, executor=SerialExecutor(), uncertainty="chance")
    assert "chance only" in comparison.band_meaning and backend.drivers(comparison).empty
    shown = summary_for_display(backend.summary(comparison)).set_index("scenario")
    assert "not varied" in shown.loc["regional_plan", "coverage_parts"]


def test_an_upload_bases_itself_only_on_named_scenarios_and_keeps_to_the_limits():
    builtins = backend.builtin_scenarios()
    for base in ["/etc/passwd", "../x", "/proc/self/mem"]:
        with pytest.raises(backend.UserError, match="is not a scenario this file may be based on"):
            backend.parse_upload("p.toml", f'name = "p"\nbase = "{base}"\n'.encode(), bases=builtins)
    with pytest.raises(backend.UserError, match="p.toml: horizon: 9999-12 is outside the allowed months"):
        backend.parse_upload("p.toml", b'name = "p"\nhorizon = "9999-12"\n', bases=builtins)
    with pytest.raises(backend.UserError, match="not valid TOML: nested deeper than 32 levels"):
        backend.parse_upload("p.toml", ("a = " + "[" * 5000 + "]" * 5000).encode(), bases=builtins)
    with pytest.raises(backend.UserError, match="not valid TOML: nested deeper than 32 levels"):
        backend.parse_upload("p.toml", ("a = " + "{b=" * 5000 + "1" + "}" * 5000).encode(), bases=builtins)
    assert backend.parse_upload("../../p.toml", b'name = "p"\nbase = "baseline"\n').name == "p"


def test_every_limit_of_a_comparison_is_checked_with_the_clis_message():
    builtins = backend.builtin_scenarios()
    pair = [builtins["baseline"], builtins["regional_plan"]]
    assert backend.check_request(2, 5, 0.01, pair).runs == 10
    cases = [((2, 20000, 0.01), "replicates: 20,000 is outside the allowed range; allowed: 1 to 50"),
             ((2, "5", 0.01), "replicates: '5' is not a whole number"),
             ((7, 5, 0.01), "scenarios: 7 is outside the allowed range; allowed: 2 to 6"),
             ((2, 5, 0.5), "scale: 0.5 is not offered"),
             ((2, 5, 2), "scale: 2 is outside the allowed range")]
    for args, message in cases:
        with pytest.raises(backend.limits.LimitError, match=re.escape(message)):
            backend.check_request(*args, pair)
    far = builtins["baseline"].model_copy(update={"name": "far", "horizon": "9999-12"})
    with pytest.raises(backend.limits.LimitError, match="far: horizon: 9999-12"):
        backend.check_request(2, 5, 0.01, [builtins["baseline"], far])


def test_an_unexpected_error_is_logged_with_the_id_the_page_shows(caplog):
    try:
        raise KeyError("/secret/server/path")
    except KeyError as error:
        with caplog.at_level("ERROR", logger="cakupan.app"):
            shown = backend.explain(error)
    error_id = re.search(r"error id ([0-9a-f]{8})", shown).group(1)
    assert "/secret/server/path" not in shown and "Traceback" not in shown
    assert f"error id {error_id}" in caplog.text and "/secret/server/path" in caplog.text
    assert backend.explain(backend.UserError("plain")) == "plain"
