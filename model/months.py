"""Calendar months as 'YYYY-MM' strings and month indices (month 0 = the data set's start)."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"   # a valid 'YYYY-MM' (for file schemas: pydantic's pattern=)


def parse(text: str) -> tuple[int, int]:
    """'2025-10' -> (2025, 10); a clear error for anything else."""
    match = _PATTERN.match(str(text))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, e.g. '2025-10'")
    return int(match.group(1)), int(match.group(2))


def ordinal(text: str) -> int:
    """Months since year 0, so differences are month counts."""
    return _ordinal(str(text))


@lru_cache(maxsize=1024)
def _ordinal(text: str) -> int:
    """ordinal() of a string, remembered: a run asks for its start month's thousands of times
    (calendar_month, year)."""
    year, month = parse(text)
    return year * 12 + month - 1


def label(ordinal_month: int) -> str:
    """Inverse of ordinal()."""
    return f"{ordinal_month // 12:04d}-{ordinal_month % 12 + 1:02d}"


def index(text: str, start: str) -> int:
    """Month index of `text` in a run starting at `start` (month 0)."""
    return ordinal(text) - ordinal(start)


def labels(start: str, n_months: int) -> list[str]:
    """Labels of months 0..n_months (inclusive) from start."""
    first = ordinal(start)
    return [label(first + t) for t in range(n_months + 1)]


def calendar_month(start: str, t: int) -> int:
    """Calendar month (1-12) of month index t."""
    return (ordinal(start) + t) % 12 + 1


def year(start: str, t: int) -> int:
    """Calendar year of month index t."""
    return (ordinal(start) + t) // 12


class Calendar:
    """Calendar month, year and the months of the same calendar year of every month index
    0..n_months of a run, worked out once (the payers read them every month)."""

    def __init__(self, start: str, n_months: int):
        ordinals = ordinal(start) + np.arange(n_months + 1)
        self.month = ordinals % 12 + 1                   # 1-12
        self.year = ordinals // 12
        first = np.arange(n_months + 1) - (self.month - 1)   # January of each month's year
        # year_window[t]: indices of t's calendar year, clipped to the run (12 columns).
        self.year_window = np.clip(first[:, None] + np.arange(12), 0, n_months)
