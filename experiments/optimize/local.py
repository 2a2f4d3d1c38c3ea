"""The local phase of the search: after TPE or NSGA-II has found the region, a (1+n) evolution
strategy walks along the constraint's edge from the incumbent, where the cheapest plans lie.
Its state (step, incumbent, batches without improvement) is logged with each batch, so a
resumed search continues it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from experiments.optimize.space import Dims


@dataclass
class LocalPhase:
    """The step (share of each range), the last batch's incumbent, how many batches in a row
    it stayed the same, and whether the upper-bound plan was tried."""

    step: float = 0.1
    best: int | None = None
    stalled: int = 0
    anchored: bool = False      # the upper-bound plan was tried (when the global phase found no feasible plan)

    def advance(self, incumbent: int | None) -> None:
        """One more batch of the local phase with this incumbent: a stalled search halves its
        step, an improving one widens it."""
        if incumbent is not None and self.best is not None:
            same = incumbent == self.best
            self.stalled = self.stalled + 1 if same else 0
            self.step = max(self.step / 2, 1e-3) if same else min(self.step * 1.5, 0.3)
        self.best = incumbent

    def converged(self, patience: int) -> bool:
        """`patience` batches of the local search found nothing better."""
        return self.stalled >= patience

    def state(self) -> dict:
        return asdict(self)


def neighbours(dims: Dims, at: dict[str, float], step: float, n: int, seed: int) -> list[dict[str, float]]:
    """The local phase's candidates: the incumbent with one to three parameters moved by a
    normal step (sd = `step` of their range)."""
    rng = np.random.default_rng(seed)
    keys = list(dims)
    out = []
    for _ in range(n):
        x = dict(at)
        for key in rng.choice(keys, size=min(len(keys), int(rng.integers(1, 4))), replace=False):
            low, high, integer = dims[key]
            moved = min(high, max(low, x[key] + rng.normal() * step * (high - low)))
            x[key] = int(round(moved)) if integer else float(moved)
        out.append(x)
    return out
