"""Who may call a view is read where the view is defined: nothing rewrites
``view_functions`` after registration, the API imports no view module (it shares
services and decorators with the pages instead), and what is checked is a permission,
never a role's name."""

from __future__ import annotations

import ast
import re
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


#: Role-name checks: what views must not use (they check permissions instead).
ROLE_CHECKS = ("roles_required", "roles_accepted", "has_role")
#: Where the built-in roles' names may appear: they are defined, seeded, offered as the
#: CLI's defaults and as the role self-registered users get, never checked.
ROLE_NAME_HOMES = {
    "accounts/models.py",
    "accounts/permissions.py",
    "accounts/services.py",
    "accounts/cli.py",
    "config.py",
}
ROLE_NAME_CONSTANTS = ("ADMIN_ROLE", "PUBLIC_ROLE")


def role_name_checks(source: str) -> list[str]:
    """Each use in ``source`` of a role-name check, or of a built-in role's name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id in ROLE_CHECKS + ROLE_NAME_CONSTANTS:
            found.append(f"{node.lineno}:{node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in ROLE_CHECKS:
            found.append(f"{node.lineno}:{node.attr}")
        elif isinstance(node, ast.alias) and node.name in ROLE_CHECKS + ROLE_NAME_CONSTANTS:
            found.append(f"import:{node.name}")
        elif isinstance(node, ast.Constant) and node.value in ("Admin", "Public"):
            found.append(f"{node.lineno}:{node.value!r}")
    return found


def test_the_role_name_check_sees_what_it_looks_for():
    source = (
        "from flask_security import roles_required\n"
        "@roles_required(ADMIN_ROLE)\n"
        "def view(): return current_user.has_role('Admin')\n"
    )
    assert set(role_name_checks(source)) == {
        "import:roles_required",
        "2:roles_required",
        "2:ADMIN_ROLE",
        "3:has_role",
        "3:'Admin'",
    }
    assert role_name_checks("@permissions_required(USERS_MANAGE)\ndef view(): pass\n") == []


def test_no_view_endpoint_or_service_checks_a_role_name():
    modules = sorted(APP.rglob("*.py"))
    checks = {
        str(path.relative_to(APP)): role_name_checks(path.read_text())
        for path in modules
        if str(path.relative_to(APP)) not in ROLE_NAME_HOMES
    }
    templates = {
        str(path.relative_to(APP)): re.findall(r"has_role\(|roles_(?:required|accepted)", text)
        for path in sorted(APP.rglob("*.html"))
        if (text := path.read_text())
    }

    assert {path: found for path, found in checks.items() if found} == {}
    assert {path: found for path, found in templates.items() if found} == {}
