"""Serving a stored file over HTTP: Range, ETag, conditional GET, Content-Disposition.

What to answer is decided in :mod:`app.storage.ranges`; this module builds the Flask
response. The body is a generator over :func:`open_range`, so a file is never held whole
in memory, whatever its size or the number of listeners.
"""

from __future__ import annotations

import logging

from bson import ObjectId
from flask import Response, request
from werkzeug.datastructures import Headers

from app.storage.filenames import content_disposition
from app.storage.gridfs import BUCKET_NAME, file_size, open_range
from app.storage.media_types import clean_media_type
from app.storage.ranges import decide_range, quoted_etag

#: Types a browser may render in the page. Anything else (text/html or image/svg+xml,
#: which could run script from our origin) is always sent as an attachment.
INLINE_TYPE_PREFIXES = ("audio/", "video/")

log = logging.getLogger(__name__)


def file_response(
    file_id: ObjectId,
    *,
    sha256: str,
    content_type: str,
    filename: str,
    attachment: bool,
    size: int | None = None,
    bucket: str = BUCKET_NAME,
) -> Response:
    """A streaming response to the current GET or HEAD request for a stored file.

    ``attachment=True`` is a download under ``filename``; ``False`` plays inline (audio
    and video types only). The length comes from the stored file; a different ``size``
    is logged and ignored. FileMissing (404) if the file is gone, raised before any
    header is sent. ``bucket`` is where it is stored (songs unless told)."""
    actual_size = file_size(file_id, bucket=bucket)
    if size is not None and size != actual_size:
        log.warning("file %s: recorded size %s, stored size %s", file_id, size, actual_size)
    decision = decide_range(request.headers, size=actual_size, etag=sha256, method=request.method)
    mimetype = clean_media_type(content_type)
    inline = not attachment and mimetype.startswith(INLINE_TYPE_PREFIXES)
    headers = Headers(
        {
            "Accept-Ranges": "bytes",
            "ETag": quoted_etag(sha256),
            # Store, but check the ETag each time: a song's file can be replaced.
            "Cache-Control": "private, no-cache",
            "Content-Disposition": content_disposition(filename, attachment=not inline),
            "X-Content-Type-Options": "nosniff",
        }
    )
    if decision.content_range:
        headers["Content-Range"] = decision.content_range
    if decision.status in (304, 416):
        return Response(status=decision.status, headers=headers)
    headers["Content-Length"] = str(decision.length)
    body = ()
    if request.method != "HEAD" and decision.length:
        body = open_range(file_id, decision.start, decision.end, bucket=bucket)
    return Response(
        body,
        status=decision.status,
        headers=headers,
        mimetype=mimetype,
        direct_passthrough=True,
    )
