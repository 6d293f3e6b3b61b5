"""Media types as clients declare them, checked before they are stored or sent back."""

from __future__ import annotations

import re

from werkzeug.http import parse_options_header

UNKNOWN = "application/octet-stream"
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


def clean_media_type(value: str | None) -> str:
    """``type/subtype`` in lower case without parameters, or ``application/octet-stream``
    when ``value`` is missing or not a well-formed media type."""
    mimetype = parse_options_header(value or "")[0].lower()
    return mimetype if len(mimetype) <= 255 and _MEDIA_TYPE.match(mimetype) else UNKNOWN
