"""Charts a planner can trust, in a real browser: hovered values equal the table's, one colour per
scenario everywhere, and the HTML report opens offline (switching language: test_language.py)."""

import pytest

from experiments import figures, i18n
from tests.viz.browser.conftest import RUN_WAIT_MS, WAIT_MS, guarded_page

REPLICATES = "2"

# For each chart (by its index on the page): the hover point of series `name` at x `category`,
# in page coordinates, and its hover text; plotly's own calcdata and axes place it.
POINT_JS = """([index, name, category]) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[index];
  gd.scrollIntoView({block: 'center'});
  const i = gd.data.findIndex(t => t.name === name && t.hovertemplate);
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const cd = gd.calcdata[i].find(p => gd._fullData[i].x[p.i] === category);
  const box = gd.getBoundingClientRect();
  return {x: box.left + xa._offset + xa.c2p(cd.x), y: box.top + ya._offset + ya.c2p(cd.y),
          text: gd.data[i].text[cd.i]};
}"""
HOVER_JS = """(index) => Array.from(document.querySelectorAll('.js-plotly-plot')[index]
  .querySelectorAll('.hoverlayer .hovertext')).map(e => e.textContent).join(' | ')"""
# name -> colours of its lines, bars and dots in every chart (series with a hover text).
COLOURS_JS = """() => {
  const seen = {};
  document.querySelectorAll('.js-plotly-plot').forEach(gd => gd.data.forEach(t => {
    if (!t.hovertemplate || !t.name) return;
    const c = (t.line && t.line.color) || (t.marker && typeof t.marker.color === 'string' && t.marker.color);
    if (c) (seen[t.name] = seen[t.name] || []).push(c);
  }));
  return seen;
}"""
# Every visible string: the page's text and the charts' SVG text, one item per line (a chart
# title wrapped over lines, figures.wrap_title, is one string: its lines joined by a space).
STRINGS_JS = """() => {
  const lines = document.body.innerText.split('\\n');
  document.querySelectorAll('svg text').forEach(e => {
    const parts = e.querySelectorAll('tspan.line');
    lines.push(parts.length ? Array.from(parts).map(p => p.textContent.trim()).join(' ') : e.textContent);
  });
  return lines.map(s => s.trim()).filter(s => s);
}"""


# Each row of a summary table as {column: text}.
ROWS_JS = ("rows => rows.map(r => Object.fromEntries(Array.from(r.cells)"
           ".map(c => [c.dataset.column, c.innerText.trim()])))")


def shown(page, text):
    """Wait until `text` is a visible string of the page or of a chart's SVG."""
    page.wait_for_function(f"(text) => ({STRINGS_JS})().includes(text)", arg=text)


def hover(page, index, name, category):
    """Move the mouse onto one point of one chart, as a planner does; returns the hover label."""
    point = page.evaluate(POINT_JS, [index, name, category])
    page.mouse.move(point["x"], point["y"])
    # wait for this point's label: the previous point's may still be shown for a moment
    page.wait_for_function(f"([i, n]) => ({HOVER_JS})(i).startsWith(n + ', ')", arg=[index, name])
    return page.evaluate(HOVER_JS, index), point["text"]


def summary_cells(page):
    rows = page.locator(".summary-table tbody tr").evaluate_all(
        ROWS_JS)
    swatches = page.locator(".summary-table .swatch").evaluate_all("s => s.map(e => e.dataset.colour)")
    return rows, swatches


@pytest.fixture(scope="module")
def compared(browser, app_url, tmp_path_factory):
    """The compare page after a run of the default choice (baseline, regional_plan)."""
    context, page, guard = guarded_page(browser, app_url + "/")
    replicates = page.get_by_label("Replicates per scenario (same seeds in every scenario)")
    replicates.fill(REPLICATES)
    replicates.press("Enter")
    page.get_by_role("button", name="Run comparison").click()
    page.locator(".summary-table").wait_for(timeout=RUN_WAIT_MS)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 5")
    yield page
    context.close()
    guard.check()


def test_a_hovered_value_equals_the_summary_tables(compared):
    rows, _ = summary_cells(compared)
    month = i18n.translator("en").month("2027-12")
    for row in rows:
        label, text = hover(compared, 0, row["scenario"], month)  # chart 0: coverage over time
        assert f"{row['scenario']}, {month}: {row['coverage_mean']} " in label
        assert label.replace("\xa0", " ") == text or text in label


def test_a_scenario_has_the_same_colour_in_every_chart_and_the_table(compared):
    rows, swatches = summary_cells(compared)
    seen = compared.evaluate(COLOURS_JS)
    names = [row["scenario"] for row in rows]
    assert set(names) <= set(seen)
    for name, swatch in zip(names, swatches, strict=True):
        assert set(seen[name]) == {swatch}, name
        assert len(seen[name]) >= 5  # coverage, formal, informal, channels, spend, regency
    assert dict(zip(names, swatches, strict=True))["baseline"] == figures.BASELINE_COLOUR
    assert len(set(swatches)) == len(swatches)


def test_the_html_report_downloads_and_opens_offline(compared, browser, tmp_path):
    rows, swatches = summary_cells(compared)
    with compared.expect_download() as download:
        compared.get_by_role("button", name="Download report (HTML, opens offline)").click()
    path = tmp_path / "report.html"
    download.value.save_as(path)
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    context.set_default_timeout(WAIT_MS)
    requests = []
    context.route(lambda url: not url.startswith(("file:", "data:", "blob:")),
                  lambda route: (requests.append(route.request.url), route.abort()))
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 5")
    month = i18n.translator("en").month("2027-12")
    report_rows, report_swatches = summary_cells_report(page)
    assert [r["coverage_mean"] for r in report_rows] == [r["coverage_mean"] for r in rows]  # the app's numbers
    assert report_swatches == swatches
    label, _ = hover(page, 0, "baseline", month)
    assert f"baseline, {month}: {report_rows[0]['coverage_mean']} " in label
    assert page.locator("pre.scenario-toml").count() == 2  # every scenario's TOML
    context.close()
    assert requests == []  # nothing left the file: it opens offline


def summary_cells_report(page):
    rows = page.locator("table.summary tbody tr").evaluate_all(
        ROWS_JS)
    swatches = page.locator("table.summary .swatch").evaluate_all("s => s.map(e => e.dataset.colour)")
    return rows, swatches
