"""A function that binds ``_`` as a throwaway name cannot also translate with ``_()``:
the call would find the local value, not gettext, and fail only when that line runs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(path for folder in ("app", "tasks") for path in (ROOT / folder).rglob("*.py"))


def _functions_shadowing_gettext(source: str) -> list[str]:
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        nodes = list(ast.walk(function))
        binds = any(
            isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store)
            for node in nodes
        )
        calls = any(
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
            for node in nodes
        )
        if binds and calls:
            found.append(f"{function.name} (line {function.lineno})")
    return found


def test_the_check_finds_a_shadowed_gettext():
    source = "def parse(pair):\n    value, _ = pair\n    return _('bad')\n"

    assert _functions_shadowing_gettext(source) == ["parse (line 1)"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_function_shadows_gettext(path):
    assert _functions_shadowing_gettext(path.read_text()) == []
