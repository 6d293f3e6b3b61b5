"""app/config.py is the only source of settings: every key the code reads is defined there,
and nothing else reads the process environment."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from app.config import ENVIRONMENTS, PROJECT_ROOT, defaults_for, derived_settings

CONFIG_MODULE = PROJECT_ROOT / "app" / "config.py"
SETTING_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Names the code gives a settings mapping: app.config, current_app.config, self.settings, ...
SETTINGS_NAMES = {"config", "settings"}
TEMPLATE_READ = re.compile(r"\bconfig(?:\.|\[\s*['\"])([A-Z][A-Z0-9_]*)")
ENVIRONMENT_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def python_sources() -> list[Path]:
    return [
        *sorted((PROJECT_ROOT / "app").rglob("*.py")),
        *sorted((PROJECT_ROOT / "tasks").rglob("*.py")),
        PROJECT_ROOT / "wsgi.py",
        PROJECT_ROOT / "celery_worker.py",
    ]


def templates() -> list[Path]:
    return sorted((PROJECT_ROOT / "app").rglob("templates/**/*.html"))


def _names_settings(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in SETTINGS_NAMES
    return isinstance(node, ast.Name) and node.id in SETTINGS_NAMES


def _constant_key(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def keys_read(source: str) -> set[str]:
    """Setting keys read or written through a settings mapping in ``source``."""
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and _names_settings(node.value):
            found.add(_constant_key(node.slice))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and _names_settings(node.func.value)
        ):
            if node.func.attr in {"get", "setdefault", "pop"} and node.args:
                found.add(_constant_key(node.args[0]))
            elif node.func.attr == "update":
                found |= {keyword.arg for keyword in node.keywords}
    return {key for key in found if key and SETTING_KEY.match(key)}


def known_keys() -> set[str]:
    """Every key app/config.py defines, in any environment."""
    keys: set[str] = set()
    for environment in ENVIRONMENTS:
        keys |= set(defaults_for(environment))
    return keys | set(derived_settings(defaults_for("development")))


def reads_environment(source: str) -> list[int]:
    """Lines of ``source`` that read or change the process environment."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in ENVIRONMENT_NAMES
        ) or (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in ENVIRONMENT_NAMES for alias in node.names)
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_the_scanner_sees_every_way_of_reading_a_setting():
    source = """
app.config["A_KEY"]
current_app.config.get("B_KEY", 1)
app.config.setdefault("C_KEY", 2)
app.config.update(D_KEY=3)
config = current_app.config
config["E_KEY"]
self.settings["F_KEY"]
settings.get("G_KEY")
app.config["H_KEY"] = 4
headers["NOT_A_SETTING"]
config["lower_case"]
"""
    assert keys_read(source) == {f"{letter}_KEY" for letter in "ABCDEFGH"}
    assert TEMPLATE_READ.findall('{{ config.I_KEY }} {{ config["J_KEY"] }}') == ["I_KEY", "J_KEY"]


def test_every_setting_the_code_reads_is_defined_in_app_config():
    known = known_keys()
    unknown = {}
    for path in python_sources():
        for key in keys_read(path.read_text()) - known:
            unknown.setdefault(key, []).append(str(path.relative_to(PROJECT_ROOT)))
    for path in templates():
        for key in set(TEMPLATE_READ.findall(path.read_text())) - known:
            unknown.setdefault(key, []).append(str(path.relative_to(PROJECT_ROOT)))

    assert unknown == {}


def test_the_scan_covers_the_code_that_reads_settings():
    """A scan that silently found nothing would pass whatever the code did."""
    read = set()
    for path in python_sources():
        read |= keys_read(path.read_text())

    assert {"MAX_UPLOAD_MB", "MAIL_MAX_RETRIES", "WEB_PORT", "API_TITLE"} <= read
    assert any("MAIL_BACKEND" in TEMPLATE_READ.findall(path.read_text()) for path in templates())


def test_the_environment_check_sees_each_form():
    source = "import os\nos.environ['X']\nos.getenv('Y')\nfrom os import environ\nos.path\n"

    assert reads_environment(source) == [2, 3, 4]


def test_only_app_config_reads_the_process_environment():
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}"
        for path in python_sources()
        if path != CONFIG_MODULE
        for line in reads_environment(path.read_text())
    ]

    assert offenders == []
    assert reads_environment(CONFIG_MODULE.read_text())
