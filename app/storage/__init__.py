"""Audio storage in GridFS and the HTTP plumbing to stream it in and out.

This package is the only code that touches GridFS (bucket ``songs``):

- :mod:`~app.storage.gridfs`: store a stream, write a file as it is made, read a range,
  delete, open as a file;
- :mod:`~app.storage.multipart`: read a multipart/form-data body part by part, as it arrives;
- :mod:`~app.storage.ranges`: HTTP Range and conditional GET decisions;
- :mod:`~app.storage.responses`: the streaming Flask response for a stored file;
- :mod:`~app.storage.filenames`: safe file names and Content-Disposition;
- :mod:`~app.storage.media_types`: declared content types, checked;
- :mod:`~app.storage.errors`: what can go wrong, each mapped to an HTTP answer.
"""

from app.storage.errors import (
    CorruptFile,
    EmptyUpload,
    FieldTooLong,
    FileMissing,
    MalformedUpload,
    StorageError,
    UploadTooLarge,
)
from app.storage.filenames import content_disposition, safe_filename
from app.storage.gridfs import (
    EXPORTS_BUCKET,
    FileWriter,
    StoredFile,
    delete_file,
    file_size,
    open_file,
    open_range,
    open_writer,
    repair_stored_bytes,
    store_stream,
    stored_bytes,
)
from app.storage.multipart import FieldPart, FilePart, MultipartReader
from app.storage.ranges import RangeDecision, decide_range
from app.storage.responses import file_response

__all__ = [
    "EXPORTS_BUCKET",
    "CorruptFile",
    "EmptyUpload",
    "FieldPart",
    "FieldTooLong",
    "FileMissing",
    "FilePart",
    "FileWriter",
    "MalformedUpload",
    "MultipartReader",
    "RangeDecision",
    "StorageError",
    "StoredFile",
    "UploadTooLarge",
    "content_disposition",
    "decide_range",
    "delete_file",
    "file_response",
    "file_size",
    "open_file",
    "open_range",
    "open_writer",
    "repair_stored_bytes",
    "safe_filename",
    "store_stream",
    "stored_bytes",
]
