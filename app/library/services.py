"""Song rules: upload, edit, replace, delete, and who may see what; deleting an album
with its songs.

Views, the API, the CLI and the tasks all come through here, so each rule exists once.
A song's status is the pipeline's (app/library/pipeline.py): new audio and re-processing
go through :func:`~app.library.pipeline.queue_song`. The storage each member uses is
counted here too, as songs are stored, replaced and deleted (app/library/quota.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain

from bson import ObjectId
from flask import current_app
from flask_babel import gettext as _

from app.accounts.models import User
from app.accounts.permissions import SONGS_MANAGE_ALL
from app.database import QuerySet
from app.errors import ValidationFailed
from app.library import counters, quota
from app.library.models import TITLE_MAX, Album, Song
from app.library.pipeline import queue_song
from app.library.sniff import SNIFF_BYTES, AudioKind, sniff_audio
from app.storage import StoredFile, UploadTooLarge, delete_file, store_stream


def manages_all_songs(user: User) -> bool:
    """Whether ``user`` may see and change everyone's songs and albums (a role of theirs
    grants ``songs:manage-all``)."""
    return user.has_permission(SONGS_MANAGE_ALL)


def visible_to(user: User, model: type[Song] | type[Album]) -> QuerySet:
    """The songs or albums ``user`` may see: their own, or everyone's with
    ``songs:manage-all``. The owner is part of the query, so another member's document is
    simply not found."""
    return model.objects if manages_all_songs(user) else model.objects(owner=user)


def get_song(user: User, song_id: str) -> Song:
    """The song if ``user`` owns it or manages all songs; NotFound otherwise (never 403,
    so other people's songs cannot be discovered)."""
    return visible_to(user, Song).get_or_404(id=song_id)


def get_album(user: User, album_id: str) -> Album:
    """The album if ``user`` owns it or manages all songs; NotFound otherwise."""
    return visible_to(user, Album).get_or_404(id=album_id)


def parse_title(value: str | None) -> str:
    title = (value or "").strip()
    if not title:
        raise ValidationFailed({"title": _("Please give the song a title.")})
    if len(title) > TITLE_MAX:
        raise ValidationFailed({"title": _("must be at most %(max)s characters", max=TITLE_MAX)})
    return title


def parse_artist(value: str | None) -> str:
    """The artist's name, or "" for none."""
    artist = (value or "").strip()
    if len(artist) > TITLE_MAX:
        raise ValidationFailed({"artist": _("must be at most %(max)s characters", max=TITLE_MAX)})
    return artist


def parse_rating(value: str | int | None) -> int | None:
    """None for no rating; otherwise a whole number from 1 to 5."""
    if value is None or value == "":
        return None
    try:
        rating = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed({"rating": _("must be a whole number from 1 to 5")}) from None
    if isinstance(value, float) or not 1 <= rating <= 5:
        raise ValidationFailed({"rating": _("must be a whole number from 1 to 5")})
    return rating


def max_upload_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)


def _sniffed(chunks: Iterable[bytes]) -> tuple[AudioKind, Iterator[bytes]]:
    """Look at the first bytes without losing them: returns the kind and all the chunks."""
    iterator = iter(chunks)
    head: list[bytes] = []
    size = 0
    for chunk in iterator:
        head.append(chunk)
        size += len(chunk)
        if size >= SNIFF_BYTES:
            break
    kind = sniff_audio(b"".join(head)[:SNIFF_BYTES])
    return kind, chain(head, iterator)


def store_audio(
    chunks: Iterable[bytes], filename: str, *, owner: User, freed: int = 0
) -> tuple[StoredFile, AudioKind]:
    """Refuse non-audio from its first bytes, then stream the rest into GridFS, stopping
    at MAX_UPLOAD_MB or at what is left of ``owner``'s quota (counting ``freed``, the
    size of a file this one replaces), whichever comes first."""
    kind, everything = _sniffed(chunks)
    room = quota.room_for(owner, freed=freed)
    limit = max_upload_bytes() if room is None else min(room, max_upload_bytes())
    try:
        stored = store_stream(
            everything,
            original_filename=filename,
            content_type=kind.content_type,
            max_bytes=limit,
        )
    except UploadTooLarge:
        if limit < max_upload_bytes():
            raise quota.QuotaExceeded(quota.usage_of(owner, freed=freed)) from None
        raise
    return stored, kind


def create_song(
    owner: User,
    *,
    title: str,
    rating: int | None,
    album: Album | None,
    stored: StoredFile,
    kind: AudioKind,
    artist: str = "",
    from_tags: Iterable[str] = (),
) -> Song:
    """Record an uploaded file as a song, count it to its owner's storage and queue it for
    processing, which fills the fields named in ``from_tags`` from the file's tags. If it
    does not fit in the quota, or the record cannot be saved, the stored file is deleted
    and nothing is counted: nothing half-made stays behind."""
    try:
        quota.charge(owner, stored.size)
    except Exception:
        delete_file(stored.file_id)
        raise
    song = Song(
        title=title,
        artist=artist,
        rating=rating,
        album=album,
        from_tags=list(from_tags),
        owner=owner,
        file_id=stored.file_id,
        storage_name=stored.storage_name,
        original_filename=stored.original_filename,
        content_type=kind.content_type,
        format=kind.format,
        size=stored.size,
        sha256=stored.sha256,
    )
    try:
        return queue_song(song)
    except Exception:
        quota.release(owner.id, stored.size)
        delete_file(stored.file_id)
        raise


def update_song(
    song: Song,
    *,
    title: str,
    rating: int | None,
    album: Album | None,
    artist: str | None = None,
) -> Song:
    """Store the member's title, artist (None: unchanged), rating and album. A field left
    to the file's tags that the member changes is theirs from then on: processing will
    not fill it."""
    old_album, old_rating = song.album, song.rating
    artist = song.artist if artist is None else artist
    changed = {
        "title": title != song.title,
        "artist": artist != song.artist,
        "album": _id_of(album) != _id_of(old_album),
    }
    song.from_tags = [name for name in song.from_tags if not changed[name]]
    song.title, song.artist, song.rating, song.album = title, artist, rating, album
    if _id_of(old_album) != _id_of(album):
        song.album_seq = counters.album_position(_id_of(old_album), _id_of(album), old_rating)
    song.save()
    counters.count_rating_change(song.owner.id, _id_of(album), old_rating, rating)
    return song


def _id_of(document) -> ObjectId | None:
    return None if document is None else document.id


def replace_audio(song: Song, stored: StoredFile, kind: AudioKind) -> Song:
    """Swap in a new file, forget what was learnt from the old one and process again.
    The owner's storage counts the new size instead of the old one."""
    old_file, old_size = song.file_id, song.size
    try:
        quota.charge(song.owner, stored.size, freed=old_size)
    except Exception:
        delete_file(stored.file_id)
        raise
    song.file_id = stored.file_id
    song.storage_name = stored.storage_name
    song.original_filename = stored.original_filename
    song.content_type, song.format = kind.content_type, kind.format
    song.size, song.sha256 = stored.size, stored.sha256
    song.duration = song.bitrate = song.sample_rate = song.channels = None
    song.tags, song.waveform = {}, b""
    try:
        queue_song(song)
    except Exception:
        quota.release(song.owner.id, stored.size - old_size)
        delete_file(stored.file_id)
        raise
    delete_file(old_file)
    return song


def delete_song(song: Song) -> None:
    """Delete the song and its file (GridFS document and every chunk), and count its
    size as free again."""
    delete_file(song.file_id)
    deleted = Song._get_collection().find_one_and_delete({"_id": song.id})
    if deleted is not None:  # counted from what was stored, not from this copy
        counters.count_removed(
            deleted["owner"], deleted["status"], deleted.get("album"), deleted.get("rating")
        )
        quota.release(deleted["owner"], deleted["size"])


def requeue(song: Song) -> Song:
    """Process the song again (admin or API "re-process")."""
    return queue_song(song)


def delete_album(album: Album, *, delete_songs: bool) -> int:
    """Delete the album; its songs are deleted too or kept without an album.
    Returns how many songs were deleted."""
    songs = list(Song.objects(album=album))
    if delete_songs:
        for song in songs:
            delete_song(song)
    else:
        Song.objects(album=album).update(unset__album=True, unset__album_seq=True)
        for song in Song.objects(id__in=[song.id for song in songs]):
            song.save()
    album.delete()
    counters.forget_scope(counters.album_key(album.id))
    counters.count_albums(album.owner.id, -1)
    return len(songs) if delete_songs else 0


def delete_library_of(owner: User) -> None:
    """Delete every song (with its file) and album of ``owner``, whose account goes too.
    The library leaves everyone's counts first, in one step, and its own counters last,
    so a run cut short anywhere (a worker killed) and run again leaves no file, chunk or
    song behind and no count wrong."""
    counters.withdraw_library(owner.id)
    songs = Song._get_collection()
    for song in Song.objects(owner=owner).only("id", "file_id"):
        delete_file(song.file_id)  # the file before the song, which names it
        songs.delete_one({"_id": song.id})
    for album in Album.objects(owner=owner):
        counters.forget_scope(counters.album_key(album.id))
    deleted = Album.objects(owner=owner).delete()
    counters.count_albums(owner.id, -deleted)
    counters.forget_scope(counters.library_key(owner.id))
    counters.forget_withdrawal(owner.id)
