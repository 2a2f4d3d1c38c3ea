"""The executor protocol: every executor satisfies it, a local pool lives as long as its `with`
block (one pool for a whole calibration, not one per evaluation) and is gone after it."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from experiments import calibration, executors
from experiments.executors import Executor, LocalExecutor, SerialExecutor, using
from tests.experiments import tasks


class CountedPool(ProcessPoolExecutor):
    """A ProcessPoolExecutor that records itself and every worker process it started."""

    created: list[CountedPool] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.workers_seen: set = set()
        self.shut = False
        CountedPool.created.append(self)

    def submit(self, *args, **kwargs):
        future = super().submit(*args, **kwargs)
        self.workers_seen.update((self._processes or {}).values())
        return future

    def shutdown(self, *args, **kwargs):
        self.workers_seen.update((self._processes or {}).values())
        self.shut = True
        super().shutdown(*args, **kwargs)


@pytest.fixture
def pools(monkeypatch):
    CountedPool.created = []
    monkeypatch.setattr(executors, "ProcessPoolExecutor", CountedPool)
    return CountedPool.created


def assert_gone(pools: list[CountedPool]) -> None:
    for pool in pools:
        assert pool.shut
        for process in pool.workers_seen:
            process.join(timeout=30)
            assert not process.is_alive()


def test_every_executor_satisfies_the_protocol():
    from viz.backend import ProgressExecutor
    from viz.pool import FairPool

    fair = FairPool(1)
    candidates = [SerialExecutor(), LocalExecutor(1), fair.executor("page"),
                  ProgressExecutor(SerialExecutor(), lambda done: None)]
    for executor in candidates:
        assert isinstance(executor, Executor), type(executor).__name__
        with executor as entered:
            assert entered is executor
    fair.close()


def test_a_calibration_of_several_evaluations_starts_one_pool_and_ends_it(pools):
    spec = calibration.load_targets(scale=0.002, replicates=1, initial_points=1, max_evaluations=2,
                                    profile_points=0)
    with LocalExecutor(2) as executor:
        fit = calibration.calibrate(spec, executor)
        assert len(pools) == 1 and not pools[0].shut   # the caller's pool stays open inside the block
    assert fit.evaluations >= 4       # current, prior, Sobol point, Nelder-Mead steps: several batches
    assert_gone(pools)


def test_without_an_executor_a_calibration_makes_one_pool_for_the_fit(pools):
    spec = calibration.load_targets(scale=0.002, replicates=1, initial_points=1, max_evaluations=2,
                                    profile_points=0)
    calibration.calibrate(spec)
    assert len(pools) == 1
    assert_gone(pools)


def test_one_pool_serves_every_call_until_close(pools):
    with LocalExecutor(2) as executor:
        first = {pid for _, pid in executor.imap_unordered(tasks.pid, range(6))}
        second = {pid for _, pid in executor.imap_unordered(tasks.pid, range(6))}
        assert sorted(r for _, r in executor.imap_unordered(tasks.square_or_die, range(4))) == [0, 1, 4, 9]
    assert len(pools) == 1 and first | second <= {p.pid for p in pools[0].workers_seen}
    assert_gone(pools)


def test_a_worker_crash_replaces_the_pool_and_the_next_call_still_runs(pools):
    with LocalExecutor(2) as executor:
        outcomes = dict(executor.imap_unordered(tasks.square_or_die, [1, -1, 2]))
        assert outcomes[1] == 1 and outcomes[2] == 4 and isinstance(outcomes[-1], executors.WorkerDied)
        assert sorted(r for _, r in executor.imap_unordered(tasks.square_or_die, [3, 4])) == [9, 16]
    assert len(pools) > 1   # a broken pool cannot be reused: each crash starts a new one
    assert_gone(pools)


def test_a_caller_that_stops_early_does_not_disturb_the_next_call(pools):
    with LocalExecutor(1) as executor:
        results = executor.imap_unordered(tasks.nap, [0.0] + [0.5] * 5)
        assert next(results) == (0.0, 0.0)
        results.close()                      # the caller stops: what was queued is cancelled
        assert list(executor.imap_unordered(tasks.square_or_die, [5])) == [(5, 25)]
    assert len(pools) == 1
    assert_gone(pools)


def test_cancel_then_reuse_starts_a_fresh_pool(pools):
    with LocalExecutor(1) as executor:
        assert [r for _, r in executor.imap_unordered(tasks.square_or_die, [2])] == [4]
        executor.cancel()
        assert [r for _, r in executor.imap_unordered(tasks.square_or_die, [3])] == [9]
    assert len(pools) == 2
    assert_gone(pools)


def test_using_lends_a_given_executor_and_owns_a_made_one(pools):
    serial = SerialExecutor()
    with using(serial) as lent:
        assert lent is serial
    with using(None, workers=1) as made:
        assert isinstance(made, LocalExecutor)
        assert [r for _, r in made.imap_unordered(tasks.square_or_die, [6])] == [36]
        assert not pools[0].shut
    assert_gone(pools)


def test_an_error_inside_the_block_still_ends_the_pool(pools):
    with pytest.raises(ValueError, match="inside the block"):
        with LocalExecutor(1) as executor:
            list(executor.imap_unordered(tasks.square_or_die, [1]))
            raise ValueError("inside the block")
    assert len(pools) == 1
    assert_gone(pools)
