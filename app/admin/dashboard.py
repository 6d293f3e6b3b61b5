"""Figures for the admin dashboard.

Every figure is a counter, changed where what it counts changes and checked by the hourly
repair task: the users (in all, active, unconfirmed) by the account datastore, the songs
by status by the library, the bytes in GridFS by the storage. The last failed songs are
read newest first by their failure position (``Song.failed_seq``), about a page of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal, gettext

from app import paging
from app.accounts.datastore import USERS
from app.accounts.models import User
from app.config import N_
from app.health.services import Check, run_checks
from app.library.counters import EVERYONE, counts_of
from app.library.models import FAILED_SONGS, Song
from app.storage import stored_bytes

#: How many of the last failed songs the dashboard lists.
FAILED_SHOWN = 20

#: A health check's reason (app/health/services.py) in words, with its values.
HEALTH_DETAILS = {
    "answered": N_("ping answered"),
    "no-answer": N_("no answer: %(error)s"),
    "ping-failed": N_("ping failed: %(error)s"),
    "no-worker": N_("no worker answered within %(seconds)s s"),
    "worker-answered": N_("%(worker)s answered"),
    "redis-down": N_("unreachable: Redis is down"),
}


@dataclass(frozen=True)
class Dashboard:
    users: int
    active_users: int
    unconfirmed_users: int
    songs_by_status: dict[str, int]
    storage_bytes: int
    checks: list[Check]
    failed_songs: list[Song]


def health_detail(check: Check) -> str:
    """What a health check found, in the reader's language; the English detail for a
    reason without words here."""
    words = HEALTH_DETAILS.get(check.reason)
    if words is None:
        return check.detail
    values = {
        name: format_decimal(value) if isinstance(value, int | float) else value
        for name, value in check.values.items()
    }
    return gettext(words, **values)


def last_failed_songs(failed: int) -> list[Song]:
    """The FAILED_SHOWN songs that failed (or, failed, were changed) last, newest first;
    ``failed`` is how many songs are failed now."""
    last = paging.read_counters(FAILED_SONGS)[FAILED_SONGS].get(paging.LAST, 0)
    if not failed:
        return []
    docs = paging.page(
        Song._get_collection(),
        {"status": "failed"},
        "failed_seq",
        before=last + 1,
        last=last,
        limit=FAILED_SHOWN,
        expected=failed,
    )
    if len(docs) < min(failed, FAILED_SHOWN):  # failed before positions, until the repair
        return list(Song.objects(status="failed").order_by("-updated_at").limit(FAILED_SHOWN))
    return [Song._from_son(doc) for doc in docs]


def dashboard() -> Dashboard:
    """Every figure the dashboard shows. Runs the health checks, so it can take up to
    HEALTH_TIMEOUT_SECONDS per dependency when one is down."""
    songs = counts_of(EVERYONE)
    users = paging.read_counters(USERS)[USERS]
    if "active" not in users:  # counted before these were, until the hourly repair
        accounts = User._get_collection()
        users["active"] = accounts.count_documents({"active": True})
        users["unconfirmed"] = accounts.count_documents({"confirmed_at": None})
    return Dashboard(
        users=users.get("users", 0),
        active_users=users["active"],
        unconfirmed_users=users.get("unconfirmed", 0),
        songs_by_status=songs.by_status,
        storage_bytes=stored_bytes(),
        checks=run_checks(),
        failed_songs=last_failed_songs(songs.by_status["failed"]),
    )
