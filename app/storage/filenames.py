"""File names as a person gave them, made safe to keep, show and send back.

The name an upload arrives with is kept for display and download, never used as a path
(files are stored under a UUID). It is still cleaned: a name is what a browser or an
operating system will see again in a Content-Disposition header.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

MAX_FILENAME = 255
MAX_EXTENSION = 16
FALLBACK_NAME = "upload"
DOWNLOAD_NAME = "download"

# Bidirectional controls make "song\u202e3pm.exe" display as "songexe.mp3".
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Not allowed in the quoted ASCII fallback: quotes and backslashes would end or escape the
# quoted string, "/" and "\\" are path separators, "%" may be percent-decoded (RFC 6266 D).
_UNSAFE_IN_FALLBACK = re.compile(r'[\x00-\x1f\x7f"\\/%]')
# attr-char of RFC 8187 (was RFC 5987), which need no percent-encoding in filename*.
_ATTR_CHARS = "!#$&+-.^_`|~"


def _is_dropped(character: str) -> bool:
    """Control characters (C0, DEL, C1), line and paragraph separators, bidi controls.

    Other format characters stay: emoji need the zero-width joiner."""
    return character in _BIDI_CONTROLS or unicodedata.category(character) in {"Cc", "Zl", "Zp"}


def safe_filename(raw: str | None) -> str:
    """The name to keep: its last path component (``../`` and ``C:\\`` are gone), without
    control characters, at most 255 characters with the extension kept, and ``upload`` if
    nothing is left. Non-ASCII text and emoji are kept (NFC-normalised)."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(character for character in name if not _is_dropped(character))
    # Leading dots hide files; trailing dots and spaces are dropped by Windows anyway.
    name = name.strip().lstrip(".").rstrip(". ")
    if not name:
        return FALLBACK_NAME
    if len(name) > MAX_FILENAME:
        name = _shortened(name)
    return name


def _shortened(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    if len(suffix) > MAX_EXTENSION:
        suffix = ""
    stem = name[: MAX_FILENAME - len(suffix)].rstrip(". \u200d")
    return (stem + suffix) if stem else name[:MAX_FILENAME]


def ascii_fallback(name: str) -> str:
    """An ASCII approximation for ``filename="..."``: accents dropped ("é" -> "e"),
    unsafe characters replaced by "_", ``download`` (keeping the extension) when nothing
    readable is left before the extension."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = _UNSAFE_IN_FALLBACK.sub("_", ascii_name).strip()
    stem, dot, extension = ascii_name.rpartition(".")
    if not (dot and extension.isalnum() and len(extension) <= MAX_EXTENSION):
        stem, extension = ascii_name, ""
    if not stem.strip(" ._"):
        return DOWNLOAD_NAME + (f".{extension}" if extension else "")
    return ascii_name.strip(" .")


def content_disposition(filename: str, *, attachment: bool) -> str:
    """RFC 6266 header value: ``attachment`` (download) or ``inline`` (play), an ASCII
    ``filename`` for old clients and the exact UTF-8 name in ``filename*`` (RFC 8187).

    The name is sent as stored (uploads keep :func:`safe_filename`'s result), minus any
    control character; percent-encoding keeps everything else out of the header syntax."""
    name = "".join(character for character in filename if not _is_dropped(character))
    if not name.strip(" ."):
        name = DOWNLOAD_NAME
    kind = "attachment" if attachment else "inline"
    encoded = quote(name, safe=_ATTR_CHARS)
    return f"{kind}; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{encoded}"
