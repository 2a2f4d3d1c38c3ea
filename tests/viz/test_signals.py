"""`python -m viz` stops on SIGINT and SIGTERM with every process under it, even when the
server would not exit on its own (issue 26, case 9: a busy request thread kept the server
running after the port had closed)."""

import os
import signal
import socket
import subprocess
import sys
import time

import psutil
import pytest

from viz import __main__ as launch

# A "server" that ignores SIGTERM (as a server whose request thread is busy never exits) and
# starts two children that ignore it too; it prints their pids and its own.
STUBBORN = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
children = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(2)]
print(" ".join(str(p) for p in [*(c.pid for c in children)]), flush=True)
time.sleep(600)
"""

SUPERVISOR = """
import sys
from viz.__main__ import supervise
sys.exit(supervise([sys.executable, "-c", sys.argv[1]], grace=float(sys.argv[2])))
"""


def _alive(pids):
    living = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                living.append(pid)
        except psutil.NoSuchProcess:
            pass
    return living


def _wait_gone(pids, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and _alive(pids):
        time.sleep(0.1)
    return _alive(pids)


def _descendants(pid):
    return [p.pid for p in psutil.Process(pid).children(recursive=True)]


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_server_that_ignores_sigterm_is_killed_with_its_children_after_the_grace(signal_name):
    supervisor = subprocess.Popen([sys.executable, "-c", SUPERVISOR, STUBBORN, "1.0"],
                                  stdout=subprocess.PIPE, text=True)
    try:
        children = [int(p) for p in supervisor.stdout.readline().split()]
        everything = [*_descendants(supervisor.pid)]
        assert len(children) == 2 and set(children) <= set(everything) and len(everything) == 3
        os.kill(supervisor.pid, getattr(signal, signal_name))
        assert supervisor.wait(timeout=30) == 0
        assert _wait_gone(everything, 10) == [], "a process of the app survived the signal"
    finally:
        supervisor.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serving(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_the_app_stops_on_a_signal_with_its_children(signal_name):
    port = _free_port()
    app = subprocess.Popen([sys.executable, "-m", "viz", "--port", str(port)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env={**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"})
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not _serving(port):
            assert app.poll() is None, "the app exited before serving"
            time.sleep(0.5)
        assert _serving(port)
        everything = _descendants(app.pid)
        assert everything, "the server runs as a child of python -m viz"
        os.kill(app.pid, getattr(signal, signal_name))
        assert app.wait(timeout=launch.STOP_SECONDS + 20) == 0
        assert _wait_gone(everything, 10) == []
        assert not _serving(port)
    finally:
        app.kill()
