"""GridFS: writing, reading and deleting stored files. Two buckets: ``songs`` for audio,
``exports`` for the archives members download of their data (every function takes
``bucket``, ``songs`` unless told).

This package is the only code that touches GridFS. Memory stays bounded whatever the file
size, on the way in and on the way out (measured for a 50 MiB file, tracemalloc peak):

- Writing: pymongo's ``GridIn`` buffers up to 48 MB of chunk documents before its first
  insert (91 MiB peak). :class:`_BoundedGridIn` flushes every ~1 MiB instead (2.6 MiB).
  Chunks are written one by one as they arrive: handing pymongo an unbuffered raw stream
  would store only its first read (the 1 MiB trap).
- Reading: ``GridOut`` reads chunks through a cursor whose batches reach 16 MiB (32 MiB
  peak). :func:`open_range` queries the chunks it needs in batches of about 1 MiB (2.3 MiB)
  and checks each one against the file document, as GridOut does.
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from gridfs import GridFSBucket, GridIn
from pymongo.collection import Collection
from pymongo.errors import PyMongoError

from app import paging
from app.database import get_database
from app.storage.errors import CorruptFile, EmptyUpload, FileMissing, UploadTooLarge

BUCKET_NAME = "songs"
EXPORTS_BUCKET = "exports"
#: The counter of the audio bytes stored (``bytes``: the sum of the lengths of the files
#: in the ``songs`` bucket; exports are not counted).
STORAGE = "storage"
#: Size of each yielded piece when reading (an HTTP response body is made of these).
READ_PIECE_BYTES = 256 * 1024
#: How much of a file is fetched from the database per round trip, writing or reading.
BATCH_BYTES = 1024 * 1024
#: Buffer of :func:`open_file`, for decoders that read small pieces and seek often.
READ_BUFFER_BYTES = 1024 * 1024

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredFile:
    """A file that is completely stored: what a Song keeps to find and serve it."""

    file_id: ObjectId
    storage_name: str
    original_filename: str
    content_type: str
    size: int
    sha256: str


def _bucket(bucket: str = BUCKET_NAME) -> GridFSBucket:
    return GridFSBucket(get_database(), bucket_name=bucket)


def _files(bucket: str = BUCKET_NAME) -> Collection:
    return get_database()[f"{bucket}.files"]


def _chunks(bucket: str = BUCKET_NAME) -> Collection:
    return get_database()[f"{bucket}.chunks"]


class _BoundedGridIn(GridIn):
    """A GridIn that sends its chunks every ~1 MiB instead of every 48 MB.

    ``_flush_data`` is pymongo's (pinned) hook for each full chunk; the memory test in
    tests/integration/test_storage_gridfs.py fails if an upgrade changes it."""

    def _flush_data(self, data: Any, force: bool = False) -> None:
        full = self._buffered_docs_size + len(data) >= BATCH_BYTES
        super()._flush_data(data, force=force or full)


def _open_upload(
    storage_name: str,
    metadata: dict[str, Any],
    bucket: str = BUCKET_NAME,
    file_id: ObjectId | None = None,
) -> GridIn:
    """What ``GridFSBucket.open_upload_stream(storage_name, metadata=...)`` does, with
    the bounded GridIn."""
    ids = {} if file_id is None else {"_id": file_id}
    return _BoundedGridIn(get_database()[bucket], filename=storage_name, metadata=metadata, **ids)


def store_stream(
    chunks: Iterable[bytes],
    *,
    original_filename: str,
    content_type: str,
    max_bytes: int,
) -> StoredFile:
    """Write ``chunks`` into a new GridFS file named by a fresh UUID4, as they arrive.

    Size and sha256 are computed on the way. Raises UploadTooLarge as soon as the total
    passes ``max_bytes``, EmptyUpload for no bytes at all, and re-raises whatever
    ``chunks`` raises (a client that went away); in every case the chunks already written
    are deleted first, so a failure leaves nothing in ``songs.files`` / ``songs.chunks``.
    """
    storage_name = str(uuid.uuid4())
    metadata = {"original_filename": original_filename, "content_type": content_type}
    grid_in = _open_upload(storage_name, metadata)
    digest = hashlib.sha256()
    size = 0
    try:
        for chunk in chunks:
            if not chunk:
                continue
            if not isinstance(chunk, bytes):
                chunk = bytes(chunk)  # GridIn refuses bytearray and memoryview
            size += len(chunk)
            if size > max_bytes:
                raise UploadTooLarge(max_bytes)
            digest.update(chunk)
            grid_in.write(chunk)
        if size == 0:
            raise EmptyUpload()
        grid_in.metadata = {**metadata, "sha256": digest.hexdigest()}
        grid_in.close()
    except BaseException:
        _discard(grid_in)
        raise
    paging.add_counts(STORAGE, {"bytes": size})
    return StoredFile(
        file_id=grid_in._id,
        storage_name=storage_name,
        original_filename=original_filename,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
    )


def _discard(grid_in: GridIn) -> None:
    """Delete what a failed write left behind, without hiding the error that failed it."""
    try:
        grid_in.abort()
    except PyMongoError:
        log.exception("could not delete the partial upload %s", grid_in._id)


def delete_file(file_id: ObjectId, *, bucket: str = BUCKET_NAME) -> None:
    """Delete the file document and all its chunks (in that order, as GridFS does); a
    missing file is not an error, and chunks without a file document (a write cut short)
    are deleted too. Whoever deletes an audio file's document uncounts its bytes."""
    document = _files(bucket).find_one_and_delete({"_id": file_id}, projection={"length": 1})
    _chunks(bucket).delete_many({"files_id": file_id})
    if document is not None and bucket == BUCKET_NAME:
        paging.add_counts(STORAGE, {"bytes": -int(document["length"])})


def stored_bytes() -> int:
    """Audio bytes stored in GridFS (the sum of the files' lengths), from its counter
    (summed from the files while it has never been counted, until the hourly repair)."""
    counted = paging.read_counters(STORAGE)[STORAGE].get("bytes")
    return _summed_bytes() if counted is None else int(counted)


def _summed_bytes() -> int:
    totals = list(_files().aggregate([{"$group": {"_id": None, "bytes": {"$sum": "$length"}}}]))
    return int(totals[0]["bytes"]) if totals else 0


def repair_stored_bytes() -> int:
    """Set the counter of stored bytes to the sum of the files' lengths; 1 if it was
    wrong. A background job: it reads every file document."""
    actual = _summed_bytes()
    counted = paging.read_counters(STORAGE)[STORAGE].get("bytes")
    if counted == actual:
        return 0
    paging.counters().update_one({"_id": STORAGE}, {"$set": {"bytes": actual}}, upsert=True)
    return 1


class FileWriter(io.RawIOBase):
    """A file being written into GridFS: write-only and not seekable, so writers that can
    stream (``zipfile`` among them) do; each piece goes to the database as it fills a
    chunk. :func:`open_writer` gives one."""

    def __init__(self, grid_in: GridIn) -> None:
        self._grid_in = grid_in
        self._digest = hashlib.sha256()
        self.size = 0
        #: The finished file, once the ``open_writer`` block has ended without error.
        self.stored: StoredFile | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        piece = bytes(data)  # GridIn refuses bytearray and memoryview
        if piece:
            self._grid_in.write(piece)
            self._digest.update(piece)
            self.size += len(piece)
        return len(piece)


@contextmanager
def open_writer(
    file_id: ObjectId,
    *,
    original_filename: str,
    content_type: str,
    bucket: str = BUCKET_NAME,
) -> Iterator[FileWriter]:
    """A :class:`FileWriter` for a new file with the id ``file_id`` (chosen by the caller,
    so it can be recorded before the first byte: chunks left by a process killed halfway
    are then found and deleted by :func:`delete_file`). The file is complete when the
    block ends; if the block raises, what was written is deleted."""
    storage_name = str(uuid.uuid4())
    metadata = {"original_filename": original_filename, "content_type": content_type}
    grid_in = _open_upload(storage_name, metadata, bucket, file_id)
    writer = FileWriter(grid_in)
    try:
        yield writer
        grid_in.metadata = {**metadata, "sha256": writer._digest.hexdigest()}
        grid_in.close()
    except BaseException:
        _discard(grid_in)
        raise
    writer.stored = StoredFile(
        file_id=file_id,
        storage_name=storage_name,
        original_filename=original_filename,
        content_type=content_type,
        size=writer.size,
        sha256=writer._digest.hexdigest(),
    )


def _file_document(file_id: ObjectId, bucket: str = BUCKET_NAME) -> dict[str, Any]:
    document = _files(bucket).find_one({"_id": file_id}, {"length": 1, "chunkSize": 1})
    if document is None:
        raise FileMissing(f"No stored file {file_id}.")
    return document


def file_size(file_id: ObjectId, *, bucket: str = BUCKET_NAME) -> int:
    """Size in bytes of a stored file; FileMissing if there is none."""
    return int(_file_document(file_id, bucket)["length"])


def open_range(
    file_id: ObjectId,
    start: int,
    end: int,
    chunk_size: int = READ_PIECE_BYTES,
    *,
    bucket: str = BUCKET_NAME,
) -> Generator[bytes, None, None]:
    """Bytes ``start`` to ``end`` (inclusive; clamped to the file) in pieces of at most
    ``chunk_size``.

    The file is looked up now, so FileMissing is raised here and not halfway through a
    response; the bytes are read as the iterator is consumed. CorruptFile if chunks are
    missing or do not match the file document."""
    if start < 0 or end < start:
        raise ValueError(f"invalid byte range {start}-{end}")
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    document = _file_document(file_id, bucket)
    length = int(document["length"])
    if start >= length:
        raise ValueError(f"byte {start} is past the end of a {length}-byte file")
    return _read(_chunks(bucket), file_id, document, start, min(end, length - 1), chunk_size)


def _read(
    chunks: Collection,
    file_id: ObjectId,
    document: dict[str, Any],
    start: int,
    end: int,
    piece: int,
) -> Generator[bytes, None, None]:
    length, chunk_bytes = int(document["length"]), int(document["chunkSize"])
    first, last = start // chunk_bytes, end // chunk_bytes
    cursor = chunks.find(
        {"files_id": file_id, "n": {"$gte": first, "$lte": last}},
        {"_id": 0, "n": 1, "data": 1},
        sort=[("n", 1)],
        batch_size=max(1, BATCH_BYTES // chunk_bytes),
    )
    expected = first
    try:
        for chunk in cursor:
            offset = expected * chunk_bytes
            data = chunk["data"]
            if chunk["n"] != expected or len(data) != min(chunk_bytes, length - offset):
                raise CorruptFile(f"Stored file {file_id}: chunk {expected} is damaged.")
            wanted = data[max(start - offset, 0) : end + 1 - offset]
            for position in range(0, len(wanted), piece):
                yield wanted[position : position + piece]
            expected += 1
    finally:
        cursor.close()
    if expected != last + 1:
        raise CorruptFile(f"Stored file {file_id}: chunk {expected} is missing.")


class _StoredFileReader(io.RawIOBase):
    """A stored file as a seekable raw stream, read through :func:`open_range`."""

    def __init__(self, file_id: ObjectId, length: int, bucket: str = BUCKET_NAME) -> None:
        self._file_id = file_id
        self._bucket = bucket
        self._length = length
        self._position = 0
        self._pieces: Generator[bytes, None, None] | None = None
        self._pending = b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._position >= self._length:
            return 0
        if not self._pending:
            if self._pieces is None:
                self._pieces = open_range(
                    self._file_id, self._position, self._length - 1, bucket=self._bucket
                )
            self._pending = next(self._pieces, b"")
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        self._position += count
        return count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._length}[whence]
        position = base + offset
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        if position != self._position:
            self._drop_pieces()
            self._position = position
        return position

    def tell(self) -> int:
        return self._position

    def _drop_pieces(self) -> None:
        if self._pieces is not None:
            self._pieces.close()
        self._pieces, self._pending = None, b""

    def close(self) -> None:
        self._drop_pieces()
        super().close()


@contextmanager
def open_file(file_id: ObjectId, *, bucket: str = BUCKET_NAME) -> Iterator[io.BufferedReader]:
    """A seekable, read-only, buffered file object; FileMissing (a FileNotFoundError) if
    there is no such file.

    Decoders read in small pieces and seek often; unbuffered, each of those would go back
    to the database (measured: 7x slower to decode). The buffer is 1 MiB, whatever the
    file's size."""
    reader = _StoredFileReader(file_id, file_size(file_id, bucket=bucket), bucket)
    with io.BufferedReader(reader, buffer_size=READ_BUFFER_BYTES) as buffered:
        yield buffered
