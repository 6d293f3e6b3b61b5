"""HTTP Range and conditional GET for stored files: what to answer, decided from headers.

``send_file(GridOut)`` ignores Range, so this path is ours. The ETag is the file's sha256,
a strong validator. Decisions, in the order RFC 9110 §13.2.2 evaluates them:

1. ``If-None-Match`` that matches under weak comparison (``W/"x"`` matches ``"x"``; ``*``
   matches any file; Werkzeug also reads an unquoted tag) -> 304, for GET and HEAD.
2. No ``Range``, or a method other than GET (§14.2: range handling is defined for GET
   only, so HEAD answers what a plain GET would) -> 200 with the whole file.
3. ``If-Range`` that does not match under strong comparison -> 200 with the whole file.
   A weak ETag never matches, and neither does a date: we send no Last-Modified, so a
   date cannot be validated.
4. A ``Range`` we may ignore (§14.2) -> 200 with the whole file: malformed syntax; a
   reversed range such as ``bytes=500-100``, which is invalid syntax (§14.1.1);
   ``bytes=-0`` (Werkzeug's parser rejects it); units other than bytes; any range on an
   empty file; and more than one range (``bytes=0-1,5-6``). Multipart/byteranges is not
   served: players and download managers ask for one range, and a server may always
   answer with the full representation instead.
5. One range:
   - ``bytes=100-`` (open) -> 206 from byte 100 to the end;
   - ``bytes=-500`` (suffix) -> 206 with the last 500 bytes, or the whole file as 206 if
     it is shorter;
   - an end past the file is clamped to the last byte -> 206;
   - a first byte at or past the end -> 416 with ``Content-Range: bytes */size``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from werkzeug.datastructures import Headers
from werkzeug.http import parse_etags, parse_range_header

HeaderSource = Headers | Mapping[str, str]


@dataclass(frozen=True)
class RangeDecision:
    """The answer: its status and, for 200 and 206, the bytes ``start``..``end``
    (inclusive) of a file of ``size`` bytes."""

    status: int
    size: int
    start: int = 0
    end: int = -1

    @property
    def length(self) -> int:
        """Bytes in the body."""
        return self.end - self.start + 1 if self.status in (200, 206) else 0

    @property
    def content_range(self) -> str | None:
        if self.status == 206:
            return f"bytes {self.start}-{self.end}/{self.size}"
        if self.status == 416:
            return f"bytes */{self.size}"
        return None


def quoted_etag(etag: str) -> str:
    return f'"{etag}"'


def _if_none_match(value: str | None, etag: str) -> bool:
    return bool(value) and parse_etags(value).contains_weak(etag)


def _if_range_holds(value: str | None, etag: str) -> bool:
    """Strong comparison (§13.1.5): only our exact quoted ETag; never W/ or a date."""
    return value is None or value.strip() == quoted_etag(etag)


def decide_range(
    headers: HeaderSource, *, size: int, etag: str, method: str = "GET"
) -> RangeDecision:
    """What to answer to a GET or HEAD for a file of ``size`` bytes whose ETag (without
    quotes) is ``etag``: 304, 200 (whole file), 206 (one range) or 416."""
    whole = RangeDecision(200, size, 0, size - 1)
    if _if_none_match(headers.get("If-None-Match"), etag):
        return RangeDecision(304, size)
    header = headers.get("Range")
    if not header or method.upper() != "GET" or size == 0:
        return whole
    if not _if_range_holds(headers.get("If-Range"), etag):
        return whole
    parsed = parse_range_header(header)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return whole
    begin, stop = parsed.ranges[0]  # Werkzeug's stop is exclusive, or None when open
    if begin < 0:  # suffix: the last -begin bytes
        return RangeDecision(206, size, max(0, size + begin), size - 1)
    if begin >= size:
        return RangeDecision(416, size)
    last = size - 1 if stop is None else min(stop - 1, size - 1)
    return RangeDecision(206, size, begin, last)
