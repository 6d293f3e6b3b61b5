"""GridFS storage against the real server: round trips, ranges, limits, clean failures,
and memory that stays bounded whatever the file size."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
import uuid
from collections.abc import Iterator

import pytest
from bson import ObjectId

from app.database import get_database
from app.storage import (
    CorruptFile,
    EmptyUpload,
    FileMissing,
    StorageError,
    UploadTooLarge,
    delete_file,
    file_size,
    open_file,
    open_range,
    store_stream,
)
from tests.fixtures import audio_file

LONG_MP3 = audio_file("tone-440hz-4min.mp3")
AUDIO = LONG_MP3.read_bytes()
SIZE = len(AUDIO)
GRID_CHUNK = 255 * 1024  # pymongo's default chunk size
MiB = 1024 * 1024


@pytest.fixture
def database(app):
    with app.app_context():
        yield get_database()


def stored_counts(database) -> tuple[int, int]:
    """(files, chunks) in the songs bucket."""
    return (
        database["songs.files"].count_documents({}),
        database["songs.chunks"].count_documents({}),
    )


def pieces(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def store(data: bytes = AUDIO, **options):
    options = {
        "original_filename": "tone.mp3",
        "content_type": "audio/mpeg",
        "max_bytes": len(data),
        **options,
    }
    return store_stream(pieces(data), **options)


@pytest.fixture
def stored(database):
    return store()


def test_real_audio_round_trips_with_size_and_sha256(database):
    stored = store_stream(
        pieces(AUDIO),
        original_filename="Tøne 🎵.mp3",
        content_type="audio/mpeg",
        max_bytes=SIZE,  # exactly the limit is allowed
    )

    assert stored.size == SIZE
    assert stored.sha256 == hashlib.sha256(AUDIO).hexdigest()
    assert (stored.original_filename, stored.content_type) == ("Tøne 🎵.mp3", "audio/mpeg")
    assert uuid.UUID(stored.storage_name).version == 4
    assert b"".join(open_range(stored.file_id, 0, SIZE - 1)) == AUDIO
    assert file_size(stored.file_id) == SIZE
    document = database["songs.files"].find_one({"_id": stored.file_id})
    assert document["filename"] == stored.storage_name
    assert document["length"] == SIZE
    assert document["metadata"] == {
        "original_filename": "Tøne 🎵.mp3",
        "content_type": "audio/mpeg",
        "sha256": stored.sha256,
    }


def test_every_upload_gets_its_own_name(database):
    first, second = store(), store()

    assert first.storage_name != second.storage_name
    assert first.file_id != second.file_id
    assert stored_counts(database)[0] == 2


def test_a_file_read_from_an_unbuffered_stream_is_stored_whole(database):
    """The 1 MiB trap: handed a raw stream, pymongo keeps only its first read."""
    with open(LONG_MP3, "rb", buffering=0) as raw:
        stored = store_stream(
            iter(lambda: raw.read(64 * 1024), b""),
            original_filename="tone.mp3",
            content_type="audio/mpeg",
            max_bytes=SIZE,
        )

    assert 2 * MiB < SIZE  # past the 1 MiB a raw stream would be cut to
    assert file_size(stored.file_id) == SIZE
    assert b"".join(open_range(stored.file_id, 0, SIZE - 1)) == AUDIO


def test_one_huge_chunk_and_odd_chunk_types_are_stored_whole(database):
    data = os.urandom(3 * MiB + 17)
    chunks = [data[:5], bytearray(data[5 : 2 * MiB]), memoryview(data)[2 * MiB :]]

    stored = store_stream(
        chunks,
        original_filename="x.bin",
        content_type="application/octet-stream",
        max_bytes=4 * MiB,
    )

    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert b"".join(open_range(stored.file_id, 0, len(data) - 1)) == data


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (0, 0),
        (0, 99),
        (1000, 1999),
        (GRID_CHUNK - 1, GRID_CHUNK),  # across a chunk boundary
        (GRID_CHUNK, 2 * GRID_CHUNK - 1),  # exactly one stored chunk
        (GRID_CHUNK - 10, 3 * GRID_CHUNK + 10),
        (SIZE // 2, SIZE - 1),
        (SIZE - 1, SIZE - 1),
        (0, SIZE - 1),
    ],
)
def test_ranges_are_byte_for_byte(stored, start, end):
    assert b"".join(open_range(stored.file_id, start, end)) == AUDIO[start : end + 1]


def test_an_end_past_the_file_is_clamped(stored):
    assert b"".join(open_range(stored.file_id, SIZE - 10, SIZE * 2)) == AUDIO[-10:]


@pytest.mark.parametrize("piece", [1000, 256 * 1024, 4 * MiB])
def test_pieces_are_bounded(stored, piece):
    received = list(open_range(stored.file_id, 7, SIZE - 1, chunk_size=piece))

    assert b"".join(received) == AUDIO[7:]
    assert max(len(part) for part in received) <= min(piece, GRID_CHUNK)


@pytest.mark.parametrize(("start", "end"), [(-1, 10), (10, 9), (SIZE, SIZE + 5)])
def test_impossible_ranges_are_refused(stored, start, end):
    with pytest.raises(ValueError, match=r"range|past the end"):
        open_range(stored.file_id, start, end)


def test_a_missing_file_is_reported_before_any_byte_is_read(database):
    missing = ObjectId()

    for read in (
        lambda: open_range(missing, 0, 10),
        lambda: file_size(missing),
        lambda: open_file(missing).__enter__(),
    ):
        with pytest.raises(FileMissing) as caught:
            read()
        assert isinstance(caught.value, FileNotFoundError)
        assert caught.value.status == 404


def test_delete_removes_the_file_and_all_its_chunks(database, stored):
    other_content = os.urandom(1000)
    other = store(other_content)
    assert stored_counts(database) == (2, SIZE // GRID_CHUNK + 1 + 1)

    delete_file(stored.file_id)

    assert stored_counts(database) == (1, 1)
    assert database["songs.chunks"].count_documents({"files_id": stored.file_id}) == 0
    assert b"".join(open_range(other.file_id, 0, 999)) == other_content  # untouched
    delete_file(stored.file_id)  # deleting again is not an error
    delete_file(ObjectId())


def test_too_large_stops_while_streaming_and_leaves_nothing(database):
    limit = 2 * MiB
    seen = {}

    def upload() -> Iterator[bytes]:
        for index, piece in enumerate(pieces(AUDIO)):
            if index == 40:  # 2.5 MiB in: some chunks are already in the database
                seen["chunks"] = stored_counts(database)[1]
            yield piece
        pytest.fail("the whole input was read although it passed the limit")

    with pytest.raises(UploadTooLarge) as caught:
        store_stream(
            upload(), original_filename="a.mp3", content_type="audio/mpeg", max_bytes=limit
        )

    assert caught.value.limit_bytes == limit
    assert caught.value.status == 413
    assert caught.value.errors == {"file": "The file is larger than the 2 MB limit."}
    assert isinstance(caught.value, StorageError)
    assert seen.get("chunks", 0) == 0  # limit reached at 2 MiB, before index 40
    assert stored_counts(database) == (0, 0)


def test_a_limit_one_byte_short_is_too_large(database):
    with pytest.raises(UploadTooLarge):
        store(max_bytes=SIZE - 1)

    assert stored_counts(database) == (0, 0)


def test_a_client_that_goes_away_mid_upload_leaves_nothing(database):
    written = {}

    class ClientDisconnected(Exception):
        pass

    def upload() -> Iterator[bytes]:
        yield from pieces(AUDIO[: 3 * MiB])
        written["chunks"] = stored_counts(database)[1]
        raise ClientDisconnected("the browser tab was closed")

    with pytest.raises(ClientDisconnected):
        store_stream(upload(), original_filename="a.mp3", content_type="audio/mpeg", max_bytes=SIZE)

    assert written["chunks"] > 0  # chunks had been written, and were deleted
    assert stored_counts(database) == (0, 0)


@pytest.mark.parametrize("chunks", [[], [b""], [b"", b"", b""]])
def test_an_empty_upload_is_refused_and_leaves_nothing(database, chunks):
    with pytest.raises(EmptyUpload) as caught:
        store_stream(chunks, original_filename="a.mp3", content_type="audio/mpeg", max_bytes=10)

    assert caught.value.errors == {"file": "The file is empty."}
    assert stored_counts(database) == (0, 0)


def test_a_missing_chunk_is_reported_not_served_short(database, stored):
    database["songs.chunks"].delete_one({"files_id": stored.file_id, "n": 3})

    with pytest.raises(CorruptFile, match="chunk 3"):
        b"".join(open_range(stored.file_id, 0, SIZE - 1))
    assert b"".join(open_range(stored.file_id, 0, 99)) == AUDIO[:100]  # chunk 0 is fine


def test_a_truncated_chunk_is_reported(database, stored):
    database["songs.chunks"].update_one(
        {"files_id": stored.file_id, "n": 1}, {"$set": {"data": b"short"}}
    )

    with pytest.raises(CorruptFile, match="chunk 1"):
        b"".join(open_range(stored.file_id, GRID_CHUNK, GRID_CHUNK + 10))


def test_open_file_reads_and_seeks_like_a_local_file(stored):
    local = io.BytesIO(AUDIO)
    with open_file(stored.file_id) as remote:
        assert remote.seekable()
        assert remote.read(10) == local.read(10)
        for offset, whence in [(GRID_CHUNK - 3, 0), (5000, 1), (-100, 2), (3 * MiB, 0), (0, 1)]:
            assert remote.seek(offset, whence) == local.seek(offset, whence)
            assert remote.read(7000) == local.read(7000)
        remote.seek(0)
        assert remote.read() == AUDIO
        assert remote.read(10) == b""
        assert remote.seek(SIZE + 10) == SIZE + 10
        assert remote.read(10) == b""


def test_a_50_mib_file_goes_in_and_out_in_bounded_memory(database):
    """Neither direction may hold the file: pymongo alone buffers 48 MB of chunks when
    writing and 16 MiB cursor batches when reading."""
    piece = bytes(range(256)) * 256  # 64 KiB
    count = 50 * 16
    expected = hashlib.sha256()
    for _ in range(count):
        expected.update(piece)

    tracemalloc.start()
    try:
        stored = store_stream(
            (piece for _ in range(count)),
            original_filename="big.bin",
            content_type="application/octet-stream",
            max_bytes=50 * MiB,
        )
        _, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        received = hashlib.sha256()
        for part in open_range(stored.file_id, 0, 50 * MiB - 1):
            received.update(part)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert stored.size == 50 * MiB
    assert stored.sha256 == expected.hexdigest() == received.hexdigest()
    assert write_peak < 4 * MiB, f"writing peaked at {write_peak / MiB:.1f} MiB"
    assert read_peak < 4 * MiB, f"reading peaked at {read_peak / MiB:.1f} MiB"
