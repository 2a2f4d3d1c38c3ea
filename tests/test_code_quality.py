"""Lint and types of the whole repository, as CI runs them: ruff (pyproject's [tool.ruff]: rules
E, F, W, B at 120 columns) and mypy (pyproject's [tool.mypy]: model, agents, experiments).

Each tool runs as a subprocess of this interpreter (`python -m ruff`, `python -m mypy`), so the
venv's pinned versions are used; a finding fails the test with the tool's own report. The last
two tests show that a finding does fail: a file with an unused import and one with a type error.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 600   # seconds; mypy checks the three packages in well under a minute on a cold cache


def tool(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`python -m <args>` in `cwd`, its output captured."""
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT)


def report(done: subprocess.CompletedProcess[str]) -> str:
    return f"exit {done.returncode}\n{done.stdout}{done.stderr}"


def test_ruff_finds_nothing_in_the_repository():
    done = tool("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert done.returncode == 0, report(done)


def test_mypy_finds_nothing_in_model_agents_and_experiments():
    done = tool("mypy")   # the files and settings come from pyproject.toml
    assert done.returncode == 0, report(done)


def test_a_lint_finding_fails(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\n\ndef pairs(a, b):\n    return list(zip(a, b))\n")
    done = tool("ruff", "check", "--no-cache", "--output-format", "concise",
                "--config", str(ROOT / "pyproject.toml"), str(bad))
    assert done.returncode == 1, report(done)
    assert "F401" in done.stdout and "B905" in done.stdout


def test_a_type_error_fails(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def half(n: int) -> int:\n    return n / 2\n")
    done = tool("mypy", "--config-file", str(ROOT / "pyproject.toml"), "--no-incremental", str(bad), cwd=tmp_path)
    assert done.returncode == 1, report(done)
    assert "bad.py:2: error" in done.stdout
