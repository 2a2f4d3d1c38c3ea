"""The array model implements the plain rules: it agrees with the object-per-agent reference
(benchmarks/reference_model.py) within sampling error, and the comparison is strict enough to
catch a wrong rule. See benchmarks/equivalence.py for the statistics."""

import pytest

from benchmarks import equivalence
from benchmarks.reference_model import InformalWorker

SCALE = 0.005                       # about 7,600 informal workers
HORIZON = "2030-12"
MONTHS = [3, 6, 12, 24, 36, 48, 76]
REFERENCE_SEEDS = range(1, 7)
MODEL_SEEDS = range(101, 131)       # other seeds than the reference's: independent samples
CRITICAL = equivalence.critical_z(len(MONTHS) * len(equivalence.COUNTS), alpha=0.001)


@pytest.fixture(scope="module")
def model_runs():
    return [equivalence.model_trajectory(SCALE, seed, HORIZON) for seed in MODEL_SEEDS]


def _max_abs_z(model_runs, worker_class=InformalWorker):
    reference_runs = [equivalence.reference_trajectory(SCALE, seed, HORIZON, worker_class)
                      for seed in REFERENCE_SEEDS]
    z = equivalence.z_scores(reference_runs, model_runs, MONTHS)
    return z.abs().to_numpy().max(), z


def test_model_and_reference_agree_within_sampling_error(model_runs):
    worst, z = _max_abs_z(model_runs)
    assert worst < CRITICAL, f"|z| up to {worst:.1f} (bound {CRITICAL:.1f}):\n{z.round(1)}"


class LapseAfterTwoMonths(InformalWorker):
    """Off by one: a participant is inactive after 2 unpaid months instead of lapse_months."""

    def step(self):
        if self.active and self.stopped and self.unpaid == self.model.lapse_months - 2:
            self.unpaid += 1
        super().step()


class NoImitation(InformalWorker):
    """The peer term of the take-up rule left out."""

    def join_probability(self, peers):
        return super().join_probability(0.0)


@pytest.mark.parametrize("worker_class", [LapseAfterTwoMonths, NoImitation])
def test_the_comparison_catches_a_wrong_rule(model_runs, worker_class):
    worst, z = _max_abs_z(model_runs, worker_class)
    assert worst > CRITICAL, f"{worker_class.__name__} passed unnoticed:\n{z.round(1)}"
