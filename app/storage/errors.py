"""Why an upload could not be stored. Each maps to an HTTP answer in app/errors.py."""

from __future__ import annotations

from app.errors import EncoreError, ValidationFailed


class UploadTooLarge(ValidationFailed):
    status = 413
    title = "Payload too large"

    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        limit_mb = round(limit_bytes / (1024 * 1024), 2)
        super().__init__({"file": f"The file is larger than the {limit_mb:g} MB limit."})


class EmptyUpload(ValidationFailed):
    def __init__(self) -> None:
        super().__init__({"file": "The file is empty."})


class MalformedUpload(EncoreError):
    """The request body is not the multipart/form-data it claims to be."""

    title = "Malformed upload"
