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


def _splitmix64_array(x: np.ndarray, scratch: np.ndarray) -> None:
    """SplitMix64 finaliser over a uint64 array in place (wrapping arithmetic); `scratch` is a
    uint64 array of the same length for the shifted copies."""
    np.right_shift(x, np.uint64(30), out=scratch)
    x ^= scratch
    x *= np.uint64(0xBF58476D1CE4E5B9)
    np.right_shift(x, np.uint64(27), out=scratch)
    x ^= scratch
    x *= np.uint64(0x94D049BB133111EB)
    np.right_shift(x, np.uint64(31), out=scratch)
    x ^= scratch


# Draws are hashed this many at a time (256 KiB of uint64), a block small enough to stay in a
# core's cache through the hash's dozen passes: about twice as fast as whole-array passes over
# a million workers, with the same values.
_BLOCK = 1 << 15


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
        x = np.array(ids, dtype=np.uint64)      # a fresh copy: hashed in place, block by block
        out = x.view(np.float64)                # each block's draws overwrite its hashes
        scratch = np.empty(min(len(x), _BLOCK), dtype=np.uint64)
        for lo in range(0, len(x), _BLOCK):
            block = x[lo:lo + _BLOCK]
            block *= np.uint64(_GOLDEN)
            block += key
            _splitmix64_array(block, scratch[:len(block)])
            block >>= np.uint64(11)
            np.multiply(block, 1.0 / 9007199254740992.0, out=out[lo:lo + _BLOCK])
        return out

    def generator(self, decision: str, month: int, *extra: int) -> np.random.Generator:
        """A numpy Generator for non-per-worker draws, seeded only by its key."""
        seq = np.random.SeedSequence([self.seed, DECISIONS[decision], month + 1, *extra])
        return np.random.Generator(np.random.SFC64(seq))
