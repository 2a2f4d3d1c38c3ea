"""docs/architecture.md's import rules, read from the source: data flows one way.

model/ and agents/ never import experiments/ or viz/; experiments/ never imports viz/. Every
import counts, at module level or inside a function (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "model": {"experiments", "viz", "benchmarks"},
    "agents": {"experiments", "viz", "benchmarks"},
    "experiments": {"viz", "benchmarks"},
}


def imported_packages(source: str, package: str) -> set[str]:
    """Top-level packages a module's source imports (relative imports resolve to `package`)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add(package if node.level else (node.module or "").split(".")[0])
    return found


def violations(package: str) -> list[str]:
    """'file imports X' for every forbidden import under `package`."""
    problems = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported_packages(path.read_text(encoding="utf-8"), package) & FORBIDDEN[package]
        problems += [f"{path.relative_to(ROOT)} imports {name}" for name in sorted(bad)]
    return problems


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_rules_hold(package):
    assert violations(package) == []


def test_the_checker_sees_every_kind_of_import():
    source = ("import viz.app\n"
              "def later():\n    from experiments import runner\n"
              "from . import sibling\n"
              "import numpy as np\n")
    assert imported_packages(source, "model") == {"viz", "experiments", "model", "numpy"}
