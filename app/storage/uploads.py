"""A whole multipart/form-data upload read into storage: fields kept, files stored.

Each file flows from the request stream into GridFS as it arrives. If anything goes
wrong (a malformed body, a limit, a refused field, a client that went away), every file
already stored for the request is deleted before the error goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import IO

from pymongo.errors import PyMongoError
from werkzeug.datastructures import MultiDict

from app.storage.errors import EmptyUpload, MalformedUpload, UploadTooLarge
from app.storage.gridfs import StoredFile, delete_file, store_stream
from app.storage.multipart import MAX_FIELD_BYTES, FieldPart, FilePart, MultipartReader

MAX_FILES = 10

log = logging.getLogger(__name__)


@dataclass
class ReceivedForm:
    """A form read by :func:`stream_upload`: its text fields and its stored files, each
    under its field name (a name may repeat)."""

    fields: MultiDict[str, str] = field(default_factory=MultiDict)
    files: MultiDict[str, StoredFile] = field(default_factory=MultiDict)

    def discard(self) -> None:
        """Delete every stored file; what cannot be deleted now is logged."""
        for _, stored in self.files.items(multi=True):
            try:
                delete_file(stored.file_id)
            except PyMongoError:
                log.exception("could not delete stored file %s", stored.file_id)
        self.files = MultiDict()


#: Stores one file part, given the fields received before it; may raise to refuse it.
OnFile = Callable[[FilePart, MultiDict[str, str]], StoredFile]


def stream_upload(
    stream: IO[bytes],
    content_type: str | None,
    *,
    max_bytes: int,
    max_files: int = MAX_FILES,
    max_field_bytes: int = MAX_FIELD_BYTES,
    on_file: OnFile | None = None,
) -> ReceivedForm:
    """Read a whole multipart/form-data body, storing each file as it arrives.

    Each file may have up to ``max_bytes`` (UploadTooLarge naming its field otherwise); a
    file input left empty (no file name, no bytes) is skipped. ``on_file`` replaces the
    default storing (:func:`store_stream` with the declared type), e.g. to check the
    fields or sniff the type first; ``max_bytes`` still applies to it. On any error every
    file stored for this request is deleted before the error goes on."""
    form = ReceivedForm()
    stored_count = 0
    try:
        for part in MultipartReader(stream, content_type, max_field_bytes=max_field_bytes).parts():
            if isinstance(part, FieldPart):
                form.fields.add(part.name, part.value)
                continue
            if not part.declared_filename and not _has_data(part):
                continue
            stored_count += 1
            if stored_count > max_files:
                raise MalformedUpload(f"The upload has more than {max_files} files.")
            part.chunks = _limited(part.chunks, max_bytes, part.name)
            form.files.add(part.name, _store(part, form.fields, max_bytes, on_file))
    except BaseException:
        form.discard()
        raise
    return form


def _has_data(part: FilePart) -> bool:
    """Whether the part has any byte; the bytes looked at stay in ``part.chunks``."""
    first = next(part.chunks, None)
    if first is None:
        return False
    part.chunks = chain([first], part.chunks)
    return True


def _limited(chunks: Iterator[bytes], max_bytes: int, name: str) -> Iterator[bytes]:
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise UploadTooLarge(max_bytes, field=name)
        yield chunk


def _store(
    part: FilePart, fields: MultiDict[str, str], max_bytes: int, on_file: OnFile | None
) -> StoredFile:
    try:
        if on_file is not None:
            return on_file(part, fields)
        return store_stream(
            part.chunks,
            original_filename=part.filename,
            content_type=part.content_type,
            max_bytes=max_bytes,
        )
    except EmptyUpload as error:
        if error.field == part.name:
            raise
        raise EmptyUpload(field=part.name) from None
