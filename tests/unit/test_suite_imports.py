"""No module of the test suite or the benchmarks imports a test module or a conftest.

Importing ``tests/integration/test_x.py`` from another module runs its tests' module code
twice under two names and couples two test files; a conftest is pytest's to load. What
tests share lives in modules of their own (tests/factories.py, tests/logins.py,
tests/helpers.py, tests/library.py, tests/servers.py ...). Every import counts, those
inside functions included; relative imports are resolved against the importing module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("tests", "bench")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str, module: str, *, is_package: bool = False) -> Iterator[str]:
    """Every dotted name ``source`` imports: ``from a import b`` gives ``a`` and ``a.b``,
    since ``b`` may be a module of package ``a``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def is_test_module(name: str) -> bool:
    last = name.rpartition(".")[2]
    return last.startswith("test_") or last == "conftest"


def imports_of_tests(source: str, module: str, *, is_package: bool = False) -> list[str]:
    return sorted(
        {
            name
            for name in imported_names(source, module, is_package=is_package)
            if is_test_module(name)
        }
    )


def suite_modules() -> list[Path]:
    return sorted(path for folder in CHECKED for path in (ROOT / folder).rglob("*.py"))


def test_no_module_of_the_suite_imports_a_test_module_or_a_conftest():
    modules = suite_modules()
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in modules
        if (
            found := imports_of_tests(
                path.read_text(encoding="utf-8"),
                module_name(path),
                is_package=path.name == "__init__.py",
            )
        )
    }

    assert offenders == {}
    # The scan saw the suite: its conftests, test modules and shared helpers.
    names = {module_name(path) for path in modules}
    assert {"tests.conftest", "tests.factories", "tests.logins", "bench.harness"} <= names
    assert sum(is_test_module(name) for name in names) > 40


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        (
            "from tests.integration.test_registration import register",
            "tests.integration.test_captcha",
            ["tests.integration.test_registration"],
        ),
        ("from tests.conftest import TEST_PASSWORD", "tests.library", ["tests.conftest"]),
        ("import tests.e2e.test_journey", "tests.e2e.test_admin", ["tests.e2e.test_journey"]),
        (
            "from tests.integration import test_api",
            "tests.integration.test_lookups",
            ["tests.integration.test_api"],
        ),
        ("from .test_journey import log_in", "tests.e2e.test_admin", ["tests.e2e.test_journey"]),
        ("from . import conftest", "tests.e2e", ["tests.e2e.conftest"]),
        ("def f():\n    from ..conftest import x\n", "tests.unit.test_x", ["tests.conftest"]),
        ("from tests.factories import UserFactory", "tests.integration.test_x", []),
        ("from tests.logins import log_in_client", "tests.conftest", []),
        ("import pytest\nfrom app.testing import tested", "tests.unit.test_x", []),
    ],
)
def test_the_check_sees_every_way_of_importing_a_test_module(source, module, expected):
    is_package = module == "tests.e2e"
    assert imports_of_tests(source, module, is_package=is_package) == expected
