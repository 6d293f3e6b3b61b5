"""GridFS: the only code that touches stored audio. One bucket, ``songs``.

Files are written chunk by chunk as they arrive and read back in bounded pieces, so
neither an upload nor a download is ever held whole in memory or on local disk.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from bson import ObjectId
from gridfs import GridFSBucket, GridOut, NoFile

from app.database import get_database
from app.storage.errors import EmptyUpload, UploadTooLarge

BUCKET_NAME = "songs"
READ_PIECE_BYTES = 256 * 1024
READ_BUFFER_BYTES = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    file_id: ObjectId
    storage_name: str
    original_filename: str
    content_type: str
    size: int
    sha256: str


def _bucket() -> GridFSBucket:
    return GridFSBucket(get_database(), bucket_name=BUCKET_NAME)


def store_stream(
    chunks: Iterable[bytes],
    *,
    original_filename: str,
    content_type: str,
    max_bytes: int,
) -> StoredFile:
    """Write ``chunks`` into a new GridFS file named by a fresh UUID.

    Size and sha256 are computed on the way. Past ``max_bytes`` the write stops with
    UploadTooLarge; on that, an empty input, or any error from ``chunks`` (a client
    that went away), every chunk already written is deleted before the error goes on.
    """
    storage_name = str(uuid.uuid4())
    metadata = {"original_filename": original_filename, "content_type": content_type}
    grid_in = _bucket().open_upload_stream(storage_name, metadata=metadata)
    digest = hashlib.sha256()
    size = 0
    try:
        for chunk in chunks:
            if not chunk:
                continue
            size += len(chunk)
            if size > max_bytes:
                raise UploadTooLarge(max_bytes)
            digest.update(chunk)
            grid_in.write(chunk)
        if size == 0:
            raise EmptyUpload()
        grid_in.close()
    except BaseException:
        grid_in.abort()
        raise
    return StoredFile(
        file_id=grid_in._id,
        storage_name=storage_name,
        original_filename=original_filename,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
    )


class _GridReader(io.RawIOBase):
    """GridOut as a raw stream, so io.BufferedReader can sit on top of it."""

    def __init__(self, grid_out: GridOut) -> None:
        self._grid_out = grid_out

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._grid_out.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._grid_out.seek(offset, whence)
        return self._grid_out.tell()

    def tell(self) -> int:
        return self._grid_out.tell()


@contextmanager
def open_file(file_id: ObjectId) -> Iterator[io.BufferedReader]:
    """A seekable, read-only, buffered file object; FileNotFoundError if missing.

    Decoders read in small pieces and seek often; unbuffered, each of those would go
    back to GridFS (measured: 7x slower to decode). The buffer is 1 MiB, whatever the
    file's size."""
    try:
        grid_out = _bucket().open_download_stream(file_id)
    except NoFile:
        raise FileNotFoundError(f"no stored file {file_id}") from None
    try:
        yield io.BufferedReader(_GridReader(grid_out), buffer_size=READ_BUFFER_BYTES)
    finally:
        grid_out.close()


def iter_range(file_id: ObjectId, start: int, stop: int) -> Iterator[bytes]:
    """Bytes ``start`` to ``stop`` (exclusive) of a stored file, in bounded pieces."""
    with open_file(file_id) as grid_out:
        grid_out.seek(start)
        remaining = stop - start
        while remaining > 0:
            piece = grid_out.read(min(READ_PIECE_BYTES, remaining))
            if not piece:
                return
            remaining -= len(piece)
            yield piece


def delete_file(file_id: ObjectId) -> None:
    """Delete the file document and all its chunks; a missing file is not an error."""
    with suppress(NoFile):
        _bucket().delete(file_id)
