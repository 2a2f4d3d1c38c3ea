"""Bahasa Indonesia and English in a real browser, as a planner meets them: start at /, switch
language, and every visible string of Compare (with results and the lever editor open), Sweeps
(with a sweep open) and Explore changes; the choice is kept across tabs, back and forward, and a
reload of the page. The test lists the English strings left and fails on any."""

import re

from experiments import i18n
from experiments.scenario import library_names
from tests.viz.browser.conftest import RUN_WAIT_MS, VIEWPORT, WAIT_MS, screenshot
from tests.viz.browser.test_charts import STRINGS_JS, shown
from tests.viz.browser.test_sweeps import in_area, open_folder


def translated_messages(lang: str) -> set[str]:
    """English strings whose translation differs, lower case, without their {fields}: each part
    between fields longer than 3 letters that the translation does not keep (as '.toml')."""
    out = set()
    for message in i18n.read_catalog(lang):
        if message.id and message.string and message.string != message.id:
            for part in re.split(r"\{[^}]*\}", message.id):
                part = part.strip(" .:;,()").lower()
                if len(part) > 3 and part not in message.string.lower():
                    out.add(part)
    return out


# Data, not text: scenario names (the 'socialization' scenario is not the 'socialization' channel).
NAMES = set(library_names())


def english_left(page, english: set[str]) -> list[str]:
    """Visible strings that are (or start with, as 'Month: ...') an English string of the catalog."""
    strings = [s for s in page.evaluate(STRINGS_JS) if s not in NAMES]
    return [s for s in strings if s.lower().strip(" .:") in english or
            (s.split(":")[0].strip() not in NAMES and s.split(":")[0].strip().lower() in english)]


def assert_no_english_left(page, english: set[str]) -> None:
    """Wait for the page to re-render in the new language (a bound, not a speed check), then
    fail listing every English string still shown."""
    left = english_left(page, english)
    for _ in range(WAIT_MS // 500):
        if not left:
            return
        page.wait_for_timeout(500)
        left = english_left(page, english)
    assert left == [], "untranslated strings on the page"


def compare_with_results(page):
    """The Compare page with a finished comparison (1 replicate) and a copy in the editor."""
    page.get_by_text("1. Scenarios to compare").wait_for()
    replicates = page.get_by_label("Replicates per scenario (same seeds in every scenario)")
    replicates.fill("1")
    replicates.press("Enter")
    page.get_by_role("button", name="Run comparison").click()
    page.locator(".summary-table").wait_for(timeout=RUN_WAIT_MS)
    page.locator(".duplicate-socialization").click()
    page.get_by_text("Levers of socialization_copy").wait_for()
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 5")


def test_switching_language_changes_every_visible_string_and_is_kept(new_page, sweep_folder, results_area):
    english = translated_messages("id")
    page = new_page("/")
    compare_with_results(page)
    before = english_left(page, english)
    assert len(before) > 20 and "run comparison" in [s.lower() for s in before]  # it sees the page's English
    page.get_by_role("button", name="Bahasa Indonesia").click()
    page.get_by_text("1. Skenario yang dibandingkan").wait_for()
    page.get_by_text("Tuas kebijakan socialization_copy").wait_for()
    shown(page, "Cakupan dari waktu ke waktu (garis: rata-rata; pita: 90% ulangan)")
    assert_no_english_left(page, english)
    page.set_viewport_size({"width": 1400, "height": 3650})        # the whole page, for the README
    screenshot(page, "compare-id")
    page.set_viewport_size(VIEWPORT)

    page.get_by_role("tab", name="Sapuan parameter").click()      # kept across tabs
    open_folder(page, in_area(results_area, sweep_folder, "language"))
    page.get_by_text("8 simulasi").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    assert_no_english_left(page, english)

    page.get_by_role("tab", name="Jelajahi").click()
    page.get_by_text("Bulan: Agu 2024").wait_for()
    for title in ("Cakupan", "Kegiatan agen Perisai", "Cakupan per kabupaten/kota, Agu 2024"):
        shown(page, title)  # every chart drawn
    assert_no_english_left(page, english)

    page.reload()                                                   # kept after a reload
    page.get_by_text("Bulan: Agu 2024").wait_for()
    assert page.url.endswith("/explore")
    page.go_back()                                                  # and going back and forward
    page.get_by_text("Mulai sapuan").first.wait_for()
    page.go_forward()
    page.get_by_text("Bulan: Agu 2024").wait_for()
    page.get_by_role("button", name="English").click()
    page.get_by_text("Month: Aug 2024").wait_for()
    page.reload()
    page.get_by_text("Month: Aug 2024").wait_for()


def test_a_new_browser_session_starts_in_english(new_page):
    page = new_page("/")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    page.get_by_text("1. Skenario yang dibandingkan").wait_for()
    other = new_page("/")        # another browser (its own cookies): its own language
    other.get_by_text("1. Scenarios to compare").wait_for()
    assert other.get_by_text("1. Skenario yang dibandingkan").count() == 0
