"""docs/architecture.md's import rules, read from the source: data flows one way.

model/ and agents/ never import experiments/ or viz/; experiments/ never imports viz/; and no
module imports itself back through others, inside a package or between packages. Every import
counts, at module level or inside a function (a lazy import is still a dependency); only an
`if TYPE_CHECKING:` block, which never runs, is left out.
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


# ---------------------------------------------------------------- no import cycle, inside or between packages
PACKAGES = ("model", "agents", "experiments", "viz")
# Cycles known and being removed elsewhere, by the packages they join: a cycle whose modules all
# lie in exactly these packages is reported by `cycles` but not failed by the test. Delete an
# entry when its cycle is gone (test_exemptions_are_still_needed says when).
EXEMPT_CYCLES: set[frozenset[str]] = set()


def module_files(root: Path, packages=PACKAGES) -> dict[str, Path]:
    """{dotted module name: file} of every module under the packages (a package is its __init__)."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _runtime_nodes(tree: ast.AST):
    """Every node that runs: `if TYPE_CHECKING:` blocks are left out (imports for types only,
    docs/architecture.md); everything else counts, a lazy import inside a function too."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def import_graph(root: Path, packages=PACKAGES) -> dict[str, set[str]]:
    """{module: first-party modules it imports}: `from a.b import c` names a.b.c when that is a
    module, else a.b; relative imports resolve against the importing module's package."""
    modules = module_files(root, packages)

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str | None] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(known(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([base] if base else [])])
                for alias in node.names:
                    found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else known(base))
        graph[name] = {m for m in found if m and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: every strongly connected component of more than one module (Tarjan,
    iterative), each sorted, with one closed path through it for the message."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def _path_through(graph: dict[str, set[str]], component: list[str]) -> str:
    """'a -> b -> ... -> a': one cycle inside a component (breadth-first back to its first module)."""
    members, first = set(component), component[0]
    came_from: dict[str, str] = {}
    frontier = [first]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == first:
                    path = [node]
                    while path[-1] != first:
                        path.append(came_from[path[-1]])
                    return " -> ".join([first, *reversed(path[:-1]), first]) if len(path) > 1 else \
                        f"{first} -> {node} -> {first}"
                if child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    return " -> ".join(component)


def _packages_of(component: list[str]) -> frozenset[str]:
    return frozenset(m.split(".")[0] for m in component)


def cycle_problems(root: Path, packages=PACKAGES, exempt=frozenset()) -> list[str]:
    graph = import_graph(root, packages)
    return [f"import cycle: {_path_through(graph, c)}" for c in cycles(graph) if _packages_of(c) not in exempt]


def test_no_import_cycle_inside_or_between_packages():
    assert cycle_problems(ROOT, exempt=EXEMPT_CYCLES) == []


def test_exemptions_are_still_needed():
    graph = import_graph(ROOT)
    joined = {_packages_of(c) for c in cycles(graph)}
    assert EXEMPT_CYCLES <= joined, f"delete from EXEMPT_CYCLES (no such cycle any more): {EXEMPT_CYCLES - joined}"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_cycle_inside_a_subpackage_through_a_lazy_import_fails_the_check(tmp_path):
    root = _tree(tmp_path, {
        "experiments/__init__.py": "",
        "experiments/runner.py": "from experiments.draws import values\n",
        "experiments/draws.py": "def values():\n    from experiments.calibration import fit\n",
        "experiments/calibration/__init__.py": "from .fit import calibrate\n",
        "experiments/calibration/fit.py": "from ..runner import run\n",
        "experiments/report.py": "import experiments.runner\n",
        "viz/__init__.py": "",
        "viz/app.py": "from experiments import report\n"})
    assert cycle_problems(root, ("experiments", "viz")) == [
        "import cycle: experiments.calibration.fit -> experiments.runner -> experiments.draws"
        " -> experiments.calibration.fit"]
    (root / "experiments/draws.py").write_text("def values():\n    return 1\n", encoding="utf-8")
    assert cycle_problems(root, ("experiments", "viz")) == []


def test_a_cycle_between_packages_fails_and_types_only_imports_do_not_count(tmp_path):
    root = _tree(tmp_path, {
        "model/__init__.py": "",
        "model/model.py": "from agents.perisai import Force\n",
        "agents/__init__.py": "",
        "agents/perisai.py": ("from typing import TYPE_CHECKING\n"
                              "if TYPE_CHECKING:\n    from model.model import EnrollmentModel\n")})
    assert cycle_problems(root, ("model", "agents")) == []
    (root / "agents/perisai.py").write_text("import model.model\n", encoding="utf-8")
    assert cycle_problems(root, ("model", "agents")) == [
        "import cycle: agents.perisai -> model.model -> agents.perisai"]
    assert cycle_problems(root, ("model", "agents"), exempt={frozenset({"agents", "model"})}) == []


def test_the_real_experiments_graph_is_read():
    graph = import_graph(ROOT)
    assert "experiments.draws" in graph["experiments.runner"]
    assert "experiments.runner" in graph["experiments.ensemble"]
    assert "experiments.calibration.targets" in graph["experiments.calibration.fit"]


# ---------------------------------------------------------------- who knows the repository's files
def test_experiments_names_no_file_of_viz_and_knows_the_layout_in_one_place():
    """viz/ lists its own translated files (viz/translated.txt) and is started as `python -m viz`;
    only experiments/layout.py derives the repository's root from its own path."""
    import re

    named, rooted = [], []
    for path in sorted((ROOT / "experiments").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        named += [f"{path.relative_to(ROOT)}: {m}" for m in re.findall(r"(?<![\w/])viz/[\w/]+\.py", text)]
        if path.name != "layout.py" and re.search(r"__file__\)?\.resolve\(\)\.parents\[", text):
            rooted.append(str(path.relative_to(ROOT)))
    assert named == [] and rooted == []


def test_translated_sources_are_read_from_each_package_list(tmp_path):
    from experiments import i18n

    for package, text in {"alpha": "# comment\nmain.py\npages/one.py  # a page\n", "beta": "\n", "gamma": None}.items():
        (tmp_path / package).mkdir()
        if text is not None:
            (tmp_path / package / i18n.SOURCES_FILE).write_text(text, encoding="utf-8")
    assert i18n.translated_sources(tmp_path) == ("alpha/main.py", "alpha/pages/one.py")
    assert {"viz/app.py", "experiments/report.py"} <= set(i18n.SOURCES)
    assert all((ROOT / source).is_file() for source in i18n.SOURCES)
