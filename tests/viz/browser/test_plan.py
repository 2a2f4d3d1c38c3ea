"""The Plan page in a real browser, driven by clicks from `/`: set the objective and candidates,
start, watch the front (Plotly: hovering a point shows its row of the table), send a plan to
Compare and find it there; the page in Bahasa Indonesia; a bad field gets a message; Stop keeps
what finished.

The shared app (conftest.py's `server`) starts the Plan page from a tiny problem, so a search
takes seconds: CAKUPAN_PLAN_PROBLEM is set when this module is collected, before any test starts
the server (only the Plan page reads it)."""

import os
import re
import tempfile
from pathlib import Path

from playwright.sync_api import expect

from tests.viz.browser.conftest import RUN_WAIT_MS, screenshot
from tests.viz.browser.test_language import english_left, translated_messages
from viz.planner import PROBLEM_ENV

TINY = """
name = "tiny_plan"
decision_month = "2024-10"    # a plan from Oct 2024 to Feb 2025: two budget years in five months
[objective]
goal = "min_spend"
month = "2025-02"
target = 0.5
[budget]
local_idr = 2e10
[levers.registration_assistance]
[levers.subsidy_budget_idr]
high = 2e9
by_regency = true
periods = "budget_year"
[constraints]
no_regency_below_status_quo = false
[search]
trials = 4
batch = 4
promote = 0.5
rungs = [{ scale = 0.001, replicates = 1 }, { scale = 0.002, replicates = 2 }]
sensitivity = false
"""
_PROBLEM = Path(tempfile.mkdtemp(prefix="cakupan-plan-test-")) / "tiny.toml"
_PROBLEM.write_text(TINY)
os.environ[PROBLEM_ENV] = str(_PROBLEM)

# The hover label of the first point of the front trace: the mouse is moved onto it as a planner does.
FRONT_POINT_JS = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  gd.scrollIntoView({block: 'center'});
  const i = gd.data.findIndex(t => t.mode === 'lines+markers');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, cd = gd.calcdata[i][0];
  const box = gd.getBoundingClientRect();
  return {x: box.left + xa._offset + xa.c2p(cd.x), y: box.top + ya._offset + ya.c2p(cd.y),
          trial: gd.data[i].customdata[0]};
}"""
HOVER_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot .hoverlayer .hovertext'))
  .map(e => e.textContent).join(' | ')"""
# The header row of the regency table holding column `name`, and that column's cells.
COLUMN_JS = """(name) => {
  const table = Array.from(document.querySelectorAll('table.plan-table'))
    .find(t => Array.from(t.querySelectorAll('thead th')).some(th => th.textContent.trim() === name));
  if (!table) return {heads: [], cells: []};
  const heads = Array.from(table.querySelectorAll('thead th')).map(th => th.textContent.trim());
  const i = heads.indexOf(name);
  return {heads, cells: Array.from(table.querySelectorAll('tbody tr')).map(tr => tr.children[i].textContent.trim())};
}"""


def plan_page(new_page):
    page = new_page("/")
    page.get_by_role("tab", name="Plan").click()
    page.get_by_text("1. Objective, budget and constraints").wait_for()
    return page


def fill(page, label, value):
    field = page.get_by_label(label)
    field.fill(str(value))
    field.press("Enter")


def choose_objective(page, goal):
    page.get_by_label("Objective").click(force=True)
    page.get_by_role("option", name=goal).click()


def test_a_search_started_by_clicks_shows_the_front_and_sends_a_plan_to_compare(new_page):
    page = plan_page(new_page)
    choose_objective(page, "Highest coverage at the month within the budget")
    page.get_by_text("Highest coverage at the month within the budget").first.wait_for()
    page.get_by_text("Budgets are ceilings").wait_for()
    fill(page, "Candidates (at most 400)", 3)
    page.get_by_role("button", name="Start search").click()
    page.get_by_text("Best plan within the budget").wait_for()
    page.get_by_text("P(target) is the share of replicates").wait_for()
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 1")
    point = page.evaluate(FRONT_POINT_JS)
    page.mouse.move(point["x"], point["y"])
    page.wait_for_function(f"() => ({HOVER_JS})().includes('plan: {point['trial']}')")
    label = page.evaluate(HOVER_JS)
    row = page.locator(".front-row").filter(has_text=f"plan: {point['trial']},").first.inner_text()
    cells = row.split("\n")[0].split(", plan")[0]
    assert all(cell in label for cell in cells.split(", ")), (cells, label)   # hover = the table's row
    send = page.locator("[class*='send-']").first
    trial = int([c for c in send.get_attribute("class").split() if c.startswith("send-")][0][5:])
    send.click()
    name = f"tiny_plan_{trial:04d}"
    page.get_by_text(f"{name} is on the Compare page").wait_for()
    page.get_by_text("3. Recommended plan").wait_for()
    spend = page.evaluate(COLUMN_JS, "Expected subsidy spend a year")     # beside the ceiling, in rupiah
    assert spend["heads"][spend["heads"].index("Expected subsidy spend a year") - 1] == "Subsidy budget", spend
    assert len(spend["cells"]) == 17 and all(re.fullmatch(r"Rp \d[\d,.]*( (bn|m|k|tn))?", c) for c in spend["cells"])
    assert any(c != "Rp 0" for c in spend["cells"]), spend                 # the status-quo programmes spend
    page.get_by_text("Expected spend: the plan's mean yearly premium subsidy paid from each regency's own").wait_for()
    page.get_by_text("1. Objective, budget and constraints").scroll_into_view_if_needed()
    screenshot(page, "plan")
    page.get_by_role("tab", name="Compare").click()
    page.locator("label").get_by_text(name, exact=True).wait_for()


def test_the_plan_page_speaks_bahasa_indonesia(new_page):
    page = plan_page(new_page)
    english = translated_messages("id")
    assert "1. Objective, budget and constraints" in english_left(page, english)
    page.get_by_role("button", name="Bahasa Indonesia").click()
    page.get_by_text("1. Tujuan, anggaran, dan batasan").wait_for()
    page.get_by_text("Anggaran adalah pagu").wait_for()            # every card re-rendered
    page.get_by_text("cakupan: rencana").first.wait_for()
    assert english_left(page, english) == []
    fill(page, "Kandidat (paling banyak 400)", 3)
    page.get_by_role("button", name="Mulai pencarian").click()
    page.locator(".plan-verdict").filter(has_text=re.compile("Rencana termurah yang mencapai|tidak dapat dicapai")
                                         ).wait_for(timeout=RUN_WAIT_MS)
    page.get_by_text("Peluang mencapai target adalah proporsi ulangan").wait_for()
    page.get_by_text("Perkiraan belanja bantuan iuran per tahun", exact=True).wait_for()
    cells = page.evaluate(COLUMN_JS, "Perkiraan belanja bantuan iuran per tahun")["cells"]
    assert len(cells) == 17 and all(re.fullmatch(r"Rp \d[\d.,]*( (miliar|juta|ribu|triliun))?", c) for c in cells)
    page.get_by_role("button", name="English").click()
    page.get_by_text("1. Objective, budget and constraints").wait_for()


def test_a_bad_field_is_named_and_nothing_starts(new_page):
    page = plan_page(new_page)
    fill(page, "Target month (YYYY-MM)", "2050-01")
    page.get_by_role("button", name="Start search").click()
    page.get_by_text("objective.month").wait_for()
    assert page.locator(".search-progress").count() == 0


def test_stop_keeps_the_front_so_far(new_page):
    page = plan_page(new_page)
    fill(page, "Candidates (at most 400)", 40)
    page.get_by_role("button", name="Start search").click()
    page.get_by_text("Searching:").wait_for()
    page.get_by_role("button", name="Stop").click()
    page.get_by_text("The search was stopped; what finished is kept").wait_for()
    expect(page.get_by_role("button", name="Start search")).to_be_enabled()
