"""Figures for the admin dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import User
from app.database import get_database
from app.health.services import Check, run_checks
from app.library.models import STATUSES, Song
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
    return Dashboard(
        users=User.objects.count(),
        active_users=User.objects(active=True).count(),
        unconfirmed_users=User.objects(confirmed_at=None).count(),
        songs_by_status={status: Song.objects(status=status).count() for status in STATUSES},
        storage_bytes=storage_bytes(),
        checks=run_checks(),
        failed_songs=list(Song.objects(status="failed").order_by("-updated_at").limit(20)),
    )
