"""One owner for a song's status: app/library/pipeline.py is the only module of app/ and
tasks/ that writes ``status`` or ``status_reason``.

A write is an assignment to ``x.status`` (or ``x.status_reason``), an update keyword such
as ``set__status=``, ``Song(status=...)``, or ``setattr(x, "status", ...)``. Filters such
as ``Song.objects(status="ready")`` only read and are not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWNER = Path("app/library/pipeline.py")
FIELDS = {"status", "status_reason"}


def status_writes(source: str) -> list[int]:
    """The line numbers where ``source`` writes a song's status."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Attribute) and leaf.attr in FIELDS:
                        lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            if any(_writes(keyword.arg, node) for keyword in node.keywords):
                lines.append(node.lineno)
            if (
                isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in FIELDS
            ):
                lines.append(node.lineno)
    return sorted(set(lines))


def _writes(keyword: str | None, call: ast.Call) -> bool:
    if keyword is None:
        return False
    operation, _, field = keyword.partition("__")
    if operation in ("set", "unset", "set_on_insert") and field in FIELDS:
        return True
    return keyword in FIELDS and isinstance(call.func, ast.Name) and call.func.id == "Song"


def test_only_the_pipeline_writes_a_songs_status():
    writers = {}
    for package in ("app", "tasks"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            lines = status_writes(path.read_text(encoding="utf-8"))
            if lines:
                writers[str(relative)] = lines

    assert str(OWNER) in writers  # the owner itself is seen writing
    assert {name: lines for name, lines in writers.items() if name != str(OWNER)} == {}


def test_each_kind_of_write_is_seen_and_reads_are_not():
    source = "\n".join(
        [
            'song.status = "queued"',
            'song.status, song.status_reason = "queued", ""',
            'Song.objects(id=1).update_one(set__status="ready")',
            'Song(title="x", status="queued")',
            'setattr(song, "status_reason", "")',
            'Song.objects(status="ready").count()',
            'Q(status="queued") | Q(status="processing")',
            'SongQuery(status="failed")',
            "print(song.status)",
        ]
    )

    assert status_writes(source) == [1, 2, 3, 4, 5]
