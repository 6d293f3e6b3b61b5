"""Listing songs: search, filters, sorts and keyset pagination.

Pages are cut after the last row shown ("keyset"), never by skipping rows. In upload order
(the default) they are cut by position (app/paging.py), so every page, the first or the
2,000th of 100,000 songs, reads about a page of documents and counts nothing: totals come
from counters (app/library/counters.py). By rating, each rating's songs are walked by
position the same way. A search reads the songs matching its longest word. Title and
duration cut by (value, ``_id``), asking for value windows that each match about a page
(app/value_windows.py).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from flask_babel import gettext as _

from app import paging, value_windows
from app.accounts.models import User
from app.errors import ValidationFailed
from app.library import counters
from app.library.models import STATUSES, Album, Song, words_of

#: sort name -> (field, default direction: 1 ascending, -1 descending)
SORTS: dict[str, tuple[str, int]] = {
    "date": ("created_at", -1),
    "title": ("title_key", 1),
    "rating": ("rating", -1),
    "duration": ("duration", 1),
}
#: sort field -> the axis its value windows are cut on (app/value_windows.py)
VALUE_AXES = {
    "title_key": value_windows.STRINGS,
    "duration": value_windows.NUMBERS,
    "rating": value_windows.NUMBERS,
}
#: Songs read by position to size a sorted page's first value window.
SAMPLE_SIZE = 24
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
        raise ValidationFailed({"cursor": _("is not a cursor this listing gave out")}) from None


def _validated(query: SongQuery) -> None:
    if query.sort not in SORTS:
        raise ValidationFailed({"sort": _("must be one of %(names)s", names=", ".join(SORTS))})
    if not 1 <= query.limit <= MAX_PAGE_SIZE:
        raise ValidationFailed({"limit": _("must be from 1 to %(max)s", max=MAX_PAGE_SIZE)})
    if query.status and query.status not in STATUSES:
        raise ValidationFailed({"status": _("must be one of %(names)s", names=", ".join(STATUSES))})


def list_songs(query: SongQuery) -> SongPage:
    """One page of songs, reading about a page of documents wherever an index allows:
    upload order (the default) and rating walk positions; a search reads the songs that
    match its rarest word; title and duration ask for value windows."""
    _validated(query)
    words = words_of(query.text)[:8]
    if query.text.strip() and not words:  # only punctuation: nothing can match
        return SongPage([], 0, None, query)
    if words:
        return _search_page(query, words)
    if query.sort == "date":
        return _position_page(query)
    if query.sort == "rating":
        return _rating_page(query)
    return _sorted_page(query)


# --- upload order: positions ----------------------------------------------------------


def _position_page(query: SongQuery) -> SongPage:
    """Songs in upload order, cut by position (app/paging.py): O(page) on both engines."""
    scope, field_name, key = _position_scope(query)
    if query.status:
        scope["status"] = query.status
    counts = counters.counts_of(key)
    direction = query.direction or SORTS["date"][1]
    position = _position_of(query.cursor) if query.cursor else None
    docs = paging.page(
        Song._get_collection(),
        scope,
        field_name,
        before=(position or counts.last_position + 1) if direction == -1 else None,
        after=position or 0 if direction == 1 else None,
        last=counts.last_position,
        limit=query.limit + 1,
    )
    rows, next_cursor = _cut(docs, query.limit, field_name)
    return SongPage(_with_references(rows, query), _total(query, counts), next_cursor, query)


def _position_scope(query: SongQuery) -> tuple[dict, str, str]:
    """(equality filters, position field, counter key) of the listing's scope."""
    if query.album is not None:
        return {"album": query.album.id}, "album_seq", counters.album_key(query.album.id)
    if query.owner is not None:
        return {"owner": query.owner.id}, "seq", counters.library_key(query.owner.id)
    return {}, "all_seq", counters.EVERYONE


def _position_of(cursor: str) -> int:
    value, _song_id = _decode_cursor(cursor)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed({"cursor": _("is not a cursor this listing gave out")})
    return value


def _total(query: SongQuery, counts: counters.Counts) -> int:
    """What the page says it lists in all: a counter, except for an album and a status
    together, which are counted (about as many as that album holds)."""
    if query.album is not None and query.status:
        return Song.objects(album=query.album.id, status=query.status).count()
    if query.status:
        return counts.by_status[query.status]
    return counts.songs


# --- rating: each rating's songs in upload order -------------------------------------


def _rating_page(query: SongQuery) -> SongPage:
    """Songs by rating (no rating sorts below 1), a rating's songs in upload order the
    same way round (newest first when the best come first). Each rating's songs are a
    scope walked by position (app/paging.py), the ratings counted, so a page reads about
    a page of songs and asks only for ratings that have songs."""
    scope, field_name, key = _position_scope(query)
    if query.status:
        scope["status"] = query.status
    counts = counters.counts_of(key)
    if not counts.rated:  # counted before ratings were: read by value until the repair
        return _sorted_page(query)
    direction = query.direction or SORTS["rating"][1]
    ratings = counters.RATINGS if direction == 1 else counters.RATINGS[::-1]
    docs = paging.grouped_page(
        Song._get_collection(),
        scope,
        "rating",
        [(rating, counts.by_rating[rating]) for rating in ratings],
        field_name,
        descending=direction == -1,
        start=_rating_cursor(query.cursor) if query.cursor else None,
        last=counts.last_position,
        limit=query.limit + 1,
    )
    rows = docs[: query.limit]
    next_cursor = None
    if len(docs) > query.limit:
        last = rows[-1]
        next_cursor = _encode_cursor([last.get("rating"), last[field_name]], last["_id"])
    return SongPage(_with_references(rows, query), _total(query, counts), next_cursor, query)


def _rating_cursor(cursor: str) -> tuple[int | None, int]:
    """(rating, position) of the last song the previous page showed."""
    value, _song_id = _decode_cursor(cursor)
    if (
        not isinstance(value, list)
        or len(value) != 2
        or value[0] not in counters.RATINGS
        or not isinstance(value[1], int)
        or isinstance(value[0], bool)
        or isinstance(value[1], bool)
    ):
        raise ValidationFailed({"cursor": _("is not a cursor this listing gave out")})
    return value[0], value[1]


# --- a search: the songs matching its longest word ----------------------------------


def _search_page(query: SongQuery, words: list[str]) -> SongPage:
    """Songs with a word starting with each searched word. The index finds the songs
    with a word starting like the longest searched word; the other words and filters are
    checked here. Costs what that word matches, so a word most songs share reads most
    songs: a search narrows, it does not browse."""
    longest = max(words, key=len)
    scope = {} if query.owner is None else {"owner": query.owner.id}
    candidates = Song._get_collection().find(
        {**scope, "search_words": paging.prefix_range(longest)}
    )
    matches = [doc for doc in candidates if _matches(doc, query, words)]
    field_name, direction = _sort_of(query, date_field="all_seq")
    matches.sort(key=lambda doc: value_windows.order_key(doc, field_name), reverse=direction == -1)
    after = matches
    if query.cursor:
        start = _decode_cursor(query.cursor)
        descending = direction == -1
        after = [
            doc for doc in matches if value_windows.comes_after(doc, field_name, descending, start)
        ]
    rows, next_cursor = _cut(after[: query.limit + 1], query.limit, field_name)
    return SongPage(_with_references(rows, query), len(matches), next_cursor, query)


def _matches(doc: dict, query: SongQuery, words: list[str]) -> bool:
    if query.album is not None and doc.get("album") != query.album.id:
        return False
    if query.status and doc.get("status") != query.status:
        return False
    return all(any(word.startswith(w) for word in doc.get("search_words", ())) for w in words)


# --- title, duration: value windows, keyset on the field and _id ---------------------


def _sort_of(query: SongQuery, *, date_field: str) -> tuple[str, int]:
    field_name, default_direction = SORTS[query.sort]
    if query.sort == "date":
        field_name = date_field
    return field_name, query.direction or default_direction


def _sorted_page(query: SongQuery, *, windows: bool | None = None) -> SongPage:
    """Songs by a value (title, duration; rating while its counts are incomplete), cut
    by (value, _id): value windows (app/value_windows.py) that each match about a page
    of songs of the scope, sized from a sample of the scope read by position. Songs
    without a value sort first ascending, last descending. ``windows`` forces a query
    shape (None: the one the server needs)."""
    scope, position_field, key = _position_scope(query)
    sampled_scope = dict(scope)
    if query.status:
        scope["status"] = query.status
    field_name, direction = _sort_of(query, date_field="all_seq")
    axis = VALUE_AXES[field_name]
    start = None
    if query.cursor:
        value, song_id = _decode_cursor(query.cursor)
        if value is not None and not axis.accepts(value):
            raise ValidationFailed({"cursor": _("is not a cursor this listing gave out")})
        start = (value, song_id)
    counts = counters.counts_of(key)
    collection = Song._get_collection()

    def sample() -> list:
        docs = paging.position_sample(
            collection,
            sampled_scope,
            position_field,
            last=counts.last_position,
            size=SAMPLE_SIZE,
            projection=[field_name, "status"],
        )
        return [doc.get(field_name) for doc in docs if query.status in (None, doc.get("status"))]

    docs = value_windows.value_page(
        collection,
        scope,
        field_name,
        axis,
        descending=direction == -1,
        start=start,
        limit=query.limit + 1,
        count=_estimated_count(query, counts),
        sample=sample,
        nullable=field_name != "title_key",
        windows=windows,
    )
    rows, next_cursor = _cut(docs, query.limit, field_name)
    return SongPage(_with_references(rows, query), _total(query, counts), next_cursor, query)


def _estimated_count(query: SongQuery, counts: counters.Counts) -> int:
    """About how many songs a sorted page chooses from (an album's counter has no
    statuses: its songs in all)."""
    if query.status and query.album is None:
        return counts.by_status[query.status]
    return counts.songs


# --- rows -----------------------------------------------------------------------------


def _cut(docs: list[dict], limit: int, field_name: str) -> tuple[list[dict], str | None]:
    """The page's rows and the cursor of the next page (None on the last page)."""
    if len(docs) <= limit:
        return docs, None
    last = docs[limit - 1]
    return docs[:limit], _encode_cursor(last.get(field_name), last["_id"])


def _with_references(docs: list[dict], query: SongQuery) -> list[SongRow]:
    """Songs with their albums and owners, fetched in one query each, not one per row."""
    songs = [Song._from_son(doc) for doc in docs]
    if query.album is not None:
        albums = {query.album.id: query.album}
    else:
        album_ids = list({doc["album"] for doc in docs if doc.get("album")})
        albums = {album.id: album for album in Album.objects(id__in=album_ids)} if album_ids else {}
    if query.owner is not None:
        owners = {query.owner.id: query.owner}
    else:
        owner_ids = list({doc["owner"] for doc in docs})
        owners = {user.id: user for user in User.objects(id__in=owner_ids)} if owner_ids else {}
    return [
        SongRow(song, albums.get(doc.get("album")), owners.get(doc["owner"]))
        for song, doc in zip(songs, docs, strict=True)
    ]
