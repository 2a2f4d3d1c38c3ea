"""Rewrite the pinned regression outputs after a change that is MEANT to move results:

    PYTHONPATH=. python -m tests.model.pinned

then review `git diff tests/model/pinned/` and commit it with the change that explains it."""

from tests.model.pinned.runs import write

if __name__ == "__main__":
    for path in write():
        print(f"wrote {path}")
