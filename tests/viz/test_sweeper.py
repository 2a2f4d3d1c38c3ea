"""The Sweeps page's doors (viz/sweeper.py, viz/sweep_folders.py) without a browser: sweep files from the browser,
folders typed on the page (hostile names), the list of the app's sweeps, and folders that are
partial or damaged."""

import json
import os
import shutil

import pytest

from experiments.i18n import translator
from experiments.store import OUTPUTS
from experiments.executors import SerialExecutor
from tests.viz.conftest import SWEEP_TOML
from viz import backend, sweeper
from viz import sweep_folders as folders

EN, ID = translator("en"), translator("id")
TINY = """
name = "tiny"
scenarios = ["baseline", "market_ecosystem"]
horizon = "2025-03"
design = "grid"
[factors.perisai_agents]
values = [500, 2000]
"""


@pytest.fixture
def area(tmp_path, monkeypatch):
    monkeypatch.setenv(folders.AREA_ENV, str(tmp_path / "area"))
    return folders.results_area()


@pytest.fixture
def copied(area, sweep_folder):
    """The session's sweep folder (8 runs, written by `cakupan sweep --out`) inside the area."""
    target = area / "cli" / "perisai"
    shutil.copytree(sweep_folder, target)
    return target


# ---------------------------------------------------------------------------------- the file door
@pytest.mark.parametrize("data, size, words", [
    (None, 2_000_000, "2,000,000 bytes is over the 1 MB limit"),
    (b"x" * (backend.MAX_UPLOAD_BYTES + 1), None, "over the 1 MB limit"),
    (b"name = \"\xff\"", None, "not a UTF-8 text file (byte 8)")])
def test_the_file_door_refuses_size_and_encoding(data, size, words):
    with pytest.raises(folders.SweepPageError) as caught:
        sweeper.upload_text("../../etc/evil.toml", data, size)
    assert caught.value.text(EN).startswith("evil.toml: ") and words in caught.value.text(EN)


def test_the_file_door_keeps_only_a_file_name():
    source, text = sweeper.upload_text("/etc/../../x/" + "a" * 300 + ".toml", b"name = 1")
    assert "/" not in source and len(source) == 200 and text == "name = 1"


@pytest.mark.parametrize("text, words", [
    ("a = " + "[" * 40 + "]" * 40, "nested deeper than 32 levels"),
    ("name = ", "not valid TOML"),
    (TINY.replace('design = "grid"', 'desgin = "grid"'), "desgin: unknown key"),
    (TINY.replace("[500, 2000]", "[500, 99999]"), "outside the allowed 0 to 20000"),
    (TINY.replace('"market_ecosystem"', '"../../etc/passwd"'), "'../../etc/passwd' not built-in"),
    (TINY.replace('"market_ecosystem"', '"/tmp/x.toml"'), "may name only: baseline"),
    ("\n".join(f"k{i} = {i}" for i in range(100)), "  ... and 83 more problems (fix these first)")])
def test_a_sweep_file_is_checked_as_the_cli_checks_it(text, words):
    with pytest.raises(folders.SweepPageError, match="refused") as caught:
        sweeper.read(text, "up.toml")
    assert words in caught.value.text(EN)
    assert all(len(line) <= 301 for line in caught.value.text(EN).splitlines())
    assert caught.value.text(ID).startswith("Berkas sapuan up.toml ditolak")


def test_the_request_is_checked_on_the_server():
    raw = sweeper.read(TINY, "tiny.toml")
    chosen = sweeper.request(raw, "tiny.toml", 0.005, 1)
    assert chosen.cost.runs == 4 and "scale = 0.005" in chosen.text and "replicates = 1" in chosen.text
    for scale, replicates, words in [(0.3, 1, "scale: 0.3 is not offered"), ("0.01", 1, "not a number"),
                                     (0.005, 51, "replicates: 51 is outside"), (0.005, True, "not a whole")]:
        with pytest.raises(backend.UserError, match=words):
            sweeper.request(raw, "tiny.toml", scale, replicates)
    big = TINY.replace("[500, 2000]", "[" + ", ".join(str(v) for v in range(100, 1200)) + "]")
    with pytest.raises(folders.SweepPageError) as caught:
        sweeper.request(sweeper.read(big, "big.toml"), "big.toml", 0.005, 1)
    assert caught.value.text(ID) == ("Sapuan ini berisi 2.200 simulasi; aplikasi menjalankan paling banyak 2.000 per"
                                     " sapuan: gunakan lebih sedikit titik atau ulangan, atau jalankan dengan"
                                     " `cakupan sweep`.")
    lhs = sweeper.read(sweeper.library_text("perisai_sweep.toml"), "perisai_sweep.toml")
    assert sweeper.request(lhs, "perisai_sweep.toml", 0.005, 1, 4).cost.runs == 4 * 2
    with pytest.raises(backend.UserError, match="samples"):
        sweeper.request(lhs, "perisai_sweep.toml", 0.005, 1, 0)


def test_the_library_holds_the_example_sweeps_and_nothing_else():
    assert {"perisai_sweep.toml", "sensitivity.toml"} <= set(sweeper.library())
    for name in ("../cli.py", "/etc/passwd", "perisai_sweep.toml/.."):
        with pytest.raises(folders.SweepPageError, match="not a sweep of the library"):
            sweeper.library_text(name)


# ---------------------------------------------------------------------------------- typed folders
@pytest.mark.parametrize("typed, words", [
    ("", "Type a folder"), ("   ", "Type a folder"),
    ("x" * 5000, "at most 1,000 characters"), ("a\x00b", "no control characters"),
    ("a" * 300, "too long"), ("/".join(["b" * 250] * 3), "No folder"),
    ("../", "outside it"), ("../../etc", "outside it"), ("/etc", "outside it"), ("/", "outside it"),
    ("~", "outside it"), ("<script>alert(1)</script>", "No folder <script>"), ("nope", "No folder nope")])
def test_a_typed_folder_is_data_never_a_way_out_of_the_area(area, typed, words):
    with pytest.raises(folders.SweepPageError) as caught:
        folders.resolve_folder(typed)
    assert words in caught.value.text(EN)
    assert caught.value.text(ID) != caught.value.text(EN)  # translated


def test_a_link_out_of_the_area_is_refused(area, tmp_path):
    (area / "link").symlink_to(tmp_path)
    with pytest.raises(folders.SweepPageError, match="outside"):
        folders.resolve_folder("link")


def test_a_folder_inside_the_area_opens_by_relative_or_absolute_path(copied, area):
    assert folders.resolve_folder("cli/perisai") == copied == folders.resolve_folder(str(copied))
    assert folders.resolve_folder("cli/../cli/perisai/") == copied


# ---------------------------------------------------------------------------------- list and open
def test_the_list_shows_the_areas_sweeps_and_not_other_results(copied, area, run_folder):
    shutil.copytree(run_folder, area / "a_run")
    (area / "junk").mkdir()
    (area / "junk" / "manifest.json").write_text("{not json", encoding="utf-8")
    entries = folders.list_sweeps()
    assert [(e.relative, e.name, e.points, e.runs, e.done, e.running, e.started_here) for e in entries] == \
        [("cli/perisai", "test_sweep", 4, 8, 8, False, False)]


def test_a_complete_sweep_opens_with_no_notes(copied):
    opened = folders.open_sweep(copied)
    assert opened.notes == [] and opened.points == (4, 4) and not opened.resumable
    assert len(opened.summary) == 8 and opened.baseline == "baseline"


def _key(folder, scenario, point):
    manifest = json.loads((folder / "manifest.json").read_text())
    return next(r["key"] for r in manifest["runs"] if r["scenario"] == scenario and r["point"] == point)


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_a_damaged_baseline_run_is_one_clear_message(copied, damage):
    path = copied / OUTPUTS / f"{_key(copied, 'baseline', 1)}.parquet"
    path.write_bytes(damage if damage is not None else path.read_bytes()[:-100])
    opened = folders.open_sweep(copied)
    texts = [n.text(EN) for n in opened.notes]
    assert any(t.startswith("This sweep is partial: 3 of 4 points") for t in texts)
    baseline = next(t for t in texts if t.startswith("The baseline's runs"))
    assert f"outputs/{path.name}" in baseline and "rerun: cakupan" in baseline
    assert set(opened.summary["point"]) == {0, 2, 3}  # the point without its baseline is left out
    assert all(n.text(ID) != n.text(EN) for n in opened.notes)


def test_a_damaged_other_run_is_named_with_its_repair(copied):
    path = copied / OUTPUTS / f"{_key(copied, 'market_ecosystem', 2)}.parquet"
    path.write_bytes(b"")
    texts = [n.text(EN) for n in folders.open_sweep(copied).notes]
    assert any(t.startswith(f"1 damaged files (outputs/{path.name}): their runs are left out. To recompute"
                            " them rerun: cakupan") for t in texts), texts


def test_a_partial_sweep_says_how_many_points_are_complete(copied):
    for point in (1, 2, 3):
        (copied / OUTPUTS / f"{_key(copied, 'market_ecosystem', point)}.parquet").unlink()
    opened = folders.open_sweep(copied)
    assert opened.notes[0].text(ID).startswith("Sapuan ini sebagian: 1 dari 4 titik lengkap")
    assert folders.list_sweeps()[0].done == 5


def test_a_folder_that_is_not_a_sweep_or_unreadable_is_one_message(area, run_folder):
    shutil.copytree(run_folder, area / "run")
    with pytest.raises(folders.SweepPageError, match="not of a sweep"):
        folders.open_sweep(area / "run")
    (area / "broken").mkdir()
    (area / "broken" / "manifest.json").mkdir()
    with pytest.raises(folders.SweepPageError, match="cannot be read"):
        folders.open_sweep(area / "broken")


# ---------------------------------------------------------------------------------- running
def test_a_sweep_runs_into_a_server_chosen_folder_and_resumes(area):
    chosen = sweeper.request(sweeper.read(TINY, "../../x<b>.toml"), "x.toml", 0.005, 1)
    folder = sweeper.new_folder("../../<b>evil</b> name " + "x" * 100)
    assert folder.parent == area / folders.APP_FOLDER and folder.name.startswith("b_evil_b_name_x")
    seen = []
    assert sweeper.run(chosen, folder, SerialExecutor(), lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    entry = folders.list_sweeps()[0]
    assert (entry.name, entry.done, entry.runs, entry.started_here, entry.running) == ("tiny", 4, 4, True, False)
    path = next((folder / OUTPUTS).glob("*.parquet"))
    path.write_bytes(b"")
    opened = folders.open_sweep(folder)
    assert opened.resumable and any("press Resume" in n.text(EN) for n in opened.notes)
    again = sweeper.resume_request(folder)
    assert again.cost.runs == 4
    seen.clear()
    assert sweeper.run(again, folder, SerialExecutor(), lambda done, total: seen.append((done, total)))
    assert seen[-1] == (1, 1)  # only the damaged run is recomputed
    assert folders.open_sweep(folder).notes == []


def test_the_sweep_file_of_a_resumed_folder_is_checked_again(area):
    folder = sweeper.new_folder("x")
    (folder / folders.SWEEP_FILE).write_text(TINY.replace('"market_ecosystem"', '"/etc/passwd"'))
    with pytest.raises(folders.SweepPageError, match="not built-in"):
        sweeper.resume_request(folder)
    os.remove(folder / folders.SWEEP_FILE)
    with pytest.raises(folders.SweepPageError, match="not started in the app"):
        sweeper.resume_request(folder)


def test_the_conftest_sweep_is_a_valid_upload():
    assert sweeper.read(SWEEP_TOML, "s.toml")["name"] == "test_sweep"


def test_a_sweep_being_written_says_it_is_still_running(copied):
    import socket

    (copied / OUTPUTS / f"{_key(copied, 'baseline', 3)}.parquet").unlink()
    (copied / ".owner.json").write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))
    opened = folders.open_sweep(copied)
    assert opened.notes[0].text(EN) == "This sweep is still running: 3 of 4 points are complete so far."
    assert not opened.resumable and folders.list_sweeps()[0].running
    (copied / ".owner.json").write_text(json.dumps({"pid": 2 ** 22 + 12345, "host": socket.gethostname()}))
    assert folders.open_sweep(copied).notes[0].text(EN).startswith("This sweep is partial: 3 of 4 points")


def test_any_typed_text_opens_inside_the_area_or_gives_one_message(area):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    (area / "inside").mkdir(exist_ok=True)
    pieces = st.sampled_from(["..", ".", "/", "~", "inside", "a" * 256, "\x00", "<b>", "%2e%2e", "\\", "é", " "])

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.one_of(st.text(max_size=300), st.lists(pieces, max_size=12).map("".join)))
    def check(typed):
        try:
            path = folders.resolve_folder(typed)
        except folders.SweepPageError as problem:
            assert problem.text(EN) and problem.text(ID)
        else:
            assert path.is_relative_to(area) and path.is_dir()
    check()
