"""Serving stored files over HTTP: Range, ETag, conditional GET, Content-Disposition.

``send_file(GridOut)`` ignores Range, so this path is ours. Decisions (RFC 9110):

- ETag is the file's sha256, a strong validator. ``If-None-Match`` matching it -> 304.
- No Range header, or one we may ignore -> 200 with the whole file. Ignored: malformed
  syntax, a reversed range such as ``bytes=500-100`` (invalid syntax, §14.1.1), units other
  than bytes, and multiple ranges (``bytes=0-1,5-6``): a server may answer those with the
  full representation, and players never need them.
- ``If-Range`` with a different ETag -> 200 with the whole file.
- One satisfiable range -> 206 with Content-Range; an end past the file is clamped and a
  suffix longer than the file means the whole file.
- A first byte at or past the end -> 416 with ``Content-Range: bytes */size``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from bson import ObjectId
from flask import Response, request
from werkzeug.http import parse_etags, parse_range_header

from app.storage.gridfs import iter_range

_UNSAFE_IN_QUOTES = re.compile(r'[\x00-\x1f\x7f"\\/]')


@dataclass(frozen=True)
class ByteRange:
    status: int
    start: int = 0
    stop: int = 0


def choose_range(size: int, etag: str) -> ByteRange:
    """What to send for the current request: 304, 200, 206 (with bounds) or 416."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and parse_etags(if_none_match).contains_weak(etag):
        return ByteRange(304)
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    whole = ByteRange(200, 0, size)
    if not header or (if_range and if_range.strip() != f'"{etag}"'):
        return whole
    parsed = parse_range_header(header)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return whole
    begin, end = parsed.ranges[0]
    if begin < 0:  # suffix: the last -begin bytes
        return ByteRange(206, max(0, size + begin), size) if size else ByteRange(416)
    if begin >= size:
        return ByteRange(416)
    return ByteRange(206, begin, min(end if end is not None else size, size))


def content_disposition(filename: str, *, attachment: bool) -> str:
    """RFC 6266: an ASCII ``filename`` fallback and the exact name in ``filename*``."""
    kind = "attachment" if attachment else "inline"
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = _UNSAFE_IN_QUOTES.sub("_", ascii_name).strip() or "download"
    encoded = quote(filename, safe="!#$&+^`|~-._")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"


def file_response(
    file_id: ObjectId,
    *,
    size: int,
    sha256: str,
    content_type: str,
    filename: str,
    attachment: bool,
) -> Response:
    """A streaming response for a stored file, honouring Range and conditional GET."""
    chosen = choose_range(size, sha256)
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": f'"{sha256}"',
        "Cache-Control": "private, no-cache",
        "Content-Disposition": content_disposition(filename, attachment=attachment),
        "X-Content-Type-Options": "nosniff",
    }
    if chosen.status == 304:
        return Response(status=304, headers=headers)
    if chosen.status == 416:
        headers["Content-Range"] = f"bytes */{size}"
        return Response(status=416, headers=headers)
    if chosen.status == 206:
        headers["Content-Range"] = f"bytes {chosen.start}-{chosen.stop - 1}/{size}"
    headers["Content-Length"] = str(chosen.stop - chosen.start)
    body = iter_range(file_id, chosen.start, chosen.stop) if request.method != "HEAD" else ()
    return Response(
        body,
        status=chosen.status,
        headers=headers,
        mimetype=content_type,
        direct_passthrough=True,
    )
