"""The app's shared pool: runs of several sessions are taken in turn; cancel drops a session's
waiting runs; one job per session at a time."""

import threading
import time

import pytest

from viz.pool import Cancelled, FairPool


def slow(x):
    time.sleep(0.05)
    return x


@pytest.fixture
def pool():
    pool = FairPool(workers=1)
    yield pool
    pool.close()


def test_a_small_job_finishes_while_a_heavy_one_waits(pool):
    order = []
    heavy = pool.executor("heavy")

    def run_heavy():
        try:
            for _task, result in heavy.imap_unordered(slow, [("h", i) for i in range(40)]):
                order.append(result)
        except Cancelled:
            order.append("cancelled")

    thread = threading.Thread(target=run_heavy)
    thread.start()
    while not order:
        time.sleep(0.01)
    small = [result for _, result in pool.executor("small").imap_unordered(slow, [("s", 0), ("s", 1)])]
    assert small == [("s", 0), ("s", 1)]
    assert len(order) < 10                        # the heavy job is far from done
    assert pool.waiting("heavy") > 20
    assert pool.cancel("heavy") > 20
    thread.join()
    assert order[-1] == "cancelled" and pool.waiting() == 0


def test_one_job_per_session_and_a_cancelled_session_may_start_again(pool):
    executor = pool.executor("page")
    first = executor.imap_unordered(slow, [1, 2, 3])
    assert next(first)[1] == 1
    with pytest.raises(Exception, match="already has a comparison running"):
        next(pool.executor("page").imap_unordered(slow, [4]))
    executor.cancel()
    with pytest.raises(Cancelled):
        list(first)
    assert [r for _, r in pool.executor("page").imap_unordered(slow, [5])] == [5]


def test_a_failing_run_is_reported_with_its_task(pool):
    results = list(pool.executor("page").imap_unordered(int, ["1", "x"]))
    assert results[0] == ("1", 1)
    assert results[1][0] == "x" and isinstance(results[1][1], ValueError)


APP = """
import sys, threading, time
import psutil
from viz.pool import FairPool

pool = FairPool(workers=2)
runs = pool.executor("page").imap_unordered(time.sleep, [600, 600])
threading.Thread(target=lambda: list(runs), daemon=True).start()
def workers():
    # forkserver's children: the pool's worker processes
    servers = [p for p in psutil.Process().children() if "forkserver" in " ".join(p.cmdline())]
    return [w for s in servers for w in s.children()]

for _ in range(600):
    if len(workers()) >= 2:
        break
    time.sleep(0.1)
workers = workers()
print(" ".join(str(p.pid) for p in workers), flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_the_apps_workers_do_not_outlive_it(signal_name):
    """Busy workers of the app's pool end when the app's process is killed or terminated."""
    import os
    import signal
    import subprocess
    import sys

    import psutil

    app = subprocess.Popen([sys.executable, "-c", APP], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in app.stdout.readline().split()]
        assert len(pids) == 2 and all(psutil.pid_exists(p) for p in pids)
        os.kill(app.pid, getattr(signal, signal_name))
        app.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.2)
        assert not any(_alive(p) for p in pids), "a worker survived the app"
    finally:
        app.kill()


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
