"""Upload processing: one task per song, safe to run twice, retried only when it may help."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from flask_babel import force_locale

from app.i18n.selection import language_for
from app.library.pipeline import (
    finish_processing,
    processing_took_too_long,
    start_processing,
    stuck_songs,
)
from tasks.durable import DURABLE

logger = logging.getLogger(__name__)


@shared_task(name="uploads.process_song", **DURABLE)
def process_song(song_id: str, locale: str | None = None) -> str:
    """Analyse a stored song and mark it ``ready`` (or ``failed`` with the reason).

    Idempotent: a song already ``ready`` or ``failed``, or being processed by a live
    worker, is left as it is, so a task delivered twice changes nothing the second
    time. A song whose worker died (its lease ran out) is taken up again. Its time limit
    (PROCESSING_TIME_LIMIT_SECONDS, set in ``celery_settings``) fails the song. Returns
    the final status, for the logs.

    The reason a song failed and the notification are written in the owner's language:
    the one stored on their account, else ``locale`` (the uploader's page language at
    upload time), else English.
    """
    song = start_processing(song_id)
    if song is None:
        return "skipped"
    with force_locale(language_for(song.owner, locale)):
        try:
            return finish_processing(song)
        except SoftTimeLimitExceeded:
            logger.error("processing song %s ran out of time", song_id)
            return processing_took_too_long(song)


@shared_task(name="uploads.requeue_stuck_songs", ignore_result=True)
def requeue_stuck_songs() -> int:
    """Queue again every song whose task was lost: queued for longer than
    STUCK_SONG_SECONDS (Redis was down at upload time), or processing under an expired
    lease (its worker died). Run by Celery beat and when a worker starts."""
    song_ids = stuck_songs()
    for song_id in song_ids:
        process_song.delay(song_id)
    if song_ids:
        logger.warning("queued %d stuck songs again: %s", len(song_ids), ", ".join(song_ids))
    return len(song_ids)
