"""The repository carries what it needs: no tracked file reaches outside the clone."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import mutagen
import pytest

from tests.fixtures import AUDIO_DIR, LONG_MP3_SECONDS, LONG_MP3_TITLE, long_mp3

ROOT = Path(__file__).resolve().parents[2]
# Build files whose relative paths are resolved from the repository root.
BUILD_FILES = ("Makefile", ".ci/run", "pyproject.toml", "docker-compose.yml", "Dockerfile")
# Spelled in pieces so that this file does not match its own patterns.
OUTSIDE_NAMES = re.compile(r"\.\./" + "shared" + r"|\bshared/" + "data" + r"\b|/" + "work/")


def tracked_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    return [ROOT / name for name in listed.decode().split("\0") if name]


def text_of(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, FileNotFoundError):
        return None


def climbs_out(path: Path, tree: ast.AST) -> list[str]:
    """Each ``Path(__file__)...parent(s)`` expression that lands above the root."""
    found = []
    for node in ast.walk(tree):
        levels, current = 0, node
        while True:
            if isinstance(current, ast.Attribute) and current.attr == "parent":
                levels, current = levels + 1, current.value
            elif (
                isinstance(current, ast.Subscript)
                and isinstance(current.value, ast.Attribute)
                and current.value.attr == "parents"
                and isinstance(current.slice, ast.Constant)
            ):
                levels, current = levels + current.slice.value + 1, current.value.value
            elif isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
                current = current.func.value  # .resolve(), .absolute()
            else:
                break
        uses_file = (
            isinstance(current, ast.Call)
            and isinstance(current.func, ast.Name)
            and current.func.id == "Path"
            and any(isinstance(arg, ast.Name) and arg.id == "__file__" for arg in current.args)
        )
        if uses_file and levels:
            target = path.parents[levels - 1] if levels <= len(path.parents) else Path("/")
            if not target.is_relative_to(ROOT):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_tracked_file_names_a_folder_outside_the_repository():
    offenders, read = [], set()
    for path in tracked_files():
        text = text_of(path)
        if text is None:
            continue
        read.add(path.relative_to(ROOT).as_posix())
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE_NAMES.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert offenders == []
    assert {"Makefile", "pyproject.toml", "app/config.py", ".env.example"} <= read


def test_no_python_file_climbs_above_the_repository_root():
    offenders, read = [], set()
    for path in tracked_files():
        if path.suffix == ".py" and (text := text_of(path)) is not None:
            read.add(path.relative_to(ROOT).as_posix())
            offenders += climbs_out(path, ast.parse(text))
    assert offenders == []
    assert {"app/config.py", "tests/fixtures/__init__.py", "bench/harness.py"} <= read


def test_the_climb_check_sees_a_path_above_the_root(tmp_path):
    inside = ROOT / "tests" / "unit" / "example.py"
    source = "from pathlib import Path\nA = Path(__file__).resolve().parents[3] / 'x'\n"
    deep_enough = "B = Path(__file__).parent.parent.parent\n"

    assert climbs_out(inside, ast.parse(source)) == ["tests/unit/example.py:2"]
    assert climbs_out(inside, ast.parse(deep_enough)) == []


def test_build_files_use_no_relative_path_above_the_root():
    offenders = []
    for name in BUILD_FILES:
        text = text_of(ROOT / name) or ""
        for match in re.finditer(r"(?<![\w.])(\.\./)+[\w./-]*", text):
            if not (ROOT / match.group()).resolve().is_relative_to(ROOT):
                offenders.append(f"{name}: {match.group()}")
    assert offenders == []
    assert all((ROOT / name).is_file() for name in BUILD_FILES)  # each one was read


def test_the_long_mp3_is_built_from_the_clip_with_its_length_and_title():
    built = mutagen.File(long_mp3())

    assert built.info.length == pytest.approx(LONG_MP3_SECONDS, abs=0.05)
    assert built.info.sample_rate == 44100
    assert str(built.tags["TIT2"]) == LONG_MP3_TITLE
    assert long_mp3().stat().st_size > 3_500_000
    assert (AUDIO_DIR / "tone-440hz-5s.mp3").stat().st_size < 100_000
