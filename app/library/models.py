"""Album and Song documents.

Search is case-insensitive without regexes on indexed fields (which SecantusDB cannot
serve and MongoDB cannot index): every song keeps ``search_words``, the lower-cased words
of its title, album and artist, and a search is an anchored prefix match on them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from mongoengine import (
    CASCADE,
    NULLIFY,
    BinaryField,
    DateTimeField,
    DictField,
    FloatField,
    IntField,
    ListField,
    ObjectIdField,
    ReferenceField,
    StringField,
)

from app import paging
from app.accounts.models import User
from app.database import Document

TITLE_MAX = 200
STATUSES = ("queued", "processing", "ready", "failed")
STATUS_PROGRESS = {"queued": 0, "processing": 50, "ready": 100, "failed": 100}
#: The fields a member may leave to the file's tags on upload (Song.from_tags).
TAGGED_FIELDS = ("title", "artist", "album")
_WORD = re.compile(r"\w+", re.UNICODE)
#: The counter handing out ``Song.failed_seq``.
FAILED_SONGS = "songs:failed"


def utcnow() -> datetime:
    return datetime.now(UTC)


def words_of(*texts: str | None) -> list[str]:
    """Distinct lower-case words of ``texts``, in order, for prefix search."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall((text or "").lower()):
            seen.setdefault(word, None)
    return list(seen)


class Album(Document):
    title = StringField(required=True, max_length=TITLE_MAX)
    title_key = StringField(required=True)
    artist = StringField(max_length=TITLE_MAX, default="")
    year = IntField(min_value=1000, max_value=9999)
    owner = ReferenceField(User, required=True, reverse_delete_rule=CASCADE)
    created_at = DateTimeField(default=utcnow, required=True)

    meta = {
        "collection": "albums",
        "indexes": [("owner", "title_key", "_id"), ("title_key", "_id")],
    }

    def clean(self) -> None:
        self.title = (self.title or "").strip()
        self.artist = (self.artist or "").strip()
        self.title_key = self.title.lower()

    def __str__(self) -> str:
        return self.title


class PeaksField(BinaryField):
    """Waveform levels packed one byte a point. A list of doubles, as songs processed
    before packing hold, is packed when read, so such songs still save."""

    def to_python(self, value: object) -> object:
        if isinstance(value, list):
            return pack_peaks(value)
        return super().to_python(value)


class Song(Document):
    title = StringField(required=True, min_length=1, max_length=TITLE_MAX)
    title_key = StringField(required=True)
    search_words = ListField(StringField(), default=list)
    artist = StringField(max_length=TITLE_MAX, default="")
    rating = IntField(min_value=1, max_value=5)
    album = ReferenceField(Album, reverse_delete_rule=NULLIFY)
    owner = ReferenceField(User, required=True, reverse_delete_rule=CASCADE)
    #: Which of TAGGED_FIELDS the member left to the file's tags on upload: processing
    #: fills them from the tags, once (the title stays the file name if no tag names it).
    #: A field the member sets meanwhile leaves the list, so their value is kept.
    from_tags = ListField(StringField(choices=TAGGED_FIELDS), default=list)

    file_id = ObjectIdField(required=True)
    storage_name = StringField(required=True)
    original_filename = StringField(required=True, max_length=255)
    content_type = StringField(required=True)
    size = IntField(required=True, min_value=1)
    sha256 = StringField(required=True, min_length=64, max_length=64)

    duration = FloatField()
    bitrate = IntField()
    sample_rate = IntField()
    channels = IntField()
    format = StringField()
    tags = DictField()
    #: Waveform peaks, one byte (0-255) a point: 800 bytes, where a list of doubles
    #: would make every song document some 11 KB that each listing has to read.
    waveform = PeaksField()

    #: Positions (app/paging.py): in the member's library, in everyone's, in its album.
    #: Upload order; pages are cut from them so a page reads about a page of songs.
    seq = IntField()
    all_seq = IntField()
    album_seq = IntField()
    #: While failed: a position handed out each time ``updated_at`` is set, so the latest
    #: failures are read newest first by position (the admin's dashboard).
    failed_seq = IntField()

    status = StringField(required=True, choices=STATUSES, default="queued")
    status_reason = StringField(default="")
    #: While processing: until when the worker's claim holds (renewed as it works).
    lease_until = DateTimeField()
    #: Times processing started since the song was last queued by a person (upload, new
    #: file, re-process); the sweep gives up on a song after PROCESSING_MAX_ATTEMPTS.
    attempts = IntField(min_value=0, default=0)
    created_at = DateTimeField(default=utcnow, required=True)
    updated_at = DateTimeField(default=utcnow, required=True)

    meta = {
        "collection": "songs",
        "indexes": [
            # Pages in upload order: a scope's equality fields, then the position.
            ("owner", "seq"),
            ("owner", "status", "seq"),
            ("album", "album_seq"),
            ("album", "status", "album_seq"),
            "all_seq",
            ("status", "all_seq"),
            # Keyset pagination by other sorts: each ends in _id so pages never overlap.
            # By rating: each rating's songs walked by position, with and without status.
            ("owner", "rating", "seq"),
            ("owner", "status", "rating", "seq"),
            ("album", "rating", "album_seq"),
            ("album", "status", "rating", "album_seq"),
            ("rating", "all_seq"),
            ("status", "rating", "all_seq"),
            # By title and duration: value windows (app/value_windows.py) in each scope,
            # with and without status.
            ("owner", "title_key", "_id"),
            ("owner", "status", "title_key", "_id"),
            ("album", "title_key", "_id"),
            ("album", "status", "title_key", "_id"),
            ("status", "title_key", "_id"),
            ("owner", "duration", "_id"),
            ("owner", "status", "duration", "_id"),
            ("album", "duration", "_id"),
            ("album", "status", "duration", "_id"),
            ("status", "duration", "_id"),
            ("owner", "album", "_id"),
            ("owner", "status", "_id"),
            ("owner", "search_words"),
            ("title_key", "_id"),
            ("duration", "_id"),
            "search_words",
            ("status", "updated_at"),
            ("status", "failed_seq"),
        ],
    }

    @property
    def peaks(self) -> list[float]:
        """The waveform as levels from 0 to 1, for the song page to draw."""
        return [round(level / 255, 3) for level in self.waveform or b""]

    def clean(self) -> None:
        self.title = (self.title or "").strip()
        self.artist = (self.artist or "").strip()
        self.title_key = self.title.lower()
        album = self.album
        self.search_words = words_of(
            self.title, self.artist, album.title if album else "", album.artist if album else ""
        )
        self.updated_at = utcnow()
        if self.status == "failed":
            self.failed_seq = paging.next_position(FAILED_SONGS)

    @property
    def status_payload(self) -> dict:
        """What the browser is told about this song's processing (event ``song.status``)."""
        return {
            "id": str(self.id),
            "status": self.status,
            "reason": self.status_reason,
            "progress": STATUS_PROGRESS[self.status],
            "updated_at": self.updated_at.isoformat(),
            "title": self.title,
            "artist": self.artist,
            "duration": self.duration,
        }


def pack_peaks(peaks: Sequence[float]) -> bytes:
    """Levels from 0 to 1 as one byte each, the way Song.waveform keeps them."""
    return bytes(round(min(max(level, 0.0), 1.0) * 255) for level in peaks)
