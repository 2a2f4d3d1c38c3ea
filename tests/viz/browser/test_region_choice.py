"""The Compare page's region in a real browser: start at /, tick two scenarios, choose Jambi, run,
and read Jambi's own target and Jambi's regencies; then in Bahasa Indonesia choose the whole
office and read the office's row and each province's (the server log is checked by the harness)."""

from tests.viz.browser.conftest import RUN_WAIT_MS

# Every category the page's Plotly charts carry (the regency ranking's names among them).
CHART_NAMES_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .flatMap(gd => (gd.data || []).flatMap(t => [...(t.y || []), ...(t.text || [])]))
  .filter(v => typeof v === 'string')"""


def choose(page, label: str, option: str) -> None:
    page.locator(".v-select").filter(has_text=label).locator(".v-select__slot").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_jambi_then_the_kanwil_in_bahasa_indonesia(new_page):
    page = new_page("/")
    page.get_by_text("1. Scenarios to compare").wait_for()
    page.locator("label").get_by_text("regional_plan", exact=True).click()      # unticked
    for name in ("socialization", "easier_payment"):
        page.locator("label").get_by_text(name, exact=True).click()
    replicates = page.get_by_label("Replicates per scenario (same seeds in every scenario)")
    replicates.fill("1")
    replicates.press("Enter")
    choose(page, "Population scale", "0.005")
    choose(page, "Province, or the whole office", "Jambi")
    page.get_by_role("button", name="Run comparison").click()
    page.locator(".region-target").filter(has_text="Jambi: target 55% by").wait_for(timeout=RUN_WAIT_MS)
    assert "Chance of 55% by" in page.locator(".summary-table").inner_text()
    page.wait_for_function(f"() => ({CHART_NAMES_JS})().includes('Kota Jambi')", timeout=RUN_WAIT_MS)
    names = page.evaluate(CHART_NAMES_JS)
    assert "Kota Palembang" not in names                 # South Sumatra's regencies are not shown

    page.get_by_role("button", name="Bahasa Indonesia").click()
    page.get_by_text("Jalankan perbandingan").wait_for()
    choose(page, "Provinsi, atau seluruh kanwil", "Kanwil Sumbagsel (ketiga provinsi)")
    assert "Jambi: target 55% pada" in page.locator(".region-target").inner_text()   # the last results stay
    page.get_by_role("button", name="Jalankan perbandingan").click()
    page.locator(".region-target").filter(has_text="Kanwil Sumbagsel: jumlah ketiga provinsi").wait_for(
        timeout=RUN_WAIT_MS)
    provinces = page.locator(".province-target").all_inner_texts()
    assert [p.split(":")[0] for p in provinces] == ["Bengkulu", "Jambi", "Sumatera Selatan"]
    assert "Jambi: target 55% pada" in provinces[1] and "Bengkulu: target 48% pada" in provinces[0]
    assert page.locator(".province-summary").count() == 3
    page.wait_for_function(f"""() => {{ const n = ({CHART_NAMES_JS})();
        return n.includes('Kota Jambi') && n.includes('Kota Palembang') && n.includes('Kota Bengkulu'); }}""",
                           timeout=RUN_WAIT_MS)
