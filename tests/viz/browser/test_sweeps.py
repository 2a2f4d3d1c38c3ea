"""The Sweeps page in a real browser, from `/` by clicking: start a small sweep of the library,
watch its progress, cancel another (uploaded), choose a finished one from the list and read its
chart, in English and Bahasa Indonesia; typed folders are data (hostile names refused), damaged
folders are named; the server log holds no error."""

import json
import re
import shutil

from tests.viz.browser.conftest import RUN_WAIT_MS, screenshot

# 20 grid points x 2 scenarios to 2030-12: long enough (tens of seconds) to be cancelled
SLOW_SWEEP = """name = "slow_to_cancel"
scenarios = ["baseline", "market_ecosystem"]
horizon = "2030-12"
design = "grid"
[factors.perisai_agents]
values = [%s]
from = "2027-01"
""" % ", ".join(str(100 * v) for v in range(1, 21))
OVERPRECISE = re.compile(r"\d[.,]\d{4,}")   # 2.785,4318 or 0,07342: more than a unit's precision


def in_area(results_area, sweep_folder, name):
    """A copy of a folder written by `cakupan sweep --out`, inside the app's results area."""
    target = results_area / "cli" / name
    if not target.exists():
        shutil.copytree(sweep_folder, target)
    return target


def open_folder(page, folder):
    """Type a folder (relative to the results area, or absolute) and press Open."""
    field = page.locator(".sweep-folder input")
    field.fill(str(folder))
    field.press("Enter")
    page.locator(".open-folder").click()


def choose(page, css, text):
    page.locator(css).locator(".v-select__slot").click()
    page.get_by_role("option", name=re.compile(re.escape(text))).first.click()


def legend_of(page) -> str:
    """The chart's legend entries, one per line."""
    page.locator(".js-plotly-plot .legendtext").first.wait_for(state="attached")
    return "\n".join(page.eval_on_selector_all(".js-plotly-plot .legendtext", "els => els.map(e => e.textContent)"))


def log_errors(server, start):
    return [line for line in server.log_text(start).splitlines() if " ERROR " in line or "Traceback" in line]


def sweeps_tab(page, name="Sweeps"):
    page.get_by_role("tab", name=name).click()
    page.locator(".start-sweep").wait_for()


def test_start_watch_cancel_and_choose_a_sweep(new_page, server, results_area):
    start = server.log_size()
    page = new_page("/")
    sweeps_tab(page)
    page.get_by_text("8 runs, about").wait_for()          # perisai_sweep.toml at scale 0.005, 4 points
    page.locator(".start-sweep").click()
    description = page.locator(".sweep-description")
    description.get_by_text("4 of 4 points complete").wait_for(timeout=RUN_WAIT_MS)
    page.locator(".js-plotly-plot").first.wait_for()
    legend = legend_of(page)
    assert "best: market_ecosystem, Perisai agents = " in legend and "baseline (its own levers" in legend
    assert "worst: baseline" not in legend and not OVERPRECISE.search(legend), legend
    folders = list((results_area / "app-sweeps").glob("perisai_sensitivity-*"))
    assert len(folders) == 1 and (folders[0] / "sweep.toml").is_file()   # a folder the server chose

    # an uploaded sweep, cancelled while it runs; what finished is kept and it is listed as partial
    page.locator("input.cakupan-file-input").set_input_files(
        files=[{"name": "slow.toml", "mimeType": "text/plain", "buffer": SLOW_SWEEP.encode()}])
    page.get_by_text("40 runs, about").wait_for()
    page.locator(".start-sweep").click()
    page.locator(".sweep-progress").wait_for()
    page.locator(".cancel-sweep").click()
    page.locator(".sweep-cancelled").get_by_text("The sweep was cancelled").wait_for(timeout=RUN_WAIT_MS)
    page.locator(".sweep-note").get_by_text("This sweep is partial").wait_for()
    page.locator(".resume-sweep").wait_for()
    assert "slow_to_cancel" in page.locator(".sweep-list").inner_text()

    # the finished one, chosen from the list
    page.get_by_role("button", name="Refresh the list").click()
    choose(page, ".sweep-list", "perisai_sensitivity")
    description.get_by_text("perisai_sensitivity").wait_for()
    page.locator(".sweep-note").first.wait_for(state="detached")
    page.locator(".js-plotly-plot").first.wait_for()
    page.get_by_role("button", name="Download sweep summary (CSV)").wait_for()
    page.set_viewport_size({"width": 1400, "height": 1900})   # the chart and its legend
    page.locator(".js-plotly-plot .legendtext").first.wait_for(state="attached")
    screenshot(page, "sweeps")
    assert log_errors(server, start) == []


def test_in_bahasa_indonesia_hostile_folders_and_damaged_runs(new_page, server, results_area, sweep_folder):
    from tests.viz.browser.test_language import assert_no_english_left, translated_messages  # imports this module

    english = translated_messages("id")
    damaged = in_area(results_area, sweep_folder, "damaged")
    manifest = json.loads((damaged / "manifest.json").read_text())
    base = next(r["key"] for r in manifest["runs"] if r["scenario"] == "baseline" and r["point"] == 1)
    other = next(r["key"] for r in manifest["runs"] if r["scenario"] == "market_ecosystem" and r["point"] == 2)
    (damaged / "outputs" / f"{base}.parquet").write_bytes(b"")
    (damaged / "outputs" / f"{other}.parquet").write_bytes(b"garbage")
    hostile = in_area(results_area, sweep_folder, "hostile")
    manifest = json.loads((hostile / "manifest.json").read_text())
    manifest["name"] = '<img src=x onerror="window.cakupanPwned=1">'
    (hostile / "manifest.json").write_text(json.dumps(manifest))
    start = server.log_size()

    page = new_page("/")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    page.get_by_text("1. Skenario yang dibandingkan").wait_for()
    sweeps_tab(page, "Sapuan parameter")
    page.get_by_text("8 simulasi, sekitar").wait_for()
    problem = page.locator(".sweep-problem")
    for typed, words in [("../", "berada di luarnya"), ("/etc", "berada di luarnya"),
                         ("x" * 5000, "paling banyak 1.000"), ("a" * 300, "terlalu panjang"),
                         ("tidak/ada", "Tidak ada folder tidak/ada")]:
        open_folder(page, typed)
        problem.get_by_text(words).wait_for()
    upload = page.locator("input.cakupan-file-input")
    upload.set_input_files(files=[{"name": "jahat.toml", "mimeType": "text/plain",
                                   "buffer": SLOW_SWEEP.replace('"market_ecosystem"', '"../../etc/passwd"').encode()}])
    problem.get_by_text("Berkas sapuan jahat.toml ditolak").first.wait_for()
    assert "'../../etc/passwd' not built-in" in problem.inner_text()
    upload.set_input_files(files=[{"name": "besar.toml", "mimeType": "text/plain", "buffer": b"#" * 1_000_001}])
    problem.get_by_text("melebihi batas 1 MB untuk berkas sapuan").first.wait_for()
    assert page.locator("text=Mulai berkas unggahan").count() == 0     # nothing refused was kept
    open_folder(page, "cli/damaged")
    notes = page.locator(".sweep-note")
    notes.get_by_text("Simulasi baseline di beberapa titik rusak").first.wait_for()
    notes.get_by_text(f"outputs/{other}.parquet").first.wait_for()
    notes.get_by_text("Sapuan ini sebagian: 2 dari 4 titik lengkap").first.wait_for()
    assert "Untuk menghitungnya ulang jalankan lagi: cakupan" in notes.first.inner_text() + notes.last.inner_text()
    page.locator(".js-plotly-plot").first.wait_for()
    assert_no_english_left(page, english)

    choose(page, ".sweep-list", "<img src=x")                        # a name from a file: text only
    page.locator(".sweep-description").get_by_text("<img src=x", exact=False).wait_for()
    assert page.locator("img[src='x']").count() == 0 and page.evaluate("window.cakupanPwned") is None
    legend = legend_of(page)
    assert "terbaik: market_ecosystem, agen Perisai = 2.000" in legend and not OVERPRECISE.search(legend)
    assert_no_english_left(page, english)
    assert log_errors(server, start) == []
