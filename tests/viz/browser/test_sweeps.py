"""The sweeps page in a real browser: a folder from `cakupan sweep` opens and plots; a wrong
folder gets a message."""

from tests.viz.browser.conftest import screenshot


def open_folder(page, folder, label="Results folder", button="Open"):
    """Type a folder and press Open (labels in the page's language)."""
    field = page.get_by_label(label)
    field.fill(str(folder))
    field.press("Enter")
    page.get_by_role("button", name=button).click()


def test_sweep_folder_opens_and_plots(new_page, sweep_folder, run_folder):
    page = new_page("/sweeps")
    open_folder(page, run_folder)
    page.get_by_text("not of a sweep").wait_for()
    open_folder(page, sweep_folder)
    page.get_by_text("test_sweep").wait_for()
    page.get_by_text("8 runs").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    page.get_by_role("button", name="Download sweep summary (CSV)").wait_for()
    page.set_viewport_size({"width": 1400, "height": 1100})
    screenshot(page, "sweeps")
