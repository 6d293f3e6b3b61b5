"""No import cycles among the modules of app/ and tasks/, counting every import.

A function-local import that only exists to break a cycle hides a design knot, so this
test reads every import in every file with ``ast`` and builds the module graph:

- Every ``import`` and ``from ... import`` counts wherever it is written: at module level,
  inside a function, under ``if TYPE_CHECKING:``.
- ``from package import name`` points at the module ``package.name`` when there is one
  (a file or a sub-package), otherwise at ``package`` itself (its ``__init__``).
- Relative imports are resolved against the importing module's package.
- Importing ``a.b.c`` points at ``a.b.c`` only, not at the packages ``a`` and ``a.b``
  that Python initialises first. A package's ``__init__`` importing its own submodules is
  therefore not a cycle by itself: the app factory in app/__init__.py imports every
  feature inside its functions, and each feature importing ``app.config`` does not point
  back at the factory. A module that takes a name from a package's ``__init__``
  (``from app import create_app``) does point at it, so if that ``__init__`` imports the
  module back, the cycle is reported.
- Only our own modules are nodes; third-party imports are left out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "tasks")

Graph = dict[str, set[str]]


def modules_under(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Every module of ``packages`` by dotted name (a package by its own name)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def import_graph(root: Path, packages: Iterable[str]) -> Graph:
    """Module -> the modules of ours it imports, by the rules in this file's docstring."""
    modules = modules_under(root, packages)
    graph: Graph = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                graph[name] |= _targets(node, name, path.name == "__init__.py", modules)
        graph[name].discard(name)
    return graph


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: dict[str, Path]
) -> set[str]:
    """The modules of ours that one import statement points at."""
    if isinstance(node, ast.Import):
        found = {_known_prefix(alias.name, modules) for alias in node.names}
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        found = set()
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            found.add(submodule if submodule in modules else _known_prefix(base, modules))
    return {target for target in found if target is not None}


def _known_prefix(dotted: str, modules: dict[str, Path]) -> str | None:
    """``dotted`` if it is one of our modules, else its longest prefix that is."""
    parts = dotted.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle (``[a, b, ..., a]``) for each group of modules that import each other."""
    found = []
    for group in _strongly_connected(graph):
        if len(group) > 1:
            found.append(_cycle_through(sorted(group)[0], group, graph))
    return sorted(found)


def _strongly_connected(graph: Graph) -> list[set[str]]:
    """Tarjan's algorithm, iterative so deep graphs cannot hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    groups.append(group)
    return groups


def _cycle_through(start: str, group: set[str], graph: Graph) -> list[str]:
    """The shortest path from ``start`` back to itself inside ``group``."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in sorted(graph[node] & group):
                if successor == start:
                    return [*paths[node], start]
                if successor not in paths:
                    paths[successor] = [*paths[node], successor]
                    following.append(successor)
        frontier = following
    raise AssertionError(f"{start} is in a group without a way back to it")


def test_app_and_tasks_have_no_import_cycles():
    graph = import_graph(ROOT, PACKAGES)

    found = [" -> ".join(cycle) for cycle in cycles(graph)]

    assert "app.library.pipeline" in graph["tasks.uploads"]  # the graph is really read
    assert found == [], "import cycles:\n" + "\n".join(found)


# --- the checker itself ------------------------------------------------------------------


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_a_cycle_through_a_function_local_import_is_found(tmp_path):
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import helper\n",
            "pkg/b.py": "def helper():\n    from pkg import a\n    return a\n",
        },
    )

    assert cycles(import_graph(root, ["pkg"])) == [["pkg.a", "pkg.b", "pkg.a"]]


def test_relative_and_type_checking_imports_count(tmp_path):
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "from . import left\n",
            "pkg/sub/left.py": "from .right import x\n",
            "pkg/sub/right.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from ..sub import left\n"
                "x = 1\n"
            ),
        },
    )

    graph = import_graph(root, ["pkg"])

    assert graph["pkg.sub"] == {"pkg.sub.left"}
    assert cycles(graph) == [["pkg.sub.left", "pkg.sub.right", "pkg.sub.left"]]


def test_a_package_importing_its_own_submodules_is_not_a_cycle(tmp_path):
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "def build():\n    from pkg import feature\n    return feature\n",
            "pkg/feature.py": "import json\nfrom pkg.settings import VALUE\n",
            "pkg/settings.py": "VALUE = 1\n",
        },
    )

    graph = import_graph(root, ["pkg"])

    assert graph == {"pkg": {"pkg.feature"}, "pkg.feature": {"pkg.settings"}, "pkg.settings": set()}
    assert cycles(graph) == []


def test_a_submodule_taking_a_name_from_its_parent_that_imports_it_back_is_a_cycle(tmp_path):
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "def build():\n    from pkg import feature\n    return feature\n",
            "pkg/feature.py": "def later():\n    from pkg import build\n    return build\n",
        },
    )

    assert cycles(import_graph(root, ["pkg"])) == [["pkg", "pkg.feature", "pkg"]]
