"""Explore's province in a real browser, as a planner reaches it: start at /, click Explore,
choose Jambi by clicking the select; the run restarts in Jambi, the regency map holds Jambi's
regencies (not South Sumatra's) with the boundaries' attribution, and the select's label is
Indonesian after the switch to Bahasa Indonesia (the server log is checked by the harness)."""

from tests.viz.browser.test_region_choice import choose

# The page's regency map (the chart with filled outlines): its regencies' names and the attribution.
MAP_JS = """() => {
  const gd = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .find(g => g.data && g.data.some(t => t.fill === 'toself'));
  if (!gd) return null;
  return {names: gd.data[gd.data.length - 1].text || [], values: gd.data[gd.data.length - 1].customdata || [],
          filled: gd.data.filter(t => t.fill === 'toself').length,
          notes: Array.from(gd.querySelectorAll('.annotation-text')).map(e => e.textContent).join(' ')};
}"""


def the_map(page, name: str, attribution: str) -> dict:
    page.wait_for_function(f"""() => {{ const m = ({MAP_JS})();
        return m && m.names.includes({name!r}) && m.notes.includes({attribution!r}); }}""")
    return page.evaluate(MAP_JS)


def test_jambi_on_explore_then_the_label_in_bahasa_indonesia(new_page):
    page = new_page("/")
    page.get_by_role("tab", name="Explore").click()
    page.get_by_role("button", name="Step").wait_for()
    assert "Kota Palembang" in the_map(page, "Kota Palembang", "CC BY 3.0 IGO")["names"]

    choose(page, "Province", "Jambi")
    shown = the_map(page, "Kota Jambi", "Administrative boundaries: BPS")
    assert shown["filled"] == 11 and "Kota Palembang" not in shown["names"]   # Jambi's 11 regencies only
    assert any(v.startswith("Kota Jambi: ") and v.endswith("%") for v in shown["values"])
    assert "CC BY 3.0 IGO" in shown["notes"]
    page.get_by_role("button", name="Step").click()
    page.locator(".explore-status").filter(has_text="Month: ").wait_for()

    page.get_by_role("button", name="Bahasa Indonesia").click()
    page.locator(".explore-region").filter(has_text="Provinsi").wait_for()
    assert "Jambi" in page.locator(".explore-region").inner_text()              # the province stays
    shown = the_map(page, "Kota Jambi", "Batas administrasi: BPS")
    assert "Kota Palembang" not in shown["names"]
    page.locator(".explore-region .v-select__slot").click()
    page.get_by_role("option", name="Bengkulu", exact=True).wait_for()
    options = page.get_by_role("option").all_inner_texts()
    assert options == ["Bengkulu", "Jambi", "Sumatera Selatan"]                # provinces only
