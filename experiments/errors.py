"""The one base class of errors a user can fix (bad file, key, name, range, address).

The CLI turns a UserError into a one-paragraph message and exit code 2, never a traceback;
anything else is a bug and keeps its traceback.
"""


class UserError(Exception):
    """Bad input from the user: the message says what is wrong and what is allowed."""


def read_toml_file(path, error: type[UserError], kind: str) -> dict:
    """A TOML file's contents, or `error` naming the file: missing or not valid TOML."""
    import tomllib
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: no such {kind} file")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{path}: not valid TOML: {problem}") from None
