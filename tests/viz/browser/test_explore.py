"""The explore page in a real browser: its controls step this session's own model."""

from playwright.sync_api import expect

from tests.viz.browser.conftest import WAIT_MS, screenshot


def step(page, times=1):
    """Press Step `times` times, each once the month shown has moved on (a click while Mesa
    is still stepping is ignored, as it would be for a planner)."""
    for _ in range(times):
        month = page.get_by_text("Month:").first.inner_text()
        page.get_by_role("button", name="Step").click()
        expect(page.get_by_text("Month:").first).not_to_have_text(month, timeout=WAIT_MS)


def open_explore(new_page):
    """The app opened at / as a planner opens it, then the Explore tab clicked."""
    page = new_page("/")
    page.get_by_role("tab", name="Explore").click()
    return page


def test_explore_steps_the_model_and_shows_month_coverage_and_perisai(new_page):
    page = open_explore(new_page)
    page.get_by_text("Month: Aug 2024").wait_for()
    page.get_by_text("Coverage: 34.0%").wait_for()          # the office's Aug 2024 figure
    page.get_by_text("Perisai agents active:").wait_for()
    step(page, 3)
    page.get_by_text("Month: Nov 2024").wait_for()
    page.get_by_role("button", name="Reset", exact=True).click()
    page.get_by_text("Month: Aug 2024").wait_for()
    step(page, 17)
    page.get_by_text("Month: Jan 2026").wait_for()
    assert page.get_by_text("PAGE 0").count() == 0 and page.get_by_text("Time:").count() == 0
    assert page.locator(".js-plotly-plot").count() == 4    # and the regency map (test_regency_map.py)
    page.set_viewport_size({"width": 1400, "height": 1250})
    # the four charts drawn (titled) before the README's screenshot, not their empty frames
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .gtitle').length >= 4")
    screenshot(page, "explore")


def test_two_sessions_step_their_own_models(new_page):
    first, second = open_explore(new_page), open_explore(new_page)
    first.get_by_text("Month: Aug 2024").wait_for()
    second.get_by_text("Month: Aug 2024").wait_for()
    step(first, 2)
    first.get_by_text("Month: Oct 2024").wait_for()
    second.reload()
    second.get_by_text("Month: Aug 2024").wait_for()
    step(second, 1)
    second.get_by_text("Month: Sep 2024").wait_for()
    assert first.get_by_text("Month: Oct 2024").is_visible()
