"""Array helpers shared by behaviours that work on many groups at once (regencies, villages)."""

from __future__ import annotations

import numba
import numpy as np


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenation of arange(starts[i], starts[i] + lengths[i]) over i, without a loop:
    one index array for many slices (e.g. every activated village's residents)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.arange(lengths.sum(), dtype=np.int64) + np.repeat(np.asarray(starts, dtype=np.int64) - offsets, lengths)


@numba.njit(cache=True)
def compress(keep: np.ndarray, values: np.ndarray) -> np.ndarray:
    """values[keep] for a keep flag (0/1, uint8) per value, in compiled loops: branch-free (each
    value is written, and kept by moving on only if flagged), so scattered flags cost no
    mispredicted branches. int64."""
    out = np.empty(values.size, dtype=np.int64)
    k = 0
    for j in range(values.size):
        out[k] = values[j]
        k += keep[j]
    return out[:k].copy()
