"""What can go wrong storing, reading or receiving a file.

Every error is a :class:`StorageError`, and through ``app.errors.EncoreError`` each maps to
one HTTP answer (an HTML page or RFC 7807 JSON) in ``app/errors.py``. Errors about one form
field are also ``ValidationFailed``, so the problem JSON names the field.
"""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.errors import EncoreError, NotFound, ValidationFailed


class StorageError(EncoreError):
    """Base of every error raised by ``app.storage``."""


def _mebibytes(size: int) -> str:
    return f"{format_decimal(round(size / (1024 * 1024), 2), '#,##0.##')} MB"


class UploadTooLarge(ValidationFailed, StorageError):
    """The file went past ``limit_bytes`` while it was being received; nothing was kept."""

    status = 413
    title = _l("Payload too large")

    def __init__(self, limit_bytes: int, *, field: str = "file") -> None:
        self.limit_bytes = limit_bytes
        self.field = field
        super().__init__(
            {
                field: _(
                    "The file is larger than the %(limit)s limit.", limit=_mebibytes(limit_bytes)
                )
            }
        )


class EmptyUpload(ValidationFailed, StorageError):
    """The file had no bytes at all; nothing was kept."""

    def __init__(self, *, field: str = "file") -> None:
        self.field = field
        super().__init__({field: _("The file is empty.")})


class FieldTooLong(ValidationFailed, StorageError):
    """A text field of a multipart upload went past its limit."""

    status = 413
    title = _l("Payload too large")

    def __init__(self, field: str, limit_bytes: int) -> None:
        self.field = field
        self.limit_bytes = limit_bytes
        super().__init__({field: _("is longer than %(size)s KiB", size=limit_bytes // 1024)})


class MalformedUpload(StorageError):
    """The request body is not the multipart/form-data it claims to be."""

    title = _l("Malformed upload")


class FileMissing(NotFound, StorageError, FileNotFoundError):
    """No stored file has this id (never stored, or deleted since).

    Also a FileNotFoundError, so code that opens files generically can catch that."""

    title = _l("Not found")


class CorruptFile(StorageError):
    """The stored chunks do not add up to the file document (missing or wrong-sized
    chunks). A file deleted while it is read may end this way too, depending on the
    server's cursor isolation."""

    status = 500
    title = _l("Stored file is damaged")
