"""The bare numpy floor: the least work a month of any vectorised model of these workers does.

Each month every worker gets one draw (the model's own counter-based hash, `Streams.uniform`),
one logit of their peer group's coverage, and the peer groups' active workers are counted
again (one bincount): `active |= u < p`. No behaviour, no outputs. Issue 24 measures the model
against it as a ratio of throughputs (worker-months per second), computed in the same run on
the same population, so the machine's load hits both alike:

    ratio = floor run s / model run s      (1.0x: the model runs as fast as the floor)
"""

from __future__ import annotations

import time

import numpy as np

from model.streams import Streams


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
        active |= streams.uniform("take_up", month, ids) < p
    return clock() - start


def of_model(model, clock=time.perf_counter) -> float:
    """The floor's seconds on `model`'s population (its peer groups) over its months."""
    pop = model.pop
    return run(pop.peer_group, pop.places.n_groups, model.n_months, model.seed, clock)
