"""Managing everyone's songs and albums: list, delete (audio files included),
re-process. Each change is written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from bson import ObjectId
from bson.errors import InvalidId
from flask_babel import gettext as _
from flask_mongoengine.pagination import Pagination

from app.accounts.datastore import normalise_identity
from app.accounts.models import User
from app.admin.audit import record
from app.database import page_of
from app.errors import ValidationFailed
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


def _song_target(song: Song) -> str:
    return f"song “{song.title}” of {song.owner.username}"


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
    #: which page of how many, and the number of albums in all
    pagination: Pagination


def albums_page(owner: User | None = None, page: int = 1) -> AlbumPage:
    """Albums by title with their owners and song counts, fetched in two batch queries
    rather than two per album."""
    if page < 1:
        raise ValidationFailed({"page": "must be 1 or more"})
    query = Album.objects(owner=owner) if owner is not None else Album.objects
    pagination = page_of(query.order_by("title_key", "id").no_dereference(), page, ALBUM_PAGE_SIZE)
    albums = list(pagination.items)
    owner_ids = {album.to_mongo()["owner"] for album in albums}
    owners = {user.id: user for user in User.objects(id__in=owner_ids)} if owner_ids else {}
    counts = {
        group["_id"]: group["songs"]
        for group in Song._get_collection().aggregate(
            [
                {"$match": {"album": {"$in": [album.id for album in albums]}}},
                {"$group": {"_id": "$album", "songs": {"$sum": 1}}},
            ]
        )
    }
    rows = [
        AlbumRow(album, owners.get(album.to_mongo()["owner"]), counts.get(album.id, 0))
        for album in albums
    ]
    return AlbumPage(rows, pagination)


def remove_album(actor: User, album: Album, *, delete_songs: bool) -> int:
    """Delete the album, and its songs too if asked (else they stay, without an album).
    Returns how many songs were deleted."""
    target = f"album “{album.title}” of {album.owner.username}"
    album_id = album.id
    deleted = delete_album(album, delete_songs=delete_songs)
    record(actor, "album.delete", target, album_id, songs_deleted=deleted)
    return deleted
