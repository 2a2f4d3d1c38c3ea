"""Two planners at once (two browser contexts, two sessions): one runs a heavy comparison, the
other's small one still finishes and a second one can be cancelled; cancelling or closing the
page stops a session's runs on the server (its log says how many waiting runs were dropped)
and the app never starts more worker processes than its one shared pool."""

import os
import re

import psutil
from playwright.sync_api import expect

from tests.viz.browser.conftest import WAIT_MS
from tests.viz.browser.test_compare import toggle

HEAVY = ["market_ecosystem", "socialization", "village_ecosystem", "easier_payment"]


def settings(page, replicates, scale=None):
    field = page.get_by_label("Replicates per scenario (same seeds in every scenario)")
    field.fill(str(replicates))
    field.press("Enter")
    if scale is not None:
        page.locator(".v-select").filter(has_text="Population scale").locator(".v-select__slot").click()
        page.get_by_role("option", name=str(scale), exact=True).click()


def start_heavy(page):
    """Six scenarios (the baseline among them) x 50 replicates at scale 0.02: 600 runs with the chance
    companions of the default uncertainty ("both"), several
    minutes of both cores (a bigger scale would only make the test slower)."""
    settings(page, 50, 0.02)
    page.get_by_role("button", name="Run comparison").click()
    page.get_by_text("Running:").wait_for()


def dropped(server, pattern, start):
    return int(server.wait_for_log(pattern + r"[:,] (\d+) waiting runs dropped", start).group(1))


def test_a_heavy_comparison_does_not_starve_another_planner(new_page, server):
    heavy, small = new_page("/"), new_page("/")
    heavy.get_by_text("1. Scenarios to compare").wait_for()
    for name in HEAVY:
        toggle(heavy, name)
    start_heavy(heavy)

    small.get_by_text("1. Scenarios to compare").wait_for()
    settings(small, 1)
    small.get_by_role("button", name="Run comparison").click()
    small.locator(".summary-table").wait_for(timeout=3 * WAIT_MS)   # finished ...
    assert heavy.get_by_text("Running:").is_visible()           # ... while the heavy one runs
    assert small.locator(".summary-table tbody tr").count() == 2

    settings(small, 20)                                         # a second one, cancelled
    small.get_by_role("button", name="Run comparison").click()
    small.get_by_role("button", name="Cancel").click()
    small.locator(".run-cancelled").wait_for()
    assert small.locator(".summary-table tbody tr").count() == 2    # the last results are kept

    workers = [p for solara in psutil.Process(server.process.pid).children()   # python -m viz supervises solara
               for p in solara.children(recursive=True)]
    assert len(workers) <= (os.cpu_count() or 1) + 2            # one pool (+ forkserver, tracker)

    start = server.log_size()
    heavy.get_by_role("button", name="Cancel").click()
    heavy.locator(".run-cancelled").wait_for()
    assert dropped(server, r"cancelled its comparison", start) > 0
    expect(heavy.get_by_role("button", name="Run comparison")).to_be_enabled(timeout=WAIT_MS)


def test_closing_the_page_stops_its_runs(new_page, server):
    page = new_page("/")
    page.get_by_text("1. Scenarios to compare").wait_for()
    for name in HEAVY:
        toggle(page, name)
    start_heavy(page)
    page.get_by_text(re.compile(r"Running: [1-9]\d* of 600")).wait_for(timeout=3 * WAIT_MS)  # under way
    kernel = re.findall(r"page (\S+): comparison of 600 runs (?:in \S+ )?started", server.log_text())[-1]
    start = server.log_size()
    page.close(run_before_unload=True)
    assert dropped(server, rf"page {re.escape(kernel)} closed: its comparison stopped", start) > 0
