"""The regency map in a real browser, as a planner reaches it: start at /, run a comparison,
click "map", then Explore; in English and Bahasa Indonesia. The map draws the regencies' real
boundaries (filled outlines, not dots), hovering shows the value, the boundaries' attribution is
visible, and nothing is fetched from outside 127.0.0.1 (the harness's guards: the map needs no
CDN world outline and no tiles)."""

import re

from tests.viz.browser.conftest import RUN_WAIT_MS, screenshot

# The page's regency map (the last chart with filled outlines): its outlines and the attribution.
MAP_JS = """() => {
  const maps = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(gd => gd.data && gd.data.some(t => t.fill === 'toself'));
  if (!maps.length) return null;
  const gd = maps[maps.length - 1];
  gd.scrollIntoView({block: 'center'});
  const paths = Array.from(gd.querySelectorAll('path.js-fill'))
    .map(p => (p.getAttribute('d') || '').split(/[LM]/).length - 1).filter(n => n > 0);
  const note = Array.from(gd.querySelectorAll('.annotation-text')).map(e => [e.textContent, e.getBoundingClientRect()])
    .find(([text]) => text.includes('CC BY 3.0 IGO'));
  const box = gd.getBoundingClientRect();
  return {title: gd._fullLayout.title.text, values: gd.data[gd.data.length - 1].customdata, outlines: paths,
          names: gd.data.filter(t => t.fill === 'toself').length,
          attribution: note ? note[0] : '',
          attributionShown: !!note && note[1].width > 100 && note[1].top >= box.top && note[1].bottom <= box.bottom};
}"""
# Page coordinates of a regency's dot on the map, and its hover text as the figure carries it.
DOT_JS = """(name) => {
  const maps = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(gd => gd.data && gd.data.some(t => t.fill === 'toself'));
  const gd = maps[maps.length - 1];
  const i = gd.data.length - 1, dots = gd.data[i];
  const k = dots.text.indexOf(name);
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
  return {x: box.left + xa._offset + xa.l2p(dots.x[k]), y: box.top + ya._offset + ya.l2p(dots.y[k]),
          text: dots.customdata[k]};
}"""
HOVER_JS = """() => Array.from(document.querySelectorAll('.hoverlayer .hovertext'))
  .map(e => e.textContent).join(' | ')"""


def the_map(page, title_part: str, attribution_start: str, value_part: str) -> dict:
    """Wait for the map titled with `title_part`, its attribution in the page's language and its
    values written with `value_part` (the figure's layout and data may arrive one after the other)."""
    page.wait_for_function(f"""() => {{ const m = ({MAP_JS})();
        return m && m.title.includes({title_part!r}) && m.attribution.startsWith({attribution_start!r})
          && m.values.every(v => v.includes({value_part!r})); }}""", timeout=RUN_WAIT_MS)
    return page.evaluate(MAP_JS)


def assert_real_boundaries(shown: dict) -> None:
    assert shown["names"] == 17                       # one filled outline per regency of South Sumatra
    assert len(shown["outlines"]) >= 17 and min(shown["outlines"]) >= 20   # polygons, not dots
    assert sum(shown["outlines"]) > 2000              # the boundary file's detail, drawn
    assert shown["attributionShown"]                  # inside the figure, readable


def hover(page, name: str) -> str:
    dot = page.evaluate(DOT_JS, name)
    page.mouse.move(dot["x"], dot["y"])
    page.wait_for_function(f"() => ({HOVER_JS})().includes({name!r})")
    text = page.evaluate(HOVER_JS)
    assert dot["text"] in text                        # the value the figure carries for this regency
    return text


def test_the_regency_map_on_compare_and_explore_in_both_languages(new_page):
    page = new_page("/")
    page.get_by_text("1. Scenarios to compare").wait_for()
    replicates = page.get_by_label("Replicates per scenario (same seeds in every scenario)")
    replicates.fill("1")
    replicates.press("Enter")
    page.get_by_role("button", name="Run comparison").click()
    page.locator(".summary-table").wait_for(timeout=RUN_WAIT_MS)

    page.get_by_role("button", name="map").click()
    shown = the_map(page, "coverage by regency", "Administrative boundaries: BPS", "%")
    assert_real_boundaries(shown)
    assert re.fullmatch(r"regional_plan: coverage by regency, \w{3} \d{4}", shown["title"])
    assert re.search(r"Kota Palembang: \d+\.\d%", hover(page, "Kota Palembang"))
    screenshot(page, "compare-regency-map")

    page.get_by_role("button", name="change against the baseline").click()
    shown = the_map(page, "against baseline", "Administrative boundaries: BPS", " points")
    assert_real_boundaries(shown)
    assert re.search(r"Lahat: [+-]?\d+\.\d points", hover(page, "Lahat"))

    page.get_by_role("button", name="Bahasa Indonesia").click()
    shown = the_map(page, "terhadap baseline", "Batas administrasi: BPS", " poin")
    assert_real_boundaries(shown)
    assert re.search(r"Lahat: [+-]?\d+,\d poin", hover(page, "Lahat"))
    page.get_by_role("button", name="cakupan", exact=True).click()
    shown = the_map(page, "cakupan per kabupaten/kota", "Batas administrasi: BPS", "%")
    assert re.search(r"Muara Enim: \d+,\d%", hover(page, "Muara Enim"))

    page.get_by_role("tab", name="Jelajahi").click()
    shown = the_map(page, "simulasi ini: cakupan per kabupaten/kota", "Batas administrasi: BPS", "%")
    assert_real_boundaries(shown)
    assert re.search(r"OKU Timur: \d+,\d%", hover(page, "OKU Timur"))
    page.get_by_role("button", name="English").click()
    shown = the_map(page, "this run: coverage by regency", "Administrative boundaries: BPS", "%")
    assert_real_boundaries(shown)
    assert re.search(r"OKU Timur: \d+\.\d%", hover(page, "OKU Timur"))
    screenshot(page, "explore-regency-map")
