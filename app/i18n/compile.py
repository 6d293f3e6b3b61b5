"""Compile the catalogs: each app/translations/<lang>/LC_MESSAGES/messages.po into the
messages.mo that gettext reads, when the .mo is missing or older.

The .mo files are build output, kept out of git: ``make run``, ``make test``, the test
suite's start and the Docker image build run this (``python -m app.i18n.compile``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def compile_catalogs(folder: Path = TRANSLATIONS, *, force: bool = False) -> list[Path]:
    """Write each stale .mo under ``folder``; returns the ones written."""
    written = []
    for po_path in sorted(folder.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=po_path.parts[-3])
        temporary = mo_path.with_suffix(".mo.tmp")
        with temporary.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        temporary.replace(mo_path)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogs(force="--force" in sys.argv[1:]):
        print(f"compiled {path.relative_to(TRANSLATIONS.parent.parent)}")
