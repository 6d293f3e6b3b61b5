"""Helpers for library tests: upload files the way the upload page does."""

from __future__ import annotations

import io
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.factories import MP3
from tests.fixtures import audio_file

LONG_MP3 = audio_file("tone-440hz-4min.mp3")


def upload(
    client,
    token: str | None,
    path: Path | None = MP3,
    *,
    filename: str | None = None,
    content: bytes | None = None,
    fields: dict | None = None,
    file_first: bool = False,
):
    """POST one file to /songs the way the upload page does (fields, then the file)."""
    data: dict = {}
    file_value = None
    if content is not None or path is not None:
        body = content if content is not None else path.read_bytes()
        file_value = (io.BytesIO(body), filename or (path.name if path else "upload.bin"))
    if file_first and file_value:
        data["file"] = file_value
    data.update({"title": "A song"} if fields is None else fields)
    if not file_first and file_value:
        data["file"] = file_value
    headers = {"Accept": "application/json"}
    if token:
        headers["X-CSRFToken"] = token
    return post_multipart(client, "/songs", data, headers=headers)


def post_multipart(client, url: str, data: dict, headers: dict | None = None):
    """POST ``data`` as multipart/form-data, encoded in memory (Werkzeug's test client
    would spool large bodies to a temporary file it never closes)."""
    files = {
        name: FileStorage(stream=value[0], filename=value[1]) if isinstance(value, tuple) else value
        for name, value in data.items()
    }
    boundary, body = encode_multipart(files)
    return client.post(
        url,
        data=body,
        headers=headers or {},
        content_type=f"multipart/form-data; boundary={boundary}",
    )
