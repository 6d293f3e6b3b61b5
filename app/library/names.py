"""The words pages show for a song's status and for each way of sorting the library, in
the reader's language (the stored values stay the English codes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_NAMES = {
    "queued": _l("queued"),
    "processing": _l("processing"),
    "ready": _l("ready"),
    "failed": _l("failed"),
}

SORT_NAMES = {
    "date": _l("Sort by date"),
    "title": _l("Sort by title"),
    "rating": _l("Sort by rating"),
    "duration": _l("Sort by duration"),
}


def status_name(status: str) -> str:
    """``ready`` -> "ready", "bereit", "prêt"; an unknown code as it is."""
    return str(STATUS_NAMES.get(status, status))


def sort_name(sort: str) -> str:
    return str(SORT_NAMES.get(sort, sort))
