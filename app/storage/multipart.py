"""Read a multipart/form-data request body as it arrives, part by part.

Werkzeug's own form parsing spools every file to a temporary file first. Here the body is
decoded 64 KiB at a time by Werkzeug's sans-IO ``MultipartDecoder``, and each file part is
handed on as an iterator of chunks, so it can flow straight into GridFS and memory stays
bounded: text fields are limited (64 KiB each, 100 parts), and so is what the decoder may
buffer while it looks for a boundary or the end of a part's headers.

:class:`MultipartReader` hands the parts to callers with their own rules
(``app.library.receiving``), which store each file with :func:`~app.storage.store_stream`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import (
    Data,
    Epilogue,
    Event,
    Field,
    File,
    MultipartDecoder,
    NeedData,
    State,
)

from app.storage.errors import FieldTooLong, MalformedUpload
from app.storage.filenames import safe_filename
from app.storage.media_types import clean_media_type

READ_BYTES = 64 * 1024
MAX_FIELD_BYTES = 64 * 1024
MAX_PARTS = 100
#: Room for a part's headers, or for the preamble before the first boundary.
MAX_HEADER_BYTES = 16 * 1024
#: RFC 2046 §5.1.1 allows 70 characters; some clients (Werkzeug's test client among
#: them) send a few more, so the limit only keeps the delimiter search cheap.
MAX_BOUNDARY = 200
#: Transport padding (spaces after a boundary) tolerated where a read ends (RFC 2046).
MAX_PADDING = 32


@dataclass(frozen=True)
class FieldPart:
    name: str
    value: str


@dataclass
class FilePart:
    """A file as it arrives. ``filename`` is made safe by :func:`safe_filename`;
    ``declared_filename`` is what the client sent ("" when no file was chosen)."""

    name: str
    filename: str
    content_type: str
    chunks: Iterator[bytes]
    declared_filename: str = ""


class _Decoder(MultipartDecoder):
    """Werkzeug's decoder, holding back enough of a part's data for a whole delimiter.

    Werkzeug (3.1.9) holds back at most ``len(b"\\r\\n--" + boundary)`` bytes that may start
    a delimiter. When a read ends inside a closing delimiter (``\\r\\n--boundary-``) or in
    transport padding after a boundary, that is too short: the delimiter's CR is emitted
    as data and the file gains a stray byte (pallets/werkzeug#3285, open). Reads end
    wherever the network splits the body, so this happens in production; the split-at-
    every-offset test in tests/integration/test_storage_multipart.py guards the fix."""

    def _last_partial_boundary_index(self, data: bytes | bytearray) -> int:
        window = len(b"\r\n--" + self.boundary + b"--") + MAX_PADDING
        start = max(0, len(data) - window)
        last_line_break = max(data.rfind(b"\r", start), data.rfind(b"\n", start))
        if last_line_break < 0:
            return len(data)
        if last_line_break > 0 and data[last_line_break - 1 : last_line_break + 1] == b"\r\n":
            return last_line_break - 1
        return last_line_break


def boundary_of(content_type: str | None) -> bytes:
    """The boundary of a ``multipart/form-data`` Content-Type, or MalformedUpload."""
    mimetype, options = parse_options_header(content_type or "")
    if mimetype != "multipart/form-data":
        raise MalformedUpload(_("Send the upload as multipart/form-data."))
    boundary = options.get("boundary", "")
    if not boundary or len(boundary) > MAX_BOUNDARY or not boundary.isascii():
        raise MalformedUpload(_("The multipart/form-data upload has no valid boundary."))
    return boundary.encode("ascii")


class MultipartReader:
    """Pull-based reader: iterate :meth:`parts`; consume each FilePart's ``chunks`` before
    asking for the next part (whatever is left unread is skipped).

    Raises MalformedUpload for a body that is not valid multipart (truncated, no boundary,
    headers too long, too many parts) and FieldTooLong for a text field past its limit.
    Errors from ``stream`` (a client that went away) pass through unchanged."""

    def __init__(
        self,
        stream: IO[bytes],
        content_type: str | None,
        *,
        max_field_bytes: int = MAX_FIELD_BYTES,
        max_parts: int = MAX_PARTS,
        read_bytes: int = READ_BYTES,
    ) -> None:
        self._stream = stream
        self._read_bytes = read_bytes
        self._max_field_bytes = max_field_bytes
        self._max_parts = max_parts
        # The decoder's buffer holds what is not parsed yet: a possible delimiter while in a
        # part's data, or a part's headers (or the preamble) up to MAX_HEADER_BYTES; plus
        # one read. Its own limit is a backstop for that.
        self._decoder = _Decoder(
            boundary_of(content_type), max_form_memory_size=read_bytes + MAX_HEADER_BYTES
        )
        self._ended = False

    def parts(self) -> Iterator[FieldPart | FilePart]:
        count = 0
        while True:
            event = self._next_event()
            if isinstance(event, Epilogue):
                return
            if not isinstance(event, Field | File):
                continue  # the preamble
            count += 1
            if count > self._max_parts:
                raise MalformedUpload(
                    ngettext(
                        "The upload has more than %(num)s part.",
                        "The upload has more than %(num)s parts.",
                        self._max_parts,
                    )
                )
            if not event.name:
                raise MalformedUpload("A part of the upload has no field name.")
            if isinstance(event, File):
                chunks = self._data()
                yield FilePart(
                    name=event.name,
                    filename=safe_filename(event.filename),
                    content_type=clean_media_type(event.headers.get("Content-Type")),
                    chunks=chunks,
                    declared_filename=event.filename,
                )
                for _chunk in chunks:  # skip what the consumer did not read
                    pass
            else:
                yield FieldPart(event.name, self._field_value(event.name))

    def _next_event(self) -> Event:
        while True:
            if self._decoder.state is State.EPILOGUE:
                # Whatever follows the closing boundary is ignored (RFC 2046): not read.
                return Epilogue(b"")
            try:
                event = self._decoder.next_event()
            except UnicodeDecodeError:
                raise MalformedUpload(
                    _("The upload has part headers that are not UTF-8.")
                ) from None
            except ValueError as error:
                if self._ended:
                    raise MalformedUpload(_("The upload ended before it was complete.")) from None
                raise MalformedUpload(
                    _("The upload is not valid multipart data: %(error)s.", error=error)
                ) from None
            if not isinstance(event, NeedData):
                return event
            if (
                self._decoder.state in (State.PREAMBLE, State.PART)
                and len(self._decoder.buffer) > MAX_HEADER_BYTES
            ):
                raise MalformedUpload(
                    _(
                        "The upload is not valid multipart data: no boundary or end of part "
                        "headers within %(size)s KiB.",
                        size=MAX_HEADER_BYTES // 1024,
                    )
                )
            self._feed()

    def _feed(self) -> None:
        data = self._stream.read(self._read_bytes)
        try:
            if data:
                self._decoder.receive_data(data)
            else:
                self._ended = True
                self._decoder.receive_data(None)
        except RequestEntityTooLarge:  # a backstop: the check above comes first
            raise MalformedUpload(_("The upload is not valid multipart data.")) from None

    def _data(self) -> Iterator[bytes]:
        while True:
            event = self._next_event()
            if not isinstance(event, Data):
                raise MalformedUpload(_("The upload is not valid multipart data."))
            if event.data:
                yield event.data
            if not event.more_data:
                return

    def _field_value(self, name: str) -> str:
        collected = bytearray()
        for data in self._data():
            collected += data
            if len(collected) > self._max_field_bytes:
                raise FieldTooLong(name, self._max_field_bytes)
        try:
            return collected.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedUpload(
                _("The field %(name)s is not UTF-8 text.", name=repr(name))
            ) from None
