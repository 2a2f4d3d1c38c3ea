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

import numba
import numpy as np

# Fixed codes: append new decisions at the end, never renumber (renumbering changes every run).
# Retired, never to be reused: 8, 24, 25 (static draws now come from "population"; see
# population.build).
DECISIONS: dict[str, int] = {
    "population": 1,
    "valuation": 2,
    "income": 3,
    "initial_state": 4,
    "awareness": 5,
    "take_up": 6,
    "stop_paying": 7,
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
    "pilot": 26,
    "transport_worker": 27,
}

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _splitmix64_int(x: int) -> int:
    """SplitMix64 on a Python int (used to build stream keys)."""
    x = (x + _GOLDEN) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


@numba.njit(cache=True, inline="always")
def draw(key: np.uint64, worker) -> float:
    """One worker's draw of the stream `key` (`Streams.key`, as np.uint64): SplitMix64 of
    worker * golden + key (wrapping uint64 arithmetic), top 53 bits as a float in [0, 1).
    For compiled loops that draw for the workers they visit (the same number as `uniform`)."""
    x = np.uint64(worker) * _GOLDEN_U64 + key
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return (x >> _SHIFT_11) * _TO_UNIT


@numba.njit(cache=True, nogil=True)
def _hash_ids(ids: np.ndarray, key: np.uint64, out: np.ndarray) -> None:
    """Draws of `ids` written to `out`: one compiled pass, no temporaries, about five times
    numpy's dozen whole-array passes (benchmarks/README.md, issue 24 third round); the bare
    numpy version is the floor's (benchmarks/floor.py), tested equal."""
    for i in range(ids.size):
        out[i] = draw(key, ids[i])


_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLDEN_U64 = np.uint64(_GOLDEN)
_SHIFT_11 = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0


class Streams:
    """Keyed random streams for one seed. Cheap to create; no draw depends on an earlier one
    (`seeded` re-sets one shared Generator, so a caller uses it before the next call)."""

    def __init__(self, seed: int):
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        self._seed_hash = _splitmix64_int(self.seed)    # the first step of every key
        self._shared: np.random.Generator | None = None   # see seeded()

    def key(self, decision: str, month: int, extra: int = 0) -> int:
        """64-bit key of one (decision, month, extra) stream."""
        code = DECISIONS[decision]
        return _splitmix64_int(self._seed_hash ^ (code << 40) ^ ((month + 1) << 20) ^ extra)

    def key_u64(self, decision: str, month: int, extra: int = 0) -> np.uint64:
        """`key` as the np.uint64 that compiled loops pass to `draw`."""
        return np.uint64(self.key(decision, month, extra))

    def uniform(self, decision: str, month: int, ids: np.ndarray, extra: int = 0) -> np.ndarray:
        """One U[0, 1) draw per id for this decision and month (float64, 53-bit)."""
        ids = np.ascontiguousarray(ids)
        if ids.dtype.kind not in "iu":
            ids = ids.astype(np.int64)           # e.g. an empty float array: no ids
        out = np.empty(ids.shape, dtype=np.float64)
        if ids.size:
            _hash_ids(ids.ravel(), self.key_u64(decision, month, extra), out.ravel())
        return out

    def generator(self, decision: str, month: int, *extra: int) -> np.random.Generator:
        """A numpy Generator for non-per-worker draws, seeded only by its key."""
        seq = np.random.SeedSequence([self.seed, DECISIONS[decision], month + 1, *extra])
        return np.random.Generator(np.random.SFC64(seq))

    def generator_states(self, decision: str, months: np.ndarray,
                         extra: np.ndarray | None = None) -> np.ndarray:
        """Starting states of `generator(decision, t, e)` for every month t and extra e, shape
        (len(months), len(extra), 4), or of `generator(decision, t)` with no extra, shape
        (len(months), 4): worked out together (about 1 us each instead of 40 us for numpy's
        SeedSequence and SFC64 one at a time). `seeded(state)` then draws from one."""
        months = np.asarray(months, dtype=np.int64)
        extras = np.zeros(1, dtype=np.int64) if extra is None else np.asarray(extra, dtype=np.int64)
        if (months < -1).any() or (extras < 0).any():
            raise ValueError("generator states need months >= -1 and non-negative extras")
        if (months + 1 >= 2**32).any() or (extras >= 2**32).any():
            raise ValueError("generator states need months and extras below 2**32")
        t, e = np.meshgrid(months + 1, extras, indexing="ij")
        columns = [np.full(t.size, w, dtype=np.uint32)
                   for w in _words(self.seed) + _words(DECISIONS[decision])]
        columns.append(t.ravel().astype(np.uint32))
        if extra is not None:
            columns.append(e.ravel().astype(np.uint32))
        states = _sfc64_seeded(_seed_sequence_state(np.stack(columns, axis=1), 3))
        return states.reshape(len(months), 4) if extra is None else states.reshape(len(months), len(extras), 4)

    def seeded(self, state: np.ndarray) -> np.random.Generator:
        """A Generator at `state` (a row of generator_states): the same draws as `generator` with
        that key. One Generator is re-set on each call, so use it before the next call."""
        if self._shared is None:
            self._shared = np.random.Generator(np.random.SFC64(0))
        self._shared.bit_generator.state = {"bit_generator": "SFC64", "state": {"state": state},
                                            "has_uint32": 0, "uinteger": 0}
        return self._shared

    def integers(self, state: np.ndarray, high: int, k: int) -> np.ndarray:
        """The draws of `seeded(state).integers(0, high, k)` (int64), for a stream used once: the
        generator is left wherever its raw draws left it. numpy draws each value by Lemire's
        method from 32-bit halves of SFC64's outputs (low half first), rejecting a product
        whose low word is below (2**32 - high) % high; here the raw outputs come in one call
        and the method runs on all of them at once (tests/model/test_fast_paths.py)."""
        if high < 1 or high > 2**32 - 1 or k < 0:
            return self.seeded(state).integers(0, high, k)   # numpy's own errors and paths
        if high == 1 or k == 0:
            return np.zeros(k, dtype=np.int64)             # numpy draws nothing either
        bits = self.seeded(state).bit_generator
        n = np.uint64(high)
        threshold = np.uint64((2**32 - high) % high)
        extra = 8                                  # a value is rejected with probability < high / 2**32
        while True:
            raw = bits.random_raw((k + extra + 1) // 2)
            words = raw.astype("<u8").view("<u4").astype(np.uint64)   # low half first
            product = words * n
            kept = product[(product & np.uint64(0xFFFFFFFF)) >= threshold]
            if len(kept) >= k:
                return (kept[:k] >> np.uint64(32)).astype(np.int64)
            self.seeded(state)                     # start again (same object) with more words
            extra *= 4

    def integers_many(self, states: np.ndarray, highs: np.ndarray, ks: np.ndarray) -> np.ndarray:
        """`np.concatenate([integers(states[i], highs[i], ks[i]) for i ...])`: the draws of many
        streams, each used once, one stream after another.

        Streams needing at most `BATCH_OUTPUTS` raw outputs are stepped together (`sfc64_raw`:
        a dozen array operations per output, whatever the number of streams) and Lemire's
        method runs on all their words at once; the others, and any stream whose words hold
        fewer than k accepted values, go through `integers`. A stream's draws are its first k
        accepted words however many are generated, so both routes give the same values
        (tests/model/test_fast_paths.py)."""
        highs = np.asarray(highs, dtype=np.int64)
        ks = np.asarray(ks, dtype=np.int64)
        outputs = (ks + 9) // 2                        # what `integers` asks for first
        batch = (ks > 0) & (highs >= 2) & (highs <= 2**32 - 1) & (outputs <= BATCH_OUTPUTS)
        rows = np.flatnonzero(batch)
        values, got = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if len(rows):
            raw = sfc64_raw(states[rows], int(outputs[rows].max()))
            words = raw.astype("<u8").view("<u4").astype(np.uint64)   # per row: low half first
            high = highs[rows].astype(np.uint64)[:, None]
            product = words * high
            accepted = (product & np.uint64(0xFFFFFFFF)) >= (np.uint64(2**32) - high) % high
            keep = accepted & (np.cumsum(accepted, axis=1) <= ks[rows][:, None])
            values = (product[keep] >> np.uint64(32)).astype(np.int64)   # row after row
            got = np.count_nonzero(keep, axis=1)
        complete = np.zeros(len(ks), dtype=bool)
        complete[rows] = got == ks[rows]
        if (complete | (ks == 0)).all():
            return values                              # usual case: every stream drawn together
        ends = np.zeros(len(ks), dtype=np.int64)
        ends[rows] = np.cumsum(got)
        pieces = [values[ends[i] - ks[i]:ends[i]] if complete[i]
                  else self.integers(states[i], int(highs[i]), int(ks[i])) for i in range(len(ks))]
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)


# Streams asking for at most this many raw outputs are drawn together by `integers_many`.
BATCH_OUTPUTS = 256


def sfc64_raw(states: np.ndarray, n: int) -> np.ndarray:
    """The first n raw outputs of SFC64 from each row of `states` (shape (s, 4), as in numpy's
    state dict), shape (s, n): numpy's sfc64_next (sfc64.h) on every stream at once."""
    a, b, c, counter = (states[:, i].astype(np.uint64) for i in range(4))
    out = np.empty((len(states), n), dtype=np.uint64)
    tmp = np.empty(len(states), dtype=np.uint64)
    for j in range(n):
        np.add(a, b, out=tmp)
        tmp += counter
        counter += _ONE
        np.right_shift(b, _S11, out=a)
        a ^= b
        np.left_shift(c, _S3, out=b)
        b += c
        rotated = (c << _S24) | (c >> _S40)
        np.add(rotated, tmp, out=c)
        out[:, j] = tmp
    return out


_ONE, _S3, _S11, _S24, _S40 = np.uint64(1), np.uint64(3), np.uint64(11), np.uint64(24), np.uint64(40)


# numpy's SeedSequence (pool of 4 uint32 words) and SFC64 seeding, on many keys at once. Written
# from numpy's bit_generator.pyx and sfc64.h; tests/model/test_fast_paths.py checks every state
# against numpy's own objects, one-word and multi-word seeds alike.
_M32 = 0xFFFFFFFF
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715


def _words(value: int) -> list[int]:
    """A non-negative int as SeedSequence reads it: 32-bit words, least significant first."""
    out = []
    while value:
        out.append(value & _M32)
        value >>= 32
    return out or [0]


def _seed_sequence_state(entropy: np.ndarray, n_words64: int) -> np.ndarray:
    """SeedSequence(row).generate_state(n_words64, np.uint64) for each row of uint32 words."""
    n, width = entropy.shape
    hash_const = _INIT_A

    def hashmix(value):
        nonlocal hash_const
        value = value ^ np.uint32(hash_const)
        hash_const = (hash_const * _MULT_A) & _M32
        value = value * np.uint32(hash_const)
        return value ^ (value >> np.uint32(16))

    def mix(x, y):
        result = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        return result ^ (result >> np.uint32(16))

    zeros = np.zeros(n, dtype=np.uint32)
    pool = [hashmix(entropy[:, i] if i < width else zeros) for i in range(4)]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(4, width):
        for dst in range(4):
            pool[dst] = mix(pool[dst], hashmix(entropy[:, src]))
    hash_const = _INIT_B
    out = np.empty((n, 2 * n_words64), dtype=np.uint32)
    for i in range(2 * n_words64):
        value = pool[i % 4] ^ np.uint32(hash_const)
        hash_const = (hash_const * _MULT_B) & _M32
        value = value * np.uint32(hash_const)
        out[:, i] = value ^ (value >> np.uint32(16))
    return out.astype("<u4").view("<u8").astype(np.uint64)


def _sfc64_seeded(seed: np.ndarray) -> np.ndarray:
    """SFC64 states after seeding with rows of 3 uint64 words: counter 1, then 12 rounds."""
    s0, s1, s2 = seed[:, 0].copy(), seed[:, 1].copy(), seed[:, 2].copy()
    s3 = np.ones(len(seed), dtype=np.uint64)
    for _ in range(12):
        tmp = s0 + s1 + s3
        s3 = s3 + np.uint64(1)
        s0 = s1 ^ (s1 >> np.uint64(11))
        s1 = s2 + (s2 << np.uint64(3))
        s2 = ((s2 << np.uint64(24)) | (s2 >> np.uint64(40))) + tmp
    return np.stack([s0, s1, s2, s3], axis=1)
