"""Listing songs: search, filters, sorts and keyset pagination.

Pages are cut by the last row's sort value and id ("keyset"), never by skipping rows, so
page 2,000 of 100,000 songs costs what page 1 does. Every sort ends in ``_id`` so rows
with equal values never repeat or vanish between pages.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from app.accounts.models import User
from app.errors import ValidationFailed
from app.library.models import STATUSES, Album, Song, words_of

#: sort name -> (field, default direction: 1 ascending, -1 descending)
SORTS: dict[str, tuple[str, int]] = {
    "date": ("created_at", -1),
    "title": ("title_key", 1),
    "rating": ("rating", -1),
    "duration": ("duration", 1),
}
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class SongQuery:
    """What a library listing asks for. ``owner=None`` lists everyone's (admins)."""

    owner: User | None
    text: str = ""
    album: Album | None = None
    status: str | None = None
    sort: str = "date"
    direction: int | None = None
    cursor: str | None = None
    limit: int = PAGE_SIZE


@dataclass(frozen=True)
class SongRow:
    """A listed song with its album and owner, fetched in batches rather than per row."""

    song: Song
    album: Album | None
    owner: User | None


@dataclass
class SongPage:
    rows: list[SongRow]
    total: int
    next_cursor: str | None
    query: SongQuery


def _encode_cursor(value: Any, song_id: ObjectId) -> str:
    if isinstance(value, datetime):
        value = {"$date": value.isoformat()}
    raw = json.dumps([value, str(song_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[Any, ObjectId]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, song_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["$date"])
        return value, ObjectId(song_id)
    except (ValueError, TypeError, KeyError, InvalidId):
        raise ValidationFailed({"cursor": "is not a cursor this listing gave out"}) from None


def _after(field_name: str, direction: int, value: Any, song_id: ObjectId) -> dict:
    """Rows strictly after (value, id) in (field, _id) order. Missing values sort first
    ascending and last descending, as MongoDB orders null."""
    if direction == 1:
        if value is None:
            return {
                "$or": [{field_name: None, "_id": {"$gt": song_id}}, {field_name: {"$ne": None}}]
            }
        return {"$or": [{field_name: {"$gt": value}}, {field_name: value, "_id": {"$gt": song_id}}]}
    if value is None:
        return {field_name: None, "_id": {"$lt": song_id}}
    return {
        "$or": [
            {field_name: {"$lt": value}},
            {field_name: value, "_id": {"$lt": song_id}},
            {field_name: None},
        ]
    }


def _filters(query: SongQuery) -> list[dict]:
    filters: list[dict] = []
    if query.owner is not None:
        filters.append({"owner": query.owner.id})
    if query.album is not None:
        filters.append({"album": query.album.id})
    if query.status:
        if query.status not in STATUSES:
            raise ValidationFailed({"status": f"must be one of {', '.join(STATUSES)}"})
        filters.append({"status": query.status})
    # Anchored prefix matches on lower-cased words: case-insensitive and index-friendly.
    words = words_of(query.text)[:8]
    for word in words:
        filters.append({"search_words": {"$regex": f"^{re.escape(word)}"}})
    if query.text.strip() and not words:  # only punctuation: nothing can match
        filters.append({"_id": None})
    return filters


def list_songs(query: SongQuery) -> SongPage:
    if query.sort not in SORTS:
        raise ValidationFailed({"sort": f"must be one of {', '.join(SORTS)}"})
    if not 1 <= query.limit <= MAX_PAGE_SIZE:
        raise ValidationFailed({"limit": f"must be from 1 to {MAX_PAGE_SIZE}"})
    field_name, default_direction = SORTS[query.sort]
    direction = query.direction or default_direction
    filters = _filters(query)
    total = Song.objects(__raw__={"$and": filters} if filters else {}).count()
    if query.cursor:
        filters.append(_after(field_name, direction, *_decode_cursor(query.cursor)))
    raw = {"$and": filters} if filters else {}
    prefix = "" if direction == 1 else "-"
    ordered = Song.objects(__raw__=raw).order_by(f"{prefix}{field_name}", f"{prefix}id")
    songs = list(ordered.no_dereference().limit(query.limit + 1))
    next_cursor = None
    if len(songs) > query.limit:
        songs = songs[: query.limit]
        last = songs[-1]
        next_cursor = _encode_cursor(getattr(last, field_name), last.id)
    return SongPage(_with_references(songs), total, next_cursor, query)


def _with_references(songs: list[Song]) -> list[SongRow]:
    """Fetch the page's albums and owners in two queries, not two per song."""
    raw = [song.to_mongo() for song in songs]
    album_ids = {doc["album"] for doc in raw if doc.get("album")}
    owner_ids = {doc["owner"] for doc in raw}
    albums = {album.id: album for album in Album.objects(id__in=album_ids)} if album_ids else {}
    owners = {user.id: user for user in User.objects(id__in=owner_ids)} if owner_ids else {}
    return [
        SongRow(song, albums.get(doc.get("album")), owners.get(doc["owner"]))
        for song, doc in zip(songs, raw, strict=True)
    ]
