"""Pages ordered by a field's value (a title, a duration) that match about a page of
documents, on MongoDB and on SecantusDB.

A page is "the ``limit`` documents of ``scope`` after ``start``" in the order of
(``field``, ``_id``), ascending or descending; ``start`` is the (value, ``_id``) of the
last document the previous page showed. ``scope`` is a dict of equality filters that,
followed by ``field`` and ``_id``, is the prefix of an index. Documents without a value
sort first ascending and last descending, as MongoDB sorts them.

Two shapes answer that, one function each, with the same results (a test runs both):

- the natural form (:func:`natural_value_page`): the cursor's ties past its ``_id``, then
  ``find(scope + bound).sort(field, _id).limit``; on MongoDB the index walk stops once
  the page is full;
- the windowed form (:func:`windowed_value_page`), for SecantusDB, which decodes every
  document a filter matches before it sorts and limits: it asks for value windows
  (``$gte``/``$lt`` on the field after the equality prefix, a shape it serves from the
  index) sized to hold about a page, and sorts each window here.

Windows are cut on an *axis*: a number for each value, in the same order. Durations are
their own axis; a string's axis is :func:`string_rank`, its first :data:`RANK_SYMBOLS`
characters read as a number. The first window is sized from a sample of the scope's
values (a few documents read by position, see :func:`app.paging.position_sample`), the
next ones from the density the last window showed. Past an empty window, the rest of a
run of titles is skipped in one window, else windows grow :data:`GROWTH` times; no window
reaches past the second sampled value beyond its start; after :data:`MAX_WINDOWS`
windows the rest is asked in one query, so a page costs a handful of round trips. Many
documents sharing one value (or, for strings, one rank: the same first characters up to
a character outside ``a-z0-9`` and space) cost what they match: a window cannot split
them. Decimal numbers fill 10 of a rank's 44 symbols, so a window sized by rank holds a
few times what it aimed at where titles are numbered.

:func:`value_page` picks the shape for the server it talks to.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING
from pymongo.collection import Collection

from app.paging import GROWTH, needs_windows

#: Windows asked for one page before the rest is asked in one query.
MAX_WINDOWS = 8
#: The first window aims at this share of the documents a page still needs: a window
#: too narrow costs a round trip more, one too wide every document it holds.
FIRST_WINDOW = 1.0

# --- the string axis ------------------------------------------------------------------

#: How many leading characters a string's rank reads.
RANK_SYMBOLS = 11
#: Symbols, in character order: (lowest character, highest character, exact). An exact
#: symbol stands for one character; after a symbol that stands for several, the rank
#: reads no further (the order of what follows depends on which character it was).
_SYMBOLS: list[tuple[int, int, bool]] = [
    (0x00, 0x1F, False),
    (0x20, 0x20, True),
    (0x21, 0x2F, False),
    *[(code, code, True) for code in range(ord("0"), ord("9") + 1)],
    (0x3A, 0x60, False),
    *[(code, code, True) for code in range(ord("a"), ord("z") + 1)],
    (0x7B, 0x7F, False),
    (0x80, 0x2FF, False),
    (0x300, 0x10FFFF, False),
]
_FIRST_CODES = [low for low, _, _ in _SYMBOLS]
#: Symbol 0 is the end of the string; a character's symbol is its index above + 1.
BASE = len(_SYMBOLS) + 1
#: One past the highest rank.
RANK_END = BASE**RANK_SYMBOLS


def _symbol(char: str) -> int:
    return bisect.bisect_right(_FIRST_CODES, ord(char))


def string_rank(text: str) -> int:
    """A whole number that never decreases as ``text`` grows in code point order (the
    order MongoDB gives strings): ``a <= b`` implies ``rank(a) <= rank(b)``."""
    rank, length = 0, 0
    for char in text[:RANK_SYMBOLS]:
        symbol = _symbol(char)
        rank = rank * BASE + symbol
        length += 1
        if not _SYMBOLS[symbol - 1][2]:
            break
    return rank * BASE ** (RANK_SYMBOLS - length)


def _digits(rank: int) -> list[int]:
    digits = []
    for _ in range(RANK_SYMBOLS):
        rank, digit = divmod(rank, BASE)
        digits.append(digit)
    return digits[::-1]


def _reachable(rank: int) -> int:
    """The smallest rank of a string that is at least ``rank`` (RANK_END if none): a
    rank's symbols must stop after the end of the string or after an inexact symbol."""
    digits = _digits(rank)
    for index, digit in enumerate(digits):
        stops = digit == 0 or not _SYMBOLS[digit - 1][2]
        if stops and any(digits[index + 1 :]):
            digits[index] += 1
            digits[index + 1 :] = [0] * (RANK_SYMBOLS - index - 1)
            while index >= 0 and digits[index] == BASE:
                digits[index] = 0
                index -= 1
                if index < 0:
                    return RANK_END
                digits[index] += 1
            return _reachable(_from_digits(digits))
    return rank


def _from_digits(digits: Sequence[int]) -> int:
    rank = 0
    for digit in digits:
        rank = rank * BASE + digit
    return rank


def string_bound(rank: int) -> str | None:
    """The smallest string whose rank is at least ``rank``, so that for every string
    ``s``: ``s >= string_bound(n)`` exactly when ``string_rank(s) >= n``. None when no
    string ranks that high."""
    if rank <= 0:
        return ""
    if rank >= RANK_END:
        return None
    rank = _reachable(rank)
    if rank >= RANK_END:
        return None
    digits = _digits(rank)
    while digits and digits[-1] == 0:
        digits.pop()
    return "".join(chr(_SYMBOLS[digit - 1][0]) for digit in digits)


# --- axes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    """How a field's values become numbers to cut windows on, and back into bounds."""

    #: Values below ``low`` or from ``high`` up are reached by open windows.
    low: float
    high: float
    #: The narrowest window; an integral axis cuts windows on whole numbers.
    min_width: float
    integral: bool
    #: The base of the digits an integral axis is made of (0: none).
    digit_base: int
    to_axis: Callable[[Any], float]
    #: Axis number -> the value to bound a query with (``$gte``/``$lt``).
    to_bound: Callable[[float], Any]
    #: Bounds matching every value of the field's type (not missing, not null).
    everything: dict[str, Any]
    #: The smallest value above a value.
    successor: Callable[[Any], Any]
    #: The axis number just above a value's (a window ending there holds the value).
    above: Callable[[Any], float]
    #: Whether a value is of the field's type (a cursor's, say).
    accepts: Callable[[Any], bool]

    def window(self, low: float | None, high: float | None) -> dict[str, Any]:
        """``$gte``/``$lt`` bounds for [low, high); None leaves that side open."""
        bounds = dict(self.everything)
        if low is not None and low > self.low:
            bounds["$gte"] = self.to_bound(low)
        if high is not None and high < self.high:
            bound = self.to_bound(high)
            if bound is not None:
                bounds["$lt"] = bound
        return bounds


STRINGS = Axis(
    low=0,
    high=RANK_END,
    min_width=1,
    integral=True,
    digit_base=BASE,
    to_axis=string_rank,
    to_bound=lambda rank: string_bound(math.ceil(rank)),
    everything={"$gte": ""},
    successor=lambda text: text + "\x00",
    above=lambda text: string_rank(text) + 1,
    accepts=lambda value: isinstance(value, str),
)
NUMBERS = Axis(
    low=0.0,
    high=1e9,
    min_width=1e-6,
    integral=False,
    digit_base=0,
    to_axis=float,
    to_bound=float,
    everything={"$gte": -math.inf},
    successor=lambda number: math.nextafter(float(number), math.inf),
    above=lambda number: math.nextafter(float(number), math.inf),
    accepts=lambda value: isinstance(value, int | float) and not isinstance(value, bool),
)


# --- the two shapes --------------------------------------------------------------------


def order_key(doc: dict, field: str) -> tuple:
    """MongoDB's order of (``field``, ``_id``): a missing value sorts first."""
    value = doc.get(field)
    return (value is not None, value, doc["_id"])


def comes_after(doc: dict, field: str, descending: bool, start: tuple | None) -> bool:
    """Whether ``doc`` comes after the cursor ``start`` (value, _id) in the page's order."""
    if start is None:
        return True
    key = order_key(doc, field)
    start_key = (start[0] is not None, start[0], start[1])
    return key < start_key if descending else key > start_key


def _next_id(object_id: ObjectId) -> ObjectId:
    return ObjectId((int.from_bytes(object_id.binary, "big") + 1).to_bytes(12, "big"))


def natural_value_page(
    collection: Collection,
    scope: dict[str, Any],
    field: str,
    axis: Axis,
    *,
    descending: bool,
    start: tuple[Any, ObjectId] | None,
    limit: int,
    nullable: bool = True,
) -> list[dict]:
    """MongoDB's natural form: the queries of the order in turn, each sorted and
    limited by the server."""
    direction = DESCENDING if descending else ASCENDING
    sort = [(field, direction), ("_id", direction)]
    if start is None:
        queries = [scope]
    else:
        value, start_id = start
        beyond_id = {"$lt": start_id} if descending else {"$gte": _next_id(start_id)}
        queries = [{**scope, field: value, "_id": beyond_id}]
        if value is None and not descending:
            queries.append({**scope, field: axis.everything})
        elif value is not None:
            beyond = {"$lt": value} if descending else {"$gte": axis.successor(value)}
            queries.append({**scope, field: beyond})
            if descending and nullable:
                queries.append({**scope, field: None})
    found: list[dict] = []
    for filters in queries:
        if len(found) >= limit:
            break
        found += collection.find(filters, sort=sort, limit=limit - len(found))
    return found


def windowed_value_page(
    collection: Collection,
    scope: dict[str, Any],
    field: str,
    axis: Axis,
    *,
    descending: bool,
    start: tuple[Any, ObjectId] | None,
    limit: int,
    count: int,
    sample: Callable[[], list[Any]],
    nullable: bool = True,
) -> list[dict]:
    """The same page as :func:`natural_value_page`, asked as value windows. ``count``
    is about how many documents the scope holds; ``sample()`` gives some of their values
    (any order), which size the first window."""
    found: list[dict] = []

    def take(filters: dict) -> int:
        docs = collection.find(filters)
        docs = [doc for doc in docs if comes_after(doc, field, descending, start)]
        docs.sort(key=lambda doc: order_key(doc, field), reverse=descending)
        found.extend(docs)
        return len(docs)

    in_nulls = start is not None and start[0] is None
    if nullable and not descending and (start is None or in_nulls):
        take({**scope, field: None})
    if descending and in_nulls:
        take({**scope, field: None})
        return found[:limit]
    if len(found) < limit:
        _walk_windows(scope, field, axis, descending, start, limit, found, take, count, sample)
    if nullable and descending and len(found) < limit:
        take({**scope, field: None})
    return found[:limit]


def _walk_windows(
    scope: dict[str, Any],
    field: str,
    axis: Axis,
    descending: bool,
    start: tuple[Any, ObjectId] | None,
    limit: int,
    found: list[dict],
    take: Callable[[dict], int],
    count: int,
    sample: Callable[[], list[Any]],
) -> None:
    """Ask windows away from ``start`` until the page is full or the axis ends."""
    if start is None or start[0] is None:  # (ascending: values come after no value)
        edge = axis.high if descending else axis.low
    else:
        # A window ending (descending) or starting there holds the cursor's value.
        edge = axis.above(start[0]) if descending else axis.to_axis(start[0])
    estimate = Density(axis, [axis.to_axis(v) for v in sample() if axis.accepts(v)], count)
    width, empty, seen, skip = None, 0, None, False
    for asked in range(1, MAX_WINDOWS + 1):
        needed = limit - len(found)
        if needed <= 0:
            return
        if width is None:  # a sample misjudges a stretch more often than a window does
            width = estimate.width(edge, FIRST_WINDOW * needed, descending)
        width = max(math.ceil(width) if axis.integral else width, axis.min_width)
        if skip:  # to where the next run of leading characters starts
            far = _aligned(
                edge, axis.digit_base ** (_digits_of(seen, axis.digit_base) + 1), descending
            )
        else:
            far = edge - width if descending else edge + width
        far = estimate.within_reach(edge, far, descending)
        last = asked == MAX_WINDOWS
        width = abs(far - edge)  # as asked: within reach, skipping or not
        if descending:
            low = None if last or far <= axis.low else far
            got = take({**scope, field: axis.window(low, edge)})
            if low is None:
                return
            edge = low
        else:
            high = None if last or far >= axis.high else far
            got = take({**scope, field: axis.window(edge, high)})
            if high is None:
                return
            edge = high
        if got:
            empty, skip = 0, False
            # the width that holds about a page here, for after a skip
            seen = max(width * FIRST_WINDOW * limit / got, axis.min_width)
            width = _next_width(width, got, limit - len(found))
        elif seen is not None and axis.digit_base and not skip:
            # Past the last title of a run (the numbers after "song 0009"): the rest
            # of the run is skipped in one window, the next sized as the run before.
            skip = True
            width = seen
        else:  # the sample said where values lie: from there, grow past what it missed
            skip = False
            empty += 1
            guess = estimate.width(edge, FIRST_WINDOW * (limit - len(found)), descending)
            width = guess * GROWTH ** (empty - 1) if guess > 0 else width * GROWTH


def _digits_of(width: float, base: int) -> int:
    """How many whole digits of ``base`` a width spans."""
    digits = 0
    while base ** (digits + 1) <= width:
        digits += 1
    return digits


def _aligned(edge: float, step: int, descending: bool) -> int:
    """The next multiple of ``step`` beyond ``edge`` (below it, descending)."""
    edge = int(edge)
    if descending:
        return (edge - 1) // step * step
    return (edge // step + 1) * step


def _next_width(width: float, got: int, needed: int) -> float:
    """Aim the next window at about twice what is still needed, at the density the last
    window showed (at most GROWTH times wider)."""
    return min(width * GROWTH, 2 * max(needed, 1) * width / got)


class Density:
    """Where a scope's values lie along an axis, from a sample of them: each sampled
    value stands for an equal share of ``count`` documents, spread evenly between it
    and its neighbours. The outer shares lie within one mean gap of the outer values
    (not spread to the ends of the axis, where a first page starts: titles cluster far
    from the empty string). Without a sample, values are spread over the whole axis."""

    def __init__(self, axis: Axis, values: list[float], count: int) -> None:
        inner = sorted(min(max(v, axis.low), axis.high) for v in values)
        if inner:
            gap = (inner[-1] - inner[0]) / max(len(inner) - 1, 1)
            gap = max(gap, axis.min_width)
            ends = [max(axis.low, inner[0] - gap), min(axis.high, inner[-1] + gap)]
        else:
            ends = [axis.low, axis.high]
        self.points = [ends[0], *inner, ends[1]]
        self.share = max(count, 1) / (len(self.points) - 1)

    def _rank(self, position: float) -> float:
        """About how many documents lie below ``position``."""
        index = bisect.bisect_right(self.points, position) - 1
        index = min(max(index, 0), len(self.points) - 2)
        low, high = self.points[index], self.points[index + 1]
        part = (position - low) / (high - low) if high > low else 1.0
        return self.share * (index + min(max(part, 0.0), 1.0))

    def _position(self, rank: float) -> float:
        index = min(max(int(rank // self.share), 0), len(self.points) - 2)
        low, high = self.points[index], self.points[index + 1]
        return low + (high - low) * min(max(rank / self.share - index, 0.0), 1.0)

    def within_reach(self, edge: float, far: float, descending: bool) -> float:
        """``far``, or nearer: no window from ``edge`` reaches past the second sampled
        value beyond it, so one that lands on a crowd the sample did not foresee holds
        about two samples' shares of documents at most."""
        if descending:
            index = bisect.bisect_left(self.points, edge) - 2
            return max(far, self.points[index]) if index >= 0 else far
        index = bisect.bisect_right(self.points, edge) + 1
        return min(far, self.points[index]) if index < len(self.points) else far

    def width(self, edge: float, documents: float, descending: bool) -> float:
        """How wide a window from ``edge`` must be to hold about ``documents``."""
        rank = self._rank(edge)
        if descending:
            return edge - self._position(max(rank - documents, 0.0))
        return self._position(rank + documents) - edge


def value_page(
    collection: Collection,
    scope: dict[str, Any],
    field: str,
    axis: Axis,
    *,
    descending: bool,
    start: tuple[Any, ObjectId] | None,
    limit: int,
    count: int,
    sample: Callable[[], list[Any]],
    nullable: bool = True,
    windows: bool | None = None,
) -> list[dict]:
    """Up to ``limit`` documents of ``scope`` after ``start`` by (``field``, ``_id``).
    ``windows`` forces a shape (None: the one the server needs)."""
    windowed = needs_windows(collection) if windows is None else windows
    if windowed:
        return windowed_value_page(
            collection,
            scope,
            field,
            axis,
            descending=descending,
            start=start,
            limit=limit,
            count=count,
            sample=sample,
            nullable=nullable,
        )
    return natural_value_page(
        collection,
        scope,
        field,
        axis,
        descending=descending,
        start=start,
        limit=limit,
        nullable=nullable,
    )
