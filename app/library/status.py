"""Processing state changes, each stored first and then pushed to the owner live."""

from __future__ import annotations

import logging

from bson import ObjectId

from app.library.albums import find_or_create_album
from app.library.models import Song, utcnow
from app.library.processing import AudioProblem, analyse
from app.realtime import notify
from app.storage import open_file

logger = logging.getLogger(__name__)

#: Statuses processing takes up; "ready" and "failed" are final until re-queued.
PENDING = ("queued", "processing")


def push_status(song: Song) -> None:
    notify(str(song.owner.id), "song.status", song.status_payload)


def start_processing(song_id: str) -> Song | None:
    """Claim the song for processing (atomically), or None if there is nothing to do."""
    now = utcnow()
    song = Song.objects(id=ObjectId(song_id), status__in=PENDING).modify(
        set__status="processing", set__status_reason="", set__updated_at=now, new=True
    )
    if song is not None:
        push_status(song)
    return song


def finish_processing(song: Song) -> str:
    """Analyse the file and store the outcome: ``ready`` with its facts, or ``failed``."""
    try:
        with open_file(song.file_id) as stream:
            facts = analyse(stream, song.sha256)
    except AudioProblem as problem:
        return _finish(song, status="failed", status_reason=problem.reason)
    except FileNotFoundError:
        return _finish(song, status="failed", status_reason="The audio file is missing.")
    album = song.album
    if album is None and facts.tags.get("album") and Song.objects(id=song.id).count():
        album = find_or_create_album(song.owner, facts.tags["album"], facts.tags.get("artist", ""))
    return _finish(
        song,
        status="ready",
        status_reason="",
        format=facts.format,
        content_type=facts.content_type,
        duration=facts.duration,
        bitrate=facts.bitrate,
        sample_rate=facts.sample_rate,
        channels=facts.channels,
        tags=facts.tags,
        waveform=facts.waveform,
        album=album,
    )


def _finish(song: Song, **outcome: object) -> str:
    """Store the outcome only if the song is still the one we processed: deleted, or
    given a new file meanwhile, it is left alone (a plain save would bring it back)."""
    for name, value in outcome.items():
        setattr(song, name, value)
    song.clean()  # search words follow the album; updated_at is now
    fields = {
        f"set__{name}": getattr(song, name) for name in (*outcome, "search_words", "updated_at")
    }
    stored = Song.objects(id=song.id, status="processing", file_id=song.file_id).modify(
        new=True, **fields
    )
    if stored is None:
        logger.info("song %s changed while it was processed; result dropped", song.id)
        return "dropped"
    logger.info("song %s is %s %s", stored.id, stored.status, stored.status_reason)
    push_status(stored)
    return stored.status
