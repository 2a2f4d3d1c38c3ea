"""Small readers shared by the region-folder checks."""

from __future__ import annotations

import re

import pandas as pd

from model import months


def names_of(table: pd.DataFrame) -> dict[str, str]:
    """Every name and alias (case-folded) of a regencies.csv table -> the regency it names."""
    out: dict[str, str] = {}
    for row in table.itertuples():
        for name in [row.regency, *filter(None, (a.strip() for a in row.aliases.split(";")))]:
            out.setdefault(name.casefold(), row.regency)
    return out


def is_month(value) -> bool:
    return isinstance(value, str) and re.fullmatch(months.PATTERN, value) is not None


def is_text(value) -> bool:
    """A non-empty string."""
    return isinstance(value, str) and value.strip() != ""
