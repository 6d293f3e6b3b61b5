"""Tell audio from everything else by its first bytes, never by its name.

Used at upload time (to refuse a non-audio file before it is kept) and by processing.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.errors import ValidationFailed

#: How many leading bytes sniffing needs.
SNIFF_BYTES = 4096


@dataclass(frozen=True)
class AudioKind:
    format: str
    content_type: str


MP3 = AudioKind("mp3", "audio/mpeg")
OGG = AudioKind("ogg", "audio/ogg")
FLAC = AudioKind("flac", "audio/flac")
WAV = AudioKind("wav", "audio/wav")
MP4 = AudioKind("m4a", "audio/mp4")

_TEXT_HINTS = (
    (b"<!doctype html", _l("HTML")),
    (b"<html", _l("HTML")),
    (b"<script", _l("HTML")),
    (b"<?xml", _l("XML")),
    (b"%pdf", _l("a PDF document")),
    (b"pk\x03\x04", _l("a ZIP archive")),
    (b"\x89png", _l("a PNG image")),
    (b"\xff\xd8\xff", _l("a JPEG image")),
    (b"gif8", _l("a GIF image")),
    (b"{", _l("JSON or text")),
)


_BITRATES_KBPS = {
    (1, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (1, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (1, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (2, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (2, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}
_VERSIONS = {0b11: 1, 0b10: 2, 0b00: 25}
_LAYERS = {0b11: 1, 0b10: 2, 0b01: 3}


def _mpeg_frame_length(head: bytes, offset: int) -> int:
    """The length of the MPEG audio frame whose header starts at ``offset``, or 0."""
    if offset + 4 > len(head) or head[offset] != 0xFF or head[offset + 1] & 0xE0 != 0xE0:
        return 0
    b1, b2 = head[offset + 1], head[offset + 2]
    version = _VERSIONS.get((b1 >> 3) & 0x03)
    layer = _LAYERS.get((b1 >> 1) & 0x03)
    bitrate_index, rate_index = b2 >> 4, (b2 >> 2) & 0x03
    if version is None or layer is None or bitrate_index in (0, 15) or rate_index == 3:
        return 0
    bitrate = _BITRATES_KBPS[(min(version, 2), layer)][bitrate_index] * 1000
    sample_rate = _SAMPLE_RATES[version][rate_index]
    padding = (b2 >> 1) & 0x01
    if layer == 1:
        return (12 * bitrate // sample_rate + padding) * 4
    per_frame = 72 if layer == 3 and version != 1 else 144
    return per_frame * bitrate // sample_rate + padding


def _looks_like_mpeg(head: bytes) -> bool:
    """An ID3 tag, or two MPEG frames in a row (one sync word alone is too often chance)."""
    if head.startswith(b"ID3"):
        return True
    for offset in range(min(len(head), 1024)):
        length = _mpeg_frame_length(head, offset)
        if length and _mpeg_frame_length(head, offset + length):
            return True
    return False


def sniff_audio(head: bytes) -> AudioKind:
    """The kind of audio ``head`` starts; ValidationFailed saying what it looks like if not."""
    if not head:
        raise ValidationFailed({"file": _("The file is empty.")})
    if head.startswith(b"fLaC"):
        return FLAC
    if head.startswith(b"OggS"):
        return OGG
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[4:8] == b"ftyp":
        return MP4
    if _looks_like_mpeg(head):
        return MP3
    raise ValidationFailed(
        {"file": _("This file is not audio: it looks like %(kind)s.", kind=_describe(head))}
    )


def _describe(head: bytes) -> str:
    lowered = head.lstrip()[:64].lower()
    for prefix, description in _TEXT_HINTS:
        if lowered.startswith(prefix):
            return str(description)
    printable = sum(32 <= byte < 127 or byte in (9, 10, 13) for byte in head[:512])
    if printable > 0.95 * min(len(head), 512):
        return _("text")
    return _("unrecognised binary data")
