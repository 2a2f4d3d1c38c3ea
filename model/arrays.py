"""Array helpers shared by behaviours that work on many groups at once (regencies, villages)."""

from __future__ import annotations

import numpy as np


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenation of arange(starts[i], starts[i] + lengths[i]) over i, without a loop:
    one index array for many slices (e.g. every activated village's residents)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.arange(lengths.sum(), dtype=np.int64) + np.repeat(np.asarray(starts, dtype=np.int64) - offsets, lengths)
