"""The Plan page under hostile hands, in a real browser from `/`: nan, inf, 1e308 and abc in
every number field give one message beside the field in the session's language and nothing
starts; Start and Stop clicked 20 times and searches started on two pages leave no error in the
server log; a search and a comparison on two pages share the app's pool (the comparison
finishes while the search runs); a budget below the status quo's spend says no plan fits.

The server is the shared one of conftest.py, started from test_plan.py's tiny problem (this
module imports it, so the variable is set before the server starts)."""

import re

import pytest
from playwright.sync_api import expect

from tests.viz.browser.conftest import RUN_WAIT_MS
from tests.viz.browser.test_plan import fill, plan_page  # noqa: F401 - sets CAKUPAN_PLAN_PROBLEM

FIELDS = ["Target coverage", "Probability p", "Yearly budget, total (Rp bn)", "Office (Rp bn)",
          "Local governments (Rp bn)", "At most Perisai agents", "Candidates (at most 400)"]
BAD = re.compile(r"Traceback|\bERROR\b|Too many renders|Exception in thread|LimitError|NaN is not allowed")


def server_errors(server, start):
    return [line for line in server.log_text(start).splitlines() if BAD.search(line)]


@pytest.mark.parametrize("text", ["nan", "inf", "1e308", "abc"])
def test_a_non_number_in_any_field_gets_one_message_beside_it_and_nothing_starts(new_page, server, text):
    start = server.log_size()
    page = plan_page(new_page)
    for label in FIELDS:
        fill(page, label, text)
        field = page.locator(".v-input").filter(has=page.get_by_label(label))
        refused = "is outside the allowed range" if text == "1e308" else "is not a number"   # 1e308 is a number
        expect(field.locator(".v-messages__message")).to_have_text(re.compile(rf"^{re.escape(text)} {refused}; "
                                                                             r"allowed: .+ to .+\.$"))
    page.get_by_role("button", name="Start search").click()
    page.get_by_text("Correct the fields marked in red first.").wait_for()
    assert page.locator(".search-progress").count() == 0
    fill(page, "Target coverage", "50%")                  # a corrected field loses its message
    expect(page.locator(".v-input").filter(has=page.get_by_label("Target coverage"))
           .locator(".v-messages__message")).to_have_count(0)
    assert server_errors(server, start) == []


def test_the_message_beside_a_field_is_in_bahasa_indonesia(new_page, server):
    page = plan_page(new_page)
    page.get_by_role("button", name="Bahasa Indonesia").click()
    page.get_by_text("1. Tujuan, anggaran, dan batasan").wait_for()
    expect(page.get_by_label("Kandidat (paling banyak 400)")).to_have_value("4")
    expect(page.get_by_label("Target cakupan")).to_have_value("50%")
    fill(page, "Kandidat (paling banyak 400)", "nan")
    page.get_by_text("nan bukan angka; boleh: 1 sampai 400.").wait_for()
    page.get_by_role("button", name="English").click()
    page.get_by_text("nan is not a number; allowed: 1 to 400.").wait_for()


def test_start_and_stop_twenty_times_and_two_pages_searching_leave_no_error(new_page, server):
    start = server.log_size()
    one, two = plan_page(new_page), plan_page(new_page)
    for page in (one, two):
        fill(page, "Candidates (at most 400)", 400)
    for _ in range(20):                     # as fast as the buttons allow: each waits to be enabled
        one.locator(".start-search").dblclick(no_wait_after=True)
        one.locator(".stop-search").click(no_wait_after=True)
        expect(one.locator(".start-search")).to_be_enabled(timeout=60_000)
    two.get_by_role("button", name="Start search").click()
    one.get_by_role("button", name="Start search").click()
    two.get_by_text("Searching:").wait_for()
    expect(one.get_by_role("button", name="Start search")).to_be_disabled()
    for page in (one, two):
        page.get_by_role("button", name="Stop").click()
        page.get_by_text("The search was stopped; what finished is kept").wait_for()
        expect(page.get_by_role("button", name="Start search")).to_be_enabled()
    assert server_errors(server, start) == []


def test_a_comparison_finishes_on_the_shared_pool_while_a_search_runs(new_page, server):
    start = server.log_size()
    planner_page = plan_page(new_page)
    fill(planner_page, "Candidates (at most 400)", 400)
    planner_page.get_by_role("button", name="Start search").click()
    planner_page.get_by_text("Searching:").wait_for()
    comparing = new_page("/")
    comparing.get_by_role("button", name="Run comparison").click()
    comparing.locator(".summary-table").wait_for(timeout=RUN_WAIT_MS)
    assert planner_page.locator(".search-progress").count() == 1          # still searching
    planner_page.get_by_role("button", name="Stop").click()
    planner_page.get_by_text("The search was stopped; what finished is kept").wait_for()
    log = server.log_text(start)
    assert "comparison of" in log and "stopped its search" in log
    assert server_errors(server, start) == []


def test_a_budget_below_the_status_quos_spend_says_no_plan_fits(new_page, server):
    start = server.log_size()
    page = plan_page(new_page)
    page.get_by_label("Objective").click(force=True)
    page.get_by_role("option", name="Highest coverage at the month within the budget").click()
    fill(page, "Yearly budget, total (Rp bn)", "0")
    fill(page, "Candidates (at most 400)", 3)
    page.get_by_role("button", name="Start search").click()
    page.get_by_text("No plan fits the budget: the closest, plan").wait_for(timeout=RUN_WAIT_MS)
    assert page.get_by_text("Best plan within the budget").count() == 0
    assert server_errors(server, start) == []


def test_closing_the_page_stops_its_search_and_removes_its_folder(new_page, server):
    import os
    import time

    import psutil

    from viz import planner

    start = server.log_size()
    page = plan_page(new_page)
    fill(page, "Candidates (at most 400)", 400)
    page.get_by_role("button", name="Start search").click()
    page.get_by_text(re.compile(r"Searching: [1-9]")).wait_for(timeout=RUN_WAIT_MS)       # under way
    kernel = server.wait_for_log(r"page (\S+): search of up to 400 candidates started", start).group(1)
    folder = planner.FOLDERS / kernel
    assert (folder / "evaluations.jsonl").exists()
    workers = [p for solara in psutil.Process(server.process.pid).children()   # python -m viz supervises solara
               for p in solara.children(recursive=True)]
    assert len(workers) <= (os.cpu_count() or 1) + 2            # the shared pool only (+ forkserver, tracker)
    page.close(run_before_unload=True)
    server.wait_for_log(rf"page {re.escape(kernel)} closed: its search stopped", start)
    for _ in range(300):                                        # the search thread ends, then removes it
        if not folder.exists():
            break
        time.sleep(0.1)
    assert not folder.exists()
    assert server_errors(server, start) == []
