"""Multipart bodies read as they arrive: parts, limits, malformed input, and files streamed
into GridFS with nothing left behind when anything fails."""

from __future__ import annotations

import hashlib
import io
import itertools
import tracemalloc
from collections.abc import Iterable, Iterator

import pytest

from app.database import get_database
from app.errors import ValidationFailed
from app.storage import (
    EmptyUpload,
    FieldPart,
    FieldTooLong,
    FilePart,
    MalformedUpload,
    MultipartReader,
    UploadTooLarge,
    store_stream,
    stream_upload,
)
from app.storage.gridfs import open_range
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


# --- stream_upload: files stored as they arrive -----------------------------------------


def upload(pieces: Iterable[bytes], **options):
    return stream_upload(Upload(pieces), CONTENT_TYPE, **{"max_bytes": 10 * MiB, **options})


def test_several_files_and_fields_are_stored(database):
    form = upload(
        body(
            field("title", "Four minutes"),
            file(
                "file", "tøne 🎵.mp3", (AUDIO[i : i + 10_000] for i in range(0, len(AUDIO), 10_000))
            ),
            field("tag", "one"),
            field("tag", "two"),
            file("file", "../short.mp3", SHORT),
            file("cover", "cover.png", b"\x89PNG", "image/png"),
        )
    )

    assert form.fields.to_dict(flat=False) == {"title": ["Four minutes"], "tag": ["one", "two"]}
    long, short = form.files.getlist("file")
    [cover] = form.files.getlist("cover")
    assert (long.original_filename, long.size) == ("tøne 🎵.mp3", len(AUDIO))
    assert long.sha256 == hashlib.sha256(AUDIO).hexdigest()
    assert b"".join(open_range(long.file_id, 0, len(AUDIO) - 1)) == AUDIO
    assert (short.original_filename, short.content_type) == ("short.mp3", "audio/mpeg")
    assert b"".join(open_range(short.file_id, 0, len(SHORT) - 1)) == SHORT
    assert (cover.content_type, cover.size) == ("image/png", 4)
    assert stored_counts(database)[0] == 3


def test_a_file_input_left_empty_is_skipped(database):
    form = upload(body(file("file", "", b"", "application/octet-stream"), field("title", "x")))

    assert not form.files
    assert form.fields["title"] == "x"
    assert stored_counts(database) == (0, 0)


def test_a_file_without_a_name_but_with_bytes_is_kept_as_upload(database):
    form = upload(body(file("file", "", SHORT)))

    assert form.files["file"].original_filename == "upload"
    assert form.files["file"].size == len(SHORT)


def test_discard_deletes_what_was_stored(database):
    form = upload(body(file("a", "a.mp3", SHORT), file("a", "b.mp3", SHORT), file("c", "c", SHORT)))
    assert stored_counts(database)[0] == 3

    form.discard()

    assert stored_counts(database) == (0, 0)
    assert not form.files


def test_a_file_past_the_limit_mid_stream_leaves_nothing_behind(database):
    pieces = body(
        file("first", "ok.mp3", SHORT),
        file("second", "big.mp3", (AUDIO[i : i + 65536] for i in range(0, len(AUDIO), 65536))),
        field("after", "never read"),
    )

    with pytest.raises(UploadTooLarge) as caught:
        upload(pieces, max_bytes=2 * MiB)

    assert caught.value.errors == {"second": "The file is larger than the 2 MB limit."}
    assert stored_counts(database) == (0, 0)  # the first file is gone too


def test_an_empty_file_is_refused_with_its_field_name(database):
    with pytest.raises(EmptyUpload) as caught:
        upload(
            body(
                file("audio", "a.mp3", SHORT),
                file("audio", "b.mp3", SHORT),  # several files under one name: all deleted
                file("audio", "empty.mp3", b""),
            )
        )

    assert caught.value.errors == {"audio": "The file is empty."}
    assert stored_counts(database) == (0, 0)


@pytest.mark.parametrize(
    ("tail", "error"),
    [
        (
            [b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: form-data; name="],
            MalformedUpload,
        ),
        (body(field("title", "t" * (65 * 1024))), FieldTooLong),
        (body(file("file", "truncated.mp3", AUDIO[: 3 * MiB]), end=False), MalformedUpload),
    ],
)
def test_a_bad_body_after_a_stored_file_leaves_nothing_behind(database, tail, error):
    pieces = itertools.chain(body(file("file", "ok.mp3", AUDIO), end=False), tail)

    with pytest.raises(error):
        upload(pieces)

    assert stored_counts(database) == (0, 0)


def test_a_client_that_goes_away_mid_file_leaves_nothing_behind(database):
    class ClientDisconnected(Exception):
        pass

    def going_away() -> Iterator[bytes]:
        yield AUDIO[: 3 * MiB]
        raise ClientDisconnected()

    pieces = itertools.chain(
        body(file("a", "ok.mp3", SHORT), end=False),
        body(file("b", "cut.mp3", going_away())),
    )

    with pytest.raises(ClientDisconnected):
        upload(pieces)

    assert stored_counts(database) == (0, 0)


def test_too_many_files_are_refused_and_leave_nothing(database):
    pieces = body(*(file(f"f{n}", f"{n}.mp3", SHORT) for n in range(3)))

    with pytest.raises(MalformedUpload, match="more than 2 files"):
        upload(pieces, max_files=2)

    assert stored_counts(database) == (0, 0)


def test_on_file_sees_the_fields_so_far_and_may_refuse(database):
    seen = []

    def only_with_a_title(part: FilePart, fields) -> object:
        seen.append((part.name, fields.to_dict()))
        if "title" not in fields:
            raise ValidationFailed({"title": "comes before the file"})
        return store_stream(
            part.chunks, original_filename=part.filename, content_type="audio/mpeg", max_bytes=MiB
        )

    form = upload(
        body(field("title", "x"), file("file", "a.mp3", SHORT)), on_file=only_with_a_title
    )
    assert form.files["file"].content_type == "audio/mpeg"

    with pytest.raises(ValidationFailed, match="comes before the file"):
        upload(
            body(file("file", "a.mp3", SHORT), field("title", "late")),
            on_file=only_with_a_title,
        )

    assert seen == [("file", {"title": "x"}), ("file", {})]
    assert stored_counts(database)[0] == 1  # only the accepted one


def test_max_bytes_applies_to_on_file_too(database):
    def store_anything(part: FilePart, fields) -> object:
        return store_stream(
            part.chunks, original_filename="x", content_type="x/y", max_bytes=100 * MiB
        )

    with pytest.raises(UploadTooLarge):
        upload(body(file("file", "a.mp3", AUDIO)), max_bytes=MiB, on_file=store_anything)

    assert stored_counts(database) == (0, 0)


def test_a_50_mib_upload_streams_through_in_bounded_memory(database):
    piece = bytes(range(256)) * 256  # 64 KiB
    count = 50 * 16
    pieces = body(field("title", "big"), file("file", "big.bin", (piece for _ in range(count))))

    tracemalloc.start()
    try:
        form = upload(pieces, max_bytes=50 * MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert form.files["file"].size == 50 * MiB
    assert peak < 4 * MiB, f"peaked at {peak / MiB:.1f} MiB"
