"""Faults outside the input: a CLI killed with SIGKILL leaves no worker behind, a pool can be
killed on demand (what the app does on SIGTERM), and a Dask address that is garbage or a port
that never answers fails within --connect-timeout with one message."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from experiments.executors import DaskExecutor, ExecutorError, LocalExecutor, Stopped

CAKUPAN = [sys.executable, "-m", "experiments.cli"]
SWEEP = """name = "orphans"
scenarios = ["baseline"]
replicates = 4
scale = 0.01
horizon = "2030-12"
[factors.stop_rate]
values = [0.05, 0.06, 0.07, 0.08, 0.09]
"""


def children(pid: int) -> set[int]:
    """Every living descendant of `pid` (from /proc: parent links)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != b"Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if state != b"Z":
            out.add(pid)
    return out


def wait_until(condition, limit: float = 60, what: str = "") -> None:
    """Poll a condition; a bound on waiting, not a timing assertion."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_of_the_cli_mid_sweep_leaves_no_worker(tmp_path):
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(SWEEP)
    out = tmp_path / "out"
    process = subprocess.Popen([*CAKUPAN, "sweep", str(sweep_file), "--out", str(out), "--workers", "2", "-q"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: any((out / "outputs").glob("*.parquet")) if (out / "outputs").is_dir() else False,
                   120, "no run finished")
        workers = children(process.pid)
        assert len(workers) >= 3, workers        # forkserver, two workers (and a resource tracker)
        process.send_signal(signal.SIGKILL)      # only the CLI, not its process group
        process.wait()
        wait_until(lambda: not alive(workers), 30, f"workers outlived the CLI: {alive(workers)}")
    finally:
        for pid in alive(children(process.pid)):
            os.kill(pid, signal.SIGKILL)


def square(x):
    return x * x


def sleepy(x):
    time.sleep(60)
    return x


def test_kill_stops_a_pool_with_runs_in_flight():
    executor = LocalExecutor(2)
    raised = []

    def consume():
        try:
            list(executor.imap_unordered(sleepy, range(4)))
        except Stopped as error:
            raised.append(error)

    thread = threading.Thread(target=consume)
    thread.start()
    wait_until(lambda: executor._pool is not None and len(executor._pool._processes or {}) >= 2
               and len(alive(set(executor._pool._processes))) >= 2, 120, "the pool did not start")
    pool_processes = set(executor._pool._processes)
    executor.kill()
    wait_until(lambda: not alive(pool_processes), 30, "workers survived kill()")
    thread.join(30)
    assert not thread.is_alive() and len(raised) == 1


def test_a_local_executor_still_runs_tasks():
    executor = LocalExecutor(2)
    assert sorted(r for _, r in executor.imap_unordered(square, range(5))) == [0, 1, 4, 9, 16]


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_silent_port_fails_within_the_connect_timeout(silent_port):
    with pytest.raises(ExecutorError, match="within 1 s"):
        DaskExecutor(f"tcp://127.0.0.1:{silent_port}", timeout=1)


@pytest.mark.parametrize("address, message", [
    ("garbage://x", "is not a Dask address (unknown address scheme 'garbage'"),
    ("tcp://127.0.0.1:99999", "port 99999 is not between 1 and 65535"),
    ("tcp://[::1", "is not a Dask address"),
])
def test_a_garbage_scheduler_address_fails_with_one_message(address, message):
    result = subprocess.run([*CAKUPAN, "run", "baseline", "-r", "1", "--scheduler", address,
                             "--connect-timeout", "1"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_the_cli_against_a_silent_port_exits_2_without_noise(silent_port):
    result = subprocess.run([*CAKUPAN, "run", "baseline", "-r", "1", "--scheduler",
                             f"tcp://127.0.0.1:{silent_port}", "--connect-timeout", "1"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "cannot reach the Dask scheduler" in result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
