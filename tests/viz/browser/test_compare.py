"""The compare page in a real browser: choose, copy and edit, run, and read the same numbers
that the same runs give from Python; uploads are refused with the CLI's messages; sessions
are isolated."""

import re

import pytest
from experiments import observed, parse_scenario
from experiments.executors import SerialExecutor
from experiments.i18n import translator

from tests.viz.browser.conftest import RUN_WAIT_MS, screenshot
from viz import backend, charts
from viz.pages.compare import BETTER, SUMMARY_COLUMNS, summary_for_display

REPLICATES = 3
SCALE = 0.01  # the page's default scale


def toggle(page, name):
    page.locator("label").get_by_text(name, exact=True).click()


def set_lever(page, group_title, label, value):
    page.get_by_text(group_title, exact=True).click()
    field = page.get_by_label(label, exact=True)
    field.fill(str(value))
    field.press("Enter")


def run_and_wait(page):
    page.get_by_role("button", name="Run comparison").click()
    page.locator(".summary-table").wait_for(timeout=RUN_WAIT_MS)


def page_cells(page):
    return page.locator(".summary-table td").evaluate_all(
        "cells => cells.map(c => [c.dataset.column, c.innerText.trim(), c.classList.contains('best')])")


def python_cells(summary):
    html = charts.summary_html(summary_for_display(summary), SUMMARY_COLUMNS, BETTER)
    return [[column, text, bool(best)] for column, best, text in
            re.findall(r'<td data-column="([^"]+)"( class="best")?>(.*?)</td>', html)]


def test_compare_two_scenarios_with_an_edited_lever_matches_python(new_page):
    page = new_page("/")
    page.get_by_text("1. Scenarios to compare").wait_for()
    toggle(page, "regional_plan")                      # leaves the baseline chosen
    page.locator(".duplicate-market_ecosystem").click()
    page.get_by_text("Levers of market_ecosystem_copy").wait_for()
    set_lever(page, "Market ecosystem (Perisai agents)", "Perisai agents (agents)", 3000)
    replicates = page.get_by_label("Replicates per scenario (same seeds in every scenario)")
    replicates.fill(str(REPLICATES))
    replicates.press("Enter")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download market_ecosystem_copy.toml").click()
    edited = parse_scenario(open(download.value.path(), encoding="utf-8").read(), source="copy.toml")
    # typed from the editor's month, the decision month (Jan 2027): a window from it holds 3,000
    assert edited.settings["perisai_agents"] == [{"from": "2025-01", "value": 1500}, {"from": "2027-01", "value": 3000}]

    run_and_wait(page)

    caption = page.locator(".coverage-caption").inner_text()
    assert "baseline:" in caption and "market_ecosystem_copy:" in caption   # both series
    assert page.locator(".summary-table tbody tr").count() == 2
    assert page.locator(".js-plotly-plot").count() >= 5                    # the charts

    builtins = backend.builtin_scenarios()
    copy = backend.set_lever(backend.duplicate(builtins["market_ecosystem"], set(builtins)),
                             "perisai_agents", [{"from": "2025-01", "value": 1500},
                                                {"from": "2027-01", "value": 3000.0}])  # fields give floats
    same = backend.compare([builtins["baseline"], copy], REPLICATES, SCALE, executor=SerialExecutor(),
                           uncertainty="both")   # the app's default: seed r and draw r
    assert page_cells(page) == python_cells(backend.summary(same))
    bands = backend.coverage_bands(same)
    at_target = bands[bands["month"] == backend.TARGET_MONTH].set_index("scenario")["mean"]
    assert f"market_ecosystem_copy: {at_target['market_ecosystem_copy']:.1%}" in caption
    # the observed points on the coverage chart as the browser holds it, their sources in the hover
    drawn = page.evaluate(OBSERVED_JS)
    points = observed.points("sumsel")
    points = points[points["month"].isin(set(bands["month"]))]
    assert drawn["x"] == [translator("en").month(m) for m in points["month"]] and len(points) >= 3
    assert all(source in text for source, text in zip(points["source"], drawn["text"], strict=True))
    assert "Observed (source in hover)" in drawn["legend"]

    with page.expect_download() as download:
        page.get_by_role("button", name="Download all runs, month by month (CSV)").click()
    csv = open(download.value.path(), encoding="utf-8").read()
    assert csv == backend.results_csv(same).decode("utf-8")

    page.set_viewport_size({"width": 1400, "height": 3650})
    screenshot(page, "compare")
    page.get_by_role("button", name="map").click()                        # the 17 regencies
    page.get_by_label("Scenario on the map").wait_for()
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .textpoint text').length >= 17",
                           timeout=RUN_WAIT_MS)                         # the map's 17 names drawn
    assert overlapping_names(page) == []                                 # as drawn by the browser
    screenshot(page, "compare-map")


# The coverage chart's observed trace (the first chart holding one) and the legend's texts.
OBSERVED_JS = """() => {
  const plot = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .find(p => (p.data || []).some(t => t.name === 'Observed (source in hover)'));
  if (!plot) return {x: [], text: [], legend: []};
  const trace = plot.data.find(t => t.name === 'Observed (source in hover)');
  return {x: Array.from(trace.x), text: Array.from(trace.text),
          legend: Array.from(plot.querySelectorAll('.legendtext')).map(e => e.textContent)};
}"""


# The map's regency names (SVG text of its last chart) that overlap another, as drawn.
OVERLAPS_JS = """() => {
  const plots = document.querySelectorAll('.js-plotly-plot');
  const names = Array.from(plots[plots.length - 1].querySelectorAll('.textpoint text'));
  const boxes = names.map(e => [e.textContent, e.getBoundingClientRect()]);
  const out = [];
  boxes.forEach(([a, r], i) => boxes.slice(i + 1).forEach(([b, q]) => {
    if (r.left < q.right && q.left < r.right && r.top < q.bottom && q.top < r.bottom) out.push(a + ' / ' + b);
  }));
  return names.length === 17 ? out : ['only ' + names.length + ' names drawn'];
}"""


def overlapping_names(page):
    return page.evaluate(OVERLAPS_JS)


def test_invalid_uploads_are_refused_with_the_clis_message(new_page):
    page = new_page("/")
    picker = page.locator("input.cakupan-file-input")
    text = 'name = "typo"\nbase = "baseline"\n\n[levers.market]\nperisai_agent = 5\n'
    picker.set_input_files(files=[{"name": "typo.toml", "mimeType": "text/plain", "buffer": text.encode()}])
    message = page.locator(".cakupan-message")
    message.get_by_text("Did you mean 'perisai_agents'").wait_for()
    with pytest.raises(backend.UserError) as cli:
        parse_scenario(text, source="typo.toml")
    assert message.inner_text().strip() == str(cli.value).strip()

    picker.set_input_files(files=[{"name": "latin.toml", "mimeType": "text/plain",
                                   "buffer": 'name = "x"\n# \xe9\n'.encode("latin-1")}])
    message.get_by_text("latin.toml: not a UTF-8 text file").wait_for()
    picker.set_input_files(files=[{"name": "big.toml", "mimeType": "text/plain", "buffer": b"#" * 1_100_000}])
    message.get_by_text("big.toml: 1,100,000 bytes is over the 1 MB limit").wait_for()
    assert page.get_by_text("typo", exact=True).count() == 0     # nothing was added

    good = 'name = "mine"\nbase = "baseline"\n\n[levers.market]\nperisai_agents = 900\n'
    picker.set_input_files(files=[{"name": "mine.toml", "mimeType": "text/plain", "buffer": good.encode()}])
    page.get_by_text("Levers of mine").wait_for()
    assert message.count() == 0


def test_two_sessions_keep_their_own_scenarios_and_runs(new_page):
    first, second = new_page("/"), new_page("/")
    for page in (first, second):
        page.get_by_text("1. Scenarios to compare").wait_for()
    first.locator(".duplicate-socialization").click()
    first.get_by_text("Levers of socialization_copy").wait_for()
    replicates = first.get_by_label("Replicates per scenario (same seeds in every scenario)")
    replicates.fill("1")
    replicates.press("Enter")
    run_and_wait(first)
    assert first.locator(".summary-table tbody tr").count() == 3

    second.locator(".duplicate-village_ecosystem").click()
    second.get_by_text("Levers of village_ecosystem_copy").wait_for()
    assert second.get_by_text("socialization_copy").count() == 0
    assert second.locator(".summary-table").count() == 0
    second.get_by_text("Choose scenarios and press").wait_for()
    assert first.get_by_text("village_ecosystem_copy").count() == 0
    assert first.get_by_text("Levers of socialization_copy").is_visible()
