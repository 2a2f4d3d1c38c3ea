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
            for task, result in heavy.imap_unordered(slow, [("h", i) for i in range(40)]):
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
