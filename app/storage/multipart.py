"""Read a multipart/form-data request body as a stream of parts.

Werkzeug's own form parsing spools every file to a temporary file first. Here the body is
decoded as it is read (werkzeug's sans-IO ``MultipartDecoder``) and each file part is
handed on as an iterator of chunks, so it can flow straight into GridFS.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from app.storage.errors import MalformedUpload

READ_BYTES = 64 * 1024
MAX_FIELD_BYTES = 64 * 1024
MAX_PARTS = 100
MAX_FILENAME = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class FieldPart:
    name: str
    value: str


@dataclass
class FilePart:
    name: str
    filename: str
    content_type: str
    chunks: Iterator[bytes]


def safe_filename(raw: str) -> str:
    """The name to keep for display and download: no directories, no control characters,
    at most 255 characters with the extension kept. Unicode (emoji too) is kept."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = _CONTROL.sub("", name).strip().strip(".")
    if not name:
        return "upload"
    if len(name) > MAX_FILENAME:
        suffix = PurePosixPath(name).suffix
        suffix = suffix if len(suffix) <= 16 else ""
        name = name[: MAX_FILENAME - len(suffix)] + suffix
    return name


def boundary_of(content_type: str | None) -> bytes:
    mimetype, options = parse_options_header(content_type or "")
    if mimetype != "multipart/form-data":
        raise MalformedUpload("Send the upload as multipart/form-data.")
    boundary = options.get("boundary", "")
    if not boundary or len(boundary) > 200:
        raise MalformedUpload("The multipart/form-data upload has no valid boundary.")
    return boundary.encode("latin-1")


class MultipartReader:
    """Pull-based reader: iterate :meth:`parts`; consume each FilePart's ``chunks`` before
    asking for the next part (whatever is left unread is skipped)."""

    def __init__(self, stream: IO[bytes], content_type: str | None) -> None:
        self._stream = stream
        self._decoder = MultipartDecoder(boundary_of(content_type), max_form_memory_size=None)
        self._finished = False

    def _next_event(self):
        while True:
            try:
                event = self._decoder.next_event()
            except ValueError as error:
                if self._finished:
                    raise MalformedUpload("The upload ended before it was complete.") from None
                raise MalformedUpload(f"The upload is not valid multipart data: {error}") from None
            if not isinstance(event, NeedData):
                return event
            if self._finished:
                raise MalformedUpload("The upload ended before it was complete.")
            data = self._stream.read(READ_BYTES)
            if not data:
                self._finished = True
                self._decoder.receive_data(None)
            else:
                self._decoder.receive_data(data)

    def _data(self) -> Iterator[bytes]:
        while True:
            event = self._next_event()
            if not isinstance(event, Data):
                raise MalformedUpload("The upload is not valid multipart data.")
            if event.data:
                yield event.data
            if not event.more_data:
                return

    def parts(self) -> Iterator[FieldPart | FilePart]:
        count = 0
        while True:
            event = self._next_event()
            if isinstance(event, Epilogue):
                return
            if not isinstance(event, Field | File):
                continue
            count += 1
            if count > MAX_PARTS:
                raise MalformedUpload(f"The upload has more than {MAX_PARTS} parts.")
            if isinstance(event, File):
                chunks = self._data()
                yield FilePart(
                    name=event.name,
                    filename=safe_filename(event.filename),
                    content_type=event.headers.get("Content-Type", "application/octet-stream"),
                    chunks=chunks,
                )
                for _ in chunks:  # skip what the consumer did not read
                    pass
            else:
                yield FieldPart(event.name, self._field_value(event.name))

    def _field_value(self, name: str) -> str:
        collected = bytearray()
        for data in self._data():
            collected += data
            if len(collected) > MAX_FIELD_BYTES:
                raise MalformedUpload(f"The field {name!r} is longer than 64 KiB.")
        try:
            return collected.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedUpload(f"The field {name!r} is not UTF-8 text.") from None
