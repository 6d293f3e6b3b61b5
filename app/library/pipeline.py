"""The processing pipeline: the one place that moves a song's status and pushes it live.

queued (:func:`queue_song`) -> processing (:func:`start_processing`, in the worker) ->
ready or failed (:func:`finish_processing`, or :func:`processing_took_too_long`); a song
whose task was lost goes back to queued (:func:`stuck_songs`), unless processing has
already started PROCESSING_MAX_ATTEMPTS times for it: then it fails, saying so. Every move
is pushed to the owner's open pages.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from bson import ObjectId
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from mongoengine import Q
from redis.exceptions import RedisError

from app import paging
from app.i18n.selection import language_for
from app.library import counters
from app.library.albums import find_or_create_album
from app.library.analysis import AudioProblem, analyse, spell_seconds
from app.library.models import FAILED_SONGS, TAGGED_FIELDS, Song, pack_peaks, utcnow
from app.notifications.services import add_notification
from app.realtime import notify
from app.signals import song_queued
from app.storage import open_file

logger = logging.getLogger(__name__)


def push_status(song: Song) -> None:
    notify(str(song.owner.id), "song.status", song.status_payload)


def queue_song(song: Song) -> Song:
    """Store ``song`` as ``queued``, with whatever else the caller changed on it (a new
    upload, new audio), push that status to the owner's pages and send ``song_queued``,
    whose receiver hands the song to a worker. Also how a song is processed again.

    If the song cannot be stored the error goes on and nothing is announced. Once it is
    stored, an unreachable Redis only delays it: the sweep queues it again."""
    previous = None if song.pk is None else song.status
    song.status, song.status_reason, song.attempts = "queued", "", 0
    if previous is None:
        counters.give_positions(song)
    song.save()
    if previous is None:
        counters.count_added(song)
    else:
        counters.count_status_move(song.owner.id, previous, "queued")
    try:
        push_status(song)
    except RedisError as error:
        logger.warning("song %s: status not pushed, Redis unreachable (%s)", song.id, error)
    song_queued.send(current_app._get_current_object(), song_id=str(song.id))
    return song


def _lease_seconds() -> float:
    return current_app.config["PROCESSING_LEASE_SECONDS"]


def _claimable(now) -> Q:
    """Queued, or processing under a lease nobody renewed (its worker died)."""
    return Q(status="queued") | Q(status="processing", lease_until__lt=now)


def _max_attempts() -> int:
    return current_app.config["PROCESSING_MAX_ATTEMPTS"]


def _give_up(condition: Q) -> Song | None:
    """Fail the song that ``condition`` picks if processing has started for it as many
    times as it may; None if there is no such song."""
    now = utcnow()
    song = Song.objects(condition & Q(attempts__gte=_max_attempts())).modify(
        set__status="failed",
        set__status_reason=_gave_up_reason(),
        set__updated_at=now,
        set__failed_seq=paging.next_position(FAILED_SONGS),
    )
    if song is not None:
        counters.count_status_move(song.owner.id, song.status, "failed")
        # Told in the owner's language; the sweep that got here serves no request.
        with force_locale(language_for(song.owner)):
            reason = _gave_up_reason()
            Song.objects(id=song.id, status="failed").update_one(set__status_reason=reason)
            song.status, song.status_reason, song.updated_at = "failed", reason, now
            logger.warning("song %s failed: processing started %d times", song.id, song.attempts)
            push_status(song)
            _notify_outcome(song)
    return song


def _gave_up_reason() -> str:
    return ngettext(
        "Processing started %(num)s time without finishing (its worker stopped or failed), "
        "so it is not tried again.",
        "Processing started %(num)s times without finishing (its worker stopped or failed "
        "each time), so it is not tried again.",
        _max_attempts(),
    )


def stuck_songs() -> list[str]:
    """Ids of songs whose task was lost: queued for longer than STUCK_SONG_SECONDS, or
    processing under an expired lease. Each is marked queued now, so the next sweep
    leaves it alone while its new task waits, and its owner is told; a song processing
    has already started PROCESSING_MAX_ATTEMPTS times for is failed instead."""
    now = utcnow()
    waited_too_long = Q(
        status="queued",
        updated_at__lt=now - timedelta(seconds=current_app.config["STUCK_SONG_SECONDS"]),
    )
    abandoned = Q(status="processing", lease_until__lt=now)
    stuck = []
    for song in Song.objects(waited_too_long | abandoned).only("id"):
        this_one = Q(id=song.id) & (waited_too_long | abandoned)
        if _give_up(this_one) is not None:
            continue
        before = Song.objects(this_one).modify(set__status="queued", set__updated_at=now)
        if before is not None:
            counters.count_status_move(before.owner.id, before.status, "queued")
            before.status, before.updated_at = "queued", now
            push_status(before)
            stuck.append(str(before.id))
    return stuck


def start_processing(song_id: str) -> Song | None:
    """Claim the song for processing under a lease, counting the attempt, or None if
    there is nothing to do (already final, or being processed by a live worker), or if
    it has had all its attempts (then it is failed)."""
    now = utcnow()
    claim = {
        "status": "processing",
        "status_reason": "",
        "updated_at": now,
        "lease_until": now + timedelta(seconds=_lease_seconds()),
    }
    this_one = Q(id=ObjectId(song_id)) & _claimable(now)
    song = Song.objects(this_one & Q(attempts__not__gte=_max_attempts())).modify(
        inc__attempts=1, **{f"set__{name}": value for name, value in claim.items()}
    )
    if song is None:
        _give_up(this_one)
        return None
    counters.count_status_move(song.owner.id, song.status, "processing")
    for name, value in claim.items():
        setattr(song, name, value)
    song.attempts = (song.attempts or 0) + 1
    push_status(song)
    return song


@contextmanager
def processing_lease(song: Song) -> Iterator[None]:
    """Renew the song's lease while the block runs, so the sweep knows a live worker
    holds it; if the worker dies, the lease runs out and the song is queued again."""
    seconds = _lease_seconds()
    done = threading.Event()

    def renew() -> None:
        while not done.wait(seconds / 3):
            Song.objects(id=song.id, status="processing").update_one(
                set__lease_until=utcnow() + timedelta(seconds=seconds)
            )

    renewer = threading.Thread(target=renew, name=f"lease-{song.id}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()


def finish_processing(song: Song) -> str:
    """Analyse the file and store the outcome: ``ready`` with its facts, or ``failed``.
    Only what processing learnt is written: a title or album changed meanwhile stays."""
    try:
        with processing_lease(song), open_file(song.file_id) as stream:
            facts = analyse(stream, song.sha256, current_app.config["MAX_AUDIO_SECONDS"])
    except AudioProblem as problem:
        return _finish(song, status="failed", status_reason=problem.reason)
    except FileNotFoundError:
        return _finish(song, status="failed", status_reason=_("The audio file is missing."))
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
        waveform=pack_peaks(facts.waveform),
    )


def processing_took_too_long(song: Song) -> str:
    """Fail the song whose processing ran past PROCESSING_TIME_LIMIT_SECONDS, saying so.
    Not tried again: the same file would take as long the next time."""
    limit = spell_seconds(current_app.config["PROCESSING_TIME_LIMIT_SECONDS"])
    return _finish(
        song,
        status="failed",
        status_reason=_(
            "Processing this file took longer than %(limit)s, the most a song may take, "
            "so it was stopped.",
            limit=limit,
        ),
    )


def _finish(song: Song, **outcome: object) -> str:
    """Store the outcome only if the song is still the one we processed: deleted, or
    given a new file meanwhile, it is left alone (a plain save would bring it back). A
    ready song gets, in the same write, the fields its member left to the file's tags."""
    if outcome["status"] == "failed":
        outcome["failed_seq"] = paging.next_position(FAILED_SONGS)
    # Again only when the member set a field left to the tags meanwhile: at most once each.
    for _attempt in range(len(TAGGED_FIELDS) + 1):
        current = Song.objects(id=song.id, status="processing", file_id=song.file_id).first()
        if current is None:
            break
        filled = _filled_from_tags(current, outcome["tags"]) if outcome["status"] == "ready" else {}
        this_one = {"id": song.id, "status": "processing", "file_id": song.file_id}
        if current.from_tags:  # the list only ever shrinks: still all there, nothing was set
            this_one["from_tags__all"] = list(current.from_tags)
        fields = {f"set__{name}": value for name, value in {**outcome, **filled}.items()}
        stored = Song.objects(**this_one).modify(new=True, set__updated_at=utcnow(), **fields)
        if stored is not None:
            return _announce(stored)
        if filled.get("album") is not None:
            # It was not placed after all.
            counters.album_position(filled["album"].id, None, current.rating)
    logger.info("song %s changed while it was processed; result dropped", song.id)
    return "dropped"


def _announce(stored: Song) -> str:
    """Count, log and push a stored outcome, and notify the owner."""
    counters.count_status_move(stored.owner.id, "processing", stored.status)
    logger.info("song %s is %s %s", stored.id, stored.status, stored.status_reason)
    push_status(stored)
    _notify_outcome(stored)
    return stored.status


def _filled_from_tags(song: Song, tags: dict[str, str]) -> dict[str, object]:
    """The fields to store so that those the member left to the file's tags
    (``Song.from_tags``) hold what ``tags`` say: the title, the artist, and the album the
    tags name (made if need be, and only if the member asked for it). A field no tag
    names keeps its value (the title: the file name). Filled once: ``from_tags`` empties."""
    if not song.from_tags:
        return {}
    wanted = set(song.from_tags)
    filled: dict[str, object] = {"from_tags": []}
    if "title" in wanted and tags.get("title"):
        song.title = filled["title"] = tags["title"]
    if "artist" in wanted and tags.get("artist"):
        song.artist = filled["artist"] = tags["artist"]
    if "album" in wanted and song.album is None and tags.get("album"):
        album = find_or_create_album(song.owner, tags["album"], tags.get("artist", ""))
        song.album = filled["album"] = album
        filled["album_seq"] = counters.album_position(None, album.id, song.rating)
    song.clean()  # the title key and search words follow the new names
    if "title" in filled:
        filled["title_key"] = song.title_key
    filled["search_words"] = song.search_words
    return filled


def _notify_outcome(song: Song) -> None:
    if song.status == "ready":
        text = _("“%(title)s” is ready to play.", title=song.title)
    else:
        text = _(
            "“%(title)s” could not be processed: %(reason)s",
            title=song.title,
            reason=song.status_reason,
        )
    # No request in a worker: build the path from the URL map directly.
    link = current_app.url_map.bind("").build("library.song", {"song_id": str(song.id)})
    add_notification(str(song.owner.id), text, link=link, kind=song.status)
