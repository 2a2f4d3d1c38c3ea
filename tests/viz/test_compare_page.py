"""The Compare page's words and numbers without a browser: sections numbered in the order shown,
a greyed "Run comparison" says why, and the summary table speaks the session's language."""

from types import SimpleNamespace

import ipyvuetify as v
import pandas as pd
import pytest
import solara

from experiments import figures, i18n
from viz import backend, language, state
from viz.pages import compare, sweeps

EN, ID = i18n.translator("en"), i18n.translator("id")


def test_sections_are_numbered_in_the_order_shown():
    assert compare.section_numbers() == {"scenarios": 1, "upload": 2, "run": 3}


def card_titles(component):
    _, rc = solara.render(component, handle_error=False)
    return [w.children[0] for w in rc.find(v.CardTitle).widgets if w.children]


def test_a_copys_editor_opens_under_its_row_and_run_stays_3():
    assert [t for t in card_titles(compare.Page()) if t[:2] in ("1.", "2.", "3.", "4.")] == \
        ["1. Scenarios to compare", "2. Upload a scenario file (TOML, at most 1 MB)", "3. Run"]
    state.duplicate("socialization")
    try:
        assert "3. Run" in card_titles(compare.Page())
        assert "Levers of socialization_copy" in card_titles(compare.ScenarioList(1))   # inside the list
        order = compare.display_order(list(state.scenarios.value), state.origins.value)
        assert order[order.index("socialization") + 1] == "socialization_copy"   # right under its origin
        assert compare.description_text("socialization_copy", "", state.origins.value, ID).startswith(
            "Salinan socialization.")
    finally:
        state.scenarios.value, state.selected.value = dict(state.BUILTINS), state.DEFAULT_SELECTION
        state.editing.value, state.origins.value = None, {}


@pytest.mark.parametrize("chosen, replicates, pending, reason", [
    (1, 5, False, "Tick at least 2 scenarios to compare (1 ticked)."),
    (0, 5, False, "Tick at least 2 scenarios to compare (0 ticked)."),
    (7, 5, False, "Tick at most 6 scenarios to compare (7 ticked)."),
    (2, 0, False, "Replicates: choose 1 to 50."),
    (2, 20_000, False, "Replicates: choose 1 to 50."),
    (2, None, False, "Replicates: choose 1 to 50."),
    (2, 5, True, "A comparison is running: wait for it or press Cancel."),
    (2, 5, False, None),
    (6, 50, False, None),
])
def test_a_greyed_run_button_says_why(chosen, replicates, pending, reason):
    assert compare.run_blocked(EN, chosen, replicates, pending) == reason


def test_the_reason_is_shown_under_the_greyed_button_in_the_sessions_language():
    state.selected.value = ("baseline",)
    try:
        _, rc = solara.render(compare.RunSettings(3), handle_error=False)
        button = [b for b in rc.find(v.Btn).widgets if b.children == ["Run comparison"]][0]
        alerts = [a.children for a in rc.find(v.Alert).widgets]
        assert button.disabled and alerts == [["Tick at least 2 scenarios to compare (1 ticked)."]]
        language.set_language("id")
        alerts = [a.children for a in rc.find(v.Alert).widgets]
        assert alerts == [["Centang paling sedikit 2 skenario untuk dibandingkan (1 dicentang)."]]
    finally:
        language.set_language("en")
        state.selected.value = state.DEFAULT_SELECTION


SUMMARY = pd.DataFrame({
    "scenario": ["baseline", "plan"], "coverage_mean": [0.3421, 0.4512], "coverage_low": [0.33, 0.44],
    "coverage_high": [0.35, 0.46], "p_target": [0.0, 0.25], "median_month_reached": ["2026-09", "2026-03"],
    "spend_idr_mean": [1.5e9, 2.1e11], "cost_per_additional_idr": [float("nan"), 1_250_000.0],
    "coverage_chance_pm": [0.004, 0.006], "coverage_parameter_pm": [float("nan"), 0.012],
    "cost_per_additional_idr_chance_pm": [float("nan"), 25_000.0],
    "cost_per_additional_idr_parameter_pm": [float("nan"), 150_000.0]})


def cells(html: str) -> dict[str, list[str]]:
    import re
    found: dict[str, list[str]] = {}
    for column, best, text in re.findall(r'<td data-column="([^"]+)"( class="best")?>(?:<span[^>]*></span>)?(.*?)</td>',
                                         html):
        found.setdefault(column, []).append(text + (" *" if best else ""))
    return found


@pytest.mark.parametrize("t, expected", [
    (EN, {"coverage_mean": ["34.2%", "45.1% *"], "coverage_interval": ["33.0% – 35.0%", "44.0% – 46.0%"],
          "median_month_reached": ["Sep 2026", "Mar 2026 *"], "spend_idr_mean": ["Rp 1.5 bn *", "Rp 210 bn"],
          "cost_per_additional_idr": ["–", "Rp 1.2 m"],
          "coverage_parts": ["±0.4% / not varied", "±0.6% / ±1.2%"],
          "cost_parts": ["–", "±Rp 25,000 / ±Rp 150,000"]}),
    (ID, {"coverage_mean": ["34,2%", "45,1% *"], "coverage_interval": ["33,0% – 35,0%", "44,0% – 46,0%"],
          "median_month_reached": ["Sep 2026", "Mar 2026 *"],
          "spend_idr_mean": ["Rp 1,5 miliar *", "Rp 210 miliar"], "cost_per_additional_idr": ["–", "Rp 1,2 juta"],
          "coverage_parts": ["±0,4% / tidak divariasikan", "±0,6% / ±1,2%"],
          "cost_parts": ["–", "±Rp 25.000 / ±Rp 150.000"]}),
])
def test_the_summary_table_is_written_in_the_language_and_ranks_the_numbers(t, expected):
    html = figures.summary_html(compare.summary_for_display(SUMMARY, t), compare.summary_columns(t),
                                compare.BETTER, ranked_by=SUMMARY)
    found = cells(html)
    for column, values in expected.items():
        assert found[column] == values, column
    assert "Cakupan Des 2027" in html if t is ID else "Coverage Dec 2027" in html   # the region's target month


def test_captions_and_drivers_use_the_languages_numbers():
    bands = pd.DataFrame({"scenario": ["plan"], "month": ["2025-12"], "mean": [0.4512], "low": [0.44],
                          "high": [0.46]})
    assert compare.coverage_caption(bands, "2025-12", ID) == \
        "Cakupan pada Des 2025, rata-rata (pita 90%): plan: 45,1% (44,0% – 46,0%)"
    drivers = pd.DataFrame({"scenario": ["plan", "plan", "other"], "parameter": ["stop_rate", "friction", "friction"],
                            "spearman": [0.456, -0.12, 1.0], "replicates": [20, 20, 5]})
    assert compare.drivers_text(drivers, ID) == [
        "plan: Tingkat berhenti membayar (+0,46; 90%: +0,07 sampai +0,72), "
        "Hambatan pendaftaran (-0,12; 90%: -0,48 sampai +0,27)",
        "other: tidak diperingkat: 5 ulangan, perlu sedikitnya 16 agar korelasi peringkat dapat membedakan "
        "faktor pendorong dari kebetulan"]


def test_the_split_of_an_interval_is_not_printed_from_too_few_replicates():
    assert compare._parts(0.004, 0.0, EN.percent, EN, replicates=5) == "not split: 5 replicates, at least 16 needed"
    assert compare._parts(0.004, 0.012, EN.percent, EN, replicates=16) == "±0.4% / ±1.2%"
    assert compare._parts(0.004, float("nan"), EN.percent, EN, replicates=3) == "±0.4% / not varied"


def test_a_sweep_is_described_and_its_inputs_named_in_the_language():
    manifest = {"name": "s", "runs": [{}] * 1200, "scenarios": {"baseline": ""}, "design": {"kind": "lhs"}}
    opened = SimpleNamespace(results=SimpleNamespace(manifest=manifest), relative="f", points=(1000, 1200))
    assert sweeps.summary_line(opened, ID) == ("s (f): 1.200 simulasi, skenario baseline, desain Latin hypercube,"
                                               " 1.000 dari 1.200 titik lengkap.")
    assert figures.factor_label("perisai_agents", ID) == "agen Perisai"
    assert figures.factor_label("not_a_lever", ID) == "not_a_lever"


def test_month_axes_label_at_most_ten_months():
    fig = figures.coverage_figure(pd.DataFrame({"scenario": "a", "month": [f"{2024 + m // 12}-{m % 12 + 1:02d}"
                                                                           for m in range(77)],
                                                "mean": 0.3, "low": 0.3, "high": 0.3}), {"a": "#0072B2"}, 0.5,
                                  "2025-12", "id")
    assert fig.layout.xaxis.dtick == 8 and fig.layout.xaxis.categoryarray[0] == "Jan 2024"


def test_built_in_descriptions_and_band_meanings_are_translated():
    builtin = backend.builtin_scenarios()["baseline"].description
    assert ID(builtin) != builtin and ID(backend.stats.BAND_MEANING["both"]).startswith("Pita: 90% ulangan")
