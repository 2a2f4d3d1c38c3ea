"""A planner's input is data: each hostile case of issue 12, acted as a user (the picker, the
paste box, the button, the results folder field), gets one clear message, never a traceback,
never a look into the server's files, never markup run in the page; the app stays usable."""

import json
import shutil

BASE_ALLOWED = "is not a scenario this file may be based on"


def scenario_with_base(base):
    return f'name = "probe"\nbase = "{base}"\n\n[levers.market]\nperisai_agents = 900\n'


def pick(page, name, data: bytes):
    page.locator("input.cakupan-file-input").set_input_files(
        files=[{"name": name, "mimeType": "text/plain", "buffer": data}])


def paste(page, text):
    page.locator(".v-textarea textarea").first.fill(text)  # "…or paste a scenario file here"
    page.get_by_role("button", name="Load pasted scenario").click()


def message_after(page, action, expected):
    """The page's message once it shows `expected`, after `action` (cleared first by a good file)."""
    action()
    message = page.locator(".cakupan-message")
    message.get_by_text(expected).first.wait_for()
    return message.inner_text().strip()


def load_good(page, name):
    paste(page, f'name = "{name}"\nbase = "baseline"\n')
    page.get_by_text(f"Levers of {name}").wait_for()
    page.locator(".cakupan-message").wait_for(state="detached")


def test_a_base_that_is_a_path_is_refused_from_the_picker_and_the_paste_box(new_page):
    page = new_page("/")
    page.get_by_text("1. Scenarios to compare").wait_for()
    for base in ["/etc/passwd", "../x", "/proc/self/mem"]:
        text = scenario_with_base(base)
        picked = message_after(page, lambda text=text: pick(page, "pasted.toml", text.encode()), repr(base))
        assert BASE_ALLOWED in picked and "Allowed: baseline" in picked
        message_after(page, lambda: pick(page, "other.toml", b"\xff"), "not a UTF-8 text file")
        pasted = message_after(page, lambda text=text: paste(page, text), repr(base))
        assert pasted == picked                   # the same message whichever way the file came
    assert "root:" not in page.content()          # nothing of the server's files shows
    assert page.get_by_text("probe", exact=True).count() == 0


def test_a_base_may_be_a_scenario_loaded_in_this_session(new_page):
    page = new_page("/")
    load_good(page, "mine")
    paste(page, 'name = "derived"\nbase = "mine"\n[levers.market]\nperisai_agents = 700\n')
    page.get_by_text("Levers of derived").wait_for()


def test_hostile_files_get_one_message_and_the_page_stays_usable(new_page):
    page = new_page("/")
    page.get_by_text("1. Scenarios to compare").wait_for()
    deep = ("a = " + "[" * 5000 + "]" * 5000 + "\n").encode()
    cases = [
        (lambda: pick(page, "deep.toml", deep), "deep.toml: not valid TOML: nested deeper than 32 levels"),
        (lambda: paste(page, deep.decode()), "pasted.toml: not valid TOML: nested deeper than 32 levels"),
        (lambda: pick(page, "latin.toml", 'name = "x"\n# \xe9\n'.encode("latin-1")),
         "latin.toml: not a UTF-8 text file"),
        (lambda: pick(page, "big.toml", b"#" * 1_100_000), "big.toml: 1,100,000 bytes is over the 1 MB limit"),
        (lambda: paste(page, "#" * 1_100_000), "pasted.toml: 1,100,000 bytes is over the 1 MB limit"),
        (lambda: pick(page, "long.toml", b'name = "long"\nhorizon = "9999-12"\n'),
         "long.toml: horizon: 9999-12 is outside the allowed months"),
        (lambda: paste(page, 'name = "long"\nhorizon = "9999-12"\n'),
         "pasted.toml: horizon: 9999-12 is outside the allowed months"),
    ]
    for action, expected in cases:
        message_after(page, action, expected)
        load_good(page, "fine")                   # the page stays usable after each
    assert page.get_by_text("long", exact=True).count() == 0


def test_replicates_over_the_limit_are_refused_on_the_server(new_page, server):
    page = new_page("/")
    page.get_by_text("1. Scenarios to compare").wait_for()
    start = server.log_size()
    replicates = page.get_by_label("Replicates per scenario (same seeds in every scenario)")
    replicates.fill("20000")
    replicates.press("Enter")
    button = page.get_by_role("button", name="Run comparison")
    page.get_by_text("Replicates: choose 1 to").wait_for()
    assert button.is_disabled()
    button.evaluate("b => { b.removeAttribute('disabled'); b.classList.remove('v-btn--disabled'); }")
    button.click()
    message = page.locator(".cakupan-message")
    message.get_by_text("replicates: 20,000 is outside the allowed range; allowed: 1 to 50").wait_for()
    assert page.get_by_text("Running:").count() == 0
    assert "comparison of" not in server.log_text(start)     # the server started no run


def test_a_sweep_name_is_shown_as_text_and_a_damaged_folder_is_named(new_page, server,
                                                                            sweep_folder, results_area):
    from tests.viz.browser.test_sweeps import open_folder

    hostile = results_area / "hostile-name"
    shutil.copytree(sweep_folder, hostile)
    manifest = json.loads((hostile / "manifest.json").read_text())
    name = '<img src=x onerror="window.cakupanPwned=1">'
    manifest["name"] = name
    (hostile / "manifest.json").write_text(json.dumps(manifest))
    corrupt = results_area / "corrupt"
    shutil.copytree(sweep_folder, corrupt)
    (corrupt / "manifest.json").write_bytes(b'{"kind": "sweep", "name": [\xff')

    page = new_page("/")
    page.get_by_role("tab", name="Sweeps").click()
    start = server.log_size()
    open_folder(page, "corrupt")
    problem = page.locator(".sweep-problem")
    problem.get_by_text("is damaged").wait_for()             # a clear message naming the file
    assert "manifest.json" in problem.inner_text(), problem.inner_text()
    assert "Traceback" not in server.log_text(start)           # an expected problem, not a bug

    open_folder(page, str(hostile))                            # an absolute path inside the area
    page.locator(".sweep-description").get_by_text(name, exact=False).wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("window.cakupanPwned") is None
