"""Managing everyone's songs and albums: list, delete (audio files included),
re-process. Each change is written to the audit log."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from bson import ObjectId
from bson.errors import InvalidId
from flask_babel import gettext as _

from app import paging
from app.accounts.datastore import normalise_identity
from app.accounts.models import User
from app.admin.audit import Target, describe_album, describe_song, record
from app.errors import ValidationFailed
from app.library import counters
from app.library.models import Album, Song
from app.library.queries import SongPage, SongQuery, list_songs
from app.library.services import delete_album, delete_song, requeue

SONG_PAGE_SIZE = 50
ALBUM_PAGE_SIZE = 50


def owner_named(username: str | None) -> User | None:
    """The user called ``username`` (any case), None for no name; ValidationFailed if
    nobody is called that."""
    if not (username or "").strip():
        return None
    user = User.objects(username=normalise_identity(username)).first()
    if user is None:
        raise ValidationFailed({"owner": _("Nobody is called %(name)s.", name=username.strip())})
    return user


def songs_page(
    *,
    text: str = "",
    status: str | None = None,
    owner: User | None = None,
    cursor: str | None = None,
) -> SongPage:
    """Everyone's songs (or ``owner``'s), newest first, SONG_PAGE_SIZE per page: the
    library's own listing, so search, filters and keyset pages behave the same."""
    return list_songs(
        SongQuery(owner=owner, text=text, status=status, cursor=cursor, limit=SONG_PAGE_SIZE)
    )


def _song_ids(ids: list[str]) -> list[ObjectId]:
    if not ids:
        raise ValidationFailed({"ids": _("Choose at least one song.")})
    try:
        return [ObjectId(str(value)) for value in dict.fromkeys(ids)]
    except (InvalidId, TypeError):
        raise ValidationFailed({"ids": _("Not a song of this site.")}) from None


def chosen_songs(song_ids: list[str]) -> list[Song]:
    """The songs picked on the page; any deleted meanwhile are simply left out."""
    return list(Song.objects(id__in=_song_ids(song_ids)))


def _song_target(song: Song) -> Target:
    return describe_song(song.title, song.owner.username)


def remove_song(actor: User, song: Song) -> None:
    """Delete the song with its audio (the GridFS file and every chunk)."""
    target, song_id, filename = _song_target(song), song.id, song.original_filename
    delete_song(song)
    record(actor, "song.delete", target, song_id, file=filename)


def remove_songs(actor: User, song_ids: list[str]) -> int:
    """Delete the chosen songs with their audio; returns how many were deleted."""
    songs = chosen_songs(song_ids)
    for song in songs:
        remove_song(actor, song)
    return len(songs)


def reprocess_songs(actor: User, song_ids: list[str]) -> int:
    """Queue the songs for processing again (after a fix to the worker, say). Harmless
    for a song being processed right now: that result is dropped, the new one counts."""
    songs = chosen_songs(song_ids)
    for song in songs:
        previous = song.status
        requeue(song)
        record(actor, "song.requeue", _song_target(song), song.id, previous=previous)
    return len(songs)


@dataclass(frozen=True)
class AlbumRow:
    album: Album
    owner: User | None
    songs: int


@dataclass
class AlbumPage:
    rows: list[AlbumRow]
    #: the number of albums in all (everyone's, or the owner's)
    total: int
    #: where the next page starts (None on the last page)
    next_cursor: str | None


def albums_page(owner: User | None = None, cursor: str | None = None) -> AlbumPage:
    """Albums by title (then id), ALBUM_PAGE_SIZE at a time after ``cursor`` (the last
    album of the page before), with their owners and song counts: the owners in one
    query, the counts and the total from counters, never counted from the collections."""
    scope = {} if owner is None else {"owner": owner.id}
    docs = _albums_after(scope, _album_cursor(cursor) if cursor else None, ALBUM_PAGE_SIZE + 1)
    albums = [Album._from_son(doc) for doc in docs[:ALBUM_PAGE_SIZE]]
    next_cursor = None
    if len(docs) > ALBUM_PAGE_SIZE:
        next_cursor = _encode_album_cursor(docs[ALBUM_PAGE_SIZE - 1])
    owner_ids = {doc["owner"] for doc in docs[:ALBUM_PAGE_SIZE]}
    owners = {user.id: user for user in User.objects(id__in=owner_ids)} if owner_ids else {}
    keys = [counters.album_key(album.id) for album in albums]
    scope_key = counters.library_key(owner.id if owner is not None else None)
    found = paging.read_counters(scope_key, *keys)
    rows = [
        AlbumRow(
            album,
            owners.get(album.to_mongo()["owner"]),
            found[counters.album_key(album.id)].get("songs", 0),
        )
        for album in albums
    ]
    total = found[scope_key].get("albums")
    if total is None:  # counted before albums were, until the hourly repair
        total = Album._get_collection().count_documents(scope)
    return AlbumPage(rows, total, next_cursor)


def _albums_after(scope: dict, after: tuple[str, ObjectId] | None, limit: int) -> list[dict]:
    """Up to ``limit`` albums of ``scope`` by (title_key, _id) after ``after``: the ties
    of its title past its id, then the titles beyond (the smallest string above a title
    is the title followed by NUL; ranges use $gte/$lt only, see app/paging.py)."""
    order = [("title_key", 1), ("_id", 1)]
    collection = Album._get_collection()
    if after is None:
        return list(collection.find(scope, sort=order, limit=limit))
    title_key, album_id = after
    ties = [
        doc
        for doc in collection.find({**scope, "title_key": title_key}, sort=order)
        if doc["_id"] > album_id
    ][:limit]
    beyond = collection.find(
        {**scope, "title_key": {"$gte": title_key + "\x00"}}, sort=order, limit=limit - len(ties)
    )
    return ties + (list(beyond) if len(ties) < limit else [])


def _encode_album_cursor(doc: dict) -> str:
    raw = json.dumps([doc["title_key"], str(doc["_id"])]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _album_cursor(cursor: str) -> tuple[str, ObjectId]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        title_key, album_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(title_key, str):
            raise TypeError(title_key)
        return title_key, ObjectId(album_id)
    except (ValueError, TypeError, InvalidId):
        raise ValidationFailed({"after": _("is not a page of this list")}) from None


def remove_album(actor: User, album: Album, *, delete_songs: bool) -> int:
    """Delete the album, and its songs too if asked (else they stay, without an album).
    Returns how many songs were deleted."""
    target = describe_album(album.title, album.owner.username)
    album_id = album.id
    deleted = delete_album(album, delete_songs=delete_songs)
    record(actor, "album.delete", target, album_id, songs_deleted=deleted)
    return deleted
