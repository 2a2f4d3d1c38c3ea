"""The recommended plan over time in a real browser: start at /, click Plan, run the tiny search
(test_plan.py's problem: regency budgets by budget year from the decision month 2024-10 to
2025-02), read the timeline (a lever row per funded regency, the five months, the value on
hover) and the spend by budget year and payer (2024 and 2025, the office, the province, the
regencies); then in Bahasa Indonesia the same card in Indonesian (the server log is checked)."""

from tests.viz.browser.conftest import RUN_WAIT_MS
from tests.viz.browser.test_plan import plan_page  # noqa: F401 - sets CAKUPAN_PLAN_PROBLEM

TIMELINE_JS = """() => {
  const gd = Array.from(document.querySelectorAll('.plan-timeline .js-plotly-plot'))
    .find(g => g.data && g.data.some(t => t.type === 'heatmap'));
  if (!gd) return null;
  const t = gd.data.find(t => t.type === 'heatmap');
  return {title: gd._fullLayout.title.text, x: Array.from(t.x), y: Array.from(t.y),
          text: Array.from(t.text).flat()};
}"""


def test_the_recommended_plan_over_time_and_who_pays_in_both_languages(new_page):
    page = plan_page(new_page)
    page.get_by_role("button", name="Start search").click()
    page.get_by_text("Recommended plan (", exact=False).first.wait_for(timeout=RUN_WAIT_MS)
    page.wait_for_function(f"() => ({TIMELINE_JS})() !== null", timeout=RUN_WAIT_MS)
    shown = page.evaluate(TIMELINE_JS)
    assert shown["x"] == ["Oct 2024", "Nov 2024", "Dec 2024", "Jan 2025", "Feb 2025"]
    assert shown["title"].startswith("Plan ") and "month by month" in shown["title"]
    assert shown["y"][0] == "Registration assistance"                      # a lever set once: one row
    assert [r for r in shown["y"][1:] if not r.startswith("Subsidy budget: ")] == []   # one row a funded regency
    assert any("Oct 2024: Rp" in cell for cell in shown["text"])      # a budget's value, in rupiah
    card = page.locator(".plan-timeline")
    card.get_by_text("Spend by budget year and payer").wait_for()
    table = card.locator(".plan-table").inner_text()
    for text in ("Total 2024", "Total 2025", "BPJS Ketenagakerjaan", "the office", "Rp"):
        assert text in table, text

    page.get_by_role("button", name="Bahasa Indonesia").click()
    card.get_by_text("Belanja per tahun anggaran dan pembayar").wait_for()
    page.wait_for_function(f"() => {{ const s = ({TIMELINE_JS})(); return s && s.x[0] === 'Okt 2024'; }}")
    table = card.locator(".plan-table").inner_text()
    assert "Total 2024" in table and "Tahun anggaran" in table and "kantor BPJS Ketenagakerjaan" in table
