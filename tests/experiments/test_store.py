"""A results folder has one writer, never mixes experiments or settings, and survives damage:
truncated or empty files are recomputed on resume (and counted), and `report` names them and
the command that repairs them instead of crashing."""

import json
import subprocess
import sys
import threading

import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments import cli
from experiments.executors import SerialExecutor
from experiments.runner import Results, run
from experiments.store import OUTPUTS, REGENCY, Store, StoreError

TINY = {"scale": 0.003, "horizon": "2024-09", "progress": False}
COMMAND = ["run", "baseline", "-r", "2", "--scale", "0.003", "--horizon", "2024-09", "--workers", "1", "-q",
           "--uncertainty", "chance"]  # two runs in all: the damage below can reach every one


def invoke(*args):
    """The command in this process, with sys.argv as a shell would set it (the manifest keeps it)."""
    argv = [str(a) for a in args]
    saved, sys.argv = sys.argv, ["cakupan", *argv]
    try:
        return CliRunner().invoke(cli.app, argv)
    finally:
        sys.argv = saved


def tiny(out, replicates=2, **changes):
    return run("baseline", replicates, executor=SerialExecutor(), out=out, **{**TINY, **changes})


def test_a_second_writer_is_refused_naming_the_holder(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from experiments.store import Store\n"
         "with Store(sys.argv[1]).writing(['cakupan', 'sweep', 'held.toml']):\n"
         "    print('held', flush=True); time.sleep(60)", str(tmp_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = invoke(*COMMAND, "--out", tmp_path)
        assert result.exit_code == 2, result.output
        assert f"pid {holder.pid}" in result.output and "cakupan sweep held.toml" in result.output
        assert not list((tmp_path / OUTPUTS).glob("*.parquet"))
    finally:
        holder.kill()
        holder.wait()
    assert invoke(*COMMAND, "--out", tmp_path).exit_code == 0   # the OS dropped the dead holder's lock


def test_writers_in_one_process_exclude_each_other(tmp_path):
    with Store(tmp_path).writing():
        with pytest.raises(StoreError, match="is being written by pid"):
            with Store(tmp_path).writing():
                pass
    with Store(tmp_path).writing():   # released
        pass


def test_concurrent_saves_of_one_run_never_collide_on_a_temporary_name(tmp_path):
    store = Store(tmp_path).create()
    frame = pd.DataFrame({"month": ["2024-09"] * 200, "coverage": range(200)})
    errors = []

    def save():
        try:
            for _ in range(20):
                store.save_run("k", frame, frame)
        except Exception as error:   # noqa: BLE001 - the test collects what the old code raised
            errors.append(error)

    threads = [threading.Thread(target=save) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and store.verify().good == {"k"}
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.parametrize("change, message", [
    ({"scale": 0.004}, "scale: 0.003 there, 0.004 now"),
    ({"horizon": "2024-10"}, "horizon: 2024-09 there, 2024-10 now"),
    ({"replicates": 1}, "replicates: 2 there, 1 now"),
])
def test_a_folder_written_with_other_settings_is_refused(tmp_path, change, message):
    tiny(tmp_path)
    before = sorted(p.name for p in (tmp_path / OUTPUTS).iterdir())
    with pytest.raises(StoreError, match=message):
        tiny(tmp_path, **change)
    assert sorted(p.name for p in (tmp_path / OUTPUTS).iterdir()) == before
    assert len(Results.load(tmp_path).table.groupby("replicate")) == 2


def test_a_folder_from_another_model_version_is_refused(tmp_path):
    tiny(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["settings"]["model_version"] = "git 0000000"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match="model_version: git 0000000 there"):
        tiny(tmp_path)


def test_more_replicates_extend_a_folder(tmp_path):
    tiny(tmp_path)
    results = tiny(tmp_path, replicates=3)
    assert results.manifest["sessions"][-1]["runs_skipped"] == 2
    assert sorted(results.table["replicate"].unique()) == [0, 1, 2]


def test_the_manifest_records_each_file_size_and_checksum(tmp_path):
    tiny(tmp_path)
    files = json.loads((tmp_path / "manifest.json").read_text())["files"]
    stored = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.glob("*/*.parquet"))
    assert sorted(files) == stored and len(stored) == 4
    for path, record in files.items():
        assert (tmp_path / path).stat().st_size == record["size"] and len(record["sha256"]) == 64


def damage(folder):
    """Truncate one run's outputs and empty another's regency table, as a crash or a full disk would."""
    outputs = sorted((folder / OUTPUTS).glob("*.parquet"))
    with open(outputs[0], "r+b") as handle:
        handle.truncate(100)
    (folder / REGENCY / outputs[1].name).write_bytes(b"")
    return outputs[0], folder / REGENCY / outputs[1].name


def test_resume_recomputes_damaged_runs_and_says_how_many(tmp_path):
    assert invoke(*COMMAND, "--out", tmp_path).exit_code == 0
    reference = Results.load(tmp_path).table
    damage(tmp_path)
    result = invoke(*COMMAND, "--out", tmp_path)
    assert result.exit_code == 0 and "2 runs had missing or damaged files and were recomputed" in result.output
    pd.testing.assert_frame_equal(Results.load(tmp_path).table, reference)
    assert Results.load(tmp_path).damaged == []


def test_report_names_damaged_files_and_the_repairing_command(tmp_path):
    assert invoke(*COMMAND, "-r", "3", "--out", tmp_path).exit_code == 0
    truncated, emptied = damage(tmp_path)
    result = invoke("report", tmp_path)
    assert result.exit_code == 0, result.output
    assert truncated.name in result.output and emptied.name in result.output
    assert "rerun: cakupan run baseline" in result.output and "Traceback" not in result.output
    assert len(Results.load(tmp_path).table["replicate"].unique()) == 1


def test_report_of_a_folder_with_only_damaged_runs_exits_2_with_the_repair(tmp_path):
    assert invoke(*COMMAND, "--out", tmp_path).exit_code == 0
    damage(tmp_path)
    result = invoke("report", tmp_path)
    assert result.exit_code == 2 and "no intact runs" in result.output and "rerun: cakupan run" in result.output


@pytest.mark.parametrize("content", [b"{", b"\xff\xfe", b"[]", b'{"runs": 3}'])
def test_a_damaged_manifest_is_named_by_report_and_rewritten_by_resume(tmp_path, content):
    assert invoke(*COMMAND, "--out", tmp_path).exit_code == 0
    (tmp_path / "manifest.json").write_bytes(content)
    result = invoke("report", tmp_path)
    assert result.exit_code == 2 and "manifest.json is damaged" in result.output, result.output
    result = invoke(*COMMAND, "--out", tmp_path)
    assert result.exit_code == 0 and invoke("report", tmp_path).exit_code == 0
    assert Results.load(tmp_path).manifest["sessions"][-1]["runs_skipped"] == 2


def test_stale_temporary_files_of_a_killed_writer_are_removed_by_the_next(tmp_path):
    tiny(tmp_path)
    stale = tmp_path / OUTPUTS / ".abc.parquet.123.deadbeef.tmp"
    stale.write_bytes(b"partial")
    tiny(tmp_path)
    assert not stale.exists()


@pytest.mark.parametrize("option", ["--out", "--into"])
def test_an_output_path_that_is_a_file_is_refused_before_any_run(tmp_path, option):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    args = [*COMMAND, "--out", blocker / "sub"] if option == "--out" else ["report", tmp_path, "--into", blocker]
    result = invoke(*args)
    assert result.exit_code == 2 and option in result.output and "is a file" in result.output, result.output
    assert blocker.read_text() == "x"


def test_an_unwritable_output_folder_is_refused_before_any_run():
    result = invoke(*COMMAND, "--out", "/proc/self/cakupan")
    assert result.exit_code == 2 and "cannot be created or written" in result.output


def test_report_of_a_missing_folder_creates_nothing(tmp_path):
    result = invoke("report", tmp_path / "typo")
    assert result.exit_code == 2 and "holds no results" in result.output
    assert not (tmp_path / "typo").exists()


# ---------------------------------------------------------------- the baseline's runs, the manifest's kind
def test_report_with_a_damaged_baseline_run_names_it_and_the_repair_and_exits_2(tmp_path):
    command = ["run", "socialization", "-r", "2", "--scale", "0.003", "--horizon", "2024-09", "--workers", "1",
               "-q", "--uncertainty", "chance", "--out", tmp_path]
    assert invoke(*command).exit_code == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    base = next(r["key"] for r in manifest["runs"] if r["scenario"] == "baseline")
    path = tmp_path / OUTPUTS / f"{base}.parquet"
    for damage_with in (lambda b: b[: len(b) // 2], lambda b: b[:100] + bytes([b[100] ^ 0xFF]) + b[101:],
                        lambda b: b""):
        original = path.read_bytes()
        path.write_bytes(damage_with(original))
        result = invoke("report", tmp_path)
        assert result.exit_code == 2, result.output
        assert f"{base}.parquet" in result.output and "baseline" in result.output
        assert "rerun: cakupan run socialization" in result.output and "Traceback" not in result.output
        path.write_bytes(original)
    assert invoke("report", tmp_path).exit_code == 0


def test_a_manifest_that_is_a_folder_gives_one_message_on_report_and_on_rerun(tmp_path):
    assert invoke(*COMMAND, "--out", tmp_path).exit_code == 0
    (tmp_path / "manifest.json").unlink()
    (tmp_path / "manifest.json").mkdir()
    for args in (["report", tmp_path], [*COMMAND, "--out", tmp_path]):
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        assert "manifest.json is not a file" in result.output and "mv " in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (tmp_path / "manifest.json").is_dir()           # nothing removed behind the user's back
    assert len(list((tmp_path / OUTPUTS).glob("*.parquet"))) == 2
