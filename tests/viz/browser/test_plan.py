"""The Plan page in a real browser, driven by clicks: set the objective and candidates, start,
watch the front, send a plan to Compare and find it there; a bad field gets a message; Stop
keeps what finished. The app runs with a tiny starting problem (CAKUPAN_PLAN_PROBLEM) so a
search takes seconds."""

import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.viz.browser.conftest import VIEWPORT, WAIT_MS, Guard, _wait_until_serving, free_port, screenshot

TINY = """
name = "tiny_plan"
[objective]
goal = "min_spend"
month = "2024-11"
target = 0.5
[budget]
local_idr = 2e10
[levers.registration_assistance]
[levers.subsidy_budget_idr]
high = 2e9
by_regency = true
[constraints]
no_regency_below_status_quo = false
[search]
trials = 4
batch = 4
promote = 0.5
rungs = [{ scale = 0.001, replicates = 1 }, { scale = 0.002, replicates = 2 }]
sensitivity = false
"""


@pytest.fixture(scope="module")
def plan_app(tmp_path_factory):
    """The app as `python -m viz` starts it, with the tiny problem as the page's start."""
    folder = tmp_path_factory.mktemp("plan_app")
    problem = folder / "tiny.toml"
    problem.write_text(TINY)
    port = free_port()
    log = folder / "server.log"
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
           "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/npm/", "CAKUPAN_PLAN_PROBLEM": str(problem)}
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "viz", "--host", "127.0.0.1", "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url + "/", process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def plan_page(browser, plan_app):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(WAIT_MS)
    guard = Guard()
    context.route(Guard.is_outside, guard.route)
    page = context.new_page()
    page.on("response", guard.response)
    page.goto(plan_app + "/plan")
    page.get_by_text("1. Objective, budget and constraints").wait_for()
    yield page
    context.close()
    guard.check()


def fill(page, label, value):
    field = page.get_by_label(label)
    field.fill(str(value))
    field.press("Enter")


def choose_objective(page, goal):
    page.get_by_label("Objective").click(force=True)
    page.get_by_role("option", name=goal).click()


def test_a_search_started_by_clicks_shows_the_front_and_sends_a_plan_to_compare(plan_page):
    page = plan_page
    choose_objective(page, "max_coverage")
    page.get_by_text("Highest coverage at the month within the budget").wait_for()
    fill(page, "Candidates (at most 400)", 3)
    page.get_by_role("button", name="Start search").click()
    page.get_by_text("best plan within the budget").wait_for()
    page.locator("img").first.wait_for()                     # the front's chart
    send = page.locator("[class*='send-']").first
    trial = int([c for c in send.get_attribute("class").split() if c.startswith("send-")][0][5:])
    send.click()
    name = f"tiny_plan_{trial:04d}"
    page.get_by_text(f"{name} is on the Compare page").wait_for()
    page.get_by_text("3. Recommended plan").wait_for()
    page.get_by_text("1. Objective, budget and constraints").scroll_into_view_if_needed()
    screenshot(page, "plan")
    page.get_by_role("tab", name="Compare").click()
    page.locator("label").get_by_text(name, exact=True).wait_for()


def test_a_bad_field_is_named_and_nothing_starts(plan_page):
    page = plan_page
    fill(page, "Target month (YYYY-MM)", "2050-01")
    page.get_by_role("button", name="Start search").click()
    page.get_by_text("objective.month").wait_for()
    assert page.get_by_text("Searching:").count() == 0


def test_stop_keeps_the_front_so_far(plan_page):
    page = plan_page
    fill(page, "Candidates (at most 400)", 40)
    page.get_by_role("button", name="Start search").click()
    page.get_by_text("Searching: search").wait_for()
    page.get_by_role("button", name="Stop").click()
    page.get_by_text("stopped; what finished is saved").wait_for()
    expect(page.get_by_role("button", name="Start search")).to_be_enabled()
