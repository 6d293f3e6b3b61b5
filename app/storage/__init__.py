"""Audio storage in GridFS and the HTTP plumbing to stream it in and out.

This package is the only code that touches GridFS.
"""

from app.storage.errors import EmptyUpload, MalformedUpload, UploadTooLarge
from app.storage.gridfs import StoredFile, delete_file, iter_range, open_file, store_stream
from app.storage.multipart import FieldPart, FilePart, MultipartReader, safe_filename
from app.storage.responses import file_response

__all__ = [
    "EmptyUpload",
    "FieldPart",
    "FilePart",
    "MalformedUpload",
    "MultipartReader",
    "StoredFile",
    "UploadTooLarge",
    "delete_file",
    "file_response",
    "iter_range",
    "open_file",
    "safe_filename",
    "store_stream",
]
