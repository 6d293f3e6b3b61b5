"""What the library pages count and where songs stand, kept as counters.

A page never counts documents: the number of songs of a member (in all, by status and
by rating), of everyone (the admin's view) and of an album, and the number of albums of a
member and of everyone, are counters, changed by the same service
calls that change what they count, and checked by :func:`repair_counters` (a beat task)
which puts back any drift. Each song also gets a *position* in its member's library, in
the whole library and in its album, from which pages are cut (see app/paging.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bson import ObjectId

from app import paging
from app.library.models import FAILED_SONGS, STATUSES, Album, Song

EVERYONE = "library:all"


def library_key(owner_id: ObjectId | str | None) -> str:
    """The counter of one member's library, or of everyone's (``None``)."""
    return EVERYONE if owner_id is None else f"library:{owner_id}"


def album_key(album_id: ObjectId | str) -> str:
    return f"album:{album_id}"


#: A rating's name in the counters (``None``: songs without a rating).
RATINGS: tuple[int | None, ...] = (None, 1, 2, 3, 4, 5)


def rating_name(rating: int | None) -> str:
    return "none" if rating is None else str(rating)


@dataclass(frozen=True)
class Counts:
    """A scope's song counts (in all, by status, by rating), and the last position
    handed out in it."""

    songs: int = 0
    albums: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_rating: dict[int | None, int] = field(default_factory=dict)
    last_position: int = 0

    @property
    def rated(self) -> bool:
        """Whether the ratings account for every song. Not for a scope counted before
        ratings were, until the hourly repair: the rating sort then reads the songs."""
        return sum(self.by_rating.values()) == self.songs

    @classmethod
    def from_counter(cls, counter: dict) -> Counts:
        by_status = counter.get("status", {})
        by_rating = counter.get("ratings", {})
        return cls(
            songs=counter.get("songs", 0),
            albums=counter.get("albums", 0),
            by_status={status: by_status.get(status, 0) for status in STATUSES},
            by_rating={rating: by_rating.get(rating_name(rating), 0) for rating in RATINGS},
            last_position=counter.get(paging.LAST, 0),
        )


def counts_of(key: str) -> Counts:
    return Counts.from_counter(paging.read_counters(key)[key])


def give_positions(song: Song) -> None:
    """Give a new song its positions: in its member's library, everyone's, its album."""
    song.seq = paging.next_position(library_key(song.owner.id))
    song.all_seq = paging.next_position(EVERYONE)
    if song.album is not None:
        song.album_seq = paging.next_position(album_key(song.album.id))


def count_added(song: Song) -> None:
    """Count a song just stored."""
    rating = f"ratings.{rating_name(song.rating)}"
    change = {"songs": 1, f"status.{song.status}": 1, rating: 1}
    paging.add_counts(library_key(song.owner.id), change)
    paging.add_counts(EVERYONE, change)
    if song.album is not None:
        paging.add_counts(album_key(song.album.id), {"songs": 1, rating: 1})


def count_removed(
    owner_id: ObjectId, status: str, album_id: ObjectId | None, rating: int | None
) -> None:
    rating_field = f"ratings.{rating_name(rating)}"
    change = {"songs": -1, f"status.{status}": -1, rating_field: -1}
    paging.add_counts(library_key(owner_id), change)
    paging.add_counts(EVERYONE, change)
    if album_id is not None:
        paging.add_counts(album_key(album_id), {"songs": -1, rating_field: -1})


def count_rating_change(
    owner_id: ObjectId, album_id: ObjectId | None, old: int | None, new: int | None
) -> None:
    """Count a song's new rating in its library, everyone's and its (new) album."""
    if old == new:
        return
    change = {f"ratings.{rating_name(old)}": -1, f"ratings.{rating_name(new)}": 1}
    paging.add_counts(library_key(owner_id), change)
    paging.add_counts(EVERYONE, change)
    if album_id is not None:
        paging.add_counts(album_key(album_id), change)


def count_status_move(owner_id: ObjectId, old: str, new: str) -> None:
    if old == new:
        return
    change = {f"status.{old}": -1, f"status.{new}": 1}
    paging.add_counts(library_key(owner_id), change)
    paging.add_counts(EVERYONE, change)


def count_albums(owner_id: ObjectId, change: int) -> None:
    """Count albums made (positive) or deleted (negative) in a member's library and in
    everyone's."""
    paging.add_counts(library_key(owner_id), {"albums": change})
    paging.add_counts(EVERYONE, {"albums": change})


def forget_scope(key: str) -> None:
    """Drop the counter of a library or album that no longer exists."""
    paging.counters().delete_one({"_id": key})


def _withdrawn_mark(owner_id: ObjectId | str) -> str:
    return f"withdrawn.{owner_id}"


def withdraw_library(owner_id: ObjectId | str) -> None:
    """Take a whole library out of everyone's counts in one step, before its songs are
    deleted one by one (an account being deleted). The step marks everyone's counter
    with the owner in the same atomic update, so a deletion cut short and run again does
    not take the library out twice, and its songs need no counting as they go."""
    counts = counts_of(library_key(owner_id))
    change = {"songs": -counts.songs}
    change |= {f"status.{status}": -n for status, n in counts.by_status.items()}
    change |= {f"ratings.{rating_name(rating)}": -n for rating, n in counts.by_rating.items()}
    change = {name: value for name, value in change.items() if value}
    if not change:
        return
    mark = _withdrawn_mark(owner_id)
    paging.counters().update_one(
        {"_id": EVERYONE, mark: {"$exists": False}}, {"$inc": change, "$set": {mark: True}}
    )


def forget_withdrawal(owner_id: ObjectId | str) -> None:
    """Drop the mark :func:`withdraw_library` left, once the library and its counter are
    gone (a later run then finds nothing to withdraw)."""
    paging.counters().update_one({"_id": EVERYONE}, {"$unset": {_withdrawn_mark(owner_id): ""}})


def album_position(
    old_album_id: ObjectId | None, new_album_id: ObjectId | None, rating: int | None
) -> int | None:
    """Count a song's move between albums (with its ``rating``); its position in the new
    one (None: no album). Called only when the album really changes."""
    change = {"songs": 1, f"ratings.{rating_name(rating)}": 1}
    if old_album_id is not None:
        paging.add_counts(album_key(old_album_id), {name: -n for name, n in change.items()})
    if new_album_id is None:
        return None
    paging.add_counts(album_key(new_album_id), change)
    return paging.next_position(album_key(new_album_id))


def repair_counters() -> int:
    """Recount every library and album from the songs themselves, give positions to songs
    that have none (stored before positions existed; failed songs their failure
    position), and fix whatever drifted (a process that died between a change and its
    count). Returns how many counters were wrong. Reads every song: a background job,
    never a page."""
    _place_unplaced_songs()
    truth = _true_counts()
    wrong = 0
    for prefix in ("library:", "album:"):
        for counter in paging.counters().find({"_id": paging.prefix_range(prefix)}):
            wrong += _put_right(counter, truth.pop(counter["_id"], _empty(counter["_id"])))
    for key, expected in truth.items():
        wrong += _put_right({"_id": key}, expected)
    return wrong


def _empty(key: str) -> dict:
    if key.startswith("library:"):
        return {"songs": 0, "albums": 0, "status": {}, "ratings": {}}
    return {"songs": 0, "ratings": {}}


def _add(counter: dict, kind: str, name: str, n: int) -> None:
    counter[kind][name] = counter[kind].get(name, 0) + n


def _place_unplaced_songs() -> None:
    songs = Song._get_collection()
    for doc in songs.find({"seq": None}, sort=[("created_at", 1), ("_id", 1)]):
        positions = {
            "seq": paging.next_position(library_key(doc["owner"])),
            "all_seq": paging.next_position(EVERYONE),
        }
        if doc.get("album") is not None:
            positions["album_seq"] = paging.next_position(album_key(doc["album"]))
        songs.update_one({"_id": doc["_id"]}, {"$set": positions})
    failed = {"status": "failed", "failed_seq": None}
    for doc in songs.find(failed, sort=[("updated_at", 1), ("_id", 1)]):
        position = {"failed_seq": paging.next_position(FAILED_SONGS)}
        songs.update_one({"_id": doc["_id"]}, {"$set": position})


def _true_counts() -> dict[str, dict]:
    songs = Song._get_collection()
    truth: dict[str, dict] = {}
    by = {"owner": "$owner", "status": "$status", "rating": "$rating"}
    for row in songs.aggregate([{"$group": {"_id": by, "n": {"$sum": 1}}}]):
        rating = rating_name(row["_id"].get("rating"))
        for key in (library_key(row["_id"]["owner"]), EVERYONE):
            counter = truth.setdefault(key, _empty(key))
            counter["songs"] += row["n"]
            _add(counter, "status", row["_id"]["status"], row["n"])
            _add(counter, "ratings", rating, row["n"])
    in_albums = [
        {"$match": {"album": {"$ne": None}}},
        {"$group": {"_id": {"album": "$album", "rating": "$rating"}, "n": {"$sum": 1}}},
    ]
    for row in songs.aggregate(in_albums):
        key = album_key(row["_id"]["album"])
        counter = truth.setdefault(key, _empty(key))
        counter["songs"] += row["n"]
        _add(counter, "ratings", rating_name(row["_id"].get("rating")), row["n"])
    albums = Album._get_collection()
    for row in albums.aggregate([{"$group": {"_id": "$owner", "n": {"$sum": 1}}}]):
        for key in (library_key(row["_id"]), EVERYONE):
            truth.setdefault(key, _empty(key))["albums"] += row["n"]
    return truth


def _put_right(counter: dict, expected: dict) -> int:
    """Set the counts of ``counter`` to ``expected`` if they differ; 1 if they did."""
    current = {name: counter.get(name, 0) for name in ("songs", "albums") if name in expected}
    for kind in ("status", "ratings"):
        if kind in expected:
            current[kind] = {name: n for name, n in counter.get(kind, {}).items() if n}
    if current == expected:
        return 0
    paging.counters().update_one({"_id": counter["_id"]}, {"$set": expected}, upsert=True)
    return 1
