"""The strings the browser scripts show, in the request's language.

Scripts mark their strings as ``t("…")`` (app/static/js/i18n.js); the same extraction
that reads the templates and Python puts them into the "messages" catalogs. The page
carries the translations of exactly those strings in ``data-i18n`` on ``<body>``, so
the scripts translate without another request.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.extract import extract
from flask_babel import gettext

SCRIPTS = Path(__file__).resolve().parent.parent / "static" / "js"


@cache
def script_messages() -> tuple[str, ...]:
    """Every ``t("…")`` string of app/static/js/*.js, sorted."""
    found: set[str] = set()
    for path in SCRIPTS.glob("*.js"):
        with path.open("rb") as source:
            for _line, message, _comments, _context in extract(
                "javascript", source, keywords={"t": None}
            ):
                found.add(message)
    return tuple(sorted(found))


def script_catalog() -> dict[str, str]:
    """Each script string's translation where it differs from the English."""
    translated = {message: gettext(message) for message in script_messages()}
    return {message: text for message, text in translated.items() if text != message}
