"""Every module of model/ and agents/ imports alone, and neither package has an import cycle.

A module's imports are read from its source (as tests/test_architecture.py reads them between
packages), lazy ones inside functions included; those under `if TYPE_CHECKING:` only name types
and never run, so they do not count. The fresh-interpreter test also catches what a graph of
modules cannot see: a package's __init__ that imports, at import time, a module that needs the
package (main's `python -c "import agents.perisai"` failed that way).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("model", "agents")


def module_names() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def imports_of(source: str, module: str, known: set[str]) -> set[str]:
    """Modules of `known` that `module`'s source imports when it runs (lazy imports included)."""
    package = module if (ROOT / module.replace(".", "/") / "__init__.py").exists() else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return {name for name in found if name in known and name != module}


def graph() -> dict[str, set[str]]:
    known = set(module_names())
    return {name: imports_of((ROOT / _path(name)).read_text(encoding="utf-8"), name, known) for name in known}


def _path(module: str) -> str:
    path = ROOT / module.replace(".", "/")
    return str((path / "__init__.py") if path.is_dir() else path.with_suffix(".py"))


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of a graph (each found once, from its first module in DFS order)."""
    found, state, stack = [], {}, []

    def walk(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            walk(node)
    return found


def test_every_module_imports_alone_in_a_fresh_interpreter():
    names = module_names()
    assert "agents.perisai" in names and "model.participation" in names
    processes = {name: subprocess.Popen([sys.executable, "-c", f"import {name}"], cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for name in names}
    failed = {}
    for name, process in processes.items():
        _, err = process.communicate(timeout=120)
        if process.returncode:
            failed[name] = err.strip().splitlines()[-1]
    assert failed == {}


def test_no_import_cycle_inside_model_or_agents():
    assert cycles(graph()) == []


def test_the_cycle_finder_sees_a_cycle_and_skips_type_only_imports():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    known = {"model.model", "model.channels", "model.behaviour", "model.behaviour.take_up"}
    source = ("from typing import TYPE_CHECKING\nfrom model import channels\nfrom . import take_up\n"
              "if TYPE_CHECKING:\n    from model.model import EnrollmentModel\n"
              "def later():\n    import model.model\n")
    assert imports_of(source, "model.behaviour.payment", known) == {
        "model.channels", "model.behaviour.take_up", "model.model"}


def test_participation_state_is_written_only_by_its_owner():
    """inf_active, stopped, unpaid, payer (and its copy in waiting-list order), subsidy_used and
    registered change only in
    model/participation.py: no other module assigns to them (an item, a slice or the whole)."""
    fields = ("inf_active", "stopped", "unpaid", "payer", "subsidy_used", "registered",
              "payer_since", "paid_own_before", "payer_in_order", "payer_changes")
    writers = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name == "participation.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                targets = (node.targets if isinstance(node, ast.Assign) else
                           [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
                for target in targets:
                    base = target.value if isinstance(target, ast.Subscript) else target
                    if isinstance(base, ast.Attribute) and base.attr in fields and \
                            not (isinstance(base.value, ast.Name) and base.value.id == "self"):
                        writers.append(f"{path.relative_to(ROOT)}:{node.lineno} {base.attr}")
    assert writers == []
