"""Figures for the admin dashboard.

The number of users and of songs by status are counters; the active and unconfirmed
users, the bytes in GridFS and the failed songs are read from the collections.
"""

from __future__ import annotations

from dataclasses import dataclass

from app import paging
from app.accounts.datastore import USERS
from app.accounts.models import User
from app.database import get_database
from app.health.services import Check, run_checks
from app.library.counters import EVERYONE, counts_of
from app.library.models import Song
from app.storage.gridfs import BUCKET_NAME


@dataclass(frozen=True)
class Dashboard:
    users: int
    active_users: int
    unconfirmed_users: int
    songs_by_status: dict[str, int]
    storage_bytes: int
    checks: list[Check]
    failed_songs: list[Song]


def storage_bytes() -> int:
    """Bytes stored in GridFS (the sum of the files' lengths)."""
    files = get_database()[f"{BUCKET_NAME}.files"]
    totals = list(files.aggregate([{"$group": {"_id": None, "bytes": {"$sum": "$length"}}}]))
    return int(totals[0]["bytes"]) if totals else 0


def dashboard() -> Dashboard:
    """Every figure the dashboard shows. Runs the health checks, so it can take up to
    HEALTH_TIMEOUT_SECONDS per dependency when one is down."""
    songs = counts_of(EVERYONE)
    return Dashboard(
        users=paging.read_counters(USERS)[USERS].get("users", 0),
        active_users=User.objects(active=True).count(),
        unconfirmed_users=User.objects(confirmed_at=None).count(),
        songs_by_status=songs.by_status,
        storage_bytes=storage_bytes(),
        checks=run_checks(),
        failed_songs=list(Song.objects(status="failed").order_by("-updated_at").limit(20)),
    )
