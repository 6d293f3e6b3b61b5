"""Who may call a view is read where the view is defined: nothing rewrites
``view_functions`` after registration, and the API imports no view module (it shares
services and decorators with the pages instead)."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"

VIEW_FUNCTIONS_REWRITES = ("update", "setdefault", "__setitem__")


def view_modules_imported(source: str) -> list[str]:
    """Modules named ``*views`` that ``source`` imports, directly or from a package."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.endswith("views")]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.endswith("views"):
                found.append(module)
            found += [
                f"{module}.{alias.name}" for alias in node.names if alias.name.endswith("views")
            ]
    return found


def _is_view_functions(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "view_functions"


def view_function_rewrites(source: str) -> list[int]:
    """Lines of ``source`` that put something into some app's ``view_functions``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Subscript) and _is_view_functions(part.value):
                        lines.append(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in VIEW_FUNCTIONS_REWRITES
            and _is_view_functions(node.func.value)
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_the_checks_see_what_they_look_for():
    assert view_modules_imported("from app.library.song_views import send_song") == [
        "app.library.song_views"
    ]
    assert view_modules_imported("from app.library import upload_views as up") == [
        "app.library.upload_views"
    ]
    assert view_modules_imported("import app.main.views") == ["app.main.views"]
    assert view_modules_imported("from ..health.views import blueprint") == ["health.views"]
    assert view_modules_imported("from app.library.serving import send_song") == []

    rewrites = (
        "app.view_functions['security.logout'] = wrap(view)\n"
        "current_app.view_functions[name] += 1\n"
        "self.app.view_functions.update({'a': view})\n"
        "app.view_functions.setdefault('b', view)\n"
        "(app.view_functions[x], other) = (view, 1)\n"
    )
    assert view_function_rewrites(rewrites) == [1, 2, 3, 4, 5]
    assert view_function_rewrites("view = app.view_functions['a']\nviews[name] = view\n") == []


def test_the_api_imports_no_view_module():
    modules = sorted((APP / "api").rglob("*.py"))
    assert modules

    imports = {
        str(path.relative_to(APP)): view_modules_imported(path.read_text()) for path in modules
    }

    assert {path: found for path, found in imports.items() if found} == {}


def test_no_code_rewrites_view_functions():
    modules = sorted(APP.rglob("*.py"))
    assert len(modules) > 20

    rewrites = {
        str(path.relative_to(APP)): view_function_rewrites(path.read_text()) for path in modules
    }

    assert {path: lines for path, lines in rewrites.items() if lines} == {}
