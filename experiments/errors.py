"""The one base class of errors a user can fix (bad file, key, name, range, address), and the
one reader of input files (TOML scenarios, sweeps, targets).

The CLI turns a UserError into a one-paragraph message and exit code 2, never a traceback;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import stat
from pathlib import Path

MAX_INPUT_BYTES = 1_000_000
"""Largest input file read (scenario, sweep, targets): the biggest real one is about 10 kB, so
1 MB leaves room and keeps a mistaken path (a log, a device) from filling memory."""

MAX_NESTING = 32
"""Deepest nesting of tables and arrays in an input file: real files nest 4 levels; deeper input
would only exercise recursion limits (RecursionError) in the parser and validators."""


MAX_LISTED = 20
"""Most problems one message lists (in file order); it says how many more there are, so a file
with thousands of bad keys is reported in time linear in its size, not in lines of output."""


def listing(title: str, problems: list[str], more: int = 0) -> str:
    """`title` and one indented line per problem, with '... and N more' when some are left out."""
    lines = [title, *(f"  {p}" for p in problems)]
    if more > 0:
        lines.append(f"  ... and {more:,} more problem{'s' if more != 1 else ''} (fix these first)")
    return "\n".join(lines)


def shown(value, limit: int = 80) -> str:
    """repr(value) for a message, cut to `limit` characters (a whole file's table can be the input)."""
    import reprlib

    text = reprlib.Repr(maxstring=limit, maxother=limit, maxdict=6, maxlist=6).repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


class UserError(Exception):
    """Bad input from the user: the message says what is wrong and what is allowed."""


class InputFileError(UserError, ValueError):
    """An input file that cannot be read as text; `path`, `line` (or None) and `message`."""

    def __init__(self, path, line: int | None, message: str):
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


def read_text_file(path, kind: str) -> str:
    """The text of an input file, or InputFileError naming it: missing, not a regular file (a
    device, a folder), larger than MAX_INPUT_BYTES, unreadable (/proc/self/mem) or not UTF-8."""
    path = Path(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise InputFileError(path, None, f"not a regular file; give a {kind} file (.toml)")
        with open(path, "rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        raise InputFileError(path, None, f"no such {kind} file") from None
    except OSError as problem:
        raise InputFileError(path, None, f"cannot read this {kind} file ({problem.strerror or problem})") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputFileError(path, None, f"larger than {MAX_INPUT_BYTES:,} bytes; a {kind} file is a small text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as problem:
        line = data[:problem.start].count(b"\n") + 1
        raise InputFileError(path, line, f"not UTF-8 text (byte {problem.start}); save the {kind}"
                             " file as UTF-8") from None


def parse_toml(text: str) -> dict:
    """tomllib.loads that also refuses nesting deeper than MAX_NESTING; raises ValueError
    (tomllib.TOMLDecodeError is one) with a message for the user."""
    import tomllib

    try:
        raw = tomllib.loads(text)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_NESTING} levels") from None
    if _depth(raw) > MAX_NESTING:
        raise ValueError(f"nested deeper than {MAX_NESTING} levels")
    return raw


def _depth(value) -> int:
    """Nesting depth of tables and arrays, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_NESTING:
            stack.extend((child, depth + 1) for child in children)
    return deepest


def read_toml_file(path, error: type[UserError], kind: str) -> dict:
    """A TOML file's contents, or `error` naming the file (see read_text_file) and, for
    invalid TOML, the line."""
    try:
        text = read_text_file(path, kind)
    except InputFileError as problem:
        raise error(str(problem)) from None
    try:
        return parse_toml(text)
    except ValueError as problem:
        raise error(f"{path}: not valid TOML: {problem}") from None
