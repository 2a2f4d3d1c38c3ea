"""Where each key of a TOML text is written: an index built in one pass, for error messages.

    lines = KeyLines(text)
    lines.line(("levers", "subsidy", "subsidy_budget_idr", "PALI"))   # -> 12, or None

tomllib keeps no positions, so the text is scanned once for table headers and keys (and the
names mentioned inside multi-line or inline values: a regency, `from`); a lookup is then a few
dictionary reads, so reporting n problems costs time linear in the text plus n, not n times the
text (`cakupan` and the app report problems of scenario, sweep and problem files with it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_PART = r"(?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_\-]+)"   # a bare or quoted TOML key
_KEY = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
_BARE = re.compile(r"[A-Za-z0-9_\-]+")
_PART = re.compile(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_\-]+)")
# A key inside a value (`{ PALI = 1, "OKU Timur" = 2 }`, `{ from = "2025-01" }`): the name
# after the start of the line, a space, `{` or `,`, followed by `=`.
_INNER_KEY = re.compile(r"(?:^|(?<=[\s{,]))(?:\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_\-]+))[\"'\s]*=")


def _split_key(text: str) -> tuple[str, ...]:
    return tuple(next(p for p in part if p) if any(part) else "" for part in _PART.findall(text))


class KeyLines:
    """The 1-based line of every key path of a TOML text (see the module's docstring)."""

    def __init__(self, text: str):
        self._defined: dict[tuple[str, ...], int] = {}          # full key path -> first line
        self._mentioned: dict[tuple[tuple[str, ...], str], int] = {}   # (key path, inner name) -> line
        table: tuple[str, ...] = ()
        value_of: tuple[str, ...] | None = None                   # the key whose value continues here
        for number, line in enumerate(text.splitlines(), 1):
            header = _HEADER.match(line)
            if header and "=" not in line.split("]")[0]:
                table = here = _split_key(header.group(1))
            else:
                key = _KEY.match(line)
                if key is None:
                    if value_of is not None:
                        self._mention(value_of, line, number)
                    continue
                name = key.group(1)
                here = table + ((name,) if _BARE.fullmatch(name) else _split_key(name))
                self._defined.setdefault(here, number)
                value_of = here
                self._mention(here, line[key.end():], number)    # keys inside this key's value
                continue
            self._defined.setdefault(here, number)
            value_of = here

    def _mention(self, path: tuple[str, ...], line: str, number: int) -> None:
        if "=" not in line:     # (most value lines: no key inside)
            return
        for match in _INNER_KEY.finditer(line):
            name = next(p for p in match.groups() if p is not None)
            self._mentioned.setdefault((path, name), number)

    def line(self, path: Sequence) -> int | None:
        """Where a key path (as in a validation error's `loc`; list indices are skipped) is
        written: the deepest part of it that is a key of the text, or, for a name inside that
        key's value (a regency, `from`), the line that mentions it; None if no part is found."""
        keys = tuple(str(p) for p in path if not isinstance(p, int))
        for depth in range(len(keys), 0, -1):
            found = self._defined.get(keys[:depth])
            if found is not None:
                if depth < len(keys):
                    return self._mentioned.get((keys[:depth], keys[-1]), found)
                return found
        return None
