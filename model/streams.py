"""Common random numbers: the only place where the model draws random numbers.

Every stochastic decision draws from a stream keyed by (seed, decision, month), so two scenarios
run with the same seed give each worker *the same draw for the same decision in the same month*,
whatever the policy. A difference between a plan and the baseline is then the policy's effect,
not noise (common random numbers, paired comparisons).

Two kinds of streams:

* ``uniform(decision, month, ids)`` - a counter-based hash (SplitMix64 finaliser) of
  (key(seed, decision, month), worker id). It costs only the ids asked for, so behaviours draw for
  the workers at risk this month, and a worker's draw never depends on who else was drawn.
* ``generator(decision, month, *extra)`` - a numpy Generator seeded by
  SeedSequence([seed, decision, month, *extra]) for draws that are not per worker (which firm a
  worker moves to, which regency's campaign list). Its position depends only on its key.

Decisions are named; their integer codes are fixed here so a new decision never shifts old ones.
"""

from __future__ import annotations

import numpy as np

# Fixed codes: append new decisions at the end, never renumber (renumbering changes every run).
DECISIONS: dict[str, int] = {
    "population": 1,
    "valuation": 2,
    "income": 3,
    "initial_state": 4,
    "awareness": 5,
    "take_up": 6,
    "stop_paying": 7,
    "subsidy_priority": 8,
    "subsidy_offer": 9,
    "subsidy_end": 10,
    "campaign": 11,
    "village_priority": 12,
    "village_contact": 13,
    "perisai_route": 14,
    "perisai_quit": 15,
    "firm_priority": 16,
    "partnership": 17,
    "inspection": 18,
    "firm_dropout": 19,
    "firm_registration": 20,
    "separation": 21,
    "job_move": 22,
    "construction": 23,
    "digital": 24,
    "partial_registration": 25,
    "pilot": 26,
}

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _splitmix64_int(x: int) -> int:
    """SplitMix64 on a Python int (used to build stream keys)."""
    x = (x + _GOLDEN) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _splitmix64_array(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser over a uint64 array, in place where possible (wrapping arithmetic)."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


class Streams:
    """Keyed random streams for one seed. Cheap to create; holds no generator state."""

    def __init__(self, seed: int):
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)

    def key(self, decision: str, month: int, extra: int = 0) -> int:
        """64-bit key of one (decision, month, extra) stream."""
        code = DECISIONS[decision]
        k = _splitmix64_int(self.seed)
        k = _splitmix64_int(k ^ (code << 40) ^ ((month + 1) << 20) ^ extra)
        return k

    def uniform(self, decision: str, month: int, ids: np.ndarray, extra: int = 0) -> np.ndarray:
        """One U[0, 1) draw per id for this decision and month (float64, 53-bit)."""
        key = np.uint64(self.key(decision, month, extra))
        x = np.asarray(ids, dtype=np.uint64) * np.uint64(_GOLDEN)
        x += key
        _splitmix64_array(x)
        x >>= np.uint64(11)
        return x * (1.0 / 9007199254740992.0)

    def generator(self, decision: str, month: int, *extra: int) -> np.random.Generator:
        """A numpy Generator for non-per-worker draws, seeded only by its key."""
        seq = np.random.SeedSequence([self.seed, DECISIONS[decision], month + 1, *extra])
        return np.random.Generator(np.random.SFC64(seq))
