"""The bare numpy floor: the least work a month of any vectorised model of these workers does.

Each month every worker gets one draw (the model's own counter-based hash, `Streams.uniform`'s
values, hashed here with numpy's whole-array operations: the model's compiled loop would not be
a bare numpy floor), one logit of their peer group's coverage, and the peer groups' active workers are counted
again (one bincount): `active |= u < p`. No behaviour, no outputs. Issue 24 measures the model
against it as a ratio of throughputs (worker-months per second), computed in the same run on
the same population, so the machine's load hits both alike:

    ratio = floor run s / model run s      (1.0x: the model runs as fast as the floor)
"""

from __future__ import annotations

import time

import numpy as np

from model.streams import Streams

_GOLDEN, _M1, _M2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_BLOCK = 1 << 15     # 256 KiB of uint64: a block stays in cache through the hash's passes


def uniform(streams: Streams, decision: str, month: int, ids: np.ndarray) -> np.ndarray:
    """`streams.uniform(decision, month, ids)` in bare numpy (tests/benchmarks check they agree):
    SplitMix64 of id * golden + key by whole-array operations, block by block, in place."""
    x = np.array(ids, dtype=np.uint64)
    out = x.view(np.float64)
    key = np.uint64(streams.key(decision, month))
    scratch = np.empty(min(len(x), _BLOCK), dtype=np.uint64)
    for lo in range(0, len(x), _BLOCK):
        block, s = x[lo:lo + _BLOCK], scratch[:len(x[lo:lo + _BLOCK])]
        block *= _GOLDEN
        block += key
        for shift, mult in ((30, _M1), (27, _M2), (31, None)):
            np.right_shift(block, np.uint64(shift), out=s)
            block ^= s
            if mult is not None:
                block *= mult
        block >>= np.uint64(11)
        np.multiply(block, 1.0 / 9007199254740992.0, out=out[lo:lo + _BLOCK])
    return out


def run(peer_group: np.ndarray, n_groups: int, n_months: int, seed: int = 1, clock=time.perf_counter) -> float:
    """Seconds for `n_months` floor months over the workers of `peer_group` (int per worker), by
    `clock` (wall by default; `time.process_time` for CPU seconds on a shared machine)."""
    streams = Streams(seed)
    ids = np.arange(len(peer_group))
    active = np.zeros(len(peer_group), dtype=bool)
    members = np.maximum(np.bincount(peer_group, minlength=n_groups), 1)
    start = clock()
    for month in range(1, n_months + 1):
        share = np.bincount(peer_group[active], minlength=n_groups) / members
        logit = -4.0 + 3.0 * share[peer_group]
        p = 1.0 / (1.0 + np.exp(-logit))
        active |= uniform(streams, "take_up", month, ids) < p
    return clock() - start


def of_model(model, clock=time.perf_counter) -> float:
    """The floor's seconds on `model`'s population (its peer groups) over its months."""
    pop = model.pop
    return run(pop.peer_group, pop.places.n_groups, model.n_months, model.seed, clock)
