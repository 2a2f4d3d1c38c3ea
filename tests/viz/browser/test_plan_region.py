"""The Plan page's region in a real browser: start at /, click Plan, choose Jambi by clicking and
read Jambi's own target (region.toml: 55%), then Bengkulu's; choose South Sumatra, start the tiny
search (test_plan.py's problem, at a scale South Sumatra allows) and find the recommended plan's
regency map with South Sumatra's regencies, their expected spend on hover and the attribution."""

from tests.viz.browser.conftest import RUN_WAIT_MS
from tests.viz.browser.test_plan import plan_page  # noqa: F401 - sets CAKUPAN_PLAN_PROBLEM
from tests.viz.browser.test_region_choice import choose

PLAN_MAP_JS = """() => {
  const gd = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .find(g => g.data && g.data.some(t => t.fill === 'toself'));
  if (!gd) return null;
  return {title: gd._fullLayout.title.text, names: gd.data[gd.data.length - 1].text || [],
          values: gd.data[gd.data.length - 1].customdata || [],
          notes: Array.from(gd.querySelectorAll('.annotation-text')).map(e => e.textContent).join(' ')};
}"""


def test_the_regions_own_target_then_the_plans_regency_map(new_page):
    page = plan_page(new_page)
    target = page.locator(".plan-region-target")
    assert target.inner_text().startswith("Sumatera Selatan: target 50% by")

    choose(page, "Province, or the whole office", "Jambi")
    target.filter(has_text="Jambi: target 55% by Dec 2027").wait_for()
    assert page.get_by_label("Target coverage").input_value() == "55%"
    choose(page, "Province, or the whole office", "Bengkulu")
    target.filter(has_text="Bengkulu: target 48% by Dec 2027").wait_for()
    choose(page, "Province, or the whole office", "Kanwil Sumbagsel (all three)")
    target.filter(has_text="Kanwil Sumbagsel (all three): target").wait_for()

    choose(page, "Province, or the whole office", "Sumatera Selatan")
    target.filter(has_text="Sumatera Selatan: target 50% by Dec 2027").wait_for()
    page.get_by_role("button", name="Start search").click()
    page.get_by_text("3. Recommended plan").wait_for(timeout=RUN_WAIT_MS)
    page.wait_for_function(f"""() => {{ const m = ({PLAN_MAP_JS})();
        return m && m.names.includes('Kota Palembang') && m.notes.includes('CC BY 3.0 IGO'); }}""",
                           timeout=RUN_WAIT_MS)
    shown = page.evaluate(PLAN_MAP_JS)
    assert "expected subsidy spend a year by regency" in shown["title"]
    assert len(shown["names"]) == 17 and "Kota Jambi" not in shown["names"]
    assert all(v.split(": ")[1].startswith("Rp ") for v in shown["values"])
    assert "Administrative boundaries: BPS" in shown["notes"]
