"""Listing queries that match about a page of documents, on MongoDB and on SecantusDB.

Every listing walks a *position*: a dense whole number a document gets when it joins a
scope (a member's library, an album, a user's notifications), from a counter that hands
out 1, 2, 3, ... (:func:`next_position`). A page is "the ``limit`` highest positions
below ``before``" (or lowest above ``after``) among documents matching ``scope``, a dict of
equality filters that, followed by the position field, is the prefix of an index.

Two shapes answer that, one function each, with the same results (a test runs both on the
same data):

- the natural form (:func:`natural_page`), ``find(scope + bound).sort(position).limit``:
  on MongoDB the compound index returns exactly ``limit`` documents;
- the windowed form (:func:`windowed_page`), for SecantusDB, which decodes *every*
  document a filter matches before it sorts and limits: it asks for narrow position
  windows (``$gte``/``$lt`` on the position after the equality prefix, a shape it serves
  from the index) and widens them only where deletions left gaps, so each query matches
  about a page of documents whatever the size of the scope.

:func:`page` picks the shape for the server it talks to.
"""

from __future__ import annotations

import weakref
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.collection import Collection
from pymongo.mongo_client import MongoClient

from app.database import get_database

COUNTERS = "counters"
#: The counter field holding the last position handed out in a scope.
LAST = "last_position"
#: Narrowest window, in positions, and how much a window grows after a sparse one.
MIN_WINDOW = 16
GROWTH = 4

_windowed_servers: weakref.WeakKeyDictionary[MongoClient, bool] = weakref.WeakKeyDictionary()


def needs_windows(collection: Collection) -> bool:
    """True when the server decodes every match before limiting (SecantusDB reports a
    ``secantusVersion`` in buildInfo); asked once per client."""
    client = collection.database.client
    if client not in _windowed_servers:
        info = client.admin.command("buildInfo")
        _windowed_servers[client] = "secantusVersion" in info
    return _windowed_servers[client]


def counters() -> Collection:
    """One document per scope (``_id`` like ``"library:<user id>"``): the last position
    handed out, and the counts its pages show."""
    return get_database()[COUNTERS]


def next_position(key: str) -> int:
    """Hand out the next position of the scope ``key`` (1 for the first), atomically."""
    counter = counters().find_one_and_update(
        {"_id": key},
        {"$inc": {LAST: 1}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
        projection={LAST: True},
    )
    return counter[LAST]


def add_counts(key: str, changes: dict[str, int]) -> None:
    """Add to the counts of ``key`` (dotted names for nested ones: ``status.ready``)."""
    changes = {name: value for name, value in changes.items() if value}
    if changes:
        counters().update_one({"_id": key}, {"$inc": changes}, upsert=True)


def read_counters(*keys: str) -> dict[str, dict]:
    """The counter documents of ``keys`` in one query; a scope never counted is ``{}``."""
    found = {doc["_id"]: doc for doc in counters().find({"_id": {"$in": list(keys)}})}
    return {key: found.get(key, {}) for key in keys}


def natural_page(
    collection: Collection,
    scope: dict[str, Any],
    field: str,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int,
) -> list[dict]:
    """MongoDB's natural form: one query, sorted and limited by the server. Newest
    first (descending positions) when ``before`` is given, else oldest first."""
    descending = before is not None
    # $gte/$lt only: SecantusDB's compound-index range mishandles $gt/$lte bounds.
    bound = {field: {"$lt": before}} if descending else {field: {"$gte": (after or 0) + 1}}
    return list(
        collection.find(
            {**scope, **bound},
            sort=[(field, DESCENDING if descending else ASCENDING)],
            limit=limit,
        )
    )


def windowed_page(
    collection: Collection,
    scope: dict[str, Any],
    field: str,
    *,
    before: int | None = None,
    after: int | None = None,
    last: int,
    limit: int,
    expected: int | None = None,
) -> list[dict]:
    """The same page as :func:`natural_page`, asked as narrow position windows. ``last``
    is the highest position handed out in the scope (from its counter); ``expected``, if
    known, how many of the positions 1 to ``last`` the scope holds (sizes the first
    window)."""
    descending = before is not None
    low, high = (1, min(before, last + 1)) if descending else (after + 1 if after else 1, last + 1)
    found: list[dict] = []
    width = max(MIN_WINDOW, 2 * limit)
    if expected:
        width = max(width, -(-2 * limit * last // expected))
    while len(found) < limit and low < high:
        if descending:
            window = {"$gte": max(low, high - width), "$lt": high}
        else:
            window = {"$gte": low, "$lt": min(high, low + width)}
        batch = list(
            collection.find(
                {**scope, field: window},
                sort=[(field, DESCENDING if descending else ASCENDING)],
                limit=limit - len(found),
            )
        )
        found.extend(batch)
        if descending:
            high = window["$gte"]
        else:
            low = window["$lt"]
        width = _next_width(width, len(batch), limit - len(found))
    return found


def _next_width(width: int, got: int, needed: int) -> int:
    """Aim the next window at about twice what is still needed, at the density the last
    window showed; an empty window (a gap left by deletions) grows it GROWTH times."""
    if not got:
        return width * GROWTH
    return max(MIN_WINDOW, min(width * GROWTH, -(-2 * needed * width // got)))


def page(
    collection: Collection,
    scope: dict[str, Any],
    field: str,
    *,
    before: int | None = None,
    after: int | None = None,
    last: int,
    limit: int,
    expected: int | None = None,
) -> list[dict]:
    """Up to ``limit`` documents of ``scope`` by ``field``: below ``before`` newest first,
    or above ``after`` (0 or None: from the start) oldest first."""
    if needs_windows(collection):
        return windowed_page(
            collection,
            scope,
            field,
            before=before,
            after=after,
            last=last,
            limit=limit,
            expected=expected,
        )
    return natural_page(collection, scope, field, before=before, after=after, limit=limit)


def grouped_page(
    collection: Collection,
    scope: dict[str, Any],
    group_field: str,
    groups: list[tuple[Any, int]],
    field: str,
    *,
    descending: bool,
    start: tuple[Any, int] | None = None,
    last: int,
    limit: int,
    windows: bool | None = None,
) -> list[dict]:
    """Up to ``limit`` documents of ``scope`` ordered by ``group_field`` (its values in
    the order ``groups`` lists them, each with how many documents of the scope hold it)
    and, within a value, by position (``descending`` or not). ``start``, a (value,
    position) pair, is where the previous page ended. Each value is one scope for
    :func:`page`, so a page reads about a page of documents; values counted empty are
    not asked for. ``windows`` forces a shape (None: the one the server needs)."""
    windowed = needs_windows(collection) if windows is None else windows
    found: list[dict] = []
    values = [value for value, _ in groups]
    first = values.index(start[0]) if start is not None else 0
    for index, (value, count) in enumerate(groups[first:], start=first):
        needed = limit - len(found)
        if needed <= 0:
            break
        if count <= 0:
            continue
        bound = start[1] if start is not None and index == first else None
        if descending:
            bounds = {"before": bound if bound is not None else last + 1}
        else:
            bounds = {"after": bound or 0}
        within = {**scope, group_field: value}
        if windowed:
            found += windowed_page(
                collection, within, field, last=last, limit=needed, expected=count, **bounds
            )
        else:
            found += natural_page(collection, within, field, limit=needed, **bounds)
    return found


def position_sample(
    collection: Collection,
    scope: dict[str, Any],
    field: str,
    *,
    last: int,
    size: int,
    projection: list[str],
) -> list[dict]:
    """Up to ``size`` documents of ``scope`` at positions spread evenly from 1 to
    ``last`` (fewer where deletions left gaps), with only the ``projection`` fields: a
    sample of the scope for one query that reads about ``size`` documents."""
    if last <= 0:
        return []
    wanted = sorted({1 + (last * (2 * n + 1)) // (2 * size) for n in range(size)})
    return list(collection.find({**scope, field: {"$in": wanted}}, projection=projection))


def prefix_range(prefix: str) -> dict:
    """``$gte``/``$lt`` bounds holding exactly the strings that start with ``prefix`` (not
    empty): MongoDB and SecantusDB compare strings by UTF-8 bytes, which is code point
    order, so the end is ``prefix`` with its last character's successor."""
    head, last = prefix[:-1], ord(prefix[-1])
    while last == 0x10FFFF:  # no successor: the range ends after the shorter prefix
        if not head:
            return {"$gte": prefix}
        head, last = head[:-1], ord(head[-1])
    following = last + 1 if last + 1 != 0xD800 else 0xE000  # surrogates are not text
    return {"$gte": prefix, "$lt": head + chr(following)}
