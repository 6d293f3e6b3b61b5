"""Exports of a member's data: build one archive, remove the expired ones."""

from __future__ import annotations

import logging

from celery import shared_task

from app.exports.services import build_export, remove_expired_exports
from tasks.durable import DURABLE

logger = logging.getLogger(__name__)


@shared_task(name="exports.build", **DURABLE)
def build(export_id: str) -> str:
    """Write the archive of a queued export into GridFS, pushing progress to the member's
    pages. Idempotent: a worker that dies halfway leaves the export ``building``, and the
    task delivered again starts it over (acks_late), after deleting the partial archive."""
    return build_export(export_id)


@shared_task(name="exports.remove_expired", ignore_result=True)
def remove_expired() -> int:
    """Delete every expired export with its archive (file and chunks). Run by Celery beat
    every 15 minutes."""
    removed = remove_expired_exports()
    if removed:
        logger.info("removed %d expired exports", removed)
    return removed
