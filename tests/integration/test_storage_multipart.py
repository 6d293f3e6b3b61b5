"""Multipart bodies read as they arrive: parts, limits, malformed input, and a file part
streamed into GridFS in bounded memory, the way the app stores an upload."""

from __future__ import annotations

import io
import itertools
import math
import tracemalloc
from collections.abc import Iterable, Iterator

import pytest

from app.database import get_database
from app.errors import ValidationFailed
from app.storage import (
    FieldPart,
    FieldTooLong,
    FilePart,
    MalformedUpload,
    MultipartReader,
    store_stream,
)
from tests.fixtures import audio_file

AUDIO = audio_file("tone-440hz-4min.mp3").read_bytes()
SHORT = audio_file("tone-440hz-5s.mp3").read_bytes()
BOUNDARY = "----EncoreBoundary7MA4YWxkTrZu0gW"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
MiB = 1024 * 1024


def field(name: str, value: str | bytes) -> tuple[bytes, Iterable[bytes]]:
    head = f'Content-Disposition: form-data; name="{name}"'.encode()
    return head, [value.encode() if isinstance(value, str) else value]


def file(
    name: str, filename: str, content: bytes | Iterable[bytes], content_type: str = "audio/mpeg"
) -> tuple[bytes, Iterable[bytes]]:
    head = (
        f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}"
    ).encode()
    return head, [content] if isinstance(content, bytes) else content


def body(*parts: tuple[bytes, Iterable[bytes]], end: bool = True) -> Iterator[bytes]:
    """A multipart body, piece by piece, as a browser would send it."""
    for head, content in parts:
        yield b"--" + BOUNDARY.encode() + b"\r\n" + head + b"\r\n\r\n"
        yield from content
        yield b"\r\n"
    if end:
        yield b"--" + BOUNDARY.encode() + b"--\r\n"


class Upload(io.RawIOBase):
    """A request stream fed from an iterator of bytes, without ever joining them."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = iter(pieces)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._pending:
            self._pending = next(self._pieces, None)
            if self._pending is None:
                self._pending = b""
                return b""
        piece, self._pending = self._pending[:size], self._pending[size:]
        return piece


def read_parts(pieces: Iterable[bytes], **options) -> list[FieldPart | tuple[FilePart, bytes]]:
    """Every part, with each file's bytes read."""
    received = []
    for part in MultipartReader(Upload(pieces), CONTENT_TYPE, **options).parts():
        received.append(part if isinstance(part, FieldPart) else (part, b"".join(part.chunks)))
    return received


@pytest.fixture
def database(app):
    with app.app_context():
        yield get_database()


def stored_counts(database) -> tuple[int, int]:
    return (
        database["songs.files"].count_documents({}),
        database["songs.chunks"].count_documents({}),
    )


# --- the reader -------------------------------------------------------------------------


@pytest.mark.parametrize("read_bytes", [1, 7, 100, 64 * 1024])
def test_fields_and_files_arrive_in_order_whatever_the_read_size(read_bytes):
    pieces = body(
        field("title", "Tøne 🎵"),
        file("file", "a.mp3", SHORT),
        field("rating", "5"),
        file("cover", "c.bin", b"\r\n--not-the-boundary\r\n", "application/octet-stream"),
    )

    received = read_parts(pieces, read_bytes=read_bytes)

    assert received[0] == FieldPart("title", "Tøne 🎵")
    assert (received[1][0].name, received[1][0].filename, received[1][1]) == (
        "file",
        "a.mp3",
        SHORT,
    )
    assert received[2] == FieldPart("rating", "5")
    assert received[3][1] == b"\r\n--not-the-boundary\r\n"


@pytest.mark.parametrize(
    ("declared", "kept"),
    [
        ("Tøne 🎵.mp3", "Tøne 🎵.mp3"),
        ("../../etc/passwd", "passwd"),
        # Backslashes are escapes in a quoted string, so a Windows path arrives doubled.
        ("C:\\\\Music\\\\song.mp3", "song.mp3"),
        ("x" * 300 + ".mp3", "x" * 251 + ".mp3"),
    ],
)
def test_file_names_are_made_safe_and_the_declared_one_is_kept(declared, kept):
    [(part, _)] = read_parts(body(file("file", declared, b"data")))

    assert part.filename == kept
    assert part.declared_filename == declared.replace("\\\\", "\\")


def test_declared_content_types_are_cleaned():
    received = read_parts(
        body(
            file("a", "a.ogg", b"1", "Audio/Ogg; codecs=opus"),
            file("b", "b.mp3", b"2", "not a type"),
        )
    )

    assert [part.content_type for part, _ in received] == ["audio/ogg", "application/octet-stream"]


TRICKY_ENDINGS = [b"", b"\r", b"\n", b"\r\n", b"\r\n\r\n", b"-", b"--", b"\r\n--", b" ", b"\r\r"]


@pytest.mark.parametrize("padding", [b"", b"  ", b"\t"])
def test_a_body_split_anywhere_reads_the_same(padding):
    """Reads end wherever the network splits the body; no split may change a byte
    (Werkzeug alone adds a stray CR for a split inside the closing delimiter)."""
    delimiter = b"--" + BOUNDARY.encode()
    whole = b"".join(
        delimiter + padding + b"\r\n" + head + b"\r\n\r\n" + content + b"\r\n"
        for head, [content] in (
            file(f"f{index}", f"{index}.bin", b"data" + ending)
            for index, ending in enumerate(TRICKY_ENDINGS)
        )
    )
    whole += delimiter + b"--" + padding + b"\r\n"
    expected = [b"data" + ending for ending in TRICKY_ENDINGS]

    for split in range(1, len(whole)):
        received = read_parts([whole[:split], whole[split:]])
        assert [content for _, content in received] == expected, f"split at {split}"
    for split in range(len(whole) - 80, len(whole) - 1):  # three reads around the end
        received = read_parts([whole[:split], whole[split : split + 1], whole[split + 1 :]])
        assert [content for _, content in received] == expected, f"split at {split}"


def test_a_file_the_consumer_does_not_read_is_skipped():
    parts = MultipartReader(
        Upload(body(file("file", "a.mp3", AUDIO), field("after", "yes"))), CONTENT_TYPE
    ).parts()

    assert isinstance(next(parts), FilePart)
    assert next(parts) == FieldPart("after", "yes")
    assert list(parts) == []


def test_an_empty_form_has_no_parts():
    assert read_parts(body()) == []


def test_preamble_is_ignored_and_nothing_after_the_closing_boundary_is_read():
    endless = itertools.repeat(b"epilogue that never ends " * 1000)
    pieces = itertools.chain([b"preamble\r\n"], body(field("a", "1")), endless)

    assert read_parts(pieces) == [FieldPart("a", "1")]


@pytest.mark.parametrize(
    ("content_type", "message"),
    [
        (None, "Send the upload as multipart/form-data."),
        ("application/json", "Send the upload as multipart/form-data."),
        ("application/x-www-form-urlencoded", "Send the upload as multipart/form-data."),
        ("multipart/form-data", "no valid boundary"),
        ("multipart/form-data; boundary=", "no valid boundary"),
        (f"multipart/form-data; boundary={'b' * 201}", "no valid boundary"),
    ],
)
def test_a_body_that_is_not_multipart_is_refused_before_reading(content_type, message):
    with pytest.raises(MalformedUpload, match=message) as caught:
        MultipartReader(Upload([b"never read"]), content_type)

    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("pieces", "message"),
    [
        (body(file("file", "a.mp3", b"ID3"), end=False), "ended before it was complete"),
        ([b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: form-da"], "ended before"),
        ([b""], "ended before it was complete"),
        (
            [b"--" + BOUNDARY.encode() + b"\r\nContent-Type: text/plain\r\n\r\nx\r\n"],
            "not valid multipart data",
        ),
        (body((b'Content-Disposition: form-data; filename="a.mp3"', [b"x"])), "no field name"),
        (body(*(field(f"f{n}", "x") for n in range(101))), "more than 100 parts"),
        (body(field("title", b"\xff\xfe")), "'title' is not UTF-8 text"),
    ],
)
def test_malformed_bodies_are_a_clear_error(pieces, message):
    with pytest.raises(MalformedUpload, match=message):
        read_parts(pieces)


def test_garbage_without_a_boundary_is_refused_without_buffering_it_all():
    endless = itertools.repeat(b"no boundary here " * 4096)

    with pytest.raises(MalformedUpload, match="no boundary or end of part headers within 16 KiB"):
        read_parts(endless)


def test_endless_part_headers_are_refused():
    head = b'Content-Disposition: form-data; name="a"\r\nX-Padding: ' + b"p" * (200 * 1024)

    with pytest.raises(MalformedUpload, match="16 KiB"):
        read_parts(body((head, [b"x"])))


@pytest.mark.parametrize("read_bytes", [1000, 64 * 1024])
def test_part_headers_up_to_16_kib_are_fine(read_bytes):
    head = b'Content-Disposition: form-data; name="a"\r\nX-Padding: ' + b"p" * (15 * 1024)

    assert read_parts(body((head, [b"x"])), read_bytes=read_bytes) == [FieldPart("a", "x")]


def test_a_field_past_its_limit_is_refused_with_its_name():
    with pytest.raises(FieldTooLong) as caught:
        read_parts(body(field("title", "t" * (64 * 1024 + 1))))

    assert caught.value.status == 413
    assert caught.value.errors == {"title": "is longer than 64 KiB"}
    assert isinstance(caught.value, ValidationFailed)


def test_a_field_at_its_limit_is_accepted():
    assert read_parts(body(field("title", "t" * 64 * 1024))) == [
        FieldPart("title", "t" * 64 * 1024)
    ]


# --- into GridFS, as the app stores an upload ------------------------------------------


def test_a_50_mib_file_part_streams_into_gridfs_in_bounded_memory(database):
    piece = bytes(range(256)) * 256  # 64 KiB
    count = 50 * 16
    pieces = body(field("title", "big"), file("file", "big.bin", (piece for _ in range(count))))

    tracemalloc.start()
    try:
        stored = [
            store_stream(
                part.chunks,
                original_filename=part.filename,
                content_type=part.content_type,
                max_bytes=50 * MiB,
            )
            for part in MultipartReader(Upload(pieces), CONTENT_TYPE).parts()
            if isinstance(part, FilePart)
        ]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    [big] = stored
    assert (big.original_filename, big.size) == ("big.bin", 50 * MiB)
    assert stored_counts(database) == (1, math.ceil(50 * MiB / (255 * 1024)))
    assert peak < 4 * MiB, f"peaked at {peak / MiB:.1f} MiB"
